/* replay.c — runs saved inputs through a fuzz target without libFuzzer, so that every crash the
 * fuzzers ever found (tests/fuzz/regressions/<target>/) and the seed corpora are replayed by a
 * plain ctest test with any compiler. Linked with one fuzz_<target>.c in place of libFuzzer's
 * main.
 *
 * Usage: replay PATH...   each PATH a file or a folder of files (not recursive; names starting
 * with '.' skipped; a missing folder counts as empty). Exit 0 when every input ran, with a count
 * on stdout; a broken property aborts (the target's REQUIRE names it), so ctest fails and the
 * last "replaying" line on stderr names the input. With no input found at all, exit 1: a
 * replayer that tested nothing must not pass. */
#include <glib.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static unsigned run_file(const char *path) {
  g_autofree char *bytes = NULL;
  gsize len = 0;
  g_autoptr(GError) error = NULL;
  if (!g_file_get_contents(path, &bytes, &len, &error)) {
    fprintf(stderr, "replay: %s\n", error->message);
    exit(2);
  }
  if (g_getenv("TG_REPLAY_VERBOSE"))
    fprintf(stderr, "replaying %s\n", path);
  /* An exact-size copy, as libFuzzer hands inputs over, so reading past the end is caught. */
  uint8_t *copy = g_malloc(len ? len : 1);
  memcpy(copy, bytes, len);
  LLVMFuzzerTestOneInput(copy, len);
  g_free(copy);
  return 1;
}

static gint cmp_str(gconstpointer a, gconstpointer b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv) {
  unsigned n = 0;
  for (int i = 1; i < argc; i++) {
    if (!g_file_test(argv[i], G_FILE_TEST_IS_DIR)) {
      if (g_file_test(argv[i], G_FILE_TEST_EXISTS))
        n += run_file(argv[i]);
      continue;
    }
    GDir *dir = g_dir_open(argv[i], 0, NULL);
    if (!dir)
      continue;
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
    const char *name;
    while ((name = g_dir_read_name(dir)) != NULL)
      if (name[0] != '.')
        g_ptr_array_add(names, g_build_filename(argv[i], name, NULL));
    g_dir_close(dir);
    g_ptr_array_sort(names, cmp_str);
    for (guint k = 0; k < names->len; k++)
      if (g_file_test(g_ptr_array_index(names, k), G_FILE_TEST_IS_REGULAR))
        n += run_file(g_ptr_array_index(names, k));
  }
  printf("replayed %u inputs\n", n);
  return n > 0 ? 0 : 1;
}
