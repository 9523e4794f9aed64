/* run_people.c — the generated messages of gen-people.py through the public API (tg_check), as
 * a mail client would send them: reports the slips caught with the right address suggested and
 * the false alarms, per kind of message, and fails below the floors.
 *
 *   run_people FILE.tsv [--min-caught F] [--max-false F] [--verbose]
 *
 * A slip (expect warn@N) is caught when recipient N gets a wrong_address finding of severity
 * warn or block whose suggestion is the expected address; a legitimate message (expect -) is a
 * false alarm when any recipient gets a wrong_address warning. A `syntax` finding on any
 * recipient is a failure of its own (an unquoted "Last, First" name must parse). Information
 * notes (severity info) show no dialog: counted, reported, neither caught nor false. */
#include <libpsl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "finding.h"
#include "typoguard.h"
#include "wrongaddr_cases.h"

typedef struct {
  unsigned slips, caught, wrong_suggestion, legit, false_alarms, notes;
} Tally;

static void tally_print(const char *what, const Tally *t) {
  if (t->slips)
    printf("  %-4s slips %4u  caught %4u (%5.1f %%)  warned with another suggestion %u  notes %u\n",
           what, t->slips, t->caught, 100.0 * t->caught / t->slips, t->wrong_suggestion, t->notes);
  if (t->legit)
    printf("  %-4s legit %4u  false alarms %u (%4.1f %%)  notes %u\n", what, t->legit,
           t->false_alarms, 100.0 * t->false_alarms / t->legit, t->notes);
}

int main(int argc, char **argv) {
  const char *path = NULL;
  double min_caught = 0.0, max_false = 1.0;
  bool verbose = false;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--min-caught") == 0 && i + 1 < argc)
      min_caught = strtod(argv[++i], NULL);
    else if (strcmp(argv[i], "--max-false") == 0 && i + 1 < argc)
      max_false = strtod(argv[++i], NULL);
    else if (strcmp(argv[i], "--verbose") == 0)
      verbose = true;
    else
      path = argv[i];
  }
  if (!path) {
    fprintf(stderr, "usage: run_people FILE.tsv [--min-caught F] [--max-false F] [--verbose]\n");
    return 2;
  }
  g_autoptr(GError) err = NULL;
  g_autoptr(GPtrArray) cases = tg_wa_cases_load(path, &err);
  if (!cases) {
    fprintf(stderr, "run_people: %s\n", err->message);
    return 2;
  }
  psl_ctx_t *psl = psl_latest(NULL);
  if (!psl) {
    fprintf(stderr, "run_people: no public suffix list\n");
    return 2;
  }
  Tally all = {0};
  GHashTable *by_kind = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
  unsigned syntax = 0;
  for (guint i = 0; i < cases->len; i++) {
    const TgWaCase *c = g_ptr_array_index(cases, i);
    g_autofree char *kind = g_strndup(c->note, strcspn(c->note, " "));
    Tally *k = g_hash_table_lookup(by_kind, kind);
    if (!k) {
      k = g_new0(Tally, 1);
      g_hash_table_insert(by_kind, g_strdup(kind), k);
    }
    TgContext *ctx = tg_wa_context(psl, c);
    TgRequest req;
    g_autofree TgRecipient *rcpt = g_new0(TgRecipient, g_strv_length(c->recipients) + 1);
    tg_wa_request(c, &req, rcpt);
    TgResult *res = tg_check(ctx, &req);
    bool slip = strcmp(c->expect, "-") != 0;
    size_t want = slip ? (size_t)strtoul(strchr(c->expect, '@') + 1, NULL, 10) : 0;
    bool caught = false, other = false, warned = false, note = false;
    for (guint f = 0; f < res->findings->len; f++) {
      const TgFinding *x = g_ptr_array_index(res->findings, f);
      if (x->code == TG_CODE_SYNTAX) {
        syntax++;
        fprintf(stderr, "%s:%u: syntax on \"%s\"\n", path, c->line, x->address);
      }
      if (x->code != TG_CODE_WRONG_ADDRESS)
        continue;
      if (x->severity < TG_SEVERITY_WARN) {
        note = true;
        continue;
      }
      warned = true;
      if (slip && x->recipient == want && g_strcmp0(x->suggestion, c->suggestion) == 0)
        caught = true;
      else if (slip && x->recipient == want)
        other = true;
    }
    Tally *ts[] = {&all, k};
    for (size_t t = 0; t < G_N_ELEMENTS(ts); t++) {
      ts[t]->notes += note;
      if (slip) {
        ts[t]->slips++;
        ts[t]->caught += caught;
        ts[t]->wrong_suggestion += !caught && other;
      } else {
        ts[t]->legit++;
        ts[t]->false_alarms += warned;
      }
    }
    if (verbose && ((slip && !caught) || (!slip && warned))) {
      g_autofree char *got = NULL;
      tg_wa_judge(c, res, &got);
      fprintf(stderr, "%s:%u %s: %s\n  want %s %s\n  got %s\n", path, c->line,
              slip ? "MISS" : "FALSE", c->note, c->expect, c->suggestion, got);
    }
    tg_result_free(res);
    tg_context_free(ctx);
  }
  printf("%s: %u messages\n", path, cases->len);
  g_autoptr(GList) kinds = g_list_sort(g_hash_table_get_keys(by_kind), (GCompareFunc)strcmp);
  for (GList *l = kinds; l; l = l->next)
    tally_print(l->data, g_hash_table_lookup(by_kind, l->data));
  double caught = all.slips ? (double)all.caught / all.slips : 1.0;
  double false_rate = all.legit ? (double)all.false_alarms / all.legit : 0.0;
  printf("caught with the right suggestion: %u of %u slips (%.1f %%); false alarms: %u of %u "
         "legitimate "
         "messages (%.1f %%); syntax findings: %u\n",
         all.caught, all.slips, 100 * caught, all.false_alarms, all.legit, 100 * false_rate,
         syntax);
  g_hash_table_destroy(by_kind);
  psl_free(psl);
  bool ok = caught >= min_caught && false_rate <= max_false && syntax == 0 && all.slips > 0 &&
            all.legit > 0;
  if (!ok)
    printf("FAILED: floors are caught >= %.1f %%, false alarms <= %.1f %%, no syntax finding\n",
           100 * min_caught, 100 * max_false);
  return ok ? 0 : 1;
}
