/* fuzz_detect.c — libFuzzer target for the detector (tg_check) on arbitrary recipients, senders,
 * address books, organisation, trusted and blocked lists, history and levels.
 *
 * Owns the properties of a result, for any request:
 *   - the verdict is the most severe finding's severity (ok without findings); every finding
 *     points at a real recipient with that recipient's field, has a known code and severity, a
 *     confidence in [0,1], a non-empty message, and valid UTF-8 in every string; findings are
 *     grouped by recipient in request order;
 *   - the same context and request give the same findings again (the core is deterministic);
 *   - a suggestion is a valid address (the mailbox parser accepts it as exactly itself), differs
 *     from what was typed, and the replacement holds it; checked again in place of the original
 *     recipient (the replacement, which keeps the recipient's other mailboxes), with everything
 *     else unchanged, the suggested address gets no finding of the same code — a correction that
 *     is itself flagged the same way would send the user in circles.
 *
 * Input: lines. Line 1 is the sender ("-" for none). Line 2 is the context in the format of
 * tests/cases/detect.tsv (`known=D;addr=MAILBOX;org=D;ctx_trusted=D;history=A;…`, see
 * tests/unit/detect_cases.h), plus `together=A,B,…` (addresses learned as one message's
 * recipients). Every further line is one recipient (at most MAX_RECIPIENTS), its
 * field cycling through to, cc, bcc, replyTo, followupTo. Seeds: every detect.tsv case (seeds.py).
 */
#include "fuzz_common.h"

#include "finding.h"
#include "mailbox.h"
#include "typoguard.h"

#define MAX_RECIPIENTS 32u
#define MAX_CONTEXT_ITEMS 64u

typedef struct {
  GPtrArray *known, *addrs, *org, *trusted, *blocked, *blocked_tlds;
} Lists;

static void lists_clear(Lists *l) {
  g_ptr_array_unref(l->known);
  g_ptr_array_unref(l->addrs);
  g_ptr_array_unref(l->org);
  g_ptr_array_unref(l->trusted);
  g_ptr_array_unref(l->blocked);
  g_ptr_array_unref(l->blocked_tlds);
}

static TgStrings strings_of(const GPtrArray *a) {
  return (TgStrings){.items = (const char *const *)a->pdata, .len = a->len};
}

/* Applies the detect.tsv context items: request lists go to `l`, context items to `ctx`. */
static void apply_context(char *context, TgContext *ctx, Lists *l, TgRequest *req) {
  g_auto(GStrv) items = g_strsplit(context, ";", (gint)MAX_CONTEXT_ITEMS);
  TgLevel ext = TG_LEVEL_OFF, fc = TG_LEVEL_INFO;
  for (unsigned i = 0; items[i]; i++) {
    char *kv = items[i];
    char *eq = strchr(kv, '=');
    if (!eq)
      continue;
    *eq = '\0';
    char *v = g_strdup(eq + 1);
    /* The lists keep pointers: park the value in one of them, or free it. */
    GPtrArray *to = NULL;
    if (!strcmp(kv, "known"))
      to = l->known;
    else if (!strcmp(kv, "addr"))
      to = l->addrs;
    else if (!strcmp(kv, "org"))
      to = l->org;
    else if (!strcmp(kv, "trusted"))
      to = l->trusted;
    else if (!strcmp(kv, "blocked"))
      to = l->blocked;
    else if (!strcmp(kv, "blocked_tld"))
      to = l->blocked_tlds;
    else if (!strcmp(kv, "ctx_org"))
      tg_context_add_domain(ctx, v, TG_SOURCE_ORG);
    else if (!strcmp(kv, "ctx_trusted"))
      tg_context_add_domain(ctx, v, TG_SOURCE_TRUSTED);
    else if (!strcmp(kv, "ctx_blocked"))
      tg_context_add_blocked(ctx, v);
    else if (!strcmp(kv, "history"))
      tg_context_add_history(ctx, v, 1);
    else if (!strcmp(kv, "together")) { /* one message's recipients, learned together */
      g_auto(GStrv) all = g_strsplit(v, ",", 64);
      tg_context_add_corecipients(ctx, (const char *const *)all, g_strv_length(all), 1);
    } else if (!strcmp(kv, "external"))
      tg_level_from_name(v, &ext);
    else if (!strcmp(kv, "first_contact"))
      tg_level_from_name(v, &fc);
    if (to)
      g_ptr_array_add(to, v);
    else
      g_free(v);
  }
  tg_context_set_levels(ctx, ext, fc);
  req->known_domains = strings_of(l->known);
  req->known_addresses = strings_of(l->addrs);
  req->org_domains = strings_of(l->org);
  req->trusted_domains = strings_of(l->trusted);
  req->blocked_domains = strings_of(l->blocked);
  req->blocked_tlds = strings_of(l->blocked_tlds);
}

static void check_result(const TgRequest *req, const TgResult *res) {
  REQUIRE(res && res->findings);
  TgSeverity worst = TG_SEVERITY_OK;
  size_t last_recipient = 0;
  for (guint i = 0; i < res->findings->len; i++) {
    const TgFinding *f = g_ptr_array_index(res->findings, i);
    REQUIRE(f->recipient < req->n_recipients);
    REQUIRE(f->recipient >= last_recipient); /* grouped, in request order */
    last_recipient = f->recipient;
    REQUIRE(f->field == req->recipients[f->recipient].field);
    REQUIRE((unsigned)f->code < TG_CODE_COUNT);
    REQUIRE((unsigned)f->severity <= TG_SEVERITY_BLOCK);
    REQUIRE(f->confidence >= 0.0 && f->confidence <= 1.0);
    REQUIRE(f->message && f->message[0] && g_utf8_validate(f->message, -1, NULL));
    REQUIRE(f->address && g_utf8_validate(f->address, -1, NULL));
    REQUIRE(!f->domain || g_utf8_validate(f->domain, -1, NULL));
    REQUIRE(!f->replacement || f->suggestion);
    worst = MAX(worst, f->severity);
  }
  REQUIRE_MSG(res->verdict == worst, "verdict %s, worst finding %s", tg_severity_name(res->verdict),
              tg_severity_name(worst));
}

