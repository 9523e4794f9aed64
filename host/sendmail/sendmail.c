/* sendmail.c — typoguard-sendmail's decisions: recipients, the check, the question, the fix,
 * the hand-over to the real sendmail and the learning (see sendmail.h). */
#include "sendmail.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "typoguard.h"
#include "protocol.h"
#include "spool.h"
#include "terminal.h"

#define PROG "typoguard-sendmail"

/* ---- arguments -------------------------------------------------------------------------- */

TgSendmailArgs *tg_sendmail_args_parse(int argc, char **argv, GError **error) {
  TgSendmailArgs *a = g_new0(TgSendmailArgs, 1);
  a->words = g_ptr_array_new_with_free_func(g_free);
  for (int i = 1; i < argc; i++)
    g_ptr_array_add(a->words, g_strdup(argv[i]));
  guint i = 0;
  for (; i < a->words->len; i++) {
    const char *w = g_ptr_array_index(a->words, i);
    if (strcmp(w, "--") == 0) {
      i++;
      break;
    }
    if (w[0] != '-' || w[1] == '\0')
      break;
    if (w[1] == '-')
      continue; /* a long option of another sendmail (msmtp's --from=...): passed on */
    if (strcmp(w, "-t") == 0) {
      a->extract = true;
      continue;
    }
    if ((w[1] == 'b' && strcmp(w, "-bm") != 0) || w[1] == 'q')
      a->passthrough = true; /* -bs (SMTP on stdin), -bp, -bi, -q: no message to check */
    if (strchr("fFrBNRVXCLOph", w[1]) && w[2] == '\0') {
      if (i + 1 >= a->words->len) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "option %s needs a value", w);
        tg_sendmail_args_free(a);
        return NULL;
      }
      if (w[1] == 'f' || w[1] == 'r')
        g_free(a->from), a->from = g_strdup(g_ptr_array_index(a->words, i + 1));
      i++;
      continue;
    }
    if ((w[1] == 'f' || w[1] == 'r') && w[2] != '\0')
      g_free(a->from), a->from = g_strdup(w + 2);
  }
  a->first_rcpt = i;
  return a;
}

void tg_sendmail_args_free(TgSendmailArgs *a) {
  if (!a)
    return;
  g_ptr_array_unref(a->words);
  g_free(a->from);
  g_free(a);
}

/* ---- addresses -------------------------------------------------------------------------- */

/* Characters that continue an address on either side of a match. */
static bool address_char(char c) {
  return g_ascii_isalnum(c) || (c && strchr("!#$%&'*+-/=?^_`{|}~.@", c)) || (c & 0x80);
}

char *tg_sendmail_replace_address(const char *text, size_t len, const char *old,
                                  const char *new_address, size_t *at) {
  size_t n = strlen(old);
  for (size_t from = 0; from + n <= len;) {
    gssize hit = tg_spool_find_caseless(text + from, len - from, old);
    if (hit < 0)
      return NULL;
    size_t pos = from + (size_t)hit;
    bool left_ok = pos == 0 || !address_char(text[pos - 1]);
    /* A dot right after may end a sentence ("write to a@b.ml."), not continue the domain. */
    size_t end = pos + n;
    bool right_ok = end == len || !address_char(text[end]) ||
                    (text[end] == '.' && (end + 1 == len || !address_char(text[end + 1])));
    if (left_ok && right_ok) {
      if (at)
        *at = pos;
      GString *out = g_string_new_len(text, (gssize)pos);
      g_string_append(out, new_address);
      g_string_append_len(out, text + pos + n, (gssize)(len - pos - n));
      return g_string_free(out, FALSE);
    }
    from = pos + 1;
  }
  return NULL;
}

/* The bare addresses of one recipient text (a mailbox, a list or a group). */
static void bare_addresses(const char *text, GPtrArray *out) {
  g_autoptr(GPtrArray) list = tg_mailbox_parse_list(text, strlen(text), NULL);
  for (guint i = 0; list && i < list->len; i++)
    g_ptr_array_add(out, g_strdup(((TgMailbox *)g_ptr_array_index(list, i))->address));
}

