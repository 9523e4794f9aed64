/* test_wrongaddr.c — wrong_address, the autocomplete slip: the case table (cases/wrongaddr.tsv)
 * through tg_check; the name normalisations of people.c; the co-recipient patterns of the
 * context; and the whole path through the host — frames through tg_session_handle (the native
 * host's code path) with a scratch history that learns, saves and reloads the patterns, and the
 * `typoguard-host --check --known-address` command line.
 *
 * TG_WRONGADDR_CASES=path runs another case file instead of the shipped one. */
#include <time.h>
#include <check.h>
#include <cjson/cJSON.h>
#include <glib/gstdio.h>
#include <libpsl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "context.h"
#include "finding.h"
#include "mailbox.h"
#include "people.h"
#include "history.h"
#include "protocol.h"
#include "typoguard.h"
#include "wrongaddr_cases.h"
#include "runsuite.h"

static psl_ctx_t *psl;

static void setup(void) {
  psl = psl_latest(NULL);
  ck_assert_ptr_nonnull(psl);
}

static void teardown(void) {
  psl_free(psl);
}

/* ---- the case table ------------------------------------------------------------------------ */

/* CPU time of this process in µs: what the rule costs, not what other processes on a busy
 * machine take from it (wall time made these bounds flaky under load). */
static gint64 cpu_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (gint64)ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
}

START_TEST(case_table) {
  const char *path = g_getenv("TG_WRONGADDR_CASES");
  /* The shared case folder, tests/cases (TG_CASES_DIR). */
  g_autofree char *def = g_build_filename(TG_CASES_DIR, "wrongaddr.tsv", NULL);
  g_autoptr(GError) err = NULL;
  g_autoptr(GPtrArray) cases = tg_wa_cases_load(path ? path : def, &err);
  ck_assert_msg(cases != NULL, "%s", err ? err->message : "");
  unsigned warn = 0, info = 0, neg = 0, failed = 0;
  for (guint i = 0; i < cases->len; i++) {
    const TgWaCase *c = g_ptr_array_index(cases, i);
    g_autoptr(TgContext) ctx = tg_wa_context(psl, c);
    TgRequest req;
    g_autofree TgRecipient *rcpt = g_new0(TgRecipient, g_strv_length(c->recipients) + 1);
    tg_wa_request(c, &req, rcpt);
    g_autoptr(TgResult) res = tg_check(ctx, &req);
    g_autofree char *got = NULL;
    bool pass = tg_wa_judge(c, res, &got);
    /* The same book digested once (what a host keeps), whole and half: the same answer. */
    for (int half = 0; half < 2; half++) {
      size_t n_book = req.known_addresses.len, in_book = half ? n_book / 2 : n_book;
      g_autoptr(TgBook) book = tg_book_new(psl, (const char *const *)c->book, in_book);
      TgRequest with_book = req;
      with_book.book = book;
      with_book.known_addresses =
          (TgStrings){(const char *const *)c->book + in_book, n_book - in_book};
      g_autoptr(TgResult) res_b = tg_check(ctx, &with_book);
      g_autofree char *got_b = NULL;
      ck_assert_int_eq(tg_wa_judge(c, res_b, &got_b), pass);
      ck_assert_msg(strcmp(got, got_b) == 0, "wrongaddr.tsv:%u: %s, with %s the book digested: %s",
                    c->line, got, half ? "half" : "all", got_b);
    }
    warn += g_str_has_prefix(c->expect, "warn") ? 1u : 0u;
    info += g_str_has_prefix(c->expect, "info") ? 1u : 0u;
    neg += strcmp(c->expect, "-") == 0;
    if (!pass) {
      failed++;
      fprintf(stderr, "wrongaddr.tsv:%u: expected %s %s %s, got %s  (%s)\n", c->line, c->expect,
              c->suggestion, c->replacement, got, c->note);
    }
  }
  fprintf(stderr, "wrongaddr: %u warn cases, %u info cases, %u negatives, %u failed\n", warn, info,
          neg, failed);
  if (!path) {
    ck_assert_uint_ge(warn, 25);
    ck_assert_uint_ge(info, 2);
    ck_assert_uint_ge(neg, 18);
  }
  ck_assert_uint_eq(failed, 0);
}
END_TEST

/* ---- names ----------------------------------------------------------------------------------- */

/* Is `typed` the same person's name as the book's `known`? */
static bool same_person(const char *known, const char *typed) {
  g_autoptr(TgPeople) p = tg_people_new(1);
  tg_people_add(p, 7, known, "x@example.org");
  tg_people_freeze(p);
  TgPersonName n;
  if (!tg_person_name_parse(typed, &n))
    return false;
  g_autoptr(GArray) ids = g_array_new(FALSE, FALSE, sizeof(guint));
  tg_people_lookup_name(p, &n, ids);
  tg_person_name_clear(&n);
  return ids->len == 1 && g_array_index(ids, guint, 0) == 7;
}

