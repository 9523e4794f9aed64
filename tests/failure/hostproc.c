/* hostproc.c — see hostproc.h. Plain fork/exec rather than GSubprocess: the child needs
 * capabilities dropped, a resource limit and an ignored SIGXFSZ set between fork and exec, and the callers need
 * the raw pid and descriptors. */
#include "hostproc.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "typoguard.h"
#include "replyframes.h"

extern char **environ;

HostEnv *host_env_new(void) {
  HostEnv *e = g_new0(HostEnv, 1);
  e->root = g_dir_make_tmp("typoguard-fail-XXXXXX", NULL);
  g_assert(e->root);
  e->data = g_build_filename(e->root, "data", NULL);
  e->config = g_build_filename(e->root, "config", NULL);
  e->hist_dir = g_build_filename(e->data, "typoguard", NULL);
  e->hist = g_build_filename(e->hist_dir, "history", NULL);
  g_mkdir_with_parents(e->data, 0755);
  g_mkdir_with_parents(e->config, 0755);
  e->env = g_ptr_array_new_with_free_func(g_free);
  host_env_set(e, "HOME", e->root);
  host_env_set(e, "XDG_DATA_HOME", e->data);
  host_env_set(e, "XDG_CONFIG_HOME", e->config);
  g_autofree char *nopolicy = g_build_filename(e->root, "no-policy.conf", NULL);
  host_env_set(e, "TYPOGUARD_POLICY", nopolicy);
  return e;
}

static void remove_tree(const char *path) {
  GDir *d = g_dir_open(path, 0, NULL);
  if (d) {
    const char *name;
    while ((name = g_dir_read_name(d)) != NULL) {
      g_autofree char *child = g_build_filename(path, name, NULL);
      remove_tree(child);
    }
    g_dir_close(d);
  }
  g_remove(path);
}

void host_env_free(HostEnv *e) {
  if (!e)
    return;
  if (!g_getenv("TG_KEEP_SCRATCH"))
    remove_tree(e->root);
  g_free(e->root);
  g_free(e->data);
  g_free(e->config);
  g_free(e->hist_dir);
  g_free(e->hist);
  g_ptr_array_unref(e->env);
  g_free(e);
}

bool host_bind_to_permissions(void) {
  if (geteuid() != 0)
    return true;
  static const int caps[] = {CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH};
  for (size_t i = 0; i < sizeof caps / sizeof caps[0]; i++)
    if (prctl(PR_CAPBSET_DROP, caps[i], 0, 0, 0) != 0)
      return false;
  /* Kernels before 4.3 have no ambient set: nothing to clear there. */
  if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL)
    return false;
  struct __user_cap_header_struct head = {_LINUX_CAPABILITY_VERSION_3, 0};
  struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
  if (syscall(SYS_capget, &head, data) != 0)
    return false;
  for (size_t i = 0; i < sizeof caps / sizeof caps[0]; i++) {
    __u32 bit = CAP_TO_MASK(caps[i]);
    data[CAP_TO_INDEX(caps[i])].effective &= ~bit;
    data[CAP_TO_INDEX(caps[i])].permitted &= ~bit;
    data[CAP_TO_INDEX(caps[i])].inheritable &= ~bit;
  }
  return syscall(SYS_capset, &head, data) == 0;
}

void host_env_set(HostEnv *e, const char *name, const char *value) {
  size_t n = strlen(name);
  for (guint i = 0; i < e->env->len; i++) {
    const char *kv = g_ptr_array_index(e->env, i);
    if (strncmp(kv, name, n) == 0 && kv[n] == '=') {
      g_ptr_array_remove_index(e->env, i);
      break;
    }
  }
  g_ptr_array_add(e->env, g_strdup_printf("%s=%s", name, value));
}