/* The bare address of a single mailbox, lower case, or NULL. */
static char *bare_key(const char *text) {
  g_autoptr(TgMailbox) mb = tg_mailbox_parse(text, strlen(text), NULL);
  return mb ? g_ascii_strdown(mb->address, -1) : NULL;
}

/* Text that may be shown on a terminal: control characters (an escape sequence hidden in a header)
 * become '?'. */
static char *printable(const char *text) {
  char *out = g_utf8_make_valid(text, -1);
  for (char *p = out; *p; p++)
    if ((unsigned char)*p < 0x20 || *p == 0x7f)
      *p = '?';
  return out;
}

/* ---- the check -------------------------------------------------------------------------- */

typedef struct {
  TgField field;
  char *text;           /* as checked */
  int word;             /* index in args->words, or -1 for a header mailbox */
  bool flagged;         /* has a warn or block finding */
  const char *fix_from; /* the finding's bare address and its correction, when it has one */
  const char *fix_to;
} Rcpt;

static void rcpt_clear(gpointer p) {
  g_free(((Rcpt *)p)->text);
}

typedef struct {
  TgSendmailArgs *args;
  TgSpool *spool;
  GPtrArray *header_mailboxes; /* TgHeaderMailbox* */
  GArray *rcpts;               /* Rcpt */
  TgSession *session;
  TgResult *result;
} Run;

static void run_clear(Run *r) {
  g_clear_pointer(&r->args, tg_sendmail_args_free);
  g_clear_pointer(&r->spool, tg_spool_free);
  g_clear_pointer(&r->header_mailboxes, g_ptr_array_unref);
  g_clear_pointer(&r->rcpts, g_array_unref);
  g_clear_pointer(&r->result, tg_result_free);
  g_clear_pointer(&r->session, tg_session_free);
}

static void add_rcpt(Run *r, TgField field, const char *text, int word) {
  Rcpt rc = {.field = field, .text = g_strdup(text), .word = word};
  g_array_append_val(r->rcpts, rc);
}

/* Collects the recipients; false (with the reason on stderr) when they cannot all be checked. */
static bool gather(Run *r) {
  for (guint i = r->args->first_rcpt; i < r->args->words->len; i++)
    add_rcpt(r, TG_FIELD_TO, g_ptr_array_index(r->args->words, i), (int)i);
  r->header_mailboxes = tg_spool_address_headers(r->spool);
  if (r->args->extract) {
    if (!r->spool->header_complete) {
      g_printerr(PROG ": the header section is longer than %u bytes; its recipients (-t) cannot "
                      "be checked; not sent\n",
                 TG_SPOOL_MAX_HEADER_BYTES);
      return false;
    }
    for (guint i = 0; i < r->header_mailboxes->len; i++) {
      const TgHeaderMailbox *m = g_ptr_array_index(r->header_mailboxes, i);
      add_rcpt(r, m->field, m->text, -1);
    }
  }
  if (r->rcpts->len > TG_MAX_RECIPIENTS) {
    g_printerr(PROG ": %u recipients: at most %u can be checked in one message; not sent\n",
               r->rcpts->len, TG_MAX_RECIPIENTS);
    return false;
  }
  return true;
}

