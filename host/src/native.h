/* native.h — native-messaging mode: the frame loop on stdin/stdout. */
#ifndef TG_NATIVE_H
#define TG_NATIVE_H

#include "protocol.h"

/* Serves requests until end of input. Returns the process exit status: 0 after a clean end of
 * input, 1 after a fatal framing error (too_large, truncated frame) or a write failure. */
int tg_native_run(const char *policy_path);

/* The frame loop itself on any pair of descriptors, with the same exit statuses: what
 * tg_native_run does after setting up stdout. The fuzz targets feed it a memfd, so they test the
 * very code path the host runs. SIGPIPE must already be ignored when `out` may be a pipe. */
int tg_native_serve(TgSession *session, int in, int out);

#endif
