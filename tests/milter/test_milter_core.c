/* test_milter_core.c — typoguard-milter without an MTA: milter.conf (defaults, every refused
 * value, loopback-only sockets), the reply and header texts, the per-message bounds (recipients,
 * X-Typoguard headers, override text), local senders, learning in batches into the history. The
 * libmilter side is proven against a real Postfix by test_postfix.py. */
#include <check.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <libpsl.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine.h"
#include "history.h"
#include "message.h"
#include "milter_config.h"
#include "runsuite.h"
#include "text.h"

static char *write_conf(const char *text) {
  g_autofree char *dir = g_dir_make_tmp("tg-milter-XXXXXX", NULL);
  ck_assert(dir != NULL);
  char *path = g_build_filename(dir, "milter.conf", NULL);
  ck_assert(g_file_set_contents(path, text, -1, NULL));
  return path;
}

static TgMilterConfig *load(const char *text, GError **error) {
  g_autofree char *path = write_conf(text);
  g_autoptr(GPtrArray) warnings = g_ptr_array_new_with_free_func(g_free);
  return tg_milter_config_load(path, warnings, error);
}

START_TEST(test_config_defaults) {
  g_autoptr(GError) error = NULL;
  g_autoptr(TgMilterConfig) c = load("[typoguard]\norg_domains = Example.ORG\n", &error);
  ck_assert_msg(c != NULL, "%s", error ? error->message : "");
  ck_assert_str_eq(c->socket, TG_MILTER_DEFAULT_SOCKET);
  ck_assert_int_eq(c->on_block, TG_ON_BLOCK_REJECT);
  ck_assert_int_eq(c->on_warn, TG_ON_WARN_TAG);
  ck_assert_str_eq(c->history_dir, TG_MILTER_DEFAULT_HISTORY);
  ck_assert_uint_eq(c->local_domains->len, 1);
  ck_assert_str_eq(g_ptr_array_index(c->local_domains, 0), "example.org");
  ck_assert(!c->settings->allow_override);
}
END_TEST

START_TEST(test_config_values) {
  g_autoptr(GError) error = NULL;
  g_autoptr(TgMilterConfig) c =
      load("[typoguard]\norg_domains = example.org\nallow_override = true\n[milter]\n"
           "socket = inet:10025@127.0.0.1\non_block = Hold\non_warn = pass\n"
           "local_domains = a.example, b.example; c.example\nhistory = none\n"
           "history_reload = 60\n",
           &error);
  ck_assert_msg(c != NULL, "%s", error ? error->message : "");
  ck_assert_int_eq(c->on_block, TG_ON_BLOCK_HOLD);
  ck_assert_int_eq(c->on_warn, TG_ON_WARN_PASS);
  ck_assert_uint_eq(c->local_domains->len, 3);
  ck_assert_ptr_null(c->history_dir);
  ck_assert_uint_eq(c->history_reload, 60);
  ck_assert(c->settings->allow_override);
}
END_TEST

static const char *const bad_configs[] = {
    "[milter]\non_block = bounce\n",
    "[milter]\non_warn = reject\n",
    "[milter]\non_block = quarantine\n", /* without quarantine_to */
    "[milter]\nquarantine_to = Review <r@example.org>\n",
    "[milter]\nsocket = inet:10025@0.0.0.0\n",
    "[milter]\nsocket = inet:10025@192.0.2.1\n",
    "[milter]\nsocket = inet6:10025@::\n",
    "[milter]\nsocket = inet:99999@127.0.0.1\n",
    "[milter]\nsocket = unix:relative/sock\n",
    "[milter]\nsocket = tcp:1\n",
    "[milter]\nlocal_domains = not a domain!\n",
    "[milter]\nhistory = relative/folder\n",
    "[milter]\nhistory_reload = 0\n",
    "[milter]\nhistory_reload = 86401\n",
    "not a key file [\n",
};

START_TEST(test_config_refused) {
  g_autoptr(GError) error = NULL;
  g_autoptr(TgMilterConfig) c = load(bad_configs[_i], &error);
  ck_assert_msg(c == NULL, "accepted: %s", bad_configs[_i]);
  ck_assert(error != NULL);
}
END_TEST