START_TEST(name_normalisation) {
  static const struct {
    const char *known, *typed;
    bool same;
  } rows[] = {
      {"John Smith", "John Smith", true},
      {"John Smith", "john smith", true},
      {"John Smith", "  JOHN   SMITH ", true},
      {"John Smith", "Smith, John", true},
      {"Smith, John", "John Smith", true},
      {"Smith,John", "John Smith", true},
      {"John Smith", "J. Smith", true},
      {"John Smith", "J Smith", true},
      {"J. Smith", "John Smith", true},
      {"John Smith", "John Q. Smith", true},
      {"John Q. Smith", "John Smith", true},
      {"John Smith", "Smith, J.", true},
      {"José Müller", "Jose Muller", true},
      {"Jose Muller", "JOSÉ MÜLLER", true},
      {"José Müller", "Jose\xcc\x81 Mu\xcc\x88ller", true}, /* decomposed input */
      {"Søren Kierkegaard", "Soren Kierkegaard", true},
      {"Łukasz Żak", "Lukasz Zak", true},
      {"Françoise Dœuf", "Francoise Doeuf", true},
      {"Ｊｏｈｎ Ｓｍｉｔｈ", "John Smith", true}, /* full-width forms (NFKD) */
      {"Seán O'Brien", "Sean OBrien", true},
      {"Seán O’Brien", "Sean O'Brien", true},
      {"Jean-Luc Picard", "Jean Luc Picard", true},
      {"Strauß, Anna", "Anna Strauss", true},
      {"Иван Петров", "иван петров", true},
      /* transliterations: any spelling of one equals any spelling of the other */
      {"Jürgen Müller", "Juergen Mueller", true},
      {"Jürgen Müller", "Jurgen Muller", true},
      {"Jörg Müller", "Joerg Muller", true}, /* each word spelled its own way */
      {"Joerg Mueller", "Jörg Müller", true},
      {"Øyvind Ødegård", "Oeyvind Oedegaard", true},
      {"Øyvind Ødegård", "Oyvind Odegard", true},
      {"Åsa Ström", "Aasa Stroem", true},
      {"Дмитрий Иванов", "Dmitry Ivanov", true},
      {"Dmitrii Ivanov", "Дмитрий Иванов", true}, /* ICAO, the passport spelling */
      {"Дмитрий Иванов", "Dmitri Ivanov", true},
      {"Дмитрий Иванов", "Dmitriy Ivanov", true},
      {"Сергей Кузнецов", "Sergei Kuznetsov", true},
      {"Сергей Кузнецов", "Sergey Kuznetsov", true},
      {"Юлия Соловьёва", "Yulia Solovyova", true},
      {"Мария Иванова", "Maria Ivanova", true},
      {"Юлия Соловьёва", "Yuliya Solovyova", true},
      {"Юлия Соловьёва", "Iuliia Soloveva", true},
      {"Олександр Шевченко", "Oleksandr Shevchenko", true},
      {"王小明", "王小明", true},
      {"王小明", "王 小明", true}, /* a space typed inside is not a word break */
      {"山田太郎", "山田太郎", true},
      {"김민준", "김민준", true},
      {"さとう はなこ", "さとうはなこ", true},
      /* still exact, and still not a namesake */
      {"Hans Mueller", "Hans Muller", false}, /* plain ASCII: two spellings, maybe two people */
      {"Sue Lee", "Su Lee", false},
      {"Dmitry Ivanov", "Dmitri Ivanov", false}, /* only the Cyrillic original ties them */
      {"王小明", "王小红", false},
      {"だいすけ たなか", "たいすけ たなか", false}, /* the voicing mark is kept */
      {"王小明", "王", false},                       /* one character is a surname */
      {"王小明", "小明", false},
      {"山田太郎", "山田", false},
      {"総務課", "総務課", false}, /* a department, not a person */
      {"고객센터", "고객센터", false},
      {"김민준", "Kim Minjun", false}, /* no romanisation of Han or Hangul */
      /* not the same person: no fuzzy matching */
      {"John Smith", "Jon Smith", false},
      {"John Smith", "John Smyth", false},
      {"John Smith", "Johnny Smith", false},
      {"John Smith", "Smith John", false},
      {"John Smith", "John Smith-Jones", false},
      {"John Smith", "Jane Smith", false},
      {"John Smith", "John", false},
      {"John Smith", "Smith", false},
      {"John Smith", "john.smith@gmail.com", false},
      {"John Smith", "", false},
      {"J. Smith", "Jane Doe", false},
      {"John Smith", "J. S.", false},
      {"Support", "Support", false},        /* one word names nobody */
      {"Иван Петров", "Ivan Petrov", true}, /* transliterated */
  };
  for (size_t i = 0; i < G_N_ELEMENTS(rows); i++)
    ck_assert_msg(same_person(rows[i].known, rows[i].typed) == rows[i].same,
                  "\"%s\" vs \"%s\": expected %s", rows[i].known, rows[i].typed,
                  rows[i].same ? "same" : "different");
}
END_TEST

START_TEST(local_parts) {
  static const struct {
    const char *local;
    const char *key;     /* tg_people_local_key, or NULL */
    const char *spelled; /* tg_person_name_from_local's full name, or NULL */
  } rows[] = {
      {"john.smith", "johnsmith", "john smith"},
      {"John.Smith+home", "johnsmith", "john smith"},
      {"john_smith@gmail.com", "johnsmith", "john smith"},
      {"john-smith", "johnsmith", "john smith"},
      {"j.smith", "jsmith", "j smith"},
      {"johnsmith", "johnsmith", NULL},
      {"jsmith84", "jsmith84", NULL},
      {"ops", NULL, NULL},
      {"js", NULL, NULL},
      {"a.b", NULL, NULL},
      {"john..smith", "johnsmith", "john smith"},
  };
  for (size_t i = 0; i < G_N_ELEMENTS(rows); i++) {
    g_autofree char *key = tg_people_local_key(rows[i].local);
    ck_assert_msg(g_strcmp0(key, rows[i].key) == 0, "%s: key %s", rows[i].local,
                  key ? key : "NULL");
    TgPersonName n;
    bool ok = tg_person_name_from_local(rows[i].local, &n);
    ck_assert_msg(ok == (rows[i].spelled != NULL), "%s: spelled %d", rows[i].local, ok);
    if (ok)
      ck_assert_str_eq(n.full[0], rows[i].spelled);
    tg_person_name_clear(&n);
  }
}
END_TEST

