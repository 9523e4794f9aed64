/* hostrun.c — see hostrun.h. */
#include "hostrun.h"

#include <gio/gio.h>
#include <stdint.h>
#include <string.h>

#include "typoguard.h"
#include "replyframes.h"

const char *scratch_home(void) {
  static char *home;
  if (!home) {
    home = g_dir_make_tmp("typoguard-test-XXXXXX", NULL);
    g_assert(home);
  }
  return home;
}

void frame_append(GByteArray *buf, const char *body, size_t len) {
  uint32_t n = (uint32_t)len;
  g_byte_array_append(buf, (const guint8 *)&n, sizeof n);
  g_byte_array_append(buf, (const guint8 *)body, (guint)len);
}

void frame_append_str(GByteArray *buf, const char *json) {
  frame_append(buf, json, strlen(json));
}

HostRun *host_run(const char *const *argv, const void *in, size_t in_len, const char *const *env) {
  g_autoptr(GPtrArray) args = g_ptr_array_new();
  g_ptr_array_add(args, (char *)TG_HOST_PATH);
  for (size_t i = 0; argv && argv[i]; i++)
    g_ptr_array_add(args, (char *)argv[i]);
  g_ptr_array_add(args, NULL);

  g_autoptr(GSubprocessLauncher) l =
      g_subprocess_launcher_new(G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                G_SUBPROCESS_FLAGS_STDERR_PIPE);
  const char *home = scratch_home();
  g_autofree char *cfg = g_build_filename(home, ".config", NULL);
  g_autofree char *data = g_build_filename(home, ".local", "share", NULL);
  g_autofree char *nopolicy = g_build_filename(home, "no-policy.conf", NULL);
  g_subprocess_launcher_setenv(l, "HOME", home, TRUE);
  g_subprocess_launcher_setenv(l, "XDG_CONFIG_HOME", cfg, TRUE);
  g_subprocess_launcher_setenv(l, "XDG_DATA_HOME", data, TRUE);
  /* Never the machine's own /etc/typoguard/policy.conf. */
  g_subprocess_launcher_setenv(l, "TYPOGUARD_POLICY", nopolicy, TRUE);
  for (size_t i = 0; env && env[i]; i++) {
    g_auto(GStrv) kv = g_strsplit(env[i], "=", 2);
    g_subprocess_launcher_setenv(l, kv[0], kv[1] ? kv[1] : "", TRUE);
  }
  g_autoptr(GError) error = NULL;
  gint64 t0 = g_get_monotonic_time();
  g_autoptr(GSubprocess) p =
      g_subprocess_launcher_spawnv(l, (const char *const *)args->pdata, &error);
  g_assert_no_error(error);
  g_autoptr(GBytes) input = g_bytes_new(in, in_len);
  GBytes *out = NULL, *err = NULL;
  g_subprocess_communicate(p, input, NULL, &out, &err, &error);
  /* A host that exits early (too_large) closes its stdin: the rest of the input is not read. */
  if (error && !g_error_matches(error, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE))
    g_assert_no_error(error);
  g_clear_error(&error);
  if (!out || !err) {
    /* communicate stops at the broken pipe: collect what is left. */
    g_subprocess_wait(p, NULL, NULL);
  }
  HostRun *r = g_new0(HostRun, 1);
  g_subprocess_wait(p, NULL, NULL);
  r->seconds = (double)(g_get_monotonic_time() - t0) / 1e6;
  if (g_subprocess_get_if_signaled(p))
    r->status = 128 + g_subprocess_get_term_sig(p);
  else
    r->status = g_subprocess_get_exit_status(p);
  r->out = out ? out : g_bytes_new(NULL, 0);
  gsize elen = 0;
  const char *e = err ? g_bytes_get_data(err, &elen) : "";
  r->err = g_strndup(e, elen);
  if (err)
    g_bytes_unref(err);
  r->replies = g_ptr_array_new_with_free_func((GDestroyNotify)cJSON_Delete);
  gsize out_len = 0;
  const guint8 *out_data = g_bytes_get_data(r->out, &out_len);
  r->framing_ok = tg_split_reply_frames(out_data, out_len, r->replies);
  return r;
}

void host_run_free(HostRun *r) {
  if (!r)
    return;
  g_bytes_unref(r->out);
  g_free(r->err);
  g_ptr_array_unref(r->replies);
  g_free(r);
}