START_TEST(test_config_warnings) {
  g_autofree char *path = write_conf("[milter]\nsokcet = unix:/x\n");
  g_autoptr(GPtrArray) warnings = g_ptr_array_new_with_free_func(g_free);
  g_autoptr(TgMilterConfig) c = tg_milter_config_load(path, warnings, NULL);
  ck_assert(c != NULL);
  g_ptr_array_add(warnings, NULL);
  g_autofree char *all = g_strjoinv("\n", (char **)warnings->pdata);
  ck_assert_msg(strstr(all, "sokcet is not a milter key"), "%s", all);
  ck_assert_msg(strstr(all, "nothing will be judged"), "%s", all);
  g_autoptr(GError) error = NULL;
  ck_assert(tg_milter_config_load("/nonexistent/milter.conf", warnings, &error) == NULL);
}
END_TEST

START_TEST(test_socket_loopback) {
  ck_assert(tg_milter_socket_ok("unix:/run/typoguard/milter.sock", NULL));
  ck_assert(tg_milter_socket_ok("local:/var/spool/postfix/typoguard/milter.sock", NULL));
  ck_assert(tg_milter_socket_ok("inet:8891@127.0.0.1", NULL));
  ck_assert(tg_milter_socket_ok("inet:8891@127.1.2.3", NULL));
  ck_assert(tg_milter_socket_ok("inet:8891@localhost", NULL));
  ck_assert(tg_milter_socket_ok("inet6:8891@::1", NULL));
  ck_assert(!tg_milter_socket_ok("inet:8891@example.org", NULL));
  ck_assert(!tg_milter_socket_ok("inet:8891", NULL));
  g_autofree char *longer = g_strnfill(TG_MILTER_MAX_SOCKET_BYTES + 1, 'a');
  g_autofree char *spec = g_strconcat("unix:/", longer, NULL);
  ck_assert(!tg_milter_socket_ok(spec, NULL));
}
END_TEST

START_TEST(test_text) {
  g_autofree char *r = tg_milter_reply_text("100% sure\r\nnext\tline \xc3\xa9t\xc3\xa9");
  ck_assert_str_eq(r, "100%% sure  next line ?t?");
  g_autofree char *big = g_strnfill(5000, '%');
  g_autofree char *rb = tg_milter_reply_text(big);
  ck_assert_uint_le(strlen(rb), TG_MILTER_MAX_REPLY_TEXT);
  ck_assert_uint_eq(strlen(rb) % 2, 0); /* never half a %% */
  g_autofree char *d = tg_milter_ascii_domain("b\xc3\xbc"
                                              "cher.de");
  ck_assert_str_eq(d, "xn--bcher-kva.de");
  g_autofree char *cyr = tg_milter_ascii_domain("\xd0\xb0rmy.mil"); /* Cyrillic а */
  ck_assert(g_str_has_prefix(cyr, "xn--"));
  g_autofree char *none = tg_milter_ascii_domain(NULL);
  ck_assert_str_eq(none, "-");
}
END_TEST

/* An engine over a config text (history in a scratch folder unless the text says otherwise). */
static TgEngine *engine_for(const char *milter_keys, char **history_dir) {
  g_autofree char *hist = g_dir_make_tmp("tg-milter-hist-XXXXXX", NULL);
  g_autofree char *text = g_strdup_printf("[typoguard]\norg_domains = example.org\n[milter]\n"
                                          "history = %s\n%s",
                                          hist, milter_keys);
  g_autoptr(GError) error = NULL;
  TgMilterConfig *c = load(text, &error);
  ck_assert_msg(c != NULL, "%s", error ? error->message : "");
  g_autoptr(GPtrArray) warnings = g_ptr_array_new_with_free_func(g_free);
  TgEngine *e = tg_engine_new(c, warnings, &error);
  ck_assert_msg(e != NULL, "%s", error ? error->message : "");
  if (history_dir)
    *history_dir = g_steal_pointer(&hist);
  return e;
}

