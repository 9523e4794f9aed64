/* milter_config.h — /etc/typoguard/milter.conf: the policy keys of [typoguard] (read by the host's
 * config.c, so the milter judges exactly as the desktop does) and the milter's own in [milter].
 *
 *   [milter]
 *   socket = unix:/run/typoguard/milter.sock   (or inet:PORT@127.0.0.1; loopback only)
 *   on_block = reject | hold | quarantine | tag   (default reject)
 *   on_warn = tag | hold | pass                   (default tag)
 *   local_domains = example.org                   (senders judged; default org_domains)
 *   history = /var/lib/typoguard                  (organisation-wide history folder)
 *   quarantine_to = typoguard-review@example.org  (needed by on_block = quarantine)
 *   history_reload = 60                           (seconds: learned mail takes effect)
 *
 * Guarantees: a bad value of a [milter] key is an error (the milter must not start acting
 * differently from what the administrator wrote); unknown [milter] keys and problems with the
 * [typoguard] keys are warnings, as they are for policy.conf. */
#ifndef TG_MILTER_CONFIG_H
#define TG_MILTER_CONFIG_H

#include <glib.h>
#include <stdbool.h>

#include "config.h"

#define TG_MILTER_DEFAULT_CONFIG "/etc/typoguard/milter.conf"
#define TG_MILTER_DEFAULT_SOCKET "unix:/run/typoguard/milter.sock"
#define TG_MILTER_DEFAULT_HISTORY "/var/lib/typoguard"
#define TG_MILTER_GROUP "milter"
#define TG_MILTER_DEFAULT_RELOAD 60u
#define TG_MILTER_MAX_RELOAD 86400u
/* The socket names a path (unix:) or a port and address (inet:PORT@HOST); no longer. */
#define TG_MILTER_MAX_SOCKET_BYTES 512u

typedef enum {
  TG_ON_BLOCK_REJECT = 0, /* 550 5.1.2 at RCPT: that recipient is refused, the others may go */
  TG_ON_BLOCK_HOLD,       /* the whole message waits in the MTA's hold queue */
  TG_ON_BLOCK_QUARANTINE, /* the whole message goes to quarantine_to instead */
  TG_ON_BLOCK_TAG,        /* delivered with an X-Typoguard: header */
} TgOnBlock;

typedef enum {
  TG_ON_WARN_TAG = 0,
  TG_ON_WARN_HOLD,
  TG_ON_WARN_PASS,
} TgOnWarn;

typedef struct {
  char *path;
  char *socket;
  TgOnBlock on_block;
  TgOnWarn on_warn;
  GPtrArray *local_domains; /* normalised A-labels; the org domains when the key is absent */
  char *history_dir;        /* NULL: learning off */
  char *quarantine_to;      /* bare address or NULL */
  unsigned history_reload;  /* seconds */
  TgSettings *settings;     /* the [typoguard] keys, as an administrator's */
} TgMilterConfig;

void tg_milter_config_free(TgMilterConfig *c);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(TgMilterConfig, tg_milter_config_free)

/* Reads `path`. NULL with `error` when the file is missing or unreadable or a [milter] value is
 * invalid; warnings (lines that name the file and key) go to `warnings`. */
TgMilterConfig *tg_milter_config_load(const char *path, GPtrArray *warnings, GError **error);

/* Is this libmilter socket specification a Unix socket or a loopback TCP one? */
bool tg_milter_socket_ok(const char *spec, GError **error);

const char *tg_on_block_name(TgOnBlock a);
const char *tg_on_warn_name(TgOnWarn a);

#endif
