/* config.c — settings and policy: key files, the environment, XDG paths, merging.
 *
 * Owns the one table of setting keys (kSettingKeys) and how each source is read into a
 * TgSettings: key files (system policy and user settings) and JSON objects (a request's `policy`
 * and `settings`). Guarantees:
 *  - precedence: an administrator's value wins for single-valued keys and locks the key; a user
 *    value never replaces a locked one; lists from every source are merged (union, in order);
 *  - a malformed key file never stops the rest: lines that are not key files are dropped and
 *    named (file:line), a bad value for one key is named (file:line: key) and the other keys
 *    still apply; a missing file is simply absent;
 *  - a JSON merge is all or nothing: a wrong type or value leaves the settings unchanged and the
 *    error names the key;
 *  - domains are stored normalised: lowercase ASCII (IDNA2008/UTS#46 A-labels), no trailing dot.
 */
#include "config.h"

#include "typoguard.h"
#include "files.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The quark's name is stringified as written: no spaces around its hyphens. */
/* clang-format off */
G_DEFINE_QUARK(tg-settings-error-quark, tg_settings_error)
/* clang-format on */

/* Key files are small; anything larger is not a settings file (and would not be read whole). */
#define TG_MAX_KEY_FILE_BYTES (1024u * 1024u)
/* A list file line longer than this cannot hold a domain (253 bytes plus comments and blanks). */
#define TG_MAX_LIST_LINE_BYTES 4096u
/* A list of TG_MAX_LIST_DOMAINS domains with comments fits easily; a bigger file is not read. */
#define TG_MAX_LIST_FILE_BYTES (256u * 1024u * 1024u)
/* How many bad lines of a list file are named one by one before they are only counted. */
#define TG_MAX_NAMED_BAD_LINES 3u

typedef enum {
  KEY_DOMAINS, /* list of domains */
  KEY_TLDS,    /* list of TLD labels */
  KEY_LEVEL,   /* off | info | warn */
  KEY_BOOL,
  KEY_FAIL_MODE, /* open | closed */
  KEY_PATH,
  KEY_COMMAND, /* a command line, kept as written (typoguard-sendmail's `sendmail`) */
  KEY_ON_WARN, /* send | abort (typoguard-sendmail's `sendmail_on_warn`) */
} KeyKind;

typedef struct {
  const char *name;
  KeyKind kind;
  size_t offset; /* of the field in TgSettings */
  /* Only key files set it, and `hello` does not show it: the keys of typoguard-sendmail, which
   * runs a command, must not come from a request. */
  bool file_only;
} KeyDef;

/* The one table of setting keys: key files, JSON and `hello` all go through it. */
static const KeyDef kSettingKeys[] = {
    {"org_domains", KEY_DOMAINS, offsetof(TgSettings, org_domains), false},
    {"trusted_domains", KEY_DOMAINS, offsetof(TgSettings, trusted_domains), false},
    {"blocked_domains", KEY_DOMAINS, offsetof(TgSettings, blocked_domains), false},
    {"blocked_tlds", KEY_TLDS, offsetof(TgSettings, blocked_tlds), false},
    {"flag_external", KEY_LEVEL, offsetof(TgSettings, flag_external), false},
    {"first_contact", KEY_LEVEL, offsetof(TgSettings, first_contact), false},
    {"allow_override", KEY_BOOL, offsetof(TgSettings, allow_override), false},
    {"fail_mode", KEY_FAIL_MODE, offsetof(TgSettings, fail_mode), false},
    {"learn", KEY_BOOL, offsetof(TgSettings, learn), false},
    {"trusted_domains_file", KEY_PATH, offsetof(TgSettings, trusted_domains_file), false},
    {"blocked_domains_file", KEY_PATH, offsetof(TgSettings, blocked_domains_file), false},
    {"sendmail", KEY_COMMAND, offsetof(TgSettings, sendmail), true},
    {"sendmail_on_warn", KEY_ON_WARN, offsetof(TgSettings, sendmail_warn_abort), true},
};

static const KeyDef *key_find(const char *name) {
  for (size_t i = 0; i < G_N_ELEMENTS(kSettingKeys); i++)
    if (strcmp(kSettingKeys[i].name, name) == 0)
      return &kSettingKeys[i];
  return NULL;
}

#define FIELD(s, def, type) ((type *)(void *)((char *)(s) + (def)->offset))

/* Level names are the core's (tg_level_name); settings spell them in any case. */
static const char *level_name(TgLevel l) {
  return tg_level_name(l);
}

static bool level_parse(const char *text, TgLevel *out) {
  g_autofree char *lower = g_ascii_strdown(text, -1);
  return tg_level_from_name(lower, out);
}

