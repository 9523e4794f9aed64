/* test_install.c — native-messaging manifests (host/src/install.c): locations per browser, user
 * and system, with a root; what a manifest holds; usage errors before anything is written;
 * uninstall that removes only our manifests; and the manifest check the self-test uses. */
#include <check.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>

#include "install.h"
#include "json.h"
#include "runsuite.h"

#define PROGRAM "/usr/bin/env" /* any absolute path of an existing program */
#define ORIGIN "chrome-extension://abcdefghijklmnopabcdefghijklmnop/"

static char *scratch_home(void) {
  char *dir = g_dir_make_tmp("tg-install-XXXXXX", NULL);
  ck_assert(dir != NULL);
  g_setenv("HOME", dir, TRUE);
  g_unsetenv("XDG_CONFIG_HOME");
  return dir;
}

static char *mozilla_path(const char *home) {
  return g_build_filename(home, ".mozilla", "native-messaging-hosts", "typoguard.json", NULL);
}

static char *chrome_path(const char *home, const char *which) {
  return g_build_filename(home, ".config", which, "NativeMessagingHosts", "typoguard.json", NULL);
}

static const struct {
  const char *in;
  const char *out; /* NULL: rejected */
} kOrigins[] = {
    {"abcdefghijklmnopabcdefghijklmnop", ORIGIN},
    {"chrome-extension://abcdefghijklmnopabcdefghijklmnop", ORIGIN},
    {ORIGIN, ORIGIN},
    {"chrome-extension://abcdefghijklmnopabcdefghijklmno/", NULL},  /* 31 letters */
    {"chrome-extension://abcdefghijklmnopabcdefghijklmnoz/", NULL}, /* z is not a-p */
    {"https://example.com/", NULL},
    {"", NULL},
    {ORIGIN "x", NULL},
};

START_TEST(test_origin) {
  g_autofree char *o = tg_install_chrome_origin(kOrigins[_i].in);
  if (kOrigins[_i].out)
    ck_assert_str_eq(o, kOrigins[_i].out);
  else
    ck_assert_msg(o == NULL, "%s accepted", kOrigins[_i].in);
}
END_TEST

START_TEST(test_locations) {
  g_autofree char *home = scratch_home();
  g_autoptr(GPtrArray) user = tg_install_locations(false, NULL);
  ck_assert_uint_eq(user->len, 3);
  g_autofree char *moz = mozilla_path(home);
  g_autofree char *chr = chrome_path(home, "google-chrome");
  g_autofree char *chm = chrome_path(home, "chromium");
  ck_assert_str_eq(((TgManifestLocation *)g_ptr_array_index(user, 0))->path, moz);
  ck_assert_str_eq(((TgManifestLocation *)g_ptr_array_index(user, 1))->path, chr);
  ck_assert_str_eq(((TgManifestLocation *)g_ptr_array_index(user, 2))->path, chm);
  g_autoptr(GPtrArray) sys = tg_install_locations(true, "/stage");
  ck_assert_str_eq(((TgManifestLocation *)g_ptr_array_index(sys, 0))->path,
                   "/stage/usr/lib/mozilla/native-messaging-hosts/typoguard.json");
  ck_assert_str_eq(((TgManifestLocation *)g_ptr_array_index(sys, 1))->path,
                   "/stage/etc/opt/chrome/native-messaging-hosts/typoguard.json");
  ck_assert_str_eq(((TgManifestLocation *)g_ptr_array_index(sys, 2))->path,
                   "/stage/etc/chromium/native-messaging-hosts/typoguard.json");
  g_setenv("XDG_CONFIG_HOME", "/xdg", TRUE);
  g_autoptr(GPtrArray) xdg = tg_install_locations(false, NULL);
  ck_assert_str_eq(((TgManifestLocation *)g_ptr_array_index(xdg, 0))->path, moz);
  ck_assert_str_eq(((TgManifestLocation *)g_ptr_array_index(xdg, 1))->path,
                   "/xdg/google-chrome/NativeMessagingHosts/typoguard.json");
}
END_TEST

START_TEST(test_manifest_text) {
  g_autofree char *m = tg_install_manifest_json(false, "/opt/a \"b\"/typoguard-host", "x@y.org");
  g_autoptr(cJSON) j = cJSON_Parse(m);
  ck_assert(j != NULL);
  ck_assert_str_eq(cJSON_GetObjectItem(j, "name")->valuestring, "typoguard");
  ck_assert_str_eq(cJSON_GetObjectItem(j, "type")->valuestring, "stdio");
  ck_assert_str_eq(cJSON_GetObjectItem(j, "path")->valuestring, "/opt/a \"b\"/typoguard-host");
  ck_assert_str_eq(cJSON_GetArrayItem(cJSON_GetObjectItem(j, "allowed_extensions"), 0)->valuestring,
                   "x@y.org");
  ck_assert(cJSON_GetObjectItem(j, "allowed_origins") == NULL);
  g_autofree char *c = tg_install_manifest_json(true, "/p", ORIGIN);
  g_autoptr(cJSON) k = cJSON_Parse(c);
  ck_assert_str_eq(cJSON_GetArrayItem(cJSON_GetObjectItem(k, "allowed_origins"), 0)->valuestring,
                   ORIGIN);
  ck_assert(cJSON_GetObjectItem(k, "allowed_extensions") == NULL);
}
END_TEST