START_TEST(test_local_senders) {
  g_autoptr(TgEngine) e = engine_for("", NULL);
  ck_assert(tg_engine_is_local(e, "alice@example.org"));
  ck_assert(tg_engine_is_local(e, "alice@Mail.Example.ORG"));
  ck_assert(!tg_engine_is_local(e, "alice@notexample.org"));
  ck_assert(!tg_engine_is_local(e, "alice@example.org.evil.com"));
  ck_assert(!tg_engine_is_local(e, "example.org"));
  ck_assert(!tg_engine_is_local(e, NULL));
  g_autoptr(TgMilterMessage) bounce = tg_mmsg_new(e, "<>");
  ck_assert(!tg_mmsg_judged(bounce));
  g_autoptr(TgMilterMessage) in = tg_mmsg_new(e, "<x@gmail.com>");
  ck_assert(!tg_mmsg_judged(in));
}
END_TEST

START_TEST(test_recipient_limit) {
  g_autoptr(TgEngine) e = engine_for("", NULL);
  g_autoptr(TgMilterMessage) m = tg_mmsg_new(e, "<alice@example.org>");
  for (unsigned i = 0; i < TG_MAX_RECIPIENTS; i++) {
    g_autofree char *r = g_strdup_printf("<u%u@example.org>", i);
    g_autofree char *text = NULL;
    ck_assert_int_eq(tg_mmsg_recipient(m, r, &text), TG_RCPT_KEEP);
  }
  g_autofree char *text = NULL;
  ck_assert_int_eq(tg_mmsg_recipient(m, "<one@example.org>", &text), TG_RCPT_TOO_MANY);
  ck_assert(text != NULL);
}
END_TEST

START_TEST(test_refused_at_rcpt) {
  g_autoptr(TgEngine) e = engine_for("", NULL);
  g_autoptr(TgMilterMessage) m = tg_mmsg_new(e, "<alice@example.org>");
  g_autofree char *text = NULL;
  ck_assert_int_eq(tg_mmsg_recipient(m, "<john@army.ml>", &text), TG_RCPT_REFUSE);
  ck_assert_msg(strstr(text, "john@army.ml: army.ml") && strstr(text, "john@army.mil"), "%s", text);
  g_autofree char *t2 = NULL;
  ck_assert_int_eq(tg_mmsg_recipient(m, "<bob@gmail.com>", &t2), TG_RCPT_KEEP);
  /* The same pairs again, in another message, come from the RCPT memo: the same answers; another
   * sender is another pair. */
  g_autoptr(TgMilterMessage) m2 = tg_mmsg_new(e, "<alice@example.org>");
  g_autofree char *t3 = NULL, *t4 = NULL, *t5 = NULL;
  ck_assert_int_eq(tg_mmsg_recipient(m2, "<john@army.ml>", &t3), TG_RCPT_REFUSE);
  ck_assert_str_eq(t3, text);
  ck_assert_int_eq(tg_mmsg_recipient(m2, "<bob@gmail.com>", &t4), TG_RCPT_KEEP);
  ck_assert_ptr_null(t4);
  g_autoptr(TgMilterMessage) m3 = tg_mmsg_new(e, "<carol@example.org>");
  ck_assert_int_eq(tg_mmsg_recipient(m3, "<john@army.ml>", &t5), TG_RCPT_REFUSE);
  guint64 gen = 0;
  g_autoptr(TgRcptVerdict) v = tg_engine_memo_get(e, "carol@example.org\njohn@army.ml", &gen);
  ck_assert(v != NULL && v->block && v->code == TG_CODE_TLD_CONFUSION);
  ck_assert_str_eq(v->domain, "army.ml");
}
END_TEST

START_TEST(test_tag_header_bound) {
  g_autoptr(TgEngine) e = engine_for("", NULL);
  g_autoptr(TgMilterMessage) m = tg_mmsg_new(e, "<alice@example.org>");
  for (unsigned i = 0; i < TG_MMSG_MAX_TAG_HEADERS + 10; i++) {
    g_autofree char *r = g_strdup_printf("<u%u@gmial.com>", i);
    g_autofree char *text = NULL;
    ck_assert_int_eq(tg_mmsg_recipient(m, r, &text), TG_RCPT_KEEP);
  }
  g_autoptr(TgMilterOutcome) o = tg_mmsg_finish(m);
  ck_assert_uint_eq(o->headers->len, TG_MMSG_MAX_TAG_HEADERS + 1);
  ck_assert_str_eq(g_ptr_array_index(o->headers, TG_MMSG_MAX_TAG_HEADERS),
                   "10 more findings not listed");
}
END_TEST