HostProc host_start(const HostEnv *e, const char *const *args) {
  /* The environment and argv are built before fork: nothing but async-signal-safe calls after. */
  g_autoptr(GPtrArray) envp = g_ptr_array_new();
  for (char **v = environ; *v; v++) {
    bool overridden = false;
    for (guint i = 0; i < e->env->len && !overridden; i++) {
      const char *kv = g_ptr_array_index(e->env, i);
      size_t n = (size_t)(strchr(kv, '=') - kv);
      overridden = strncmp(*v, kv, n + 1) == 0;
    }
    if (!overridden)
      g_ptr_array_add(envp, *v);
  }
  for (guint i = 0; i < e->env->len; i++)
    g_ptr_array_add(envp, g_ptr_array_index(e->env, i));
  g_ptr_array_add(envp, NULL);
  g_autoptr(GPtrArray) argv = g_ptr_array_new();
  for (size_t i = 0; e->wrapper && e->wrapper[i]; i++)
    g_ptr_array_add(argv, (char *)e->wrapper[i]);
  g_ptr_array_add(argv, (char *)TG_HOST_PATH);
  for (size_t i = 0; args && args[i]; i++)
    g_ptr_array_add(argv, (char *)args[i]);
  g_ptr_array_add(argv, NULL);

  int in[2], out[2], err[2];
  g_assert(pipe2(in, O_CLOEXEC) == 0 && pipe2(out, O_CLOEXEC) == 0 && pipe2(err, O_CLOEXEC) == 0);
  /* Signals stay blocked until the child has dropped the handlers it inherited: Check's SIGTERM
   * handler, run in a child not yet exec'd, would kill the whole test (a test sends SIGTERM early). */
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  pid_t pid = fork();
  g_assert(pid >= 0);
  if (pid == 0) {
    for (int sig = 1; sig < NSIG; sig++)
      if (sig != SIGKILL && sig != SIGSTOP)
        signal(sig, SIG_DFL);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    dup2(in[0], STDIN_FILENO);
    dup2(out[1], STDOUT_FILENO);
    dup2(err[1], STDERR_FILENO);
    if (e->fsize) {
      struct rlimit rl = {e->fsize, e->fsize};
      signal(SIGXFSZ, SIG_IGN); /* an ignored signal stays ignored across exec */
      if (setrlimit(RLIMIT_FSIZE, &rl) != 0)
        _exit(126);
    }
    if (e->bound_by_permissions && !host_bind_to_permissions())
      _exit(126);
    /* execve needs a path: a wrapper is looked up in PATH (of this process). */
    execvpe(argv->pdata[0], (char *const *)argv->pdata, (char *const *)envp->pdata);
    _exit(127);
  }
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  close(in[0]);
  close(out[1]);
  close(err[1]);
  return (HostProc){.pid = pid, .in = in[1], .out = out[0], .err = err[0]};
}

int host_wait(pid_t pid, double timeout_s, bool *timed_out) {
  gint64 deadline = g_get_monotonic_time() + (gint64)(timeout_s * G_USEC_PER_SEC);
  int st = 0;
  if (timed_out)
    *timed_out = false;
  for (;;) {
    pid_t r = waitpid(pid, &st, WNOHANG);
    if (r == pid)
      return st;
    g_assert(r == 0 || errno == EINTR);
    if (g_get_monotonic_time() > deadline) {
      kill(pid, SIGKILL);
      waitpid(pid, &st, 0);
      if (timed_out)
        *timed_out = true;
      return st;
    }
    g_usleep(1000);
  }
}

