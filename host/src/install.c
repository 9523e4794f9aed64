/* install.c — native-messaging manifests: where each browser or mail client looks for them, what
 * they hold, writing (atomically) and removing them, and checking one for the self-test.
 *
 * Guarantees: a manifest is replaced whole or not at all (tg_write_file_atomic); uninstall only
 * removes files named typoguard.json whose "name" is typoguard; every file considered gets one
 * line on stdout; a usage mistake is exit status 64 with a message on stderr, before anything is
 * written. Locations (notes/thunderbird.md): Thunderbird and Firefox share
 * ~/.mozilla/native-messaging-hosts (system /usr/lib/mozilla/native-messaging-hosts); Chrome
 * and Chromium read $XDG_CONFIG_HOME (default ~/.config)/{google-chrome,chromium}/
 * NativeMessagingHosts (system /etc/opt/chrome/…, /etc/chromium/…).
 */
#include "install.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib/gstdio.h>

#include "atomicfile.h"
#include "json.h"

#define TG_EXIT_OK 0
#define TG_EXIT_FAILED 1
#define TG_EXIT_USAGE 64

enum {
  B_THUNDERBIRD = 1u << 0,
  B_FIREFOX = 1u << 1,
  B_CHROME = 1u << 2,
  B_CHROMIUM = 1u << 3,
};

static const struct {
  const char *name;
  unsigned bit;
} kBrowsers[] = {
    {"thunderbird", B_THUNDERBIRD},
    {"firefox", B_FIREFOX},
    {"chrome", B_CHROME},
    {"chromium", B_CHROMIUM},
};

/* One folder that a set of programs reads manifests from. */
static const struct {
  unsigned browsers;
  const char *label;
  bool chrome;          /* allowed_origins instead of allowed_extensions */
  bool under_config;    /* the user folder is under $XDG_CONFIG_HOME rather than $HOME */
  const char *user_dir; /* relative to $HOME or the config folder */
  const char *system_dir;
} kLocations[] = {
    {B_THUNDERBIRD | B_FIREFOX, "thunderbird, firefox", false, false,
     ".mozilla/native-messaging-hosts", "/usr/lib/mozilla/native-messaging-hosts"},
    {B_CHROME, "chrome", true, true, "google-chrome/NativeMessagingHosts",
     "/etc/opt/chrome/native-messaging-hosts"},
    {B_CHROMIUM, "chromium", true, true, "chromium/NativeMessagingHosts",
     "/etc/chromium/native-messaging-hosts"},
};

static void location_free(gpointer p) {
  TgManifestLocation *l = p;
  g_free(l->path);
  g_free(l);
}

static const char *home_dir(void) {
  const char *home = g_getenv("HOME");
  return home && home[0] ? home : g_get_home_dir();
}

GPtrArray *tg_install_locations(bool system, const char *root) {
  GPtrArray *out = g_ptr_array_new_with_free_func(location_free);
  const char *xdg = g_getenv("XDG_CONFIG_HOME");
  g_autofree char *config = xdg && g_path_is_absolute(xdg)
                                ? g_strdup(xdg)
                                : g_build_filename(home_dir(), ".config", NULL);
  for (size_t i = 0; i < G_N_ELEMENTS(kLocations); i++) {
    g_autofree char *dir = NULL;
    if (system)
      dir = g_strdup(kLocations[i].system_dir);
    else
      dir = g_build_filename(kLocations[i].under_config ? config : home_dir(),
                             kLocations[i].user_dir, NULL);
    TgManifestLocation *l = g_new0(TgManifestLocation, 1);
    l->label = kLocations[i].label;
    l->chrome = kLocations[i].chrome;
    l->browsers = kLocations[i].browsers;
    l->path = root && root[0] ? g_build_filename(root, dir, TG_HOST_NAME ".json", NULL)
                              : g_build_filename(dir, TG_HOST_NAME ".json", NULL);
    g_ptr_array_add(out, l);
  }
  return out;
}

/* chrome-extension://ID/ from "ID", "chrome-extension://ID" or "chrome-extension://ID/"; an ID is
 * 32 letters a–p. NULL when it is none of these. */
char *tg_install_chrome_origin(const char *text) {
  const char *p = text;
  if (g_str_has_prefix(p, "chrome-extension://"))
    p += strlen("chrome-extension://");
  size_t n = 0;
  while (p[n] >= 'a' && p[n] <= 'p')
    n++;
  if (n != 32 || !(p[n] == '\0' || (p[n] == '/' && p[n + 1] == '\0')))
    return NULL;
  return g_strdup_printf("chrome-extension://%.32s/", p);
}

