/* selftest.c — `typoguard-host --selftest [--json]`: is this installation healthy?
 *
 * Runs every check in a fixed order and reports each as OK, WARN or FAIL with a detail and, when
 * something is wrong, how to fix it: the version and libraries, the public suffix list and its
 * age, the built-in data, each native-messaging manifest, the policy and user settings files and
 * the list files they name, the history, and built-in detection cases run through the core — so
 * a broken build or installation fails here rather than at the user's Send button. Exit status 0
 * when nothing FAILs (a WARN is advice, such as an old public suffix list), else 1. `--json`
 * prints one object {"ok":bool,"checks":[{"name","status","detail","fix"}]}.
 */
#include "selftest.h"

#include <cjson/cJSON.h>
#include <glib.h> /* before idn2.h, which defines G_GNUC_DEPRECATED otherwise */
#include <idn2.h>
#include <libpsl.h>
#include <string.h>
#include <sys/stat.h>

#include "config.h"
#include "history.h"
#include "install.h"
#include "json.h"
#include "protocol.h"
#include "typoguard.h"

/* A public suffix list older than this gets a WARN: new TLDs would look invalid. */
#define TG_PSL_MAX_AGE_DAYS 365

typedef enum { ST_OK, ST_WARN, ST_FAIL } Status;
static const char *const kStatusText[] = {"OK", "WARN", "FAIL"};
static const char *const kStatusJson[] = {"ok", "warn", "fail"};

typedef struct {
  char *name;
  Status status;
  char *detail;
  char *fix; /* or NULL */
} Check;

static void check_free(gpointer p) {
  Check *c = p;
  g_free(c->name);
  g_free(c->detail);
  g_free(c->fix);
  g_free(c);
}

G_GNUC_PRINTF(4, 5)
static void add(GPtrArray *checks, const char *name, Status st, const char *fmt, ...) {
  Check *c = g_new0(Check, 1);
  c->name = g_strdup(name);
  c->status = st;
  va_list ap;
  va_start(ap, fmt);
  c->detail = g_strdup_vprintf(fmt, ap);
  va_end(ap);
  g_ptr_array_add(checks, c);
}

/* Sets the fix of the last check added. */
static void fix(GPtrArray *checks, const char *text) {
  Check *c = g_ptr_array_index(checks, checks->len - 1);
  g_free(c->fix);
  c->fix = g_strdup(text);
}

static char *join(const GPtrArray *a, const char *sep) {
  GString *s = g_string_new(NULL);
  for (guint i = 0; i < a->len; i++) {
    if (i)
      g_string_append(s, sep);
    g_string_append(s, g_ptr_array_index(a, i));
  }
  return g_string_free(s, FALSE);
}

/* ---- the checks ------------------------------------------------------------------------ */

static void check_versions(GPtrArray *checks) {
  add(checks, "version", ST_OK, "typoguard-host %s", tg_version());
  /* ICU is loaded on demand for lookalike checks: a missing ICU disables only those. */
  char icu_text[32];
  bool icu = tg_lookalike_icu_version(icu_text, sizeof icu_text);
  add(checks, "libraries", icu ? ST_OK : ST_FAIL,
      "GLib %u.%u.%u, libidn2 %s, libpsl %s, cJSON %s, ICU %s", glib_major_version,
      glib_minor_version, glib_micro_version, idn2_check_version(NULL), psl_get_version(),
      cJSON_Version(), icu ? icu_text : "missing: lookalike letters cannot be detected");
  if (!icu)
    fix(checks, "install ICU (Debian: apt-get install libicu72)");
}

