/* wrongaddr_cases.h — the wrong_address case table (tests/cases/wrongaddr.tsv): loading one
 * case, building its context and request, and judging tg_check's answer. Shared by
 * test_wrongaddr.c and bench_wrongaddr.c so the benchmark times the behaviour the tests prove.
 * Header-only (static functions) to stay out of the libraries. Format: see the .tsv's header. */
#ifndef TG_WRONGADDR_CASES_H
#define TG_WRONGADDR_CASES_H

#include <libpsl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "finding.h"
#include "typoguard.h"

typedef struct {
  char *sender;
  GStrv org;       /* request org_domains */
  GStrv book;      /* known.addresses */
  GPtrArray *sets; /* of GStrv: co-recipient sets learned earlier */
  GArray *counts;  /* of unsigned, per set */
  GStrv recipients;
  char *expect; /* "-", "warn@N", "info@N" */
  char *suggestion, *replacement, *message, *note;
  unsigned line;
} TgWaCase;

G_GNUC_UNUSED static void tg_wa_case_free(TgWaCase *c) {
  if (!c)
    return;
  g_free(c->sender);
  g_strfreev(c->org);
  g_strfreev(c->book);
  g_ptr_array_unref(c->sets);
  g_array_unref(c->counts);
  g_strfreev(c->recipients);
  g_free(c->expect);
  g_free(c->suggestion);
  g_free(c->replacement);
  g_free(c->message);
  g_free(c->note);
  g_free(c);
}

static GStrv tg_wa_split(const char *col, const char *sep) {
  if (strcmp(col, "-") == 0)
    return g_new0(char *, 1);
  return g_strsplit(col, sep, -1);
}

G_GNUC_UNUSED static GPtrArray *tg_wa_cases_load(const char *path, GError **error) {
  g_autofree char *text = NULL;
  if (!g_file_get_contents(path, &text, NULL, error))
    return NULL;
  GPtrArray *cases = g_ptr_array_new_with_free_func((GDestroyNotify)tg_wa_case_free);
  g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
  for (unsigned i = 0; lines[i]; i++) {
    const char *l = lines[i];
    if (!*l || *l == '#')
      continue;
    g_auto(GStrv) col = g_strsplit(l, "\t", 10);
    if (g_strv_length(col) < 9) {
      g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s:%u: fewer than 9 columns", path,
                  i + 1);
      g_ptr_array_unref(cases);
      return NULL;
    }
    TgWaCase *c = g_new0(TgWaCase, 1);
    c->line = i + 1;
    c->sender = strcmp(col[0], "-") ? g_strdup(col[0]) : NULL;
    c->org = g_new0(char *, 1);
    g_auto(GStrv) opts = tg_wa_split(col[1], ",");
    for (unsigned k = 0; opts[k]; k++)
      if (g_str_has_prefix(opts[k], "org=")) {
        guint n = g_strv_length(c->org);
        c->org = g_renew(char *, c->org, n + 2);
        c->org[n] = g_strdup(opts[k] + 4);
        c->org[n + 1] = NULL;
      }
    c->book = tg_wa_split(col[2], "|");
    c->sets = g_ptr_array_new_with_free_func((GDestroyNotify)g_strfreev);
    c->counts = g_array_new(FALSE, FALSE, sizeof(unsigned));
    g_auto(GStrv) sets = tg_wa_split(col[3], ";");
    for (unsigned k = 0; sets[k]; k++) {
      char *star = strrchr(sets[k], '*');
      unsigned count = 1;
      if (star) {
        count = (unsigned)strtoul(star + 1, NULL, 10);
        *star = '\0';
      }
      g_ptr_array_add(c->sets, g_strsplit(g_strstrip(sets[k]), "|", -1));
      g_array_append_val(c->counts, count);
    }
    c->recipients = tg_wa_split(col[4], "|");
    c->expect = g_strdup(col[5]);
    c->suggestion = g_strdup(col[6]);
    c->replacement = g_strdup(col[7]);
    c->message = g_strdup(col[8]);
    c->note = g_strdup(col[9] ? col[9] : "");
    g_ptr_array_add(cases, c);
  }
  return cases;
}

/* The context of a case: its history (each set's addresses learned, the set as co-recipients). */
G_GNUC_UNUSED static TgContext *tg_wa_context(const psl_ctx_t *psl, const TgWaCase *c) {
  TgContext *ctx = tg_context_new(psl);
  for (guint k = 0; k < c->sets->len; k++) {
    GStrv set = g_ptr_array_index(c->sets, k);
    unsigned count = g_array_index(c->counts, unsigned, k);
    for (unsigned j = 0; set[j]; j++)
      tg_context_add_history(ctx, set[j], count);
    tg_context_add_corecipients(ctx, (const char *const *)set, g_strv_length(set), count);
  }
  return ctx;
}

/* Fills `req` from the case; `rcpt` must hold g_strv_length(c->recipients) entries and outlive
 * the request. */
G_GNUC_UNUSED static void tg_wa_request(const TgWaCase *c, TgRequest *req, TgRecipient *rcpt) {
  tg_request_init(req);
  req->sender = c->sender;
  guint n = g_strv_length(c->recipients);
  for (guint i = 0; i < n; i++)
    rcpt[i] = (TgRecipient){i == 0 ? TG_FIELD_TO : TG_FIELD_CC, c->recipients[i]};
  req->recipients = rcpt;
  req->n_recipients = n;
  req->known_addresses = (TgStrings){(const char *const *)c->book, g_strv_length(c->book)};
  req->org_domains = (TgStrings){(const char *const *)c->org, g_strv_length(c->org)};
}

/* Judges a result; returns whether it is what the case expects, with an account in *got. */
G_GNUC_UNUSED static bool tg_wa_judge(const TgWaCase *c, const TgResult *res, char **got) {
  GString *acc = g_string_new(NULL);
  const TgFinding *wa = NULL;
  unsigned n_wa = 0;
  for (guint i = 0; i < res->findings->len; i++) {
    const TgFinding *f = g_ptr_array_index(res->findings, i);
    g_string_append_printf(acc, "%s[%zu %s/%s->%s \"%s\"]", acc->len ? " " : "", f->recipient,
                           tg_code_name(f->code), tg_severity_name(f->severity),
                           f->suggestion ? f->suggestion : "none",
                           f->replacement ? f->replacement : "");
    if (f->code == TG_CODE_WRONG_ADDRESS) {
      n_wa++;
      wa = f;
      g_string_append_printf(acc, " {%s}", f->message);
    }
  }
  if (acc->len == 0)
    g_string_append(acc, "nothing");
  *got = g_string_free(acc, FALSE);
  if (strcmp(c->expect, "-") == 0)
    return n_wa == 0;
  const char *at = strchr(c->expect, '@');
  if (!at || n_wa != 1)
    return false;
  g_autofree char *sev_name = g_strndup(c->expect, (gsize)(at - c->expect));
  TgSeverity sev;
  if (!tg_severity_from_name(sev_name, &sev) || wa->severity != sev ||
      wa->recipient != (size_t)strtoul(at + 1, NULL, 10))
    return false;
  if (wa->confidence <= 0 || wa->confidence > 1 || !wa->message)
    return false;
  if (strcmp(c->suggestion, "-") && g_strcmp0(c->suggestion, wa->suggestion))
    return false;
  if (strcmp(c->replacement, "-") && g_strcmp0(c->replacement, wa->replacement))
    return false;
  if (strcmp(c->message, "-") && g_strcmp0(c->message, wa->message))
    return false;
  return true;
}

#endif
