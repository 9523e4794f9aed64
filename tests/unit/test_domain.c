/* test_domain.c — normalisation (UTS #46 via libidn2), label rules, TLD existence and registrable
 * domains with Debian's libpsl. */
#include <check.h>
#include <libpsl.h>
#include <stdlib.h>

#include "domain.h"
#include "runsuite.h"

static const struct {
  const char *in, *ascii, *unicode; /* ascii NULL: must be rejected */
  bool idn;
} norm[] = {
    {"gmail.com", "gmail.com", "gmail.com", false},
    {"Gmail.COM", "gmail.com", "gmail.com", false},
    {"gmail.com.", "gmail.com", "gmail.com", false},
    {"münchen.DE", "xn--mnchen-3ya.de", "münchen.de", true},
    {"xn--mnchen-3ya.de", "xn--mnchen-3ya.de", "münchen.de", true},
    {"XN--MNCHEN-3YA.de", "xn--mnchen-3ya.de", "münchen.de", true},
    {"faß.de", "xn--fa-hia.de", "faß.de", true}, /* non-transitional: ß stays */
    {"ｇｍａｉｌ．ｃｏｍ", "gmail.com", "gmail.com", false},
    {"gmail。com", "gmail.com", "gmail.com", false},
    {"аrmy.mil", "xn--rmy-5cd.mil", "аrmy.mil", true},
    {"[192.0.2.1]", "[192.0.2.1]", "[192.0.2.1]", false},
    {"localhost", "localhost", "localhost", false},
    {"", NULL, NULL, false},
    {".", NULL, NULL, false},
    {"a..b", NULL, NULL, false},
    {".gmail.com", NULL, NULL, false},
    {"-ab.com", NULL, NULL, false},
    {"ab-.com", NULL, NULL, false},
    {"ex_ample.com", NULL, NULL, false},
    {"exa mple.com", NULL, NULL, false},
    {"😀.com", NULL, NULL, false},
    {"xn--zz.com", NULL, NULL, false},
    {"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.com", NULL, NULL,
     false}, /* 64 */
    {"[not-an-ip]", NULL, NULL, false},
};

START_TEST(normalise) {
  TgDomain d;
  g_autoptr(GError) err = NULL;
  bool ok = tg_domain_normalise(norm[_i].in, &d, &err);
  if (!norm[_i].ascii) {
    ck_assert_msg(!ok, "%s accepted", norm[_i].in);
    ck_assert_ptr_nonnull(err);
    ck_assert(err->domain == TG_DOMAIN_ERROR);
    return;
  }
  ck_assert_msg(ok, "%s: %s", norm[_i].in, err ? err->message : "");
  ck_assert_str_eq(d.ascii, norm[_i].ascii);
  ck_assert_str_eq(d.unicode, norm[_i].unicode);
  ck_assert_int_eq(d.idn, norm[_i].idn);
  tg_domain_clear(&d);
}
END_TEST

START_TEST(too_long) {
  GString *s = g_string_new(NULL);
  for (int i = 0; i < 64; i++)
    g_string_append(s, "abc.");
  g_string_append(s, "com"); /* 259 bytes */
  TgDomain d;
  g_autoptr(GError) err = NULL;
  ck_assert(!tg_domain_normalise(s->str, &d, &err));
  ck_assert_int_eq(err->code, TG_DOMAIN_ERROR_TOO_LONG);
  g_string_free(s, TRUE);
}
END_TEST

START_TEST(psl_rules) {
  psl_ctx_t *psl = psl_latest(NULL);
  ck_assert(tg_domain_tld_exists(psl, "com"));
  ck_assert(tg_domain_tld_exists(psl, "ml"));
  ck_assert(tg_domain_tld_exists(psl, "mil"));
  ck_assert(tg_domain_tld_exists(psl, "xn--p1ai")); /* .рф */
  ck_assert(!tg_domain_tld_exists(psl, "con"));
  ck_assert(!tg_domain_tld_exists(psl, "cmo"));
  ck_assert(!tg_domain_tld_exists(psl, "localhost"));
  ck_assert(!tg_domain_tld_exists(psl, "co.uk"));
  ck_assert(tg_domain_has_real_tld(psl, "hotmail.co.za")); /* no bare "za" rule in the list */
  ck_assert(!tg_domain_has_real_tld(psl, "gmail.con"));
  ck_assert_str_eq(tg_domain_registrable(psl, "a.b.army.mil"), "army.mil");
  ck_assert_str_eq(tg_domain_registrable(psl, "mail.yahoo.co.jp"), "yahoo.co.jp");
  ck_assert_str_eq(tg_domain_registrable(psl, "x.hotmail.co.za"), "hotmail.co.za");
  ck_assert_ptr_null(tg_domain_registrable(psl, "co.uk"));
  ck_assert_ptr_null(tg_domain_registrable(psl, "gmail.con"));
  psl_free(psl);
}
END_TEST

START_TEST(labels) {
  ck_assert_str_eq(tg_domain_tld("a.b.mil"), "mil");
  ck_assert_str_eq(tg_domain_tld("localhost"), "localhost");
  ck_assert_str_eq(tg_domain_parent("a.b.mil"), "b.mil");
  ck_assert_ptr_null(tg_domain_parent("mil"));
  ck_assert(tg_domain_is_within("hq.army.mil", "army.mil"));
  ck_assert(tg_domain_is_within("army.mil", "army.mil"));
  ck_assert(!tg_domain_is_within("usarmy.mil", "army.mil"));
  ck_assert(!tg_domain_is_within("mil", "army.mil"));
  ck_assert(tg_domain_is_ldh("a-b.c9"));
  ck_assert(!tg_domain_is_ldh("a_b.c"));
}
END_TEST

int main(void) {
  Suite *s = suite_create("domain");
  TCase *tc = tcase_create("core");
  tcase_add_loop_test(tc, normalise, 0, G_N_ELEMENTS(norm));
  tcase_add_test(tc, too_long);
  tcase_add_test(tc, psl_rules);
  tcase_add_test(tc, labels);
  suite_add_tcase(s, tc);
  return tg_run_suite(s, NULL, TG_SUITE_DEFAULT);
}