/* `file`: the list named by $TYPOGUARD_PSL_FILE when the host uses it, else NULL (the system's). */
static void check_psl(GPtrArray *checks, const psl_ctx_t *psl, const char *file) {
  if (psl == NULL) {
    add(checks, "public suffix list", ST_FAIL, "no public suffix list could be loaded");
    fix(checks, "install the publicsuffix package (apt-get install publicsuffix)");
    return;
  }
  /* psl_latest picks the newer of the distribution's file and the copy built into libpsl. */
  const char *dist = psl_dist_filename();
  time_t builtin = psl_builtin_file_time();
  time_t dist_time = 0;
  struct stat st;
  if (file)
    dist = file;
  if (dist && dist[0] && stat(dist, &st) == 0)
    dist_time = st.st_mtime;
  bool use_dist = file || (dist_time > 0 && dist_time >= builtin);
  time_t when = use_dist ? dist_time : builtin;
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc(when);
  g_autofree char *date = dt ? g_date_time_format(dt, "%Y-%m-%d") : g_strdup("unknown");
  gint64 age_days = (g_get_real_time() / G_USEC_PER_SEC - (gint64)when) / 86400;
  /* A few answers every list must give, or TLD checks are meaningless. */
  bool sane = psl_is_public_suffix(psl, "com") && psl_is_public_suffix(psl, "mil") &&
              psl_is_public_suffix(psl, "ml") && psl_is_public_suffix(psl, "co.uk") &&
              !psl_is_public_suffix(psl, "gmail.com");
  if (!sane) {
    add(checks, "public suffix list", ST_FAIL,
        "%s (%s) gives wrong answers for com, mil, ml, co.uk",
        use_dist ? dist : "the list built into libpsl", date);
    fix(checks, "reinstall the publicsuffix and libpsl5 packages");
    return;
  }
  Status s = age_days > TG_PSL_MAX_AGE_DAYS ? ST_WARN : ST_OK;
  add(checks, "public suffix list", s, "%s, dated %s (%" G_GINT64_FORMAT " days old)",
      use_dist ? dist : "built into libpsl", date, age_days);
  if (s != ST_OK)
    fix(checks, "update the publicsuffix package: TLDs added since then would be reported as "
                "not existing");
}

static void check_data(GPtrArray *checks) {
  size_t wk = tg_wellknown_count(), pairs = tg_tld_pair_count();
  Status s = wk > 0 && pairs > 0 ? ST_OK : ST_FAIL;
  add(checks, "built-in data", s, "%zu well-known domains, %zu confusable TLD pairs", wk, pairs);
  if (s != ST_OK)
    fix(checks, "the build is broken (empty built-in data): rebuild typoguard");
}

static void check_manifests(GPtrArray *checks, const char *program) {
  g_autoptr(GPtrArray) user = tg_install_locations(false, NULL);
  g_autoptr(GPtrArray) sys = tg_install_locations(true, NULL);
  for (guint i = 0; i < user->len; i++) {
    const TgManifestLocation *u = g_ptr_array_index(user, i);
    const TgManifestLocation *s = g_ptr_array_index(sys, i);
    g_autofree char *name = g_strdup_printf("manifest (%s)", u->label);
    /* The user's manifest wins over the system's, as in the browsers. */
    g_autoptr(GPtrArray) candidates = g_ptr_array_new_with_free_func(g_free);
    g_ptr_array_add(candidates, g_strdup(u->path));
    g_ptr_array_add(candidates, g_strdup(s->path));
    if (!u->chrome) /* some distributions use lib64 */
      g_ptr_array_add(candidates,
                      g_strdup("/usr/lib64/mozilla/native-messaging-hosts/" TG_HOST_NAME ".json"));
    const char *found = NULL;
    for (guint k = 0; k < candidates->len && !found; k++)
      if (g_file_test(g_ptr_array_index(candidates, k), G_FILE_TEST_EXISTS))
        found = g_ptr_array_index(candidates, k);
    if (found == NULL) {
      if (u->chrome) {
        add(checks, name, ST_OK, "not installed (optional)");
      } else {
        add(checks, name, ST_FAIL, "no manifest at %s or %s", u->path, s->path);
        fix(checks, "run typoguard-host --install (or --install --system as root)");
      }
      continue;
    }
    g_autoptr(GError) err = NULL;
    if (tg_install_check_manifest(found, u->chrome, program, u->chrome ? NULL : TG_EXTENSION_ID,
                                  &err)) {
      add(checks, name, ST_OK, "%s names this program and allows %s", found,
          u->chrome ? "a chrome extension" : TG_EXTENSION_ID);
    } else {
      add(checks, name, ST_FAIL, "%s: %s", found, err->message);
      fix(checks, u->chrome ? "run typoguard-host --install --browser chrome,chromium "
                              "--chrome-origin chrome-extension://ID/"
                            : "run typoguard-host --install");
    }
  }
}

