/* namefilter.h — which names (a domain less its last label: "edvw." of edvw.de) a set of domains
 * holds, for the TLD slip (internal to libtypoguard).
 *
 * The TLD slip asks whether the user's domains hold the typed name under an ending one slip
 * away (edvw.ee for a known edvw.de). Asking each of the ~180 one-edit endings cost ~10 us per
 * unknown recipient; almost always the name is under no ending at all, which one probe here
 * settles. A set of 32-bit hashes: a miss is certain, a hit means "look closer" (the caller
 * then looks each ending up exactly).
 *
 * Guarantees: adding is amortised O(1) (a table of at most twice the names, 4 bytes a slot);
 * lookups O(1), no allocation; a filter that is only read may be shared by any number of
 * threads. */
#ifndef TG_NAMEFILTER_H
#define TG_NAMEFILTER_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct {
  guint32 *slot; /* hash | 1 per used slot, 0 when empty */
  size_t cap;    /* a power of two, or 0 */
  size_t used;
} TgNameFilter;

/* Adds the name of `ascii` (everything up to and including its last dot); a dotless name has
 * none and is skipped. */
void tg_name_filter_add_domain(TgNameFilter *f, const char *ascii);
/* Whether the name (len bytes, ending in the dot) may be held: false means certainly not. */
bool tg_name_filter_may_hold(const TgNameFilter *f, const char *name, size_t len);
/* Adds the name of every key of `domains` (a set of A-label domains). */
void tg_name_filter_add_keys(TgNameFilter *f, GHashTable *domains);
void tg_name_filter_clear(TgNameFilter *f);

#endif
