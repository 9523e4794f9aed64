/* native.h — native-messaging mode: the frame loop on stdin/stdout. */
#ifndef TG_NATIVE_H
#define TG_NATIVE_H

/* Serves requests until end of input. Returns the process exit status: 0 after a clean end of
 * input, 1 after a fatal framing error (too_large, truncated frame) or a write failure. */
int tg_native_run(const char *policy_path);

#endif
