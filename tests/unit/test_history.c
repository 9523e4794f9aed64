/* test_history.c — the learned store (host/src/history.c): learning and reading back, the file
 * format, bounds with eviction of the least useful (use, then recency), recovery from corrupt and truncated files,
 * files of a newer format, concurrent learners (forked processes) and the atomic writer. */
#include <check.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <libpsl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "atomicfile.h"
#include "history.h"
#include "runsuite.h"

static char *scratch_dir(void) {
  char *dir = g_dir_make_tmp("tg-history-XXXXXX", NULL);
  ck_assert(dir != NULL);
  return dir;
}

static char *history_file(const char *dir) {
  return g_build_filename(dir, "history", NULL);
}

static char *read_all(const char *path) {
  char *text = NULL;
  ck_assert_msg(g_file_get_contents(path, &text, NULL, NULL), "cannot read %s", path);
  return text;
}

static void learn(TgHistory *h, gint64 now, const char *a, const char *b) {
  const char *addrs[] = {a, b};
  g_autoptr(GError) err = NULL;
  unsigned n = 0;
  ck_assert_msg(tg_history_learn_at(h, addrs, b ? 2 : 1, now, &n, &err), "%s",
                err ? err->message : "");
}

START_TEST(test_empty) {
  g_autofree char *dir = scratch_dir();
  g_autofree char *sub = g_build_filename(dir, "not", "yet", NULL);
  g_autoptr(TgHistory) h = tg_history_open(sub, NULL);
  ck_assert(h != NULL);
  ck_assert_uint_eq(tg_history_domain_count(h), 0);
  ck_assert_uint_eq(tg_history_address_count(h), 0);
  ck_assert(!g_file_test(sub, G_FILE_TEST_EXISTS)); /* opening never writes */
  g_autofree char *want = history_file(sub);
  ck_assert_str_eq(tg_history_path(h), want);
}
END_TEST

START_TEST(test_learn_roundtrip) {
  g_autofree char *dir = scratch_dir();
  {
    g_autoptr(TgHistory) h = tg_history_open(dir, NULL);
    const char *addrs[] = {"John.Doe@Army.MIL",
                           "jane@army.mil",
                           "john.doe@army.mil",
                           "x@bücher.de",
                           "not-an-address",
                           "@nolocal.com",
                           "tab\there@x.com",
                           "",
                           NULL};
    unsigned n = 0;
    g_autoptr(GError) err = NULL;
    ck_assert(tg_history_learn_at(h, addrs, G_N_ELEMENTS(addrs), 1000, &n, &err));
    ck_assert_uint_eq(n, 3); /* john (twice, once counted), jane, x@bücher.de */
    learn(h, 2000, "john.doe@army.mil", NULL);
  }
  g_autoptr(TgHistory) h = tg_history_open(dir, NULL);
  unsigned count = 0;
  gint64 last = 0;
  ck_assert(tg_history_lookup_address(h, "john.doe@army.mil", &count, &last));
  ck_assert_uint_eq(count, 2);
  ck_assert_int_eq(last, 2000);
  ck_assert(tg_history_lookup_address(h, "JANE@ARMY.MIL", &count, &last));
  ck_assert_uint_eq(count, 1);
  ck_assert_int_eq(last, 1000);
  ck_assert(tg_history_lookup_domain(h, "army.mil", &count, &last));
  ck_assert_uint_eq(count, 2); /* once per message, not per address */
  ck_assert(tg_history_lookup_domain(h, "bücher.de", &count, NULL));
  ck_assert(tg_history_lookup_address(h, "x@xn--bcher-kva.de", NULL, NULL));
  ck_assert_uint_eq(tg_history_domain_count(h), 2);
  ck_assert_uint_eq(tg_history_address_count(h), 3);
  ck_assert_uint_eq(tg_history_dropped(h), 0);
  ck_assert(!tg_history_truncated(h));

  g_autofree char *path = history_file(dir);
  g_autofree char *text = read_all(path);
  ck_assert(g_str_has_prefix(text, "typoguard-history 1\n"));
  ck_assert(strstr(text, "\nd\tarmy.mil\t2\t2000\n") != NULL);
  ck_assert(strstr(text, "\na\tjohn.doe@army.mil\t2\t2000\n") != NULL);
  ck_assert(g_str_has_suffix(text, "\nend\t5\n"));
  GStatBuf st;
  ck_assert(g_stat(path, &st) == 0);
  ck_assert_uint_eq(st.st_mode & 0777, 0600); /* addresses are private */
}
END_TEST

