/* tgkeys.h — the hashing of domains and of their one-deletion neighbourhood, shared by the
 * build-time generator (gen-tgdata.c, which precomputes the built-in index) and the run-time
 * index (host/lib/index.c, host/lib/typo.c). Both sides must hash identically, so this is the one
 * definition; it is header-only (static inline) because the generator is built separately.
 *
 * The near-miss search is symmetric-deletion (SymSpell-like) with edit distance 1: two strings
 * one substitution or transposition apart share a "one character deleted" key, and a string one
 * insertion away from another equals one of its deletion keys. Only positions left of the last
 * dot are deleted: an edit in the TLD is the business of the TLD rules (invalid_tld,
 * tld_confusion), so the TLD is never part of a fuzzy key, which also saves a quarter of the
 * keys. Keys are 32-bit hashes; a hash collision only costs a wasted comparison, because every
 * candidate is verified by tg_typo_score. */
#ifndef TG_KEYS_H
#define TG_KEYS_H

#include <stddef.h>
#include <stdint.h>

#define TG_KEY_MAX_LEN 253u /* RFC 1035, same as TG_MAX_DOMAIN_BYTES */
#define TG_KEY_BASE UINT64_C(0x9e3779b97f4a7c15)

/* Finishes a 64-bit polynomial hash of a string of length len into 32 well-mixed bits. */
static inline uint32_t tg_key_finish(uint64_t h, size_t len) {
  h ^= (uint64_t)len * UINT64_C(0xff51afd7ed558ccd);
  h ^= h >> 33;
  h *= UINT64_C(0xc4ceb9fe1a85ec53);
  h ^= h >> 33;
  h *= UINT64_C(0xff51afd7ed558ccd);
  h ^= h >> 33;
  return (uint32_t)(h >> 32);
}

static inline uint64_t tg_key_poly(const char *s, size_t n) {
  uint64_t h = 0;
  for (size_t i = 0; i < n; i++)
    h = h * TG_KEY_BASE + (uint8_t)s[i];
  return h;
}

/* Hash of a whole string (the exact key). */
static inline uint32_t tg_key_hash(const char *s, size_t n) {
  return tg_key_finish(tg_key_poly(s, n), n);
}

/* Where fuzzy keys stop: the last dot (deleting it or anything after it is a TLD edit). A string
 * without a dot is deleted everywhere. */
static inline size_t tg_key_limit(const char *s, size_t n) {
  for (size_t i = n; i > 0; i--)
    if (s[i - 1] == '.')
      return i - 1;
  return n;
}

/* How many keys tg_key_deletions writes for s, without hashing (to size a batch build). */
static inline size_t tg_key_deletion_count(const char *s, size_t n) {
  if (n == 0 || n > TG_KEY_MAX_LEN)
    return 0;
  const size_t lim = tg_key_limit(s, n);
  size_t k = 0;
  for (size_t i = 0; i < lim; i++)
    k += !(i + 1 < lim && s[i] == s[i + 1]);
  return k;
}

/* Writes the hashes of s with one character deleted, for each position left of the last dot,
 * into out (room for n entries); a run of equal characters gives one key, not one per letter.
 * Returns the number written. Needs n <= TG_KEY_MAX_LEN. With P the prefix polynomial, the
 * string without s[i] hashes to H + (P[i] - P[i+1]) * B^(n-1-i), so all keys cost O(n). */
static inline size_t tg_key_deletions(const char *s, size_t n, uint32_t *out) {
  uint64_t prefix[TG_KEY_MAX_LEN + 1];
  if (n == 0 || n > TG_KEY_MAX_LEN)
    return 0;
  prefix[0] = 0;
  for (size_t i = 0; i < n; i++)
    prefix[i + 1] = prefix[i] * TG_KEY_BASE + (uint8_t)s[i];
  const uint64_t whole = prefix[n];
  const size_t lim = tg_key_limit(s, n);
  uint64_t pw = 1; /* B^(n-1-i), walking i downwards from n-1 */
  size_t k = 0;
  for (size_t i = n; i-- > 0;) {
    if (i < lim && !(i + 1 < lim && s[i] == s[i + 1]))
      out[k++] = tg_key_finish(whole + (prefix[i] - prefix[i + 1]) * pw, n - 1);
    pw *= TG_KEY_BASE;
  }
  return k;
}

#endif
