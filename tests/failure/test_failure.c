/* test_failure.c — the host when the world fails around it (DESIGN.md, "Reliability rules"),
 * through the built program only: frames in, frames, stderr and exit status out, files on disk.
 *
 * Each case: a clear message (an `internal` error reply naming the problem, or a warning on
 * stderr), the host keeps serving, and no data is lost:
 *   - a full disk, and a read-only history folder, when learning: error `internal`, history file
 *     byte for byte as before, no temporary file left, the host still answers and still trusts
 *     what it had learned; and it learns again once the disk has room;
 *   - a history file the host cannot read: learning must not replace it with a new one;
 *   - a policy file the host cannot read (a folder in its place, or no permission): a warning
 *     naming it, and the defaults;
 *   - a missing, unreadable or bogus public suffix list ($TYPOGUARD_PSL_FILE): a warning, and the
 *     system's list in its place, so TLDs are still checked;
 *   - the client going away in the middle of a big reply: the host exits by itself, status 1, no
 *     crash signal, no hang;
 *   - input that ends inside a frame (in its length or its body): an error saying where, status 1;
 *   - SIGTERM in the middle of many learns, a few dozen times: the history is always a whole old
 *     or a whole new file, and nothing learned before is lost.
 *
 * Full disk and read-only folders need a private mount namespace with a small tmpfs (we normally
 * run as root: unshare(CLONE_NEWNS)); without it (a chroot, where "/" is no mount point, or a
 * container) the full disk becomes a file size limit (RLIMIT_FSIZE, EFBIG) and the read-only
 * folder a folder the host cannot write by its permissions. Permissions bind root only without
 * CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH, so as root the host runs without them
 * (host_bind_to_permissions). Each Check test runs in its own forked process (CK_FORK), so a
 * namespace ends with its test.
 *
 * Two ctest entries: `test_failure` runs the cases whose fault can always be made here;
 * `test_failure permissions` runs those that need a host bound by file permissions. That one
 * first proves it can make the fault (a file the host's process cannot read, a folder it cannot
 * write) and, where it cannot, says why and exits 77: ctest reports it skipped, never passed. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "history.h"
#include "hostproc.h"
#include "typoguard.h"
#include "runsuite.h"

static const char *const NATIVE[] = {"--native", NULL};
#define TIMEOUT_S 60.0

/* ---- helpers ---------------------------------------------------------------------------- */

/* A private mount namespace with a tmpfs of `size` on `dir`; false without the privilege. */
static bool private_tmpfs(const char *dir, const char *size) {
  if (unshare(CLONE_NEWNS) != 0)
    return false;
  if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0)
    return false;
  g_autofree char *opts = g_strdup_printf("size=%s,mode=0755", size);
  return mount("tgtest", dir, "tmpfs", 0, opts) == 0;
}

/* Fills the file system holding `dir` until it reports ENOSPC. */
static void fill_disk(const char *dir) {
  g_autofree char *path = g_build_filename(dir, "filler", NULL);
  FILE *f = fopen(path, "we");
  ck_assert_ptr_nonnull(f);
  setvbuf(f, NULL, _IONBF, 0);
  static const char block[1024] = {0};
  while (fwrite(block, 1, sizeof block, f) == sizeof block)
    ;
  /* The last partial block: a byte at a time until nothing fits. */
  while (fwrite(block, 1, 1, f) == 1)
    ;
  fclose(f);
}

static HostResult *run_frames(const HostEnv *e, GByteArray *in) {
  HostResult *r = host_run_env(e, NATIVE, in->data, in->len, TIMEOUT_S);
  ck_assert_msg(!r->timed_out, "the host hung; stderr: %s", r->err);
  ck_assert_msg(r->signal == 0, "the host died of signal %d; stderr: %s", r->signal, r->err);
  ck_assert_msg(r->framing_ok, "stdout is not a clean sequence of frames; stderr: %s", r->err);
  return r;
}

static const cJSON *reply(const HostResult *r, guint i, const char *type) {
  ck_assert_msg(r->replies->len > i, "only %u replies; stderr: %s", r->replies->len, r->err);
  const cJSON *o = g_ptr_array_index(r->replies, i);
  ck_assert_msg(cJSON_IsObject(o), "reply %u is not an object", i);
  ck_assert_msg(g_strcmp0(json_str(o, "type"), type) == 0, "reply %u is %s (%s), not %s", i,
                json_str(o, "type"), json_str(o, "message"), type);
  return o;
}