static bool check(Run *r) {
  g_autofree TgRecipient *list = g_new0(TgRecipient, MAX(r->rcpts->len, 1));
  for (guint i = 0; i < r->rcpts->len; i++) {
    const Rcpt *rc = &g_array_index(r->rcpts, Rcpt, i);
    list[i] = (TgRecipient){.field = rc->field, .address = rc->text};
  }
  g_autofree char *from_header = tg_spool_header_value(r->spool, "From");
  TgRequest req;
  tg_request_init(&req);
  req.sender = r->args->from ? r->args->from : from_header;
  req.recipients = list;
  req.n_recipients = r->rcpts->len;
  r->result = tg_check(r->session->ctx, &req);
  if (!r->result || r->result->too_many) {
    g_printerr(PROG ": the recipients hold more than %u mailboxes, too many to check; not sent\n",
               TG_MAX_MAILBOXES);
    return false;
  }
  for (guint i = 0; i < r->result->findings->len; i++) {
    const TgFinding *f = g_ptr_array_index(r->result->findings, i);
    if (f->recipient >= r->rcpts->len || f->severity < TG_SEVERITY_WARN)
      continue;
    Rcpt *rc = &g_array_index(r->rcpts, Rcpt, f->recipient);
    rc->flagged = true;
    if (!rc->fix_from && f->suggestion && f->address) {
      rc->fix_from = f->address;
      rc->fix_to = f->suggestion;
    }
  }
  return true;
}

/* ---- what the user sees ----------------------------------------------------------------- */

static const char *field_label(TgField f) {
  switch (f) {
  case TG_FIELD_CC: return "Cc";
  case TG_FIELD_BCC: return "Bcc";
  default: return "To";
  }
}

static char *findings_text(const Run *r) {
  GString *out = g_string_new(NULL);
  for (guint i = 0; i < r->result->findings->len; i++) {
    const TgFinding *f = g_ptr_array_index(r->result->findings, i);
    if (f->severity < TG_SEVERITY_INFO || f->recipient >= r->rcpts->len)
      continue;
    const Rcpt *rc = &g_array_index(r->rcpts, Rcpt, f->recipient);
    g_autofree char *sev = g_ascii_strup(tg_severity_name(f->severity), -1);
    g_autofree char *who = printable(rc->text);
    g_autofree char *why = printable(f->message ? f->message : tg_code_name(f->code));
    g_string_append_printf(out, "  %-5s  %s: %s (%s)\n         %s\n", sev, field_label(rc->field),
                           who, tg_code_name(f->code), why);
    if (f->replacement || f->suggestion) {
      g_autofree char *fix = printable(f->replacement ? f->replacement : f->suggestion);
      g_string_append_printf(out, "         fix: %s\n", fix);
    }
  }
  return g_string_free(out, FALSE);
}

/* Can [f] send: some recipient has a fix, and no block is left without one (unless overrides are
 * allowed)? */
static bool fix_possible(const Run *r, bool allow_override) {
  bool any = false;
  for (guint i = 0; i < r->result->findings->len; i++) {
    const TgFinding *f = g_ptr_array_index(r->result->findings, i);
    if (f->recipient >= r->rcpts->len || f->severity < TG_SEVERITY_WARN)
      continue;
    const Rcpt *rc = &g_array_index(r->rcpts, Rcpt, f->recipient);
    if (rc->fix_from)
      any = true;
    else if (f->severity == TG_SEVERITY_BLOCK && !allow_override)
      return false;
  }
  return any;
}

typedef enum { DO_SEND, DO_FIX, DO_ABORT } Decision;

static Decision ask(const Run *r, int tty, bool can_send, bool can_fix) {
  g_autofree char *list = findings_text(r);
  GString *q = g_string_new("\ntypoguard: check the recipients before this message is sent\n");
  g_string_append(q, list);
  GString *keys = g_string_new("a");
  if (can_fix)
    g_string_append(q, "[f] fix and send   "), g_string_append_c(keys, 'f');
  if (can_send)
    g_string_append(q, "[s] send anyway   "), g_string_append_c(keys, 's');
  g_string_append(q, "[a] abort");
  if (!can_send)
    g_string_append(q, "\n(a block cannot be sent as it is: allow_override is off)");
  g_string_append(q, "\nyour choice: ");
  char c = tg_tty_ask(tty, q->str, keys->str, 'a');
  g_string_free(q, TRUE);
  g_string_free(keys, TRUE);
  return c == 'f' ? DO_FIX : c == 's' ? DO_SEND : DO_ABORT;
}

