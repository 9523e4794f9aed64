/* test_sendmail_core.c — typoguard-sendmail's pieces without a terminal or a real sendmail:
 * sendmail's command line, the address headers of a spooled message, the byte-exact rewrite, the
 * address replacement, and the settings keys it adds (key files only, never from a request). */
#include <check.h>
#include <cjson/cJSON.h>
#include <glib/gstdio.h>
#include <string.h>

#include "config.h"
#include "sendmail.h"
#include "spool.h"

static TgSendmailArgs *parse(const char *line) {
  g_auto(GStrv) argv = NULL;
  g_autofree char *full = g_strconcat("sendmail ", line, NULL);
  ck_assert(g_shell_parse_argv(full, NULL, &argv, NULL));
  return tg_sendmail_args_parse((int)g_strv_length(argv), argv, NULL);
}

START_TEST(test_args) {
  g_autoptr(TgSendmailArgs) a = parse("-oi -f jane@mail.mil -F 'Jane Roe' -- a@b.org c@d.org");
  ck_assert(a != NULL);
  ck_assert(!a->extract);
  ck_assert_str_eq(a->from, "jane@mail.mil");
  ck_assert_uint_eq(a->first_rcpt, 6);
  ck_assert_str_eq(g_ptr_array_index(a->words, a->first_rcpt), "a@b.org");

  g_autoptr(TgSendmailArgs) t = parse("-t -i -fjane@mail.mil --read-envelope-from");
  ck_assert(t->extract);
  ck_assert_str_eq(t->from, "jane@mail.mil");
  ck_assert_uint_eq(t->first_rcpt, t->words->len);

  g_autoptr(TgSendmailArgs) g = parse("-i john@army.ml -t"); /* a recipient ends the options */
  ck_assert(!g->extract);
  ck_assert_uint_eq(g->first_rcpt, 1);

  g_autoptr(TgSendmailArgs) q = parse("-bs");
  ck_assert(q->passthrough);
  g_autoptr(TgSendmailArgs) m = parse("-bm -oi a@b.org");
  ck_assert(!m->passthrough);

  g_auto(GStrv) bad = g_strsplit("sendmail -oi -f", " ", -1);
  g_autoptr(GError) error = NULL;
  ck_assert(tg_sendmail_args_parse(3, bad, &error) == NULL);
  ck_assert(error != NULL);
}
END_TEST

static const struct {
  const char *text, *old, *new_address, *want;
} kReplace[] = {
    {"john.doe@army.ml", "john.doe@army.ml", "john.doe@army.mil", "john.doe@army.mil"},
    {"\"Doe, John\" <John.Doe@Army.ML>", "john.doe@army.ml", "john.doe@army.mil",
     "\"Doe, John\" <john.doe@army.mil>"},
    /* Not inside a longer address. */
    {"xjohn.doe@army.ml, john.doe@army.ml", "john.doe@army.ml", "j@army.mil",
     "xjohn.doe@army.ml, j@army.mil"},
    {"john.doe@army.mlx", "john.doe@army.ml", "j@army.mil", NULL},
    {"john.doe@army.ml.", "john.doe@army.ml", "j@army.mil", "j@army.mil."},
};

START_TEST(test_replace) {
  const char *t = kReplace[_i].text;
  g_autofree char *got =
      tg_sendmail_replace_address(t, strlen(t), kReplace[_i].old, kReplace[_i].new_address, NULL);
  if (kReplace[_i].want)
    ck_assert_str_eq(got, kReplace[_i].want);
  else
    ck_assert_ptr_null(got);
}
END_TEST

static const char kMessage[] = "From: Jane Roe <jane.roe@mail.mil>\r\n"
                               "To: \"Doe, John\" <john.doe@army.ml>,\r\n"
                               "  ops@gmial.com (Ops, desk)\r\n"
                               "cc: Team: a@x.org, \"b;c\" <b@y.org>;, c@z.org\r\n"
                               "Subject: To: not@an.address\r\n"
                               "X-To: nor@this.one\r\n"
                               "\r\n"
                               "To: body@is.not.read\r\n";