static bool bool_parse(const char *text, bool *out) {
  static const char *const yes[] = {"true", "yes", "on", "1"};
  static const char *const no[] = {"false", "no", "off", "0"};
  for (size_t i = 0; i < G_N_ELEMENTS(yes); i++) {
    if (g_ascii_strcasecmp(text, yes[i]) == 0)
      return *out = true, true;
    if (g_ascii_strcasecmp(text, no[i]) == 0)
      return *out = false, true;
  }
  return false;
}

static bool on_warn_parse(const char *text, bool *abort_out) {
  if (g_ascii_strcasecmp(text, "send") == 0)
    return *abort_out = false, true;
  if (g_ascii_strcasecmp(text, "abort") == 0)
    return *abort_out = true, true;
  return false;
}

static bool fail_mode_parse(const char *text, TgFailMode *out) {
  if (g_ascii_strcasecmp(text, "open") == 0)
    return *out = TG_FAIL_OPEN, true;
  if (g_ascii_strcasecmp(text, "closed") == 0)
    return *out = TG_FAIL_CLOSED, true;
  return false;
}

/* ---- domains --------------------------------------------------------------------------- */

char *tg_settings_normalise_domain(const char *text, GError **error) {
  g_return_val_if_fail(text != NULL, NULL);
  if (!g_utf8_validate(text, -1, NULL)) {
    g_set_error(error, TG_SETTINGS_ERROR, TG_SETTINGS_ERROR_INVALID, "not valid UTF-8");
    return NULL;
  }
  g_autoptr(GError) err = NULL;
  char *out = tg_domain_normalise_entry(text, &err);
  if (out == NULL) {
    /* Quoted at most 80 characters: the text may be a 2 MiB value from a request. */
    g_autofree char *s = g_strstrip(g_strdup(text));
    glong chars = g_utf8_strlen(s, -1);
    g_autofree char *shown = g_utf8_substring(s, 0, MIN(chars, 80));
    g_set_error(error, TG_SETTINGS_ERROR, TG_SETTINGS_ERROR_INVALID, "'%s%s' is not a domain: %s",
                shown, chars > 80 ? "…" : "", err->message);
  }
  return out;
}

char *tg_settings_normalise_tld(const char *text, GError **error) {
  g_autofree char *d = tg_settings_normalise_domain(text, error);
  if (d == NULL)
    return NULL;
  if (strchr(d, '.') != NULL) {
    g_set_error(error, TG_SETTINGS_ERROR, TG_SETTINGS_ERROR_INVALID,
                "'%s' is not a top-level domain (one label, such as \"ml\")", d);
    return NULL;
  }
  return g_steal_pointer(&d);
}

/* ---- lifecycle ------------------------------------------------------------------------- */

TgSettings *tg_settings_new(void) {
  TgSettings *s = g_new0(TgSettings, 1);
  s->org_domains = g_ptr_array_new_with_free_func(g_free);
  s->trusted_domains = g_ptr_array_new_with_free_func(g_free);
  s->blocked_domains = g_ptr_array_new_with_free_func(g_free);
  s->blocked_tlds = g_ptr_array_new_with_free_func(g_free);
  s->flag_external = TG_LEVEL_OFF;
  s->first_contact = TG_LEVEL_INFO;
  /* A block stops the send unless an administrator or the user allows overriding it. */
  s->allow_override = false;
  s->fail_mode = TG_FAIL_OPEN;
  s->learn = true;
  s->locked = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  return s;
}

static GPtrArray *strv_copy(const GPtrArray *a) {
  GPtrArray *out = g_ptr_array_new_full(a->len, g_free);
  for (guint i = 0; i < a->len; i++)
    g_ptr_array_add(out, g_strdup(g_ptr_array_index(a, i)));
  return out;
}

TgSettings *tg_settings_copy(const TgSettings *s) {
  TgSettings *c = g_new0(TgSettings, 1);
  *c = *s;
  c->org_domains = strv_copy(s->org_domains);
  c->trusted_domains = strv_copy(s->trusted_domains);
  c->blocked_domains = strv_copy(s->blocked_domains);
  c->blocked_tlds = strv_copy(s->blocked_tlds);
  c->trusted_domains_file = g_strdup(s->trusted_domains_file);
  c->blocked_domains_file = g_strdup(s->blocked_domains_file);
  c->sendmail = g_strdup(s->sendmail);
  c->locked = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  GHashTableIter it;
  gpointer k;
  g_hash_table_iter_init(&it, s->locked);
  while (g_hash_table_iter_next(&it, &k, NULL))
    g_hash_table_add(c->locked, g_strdup(k));
  return c;
}

void tg_settings_free(TgSettings *s) {
  if (s == NULL)
    return;
  g_ptr_array_unref(s->org_domains);
  g_ptr_array_unref(s->trusted_domains);
  g_ptr_array_unref(s->blocked_domains);
  g_ptr_array_unref(s->blocked_tlds);
  g_free(s->trusted_domains_file);
  g_free(s->blocked_domains_file);
  g_free(s->sendmail);
  g_hash_table_unref(s->locked);
  g_free(s);
}