START_TEST(test_apply) {
  g_autofree char *dir = scratch_dir();
  g_autoptr(TgHistory) h = tg_history_open(dir, NULL);
  learn(h, 10, "a@one.example", "b@two.example");
  psl_ctx_t *psl = psl_latest(NULL);
  g_autoptr(TgContext) ctx = tg_context_new(psl);
  size_t before = tg_context_trusted_count(ctx);
  tg_history_apply(h, ctx);
  ck_assert_uint_eq(tg_context_trusted_count(ctx), before + 2);
  psl_free(psl);
}
END_TEST

/* Bounds: the least useful go first (count fading with age, then the least recently used). */
START_TEST(test_eviction) {
  g_autofree char *dir = scratch_dir();
  g_autofree char *path = history_file(dir);
  /* Build a full store directly in the file format (faster than 10,000 learns). */
  GString *s = g_string_new("typoguard-history 1\n");
  for (unsigned i = 0; i < TG_HISTORY_MAX_DOMAINS; i++)
    g_string_append_printf(s, "d\tdom%u.example\t%u\t%u\n", i, i % 3 + 1, 100 + i);
  for (unsigned i = 0; i < TG_HISTORY_MAX_ADDRESSES; i++)
    g_string_append_printf(s, "a\tu%u@dom%u.example\t1\t%u\n", i, i % TG_HISTORY_MAX_DOMAINS,
                           100 + i);
  g_string_append(s, "end\t0\n");
  ck_assert(g_file_set_contents(path, s->str, -1, NULL));
  g_string_free(s, TRUE);

  g_autoptr(TgHistory) h = tg_history_open(dir, NULL);
  ck_assert_uint_eq(tg_history_address_count(h), TG_HISTORY_MAX_ADDRESSES);
  learn(h, 1000000, "new@fresh.example", NULL);
  ck_assert_uint_eq(tg_history_address_count(h), TG_HISTORY_MAX_ADDRESSES);
  ck_assert_uint_eq(tg_history_domain_count(h), TG_HISTORY_MAX_DOMAINS);
  ck_assert(tg_history_lookup_address(h, "new@fresh.example", NULL, NULL));
  ck_assert(tg_history_lookup_domain(h, "fresh.example", NULL, NULL));
  ck_assert(!tg_history_lookup_address(h, "u0@dom0.example", NULL, NULL)); /* oldest gone */
  ck_assert(tg_history_lookup_address(h, "u1@dom1.example", NULL, NULL));
  ck_assert(!tg_history_lookup_domain(h, "dom0.example", NULL, NULL));
  ck_assert(tg_history_lookup_domain(h, "dom1.example", NULL, NULL));
  /* and so it stays after a reopen */
  g_autoptr(TgHistory) again = tg_history_open(dir, NULL);
  ck_assert_uint_eq(tg_history_address_count(again), TG_HISTORY_MAX_ADDRESSES);
  ck_assert(!tg_history_lookup_address(again, "u0@dom0.example", NULL, NULL));
}
END_TEST

/* Damaged files: what parses is kept, the rest is counted, and the next learn writes a clean
 * file and keeps a copy of the damaged one. */
static const struct {
  const char *text;
  unsigned dropped;
  bool truncated;
  unsigned domains, addresses;
} kDamaged[] = {
    /* garbage line in the middle */
    {"typoguard-history 1\nd\ta.example\t1\t5\n\x01\x02garbage\nd\tb.example\t2\t6\nend\t2\n", 1,
     false, 2, 0},
    /* cut in the middle of a record: the last line has no newline */
    {"typoguard-history 1\nd\ta.example\t1\t5\na\tx@a.exam", 1, true, 1, 0},
    /* cut at a line boundary: no end marker */
    {"typoguard-history 1\nd\ta.example\t1\t5\na\tx@a.example\t1\t5\n", 0, true, 1, 1},
    /* header lost, records fine */
    {"typoguard-hist\nd\ta.example\t1\t5\nend\t1\n", 1, false, 1, 0},
    /* bad numbers, bad names, not normalised */
    {"typoguard-history 1\nd\ta.example\tx\t5\nd\tA.EXAMPLE\t1\t5\nd\ta.example\t0\t5\n"
     "a\tnoat\t1\t5\nd\tok.example\t1\t5\nd\tok2.example\t99999999999999\t5\nend\t1\n",
     5, false, 1, 0},
    /* NUL bytes */
    {"typoguard-history 1\nd\ta.ex\0ample\t1\t5\nd\tb.example\t1\t5\nend\t1\n", 1, false, 1, 0},
    /* empty file */
    {"", 0, true, 0, 0},
};

