/* detect_cases.h — the shared case corpus (tests/cases/detect.tsv): loading and running one
 * case through the public API. Used by test_detect.c and the benchmarks, so both measure the same
 * thing. Header-only (static functions) to stay out of the libraries.
 *
 * Format: one case a line, tab-separated, `#` starts a comment line:
 *   sender   context   address   expect   suggestion   note
 * sender      a mailbox or `-`
 * context     `-` or `;`-separated key=value items that set up the request or context:
 *             known=D  addr=MAILBOX  org=D  trusted=D  blocked=D  blocked_tld=T  (request lists)
 *             ctx_org=D  ctx_trusted=D  ctx_blocked=D  history=ADDRESS          (context)
 *             external=off|info|warn  first_contact=off|info|warn            (levels)
 * address     the recipient exactly as the client holds it
 * expect      a finding code that must be reported at warn or block (info for external and
 *             first_contact when their level is info), or `-`: no warn or block finding at all.
 *             A leading `?` marks a known miss: counted in the rates, not asserted.
 * suggestion  the expected suggestion of that finding, `-` for "not checked", `none` for "must
 *             have no suggestion"
 */
#ifndef TG_DETECT_CASES_H
#define TG_DETECT_CASES_H

#include <libpsl.h>
#include <stdio.h>
#include <string.h>

#include "finding.h"
#include "typoguard.h"

typedef struct {
  char *sender, *context, *address, *expect, *suggestion, *note;
  unsigned line;
} TgCase;

G_GNUC_UNUSED static void tg_case_free(TgCase *c) {
  if (!c)
    return;
  g_free(c->sender);
  g_free(c->context);
  g_free(c->address);
  g_free(c->expect);
  g_free(c->suggestion);
  g_free(c->note);
  g_free(c);
}

G_GNUC_UNUSED static GPtrArray *tg_cases_load(const char *path, GError **error) {
  g_autofree char *text = NULL;
  if (!g_file_get_contents(path, &text, NULL, error))
    return NULL;
  GPtrArray *cases = g_ptr_array_new_with_free_func((GDestroyNotify)tg_case_free);
  g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
  for (unsigned i = 0; lines[i]; i++) {
    const char *l = lines[i];
    if (!*l || *l == '#')
      continue;
    g_auto(GStrv) col = g_strsplit(l, "\t", 6);
    if (g_strv_length(col) < 5) {
      g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s:%u: fewer than 5 columns", path,
                  i + 1);
      g_ptr_array_unref(cases);
      return NULL;
    }
    TgCase *c = g_new0(TgCase, 1);
    c->sender = strcmp(col[0], "-") ? g_strdup(col[0]) : NULL;
    c->context = strcmp(col[1], "-") ? g_strdup(col[1]) : NULL;
    c->address = g_strdup(col[2]);
    c->expect = g_strdup(col[3]);
    c->suggestion = g_strdup(col[4]);
    c->note = g_strdup(col[5] ? col[5] : "");
    c->line = i + 1;
    g_ptr_array_add(cases, c);
  }
  return cases;
}

G_GNUC_UNUSED static bool tg_case_positive(const TgCase *c) {
  const char *e = c->expect[0] == '?' ? c->expect + 1 : c->expect;
  return strcmp(e, "-") != 0;
}

G_GNUC_UNUSED static bool tg_case_known_miss(const TgCase *c) {
  return c->expect[0] == '?';
}

/* How a case's known addresses (addr=) reach tg_check: in the request's known_addresses, as a
 * digested book (TgBook), or the first half as a book and the rest in the request. */
typedef enum { TG_CASE_KNOWN, TG_CASE_BOOK, TG_CASE_SPLIT } TgCaseBook;