static void learn_ok(const HostEnv *e, const char *address) {
  g_autoptr(GByteArray) in = g_byte_array_new();
  g_autofree char *req =
      g_strdup_printf("{\"type\":\"learn\",\"id\":1,\"addresses\":[\"%s\"]}", address);
  frames_add(in, req);
  g_autoptr(HostResult) r = run_frames(e, in);
  const cJSON *l = reply(r, 0, "learned");
  ck_assert_int_eq(cJSON_GetObjectItem(l, "count")->valueint, 1);
  ck_assert_int_eq(r->status, 0);
}

/* The frames of a failed learn and what must still work after it: the learn of a new address, a
 * check of the address learned before (history still trusted) next to a stranger (control: a
 * first_contact warning proves the check would notice a lost history), and hello. */
static GByteArray *learn_then_serve(void) {
  GByteArray *in = g_byte_array_new();
  frames_add(in, "{\"type\":\"learn\",\"id\":\"L\",\"addresses\":[\"Bob <bob@qzvnewly.de>\"]}");
  frames_add(in, "{\"type\":\"check\",\"id\":\"C\",\"settings\":{\"first_contact\":\"warn\"},"
                 "\"recipients\":[{\"field\":\"to\",\"address\":\"alice@qzvpartner.de\"},"
                 "{\"field\":\"to\",\"address\":\"carol@qzvstranger.fr\"}]}");
  frames_add(in, "{\"type\":\"hello\",\"id\":\"H\"}");
  return in;
}

/* The learn failed with an `internal` error naming `reason`, the host went on serving with its
 * history, and the file on disk is `before`, with no temporary file left beside it. */
static void assert_learn_failed_cleanly(const HostEnv *e, const HostResult *r, GBytes *before,
                                        const char *const *reasons) {
  const cJSON *err = reply(r, 0, "error");
  ck_assert_str_eq(json_str(err, "id"), "L");
  ck_assert_str_eq(json_str(err, "code"), "internal");
  const char *msg = json_str(err, "message");
  bool named = false;
  for (size_t i = 0; reasons[i]; i++)
    named = named || strstr(msg, reasons[i]) != NULL;
  ck_assert_msg(named, "the message does not name the problem (%s): %s", reasons[0], msg);
  ck_assert_ptr_nonnull(strstr(msg, e->hist_dir)); /* and says where */

  const cJSON *res = reply(r, 1, "result");
  ck_assert_msg(!has_finding(res, 0, "first_contact"), "the learned domain is no longer trusted");
  ck_assert_msg(has_finding(res, 1, "first_contact"),
                "control: a stranger must be a first contact");
  reply(r, 2, "hello");
  ck_assert_int_eq(r->status, 0);

  g_autoptr(GBytes) after = file_bytes(e->hist);
  ck_assert_msg(after && g_bytes_equal(before, after), "the history file changed");
  ck_assert_uint_eq(count_prefixed(e->hist_dir, "history.tmp"), 0);
}

/* ---- full disk, read-only folder, unreadable history ----------------------------------- */

START_TEST(full_disk_learn) {
  g_autoptr(HostEnv) e = host_env_new();
  bool tmpfs = private_tmpfs(e->data, "64k");
  learn_ok(e, "Alice <alice@qzvpartner.de>");
  g_autoptr(GBytes) before = file_bytes(e->hist);
  ck_assert_ptr_nonnull(before);

  const char *reasons[] = {g_strerror(ENOSPC), NULL, NULL};
  if (tmpfs) {
    fill_disk(e->data);
  } else {
    /* No mount privilege: a file size limit below the history's size fails the write alike. */
    fprintf(stderr, "full_disk_learn: no private tmpfs (%s); using RLIMIT_FSIZE\n",
            g_strerror(errno));
    e->fsize = 16;
    reasons[0] = g_strerror(EFBIG);
  }
  g_autoptr(GByteArray) in = learn_then_serve();
  g_autoptr(HostResult) r = run_frames(e, in);
  assert_learn_failed_cleanly(e, r, before, reasons);

  /* Room again: the next learn works and keeps the old entry. */
  if (tmpfs) {
    g_autofree char *filler = g_build_filename(e->data, "filler", NULL);
    g_remove(filler);
  } else {
    e->fsize = 0;
  }
  learn_ok(e, "bob@qzvnewly.de");
  g_autoptr(TgHistory) h = tg_history_open(e->hist_dir, NULL);
  ck_assert(tg_history_lookup_domain(h, "qzvpartner.de", NULL, NULL));
  ck_assert(tg_history_lookup_domain(h, "qzvnewly.de", NULL, NULL));
  if (tmpfs) { /* so that the scratch folder can go */
    g_autofree char *cmd = g_strdup_printf("rm -rf '%s'/*", e->data);
    ck_assert_int_eq(system(cmd), 0);
    umount2(e->data, MNT_DETACH);
  }
}
END_TEST

