/* session.c — what lives as long as the host process: the settings from the files, the
 * detection context built from them (and one for the list files a request names), the history,
 * the public suffix list, and the address book a client keeps in the host.
 *
 * Guarantees: a session is always usable — problems while loading become warnings, never a
 * failure; a context is sealed before any check sees it; a request's list files are loaded by the
 * same bounded loader as the files' and refused (not ignored) when they cannot be used. */
#include "session.h"

#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Does the list know the oldest TLDs? A file that is not a public suffix list still loads (libpsl
 * reads any text as rules), and would then make every domain's ending "invalid". */
bool tg_psl_plausible(const psl_ctx_t *psl) {
  static const char *const tlds[] = {"com", "org", "net", "mil", "uk", "de"};
  for (size_t i = 0; i < G_N_ELEMENTS(tlds); i++)
    if (!psl_is_public_suffix2(psl, tlds[i], PSL_TYPE_ANY | PSL_TYPE_NO_STAR_RULE))
      return false;
  return true;
}

/* $TYPOGUARD_PSL_FILE (tests, unusual installs) when set and usable; else the newest list on the
 * system (Debian's `publicsuffix`), else the one built into libpsl. */
static void session_load_psl(TgSession *s) {
  const char *path = g_getenv(TG_PSL_FILE_ENV);
  if (path && *path) {
    psl_ctx_t *p = psl_load_file(path);
    if (p && tg_psl_plausible(p)) {
      s->psl = p;
      s->psl_owned = true;
      return;
    }
    g_ptr_array_add(s->warnings,
                    g_strdup_printf("public suffix list %s (%s) %s; using the system's list", path,
                                    TG_PSL_FILE_ENV,
                                    p ? "is not a public suffix list (it does not know .com)"
                                      : "cannot be read"));
    if (p)
      psl_free(p);
  }
  s->psl = psl_latest(NULL);
  s->psl_owned = s->psl != NULL;
  if (!s->psl) {
    s->psl = (psl_ctx_t *)psl_builtin();
    if (!s->psl)
      g_ptr_array_add(s->warnings, g_strdup("no public suffix list found: TLDs cannot be checked "
                                            "(install the publicsuffix package)"));
  }
}

TgSession *tg_session_new(const char *policy_path) {
  TgSession *s = g_new0(TgSession, 1);
  s->warnings = g_ptr_array_new_with_free_func(g_free);
  s->book = g_ptr_array_new_with_free_func(g_free);
  s->book_keys = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  session_load_psl(s);
  tg_session_reset(s, policy_path);
  return s;
}

void tg_session_book_clear(TgSession *s) {
  g_ptr_array_set_size(s->book, 0);
  g_hash_table_remove_all(s->book_keys);
  g_clear_pointer(&s->book_version, g_free);
  g_clear_pointer(&s->book_digest, tg_book_free);
  g_clear_pointer(&s->book_idn, g_hash_table_destroy);
}

void tg_session_book_digest(TgSession *s, GHashTable *idn) {
  g_clear_pointer(&s->book_digest, tg_book_free);
  g_clear_pointer(&s->book_idn, g_hash_table_destroy);
  s->book_idn = idn;
  if (s->book->len > 0)
    s->book_digest = tg_book_new(s->psl, (const char *const *)s->book->pdata, s->book->len);
}

void tg_session_reset(TgSession *s, const char *policy_path) {
  tg_session_book_clear(s);
  g_clear_pointer(&s->policy_ctx, tg_context_free);
  g_clear_pointer(&s->policy_ctx_key, g_free);
  g_clear_pointer(&s->history, tg_history_free);
  g_clear_pointer(&s->ctx, tg_context_free);
  g_clear_pointer(&s->settings, tg_settings_free);
  s->settings = tg_settings_load(policy_path, s->warnings);
  s->ctx = tg_settings_build_context(s->settings, s->psl, s->warnings);
  g_autoptr(GError) error = NULL;
  s->history = tg_history_open(NULL, &error);
  if (s->history)
    tg_history_apply(s->history, s->ctx);
  else
    g_ptr_array_add(s->warnings, g_strdup_printf("history unavailable: %s",
                                                 error ? error->message : "unknown reason"));
  tg_context_seal(s->ctx);
}

void tg_session_free(TgSession *s) {
  if (!s)
    return;
  g_clear_pointer(&s->policy_ctx, tg_context_free);
  g_clear_pointer(&s->policy_ctx_key, g_free);
  g_clear_pointer(&s->history, tg_history_free);
  g_clear_pointer(&s->ctx, tg_context_free);
  g_clear_pointer(&s->settings, tg_settings_free);
  if (s->psl_owned)
    psl_free(s->psl);
  g_ptr_array_unref(s->warnings);
  tg_session_book_clear(s);
  g_ptr_array_unref(s->book);
  g_hash_table_destroy(s->book_keys);
  g_free(s);
}

/* ---- list files named by a request ----------------------------------------------------- */

