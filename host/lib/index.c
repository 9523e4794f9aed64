/* index.c — TgIndex, the dynamic fuzzy index over a set of domains (trusted, learned and request
 * lists, up to TG_MAX_LIST_DOMAINS and beyond).
 *
 * Layout: every domain is stored once (an arena of NUL-terminated strings, with per-id offset,
 * length, tag and exact hash). An open-addressing hash set over the ids answers exact lookups and
 * is kept current by every add. The near-miss side maps each one-deletion key
 * (host/data/tgkeys.h) to the ids that have it, in two parts:
 *  - a frozen part over ids [0, built_n): one array of 8-byte entries (key hash << 32 | id) grouped
 *    by the hash's top bits, with a directory of bucket starts. It is built in one go, by a
 *    two-pass radix scatter (first by the top 8 bits into 256 sequential streams, then each
 *    partition in cache), because 15 million random inserts into a big hash table cost seconds
 *    of cache misses at 1M domains while the batch build costs a fraction;
 *  - a tail over ids [built_n, tail_n): a small multimap (256 partitions of linear probing) for
 *    domains added after the last build, so that alternating adds and lookups stay cheap.
 * Adding only stores the domain; the keys are made when the index is next searched
 * (tg_index_seal, or implicitly by the first probe): the tail when it stays under a quarter of the
 * frozen part, else a rebuild of the frozen part over everything (geometric, so amortised O(1)
 * per key). Not thread-safe while being changed or before tg_index_seal; a sealed, unchanging
 * index can be searched from several threads. */
#include "index.h"

#include <string.h>

#include "tgkeys.h"

#define PARTS 256u
#define PART_SHIFT 24u             /* the top 8 bits choose the partition */
#define HOME_MASK 0xffffffu        /* the low 24 bits choose the home slot */
#define SET_MIN 64u                /* first size of the exact set (a power of two) */

typedef struct {
  uint64_t *slot;
  uint32_t cap;
  uint32_t used;
} Part;

struct TgIndex {
  char *arena; /* NUL-terminated domains, back to back */
  size_t arena_len, arena_cap;
  uint32_t *off;  /* per id: offset of the domain in arena */
  uint32_t *tag;  /* per id: caller's tag */
  uint32_t *hash; /* per id: tg_key_hash of the domain (rehashing the set needs no strings) */
  uint8_t *len;   /* per id: length (<= TG_KEY_MAX_LEN) */
  size_t n, cap;
  uint32_t *set; /* id + 1, 0 = empty; power-of-two size, load <= 1/2 */
  size_t set_cap;
  /* frozen deletion keys of ids [0, built_n) */
  uint64_t *frozen;     /* hash << 32 | id, grouped by bucket */
  uint32_t *frozen_dir; /* bucket b is frozen[dir[b] .. dir[b + 1]) */
  unsigned frozen_bits; /* buckets = 1 << frozen_bits, chosen by the hash's top bits */
  size_t frozen_n, built_n;
  /* tail: deletion keys of ids [built_n, tail_n) */
  size_t tail_n;
  Part part[PARTS];
};

#define FROZEN_MIN 256u /* below this many domains the tail alone is cheaper */

static inline uint32_t home_of(uint32_t hash, uint32_t cap)
{
  /* Lemire's multiply-shift: maps the 24 low bits onto [0, cap) without a division. */
  return (uint32_t)(((uint64_t)(hash & HOME_MASK) * cap) >> 24);
}

TgIndex *tg_index_new(void)
{
  return g_new0(TgIndex, 1);
}

void tg_index_free(TgIndex *ix)
{
  if (!ix)
    return;
  g_free(ix->arena);
  g_free(ix->off);
  g_free(ix->tag);
  g_free(ix->hash);
  g_free(ix->len);
  g_free(ix->set);
  g_free(ix->frozen);
  g_free(ix->frozen_dir);
  for (size_t p = 0; p < PARTS; p++)
    g_free(ix->part[p].slot);
  g_free(ix);
}

size_t tg_index_size(const TgIndex *ix)
{
  return ix ? ix->n : 0;
}

/* ---- exact set ----------------------------------------------------------------------------- */