/* Lookups return every match in id order, and role mailboxes never enter the local index. */
START_TEST(people_index) {
  g_autoptr(TgPeople) p = tg_people_new(0); /* grows as needed */
  tg_people_add(p, 0, "John Smith", "john.smith@army.mil");
  tg_people_add(p, 1, "Jane Smith", "jane.smith@army.mil");
  tg_people_add(p, 2, "Smith, John", "jsmith@acme.com");
  tg_people_add(p, 3, NULL, "support@army.mil");
  tg_people_add(p, 4, NULL, "mary.major@army.mil");
  g_autoptr(GPtrArray) keep = g_ptr_array_new_with_free_func(g_free); /* the index borrows */
  for (guint i = 5; i < 5000; i++) {
    char *name = g_strdup_printf("Person%u Family%u", i, i % 97);
    char *addr = g_strdup_printf("p%u@example.org", i);
    g_ptr_array_add(keep, name);
    g_ptr_array_add(keep, addr);
    tg_people_add(p, i, name, addr);
  }
  tg_people_freeze(p);
  g_autoptr(GArray) ids = g_array_new(FALSE, FALSE, sizeof(guint));
  TgPersonName n;
  ck_assert(tg_person_name_parse("J. Smith", &n));
  tg_people_lookup_name(p, &n, ids);
  tg_person_name_clear(&n);
  ck_assert_uint_eq(ids->len, 3);
  ck_assert_uint_eq(g_array_index(ids, guint, 0), 0);
  ck_assert_uint_eq(g_array_index(ids, guint, 1), 1);
  ck_assert_uint_eq(g_array_index(ids, guint, 2), 2);
  g_array_set_size(ids, 0);
  ck_assert(tg_person_name_parse("John Smith", &n));
  tg_people_lookup_name(p, &n, ids);
  tg_person_name_clear(&n);
  ck_assert_uint_eq(ids->len, 2);
  g_array_set_size(ids, 0);
  ck_assert(tg_person_name_parse("Person4321 Family53", &n));
  tg_people_lookup_name(p, &n, ids);
  tg_person_name_clear(&n);
  ck_assert_uint_eq(ids->len, 1);
  ck_assert_uint_eq(g_array_index(ids, guint, 0), 4321);
  g_array_set_size(ids, 0);
  tg_people_lookup_local(p, "support", ids);
  ck_assert_uint_eq(ids->len, 0);
  tg_people_lookup_local(p, "marymajor", ids);
  ck_assert_uint_eq(ids->len, 1);
  ck_assert_uint_eq(g_array_index(ids, guint, 0), 4);
}
END_TEST

/* The address book's fast split (context.c) reads display names exactly as the RFC 5322 parser
 * does, for the shapes it takes on itself and for those it hands over. */
START_TEST(book_split_matches_parser) {
  static const char *const rows[] = {
      "John Smith <john.smith@army.mil>",
      "  John   Smith   <John.Smith@Army.MIL>  ",
      "\"Smith, John\" <john.smith@army.mil>",
      "\" Smith, John \" <john.smith@army.mil>",
      "José Müller <jose.muller@bwi.de>",
      "\"Müller, José\" <jose.muller@bwi.de>",
      "Zoë Ångström <zoe@acme-corp.com>",
      "Иван Петров <ivan@example.ru>",
      "\"O'Brien, Seán\" <sean@example.ie>",
      "=?UTF-8?Q?Jos=C3=A9_M=C3=BCller?= <jose.muller@bwi.de>",
      "\"Smith \\\"Jack\\\" John\" <john.smith@army.mil>",
      "John (Army) Smith <john.smith@army.mil>",
      "\"\" <nobody@example.org>",
      "john.smith@army.mil",
      "<john.smith@army.mil>",
      "Dr. John Smith <john.smith@army.mil>",
  };
  for (size_t i = 0; i < G_N_ELEMENTS(rows); i++) {
    g_autofree char *addr = NULL, *dom = NULL, *name = NULL;
    ck_assert_msg(tg_context_split_address(rows[i], &addr, &dom, &name), "%s", rows[i]);
    g_autoptr(TgMailbox) mb = tg_mailbox_parse(rows[i], strlen(rows[i]), NULL);
    ck_assert_msg(mb != NULL, "%s", rows[i]);
    ck_assert_msg(
        g_strcmp0(name, mb->display_name && *mb->display_name ? mb->display_name : NULL) == 0,
        "%s: split \"%s\", parser \"%s\"", rows[i], name ? name : "(null)",
        mb->display_name ? mb->display_name : "(null)");
    g_autofree char *local = g_utf8_strdown(mb->local, -1);
    g_autofree char *domain = tg_context_normalise_domain(mb->domain);
    g_autofree char *want = g_strconcat(local, "@", domain, NULL);
    ck_assert_str_eq(addr, want);
    ck_assert_str_eq(dom, domain);
  }
}
END_TEST

/* ---- co-recipient patterns in the context ---------------------------------------------------- */

START_TEST(corecipients) {
  g_autoptr(TgContext) ctx = tg_context_new(psl);
  const char *msg1[] = {"Ops <OPS@Army.MIL>", "john.smith@army.mil", "not an address",
                        "ops@army.mil"};
  tg_context_add_corecipients(ctx, msg1, G_N_ELEMENTS(msg1), 1);
  const char *msg2[] = {"john.smith@army.mil", "ops@army.mil"};
  tg_context_add_corecipients(ctx, msg2, 2, 2);
  ck_assert_uint_eq(tg_context_together(ctx, "ops@army.mil", "john.smith@army.mil"), 3);
  ck_assert_uint_eq(tg_context_together(ctx, "john.smith@army.mil", "ops@army.mil"), 3);
  ck_assert_uint_eq(tg_context_together(ctx, "ops@army.mil", "ops@army.mil"), 0);
  ck_assert_uint_eq(ctx->n_pairs, 1);

  /* A mailing is not a working group: more than TG_MAX_PATTERN_ADDRESSES distinct addresses. */
  g_autoptr(GPtrArray) big = g_ptr_array_new_with_free_func(g_free);
  for (unsigned i = 0; i <= TG_MAX_PATTERN_ADDRESSES; i++)
    g_ptr_array_add(big, g_strdup_printf("member%u@list.example", i));
  tg_context_add_corecipients(ctx, (const char *const *)big->pdata, big->len, 1);
  ck_assert_uint_eq(tg_context_together(ctx, "member0@list.example", "member1@list.example"), 0);
  ck_assert_uint_eq(ctx->n_pairs, 1);
  /* One fewer is a group: every pair counts. */
  tg_context_add_corecipients(ctx, (const char *const *)big->pdata, big->len - 1, 1);
  ck_assert_uint_eq(tg_context_together(ctx, "member0@list.example", "member49@list.example"), 1);
  ck_assert_uint_eq(ctx->n_pairs,
                    1 + (TG_MAX_PATTERN_ADDRESSES * (TG_MAX_PATTERN_ADDRESSES - 1)) / 2);
}
END_TEST

/* Once TG_CONTEXT_MAX_PAIRS pairs are held, new pairs and addresses are refused and known pairs
 * still count up: a long-running host's memory stays bounded. */