/* ---- the fix ---------------------------------------------------------------------------- */

/* Corrected address for a bare address (lower case), from every warn or block finding that has
 * one (a recipient word may hold a list, each of its mailboxes with its own finding); the most
 * severe finding of an address speaks for it. */
static GHashTable *fix_map(const Run *r) {
  GHashTable *map = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  for (guint i = 0; i < r->result->findings->len; i++) {
    const TgFinding *f = g_ptr_array_index(r->result->findings, i);
    if (f->severity < TG_SEVERITY_WARN || !f->suggestion || !f->address)
      continue;
    g_autofree char *key = g_ascii_strdown(f->address, -1);
    if (!g_hash_table_contains(map, key))
      g_hash_table_insert(map, g_steal_pointer(&key), f->suggestion);
  }
  return map;
}

/* Applies every fix to the recipient words and the To/Cc/Bcc mailboxes. */
static bool apply_fixes(Run *r, GError **error) {
  g_autoptr(GHashTable) map = fix_map(r);
  for (guint i = 0; i < r->rcpts->len; i++) {
    Rcpt *rc = &g_array_index(r->rcpts, Rcpt, i);
    if (rc->word < 0)
      continue;
    char **word = (char **)&g_ptr_array_index(r->args->words, (guint)rc->word);
    GHashTableIter it;
    gpointer from, to;
    g_hash_table_iter_init(&it, map);
    while (g_hash_table_iter_next(&it, &from, &to)) {
      char *fixed = tg_sendmail_replace_address(*word, strlen(*word), from, to, NULL);
      if (fixed) {
        g_free(*word);
        *word = fixed;
      }
    }
  }
  g_autoptr(GArray) edits = g_array_new(FALSE, TRUE, sizeof(TgSpoolEdit));
  for (guint i = 0; i < r->header_mailboxes->len; i++) {
    const TgHeaderMailbox *m = g_ptr_array_index(r->header_mailboxes, i);
    g_autofree char *key = bare_key(m->text);
    const char *to = key ? g_hash_table_lookup(map, key) : NULL;
    if (!to)
      continue;
    size_t at = 0;
    g_autofree char *raw =
        tg_sendmail_replace_address(r->spool->header + m->offset, m->len, key, to, &at);
    TgSpoolEdit e;
    if (raw) {
      e = (TgSpoolEdit){.offset = m->offset + at, .len = strlen(key), .text = g_strdup(to)};
    } else {
      /* The address is folded across lines: the mailbox is written again, its name kept. */
      g_autoptr(TgMailbox) mb = tg_mailbox_parse(m->text, strlen(m->text), NULL);
      e = (TgSpoolEdit){.offset = m->offset,
                        .len = m->len,
                        .text = tg_mailbox_format(mb ? mb->display_name : NULL, to)};
    }
    g_array_append_val(edits, e);
  }
  bool ok = true;
  if (edits->len) {
    TgSpool *fixed = tg_spool_rewrite(r->spool, edits, error);
    if (fixed) {
      tg_spool_free(r->spool);
      r->spool = fixed;
    } else {
      ok = false;
    }
  }
  for (guint i = 0; i < edits->len; i++)
    g_free(g_array_index(edits, TgSpoolEdit, i).text);
  return ok;
}

/* ---- sending ---------------------------------------------------------------------------- */

static bool same_file(const char *a, const char *b) {
  g_autofree char *ra = realpath(a, NULL);
  g_autofree char *rb = realpath(b, NULL);
  return ra && rb && strcmp(ra, rb) == 0;
}

