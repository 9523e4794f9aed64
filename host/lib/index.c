/* index.c — TgIndex, the dynamic fuzzy index over a set of domains (trusted, learned and request
 * lists, up to TG_MAX_LIST_DOMAINS and beyond).
 *
 * Layout. Every domain is stored once, in an arena of NUL-terminated strings (no per-domain
 * allocation): chunks that double from 4 KiB to 4 MiB and are never moved, so a growing list is
 * not copied over and over (each copy into fresh pages costs page faults), with a per-id
 * offset (chunk << 22 | position), length and tag. Two kinds of keys point at the ids: the
 * exact hash of each domain, and its one-deletion keys (host/data/tgkeys.h). Both live in two
 * parts:
 *  - the frozen part, ids [0, built_n): per kind, one flat array of 4-byte entries grouped in
 *    buckets by the key hash's top bits, with a directory of bucket starts (a Table). An entry
 *    packs a fingerprint (the hash bits below the bucket bits) above the id, so bucket plus
 *    fingerprint still compare ~32 bits of hash, at half the memory of (hash, id) pairs;
 *  - the tail, ids [built_n, n): a small exact set and a small deletion multimap (open
 *    addressing), for domains added after the last build, so that alternating adds and searches
 *    stay cheap.
 *
 * Building. Until the index is first sealed (tg_index_seal, or implicitly by the first search or
 * lookup), an add only appends the domain: a bulk load of a million domains costs a million
 * appends, not a million scattered hash-table inserts (each one a cache miss, and each growth a
 * rehash). The seal then builds both tables in batches, drops duplicates (OR-ing their tags into
 * the first), and from then on adds go to the tail at once (checked for duplicates). When the tail
 * outgrows a quarter of the frozen part, the next seal rebuilds everything (geometric, so
 * amortised O(1) per key).
 *
 * A batch build is a counting sort in groups of partitions (the hash's top 8 bits): each group
 * pass makes every key and appends the (hash, id) pairs of its partitions to 8-byte staging
 * streams (sequential writes; the hash spreads keys evenly, so each partition is given its share
 * plus a margin, with no counting pass, and a group is redone in the rare case one overflows),
 * then each partition, small enough for the cache, is sorted by its remaining bucket bits
 * straight into its final place. A direct scatter into the final array
 * costs two random accesses per key, seconds of cache and TLB misses at ~15 million keys; staging
 * everything at once would double the peak memory. Only a group is staged at a time, and the
 * price is making the keys once more per group, a few multiplications each.
 *
 * Searching touches memory at random (a million domains make ~60 MB of keys), so
 * tg_index_probe_slips takes all of a query's keys at once and prefetches each level (directory,
 * bucket, domain) for every key before reading any: the misses overlap instead of queueing.
 *
 * Not thread-safe while being changed or before tg_index_seal; a sealed, unchanging index can be
 * searched from several threads. */
#include "index.h"

#include <string.h>
#if defined(__linux__)
#include <sys/mman.h>
#endif

#include "tgkeys.h"

#define PARTS 256u
#define PART_SHIFT 24u      /* the top 8 bits choose the partition */
#define HOME_MASK 0xffffffu /* the low 24 bits choose a tail home slot */
#define FROZEN_MIN 256u     /* below this many domains the tail alone is cheaper */
#define BUCKET_FILL 8u      /* frozen keys per bucket, on average at most */
#define BUCKET_BITS_MIN 8u  /* at least the partition bits */
#define BUCKET_BITS_MAX 24u
#define STAGE_MIN ((size_t)2 << 20) /* entries (16 MiB) staged at once in any case */
#define STAGE_SLACK 64u             /* staging room per partition beyond its share and an eighth */
#define ID_BITS_MAX 28u             /* ids of the frozen part; leaves >= 4 fingerprint bits */
#define CHUNK_BITS 22u              /* arena chunks: positions within one fit in 22 bits */
#define CHUNK_MAX ((size_t)1 << CHUNK_BITS)
#define CHUNK_MIN ((size_t)4096)
#define CHUNKS_MAX ((size_t)1 << (32u - CHUNK_BITS))
#define DEAD 0u /* len of a duplicate dropped by a build */