START_TEST(corecipients_bounded) {
  g_autoptr(TgContext) ctx = tg_context_new(psl);
  const unsigned group = TG_MAX_PATTERN_ADDRESSES, per = group * (group - 1) / 2;
  g_autoptr(GPtrArray) set = g_ptr_array_new_with_free_func(g_free);
  for (unsigned m = 0; ctx->n_pairs < TG_CONTEXT_MAX_PAIRS; m++) {
    g_ptr_array_set_size(set, 0);
    for (unsigned i = 0; i < group; i++)
      g_ptr_array_add(set, g_strdup_printf("p%u@g%u.example", i, m));
    tg_context_add_corecipients(ctx, (const char *const *)set->pdata, set->len, 1);
    ck_assert_uint_le(ctx->n_pairs, TG_CONTEXT_MAX_PAIRS);
    ck_assert_uint_lt(m, TG_CONTEXT_MAX_PAIRS / per + 2);
  }
  guint addresses = ctx->pair_addrs->len;
  const char *fresh[] = {"new1@fresh.example", "new2@fresh.example"};
  tg_context_add_corecipients(ctx, fresh, 2, 1);
  ck_assert_uint_eq(tg_context_together(ctx, fresh[0], fresh[1]), 0);
  ck_assert_uint_eq(ctx->pair_addrs->len, addresses);
  const char *known[] = {"p0@g0.example", "p1@g0.example"};
  tg_context_add_corecipients(ctx, known, 2, 4);
  ck_assert_uint_eq(tg_context_together(ctx, known[0], known[1]), 5);
  ck_assert_uint_eq(ctx->n_pairs, TG_CONTEXT_MAX_PAIRS);
}
END_TEST

/* The check must stay cheap with a large address book: names are indexed once per request. */
START_TEST(large_book_is_cheap) {
  g_autoptr(TgContext) ctx = tg_context_new(psl);
  g_autoptr(GPtrArray) book = g_ptr_array_new_with_free_func(g_free);
  for (int i = 0; i < 10000; i++)
    g_ptr_array_add(book, g_strdup_printf("Given%d Family%d <given%d.family%d@army.mil>", i,
                                          i % 300, i, i % 300));
  g_ptr_array_add(book, g_strdup("John Smith <john.smith@army.mil>"));
  g_autoptr(GPtrArray) rc = g_ptr_array_new_with_free_func(g_free);
  for (int i = 0; i < 19; i++)
    g_ptr_array_add(rc, g_strdup_printf("Given%d Family%d <given%d.family%d@army.mil>", i * 7,
                                        (i * 7) % 300, i * 7, (i * 7) % 300));
  g_ptr_array_add(rc, g_strdup("John Smith <john.smith@gmail.com>"));
  TgRecipient r[20];
  for (guint i = 0; i < 20; i++)
    r[i] = (TgRecipient){TG_FIELD_TO, g_ptr_array_index(rc, i)};
  TgRequest req;
  tg_request_init(&req);
  req.sender = "jane@army.mil";
  req.recipients = r;
  req.n_recipients = 20;
  req.known_addresses = (TgStrings){(const char *const *)book->pdata, book->len};
  gint64 t0 = cpu_us();
  g_autoptr(TgResult) res = tg_check(ctx, &req);
  gint64 dt = cpu_us() - t0;
  ck_assert_int_eq(res->verdict, TG_SEVERITY_WARN);
  unsigned n = 0;
  for (guint i = 0; i < res->findings->len; i++) {
    const TgFinding *f = g_ptr_array_index(res->findings, i);
    if (f->code == TG_CODE_WRONG_ADDRESS) {
      n++;
      ck_assert_uint_eq(f->recipient, 19);
      ck_assert_str_eq(f->suggestion, "john.smith@army.mil");
    }
  }
  ck_assert_uint_eq(n, 1);
  ck_assert_int_lt(dt, 2 * G_USEC_PER_SEC); /* generous: sanitizer builds on a busy CI machine */
}
END_TEST

/* One name shared by a whole address book: every contact is a candidate, and the rule must stay
 * linear in them (and abstain: no one of them fits better). Timed against a tenth of the book. */
static gint64 namesakes_check_us(guint n, bool *silent) {
  g_autoptr(TgContext) ctx = tg_context_new(psl);
  g_autoptr(GPtrArray) book = g_ptr_array_new_with_free_func(g_free);
  for (guint i = 0; i < n; i++)
    g_ptr_array_add(book, g_strdup_printf("John Smith <john.smith@org%u.example>", i));
  TgRecipient r[2] = {{TG_FIELD_TO, "ops@other.example"},
                      {TG_FIELD_TO, "John Smith <js@gmail.com>"}};
  TgRequest req;
  tg_request_init(&req);
  req.sender = "jane@other.example";
  req.recipients = r;
  req.n_recipients = 2;
  req.known_addresses = (TgStrings){(const char *const *)book->pdata, book->len};
  gint64 t0 = cpu_us();
  g_autoptr(TgResult) res = tg_check(ctx, &req);
  gint64 dt = cpu_us() - t0;
  *silent = true;
  for (guint i = 0; i < res->findings->len; i++)
    if (((const TgFinding *)g_ptr_array_index(res->findings, i))->code == TG_CODE_WRONG_ADDRESS)
      *silent = false;
  return dt;
}

START_TEST(namesakes_stay_linear) {
  bool silent_small, silent_large;
  gint64 small = namesakes_check_us(1000, &silent_small);
  gint64 large = namesakes_check_us(10000, &silent_large);
  ck_assert(silent_small && silent_large); /* 10,000 John Smiths: which one is a guess */
  /* Linear: ten times the book, about ten times the time; quadratic would be a hundred. */
  ck_assert_msg(large < 40 * MAX(small, 1000),
                "1,000 namesakes %" G_GINT64_FORMAT " us, 10,000 %" G_GINT64_FORMAT " us", small,
                large);
}
END_TEST

/* The people index itself with one name shared by the whole book (issue 15, item 3: 100,000
 * John Smiths took 14.9 s, linear probing clustering on one key): built and asked in well under
 * a second, growing linearly from 10,000, and a crowded name answers false with nothing. */