/* The real sendmail's command line followed by our (possibly corrected) arguments. */
static char **real_command(const Run *r, GError **error) {
  const char *setting = r->session->settings->sendmail;
  g_auto(GStrv) cmd = NULL;
  if (!g_shell_parse_argv(setting ? setting : TG_SENDMAIL_DEFAULT, NULL, &cmd, error))
    return NULL;
  g_autofree char *path = g_find_program_in_path(cmd[0]);
  if (!path) {
    g_set_error(error, G_SPAWN_ERROR, G_SPAWN_ERROR_NOENT, "%s not found (setting sendmail%s)",
                cmd[0], setting ? "" : " not set: the default");
    return NULL;
  }
  if (same_file(path, "/proc/self/exe")) {
    g_set_error(error, G_SPAWN_ERROR, G_SPAWN_ERROR_FAILED,
                "the setting sendmail names typoguard-sendmail itself (%s): set it to the real "
                "sendmail or msmtp",
                path);
    return NULL;
  }
  GPtrArray *argv = g_ptr_array_new();
  g_ptr_array_add(argv, g_strdup(path));
  for (guint i = 1; cmd[i]; i++)
    g_ptr_array_add(argv, g_strdup(cmd[i]));
  for (guint i = 0; i < r->args->words->len; i++)
    g_ptr_array_add(argv, g_strdup(g_ptr_array_index(r->args->words, i)));
  g_ptr_array_add(argv, NULL);
  return (char **)g_ptr_array_free(argv, FALSE);
}

/* Runs the real sendmail with `in` as its stdin; returns its exit status. */
static int run_real(Run *r, int in) {
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) argv = real_command(r, &error);
  if (!argv) {
    g_printerr(PROG ": %s; not sent\n", error->message);
    return TG_SM_EXIT_UNAVAILABLE;
  }
  GPid pid = 0;
  /* GLib leaves a descriptor 0 alone only when told to inherit it (else /dev/null). */
  GSpawnFlags flags = G_SPAWN_DO_NOT_REAP_CHILD | (in == 0 ? G_SPAWN_CHILD_INHERITS_STDIN : 0);
  if (!g_spawn_async_with_fds(NULL, argv, NULL, flags, NULL, NULL, &pid, in == 0 ? -1 : in, -1, -1,
                              &error)) {
    g_printerr(PROG ": cannot run %s: %s; not sent\n", argv[0], error->message);
    return TG_SM_EXIT_UNAVAILABLE;
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) {
      g_printerr(PROG ": lost %s: %s; the message may not have been sent\n", argv[0],
                 g_strerror(errno));
      return TG_SM_EXIT_TEMPFAIL;
    }
  }
  if (WIFSIGNALED(status)) {
    g_printerr(PROG ": %s died of signal %d; the message may not have been sent\n", argv[0],
               WTERMSIG(status));
    return TG_SM_EXIT_TEMPFAIL;
  }
  return WEXITSTATUS(status);
}

static int send_message(Run *r) {
  if (lseek(r->spool->fd, 0, SEEK_SET) != 0) {
    g_printerr(PROG ": cannot rewind the temporary file: %s; not sent\n", g_strerror(errno));
    return TG_SM_EXIT_IOERR;
  }
  return run_real(r, r->spool->fd);
}

/* Learns the recipients as sent, except those whose warn or block was sent anyway. */
static void learn(const Run *r, bool fixed) {
  const TgSettings *s = r->session->settings;
  if (!s->learn || !r->session->history)
    return;
  g_autoptr(GPtrArray) addrs = g_ptr_array_new_with_free_func(g_free);
  for (guint i = 0; i < r->rcpts->len; i++) {
    const Rcpt *rc = &g_array_index(r->rcpts, Rcpt, i);
    if (rc->flagged && !(fixed && rc->fix_from))
      continue;
    if (rc->flagged)
      g_ptr_array_add(addrs, g_strdup(rc->fix_to));
    else
      bare_addresses(rc->text, addrs);
  }
  if (addrs->len == 0)
    return;
  g_autoptr(GError) error = NULL;
  unsigned count = 0;
  if (!tg_history_learn(r->session->history, (const char *const *)addrs->pdata, addrs->len, &count,
                        &error))
    g_printerr(PROG ": sent, but not learned: %s\n", error->message);
}