#if defined(__GNUC__) || defined(__clang__)
#define PREFETCH(p) __builtin_prefetch(p)
#else
#define PREFETCH(p) ((void)(p))
#endif

/* Asks for transparent huge pages for a big array, before it is first written. A million domains
 * make ~100 MB of arrays: with 4 KiB pages that is ~25,000 page faults, which on a virtual machine
 * cost as much as all the hashing and sorting (measured ~30 us each on the development VM), and
 * every random probe of a search then misses the TLB too. A hint only: without THP (or off Linux)
 * nothing changes. */
#define HUGE_MIN ((size_t)4 << 20)
#define SMALL_PAGE ((uintptr_t)4096)

static void huge_hint(void *p, size_t bytes) {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  if (!p || bytes < HUGE_MIN)
    return;
  uintptr_t a = ((uintptr_t)p + SMALL_PAGE - 1) & ~(SMALL_PAGE - 1);
  uintptr_t e = ((uintptr_t)p + bytes) & ~(SMALL_PAGE - 1);
  if (e > a)
    (void)madvise((void *)a, e - a, MADV_HUGEPAGE);
#else
  (void)p;
  (void)bytes;
#endif
}

/* A frozen table: the ids of each key hash, in buckets by the hash's top `bits` bits. */
typedef struct {
  uint32_t *e;   /* fingerprint << id_bits | id */
  uint32_t *dir; /* bucket b is e[dir[b] .. dir[b + 1]) */
  size_t n;
  unsigned bits, fp_bits;
} Table;

/* An open-addressing set or multimap of hash << 32 | id + 1 (0 = empty). */
typedef struct {
  uint64_t *slot;
  uint32_t cap;
  uint32_t used;
} Slots;

struct TgIndex {
  char **chunk; /* the arena: NUL-terminated domains, back to back, in chunks */
  size_t n_chunks, chunk_len, chunk_cap; /* the last chunk's use and size */
  size_t arena_bytes;                    /* all chunks' sizes */
  uint32_t *off;                         /* per id: chunk << CHUNK_BITS | position of the domain */
  uint32_t *tag;                         /* per id: caller's tag */
  uint8_t *len; /* per id: length (1 .. TG_KEY_MAX_LEN; DEAD while a build drops it) */
  size_t n, cap;
  bool sealed;      /* built once: adds now check duplicates and go to the tail at once */
  unsigned id_bits; /* of the frozen tables' entries */
  Table exact, del; /* frozen part: ids [0, built_n) */
  size_t built_n;
  Slots tail_exact; /* exact hashes of ids [built_n, n) (once sealed) */
  /* Deletion keys of ids [built_n, keyed_n): PARTS partitions by the top 8 bits behind a frozen
   * part, one for an index that has none (a request's few domains: one small table, not a 4 KB
   * array to zero and free on every check). Allocated on the first key after a clear. */
  Slots *tail_del;
  size_t tail_parts; /* 0 (none allocated), 1 or PARTS */
  size_t keyed_n;
};

static inline Slots *tail_part(const TgIndex *ix, uint32_t hash) {
  return &ix->tail_del[ix->tail_parts == 1 ? 0 : hash >> PART_SHIFT];
}

TgIndex *tg_index_new(void) {
  return g_new0(TgIndex, 1);
}

static void table_clear(Table *t) {
  g_free(t->e);
  g_free(t->dir);
  *t = (Table){0};
}

static void slots_clear(Slots *s) {
  g_free(s->slot);
  *s = (Slots){0};
}

static void tail_clear(TgIndex *ix) {
  slots_clear(&ix->tail_exact);
  for (size_t p = 0; p < ix->tail_parts; p++)
    slots_clear(&ix->tail_del[p]);
  g_free(ix->tail_del);
  ix->tail_del = NULL;
  ix->tail_parts = 0;
}