/* An override beyond TG_MMSG_MAX_OVERRIDE_BYTES is not read; one within it is. */
START_TEST(test_override_bound) {
  g_autoptr(TgEngine) e = engine_for("", NULL);
  for (int beyond = 0; beyond < 2; beyond++) {
    g_autoptr(TgMilterMessage) m = tg_mmsg_new(e, "<alice@example.org>");
    g_autofree char *text = NULL;
    ck_assert_int_eq(tg_mmsg_recipient(m, "<x@hotnail.com>", &text), TG_RCPT_KEEP);
    if (beyond) {
      g_autofree char *junk = g_strnfill(TG_MMSG_MAX_OVERRIDE_BYTES - 10, 'j');
      tg_mmsg_header(m, "X-Typoguard-Override", junk);
    }
    tg_mmsg_header(m, "x-typoguard-override", "X@HOTNAIL.COM");
    tg_mmsg_header(m, "X-Typoguard", "forged");
    g_autoptr(TgMilterOutcome) o = tg_mmsg_finish(m);
    ck_assert_uint_eq(o->delete_override, beyond ? 2 : 1);
    ck_assert_uint_eq(o->delete_tag, 1);
    ck_assert_uint_eq(o->headers->len, 1);
    const char *tag = g_ptr_array_index(o->headers, 0);
    ck_assert_msg((strstr(tag, "override=sender") != NULL) == !beyond, "%s", tag);
  }
}
END_TEST

/* Display names from To/Cc reach the name rules; a To beyond the bound is not read. */
START_TEST(test_address_header_bound) {
  g_autoptr(TgEngine) e = engine_for("", NULL);
  g_autoptr(TgMilterMessage) m = tg_mmsg_new(e, "<alice@example.org>");
  g_autofree char *text = NULL;
  ck_assert_int_eq(tg_mmsg_recipient(m, "<bob@gmail.com>", &text), TG_RCPT_KEEP);
  g_autofree char *big = g_strnfill(TG_MMSG_MAX_ADDRESS_HEADER_BYTES + 1, 'a');
  tg_mmsg_header(m, "To", big);
  tg_mmsg_header(m, "To",
                 "\"Doe, Bob\" <bob@gmail.com>, (comment, with comma) x@y.z, Team: a@b.c;");
  tg_mmsg_header(m, "Cc", "\xff\xfe broken <bob@gmail.com");
  g_autoptr(TgMilterOutcome) o = tg_mmsg_finish(m);
  ck_assert_ptr_null(o->refuse_text);
  ck_assert_uint_eq(o->headers->len, 0);
}
END_TEST

START_TEST(test_actions) {
  struct {
    const char *keys;
    const char *rcpt;
    bool refuse, hold, quarantine;
    unsigned headers;
  } cases[] = {
      {"on_block = hold\n", "<john@army.ml>", false, true, false, 1},
      {"on_block = tag\n", "<john@army.ml>", false, false, false, 1},
      {"on_block = quarantine\nquarantine_to = r@example.org\n", "<john@army.ml>", false, false,
       true, 1},
      {"on_warn = hold\n", "<jane@gmial.com>", false, true, false, 1},
      {"on_warn = pass\n", "<jane@gmial.com>", false, false, false, 0},
      {"", "<bob@gmail.com>", false, false, false, 0},
  };
  for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
    g_autoptr(TgEngine) e = engine_for(cases[i].keys, NULL);
    g_autoptr(TgMilterMessage) m = tg_mmsg_new(e, "<alice@example.org>");
    g_autofree char *text = NULL;
    ck_assert_int_eq(tg_mmsg_recipient(m, cases[i].rcpt, &text), TG_RCPT_KEEP);
    g_autoptr(TgMilterOutcome) o = tg_mmsg_finish(m);
    ck_assert_msg((o->refuse_text != NULL) == cases[i].refuse, "case %zu", i);
    ck_assert_msg((o->hold_reason != NULL) == cases[i].hold, "case %zu", i);
    ck_assert_msg(o->quarantine == cases[i].quarantine, "case %zu", i);
    ck_assert_msg(o->headers->len == cases[i].headers, "case %zu: %u headers", i, o->headers->len);
    if (o->hold_reason)
      ck_assert_msg(!strchr(o->hold_reason, '@'), "%s", o->hold_reason); /* no address */
  }
}
END_TEST