START_TEST(test_headers) {
  g_autoptr(TgSpool) s = tg_spool_new_from_data(kMessage, sizeof kMessage - 1, NULL);
  ck_assert(s != NULL);
  ck_assert(s->header_complete);
  ck_assert_int_eq(s->size, (goffset)(sizeof kMessage - 1));
  g_autoptr(GPtrArray) m = tg_spool_address_headers(s);
  static const char *const want[] = {"\"Doe, John\" <john.doe@army.ml>",
                                     "ops@gmial.com (Ops, desk)", "a@x.org", "\"b;c\" <b@y.org>",
                                     "c@z.org"};
  ck_assert_uint_eq(m->len, G_N_ELEMENTS(want));
  for (guint i = 0; i < m->len; i++) {
    const TgHeaderMailbox *mb = g_ptr_array_index(m, i);
    ck_assert_str_eq(mb->text, want[i]);
    ck_assert_int_eq(mb->field, i < 2 ? TG_FIELD_TO : TG_FIELD_CC);
    ck_assert(memcmp(kMessage + mb->offset, want[i], mb->len) == 0);
  }
  g_autofree char *from = tg_spool_header_value(s, "from");
  ck_assert_str_eq(from, "Jane Roe <jane.roe@mail.mil>");

  /* The rewrite changes the spans and nothing else. */
  const TgHeaderMailbox *first = g_ptr_array_index(m, 0);
  g_autoptr(GArray) edits = g_array_new(FALSE, TRUE, sizeof(TgSpoolEdit));
  TgSpoolEdit e = {.offset = first->offset + 13, .len = 16, .text = (char *)"john.doe@army.mil"};
  g_array_append_val(edits, e);
  g_autoptr(TgSpool) out = tg_spool_rewrite(s, edits, NULL);
  ck_assert(out != NULL);
  g_autofree char *want_text = g_strdup(kMessage);
  g_autoptr(GString) w = g_string_new(want_text);
  g_string_replace(w, "<john.doe@army.ml>", "<john.doe@army.mil>", 1);
  ck_assert_int_eq(out->size, (goffset)w->len);
  g_autofree char *got = g_malloc0(w->len + 1);
  ck_assert_int_eq(pread(out->fd, got, w->len, 0), (ssize_t)w->len);
  ck_assert_str_eq(got, w->str);
}
END_TEST

START_TEST(test_no_header_end) {
  static const char text[] = "To: a@b.org\nSubject: x"; /* no blank line, no body */
  g_autoptr(TgSpool) s = tg_spool_new_from_data(text, sizeof text - 1, NULL);
  ck_assert(s->header_complete);
  g_autoptr(GPtrArray) m = tg_spool_address_headers(s);
  ck_assert_uint_eq(m->len, 1);
  static const char body_only[] = "\nTo: x@y.org\n";
  g_autoptr(TgSpool) b = tg_spool_new_from_data(body_only, sizeof body_only - 1, NULL);
  g_autoptr(GPtrArray) none = tg_spool_address_headers(b);
  ck_assert_uint_eq(none->len, 0);
}
END_TEST

/* Random headers made of the characters the scanner cares about: every mailbox span lies in the
 * header section and holds its text, and a rewrite of every span keeps the rest (ASan watches). */
