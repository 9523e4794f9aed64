/* test_config.c — settings and policy (host/src/config.c): normalisation of list entries, key
 * files (precedence, locks, malformed files that keep working), JSON merges (types, locks, all or
 * nothing), the `hello` view, and list files feeding the detection context. */
#include <check.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <libpsl.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "runsuite.h"

/* ---- helpers --------------------------------------------------------------------------- */

static char *scratch_dir(void) {
  g_autoptr(GError) err = NULL;
  char *dir = g_dir_make_tmp("tg-config-XXXXXX", &err);
  ck_assert_msg(dir != NULL, "%s", err ? err->message : "");
  return dir;
}

static char *write_file(const char *dir, const char *name, const char *text) {
  char *path = g_build_filename(dir, name, NULL);
  g_autofree char *parent = g_path_get_dirname(path);
  g_mkdir_with_parents(parent, 0700);
  ck_assert(g_file_set_contents(path, text, -1, NULL));
  return path;
}

static bool list_has(const GPtrArray *a, const char *s) {
  for (guint i = 0; i < a->len; i++)
    if (strcmp(g_ptr_array_index(a, i), s) == 0)
      return true;
  return false;
}

static char *joined(const GPtrArray *a) {
  GString *s = g_string_new(NULL);
  for (guint i = 0; i < a->len; i++) {
    if (i)
      g_string_append_c(s, ',');
    g_string_append(s, g_ptr_array_index(a, i));
  }
  return g_string_free(s, FALSE);
}

/* Does any warning contain every one of the given pieces? */
static bool warned(const GPtrArray *w, const char *a, const char *b, const char *c) {
  for (guint i = 0; i < w->len; i++) {
    const char *m = g_ptr_array_index(w, i);
    if (strstr(m, a) && (!b || strstr(m, b)) && (!c || strstr(m, c)))
      return true;
  }
  return false;
}

static void dump(const GPtrArray *w) {
  for (guint i = 0; i < w->len; i++)
    fprintf(stderr, "  warning: %s\n", (char *)g_ptr_array_index(w, i));
}

/* Points the policy and user files at a scratch folder for this (forked) test. */
static void use_files(const char *dir, const char *policy, const char *user) {
  g_autofree char *p = NULL, *u = NULL;
  if (policy)
    p = write_file(dir, "policy.conf", policy);
  if (user)
    u = write_file(dir, "config/typoguard/typoguard.conf", user);
  g_autofree char *pp = g_build_filename(dir, "policy.conf", NULL);
  g_autofree char *cfg = g_build_filename(dir, "config", NULL);
  g_setenv("TYPOGUARD_POLICY", pp, TRUE);
  g_setenv("XDG_CONFIG_HOME", cfg, TRUE);
}

/* ---- normalisation --------------------------------------------------------------------- */

static const struct {
  const char *in;
  const char *domain; /* NULL: rejected */
  const char *tld;    /* NULL: rejected as a TLD */
} kNormal[] = {
    {"army.mil", "army.mil", NULL},
    {"  Army.MIL. ", "army.mil", NULL},
    {"@mail.mil", "mail.mil", NULL},
    {"*.example.com", "example.com", NULL},
    {".ml", "ml", "ml"},
    {"ML", "ml", "ml"},
    {"bücher.de", "xn--bcher-kva.de", NULL},
    {"рф", "xn--p1ai", "xn--p1ai"},
    {"bad domain", NULL, NULL},
    {"", NULL, NULL},
    {"a..b", NULL, NULL},
    {"-a.com", NULL, NULL},
    {"[192.0.2.1]", NULL, NULL},
    {"a_b.com", NULL, NULL},
};

START_TEST(test_normalize) {
  const char *in = kNormal[_i].in;
  g_autoptr(GError) err = NULL;
  g_autofree char *d = tg_settings_normalise_domain(in, &err);
  if (kNormal[_i].domain) {
    ck_assert_msg(d != NULL, "'%s' rejected: %s", in, err ? err->message : "");
    ck_assert_str_eq(d, kNormal[_i].domain);
  } else {
    ck_assert_msg(d == NULL, "'%s' accepted as %s", in, d);
    ck_assert(err != NULL && strlen(err->message) > 0);
  }
  g_autofree char *t = tg_settings_normalise_tld(in, NULL);
  if (kNormal[_i].tld) {
    ck_assert_msg(t != NULL, "'%s' rejected as TLD", in);
    ck_assert_str_eq(t, kNormal[_i].tld);
  } else {
    ck_assert_msg(t == NULL, "'%s' accepted as TLD %s", in, t);
  }
}
END_TEST