START_TEST(test_corrupt) {
  g_autofree char *dir = scratch_dir();
  g_autofree char *path = history_file(dir);
  size_t len = 0;
  const char *t = kDamaged[_i].text;
  /* the NUL case: measure up to the final end marker */
  len = strlen(t);
  if (_i == 5)
    len = sizeof("typoguard-history 1\nd\ta.ex\0ample\t1\t5\nd\tb.example\t1\t5\nend\t1\n") - 1;
  ck_assert(g_file_set_contents(path, t, (gssize)len, NULL));
  g_autoptr(TgHistory) h = tg_history_open(dir, NULL);
  ck_assert_uint_eq(tg_history_dropped(h), kDamaged[_i].dropped);
  ck_assert_int_eq(tg_history_truncated(h), kDamaged[_i].truncated);
  ck_assert_uint_eq(tg_history_domain_count(h), kDamaged[_i].domains);
  ck_assert_uint_eq(tg_history_address_count(h), kDamaged[_i].addresses);

  learn(h, 100, "new@new.example", NULL);
  ck_assert_uint_eq(tg_history_domain_count(h), kDamaged[_i].domains + 1);
  g_autoptr(TgHistory) clean = tg_history_open(dir, NULL);
  ck_assert_uint_eq(tg_history_dropped(clean), 0);
  ck_assert(!tg_history_truncated(clean));
  ck_assert_uint_eq(tg_history_domain_count(clean), kDamaged[_i].domains + 1);
  g_autofree char *bad = g_build_filename(dir, "history.bad", NULL);
  bool damaged = kDamaged[_i].dropped > 0 || kDamaged[_i].truncated;
  ck_assert_int_eq(g_file_test(bad, G_FILE_TEST_EXISTS), damaged);
}
END_TEST

/* A later format's records are kept, and a newer version is never rewritten. */
START_TEST(test_future_format) {
  g_autofree char *dir = scratch_dir();
  g_autofree char *path = history_file(dir);
  ck_assert(g_file_set_contents(
      path, "typoguard-history 1\nd\ta.example\t1\t5\ng\tx@a.example y@a.example\t3\t5\nend\t2\n",
      -1, NULL));
  g_autoptr(TgHistory) h = tg_history_open(dir, NULL);
  ck_assert_uint_eq(tg_history_dropped(h), 0);
  learn(h, 100, "new@new.example", NULL);
  g_autofree char *text = read_all(path);
  ck_assert(strstr(text, "\ng\tx@a.example y@a.example\t3\t5\n") != NULL);

  ck_assert(
      g_file_set_contents(path, "typoguard-history 2\nd\ta.example\t1\t5\nend\t1\n", -1, NULL));
  g_autoptr(TgHistory) h2 = tg_history_open(dir, NULL);
  ck_assert(tg_history_lookup_domain(h2, "a.example", NULL, NULL));
  const char *addrs[] = {"z@z.example"};
  g_autoptr(GError) err = NULL;
  ck_assert(!tg_history_learn_at(h2, addrs, 1, 200, NULL, &err));
  ck_assert(strstr(err->message, "newer") != NULL);
  g_autofree char *after = read_all(path);
  ck_assert_str_eq(after, "typoguard-history 2\nd\ta.example\t1\t5\nend\t1\n");
}
END_TEST