HostResult *host_finish(HostProc *p, const void *in, size_t len, double timeout_s) {
  HostResult *r = g_new0(HostResult, 1);
  r->out = g_byte_array_new();
  GString *err = g_string_new(NULL);
  fcntl(p->in, F_SETFL, O_NONBLOCK);
  size_t done = 0;
  if (len == 0) {
    close(p->in);
    p->in = -1;
  }
  gint64 deadline = g_get_monotonic_time() + (gint64)(timeout_s * G_USEC_PER_SEC);
  /* Feed stdin and drain stdout and stderr together: a host that answers while it reads would
   * otherwise block on a full pipe. */
  while (p->out >= 0 || p->err >= 0) {
    struct pollfd fds[3] = {{p->out, POLLIN, 0}, {p->err, POLLIN, 0}, {p->in, POLLOUT, 0}};
    gint64 left = deadline - g_get_monotonic_time();
    if (left <= 0) {
      r->timed_out = true;
      break;
    }
    int k = poll(fds, 3, (int)MIN(left / 1000 + 1, 1000));
    if (k < 0 && errno == EINTR)
      continue;
    g_assert(k >= 0);
    guint8 buf[65536];
    for (int i = 0; i < 2; i++) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
        continue;
      ssize_t n = read(fds[i].fd, buf, sizeof buf);
      if (n > 0) {
        if (i == 0)
          g_byte_array_append(r->out, buf, (guint)n);
        else
          g_string_append_len(err, (const char *)buf, n);
      } else if (n == 0 || errno != EINTR) {
        close(fds[i].fd);
        if (i == 0)
          p->out = -1;
        else
          p->err = -1;
      }
    }
    if (p->in >= 0 && (fds[2].revents & (POLLOUT | POLLERR | POLLHUP))) {
      ssize_t n = write(p->in, (const char *)in + done, MIN(len - done, (size_t)65536));
      if (n > 0)
        done += (size_t)n;
      if ((n < 0 && errno != EAGAIN && errno != EINTR) || done == len) {
        close(p->in); /* EPIPE: the host stopped reading (too_large, or it died) */
        p->in = -1;
      }
    }
  }
  if (p->in >= 0)
    close(p->in);
  if (p->out >= 0)
    close(p->out);
  if (p->err >= 0)
    close(p->err);
  p->in = p->out = p->err = -1;
  bool late = false;
  int st = host_wait(p->pid,
                     r->timed_out ? 0 : MAX(1.0, (double)(deadline - g_get_monotonic_time()) / 1e6),
                     &late);
  r->timed_out = r->timed_out || late;
  r->status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  r->signal = WIFSIGNALED(st) ? WTERMSIG(st) : 0;
  r->err = g_string_free(err, FALSE);
  r->replies = g_ptr_array_new_with_free_func((GDestroyNotify)cJSON_Delete);
  r->framing_ok = tg_split_reply_frames(r->out->data, r->out->len, r->replies);
  return r;
}

HostResult *host_run_env(const HostEnv *e, const char *const *args, const void *in, size_t len,
                         double timeout_s) {
  HostProc p = host_start(e, args);
  return host_finish(&p, in, len, timeout_s);
}

void host_result_free(HostResult *r) {
  if (!r)
    return;
  g_byte_array_unref(r->out);
  g_free(r->err);
  g_ptr_array_unref(r->replies);
  g_free(r);
}

long host_rss_kib(pid_t pid) {
  g_autofree char *path = g_strdup_printf("/proc/%d/status", (int)pid);
  g_autofree char *text = NULL;
  if (!g_file_get_contents(path, &text, NULL, NULL))
    return -1;
  const char *line = strstr(text, "\nVmRSS:");
  return line ? strtol(line + strlen("\nVmRSS:"), NULL, 10) : -1;
}

void frames_add(GByteArray *buf, const char *json) {
  uint32_t n = (uint32_t)strlen(json);
  g_byte_array_append(buf, (const guint8 *)&n, sizeof n);
  g_byte_array_append(buf, (const guint8 *)json, n);
}

const char *json_str(const cJSON *o, const char *key) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
  return cJSON_IsString(v) ? v->valuestring : NULL;
}

bool has_finding(const cJSON *r, int i, const char *code) {
  const cJSON *f;
  cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(r, "findings")) {
    const cJSON *rc = cJSON_GetObjectItemCaseSensitive(f, "recipient");
    if (cJSON_IsNumber(rc) && rc->valueint == i && g_strcmp0(json_str(f, "code"), code) == 0)
      return true;
  }
  return false;
}

GBytes *file_bytes(const char *path) {
  char *data = NULL;
  gsize len = 0;
  if (!g_file_get_contents(path, &data, &len, NULL))
    return NULL;
  return g_bytes_new_take(data, len);
}

guint count_prefixed(const char *dir, const char *prefix) {
  guint n = 0;
  GDir *d = g_dir_open(dir, 0, NULL);
  if (!d)
    return 0;
  const char *name;
  while ((name = g_dir_read_name(d)) != NULL)
    n += g_str_has_prefix(name, prefix) ? 1u : 0u;
  g_dir_close(d);
  return n;
}
