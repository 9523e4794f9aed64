/* lookalike_harness.c — the lookalike measurement of issue 13, through the public API only.
 *
 *   lookalike_harness CASES.tsv LEGIT.txt [--half tune|held|all] [--floor PCT] [--show-misses N]
 *
 * CASES.tsv (gen-cases.py): lookalikes of built-in and address-book domains made from Unicode's
 * confusables and the Unicode database. A case counts as caught when the check reports a warn or
 * block finding whose suggestion is the imitated domain (a lookalike of an address-book domain
 * must block). Prints, per kind (diacritic, whole-script, mixed-script, ascii, xn--), the rate for
 * the chosen half, and fails when a kind is below --floor. Cases whose address the domain parser
 * rejects (IDNA2008 forbids the glyph: such an address cannot be sent) and cases whose imitated
 * domain is no longer built in, or whose lookalike is itself a built-in domain (dia.mil for
 * dla.mil), are counted apart, not in the rate.
 * LEGIT.txt: real IDN domains that imitate nothing; every one must get no finding at all.
 * Both a Unicode and an xn-- form of every legitimate domain are checked. */
#include <libpsl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "typoguard.h"
#include "wellknown.h" /* only to set apart generated "lookalikes" that are real domains */

#define N_KINDS 5
static const char *const kinds[N_KINDS] = {"diacritic", "whole-script", "mixed-script", "ascii",
                                           "xn--"};

typedef struct {
  unsigned total, caught, rejected, stale, real;
} Tally;

static const TgFinding *first_warning(const TgResult *r) {
  for (guint i = 0; i < r->findings->len; i++) {
    const TgFinding *f = g_ptr_array_index(r->findings, i);
    if (f->severity >= TG_SEVERITY_WARN)
      return f;
  }
  return NULL;
}