/* `dir` read-only in a private mount namespace (a read-only bind mount of itself). */
static bool private_read_only(const char *dir) {
  return unshare(CLONE_NEWNS) == 0 && mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0 &&
         mount(dir, dir, NULL, MS_BIND, NULL) == 0 &&
         mount(NULL, dir, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL) == 0;
}

START_TEST(read_only_history_folder) {
  g_autoptr(HostEnv) e = host_env_new();
  learn_ok(e, "Alice <alice@qzvpartner.de>");
  g_autoptr(GBytes) before = file_bytes(e->hist);
  const char *reasons[] = {g_strerror(EROFS), g_strerror(EACCES), NULL};
  bool mounted = private_read_only(e->hist_dir);
  if (!mounted) {
    fprintf(stderr, "read_only_history_folder: no private mount (%s); using permissions\n",
            g_strerror(errno));
    /* Readable, not writable, for a host bound by permissions. */
    ck_assert_int_eq(g_chmod(e->hist_dir, 0555), 0);
    ck_assert_int_eq(g_chmod(e->hist, 0444), 0);
    e->bound_by_permissions = true;
  }
  g_autoptr(GByteArray) in = learn_then_serve();
  g_autoptr(HostResult) r = run_frames(e, in);
  assert_learn_failed_cleanly(e, r, before, reasons);
  if (mounted) /* so that the scratch folder can go */
    umount2(e->hist_dir, MNT_DETACH);
  else
    g_chmod(e->hist_dir, 0755);
}
END_TEST

START_TEST(unreadable_history_is_not_replaced) {
  g_autoptr(HostEnv) e = host_env_new();
  learn_ok(e, "Alice <alice@qzvpartner.de>");
  g_autoptr(GBytes) before = file_bytes(e->hist);
  /* The folder stays writable, the file is unreadable. */
  ck_assert_int_eq(g_chmod(e->hist, 0), 0);
  e->bound_by_permissions = true;
  g_autoptr(GByteArray) in = g_byte_array_new();
  frames_add(in, "{\"type\":\"learn\",\"id\":\"L\",\"addresses\":[\"bob@qzvnewly.de\"]}");
  frames_add(in, "{\"type\":\"hello\",\"id\":\"H\"}");
  g_autoptr(HostResult) r = run_frames(e, in);
  const cJSON *err = reply(r, 0, "error");
  ck_assert_str_eq(json_str(err, "code"), "internal");
  ck_assert_ptr_nonnull(strstr(json_str(err, "message"), g_strerror(EACCES)));
  reply(r, 1, "hello");
  ck_assert_int_eq(r->status, 0);
  ck_assert_int_eq(g_chmod(e->hist, 0600), 0); /* readable again, for this test */
  g_autoptr(GBytes) after = file_bytes(e->hist);
  ck_assert_msg(after && g_bytes_equal(before, after), "the unreadable history was replaced");
  /* Opening it said so too. */
  ck_assert_ptr_nonnull(strstr(r->err, e->hist));
}
END_TEST

/* ---- policy file ------------------------------------------------------------------------ */

static const char POLICY[] = "[typoguard]\nblocked_tlds=ml\norg_domains=army.mil\n";

static GByteArray *hello_and_check(void) {
  GByteArray *in = g_byte_array_new();
  frames_add(in, "{\"type\":\"hello\",\"id\":\"H\"}");
  frames_add(
      in, "{\"type\":\"check\",\"id\":\"C\",\"recipients\":[{\"field\":\"to\","
          "\"address\":\"john.doe@example.ml\"},{\"field\":\"to\",\"address\":\"x@gmail.con\"}]}");
  return in;
}

