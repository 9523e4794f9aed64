/* test_lookalike.c — the lookalike engine (lookalike.h): ICU confusable skeletons and mixed
 * scripts, the readings of a domain (skeletons, decompositions, the glyph table, ASCII sequences),
 * the words for the foreign glyph, the search's limits, and that an all-ASCII domain never opens
 * ICU. The rule that uses it (severity, suggestions) is tested through tg_check in test_detect.c
 * and, on thousands of generated cases, by tests/lookalike. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "lookalike.h"
#include "runsuite.h"

static const struct {
  const char *udomain;
  const char *latin;  /* NULL: no ASCII reading */
  const char *script; /* NULL: only Latin/common letters */
  bool mixed;
} cases[] = {
    {"аrmy.mil", "army.mil", "Cyrillic", true}, /* Cyrillic а */
    {"gmаil.com", "gmail.com", "Cyrillic", true},
    {"gmαil.com", "gmail.com", "Greek", true},      /* Greek alpha */
    {"раураl.com", "paypal.com", "Cyrillic", true}, /* Cyrillic letters and a Latin l */
    {"münchen.de", NULL, NULL, false},
    {"яндекс.рф", NULL, "Cyrillic", false},
    {"日本語.jp", NULL, "Han", false},
    {"gmail.com", "gmail.com", NULL, false},
};

START_TEST(inspect) {
  g_autoptr(TgLookalike) lk = tg_lookalike_new();
  TgLookalikeInfo info;
  ck_assert(tg_lookalike_inspect(lk, cases[_i].udomain, &info));
  if (cases[_i].latin)
    ck_assert_str_eq(info.latin, cases[_i].latin);
  else
    ck_assert_ptr_null(info.latin);
  if (cases[_i].script)
    ck_assert_str_eq(info.script, cases[_i].script);
  else
    ck_assert_ptr_null(info.script);
  ck_assert_int_eq(info.mixed_script, cases[_i].mixed);
  tg_lookalike_info_clear(&info);
}
END_TEST

START_TEST(confusable_and_lazy) {
  g_autoptr(TgLookalike) lk = tg_lookalike_new();
  ck_assert(!tg_lookalike_is_open(lk));
  ck_assert(tg_lookalike_confusable(lk, "аrmy.mil", "army.mil"));
  ck_assert(tg_lookalike_is_open(lk));
  ck_assert(!tg_lookalike_confusable(lk, "navy.mil", "army.mil"));
  ck_assert(!tg_lookalike_confusable(lk, "münchen.de", "munchen.de"));
}
END_TEST

/* The judge for these tests: a fixed set of meant domains, rank 2 for the "trusted" one. */
static const char *const meant[] = {"gmail.com", "hotmail.com", "outlook.com", "aol.com",
                                    "army.mil",  "paypal.com",  "web.de",      "apple.com",
                                    "dla.mil",   "163.com",     "yahoo.com",   "icloud.com"};
static int judge(const char *reading, void *data) {
  guint *calls = data;
  (*calls)++;
  for (size_t i = 0; i < G_N_ELEMENTS(meant); i++)
    if (strcmp(reading, meant[i]) == 0)
      return strcmp(reading, "army.mil") == 0 ? 2 : 1;
  return 0;
}

