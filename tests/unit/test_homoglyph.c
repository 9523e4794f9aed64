/* test_homoglyph.c — the homoglyph rule through tg_check: what is imitated sets the severity
 * (a trusted or address-book domain blocks, a built-in one warns), the suggestion is the real
 * domain, the finding names the foreign glyph in message_id and args, ASCII lookalikes are called
 * lookalikes rather than typos, legitimate IDNs and ASCII names with digits get nothing, and an
 * all-ASCII message never opens ICU. */
#include <check.h>
#include <libpsl.h>
#include <stdlib.h>
#include <string.h>

#include "context.h"
#include "finding.h"
#include "typoguard.h"
#include "runsuite.h"

static psl_ctx_t *psl;

static void setup(void) {
  psl = psl_latest(NULL);
  ck_assert_ptr_nonnull(psl);
}

static void teardown(void) {
  psl_free(psl);
}

static TgResult *check(TgContext *ctx, const char *address, const char *known) {
  TgRequest req;
  tg_request_init(&req);
  req.first_contact = TG_LEVEL_OFF;
  const char *list[1] = {known};
  if (known)
    req.known_domains = (TgStrings){list, 1};
  TgRecipient r = {TG_FIELD_TO, address};
  req.recipients = &r;
  req.n_recipients = 1;
  return tg_check(ctx, &req);
}

static const char *arg(const TgFinding *f, const char *key) {
  for (size_t i = 0; f->args && f->args[i]; i += 2)
    if (strcmp(f->args[i], key) == 0)
      return f->args[i + 1];
  return NULL;
}

static const struct {
  const char *address;
  const char *known;   /* an address-book domain of the request, or NULL */
  TgSeverity severity; /* of the homoglyph finding; TG_SEVERITY_OK: no finding at all */
  const char *suggestion;
  const char *message_id;
  const char *glyph;
} cases[] = {
    {"a@gmаil.com", NULL, TG_SEVERITY_WARN, "a@gmail.com", "homoglyph.script", "а"},
    {"a@xn--gmil-63d.com", NULL, TG_SEVERITY_WARN, "a@gmail.com", "homoglyph.script", "а"},
    {"a@gmáil.com", NULL, TG_SEVERITY_WARN, "a@gmail.com", "homoglyph.mark", "á"},
    {"a@ġmail.com", NULL, TG_SEVERITY_WARN, "a@gmail.com", "homoglyph.mark", "ġ"},
    {"a@outłóok.com", NULL, TG_SEVERITY_WARN, "a@outlook.com", "homoglyph.letter", "ł"},
    {"a@аоӏ.com", NULL, TG_SEVERITY_WARN, "a@aol.com", "homoglyph.script", "а"},
    {"a@gmai1.com", NULL, TG_SEVERITY_WARN, "a@gmail.com", "homoglyph.ascii", "1"},
    {"a@hotrnail.com", NULL, TG_SEVERITY_WARN, "a@hotmail.com", "homoglyph.ascii", "rn"},
    {"a@arrny.mil", NULL, TG_SEVERITY_WARN, "a@army.mil", "homoglyph.ascii", "rn"},
    {"a@mail.gmai1.com", NULL, TG_SEVERITY_WARN, "a@mail.gmail.com", "homoglyph.ascii", "1"},
    {"a@dẹfence.gov.au", NULL, TG_SEVERITY_WARN, "a@defence.gov.au", "homoglyph.mark", "ẹ"},
    /* a lookalike of an address-book domain blocks; an all-ASCII one warns (two real colleges
     * are nlc.bc.ca and nic.bc.ca: plain letters collide, Unicode lookalikes are not chosen) */
    {"a@paypa1.com", "paypal.com", TG_SEVERITY_WARN, "a@paypal.com", "homoglyph.ascii", "1"},
    {"a@раураl.com", "paypal.com", TG_SEVERITY_BLOCK, "a@paypal.com", "homoglyph.script", "р"},
    {"a@contоso.de", "contoso.de", TG_SEVERITY_BLOCK, "a@contoso.de", "homoglyph.script", "о"},
    {"a@vvidgets-shop.com", "widgets-shop.com", TG_SEVERITY_WARN, "a@widgets-shop.com",
     "homoglyph.ascii", "vv"},
    /* nothing: legitimate IDNs, real names with digits, names that imitate nothing known */
    {"a@münchen.de", NULL, TG_SEVERITY_OK, NULL, NULL, NULL},
    {"a@bücher.de", NULL, TG_SEVERITY_OK, NULL, NULL, NULL},
    {"a@東京.jp", NULL, TG_SEVERITY_OK, NULL, NULL, NULL},
    {"a@россия.рф", NULL, TG_SEVERITY_OK, NULL, NULL, NULL},
    {"a@xn--h1alffa9f.xn--p1ai", NULL, TG_SEVERITY_OK, NULL, NULL, NULL},
    {"a@münchen.gov.au", NULL, TG_SEVERITY_OK, NULL, NULL, NULL},
    {"a@163.com", NULL, TG_SEVERITY_OK, NULL, NULL, NULL},
    {"a@126.com", NULL, TG_SEVERITY_OK, NULL, NULL, NULL},
    {"a@web1.de", NULL, TG_SEVERITY_OK, NULL, NULL, NULL},
    {"a@hq.army.mil", NULL, TG_SEVERITY_OK, NULL, NULL, NULL},
    {"a@vvebmail.de", NULL, TG_SEVERITY_OK, NULL, NULL, NULL},
    {"a@paypal.com", "paypal.com", TG_SEVERITY_OK, NULL, NULL, NULL},
};

