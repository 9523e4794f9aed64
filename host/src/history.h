/* history.h — the learned store: domains and addresses the user really sent to.
 *
 * Lives in `$XDG_DATA_HOME/typoguard/` (default ~/.local/share/typoguard/), a folder that must be
 * the user's own and not writable by others (else it is refused, saying why). Bounded in size
 * (the least useful entries go first: use and recency), written atomically (temporary file, fsync, rename)
 * under an advisory lock, so a crash or several hosts at once never corrupt it or lose entries. */
#ifndef TG_HISTORY_H
#define TG_HISTORY_H

#include <glib.h>
#include <stdbool.h>

#include "typoguard.h"

typedef struct TgHistory TgHistory;

/* Opens (reads) the history in `dir`, or the default place when dir is NULL. A missing file is an
 * empty history; a corrupt one keeps what parses and says what was dropped on stderr. Returns
 * NULL only when the folder cannot be determined. */
TgHistory *tg_history_open(const char *dir, GError **error);
void tg_history_free(TgHistory *h);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(TgHistory, tg_history_free)

/* Adds what was learned to the detection context (trusted domains, address counts, co-recipient
 * pairs). */
void tg_history_apply(const TgHistory *h, TgContext *ctx);

/* Records that the user sent one message to `addresses` (bare addresses, already parsed): each
 * address and domain, and every two addresses as a co-recipient pair; merges with what other
 * processes wrote meanwhile and saves. `*count` receives how many addresses were
 * recorded. On failure nothing already stored is lost. */
bool tg_history_learn(TgHistory *h, const char *const *addresses, size_t n, unsigned *count,
                      GError **error);

const char *tg_history_path(const TgHistory *h);

/* Bounds of the store; beyond them the least useful entries go first: an entry's worth is its
 * count of uses halved for every TG_HISTORY_HALF_LIFE_S since its last use (then the least
 * recently used). One learn adds at most half of each bound in new names, so no single batch can
 * push out all that was learned before. */
#define TG_HISTORY_HALF_LIFE_S (90.0 * 24 * 3600)
#define TG_HISTORY_MAX_ADDRESSES 10000u
#define TG_HISTORY_MAX_DOMAINS 5000u
/* Co-recipient pairs (two addresses written to in one message; about 1.2 MB on disk when full).
 * A message adds at most TG_MAX_PATTERN_ADDRESSES² / 2 of them. */
#define TG_HISTORY_MAX_PAIRS 20000u

/* $XDG_DATA_HOME/typoguard (read from the environment each call), or NULL without a home. */
char *tg_history_default_dir(void);

/* tg_history_learn with the time of use given (Unix seconds): for tests of the eviction order. */
bool tg_history_learn_at(TgHistory *h, const char *const *addresses, size_t n, gint64 now,
                         unsigned *count, GError **error);

/* Several messages with one read and one write of the files (the milter learns in batches):
 * message m has lens[m] addresses; each counts as tg_history_learn would count it. */
bool tg_history_learn_batch_at(TgHistory *h, const char *const *const *messages, const size_t *lens,
                               size_t n_messages, gint64 now, unsigned *count, GError **error);

size_t tg_history_domain_count(const TgHistory *h);
size_t tg_history_address_count(const TgHistory *h);
size_t tg_history_pair_count(const TgHistory *h);
/* Lines of the file that did not parse at the last read, and whether it ended early. */
unsigned tg_history_dropped(const TgHistory *h);
bool tg_history_truncated(const TgHistory *h);
bool tg_history_lookup_domain(const TgHistory *h, const char *domain, unsigned *count,
                              gint64 *last);
bool tg_history_lookup_address(const TgHistory *h, const char *address, unsigned *count,
                               gint64 *last);
/* How many learned messages went to both `a` and `b` (in either order), and when last. */
bool tg_history_lookup_pair(const TgHistory *h, const char *a, const char *b, unsigned *count,
                            gint64 *last);

/* Can the history be written? Creates the folder, takes the lock, writes and removes a file. */
bool tg_history_probe(const TgHistory *h, GError **error);

#endif