/* Whether the policy took effect, from the replies of hello_and_check. */
static bool policy_applied(const HostResult *r) {
  const cJSON *h = reply(r, 0, "hello");
  const cJSON *pol = cJSON_GetObjectItem(h, "policy");
  const cJSON *res = reply(r, 1, "result");
  ck_assert_msg(has_finding(res, 1, "invalid_tld"), "detection must work either way");
  bool blocked = has_finding(res, 0, "blocked");
  bool locked = cJSON_GetArraySize(cJSON_GetObjectItem(pol, "locked")) > 0;
  ck_assert_int_eq(blocked, locked);
  return blocked;
}

START_TEST(policy_unreadable_uses_defaults) {
  g_autoptr(HostEnv) e = host_env_new();
  g_autofree char *path = g_build_filename(e->root, "policy.conf", NULL);
  ck_assert(g_file_set_contents(path, POLICY, -1, NULL));
  host_env_set(e, "TYPOGUARD_POLICY", path);
  g_autoptr(GByteArray) in = hello_and_check();
  {
    g_autoptr(HostResult) r = run_frames(e, in);
    ck_assert_msg(policy_applied(r), "control: the readable policy must apply");
  }
  /* Unreadable to a host bound by permissions. */
  ck_assert_int_eq(g_chmod(path, 0), 0);
  e->bound_by_permissions = true;
  g_autoptr(HostResult) r = run_frames(e, in);
  ck_assert(!policy_applied(r));
  ck_assert_msg(strstr(r->err, path) && strstr(r->err, g_strerror(EACCES)),
                "no warning naming the policy file: %s", r->err);
  ck_assert_int_eq(r->status, 0);
}
END_TEST

START_TEST(policy_is_a_folder_uses_defaults) {
  g_autoptr(HostEnv) e = host_env_new();
  g_autofree char *path = g_build_filename(e->root, "policy.conf", NULL);
  ck_assert_int_eq(g_mkdir(path, 0755), 0);
  host_env_set(e, "TYPOGUARD_POLICY", path);
  g_autoptr(GByteArray) in = hello_and_check();
  g_autoptr(HostResult) r = run_frames(e, in);
  ck_assert(!policy_applied(r));
  ck_assert_msg(strstr(r->err, path) != NULL, "no warning naming the policy: %s", r->err);
  ck_assert_int_eq(r->status, 0);
}
END_TEST

/* ---- public suffix list ----------------------------------------------------------------- */

typedef enum {
  PSL_MISSING,
  PSL_FOLDER,
  PSL_EMPTY,
  PSL_GARBAGE,
  PSL_BINARY,
  PSL_TEXT,
  PSL_DAFSA
} PslCase;
static const struct {
  PslCase kind;
  bool warns;
} kPslCases[] = {{PSL_MISSING, true}, {PSL_FOLDER, true}, {PSL_EMPTY, true}, {PSL_GARBAGE, true},
                 {PSL_BINARY, true},  {PSL_TEXT, false},  {PSL_DAFSA, false}};

START_TEST(psl_file_problems) {
  g_autoptr(HostEnv) e = host_env_new();
  g_autofree char *path = g_build_filename(e->root, "psl.dat", NULL);
  PslCase kind = kPslCases[_i].kind;
  switch (kind) {
  case PSL_MISSING: break;
  case PSL_FOLDER: ck_assert_int_eq(g_mkdir(path, 0755), 0); break;
  case PSL_EMPTY: ck_assert(g_file_set_contents(path, "", 0, NULL)); break;
  case PSL_GARBAGE:
    ck_assert(g_file_set_contents(path, "this is not a list\n// nor is this\nexample\n", -1, NULL));
    break;
  case PSL_BINARY: ck_assert(g_file_set_contents(path, "\x01\x02\xff\xfe\x00\x7f", 6, NULL)); break;
  case PSL_TEXT:
    g_free(path);
    path = g_strdup("/usr/share/publicsuffix/public_suffix_list.dat");
    break;
  case PSL_DAFSA:
    g_free(path);
    path = g_strdup("/usr/share/publicsuffix/public_suffix_list.dafsa");
    break;
  }
  /* scripts/setup.sh installs the publicsuffix package: without it this case would test nothing. */
  if (kind == PSL_TEXT || kind == PSL_DAFSA)
    ck_assert_msg(g_file_test(path, G_FILE_TEST_EXISTS), "%s is missing: install publicsuffix",
                  path);
  host_env_set(e, "TYPOGUARD_PSL_FILE", path);
  g_autoptr(GByteArray) in = g_byte_array_new();
  frames_add(in, "{\"type\":\"check\",\"id\":1,\"settings\":{\"first_contact\":\"off\"},"
                 "\"known\":{\"domains\":[\"army.mil\"]},\"recipients\":["
                 "{\"field\":\"to\",\"address\":\"someone@gmail.con\"},"
                 "{\"field\":\"to\",\"address\":\"john.doe@army.ml\"},"
                 "{\"field\":\"to\",\"address\":\"friend@example.co.uk\"}]}");
  g_autoptr(HostResult) r = run_frames(e, in);
  const cJSON *res = reply(r, 0, "result");
  ck_assert_msg(has_finding(res, 0, "invalid_tld"), "TLDs are no longer checked");
  ck_assert(has_finding(res, 1, "tld_confusion"));
  ck_assert_msg(!has_finding(res, 2, "invalid_tld"), "a real TLD was called invalid");
  bool warned = strstr(r->err, path) != NULL && strstr(r->err, "TYPOGUARD_PSL_FILE") != NULL;
  ck_assert_msg(warned == kPslCases[_i].warns, "case %d: stderr: %s", kind, r->err);
  ck_assert_int_eq(r->status, 0);
}
END_TEST