START_TEST(rule) {
  g_autoptr(TgContext) ctx = tg_context_new(psl);
  g_autoptr(TgResult) res = check(ctx, cases[_i].address, cases[_i].known);
  if (cases[_i].severity == TG_SEVERITY_OK) {
    for (guint i = 0; i < res->findings->len; i++) {
      const TgFinding *f = g_ptr_array_index(res->findings, i);
      ck_assert_msg(f->severity < TG_SEVERITY_WARN, "%s: %s", cases[_i].address, f->message);
    }
    return;
  }
  ck_assert_uint_ge(res->findings->len, 1);
  const TgFinding *f = g_ptr_array_index(res->findings, 0);
  ck_assert_msg(f->code == TG_CODE_HOMOGLYPH, "%s: %s", cases[_i].address, f->message);
  ck_assert_int_eq(f->severity, cases[_i].severity);
  ck_assert_str_eq(f->suggestion, cases[_i].suggestion);
  ck_assert_str_eq(f->message_id, cases[_i].message_id);
  ck_assert_str_eq(arg(f, "char"), cases[_i].glyph);
  ck_assert_ptr_nonnull(arg(f, "looks_like"));
  ck_assert_str_eq(arg(f, "intended"), strchr(cases[_i].suggestion, '@') + 1);
  ck_assert_str_eq(arg(f, "domain"), f->domain);
}
END_TEST

/* The English sentence says which glyph is foreign, in words. */
START_TEST(sentences) {
  g_autoptr(TgContext) ctx = tg_context_new(psl);
  static const struct {
    const char *address, *message;
  } t[] = {
      {"a@gmаil.com", "gmаil.com is not gmail.com: the \u201cа\u201d here is a Cyrillic letter, "
                      "not a Latin \u201ca\u201d."},
      {"a@gmaıl.com", "gmaıl.com is not gmail.com: the \u201cı\u201d here is another letter "
                      "(dotless i), not \u201ci\u201d."},
      {"a@hotrnail.com", "hotrnail.com is not hotmail.com: it has \u201crn\u201d where hotmail.com "
                         "has \u201cm\u201d."},
      {"a@gmáil.com",
       "gmáil.com is not gmail.com: the \u201cá\u201d here is \u201ca\u201d with a mark added."},
  };
  for (size_t i = 0; i < G_N_ELEMENTS(t); i++) {
    g_autoptr(TgResult) res = check(ctx, t[i].address, NULL);
    ck_assert_uint_ge(res->findings->len, 1);
    const TgFinding *f = g_ptr_array_index(res->findings, 0);
    ck_assert_str_eq(f->message, t[i].message);
  }
  /* A Cyrillic a carries its script for clients that name it in their own language. */
  g_autoptr(TgResult) res = check(ctx, "a@gmаil.com", NULL);
  const TgFinding *f = g_ptr_array_index(res->findings, 0);
  ck_assert_str_eq(arg(f, "script"), "Cyrillic");
  ck_assert_str_eq(arg(f, "script_code"), "Cyrl");
  ck_assert_str_eq(arg(f, "char_name"), "cyrillic small letter a");
  ck_assert_str_eq(arg(f, "kind"), "script");
}
END_TEST

/* ASCII lookalikes are found without ICU; the first non-ASCII domain opens it. */
START_TEST(ascii_pass_without_icu) {
  g_autoptr(TgContext) ctx = tg_context_new(psl);
  g_autoptr(TgResult) r1 = check(ctx, "a@gmai1.com", NULL);
  ck_assert_uint_ge(r1->findings->len, 1);
  ck_assert_int_eq(((const TgFinding *)g_ptr_array_index(r1->findings, 0))->code,
                   TG_CODE_HOMOGLYPH);
  ck_assert(!tg_lookalike_is_open(ctx->lookalike));
  g_autoptr(TgResult) r2 = check(ctx, "a@gmаil.com", NULL);
  ck_assert(tg_lookalike_is_open(ctx->lookalike));
}
END_TEST

/* A mixed-script label that imitates nothing known still warns, without a suggestion. */
START_TEST(mixed_script_without_target) {
  g_autoptr(TgContext) ctx = tg_context_new(psl);
  g_autoptr(TgResult) res = check(ctx, "a@exаmpleshop.org", NULL);
  ck_assert_uint_ge(res->findings->len, 1);
  const TgFinding *f = g_ptr_array_index(res->findings, 0);
  ck_assert_int_eq(f->code, TG_CODE_HOMOGLYPH);
  ck_assert_int_eq(f->severity, TG_SEVERITY_WARN);
  ck_assert_ptr_null(f->suggestion);
  ck_assert_str_eq(f->message_id, "homoglyph.mixed");
}
END_TEST

int main(void) {
  Suite *s = suite_create("homoglyph");
  TCase *tc = tcase_create("core");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_loop_test(tc, rule, 0, G_N_ELEMENTS(cases));
  tcase_add_test(tc, sentences);
  tcase_add_test(tc, ascii_pass_without_icu);
  tcase_add_test(tc, mixed_script_without_target);
  suite_add_tcase(s, tc);
  return tg_run_suite(s, NULL, TG_SUITE_DEFAULT);
}
