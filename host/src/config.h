/* config.h — settings and policy: key files, the environment, XDG paths, merging.
 *
 * Sources, lowest to highest precedence for single-valued keys: built-in defaults, the user's
 * `$XDG_CONFIG_HOME/typoguard/typoguard.conf`, the request's `settings` (user, from the options
 * page), then the administrator: the system policy file (`/etc/typoguard/policy.conf`, or
 * `$TYPOGUARD_POLICY`, or `--policy FILE`) and the request's `policy` (managed storage). Lists
 * (domains, TLDs) from every source are merged. Keys an administrator set are `locked`. */
#ifndef TG_CONFIG_H
#define TG_CONFIG_H

#include <cjson/cJSON.h>
#include <glib.h>
#include <libpsl.h>
#include <stdbool.h>

#include "typoguard.h"

#define TG_SYSTEM_POLICY_PATH "/etc/typoguard/policy.conf"
#define TG_CONFIG_GROUP "typoguard"

typedef enum { TG_FAIL_OPEN = 0, TG_FAIL_CLOSED } TgFailMode;

#define TG_SETTINGS_ERROR (tg_settings_error_quark())
GQuark tg_settings_error_quark(void);
typedef enum { TG_SETTINGS_ERROR_INVALID } TgSettingsError;

typedef struct {
  GPtrArray *org_domains; /* char*, normalised, no duplicates */
  GPtrArray *trusted_domains;
  GPtrArray *blocked_domains;
  GPtrArray *blocked_tlds;
  char *trusted_domains_file; /* path or NULL */
  char *blocked_domains_file;
  TgLevel flag_external; /* default off */
  TgLevel first_contact; /* default info */
  bool allow_override;   /* default false: a block stops the send */
  TgFailMode fail_mode;  /* default open */
  bool learn;            /* default true */
  /* typoguard-sendmail's keys (key files only, DESIGN.md): the real sendmail's command line
   * (NULL: /usr/sbin/sendmail), and whether a warn without a terminal aborts (default: sends). */
  char *sendmail;
  bool sendmail_warn_abort;
  GHashTable *locked; /* key names set by an administrator (set of char*) */
} TgSettings;

TgSettings *tg_settings_new(void); /* defaults */
TgSettings *tg_settings_copy(const TgSettings *s);
void tg_settings_free(TgSettings *s);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(TgSettings, tg_settings_free)

/* Loads the system policy (policy_path, or NULL for $TYPOGUARD_POLICY, else the system path) and
 * the user's settings file. A missing file is fine; a malformed one adds a line to `warnings`
 * naming file, line and key, and every other key keeps working. Never fails. */
TgSettings *tg_settings_load(const char *policy_path, GPtrArray *warnings);

/* Merges a JSON object carrying the same keys (a request's `policy` when admin is true, its
 * `settings` otherwise). A user value never overrides a locked key. Returns false with `error`
 * (TG_SETTINGS_ERROR_INVALID, naming the key) when a key has the wrong JSON type or value;
 * then `s` is unchanged. Unknown keys are ignored. */
bool tg_settings_merge_json(TgSettings *s, const cJSON *obj, bool admin, GError **error);

/* The effective settings as a JSON object for `hello`, with "locked":[keys]. */
cJSON *tg_settings_to_json(const TgSettings *s);

/* Builds the detection context from the settings: organisation and trusted lists and files,
 * blocked lists and files, levels. Problems with the list files go to `warnings`. */
TgContext *tg_settings_build_context(const TgSettings *s, const psl_ctx_t *psl,
                                     GPtrArray *warnings);

/* ---- helpers (selftest, history, tests) ---- */

/* Normalises a domain as the lists store it: trimmed, "@", "*." and leading/trailing dots
 * dropped, IDNA2008/UTS#46 A-labels, lowercase ASCII. NULL with `error` when it is not a domain. */
char *tg_settings_normalise_domain(const char *text, GError **error);
/* The same for a TLD ("ml", ".ml", ".ML" -> "ml"); more than one label is an error. */
char *tg_settings_normalise_tld(const char *text, GError **error);
bool tg_settings_is_locked(const TgSettings *s, const char *key);

/* The policy file in use: `policy_path` when given, else $TYPOGUARD_POLICY, else the system path. */
char *tg_settings_policy_path(const char *policy_path);
/* $XDG_CONFIG_HOME/typoguard/typoguard.conf (read from the environment each call). */
char *tg_settings_user_path(void);

/* Reads one key file into `s` (admin: the policy's precedence and locks). Returns false when the
 * file does not exist. Problems go to `warnings` (or stderr when NULL); `applied` (may be NULL)
 * receives the names of the keys that took effect. */
bool tg_settings_load_file(TgSettings *s, const char *path, bool admin, GPtrArray *warnings,
                           GPtrArray *applied);

/* Opens a list file named by key `key` for reading: a regular file of at most 256 MiB. On failure
 * `error` (TG_SETTINGS_ERROR) names the file, the key and why. */
bool tg_settings_open_list_file(const char *path, const char *key, int *fd, GError **error);

/* Adds the domains of a list file (one a line, '#' comments, at most TG_MAX_LIST_DOMAINS) to the
 * trusted or blocked set of `ctx`; returns how many were added. */
size_t tg_settings_load_list_file(TgContext *ctx, const char *path, bool blocked,
                                  GPtrArray *warnings);

#endif
