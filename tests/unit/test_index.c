/* test_index.c — TgIndex (host/lib/index.c): exact membership with tags, bounds, growth through
 * many thousands of domains, and the fuzzy side: every one-slip variant (substitution,
 * transposition, omission, insertion, dot and hyphen) of an indexed domain finds it through
 * tg_typo_candidates, whatever the index size. */
#include <check.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "index.h"
#include "typo.h"
#include "runsuite.h"

START_TEST(test_add_lookup) {
  g_autoptr(TgIndex) ix = tg_index_new();
  uint32_t tag = 0;
  ck_assert_uint_eq(tg_index_size(ix), 0);
  ck_assert(!tg_index_lookup(ix, "army.mil", &tag));
  ck_assert(tg_index_add(ix, "army.mil", 1));
  ck_assert(tg_index_add(ix, "us.army.mil", 2));
  ck_assert(tg_index_add(ix, "army.mil", 4)); /* again: tags are OR-ed, size unchanged */
  ck_assert_uint_eq(tg_index_size(ix), 2);
  ck_assert(tg_index_lookup(ix, "army.mil", &tag));
  ck_assert_uint_eq(tag, 5);
  ck_assert(tg_index_lookup(ix, "us.army.mil", NULL));
  ck_assert(!tg_index_lookup(ix, "army.ml", &tag));
  ck_assert(!tg_index_lookup(ix, "rmy.mil", &tag));
  ck_assert(!tg_index_lookup(ix, "us.army.mi", &tag));
  ck_assert(!tg_index_lookup(ix, "", &tag));
  ck_assert(!tg_index_lookup(ix, NULL, &tag));
  ck_assert_uint_gt(tg_index_memory(ix), 0);
}
END_TEST

START_TEST(test_bounds) {
  g_autoptr(TgIndex) ix = tg_index_new();
  char name[300];
  memset(name, 'a', sizeof name);
  memcpy(name + 249, ".com", 5); /* 253 bytes: the longest valid domain */
  ck_assert(tg_index_add(ix, name, 1));
  ck_assert(tg_index_lookup(ix, name, NULL));
  memset(name, 'a', sizeof name);
  memcpy(name + 250, ".com", 5); /* 254 bytes */
  ck_assert(!tg_index_add(ix, name, 1));
  ck_assert(!tg_index_lookup(ix, name, NULL));
  ck_assert(!tg_index_add(ix, "", 1));
  ck_assert(!tg_index_add(ix, NULL, 1));
  ck_assert_uint_eq(tg_index_size(ix), 1);
  ck_assert_uint_eq(tg_index_size(NULL), 0);
  ck_assert(!tg_index_lookup(NULL, "a.com", NULL));
  tg_index_free(NULL);
}
END_TEST

/* Deterministic pseudo-random "realistic" domains: two or three syllable-built words, an optional
 * hyphen or digit, a common TLD. The same generator feeds tests/bench/bench_index.c. */
static void make_domain(uint32_t i, char *out, size_t cap) {
  static const char *const syl[] = {"ar",  "be",  "con", "dis", "el",  "for", "gra", "hel", "in",
                                    "jo",  "ka",  "lo",  "man", "nor", "or",  "pre", "qua", "ro",
                                    "sta", "tri", "un",  "ver", "wes", "xe",  "yo",  "zen"};
  static const char *const tld[] = {"com", "net", "org", "de", "co.uk", "fr", "io", "gov"};
  uint32_t x = i * 2654435761u + 12345u;
  GString *s = g_string_new(NULL);
  unsigned parts = 3 + x % 3;
  for (unsigned k = 0; k < parts; k++) {
    x = x * 1103515245u + 12345u;
    g_string_append(s, syl[(x >> 16) % G_N_ELEMENTS(syl)]);
    if (k == 1 && (x >> 8) % 5 == 0)
      g_string_append_c(s, '-');
  }
  g_string_append_printf(s, "%u.%s", i, tld[(x >> 20) % G_N_ELEMENTS(tld)]);
  g_strlcpy(out, s->str, cap);
  g_string_free(s, TRUE);
}