bool tg_settings_is_locked(const TgSettings *s, const char *key) {
  return g_hash_table_contains(s->locked, key);
}

/* ---- one parsed value, whatever its source ---------------------------------------------- */

typedef struct {
  const KeyDef *def;
  GPtrArray *list; /* normalised entries, for KEY_DOMAINS / KEY_TLDS */
  TgLevel level;
  bool flag;
  TgFailMode fail_mode;
  char *path;
} Value;

static void value_clear(Value *v) {
  if (v->list)
    g_ptr_array_unref(v->list);
  g_free(v->path);
  memset(v, 0, sizeof *v);
}

static void list_append_unique(GPtrArray *dst, const GPtrArray *src) {
  g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);
  for (guint i = 0; i < dst->len; i++)
    g_hash_table_add(seen, g_ptr_array_index(dst, i));
  for (guint i = 0; i < src->len; i++) {
    const char *e = g_ptr_array_index(src, i);
    if (g_hash_table_contains(seen, e))
      continue;
    char *copy = g_strdup(e);
    g_ptr_array_add(dst, copy);
    g_hash_table_add(seen, copy);
  }
}

/* Applies one value with the precedence rules. Returns false when a locked key kept its
 * administrator's value. */
static bool value_apply(TgSettings *s, const Value *v, bool admin) {
  const KeyDef *def = v->def;
  if (def->kind == KEY_DOMAINS || def->kind == KEY_TLDS) {
    list_append_unique(*FIELD(s, def, GPtrArray *), v->list); /* lists merge, always */
    if (admin)
      g_hash_table_add(s->locked, g_strdup(def->name));
    return true;
  }
  if (!admin && g_hash_table_contains(s->locked, def->name))
    return false;
  switch (def->kind) {
  case KEY_LEVEL: *FIELD(s, def, TgLevel) = v->level; break;
  case KEY_BOOL:
  case KEY_ON_WARN: *FIELD(s, def, bool) = v->flag; break;
  case KEY_FAIL_MODE: *FIELD(s, def, TgFailMode) = v->fail_mode; break;
  case KEY_PATH:
  case KEY_COMMAND: {
    char **field = FIELD(s, def, char *);
    g_free(*field);
    *field = g_strdup(v->path);
    break;
  }
  case KEY_DOMAINS:
  case KEY_TLDS: g_assert_not_reached();
  }
  if (admin)
    g_hash_table_add(s->locked, g_strdup(def->name));
  return true;
}

/* Parses a scalar given as text (key files) into v. */
static bool value_parse_scalar(Value *v, const char *text, GError **error) {
  bool ok = false;
  const char *expect = "";
  switch (v->def->kind) {
  case KEY_LEVEL: ok = level_parse(text, &v->level), expect = "one of off, info, warn"; break;
  case KEY_BOOL: ok = bool_parse(text, &v->flag), expect = "true or false"; break;
  case KEY_FAIL_MODE: ok = fail_mode_parse(text, &v->fail_mode), expect = "open or closed"; break;
  case KEY_ON_WARN: ok = on_warn_parse(text, &v->flag), expect = "send or abort"; break;
  default: g_assert_not_reached();
  }
  if (!ok)
    g_set_error(error, TG_SETTINGS_ERROR, TG_SETTINGS_ERROR_INVALID, "'%s' is not %s", text,
                expect);
  return ok;
}

static char *path_expand(const char *text, const char *base_dir) {
  if (text[0] == '~' && (text[1] == '/' || text[1] == '\0')) {
    const char *home = g_getenv("HOME");
    return g_build_filename(home ? home : g_get_home_dir(), text + 1, NULL);
  }
  if (!g_path_is_absolute(text) && base_dir != NULL)
    return g_build_filename(base_dir, text, NULL);
  return g_strdup(text);
}

/* ---- key files ------------------------------------------------------------------------- */

/* Every warning is one line of valid UTF-8 whatever the file held: control characters (a lone
 * CR inside a line, found by fuzzing) are escaped, invalid bytes become U+FFFD. */
static char *one_line(char *msg /* owned */) {
  bool clean = g_utf8_validate(msg, -1, NULL);
  for (const char *p = msg; clean && *p; p++)
    clean = (unsigned char)*p >= 0x20 && *p != 0x7f;
  if (clean)
    return msg;
  g_autofree char *valid = g_utf8_make_valid(msg, -1);
  g_free(msg);
  GString *out = g_string_new(NULL);
  for (const char *p = valid; *p; p++) {
    if ((unsigned char)*p < 0x20 || *p == 0x7f)
      g_string_append_printf(out, "\\x%02x", (unsigned char)*p);
    else
      g_string_append_c(out, *p);
  }
  return g_string_free(out, FALSE);
}