static void check_settings_file(GPtrArray *checks, const char *name, const char *path, bool admin) {
  g_autoptr(TgSettings) s = tg_settings_new();
  g_autoptr(GPtrArray) warnings = g_ptr_array_new_with_free_func(g_free);
  g_autoptr(GPtrArray) applied = g_ptr_array_new_with_free_func(g_free);
  if (!tg_settings_load_file(s, path, admin, warnings, applied)) {
    add(checks, name, ST_OK, "none at %s", path);
    return;
  }
  if (warnings->len > 0) {
    g_autofree char *w = join(warnings, "; ");
    add(checks, name, ST_FAIL, "%s", w);
    fix(checks, "correct the lines named above (keys and values: see the README); the other "
                "keys are in force");
    return;
  }
  /* What it sets, with the values, as `hello` would show them. */
  g_autoptr(cJSON) view = tg_settings_to_json(s);
  g_autoptr(GPtrArray) sets = g_ptr_array_new_with_free_func(g_free);
  g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);
  for (guint i = 0; i < applied->len; i++) {
    const char *key = g_ptr_array_index(applied, i);
    if (!g_hash_table_add(seen, (gpointer)key))
      continue;
    char *value = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(view, key));
    g_ptr_array_add(sets, g_strdup_printf("%s=%s", key, value ? value : "?"));
    cJSON_free(value);
  }
  g_autofree char *keys = join(sets, ", ");
  add(checks, name, ST_OK, "%s sets %s", path, sets->len ? keys : "nothing");
}

static void check_list_files(GPtrArray *checks, const TgSettings *eff, const psl_ctx_t *psl) {
  const struct {
    const char *path;
    bool blocked;
    const char *key;
  } files[] = {{eff->trusted_domains_file, false, "trusted_domains_file"},
               {eff->blocked_domains_file, true, "blocked_domains_file"}};
  for (size_t i = 0; i < G_N_ELEMENTS(files); i++) {
    if (files[i].path == NULL)
      continue;
    g_autoptr(TgContext) ctx = tg_context_new(psl);
    g_autoptr(GPtrArray) warnings = g_ptr_array_new_with_free_func(g_free);
    gint64 t0 = g_get_monotonic_time();
    size_t n = tg_settings_load_list_file(ctx, files[i].path, files[i].blocked, warnings);
    gint64 ms = (g_get_monotonic_time() - t0) / 1000;
    if (n == 0 && warnings->len > 0) {
      g_autofree char *w = join(warnings, "; ");
      add(checks, files[i].key, ST_FAIL, "%s", w);
      fix(checks, "make the file readable, one domain a line, or remove the key");
    } else if (warnings->len > 0) {
      g_autofree char *w = join(warnings, "; ");
      add(checks, files[i].key, ST_WARN, "%s: %zu domains (%" G_GINT64_FORMAT " ms); %s",
          files[i].path, n, ms, w);
      fix(checks, "correct or remove the lines named");
    } else {
      add(checks, files[i].key, ST_OK, "%s: %zu domains (%" G_GINT64_FORMAT " ms)", files[i].path,
          n, ms);
    }
  }
}