static uint32_t find_id(const TgIndex *ix, const char *d, size_t n, uint32_t h)
{
  if (!ix->set)
    return UINT32_MAX;
  size_t mask = ix->set_cap - 1;
  for (size_t i = h & mask;; i = (i + 1) & mask) {
    uint32_t v = ix->set[i];
    if (v == 0)
      return UINT32_MAX;
    uint32_t id = v - 1;
    if (ix->hash[id] == h && ix->len[id] == n && memcmp(ix->arena + ix->off[id], d, n) == 0)
      return id;
  }
}

static void set_place(uint32_t *set, size_t cap, uint32_t h, uint32_t id)
{
  size_t mask = cap - 1;
  size_t i = h & mask;
  while (set[i])
    i = (i + 1) & mask;
  set[i] = id + 1;
}

static void set_grow(TgIndex *ix, size_t want)
{
  size_t cap = ix->set_cap ? ix->set_cap : SET_MIN;
  while (cap < want * 2)
    cap *= 2;
  if (cap == ix->set_cap)
    return;
  g_free(ix->set);
  ix->set = g_new0(uint32_t, cap);
  ix->set_cap = cap;
  for (size_t id = 0; id < ix->n; id++)
    set_place(ix->set, cap, ix->hash[id], (uint32_t)id);
}

/* ---- deletion multimap --------------------------------------------------------------------- */

static void part_place(Part *p, uint64_t v)
{
  uint32_t i = home_of((uint32_t)(v >> 32), p->cap);
  while (p->slot[i])
    i = i + 1 == p->cap ? 0 : i + 1;
  p->slot[i] = v;
}

static void part_add(Part *p, uint32_t hash, uint32_t id)
{
  if ((uint64_t)(p->used + 1) * 20 > (uint64_t)p->cap * 17) {
    uint32_t ncap = p->cap < 16 ? 16 : p->cap + p->cap / 2;
    Part np = {g_new0(uint64_t, ncap), ncap, p->used};
    for (uint32_t i = 0; i < p->cap; i++)
      if (p->slot[i])
        part_place(&np, p->slot[i]);
    g_free(p->slot);
    *p = np;
  }
  part_place(p, (uint64_t)hash << 32 | (uint64_t)(id + 1));
  p->used++;
}

/* ---- making the deletion keys ---------------------------------------------------------------- */

static size_t keys_of(const TgIndex *ix, size_t id, uint32_t *keys)
{
  return tg_key_deletions(ix->arena + ix->off[id], ix->len[id], keys);
}

static void tail_clear(TgIndex *ix)
{
  for (size_t p = 0; p < PARTS; p++) {
    g_free(ix->part[p].slot);
    ix->part[p] = (Part){NULL, 0, 0};
  }
}

