/* frame.c — reads and writes native-messaging frames on file descriptors.
 *
 * Guarantees: a length prefix over the limit is reported before any allocation; reads and
 * writes restart after EINTR and cope with short transfers; a frame is written with a single
 * buffer so that a reader never sees a length without its body unless the writer dies. */
#include "frame.h"

#include <errno.h>
#include <glib.h>
#include <string.h>
#include <unistd.h>

void tg_frame_reader_init(TgFrameReader *r, int fd) {
  memset(r, 0, sizeof *r);
  r->fd = fd;
}

/* Reads up to n bytes; returns how many arrived before end of input, or -1 on error. */
static ssize_t read_full(int fd, void *buf, size_t n) {
  size_t done = 0;
  while (done < n) {
    ssize_t k = read(fd, (char *)buf + done, n - done);
    if (k < 0) {
      if (errno == EINTR)
        continue;
      return -1;
    }
    if (k == 0)
      break;
    done += (size_t)k;
  }
  return (ssize_t)done;
}

TgFrameStatus tg_frame_read(TgFrameReader *r, size_t limit, char **data, size_t *len) {
  g_assert(r != NULL && data != NULL && len != NULL);
  uint32_t n = 0;
  *data = NULL;
  *len = 0;
  r->got = 0;
  r->announced = 0;
  r->in_prefix = false;
  ssize_t k = read_full(r->fd, &n, sizeof n);
  if (k < 0)
    return TG_FRAME_IO_ERROR;
  if (k == 0)
    return TG_FRAME_EOF;
  if ((size_t)k < sizeof n) {
    r->in_prefix = true;
    r->got = (size_t)k;
    return TG_FRAME_TRUNCATED;
  }
  r->announced = n;
  if (n > limit)
    return TG_FRAME_TOO_LARGE;
  g_autofree char *buf = g_malloc((size_t)n + 1);
  k = read_full(r->fd, buf, n);
  if (k < 0)
    return TG_FRAME_IO_ERROR;
  r->got = (size_t)k;
  if ((size_t)k < n)
    return TG_FRAME_TRUNCATED;
  buf[n] = '\0';
  g_assert((size_t)n <= limit); /* the body handed on is never over the caller's limit */
  *data = g_steal_pointer(&buf);
  *len = n;
  return TG_FRAME_OK;
}

bool tg_frame_write(int fd, const char *data, size_t len, size_t limit) {
  g_assert(data != NULL || len == 0);
  if (len > limit || len > UINT32_MAX) {
    errno = EMSGSIZE;
    return false;
  }
  uint32_t n = (uint32_t)len;
  g_autofree char *buf = g_malloc(sizeof n + len);
  memcpy(buf, &n, sizeof n);
  memcpy(buf + sizeof n, data, len);
  size_t total = sizeof n + len, done = 0;
  while (done < total) {
    ssize_t k = write(fd, buf + done, total - done);
    if (k < 0) {
      if (errno == EINTR)
        continue;
      return false;
    }
    done += (size_t)k;
  }
  return true;
}
