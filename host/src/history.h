/* history.h — the learned store: domains and addresses the user really sent to.
 *
 * Lives in `$XDG_DATA_HOME/typoguard/` (default ~/.local/share/typoguard/). Bounded in size
 * (least recently used entries go first), written atomically (temporary file, fsync, rename)
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

/* Adds what was learned to the detection context (trusted domains, address counts). */
void tg_history_apply(const TgHistory *h, TgContext *ctx);

/* Records that the user sent one message to `addresses` (bare addresses, already parsed), merges
 * with what other processes wrote meanwhile and saves. `*count` receives how many addresses were
 * recorded. On failure nothing already stored is lost. */
bool tg_history_learn(TgHistory *h, const char *const *addresses, size_t n, unsigned *count,
                      GError **error);

const char *tg_history_path(const TgHistory *h);

#endif