static void warn(GPtrArray *warnings, char *msg /* owned */) {
  msg = one_line(msg);
  if (warnings != NULL) {
    g_ptr_array_add(warnings, msg);
  } else {
    g_printerr("typoguard: %s\n", msg);
    g_free(msg);
  }
}

/* What GKeyFile accepts as a group name: no brackets, no control characters. */
static bool group_name_valid(const char *name, size_t len) {
  for (size_t i = 0; i < len; i++)
    if (name[i] == '[' || name[i] == ']' || (unsigned char)name[i] < 0x20)
      return false;
  return true;
}

/* A key name we read: letters, digits, '_', '-', '.', optionally followed by "[locale]" (which
 * GKeyFile understands and we then report as an unknown key). Stricter than GKeyFile, so that
 * nothing we pass on can make it reject the whole file. */
static bool key_name_valid(const char *key) {
  const char *p = key;
  while (g_ascii_isalnum(*p) || *p == '_' || *p == '-' || *p == '.')
    p++;
  if (p == key)
    return false;
  if (*p == '\0')
    return true;
  if (*p++ != '[')
    return false;
  const char *loc = p;
  while (g_ascii_isalnum(*p) || *p == '_' || *p == '-' || *p == '.' || *p == '@')
    p++;
  return p > loc && p[0] == ']' && p[1] == '\0';
}

/* GKeyFile rejects a whole file for one bad line and does not say which key sits on which line.
 * So the text is first split into lines: lines a key file cannot hold are reported and dropped,
 * and the line of each key in [typoguard] is remembered for the messages. */
static char *key_file_clean(const char *path, const char *text, gsize len, GHashTable *key_lines,
                            GPtrArray *warnings) {
  GString *out = g_string_sized_new(len + 1);
  g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
  bool in_group = false, in_ours = false;
  for (guint i = 0; lines[i] != NULL; i++) {
    unsigned lineno = i + 1;
    char *line = lines[i];
    size_t l = strlen(line);
    if (l > 0 && line[l - 1] == '\r')
      line[--l] = '\0';
    const char *t = line;
    while (*t == ' ' || *t == '\t')
      t++;
    if (!g_utf8_validate(line, (gssize)l, NULL)) {
      warn(warnings, g_strdup_printf("%s:%u: not valid UTF-8; line ignored", path, lineno));
      g_string_append_c(out, '\n');
      continue;
    }
    if (*t == '\0' || *t == '#') {
      g_string_append(out, t);
    } else if (*t == '[') {
      g_autofree char *h = g_strchomp(g_strdup(t));
      size_t hl = strlen(h);
      if (hl < 3 || h[hl - 1] != ']' || !group_name_valid(h + 1, hl - 2)) {
        g_autofree char *shown = g_strescape(h, NULL);
        warn(warnings, g_strdup_printf("%s:%u: '%s' is not a valid [group] line; the keys after "
                                       "it are ignored until the next group",
                                       path, lineno, shown));
        in_group = false;
        in_ours = false;
        g_string_append_c(out, '\n');
        continue;
      }
      in_group = true;
      in_ours = strncmp(h + 1, TG_CONFIG_GROUP, hl - 2) == 0 && hl - 2 == strlen(TG_CONFIG_GROUP);
      g_string_append(out, h);
    } else {
      const char *eq = strchr(t, '=');
      g_autofree char *key = eq ? g_strchomp(g_strndup(t, (gsize)(eq - t))) : NULL;
      if (eq == NULL || key[0] == '\0') {
        g_autofree char *shown = g_strescape(t, NULL);
        warn(warnings, g_strdup_printf("%s:%u: '%s' is not a key = value line; ignored", path,
                                       lineno, shown));
        g_string_append_c(out, '\n');
        continue;
      }
      if (!key_name_valid(key)) {
        g_autofree char *shown = g_strescape(key, NULL);
        warn(warnings,
             g_strdup_printf("%s:%u: '%s' is not a valid key name; ignored", path, lineno, shown));
        g_string_append_c(out, '\n');
        continue;
      }
      if (!in_group) {
        warn(warnings, g_strdup_printf("%s:%u: key '%s' is outside any group (write it under "
                                       "[" TG_CONFIG_GROUP "]); ignored",
                                       path, lineno, key));
        g_string_append_c(out, '\n');
        continue;
      }
      if (in_ours)
        g_hash_table_insert(key_lines, g_strdup(key), GUINT_TO_POINTER(lineno));
      g_string_append(out, t);
    }
    g_string_append_c(out, '\n');
  }
  return g_string_free(out, FALSE);
}

