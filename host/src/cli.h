/* cli.h — `typoguard-host --check`: addresses from the command line or stdin, findings for a
 * person (one block per finding) or one JSON result, and an exit status scripts can use. */
#ifndef TG_CLI_H
#define TG_CLI_H

#include <stdbool.h>

/* Exit statuses of --check (DESIGN.md). */
enum {
  TG_EXIT_OK = 0, /* ok or info */
  TG_EXIT_WARN = 1,
  TG_EXIT_BLOCK = 2,
  TG_EXIT_USAGE = 64,   /* EX_USAGE */
  TG_EXIT_INTERNAL = 70 /* EX_SOFTWARE */
};

typedef struct {
  bool json;
  const char *sender;
  char **known_domains;   /* NULL-terminated, may be NULL */
  char **known_addresses; /* mailboxes of the address book, display names kept; may be NULL */
  char **org_domains;
  const char *policy_path;
  char **addresses; /* NULL-terminated; a single "-" reads one address per line on stdin */
} TgCliOptions;

int tg_cli_check(const TgCliOptions *opts);

#endif
