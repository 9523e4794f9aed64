/* scratch_main.h — runs a Check suite with every scratch folder of its tests under one fresh
 * folder (TMPDIR), removed at the end, so parallel test programs never share or leak scratch
 * files. For test programs' main() only. */
#ifndef TG_SCRATCH_MAIN_H
#define TG_SCRATCH_MAIN_H

#include <check.h>
#include <glib.h>
#include <stdlib.h>

static inline int tg_run_suite_in_scratch(Suite *suite) {
  /* g_get_tmp_dir caches its first answer: TMPDIR is set before GLib reads it. */
  const char *base = g_getenv("TMPDIR");
  g_autofree char *tmp = g_build_filename(base && base[0] ? base : "/tmp", "tg-unit-XXXXXX", NULL);
  if (g_mkdtemp(tmp) == NULL)
    return EXIT_FAILURE;
  g_setenv("TMPDIR", tmp, TRUE);
  SRunner *sr = srunner_create(suite);
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  const char *rm[] = {"rm", "-rf", tmp, NULL};
  (void)g_spawn_sync(NULL, (char **)rm, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL,
                     NULL);
  return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

#endif
