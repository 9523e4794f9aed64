/* main.c — typoguard-milter: org-wide enforcement in the mail server (Postfix smtpd_milters and
 * non_smtpd_milters, Sendmail INPUT_MAIL_FILTER). Runs in the foreground; SIGTERM or SIGINT stop
 * it after the messages in flight and the queued learning are done.
 *
 *   typoguard-milter [--config FILE] [--check-config] [--version]
 *
 * Exit status: 0 stopped cleanly, 1 libmilter failed, 78 (EX_CONFIG) the configuration is wrong. */
#include <libmilter/mfapi.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "callbacks.h"
#include "engine.h"
#include "milter_config.h"

#define TG_EXIT_CONFIG 78

int main(int argc, char **argv) {
  g_autofree char *config_path = NULL;
  gboolean check_only = FALSE, version = FALSE;
  GOptionEntry entries[] = {
      {"config", 'c', 0, G_OPTION_ARG_FILENAME, &config_path,
       "configuration file (default " TG_MILTER_DEFAULT_CONFIG ")", "FILE"},
      {"check-config", 0, 0, G_OPTION_ARG_NONE, &check_only,
       "read the configuration, report problems and exit", NULL},
      {"version", 0, 0, G_OPTION_ARG_NONE, &version, "print the version and exit", NULL},
      {NULL, 0, 0, 0, NULL, NULL, NULL},
  };
  g_autoptr(GOptionContext) oc = g_option_context_new("- typoguard's mail filter");
  g_option_context_add_main_entries(oc, entries, NULL);
  g_autoptr(GError) error = NULL;
  if (!g_option_context_parse(oc, &argc, &argv, &error)) {
    fprintf(stderr, "typoguard-milter: %s\n", error->message);
    return 2;
  }
  if (version) {
    printf("typoguard-milter %s (libtypoguard %s)\n", TYPOGUARD_VERSION, tg_version());
    return 0;
  }
  const char *path = config_path ? config_path : TG_MILTER_DEFAULT_CONFIG;
  g_autoptr(GPtrArray) warnings = g_ptr_array_new_with_free_func(g_free);
  TgMilterConfig *cfg = tg_milter_config_load(path, warnings, &error);
  if (!cfg) {
    for (guint i = 0; i < warnings->len; i++)
      tg_engine_note("%s", (const char *)g_ptr_array_index(warnings, i));
    tg_engine_note("%s", error->message);
    return TG_EXIT_CONFIG;
  }
  g_autofree char *socket = g_strdup(cfg->socket);
  /* libmilter's signal thread takes SIGTERM, SIGINT and SIGHUP with sigwait: every thread, the
   * learner too, must have them blocked, or the kernel may hand one to a thread that dies of it
   * before the queued learning is written. */
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);
  signal(SIGPIPE, SIG_IGN);
  g_autoptr(TgEngine) engine = tg_engine_new(cfg, warnings, &error);
  for (guint i = 0; i < warnings->len; i++)
    tg_engine_note("%s", (const char *)g_ptr_array_index(warnings, i));
  if (!engine) {
    tg_engine_note("%s", error->message);
    return TG_EXIT_CONFIG;
  }
  const TgMilterConfig *c = tg_engine_config(engine);
  tg_engine_note("%s: socket %s, on_block %s, on_warn %s, allow_override %s, %u local domains, "
                 "history %s",
                 check_only ? "configuration ok" : "starting", c->socket,
                 tg_on_block_name(c->on_block), tg_on_warn_name(c->on_warn),
                 c->settings->allow_override ? "true" : "false", c->local_domains->len,
                 tg_engine_learning(engine) ? c->history_dir : "off");
  if (check_only)
    return 0;

  if (smfi_setconn(socket) != MI_SUCCESS ||
      smfi_register(*tg_milter_callbacks(engine)) != MI_SUCCESS) {
    tg_engine_note("cannot register with libmilter (socket %s)", socket);
    return 1;
  }
  /* true: a socket file left by an earlier run is removed first. */
  if (smfi_opensocket(true) != MI_SUCCESS) {
    tg_engine_note("cannot listen on %s", socket);
    return 1;
  }
  int rc = smfi_main();
  tg_engine_note("stopping");
  return rc == MI_SUCCESS ? 0 : 1;
}