void tg_index_free(TgIndex *ix) {
  if (!ix)
    return;
  for (size_t c = 0; c < ix->n_chunks; c++)
    g_free(ix->chunk[c]);
  g_free(ix->chunk);
  g_free(ix->off);
  g_free(ix->tag);
  g_free(ix->len);
  table_clear(&ix->exact);
  table_clear(&ix->del);
  tail_clear(ix);
  g_free(ix);
}

/* ---- per-id storage -------------------------------------------------------------------------- */

static void ids_resize(TgIndex *ix, size_t cap) {
  ix->cap = cap;
  ix->off = g_renew(uint32_t, ix->off, cap);
  ix->tag = g_renew(uint32_t, ix->tag, cap);
  ix->len = g_renew(uint8_t, ix->len, cap);
  huge_hint(ix->off, cap * sizeof *ix->off);
  huge_hint(ix->tag, cap * sizeof *ix->tag);
  huge_hint(ix->len, cap);
}

/* Starts a new arena chunk of at least `need` bytes: twice the last, up to CHUNK_MAX. */
static bool chunk_add(TgIndex *ix, size_t need) {
  if (ix->n_chunks >= CHUNKS_MAX)
    return false; /* 4 GiB of domains: far beyond TG_MAX_LIST_DOMAINS */
  size_t cap = ix->n_chunks ? MIN(ix->chunk_cap * 2, CHUNK_MAX) : CHUNK_MIN;
  cap = MAX(cap, need);
  g_assert(cap <= CHUNK_MAX);
  if (ix->n_chunks % 64 == 0)
    ix->chunk = g_renew(char *, ix->chunk, ix->n_chunks + 64);
  ix->chunk[ix->n_chunks++] = g_malloc(cap);
  huge_hint(ix->chunk[ix->n_chunks - 1], cap);
  ix->chunk_len = 0;
  ix->chunk_cap = cap;
  ix->arena_bytes += cap;
  return true;
}

/* Gives back what growing left unused, before the big allocations of a build. */
static void trim(TgIndex *ix) {
  if (ix->n && ix->cap > ix->n)
    ids_resize(ix, ix->n);
}

static inline const char *domain_of(const TgIndex *ix, size_t id) {
  return ix->chunk[ix->off[id] >> CHUNK_BITS] + (ix->off[id] & (CHUNK_MAX - 1));
}

static bool same_domain(const TgIndex *ix, uint32_t id, const char *d, size_t n) {
  return ix->len[id] == n && memcmp(domain_of(ix, id), d, n) == 0;
}

/* ---- tail slots ------------------------------------------------------------------------------ */

static inline uint32_t home_of(uint32_t hash, uint32_t cap) {
  /* Lemire's multiply-shift: maps the 24 low bits onto [0, cap) without a division. */
  return (uint32_t)(((uint64_t)(hash & HOME_MASK) * cap) >> 24);
}

static void slots_place(Slots *s, uint64_t v) {
  uint32_t i = home_of((uint32_t)(v >> 32), s->cap);
  while (s->slot[i])
    i = i + 1 == s->cap ? 0 : i + 1;
  s->slot[i] = v;
}

static void slots_add(Slots *s, uint32_t hash, uint32_t id) {
  if ((uint64_t)(s->used + 1) * 20 > (uint64_t)s->cap * 17) {
    uint32_t ncap = s->cap < 16 ? 16 : s->cap + s->cap / 2;
    Slots ns = {g_new0(uint64_t, ncap), ncap, s->used};
    for (uint32_t i = 0; i < s->cap; i++)
      if (s->slot[i])
        slots_place(&ns, s->slot[i]);
    g_free(s->slot);
    *s = ns;
  }
  slots_place(s, (uint64_t)hash << 32 | (uint64_t)(id + 1));
  s->used++;
}

