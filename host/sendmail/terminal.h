/* terminal.h — finding the user's terminal and asking one question on it.
 *
 * Mail clients run their sendmail with the message on stdin and often without a controlling
 * terminal: NeoMutt's child has none (opening /dev/tty fails with ENXIO), sends its output to a
 * file and leaves the terminal raw. So the terminal is looked for in this order:
 *   1. $TYPOGUARD_TTY: `none` means there is no terminal (scripts, tests); a path names one;
 *   2. /dev/tty, the controlling terminal;
 *   3. the controlling terminal of the nearest ancestor process that has one (walking the parent
 *      chain through /proc, at most TG_TTY_MAX_ANCESTORS steps), opened through one of that
 *      process's descriptors that is that terminal: the terminal the mail client itself runs on
 *      (under tmux the pane's terminal, so $TMUX needs no case of its own).
 * A terminal is used only when it is a terminal device that belongs to the user (so a process of
 * another user higher up the chain never gets the question). The question sets its own mode (no
 * echo, no line editing, one key at a time), restores the previous mode, and ends its lines with
 * "\r\n", so that it reads right in a raw terminal too. */
#ifndef TG_SENDMAIL_TERMINAL_H
#define TG_SENDMAIL_TERMINAL_H

#include <glib.h>
#include <stdbool.h>

#define TG_TTY_ENV "TYPOGUARD_TTY"
#define TG_TTY_MAX_ANCESTORS 32
#define TG_TTY_MAX_FDS 256 /* descriptors of one ancestor looked at */
/* A question not answered in this time is answered "abort": nothing is sent. */
#define TG_TTY_ANSWER_TIMEOUT_MS (15 * 60 * 1000)

/* Opens the user's terminal for reading and writing, or returns -1 (with `how` saying why, for
 * the message on stderr). `how` receives how it was found ("/dev/tty", "parent 1234", ...). */
int tg_tty_open(char **how);

/* Writes `text` (lines ending in "\n", which become "\r\n") and waits for one of the keys in
 * `keys` (lower case; the upper-case key counts too). Escape, Ctrl-C, Ctrl-D, end of input and
 * the timeout answer `on_cancel`. Returns the key. */
char tg_tty_ask(int fd, const char *text, const char *keys, char on_cancel);

/* Writes `text` the same way (no answer). */
void tg_tty_say(int fd, const char *text);

#endif
