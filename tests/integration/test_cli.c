/* test_cli.c — `typoguard-host --check` and the other command-line modes through the built
 * program: exit statuses (0 ok/info, 1 warn, 2 block, 64 usage), human and JSON output, stdin. */
#include <check.h>
#include <signal.h>
#include <string.h>

#include "hostrun.h"
#include "json.h"
#include "runsuite.h"

static HostRun *run_args(const char *const *argv) {
  return host_run(argv, "", 0, NULL);
}

static cJSON *stdout_json(const HostRun *r) {
  gsize len = 0;
  const char *p = g_bytes_get_data(r->out, &len);
  const char *end = NULL;
  cJSON *o = cJSON_ParseWithLengthOpts(p, len, &end, false);
  ck_assert_msg(o != NULL, "stdout is not JSON: %.*s", (int)len, p);
  for (; (size_t)(end - p) < len; end++)
    ck_assert_msg(g_ascii_isspace(*end), "more than one JSON value on stdout");
  return o;
}

static char *out_text(const HostRun *r) {
  gsize len = 0;
  const char *p = g_bytes_get_data(r->out, &len);
  return g_strndup(p, len);
}

START_TEST(seed_case_blocks) {
  const char *const argv[] = {"--check", "--sender", "Jane Roe <jane.roe@mail.mil>",
                              "John Doe <john.doe@army.ml>", NULL};
  g_autoptr(HostRun) r = run_args(argv);
  ck_assert_int_eq(r->status, 2);
  g_autofree char *out = out_text(r);
  ck_assert_msg(strstr(out, "BLOCK") && strstr(out, "john.doe@army.mil") &&
                    strstr(out, "verdict: block"),
                "unexpected output:\n%s", out);
}
END_TEST

START_TEST(seed_case_json) {
  const char *const argv[] = {
      "--check", "--json", "--sender", "jane.roe@mail.mil", "John Doe <john.doe@army.ml>", NULL};
  g_autoptr(HostRun) r = run_args(argv);
  ck_assert_int_eq(r->status, 2);
  g_autoptr(cJSON) o = stdout_json(r);
  ck_assert_str_eq(cJSON_GetObjectItem(o, "type")->valuestring, "result");
  ck_assert_str_eq(cJSON_GetObjectItem(o, "verdict")->valuestring, "block");
  const cJSON *f = cJSON_GetArrayItem(cJSON_GetObjectItem(o, "findings"), 0);
  ck_assert_str_eq(cJSON_GetObjectItem(f, "suggestion")->valuestring, "john.doe@army.mil");
  ck_assert_str_eq(cJSON_GetObjectItem(f, "replacement")->valuestring,
                   "John Doe <john.doe@army.mil>");
}
END_TEST

static const struct {
  int status;
  const char *address;
} exits[] = {
    {0, "someone@example.org"},
    {0, "jane@gmail.com"},
    {1, "ops@gmial.com"},
    {2, "user@gmail.con"},
    {2, "not an address"},
    {2, "john.doe@army.ml"}, /* army.mil is built in: block even without a .mil sender */
};

START_TEST(exit_status_per_verdict) {
  const char *const argv[] = {"--check", exits[_i].address, NULL};
  g_autoptr(HostRun) r = run_args(argv);
  g_autofree char *out = out_text(r);
  ck_assert_msg(r->status == exits[_i].status, "%s: exit %d, expected %d\n%s%s", exits[_i].address,
                r->status, exits[_i].status, out, r->err);
}
END_TEST

START_TEST(worst_verdict_wins) {
  const char *const argv[] = {"--check", "a@example.org", "ops@gmial.com", "x@gmail.con", NULL};
  g_autoptr(HostRun) r = run_args(argv);
  ck_assert_int_eq(r->status, 2);
}
END_TEST

START_TEST(stdin_addresses) {
  const char *in = "someone@example.org\r\n\nops@gmial.com\nfriend@gmail.com\n";
  const char *const argv[] = {"--check", "--json", "-", NULL};
  g_autoptr(HostRun) r = host_run(argv, in, strlen(in), NULL);
  ck_assert_int_eq(r->status, 1);
  g_autoptr(cJSON) o = stdout_json(r);
  const cJSON *f;
  cJSON_ArrayForEach(f, cJSON_GetObjectItem(o, "findings")) {
    if (strcmp(cJSON_GetObjectItem(f, "severity")->valuestring, "warn") == 0)
      ck_assert_int_eq(cJSON_GetObjectItem(f, "recipient")->valueint, 1); /* blank lines skipped */
  }
}
END_TEST

