/* install.h — native-messaging manifests: write or remove them for each browser / mail client,
 * per user (under $HOME) or system-wide, pointing at this program's absolute path. */
#ifndef TG_INSTALL_H
#define TG_INSTALL_H

#include <glib.h>
#include <stdbool.h>

#define TG_HOST_NAME "typoguard"
#define TG_EXTENSION_ID "typoguard@typoguard.org"

typedef struct {
  bool system; /* system-wide locations instead of the user's */
  bool uninstall;
  const char *browsers;      /* comma list of thunderbird,firefox,chrome,chromium; NULL = all */
  const char *extension_id;  /* for allowed_extensions; NULL = TG_EXTENSION_ID */
  const char *chrome_origin; /* chrome-extension://ID/ (or the ID) for allowed_origins; NULL =
                              * skip chrome unless --browser asks for it, which is then a usage error */
  const char *root;          /* destination root prefixed to every path (packaging, tests) or NULL;
                            * a program inside it is named by its path relative to it */
  const char *program;       /* absolute path of the host program */
} TgInstallOptions;

/* Does the work and prints one line per file written or removed. Returns an exit status. */
int tg_install_run(const TgInstallOptions *opts);

/* One folder that some browsers read manifests from, and the manifest's path in it. */
typedef struct {
  const char *label; /* "thunderbird, firefox", "chrome", "chromium" */
  bool chrome;       /* allowed_origins rather than allowed_extensions */
  unsigned browsers; /* internal bit set */
  char *path;        /* …/typoguard.json, with the root prefixed */
} TgManifestLocation;

/* The user's (HOME, XDG_CONFIG_HOME) or the system's manifest locations, in a fixed order
 * (mozilla, chrome, chromium); `root` (may be NULL) is prefixed. Free with g_ptr_array_unref. */
GPtrArray *tg_install_locations(bool system, const char *root);

/* The manifest text; `allowed` is the extension id (Mozilla) or origin (Chrome). */
char *tg_install_manifest_json(bool chrome, const char *program, const char *allowed);

/* "chrome-extension://ID/" from an ID or origin, or NULL when it is neither. */
char *tg_install_chrome_origin(const char *text);

/* Does the manifest at `path` parse, carry our name, name `program` (when not NULL; compared
 * after resolving links) and allow `allowed` (when not NULL)? The error says what is wrong. */
bool tg_install_check_manifest(const char *path, bool chrome, const char *program,
                               const char *allowed, GError **error);

#endif
