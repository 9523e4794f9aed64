/* session.h — what lives as long as the host process (session.c): settings, contexts, history,
 * public suffix list, and the client's address book. The protocol (protocol.h) answers requests
 * against it. */
#ifndef TG_SESSION_H
#define TG_SESSION_H

#include <cjson/cJSON.h>
#include <glib.h>
#include <libpsl.h>
#include <stdbool.h>

#include "config.h"
#include "history.h"
#include "typoguard.h"

/* The address book a client keeps in the host (`book` requests): at most this many mailboxes
 * held, and a version string of at most TG_MAX_ID_BYTES. */
#define TG_MAX_BOOK_ENTRIES 50000u

typedef struct {
  TgSettings *settings; /* from the files, before any request */
  TgContext *ctx;
  TgHistory *history; /* NULL when the history folder cannot be found */
  psl_ctx_t *psl;
  bool psl_owned;
  GPtrArray *warnings; /* problems found while loading, each a line for stderr */
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
  /* `book` digested for the checks (tg_book_new), rebuilt by tg_session_book_digest after each
   * change, so that a check costs what its recipients cost, not what the book does; NULL while
   * the book is empty. `book_idn`: the distinct internationalised domains of `book` as written
   * (TG_MAX_KNOWN_IDN_DOMAINS bounds them), kept with it. */
  TgBook *book_digest;
  GHashTable *book_idn;
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

/* The context a request with effective settings `eff` is checked against: the session's, or one
 * with the list files the request names (loaded once and kept while the files are unchanged).
 * NULL with `error` when such a file cannot be used. */
const TgContext *tg_session_context_for(TgSession *s, const TgSettings *eff, GError **error);
/* Can the list files `eff` names be used (they are the session's, or each opens as the loader
 * will)? A list that could not be applied must not be reported as in force. */
bool tg_session_list_files_usable(const TgSession *s, const TgSettings *eff, GError **error);

/* The client's address book: {"version":V|null,"count":N}, and one mailbox added or removed
 * (case-insensitively; adding one already held does nothing). */
cJSON *tg_session_book_state(const TgSession *s);
void tg_session_book_add(TgSession *s, const char *mailbox);
/* Empties the book and forgets its version. */
void tg_session_book_clear(TgSession *s);
/* After adds and removes: digests the book again for the checks. `idn` (owned) is the set of its
 * distinct internationalised domains. */
void tg_session_book_digest(TgSession *s, GHashTable *idn);
void tg_session_book_remove(TgSession *s, const char *mailbox);

#endif
