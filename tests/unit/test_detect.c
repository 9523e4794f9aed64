/* test_detect.c — tg_check through the public API: the seed case, grouping and order, request
 * merging, lazy ICU, every US .gov domain against the others, and the shared corpus
 * (cases/detect.tsv) with its recall and false-alarm rates.
 *
 * TG_DETECT_CASES=path runs another corpus file (e.g. a draft under review) instead. */
#include <check.h>
#include <libpsl.h>
#include <stdlib.h>

#include "context.h"
#include "detect_cases.h"
#include "finding.h"
#include "typoguard.h"
#include "wellknown.h"
#include "runsuite.h"

static psl_ctx_t *psl;

static void setup(void) {
  psl = psl_latest(NULL);
  ck_assert_ptr_nonnull(psl);
}

static void teardown(void) {
  psl_free(psl);
}

static TgResult *check_one(TgContext *ctx, const char *sender, const char *const *rcpt, size_t n) {
  TgRequest req;
  tg_request_init(&req);
  req.sender = sender;
  TgRecipient r[16];
  ck_assert_uint_le(n, G_N_ELEMENTS(r));
  for (size_t i = 0; i < n; i++)
    r[i] = (TgRecipient){i % 2 ? TG_FIELD_CC : TG_FIELD_TO, rcpt[i]};
  req.recipients = r;
  req.n_recipients = n;
  return tg_check(ctx, &req);
}

START_TEST(seed_case) {
  g_autoptr(TgContext) ctx = tg_context_new(psl);
  const char *rcpt[] = {"John Doe <john.doe@army.ml>", "ok.person@army.mil"};
  g_autoptr(TgResult) res = check_one(ctx, "Jane Roe <jane.roe@mail.mil>", rcpt, 2);
  ck_assert_int_eq(res->verdict, TG_SEVERITY_BLOCK);
  ck_assert_uint_ge(res->findings->len, 1);
  const TgFinding *f = g_ptr_array_index(res->findings, 0);
  ck_assert_uint_eq(f->recipient, 0);
  ck_assert_int_eq(f->field, TG_FIELD_TO);
  ck_assert_int_eq(f->code, TG_CODE_TLD_CONFUSION);
  ck_assert_int_eq(f->severity, TG_SEVERITY_BLOCK);
  ck_assert_str_eq(f->address, "john.doe@army.ml");
  ck_assert_str_eq(f->domain, "army.ml");
  ck_assert_str_eq(f->suggestion, "john.doe@army.mil");
  ck_assert_str_eq(f->replacement, "John Doe <john.doe@army.mil>");
  ck_assert_str_eq(f->message, "army.ml is in Mali (.ml). Did you mean army.mil?");
  ck_assert(f->confidence >= 0.9 && f->confidence <= 1.0);
  for (guint i = 0; i < res->findings->len; i++) {
    const TgFinding *g = g_ptr_array_index(res->findings, i);
    if (g->recipient == 1)
      ck_assert_int_lt(g->severity, TG_SEVERITY_WARN);
  }
}
END_TEST

/* Without a .mil sender the .ml slip must still block on a fresh install: army.mil is built in. */
START_TEST(seed_case_without_sender) {
  g_autoptr(TgContext) ctx = tg_context_new(psl);
  const char *rcpt[] = {"john.doe@army.ml"};
  g_autoptr(TgResult) res = check_one(ctx, NULL, rcpt, 1);
  ck_assert_int_eq(res->verdict, TG_SEVERITY_BLOCK);
  const TgFinding *f = g_ptr_array_index(res->findings, 0);
  ck_assert_int_eq(f->code, TG_CODE_TLD_CONFUSION);
  ck_assert_str_eq(f->suggestion, "john.doe@army.mil");
  ck_assert_str_eq(f->replacement, "john.doe@army.mil");
}
END_TEST