static const struct {
  const char *udomain, *ascii; /* as typed, and its A-label form */
  const char *reading;         /* NULL: must find nothing */
  TgGlyphKind kind;
  const char *glyph, *looks_like, *script_code, *description;
} readings[] = {
    /* Latin letters with marks, decomposable or not */
    {"gmáil.com", "xn--gmil-1na.com", "gmail.com", TG_GLYPH_MARK, "á", "a", NULL, NULL},
    {"ġmail.com", "xn--mail-dub.com", "gmail.com", TG_GLYPH_MARK, "ġ", "g", NULL, NULL},
    {"outłóok.com", "xn--outok-nwa4x.com", "outlook.com", TG_GLYPH_LETTER, "ł", "l", NULL,
     "l with stroke"},
    {"gmaıl.com", "xn--gma-l-3ya.com", "gmail.com", TG_GLYPH_LETTER, "ı", "i", NULL, "dotless i"},
    {"hotmaiȴ.com", "xn--hotmai-k8b.com", "hotmail.com", TG_GLYPH_LETTER, "ȴ", "l", NULL,
     "l with curl"},
    {"øutlook.com", "xn--utlook-hya.com", "outlook.com", TG_GLYPH_LETTER, "ø", "o", NULL,
     "o with stroke"},
    /* other scripts, one letter or all of them */
    {"gmаil.com", "xn--gmil-63d.com", "gmail.com", TG_GLYPH_SCRIPT, "а", "a", "Cyrl", NULL},
    {"аоӏ.com", "xn--80a0a9b.com", "aol.com", TG_GLYPH_SCRIPT, "а", "a", "Cyrl", NULL}, /* ӏ as l */
    {"аrmy.mil", "xn--rmy-5cd.mil", "army.mil", TG_GLYPH_SCRIPT, "а", "a", "Cyrl", NULL},
    {"gmαil.com", "xn--gmil-ird.com", "gmail.com", TG_GLYPH_SCRIPT, "α", "a", "Grek", NULL},
    {"аррӏе.com", "xn--80ak6aa92e.com", "apple.com", TG_GLYPH_SCRIPT, "а", "a", "Cyrl", NULL},
    /* ASCII that reads as another letter */
    {"gmai1.com", "gmai1.com", "gmail.com", TG_GLYPH_ASCII, "1", "l", NULL, NULL},
    {"hotrnail.com", "hotrnail.com", "hotmail.com", TG_GLYPH_ASCII, "rn", "m", NULL, NULL},
    {"paypa1.com", "paypa1.com", "paypal.com", TG_GLYPH_ASCII, "1", "l", NULL, NULL},
    {"vveb.de", "vveb.de", "web.de", TG_GLYPH_ASCII, "vv", "w", NULL, NULL},
    {"outl00k.com", "outl00k.com", "outlook.com", TG_GLYPH_ASCII, "0", "o", NULL, NULL},
    {"icl0ud.com", "icl0ud.com", "icloud.com", TG_GLYPH_ASCII, "0", "o", NULL, NULL},
    {"l63.com", "l63.com", NULL, 0, NULL, NULL, NULL, NULL}, /* a letter for a digit: typo model */
    {"yah0o.com", "yah0o.com", "yahoo.com", TG_GLYPH_ASCII, "0", "o", NULL, NULL},
    /* nothing: the domain itself, a transposition (a typing slip), real names */
    {"gmail.com", "gmail.com", NULL, 0, NULL, NULL, NULL, NULL},
    {"dia.mil", "dia.mil", "dla.mil", TG_GLYPH_ASCII, "i", "l", NULL, NULL}, /* the judge decides */
    {"gmali.com", "gmali.com", NULL, 0, NULL, NULL, NULL, NULL},
    {"münchen.de", "xn--mnchen-3ya.de", NULL, 0, NULL, NULL, NULL, NULL},
    {"россия.рф", "xn--h1alffa9f.xn--p1ai", NULL, 0, NULL, NULL, NULL, NULL},
    {"東京.jp", "xn--1lqs71d.jp", NULL, 0, NULL, NULL, NULL, NULL},
    {"126.com", "126.com", NULL, 0, NULL, NULL, NULL, NULL},
};

