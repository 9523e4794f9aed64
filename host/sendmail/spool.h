/* spool.h — typoguard-sendmail's copy of the message: a private temporary file, its address
 * headers, and the rewrite that corrects addresses.
 *
 * Guarantees: the message is streamed (a fixed buffer, any size: memory stays flat) into a file
 * made by mkstemp in $TMPDIR (else /tmp), mode 0600 and unlinked at once, so nobody else can read
 * it and nothing is left behind however the program ends. Only the header section is read back,
 * up to TG_SPOOL_MAX_HEADER_BYTES. A rewrite copies the file byte for byte except the spans it is
 * given, which it replaces: every other byte (the body, other headers, display names, folding,
 * line ends) stays as it was. */
#ifndef TG_SENDMAIL_SPOOL_H
#define TG_SENDMAIL_SPOOL_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "typoguard.h"

/* The header section is read up to this size; a message whose recipients must come from a longer
 * one (-t) is refused rather than half checked. */
#define TG_SPOOL_MAX_HEADER_BYTES (1024u * 1024u)
/* The copy buffer: all the memory a message of any size costs. */
#define TG_SPOOL_BUFFER_BYTES (64u * 1024u)

typedef struct {
  int fd;       /* the unlinked temporary file, read and write */
  goffset size; /* bytes of the message */
  char *header; /* the header section as read back (NUL-terminated), without the blank line */
  size_t header_len;
  bool header_complete; /* the blank line (or the end of the message) was found within bounds */
} TgSpool;

/* Copies everything from `in` into a new private temporary file. */
TgSpool *tg_spool_new(int in, GError **error);
/* The same for bytes in memory (tests). */
TgSpool *tg_spool_new_from_data(const char *data, size_t len, GError **error);
void tg_spool_free(TgSpool *s);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(TgSpool, tg_spool_free)

/* One mailbox in an address header: where its bytes are in the file and what it says. */
typedef struct {
  TgField field; /* to, cc or bcc */
  size_t offset; /* of its first byte in the message (white space around it excluded) */
  size_t len;
  char *text; /* its text unfolded (line breaks removed), for the check */
} TgHeaderMailbox;

/* The mailboxes of the To, Cc and Bcc fields of the header section, in order (group names and
 * their ';' are not part of any mailbox). Returns a GPtrArray of TgHeaderMailbox*. */
GPtrArray *tg_spool_address_headers(const TgSpool *s);
/* The unfolded value of the first field `name` (case-insensitive), or NULL. */
char *tg_spool_header_value(const TgSpool *s, const char *name);

/* A span of the file and its new text. */
typedef struct {
  size_t offset, len;
  char *text;
} TgSpoolEdit;

/* A new spool holding the message with the `edits` made (sorted by offset, not overlapping). */
TgSpool *tg_spool_rewrite(const TgSpool *s, GArray *edits /* of TgSpoolEdit */, GError **error);

/* Finds `needle` in `hay` ignoring ASCII case; returns its offset or -1. */
gssize tg_spool_find_caseless(const char *hay, size_t hay_len, const char *needle);

#endif