/* ---- the program ------------------------------------------------------------------------ */

static int decide_and_send(Run *r) {
  const TgSettings *s = r->session->settings;
  TgSeverity verdict = r->result->verdict;
  bool fixed = false;
  if (verdict >= TG_SEVERITY_WARN) {
    g_autofree char *how = NULL;
    int tty = tg_tty_open(&how);
    bool can_send = verdict < TG_SEVERITY_BLOCK || s->allow_override;
    if (tty < 0) {
      g_autofree char *list = findings_text(r);
      g_printerr(PROG ": %s\n%s", how, list);
      if (!can_send || s->sendmail_warn_abort) {
        g_printerr(PROG ": not sent (%s)\n",
                   can_send ? "sendmail_on_warn = abort" : "a block, and no terminal to ask on");
        return TG_SM_EXIT_NOT_SENT;
      }
      g_printerr(PROG ": sent despite the warning (sendmail_on_warn = send)\n");
    } else {
      Decision d = ask(r, tty, can_send, fix_possible(r, s->allow_override));
      close(tty);
      if (d == DO_ABORT) {
        g_printerr(PROG ": not sent (aborted at the question)\n");
        return TG_SM_EXIT_NOT_SENT;
      }
      if (d == DO_FIX) {
        g_autoptr(GError) error = NULL;
        if (!apply_fixes(r, &error)) {
          g_printerr(PROG ": cannot correct the message: %s; not sent\n", error->message);
          return TG_SM_EXIT_IOERR;
        }
        fixed = true;
      }
    }
  }
  int status = send_message(r);
  if (status == 0)
    learn(r, fixed);
  return status;
}

static const char kUsage[] =
    "usage: " PROG " [sendmail options: -t -i -oi -f ADDR -F NAME ...] [--] [RECIPIENT...]\n"
    "Checks the recipients of the message on stdin with typoguard, asks on your terminal on a\n"
    "warning or block ([f]ix and send, [s]end anyway, [a]bort), then runs the real sendmail\n"
    "(setting sendmail in ~/.config/typoguard/typoguard.conf; default " TG_SENDMAIL_DEFAULT ").\n"
    "See man typoguard-sendmail.\n";

int tg_sendmail_run(int argc, char **argv, int in) {
  /* Alone, these are ours (a sendmail has no such options; msmtp's go to msmtp otherwise). */
  if (argc == 2 && strcmp(argv[1], "--version") == 0) {
    printf(PROG " %s (libtypoguard %s)\n", TYPOGUARD_VERSION, tg_version());
    return 0;
  }
  if (argc == 2 && strcmp(argv[1], "--help") == 0) {
    fputs(kUsage, stdout);
    return 0;
  }
  Run r = {0};
  g_autoptr(GError) error = NULL;
  r.args = tg_sendmail_args_parse(argc, argv, &error);
  if (!r.args) {
    g_printerr(PROG ": %s\n", error->message);
    return TG_SM_EXIT_USAGE;
  }
  if (r.args->passthrough) {
    r.session = tg_session_new(NULL);
    int status = run_real(&r, in);
    run_clear(&r);
    return status;
  }
  r.spool = tg_spool_new(in, &error);
  if (!r.spool) {
    g_printerr(PROG ": %s; not sent\n", error->message);
    run_clear(&r);
    return TG_SM_EXIT_IOERR;
  }
  r.rcpts = g_array_new(FALSE, TRUE, sizeof(Rcpt));
  g_array_set_clear_func(r.rcpts, rcpt_clear);
  r.session = tg_session_new(NULL);
  for (guint i = 0; i < r.session->warnings->len; i++)
    g_printerr(PROG ": %s\n", (const char *)g_ptr_array_index(r.session->warnings, i));
  int status = TG_SM_EXIT_NOT_SENT;
  if (gather(&r) && check(&r))
    status = decide_and_send(&r);
  run_clear(&r);
  return status;
}