/* Rebuilds the frozen part over every id and empties the tail. */
static void rebuild(TgIndex *ix)
{
  uint32_t keys[TG_KEY_MAX_LEN];
  size_t count[PARTS] = {0}, total = 0;
  for (size_t id = 0; id < ix->n; id++) {
    size_t k = keys_of(ix, id, keys);
    for (size_t j = 0; j < k; j++)
      count[keys[j] >> PART_SHIFT]++;
    total += k;
  }
  /* Free the old structures first: the peak is then one copy, not two. */
  tail_clear(ix);
  g_free(ix->frozen);
  g_free(ix->frozen_dir);
  /* About four entries a bucket; at least the 8 partition bits, at most 24 (64 MiB directory). */
  unsigned bits = 8;
  while (bits < 24 && ((size_t)1 << bits) * 4 < total)
    bits++;
  size_t buckets = (size_t)1 << bits;
  uint64_t *e = g_new(uint64_t, MAX(total, 1));
  uint32_t *dir = g_new(uint32_t, buckets + 1);

  /* Pass 1: scatter by the top 8 bits; 256 sequential write streams. */
  size_t start[PARTS + 1], fill[PARTS];
  start[0] = 0;
  for (size_t p = 0; p < PARTS; p++)
    start[p + 1] = start[p] + count[p];
  memcpy(fill, start, sizeof fill);
  for (size_t id = 0; id < ix->n; id++) {
    size_t k = keys_of(ix, id, keys);
    for (size_t j = 0; j < k; j++)
      e[fill[keys[j] >> PART_SHIFT]++] = (uint64_t)keys[j] << 32 | (uint64_t)id;
  }

  /* Pass 2: within each partition, a counting sort by the remaining bucket bits (in cache). */
  size_t sub_bits = bits - 8, subs = (size_t)1 << sub_bits, biggest = 0;
  for (size_t p = 0; p < PARTS; p++)
    biggest = MAX(biggest, count[p]);
  g_autofree uint64_t *tmp = g_new(uint64_t, MAX(biggest, 1));
  g_autofree uint32_t *sub = g_new(uint32_t, subs + 1);
  for (size_t p = 0; p < PARTS; p++) {
    uint64_t *part = e + start[p];
    size_t m = count[p];
    memset(sub, 0, (subs + 1) * sizeof *sub);
    for (size_t i = 0; i < m; i++)
      sub[((part[i] >> 32) >> (32 - bits)) & (subs - 1)]++;
    uint32_t run = 0;
    for (size_t b = 0; b < subs; b++) {
      uint32_t c = sub[b];
      sub[b] = run;
      dir[(p << sub_bits) + b] = (uint32_t)start[p] + run;
      run += c;
    }
    for (size_t i = 0; i < m; i++)
      tmp[sub[((part[i] >> 32) >> (32 - bits)) & (subs - 1)]++] = part[i];
    memcpy(part, tmp, m * sizeof *part);
  }
  dir[buckets] = (uint32_t)total;

  ix->frozen = e;
  ix->frozen_dir = dir;
  ix->frozen_bits = bits;
  ix->frozen_n = total;
  ix->built_n = ix->tail_n = ix->n;
}

void tg_index_seal(TgIndex *ix)
{
  g_return_if_fail(ix != NULL);
  if (ix->tail_n == ix->n)
    return;
  if (ix->n > UINT32_MAX / 16) /* frozen offsets are 32-bit: stay with the tail beyond */
    goto tail;
  if (ix->built_n == 0 ? ix->n >= FROZEN_MIN : (ix->n - ix->built_n) * 4 > ix->built_n) {
    rebuild(ix);
    return;
  }
tail:;
  uint32_t keys[TG_KEY_MAX_LEN];
  for (size_t id = ix->tail_n; id < ix->n; id++) {
    size_t k = keys_of(ix, id, keys);
    for (size_t j = 0; j < k; j++)
      part_add(&ix->part[keys[j] >> PART_SHIFT], keys[j], (uint32_t)id);
  }
  ix->tail_n = ix->n;
}

/* ---- public ------------------------------------------------------------------------------- */

void tg_index_reserve(TgIndex *ix, size_t n_domains, size_t total_bytes)
{
  g_return_if_fail(ix != NULL);
  if (n_domains > ix->cap) {
    ix->cap = n_domains;
    ix->off = g_renew(uint32_t, ix->off, ix->cap);
    ix->tag = g_renew(uint32_t, ix->tag, ix->cap);
    ix->hash = g_renew(uint32_t, ix->hash, ix->cap);
    ix->len = g_renew(uint8_t, ix->len, ix->cap);
  }
  if (total_bytes > ix->arena_cap) {
    ix->arena_cap = total_bytes;
    ix->arena = g_renew(char, ix->arena, ix->arena_cap);
  }
  set_grow(ix, n_domains);
}