START_TEST(grouping_and_order) {
  g_autoptr(TgContext) ctx = tg_context_new(psl);
  tg_context_add_blocked(ctx, "ml");
  const char *rcpt[] = {"a@gmial.com", "b@example.org", "c@army.ml", "not an address"};
  g_autoptr(TgResult) res = check_one(ctx, NULL, rcpt, 4);
  ck_assert_int_eq(res->verdict, TG_SEVERITY_BLOCK);
  size_t last = 0;
  TgSeverity prev = TG_SEVERITY_BLOCK;
  for (guint i = 0; i < res->findings->len; i++) {
    const TgFinding *f = g_ptr_array_index(res->findings, i);
    ck_assert_uint_ge(f->recipient, last); /* grouped by recipient, in request order */
    if (f->recipient != last)
      prev = TG_SEVERITY_BLOCK;
    ck_assert_int_le(f->severity, prev); /* most severe first within a recipient */
    prev = f->severity;
    last = f->recipient;
    ck_assert_ptr_nonnull(f->message);
    ck_assert(f->confidence > 0 && f->confidence <= 1);
  }
  /* recipient 2 has both tld_confusion and blocked */
  int codes = 0;
  for (guint i = 0; i < res->findings->len; i++) {
    const TgFinding *f = g_ptr_array_index(res->findings, i);
    if (f->recipient == 2 && (f->code == TG_CODE_BLOCKED || f->code == TG_CODE_TLD_CONFUSION))
      codes++;
    if (f->recipient == 3)
      ck_assert_int_eq(f->code, TG_CODE_SYNTAX);
  }
  ck_assert_int_eq(codes, 2);
}
END_TEST

START_TEST(group_recipient_keeps_the_others) {
  g_autoptr(TgContext) ctx = tg_context_new(psl);
  const char *rcpt[] = {"Team: Ann <ann@example.org>, bob@gmial.com;"};
  g_autoptr(TgResult) res = check_one(ctx, NULL, rcpt, 1);
  const TgFinding *f = g_ptr_array_index(res->findings, 0);
  ck_assert_int_eq(f->code, TG_CODE_NEAR_MISS);
  ck_assert_str_eq(f->suggestion, "bob@gmail.com");
  ck_assert_str_eq(f->replacement, "Ann <ann@example.org>, bob@gmail.com");
}
END_TEST

START_TEST(levels_from_request_and_context) {
  g_autoptr(TgContext) ctx = tg_context_new(psl);
  tg_context_add_domain(ctx, "acme.example", TG_SOURCE_ORG);
  const char *rcpt[] = {"x@partner.org", "y@hq.acme.example"};
  {
    g_autoptr(TgResult) res = check_one(ctx, NULL, rcpt, 2);
    /* defaults: external off, first_contact info */
    ck_assert_int_eq(res->verdict, TG_SEVERITY_INFO);
    ck_assert_uint_eq(res->findings->len, 1);
    const TgFinding *f = g_ptr_array_index(res->findings, 0);
    ck_assert_int_eq(f->code, TG_CODE_FIRST_CONTACT);
    ck_assert_str_eq(f->message, "First message to this domain.");
  }
  tg_context_set_levels(ctx, TG_LEVEL_WARN, TG_LEVEL_OFF);
  {
    g_autoptr(TgResult) res = check_one(ctx, NULL, rcpt, 2);
    ck_assert_int_eq(res->verdict, TG_SEVERITY_WARN);
    ck_assert_uint_eq(res->findings->len, 1); /* the org subdomain is not external */
    const TgFinding *f = g_ptr_array_index(res->findings, 0);
    ck_assert_int_eq(f->code, TG_CODE_EXTERNAL);
    ck_assert_uint_eq(f->recipient, 0);
  }
  {
    TgRequest req;
    tg_request_init(&req);
    req.flag_external = TG_LEVEL_OFF;
    TgRecipient r = {TG_FIELD_TO, "x@partner.org"};
    req.recipients = &r;
    req.n_recipients = 1;
    g_autoptr(TgResult) res = tg_check(ctx, &req);
    ck_assert_int_eq(res->verdict, TG_SEVERITY_OK);
  }
}
END_TEST