static size_t slots_probe(const Slots *s, uint32_t hash, uint32_t *ids, size_t k, size_t max_ids) {
  if (!s->cap)
    return k;
  for (uint32_t i = home_of(hash, s->cap); s->slot[i]; i = i + 1 == s->cap ? 0 : i + 1) {
    uint64_t v = s->slot[i];
    if ((uint32_t)(v >> 32) == hash && k < max_ids)
      ids[k++] = (uint32_t)v - 1;
  }
  return k;
}

/* ---- frozen tables ----------------------------------------------------------------------------- */

static inline uint32_t bucket_of(const Table *t, uint32_t hash) {
  return hash >> (32u - t->bits);
}

/* The fp_bits hash bits right below the bucket bits. */
static inline uint32_t fingerprint_of(const Table *t, uint32_t hash) {
  return (uint32_t)(hash << t->bits) >> (32u - t->fp_bits);
}

static size_t table_probe(const TgIndex *ix, const Table *t, uint32_t hash, uint32_t *ids, size_t k,
                          size_t max_ids) {
  if (!t->n)
    return k;
  uint32_t b = bucket_of(t, hash), fp = fingerprint_of(t, hash);
  uint32_t id_mask = (uint32_t)(((uint64_t)1 << ix->id_bits) - 1);
  for (uint32_t i = t->dir[b]; i < t->dir[b + 1]; i++) {
    uint32_t v = t->e[i];
    if (v >> ix->id_bits == fp && k < max_ids)
      ids[k++] = v & id_mask;
  }
  return k;
}

/* The keys of one id: its exact hash, or its one-deletion keys. Called with a constant `deletions`
 * from table_build, so that the key making is inlined into the build loops. */
static inline size_t keys_of(const TgIndex *ix, bool deletions, size_t id, uint32_t *keys) {
  if (deletions)
    return tg_key_deletions(domain_of(ix, id), ix->len[id], keys);
  keys[0] = tg_key_hash(domain_of(ix, id), ix->len[id]);
  return 1;
}

static unsigned bits_for(size_t n) {
  unsigned b = 1;
  while (b < 32 && ((size_t)1 << b) < n)
    b++;
  return b;
}

