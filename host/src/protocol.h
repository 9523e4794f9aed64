/* protocol.h — the JSON side of the host: requests in, replies out (protocol version 1).
 *
 * A TgSession holds what lives as long as the process: the settings from the files, the
 * detection context built from them, the history. tg_session_handle turns one request frame's
 * bytes into exactly one reply, never longer than TG_MAX_REPLY_BYTES. */
#ifndef TG_PROTOCOL_H
#define TG_PROTOCOL_H

#include <cjson/cJSON.h>
#include <glib.h>
#include <libpsl.h>
#include <stdbool.h>

#include "config.h"
#include "json.h"
#include "history.h"
#include "typoguard.h"

#define TG_PROTOCOL_VERSION 1
#define TG_MAX_ID_BYTES 1024u /* a longer string id is a bad_request (it would bloat every reply) */
/* List entries (domains, TLDs) in a request's policy and settings together; more is too_many. */
#define TG_MAX_REQUEST_LIST_ENTRIES 20000u
/* Entries of `known` (domains and addresses together) in one check; more is too_many. The
 * extension sends at most 20,000 address-book and recent addresses. */
#define TG_MAX_KNOWN_ENTRIES 50000u
#define TG_MAX_ERROR_MESSAGE_BYTES 1024u /* an error message is cut (with …) beyond this */
/* The address book a client keeps in the host (`book` requests): at most this many mailboxes
 * held, and a version string of at most TG_MAX_ID_BYTES. */
#define TG_MAX_BOOK_ENTRIES 50000u

typedef struct {
  TgSettings *settings; /* from the files, before any request */
  TgContext *ctx;
  TgHistory *history;   /* NULL when the history folder cannot be found */
  psl_ctx_t *psl;
  bool psl_owned;
  GPtrArray *warnings;  /* problems found while loading, each a line for stderr */
  /* The context for requests whose policy or settings name other list files
   * (trusted_domains_file, blocked_domains_file) than the files do: built like `ctx` with those
   * lists, for the last such request, and kept while the files are the same (path, device,
   * inode, size, modification time), so that a managed policy costs one load, not one per check. */
  TgContext *policy_ctx;
  char *policy_ctx_key;
  /* The client's address book, sent once per process by `book` and then as changes: mailbox
   * strings as the client sent them (owned), `book_keys` maps each one's lower-case form to its
   * position + 1 in `book`. Every check uses them as if they were in its `known.addresses`.
   * `book_version` is the client's name for this state (NULL: nothing received yet). */
  GPtrArray *book;
  GHashTable *book_keys;
  char *book_version;
} TgSession;

/* Names a public suffix list file to use instead of the system's (tests, unusual installs). A
 * file that cannot be read or does not know .com is refused with a warning. */
#define TG_PSL_FILE_ENV "TYPOGUARD_PSL_FILE"

/* Loads settings (policy_path as for --policy, or NULL), the public suffix list, the history,
 * and builds the context. Never fails: problems become warnings. */
TgSession *tg_session_new(const char *policy_path);
/* Does a loaded list know the oldest TLDs (.com, .org, .net, .mil, .uk, .de) by its own rules? */
bool tg_psl_plausible(const psl_ctx_t *psl);
/* Loads settings, context and history again from the files, keeping the public suffix list;
 * warnings are appended. (The fuzz target starts each input from a fresh state this way.) */
void tg_session_reset(TgSession *s, const char *policy_path);
void tg_session_free(TgSession *s);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(TgSession, tg_session_free)

/* Handles one request. *fatal is set when the host must stop after replying (never today: only
 * framing errors are fatal, and those are decided by the frame loop). */
char *tg_session_handle(TgSession *s, const char *data, size_t len, size_t *reply_len);

/* The reply for an error (`id` may be NULL). */
char *tg_protocol_error(const cJSON *id, const char *code, const char *message, size_t *reply_len);

/* A result object as JSON text. Findings that would push it over `limit` are dropped, the least
 * severe first, and "truncated" is then true. */
char *tg_protocol_result(const cJSON *id, const TgResult *res, gint64 elapsed_us, size_t limit,
                         size_t *reply_len);

#endif