static TgResult *check(const TgContext *ctx, const char *address, const char *known) {
  TgRequest req;
  tg_request_init(&req);
  req.first_contact = TG_LEVEL_OFF;
  req.flag_external = TG_LEVEL_OFF;
  const char *list[1] = {known};
  if (known)
    req.known_domains = (TgStrings){list, 1};
  TgRecipient r = {TG_FIELD_TO, address};
  req.recipients = &r;
  req.n_recipients = 1;
  return tg_check(ctx, &req);
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr,
            "usage: %s CASES.tsv LEGIT.txt [--half tune|held|all] [--floor PCT] "
            "[--show-misses N]\n",
            argv[0]);
    return 2;
  }
  const char *half = "all";
  double floor_pct = 0;
  int show = 0;
  for (int i = 3; i + 1 < argc; i += 2) {
    if (!strcmp(argv[i], "--half"))
      half = argv[i + 1];
    else if (!strcmp(argv[i], "--floor"))
      floor_pct = atof(argv[i + 1]);
    else if (!strcmp(argv[i], "--show-misses"))
      show = atoi(argv[i + 1]);
  }
  psl_ctx_t *psl = psl_latest(NULL);
  if (!psl)
    return 2;
  g_autoptr(TgContext) ctx = tg_context_new(psl);
  g_autofree char *text = NULL, *legit = NULL;
  g_autoptr(GError) err = NULL;
  if (!g_file_get_contents(argv[1], &text, NULL, &err) ||
      !g_file_get_contents(argv[2], &legit, NULL, &err)) {
    fprintf(stderr, "%s\n", err->message);
    return 2;
  }

  Tally t[N_KINDS] = {0};
  int shown = 0;
  g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
  for (size_t i = 0; lines[i]; i++) {
    if (!*lines[i] || lines[i][0] == '#')
      continue;
    g_auto(GStrv) col = g_strsplit(lines[i], "\t", 6);
    if (g_strv_length(col) < 5) {
      fprintf(stderr, "%s:%zu: fewer than 5 columns\n", argv[1], i + 1);
      return 2;
    }
    if (strcmp(half, "all") && strcmp(half, col[1]))
      continue;
    size_t k = 0;
    while (k < N_KINDS && strcmp(kinds[k], col[0]))
      k++;
    if (k == N_KINDS) {
      fprintf(stderr, "%s:%zu: unknown kind %s\n", argv[1], i + 1, col[0]);
      return 2;
    }
    bool book = !strcmp(col[2], "addressbook");
    if (!book) { /* still built in? (the lists change; the cases are generated once) */
      g_autofree char *real = g_strconcat("x@", col[3], NULL);
      g_autoptr(TgResult) r0 = check(ctx, real, NULL);
      if (first_warning(r0)) {
        t[k].stale++;
        continue;
      }
    }
    g_autofree char *addr = g_strconcat("x@", col[4], NULL);
    g_autofree char *want = g_strconcat("x@", col[3], NULL);
    if (tg_wellknown_find(col[4])) { /* itself a real built-in domain: dia.mil for dla.mil */
      t[k].real++;
      continue;
    }
    g_autoptr(TgResult) r = check(ctx, addr, book ? col[3] : NULL);
    const TgFinding *f = first_warning(r);
    if (f && f->code == TG_CODE_SYNTAX) {
      t[k].rejected++;
      continue;
    }
    t[k].total++;
    bool ok = false;
    for (guint j = 0; j < r->findings->len && !ok; j++) {
      const TgFinding *g = g_ptr_array_index(r->findings, j);
      /* An address-book lookalike blocks, except an all-ASCII one (it may be a registered
       * neighbour: detect.c's rule_homoglyph), which warns like a built-in one. */
      bool ascii = !strcmp(kinds[k], "ascii");
      ok = g->severity >= (book && !ascii ? TG_SEVERITY_BLOCK : TG_SEVERITY_WARN) &&
           g->suggestion && !strcmp(g->suggestion, want);
    }
    if (ok)
      t[k].caught++;
    else if (shown++ < show)
      printf("miss %-12s %s (for %s): %s %s\n", col[0], col[4], col[3],
             f ? tg_code_name(f->code) : "nothing", f && f->suggestion ? f->suggestion : "");
  }

  int status = 0;
  printf("| kind (%s half) | caught with the right suggestion | rate | parser rejects | stale | "
         "real |\n"
         "|---|---|---|---|---|---|\n",
         half);
  unsigned all_total = 0, all_caught = 0;
  for (size_t k = 0; k < N_KINDS; k++) {
    double rate = t[k].total ? 100.0 * t[k].caught / t[k].total : 100.0;
    printf("| %s | %u / %u | %.1f %% | %u | %u | %u |\n", kinds[k], t[k].caught, t[k].total, rate,
           t[k].rejected, t[k].stale, t[k].real);
    all_total += t[k].total;
    all_caught += t[k].caught;
    if (t[k].total == 0 || rate < floor_pct) {
      fprintf(stderr, "FAIL: %s %.1f %% below the floor %.1f %%\n", kinds[k], rate, floor_pct);
      status = 1;
    }
  }
  printf("| all | %u / %u | %.1f %% | | |\n", all_caught, all_total,
         all_total ? 100.0 * all_caught / all_total : 0.0);

  /* Legitimate IDNs: no finding at all, in either form. */
  unsigned n_legit = 0, flagged = 0;
  g_auto(GStrv) dl = g_strsplit(legit, "\n", -1);
  for (size_t i = 0; dl[i]; i++) {
    if (!*dl[i] || dl[i][0] == '#')
      continue;
    n_legit++;
    g_autofree char *ace = g_hostname_to_ascii(dl[i]);
    const char *forms[2] = {dl[i], ace};
    for (int j = 0; j < 2; j++) {
      if (!forms[j] || (j == 1 && !strcmp(forms[0], forms[1])))
        continue;
      g_autofree char *addr = g_strconcat("x@", forms[j], NULL);
      g_autoptr(TgResult) r = check(ctx, addr, NULL);
      if (r->findings->len > 0) {
        const TgFinding *f = g_ptr_array_index(r->findings, 0);
        printf("legit flagged: %s: %s %s %s\n", forms[j], tg_code_name(f->code),
               tg_severity_name(f->severity), f->message);
        flagged++;
        break;
      }
    }
  }
  printf("legitimate IDN domains: %u checked, %u with a finding\n", n_legit, flagged);
  if (n_legit < 500 || flagged > 0)
    status = 1;
  psl_free(psl);
  return status;
}
