/* index.c — TgIndex, the dynamic fuzzy index over a set of domains (trusted, learned and request
 * lists, up to TG_MAX_LIST_DOMAINS and beyond).
 *
 * Layout: every domain is stored once (an arena of NUL-terminated strings, with per-id offset,
 * length, tag and exact hash). An open-addressing hash set over the ids answers exact lookups. The
 * near-miss side is a multimap from each one-deletion key (host/data/tgkeys.h) to the ids that
 * have it, split into 256 partitions by the key's top 8 bits so that growing one partition never
 * holds two copies of the whole table (peak memory stays close to the final size). Each
 * partition is linear probing over 8-byte slots (key hash << 32 | id + 1, 0 = empty), grown by
 * 1.5x at 85 % load. Adding is amortised O(length); a probe is O(1) expected. Not thread-safe
 * while being changed; lookups on an unchanging index may run concurrently. */
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
  Part part[PARTS];
};

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

  uint32_t keys[TG_KEY_MAX_LEN];
  size_t k = tg_key_deletions(ascii_domain, n, keys);
  for (size_t j = 0; j < k; j++)
    part_add(&ix->part[keys[j] >> PART_SHIFT], keys[j], id);
  return true;
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
  const Part *p = &ix->part[hash >> PART_SHIFT];
  if (!p->cap)
    return 0;
  size_t k = 0;
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
  return bytes;
}
