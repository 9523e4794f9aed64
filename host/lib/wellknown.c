/* wellknown.c — lookups in the built-in data (host/data, generated into tgdata at build time):
 * well-known mail domains and the confusable TLD table. Read-only, no start-up work, no
 * allocation; lookups are binary searches over sorted const arrays, or (an exact domain) a
 * probe of the compiled hash table. */
#include "wellknown.h"

#include <string.h>

#include "tgdata.h"
#include "tgkeys.h"

static size_t probe(const uint32_t *dir, unsigned bits, const uint32_t *hashes, const uint32_t *ids,
                    uint32_t hash, uint32_t *out, size_t max_out);

const TgWellKnown *tg_wellknown_find(const char *ascii_domain) {
  if (!ascii_domain)
    return NULL;
  /* The near-miss index's exact table (hash -> ids, compiled in): one bucket and a comparison or
   * two, instead of ~14 string comparisons of a binary search; this runs for every parent of
   * every recipient and every lookalike reading. */
  uint32_t ids[8];
  size_t n =
      probe(tg_data_exact_dir, TG_DATA_EXACT_BITS, tg_data_exact_hash, tg_data_exact_id,
            tg_key_hash(ascii_domain, strlen(ascii_domain)), ids, (sizeof ids / sizeof ids[0]));
  for (size_t i = 0; i < n; i++)
    if (strcmp(tg_data_wellknown[ids[i]].domain, ascii_domain) == 0)
      return &tg_data_wellknown[ids[i]];
  if (n < (sizeof ids / sizeof ids[0]))
    return NULL;
  /* Eight names with one 32-bit hash (never seen): the binary search decides. */
  size_t lo = 0, hi = tg_data_wellknown_count;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    int c = strcmp(ascii_domain, tg_data_wellknown[mid].domain);
    if (c == 0)
      return &tg_data_wellknown[mid];
    if (c < 0)
      hi = mid;
    else
      lo = mid + 1;
  }
  return NULL;
}

const TgWellKnown *tg_wellknown_find_ancestor(const char *ascii_domain) {
  /* Walk hq.army.mil -> army.mil -> mil; a bare TLD is never built in, so it costs one miss. */
  for (const char *d = ascii_domain; d && *d;) {
    const TgWellKnown *wk = tg_wellknown_find(d);
    if (wk)
      return wk;
    const char *dot = strchr(d, '.');
    d = dot ? dot + 1 : NULL;
  }
  return NULL;
}

size_t tg_wellknown_prefix(const char *prefix, size_t *first) {
  size_t n = prefix ? strlen(prefix) : 0;
  size_t lo = 0, hi = tg_data_wellknown_count;
  /* the sorted array holds every name starting with prefix in one run: find its start */
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (strncmp(tg_data_wellknown[mid].domain, prefix ? prefix : "", n) < 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  size_t end = lo;
  while (end < tg_data_wellknown_count && strncmp(tg_data_wellknown[end].domain, prefix, n) == 0)
    end++;
  *first = lo;
  return end - lo;
}

size_t tg_wellknown_longest(void) {
  return tg_data_wellknown_longest;
}

size_t tg_wellknown_count(void) {
  return tg_data_wellknown_count;
}

const TgWellKnown *tg_wellknown_at(size_t i) {
  return i < tg_data_wellknown_count ? &tg_data_wellknown[i] : NULL;
}

const TgTldPair *tg_tld_pairs_for(const char *tld, size_t *n) {
  size_t dummy;
  if (!n)
    n = &dummy;
  *n = 0;
  if (!tld)
    return NULL;
  if (*tld == '.') /* accept ".ml" as well as "ml" */
    tld++;
  /* The table is sorted by typed TLD: find the first match, then count the run. */
  size_t lo = 0, hi = tg_data_tld_pair_count;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (strcmp(tg_data_tld_pairs[mid].typed, tld) < 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  size_t end = lo;
  while (end < tg_data_tld_pair_count && strcmp(tg_data_tld_pairs[end].typed, tld) == 0)
    end++;
  *n = end - lo;
  return *n ? &tg_data_tld_pairs[lo] : NULL;
}

size_t tg_tld_pair_count(void) {
  return tg_data_tld_pair_count;
}

const TgTldPair *tg_tld_pair_at(size_t i) {
  return i < tg_data_tld_pair_count ? &tg_data_tld_pairs[i] : NULL;
}

/* ---- the precomputed near-miss index (used by typo.c) ------------------------------------- */

static size_t probe(const uint32_t *dir, unsigned bits, const uint32_t *hashes, const uint32_t *ids,
                    uint32_t hash, uint32_t *out, size_t max_out) {
  uint32_t b = hash >> (32u - bits);
  size_t k = 0;
  for (uint32_t i = dir[b]; i < dir[b + 1]; i++)
    if (hashes[i] == hash && k < max_out)
      out[k++] = ids[i];
  return k;
}

size_t tg_wellknown_probe_exact(uint32_t hash, uint32_t *ids, size_t max_ids) {
  return probe(tg_data_exact_dir, TG_DATA_EXACT_BITS, tg_data_exact_hash, tg_data_exact_id, hash,
               ids, max_ids);
}

size_t tg_wellknown_probe_deletion(uint32_t hash, uint32_t *ids, size_t max_ids) {
  return probe(tg_data_del_dir, TG_DATA_DEL_BITS, tg_data_del_hash, tg_data_del_id, hash, ids,
               max_ids);
}

#if defined(__GNUC__) || defined(__clang__)
#define PREFETCH(p) __builtin_prefetch(p)
#else
#define PREFETCH(p) ((void)(p))
#endif

size_t tg_wellknown_probe_slips(uint32_t whole, const uint32_t *dels, size_t n_dels, uint32_t *ids,
                                size_t max_ids) {
  /* The deletion index is ~1.5 MB of .rodata, touched at random: prefetch each level for every
   * key before reading any, so that the misses overlap (see index.c). */
  for (size_t j = 0; j <= n_dels; j++) {
    uint32_t h = j < n_dels ? dels[j] : whole;
    PREFETCH(&tg_data_del_dir[h >> (32u - TG_DATA_DEL_BITS)]);
    if (j < n_dels)
      PREFETCH(&tg_data_exact_dir[h >> (32u - TG_DATA_EXACT_BITS)]);
  }
  for (size_t j = 0; j <= n_dels; j++) {
    uint32_t h = j < n_dels ? dels[j] : whole;
    PREFETCH(&tg_data_del_hash[tg_data_del_dir[h >> (32u - TG_DATA_DEL_BITS)]]);
    if (j < n_dels)
      PREFETCH(&tg_data_exact_hash[tg_data_exact_dir[h >> (32u - TG_DATA_EXACT_BITS)]]);
  }
  size_t k = 0;
  for (size_t j = 0; j < n_dels; j++) {
    k += tg_wellknown_probe_deletion(dels[j], ids + k, max_ids - k);
    k += tg_wellknown_probe_exact(dels[j], ids + k, max_ids - k);
  }
  k += tg_wellknown_probe_deletion(whole, ids + k, max_ids - k);
  return k;
}