/* Builds table t over the keys of ids [0, ix->n) (see the file comment). */
static void table_build(TgIndex *ix, Table *t, bool deletions) {
  uint32_t keys[TG_KEY_MAX_LEN];
  /* How many keys there are needs no hashing. */
  size_t total = 0;
  for (size_t id = 0; id < ix->n && deletions; id++)
    total += tg_key_deletion_count(domain_of(ix, id), ix->len[id]);
  if (!deletions)
    total = ix->n;
  g_assert(total < UINT32_MAX);
  unsigned bits = BUCKET_BITS_MIN;
  while (bits < BUCKET_BITS_MAX && ((size_t)1 << bits) * BUCKET_FILL < total)
    bits++;
  t->bits = bits;
  t->fp_bits = MIN(32u - ix->id_bits, 32u - bits);
  const size_t buckets = (size_t)1 << bits, sub_bits = bits - 8, subs = (size_t)1 << sub_bits;
  t->dir = g_new(uint32_t, buckets + 1);
  t->e = g_new(uint32_t, MAX(total, 1));
  t->n = total;
  huge_hint(t->dir, (buckets + 1) * sizeof *t->dir);
  huge_hint(t->e, total * sizeof *t->e);

  /* A hash fills the partitions evenly, so each is staged with room for its share and a margin
   * (no counting pass); a group where one overflows anyway is made again with the counts the
   * first try measured. Groups: all partitions at once up to STAGE_MIN entries, else quarters. */
  const size_t groups = MIN(4, (total + MAX(STAGE_MIN, total / 4) - 1) / MAX(STAGE_MIN, total / 4));
  const size_t per_group = (PARTS + MAX(groups, 1) - 1) / MAX(groups, 1);
  const size_t room = total / PARTS + total / PARTS / 8 + STAGE_SLACK;
  size_t stage_cap = per_group * room;
  /* One spare slot at stage_cap: keys of other groups, and overflow, land there (no branch). */
  uint64_t *stage = g_new(uint64_t, stage_cap + 1);
  huge_hint(stage, (stage_cap + 1) * sizeof *stage);
  g_autofree uint32_t *sub = g_new(uint32_t, subs);

  size_t at = 0; /* where the next partition's entries go in t->e */
  for (size_t p0 = 0; p0 < PARTS; p0 += per_group) {
    const size_t p1 = MIN(PARTS, p0 + per_group);
    size_t base[PARTS], cap[PARTS], count[PARTS], fill[PARTS], last[PARTS], step[PARTS];
    for (size_t p = p0, b = 0; p < p1; p++, b += room)
      base[p] = b, cap[p] = room;
    for (int attempt = 0;; attempt++) {
      g_assert(attempt < 2); /* the second try has the exact counts */
      for (size_t p = 0; p < PARTS; p++) {
        bool in = p >= p0 && p < p1;
        fill[p] = in ? base[p] : stage_cap;
        last[p] = in ? base[p] + cap[p] - 1 : stage_cap;
        step[p] = in;
      }
      for (size_t id = 0; id < ix->n; id++) {
        size_t k = keys_of(ix, deletions, id, keys);
        for (size_t j = 0; j < k; j++) {
          size_t p = keys[j] >> PART_SHIFT;
          stage[MIN(fill[p], last[p])] = (uint64_t)keys[j] << 32 | (uint64_t)id;
          fill[p] += step[p];
        }
      }
      bool overflow = false;
      for (size_t p = p0; p < p1; p++) {
        count[p] = fill[p] - base[p];
        overflow |= count[p] > cap[p];
      }
      if (!overflow)
        break;
      size_t need = 0;
      for (size_t p = p0; p < p1; p++) {
        base[p] = need;
        cap[p] = MAX(count[p], 1);
        need += cap[p];
      }
      if (need > stage_cap) {
        g_free(stage);
        stage_cap = need;
        stage = g_new(uint64_t, stage_cap + 1);
      }
    }
    /* Each partition: a stable counting sort by the bucket bits below the partition bits, so a
     * bucket's entries stay in id order. */
    for (size_t p = p0; p < p1; p++) {
      const uint64_t *part = stage + base[p];
      size_t m = count[p];
      memset(sub, 0, subs * sizeof *sub);
      for (size_t i = 0; i < m; i++)
        sub[((uint32_t)(part[i] >> 32) >> (32u - bits)) & (subs - 1)]++;
      uint32_t run = (uint32_t)at;
      for (size_t b = 0; b < subs; b++) {
        uint32_t c = sub[b];
        t->dir[(p << sub_bits) + b] = run;
        sub[b] = run;
        run += c;
      }
      for (size_t i = 0; i < m; i++) {
        uint32_t h = (uint32_t)(part[i] >> 32);
        t->e[sub[(h >> (32u - bits)) & (subs - 1)]++] =
            fingerprint_of(t, h) << ix->id_bits | (uint32_t)part[i];
      }
      at += m;
    }
  }
  g_assert(at == total);
  g_free(stage);
  t->dir[buckets] = (uint32_t)total;
}

/* Drops the ids whose domain an earlier id already has (the bulk load did not check), OR-ing
 * their tags into that first id; renumbers the rest densely in the same order and rewrites the
 * exact table to match. Equal domains have equal hashes, so they share a bucket and fingerprint,
 * and a bucket lists its ids in increasing order: the first match is the first occurrence. */