static gint64 people_crowd_us(guint n) {
  g_autoptr(GPtrArray) keep = g_ptr_array_new_with_free_func(g_free);
  gint64 t0 = cpu_us();
  g_autoptr(TgPeople) p = tg_people_new(n);
  for (guint i = 0; i < n; i++) {
    char *addr = g_strdup_printf("john.smith@org%u.example", i);
    g_ptr_array_add(keep, addr);
    tg_people_add(p, i, "John Smith", addr);
  }
  tg_people_freeze(p);
  g_autoptr(GArray) ids = g_array_new(FALSE, FALSE, sizeof(guint));
  const char *const asked[] = {"John Smith", "J. Smith", "Smith, John", "John Q. Smith"};
  for (guint i = 0; i < 1000; i++) {
    TgPersonName name;
    ck_assert(tg_person_name_parse(asked[i % G_N_ELEMENTS(asked)], &name));
    ck_assert(!tg_people_lookup_name(p, &name, ids));
    tg_person_name_clear(&name);
    ck_assert(!tg_people_lookup_local(p, "johnsmith", ids));
  }
  ck_assert_uint_eq(ids->len, 0);
  return cpu_us() - t0;
}

START_TEST(people_crowded_name) {
  gint64 small = people_crowd_us(10000), large = people_crowd_us(100000);
  g_printerr("people index, one name: 10,000 contacts %.3f s, 100,000 %.3f s CPU\n",
             (double)small / 1e6, (double)large / 1e6);
  ck_assert_msg(large < 2 * G_USEC_PER_SEC, "100,000 namesakes: %" G_GINT64_FORMAT " us", large);
  ck_assert_msg(large < 30 * MAX(small, 1000),
                "10,000 %" G_GINT64_FORMAT " us, 100,000 %" G_GINT64_FORMAT " us", small, large);
}
END_TEST

/* Up to TG_PEOPLE_MAX_NAMESAKES contacts sharing a name are all found; one more, none. */
START_TEST(people_namesake_cap) {
  for (guint k = TG_PEOPLE_MAX_NAMESAKES; k <= TG_PEOPLE_MAX_NAMESAKES + 1; k++) {
    g_autoptr(GPtrArray) keep = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(TgPeople) p = tg_people_new(k);
    for (guint i = 0; i < k; i++) {
      char *addr = g_strdup_printf("mary.major@org%u.example", i);
      g_ptr_array_add(keep, addr);
      tg_people_add(p, i, i % 2 ? "Major, Mary" : "Mary Major", addr);
    }
    tg_people_add(p, k, "Mary Minor", "mary.minor@org0.example");
    tg_people_freeze(p);
    g_autoptr(GArray) ids = g_array_new(FALSE, FALSE, sizeof(guint));
    TgPersonName name;
    ck_assert(tg_person_name_parse("Mary Major", &name));
    bool ok = tg_people_lookup_name(p, &name, ids);
    tg_person_name_clear(&name);
    ck_assert(ok == (k <= TG_PEOPLE_MAX_NAMESAKES));
    ck_assert_uint_eq(ids->len, ok ? k : 0);
    ck_assert(tg_people_lookup_local(p, "marymajor", ids) == ok);
    ck_assert_uint_eq(ids->len, ok ? 2 * k : 0);
  }
}
END_TEST

/* TG_PERSON_MAX_FORMS: a name whose words' spellings combine into more keys than that keeps one
 * spelling per system (all words alike), so it still matches a consistently written form. */
START_TEST(spellings_bounded) {
  const char *many = "Юрий Дмитрий Ёлкин Юдин Василий"; /* 5 words, each spelled 2-4 ways */
  TgPersonName n;
  ck_assert(tg_person_name_parse(many, &n));
  ck_assert_uint_ge(n.n, 2);
  ck_assert_uint_le(n.n, TG_PERSON_MAX_FORMS);
  tg_person_name_clear(&n);
  ck_assert(same_person(many, "Iurii Dmitrii Elkin Iudin Vasilii")); /* ICAO throughout */
  ck_assert(same_person(many, "Yury Dmitry Yolkin Yudin Vasily"));   /* English throughout */
  ck_assert(!same_person(many, "Iurii Dmitry Elkin Yudin Vasily"));  /* mixed: beyond the bound */
  ck_assert(tg_person_name_parse("Jörg Müller", &n));
  ck_assert_uint_eq(n.n, 4); /* two words, two spellings each: every combination */
  tg_person_name_clear(&n);
}
END_TEST

/* The issue-14 entry: an unquoted "Last, First" name is one mailbox, never a syntax block. */
START_TEST(last_first_is_no_syntax) {
  g_autoptr(TgContext) ctx = tg_context_new(psl);
  const char *entries[] = {"Smith, John <john.smith@yahoo.com>",
                           "Smith, John, Jr. <john.smith@yahoo.com>",
                           "Doe, Jane <jane@example.org>, Smith, John <john.smith@yahoo.com>"};
  for (size_t k = 0; k < G_N_ELEMENTS(entries); k++) {
    TgRecipient r = {TG_FIELD_TO, entries[k]};
    TgRequest req;
    tg_request_init(&req);
    req.sender = "jane@army.mil";
    req.recipients = &r;
    req.n_recipients = 1;
    g_autoptr(TgResult) res = tg_check(ctx, &req);
    for (guint i = 0; i < res->findings->len; i++)
      ck_assert_msg(((const TgFinding *)g_ptr_array_index(res->findings, i))->code !=
                        TG_CODE_SYNTAX,
                    "%s", entries[k]);
  }
}
END_TEST

/* ---- co-recipient pairs in the history store (host/src/history.c) ---------------------------- */

static void remove_tree(const char *path);

static char *pairs_file(const char *dir) {
  return g_build_filename(dir, "corecipients", NULL);
}

static void learn_at(TgHistory *h, gint64 now, const char *const *addrs, size_t n) {
  g_autoptr(GError) err = NULL;
  unsigned count = 0;
  ck_assert_msg(tg_history_learn_at(h, addrs, n, now, &count, &err), "%s", err ? err->message : "");
}

