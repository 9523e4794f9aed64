/* hostrun.h — runs the built host as a child process with given arguments and stdin bytes, in a
 * scratch HOME, and splits its stdout into frames. For the integration tests only. */
#ifndef TG_HOSTRUN_H
#define TG_HOSTRUN_H

#include <cjson/cJSON.h>
#include <glib.h>
#include <stdbool.h>

typedef struct {
  int status;         /* exit status, or 128+signal */
  GBytes *out;        /* raw stdout */
  char *err;          /* stderr as text */
  GPtrArray *replies; /* cJSON* per well-formed frame (NULL entry for a frame that is not JSON) */
  bool framing_ok;    /* stdout is exactly a sequence of complete frames, each <= 1 MiB */
  double seconds;     /* wall time */
} HostRun;

/* argv: NULL-terminated arguments after the program name. env: extra NAME=VALUE pairs or NULL. */
HostRun *host_run(const char *const *argv, const void *in, size_t in_len, const char *const *env);
void host_run_free(HostRun *r);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(HostRun, host_run_free)

/* Appends one frame holding `len` bytes of `body` to `buf`. */
void frame_append(GByteArray *buf, const char *body, size_t len);
void frame_append_str(GByteArray *buf, const char *json);

/* The scratch HOME used by every run (created once). */
const char *scratch_home(void);

#endif