bool tg_index_add(TgIndex *ix, const char *ascii_domain, uint32_t tag)
{
  g_return_val_if_fail(ix != NULL, false);
  if (!ascii_domain)
    return false;
  size_t n = strlen(ascii_domain);
  if (n == 0 || n > TG_KEY_MAX_LEN)
    return false;
  uint32_t h = tg_key_hash(ascii_domain, n);
  uint32_t old = find_id(ix, ascii_domain, n, h);
  if (old != UINT32_MAX) {
    ix->tag[old] |= tag;
    return true;
  }
  if (ix->n >= UINT32_MAX - 1 || ix->arena_len + n + 1 > UINT32_MAX)
    return false; /* ids and offsets are 32-bit; far beyond TG_MAX_LIST_DOMAINS */

  if (ix->n == ix->cap) {
    ix->cap = ix->cap ? ix->cap * 2 : 64;
    ix->off = g_renew(uint32_t, ix->off, ix->cap);
    ix->tag = g_renew(uint32_t, ix->tag, ix->cap);
    ix->hash = g_renew(uint32_t, ix->hash, ix->cap);
    ix->len = g_renew(uint8_t, ix->len, ix->cap);
  }
  if (ix->arena_len + n + 1 > ix->arena_cap) {
    ix->arena_cap = MAX(ix->arena_cap * 2, ix->arena_len + n + 1 + 4096);
    ix->arena = g_renew(char, ix->arena, ix->arena_cap);
  }
  uint32_t id = (uint32_t)ix->n;
  memcpy(ix->arena + ix->arena_len, ascii_domain, n + 1);
  ix->off[id] = (uint32_t)ix->arena_len;
  ix->arena_len += n + 1;
  ix->tag[id] = tag;
  ix->hash[id] = h;
  ix->len[id] = (uint8_t)n;
  ix->n++;

  if (ix->n * 2 > ix->set_cap)
    set_grow(ix, ix->n);
  else
    set_place(ix->set, ix->set_cap, h, id);
  return true; /* its deletion keys are made by the next seal */
}

bool tg_index_lookup(const TgIndex *ix, const char *ascii_domain, uint32_t *tag)
{
  if (!ix || !ascii_domain)
    return false;
  size_t n = strlen(ascii_domain);
  if (n == 0 || n > TG_KEY_MAX_LEN)
    return false;
  uint32_t id = find_id(ix, ascii_domain, n, tg_key_hash(ascii_domain, n));
  if (id == UINT32_MAX)
    return false;
  if (tag)
    *tag = ix->tag[id];
  return true;
}

const char *tg_index_domain_at(const TgIndex *ix, uint32_t id, uint32_t *tag)
{
  if (!ix || id >= ix->n)
    return NULL;
  if (tag)
    *tag = ix->tag[id];
  return ix->arena + ix->off[id];
}

size_t tg_index_probe_exact(const TgIndex *ix, uint32_t hash, uint32_t *ids, size_t max_ids)
{
  if (!ix || !ix->set)
    return 0;
  size_t k = 0, mask = ix->set_cap - 1;
  for (size_t i = hash & mask; ix->set[i]; i = (i + 1) & mask) {
    uint32_t id = ix->set[i] - 1;
    if (ix->hash[id] == hash && k < max_ids)
      ids[k++] = id;
  }
  return k;
}

size_t tg_index_probe_deletion(const TgIndex *ix, uint32_t hash, uint32_t *ids, size_t max_ids)
{
  if (!ix)
    return 0;
  /* Logically const: making the keys of domains added since the last search changes no answer. */
  if (ix->tail_n != ix->n)
    tg_index_seal((TgIndex *)ix);
  size_t k = 0;
  if (ix->frozen_n) {
    uint32_t b = hash >> (32u - ix->frozen_bits);
    for (uint32_t i = ix->frozen_dir[b]; i < ix->frozen_dir[b + 1]; i++)
      if ((uint32_t)(ix->frozen[i] >> 32) == hash && k < max_ids)
        ids[k++] = (uint32_t)ix->frozen[i];
  }
  const Part *p = &ix->part[hash >> PART_SHIFT];
  if (!p->cap)
    return k;
  for (uint32_t i = home_of(hash, p->cap); p->slot[i]; i = i + 1 == p->cap ? 0 : i + 1) {
    uint64_t v = p->slot[i];
    if ((uint32_t)(v >> 32) == hash && k < max_ids)
      ids[k++] = (uint32_t)v - 1;
  }
  return k;
}

size_t tg_index_memory(const TgIndex *ix)
{
  if (!ix)
    return 0;
  size_t bytes = sizeof *ix + ix->arena_cap + ix->cap * (3 * sizeof(uint32_t) + 1) +
                 ix->set_cap * sizeof(uint32_t);
  for (size_t p = 0; p < PARTS; p++)
    bytes += ix->part[p].cap * sizeof(uint64_t);
  if (ix->frozen)
    bytes += ix->frozen_n * sizeof(uint64_t) + (((size_t)1 << ix->frozen_bits) + 1) * sizeof(uint32_t);
  return bytes;
}
