/* bench_coldstart.c — the cold round trip: start the host in native-messaging mode, send
 * `hello` and a `check` of 20 recipients, read both replies, let it exit at end of input; against
 * starting a trivial C program that drains the same input (bench_coldstart_trivial). Thunderbird
 * starts a fresh host for every port, so this is the latency a user pays on Send when no port is
 * open. Runs alternate between the programs (so drifting machine load hits both alike); the
 * wall time of each, fork to reap, is collected and the medians compared. Target: <= 3x.
 *
 *   bench_coldstart --host PATH --trivial PATH [--runs N]     (N >= 30, default 41)
 *
 * Prints one Markdown table row per case and exits 1 when a host reply is missing or wrong (a
 * fast failure is not a fast round trip). The host runs with HOME and XDG folders pointed at an
 * empty temporary folder, so no user settings or history are read.
 *
 * Measured 2026-08-22 on the 2-core development VM (RelWithDebInfo, other builds running):
 * trivial 5.2-9.6 ms; hello + check of 20: 13.1-23.2 ms = 2.4-2.5x; with one IDN recipient,
 * which opens ICU's spoof checker: 21.2-40.1 ms = 4.1-4.2x. */
#include <errno.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define RECIPIENTS 20

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void add_frame(GByteArray *out, const char *json) {
  uint32_t len = (uint32_t)strlen(json); /* native byte order, as the protocol says */
  g_byte_array_append(out, (const guint8 *)&len, sizeof len);
  g_byte_array_append(out, (const guint8 *)json, len);
}

/* hello, then a check of 20 recipients: a realistic mix of clean addresses and slips. With
 * `idn`, one recipient is internationalised, which makes the host open ICU's spoof checker. */
static GByteArray *make_input(bool idn) {
  static const char *const addrs[RECIPIENTS] = {"John Doe <john.doe@army.mil>",
                                                "ops@gmial.com",
                                                "jane@example.org",
                                                "a.b@hotmail.com",
                                                "c@outlook.com",
                                                "d@yahoo.co.uk",
                                                "e@gmx.de",
                                                "f@web.de",
                                                "g@usarmy.mil",
                                                "h@example.com",
                                                "i@icloud.com",
                                                "j@proton.me",
                                                "k@mail.mil",
                                                "l@navy.mil",
                                                "m@army.ml",
                                                "n@gmail.con",
                                                "o@partner-firm.de",
                                                "p@contoso.co.uk",
                                                "q@fabrikam.com",
                                                "r@northwind-traders.com"};
  GString *check = g_string_new("{\"type\":\"check\",\"id\":2,"
                                "\"sender\":\"Jane Roe <jane.roe@mail.mil>\",\"recipients\":[");
  for (int i = 0; i < RECIPIENTS; i++) {
    const char *a = idn && i == 9 ? "s@\xd0\xb0rmy.mil" /* Cyrillic a */ : addrs[i];
    g_string_append_printf(check, "%s{\"field\":\"%s\",\"address\":\"%s\"}", i ? "," : "",
                           i < 14 ? "to" : "cc", a);
  }
  g_string_append(check, "],\"known\":{\"domains\":[\"army.mil\"]}}");
  GByteArray *in = g_byte_array_new();
  add_frame(in, "{\"type\":\"hello\",\"id\":1}");
  add_frame(in, check->str);
  g_string_free(check, TRUE);
  return in;
}

/* Runs argv once with `in` on its stdin; returns the wall time in ms, or -1 on failure. The
 * output is collected into *out when out is not NULL. */
static double run_once(char *const argv[], char *const envp[], const GByteArray *in,
                       GByteArray *out) {
  int to_child[2], from_child[2];
  if (pipe(to_child) != 0 || pipe(from_child) != 0)
    return -1;
  double t0 = now_ms();
  pid_t pid = fork();
  if (pid < 0)
    return -1;
  if (pid == 0) {
    dup2(to_child[0], STDIN_FILENO);
    dup2(from_child[1], STDOUT_FILENO);
    close(to_child[0]);
    close(to_child[1]);
    close(from_child[0]);
    close(from_child[1]);
    execve(argv[0], argv, envp);
    _exit(127);
  }
  close(to_child[0]);
  close(from_child[1]);
  /* The input is small (a few KiB): it fits the pipe, so write it all, then read. */
  size_t done = 0;
  while (done < in->len) {
    ssize_t w = write(to_child[1], in->data + done, in->len - done);
    if (w < 0 && errno == EINTR)
      continue;
    if (w <= 0)
      break;
    done += (size_t)w;
  }
  close(to_child[1]);
  guint8 buf[65536];
  for (;;) {
    ssize_t r = read(from_child[0], buf, sizeof buf);
    if (r < 0 && errno == EINTR)
      continue;
    if (r <= 0)
      break;
    if (out)
      g_byte_array_append(out, buf, (guint)r);
  }
  close(from_child[0]);
  int st = 0;
  while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
    ;
  double t = now_ms() - t0;
  return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? t : -1;
}

