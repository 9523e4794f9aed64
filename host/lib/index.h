/* index.h — fuzzy index over a set of domains, for near-miss search that is sub-linear in the
 * number of domains (trusted lists of up to a million). The built-in well-known set has its index
 * precomputed at build time; TgIndex is the dynamic kind for trusted, learned and request lists. */
#ifndef TG_INDEX_H
#define TG_INDEX_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct TgIndex TgIndex;

TgIndex *tg_index_new(void);
void tg_index_free(TgIndex *ix);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(TgIndex, tg_index_free)

/* Adds an ASCII lowercase domain with a caller tag (OR-ed into the existing tag when the domain
 * is already there). Returns false for an empty or over-long domain. */
bool tg_index_add(TgIndex *ix, const char *ascii_domain, uint32_t tag);
/* Exact membership; *tag (may be NULL) receives the tag. */
bool tg_index_lookup(const TgIndex *ix, const char *ascii_domain, uint32_t *tag);
size_t tg_index_size(const TgIndex *ix);

#endif
