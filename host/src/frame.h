/* frame.h — native-messaging framing: a 4-byte length in native byte order, then that many bytes
 * of UTF-8 JSON. Reading never allocates more than TG_MAX_REQUEST_BYTES; writing never emits a
 * frame over TG_MAX_REPLY_BYTES. */
#ifndef TG_FRAME_H
#define TG_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum {
  TG_FRAME_OK = 0,    /* *data holds *len bytes (NUL-terminated for convenience) */
  TG_FRAME_EOF,       /* clean end of input between frames */
  TG_FRAME_TRUNCATED, /* input ended inside the length prefix or the body */
  TG_FRAME_TOO_LARGE, /* the announced length exceeds the limit; nothing was allocated */
  TG_FRAME_IO_ERROR,  /* read() failed; errno says why */
} TgFrameStatus;

typedef struct {
  int fd;
  uint32_t announced; /* the last length prefix read (for messages) */
  size_t got;         /* bytes of the body (or of the prefix, when in_prefix) before a truncation */
  bool in_prefix;     /* the truncation came inside the length prefix */
} TgFrameReader;

void tg_frame_reader_init(TgFrameReader *r, int fd);
/* Reads one frame of at most `limit` bytes. On TG_FRAME_OK the caller owns *data (g_free). */
TgFrameStatus tg_frame_read(TgFrameReader *r, size_t limit, char **data, size_t *len);

/* Writes one frame; false on a write error (errno set) or when len exceeds `limit`. */
bool tg_frame_write(int fd, const char *data, size_t len, size_t limit);

#endif
