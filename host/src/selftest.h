/* selftest.h — `typoguard-host --selftest`: is this installation healthy? */
#ifndef TG_SELFTEST_H
#define TG_SELFTEST_H

#include <stdbool.h>

/* Runs every check, prints one line each (or one JSON object with --json) and returns 0 only
 * when all is well. `program` is the absolute path of the running host; `policy_path` the
 * --policy argument or NULL. */
int tg_selftest_run(const char *program, const char *policy_path, bool json);

#endif
