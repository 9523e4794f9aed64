/* test_lookalike.c — ICU confusables: the Latin reading of lookalike domains, mixed scripts,
 * script names for messages, and that a new TgLookalike does not open ICU. */
#include <check.h>
#include <stdlib.h>

#include "lookalike.h"

static const struct {
  const char *udomain;
  const char *latin;  /* NULL: no ASCII reading */
  const char *script; /* NULL: only Latin/common letters */
  bool mixed;
} cases[] = {
    {"аrmy.mil", "army.mil", "Cyrillic", true},       /* Cyrillic а */
    {"gmаil.com", "gmail.com", "Cyrillic", true},
    {"gmαil.com", "gmail.com", "Greek", true},        /* Greek alpha */
    {"раураl.com", "paypal.com", "Cyrillic", true},   /* Cyrillic letters and a Latin l */
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

int main(void) {
  Suite *s = suite_create("lookalike");
  TCase *tc = tcase_create("core");
  tcase_add_loop_test(tc, inspect, 0, G_N_ELEMENTS(cases));
  tcase_add_test(tc, confusable_and_lazy);
  suite_add_tcase(s, tc);
  SRunner *sr = srunner_create(s);
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