START_TEST(history_pairs) {
  g_autofree char *dir = g_dir_make_tmp("tg-pairs-XXXXXX", NULL);
  g_autofree char *path = pairs_file(dir);
  {
    g_autoptr(TgHistory) h = tg_history_open(dir, NULL);
    const char *one[] = {"solo@army.mil"};
    learn_at(h, 50, one, 1);
    ck_assert(!g_file_test(path, G_FILE_TEST_EXISTS)); /* one address: no pair, no write */
    const char *msg[] = {"Ops@Army.MIL", "john.smith@gmail.com", "jane@army.mil", "ops@army.mil"};
    learn_at(h, 100, msg, G_N_ELEMENTS(msg));
    const char *again[] = {"jane@army.mil", "ops@army.mil"};
    learn_at(h, 200, again, 2);
    ck_assert_uint_eq(tg_history_pair_count(h), 3);
  }
  g_autoptr(TgHistory) h = tg_history_open(dir, NULL);
  unsigned count = 0;
  gint64 last = 0;
  ck_assert(tg_history_lookup_pair(h, "ops@army.mil", "jane@army.mil", &count, &last));
  ck_assert_uint_eq(count, 2);
  ck_assert_int_eq(last, 200);
  ck_assert(tg_history_lookup_pair(h, "john.smith@gmail.com", "OPS@army.mil", &count, &last));
  ck_assert_uint_eq(count, 1);
  ck_assert_int_eq(last, 100);
  ck_assert(!tg_history_lookup_pair(h, "solo@army.mil", "ops@army.mil", NULL, NULL));
  ck_assert(!tg_history_lookup_pair(h, "ops@army.mil", "ops@army.mil", NULL, NULL));
  g_autofree char *text = NULL;
  ck_assert(g_file_get_contents(path, &text, NULL, NULL));
  ck_assert_msg(g_str_has_prefix(text, "typoguard-history 1\n") &&
                    strstr(text, "\np\tjane@army.mil\tops@army.mil\t2\t200\n") &&
                    strstr(text, "\np\tjane@army.mil\tjohn.smith@gmail.com\t1\t100\n") &&
                    g_str_has_suffix(text, "\nend\t3\n"),
                "%s", text);
  /* The address file keeps exactly its earlier shape: no pair records in it. */
  g_autofree char *main_path = g_build_filename(dir, "history", NULL);
  g_autofree char *main_text = NULL;
  ck_assert(g_file_get_contents(main_path, &main_text, NULL, NULL));
  ck_assert(strstr(main_text, "\np\t") == NULL);

  /* Applied to a context: the detector sees the counts. */
  g_autoptr(TgContext) ctx = tg_context_new(psl);
  tg_history_apply(h, ctx);
  ck_assert_uint_eq(tg_context_together(ctx, "ops@army.mil", "jane@army.mil"), 2);
  ck_assert_uint_eq(tg_context_together(ctx, "john.smith@gmail.com", "ops@army.mil"), 1);
  remove_tree(dir);
}
END_TEST

/* A mailing adds no pairs; a full store drops its least recently used pair. */
START_TEST(history_pairs_bounded) {
  g_autofree char *dir = g_dir_make_tmp("tg-pairs-XXXXXX", NULL);
  g_autofree char *path = pairs_file(dir);
  {
    g_autoptr(TgHistory) h = tg_history_open(dir, NULL);
    g_autoptr(GPtrArray) big = g_ptr_array_new_with_free_func(g_free);
    for (unsigned i = 0; i <= TG_MAX_PATTERN_ADDRESSES; i++)
      g_ptr_array_add(big, g_strdup_printf("member%u@list.example", i));
    learn_at(h, 10, (const char *const *)big->pdata, big->len);
    ck_assert_uint_eq(tg_history_pair_count(h), 0);
    ck_assert_uint_eq(tg_history_address_count(h), TG_MAX_PATTERN_ADDRESSES + 1);
  }
  GString *s = g_string_new("typoguard-history 1\n");
  for (unsigned i = 0; i < TG_HISTORY_MAX_PAIRS; i++)
    g_string_append_printf(s, "p\ta%05u@x.example\tb%05u@x.example\t1\t%u\n", i, i, 1000 + i);
  g_string_append_printf(s, "end\t%u\n", TG_HISTORY_MAX_PAIRS);
  ck_assert(g_file_set_contents(path, s->str, -1, NULL));
  g_string_free(s, TRUE);
  g_autoptr(TgHistory) h = tg_history_open(dir, NULL);
  ck_assert_uint_eq(tg_history_pair_count(h), TG_HISTORY_MAX_PAIRS);
  const char *fresh[] = {"new1@y.example", "new2@y.example"};
  learn_at(h, 1000000, fresh, 2);
  ck_assert_uint_eq(tg_history_pair_count(h), TG_HISTORY_MAX_PAIRS);
  ck_assert(tg_history_lookup_pair(h, "new1@y.example", "new2@y.example", NULL, NULL));
  ck_assert(!tg_history_lookup_pair(h, "a00000@x.example", "b00000@x.example", NULL, NULL));
  ck_assert(tg_history_lookup_pair(h, "a00001@x.example", "b00001@x.example", NULL, NULL));
  remove_tree(dir);
}
END_TEST

/* A damaged pairs file keeps what parses, is copied aside, and heals on the next learn. */
START_TEST(history_pairs_damaged) {
  g_autofree char *dir = g_dir_make_tmp("tg-pairs-XXXXXX", NULL);
  g_autofree char *path = pairs_file(dir);
  ck_assert(g_file_set_contents(path,
                                "typoguard-history 1\n"
                                "p\ta@x.example\tb@x.example\t4\t100\n"
                                "p\tb@x.example\ta@x.example\t1\t100\n" /* not in order */
                                "p\tA@x.example\tc@x.example\t1\t100\n" /* not normalised */
                                "p\ta@x.example\tc@x.example\tmany\t100\n"
                                "p\ta@x.example\td@x.exa",
                                -1, NULL));
  g_autoptr(TgHistory) h = tg_history_open(dir, NULL);
  ck_assert_uint_eq(tg_history_pair_count(h), 1);
  ck_assert_uint_ge(tg_history_dropped(h), 4);
  const char *msg[] = {"a@x.example", "e@x.example"};
  learn_at(h, 200, msg, 2);
  g_autofree char *bad = g_build_filename(dir, "corecipients.bad", NULL);
  ck_assert(g_file_test(bad, G_FILE_TEST_EXISTS));
  g_autoptr(TgHistory) again = tg_history_open(dir, NULL);
  ck_assert_uint_eq(tg_history_dropped(again), 0);
  ck_assert(!tg_history_truncated(again));
  unsigned count = 0;
  ck_assert(tg_history_lookup_pair(again, "b@x.example", "a@x.example", &count, NULL));
  ck_assert_uint_eq(count, 4);
  ck_assert(tg_history_lookup_pair(again, "a@x.example", "e@x.example", NULL, NULL));
  remove_tree(dir);
}
END_TEST

