/* fuzz_common.h — what every typoguard fuzz target shares: a scratch HOME so that nothing a
 * target does (learn, settings) touches the real user's files, the public suffix context, and
 * REQUIRE, which names the broken property before aborting (libFuzzer then saves the input as a
 * crash; the regression replayer reports the property and the file).
 *
 * Header-only (static functions), so each target stays one translation unit that builds the same
 * way under libFuzzer (clang) and under the plain replayer (replay.c, any compiler). */
#ifndef TG_FUZZ_COMMON_H
#define TG_FUZZ_COMMON_H

#include <glib.h>
#include <glib/gstdio.h>
#include <libpsl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define REQUIRE(cond)                                                             \
  do {                                                                            \
    if (!(cond)) {                                                                \
      fprintf(stderr, "%s:%d: property broken: %s\n", __FILE__, __LINE__, #cond); \
      abort();                                                                    \
    }                                                                             \
  } while (0)

#define REQUIRE_MSG(cond, ...)                                                    \
  do {                                                                            \
    if (!(cond)) {                                                                \
      fprintf(stderr, "%s:%d: property broken: %s: ", __FILE__, __LINE__, #cond); \
      fprintf(stderr, __VA_ARGS__);                                               \
      fputc('\n', stderr);                                                        \
      abort();                                                                    \
    }                                                                             \
  } while (0)

static char *fuzz_scratch_path;

static void fuzz_scratch_remove(const char *path) {
  GDir *d = g_dir_open(path, 0, NULL);
  if (d) {
    const char *name;
    while ((name = g_dir_read_name(d)) != NULL) {
      g_autofree char *child = g_build_filename(path, name, NULL);
      fuzz_scratch_remove(child);
    }
    g_dir_close(d);
  }
  g_remove(path);
}

static void fuzz_scratch_cleanup(void) {
  if (fuzz_scratch_path)
    fuzz_scratch_remove(fuzz_scratch_path);
}

/* Creates (once) a scratch folder, preferably in memory (/dev/shm: the history is fsynced on
 * every learn), and points HOME, XDG_CONFIG_HOME, XDG_DATA_HOME and TYPOGUARD_POLICY into it, so
 * no real settings, policy or history are read or written. Returns the folder. */
G_GNUC_UNUSED static const char *fuzz_scratch(void) {
  if (fuzz_scratch_path)
    return fuzz_scratch_path;
  /* run.sh names a folder it removes afterwards (libFuzzer's exits skip atexit handlers). */
  const char *base = g_getenv("TG_FUZZ_TMP");
  if (!base || !*base)
    base = g_file_test("/dev/shm", G_FILE_TEST_IS_DIR) ? "/dev/shm" : g_get_tmp_dir();
  g_autofree char *tmpl = g_build_filename(base, "tg-fuzz-XXXXXX", NULL);
  char *dir = g_mkdtemp(tmpl);
  if (!dir) {
    fprintf(stderr, "fuzz: cannot create a scratch folder in %s\n", base);
    abort();
  }
  fuzz_scratch_path = g_strdup(dir);
  g_autofree char *config = g_build_filename(dir, "config", NULL);
  g_autofree char *data = g_build_filename(dir, "data", NULL);
  g_autofree char *policy = g_build_filename(dir, "no-policy.conf", NULL);
  g_setenv("HOME", dir, TRUE);
  g_setenv("XDG_CONFIG_HOME", config, TRUE);
  g_setenv("XDG_DATA_HOME", data, TRUE);
  g_setenv("TYPOGUARD_POLICY", policy, TRUE);
  atexit(fuzz_scratch_cleanup);
  return fuzz_scratch_path;
}

/* The public suffix list as the host loads it: the system's newest, else libpsl's built-in. */
G_GNUC_UNUSED static const psl_ctx_t *fuzz_psl(void) {
  static const psl_ctx_t *psl;
  if (!psl) {
    psl = psl_latest(NULL);
    if (!psl)
      psl = psl_builtin();
    REQUIRE(psl != NULL);
  }
  return psl;
}

/* g_printerr goes nowhere: the host's diagnostics for broken input would drown libFuzzer's
 * output (and slow it down); sanitizer reports and REQUIRE messages use stderr directly. */
static void fuzz_printerr_discard(const gchar *msg) {
  (void)msg;
}

G_GNUC_UNUSED static void fuzz_quiet(void) {
  if (!g_getenv("TG_FUZZ_VERBOSE"))
    g_set_printerr_handler(fuzz_printerr_discard);
}

#endif
