/* runsuite.h — the one main() of the Check test programs: runs a suite (or one of its test
 * cases) and turns the outcome into an exit status, so that every program agrees on what a pass
 * is. A run in which no test ran fails: a filter that matches nothing, or a suite that lost its
 * tests, must never look like a pass. */
#ifndef TG_RUNSUITE_H
#define TG_RUNSUITE_H

#include <check.h>

typedef enum {
  TG_SUITE_DEFAULT = 0,
  /* Each test's scratch files under one fresh folder (TMPDIR), removed at the end, so parallel
   * test programs never share or leak scratch files. */
  TG_SUITE_SCRATCH = 1 << 0,
  /* Each test in its own process whatever CK_FORK says (tests that crash the host on purpose). */
  TG_SUITE_FORK = 1 << 1,
} TgSuiteFlags;

/* Runs `tcase` of `suite` (all test cases when NULL) and frees the suite. Returns EXIT_SUCCESS
 * when at least one test ran and none failed, else EXIT_FAILURE. */
int tg_run_suite(Suite *suite, const char *tcase, unsigned flags);

#endif