/* The host's output must be exactly two frames: a hello reply and a result. */
static bool replies_ok(const GByteArray *out) {
  size_t off = 0;
  int frames = 0;
  bool hello = false, result = false;
  while (off + 4 <= out->len) {
    uint32_t len;
    memcpy(&len, out->data + off, sizeof len);
    off += 4;
    if (off + len > out->len)
      return false;
    g_autofree char *json = g_strndup((const char *)out->data + off, len);
    hello |= frames == 0 && strstr(json, "\"type\":\"hello\"") != NULL;
    result |= frames == 1 && strstr(json, "\"type\":\"result\"") != NULL;
    off += len;
    frames++;
  }
  return off == out->len && frames == 2 && hello && result;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static double median(double *v, size_t n) {
  qsort(v, n, sizeof *v, cmp_double);
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int main(int argc, char **argv) {
  const char *host = NULL, *trivial = NULL;
  size_t runs = 41;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (strcmp(argv[i], "--host") == 0)
      host = argv[i + 1];
    else if (strcmp(argv[i], "--trivial") == 0)
      trivial = argv[i + 1];
    else if (strcmp(argv[i], "--runs") == 0)
      runs = strtoul(argv[i + 1], NULL, 10);
  }
  if (!host || !trivial || runs < 30) {
    fprintf(stderr, "usage: bench_coldstart --host PATH --trivial PATH [--runs N>=30]\n");
    return 64;
  }
  g_autofree char *tmp = g_dir_make_tmp("tg-coldstart-XXXXXX", NULL);
  if (!tmp)
    return 70;
  g_auto(GStrv) env = g_get_environ();
  env = g_environ_setenv(env, "HOME", tmp, TRUE);
  env = g_environ_setenv(env, "XDG_CONFIG_HOME", tmp, TRUE);
  env = g_environ_setenv(env, "XDG_DATA_HOME", tmp, TRUE);
  env = g_environ_unsetenv(env, "TYPOGUARD_POLICY");

  char *host_argv[] = {(char *)host, (char *)"--native", NULL};
  char *trivial_argv[] = {(char *)trivial, NULL};
  GByteArray *in_ascii = make_input(false), *in_idn = make_input(true);
  struct {
    const char *name;
    char **argv;
    GByteArray *in;
    double *t;
  } cases[] = {
      {"trivial C program (drains stdin)", trivial_argv, in_ascii, NULL},
      {"typoguard-host: hello + check of 20", host_argv, in_ascii, NULL},
      {"the same, one IDN recipient (ICU opened)", host_argv, in_idn, NULL},
  };
  for (size_t c = 0; c < G_N_ELEMENTS(cases); c++)
    cases[c].t = g_new(double, runs);
  int status = 0;
  /* One untimed run each warms the page cache, as a machine that has run Thunderbird has. */
  for (size_t r = 0; r <= runs && status == 0; r++) {
    for (size_t c = 0; c < G_N_ELEMENTS(cases); c++) {
      GByteArray *out = g_byte_array_new();
      double t = run_once(cases[c].argv, env, cases[c].in, out);
      if (t < 0 || (c > 0 && !replies_ok(out))) {
        fprintf(stderr, "bench_coldstart: %s failed (%u bytes of output)\n", cases[c].name,
                out->len);
        status = 1;
      }
      g_byte_array_unref(out);
      if (r > 0)
        cases[c].t[r - 1] = t;
    }
  }
  if (status == 0) {
    double base = median(cases[0].t, runs);
    for (size_t c = 0; c < G_N_ELEMENTS(cases); c++) {
      double m = median(cases[c].t, runs);
      printf("| %-42s | %9.2f | %9.2f | %5.2fx |\n", cases[c].name, m, cases[c].t[runs * 9 / 10],
             m / base);
    }
  }
  for (size_t c = 0; c < G_N_ELEMENTS(cases); c++)
    g_free(cases[c].t);
  g_byte_array_unref(in_ascii);
  g_byte_array_unref(in_idn);
  g_rmdir(tmp);
  return status;
}
