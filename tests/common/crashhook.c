/* crashhook.c — the crash hook of the test programs (see host/src/atomicfile.h): linked into
 * the tests and into typoguard-host-crashtest, never into a shipped program. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>

void tg_test_crash_point(const char *name);

void tg_test_crash_point(const char *name) {
  const char *want = getenv("TYPOGUARD_TEST_CRASH");
  if (want != NULL && strcmp(want, name) == 0)
    raise(SIGKILL);
}