static bool same_list_files(const TgSession *s, const TgSettings *eff) {
  return g_strcmp0(eff->trusted_domains_file, s->settings->trusted_domains_file) == 0 &&
         g_strcmp0(eff->blocked_domains_file, s->settings->blocked_domains_file) == 0;
}

/* What identifies the list files `eff` names: each one opened as the loader will (a regular file
 * within the size limit), and its path, device, inode, size and modification time. NULL with
 * `error` when one cannot be used: an administrator's deny list that is silently not applied
 * would be worse than a refused request. */
static char *list_files_key(const TgSettings *eff, GError **error) {
  const struct {
    const char *path, *key;
  } files[] = {{eff->trusted_domains_file, "trusted_domains_file"},
               {eff->blocked_domains_file, "blocked_domains_file"}};
  GString *key = g_string_new(NULL);
  for (size_t i = 0; i < G_N_ELEMENTS(files); i++) {
    g_string_append_c(key, '\n');
    if (!files[i].path)
      continue;
    int fd = -1;
    struct stat st;
    if (!tg_settings_open_list_file(files[i].path, files[i].key, &fd, error)) {
      g_string_free(key, true);
      return NULL;
    }
    if (fstat(fd, &st) != 0)
      memset(&st, 0, sizeof st);
    close(fd);
    g_string_append_printf(key, "%s\t%ju:%ju:%jd:%jd.%09ld", files[i].path, (uintmax_t)st.st_dev,
                           (uintmax_t)st.st_ino, (intmax_t)st.st_size, (intmax_t)st.st_mtim.tv_sec,
                           st.st_mtim.tv_nsec);
  }
  return g_string_free(key, false);
}

bool tg_session_list_files_usable(const TgSession *s, const TgSettings *eff, GError **error) {
  if (same_list_files(s, eff))
    return true;
  g_autofree char *key = list_files_key(eff, error);
  return key != NULL;
}

/* The context a request is checked against: the session's, or one with the request's list files
 * (loaded by the same bounded loader as the files', and kept for the next request). */
const TgContext *tg_session_context_for(TgSession *s, const TgSettings *eff, GError **error) {
  if (same_list_files(s, eff))
    return s->ctx;
  g_autofree char *key = list_files_key(eff, error);
  if (!key)
    return NULL;
  if (s->policy_ctx && strcmp(key, s->policy_ctx_key) == 0)
    return s->policy_ctx;
  g_clear_pointer(&s->policy_ctx, tg_context_free);
  g_clear_pointer(&s->policy_ctx_key, g_free);
  g_autoptr(TgSettings) files = tg_settings_copy(s->settings);
  g_free(files->trusted_domains_file);
  g_free(files->blocked_domains_file);
  files->trusted_domains_file = g_strdup(eff->trusted_domains_file);
  files->blocked_domains_file = g_strdup(eff->blocked_domains_file);
  g_autoptr(GPtrArray) warnings = g_ptr_array_new_with_free_func(g_free);
  TgContext *ctx = tg_settings_build_context(files, s->psl, warnings);
  for (guint i = 0; i < warnings->len; i++)
    g_printerr("typoguard: %s\n", (const char *)g_ptr_array_index(warnings, i));
  if (s->history)
    tg_history_apply(s->history, ctx);
  tg_context_seal(ctx);
  s->policy_ctx = ctx;
  s->policy_ctx_key = g_steal_pointer(&key);
  return ctx;
}

/* ---- the address book kept in the host --------------------------------------------------- */

/* {"version":V|null,"count":N}: what a client compares with its own copy. */
cJSON *tg_session_book_state(const TgSession *s) {
  cJSON *o = cJSON_CreateObject();
  if (s->book_version)
    cJSON_AddStringToObject(o, "version", s->book_version);
  else
    cJSON_AddNullToObject(o, "version");
  cJSON_AddNumberToObject(o, "count", (double)s->book->len);
  return o;
}

void tg_session_book_remove(TgSession *s, const char *mailbox) {
  g_autofree char *key = g_utf8_strdown(mailbox, -1);
  guint pos = GPOINTER_TO_UINT(g_hash_table_lookup(s->book_keys, key));
  if (pos == 0)
    return;
  g_hash_table_remove(s->book_keys, key);
  guint last = s->book->len - 1;
  if (pos - 1 != last) { /* the last one takes the freed place */
    g_autofree char *moved = g_utf8_strdown(g_ptr_array_index(s->book, last), -1);
    g_hash_table_replace(s->book_keys, g_steal_pointer(&moved), GUINT_TO_POINTER(pos));
  }
  g_ptr_array_remove_index_fast(s->book, pos - 1);
}

void tg_session_book_add(TgSession *s, const char *mailbox) {
  char *key = g_utf8_strdown(mailbox, -1);
  if (g_hash_table_contains(s->book_keys, key)) {
    g_free(key);
    return;
  }
  g_ptr_array_add(s->book, g_strdup(mailbox));
  g_hash_table_insert(s->book_keys, key, GUINT_TO_POINTER(s->book->len));
}