/* The address book is merged cheaply and its domains are trusted. */
START_TEST(large_address_book) {
  g_autoptr(TgContext) ctx = tg_context_new(psl);
  g_autoptr(GPtrArray) book = g_ptr_array_new_with_free_func(g_free);
  for (int i = 0; i < 10000; i++)
    g_ptr_array_add(book,
                    g_strdup_printf("Person %d <person.%d@partner%d.example.com>", i, i, i % 500));
  g_ptr_array_add(book, g_strdup("\"Doe, John\" <john.doe@gmial.com>"));
  TgRequest req;
  tg_request_init(&req);
  req.known_addresses = (TgStrings){(const char *const *)book->pdata, book->len};
  TgRecipient r[] = {{TG_FIELD_TO, "person.3@partner3.example.com"},
                     {TG_FIELD_TO, "jon.doe@gmial.com"},
                     {TG_FIELD_TO, "new@partner499.example.com"}};
  req.recipients = r;
  req.n_recipients = 3;
  gint64 t0 = g_get_monotonic_time();
  g_autoptr(TgResult) res = tg_check(ctx, &req);
  gint64 dt = g_get_monotonic_time() - t0;
  /* gmial.com is in the address book: trusted, so not a near miss; jon.doe is one slip from the
   * known john.doe there. */
  ck_assert_int_eq(res->verdict, TG_SEVERITY_WARN);
  ck_assert_uint_eq(res->findings->len, 1);
  const TgFinding *f = g_ptr_array_index(res->findings, 0);
  ck_assert_int_eq(f->code, TG_CODE_CONTACT_NEAR_MISS);
  ck_assert_str_eq(f->suggestion, "john.doe@gmial.com");
  ck_assert_str_eq(f->replacement, "\"Doe, John\" <john.doe@gmial.com>");
  ck_assert_str_eq(f->message, "jon.doe@gmial.com differs slightly from the known address "
                               "john.doe@gmial.com. Did you mean john.doe@gmial.com?");
  ck_assert_int_lt(dt, 2 * G_USEC_PER_SEC); /* generous: sanitizer builds on a busy CI machine */
}
END_TEST

START_TEST(icu_opens_lazily) {
  g_autoptr(TgContext) ctx = tg_context_new(psl);
  const char *ascii[] = {"a@gmail.com", "b@gmial.com", "c@army.ml"};
  g_autoptr(TgResult) r1 = check_one(ctx, NULL, ascii, 3);
  ck_assert(!tg_lookalike_is_open(ctx->lookalike));
  const char *idn[] = {"d@münchen.de"};
  g_autoptr(TgResult) r2 = check_one(ctx, NULL, idn, 1);
  ck_assert(tg_lookalike_is_open(ctx->lookalike));
  ck_assert_int_le(r2->verdict, TG_SEVERITY_INFO);
}
END_TEST

START_TEST(trusted_domains_never_near_miss) {
  g_autoptr(TgContext) ctx = tg_context_new(psl);
  ck_assert(tg_context_add_domain(ctx, "gmial.com", TG_SOURCE_TRUSTED));
  ck_assert(tg_context_add_domain(ctx, "hq.exarnple.com", TG_SOURCE_ORG));
  ck_assert(!tg_context_add_domain(ctx, "bad..domain", TG_SOURCE_TRUSTED));
  tg_context_add_history(ctx, "pat@histroy.org", 3);
  const char *rcpt[] = {"a@gmial.com", "b@mail.exarnple.com", "c@histroy.org", "d@sub.gmial.com"};
  g_autoptr(TgResult) res = check_one(ctx, NULL, rcpt, 4);
  ck_assert_int_eq(res->verdict, TG_SEVERITY_OK);
  ck_assert_uint_eq(res->findings->len, 0);
}
END_TEST

/* The findings depend on the request and the context's contents only: not on the order in which
 * the context was filled, nor on what the same context checked before (no hidden state). */
static TgContext *filled_context(bool reversed) {
  static const char *const domains[] = {"acme.example",    "gmial.co",    "corp.example",
                                        "navy.mil",        "example.org", "exarnple.net",
                                        "mail.example.com"};
  static const char *const history[] = {"pat@histroy.org", "kim@corp.example", "lee@acme.exmple"};
  TgContext *ctx = tg_context_new(psl);
  size_t nd = G_N_ELEMENTS(domains), nh = G_N_ELEMENTS(history);
  for (size_t i = 0; i < nd; i++)
    ck_assert(tg_context_add_domain(ctx, domains[reversed ? nd - 1 - i : i],
                                    i % 2 ? TG_SOURCE_KNOWN : TG_SOURCE_TRUSTED));
  for (size_t i = 0; i < nh; i++)
    tg_context_add_history(ctx, history[reversed ? nh - 1 - i : i], (unsigned)(i + 1));
  return ctx;
}

