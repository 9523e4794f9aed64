/* test_wellknown.c — the built-in data (host/data, compiled into tgdata) and its lookups
 * (host/lib/wellknown.c): exact and ancestor lookups, the confusable TLD table, and the
 * guarantees the generator promises (sorted, unique, valid ASCII, real TLDs per libpsl, no typo
 * traps among the providers). */
#include <check.h>
#include <glib.h>
#include <libpsl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "typo.h"
#include "wellknown.h"
#include "runsuite.h"

/* ---- exact lookups -------------------------------------------------------------------------- */

static const struct {
  const char *domain;
  unsigned kind; /* a flag that must be set; 0: must not be built in */
  unsigned min_weight;
} kFind[] = {
    {"gmail.com", TG_WK_MAIL_PROVIDER, 250},
    {"googlemail.com", TG_WK_MAIL_PROVIDER, 150},
    {"outlook.com", TG_WK_MAIL_PROVIDER, 200},
    {"hotmail.co.uk", TG_WK_MAIL_PROVIDER, 100},
    {"yahoo.co.jp", TG_WK_MAIL_PROVIDER, 100},
    {"gmx.de", TG_WK_MAIL_PROVIDER, 150},
    {"web.de", TG_WK_MAIL_PROVIDER, 150},
    {"proton.me", TG_WK_MAIL_PROVIDER, 150},
    {"qq.com", TG_WK_MAIL_PROVIDER, 150},
    {"comcast.net", TG_WK_MAIL_PROVIDER, 100},
    {"ca.gov", TG_WK_US_GOV, 1},
    {"18f.gov", TG_WK_US_GOV, 1},
    {"irs.gov", TG_WK_US_GOV, 100},
    {"mail.mil", TG_WK_US_MIL, 200},
    {"army.mil", TG_WK_US_MIL, 150},
    {"us.army.mil", TG_WK_US_MIL, 150},
    {"spaceforce.mil", TG_WK_US_MIL, 100},
    {"gov.uk", TG_WK_GOV, 100},
    {"forces.gc.ca", TG_WK_GOV, 100},
    {"intradef.gouv.fr", TG_WK_GOV, 100},
    {"nato.int", TG_WK_GOV, 100},
    /* typo traps from the npm lists, placeholders and disposables must not be "well known" */
    {"gmail.co", 0, 0},
    {"gmail.om", 0, 0},
    {"hotmail.con", 0, 0},
    {"hotmail.co", 0, 0},
    {"yahoo.om", 0, 0},
    {"gmail.com.com", 0, 0},
    {"example.com", 0, 0},
    {"mailinator.com", 0, 0},
    {"smil.mil", 0, 0},
    {"army.ml", 0, 0},
    {"", 0, 0},
    {"com", 0, 0},
    {"GMAIL.COM", 0, 0}, /* input is lowercase by contract */
};

START_TEST(test_find) {
  const TgWellKnown *wk = tg_wellknown_find(kFind[_i].domain);
  if (kFind[_i].kind == 0) {
    ck_assert_msg(wk == NULL, "%s should not be built in", kFind[_i].domain);
    return;
  }
  ck_assert_msg(wk != NULL, "%s should be built in", kFind[_i].domain);
  ck_assert_str_eq(wk->domain, kFind[_i].domain);
  ck_assert_msg(wk->kind & kFind[_i].kind, "%s kind %u", wk->domain, wk->kind);
  ck_assert_msg(wk->weight >= kFind[_i].min_weight, "%s weight %u < %u", wk->domain, wk->weight,
                kFind[_i].min_weight);
}
END_TEST

START_TEST(test_find_null) {
  ck_assert_ptr_null(tg_wellknown_find(NULL));
  ck_assert_ptr_null(tg_wellknown_find_ancestor(NULL));
}
END_TEST

static const struct {
  const char *domain, *ancestor; /* NULL: none */
} kAncestor[] = {
    {"army.mil", "army.mil"},
    {"hq.army.mil", "army.mil"},
    {"x.y.us.army.mil", "us.army.mil"},
    {"mail.gmail.com", "gmail.com"},
    {"cabinetoffice.gov.uk", "gov.uk"},
    {"dgse.intradef.gouv.fr", "intradef.gouv.fr"},
    {"a.b.c.ca.gov", "ca.gov"},
    {"mil", NULL},
    {"army.ml", NULL},
    {"notgmail.com", NULL},
    {"", NULL},
    {".", NULL},
};

