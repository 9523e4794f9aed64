/* soak.c — one typoguard-host process answers many mixed requests with flat memory.
 *
 * Sends N pipelined requests (a writer thread keeps the host's stdin full while the main thread
 * reads replies): valid checks with and without sender, address book and policy, hello, learn,
 * huge-ish checks (2,000 recipients), too_many (10,001), and every kind of bad frame (not JSON,
 * not UTF-8, wrong types, unknown type, empty, \u0000 escapes). Checks that every request gets its
 * reply, in order, of the expected type and code with its id, that the host exits 0 at the end
 * of input, and samples VmRSS from /proc/PID/status.
 *
 * The memory bound. RSS is sampled every SAMPLE_EVERY replies. "After warm-up" is the median of
 * the samples in the second tenth of the run (the first tenth holds every kind many times: the
 * lazy ICU load, the largest requests, the learn pool's history and co-recipient tables, malloc's
 * arenas at their working size); "at the end" the median of the last tenth. Medians, because a
 * sample can catch a 10,001-recipient request in flight. Growth after warm-up must stay under
 * GROWTH_BOUND_KIB. Why that number: a steady state allocates and frees
 * the same sizes, so growth is noise from malloc keeping freed chunks (fragmentation), which we
 * measured at well under 1 MiB; while a leak of one finding (~200 bytes) per check would add
 * ~2.6 MiB over the 13,000 checks after warm-up of the quick 20,000-request run, and far more in
 * the full run. 2 MiB separates the two.
 *
 * Usage: soak --learn-flood [LEARNS]      (see learn_flood)
 *        soak [--valgrind] [REQUESTS]   (default 20000, the ctest run; 100000 for the full soak)
 * With --valgrind the host runs under Valgrind's memcheck (a build without sanitizers): the replies
 * are checked as usual, the memory bound is not (Valgrind's own memory), and a memory error or a
 * definite leak fails the run. Prints a summary; exit 0 when all held. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hostproc.h"
#include "json.h"
#include "typoguard.h"

#define WARMUP_SHARE 0.1 /* also the size of the windows compared */
#define SAMPLE_EVERY 200u
#define GROWTH_BOUND_KIB 2048L
#define HUGE_RECIPIENTS 2000u
#define LEARN_POOL 300u
#define SEED 20261129u

typedef enum {
  K_CHECK,   /* a few recipients, nothing else */
  K_CONTEXT, /* sender, known domains and addresses, policy and settings */
  K_HELLO,
  K_LEARN,
  K_BAD_JSON,
  K_BAD_UTF8,
  K_BAD_TYPES,
  K_UNKNOWN,
  K_EMPTY,
  K_NUL, /* an address with a \u0000 escape: judged whole */
  K_HUGE,
  K_TOO_MANY,
  K_COUNT
} Kind;

/* Per mille; sums to 1000. */
static const unsigned kWeights[K_COUNT] = {550, 150, 60, 60, 30, 30, 40, 30, 20, 20, 7, 3};
static const char *const kExpect[K_COUNT][2] = {
    {"result", NULL},         {"result", NULL},          {"hello", NULL},
    {"learned", NULL},        {"error", "bad_json"},     {"error", "bad_json"},
    {"error", "bad_request"}, {"error", "unknown_type"}, {"error", "bad_json"},
    {"result", NULL},         {"result", NULL},          {"error", "too_many"}};

static const char *const kAddresses[] = {"John Doe <john.doe@army.ml>",
                                         "ops@gmial.com",
                                         "someone@gmail.con",
                                         "friend@example.co.uk",
                                         "x@hotmial.com",
                                         "Jane Roe <jane.roe@mail.mil>",
                                         "team@usarmy.mil",
                                         "a@\u0430rmy.mil",
                                         "\"Doe, John\" <jd@navy.mil>",
                                         "bad address",
                                         "Team: a@b.com, c@d.org;",
                                         "<>",
                                         "@@",
                                         "user@outlook.com",
                                         "user@yahoo.co",
                                         "x@gmail.cm",
                                         "first.last@sub.example.de",
                                         "nobody@localhost",
                                         "who@[192.0.2.1]",
                                         "r\u00e9sum\u00e9@exampl\u00e9.fr"};