static void drop_duplicates(TgIndex *ix) {
  Table *t = &ix->exact;
  const size_t buckets = (size_t)1 << t->bits;
  const uint32_t id_mask = (uint32_t)(((uint64_t)1 << ix->id_bits) - 1);
  size_t dead = 0;
  for (size_t b = 0; b < buckets; b++) {
    for (uint32_t i = t->dir[b] + 1; i < t->dir[b + 1]; i++) {
      uint32_t id = t->e[i] & id_mask;
      for (uint32_t j = t->dir[b]; j < i; j++) {
        uint32_t first = t->e[j] & id_mask;
        if (t->e[j] >> ix->id_bits != t->e[i] >> ix->id_bits || ix->len[first] == DEAD)
          continue;
        if (same_domain(ix, first, domain_of(ix, id), ix->len[id])) {
          ix->tag[first] |= ix->tag[id];
          ix->len[id] = DEAD;
          dead++;
          break;
        }
      }
    }
  }
  if (!dead)
    return;
  /* New numbers (UINT32_MAX: dropped), then the per-id arrays compacted in place. */
  g_autofree uint32_t *renum = g_new(uint32_t, ix->n);
  size_t live = 0;
  for (size_t id = 0; id < ix->n; id++) {
    if (ix->len[id] == DEAD) {
      renum[id] = UINT32_MAX;
      continue;
    }
    renum[id] = (uint32_t)live;
    ix->off[live] = ix->off[id];
    ix->tag[live] = ix->tag[id];
    ix->len[live] = ix->len[id];
    live++;
  }
  /* Rewrite the exact table in place without the dropped entries: writes never pass reads. */
  uint32_t w = 0;
  for (size_t b = 0; b < buckets; b++) {
    uint32_t from = t->dir[b], to = t->dir[b + 1];
    t->dir[b] = w;
    for (uint32_t i = from; i < to; i++) {
      uint32_t v = t->e[i], id = v & id_mask;
      if (renum[id] != UINT32_MAX)
        t->e[w++] = (v & ~id_mask) | renum[id];
    }
  }
  t->dir[buckets] = w;
  t->n = w;
  ix->n = live;
  trim(ix);
}

/* Rebuilds the frozen part over every id and empties the tail. */
static void rebuild(TgIndex *ix) {
  g_assert(ix->n <= ((size_t)1 << ID_BITS_MAX));
  /* Free the old structures first: the peak is then one copy, not two. */
  tail_clear(ix);
  table_clear(&ix->exact);
  table_clear(&ix->del);
  trim(ix);
  ix->id_bits = bits_for(ix->n);
  table_build(ix, &ix->exact, false);
  drop_duplicates(ix);
  table_build(ix, &ix->del, true);
  ix->built_n = ix->keyed_n = ix->n;
}

/* ---- exact lookups ----------------------------------------------------------------------------- */

static uint32_t find_id(const TgIndex *ix, const char *d, size_t n, uint32_t h) {
  uint32_t ids[64];
  size_t k = table_probe(ix, &ix->exact, h, ids, 0, G_N_ELEMENTS(ids));
  k = slots_probe(&ix->tail_exact, h, ids, k, G_N_ELEMENTS(ids));
  for (size_t i = 0; i < k; i++)
    if (same_domain(ix, ids[i], d, n))
      return ids[i];
  return UINT32_MAX;
}

/* ---- sealing ----------------------------------------------------------------------------------- */

/* The first seal of a small index: everything goes to the tail, duplicates dropped on the way. */
static void seal_small(TgIndex *ix) {
  size_t live = 0;
  for (size_t id = 0; id < ix->n; id++) {
    const char *d = domain_of(ix, id);
    uint32_t h = tg_key_hash(d, ix->len[id]);
    uint32_t first = find_id(ix, d, ix->len[id], h);
    if (first != UINT32_MAX) {
      ix->tag[first] |= ix->tag[id];
      continue;
    }
    ix->off[live] = ix->off[id];
    ix->tag[live] = ix->tag[id];
    ix->len[live] = ix->len[id];
    slots_add(&ix->tail_exact, h, (uint32_t)live);
    live++;
  }
  ix->n = live;
}

