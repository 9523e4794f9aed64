/* spool.c — the private copy of the message and its address headers (see spool.h). */
#include "spool.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int temp_file(GError **error) {
  const char *dir = g_getenv("TMPDIR");
  if (!dir || !*dir)
    dir = "/tmp";
  g_autofree char *path = g_build_filename(dir, "typoguard-sendmail-XXXXXX", NULL);
  int fd = mkostemp(path, O_CLOEXEC); /* mode 0600 */
  if (fd < 0) {
    int e = errno;
    g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(e),
                "cannot make a temporary file in %s: %s", dir, g_strerror(e));
    return -1;
  }
  (void)unlink(path); /* private from now on, and gone when the program ends */
  return fd;
}

static bool write_all(int fd, const char *p, size_t n, GError **error) {
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w < 0 && errno == EINTR)
      continue;
    if (w <= 0) {
      int e = errno;
      g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(e),
                  "cannot write the temporary file: %s", g_strerror(e));
      return false;
    }
    p += w;
    n -= (size_t)w;
  }
  return true;
}

/* Reads the header section back: up to the first empty line, at most the bound. */
static bool read_header(TgSpool *s, GError **error) {
  size_t want = (size_t)MIN((goffset)TG_SPOOL_MAX_HEADER_BYTES, s->size);
  char *buf = g_malloc(want + 1);
  size_t got = 0;
  while (got < want) {
    ssize_t r = pread(s->fd, buf + got, want - got, (off_t)got);
    if (r < 0 && errno == EINTR)
      continue;
    if (r <= 0) {
      int e = r < 0 ? errno : EIO;
      g_free(buf);
      g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(e),
                  "cannot read the temporary file: %s", g_strerror(e));
      return false;
    }
    got += (size_t)r;
  }
  buf[got] = '\0';
  size_t end = got;
  s->header_complete = (goffset)got == s->size;
  /* The blank line: "\n\n" or "\n\r\n" (a message may start with it: no header at all). */
  for (size_t i = 0; i < got; i++) {
    bool line_start = i == 0 || buf[i - 1] == '\n';
    if (!line_start)
      continue;
    if (buf[i] == '\n' || (buf[i] == '\r' && i + 1 < got && buf[i + 1] == '\n')) {
      end = i;
      s->header_complete = true;
      break;
    }
  }
  buf[end] = '\0';
  s->header = buf;
  s->header_len = end;
  return true;
}

/* A spool on a new, empty temporary file. */
static TgSpool *spool_empty(GError **error) {
  int fd = temp_file(error);
  if (fd < 0)
    return NULL;
  TgSpool *s = g_new0(TgSpool, 1);
  s->fd = fd;
  return s;
}

TgSpool *tg_spool_new(int in, GError **error) {
  TgSpool *s = spool_empty(error);
  if (!s)
    return NULL;
  int fd = s->fd;
  g_autofree char *buf = g_malloc(TG_SPOOL_BUFFER_BYTES);
  for (;;) {
    ssize_t r = read(in, buf, TG_SPOOL_BUFFER_BYTES);
    if (r < 0 && errno == EINTR)
      continue;
    if (r < 0) {
      int e = errno;
      g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(e), "cannot read the message: %s",
                  g_strerror(e));
      tg_spool_free(s);
      return NULL;
    }
    if (r == 0)
      break;
    if (!write_all(fd, buf, (size_t)r, error)) {
      tg_spool_free(s);
      return NULL;
    }
    s->size += r;
  }
  if (!read_header(s, error)) {
    tg_spool_free(s);
    return NULL;
  }
  return s;
}

TgSpool *tg_spool_new_from_data(const char *data, size_t len, GError **error) {
  TgSpool *s = spool_empty(error);
  if (!s)
    return NULL;
  int fd = s->fd;
  if (!write_all(fd, data, len, error) || ((s->size = (goffset)len), !read_header(s, error))) {
    tg_spool_free(s);
    return NULL;
  }
  return s;
}

void tg_spool_free(TgSpool *s) {
  if (!s)
    return;
  if (s->fd >= 0)
    close(s->fd);
  g_free(s->header);
  g_free(s);
}

/* ---- headers ---------------------------------------------------------------------------- */

/* Calls `fn` for each field of the header section: name and value spans (the value runs from
 * after the colon to before the line end that closes the field, folding included). */
typedef void (*FieldFn)(const char *name, size_t name_len, size_t value_off, size_t value_len,
                        void *data);

static void each_field(const TgSpool *s, FieldFn fn, void *data) {
  const char *h = s->header;
  size_t n = s->header_len, i = 0;
  while (i < n) {
    size_t line = i;
    /* The field ends at a line end not followed by white space (a folded continuation). */
    size_t end = i;
    for (;;) {
      const char *nl = memchr(h + end, '\n', n - end);
      if (!nl) {
        end = n;
        break;
      }
      end = (size_t)(nl - h) + 1;
      if (end >= n || (h[end] != ' ' && h[end] != '\t'))
        break;
    }
    i = end;
    const char *colon = memchr(h + line, ':', end - line);
    if (!colon || h[line] == ' ' || h[line] == '\t')
      continue; /* not a field (a stray continuation, a broken line): left as it is */
    size_t name_len = (size_t)(colon - (h + line));
    size_t voff = (size_t)(colon - h) + 1, vend = end;
    if (vend > voff && h[vend - 1] == '\n')
      vend--;
    if (vend > voff && h[vend - 1] == '\r')
      vend--;
    fn(h + line, name_len, voff, vend - voff, data);
  }
}

static char *unfold(const char *p, size_t len) {
  GString *out = g_string_sized_new(len);
  for (size_t i = 0; i < len; i++)
    if (p[i] != '\r' && p[i] != '\n')
      g_string_append_c(out, p[i]);
  return g_string_free(out, FALSE);
}