static Kind pick(GRand *r) {
  guint32 x = (guint32)g_rand_int_range(r, 0, 1000), acc = 0;
  for (int k = 0; k < K_COUNT; k++) {
    acc += kWeights[k];
    if (x < acc)
      return (Kind)k;
  }
  return K_CHECK;
}

static void add_recipients(GString *s, GRand *r, unsigned n) {
  static const char *const fields[] = {"to", "cc", "bcc", "replyTo", "followupTo"};
  g_string_append(s, "\"recipients\":[");
  for (unsigned i = 0; i < n; i++) {
    g_autofree char *addr =
        g_strescape(kAddresses[g_rand_int_range(r, 0, G_N_ELEMENTS(kAddresses))],
                    "\xc3\xa9\xd0\xb0"); /* keep the UTF-8 bytes above */
    g_string_append_printf(s, "%s{\"field\":\"%s\",\"address\":\"%s\"}", i ? "," : "",
                           fields[i % G_N_ELEMENTS(fields)], addr);
  }
  g_string_append(s, "]");
}

/* The request body for request i of kind k (deterministic in i). */
static GString *request(unsigned i, Kind k) {
  g_autoptr(GRand) r = g_rand_new_with_seed(SEED ^ i);
  GString *s = g_string_new(NULL);
  g_autofree char *id = i % 3 ? g_strdup_printf("%u", i) : g_strdup_printf("\"s%u\"", i);
  switch (k) {
  case K_CHECK:
    g_string_append_printf(s, "{\"type\":\"check\",\"id\":%s,", id);
    add_recipients(s, r, (unsigned)g_rand_int_range(r, 1, 6));
    g_string_append(s, "}");
    break;
  case K_CONTEXT:
    g_string_append_printf(
        s,
        "{\"type\":\"check\",\"id\":%s,\"sender\":\"Jane <jane@mail.mil>\","
        "\"known\":{\"domains\":[\"army.mil\",\"d%u.example.com\"],\"addresses\":"
        "[\"John Doe <john.doe@army.mil>\"]},\"policy\":{\"org_domains\":[\"mail.mil\"],"
        "\"blocked_tlds\":[\"zz\"]},\"settings\":{\"first_contact\":\"warn\"},",
        id, i % 50);
    add_recipients(s, r, (unsigned)g_rand_int_range(r, 1, 12));
    g_string_append(s, "}");
    break;
  case K_HELLO:
    g_string_append_printf(s, "{\"type\":\"hello\",\"id\":%s%s}", id,
                           i % 2 ? ",\"policy\":{\"flag_external\":\"warn\"}" : "");
    break;
  case K_LEARN: {
    /* A bounded pool, as a real user's correspondents are: learning must not grow memory. */
    unsigned a = (unsigned)g_rand_int_range(r, 0, LEARN_POOL), b = (a * 7 + 1) % LEARN_POOL;
    g_string_append_printf(
        s,
        "{\"type\":\"learn\",\"id\":%s,\"addresses\":[\"P%u <p%u@c%u.example.com>\","
        "\"p%u@c%u.example.com\"]}",
        id, a, a, a % 40, b, b % 40);
    break;
  }
  case K_BAD_JSON:
    g_string_append_printf(s, "{\"type\":\"check\",\"id\":%s,\"recipients\":[", id);
    break;
  case K_BAD_UTF8:
    g_string_append_printf(s, "{\"type\":\"hello\",\"id\":\"\xff\xfe%u\"}", i);
    break;
  case K_BAD_TYPES:
    g_string_append_printf(s,
                           "{\"type\":\"check\",\"id\":%s,\"recipients\":[{\"field\":\"to\","
                           "\"address\":%u}]}",
                           id, i);
    break;
  case K_UNKNOWN: g_string_append_printf(s, "{\"type\":\"frobnicate\",\"id\":%s}", id); break;
  case K_EMPTY: break;
  case K_NUL:
    g_string_append_printf(s,
                           "{\"type\":\"check\",\"id\":%s,\"recipients\":[{\"field\":\"to\","
                           "\"address\":\"a\\u0000b@army.ml\"}]}",
                           id);
    break;
  case K_HUGE:
    g_string_append_printf(s, "{\"type\":\"check\",\"id\":%s,", id);
    add_recipients(s, r, HUGE_RECIPIENTS);
    g_string_append(s, "}");
    break;
  case K_TOO_MANY:
    g_string_append_printf(s, "{\"type\":\"check\",\"id\":%s,", id);
    add_recipients(s, r, TG_MAX_RECIPIENTS + 1);
    g_string_append(s, "}");
    break;
  case K_COUNT: g_assert_not_reached();
  }
  return s;
}