/* Several processes learning at once: every address survives. */
START_TEST(test_concurrent) {
  g_autofree char *dir = scratch_dir();
  enum { PROCS = 6, EACH = 25 };
  pid_t pids[PROCS];
  for (int p = 0; p < PROCS; p++) {
    pids[p] = fork();
    ck_assert(pids[p] >= 0);
    if (pids[p] == 0) {
      /* each child opens early, so its in-memory copy is stale by the time it writes */
      TgHistory *h = tg_history_open(dir, NULL);
      for (int i = 0; i < EACH; i++) {
        g_autofree char *a = g_strdup_printf("p%d.m%d@host%d.example", p, i, p);
        const char *addrs[] = {a};
        if (!tg_history_learn_at(h, addrs, 1, 10 + i, NULL, NULL))
          _exit(1);
      }
      tg_history_free(h);
      _exit(0);
    }
  }
  for (int p = 0; p < PROCS; p++) {
    int status = 0;
    ck_assert(waitpid(pids[p], &status, 0) == pids[p]);
    ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
  g_autoptr(TgHistory) h = tg_history_open(dir, NULL);
  ck_assert_uint_eq(tg_history_address_count(h), PROCS * EACH);
  ck_assert_uint_eq(tg_history_domain_count(h), PROCS);
  unsigned count = 0;
  ck_assert(tg_history_lookup_domain(h, "host3.example", &count, NULL));
  ck_assert_uint_eq(count, EACH);
}
END_TEST

/* A crash just before the rename leaves the previous file whole; the next learn cleans up. */
START_TEST(test_crash_before_rename) {
  g_autofree char *dir = scratch_dir();
  g_autofree char *path = history_file(dir);
  {
    g_autoptr(TgHistory) h = tg_history_open(dir, NULL);
    learn(h, 10, "old@old.example", NULL);
  }
  g_autofree char *before = read_all(path);
  pid_t pid = fork();
  ck_assert(pid >= 0);
  if (pid == 0) {
    g_setenv("TYPOGUARD_TEST_CRASH", "history-before-rename", TRUE);
    TgHistory *h = tg_history_open(dir, NULL);
    const char *addrs[] = {"new@new.example"};
    (void)tg_history_learn_at(h, addrs, 1, 20, NULL, NULL);
    _exit(0); /* not reached: the hook kills the process */
  }
  int status = 0;
  ck_assert(waitpid(pid, &status, 0) == pid);
  ck_assert(WIFSIGNALED(status));
  g_autofree char *after = read_all(path);
  ck_assert_str_eq(after, before);
  /* the temporary file is there, complete, and is removed by the next learn */
  g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
  int temps = 0;
  const char *name;
  while ((name = g_dir_read_name(d)) != NULL)
    temps += g_str_has_prefix(name, "history.tmp.");
  ck_assert_int_eq(temps, 1);
  g_autoptr(TgHistory) h = tg_history_open(dir, NULL);
  ck_assert_uint_eq(tg_history_dropped(h), 0);
  ck_assert(!tg_history_lookup_address(h, "new@new.example", NULL, NULL));
  learn(h, 30, "third@third.example", NULL);
  g_autoptr(GDir) d2 = g_dir_open(dir, 0, NULL);
  temps = 0;
  while ((name = g_dir_read_name(d2)) != NULL)
    temps += g_str_has_prefix(name, "history.tmp.");
  ck_assert_int_eq(temps, 0);
  ck_assert(tg_history_lookup_address(h, "old@old.example", NULL, NULL));
}
END_TEST

START_TEST(test_probe) {
  g_autofree char *dir = scratch_dir();
  g_autofree char *sub = g_build_filename(dir, "a", "b", NULL);
  g_autoptr(TgHistory) h = tg_history_open(sub, NULL);
  g_autoptr(GError) err = NULL;
  ck_assert(tg_history_probe(h, &err));
  ck_assert(g_file_test(sub, G_FILE_TEST_IS_DIR));
  if (geteuid() != 0) { /* root writes anywhere */
    g_autofree char *ro = g_build_filename(dir, "ro", NULL);
    g_mkdir(ro, 0500);
    g_autoptr(TgHistory) h2 = tg_history_open(ro, NULL);
    g_autoptr(GError) e2 = NULL;
    ck_assert(!tg_history_probe(h2, &e2));
    ck_assert(e2 != NULL);
  }
}
END_TEST

START_TEST(test_atomic_writer) {
  g_autofree char *dir = scratch_dir();
  g_autofree char *path = g_build_filename(dir, "f.json", NULL);
  ck_assert(tg_write_file_atomic(path, "one", 3, 0644, NULL, NULL));
  ck_assert(tg_write_file_atomic(path, "two!", 4, 0644, NULL, NULL));
  g_autofree char *text = read_all(path);
  ck_assert_str_eq(text, "two!");
  GStatBuf st;
  ck_assert(g_stat(path, &st) == 0);
  ck_assert_uint_eq(st.st_mode & 0777, 0644);
  g_autofree char *nodir = g_build_filename(dir, "missing", "f.json", NULL);
  g_autoptr(GError) err = NULL;
  ck_assert(!tg_write_file_atomic(nodir, "x", 1, 0644, NULL, &err));
  ck_assert(err != NULL);
}
END_TEST

static Suite *history_suite(void) {
  Suite *s = suite_create("history");
  TCase *tc = tcase_create("history");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, test_empty);
  tcase_add_test(tc, test_learn_roundtrip);
  tcase_add_test(tc, test_apply);
  tcase_add_test(tc, test_eviction);
  tcase_add_loop_test(tc, test_corrupt, 0, G_N_ELEMENTS(kDamaged));
  tcase_add_test(tc, test_future_format);
  tcase_add_test(tc, test_concurrent);
  tcase_add_test(tc, test_crash_before_rename);
  tcase_add_test(tc, test_probe);
  tcase_add_test(tc, test_atomic_writer);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) {
  return tg_run_suite(history_suite(), NULL, TG_SUITE_SCRATCH);
}