static bool same_findings(const TgResult *a, const TgResult *b) {
  if (a->verdict != b->verdict || a->findings->len != b->findings->len)
    return false;
  for (guint i = 0; i < a->findings->len; i++) {
    const TgFinding *x = g_ptr_array_index(a->findings, i), *y = g_ptr_array_index(b->findings, i);
    if (x->recipient != y->recipient || x->code != y->code || x->severity != y->severity ||
        x->confidence != y->confidence || g_strcmp0(x->suggestion, y->suggestion) != 0 ||
        g_strcmp0(x->replacement, y->replacement) != 0 || g_strcmp0(x->message, y->message) != 0)
      return false;
  }
  return true;
}

/* The suggestion is a plain valid address and the replacement a mailbox (list) that holds it. */
static void check_suggestion_form(const TgFinding *f) {
  g_autoptr(GError) error = NULL;
  g_autoptr(TgMailbox) mb = tg_mailbox_parse(f->suggestion, strlen(f->suggestion), &error);
  REQUIRE_MSG(mb != NULL, "suggestion '%s' (%s) does not parse: %s", f->suggestion,
              tg_code_name(f->code), error->message);
  REQUIRE_MSG(strcmp(mb->address, f->suggestion) == 0 && mb->display_name == NULL,
              "suggestion '%s' is not a bare address", f->suggestion);
  REQUIRE_MSG(g_ascii_strcasecmp(f->suggestion, f->address) != 0,
              "suggestion '%s' repeats the address (%s)", f->suggestion, tg_code_name(f->code));
  if (f->replacement) {
    g_autoptr(GPtrArray) list = tg_mailbox_parse_list(f->replacement, strlen(f->replacement), NULL);
    bool holds = false;
    for (guint k = 0; list && k < list->len; k++)
      holds =
          holds || strcmp(((TgMailbox *)g_ptr_array_index(list, k))->address, f->suggestion) == 0;
    REQUIRE_MSG(holds, "replacement '%s' does not hold suggestion '%s'", f->replacement,
                f->suggestion);
  }
}

/* Checks the suggestion in place of the recipient it corrects. */
static void recheck_suggestion(const TgContext *ctx, const TgRequest *req, const TgFinding *f) {
  g_autofree TgRecipient *rcpt = g_memdup2(req->recipients, req->n_recipients * sizeof *rcpt);
  const char *fixed = f->replacement ? f->replacement : f->suggestion;
  rcpt[f->recipient].address = fixed;
  TgRequest again = *req;
  again.recipients = rcpt;
  g_autoptr(TgResult) res = tg_check(ctx, &again);
  check_result(&again, res);
  for (guint i = 0; i < res->findings->len; i++) {
    const TgFinding *g = g_ptr_array_index(res->findings, i);
    /* A recipient can hold several mailboxes ("a@x, b@y"); only the corrected one counts. */
    REQUIRE_MSG(g->recipient != f->recipient || g->code != f->code ||
                    g_ascii_strcasecmp(g->address, f->suggestion) != 0,
                "'%s' -> %s suggests '%s', which is again %s (%s)",
                req->recipients[f->recipient].address, tg_code_name(f->code), fixed,
                tg_code_name(g->code), g->message);
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fuzz_quiet();
  g_autofree char *text = g_strndup((const char *)data, size);
  g_auto(GStrv) lines = g_strsplit(text, "\n", (gint)MAX_RECIPIENTS + 2);
  if (!lines[0] || !lines[1])
    return 0;

  g_autoptr(TgContext) ctx = tg_context_new(fuzz_psl());
  TgRequest req;
  tg_request_init(&req);
  Lists l = {g_ptr_array_new_with_free_func(g_free), g_ptr_array_new_with_free_func(g_free),
             g_ptr_array_new_with_free_func(g_free), g_ptr_array_new_with_free_func(g_free),
             g_ptr_array_new_with_free_func(g_free), g_ptr_array_new_with_free_func(g_free)};
  apply_context(lines[1], ctx, &l, &req);
  req.sender = strcmp(lines[0], "-") != 0 ? lines[0] : NULL;

  g_autofree TgRecipient *rcpt = g_new0(TgRecipient, MAX_RECIPIENTS + 1);
  size_t n = 0;
  for (unsigned i = 2; lines[i] && n < MAX_RECIPIENTS; i++, n++) {
    rcpt[n].field = (TgField)(n % TG_FIELD_COUNT);
    rcpt[n].address = lines[i];
  }
  req.recipients = rcpt;
  req.n_recipients = n;

  g_autoptr(TgResult) res = tg_check(ctx, &req);
  check_result(&req, res);
  g_autoptr(TgResult) res2 = tg_check(ctx, &req);
  REQUIRE_MSG(same_findings(res, res2), "a second check of the same request differs");

  for (guint i = 0; i < res->findings->len; i++) {
    const TgFinding *f = g_ptr_array_index(res->findings, i);
    if (!f->suggestion)
      continue;
    check_suggestion_form(f);
    recheck_suggestion(ctx, &req, f);
  }
  lists_clear(&l);
  return 0;
}