START_TEST(test_random_headers) {
  static const char alphabet[] = "To:Cc:Bcc: ,;\"\\()<>\r\n\t@ab.";
  g_autoptr(GRand) rnd = g_rand_new_with_seed(18);
  for (int round = 0; round < 3000; round++) {
    guint len = (guint)g_rand_int_range(rnd, 0, 200);
    g_autofree char *text = g_malloc(len + 1);
    for (guint i = 0; i < len; i++)
      text[i] = alphabet[g_rand_int_range(rnd, 0, (gint32)(sizeof alphabet - 1))];
    text[len] = '\0';
    g_autoptr(TgSpool) s = tg_spool_new_from_data(text, len, NULL);
    ck_assert(s != NULL);
    ck_assert(s->header_len <= len);
    g_autoptr(GPtrArray) m = tg_spool_address_headers(s);
    g_autoptr(GArray) edits = g_array_new(FALSE, TRUE, sizeof(TgSpoolEdit));
    size_t end = 0, removed = 0;
    for (guint i = 0; i < m->len; i++) {
      const TgHeaderMailbox *mb = g_ptr_array_index(m, i);
      ck_assert(mb->len > 0 && mb->offset >= end && mb->offset + mb->len <= s->header_len);
      ck_assert(strlen(mb->text) <= mb->len);
      end = mb->offset + mb->len;
      TgSpoolEdit e = {.offset = mb->offset, .len = mb->len, .text = (char *)"x"};
      g_array_append_val(edits, e);
      removed += mb->len - 1;
    }
    g_autoptr(TgSpool) out = tg_spool_rewrite(s, edits, NULL);
    ck_assert(out != NULL);
    ck_assert_int_eq(out->size, (goffset)(len - removed));
  }
}
END_TEST

START_TEST(test_settings_keys) {
  g_autofree char *dir = g_dir_make_tmp("tg-sm-XXXXXX", NULL);
  g_autofree char *path = g_build_filename(dir, "t.conf", NULL);
  ck_assert(g_file_set_contents(path,
                                "[typoguard]\nsendmail = /usr/bin/msmtp -a 'my work'\n"
                                "sendmail_on_warn = abort\n",
                                -1, NULL));
  g_autoptr(TgSettings) s = tg_settings_new();
  ck_assert_ptr_null(s->sendmail);
  ck_assert(!s->sendmail_warn_abort);
  g_autoptr(GPtrArray) w = g_ptr_array_new_with_free_func(g_free);
  ck_assert(tg_settings_load_file(s, path, false, w, NULL));
  ck_assert_uint_eq(w->len, 0);
  ck_assert_str_eq(s->sendmail, "/usr/bin/msmtp -a 'my work'");
  ck_assert(s->sendmail_warn_abort);
  g_autoptr(TgSettings) c = tg_settings_copy(s);
  ck_assert_str_eq(c->sendmail, s->sendmail);

  /* A bad value is named; a request cannot set the command, and hello does not show it. */
  ck_assert(g_file_set_contents(path, "[typoguard]\nsendmail_on_warn = maybe\n", -1, NULL));
  ck_assert(tg_settings_load_file(s, path, false, w, NULL));
  ck_assert_uint_eq(w->len, 1);
  cJSON *req = cJSON_Parse("{\"sendmail\":\"/bin/evil\",\"sendmail_on_warn\":\"send\"}");
  ck_assert(tg_settings_merge_json(s, req, false, NULL));
  cJSON_Delete(req);
  ck_assert_str_eq(s->sendmail, "/usr/bin/msmtp -a 'my work'");
  ck_assert(s->sendmail_warn_abort);
  cJSON *j = tg_settings_to_json(s);
  ck_assert_ptr_null(cJSON_GetObjectItem(j, "sendmail"));
  cJSON_Delete(j);
  g_unlink(path);
  g_rmdir(dir);
}
END_TEST

int main(void) {
  Suite *s = suite_create("sendmail");
  TCase *tc = tcase_create("core");
  tcase_add_test(tc, test_args);
  tcase_add_loop_test(tc, test_replace, 0, G_N_ELEMENTS(kReplace));
  tcase_add_test(tc, test_headers);
  tcase_add_test(tc, test_no_header_end);
  tcase_add_test(tc, test_random_headers);
  tcase_add_test(tc, test_settings_keys);
  suite_add_tcase(s, tc);
  SRunner *sr = srunner_create(s);
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed == 0 ? 0 : 1;
}