static bool extension_id_valid(const char *id) {
  size_t len = strlen(id);
  if (len == 0 || len > 256 || !g_utf8_validate(id, (gssize)len, NULL))
    return false;
  for (const char *c = id; *c; c++)
    if ((unsigned char)*c <= 0x20 || *c == 0x7f || *c == '"' || *c == '\\')
      return false;
  return true;
}

char *tg_install_manifest_json(bool chrome, const char *program, const char *allowed) {
  g_autoptr(cJSON) m = cJSON_CreateObject();
  cJSON_AddStringToObject(m, "name", TG_HOST_NAME);
  cJSON_AddStringToObject(m, "description",
                          "typoguard: checks the recipients of a message before it is sent");
  cJSON_AddStringToObject(m, "path", program);
  cJSON_AddStringToObject(m, "type", "stdio");
  cJSON *list = cJSON_AddArrayToObject(m, chrome ? "allowed_origins" : "allowed_extensions");
  cJSON_AddItemToArray(list, cJSON_CreateString(allowed));
  char *txt = cJSON_Print(m);
  char *out = g_strconcat(txt, "\n", NULL);
  cJSON_free(txt);
  return out;
}

static cJSON *read_json(const char *path, GError **error) {
  g_autofree char *text = NULL;
  gsize len = 0;
  if (!g_file_get_contents(path, &text, &len, error))
    return NULL;
  cJSON *j = cJSON_ParseWithLength(text, len);
  if (j == NULL || !cJSON_IsObject(j)) {
    cJSON_Delete(j);
    g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s is not a JSON object", path);
    return NULL;
  }
  return j;
}

static bool same_file(const char *a, const char *b) {
  char ra[PATH_MAX], rb[PATH_MAX];
  if (realpath(a, ra) == NULL || realpath(b, rb) == NULL)
    return strcmp(a, b) == 0;
  return strcmp(ra, rb) == 0;
}

bool tg_install_check_manifest(const char *path, bool chrome, const char *program,
                               const char *allowed, GError **error) {
  g_autoptr(GError) err = NULL;
  g_autoptr(cJSON) j = read_json(path, &err);
  if (j == NULL) {
    g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s", err->message);
    return false;
  }
  const cJSON *name = cJSON_GetObjectItemCaseSensitive(j, "name");
  const cJSON *p = cJSON_GetObjectItemCaseSensitive(j, "path");
  const cJSON *type = cJSON_GetObjectItemCaseSensitive(j, "type");
  const char *list_key = chrome ? "allowed_origins" : "allowed_extensions";
  const cJSON *list = cJSON_GetObjectItemCaseSensitive(j, list_key);
  if (!cJSON_IsString(name) || strcmp(name->valuestring, TG_HOST_NAME) != 0) {
    g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "its \"name\" is not \"%s\"",
                TG_HOST_NAME);
    return false;
  }
  if (!cJSON_IsString(type) || strcmp(type->valuestring, "stdio") != 0) {
    g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "its \"type\" is not \"stdio\"");
    return false;
  }
  if (!cJSON_IsString(p) || !g_path_is_absolute(p->valuestring)) {
    g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "its \"path\" is not an absolute path");
    return false;
  }
  if (!g_file_test(p->valuestring, G_FILE_TEST_IS_EXECUTABLE) ||
      g_file_test(p->valuestring, G_FILE_TEST_IS_DIR)) {
    g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_NOENT, "it names %s, which is not a program",
                p->valuestring);
    return false;
  }
  if (program != NULL && !same_file(p->valuestring, program)) {
    g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "it names %s, not this program (%s)",
                p->valuestring, program);
    return false;
  }
  bool found = false;
  const cJSON *e;
  cJSON_ArrayForEach(e, list) {
    if (cJSON_IsString(e) && (allowed == NULL || strcmp(e->valuestring, allowed) == 0))
      found = true;
  }
  if (!cJSON_IsArray(list) || !found) {
    g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "its \"%s\" does not list %s", list_key,
                allowed ? allowed : "any extension");
    return false;
  }
  return true;
}

/* Is the file at `path` a typoguard manifest (ours to remove)? */
static bool is_ours(const char *path) {
  g_autoptr(cJSON) j = read_json(path, NULL);
  const cJSON *name = j ? cJSON_GetObjectItemCaseSensitive(j, "name") : NULL;
  return cJSON_IsString(name) && strcmp(name->valuestring, TG_HOST_NAME) == 0;
}