START_TEST(test_install_default) {
  g_autofree char *home = scratch_home();
  TgInstallOptions o = {.program = PROGRAM};
  ck_assert_int_eq(tg_install_run(&o), 0);
  g_autofree char *moz = mozilla_path(home);
  g_autoptr(GError) err = NULL;
  ck_assert_msg(tg_install_check_manifest(moz, false, PROGRAM, TG_EXTENSION_ID, &err), "%s",
                err ? err->message : "");
  GStatBuf st;
  ck_assert(g_stat(moz, &st) == 0);
  ck_assert_uint_eq(st.st_mode & 0777, 0644);
  /* no Chrome manifests without an origin */
  g_autofree char *chr = chrome_path(home, "google-chrome");
  ck_assert(!g_file_test(chr, G_FILE_TEST_EXISTS));
  /* installing again replaces the file (and leaves no temporary behind) */
  ck_assert_int_eq(tg_install_run(&o), 0);
  g_autofree char *dir = g_path_get_dirname(moz);
  g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
  int files = 0;
  while (g_dir_read_name(d))
    files++;
  ck_assert_int_eq(files, 1);
}
END_TEST

/* Usage mistakes are exit status 64 and write nothing. */
static const struct {
  const char *browsers;
  const char *origin;
  const char *ext;
} kUsage[] = {
    {"chrome", NULL, NULL},
    {"thunderbird,chromium", NULL, NULL},
    {"netscape", NULL, NULL},
    {",", NULL, NULL},
    {"chrome", "not-an-origin", NULL},
    {"thunderbird", NULL, "has space"},
};

START_TEST(test_usage) {
  g_autofree char *home = scratch_home();
  TgInstallOptions o = {.program = PROGRAM,
                        .browsers = kUsage[_i].browsers,
                        .chrome_origin = kUsage[_i].origin,
                        .extension_id = kUsage[_i].ext};
  ck_assert_int_eq(tg_install_run(&o), 64);
  g_autofree char *moz = mozilla_path(home);
  ck_assert(!g_file_test(moz, G_FILE_TEST_EXISTS));
  g_autofree char *cfg = g_build_filename(home, ".config", NULL);
  ck_assert(!g_file_test(cfg, G_FILE_TEST_EXISTS));
}
END_TEST

START_TEST(test_chrome_and_uninstall) {
  g_autofree char *home = scratch_home();
  TgInstallOptions o = {.program = PROGRAM,
                        .chrome_origin = "abcdefghijklmnopabcdefghijklmnop",
                        .extension_id = "other@example.org"};
  ck_assert_int_eq(tg_install_run(&o), 0);
  g_autofree char *moz = mozilla_path(home);
  g_autofree char *chr = chrome_path(home, "google-chrome");
  g_autofree char *chm = chrome_path(home, "chromium");
  ck_assert(tg_install_check_manifest(moz, false, PROGRAM, "other@example.org", NULL));
  ck_assert(!tg_install_check_manifest(moz, false, PROGRAM, TG_EXTENSION_ID, NULL));
  ck_assert(tg_install_check_manifest(chr, true, PROGRAM, ORIGIN, NULL));
  ck_assert(tg_install_check_manifest(chm, true, PROGRAM, ORIGIN, NULL));

  /* someone else's file at our name is not ours to remove */
  ck_assert(g_file_set_contents(chm, "{\"name\":\"other\"}", -1, NULL));
  TgInstallOptions u = {.uninstall = true};
  ck_assert_int_eq(tg_install_run(&u), 0);
  ck_assert(!g_file_test(moz, G_FILE_TEST_EXISTS));
  ck_assert(!g_file_test(chr, G_FILE_TEST_EXISTS));
  ck_assert(g_file_test(chm, G_FILE_TEST_EXISTS));
  /* uninstalling what is not there is fine */
  ck_assert_int_eq(tg_install_run(&u), 0);
}
END_TEST