/* ---- key files ------------------------------------------------------------------------- */

START_TEST(test_defaults) {
  g_autofree char *dir = scratch_dir();
  use_files(dir, NULL, NULL);
  g_autoptr(GPtrArray) w = g_ptr_array_new_with_free_func(g_free);
  g_autoptr(TgSettings) s = tg_settings_load(NULL, w);
  dump(w);
  ck_assert_uint_eq(w->len, 0);
  ck_assert_int_eq(s->flag_external, TG_LEVEL_OFF);
  ck_assert_int_eq(s->first_contact, TG_LEVEL_INFO);
  ck_assert(!s->allow_override);
  ck_assert(s->learn);
  ck_assert_int_eq(s->fail_mode, TG_FAIL_OPEN);
  ck_assert_uint_eq(s->org_domains->len, 0);
  ck_assert_uint_eq(g_hash_table_size(s->locked), 0);
}
END_TEST

START_TEST(test_precedence) {
  g_autofree char *dir = scratch_dir();
  use_files(
      dir,
      "# the administrator\n[typoguard]\nflag_external = warn\norg_domains = mail.mil;army.mil\n"
      "allow_override=false\nfail_mode=closed\n",
      "[typoguard]\nflag_external = info\nfirst_contact = warn\n"
      "org_domains = navy.mil, Army.mil\nallow_override = true\nlearn = no\n"
      "trusted_domains = partner.example\n");
  g_autoptr(GPtrArray) w = g_ptr_array_new_with_free_func(g_free);
  g_autoptr(TgSettings) s = tg_settings_load(NULL, w);
  dump(w);
  ck_assert_int_eq(s->flag_external, TG_LEVEL_WARN); /* admin wins */
  ck_assert(!s->allow_override);                     /* admin wins */
  ck_assert_int_eq(s->fail_mode, TG_FAIL_CLOSED);
  ck_assert_int_eq(s->first_contact, TG_LEVEL_WARN); /* user's, not locked */
  ck_assert(!s->learn);
  g_autofree char *orgs = joined(s->org_domains);
  ck_assert_str_eq(orgs, "mail.mil,army.mil,navy.mil"); /* merged, no duplicate */
  ck_assert(list_has(s->trusted_domains, "partner.example"));
  ck_assert(tg_settings_is_locked(s, "flag_external"));
  ck_assert(tg_settings_is_locked(s, "org_domains"));
  ck_assert(tg_settings_is_locked(s, "allow_override"));
  ck_assert(!tg_settings_is_locked(s, "first_contact"));
  ck_assert(!tg_settings_is_locked(s, "trusted_domains"));
  /* The user is told that the locked value was not theirs to change. */
  ck_assert(warned(w, "typoguard.conf:2", "flag_external", "administrator"));
}
END_TEST

START_TEST(test_policy_path_order) {
  g_autofree char *dir = scratch_dir();
  g_autofree char *a = write_file(dir, "a.conf", "[typoguard]\nfail_mode=closed\n");
  g_autofree char *b = write_file(dir, "b.conf", "[typoguard]\nfail_mode=open\nlearn=false\n");
  g_setenv("TYPOGUARD_POLICY", a, TRUE);
  g_autofree char *cfg = g_build_filename(dir, "none", NULL);
  g_setenv("XDG_CONFIG_HOME", cfg, TRUE);
  g_autoptr(TgSettings) s1 = tg_settings_load(NULL, NULL);
  ck_assert_int_eq(s1->fail_mode, TG_FAIL_CLOSED); /* $TYPOGUARD_POLICY */
  g_autoptr(TgSettings) s2 = tg_settings_load(b, NULL);
  ck_assert_int_eq(s2->fail_mode, TG_FAIL_OPEN); /* --policy beats the environment */
  ck_assert(!s2->learn);
  g_unsetenv("TYPOGUARD_POLICY");
  g_autofree char *p = tg_settings_policy_path(NULL);
  ck_assert_str_eq(p, TG_SYSTEM_POLICY_PATH);
}
END_TEST