/* Adds the generated domains [from, to) with tag 1. */
static void add_generated(TgIndex *ix, uint32_t from, uint32_t to) {
  char d[128];
  for (uint32_t i = from; i < to; i++) {
    make_domain(i, d, sizeof d);
    tg_index_add(ix, d, 1);
  }
}

#define MANY 20000u

START_TEST(test_many) {
  g_autoptr(TgIndex) ix = tg_index_new();
  char d[128];
  for (uint32_t i = 0; i < MANY; i++) {
    make_domain(i, d, sizeof d);
    ck_assert(tg_index_add(ix, d, i));
  }
  ck_assert_uint_eq(tg_index_size(ix), MANY);
  for (uint32_t i = 0; i < MANY; i++) {
    uint32_t tag = UINT32_MAX;
    make_domain(i, d, sizeof d);
    ck_assert_msg(tg_index_lookup(ix, d, &tag), "%s lost", d);
    ck_assert_uint_eq(tag, i);
    uint32_t id = UINT32_MAX;
    ck_assert_str_eq(tg_index_domain_at(ix, i, &id), d);
    ck_assert_uint_eq(id, i);
  }
  ck_assert_ptr_null(tg_index_domain_at(ix, MANY, NULL));
  for (uint32_t i = MANY; i < MANY + 1000; i++) {
    make_domain(i, d, sizeof d);
    ck_assert(!tg_index_lookup(ix, d, NULL));
  }
}
END_TEST

START_TEST(test_reserve) {
  g_autoptr(TgIndex) ix = tg_index_new();
  tg_index_add(ix, "before.example", 1);
  tg_index_reserve(ix, 5000, 5000 * 32);
  char d[128];
  for (uint32_t i = 0; i < 5000; i++) {
    make_domain(i, d, sizeof d);
    ck_assert(tg_index_add(ix, d, 2));
  }
  ck_assert(tg_index_lookup(ix, "before.example", NULL));
  make_domain(4999, d, sizeof d);
  ck_assert(tg_index_lookup(ix, d, NULL));
}
END_TEST

/* One slip applied to an indexed domain; the candidates must contain the original. */
static const struct {
  const char *intended, *typed;
  TgTypoKind kind;
} kSlips[] = {
    {"northwind-traders.com", "northwind-tradres.com", TG_TYPO_TRANSPOSITION},
    {"northwind-traders.com", "northwind-tradera.com", TG_TYPO_SUBSTITUTION},
    {"northwind-traders.com", "northwind-trader.com", TG_TYPO_OMISSION},
    {"northwind-traders.com", "northwind-tradeers.com", TG_TYPO_DOUBLING},
    {"northwind-traders.com", "northwind-tradrrs.com", TG_TYPO_SUBSTITUTION},
    {"northwind-traders.com", "northwind-trsders.com", TG_TYPO_SUBSTITUTION},
    {"northwind-traders.com", "northwindtraders.com", TG_TYPO_HYPHEN_DROPPED},
    {"northwind-traders.com", "nothwind-traders.com", TG_TYPO_OMISSION},
    {"northwind-traders.com", "northwind-tradersd.com", TG_TYPO_INSERTION},
    {"northwindtraders.com", "northwind-traders.com", TG_TYPO_HYPHEN_ADDED},
    {"us.army.mil", "usarmy.mil", TG_TYPO_DOT_DROPPED},
    {"hq.usarmy.mil", "hq.us.army.mil", TG_TYPO_DOT_ADDED},
    {"mail.contoso.co.uk", "mail.contosso.co.uk", TG_TYPO_DOUBLING},
    {"mail.contoso.co.uk", "mailcontoso.co.uk", TG_TYPO_DOT_DROPPED},
    {"fabrikam.com", "fabirkam.com", TG_TYPO_TRANSPOSITION},
};