static void assert_same(const TgResult *a, const TgResult *b) {
  ck_assert_int_eq(a->verdict, b->verdict);
  ck_assert_uint_eq(a->findings->len, b->findings->len);
  for (guint i = 0; i < a->findings->len; i++) {
    const TgFinding *x = g_ptr_array_index(a->findings, i), *y = g_ptr_array_index(b->findings, i);
    ck_assert_int_eq(x->code, y->code);
    ck_assert_uint_eq(x->recipient, y->recipient);
    ck_assert_str_eq(x->message, y->message);
    ck_assert_str_eq(x->suggestion ? x->suggestion : "-", y->suggestion ? y->suggestion : "-");
    ck_assert(x->confidence == y->confidence);
  }
}

START_TEST(deterministic) {
  const char *rcpt[] = {"a@gmial.com",    "b@yahoo.cmo",    "c@аrmy.mil",    "d@army.ml", "x",
                        "e@acme.exampel", "f@corp.exmaple", "g@histroy.org", "h@navy.ml"};
  const size_t n = G_N_ELEMENTS(rcpt);
  g_autoptr(TgContext) fwd = filled_context(false);
  g_autoptr(TgContext) rev = filled_context(true);
  g_autoptr(TgResult) a = check_one(fwd, "me@mail.mil", rcpt, n);
  ck_assert_uint_ge(a->findings->len, 6); /* the test means something only if there are findings */
  g_autoptr(TgResult) b = check_one(rev, "me@mail.mil", rcpt, n);
  assert_same(a, b);
  /* The same context after other checks, with another sender in between. */
  const char *other[] = {"z@gmai.com", "y@navy.mil", "w@corp.example"};
  g_autoptr(TgResult) between = check_one(fwd, "you@acme.example", other, 3);
  g_autoptr(TgResult) c = check_one(fwd, "me@mail.mil", rcpt, n);
  assert_same(a, c);
}
END_TEST

/* Every genuine US .gov domain (the built-in list) checked as a recipient: none may be reported
 * as a near miss of another — 16,000 closely spaced real names. */
START_TEST(every_gov_domain_is_not_a_near_miss) {
  g_autoptr(TgContext) ctx = tg_context_new(psl);
  size_t n = 0, flagged = 0;
  for (size_t i = 0; i < tg_wellknown_count(); i++) {
    const TgWellKnown *wk = tg_wellknown_at(i);
    if (!(wk->kind & TG_WK_US_GOV))
      continue;
    n++;
    g_autofree char *addr = g_strconcat("info@", wk->domain, NULL);
    const char *rcpt[] = {addr};
    g_autoptr(TgResult) res = check_one(ctx, NULL, rcpt, 1);
    for (guint k = 0; k < res->findings->len; k++) {
      const TgFinding *f = g_ptr_array_index(res->findings, k);
      if (f->severity >= TG_SEVERITY_WARN) {
        flagged++;
        fprintf(stderr, "gov false alarm: %s %s\n", addr, tg_code_name(f->code));
      }
    }
  }
  fprintf(stderr, "US .gov domains checked: %zu, warned or blocked: %zu\n", n, flagged);
  ck_assert_uint_ge(n, 10000);
  ck_assert_uint_eq(flagged, 0);
}
END_TEST

/* Every listed second-level .mil name typed with .ml, from a sender on a public provider and on a
 * fresh install: blocked as tld_confusion with the .mil name as the suggestion (issue 12). */
