/* files.c — see files.h. The audit behind it (issue 15): TYPOGUARD_POLICY=/dev/zero tried to
 * allocate gigabytes, a FIFO as the policy file hung the start, a 300 MB one-line list was read
 * whole, and history lines likewise. */
#include "files.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define TG_LINE_READ_CHUNK ((size_t)64 * 1024)

static const char *kind_of(mode_t m) {
  if (S_ISDIR(m))
    return "a folder";
  if (S_ISFIFO(m))
    return "a FIFO";
  if (S_ISCHR(m))
    return "a character device";
  if (S_ISBLK(m))
    return "a block device";
  if (S_ISSOCK(m))
    return "a socket";
  return "not a regular file";
}

int tg_file_open_regular(const char *path, bool nofollow, GError **error) {
  int flags = O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY | (nofollow ? O_NOFOLLOW : 0);
  int fd = open(path, flags);
  if (fd < 0) {
    int e = errno;
    if (nofollow && e == ELOOP)
      g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_FAILED,
                  "%s is a symbolic link, which is not followed here", path);
    else
      g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(e), "%s cannot be opened: %s", path,
                  g_strerror(e));
    return -1;
  }
  struct stat st;
  if (fstat(fd, &st) != 0) {
    int e = errno;
    g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(e), "%s cannot be read: %s", path,
                g_strerror(e));
    close(fd);
    return -1;
  }
  if (!S_ISREG(st.st_mode)) {
    g_set_error(error, G_FILE_ERROR, S_ISDIR(st.st_mode) ? G_FILE_ERROR_ISDIR : G_FILE_ERROR_FAILED,
                "%s is %s, not a regular file", path, kind_of(st.st_mode));
    close(fd);
    return -1;
  }
  return fd;
}

bool tg_file_read_bounded(const char *path, bool nofollow, size_t max_bytes, char **text,
                          size_t *len, GError **error) {
  int fd = tg_file_open_regular(path, nofollow, error);
  if (fd < 0)
    return false;
  struct stat st;
  if (fstat(fd, &st) != 0 || (guint64)st.st_size > max_bytes) {
    g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_FAILED, "%s is larger than %zu bytes", path,
                max_bytes);
    close(fd);
    return false;
  }
  /* The size may change under us: read at most max_bytes + 1 to notice a file that grew. */
  size_t cap = (size_t)st.st_size + 1, got = 0;
  char *buf = g_malloc(cap + 1);
  for (;;) {
    if (got == cap) {
      if (cap > max_bytes)
        break;
      cap = MIN(cap * 2, max_bytes + 1);
      buf = g_realloc(buf, cap + 1);
    }
    ssize_t n = read(fd, buf + got, cap - got);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      int e = errno;
      g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(e), "%s cannot be read: %s", path,
                  g_strerror(e));
      g_free(buf);
      close(fd);
      return false;
    }
    if (n == 0)
      break;
    got += (size_t)n;
  }
  close(fd);
  if (got > max_bytes) {
    g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_FAILED, "%s is larger than %zu bytes", path,
                max_bytes);
    g_free(buf);
    return false;
  }
  buf[got] = '\0';
  *text = buf;
  *len = got;
  return true;
}

void tg_lines_init(TgLineReader *r, int fd, size_t max_line) {
  memset(r, 0, sizeof *r);
  r->fd = fd;
  r->max_line = max_line;
  r->cap = max_line + 1 + TG_LINE_READ_CHUNK;
  r->buf = g_malloc(r->cap + 1);
}

void tg_lines_clear(TgLineReader *r) {
  g_clear_pointer(&r->buf, g_free);
}

/* Reads more after `end`, moving what is left to the front first. */
static bool fill(TgLineReader *r) {
  if (r->start > 0) {
    memmove(r->buf, r->buf + r->start, r->end - r->start);
    r->end -= r->start;
    r->start = 0;
  }
  while (r->end < r->cap) {
    ssize_t n = read(r->fd, r->buf + r->end, r->cap - r->end);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      r->read_errno = errno;
      r->eof = true;
      return false;
    }
    if (n == 0) {
      r->eof = true;
      return false;
    }
    r->end += (size_t)n;
    return true;
  }
  return true;
}

bool tg_lines_next(TgLineReader *r, char **line, size_t *len, bool *overlong, bool *newline) {
  *overlong = false;
  for (;;) {
    char *p = r->buf + r->start;
    size_t have = r->end - r->start;
    char *nl = memchr(p, '\n', have);
    if (r->skipping) {
      if (nl) {
        r->start += (size_t)(nl - p) + 1;
        r->skipping = false;
        *line = p; /* nothing of it is kept: an empty, overlong line */
        *len = 0;
        *overlong = true;
        *newline = true;
        return true;
      }
      r->start = r->end = 0; /* discard and read on */
      if (!fill(r)) {
        r->skipping = false;
        *line = r->buf;
        *len = 0;
        *overlong = true;
        *newline = false;
        return r->read_errno == 0;
      }
      continue;
    }
    if (nl && (size_t)(nl - p) <= r->max_line) {
      *nl = '\0';
      *line = p;
      *len = (size_t)(nl - p);
      *newline = true;
      r->start += *len + 1;
      return true;
    }
    if (nl || have > r->max_line) {
      /* Longer than any line we accept: skip to its newline without holding it. */
      r->skipping = true;
      continue;
    }
    if (r->eof) {
      if (have == 0)
        return false;
      p[have] = '\0';
      *line = p;
      *len = have;
      *newline = false;
      r->start = r->end;
      return true;
    }
    if (!fill(r) && r->read_errno != 0)
      return false;
  }
}