/* Whether reply i must carry the id (the bad frames are answered with null). */
static bool echoes_id(Kind k) {
  return k != K_BAD_JSON && k != K_BAD_UTF8 && k != K_EMPTY;
}

typedef struct {
  HostProc *p;
  const guint8 *kinds;
  unsigned n;
  int error; /* errno of a failed write */
} Writer;

static gpointer writer(gpointer data) {
  Writer *w = data;
  GByteArray *buf = g_byte_array_new();
  for (unsigned i = 0; i < w->n; i++) {
    g_autoptr(GString) body = request(i, (Kind)w->kinds[i]);
    uint32_t len = (uint32_t)body->len;
    g_byte_array_append(buf, (const guint8 *)&len, sizeof len);
    g_byte_array_append(buf, (const guint8 *)body->str, len);
    /* Write in batches of ~64 KiB so that requests are pipelined, not sent one by one. */
    if (buf->len < 65536 && i + 1 < w->n)
      continue;
    size_t done = 0;
    while (done < buf->len) {
      ssize_t k = write(w->p->in, buf->data + done, buf->len - done);
      if (k < 0 && errno == EINTR)
        continue;
      if (k <= 0) {
        w->error = errno;
        g_byte_array_unref(buf);
        return NULL;
      }
      done += (size_t)k;
    }
    g_byte_array_set_size(buf, 0);
  }
  g_byte_array_unref(buf);
  close(w->p->in);
  w->p->in = -1;
  return NULL;
}

static const char *str(const cJSON *o, const char *k) {
  return json_str(o, k);
}

static gint cmp_long(gconstpointer a, gconstpointer b) {
  long x = *(const long *)a, y = *(const long *)b;
  return x < y ? -1 : x > y;
}

/* The median of `len` samples from `start`. */
static long median(GArray *samples, guint start, guint len) {
  g_autoptr(GArray) w = g_array_sized_new(FALSE, FALSE, sizeof(long), len);
  g_array_append_vals(w, &g_array_index(samples, long, start), len);
  g_array_sort(w, cmp_long);
  return g_array_index(w, long, len / 2);
}

static bool check_reply(unsigned i, Kind k, const char *body, uint32_t len) {
  g_autoptr(cJSON) r = cJSON_ParseWithLength(body, len);
  if (!cJSON_IsObject(r)) {
    fprintf(stderr, "soak: reply %u is not a JSON object\n", i);
    return false;
  }
  const char *type = str(r, "type"), *code = str(r, "code");
  if (g_strcmp0(type, kExpect[k][0]) != 0 ||
      (kExpect[k][1] && g_strcmp0(code, kExpect[k][1]) != 0)) {
    fprintf(stderr, "soak: reply %u (kind %d) is %s/%s (%s), expected %s/%s\n", i, k, type, code,
            str(r, "message"), kExpect[k][0], kExpect[k][1] ? kExpect[k][1] : "-");
    return false;
  }
  const cJSON *id = cJSON_GetObjectItemCaseSensitive(r, "id");
  bool ok = true;
  if (echoes_id(k)) {
    if (i % 3)
      ok = cJSON_IsNumber(id) && id->valuedouble == (double)i;
    else
      ok = cJSON_IsString(id) && id->valuestring[0] == 's' &&
           strtoul(id->valuestring + 1, NULL, 10) == i;
  } else {
    ok = cJSON_IsNull(id);
  }
  if (!ok)
    fprintf(stderr, "soak: reply %u carries the wrong id\n", i);
  return ok;
}