/* ---- the client goes away --------------------------------------------------------------- */

/* A check whose reply is cut to the 1 MiB limit: 10,000 misspelt recipients. */
static GByteArray *big_reply_request(void) {
  GString *s = g_string_new("{\"type\":\"check\",\"id\":1,\"recipients\":[");
  for (unsigned i = 0; i < TG_MAX_RECIPIENTS; i++)
    g_string_append_printf(s, "%s{\"field\":\"to\",\"address\":\"user%u@gmial.com\"}", i ? "," : "",
                           i);
  g_string_append(s, "]}");
  GByteArray *in = g_byte_array_new();
  frames_add(in, s->str);
  frames_add(in, "{\"type\":\"hello\",\"id\":2}");
  g_string_free(s, TRUE);
  return in;
}

/* _i: how many reply bytes the client reads before it closes its end (0: none at all). */
static const size_t kReadBeforeClose[] = {0, 4096, 300000};

START_TEST(client_closes_mid_reply) {
  signal(SIGPIPE, SIG_IGN);
  g_autoptr(HostEnv) e = host_env_new();
  g_autoptr(GByteArray) in = big_reply_request();
  HostProc p = host_start(e, NATIVE);
  size_t done = 0;
  while (done < in->len) {
    ssize_t n = write(p.in, in->data + done, in->len - done);
    ck_assert_msg(n > 0, "the host stopped reading: %s", g_strerror(errno));
    done += (size_t)n;
  }
  close(p.in);
  size_t want = kReadBeforeClose[_i], got = 0;
  char buf[65536];
  while (got < want) {
    ssize_t n = read(p.out, buf, MIN(sizeof buf, want - got));
    ck_assert_msg(n > 0, "the reply ended after %zu bytes", got);
    got += (size_t)n;
  }
  close(p.out);
  bool timed_out = false;
  int st = host_wait(p.pid, TIMEOUT_S, &timed_out);
  g_autofree char *err = NULL;
  {
    GString *s = g_string_new(NULL);
    ssize_t n;
    while ((n = read(p.err, buf, sizeof buf)) > 0)
      g_string_append_len(s, buf, n);
    close(p.err);
    err = g_string_free(s, FALSE);
  }
  ck_assert_msg(!timed_out, "the host hung after its client went away");
  ck_assert_msg(WIFEXITED(st), "the host died of signal %d; stderr: %s", WTERMSIG(st), err);
  ck_assert_int_eq(WEXITSTATUS(st), 1);
}
END_TEST

/* ---- input that ends inside a frame ---------------------------------------------------- */

/* After one good frame: the bytes of a cut frame, and what the error must say. */
static const struct {
  const char *bytes;
  size_t len;
  const char *says;
} kCuts[] = {
    {"\x05\x00", 2, "length (2 of 4 bytes)"},
    {"\x64\x00\x00\x00{\"type\":", 12, "(8 of 100 bytes)"},
    {"\x07\x00\x00", 3, "length (3 of 4 bytes)"},
};

