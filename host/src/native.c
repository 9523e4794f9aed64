/* native.c — native-messaging mode: reads request frames from stdin until end of input and
 * answers each with exactly one frame on stdout, in order.
 *
 * Guarantees: nothing but frames ever reaches the real stdout — fd 1 is pointed at stderr for
 * the whole run, so a stray printf from any library lands in Thunderbird's console instead of
 * corrupting the stream; a length prefix over TG_MAX_REQUEST_BYTES is answered with too_large
 * and the host exits 1 without reading or allocating the body (the stream cannot be
 * resynchronised); a peer that goes away (EPIPE) ends the host quietly. */
#include "native.h"

#include <errno.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "frame.h"
#include "protocol.h"

static bool reply(int out, char *txt, size_t len) {
  bool ok = tg_frame_write(out, txt, len, TG_MAX_REPLY_BYTES);
  if (!ok && errno != EPIPE)
    g_printerr("typoguard: cannot write a reply: %s\n", g_strerror(errno));
  g_free(txt);
  return ok;
}

int tg_native_run(const char *policy_path) {
  /* Keep the real stdout for frames only. */
  fflush(stdout);
  int out = dup(STDOUT_FILENO);
  if (out < 0 || dup2(STDERR_FILENO, STDOUT_FILENO) < 0) {
    g_printerr("typoguard: cannot set up stdout: %s\n", g_strerror(errno));
    return 1;
  }
  signal(SIGPIPE, SIG_IGN);
  /* A long-lived host with an address book in it builds and frees the same few megabytes for
   * every check: keep them in the heap rather than mapping and faulting them in again each time
   * (at 20,000 contacts that was about 10 ms of system time per check). */
#ifdef __GLIBC__
  mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);
  mallopt(M_TRIM_THRESHOLD, 64 * 1024 * 1024);
#endif

  g_autoptr(TgSession) session = tg_session_new(policy_path);
  for (guint i = 0; i < session->warnings->len; i++)
    g_printerr("typoguard: %s\n", (const char *)g_ptr_array_index(session->warnings, i));
  int status = tg_native_serve(session, STDIN_FILENO, out);
  close(out);
  return status;
}

int tg_native_serve(TgSession *session, int in, int out) {
  TgFrameReader reader;
  tg_frame_reader_init(&reader, in);
  int status = 0;
  for (;;) {
    g_autofree char *data = NULL;
    size_t len = 0, rlen = 0;
    TgFrameStatus st = tg_frame_read(&reader, TG_MAX_REQUEST_BYTES, &data, &len);
    if (st == TG_FRAME_EOF)
      break;
    if (st == TG_FRAME_OK) {
      char *txt = tg_session_handle(session, data, len, &rlen);
      if (!reply(out, txt, rlen)) {
        status = 1;
        break;
      }
      continue;
    }
    g_autofree char *msg = NULL;
    const char *code = "bad_json";
    if (st == TG_FRAME_TOO_LARGE) {
      code = "too_large";
      msg = g_strdup_printf("a frame of %u bytes is over the limit of %u bytes; the host stops "
                            "because the stream cannot be resynchronised",
                            reader.announced, TG_MAX_REQUEST_BYTES);
    } else if (st == TG_FRAME_TRUNCATED && reader.in_prefix) {
      msg = g_strdup_printf("the input ended inside a frame's length (%zu of 4 bytes)", reader.got);
    } else if (st == TG_FRAME_TRUNCATED) {
      msg = g_strdup_printf("the input ended inside a frame (%zu of %u bytes)", reader.got,
                            reader.announced);
    } else {
      msg = g_strdup_printf("cannot read the input: %s", g_strerror(errno));
    }
    g_printerr("typoguard: %s\n", msg);
    if (st != TG_FRAME_IO_ERROR) {
      char *txt = tg_protocol_error(NULL, code, msg, &rlen);
      reply(out, txt, rlen);
    }
    status = 1;
    break;
  }
  return status;
}