/* tg_wellknown_prefix: every built-in name with the prefix, and nothing else, in one run. */
START_TEST(test_prefix) {
  static const char *const prefixes[] = {"yahoo.", "gmail.", "army.", "zzzz-none.", "a", ""};
  for (size_t p = 0; p < G_N_ELEMENTS(prefixes); p++) {
    size_t first = 0, n = tg_wellknown_prefix(prefixes[p], &first), want = 0;
    size_t len = strlen(prefixes[p]);
    for (size_t i = 0; i < tg_wellknown_count(); i++)
      want += strncmp(tg_wellknown_at(i)->domain, prefixes[p], len) == 0;
    ck_assert_uint_eq(n, want);
    for (size_t i = 0; i < n; i++)
      ck_assert_int_eq(strncmp(tg_wellknown_at(first + i)->domain, prefixes[p], len), 0);
  }
  size_t first = 0;
  ck_assert_uint_gt(tg_wellknown_prefix("yahoo.", &first), 20); /* yahoo.com, yahoo.co.jp … */
}
END_TEST

/* The .mil list holds hundreds of names from public listings (host/data/SOURCES.md). */
START_TEST(test_mil_list) {
  size_t second_level = 0;
  for (size_t i = 0; i < tg_wellknown_count(); i++) {
    const TgWellKnown *wk = tg_wellknown_at(i);
    const char *dot = strchr(wk->domain, '.');
    if ((wk->kind & TG_WK_US_MIL) && dot && strcmp(dot, ".mil") == 0)
      second_level++;
  }
  ck_assert_uint_ge(second_level, 140);
  static const char *const listed[] = {"dcsa.mil", "whs.mil",  "nro.mil",  "dsca.mil", "dcaa.mil",
                                       "usfk.mil", "mail.mil", "army.mil", "navy.mil", "usmc.mil"};
  for (size_t i = 0; i < G_N_ELEMENTS(listed); i++) {
    const TgWellKnown *wk = tg_wellknown_find(listed[i]);
    ck_assert_msg(wk && (wk->kind & TG_WK_US_MIL), "%s not listed", listed[i]);
  }
  ck_assert_ptr_null(tg_wellknown_find("smil.mil")); /* classified network: never listed */
}
END_TEST

START_TEST(test_ancestor) {
  const TgWellKnown *wk = tg_wellknown_find_ancestor(kAncestor[_i].domain);
  if (!kAncestor[_i].ancestor) {
    ck_assert_msg(wk == NULL, "%s: unexpected %s", kAncestor[_i].domain, wk ? wk->domain : "");
    return;
  }
  ck_assert_msg(wk != NULL, "%s: no ancestor", kAncestor[_i].domain);
  ck_assert_str_eq(wk->domain, kAncestor[_i].ancestor);
}
END_TEST

/* ---- what the generator guarantees --------------------------------------------------------- */

static psl_ctx_t *system_psl(void) {
  psl_ctx_t *psl = psl_latest(NULL);
  if (!psl)
    psl = (psl_ctx_t *)psl_builtin();
  ck_assert_ptr_nonnull(psl);
  return psl;
}

