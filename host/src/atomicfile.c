/* atomicfile.c — replaces a file whole or not at all (see atomicfile.h). */
#include "atomicfile.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

static bool fsync_dir(const char *dir, GError **error) {
  int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0 || fsync(fd) != 0) {
    int e = errno;
    if (fd >= 0)
      close(fd);
    g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(e), "cannot sync folder %s: %s", dir,
                g_strerror(e));
    return false;
  }
  close(fd);
  return true;
}

bool tg_write_file_atomic(const char *path, const char *data, size_t len, int mode,
                          const char *crash_point, GError **error) {
  g_autofree char *dir = g_path_get_dirname(path);
  g_autofree char *base = g_path_get_basename(path);
  g_autofree char *tmp = g_strdup_printf("%s/%s.tmp.XXXXXX", dir, base);
  int fd = g_mkstemp_full(tmp, O_WRONLY | O_CLOEXEC, mode);
  if (fd < 0) {
    int e = errno;
    g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(e), "cannot create a file in %s: %s",
                dir, g_strerror(e));
    return false;
  }
  size_t off = 0;
  while (off < len) {
    ssize_t w = write(fd, data + off, len - off);
    if (w < 0 && errno == EINTR)
      continue;
    if (w <= 0)
      break;
    off += (size_t)w;
  }
  /* mkstemp's mode is filtered by the umask; a manifest must be world-readable. */
  bool ok = off == len && fchmod(fd, (mode_t)mode) == 0 && fsync(fd) == 0;
  int e = errno;
  if (close(fd) != 0 && ok) {
    ok = false;
    e = errno;
  }
  if (!ok) {
    g_unlink(tmp);
    g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(e), "cannot write %s: %s", tmp,
                g_strerror(e));
    return false;
  }
#ifdef TYPOGUARD_TEST_HOOKS
  if (crash_point != NULL) {
    const char *want = g_getenv("TYPOGUARD_TEST_CRASH");
    if (want != NULL && strcmp(want, crash_point) == 0)
      raise(SIGKILL); /* test hook, see atomicfile.h */
  }
#else
  (void)crash_point;
#endif
  if (rename(tmp, path) != 0) {
    e = errno;
    g_unlink(tmp);
    g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(e), "cannot replace %s: %s", path,
                g_strerror(e));
    return false;
  }
  return fsync_dir(dir, error);
}
