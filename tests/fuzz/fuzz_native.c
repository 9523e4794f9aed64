/* fuzz_native.c — libFuzzer target for native-messaging mode: bytes on stdin in, frames out.
 *
 * Owns the protocol properties DESIGN.md promises for any input, checked on what the host's own
 * frame loop (tg_native_serve, the code `--native` runs) writes for the fuzzed stdin:
 *   - stdout is exactly a sequence of frames, each a JSON object of at most TG_MAX_REPLY_BYTES
 *     with a known `type`;
 *   - one reply per complete request frame, in order, plus one error for a trailing truncated or
 *     oversized frame, after which the loop stops with status 1 (0 after a clean end of input);
 *   - a reply carries the request's `id` whenever the request had a valid one (a string of at
 *     most TG_MAX_ID_BYTES or a finite number), else null;
 *   - errors have a documented code and a message; a book reply has a version (or null) and a
 *     count within TG_MAX_BOOK_ENTRIES; results have a verdict equal to their most
 *     severe finding (unless truncated) and findings that point at real recipients.
 *
 * Input: the first byte chooses the shape. Even: the remaining bytes are stdin as they are (the
 * fuzzer must find the length prefixes itself). Odd: the rest is split at FRAME_SEP and each piece
 * is framed with its true length, so mutations go into the JSON; bit 1 then cuts the last frame
 * short. Seeds: tests/fuzz/seeds.py. Each input runs against freshly loaded settings, context and
 * history (tg_session_reset) in a scratch HOME whose history is emptied first, so a run depends on
 * its input only (learn still writes). */
#include "fuzz_common.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include "json.h"
#include "native.h"
#include "protocol.h"
#include "typoguard.h"

#define FRAME_SEP "\n--frame--\n"

static int memfd_with(const void *data, size_t len) {
  int fd = memfd_create("tg-fuzz", MFD_CLOEXEC);
  REQUIRE(fd >= 0);
  size_t done = 0;
  while (done < len) {
    ssize_t k = write(fd, (const char *)data + done, len - done);
    REQUIRE(k > 0);
    done += (size_t)k;
  }
  REQUIRE(lseek(fd, 0, SEEK_SET) == 0);
  return fd;
}

static GByteArray *read_all(int fd) {
  GByteArray *out = g_byte_array_new();
  REQUIRE(lseek(fd, 0, SEEK_SET) == 0);
  guint8 buf[65536];
  ssize_t k;
  while ((k = read(fd, buf, sizeof buf)) > 0)
    g_byte_array_append(out, buf, (guint)k);
  REQUIRE(k == 0);
  return out;
}

static void frame_append(GByteArray *buf, const guint8 *body, size_t len) {
  uint32_t n = (uint32_t)len;
  g_byte_array_append(buf, (const guint8 *)&n, sizeof n);
  g_byte_array_append(buf, body, (guint)len);
}

/* What the reply to one request frame must carry: its id, or nothing to check. */
typedef struct {
  cJSON *id;      /* expected id (a copy), or NULL for "null" */
  bool check_id;  /* false when the frame holds a \u0000 escape (the host rewrites those) */
  int recipients; /* number of recipients of a well-formed check request, or -1 */
} Expect;

static void expect_clear(gpointer p) {
  Expect *e = p;
  if (e->id)
    cJSON_Delete(e->id);
}

/* The id rules of protocol.c, restated from DESIGN.md rather than copied. */
static Expect expect_for(const char *body, size_t len) {
  Expect e = {.id = NULL, .check_id = true, .recipients = -1};
  if (len == 0 || !g_utf8_validate_len(body, len, NULL))
    return e;
  for (size_t i = 0; i + 6 <= len; i++) {
    if (body[i] == '\\' && g_ascii_strncasecmp(body + i, "\\u0000", 6) == 0) {
      e.check_id = false;
      return e;
    }
    if (body[i] == '\\')
      i++;
  }
  const char *end = NULL;
  g_autoptr(cJSON) root = cJSON_ParseWithLengthOpts(body, len, &end, false);
  if (!root || !cJSON_IsObject(root))
    return e;
  for (; (size_t)(end - body) < len; end++)
    if (!g_ascii_isspace(*end))
      return e;
  const cJSON *id = cJSON_GetObjectItemCaseSensitive(root, "id");
  if ((cJSON_IsNumber(id) && isfinite(id->valuedouble)) ||
      (cJSON_IsString(id) && strlen(id->valuestring) <= TG_MAX_ID_BYTES))
    e.id = cJSON_Duplicate(id, false);
  const cJSON *rc = cJSON_GetObjectItemCaseSensitive(root, "recipients");
  if (cJSON_IsArray(rc))
    e.recipients = cJSON_GetArraySize(rc);
  return e;
}