START_TEST(test_slips_found) {
  /* The domain among thousands of others, so the probe really goes through the hash tables. */
  g_autoptr(TgIndex) ix = tg_index_new();
  add_generated(ix, 0, 5000);
  ck_assert(tg_index_add(ix, kSlips[_i].intended, 0x40));
  const TgIndex *ixs[] = {ix};
  TgCandidate c[8];
  size_t n = tg_typo_candidates(kSlips[_i].typed, ixs, 1, c, G_N_ELEMENTS(c));
  bool found = false;
  for (size_t i = 0; i < n; i++)
    if (strcmp(c[i].intended, kSlips[_i].intended) == 0) {
      found = true;
      ck_assert_int_eq(c[i].kind, kSlips[_i].kind);
      ck_assert_uint_eq(c[i].tag & 0x40, 0x40);
    }
  ck_assert_msg(found, "%s: %s not found (%zu candidates)", kSlips[_i].typed, kSlips[_i].intended,
                n);
}
END_TEST

START_TEST(test_generated_slips) {
  /* Every single-letter deletion and adjacent swap left of the TLD, for a sample of generated
   * domains in a 20k index: the original must always be found. */
  g_autoptr(TgIndex) ix = tg_index_new();
  char d[128], t[128];
  add_generated(ix, 0, MANY);
  const TgIndex *ixs[] = {ix};
  TgCandidate c[16];
  for (uint32_t i = 0; i < MANY; i += 97) {
    make_domain(i, d, sizeof d);
    size_t n = strlen(d), lim = (size_t)(strrchr(d, '.') - d);
    for (size_t p = 0; p + 1 < lim; p++) {
      for (int op = 0; op < 2; op++) {
        memcpy(t, d, n + 1);
        if (op == 0) {
          memmove(t + p, t + p + 1, n - p); /* omission */
        } else {
          if (t[p] == t[p + 1])
            continue;
          char x = t[p];
          t[p] = t[p + 1];
          t[p + 1] = x; /* transposition */
        }
        if (tg_index_lookup(ix, t, NULL))
          continue; /* the slip produced another indexed domain */
        size_t k = tg_typo_candidates(t, ixs, 1, c, G_N_ELEMENTS(c));
        bool found = false;
        for (size_t j = 0; j < k && !found; j++)
          found = strcmp(c[j].intended, d) == 0;
        ck_assert_msg(found, "%s -> %s not found", t, d);
      }
    }
  }
}
END_TEST

static bool finds(const TgIndex *ix, const char *typed, const char *intended) {
  const TgIndex *ixs[] = {ix};
  TgCandidate c[8];
  size_t n = tg_typo_candidates(typed, ixs, 1, c, G_N_ELEMENTS(c));
  for (size_t i = 0; i < n; i++)
    if (strcmp(c[i].intended, intended) == 0)
      return true;
  return false;
}

START_TEST(test_adds_after_search) {
  /* A bulk load, a search (batch build), a few late adds (the tail), then many more (a rebuild):
   * every domain stays findable at every step. */
  g_autoptr(TgIndex) ix = tg_index_new();
  char d[128];
  add_generated(ix, 0, 3000);
  ck_assert(tg_index_add(ix, "first-example.com", 2));
  ck_assert(finds(ix, "frist-example.com", "first-example.com"));
  ck_assert(tg_index_add(ix, "late-addition.com", 2));
  ck_assert(finds(ix, "late-additon.com", "late-addition.com"));
  ck_assert(finds(ix, "frist-example.com", "first-example.com"));
  tg_index_seal(ix);
  tg_index_seal(ix); /* idempotent */
  add_generated(ix, 3000, 6000);
  ck_assert(finds(ix, "late-additon.com", "late-addition.com"));
  ck_assert(finds(ix, "frist-example.com", "first-example.com"));
  make_domain(5999, d, sizeof d);
  char t[128];
  g_strlcpy(t, d, sizeof t);
  char x = t[1];
  t[1] = t[2];
  t[2] = x;
  ck_assert(t[1] == t[2] || finds(ix, t, d));
}
END_TEST