static void key_file_read_key(TgSettings *s, GKeyFile *kf, const char *path, const char *key,
                              unsigned lineno, bool admin, GPtrArray *warnings,
                              GPtrArray *applied) {
  const KeyDef *def = key_find(key);
  if (def == NULL) {
    warn(warnings, g_strdup_printf("%s:%u: unknown key '%s'; ignored", path, lineno, key));
    return;
  }
  Value v = {.def = def};
  g_autoptr(GError) err = NULL;
  if (def->kind == KEY_DOMAINS || def->kind == KEY_TLDS) {
    g_auto(GStrv) parts = g_key_file_get_string_list(kf, TG_CONFIG_GROUP, key, NULL, &err);
    if (parts == NULL) {
      warn(warnings,
           g_strdup_printf("%s:%u: key '%s': %s; ignored", path, lineno, key, err->message));
      return;
    }
    v.list = g_ptr_array_new_with_free_func(g_free);
    for (guint i = 0; parts[i] != NULL; i++) {
      /* GKeyFile lists are ';'-separated; people also write commas. */
      g_auto(GStrv) items = g_strsplit(parts[i], ",", -1);
      for (guint j = 0; items[j] != NULL; j++) {
        g_strstrip(items[j]);
        if (items[j][0] == '\0')
          continue;
        g_autoptr(GError) e2 = NULL;
        char *n = def->kind == KEY_TLDS ? tg_settings_normalise_tld(items[j], &e2)
                                        : tg_settings_normalise_domain(items[j], &e2);
        if (n == NULL) {
          warn(warnings, g_strdup_printf("%s:%u: key '%s': %s; entry skipped", path, lineno, key,
                                         e2->message));
          continue;
        }
        g_ptr_array_add(v.list, n);
      }
    }
  } else {
    g_autofree char *text = g_key_file_get_string(kf, TG_CONFIG_GROUP, key, &err);
    if (text == NULL) {
      warn(warnings,
           g_strdup_printf("%s:%u: key '%s': %s; ignored", path, lineno, key, err->message));
      return;
    }
    g_strstrip(text);
    if (def->kind == KEY_PATH) {
      if (text[0] == '\0') {
        warn(warnings, g_strdup_printf("%s:%u: key '%s': empty path; ignored", path, lineno, key));
        return;
      }
      g_autofree char *dir = g_path_get_dirname(path);
      v.path = path_expand(text, dir);
    } else if (def->kind == KEY_COMMAND) {
      if (text[0] == '\0') {
        warn(warnings,
             g_strdup_printf("%s:%u: key '%s': empty command; ignored", path, lineno, key));
        return;
      }
      v.path = g_steal_pointer(&text);
    } else if (!value_parse_scalar(&v, text, &err)) {
      warn(warnings,
           g_strdup_printf("%s:%u: key '%s': %s; ignored", path, lineno, key, err->message));
      return;
    }
  }
  if (!value_apply(s, &v, admin))
    warn(warnings, g_strdup_printf("%s:%u: key '%s' is set by the administrator's policy; the "
                                   "user's value is ignored",
                                   path, lineno, key));
  else if (applied != NULL)
    g_ptr_array_add(applied, g_strdup(key));
  value_clear(&v);
}

bool tg_settings_load_file(TgSettings *s, const char *path, bool admin, GPtrArray *warnings,
                           GPtrArray *applied) {
  g_autofree char *text = NULL;
  size_t len = 0;
  g_autoptr(GError) err = NULL;
  /* A regular file of bounded size only: /dev/zero or a FIFO named as the policy (or a user file
   * linked to one) must neither exhaust memory nor hang the start. */
  if (!tg_file_read_bounded(path, false, TG_MAX_KEY_FILE_BYTES, &text, &len, &err)) {
    if (g_error_matches(err, G_FILE_ERROR, G_FILE_ERROR_NOENT))
      return false;
    if (g_error_matches(err, G_FILE_ERROR, G_FILE_ERROR_ISDIR))
      warn(warnings, g_strdup_printf("%s: is a folder, not a settings file; ignored", path));
    else
      warn(warnings, g_strdup_printf("%s; not a settings file, ignored", err->message));
    return true;
  }
  if (memchr(text, '\0', len) != NULL) {
    warn(warnings, g_strdup_printf("%s: contains NUL bytes, not a settings file; ignored", path));
    return true;
  }
  g_autoptr(GHashTable) key_lines = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *clean = key_file_clean(path, text, len, key_lines, warnings);
  g_autoptr(GKeyFile) kf = g_key_file_new();
  if (!g_key_file_load_from_data(kf, clean, (gsize)-1, G_KEY_FILE_NONE, &err)) {
    warn(warnings, g_strdup_printf("%s: %s; file ignored", path, err->message));
    return true;
  }
  if (!g_key_file_has_group(kf, TG_CONFIG_GROUP)) {
    g_auto(GStrv) groups = g_key_file_get_groups(kf, NULL);
    if (groups[0] != NULL)
      warn(warnings, g_strdup_printf("%s: no [" TG_CONFIG_GROUP "] group; nothing read", path));
    return true;
  }
  g_auto(GStrv) keys = g_key_file_get_keys(kf, TG_CONFIG_GROUP, NULL, NULL);
  for (guint i = 0; keys && keys[i] != NULL; i++) {
    unsigned lineno = GPOINTER_TO_UINT(g_hash_table_lookup(key_lines, keys[i]));
    key_file_read_key(s, kf, path, keys[i], lineno, admin, warnings, applied);
  }
  return true;
}

