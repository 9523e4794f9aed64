/* files.h — how the host opens and reads the files it is pointed at (settings, lists, history).
 *
 * Guarantees: only regular files are read — a FIFO, a device (/dev/zero), a socket or a folder
 * is refused with an error naming what it is, and opening never blocks (O_NONBLOCK); with
 * `nofollow` a symbolic link is refused too (O_NOFOLLOW), for names in a folder where someone
 * else could plant one; nothing is read beyond the caller's limit — a whole file is refused when
 * its size is over it, and a line reader never holds more than its longest accepted line. */
#ifndef TG_FILES_H
#define TG_FILES_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>

/* Opens `path` for reading when it is a regular file. Returns the descriptor, or -1 with `error`
 * (G_FILE_ERROR; G_FILE_ERROR_NOENT when the file does not exist). */
int tg_file_open_regular(const char *path, bool nofollow, GError **error);

/* Reads a whole regular file of at most `max_bytes` (NUL-terminated; *len excludes the NUL). A
 * bigger file is an error (G_FILE_ERROR_FAILED, "larger than") and is not read. */
bool tg_file_read_bounded(const char *path, bool nofollow, size_t max_bytes, char **text,
                          size_t *len, GError **error);

/* Reads lines of at most `max_line` bytes from a descriptor, with a buffer of about that size: a
 * longer line is reported as overlong (its text cut) and skipped without being held. */
typedef struct {
  int fd;
  char *buf;
  size_t cap, start, end, max_line;
  bool eof;
  bool skipping; /* inside an overlong line, discarding up to its newline */
  int read_errno;
} TgLineReader;

void tg_lines_init(TgLineReader *r, int fd, size_t max_line);
/* The next line, without its newline (not NUL-terminated when overlong; otherwise the byte after
 * it is set to NUL). *newline is false for a last line that ended without one. Returns false at
 * the end of the input or on a read error (then r->read_errno is set). */
bool tg_lines_next(TgLineReader *r, char **line, size_t *len, bool *overlong, bool *newline);
/* Frees the buffer; does not close the descriptor. */
void tg_lines_clear(TgLineReader *r);

#endif