void tg_index_seal(TgIndex *ix) {
  g_return_if_fail(ix != NULL);
  if (ix->sealed && ix->keyed_n == ix->n)
    return;
  bool big = ix->n >= FROZEN_MIN && ix->n <= ((size_t)1 << ID_BITS_MAX);
  if (!ix->sealed) {
    ix->sealed = true;
    if (big) {
      rebuild(ix);
      return;
    }
    seal_small(ix);
  } else if (big && (ix->n - ix->built_n) * 4 > ix->built_n) {
    rebuild(ix);
    return;
  }
  uint32_t keys[TG_KEY_MAX_LEN];
  if (!ix->tail_parts && ix->keyed_n < ix->n) {
    ix->tail_parts = ix->built_n ? PARTS : 1;
    ix->tail_del = g_new0(Slots, ix->tail_parts);
  }
  for (size_t id = ix->keyed_n; id < ix->n; id++) {
    size_t k = keys_of(ix, true, id, keys);
    for (size_t j = 0; j < k; j++)
      slots_add(tail_part(ix, keys[j]), keys[j], (uint32_t)id);
  }
  ix->keyed_n = ix->n;
}

/* Makes the index searchable; logically const: it changes no answer. */
static inline const TgIndex *sealed(const TgIndex *ix) {
  if (!ix->sealed || ix->keyed_n != ix->n)
    tg_index_seal((TgIndex *)ix);
  return ix;
}

/* ---- public ------------------------------------------------------------------------------- */

size_t tg_index_size(const TgIndex *ix) {
  return ix ? sealed(ix)->n : 0; /* sealing drops the duplicates of a bulk load */
}

void tg_index_reserve(TgIndex *ix, size_t n_domains, size_t total_bytes) {
  g_return_if_fail(ix != NULL);
  if (n_domains > ix->cap)
    ids_resize(ix, n_domains);
  /* A bulk load starts in big chunks at once. */
  if (total_bytes > ix->chunk_cap - ix->chunk_len && ix->n_chunks < CHUNKS_MAX)
    (void)chunk_add(ix, MIN(total_bytes, CHUNK_MAX));
}

bool tg_index_add(TgIndex *ix, const char *ascii_domain, uint32_t tag) {
  g_return_val_if_fail(ix != NULL, false);
  if (!ascii_domain)
    return false;
  size_t n = strlen(ascii_domain);
  if (n == 0 || n > TG_KEY_MAX_LEN)
    return false;
  uint32_t h = 0;
  if (ix->sealed) {
    h = tg_key_hash(ascii_domain, n);
    uint32_t old = find_id(ix, ascii_domain, n, h);
    if (old != UINT32_MAX) {
      ix->tag[old] |= tag;
      return true;
    }
  }
  if (ix->n >= UINT32_MAX - 1)
    return false; /* ids are 32-bit; far beyond TG_MAX_LIST_DOMAINS */
  if (ix->chunk_len + n + 1 > ix->chunk_cap && !chunk_add(ix, n + 1))
    return false;

  /* Grow by half: doubling would leave up to as much unused as used at a million domains. */
  if (ix->n == ix->cap)
    ids_resize(ix, ix->cap < 64 ? 64 : ix->cap + ix->cap / 2);
  uint32_t id = (uint32_t)ix->n;
  memcpy(ix->chunk[ix->n_chunks - 1] + ix->chunk_len, ascii_domain, n + 1);
  ix->off[id] = (uint32_t)((ix->n_chunks - 1) << CHUNK_BITS | ix->chunk_len);
  ix->chunk_len += n + 1;
  ix->tag[id] = tag;
  ix->len[id] = (uint8_t)n;
  ix->n++;
  if (ix->sealed)
    slots_add(&ix->tail_exact, h, id); /* its deletion keys are made by the next seal */
  return true;
}