/* Delivered mail is learned in batches (written when the engine stops at the latest); a tagged
 * warning is not, and a second engine starts knowing what the first learned. */
START_TEST(test_learning) {
  g_autofree char *dir = NULL;
  {
    g_autoptr(TgEngine) e = engine_for("", &dir);
    ck_assert(tg_engine_learning(e));
    for (int i = 0; i < 3; i++) {
      g_autoptr(TgMilterMessage) m = tg_mmsg_new(e, "<alice@example.org>");
      g_autofree char *t1 = NULL, *t2 = NULL;
      tg_mmsg_recipient(m, "<Bob@Acme-Widgets.com>", &t1);
      tg_mmsg_recipient(m, "<jane@gmial.com>", &t2);
      g_autoptr(TgMilterOutcome) o = tg_mmsg_finish(m);
    }
  }
  g_autoptr(TgHistory) h = tg_history_open(dir, NULL);
  unsigned count = 0;
  ck_assert(tg_history_lookup_domain(h, "acme-widgets.com", &count, NULL));
  ck_assert_uint_eq(count, 3);
  ck_assert(tg_history_lookup_address(h, "bob@acme-widgets.com", &count, NULL));
  ck_assert(!tg_history_lookup_domain(h, "gmial.com", NULL, NULL));
}
END_TEST

START_TEST(test_history_batch) {
  g_autofree char *dir = g_dir_make_tmp("tg-milter-batch-XXXXXX", NULL);
  g_autoptr(TgHistory) h = tg_history_open(dir, NULL);
  const char *m1[] = {"a@x.example", "b@x.example"};
  const char *m2[] = {"a@x.example", "c@y.example", "bad address"};
  const char *const *msgs[] = {m1, m2};
  size_t lens[] = {2, 3};
  unsigned n = 0;
  g_autoptr(GError) error = NULL;
  ck_assert(tg_history_learn_batch_at(h, msgs, lens, 2, 1000, &n, &error));
  ck_assert_uint_eq(n, 4);
  g_autoptr(TgHistory) again = tg_history_open(dir, NULL);
  unsigned count = 0;
  ck_assert(tg_history_lookup_address(again, "a@x.example", &count, NULL));
  ck_assert_uint_eq(count, 2);
  ck_assert(tg_history_lookup_domain(again, "x.example", &count, NULL));
  ck_assert_uint_eq(count, 2); /* once a message */
  ck_assert(tg_history_lookup_pair(again, "a@x.example", "b@x.example", &count, NULL));
  ck_assert(tg_history_lookup_pair(again, "a@x.example", "c@y.example", &count, NULL));
  ck_assert(!tg_history_lookup_pair(again, "b@x.example", "c@y.example", NULL, NULL));
}
END_TEST

/* Several milter processes share one history folder: batches from concurrent processes all
 * arrive (the host's history code locks the files and merges before it writes). */
START_TEST(test_history_batch_processes) {
  g_autofree char *dir = g_dir_make_tmp("tg-milter-procs-XXXXXX", NULL);
  enum { PROCS = 4, BATCHES = 10, PER_BATCH = 5 };
  pid_t pids[PROCS];
  for (int p = 0; p < PROCS; p++) {
    pids[p] = fork();
    ck_assert(pids[p] >= 0);
    if (pids[p] == 0) {
      TgHistory *h = tg_history_open(dir, NULL);
      for (int b = 0; b < BATCHES; b++) {
        g_autofree char *own = g_strdup_printf("p%d-b%d@own.example.com", p, b);
        const char *m[] = {"shared@partner.example.com", own};
        const char *const *msgs[PER_BATCH];
        size_t lens[PER_BATCH];
        for (int k = 0; k < PER_BATCH; k++) {
          msgs[k] = m;
          lens[k] = 2;
        }
        if (!tg_history_learn_batch_at(h, msgs, lens, PER_BATCH, 1000 + b, NULL, NULL))
          _exit(1);
      }
      tg_history_free(h);
      _exit(0);
    }
  }
  for (int p = 0; p < PROCS; p++) {
    int st = 0;
    ck_assert(waitpid(pids[p], &st, 0) == pids[p]);
    ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
  }
  g_autoptr(TgHistory) h = tg_history_open(dir, NULL);
  unsigned count = 0;
  ck_assert(tg_history_lookup_address(h, "shared@partner.example.com", &count, NULL));
  ck_assert_uint_eq(count, PROCS * BATCHES * PER_BATCH);
  ck_assert_uint_eq(tg_history_address_count(h), 1 + PROCS * BATCHES);
}