START_TEST(test_small_grows_big) {
  /* A small index keeps its deletion keys in one table (a request's few domains); one that
   * outgrows it is rebuilt with a frozen part and a partitioned tail: every slip stays findable
   * across both changes. */
  g_autoptr(TgIndex) ix = tg_index_new();
  char d[128];
  add_generated(ix, 0, 10);
  ck_assert(tg_index_add(ix, "first-example.com", 2));
  ck_assert(finds(ix, "frist-example.com", "first-example.com"));
  for (uint32_t i = 10; i < 700; i++) {
    make_domain(i, d, sizeof d);
    tg_index_add(ix, d, 1);
    if (i % 97 == 0) /* searches in between: the tail is keyed, cleared and keyed again */
      ck_assert(finds(ix, "frist-example.com", "first-example.com"));
  }
  ck_assert(tg_index_add(ix, "late-addition.com", 2));
  ck_assert(finds(ix, "late-additon.com", "late-addition.com"));
  ck_assert(finds(ix, "frist-example.com", "first-example.com"));
  ck_assert_uint_gt(tg_index_memory(ix), 0);
}
END_TEST

/* A bulk load is only appended; the first search drops its duplicates (tags OR-ed into the first
 * occurrence, first-addition order kept). Both sizes: the frozen build and the small tail. */
static const uint32_t kBulkSizes[] = {40, 3000};

START_TEST(test_bulk_duplicates) {
  const uint32_t n = kBulkSizes[_i];
  g_autoptr(TgIndex) ix = tg_index_new();
  char d[128];
  for (uint32_t round = 0; round < 3; round++)
    for (uint32_t i = 0; i < n; i++) {
      if (round > 0 && i % (round + 1) != 0)
        continue; /* round 1 repeats the even ones, round 2 every third */
      make_domain(i, d, sizeof d);
      ck_assert(tg_index_add(ix, d, 1u << round));
    }
  ck_assert_uint_eq(tg_index_size(ix), n);
  for (uint32_t i = 0; i < n; i++) {
    uint32_t tag = 0, want = 1u | (i % 2 == 0 ? 2u : 0u) | (i % 3 == 0 ? 4u : 0u);
    make_domain(i, d, sizeof d);
    ck_assert_str_eq(tg_index_domain_at(ix, i, NULL), d);
    ck_assert_msg(tg_index_lookup(ix, d, &tag), "%s lost", d);
    ck_assert_uint_eq(tag, want);
  }
  /* After the seal, adds check for duplicates at once. */
  make_domain(7, d, sizeof d);
  ck_assert(tg_index_add(ix, d, 8));
  ck_assert_uint_eq(tg_index_size(ix), n);
  uint32_t tag = 0;
  ck_assert(tg_index_lookup(ix, d, &tag));
  ck_assert_uint_eq(tag & 8, 8);
  /* A slip of a domain that was added three times comes out once. */
  make_domain(6, d, sizeof d);
  char t[128];
  g_strlcpy(t, d, sizeof t);
  t[2] = t[2] == 'q' ? 'w' : 'q';
  const TgIndex *ixs[] = {ix};
  TgCandidate c[8];
  size_t k = tg_typo_candidates(t, ixs, 1, c, G_N_ELEMENTS(c)), seen = 0;
  for (size_t j = 0; j < k; j++)
    seen += strcmp(c[j].intended, d) == 0;
  ck_assert_uint_eq(seen, 1);
}
END_TEST

static Suite *index_suite(void) {
  Suite *s = suite_create("index");
  TCase *tc = tcase_create("index");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, test_add_lookup);
  tcase_add_test(tc, test_bounds);
  tcase_add_test(tc, test_many);
  tcase_add_test(tc, test_reserve);
  tcase_add_test(tc, test_adds_after_search);
  tcase_add_test(tc, test_small_grows_big);
  tcase_add_loop_test(tc, test_slips_found, 0, G_N_ELEMENTS(kSlips));
  tcase_add_test(tc, test_generated_slips);
  tcase_add_loop_test(tc, test_bulk_duplicates, 0, G_N_ELEMENTS(kBulkSizes));
  suite_add_tcase(s, tc);
  return s;
}

int main(void) {
  return tg_run_suite(index_suite(), NULL, TG_SUITE_DEFAULT);
}
