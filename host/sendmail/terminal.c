/* terminal.c — the user's terminal and the one-key question (see terminal.h). */
#include "terminal.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

/* A descriptor on a terminal device, or -1. `want_dev` (not 0): only that device, and then (a
 * terminal found through another process) only one the user owns, unless the user is root. */
static int open_checked(const char *path, dev_t want_dev) {
  int fd = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0)
    return -1;
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISCHR(st.st_mode) || !isatty(fd) ||
      (want_dev != 0 && (st.st_rdev != want_dev || (st.st_uid != getuid() && getuid() != 0)))) {
    close(fd);
    return -1;
  }
  /* Blocking from here: the question waits with poll. */
  int flags = fcntl(fd, F_GETFL);
  if (flags >= 0)
    (void)fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
  return fd;
}

/* From /proc/PID/stat: the parent and the controlling terminal's device number. */
static bool proc_stat(pid_t pid, pid_t *ppid, dev_t *tty) {
  g_autofree char *path = g_strdup_printf("/proc/%d/stat", (int)pid);
  g_autofree char *text = NULL;
  if (!g_file_get_contents(path, &text, NULL, NULL))
    return false;
  const char *p = strrchr(text, ')'); /* the command name may hold spaces and parentheses */
  int parent = 0, pgrp = 0, session = 0, tty_nr = 0;
  char state = 0;
  if (!p || sscanf(p + 1, " %c %d %d %d %d", &state, &parent, &pgrp, &session, &tty_nr) != 5)
    return false;
  *ppid = (pid_t)parent;
  *tty = (dev_t)(unsigned)tty_nr;
  return true;
}

/* The process's controlling terminal `tty`, opened through one of its descriptors (any of them:
 * a shell running `cmd < file > log` has moved the terminal off 0, 1 and 2 for the moment). */
static int open_ancestor_tty(pid_t pid, dev_t tty, char **how) {
  g_autofree char *dir_path = g_strdup_printf("/proc/%d/fd", (int)pid);
  g_autoptr(GDir) dir = g_dir_open(dir_path, 0, NULL);
  if (!dir)
    return -1;
  const char *name;
  for (int n = 0; n < TG_TTY_MAX_FDS && (name = g_dir_read_name(dir)) != NULL; n++) {
    g_autofree char *link = g_build_filename(dir_path, name, NULL);
    g_autofree char *target = g_file_read_link(link, NULL);
    if (!target || !g_str_has_prefix(target, "/dev/"))
      continue;
    int fd = open_checked(target, tty);
    if (fd >= 0) {
      *how = g_strdup_printf("%s, the terminal of process %d", target, (int)pid);
      return fd;
    }
  }
  return -1;
}

int tg_tty_open(char **how) {
  const char *env = g_getenv(TG_TTY_ENV);
  if (env && strcmp(env, "none") == 0) {
    *how = g_strdup("no terminal (" TG_TTY_ENV "=none)");
    return -1;
  }
  if (env && *env) {
    int fd = open_checked(env, 0);
    *how =
        fd >= 0 ? g_strdup(env) : g_strdup_printf("%s (" TG_TTY_ENV ") is not your terminal", env);
    return fd;
  }
  int fd = open_checked("/dev/tty", 0);
  if (fd >= 0) {
    *how = g_strdup("/dev/tty");
    return fd;
  }
  pid_t pid = getppid();
  for (int step = 0; step < TG_TTY_MAX_ANCESTORS && pid > 1; step++) {
    pid_t parent = 0;
    dev_t tty = 0;
    if (!proc_stat(pid, &parent, &tty))
      break;
    if (tty != 0 && (fd = open_ancestor_tty(pid, tty, how)) >= 0)
      return fd;
    pid = parent;
  }
  *how = g_strdup("no terminal: /dev/tty cannot be opened and no parent process has one");
  return -1;
}

static void write_crlf(int fd, const char *text) {
  GString *out = g_string_new(NULL);
  for (const char *p = text; *p; p++) {
    if (*p == '\n' && (p == text || p[-1] != '\r'))
      g_string_append_c(out, '\r');
    g_string_append_c(out, *p);
  }
  const char *p = out->str;
  size_t n = out->len;
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w < 0 && errno == EINTR)
      continue;
    if (w <= 0)
      break;
    p += w;
    n -= (size_t)w;
  }
  g_string_free(out, TRUE);
}

void tg_tty_say(int fd, const char *text) {
  write_crlf(fd, text);
}

/* The mode to restore when a signal ends the program during the question. */
static int saved_fd = -1;
static struct termios saved_mode;

static void restore_and_die(int sig) {
  if (saved_fd >= 0)
    (void)tcsetattr(saved_fd, TCSANOW, &saved_mode);
  signal(sig, SIG_DFL);
  raise(sig);
}

char tg_tty_ask(int fd, const char *text, const char *keys, char on_cancel) {
  struct termios mode;
  bool have_mode = tcgetattr(fd, &mode) == 0;
  struct sigaction sa = {.sa_handler = restore_and_die}, old_term, old_hup, old_int;
  if (have_mode) {
    saved_mode = mode;
    saved_fd = fd;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, &old_term);
    sigaction(SIGHUP, &sa, &old_hup);
    sigaction(SIGINT, &sa, &old_int);
    struct termios raw = mode;
    raw.c_lflag &= (tcflag_t) ~(ICANON | ECHO | ISIG | IEXTEN);
    raw.c_iflag &= (tcflag_t) ~(ICRNL | IXON);
    raw.c_cc[VMIN] = 1;
    raw.c_cc[VTIME] = 0;
    (void)tcflush(fd, TCIFLUSH); /* a key typed before the question is no answer to it */
    (void)tcsetattr(fd, TCSANOW, &raw);
  }
  write_crlf(fd, text);
  char answer = on_cancel;
  gint64 deadline = g_get_monotonic_time() + (gint64)TG_TTY_ANSWER_TIMEOUT_MS * 1000;
  for (;;) {
    gint64 left = (deadline - g_get_monotonic_time()) / 1000;
    if (left <= 0)
      break;
    struct pollfd p = {.fd = fd, .events = POLLIN};
    int r = poll(&p, 1, (int)MIN(left, 60000));
    if (r < 0 && errno == EINTR)
      continue;
    if (r < 0)
      break;
    if (r == 0)
      continue;
    unsigned char c = 0;
    ssize_t n = read(fd, &c, 1);
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
      continue;
    if (n <= 0 || c == 0x1b || c == 0x03 || c == 0x04)
      break;
    char lower = g_ascii_tolower((char)c);
    if (lower != '\0' && strchr(keys, lower)) {
      answer = lower;
      break;
    }
    write_crlf(fd, "\a"); /* not one of the keys: ring, and wait for one */
  }
  g_autofree char *echo = g_strdup_printf("%c\n", answer);
  write_crlf(fd, echo);
  if (have_mode) {
    (void)tcsetattr(fd, TCSANOW, &mode);
    sigaction(SIGTERM, &old_term, NULL);
    sigaction(SIGHUP, &old_hup, NULL);
    sigaction(SIGINT, &old_int, NULL);
    saved_fd = -1;
  }
  return answer;
}