static bool same_id(const cJSON *want, const cJSON *got) {
  if (!want)
    return cJSON_IsNull(got);
  if (cJSON_IsString(want))
    return cJSON_IsString(got) && strcmp(want->valuestring, got->valuestring) == 0;
  return cJSON_IsNumber(got) && want->valuedouble == got->valuedouble;
}

static const char *str_member(const cJSON *o, const char *k) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
  return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int severity_rank(const char *s) {
  static const char *const names[] = {"ok", "info", "warn", "block"};
  for (int i = 0; s && i < 4; i++)
    if (strcmp(s, names[i]) == 0)
      return i;
  return -1;
}

static void check_result(const cJSON *r, const Expect *e) {
  int verdict = severity_rank(str_member(r, "verdict"));
  REQUIRE(verdict >= 0);
  const cJSON *trunc = cJSON_GetObjectItemCaseSensitive(r, "truncated");
  REQUIRE(cJSON_IsBool(trunc));
  REQUIRE(cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(r, "elapsed_us")));
  const cJSON *findings = cJSON_GetObjectItemCaseSensitive(r, "findings");
  REQUIRE(cJSON_IsArray(findings));
  int worst = 0;
  const cJSON *f;
  cJSON_ArrayForEach(f, findings) {
    REQUIRE(cJSON_IsObject(f));
    const cJSON *rec = cJSON_GetObjectItemCaseSensitive(f, "recipient");
    REQUIRE(cJSON_IsNumber(rec) && rec->valuedouble >= 0);
    if (e->recipients >= 0)
      REQUIRE(rec->valuedouble < e->recipients);
    int sev = severity_rank(str_member(f, "severity"));
    REQUIRE(sev >= 0);
    worst = MAX(worst, sev);
    REQUIRE(str_member(f, "code") && str_member(f, "field") && str_member(f, "message"));
    REQUIRE(str_member(f, "message")[0] != '\0');
    const cJSON *conf = cJSON_GetObjectItemCaseSensitive(f, "confidence");
    REQUIRE(cJSON_IsNumber(conf) && conf->valuedouble >= 0 && conf->valuedouble <= 1);
  }
  if (cJSON_IsFalse(trunc))
    REQUIRE_MSG(worst == verdict, "verdict %d, worst finding %d", verdict, worst);
  else
    REQUIRE(worst <= verdict);
}

static void check_reply(const cJSON *r, const Expect *e) {
  REQUIRE(cJSON_IsObject(r));
  const char *type = str_member(r, "type");
  REQUIRE(type != NULL);
  const cJSON *id = cJSON_GetObjectItemCaseSensitive(r, "id");
  REQUIRE(id != NULL);
  if (e->check_id)
    REQUIRE_MSG(same_id(e->id, id), "reply %s has the wrong id", type);
  if (strcmp(type, "error") == 0) {
    static const char *const codes[] = {"bad_json",  "bad_request", "unknown_type",
                                        "too_large", "too_many",    "internal"};
    const char *code = str_member(r, "code");
    bool known = false;
    for (size_t i = 0; code && i < G_N_ELEMENTS(codes); i++)
      known = known || strcmp(code, codes[i]) == 0;
    REQUIRE(known);
    REQUIRE(str_member(r, "message") && str_member(r, "message")[0] != '\0');
  } else if (strcmp(type, "result") == 0) {
    check_result(r, e);
  } else if (strcmp(type, "hello") == 0) {
    REQUIRE(cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(r, "policy")));
  } else if (strcmp(type, "book") == 0) {
    const cJSON *version = cJSON_GetObjectItemCaseSensitive(r, "version");
    REQUIRE(cJSON_IsString(version) || cJSON_IsNull(version));
    const cJSON *count = cJSON_GetObjectItemCaseSensitive(r, "count");
    REQUIRE(cJSON_IsNumber(count) && count->valuedouble >= 0 &&
            count->valuedouble <= TG_MAX_BOOK_ENTRIES);
  } else {
    REQUIRE(strcmp(type, "learned") == 0);
    REQUIRE(cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(r, "count")));
  }
}

