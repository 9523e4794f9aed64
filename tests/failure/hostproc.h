/* hostproc.h — runs the built typoguard-host for the failure and soak tests, with what those need
 * beyond tests/integration/hostrun.c: a private scratch HOME per test, a host bound by file
 * permissions even when the test runs as root (to make files unreadable to it), a file size limit, pipelined input written
 * while replies are read, a timeout (a hang is a failure), and a handle on the running process
 * (to kill it mid-work or close its output early). */
#ifndef TG_HOSTPROC_H
#define TG_HOSTPROC_H

#include <cjson/cJSON.h>
#include <glib.h>
#include <stdbool.h>
#include <sys/resource.h>
#include <sys/types.h>

typedef struct {
  char *root;                /* the scratch folder: HOME */
  char *data;                /* XDG_DATA_HOME (root/data) */
  char *hist_dir;            /* data/typoguard: the history folder */
  char *hist;                /* hist_dir/history */
  char *config;              /* XDG_CONFIG_HOME (root/config) */
  GPtrArray *env;            /* extra NAME=VALUE pairs */
  bool bound_by_permissions; /* as root: run the host without the capabilities that bypass file
                              * permissions (see host_bind_to_permissions) */
  rlim_t fsize; /* RLIMIT_FSIZE for the host when non-zero (SIGXFSZ ignored: writes fail EFBIG) */
  const char *const *wrapper; /* a program and its arguments to run the host under (valgrind) */
} HostEnv;

HostEnv *host_env_new(void);
/* Makes this process, and every program it execs, bound by file permissions like any user:
 * for root, drops CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH from the bounding, inheritable,
 * ambient, permitted and effective sets (root regains its permitted set from the bounding set
 * at exec, so all of them must go). Nothing to do for another user. Async-signal-safe (raw
 * system calls), for a child between fork and exec. False, with errno, when the process lacks
 * CAP_SETPCAP (some containers). */
bool host_bind_to_permissions(void);
void host_env_free(HostEnv *e);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(HostEnv, host_env_free)
void host_env_set(HostEnv *e, const char *name, const char *value);

typedef struct {
  pid_t pid;
  int in, out, err; /* our ends of the host's stdin, stdout, stderr (-1 once closed) */
} HostProc;

/* Starts the host with `args` (NULL-terminated, after the program name). */
HostProc host_start(const HostEnv *e, const char *const *args);

typedef struct {
  int status;     /* exit status when it exited */
  int signal;     /* the signal that ended it, or 0 */
  bool timed_out; /* it did not finish in time and was killed */
  GByteArray *out;
  char *err;
  GPtrArray *replies; /* cJSON* per frame (NULL when a frame is not JSON) */
  bool framing_ok;    /* stdout is exactly a sequence of complete frames of at most 1 MiB */
} HostResult;

void host_result_free(HostResult *r);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(HostResult, host_result_free)

/* Writes `in` to the host's stdin while reading its output, closes stdin, and waits at most
 * `timeout_s` seconds for it to exit. */
HostResult *host_finish(HostProc *p, const void *in, size_t len, double timeout_s);
/* host_start then host_finish. */
HostResult *host_run_env(const HostEnv *e, const char *const *args, const void *in, size_t len,
                         double timeout_s);

/* Waits for the process (at most timeout_s, then SIGKILL); returns the wait status. */
int host_wait(pid_t pid, double timeout_s, bool *timed_out);
/* VmRSS of a process in KiB, or -1. */
long host_rss_kib(pid_t pid);

void frames_add(GByteArray *buf, const char *json);
const char *json_str(const cJSON *o, const char *key);
/* Whether the result reply `r` has a finding with `code` for recipient `i`. */
bool has_finding(const cJSON *r, int i, const char *code);

/* Reads a file whole (NULL when missing). */
GBytes *file_bytes(const char *path);
/* Names in a folder starting with `prefix`. */
guint count_prefixed(const char *dir, const char *prefix);

#endif