START_TEST(reads_as) {
  g_autoptr(TgLookalike) lk = tg_lookalike_new();
  guint calls = 0;
  TgLookalikeMatch m;
  bool found = tg_lookalike_match(lk, readings[_i].udomain, readings[_i].ascii, judge, &calls, &m);
  if (!readings[_i].reading) {
    ck_assert_msg(!found, "%s read as %s", readings[_i].udomain, found ? m.reading : "");
    return;
  }
  ck_assert_msg(found, "%s", readings[_i].udomain);
  ck_assert_str_eq(m.reading, readings[_i].reading);
  ck_assert_int_eq(m.rank, strcmp(m.reading, "army.mil") == 0 ? 2 : 1);
  ck_assert_int_eq(m.kind, readings[_i].kind);
  ck_assert_str_eq(m.glyph, readings[_i].glyph);
  ck_assert_str_eq(m.looks_like, readings[_i].looks_like);
  if (readings[_i].script_code)
    ck_assert_str_eq(m.script_code, readings[_i].script_code);
  else
    ck_assert_ptr_null(m.script_code);
  if (readings[_i].description)
    ck_assert_str_eq(m.description, readings[_i].description);
  if (m.kind == TG_GLYPH_ASCII)
    ck_assert_ptr_null(m.glyph_name);
  else
    ck_assert_ptr_nonnull(m.glyph_name);
  tg_lookalike_match_clear(&m);
}
END_TEST

/* An all-ASCII domain is read through the table alone: ICU stays closed. */
START_TEST(ascii_never_opens_icu) {
  g_autoptr(TgLookalike) lk = tg_lookalike_new();
  guint calls = 0;
  TgLookalikeMatch m;
  ck_assert(tg_lookalike_match(lk, "gmai1.com", "gmai1.com", judge, &calls, &m));
  tg_lookalike_match_clear(&m);
  ck_assert(!tg_lookalike_match(lk, "example.org", "example.org", judge, &calls, &m));
  ck_assert(!tg_lookalike_is_open(lk));
  ck_assert(tg_lookalike_match(lk, "gmаil.com", "xn--gmil-63d.com", judge, &calls, &m));
  tg_lookalike_match_clear(&m);
  ck_assert(tg_lookalike_is_open(lk));
}
END_TEST

/* The search is bounded: a long name full of ambiguous glyphs is judged at most
 * TG_LOOKALIKE_MAX_READINGS times, and an invalid or over-long input finds nothing. */
START_TEST(limits) {
  g_autoptr(TgLookalike) lk = tg_lookalike_new();
  GString *d = g_string_new(NULL);
  for (int i = 0; i < 60; i++)
    g_string_append(d, "il");
  g_string_append(d, ".com");
  guint calls = 0;
  TgLookalikeMatch m;
  ck_assert(!tg_lookalike_match(lk, d->str, d->str, judge, &calls, &m));
  ck_assert_uint_le(calls, TG_LOOKALIKE_MAX_READINGS);
  ck_assert_uint_gt(calls, 100);
  g_string_free(d, TRUE);

  GString *u = g_string_new(NULL); /* Cyrillic і (reads as i or l), 60 times */
  for (int i = 0; i < 60; i++)
    g_string_append(u, "і");
  g_string_append(u, ".com");
  calls = 0;
  ck_assert(!tg_lookalike_match(lk, u->str, "xn--x.com", judge, &calls, &m));
  ck_assert_uint_le(calls, TG_LOOKALIKE_MAX_READINGS);
  g_string_free(u, TRUE);

  char *big = g_strnfill(4 * 253 + 1, 'a');
  ck_assert(!tg_lookalike_match(lk, big, big, judge, &calls, &m));
  g_free(big);
  ck_assert(!tg_lookalike_match(lk, "", "", judge, &calls, &m));
  ck_assert(!tg_lookalike_match(lk,
                                "g\xff"
                                "ail.com",
                                "x", judge, &calls, &m));
}
END_TEST

int main(void) {
  Suite *s = suite_create("lookalike");
  TCase *tc = tcase_create("core");
  tcase_add_loop_test(tc, inspect, 0, G_N_ELEMENTS(cases));
  tcase_add_test(tc, confusable_and_lazy);
  tcase_add_loop_test(tc, reads_as, 0, G_N_ELEMENTS(readings));
  tcase_add_test(tc, ascii_never_opens_icu);
  tcase_add_test(tc, limits);
  suite_add_tcase(s, tc);
  return tg_run_suite(s, NULL, TG_SUITE_DEFAULT);
}