/* A malformed file: every problem is named with file, line and key, the rest still applies. */
START_TEST(test_malformed) {
  g_autofree char *dir = scratch_dir();
  use_files(dir,
            "[typoguard]\n"                                   /* 1 */
            "this line is not a key file line\n"              /* 2 */
            "flag_external = loud\n"                          /* 3 */
            "first_contact = warn\n"                          /* 4 */
            "org_domains = army.mil; bad domain!, navy.mil\n" /* 5 */
            "unknown_key = 1\n"                               /* 6 */
            "learn = perhaps\n"                               /* 7 */
            "[broken\n"                                       /* 8 */
            "allow_override = true\n"                         /* 9: under a broken group */
            "[typoguard]\n"                                   /* 10 */
            "blocked_tlds = ml; not.a.tld\n"                  /* 11 */
            "fail_mode = closed\n",                           /* 12 */
            NULL);
  g_autoptr(GPtrArray) w = g_ptr_array_new_with_free_func(g_free);
  g_autoptr(TgSettings) s = tg_settings_load(NULL, w);
  dump(w);
  ck_assert(warned(w, "policy.conf:2:", "not a key", NULL));
  ck_assert(warned(w, "policy.conf:3:", "flag_external", "loud"));
  ck_assert(warned(w, "policy.conf:5:", "org_domains", "bad domain!"));
  ck_assert(warned(w, "policy.conf:6:", "unknown_key", NULL));
  ck_assert(warned(w, "policy.conf:7:", "learn", "perhaps"));
  ck_assert(warned(w, "policy.conf:8:", "broken", NULL));
  ck_assert(warned(w, "policy.conf:11:", "blocked_tlds", "not.a.tld"));
  ck_assert_int_eq(s->flag_external, TG_LEVEL_OFF); /* bad value: default kept */
  ck_assert_int_eq(s->first_contact, TG_LEVEL_WARN);
  ck_assert(s->learn);
  ck_assert(!s->allow_override); /* its group line was broken */
  ck_assert_int_eq(s->fail_mode, TG_FAIL_CLOSED);
  g_autofree char *orgs = joined(s->org_domains);
  ck_assert_str_eq(orgs, "army.mil,navy.mil");
  g_autofree char *tlds = joined(s->blocked_tlds);
  ck_assert_str_eq(tlds, "ml");
  ck_assert(!tg_settings_is_locked(s, "flag_external"));
  ck_assert(tg_settings_is_locked(s, "first_contact"));
}
END_TEST

static const struct {
  const char *text;
  const char *expect; /* a piece of the warning */
} kBadFiles[] = {
    {"flag_external = warn\n", "outside any group"},
    {"[other]\nflag_external = warn\n", "no [typoguard] group"},
    {"[typoguard]\nflag_external = w\xff\n", "UTF-8"},
    {"[typoguard]\ntrusted_domains_file =\n", "empty path"},
    /* names GKeyFile would reject the whole file for */
    {"[typoguard]\nkey[ = v\nflag_external = loud\n",
     "policy.conf:2: 'key[' is not a valid key name"},
    {"[typoguard]\nk]ey = v\n", "not a valid key name"},
    {"[typoguard]\nke y = v\n", "not a valid key name"},
    {"[typo\001guard]\nx=1\n", "'[typo\\001guard]' is not a valid [group] line"},
    {"[typoguard]\n\001 junk\n", "policy.conf:2: '\\001 junk' is not a key = value line"},
};

START_TEST(test_bad_files) {
  g_autofree char *dir = scratch_dir();
  use_files(dir, kBadFiles[_i].text, "[typoguard]\nfirst_contact = off\n");
  g_autoptr(GPtrArray) w = g_ptr_array_new_with_free_func(g_free);
  g_autoptr(TgSettings) s = tg_settings_load(NULL, w);
  dump(w);
  ck_assert_msg(warned(w, "policy.conf", kBadFiles[_i].expect, NULL), "case %d", _i);
  ck_assert_int_eq(s->flag_external, TG_LEVEL_OFF);
  ck_assert_int_eq(s->first_contact, TG_LEVEL_OFF); /* the user's file still applies */
}
END_TEST

START_TEST(test_relative_list_path) {
  g_autofree char *dir = scratch_dir();
  use_files(dir,
            "[typoguard]\ntrusted_domains_file = lists/partners.txt\n"
            "blocked_domains_file = /srv/deny.txt\n",
            NULL);
  g_autoptr(TgSettings) s = tg_settings_load(NULL, NULL);
  g_autofree char *want = g_build_filename(dir, "lists", "partners.txt", NULL);
  ck_assert_str_eq(s->trusted_domains_file, want);
  ck_assert_str_eq(s->blocked_domains_file, "/srv/deny.txt");
}
END_TEST

/* ---- JSON ------------------------------------------------------------------------------ */