static void reset_history(void) {
  g_autofree char *hist = g_build_filename(g_getenv("XDG_DATA_HOME"), "typoguard", "history", NULL);
  g_remove(hist);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fuzz_scratch();
  fuzz_quiet();
  signal(SIGPIPE, SIG_IGN);
  if (size == 0)
    return 0;
  const guint8 mode = data[0];
  data++;
  size--;

  /* Build stdin, and note each complete frame's body to know what its reply must carry. */
  g_autoptr(GByteArray) in = g_byte_array_new();
  if (mode & 1) {
    const char *p = (const char *)data, *end = p + size;
    while (p <= end) {
      const char *sep = g_strstr_len(p, end - p, FRAME_SEP);
      const char *stop = sep ? sep : end;
      size_t len = (size_t)(stop - p);
      if (!sep && (mode & 2) && len > 0) { /* cut the last frame short */
        uint32_t n = (uint32_t)len + 1 + (mode >> 2);
        g_byte_array_append(in, (const guint8 *)&n, sizeof n);
        g_byte_array_append(in, (const guint8 *)p, (guint)len);
      } else {
        frame_append(in, (const guint8 *)p, len);
      }
      if (!sep)
        break;
      p = sep + strlen(FRAME_SEP);
    }
  } else {
    g_byte_array_append(in, data, (guint)size);
  }

  g_autoptr(GArray) expects = g_array_new(FALSE, TRUE, sizeof(Expect));
  g_array_set_clear_func(expects, expect_clear);
  bool fatal = false; /* the stream ends in a truncated or oversized frame */
  for (size_t off = 0; off < in->len;) {
    uint32_t n;
    if (in->len - off < sizeof n) {
      fatal = true;
      break;
    }
    memcpy(&n, in->data + off, sizeof n);
    off += sizeof n;
    if (n > TG_MAX_REQUEST_BYTES || n > in->len - off) {
      fatal = true;
      break;
    }
    Expect e = expect_for((const char *)in->data + off, n);
    g_array_append_val(expects, e);
    off += n;
  }

  /* One session for the process (loading the public suffix list is the slow part), its
   * settings, context and history reloaded for each input, so a run depends on its input only. */
  static TgSession *session;
  reset_history();
  if (!session) {
    session = tg_session_new(NULL);
  } else {
    g_ptr_array_set_size(session->warnings, 0);
    tg_session_reset(session, NULL);
  }
  int in_fd = memfd_with(in->data, in->len);
  int out_fd = memfd_create("tg-fuzz-out", MFD_CLOEXEC);
  REQUIRE(out_fd >= 0);
  int status = tg_native_serve(session, in_fd, out_fd);
  g_autoptr(GByteArray) out = read_all(out_fd);
  close(in_fd);
  close(out_fd);

  REQUIRE_MSG(status == (fatal ? 1 : 0), "exit status %d", status);
  guint replies = 0;
  for (size_t off = 0; off < out->len; replies++) {
    uint32_t n;
    REQUIRE(out->len - off >= sizeof n);
    memcpy(&n, out->data + off, sizeof n);
    off += sizeof n;
    REQUIRE(n <= TG_MAX_REPLY_BYTES && n <= out->len - off);
    const char *body = (const char *)out->data + off;
    REQUIRE(g_utf8_validate_len(body, n, NULL));
    const char *end = NULL;
    g_autoptr(cJSON) r = cJSON_ParseWithLengthOpts(body, n, &end, false);
    REQUIRE_MSG(r != NULL && end == body + n, "reply %u is not one JSON value", replies);
    Expect none = {.id = NULL, .check_id = true, .recipients = -1};
    const Expect *e = replies < expects->len ? &g_array_index(expects, Expect, replies) : &none;
    check_reply(r, e);
    if (replies >= expects->len) /* the framing error */
      REQUIRE(strcmp(str_member(r, "type"), "error") == 0);
    off += n;
  }
  REQUIRE_MSG(replies == expects->len + (fatal ? 1u : 0u), "%u replies to %u frames%s", replies,
              expects->len, fatal ? " and a broken one" : "");
  return 0;
}