/* Runs one case; returns whether it passed and a one-line account of what was found in *got. */
G_GNUC_UNUSED static bool tg_case_run_as(const psl_ctx_t *psl, const TgCase *c, char **got,
                                         TgCaseBook how) {
  g_autoptr(TgContext) ctx = tg_context_new(psl);
  TgRequest req;
  tg_request_init(&req);
  g_autoptr(GPtrArray) known = g_ptr_array_new(), addrs = g_ptr_array_new(),
                       org = g_ptr_array_new(), trusted = g_ptr_array_new(),
                       blocked = g_ptr_array_new(), blocked_tlds = g_ptr_array_new();
  g_auto(GStrv) items = g_strsplit(c->context ? c->context : "", ";", -1);
  TgLevel ext = TG_LEVEL_OFF, fc = TG_LEVEL_INFO;
  for (unsigned i = 0; items[i]; i++) {
    char *kv = g_strstrip(items[i]);
    char *eq = strchr(kv, '=');
    if (!eq)
      continue;
    *eq = '\0';
    const char *v = eq + 1;
    if (!strcmp(kv, "known"))
      g_ptr_array_add(known, (gpointer)v);
    else if (!strcmp(kv, "addr"))
      g_ptr_array_add(addrs, (gpointer)v);
    else if (!strcmp(kv, "org"))
      g_ptr_array_add(org, (gpointer)v);
    else if (!strcmp(kv, "trusted"))
      g_ptr_array_add(trusted, (gpointer)v);
    else if (!strcmp(kv, "blocked"))
      g_ptr_array_add(blocked, (gpointer)v);
    else if (!strcmp(kv, "blocked_tld"))
      g_ptr_array_add(blocked_tlds, (gpointer)v);
    else if (!strcmp(kv, "ctx_org"))
      tg_context_add_domain(ctx, v, TG_SOURCE_ORG);
    else if (!strcmp(kv, "ctx_trusted"))
      tg_context_add_domain(ctx, v, TG_SOURCE_TRUSTED);
    else if (!strcmp(kv, "ctx_blocked"))
      tg_context_add_blocked(ctx, v);
    else if (!strcmp(kv, "history"))
      tg_context_add_history(ctx, v, 1);
    else if (!strcmp(kv, "external"))
      tg_level_from_name(v, &ext);
    else if (!strcmp(kv, "first_contact"))
      tg_level_from_name(v, &fc);
  }
  tg_context_set_levels(ctx, ext, fc);
#define TG_CASE_LIST_(field, arr) req.field = (TgStrings){(const char *const *)arr->pdata, arr->len}
  TG_CASE_LIST_(known_domains, known);
  guint in_book = how == TG_CASE_BOOK ? addrs->len : how == TG_CASE_SPLIT ? addrs->len / 2 : 0;
  g_autoptr(TgBook) book =
      how == TG_CASE_KNOWN ? NULL : tg_book_new(psl, (const char *const *)addrs->pdata, in_book);
  req.book = book;
  req.known_addresses =
      (TgStrings){(const char *const *)addrs->pdata + in_book, addrs->len - in_book};
  TG_CASE_LIST_(org_domains, org);
  TG_CASE_LIST_(trusted_domains, trusted);
  TG_CASE_LIST_(blocked_domains, blocked);
  TG_CASE_LIST_(blocked_tlds, blocked_tlds);
#undef TG_CASE_LIST_
  req.sender = c->sender;
  TgRecipient r = {TG_FIELD_TO, c->address};
  req.recipients = &r;
  req.n_recipients = 1;
  g_autoptr(TgResult) res = tg_check(ctx, &req);

  GString *acc = g_string_new(NULL);
  const char *want = c->expect[0] == '?' ? c->expect + 1 : c->expect;
  bool pass;
  if (!tg_case_positive(c)) {
    pass = true;
    for (guint i = 0; i < res->findings->len; i++) {
      const TgFinding *f = g_ptr_array_index(res->findings, i);
      if (f->severity >= TG_SEVERITY_WARN)
        pass = false;
    }
  } else {
    pass = false;
    for (guint i = 0; i < res->findings->len; i++) {
      const TgFinding *f = g_ptr_array_index(res->findings, i);
      bool info_ok = f->code == TG_CODE_EXTERNAL || f->code == TG_CODE_FIRST_CONTACT;
      if (strcmp(tg_code_name(f->code), want) != 0 ||
          f->severity < (info_ok ? TG_SEVERITY_INFO : TG_SEVERITY_WARN))
        continue;
      if (!strcmp(c->suggestion, "-") || (!strcmp(c->suggestion, "none") && !f->suggestion) ||
          (f->suggestion && !strcmp(c->suggestion, f->suggestion)))
        pass = true;
    }
  }
  for (guint i = 0; i < res->findings->len; i++) {
    const TgFinding *f = g_ptr_array_index(res->findings, i);
    g_string_append_printf(acc, "%s%s/%s->%s", i ? ", " : "", tg_code_name(f->code),
                           tg_severity_name(f->severity), f->suggestion ? f->suggestion : "none");
  }
  if (acc->len == 0)
    g_string_append(acc, "nothing");
  *got = g_string_free(acc, FALSE);
  return pass;
}

G_GNUC_UNUSED static bool tg_case_run(const psl_ctx_t *psl, const TgCase *c, char **got) {
  return tg_case_run_as(psl, c, got, TG_CASE_KNOWN);
}

#endif
