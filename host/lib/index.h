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
/* Optional: makes room for n_domains domains of total_bytes bytes (with their NULs) before a bulk
 * load, so a big list is added without regrowing. */
void tg_index_reserve(TgIndex *ix, size_t n_domains, size_t total_bytes);
/* Makes the near-miss keys of the domains added since the last search. Optional: the first
 * search does it too. Adds only store a domain, so a bulk load costs one batch build here, not a
 * million scattered inserts. Call it after loading and before searching from several threads;
 * an index is not thread-safe while being changed or before it is sealed. */
void tg_index_seal(TgIndex *ix);
/* Bytes held by the index (for benchmarks and diagnostics). */
size_t tg_index_memory(const TgIndex *ix);

/* ---- for the near-miss search in typo.c (not for the rules: use tg_typo_candidates) --------
 * Ids are dense, 0 .. tg_index_size()-1, in order of first addition. A probe returns the ids
 * whose exact hash / one of whose one-deletion keys (host/data/tgkeys.h) equals `hash`; a hash
 * collision may add an unrelated id, so callers verify. */
const char *tg_index_domain_at(const TgIndex *ix, uint32_t id, uint32_t *tag);
size_t tg_index_probe_exact(const TgIndex *ix, uint32_t hash, uint32_t *ids, size_t max_ids);
/* Seals the index first when domains were added since the last search (logically const). */
size_t tg_index_probe_deletion(const TgIndex *ix, uint32_t hash, uint32_t *ids, size_t max_ids);
/* All three probes of a near-miss search at once, for a string with exact hash `whole` and
 * one-deletion keys dels[0 .. n_dels): the ids whose deletion keys include `whole` or a dels[j]
 * (one slip in the same place, or typed lacks a letter) and those whose exact hash is a dels[j]
 * (typed has an extra letter). The same result as the single probes, but each level of memory is
 * prefetched for every key before any is read, so the cache misses of a big index overlap. An id
 * may appear more than once. Seals like tg_index_probe_deletion. */
size_t tg_index_probe_slips(const TgIndex *ix, uint32_t whole, const uint32_t *dels, size_t n_dels,
                            uint32_t *ids, size_t max_ids);

#endif