static void header_mailbox_free(gpointer p) {
  TgHeaderMailbox *m = p;
  g_free(m->text);
  g_free(m);
}

static bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static void add_mailbox(GPtrArray *out, const TgSpool *s, TgField field, size_t a, size_t b) {
  while (a < b && is_space(s->header[a]))
    a++;
  while (b > a && is_space(s->header[b - 1]))
    b--;
  if (a == b)
    return;
  TgHeaderMailbox *m = g_new0(TgHeaderMailbox, 1);
  m->field = field;
  m->offset = a;
  m->len = b - a;
  m->text = unfold(s->header + a, b - a);
  g_ptr_array_add(out, m);
}

typedef struct {
  const TgSpool *s;
  GPtrArray *out;
} AddrScan;

/* Splits an address list at its top-level commas; `Name: a, b;` groups give their members. */
static void scan_addresses(const char *name, size_t name_len, size_t off, size_t len, void *data) {
  AddrScan *scan = data;
  TgField field;
  if (name_len == 2 && g_ascii_strncasecmp(name, "To", 2) == 0)
    field = TG_FIELD_TO;
  else if (name_len == 2 && g_ascii_strncasecmp(name, "Cc", 2) == 0)
    field = TG_FIELD_CC;
  else if (name_len == 3 && g_ascii_strncasecmp(name, "Bcc", 3) == 0)
    field = TG_FIELD_BCC;
  else
    return;
  const char *h = scan->s->header;
  size_t start = off, end = off + len;
  bool quoted = false;
  unsigned comment = 0, angle = 0;
  for (size_t i = off; i < end; i++) {
    char c = h[i];
    if (quoted) {
      if (c == '\\' && i + 1 < end)
        i++;
      else if (c == '"')
        quoted = false;
      continue;
    }
    if (comment) {
      if (c == '\\' && i + 1 < end)
        i++;
      else if (c == '(')
        comment++;
      else if (c == ')')
        comment--;
      continue;
    }
    switch (c) {
    case '"': quoted = true; break;
    case '(': comment = 1; break;
    case '<': angle++; break;
    case '>':
      if (angle)
        angle--;
      break;
    case ':':
      if (!angle)
        start = i + 1; /* a group's name is no mailbox */
      break;
    case ',':
    case ';':
      if (!angle) {
        add_mailbox(scan->out, scan->s, field, start, i);
        start = i + 1;
      }
      break;
    default: break;
    }
  }
  add_mailbox(scan->out, scan->s, field, start, end);
}

GPtrArray *tg_spool_address_headers(const TgSpool *s) {
  AddrScan scan = {.s = s, .out = g_ptr_array_new_with_free_func(header_mailbox_free)};
  each_field(s, scan_addresses, &scan);
  return scan.out;
}

typedef struct {
  const TgSpool *s;
  const char *name;
  char *value;
} ValueScan;

static void scan_value(const char *name, size_t name_len, size_t off, size_t len, void *data) {
  ValueScan *scan = data;
  if (scan->value || strlen(scan->name) != name_len ||
      g_ascii_strncasecmp(name, scan->name, name_len) != 0)
    return;
  g_autofree char *v = unfold(scan->s->header + off, len);
  scan->value = g_strdup(g_strstrip(v));
}

char *tg_spool_header_value(const TgSpool *s, const char *name) {
  ValueScan scan = {.s = s, .name = name};
  each_field(s, scan_value, &scan);
  return scan.value;
}

/* ---- rewrite ---------------------------------------------------------------------------- */

static bool copy_range(int from, int to, goffset off, goffset len, char *buf, GError **error) {
  while (len > 0) {
    size_t want = (size_t)MIN(len, (goffset)TG_SPOOL_BUFFER_BYTES);
    ssize_t r = pread(from, buf, want, (off_t)off);
    if (r < 0 && errno == EINTR)
      continue;
    if (r <= 0) {
      int e = r < 0 ? errno : EIO;
      g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(e),
                  "cannot read the temporary file: %s", g_strerror(e));
      return false;
    }
    if (!write_all(to, buf, (size_t)r, error))
      return false;
    off += r;
    len -= r;
  }
  return true;
}

TgSpool *tg_spool_rewrite(const TgSpool *s, GArray *edits, GError **error) {
  TgSpool *out = spool_empty(error);
  if (!out)
    return NULL;
  int fd = out->fd;
  g_autofree char *buf = g_malloc(TG_SPOOL_BUFFER_BYTES);
  goffset pos = 0;
  for (guint i = 0; i < edits->len; i++) {
    const TgSpoolEdit *e = &g_array_index(edits, TgSpoolEdit, i);
    g_assert((goffset)e->offset >= pos && (goffset)(e->offset + e->len) <= s->size);
    if (!copy_range(s->fd, fd, pos, (goffset)e->offset - pos, buf, error) ||
        !write_all(fd, e->text, strlen(e->text), error)) {
      tg_spool_free(out);
      return NULL;
    }
    pos = (goffset)(e->offset + e->len);
  }
  if (!copy_range(s->fd, fd, pos, s->size - pos, buf, error)) {
    tg_spool_free(out);
    return NULL;
  }
  out->size = lseek(fd, 0, SEEK_END);
  if (!read_header(out, error)) {
    tg_spool_free(out);
    return NULL;
  }
  return out;
}

gssize tg_spool_find_caseless(const char *hay, size_t hay_len, const char *needle) {
  size_t n = strlen(needle);
  if (n == 0 || n > hay_len)
    return -1;
  for (size_t i = 0; i + n <= hay_len; i++)
    if (g_ascii_strncasecmp(hay + i, needle, n) == 0)
      return (gssize)i;
  return -1;
}