/* --learn-flood: learns of 10,000 new addresses on 2,000 new domains, one after another. The
 * context keeps at most TG_CONTEXT_MAX_HISTORY_* of them (the file far fewer), so once those are
 * full (10 learns for addresses, 25 for domains) memory must stop growing: RSS after learn
 * FLOOD_STEADY and at the end may differ by GROWTH_BOUND_KIB at most. */
#define FLOOD_ADDRESSES 10000u
#define FLOOD_DOMAINS 2000u
#define FLOOD_STEADY 30u

static int learn_flood(unsigned learns) {
  g_autoptr(HostEnv) e = host_env_new();
  static const char *const native[] = {"--native", NULL};
  HostProc p = host_start(e, native);
  long rss_steady = -1, rss_end = -1;
  bool ok = true;
  gint64 t0 = g_get_monotonic_time();
  for (unsigned r = 0; r < learns && ok; r++) {
    GString *s = g_string_new(NULL);
    g_string_append_printf(s, "{\"type\":\"learn\",\"id\":%u,\"addresses\":[", r);
    for (unsigned i = 0; i < FLOOD_ADDRESSES; i++)
      g_string_append_printf(s, "%s\"u%u.%u@d%u-%u.example.com\"", i ? "," : "", r, i, r,
                             i % FLOOD_DOMAINS);
    g_string_append(s, "]}");
    uint32_t len = (uint32_t)s->len;
    ok = write(p.in, &len, 4) == 4 && write(p.in, s->str, len) == (ssize_t)len;
    g_string_free(s, TRUE);
    uint32_t n = 0;
    char buf[4096];
    ok = ok && read(p.out, &n, 4) == 4 && n < sizeof buf && read(p.out, buf, n) == (ssize_t)n;
    if (ok) {
      g_autoptr(cJSON) reply = cJSON_ParseWithLength(buf, n);
      ok = g_strcmp0(json_str(reply, "type"), "learned") == 0;
      if (!ok)
        fprintf(stderr, "soak: learn %u: %.*s\n", r, (int)n, buf);
    }
    if (r + 1 == FLOOD_STEADY)
      rss_steady = host_rss_kib(p.pid);
    if (r + 1 == learns)
      rss_end = host_rss_kib(p.pid);
  }
  close(p.in);
  close(p.out);
  close(p.err);
  bool timed_out = false;
  int st = host_wait(p.pid, 60, &timed_out);
  ok = ok && !timed_out && WIFEXITED(st) && WEXITSTATUS(st) == 0;
  long growth = rss_end - rss_steady;
  printf("soak: %u learns of %u new addresses in %.1f s; VmRSS after %u learns %ld KiB, after %u "
         "%ld KiB; growth %ld KiB (bound %ld KiB)\n",
         learns, FLOOD_ADDRESSES, (double)(g_get_monotonic_time() - t0) / 1e6, FLOOD_STEADY,
         rss_steady, learns, rss_end, growth, GROWTH_BOUND_KIB);
  if (rss_steady < 0 || rss_end < 0 || growth > GROWTH_BOUND_KIB)
    ok = false;
  return ok ? 0 : 1;
}

