/* install.h — native-messaging manifests: write or remove them for each browser / mail client,
 * per user (under $HOME) or system-wide, pointing at this program's absolute path. */
#ifndef TG_INSTALL_H
#define TG_INSTALL_H

#include <glib.h>
#include <stdbool.h>

#define TG_HOST_NAME "typoguard"
#define TG_EXTENSION_ID "typoguard@typoguard.org"

typedef struct {
  bool system;             /* system-wide locations instead of the user's */
  bool uninstall;
  const char *browsers;    /* comma list of thunderbird,firefox,chrome,chromium; NULL = all */
  const char *extension_id;   /* for allowed_extensions; NULL = TG_EXTENSION_ID */
  const char *chrome_origin;  /* chrome-extension://ID/ for allowed_origins; NULL = skip chrome */
  const char *root;        /* destination root prefixed to every path (packaging, tests) or NULL */
  const char *program;     /* absolute path of the host program */
} TgInstallOptions;

/* Does the work and prints one line per file written or removed. Returns an exit status. */
int tg_install_run(const TgInstallOptions *opts);

#endif