START_TEST(input_ends_inside_a_frame) {
  g_autoptr(HostEnv) e = host_env_new();
  g_autoptr(GByteArray) in = g_byte_array_new();
  frames_add(in, "{\"type\":\"hello\",\"id\":1}");
  g_byte_array_append(in, (const guint8 *)kCuts[_i].bytes, (guint)kCuts[_i].len);
  g_autoptr(HostResult) r = run_frames(e, in);
  reply(r, 0, "hello");
  const cJSON *err = reply(r, 1, "error");
  ck_assert_str_eq(json_str(err, "code"), "bad_json");
  ck_assert_msg(strstr(json_str(err, "message"), kCuts[_i].says), "message: %s",
                json_str(err, "message"));
  ck_assert_int_eq(r->status, 1);
}
END_TEST

/* ---- SIGTERM while learning ------------------------------------------------------------- */

#define KILL_ROUNDS 40
#define LEARNS_PER_ROUND 60

/* One round's requests: each learns a new address of its own and one shared by all rounds. */
static GByteArray *learn_round(unsigned round) {
  GByteArray *in = g_byte_array_new();
  for (unsigned j = 0; j < LEARNS_PER_ROUND; j++) {
    g_autofree char *req =
        g_strdup_printf("{\"type\":\"learn\",\"id\":%u,\"addresses\":[\"p%u.%u@r%u.example.com\","
                        "\"q%u@shared.example.com\"]}",
                        j, round, j, round, j);
    frames_add(in, req);
  }
  return in;
}

START_TEST(sigterm_while_learning) {
  signal(SIGPIPE, SIG_IGN);
  g_autoptr(HostEnv) e = host_env_new();
  g_autoptr(GRand) rand = g_rand_new_with_seed(20261129);
  size_t kept = 0;
  unsigned cut = 0, whole = 0;
  /* How long a round takes without a kill (start-up and all the learns), to kill within it. */
  gint64 round_us = 0;
  {
    g_autoptr(GByteArray) in = learn_round(KILL_ROUNDS);
    gint64 t0 = g_get_monotonic_time();
    g_autoptr(HostResult) r = run_frames(e, in);
    round_us = g_get_monotonic_time() - t0;
    ck_assert_uint_eq(r->replies->len, LEARNS_PER_ROUND);
    g_autoptr(TgHistory) h = tg_history_open(e->hist_dir, NULL);
    kept = tg_history_address_count(h);
  }
  for (unsigned round = 0; round < KILL_ROUNDS; round++) {
    g_autoptr(GByteArray) in = learn_round(round);
    HostProc p = host_start(e, NATIVE);
    /* All the requests at once (they fit in the pipe); stdin stays open, so only the signal
     * ends the host. */
    ck_assert_int_eq(write(p.in, in->data, in->len), (ssize_t)in->len);
    g_usleep((gulong)g_rand_int_range(rand, 0, (gint32)MIN(round_us, G_MAXINT32)));
    kill(p.pid, SIGTERM);
    bool timed_out = false;
    int st = host_wait(p.pid, TIMEOUT_S, &timed_out);
    close(p.in);
    close(p.out);
    close(p.err);
    ck_assert(!timed_out);
    ck_assert_msg(WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM, "round %u: status %d", round, st);

    /* Whole: the end marker and every line in place; nothing learned before lost. */
    g_autoptr(TgHistory) h = tg_history_open(e->hist_dir, NULL);
    ck_assert_msg(tg_history_dropped(h) == 0 && !tg_history_truncated(h),
                  "round %u: the history is damaged (%u lines dropped%s)", round,
                  tg_history_dropped(h), tg_history_truncated(h) ? ", truncated" : "");
    size_t n = tg_history_address_count(h);
    ck_assert_msg(n >= kept, "round %u: %zu addresses, %zu before", round, n, kept);
    /* Each round adds LEARNS_PER_ROUND new addresses (the shared ones are known already). */
    if (n > kept && n < kept + LEARNS_PER_ROUND)
      cut++;
    else if (n == kept + LEARNS_PER_ROUND)
      whole++;
    kept = n;
  }
  /* The rounds must really have hit the host while it was learning. */
  fprintf(stderr,
          "sigterm_while_learning: %u rounds cut mid-way, %u finished, %u before any "
          "learn; %zu addresses kept\n",
          cut, whole, KILL_ROUNDS - cut - whole, kept);
  ck_assert_uint_gt(cut, KILL_ROUNDS / 4);
  /* Temporary files a kill left behind go at the next learn. */
  learn_ok(e, "last@final.example");
  ck_assert_uint_eq(count_prefixed(e->hist_dir, "history.tmp"), 0);
}
END_TEST