char *tg_settings_policy_path(const char *policy_path) {
  if (policy_path != NULL && policy_path[0] != '\0')
    return g_strdup(policy_path);
  const char *env = g_getenv("TYPOGUARD_POLICY");
  if (env != NULL && env[0] != '\0')
    return g_strdup(env);
  return g_strdup(TG_SYSTEM_POLICY_PATH);
}

char *tg_settings_user_path(void) {
  /* Read the environment each time (g_get_user_config_dir caches its first answer). */
  const char *xdg = g_getenv("XDG_CONFIG_HOME");
  if (xdg != NULL && g_path_is_absolute(xdg))
    return g_build_filename(xdg, "typoguard", "typoguard.conf", NULL);
  const char *home = g_getenv("HOME");
  return g_build_filename(home && home[0] ? home : g_get_home_dir(), ".config", "typoguard",
                          "typoguard.conf", NULL);
}

TgSettings *tg_settings_load(const char *policy_path, GPtrArray *warnings) {
  TgSettings *s = tg_settings_new();
  g_autofree char *policy = tg_settings_policy_path(policy_path);
  g_autofree char *user = tg_settings_user_path();
  /* The policy first, so that a user's attempt to change a locked key is reported. */
  (void)tg_settings_load_file(s, policy, true, warnings, NULL);
  (void)tg_settings_load_file(s, user, false, warnings, NULL);
  return s;
}

/* ---- JSON ------------------------------------------------------------------------------ */

static bool value_from_json(Value *v, const cJSON *item, const char *where, GError **error) {
  const char *key = v->def->name;
  switch (v->def->kind) {
  case KEY_DOMAINS:
  case KEY_TLDS: {
    if (!cJSON_IsArray(item)) {
      g_set_error(error, TG_SETTINGS_ERROR, TG_SETTINGS_ERROR_INVALID,
                  "%s.%s must be an array of strings", where, key);
      return false;
    }
    v->list = g_ptr_array_new_with_free_func(g_free);
    int i = 0;
    for (const cJSON *e = item->child; e != NULL; e = e->next, i++) {
      if (!cJSON_IsString(e)) {
        g_set_error(error, TG_SETTINGS_ERROR, TG_SETTINGS_ERROR_INVALID,
                    "%s.%s must be an array of strings (item %d is not a string)", where, key, i);
        return false;
      }
      if (e->valuestring[0] == '\0')
        continue;
      g_autoptr(GError) err = NULL;
      char *n = v->def->kind == KEY_TLDS ? tg_settings_normalise_tld(e->valuestring, &err)
                                         : tg_settings_normalise_domain(e->valuestring, &err);
      if (n == NULL) {
        g_set_error(error, TG_SETTINGS_ERROR, TG_SETTINGS_ERROR_INVALID, "%s.%s[%d]: %s", where,
                    key, i, err->message);
        return false;
      }
      g_ptr_array_add(v->list, n);
    }
    return true;
  }
  case KEY_BOOL:
    if (!cJSON_IsBool(item)) {
      g_set_error(error, TG_SETTINGS_ERROR, TG_SETTINGS_ERROR_INVALID,
                  "%s.%s must be true or false", where, key);
      return false;
    }
    v->flag = cJSON_IsTrue(item);
    return true;
  case KEY_LEVEL:
  case KEY_FAIL_MODE: {
    const char *expect =
        v->def->kind == KEY_LEVEL ? "\"off\", \"info\" or \"warn\"" : "\"open\" or \"closed\"";
    bool ok = cJSON_IsString(item) &&
              (v->def->kind == KEY_LEVEL ? level_parse(item->valuestring, &v->level)
                                         : fail_mode_parse(item->valuestring, &v->fail_mode));
    if (!ok) {
      g_set_error(error, TG_SETTINGS_ERROR, TG_SETTINGS_ERROR_INVALID, "%s.%s must be %s", where,
                  key, expect);
      return false;
    }
    return true;
  }
  case KEY_PATH:
    if (!cJSON_IsString(item) || item->valuestring[0] == '\0' ||
        memchr(item->valuestring, '\n', strlen(item->valuestring)) != NULL) {
      g_set_error(error, TG_SETTINGS_ERROR, TG_SETTINGS_ERROR_INVALID,
                  "%s.%s must be a path (string)", where, key);
      return false;
    }
    v->path = path_expand(item->valuestring, NULL);
    if (!g_path_is_absolute(v->path)) {
      g_set_error(error, TG_SETTINGS_ERROR, TG_SETTINGS_ERROR_INVALID,
                  "%s.%s must be an absolute path", where, key);
      return false;
    }
    return true;
  case KEY_COMMAND:
  case KEY_ON_WARN: /* file_only: never reached */ break;
  }
  return false;
}