bool tg_index_lookup(const TgIndex *ix, const char *ascii_domain, uint32_t *tag) {
  if (!ix || !ascii_domain)
    return false;
  size_t n = strlen(ascii_domain);
  if (n == 0 || n > TG_KEY_MAX_LEN)
    return false;
  uint32_t id = find_id(sealed(ix), ascii_domain, n, tg_key_hash(ascii_domain, n));
  if (id == UINT32_MAX)
    return false;
  if (tag)
    *tag = ix->tag[id];
  return true;
}

const char *tg_index_domain_at(const TgIndex *ix, uint32_t id, uint32_t *tag) {
  if (!ix || id >= sealed(ix)->n)
    return NULL;
  if (tag)
    *tag = ix->tag[id];
  return domain_of(ix, id);
}

size_t tg_index_probe_exact(const TgIndex *ix, uint32_t hash, uint32_t *ids, size_t max_ids) {
  if (!ix)
    return 0;
  sealed(ix);
  size_t k = table_probe(ix, &ix->exact, hash, ids, 0, max_ids);
  return slots_probe(&ix->tail_exact, hash, ids, k, max_ids);
}

size_t tg_index_probe_deletion(const TgIndex *ix, uint32_t hash, uint32_t *ids, size_t max_ids) {
  if (!ix)
    return 0;
  sealed(ix);
  size_t k = table_probe(ix, &ix->del, hash, ids, 0, max_ids);
  return ix->tail_parts ? slots_probe(tail_part(ix, hash), hash, ids, k, max_ids) : k;
}

size_t tg_index_probe_slips(const TgIndex *ix, uint32_t whole, const uint32_t *dels, size_t n_dels,
                            uint32_t *ids, size_t max_ids) {
  if (!ix)
    return 0;
  sealed(ix);
  /* Level 1: the directory entries of every key; level 2: the buckets. (One test outside the
   * loops: GCC 12 dropped the prefetches when each was guarded inside them.) */
  const Table *del = &ix->del, *ex = &ix->exact;
  if (del->n && ex->n) {
    for (size_t j = 0; j < n_dels; j++) {
      PREFETCH(&del->dir[bucket_of(del, dels[j])]);
      PREFETCH(&ex->dir[bucket_of(ex, dels[j])]);
    }
    PREFETCH(&del->dir[bucket_of(del, whole)]);
    for (size_t j = 0; j < n_dels; j++) {
      PREFETCH(&del->e[del->dir[bucket_of(del, dels[j])]]);
      PREFETCH(&ex->e[ex->dir[bucket_of(ex, dels[j])]]);
    }
    PREFETCH(&del->e[del->dir[bucket_of(del, whole)]]);
  }
  size_t k = 0;
  for (size_t j = 0; j <= n_dels; j++) {
    uint32_t h = j < n_dels ? dels[j] : whole;
    k = tg_index_probe_deletion(ix, h, ids + k, max_ids - k) + k;
    if (j < n_dels)
      k = tg_index_probe_exact(ix, h, ids + k, max_ids - k) + k;
  }
  /* Level 3: what the caller reads next, the domains themselves. */
  for (size_t i = 0; i < k; i++)
    PREFETCH(&ix->off[ids[i]]);
  return k;
}

size_t tg_index_memory(const TgIndex *ix) {
  if (!ix)
    return 0;
  size_t bytes = sizeof *ix + ix->arena_bytes + ix->n_chunks * sizeof(char *) +
                 ix->cap * (2 * sizeof(uint32_t) + 1);
  const Table *tables[] = {&ix->exact, &ix->del};
  for (size_t i = 0; i < G_N_ELEMENTS(tables); i++)
    if (tables[i]->n)
      bytes +=
          tables[i]->n * sizeof(uint32_t) + (((size_t)1 << tables[i]->bits) + 1) * sizeof(uint32_t);
  bytes += ix->tail_exact.cap * sizeof(uint64_t);
  for (size_t p = 0; p < ix->tail_parts; p++)
    bytes += ix->tail_del[p].cap * sizeof(uint64_t);
  bytes += ix->tail_parts * sizeof(Slots);
  return bytes;
}
