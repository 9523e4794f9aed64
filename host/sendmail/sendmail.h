/* sendmail.h — typoguard-sendmail: a drop-in `sendmail` that checks the recipients first.
 *
 *   typoguard-sendmail [sendmail options: -t -i -oi -f ADDR -F NAME ...] [--] [RECIPIENT...]
 *
 * The message comes on stdin and is streamed to a private temporary file (spool.h). Recipients
 * are the arguments, and with -t also the To/Cc/Bcc fields. They are checked with the user's
 * settings and history (the host's files: config.h, history.h). On ok/info the message goes on
 * at once. On warn/block, with a terminal (terminal.h), the findings are shown and one key
 * answers: [f]ix and send (every suggestion applied to the arguments and to the To/Cc/Bcc
 * addresses, display names and every other byte kept), [s]end anyway (not on a block unless
 * allow_override), [a]bort. Without a terminal a block is not sent (findings on stderr, exit 65)
 * and a warn is sent unless `sendmail_on_warn = abort`.
 *
 * Sending runs the command of the key `sendmail` (split like a shell would, default
 * /usr/sbin/sendmail) with the original arguments, recipients corrected, and the message on its
 * stdin; its exit status is ours. After it succeeded, the recipients without an unresolved warn or
 * block are learned (an address sent "anyway" is not, so it keeps being questioned).
 *
 * -bs (SMTP on stdin), -bp, -bi, -q and the other -b modes carry no message to check: the real
 * sendmail runs at once with our stdin.
 *
 * Exit statuses (sysexits.h): the real sendmail's own; 64 usage; 65 not sent (a block, an abort,
 * a message that cannot be checked); 69 the real sendmail cannot run; 74 the message cannot be
 * read or stored; 75 the real sendmail died of a signal. On any of ours nothing was sent. */
#ifndef TG_SENDMAIL_H
#define TG_SENDMAIL_H

#include <glib.h>
#include <stdbool.h>

#define TG_SENDMAIL_DEFAULT "/usr/sbin/sendmail"

enum {
  TG_SM_EXIT_USAGE = 64,       /* EX_USAGE */
  TG_SM_EXIT_NOT_SENT = 65,    /* EX_DATAERR */
  TG_SM_EXIT_UNAVAILABLE = 69, /* EX_UNAVAILABLE */
  TG_SM_EXIT_SOFTWARE = 70,    /* EX_SOFTWARE */
  TG_SM_EXIT_IOERR = 74,       /* EX_IOERR */
  TG_SM_EXIT_TEMPFAIL = 75,    /* EX_TEMPFAIL */
};

/* The command line as sendmail reads it. */
typedef struct {
  GPtrArray *words; /* the arguments after the program name (char*) */
  guint first_rcpt; /* index of the first recipient word in `words` (== len: none) */
  bool extract;     /* -t */
  char *from;       /* -f ADDR (or -fADDR, -r), or NULL */
  bool passthrough; /* -b… (but -bm) or -q…: no message on stdin; handed on unchecked */
} TgSendmailArgs;

/* Parses sendmail's arguments. Options that take a value (-f, -F, -r, -B, -N, -R, -V, -X, -C,
 * -L, -O, -p, -h) take the next word when it is not attached; `--` ends the options; the first
 * word that is not an option starts the recipients. Unknown options are kept and passed on. */
TgSendmailArgs *tg_sendmail_args_parse(int argc, char **argv, GError **error);
void tg_sendmail_args_free(TgSendmailArgs *a);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(TgSendmailArgs, tg_sendmail_args_free)

/* Replaces the first occurrence of the address `old` (ASCII case ignored, not part of a longer
 * address) in `text` with `new_address`. Returns the new text, or NULL when `old` is not there.
 * *at receives the offset of the match. */
char *tg_sendmail_replace_address(const char *text, size_t len, const char *old,
                                  const char *new_address, size_t *at);

/* The whole program: reads the message from `in`. */
int tg_sendmail_run(int argc, char **argv, int in);

#endif