bool tg_settings_merge_json(TgSettings *s, const cJSON *obj, bool admin, GError **error) {
  const char *where = admin ? "policy" : "settings";
  if (obj == NULL || cJSON_IsNull(obj))
    return true;
  if (!cJSON_IsObject(obj)) {
    g_set_error(error, TG_SETTINGS_ERROR, TG_SETTINGS_ERROR_INVALID, "%s must be an object", where);
    return false;
  }
  /* All or nothing: work on a copy and swap it in only when every key was good. */
  g_autoptr(TgSettings) work = tg_settings_copy(s);
  for (const cJSON *item = obj->child; item != NULL; item = item->next) {
    if (item->string == NULL)
      continue;
    const KeyDef *def = key_find(item->string);
    if (def == NULL || def->file_only || cJSON_IsNull(item))
      continue; /* unknown and file-only keys and nulls are not set */
    Value v = {.def = def};
    if (!value_from_json(&v, item, where, error)) {
      value_clear(&v);
      return false;
    }
    (void)value_apply(work, &v, admin);
    value_clear(&v);
  }
  TgSettings tmp = *s;
  *s = *work;
  *work = tmp;
  return true;
}

static cJSON *list_to_json(const GPtrArray *a) {
  cJSON *arr = cJSON_CreateArray();
  for (guint i = 0; i < a->len; i++)
    cJSON_AddItemToArray(arr, cJSON_CreateString(g_ptr_array_index(a, i)));
  return arr;
}

cJSON *tg_settings_to_json(const TgSettings *s) {
  cJSON *o = cJSON_CreateObject();
  for (size_t i = 0; i < G_N_ELEMENTS(kSettingKeys); i++) {
    const KeyDef *def = &kSettingKeys[i];
    if (def->file_only)
      continue;
    switch (def->kind) {
    case KEY_DOMAINS:
    case KEY_TLDS:
      cJSON_AddItemToObject(o, def->name, list_to_json(*FIELD(s, def, GPtrArray *const)));
      break;
    case KEY_LEVEL:
      cJSON_AddStringToObject(o, def->name, level_name(*FIELD(s, def, const TgLevel)));
      break;
    case KEY_BOOL: cJSON_AddBoolToObject(o, def->name, *FIELD(s, def, const bool)); break;
    case KEY_FAIL_MODE:
      cJSON_AddStringToObject(
          o, def->name, *FIELD(s, def, const TgFailMode) == TG_FAIL_CLOSED ? "closed" : "open");
      break;
    case KEY_PATH: {
      const char *p = *FIELD(s, def, char *const);
      if (p)
        cJSON_AddStringToObject(o, def->name, p);
      else
        cJSON_AddNullToObject(o, def->name);
      break;
    }
    case KEY_COMMAND:
    case KEY_ON_WARN: break;
    }
  }
  /* In table order, so the reply is stable. */
  cJSON *locked = cJSON_CreateArray();
  for (size_t i = 0; i < G_N_ELEMENTS(kSettingKeys); i++)
    if (!kSettingKeys[i].file_only && g_hash_table_contains(s->locked, kSettingKeys[i].name))
      cJSON_AddItemToArray(locked, cJSON_CreateString(kSettingKeys[i].name));
  cJSON_AddItemToObject(o, "locked", locked);
  return o;
}

/* ---- the detection context ------------------------------------------------------------- */

typedef bool (*AddFn)(TgContext *ctx, const char *entry);

static bool add_trusted(TgContext *ctx, const char *d) {
  return tg_context_add_domain(ctx, d, TG_SOURCE_TRUSTED);
}

static bool add_blocked(TgContext *ctx, const char *d) {
  return tg_context_add_blocked(ctx, d);
}

/* A list line as a warning may show it: one line of valid UTF-8 (invalid bytes become U+FFFD,
 * control characters escapes), at most 80 characters. Fuzz find: a line of 0xff bytes went to
 * stderr as it was. */
static char *shown_line(const char *text) {
  static char high[128];
  if (high[0] == 0)
    for (int i = 0; i < 127; i++)
      high[i] = (char)(0x80 + i); /* keep UTF-8 as it is */
  g_autofree char *valid = g_utf8_make_valid(text, -1);
  g_autofree char *escaped = g_strescape(valid, high);
  return g_utf8_substring(escaped, 0, MIN(g_utf8_strlen(escaped, -1), 80));
}

