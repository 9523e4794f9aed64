/* runsuite.c — see runsuite.h. */
#include "runsuite.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>

int tg_run_suite(Suite *suite, const char *tcase, unsigned flags) {
  g_autofree char *scratch = NULL;
  if (flags & TG_SUITE_SCRATCH) {
    /* g_get_tmp_dir caches its first answer: TMPDIR is set before GLib reads it. */
    const char *base = g_getenv("TMPDIR");
    scratch = g_build_filename(base && base[0] ? base : "/tmp", "tg-unit-XXXXXX", NULL);
    if (g_mkdtemp(scratch) == NULL) {
      perror("tg_run_suite: cannot make a scratch folder");
      return EXIT_FAILURE;
    }
    g_setenv("TMPDIR", scratch, TRUE);
  }
  SRunner *sr = srunner_create(suite);
  if (flags & TG_SUITE_FORK)
    srunner_set_fork_status(sr, CK_FORK);
  srunner_run(sr, NULL, tcase, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  int run = srunner_ntests_run(sr);
  srunner_free(sr);
  if (scratch) {
    const char *rm[] = {"rm", "-rf", scratch, NULL};
    (void)g_spawn_sync(NULL, (char **)rm, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL,
                       NULL);
  }
  if (run == 0) {
    fprintf(stderr, "no test ran%s%s\n", tcase ? " in test case " : "", tcase ? tcase : "");
    return EXIT_FAILURE;
  }
  return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