START_TEST(test_system_root) {
  g_autofree char *home = scratch_home();
  g_autofree char *root = g_build_filename(home, "stage", NULL);
  /* a program inside the staging root is named by its final path */
  g_autofree char *prog = g_build_filename(root, "usr", "lib", "typoguard", "typoguard-host", NULL);
  TgInstallOptions o = {.system = true,
                        .root = root,
                        .program = prog,
                        .browsers = "thunderbird,chrome",
                        .chrome_origin = ORIGIN};
  ck_assert_int_eq(tg_install_run(&o), 0);
  g_autofree char *moz =
      g_build_filename(root, "usr/lib/mozilla/native-messaging-hosts/typoguard.json", NULL);
  g_autofree char *chr =
      g_build_filename(root, "etc/opt/chrome/native-messaging-hosts/typoguard.json", NULL);
  g_autofree char *chm =
      g_build_filename(root, "etc/chromium/native-messaging-hosts/typoguard.json", NULL);
  ck_assert(g_file_test(moz, G_FILE_TEST_EXISTS));
  ck_assert(g_file_test(chr, G_FILE_TEST_EXISTS));
  ck_assert(!g_file_test(chm, G_FILE_TEST_EXISTS));
  g_autofree char *text = NULL;
  ck_assert(g_file_get_contents(moz, &text, NULL, NULL));
  g_autoptr(cJSON) j = cJSON_Parse(text);
  ck_assert_str_eq(cJSON_GetObjectItem(j, "path")->valuestring,
                   "/usr/lib/typoguard/typoguard-host");
  g_autofree char *user = mozilla_path(home);
  ck_assert(!g_file_test(user, G_FILE_TEST_EXISTS));
  TgInstallOptions u = {.system = true, .root = root, .uninstall = true, .browsers = "chrome"};
  ck_assert_int_eq(tg_install_run(&u), 0);
  ck_assert(!g_file_test(chr, G_FILE_TEST_EXISTS));
  ck_assert(g_file_test(moz, G_FILE_TEST_EXISTS));
}
END_TEST

/* What the self-test says about a manifest. */
static const struct {
  const char *text; /* @PROG@: an existing program */
  const char *expect;
} kBadManifests[] = {
    {"not json", "not a JSON object"},
    {"{\"name\":\"other\",\"type\":\"stdio\",\"path\":\"@PROG@\",\"allowed_extensions\":["
     "\"" TG_EXTENSION_ID "\"]}",
     "name"},
    {"{\"name\":\"typoguard\",\"type\":\"stdio\",\"path\":\"/bin/"
     "sh\",\"allowed_extensions\":[\"" TG_EXTENSION_ID "\"]}",
     "not this program"},
    {"{\"name\":\"typoguard\",\"type\":\"stdio\",\"path\":\"/nonexistent/"
     "typoguard-host\",\"allowed_extensions\":[\"" TG_EXTENSION_ID "\"]}",
     "not a program"},
    {"{\"name\":\"typoguard\",\"type\":\"stdio\",\"path\":\"@PROG@\",\"allowed_extensions\":[\"x@"
     "y\"]}",
     "does not list"},
    {"{\"name\":\"typoguard\",\"type\":\"stdio\",\"path\":\"@PROG@\"}", "does not list"},
    {"{\"name\":\"typoguard\",\"type\":\"pipe\",\"path\":\"@PROG@\",\"allowed_extensions\":["
     "\"" TG_EXTENSION_ID "\"]}",
     "stdio"},
    {"{\"name\":\"typoguard\",\"type\":\"stdio\",\"path\":\"relative\",\"allowed_extensions\":["
     "\"" TG_EXTENSION_ID "\"]}",
     "absolute"},
};

START_TEST(test_check_manifest) {
  g_autofree char *home = scratch_home();
  g_autofree char *path = g_build_filename(home, "typoguard.json", NULL);
  GString *text = g_string_new(kBadManifests[_i].text);
  g_string_replace(text, "@PROG@", PROGRAM, 0);
  ck_assert(g_file_set_contents(path, text->str, -1, NULL));
  g_string_free(text, TRUE);
  g_autoptr(GError) err = NULL;
  ck_assert(!tg_install_check_manifest(path, false, PROGRAM, TG_EXTENSION_ID, &err));
  ck_assert_msg(strstr(err->message, kBadManifests[_i].expect), "%d: %s", _i, err->message);
}
END_TEST

static Suite *install_suite(void) {
  Suite *s = suite_create("install");
  TCase *tc = tcase_create("install");
  tcase_add_loop_test(tc, test_origin, 0, G_N_ELEMENTS(kOrigins));
  tcase_add_test(tc, test_locations);
  tcase_add_test(tc, test_manifest_text);
  tcase_add_test(tc, test_install_default);
  tcase_add_loop_test(tc, test_usage, 0, G_N_ELEMENTS(kUsage));
  tcase_add_test(tc, test_chrome_and_uninstall);
  tcase_add_test(tc, test_system_root);
  tcase_add_loop_test(tc, test_check_manifest, 0, G_N_ELEMENTS(kBadManifests));
  suite_add_tcase(s, tc);
  return s;
}

int main(void) {
  return tg_run_suite(install_suite(), NULL, TG_SUITE_SCRATCH);
}
