/* atomicfile.h — replaces a file whole or not at all: a reader sees the old content or the new,
 * never a mix, and after a crash or power loss at any moment the file is one of the two. Used for
 * the history (history.c) and the native-messaging manifests (install.c). */
#ifndef TG_ATOMICFILE_H
#define TG_ATOMICFILE_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>

/* Replaces `path` atomically: a temporary file in the same folder with `mode`, fsync, rename,
 * fsync of the folder. On failure nothing is left behind and `path` is unchanged.
 *
 * `crash_point` names this write for the crash tests: in a build with TYPOGUARD_TEST_HOOKS (the
 * test builds, never the packages) and TYPOGUARD_TEST_CRASH equal to it in the environment, the
 * process kills itself (SIGKILL) after the temporary file is written and synced, just before the
 * rename — the moment a real crash would hurt most. NULL for writes no test crashes. */
bool tg_write_file_atomic(const char *path, const char *data, size_t len, int mode,
                          const char *crash_point, GError **error);

#endif
