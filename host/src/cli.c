/* cli.c — the --check mode for people at a terminal and for scripts.
 *
 * Addresses come from the arguments, or one per line from stdin with `-` (any number of lines:
 * they are checked in batches of TG_MAX_RECIPIENTS, recipient numbers counting across batches).
 * Human output: one block per finding — severity, recipient, reason, suggestion — then a
 * verdict line. `--json` prints exactly one result object. Exit 0 ok/info, 1 warn, 2 block. */
#include "cli.h"

#include <stdio.h>
#include <string.h>

#include "protocol.h"

static void print_finding(const TgFinding *f, const char *raw) {
  g_autofree char *sev = g_ascii_strup(tg_severity_name(f->severity), -1);
  g_print("%-5s  %s (%s, %s)\n", sev, raw, tg_field_name(f->field), tg_code_name(f->code));
  g_print("       %s\n", f->message);
  if (f->replacement && f->suggestion && strcmp(f->replacement, f->suggestion) != 0)
    g_print("       suggestion: %s  (%s)\n", f->suggestion, f->replacement);
  else if (f->suggestion)
    g_print("       suggestion: %s\n", f->suggestion);
}

/* Reads stdin into `lines` (trailing CR/LF removed, blank lines skipped). */
static bool read_lines(GPtrArray *lines) {
  g_autoptr(GIOChannel) in = g_io_channel_unix_new(0);
  g_io_channel_set_encoding(in, NULL, NULL); /* bytes: the core judges the encoding */
  for (;;) {
    g_autofree char *line = NULL;
    gsize len = 0;
    g_autoptr(GError) error = NULL;
    GIOStatus st = g_io_channel_read_line(in, &line, &len, NULL, &error);
    if (st == G_IO_STATUS_EOF)
      return true;
    if (st == G_IO_STATUS_ERROR) {
      g_printerr("typoguard-host: cannot read stdin: %s\n", error->message);
      return false;
    }
    while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
      line[--len] = '\0';
    if (len > 0)
      g_ptr_array_add(lines, g_steal_pointer(&line));
  }
}

static TgStrings strv_strings(char **v) {
  return (TgStrings){.items = (const char *const *)v, .len = v ? g_strv_length(v) : 0};
}

int tg_cli_check(const TgCliOptions *opts) {
  g_autoptr(GPtrArray) addrs = g_ptr_array_new_with_free_func(g_free);
  guint nargs = opts->addresses ? g_strv_length(opts->addresses) : 0;
  if (nargs == 1 && strcmp(opts->addresses[0], "-") == 0) {
    if (!read_lines(addrs))
      return TG_EXIT_USAGE;
  } else {
    for (guint i = 0; i < nargs; i++)
      g_ptr_array_add(addrs, g_strdup(opts->addresses[i]));
  }
  if (addrs->len == 0) {
    g_printerr("typoguard-host: --check needs addresses (or - to read them from stdin)\n");
    return TG_EXIT_USAGE;
  }

  g_autoptr(TgSession) session = tg_session_new(opts->policy_path);
  for (guint i = 0; i < session->warnings->len; i++)
    g_printerr("typoguard-host: %s\n", (const char *)g_ptr_array_index(session->warnings, i));

  /* One merged result across batches. */
  TgResult all = {.verdict = TG_SEVERITY_OK, .findings = g_ptr_array_new()};
  g_autoptr(GPtrArray) batches = g_ptr_array_new_with_free_func((GDestroyNotify)tg_result_free);
  gint64 t0 = g_get_monotonic_time();
  for (guint start = 0; start < addrs->len; start += TG_MAX_RECIPIENTS) {
    guint n = MIN(addrs->len - start, TG_MAX_RECIPIENTS);
    g_autofree TgRecipient *rcpt = g_new0(TgRecipient, n);
    for (guint i = 0; i < n; i++) {
      rcpt[i].field = TG_FIELD_TO;
      rcpt[i].address = g_ptr_array_index(addrs, start + i);
    }
    TgRequest req;
    tg_request_init(&req);
    req.sender = opts->sender;
    req.recipients = rcpt;
    req.n_recipients = n;
    req.known_domains = strv_strings(opts->known_domains);
    req.known_addresses = strv_strings(opts->known_addresses);
    req.org_domains = strv_strings(opts->org_domains);
    TgResult *res = tg_check(session->ctx, &req);
    if (!res) {
      g_printerr("typoguard-host: internal error: the check returned nothing\n");
      g_ptr_array_unref(all.findings);
      return TG_EXIT_INTERNAL;
    }
    if (res->too_many) {
      g_printerr("typoguard-host: addresses %u to %u hold more than %u mailboxes: at most %u are "
                 "checked at once\n",
                 start + 1, start + n, TG_MAX_MAILBOXES, TG_MAX_MAILBOXES);
      tg_result_free(res);
      g_ptr_array_unref(all.findings);
      return TG_EXIT_USAGE;
    }
    for (guint i = 0; i < res->findings->len; i++) {
      TgFinding *f = g_ptr_array_index(res->findings, i);
      f->recipient += start;
      g_ptr_array_add(all.findings, f);
    }
    all.verdict = MAX(all.verdict, res->verdict);
    g_ptr_array_add(batches, res);
  }
  gint64 elapsed = g_get_monotonic_time() - t0;

  if (opts->json) {
    size_t len = 0;
    g_autofree char *txt = tg_protocol_result(NULL, &all, elapsed, G_MAXSIZE, &len);
    fwrite(txt, 1, len, stdout);
    fputc('\n', stdout);
  } else {
    for (guint i = 0; i < all.findings->len; i++) {
      const TgFinding *f = g_ptr_array_index(all.findings, i);
      print_finding(f, g_ptr_array_index(addrs, f->recipient));
    }
    guint flagged = 0;
    for (guint i = 0; i < all.findings->len; i++) {
      const TgFinding *f = g_ptr_array_index(all.findings, i);
      const TgFinding *prev = i ? g_ptr_array_index(all.findings, i - 1) : NULL;
      if (!prev || prev->recipient != f->recipient)
        flagged++;
    }
    g_print("verdict: %s (%u address%s checked, %u with findings)\n", tg_severity_name(all.verdict),
            addrs->len, addrs->len == 1 ? "" : "es", flagged);
  }
  g_ptr_array_unref(all.findings);
  if (fflush(stdout) != 0) {
    g_printerr("typoguard-host: cannot write the output\n");
    return TG_EXIT_INTERNAL;
  }
  switch (all.verdict) {
  case TG_SEVERITY_BLOCK: return TG_EXIT_BLOCK;
  case TG_SEVERITY_WARN: return TG_EXIT_WARN;
  default: return TG_EXIT_OK;
  }
}