/* ---- through the host: frames and the command line ------------------------------------------ */

static char *scratch;

static void host_setup(void) {
  setup();
  scratch = g_dir_make_tmp("tg-wrongaddr-XXXXXX", NULL);
  ck_assert_ptr_nonnull(scratch);
  g_autofree char *data = g_build_filename(scratch, "data", NULL);
  g_autofree char *config = g_build_filename(scratch, "config", NULL);
  g_autofree char *policy = g_build_filename(scratch, "no-policy.conf", NULL);
  g_setenv("XDG_DATA_HOME", data, TRUE);
  g_setenv("XDG_CONFIG_HOME", config, TRUE);
  g_setenv("TYPOGUARD_POLICY", policy, TRUE);
}

static void remove_tree(const char *path) {
  GDir *d = g_dir_open(path, 0, NULL);
  if (d) {
    const char *name;
    while ((name = g_dir_read_name(d)) != NULL) {
      g_autofree char *p = g_build_filename(path, name, NULL);
      remove_tree(p);
    }
    g_dir_close(d);
  }
  g_remove(path);
}

static void host_teardown(void) {
  remove_tree(scratch);
  g_clear_pointer(&scratch, g_free);
  teardown();
}

static const char check_frame[] =
    "{\"type\":\"check\",\"id\":7,\"sender\":\"Jane Roe <jane@army.mil>\","
    "\"recipients\":[{\"field\":\"to\",\"address\":\"ops@army.mil\"},"
    "{\"field\":\"cc\",\"address\":\"John Smith <john.smith@gmail.com>\"}],"
    "\"known\":{\"addresses\":[\"John Smith <john.smith@army.mil>\",\"Ops <ops@army.mil>\"]}}";

/* The wrong_address findings of a reply (a cJSON array the caller frees). */
static cJSON *wrong_address_findings(TgSession *s, const char *frame) {
  size_t len = 0;
  g_autofree char *reply = tg_session_handle(s, frame, strlen(frame), &len);
  cJSON *root = cJSON_ParseWithLength(reply, len);
  ck_assert_msg(root != NULL, "%s", reply);
  ck_assert_str_eq(cJSON_GetObjectItem(root, "type")->valuestring, "result");
  cJSON *out = cJSON_CreateArray();
  const cJSON *f;
  cJSON_ArrayForEach(f, cJSON_GetObjectItem(root, "findings")) {
    if (strcmp(cJSON_GetObjectItem(f, "code")->valuestring, "wrong_address") == 0)
      cJSON_AddItemToArray(out, cJSON_Duplicate(f, true));
  }
  cJSON_Delete(root);
  return out;
}

START_TEST(protocol_learns_and_remembers) {
  {
    g_autoptr(TgSession) s = tg_session_new(NULL);
    ck_assert_ptr_nonnull(s->history);
    /* The acceptance case. */
    g_autoptr(cJSON) wa = wrong_address_findings(s, check_frame);
    ck_assert_int_eq(cJSON_GetArraySize(wa), 1);
    const cJSON *f = cJSON_GetArrayItem(wa, 0);
    ck_assert_int_eq(cJSON_GetObjectItem(f, "recipient")->valueint, 1);
    ck_assert_str_eq(cJSON_GetObjectItem(f, "field")->valuestring, "cc");
    ck_assert_str_eq(cJSON_GetObjectItem(f, "severity")->valuestring, "warn");
    ck_assert_str_eq(cJSON_GetObjectItem(f, "address")->valuestring, "john.smith@gmail.com");
    ck_assert_str_eq(cJSON_GetObjectItem(f, "suggestion")->valuestring, "john.smith@army.mil");
    ck_assert_str_eq(cJSON_GetObjectItem(f, "replacement")->valuestring,
                     "John Smith <john.smith@army.mil>");
    ck_assert_str_eq(cJSON_GetObjectItem(f, "message")->valuestring,
                     "This is a personal address of John Smith. Did you mean john.smith@army.mil?");

    /* The user sends it anyway: learn the message's addresses. From now on this is habitual. */
    static const char learn[] = "{\"type\":\"learn\",\"id\":8,\"addresses\":[\"ops@army.mil\","
                                "\"John Smith <john.smith@gmail.com>\"]}";
    size_t len = 0;
    g_autofree char *reply = tg_session_handle(s, learn, strlen(learn), &len);
    ck_assert_msg(strstr(reply, "\"learned\"") && strstr(reply, "\"count\":2"), "%s", reply);
    g_autoptr(cJSON) after = wrong_address_findings(s, check_frame);
    ck_assert_int_eq(cJSON_GetArraySize(after), 0);
  }
  /* The pattern was saved in the history folder, beside the addresses, and a new host reads
   * it back. */
  g_autofree char *path = g_build_filename(scratch, "data", "typoguard", "corecipients", NULL);
  g_autofree char *text = NULL;
  ck_assert(g_file_get_contents(path, &text, NULL, NULL));
  ck_assert_msg(g_str_has_prefix(text, "typoguard-history 1\n") &&
                    strstr(text, "\np\tjohn.smith@gmail.com\tops@army.mil\t1\t") != NULL &&
                    g_str_has_suffix(text, "\nend\t1\n"),
                "%s", text);
  {
    g_autoptr(TgSession) s = tg_session_new(NULL);
    g_autoptr(cJSON) wa = wrong_address_findings(s, check_frame);
    ck_assert_int_eq(cJSON_GetArraySize(wa), 0);
    /* Other colleagues than the learned ones: the slip is caught again. */
    static const char other[] =
        "{\"type\":\"check\",\"sender\":\"jane@army.mil\","
        "\"recipients\":[{\"field\":\"to\",\"address\":\"hq@army.mil\"},"
        "{\"field\":\"to\",\"address\":\"John Smith <john.smith@gmail.com>\"}],"
        "\"known\":{\"addresses\":[\"John Smith <john.smith@army.mil>\"]}}";
    g_autoptr(cJSON) again = wrong_address_findings(s, other);
    ck_assert_int_eq(cJSON_GetArraySize(again), 1);
  }
}
END_TEST