START_TEST(stdin_more_than_one_batch) {
  GString *in = g_string_new(NULL);
  for (unsigned i = 0; i < 10050; i++)
    g_string_append_printf(in, "user%u@example.org\n", i);
  g_string_append(in, "late@gmail.con\n");
  const char *const argv[] = {"--check", "--json", "-", NULL};
  g_autoptr(HostRun) r = host_run(argv, in->str, in->len, NULL);
  g_string_free(in, true);
  ck_assert_int_eq(r->status, 2);
  g_autoptr(cJSON) o = stdout_json(r);
  bool seen = false;
  const cJSON *f;
  cJSON_ArrayForEach(f, cJSON_GetObjectItem(o, "findings")) {
    if (strcmp(cJSON_GetObjectItem(f, "code")->valuestring, "invalid_tld") == 0) {
      ck_assert_int_eq(cJSON_GetObjectItem(f, "recipient")->valueint, 10050);
      seen = true;
    }
  }
  ck_assert(seen);
}
END_TEST

START_TEST(known_and_org_domains) {
  /* Without context, example.co is legitimate; with example.com known it is a slip. */
  const char *const plain[] = {"--check", "bob@example.co", NULL};
  g_autoptr(HostRun) r1 = run_args(plain);
  ck_assert_int_eq(r1->status, 0);
  const char *const known[] = {"--check", "--known-domain", "example.com", "bob@example.co", NULL};
  g_autoptr(HostRun) r2 = run_args(known);
  ck_assert_int_ge(r2->status, 1);
  const char *const org[] = {"--check", "--org-domain", "example.com", "bob@example.co", NULL};
  g_autoptr(HostRun) r3 = run_args(org);
  ck_assert_int_eq(r3->status, 2);
}
END_TEST

static const char *const *usage_cases[] = {
    (const char *const[]){NULL},
    (const char *const[]){"--check", NULL},
    (const char *const[]){"--check", "--selftest", NULL},
    (const char *const[]){"--no-such-option", NULL},
    (const char *const[]){"--version", "extra", NULL},
    (const char *const[]){"--check", "--sender", NULL},
};

START_TEST(usage_errors_exit_64) {
  g_autoptr(HostRun) r = run_args(usage_cases[_i]);
  ck_assert_int_eq(r->status, 64);
  ck_assert_uint_eq(g_bytes_get_size(r->out), 0);
  ck_assert(strlen(r->err) > 0);
}
END_TEST

START_TEST(version_and_help) {
  const char *const v[] = {"--version", NULL};
  g_autoptr(HostRun) r = run_args(v);
  ck_assert_int_eq(r->status, 0);
  g_autofree char *out = out_text(r);
  ck_assert_ptr_nonnull(strstr(out, TYPOGUARD_VERSION));
  const char *const h[] = {"--help-all", NULL};
  g_autoptr(HostRun) r2 = run_args(h);
  ck_assert_int_eq(r2->status, 0);
  g_autofree char *help = out_text(r2);
  ck_assert_ptr_nonnull(strstr(help, "--check"));
  ck_assert_ptr_nonnull(strstr(help, "--known-domain"));
}
END_TEST

static Suite *suite(void) {
  Suite *s = suite_create("cli");
  TCase *tc = tcase_create("check");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, seed_case_blocks);
  tcase_add_test(tc, seed_case_json);
  tcase_add_loop_test(tc, exit_status_per_verdict, 0, (int)G_N_ELEMENTS(exits));
  tcase_add_test(tc, worst_verdict_wins);
  tcase_add_test(tc, stdin_addresses);
  tcase_add_test(tc, stdin_more_than_one_batch);
  tcase_add_test(tc, known_and_org_domains);
  tcase_add_loop_test(tc, usage_errors_exit_64, 0, (int)G_N_ELEMENTS(usage_cases));
  tcase_add_test(tc, version_and_help);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) {
  signal(SIGPIPE, SIG_IGN);
  return tg_run_suite(suite(), NULL, TG_SUITE_DEFAULT);
}