static const struct {
  const char *json;
  const char *key; /* named in the error */
} kBadJson[] = {
    {"{\"org_domains\":\"army.mil\"}", "org_domains"},
    {"{\"org_domains\":[\"army.mil\",3]}", "org_domains"},
    {"{\"trusted_domains\":[\"not a domain\"]}", "trusted_domains"},
    {"{\"blocked_tlds\":[\"a.b\"]}", "blocked_tlds"},
    {"{\"flag_external\":\"loud\"}", "flag_external"},
    {"{\"first_contact\":1}", "first_contact"},
    {"{\"allow_override\":\"yes\"}", "allow_override"},
    {"{\"fail_mode\":true}", "fail_mode"},
    {"{\"learn\":0}", "learn"},
    {"{\"trusted_domains_file\":[\"/x\"]}", "trusted_domains_file"},
    {"{\"blocked_domains_file\":\"relative.txt\"}", "blocked_domains_file"},
    {"[1,2]", "must be an object"},
    /* all or nothing: a good key before the bad one is not applied either */
    {"{\"first_contact\":\"off\",\"learn\":\"no\"}", "learn"},
};

START_TEST(test_json_bad) {
  for (int admin = 0; admin < 2; admin++) {
    g_autoptr(TgSettings) s = tg_settings_new();
    cJSON *j = cJSON_Parse(kBadJson[_i].json);
    ck_assert(j != NULL);
    g_autoptr(GError) err = NULL;
    ck_assert(!tg_settings_merge_json(s, j, admin, &err));
    cJSON_Delete(j);
    ck_assert(err != NULL);
    ck_assert_msg(strstr(err->message, kBadJson[_i].key), "%s: %s", kBadJson[_i].json,
                  err->message);
    ck_assert(strstr(err->message, admin ? "policy" : "settings"));
    ck_assert_int_eq(s->first_contact, TG_LEVEL_INFO); /* unchanged */
    ck_assert_uint_eq(g_hash_table_size(s->locked), 0);
  }
}
END_TEST

START_TEST(test_json_merge) {
  g_autoptr(TgSettings) s = tg_settings_new();
  cJSON *pol =
      cJSON_Parse("{\"org_domains\":[\"mail.mil\",\"ARMY.MIL.\"],\"flag_external\":\"warn\","
                  "\"allow_override\":false,\"unknown\":{\"x\":1},\"fail_mode\":null}");
  cJSON *usr = cJSON_Parse("{\"org_domains\":[\"navy.mil\"],\"flag_external\":\"off\","
                           "\"first_contact\":\"warn\",\"allow_override\":true,\"learn\":false,"
                           "\"blocked_tlds\":[\".ML\"],\"trusted_domains_file\":\"/tmp/t.txt\"}");
  g_autoptr(GError) err = NULL;
  ck_assert(tg_settings_merge_json(s, pol, true, &err));
  ck_assert(tg_settings_merge_json(s, usr, false, &err));
  cJSON_Delete(pol);
  cJSON_Delete(usr);
  g_autofree char *orgs = joined(s->org_domains);
  ck_assert_str_eq(orgs, "mail.mil,army.mil,navy.mil");
  ck_assert_int_eq(s->flag_external, TG_LEVEL_WARN);
  ck_assert(!s->allow_override);
  ck_assert_int_eq(s->first_contact, TG_LEVEL_WARN);
  ck_assert(!s->learn);
  ck_assert_int_eq(s->fail_mode, TG_FAIL_OPEN);
  ck_assert_str_eq(s->trusted_domains_file, "/tmp/t.txt");

  cJSON *j = tg_settings_to_json(s);
  char *txt = cJSON_PrintUnformatted(j);
  ck_assert_str_eq(
      txt, "{\"org_domains\":[\"mail.mil\",\"army.mil\",\"navy.mil\"],\"trusted_domains\":[],"
           "\"blocked_domains\":[],\"blocked_tlds\":[\"ml\"],\"flag_external\":\"warn\","
           "\"first_contact\":\"warn\",\"allow_override\":false,\"fail_mode\":\"open\","
           "\"learn\":false,\"trusted_domains_file\":\"/tmp/t.txt\","
           "\"blocked_domains_file\":null,"
           "\"locked\":[\"org_domains\",\"flag_external\",\"allow_override\"]}");
  cJSON_free(txt);
  cJSON_Delete(j);
}
END_TEST

