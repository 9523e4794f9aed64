/* mailbox.h — RFC 5322 / RFC 6532 mailbox parsing (internal to libtypoguard).
 *
 * Parses what a mail client holds for one recipient: a bare address, `Name <addr>`, a quoted
 * display name with commas and escapes, comments, a group (`Team: a@b, c@d;`), stray white space,
 * UTF-8 local parts and domains. Never reads past `len`, never crashes on any byte sequence. */
#ifndef TG_MAILBOX_H
#define TG_MAILBOX_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>

/* Comments `(a (b (c)))` deeper than this are refused (TG_MAILBOX_ERROR_UNBALANCED). */
#define TG_MAILBOX_MAX_COMMENT_DEPTH 32u

#define TG_MAILBOX_ERROR (tg_mailbox_error_quark())
GQuark tg_mailbox_error_quark(void);

typedef enum {
  TG_MAILBOX_ERROR_EMPTY,        /* nothing but white space, or an empty group */
  TG_MAILBOX_ERROR_NO_AT,        /* no @ (e.g. `John Doe`, `john.doe`) */
  TG_MAILBOX_ERROR_NO_LOCAL,     /* nothing before the @ */
  TG_MAILBOX_ERROR_NO_DOMAIN,    /* nothing after the @ */
  TG_MAILBOX_ERROR_BAD_LOCAL,    /* local part with characters a mailbox cannot hold */
  TG_MAILBOX_ERROR_BAD_DOMAIN,   /* domain with characters a domain cannot hold */
  TG_MAILBOX_ERROR_UNBALANCED,   /* unclosed quote, comment, angle bracket, or domain literal */
  TG_MAILBOX_ERROR_BAD_UTF8,     /* not valid UTF-8, a NUL byte, or a control character */
  TG_MAILBOX_ERROR_TOO_LONG,     /* longer than TG_MAX_ADDRESS_BYTES */
  TG_MAILBOX_ERROR_TRAILING,     /* text after the mailbox that is not part of it */
} TgMailboxError;

typedef struct {
  char *display_name; /* decoded (quotes and escapes removed, comments dropped, RFC 2047 words
                         decoded, white space at the ends trimmed; never a line break), or NULL;
                         a bare `a@b (Name)` takes its trailing comment as the name */
  char *local;        /* local part as it travels: dot-atom, or quoted-string with its quotes
                         (`"john"` that needs no quotes comes back as `john`) */
  char *domain;       /* domain as written after the @ (not yet normalised; one trailing dot
                         dropped), or the [literal] with its white space removed */
  char *address;      /* local@domain */
} TgMailbox;

void tg_mailbox_free(TgMailbox *mb);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(TgMailbox, tg_mailbox_free)

/* Parses one recipient string into one or more mailboxes (several for a group or a comma
 * separated list). Returns a GPtrArray of TgMailbox* (free function set), never empty, or NULL
 * with `error` set (a TG_MAILBOX_ERROR code whose message says, in plain words, what is wrong).
 * `text` need not be NUL-terminated; exactly `len` bytes are read (none when len is over
 * TG_MAX_ADDRESS_BYTES). The accepted forms and leniencies are listed at the top of mailbox.c. */
GPtrArray *tg_mailbox_parse_list(const char *text, size_t len, GError **error);

/* Parses exactly one mailbox; a group or a list is an error (TG_MAILBOX_ERROR_TRAILING). */
TgMailbox *tg_mailbox_parse(const char *text, size_t len, GError **error);

/* Renders a mailbox for a header: `address` alone when there is no display name, otherwise
 * `Name <address>`, quoting and escaping the name when RFC 5322 requires it (`"Doe, John"`).
 * Line breaks and control characters in the name become spaces, invalid UTF-8 becomes U+FFFD.
 * Parsing the result gives the same name and address back, for any name and address that
 * tg_mailbox_parse produced, unless escaping made it longer than TG_MAX_ADDRESS_BYTES. */
char *tg_mailbox_format(const char *display_name, const char *address);

#endif