/* ---- can a host be denied a file here? ------------------------------------------------ */

/* Whether a host bound by permissions really cannot read a mode-0 file nor create a file in a
 * mode-0555 folder, tried in a child process that binds itself the way host_start binds the
 * host. On false, `why` says what failed. */
static bool permissions_bind(char **why) {
  g_autoptr(HostEnv) e = host_env_new();
  g_autofree char *file = g_build_filename(e->root, "unreadable", NULL);
  g_autofree char *dir = g_build_filename(e->root, "read-only", NULL);
  g_autofree char *inside = g_build_filename(dir, "new", NULL);
  if (!g_file_set_contents(file, "x", 1, NULL) || g_chmod(file, 0) != 0 ||
      g_mkdir(dir, 0555) != 0) {
    *why = g_strdup_printf("cannot set up the probe in %s", e->root);
    return false;
  }
  pid_t pid = fork();
  g_assert(pid >= 0);
  if (pid == 0) {
    if (!host_bind_to_permissions())
      _exit(1); /* no CAP_SETPCAP */
    int fd = open(file, O_RDONLY | O_CLOEXEC);
    if (fd >= 0)
      _exit(2);
    fd = open(inside, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd >= 0)
      _exit(3);
    _exit(0);
  }
  int st = 0;
  while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
    ;
  g_chmod(dir, 0755);
  int code = WIFEXITED(st) ? WEXITSTATUS(st) : 128;
  switch (code) {
  case 0: return true;
  case 1:
    *why = g_strdup("running as root without CAP_SETPCAP: cannot drop the capabilities that "
                    "bypass file permissions");
    return false;
  case 2:
    *why =
        g_strdup("a mode-0 file stays readable to this process (file permissions do not bind it)");
    return false;
  case 3:
    *why = g_strdup(
        "a mode-0555 folder stays writable to this process (file permissions do not bind it)");
    return false;
  default: *why = g_strdup_printf("the probe ended with status %d", st); return false;
  }
}

static Suite *suite(void) {
  Suite *s = suite_create("failure");
  TCase *tc = tcase_create("failure");
  tcase_set_timeout(tc, 300);
  tcase_add_test(tc, full_disk_learn);
  tcase_add_test(tc, policy_is_a_folder_uses_defaults);
  tcase_add_loop_test(tc, psl_file_problems, 0, G_N_ELEMENTS(kPslCases));
  tcase_add_loop_test(tc, client_closes_mid_reply, 0, G_N_ELEMENTS(kReadBeforeClose));
  tcase_add_loop_test(tc, input_ends_inside_a_frame, 0, G_N_ELEMENTS(kCuts));
  tcase_add_test(tc, sigterm_while_learning);
  suite_add_tcase(s, tc);
  /* The cases whose fault is a permission (read_only_history_folder falls back to one). */
  TCase *perm = tcase_create("permissions");
  tcase_set_timeout(perm, 300);
  tcase_add_test(perm, read_only_history_folder);
  tcase_add_test(perm, unreadable_history_is_not_replaced);
  tcase_add_test(perm, policy_unreadable_uses_defaults);
  suite_add_tcase(s, perm);
  return s;
}

/* ctest's SKIP_RETURN_CODE for a case group whose fault cannot be made on this machine. */
#define EXIT_SKIPPED 77

int main(int argc, char **argv) {
  const char *group = argc > 1 ? argv[1] : "failure";
  if (strcmp(group, "failure") != 0 && strcmp(group, "permissions") != 0) {
    fprintf(stderr, "usage: %s [failure|permissions]\n", argv[0]);
    return 64;
  }
  if (strcmp(group, "permissions") == 0) {
    g_autofree char *why = NULL;
    if (!permissions_bind(&why)) {
      printf("SKIPPED: read_only_history_folder, unreadable_history_is_not_replaced, "
             "policy_unreadable_uses_defaults: cannot make a file the host cannot read: %s\n",
             why);
      return EXIT_SKIPPED;
    }
  }
  return tg_run_suite(suite(), group, TG_SUITE_FORK);
}
