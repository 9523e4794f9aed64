/* null_milter.c — a milter that judges nothing: the floor of what any milter costs Postfix.
 *
 *   null_milter --config FILE      (reads only the `socket = unix:PATH|inet:PORT@HOST` line)
 *
 * It speaks the milter protocol exactly as typoguard-milter does — the same actions and
 * protocol steps negotiated (connect, HELO, body, DATA, EOH and unknown commands skipped, no
 * reply per header, no macros), the same callbacks registered (MAIL FROM, every RCPT, every
 * header, end of message) — and answers "continue" to each without looking at it. Run beside
 * typoguard-milter in tests/bench/milter_bench.py, it splits the milter's cost into what the
 * protocol costs Postfix and libmilter (here) and what typoguard's judgement adds (the rest).
 * Only for benchmarks: it is not installed. */
#include <libmilter/mfapi.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static bool no_header_reply;

static sfsistat cb_negotiate(SMFICTX *ctx, unsigned long f0, unsigned long f1, unsigned long f2,
                             unsigned long f3, unsigned long *pf0, unsigned long *pf1,
                             unsigned long *pf2, unsigned long *pf3) {
  (void)f2;
  (void)f3;
  const unsigned long actions =
      SMFIF_ADDHDRS | SMFIF_CHGHDRS | SMFIF_ADDRCPT | SMFIF_DELRCPT | SMFIF_QUARANTINE;
  const unsigned long skip = SMFIP_NOCONNECT | SMFIP_NOHELO | SMFIP_NOBODY | SMFIP_NOUNKNOWN |
                             SMFIP_NODATA | SMFIP_NOEOH | SMFIP_NR_HDR;
  *pf0 = (f0 & actions) | (f0 & SMFIF_SETSYMLIST);
  *pf1 = f1 & skip;
  *pf2 = 0;
  *pf3 = 0;
  if (f0 & SMFIF_SETSYMLIST) {
    static const int stages[] = {SMFIM_CONNECT, SMFIM_HELO, SMFIM_ENVFROM, SMFIM_ENVRCPT,
                                 SMFIM_DATA,    SMFIM_EOH,  SMFIM_EOM};
    for (size_t i = 0; i < sizeof stages / sizeof stages[0]; i++)
      (void)smfi_setsymlist(ctx, stages[i], "{typoguard_none}");
  }
  no_header_reply = (*pf1 & SMFIP_NR_HDR) != 0;
  return SMFIS_CONTINUE;
}

static sfsistat cb_envfrom(SMFICTX *ctx, char **argv) {
  (void)ctx;
  (void)argv;
  return SMFIS_CONTINUE;
}

static sfsistat cb_envrcpt(SMFICTX *ctx, char **argv) {
  (void)ctx;
  (void)argv;
  return SMFIS_CONTINUE;
}

static sfsistat cb_header(SMFICTX *ctx, char *name, char *value) {
  (void)ctx;
  (void)name;
  (void)value;
  return no_header_reply ? SMFIS_NOREPLY : SMFIS_CONTINUE;
}

static sfsistat cb_eom(SMFICTX *ctx) {
  (void)ctx;
  return SMFIS_CONTINUE;
}

static struct smfiDesc desc = {
    .xxfi_name = "null",
    .xxfi_version = SMFI_VERSION,
    .xxfi_flags = SMFIF_ADDHDRS | SMFIF_CHGHDRS | SMFIF_ADDRCPT | SMFIF_DELRCPT | SMFIF_QUARANTINE,
    .xxfi_envfrom = cb_envfrom,
    .xxfi_envrcpt = cb_envrcpt,
    .xxfi_header = cb_header,
    .xxfi_eom = cb_eom,
    .xxfi_negotiate = cb_negotiate,
};

int main(int argc, char **argv) {
  if (argc != 3 || strcmp(argv[1], "--config") != 0) {
    fprintf(stderr, "usage: null_milter --config FILE\n");
    return 64;
  }
  FILE *f = fopen(argv[2], "r");
  if (!f) {
    perror(argv[2]);
    return 66;
  }
  char line[1024], socket[1024] = "";
  while (fgets(line, sizeof line, f)) {
    if (sscanf(line, " socket = %1023s", socket) == 1)
      break;
  }
  fclose(f);
  if (!*socket) {
    fprintf(stderr, "%s: no socket line\n", argv[2]);
    return 65;
  }
  umask(0);
  if (smfi_setconn(socket) != MI_SUCCESS || smfi_register(desc) != MI_SUCCESS ||
      smfi_opensocket(true) != MI_SUCCESS) {
    fprintf(stderr, "null_milter: cannot listen on %s\n", socket);
    return 1;
  }
  return smfi_main() == MI_SUCCESS ? 0 : 1;
}