START_TEST(test_all_sorted_valid) {
  psl_ctx_t *psl = system_psl();
  size_t n = tg_wellknown_count(), gov = 0, mil = 0, mail = 0, longest = 0;
  ck_assert_uint_gt(n, 16000); /* the whole .gov registry plus the rest */
  ck_assert_ptr_null(tg_wellknown_at(n));
  for (size_t i = 0; i < n; i++) {
    const TgWellKnown *wk = tg_wellknown_at(i);
    ck_assert_ptr_nonnull(wk);
    if (i > 0)
      ck_assert_msg(strcmp(tg_wellknown_at(i - 1)->domain, wk->domain) < 0,
                    "not sorted or duplicate at %s", wk->domain);
    ck_assert_ptr_eq(tg_wellknown_find(wk->domain), wk);
    longest = MAX(longest, strlen(wk->domain));
    /* a name that is not built in is not found by the hash lookup (whatever its hash meets) */
    g_autofree char *longer = g_strconcat(wk->domain, "x", NULL);
    const TgWellKnown *other = tg_wellknown_find(longer);
    ck_assert(other == NULL || strcmp(other->domain, longer) == 0);
    ck_assert_uint_ge(wk->weight, 1);
    ck_assert_uint_ne(wk->kind, 0);
    const char *tld = strrchr(wk->domain, '.');
    ck_assert_msg(tld && psl_is_public_suffix(psl, tld + 1), "%s: unknown TLD", wk->domain);
    for (const char *p = wk->domain; *p; p++)
      ck_assert_msg((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-' || *p == '.',
                    "%s: not lowercase LDH", wk->domain);
    gov += (wk->kind & TG_WK_US_GOV) != 0;
    mil += (wk->kind & TG_WK_US_MIL) != 0;
    mail += (wk->kind & TG_WK_MAIL_PROVIDER) != 0;
  }
  ck_assert_uint_eq(tg_wellknown_longest(), longest); /* computed by the generator */
  ck_assert_uint_eq(gov, 16539);                      /* dotgov-data snapshot of 2026-08-22 */
  ck_assert_uint_ge(mil, 20);
  /* a few hundred providers: enough to matter, few enough not to cause false alarms */
  ck_assert_uint_ge(mail, 300);
  ck_assert_uint_le(mail, 3000);
  if (psl != psl_builtin())
    psl_free(psl);
}
END_TEST

START_TEST(test_no_trap_tlds_among_providers) {
  /* A provider "variant" on a TLD that is itself a typo of .com/.net is a trap from the npm lists. */
  static const char *const traps[] = {".co", ".cm", ".om", ".con", ".ne", ".et", ".cmo", ".comm"};
  for (size_t i = 0; i < tg_wellknown_count(); i++) {
    const TgWellKnown *wk = tg_wellknown_at(i);
    if (!(wk->kind & TG_WK_MAIL_PROVIDER))
      continue;
    for (size_t t = 0; t < G_N_ELEMENTS(traps); t++)
      ck_assert_msg(!g_str_has_suffix(wk->domain, traps[t]), "%s looks like a typo trap",
                    wk->domain);
  }
}
END_TEST

/* ---- confusable TLDs ------------------------------------------------------------------------ */

static const struct {
  const char *typed, *intended, *owner_part;
} kPairs[] = {
    {"ml", "mil", "Mali"},  {"co", "com", "Colombia"}, {"cm", "com", "Cameroon"},
    {"om", "com", "Oman"},  {"ne", "net", "Niger"},    {"et", "net", "Ethiopia"},
    {".ml", "mil", "Mali"}, /* a leading dot is accepted */
};

START_TEST(test_pairs_for) {
  size_t n = 99;
  const TgTldPair *p = tg_tld_pairs_for(kPairs[_i].typed, &n);
  ck_assert_ptr_nonnull(p);
  ck_assert_uint_ge(n, 1);
  bool found = false;
  for (size_t i = 0; i < n; i++) {
    ck_assert_str_eq(p[i].typed,
                     kPairs[_i].typed[0] == '.' ? kPairs[_i].typed + 1 : kPairs[_i].typed);
    if (strcmp(p[i].intended, kPairs[_i].intended) == 0) {
      found = true;
      ck_assert_ptr_nonnull(strstr(p[i].owner, kPairs[_i].owner_part));
      ck_assert_uint_gt(strlen(p[i].why), 10);
    }
  }
  ck_assert_msg(found, "%s -> %s missing", kPairs[_i].typed, kPairs[_i].intended);
}
END_TEST

START_TEST(test_pairs_absent) {
  static const char *const none[] = {"com", "mil", "net", "org", "nl", "de", "", "xx", "m"};
  for (size_t i = 0; i < G_N_ELEMENTS(none); i++) {
    size_t n = 99;
    ck_assert_ptr_null(tg_tld_pairs_for(none[i], &n));
    ck_assert_uint_eq(n, 0);
  }
  size_t n = 99;
  ck_assert_ptr_null(tg_tld_pairs_for(NULL, &n));
  ck_assert_uint_eq(n, 0);
  ck_assert_ptr_nonnull(tg_tld_pairs_for("ml", NULL));
}
END_TEST

START_TEST(test_pairs_real_tlds) {
  psl_ctx_t *psl = system_psl();
  size_t total = 0;
  ck_assert_uint_ge(tg_tld_pair_count(), 6);
  ck_assert_ptr_null(tg_tld_pair_at(tg_tld_pair_count()));
  for (size_t i = 0; i < tg_tld_pair_count(); i++) {
    const TgTldPair *p = tg_tld_pair_at(i);
    ck_assert_msg(psl_is_public_suffix(psl, p->typed), "%s is not a real TLD", p->typed);
    ck_assert_msg(psl_is_public_suffix(psl, p->intended), "%s is not a real TLD", p->intended);
    ck_assert_str_ne(p->typed, p->intended);
    ck_assert_ptr_nonnull(p->owner);
    if (i > 0)
      ck_assert_int_le(strcmp(tg_tld_pair_at(i - 1)->typed, p->typed), 0);
    /* every pair is reachable through tg_tld_pairs_for, once */
    if (i == 0 || strcmp(tg_tld_pair_at(i - 1)->typed, p->typed) != 0) {
      size_t n = 0;
      ck_assert_ptr_eq(tg_tld_pairs_for(p->typed, &n), p);
      total += n;
    }
  }
  ck_assert_uint_eq(total, tg_tld_pair_count());
  if (psl != psl_builtin())
    psl_free(psl);
}
END_TEST

/* Every built-in name outside .gov (mail providers, military, other governments: many short,
 * many one letter from each other, like gmx.de / gmx.at or web.de / wp.pl) is genuine, so none may
 * score as a near miss of another: the typo model's false alarms on real short domains, measured
 * on real ones. (The .gov registry has its own property test in test_typo.c.) Hyphen variants
 * are one owner's. */
START_TEST(test_no_near_miss_among_builtin) {
  size_t checked = 0, above = 0;
  for (size_t i = 0; i < tg_wellknown_count(); i++) {
    const TgWellKnown *wk = tg_wellknown_at(i);
    if (wk->kind & TG_WK_US_GOV)
      continue;
    checked++;
    TgCandidate c[8];
    size_t n = tg_typo_candidates(wk->domain, NULL, 0, c, G_N_ELEMENTS(c));
    for (size_t j = 0; j < n; j++) {
      if (c[j].score < TG_TYPO_NEAR_MISS_THRESHOLD || c[j].kind == TG_TYPO_HYPHEN_ADDED ||
          c[j].kind == TG_TYPO_HYPHEN_DROPPED)
        continue;
      above++;
      fprintf(stderr, "  built-in pair above threshold: %s -> %s %.3f (%s)\n", wk->domain,
              c[j].intended, c[j].score, tg_typo_kind_name(c[j].kind));
    }
  }
  ck_assert_uint_gt(checked, 500);
  ck_assert_uint_eq(above, 0);
}
END_TEST

static Suite *wellknown_suite(void) {
  Suite *s = suite_create("wellknown");
  TCase *tc = tcase_create("wellknown");
  tcase_add_loop_test(tc, test_find, 0, G_N_ELEMENTS(kFind));
  tcase_add_test(tc, test_find_null);
  tcase_add_test(tc, test_prefix);
  tcase_add_test(tc, test_mil_list);
  tcase_add_loop_test(tc, test_ancestor, 0, G_N_ELEMENTS(kAncestor));
  tcase_add_test(tc, test_all_sorted_valid);
  tcase_add_test(tc, test_no_trap_tlds_among_providers);
  tcase_add_loop_test(tc, test_pairs_for, 0, G_N_ELEMENTS(kPairs));
  tcase_add_test(tc, test_pairs_absent);
  tcase_add_test(tc, test_pairs_real_tlds);
  tcase_add_test(tc, test_no_near_miss_among_builtin);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) {
  return tg_run_suite(wellknown_suite(), NULL, TG_SUITE_DEFAULT);
}