START_TEST(test_copy_independent) {
  g_autoptr(TgSettings) s = tg_settings_new();
  cJSON *pol = cJSON_Parse("{\"org_domains\":[\"mail.mil\"],\"learn\":false}");
  ck_assert(tg_settings_merge_json(s, pol, true, NULL));
  cJSON_Delete(pol);
  g_autoptr(TgSettings) c = tg_settings_copy(s);
  cJSON *more = cJSON_Parse("{\"org_domains\":[\"navy.mil\"],\"flag_external\":\"info\"}");
  ck_assert(tg_settings_merge_json(c, more, true, NULL));
  cJSON_Delete(more);
  ck_assert_uint_eq(s->org_domains->len, 1);
  ck_assert_uint_eq(c->org_domains->len, 2);
  ck_assert(!tg_settings_is_locked(s, "flag_external"));
  ck_assert(tg_settings_is_locked(c, "flag_external"));
  ck_assert(tg_settings_is_locked(c, "learn"));
}
END_TEST

/* ---- list files into the context ------------------------------------------------------- */

START_TEST(test_list_file) {
  g_autofree char *dir = scratch_dir();
  GString *text = g_string_new("# partners\n\n");
  for (int i = 0; i < 50; i++)
    g_string_append_printf(text, "partner%d-example.com\n", i);
  g_string_append(text, "  Spaced-Example.ORG.  # a comment\nnot a domain\n");
  g_autofree char *path = write_file(dir, "partners.txt", text->str);
  g_string_free(text, TRUE);
  psl_ctx_t *psl = psl_latest(NULL);
  g_autoptr(TgContext) ctx = tg_context_new(psl);
  size_t before = tg_context_trusted_count(ctx);
  g_autoptr(GPtrArray) w = g_ptr_array_new_with_free_func(g_free);
  size_t n = tg_settings_load_list_file(ctx, path, false, w);
  dump(w);
  ck_assert_uint_eq(n, 51);
  ck_assert_uint_eq(tg_context_trusted_count(ctx), before + 51);
  ck_assert(warned(w, "partners.txt:54", "not a domain", "trusted_domains_file"));

  g_autoptr(GPtrArray) w2 = g_ptr_array_new_with_free_func(g_free);
  g_autofree char *missing = g_build_filename(dir, "missing.txt", NULL);
  ck_assert_uint_eq(tg_settings_load_list_file(ctx, missing, true, w2), 0);
  ck_assert(warned(w2, "missing.txt", "blocked_domains_file", "cannot be opened"));
  psl_free(psl);
}
END_TEST

START_TEST(test_build_context) {
  g_autofree char *dir = scratch_dir();
  g_autofree char *list = write_file(dir, "t.txt", "a.example\nb.example\n");
  g_autoptr(TgSettings) s = tg_settings_new();
  g_autofree char *json =
      g_strdup_printf("{\"org_domains\":[\"mail.mil\"],\"trusted_domains\":[\"partner.example\"],"
                      "\"blocked_tlds\":[\"ml\"],\"trusted_domains_file\":\"%s\"}",
                      list);
  cJSON *j = cJSON_Parse(json);
  ck_assert(tg_settings_merge_json(s, j, false, NULL));
  cJSON_Delete(j);
  psl_ctx_t *psl = psl_latest(NULL);
  g_autoptr(TgContext) empty = tg_context_new(psl);
  g_autoptr(GPtrArray) w = g_ptr_array_new_with_free_func(g_free);
  g_autoptr(TgContext) ctx = tg_settings_build_context(s, psl, w);
  dump(w);
  ck_assert_uint_eq(w->len, 0);
  ck_assert_uint_eq(tg_context_trusted_count(ctx), tg_context_trusted_count(empty) + 4);
  psl_free(psl);
}
END_TEST

static Suite *config_suite(void) {
  Suite *s = suite_create("config");
  TCase *tc = tcase_create("config");
  tcase_add_loop_test(tc, test_normalize, 0, G_N_ELEMENTS(kNormal));
  tcase_add_test(tc, test_defaults);
  tcase_add_test(tc, test_precedence);
  tcase_add_test(tc, test_policy_path_order);
  tcase_add_test(tc, test_malformed);
  tcase_add_loop_test(tc, test_bad_files, 0, G_N_ELEMENTS(kBadFiles));
  tcase_add_test(tc, test_relative_list_path);
  tcase_add_loop_test(tc, test_json_bad, 0, G_N_ELEMENTS(kBadJson));
  tcase_add_test(tc, test_json_merge);
  tcase_add_test(tc, test_copy_independent);
  tcase_add_test(tc, test_list_file);
  tcase_add_test(tc, test_build_context);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) {
  return tg_run_suite(config_suite(), NULL, TG_SUITE_SCRATCH);
}