bool tg_settings_open_list_file(const char *path, const char *key, int *fd, GError **error) {
  g_autoptr(GError) err = NULL;
  *fd = tg_file_open_regular(path, false, &err);
  if (*fd < 0) {
    g_set_error(error, TG_SETTINGS_ERROR, TG_SETTINGS_ERROR_INVALID, "%s (key '%s'): %s", path, key,
                err->message);
    return false;
  }
  struct stat st;
  if (fstat(*fd, &st) == 0 && (guint64)st.st_size > TG_MAX_LIST_FILE_BYTES) {
    g_set_error(error, TG_SETTINGS_ERROR, TG_SETTINGS_ERROR_INVALID,
                "%s (key '%s'): larger than %u MiB, not read", path, key,
                TG_MAX_LIST_FILE_BYTES >> 20);
    close(*fd);
    *fd = -1;
    return false;
  }
  return true;
}

size_t tg_settings_load_list_file(TgContext *ctx, const char *path, bool blocked,
                                  GPtrArray *warnings) {
  AddFn add = blocked ? add_blocked : add_trusted;
  const char *key = blocked ? "blocked_domains_file" : "trusted_domains_file";
  int fd = -1;
  g_autoptr(GError) err = NULL;
  if (!tg_settings_open_list_file(path, key, &fd, &err)) {
    warn(warnings, g_strdup(err->message));
    return 0;
  }
  /* Line by line with a buffer of one accepted line: an overlong line is skipped unread. */
  TgLineReader lr;
  tg_lines_init(&lr, fd, TG_MAX_LIST_LINE_BYTES);
  size_t added = 0, bad = 0;
  bool over = false;
  unsigned lineno = 0;
  char *line;
  size_t len;
  bool long_line, newline;
  while (tg_lines_next(&lr, &line, &len, &long_line, &newline)) {
    lineno++;
    /* An overlong line or one with a NUL byte cannot be a domain. */
    long_line = long_line || strlen(line) != len;
    char *hash = long_line ? NULL : memchr(line, '#', len);
    if (hash)
      *hash = '\0';
    char *t = long_line ? line : g_strstrip(line);
    if (!long_line && t[0] == '\0')
      continue;
    if (added >= TG_MAX_LIST_DOMAINS) {
      over = true; /* the rest is not read: a list is bounded in time as well as in size */
      break;
    }
    if (!long_line && add(ctx, t)) {
      added++;
      continue;
    }
    if (bad++ < TG_MAX_NAMED_BAD_LINES) {
      g_autofree char *shown = long_line ? g_strdup("(overlong line)") : shown_line(t);
      warn(warnings, g_strdup_printf("%s:%u (key '%s'): '%s' is not a domain; skipped", path,
                                     lineno, key, shown));
    }
  }
  bool read_error = lr.read_errno != 0;
  tg_lines_clear(&lr);
  close(fd);
  if (read_error)
    warn(warnings,
         g_strdup_printf("%s (key '%s'): read error; %zu domains used", path, key, added));
  if (bad > TG_MAX_NAMED_BAD_LINES)
    warn(warnings,
         g_strdup_printf("%s (key '%s'): %zu lines in all are not domains and were skipped", path,
                         key, bad));
  if (over)
    warn(warnings, g_strdup_printf("%s (key '%s'): more than %u domains; the first %u are used, "
                                   "the rest ignored",
                                   path, key, TG_MAX_LIST_DOMAINS, TG_MAX_LIST_DOMAINS));
  return added;
}

TgContext *tg_settings_build_context(const TgSettings *s, const psl_ctx_t *psl,
                                     GPtrArray *warnings) {
  TgContext *ctx = tg_context_new(psl);
  struct {
    const GPtrArray *list;
    const char *key;
  } lists[] = {{s->org_domains, "org_domains"},
               {s->trusted_domains, "trusted_domains"},
               {s->blocked_domains, "blocked_domains"},
               {s->blocked_tlds, "blocked_tlds"}};
  for (size_t k = 0; k < G_N_ELEMENTS(lists); k++) {
    for (guint i = 0; i < lists[k].list->len; i++) {
      const char *d = g_ptr_array_index(lists[k].list, i);
      bool ok;
      switch (k) {
      case 0: ok = tg_context_add_domain(ctx, d, TG_SOURCE_ORG); break;
      case 1: ok = tg_context_add_domain(ctx, d, TG_SOURCE_TRUSTED); break;
      default: ok = tg_context_add_blocked(ctx, d); break;
      }
      if (!ok)
        warn(warnings,
             g_strdup_printf("key '%s': '%s' was not accepted as a domain", lists[k].key, d));
    }
  }
  if (s->trusted_domains_file)
    (void)tg_settings_load_list_file(ctx, s->trusted_domains_file, false, warnings);
  if (s->blocked_domains_file)
    (void)tg_settings_load_list_file(ctx, s->blocked_domains_file, true, warnings);
  tg_context_set_levels(ctx, s->flag_external, s->first_contact);
  return ctx;
}