START_TEST(every_listed_mil_name_typed_ml_is_blocked) {
  g_autoptr(TgContext) ctx = tg_context_new(psl);
  size_t n = 0, missed = 0;
  for (size_t i = 0; i < tg_wellknown_count(); i++) {
    const TgWellKnown *wk = tg_wellknown_at(i);
    const char *dot = strchr(wk->domain, '.');
    if (!(wk->kind & TG_WK_US_MIL) || !dot || strcmp(dot, ".mil") != 0)
      continue;
    n++;
    g_autofree char *name = g_strndup(wk->domain, (gsize)(dot - wk->domain));
    g_autofree char *addr = g_strconcat("info@", name, ".ml", NULL);
    g_autofree char *want = g_strconcat("info@", wk->domain, NULL);
    const char *rcpt[] = {addr};
    g_autoptr(TgResult) res = check_one(ctx, "someone@gmail.com", rcpt, 1);
    bool ok = false;
    for (guint k = 0; k < res->findings->len; k++) {
      const TgFinding *f = g_ptr_array_index(res->findings, k);
      if (f->code == TG_CODE_TLD_CONFUSION && f->severity == TG_SEVERITY_BLOCK && f->suggestion &&
          strcmp(f->suggestion, want) == 0)
        ok = true;
    }
    if (!ok) {
      missed++;
      fprintf(stderr, ".mil seed missed: %s\n", addr);
    }
  }
  fprintf(stderr, "listed .mil names typed .ml: %zu, missed: %zu\n", n, missed);
  ck_assert_uint_ge(n, 140);
  ck_assert_uint_eq(missed, 0);
}
END_TEST

/* Context beats length: a neighbour-key slip of an address-book domain is a near miss whatever the
 * label's length, and the same unknown name without that context is left alone when its label is
 * short (a random 2-3 letter name is likely real). */
START_TEST(context_beats_length) {
  g_autoptr(TgContext) ctx = tg_context_new(psl);
  static const struct {
    const char *known, *typed, *meant;
  } cases[] = {
      {"hb.de", "x@hn.de", "x@hb.de"},
      {"sun.ac.za", "x@sjn.ac.za", "x@sun.ac.za"},
      {"tin.it", "x@tni.it", "x@tin.it"},
      {"unibas.ch", "x@unibsa.ch", "x@unibas.ch"},
  };
  for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
    TgRequest req;
    tg_request_init(&req);
    TgRecipient r = {TG_FIELD_TO, cases[i].typed};
    req.recipients = &r;
    req.n_recipients = 1;
    const char *known[] = {cases[i].known};
    req.known_domains.items = known;
    req.known_domains.len = 1;
    g_autoptr(TgResult) with = tg_check(ctx, &req);
    bool flagged = false;
    for (guint k = 0; k < with->findings->len; k++) {
      const TgFinding *f = g_ptr_array_index(with->findings, k);
      if (f->code == TG_CODE_NEAR_MISS && f->suggestion &&
          strcmp(f->suggestion, cases[i].meant) == 0) {
        flagged = true;
        ck_assert_int_eq(f->severity, TG_SEVERITY_WARN); /* a near miss informs, never blocks */
      }
    }
    ck_assert_msg(flagged, "%s with %s known: not flagged", cases[i].typed, cases[i].known);
  }
  /* without the context, short unknown names stay silent */
  const char *rcpt[] = {"x@hn.de", "x@sjn.ac.za", "x@tni.it"};
  g_autoptr(TgResult) without = check_one(ctx, NULL, rcpt, 3);
  for (guint k = 0; k < without->findings->len; k++)
    ck_assert_int_lt(((const TgFinding *)g_ptr_array_index(without->findings, k))->severity,
                     TG_SEVERITY_WARN);
}
END_TEST

/* A book digested once (TgBook, what a host keeps) answers every case of the corpus exactly as
 * the same addresses carried in the request do, and so does a book plus more in the request. */
START_TEST(digested_book_answers_the_same) {
  g_autofree char *def = g_build_filename(TG_CASES_DIR, "detect.tsv", NULL);
  g_autoptr(GError) err = NULL;
  g_autoptr(GPtrArray) cases = tg_cases_load(def, &err);
  ck_assert_msg(cases != NULL, "%s", err ? err->message : "");
  unsigned with_book = 0;
  for (guint i = 0; i < cases->len; i++) {
    const TgCase *c = g_ptr_array_index(cases, i);
    g_autofree char *known = NULL, *book = NULL, *split = NULL;
    bool pass = tg_case_run_as(psl, c, &known, TG_CASE_KNOWN);
    ck_assert_int_eq(tg_case_run_as(psl, c, &book, TG_CASE_BOOK), pass);
    ck_assert_int_eq(tg_case_run_as(psl, c, &split, TG_CASE_SPLIT), pass);
    ck_assert_msg(strcmp(known, book) == 0,
                  "detect.tsv:%u: %s with the book in the request, %s "
                  "with it digested",
                  c->line, known, book);
    ck_assert_msg(strcmp(known, split) == 0,
                  "detect.tsv:%u: %s with the book in the request, %s "
                  "with half of it digested",
                  c->line, known, split);
    with_book += c->context && strstr(c->context, "addr=") != NULL;
  }
  ck_assert_uint_ge(with_book, 15); /* the cases that have known addresses at all */
}
END_TEST