START_TEST(protocol_negatives_stay_silent) {
  g_autoptr(TgSession) s = tg_session_new(NULL);
  static const char *const frames[] = {
      /* personal recipients, from a personal address */
      "{\"type\":\"check\",\"sender\":\"jane@gmail.com\",\"recipients\":["
      "{\"field\":\"to\",\"address\":\"mary@yahoo.com\"},"
      "{\"field\":\"to\",\"address\":\"John Smith <john.smith@gmail.com>\"}],"
      "\"known\":{\"addresses\":[\"John Smith <john.smith@army.mil>\"]}}",
      /* two people of one name, the message at the chosen one's organisation */
      "{\"type\":\"check\",\"sender\":\"me@acme.com\",\"recipients\":["
      "{\"field\":\"to\",\"address\":\"bob@acme.com\"},"
      "{\"field\":\"to\",\"address\":\"John Smith <jsmith@acme.com>\"}],"
      "\"known\":{\"addresses\":[\"John Smith <john.smith@army.mil>\"]}}",
      /* a loosely similar name */
      "{\"type\":\"check\",\"sender\":\"jane@army.mil\",\"recipients\":["
      "{\"field\":\"to\",\"address\":\"ops@army.mil\"},"
      "{\"field\":\"to\",\"address\":\"Jon Smith <jon.smith@gmail.com>\"}],"
      "\"known\":{\"addresses\":[\"John Smith <john.smith@army.mil>\"]}}",
  };
  for (size_t i = 0; i < G_N_ELEMENTS(frames); i++) {
    g_autoptr(cJSON) wa = wrong_address_findings(s, frames[i]);
    ck_assert_msg(cJSON_GetArraySize(wa) == 0, "frame %zu", i);
  }
}
END_TEST

#ifdef TG_HOST_PATH
/* typoguard-host --check --known-address: the same finding at a terminal and in --json. */
START_TEST(cli_known_address) {
  const char *argv[] = {TG_HOST_PATH,
                        "--check",
                        "--sender",
                        "jane@army.mil",
                        "--known-address",
                        "John Smith <john.smith@army.mil>",
                        "ops@army.mil",
                        "John Smith <john.smith@gmail.com>",
                        NULL,
                        NULL};
  for (int json = 0; json < 2; json++) {
    if (json)
      argv[8] = "--json";
    g_autofree char *out = NULL, *err = NULL;
    int status = 0;
    g_autoptr(GError) error = NULL;
    ck_assert_msg(g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err,
                               &status, &error),
                  "%s", error ? error->message : "");
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 1, "status %d: %s %s", status, out,
                  err);
    if (!json) {
      ck_assert_msg(
          strstr(out, "WARN   John Smith <john.smith@gmail.com> (to, wrong_address)") &&
              strstr(out, "This is a personal address of John Smith. Did you mean "
                          "john.smith@army.mil?") &&
              strstr(out, "suggestion: john.smith@army.mil  (John Smith <john.smith@army.mil>)"),
          "%s", out);
    } else {
      g_autoptr(cJSON) root = cJSON_Parse(out);
      ck_assert_msg(root != NULL, "%s", out);
      ck_assert_str_eq(cJSON_GetObjectItem(root, "verdict")->valuestring, "warn");
      const cJSON *f = cJSON_GetArrayItem(cJSON_GetObjectItem(root, "findings"), 0);
      ck_assert_str_eq(cJSON_GetObjectItem(f, "code")->valuestring, "wrong_address");
      ck_assert_int_eq(cJSON_GetObjectItem(f, "recipient")->valueint, 1);
      ck_assert_str_eq(cJSON_GetObjectItem(f, "replacement")->valuestring,
                       "John Smith <john.smith@army.mil>");
    }
  }
  /* Without the address book the CLI has nothing to go on: silent, exit 0. */
  const char *plain[] = {TG_HOST_PATH,
                         "--check",
                         "--sender",
                         "jane@army.mil",
                         "ops@army.mil",
                         "John Smith <john.smith@gmail.com>",
                         NULL};
  g_autofree char *out = NULL;
  int status = 0;
  ck_assert(g_spawn_sync(NULL, (char **)plain, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &out,
                         NULL, &status, NULL));
  ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "%s", out);
  ck_assert_msg(strstr(out, "wrong_address") == NULL, "%s", out);
}
END_TEST
#endif

int main(void) {
  Suite *s = suite_create("wrongaddr");
  TCase *core = tcase_create("core");
  tcase_add_checked_fixture(core, setup, teardown);
  tcase_set_timeout(core, 120);
  tcase_add_test(core, case_table);
  tcase_add_test(core, name_normalisation);
  tcase_add_test(core, namesakes_stay_linear);
  tcase_add_test(core, people_crowded_name);
  tcase_add_test(core, people_namesake_cap);
  tcase_add_test(core, spellings_bounded);
  tcase_add_test(core, last_first_is_no_syntax);
  tcase_add_test(core, local_parts);
  tcase_add_test(core, people_index);
  tcase_add_test(core, book_split_matches_parser);
  tcase_add_test(core, corecipients);
  tcase_add_test(core, corecipients_bounded);
  tcase_add_test(core, large_book_is_cheap);
  tcase_add_test(core, history_pairs);
  tcase_add_test(core, history_pairs_bounded);
  tcase_add_test(core, history_pairs_damaged);
  suite_add_tcase(s, core);
  TCase *host = tcase_create("host");
  tcase_add_checked_fixture(host, host_setup, host_teardown);
  tcase_set_timeout(host, 120);
  tcase_add_test(host, protocol_learns_and_remembers);
  tcase_add_test(host, protocol_negatives_stay_silent);
#ifdef TG_HOST_PATH
  tcase_add_test(host, cli_known_address);
#endif
  suite_add_tcase(s, host);
  return tg_run_suite(s, NULL, TG_SUITE_DEFAULT);
}