/* The milter's context is sealed and shared: contact_near_miss searches the history's contacts in
 * the context's own index (built at the seal, kept up to date after it) instead of indexing a
 * domain's contacts for every check. Same answers as before: a slip from a learned contact, from
 * one learned after the seal, and from one that is both in the request and learned (one contact,
 * not a tie with itself). */
static const TgFinding *contact_finding(TgContext *ctx, const char *rcpt, const char *known) {
  TgRequest req;
  tg_request_init(&req);
  TgRecipient r = {.field = TG_FIELD_TO, .address = rcpt};
  req.recipients = &r;
  req.n_recipients = 1;
  const char *book[] = {known};
  if (known)
    req.known_addresses = (TgStrings){book, 1};
  static TgResult *res;
  g_clear_pointer(&res, tg_result_free);
  res = tg_check(ctx, &req);
  for (guint i = 0; i < res->findings->len; i++) {
    const TgFinding *f = g_ptr_array_index(res->findings, i);
    if (f->code == TG_CODE_CONTACT_NEAR_MISS)
      return f;
  }
  return NULL;
}

START_TEST(test_history_contacts_sealed) {
  psl_ctx_t *psl = psl_latest(NULL);
  ck_assert_ptr_nonnull(psl);
  TgContext *ctx = tg_context_new(psl);
  for (int i = 0; i < 3000; i++) {
    g_autofree char *a = g_strdup_printf("member%04d.staff@partner-firm.com", i);
    tg_context_add_history(ctx, a, 1);
  }
  tg_context_add_history(ctx, "john.smith@partner-firm.com", 5);
  tg_context_seal(ctx);
  const TgFinding *f = contact_finding(ctx, "jonh.smith@partner-firm.com", NULL);
  ck_assert_ptr_nonnull(f);
  ck_assert_str_eq(f->suggestion, "john.smith@partner-firm.com");
  ck_assert_ptr_null(contact_finding(ctx, "john.smith@partner-firm.com", NULL));
  ck_assert_ptr_null(contact_finding(ctx, "kate.brown@partner-firm.com", NULL));
  f = contact_finding(ctx, "jonh.smith@partner-firm.com", "john.smith@partner-firm.com");
  ck_assert_ptr_nonnull(f);
  ck_assert_str_eq(f->suggestion, "john.smith@partner-firm.com");
  tg_context_add_history(ctx, "mary.jones@other-firm.com", 1);
  f = contact_finding(ctx, "mary.jnoes@other-firm.com", NULL);
  ck_assert_ptr_nonnull(f);
  ck_assert_str_eq(f->suggestion, "mary.jones@other-firm.com");
  (void)contact_finding(ctx, "nobody@example.net", NULL); /* frees the last result */
  tg_context_free(ctx);
  psl_free(psl);
}
END_TEST
END_TEST

static Suite *suite(void) {
  Suite *s = suite_create("milter");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, test_config_defaults);
  tcase_add_test(tc, test_config_values);
  tcase_add_loop_test(tc, test_config_refused, 0, G_N_ELEMENTS(bad_configs));
  tcase_add_test(tc, test_config_warnings);
  tcase_add_test(tc, test_socket_loopback);
  tcase_add_test(tc, test_text);
  tcase_add_test(tc, test_local_senders);
  tcase_add_test(tc, test_recipient_limit);
  tcase_add_test(tc, test_refused_at_rcpt);
  tcase_add_test(tc, test_tag_header_bound);
  tcase_add_test(tc, test_override_bound);
  tcase_add_test(tc, test_address_header_bound);
  tcase_add_test(tc, test_actions);
  tcase_add_test(tc, test_learning);
  tcase_add_test(tc, test_history_batch);
  tcase_add_test(tc, test_history_batch_processes);
  tcase_add_test(tc, test_history_contacts_sealed);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) {
  return tg_run_suite(suite(), NULL, TG_SUITE_SCRATCH);
}