static void check_history(GPtrArray *checks, const TgSettings *eff) {
  g_autoptr(GError) err = NULL;
  g_autoptr(TgHistory) h = tg_history_open(NULL, &err);
  if (h == NULL) {
    add(checks, "history", ST_FAIL, "%s", err->message);
    fix(checks, "set HOME or XDG_DATA_HOME");
    return;
  }
  size_t d = tg_history_domain_count(h), a = tg_history_address_count(h);
  if (!tg_history_probe(h, &err)) {
    add(checks, "history", ST_FAIL, "%s: not writable: %s", tg_history_path(h), err->message);
    fix(checks, "make the folder writable by this user (or set XDG_DATA_HOME)");
    return;
  }
  if (tg_history_dropped(h) > 0 || tg_history_truncated(h)) {
    add(checks, "history", ST_WARN,
        "%s: %zu domains, %zu addresses; %u damaged lines%s (they go at the next learn, a copy is "
        "kept as history.bad)",
        tg_history_path(h), d, a, tg_history_dropped(h),
        tg_history_truncated(h) ? ", file ends early" : "");
    fix(checks, "nothing to do unless this repeats; then check the disk");
    return;
  }
  add(checks, "history", ST_OK, "%s: %zu domains, %zu addresses; readable and writable%s",
      tg_history_path(h), d, a, eff->learn ? "" : " (learning is off: learn = false)");
}

/* ---- built-in detection cases ---------------------------------------------------------- */

typedef struct {
  const char *name;
  const char *recipient;
  TgSeverity min_verdict, max_verdict;
  const char *code;       /* a finding with this code must be there, or NULL */
  TgSeverity severity;    /* ... with at least this severity */
  const char *suggestion; /* ... and this suggestion, or NULL */
} Case;

/* DESIGN.md's example: a .mil sender whose organisation writes to army.mil. */
static const Case kCases[] = {
    {"detect army.ml", "John Doe <john.doe@army.ml>", TG_SEVERITY_BLOCK, TG_SEVERITY_BLOCK,
     "tld_confusion", TG_SEVERITY_BLOCK, "john.doe@army.mil"},
    {"detect gmial.com", "ops@gmial.com", TG_SEVERITY_WARN, TG_SEVERITY_BLOCK, "near_miss",
     TG_SEVERITY_WARN, "ops@gmail.com"},
    {"detect clean address", "John Doe <john.doe@army.mil>", TG_SEVERITY_OK, TG_SEVERITY_INFO, NULL,
     TG_SEVERITY_OK, NULL},
};

static void check_detection(GPtrArray *checks, const psl_ctx_t *psl) {
  static const char *const orgs[] = {"mail.mil", "army.mil"};
  for (size_t i = 0; i < G_N_ELEMENTS(kCases); i++) {
    const Case *c = &kCases[i];
    g_autoptr(TgContext) ctx = tg_context_new(psl);
    TgRecipient r = {.field = TG_FIELD_TO, .address = c->recipient};
    TgRequest req;
    tg_request_init(&req);
    req.sender = "Jane Roe <jane.roe@mail.mil>";
    req.recipients = &r;
    req.n_recipients = 1;
    req.org_domains = (TgStrings){.items = orgs, .len = G_N_ELEMENTS(orgs)};
    g_autoptr(TgResult) res = tg_check(ctx, &req);
    GString *got = g_string_new(NULL);
    bool found = c->code == NULL;
    for (guint k = 0; res && k < res->findings->len; k++) {
      const TgFinding *f = g_ptr_array_index(res->findings, k);
      g_string_append_printf(got, "%s%s/%s%s%s", k ? ", " : "", tg_code_name(f->code),
                             tg_severity_name(f->severity), f->suggestion ? " -> " : "",
                             f->suggestion ? f->suggestion : "");
      if (c->code && strcmp(tg_code_name(f->code), c->code) == 0 && f->severity >= c->severity &&
          (c->suggestion == NULL || g_strcmp0(f->suggestion, c->suggestion) == 0))
        found = true;
    }
    g_autofree char *got_text = g_string_free(got, FALSE);
    bool ok =
        res != NULL && res->verdict >= c->min_verdict && res->verdict <= c->max_verdict && found;
    add(checks, c->name, ok ? ST_OK : ST_FAIL, "%s from a .mil sender: verdict %s%s%s%s",
        c->recipient, res ? tg_severity_name(res->verdict) : "none", got_text[0] ? " (" : "",
        got_text, got_text[0] ? ")" : "");
    if (!ok)
      fix(checks, "the detection core is broken: rebuild typoguard and run its tests (ctest)");
  }
}