int main(int argc, char **argv) {
  if (argc > 1 && strcmp(argv[1], "--learn-flood") == 0) {
    signal(SIGPIPE, SIG_IGN);
    if (g_file_test("/dev/shm", G_FILE_TEST_IS_DIR))
      g_setenv("TMPDIR", "/dev/shm", TRUE);
    unsigned learns = argc > 2 ? (unsigned)strtoul(argv[2], NULL, 10) : 45u;
    return learn_flood(MAX(learns, FLOOD_STEADY + 1));
  }
  bool valgrind = argc > 1 && strcmp(argv[1], "--valgrind") == 0;
  if (valgrind) {
    argc--;
    argv++;
  }
  unsigned n = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 10) : 20000u;
  if (n < 1000) {
    fprintf(stderr, "usage: soak [--valgrind] [REQUESTS >= 1000]\n");
    return 64;
  }
  signal(SIGPIPE, SIG_IGN);
  /* Learns fsync the history: in memory, the run measures the host, not the disk. */
  if (g_file_test("/dev/shm", G_FILE_TEST_IS_DIR))
    g_setenv("TMPDIR", "/dev/shm", TRUE);

  g_autofree guint8 *kinds = g_new(guint8, n);
  g_autoptr(GRand) r = g_rand_new_with_seed(SEED);
  unsigned per_kind[K_COUNT] = {0};
  for (unsigned i = 0; i < n; i++) {
    kinds[i] = (guint8)pick(r);
    per_kind[kinds[i]]++;
  }

  g_autoptr(HostEnv) e = host_env_new();
  /* Under Valgrind (not an ASan build): any memory error or definite leak makes the host exit 99.
   * The suppressions file says why each entry is there. */
  static const char *const vg[] = {"valgrind",
                                   "-q",
                                   "--error-exitcode=99",
                                   "--leak-check=full",
                                   "--show-leak-kinds=definite",
                                   "--errors-for-leak-kinds=definite",
                                   "--suppressions=" TG_VALGRIND_SUPP,
                                   NULL};
  if (valgrind)
    e->wrapper = vg;
  static const char *const native[] = {"--native", NULL};
  gint64 t0 = g_get_monotonic_time();
  HostProc p = host_start(e, native);
  Writer w = {.p = &p, .kinds = kinds, .n = n};
  GThread *t = g_thread_new("soak-writer", writer, &w);

  GByteArray *out = g_byte_array_new();
  GString *err = g_string_new(NULL);
  unsigned got = 0;
  g_autoptr(GArray) samples = g_array_new(FALSE, FALSE, sizeof(long)); /* one per SAMPLE_EVERY */
  long rss_first = -1;
  bool ok = true;
  while (p.out >= 0) {
    struct pollfd fds[2] = {{p.out, POLLIN, 0}, {p.err, POLLIN, 0}};
    if (poll(fds, p.err >= 0 ? 2 : 1, 120000) <= 0) {
      fprintf(stderr, "soak: no reply for 2 minutes after %u replies\n", got);
      ok = false;
      break;
    }
    guint8 buf[65536];
    if (p.err >= 0 && (fds[1].revents & (POLLIN | POLLHUP))) {
      ssize_t k = read(p.err, buf, sizeof buf);
      if (k > 0)
        g_string_append_len(err, (const char *)buf, k);
      else {
        close(p.err);
        p.err = -1;
      }
    }
    if (!(fds[0].revents & (POLLIN | POLLHUP)))
      continue;
    ssize_t k = read(p.out, buf, sizeof buf);
    if (k <= 0) {
      close(p.out);
      p.out = -1;
      break;
    }
    g_byte_array_append(out, buf, (guint)k);
    size_t off = 0;
    while (out->len - off >= 4) {
      uint32_t len;
      memcpy(&len, out->data + off, 4);
      if (len > TG_MAX_REPLY_BYTES) {
        fprintf(stderr, "soak: reply %u announces %u bytes\n", got, len);
        ok = false;
        break;
      }
      if (out->len - off - 4 < len)
        break;
      if (got >= n) {
        fprintf(stderr, "soak: more replies than requests\n");
        ok = false;
      } else if (!check_reply(got, (Kind)kinds[got], (const char *)out->data + off + 4, len)) {
        ok = false;
      }
      off += 4 + len;
      got++;
      if (got == 1)
        rss_first = host_rss_kib(p.pid);
      if (got % SAMPLE_EVERY == 0 && got < n) { /* not after the last: the host is exiting */
        long rss = host_rss_kib(p.pid);
        g_array_append_val(samples, rss);
      }
    }
    g_byte_array_remove_range(out, 0, (guint)off);
    if (!ok)
      break;
  }
  g_thread_join(t);
  if (p.out >= 0)
    close(p.out);
  while (p.err >= 0) {
    char buf[4096];
    ssize_t k = read(p.err, buf, sizeof buf);
    if (k <= 0) {
      close(p.err);
      p.err = -1;
    } else {
      g_string_append_len(err, buf, k);
    }
  }
  bool timed_out = false;
  int st = host_wait(p.pid, valgrind ? 300 : 60, &timed_out);
  double secs = (double)(g_get_monotonic_time() - t0) / 1e6;

  if (w.error) {
    fprintf(stderr, "soak: writing requests failed: %s\n", g_strerror(w.error));
    ok = false;
  }
  if (got != n) {
    fprintf(stderr, "soak: %u replies to %u requests\n", got, n);
    ok = false;
  }
  if (timed_out || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
    fprintf(stderr, "soak: the host ended with %s %d%s\n", WIFSIGNALED(st) ? "signal" : "status",
            WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st),
            timed_out                           ? " (hung)"
            : valgrind && WEXITSTATUS(st) == 99 ? " (Valgrind found errors)"
                                                : "");
    ok = false;
  }
  /* A sample may catch a huge request in flight: compare medians of windows, not points. */
  guint per_window = MAX(1u, (guint)(samples->len * WARMUP_SHARE));
  long rss_warm = samples->len >= 3 * per_window ? median(samples, per_window, per_window) : -1;
  long rss_end =
      samples->len >= 3 * per_window ? median(samples, samples->len - per_window, per_window) : -1;
  long rss_max = 0;
  for (guint i = 0; i < samples->len; i++)
    rss_max = MAX(rss_max, g_array_index(samples, long, i));
  long growth = rss_end - rss_warm;
  printf(
      "soak: %u requests in %.1f s (%.0f/s): checks %u (+%u with context, %u with %u recipients), "
      "hello %u, learn %u, errors %u\n",
      n, secs, n / secs, per_kind[K_CHECK] + per_kind[K_NUL], per_kind[K_CONTEXT], per_kind[K_HUGE],
      HUGE_RECIPIENTS, per_kind[K_HELLO], per_kind[K_LEARN],
      per_kind[K_BAD_JSON] + per_kind[K_BAD_UTF8] + per_kind[K_BAD_TYPES] + per_kind[K_UNKNOWN] +
          per_kind[K_EMPTY] + per_kind[K_TOO_MANY]);
  printf(
      "soak: VmRSS at the first reply %ld KiB, after warm-up %ld KiB, at the end %ld KiB (medians "
      "of %u samples, one every %u replies), max %ld KiB; growth after warm-up %ld KiB (bound "
      "%ld KiB)\n",
      rss_first, rss_warm, rss_end, per_window, SAMPLE_EVERY, rss_max, growth, GROWTH_BOUND_KIB);
  if (valgrind)
    printf("soak: under Valgrind: %s\n", ok ? "no memory errors, no definite leaks" : "FAILED");
  else if (rss_warm < 0 || rss_end < 0 || growth > GROWTH_BOUND_KIB) {
    fprintf(stderr, "soak: memory grew by %ld KiB after warm-up (bound %ld KiB)\n", growth,
            GROWTH_BOUND_KIB);
    ok = false;
  }
  if (err->len)
    fprintf(stderr, "soak: host stderr:\n%s", err->str);
  g_byte_array_unref(out);
  g_string_free(err, TRUE);
  return ok ? 0 : 1;
}