static bool parse_browsers(const char *list, unsigned *out) {
  *out = 0;
  g_auto(GStrv) parts = g_strsplit(list, ",", -1);
  for (guint i = 0; parts[i] != NULL; i++) {
    g_strstrip(parts[i]);
    if (parts[i][0] == '\0')
      continue;
    bool known = false;
    for (size_t b = 0; b < G_N_ELEMENTS(kBrowsers); b++) {
      if (g_ascii_strcasecmp(parts[i], kBrowsers[b].name) == 0) {
        *out |= kBrowsers[b].bit;
        known = true;
      }
    }
    if (!known) {
      g_printerr("typoguard-host: unknown browser '%s' in --browser (use thunderbird, firefox, "
                 "chrome, chromium)\n",
                 parts[i]);
      return false;
    }
  }
  if (*out == 0) {
    g_printerr("typoguard-host: --browser names no browser (use thunderbird, firefox, chrome, "
               "chromium)\n");
    return false;
  }
  return true;
}

int tg_install_run(const TgInstallOptions *opts) {
  unsigned browsers;
  if (opts->browsers != NULL) {
    if (!parse_browsers(opts->browsers, &browsers))
      return TG_EXIT_USAGE;
  } else if (opts->uninstall) {
    browsers = B_THUNDERBIRD | B_FIREFOX | B_CHROME | B_CHROMIUM;
  } else {
    /* Chrome manifests need the extension's origin; without one, Chrome is only done on request. */
    browsers = B_THUNDERBIRD | B_FIREFOX | (opts->chrome_origin ? B_CHROME | B_CHROMIUM : 0u);
  }
  const char *ext_id = opts->extension_id ? opts->extension_id : TG_EXTENSION_ID;
  g_autofree char *origin = NULL;
  if (!opts->uninstall) {
    if (!extension_id_valid(ext_id)) {
      g_printerr("typoguard-host: --extension-id '%s' is not an extension id\n", ext_id);
      return TG_EXIT_USAGE;
    }
    if (opts->chrome_origin != NULL) {
      origin = tg_install_chrome_origin(opts->chrome_origin);
      if (origin == NULL) {
        g_printerr("typoguard-host: --chrome-origin '%s' is not chrome-extension://ID/ (an ID is "
                   "32 letters a-p)\n",
                   opts->chrome_origin);
        return TG_EXIT_USAGE;
      }
    } else if (browsers & (B_CHROME | B_CHROMIUM)) {
      g_printerr("typoguard-host: --browser chrome/chromium needs --chrome-origin "
                 "chrome-extension://ID/ (the ID of the typoguard extension in that browser)\n");
      return TG_EXIT_USAGE;
    }
    if (opts->program == NULL || !g_path_is_absolute(opts->program)) {
      g_printerr("typoguard-host: cannot tell the absolute path of this program\n");
      return TG_EXIT_FAILED;
    }
  }
  /* Installing into a staging root from inside it (packaging): the manifest names the path the
   * program will have once the root is the real one. */
  const char *program = opts->program;
  if (program && opts->root && opts->root[0]) {
    g_autofree char *r = g_strdup(opts->root);
    size_t rl = strlen(r);
    while (rl > 1 && r[rl - 1] == '/')
      r[--rl] = '\0';
    if (strncmp(program, r, rl) == 0 && program[rl] == '/')
      program += rl;
  }

  int status = TG_EXIT_OK;
  g_autoptr(GPtrArray) locs = tg_install_locations(opts->system, opts->root);
  for (guint i = 0; i < locs->len; i++) {
    const TgManifestLocation *l = g_ptr_array_index(locs, i);
    if ((l->browsers & browsers) == 0)
      continue;
    if (opts->uninstall) {
      if (!g_file_test(l->path, G_FILE_TEST_EXISTS)) {
        g_print("absent  %s (%s)\n", l->path, l->label);
      } else if (!is_ours(l->path)) {
        g_print("kept    %s (%s): not a typoguard manifest\n", l->path, l->label);
      } else if (g_unlink(l->path) != 0) {
        g_printerr("typoguard-host: cannot remove %s: %s\n", l->path, g_strerror(errno));
        status = TG_EXIT_FAILED;
      } else {
        g_print("removed %s (%s)\n", l->path, l->label);
      }
      continue;
    }
    g_autofree char *dir = g_path_get_dirname(l->path);
    g_autoptr(GError) err = NULL;
    g_autofree char *json =
        tg_install_manifest_json(l->chrome, program, l->chrome ? origin : ext_id);
    if (g_mkdir_with_parents(dir, 0755) != 0) {
      g_printerr("typoguard-host: cannot create %s: %s\n", dir, g_strerror(errno));
      status = TG_EXIT_FAILED;
    } else if (!tg_write_file_atomic(l->path, json, strlen(json), 0644, NULL, &err)) {
      g_printerr("typoguard-host: %s\n", err->message);
      status = TG_EXIT_FAILED;
    } else {
      g_print("wrote   %s (%s)\n", l->path, l->label);
    }
  }
  return status;
}