/* ---- report ---------------------------------------------------------------------------- */

int tg_selftest_run(const char *program, const char *policy_path, bool json) {
  g_autoptr(GPtrArray) checks = g_ptr_array_new_with_free_func(check_free);
  /* The list the host would use (protocol.c): $TYPOGUARD_PSL_FILE when it is usable, else the
   * newer of the system's file and libpsl's own copy. */
  const char *psl_file = g_getenv(TG_PSL_FILE_ENV);
  psl_ctx_t *psl = psl_file && *psl_file ? psl_load_file(psl_file) : NULL;
  bool psl_bad_file = psl_file && *psl_file && (!psl || !tg_psl_plausible(psl));
  if (psl_bad_file) {
    g_clear_pointer(&psl, psl_free);
  }
  if (!psl)
    psl_file = NULL;
  if (!psl)
    psl = psl_latest(NULL);
  bool psl_owned = psl != NULL;
  if (psl == NULL)
    psl = (psl_ctx_t *)psl_builtin();

  check_versions(checks);
  if (psl_bad_file) {
    add(checks, "public suffix list", ST_WARN,
        "%s=%s cannot be used; the host falls back to the "
        "system's list",
        TG_PSL_FILE_ENV, g_getenv(TG_PSL_FILE_ENV));
    fix(checks, "point " TG_PSL_FILE_ENV " at a readable public suffix list, or unset it");
  }
  check_psl(checks, psl, psl_file);
  check_data(checks);
  check_manifests(checks, program);
  g_autofree char *policy = tg_settings_policy_path(policy_path);
  g_autofree char *user = tg_settings_user_path();
  check_settings_file(checks, "policy", policy, true);
  check_settings_file(checks, "user settings", user, false);
  g_autoptr(GPtrArray) quiet = g_ptr_array_new_with_free_func(g_free);
  g_autoptr(TgSettings) eff = tg_settings_load(policy_path, quiet);
  check_list_files(checks, eff, psl);
  check_history(checks, eff);
  if (psl)
    check_detection(checks, psl);

  bool all_ok = true;
  for (guint i = 0; i < checks->len; i++)
    if (((Check *)g_ptr_array_index(checks, i))->status == ST_FAIL)
      all_ok = false;

  if (json) {
    g_autoptr(cJSON) o = cJSON_CreateObject();
    cJSON_AddBoolToObject(o, "ok", all_ok);
    cJSON *arr = cJSON_AddArrayToObject(o, "checks");
    for (guint i = 0; i < checks->len; i++) {
      const Check *c = g_ptr_array_index(checks, i);
      cJSON *e = cJSON_CreateObject();
      cJSON_AddStringToObject(e, "name", c->name);
      cJSON_AddStringToObject(e, "status", kStatusJson[c->status]);
      cJSON_AddStringToObject(e, "detail", c->detail);
      if (c->fix)
        cJSON_AddStringToObject(e, "fix", c->fix);
      else
        cJSON_AddNullToObject(e, "fix");
      cJSON_AddItemToArray(arr, e);
    }
    char *txt = cJSON_PrintUnformatted(o);
    g_print("%s\n", txt);
    cJSON_free(txt);
  } else {
    for (guint i = 0; i < checks->len; i++) {
      const Check *c = g_ptr_array_index(checks, i);
      g_print("%-4s  %s: %s\n", kStatusText[c->status], c->name, c->detail);
      if (c->fix)
        g_print("      fix: %s\n", c->fix);
    }
    g_print("%s\n", all_ok ? "typoguard is ready." : "typoguard is NOT ready: see FAIL above.");
  }
  if (psl_owned)
    psl_free(psl);
  return all_ok ? 0 : 1;
}