START_TEST(corpus) {
  const char *path = g_getenv("TG_DETECT_CASES");
  /* The shared case folder, tests/cases (TG_CASES_DIR). */
  g_autofree char *def = g_build_filename(TG_CASES_DIR, "detect.tsv", NULL);
  g_autoptr(GError) err = NULL;
  g_autoptr(GPtrArray) cases = tg_cases_load(path ? path : def, &err);
  ck_assert_msg(cases != NULL, "%s", err ? err->message : "");
  size_t pos = 0, neg = 0, caught = 0, false_alarms = 0, failed = 0, known_misses = 0;
  unsigned per_code[TG_CODE_COUNT] = {0};
  for (guint i = 0; i < cases->len; i++) {
    const TgCase *c = g_ptr_array_index(cases, i);
    g_autofree char *got = NULL;
    bool pass = tg_case_run(psl, c, &got);
    bool positive = tg_case_positive(c);
    if (positive) {
      pos++;
      caught += pass;
      TgCode code;
      const char *want = c->expect + (c->expect[0] == '?');
      ck_assert_msg(tg_code_from_name(want, &code), "line %u: unknown code %s", c->line, want);
      per_code[code]++;
    } else {
      neg++;
      false_alarms += !pass;
    }
    if (!pass && tg_case_known_miss(c))
      known_misses++;
    else if (!pass) {
      failed++;
      fprintf(stderr, "detect.tsv:%u: %s expected %s %s, got %s  (%s)\n", c->line, c->address,
              c->expect, c->suggestion, got, c->note);
    } else if (tg_case_known_miss(c)) {
      fprintf(stderr, "detect.tsv:%u: %s now passes: drop its '?'\n", c->line, c->address);
    }
  }
  fprintf(stderr,
          "corpus: %zu positives, %zu caught (recall %.1f %%); %zu negatives, %zu false alarms "
          "(%.2f %%); %zu known misses\n",
          pos, caught, pos ? 100.0 * (double)caught / (double)pos : 0.0, neg, false_alarms,
          neg ? 100.0 * (double)false_alarms / (double)neg : 0.0, known_misses);
  if (!path) {
    ck_assert_uint_ge(pos, 300);
    ck_assert_uint_ge(neg, 300);
    for (int k = 0; k < TG_CODE_COUNT; k++)
      if (k != TG_CODE_WRONG_ADDRESS)
        ck_assert_msg(per_code[k] > 0, "no case for %s", tg_code_name((TgCode)k));
  }
  ck_assert_uint_eq(failed, 0);
}
END_TEST

int main(void) {
  Suite *s = suite_create("detect");
  TCase *tc = tcase_create("core");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, seed_case);
  tcase_add_test(tc, seed_case_without_sender);
  tcase_add_test(tc, grouping_and_order);
  tcase_add_test(tc, group_recipient_keeps_the_others);
  tcase_add_test(tc, levels_from_request_and_context);
  tcase_add_test(tc, large_address_book);
  tcase_add_test(tc, icu_opens_lazily);
  tcase_add_test(tc, trusted_domains_never_near_miss);
  tcase_add_test(tc, deterministic);
  tcase_add_test(tc, every_gov_domain_is_not_a_near_miss);
  tcase_add_test(tc, every_listed_mil_name_typed_ml_is_blocked);
  tcase_add_test(tc, context_beats_length);
  tcase_add_test(tc, corpus);
  tcase_add_test(tc, digested_book_answers_the_same);
  suite_add_tcase(s, tc);
  return tg_run_suite(s, NULL, TG_SUITE_DEFAULT);
}
