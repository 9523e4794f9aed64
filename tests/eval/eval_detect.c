/* eval_detect.c — scores the detector on an evaluation set (tests/eval/tune.tsv, heldout.tsv).
 *
 * Every row runs through tg_case_run() of tests/unit/detect_cases.h, the same code path as the
 * unit corpus, and is scored from the account of findings it returns. The note column's
 * `class=` token groups rows; `len=` (length of the intended domain's registrable label) splits
 * the permutation classes into short (<= 4) and longer labels.
 *
 * A positive row is caught when any finding reaches warn or block, whatever its code (a user is
 * stopped either way); it has the right correction when such a finding suggests exactly the
 * expected address. A negative row is a false alarm when any finding reaches warn or block.
 *
 * Usage: eval_detect FILE.tsv [--min-recall P] [--min-right P] [--min-mil-seed P]
 *                             [--max-false-alarm P] [--max-near-flagged P] [--max-near-blocks N]
 *                             [--misses] [--summary OUT.tsv]
 * Percentages are 0..100. Prints markdown tables; exits 1 when a given bound is missed, 2 on a
 * usage or input error.
 */
#include <glib.h>
#include <libpsl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect_cases.h"

/* Label length at or below which a domain counts as short (the "4 letters or fewer"). */
#define EVAL_SHORT_LABEL 4

typedef struct {
  unsigned rows, caught, right, exact, blocks, wrong;
} EvalStats;

/* wrong: a warn/block finding suggests some other address (and none the expected one). */
typedef struct {
  bool warned, blocked, right, wrong;
} EvalOutcome;

/* Reads tg_case_run's account ("code/severity->suggestion, ..." or "nothing"). */
static EvalOutcome eval_outcome(const char *got, const char *want_suggestion) {
  EvalOutcome o = {false, false, false, false};
  if (!strcmp(got, "nothing"))
    return o;
  g_auto(GStrv) items = g_strsplit(got, ", ", -1);
  for (guint i = 0; items[i]; i++) {
    const char *slash = strchr(items[i], '/');
    const char *arrow = strstr(items[i], "->");
    if (!slash || !arrow || arrow < slash)
      continue;
    g_autofree char *sev = g_strndup(slash + 1, (gsize)(arrow - slash - 1));
    bool warn = !strcmp(sev, "warn"), block = !strcmp(sev, "block");
    if (!warn && !block)
      continue;
    o.warned = true;
    o.blocked = o.blocked || block;
    if (!strcmp(arrow + 2, want_suggestion))
      o.right = true;
    else if (strcmp(arrow + 2, "none") != 0)
      o.wrong = true;
  }
  o.wrong = o.wrong && !o.right;
  return o;
}

/* The value of `key=` in a note, or NULL. */
static char *note_value(const char *note, const char *key) {
  g_auto(GStrv) tok = g_strsplit(note, " ", -1);
  size_t kl = strlen(key);
  for (guint i = 0; tok[i]; i++)
    if (!strncmp(tok[i], key, kl) && tok[i][kl] == '=')
      return g_strdup(tok[i] + kl + 1);
  return NULL;
}

static EvalStats *stats_for(GHashTable *t, const char *key) {
  EvalStats *s = g_hash_table_lookup(t, key);
  if (!s) {
    s = g_new0(EvalStats, 1);
    g_hash_table_insert(t, g_strdup(key), s);
  }
  return s;
}

static double pct(unsigned a, unsigned b) {
  return b ? 100.0 * a / b : 0.0;
}

static gint cmp_str(gconstpointer a, gconstpointer b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static GPtrArray *sorted_keys(GHashTable *t) {
  GPtrArray *keys = g_ptr_array_new();
  GHashTableIter it;
  gpointer k;
  g_hash_table_iter_init(&it, t);
  while (g_hash_table_iter_next(&it, &k, NULL))
    g_ptr_array_add(keys, k);
  g_ptr_array_sort(keys, cmp_str);
  return keys;
}

typedef struct {
  double min_recall, min_right, min_mil_seed, max_false_alarm, max_near_flagged;
  int max_near_blocks;
  bool misses;
  const char
      *summary; /* --summary FILE: per-class counts as TSV, for tests/bench/compare-eval.mjs */
} EvalBounds;

static bool parse_args(int argc, char **argv, const char **path, EvalBounds *b) {
  *b = (EvalBounds){-1, -1, -1, -1, -1, -1, false, NULL};
  *path = NULL;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    double *target = NULL;
    if (!strcmp(a, "--misses")) {
      b->misses = true;
      continue;
    }
    if (!strcmp(a, "--summary")) {
      if (i + 1 >= argc)
        return false;
      b->summary = argv[++i];
      continue;
    }
    if (!strcmp(a, "--min-recall"))
      target = &b->min_recall;
    else if (!strcmp(a, "--min-right"))
      target = &b->min_right;
    else if (!strcmp(a, "--min-mil-seed"))
      target = &b->min_mil_seed;
    else if (!strcmp(a, "--max-false-alarm"))
      target = &b->max_false_alarm;
    else if (!strcmp(a, "--max-near-flagged"))
      target = &b->max_near_flagged;
    else if (!strcmp(a, "--max-near-blocks")) {
      if (i + 1 >= argc)
        return false;
      b->max_near_blocks = atoi(argv[++i]);
      continue;
    } else if (a[0] == '-')
      return false;
    else {
      *path = a;
      continue;
    }
    if (i + 1 >= argc)
      return false;
    char *end = NULL;
    *target = g_ascii_strtod(argv[++i], &end);
    if (!end || *end || *target < 0 || *target > 100)
      return false;
  }
  return *path != NULL;
}

int main(int argc, char **argv) {
  const char *path;
  EvalBounds bounds;
  if (!parse_args(argc, argv, &path, &bounds)) {
    fprintf(stderr,
            "usage: eval_detect FILE.tsv [--min-recall P] [--min-right P] [--min-mil-seed P]\n"
            "       [--max-false-alarm P] [--max-near-flagged P] [--max-near-blocks N] [--misses]\n"
            "       [--summary OUT.tsv]\n");
    return 2;
  }
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) cases = tg_cases_load(path, &error);
  if (!cases) {
    fprintf(stderr, "eval_detect: %s\n", error->message);
    return 2;
  }
  psl_ctx_t *psl = psl_latest(NULL);
  if (!psl) {
    fprintf(stderr, "eval_detect: no public suffix list\n");
    return 2;
  }

  g_autoptr(GHashTable) pos = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GHashTable) neg = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GHashTable) bylen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
  EvalStats all = {0}, seeds = {0}, unknown = {0}, near = {0}, registered = {0}, confusable = {0};
  g_autoptr(GString) misses = g_string_new(NULL);

  for (guint i = 0; i < cases->len; i++) {
    const TgCase *c = g_ptr_array_index(cases, i);
    g_autofree char *got = NULL;
    bool exact = tg_case_run(psl, c, &got);
    EvalOutcome o = eval_outcome(got, c->suggestion);
    g_autofree char *cls = note_value(c->note, "class");
    if (!cls)
      cls = g_strdup("unclassified");
    if (tg_case_positive(c)) {
      EvalStats *s = stats_for(pos, cls);
      EvalStats *parts[3] = {s, &all, g_str_has_prefix(cls, "mil_ml_") ? &seeds : NULL};
      /* Permutation classes are "<target>_<fuzzer>": also count them per target and length. */
      g_autofree char *len = note_value(c->note, "len");
      g_autofree char *target = NULL;
      if (len && strchr(cls, '_') && !g_str_has_prefix(cls, "mil_ml_") &&
          !g_str_has_prefix(cls, "realworld")) {
        target = g_strdup_printf("%.*s %s", (int)(strchr(cls, '_') - cls), cls,
                                 atoi(len) <= EVAL_SHORT_LABEL ? "<=4" : ">4");
      }
      for (guint k = 0; k < 4; k++) {
        EvalStats *p = k < 3 ? parts[k] : (target ? stats_for(bylen, target) : NULL);
        if (!p)
          continue;
        p->rows++;
        p->caught += o.warned;
        p->right += o.right;
        p->exact += exact;
        p->blocks += o.blocked;
        p->wrong += o.wrong;
      }
      if (bounds.misses && !o.right)
        g_string_append_printf(misses, "| %s | `%s` | `%s` | %s | %s |\n", cls, c->address,
                               c->suggestion, got, c->context ? c->context : "-");
    } else {
      EvalStats *s = stats_for(neg, cls);
      EvalStats *group = g_str_has_prefix(cls, "neg_unknown_")         ? &unknown
                         : g_str_has_prefix(cls, "neg_nearneighbour_") ? &near
                         : g_str_has_prefix(cls, "neg_registered_")    ? &registered
                         : g_str_has_prefix(cls, "neg_confusable_")    ? &confusable
                                                                       : NULL;
      EvalStats *parts[2] = {s, group};
      for (guint k = 0; k < 2; k++) {
        if (!parts[k])
          continue;
        parts[k]->rows++;
        parts[k]->caught += o.warned; /* here: a false alarm */
        parts[k]->blocks += o.blocked;
        parts[k]->wrong += o.wrong; /* a false alarm that also names a correction */
      }
      if (bounds.misses && o.warned)
        g_string_append_printf(misses, "| %s | `%s` | (none) | %s | %s |\n", cls, c->address, got,
                               c->context ? c->context : "-");
    }
  }
  psl_free(psl);

  printf("### %s: positives per class\n\n", path);
  printf("| class | rows | caught | right correction | exact code | blocks |\n");
  printf("|---|---:|---:|---:|---:|---:|\n");
  g_autoptr(GPtrArray) pk = sorted_keys(pos);
  for (guint i = 0; i < pk->len; i++) {
    const EvalStats *s = g_hash_table_lookup(pos, pk->pdata[i]);
    printf("| %s | %u | %.1f %% | %.1f %% | %.1f %% | %u |\n", (char *)pk->pdata[i], s->rows,
           pct(s->caught, s->rows), pct(s->right, s->rows), pct(s->exact, s->rows), s->blocks);
  }
  printf("\n### %s: permutation targets by label length\n\n", path);
  printf(
      "| target, label | rows | caught | right correction | blocks |\n|---|---:|---:|---:|---:|\n");
  g_autoptr(GPtrArray) lk = sorted_keys(bylen);
  for (guint i = 0; i < lk->len; i++) {
    const EvalStats *s = g_hash_table_lookup(bylen, lk->pdata[i]);
    printf("| %s | %u | %.1f %% | %.1f %% | %u |\n", (char *)lk->pdata[i], s->rows,
           pct(s->caught, s->rows), pct(s->right, s->rows), s->blocks);
  }
  printf("\n### %s: negatives per class\n\n", path);
  printf("| class | rows | false alarms (warn or block) | blocks |\n|---|---:|---:|---:|\n");
  g_autoptr(GPtrArray) nk = sorted_keys(neg);
  for (guint i = 0; i < nk->len; i++) {
    const EvalStats *s = g_hash_table_lookup(neg, nk->pdata[i]);
    printf("| %s | %u | %u (%.2f %%) | %u |\n", (char *)nk->pdata[i], s->rows, s->caught,
           pct(s->caught, s->rows), s->blocks);
  }
  double recall = pct(all.caught, all.rows), right = pct(all.right, all.rows);
  double seed = pct(seeds.right, seeds.rows), fa = pct(unknown.caught, unknown.rows);
  double nf = pct(near.caught, near.rows);
  printf("\n### %s: totals\n\n| measure | value |\n|---|---:|\n", path);
  printf("| recall (any warn/block), %u positives | %.1f %% |\n", all.rows, recall);
  printf("| right correction | %.1f %% |\n", right);
  printf("| exact expected code and suggestion | %.1f %% |\n", pct(all.exact, all.rows));
  printf("| wrong corrections (flagged, suggesting another address) | %.1f %% |\n",
         pct(all.wrong, all.rows));
  printf("| `.mil` typed `.ml`, caught with the `.mil` suggestion (%u rows) | %.1f %% |\n",
         seeds.rows, seed);
  printf("| false alarms on legitimate unknown domains (%u rows) | %.2f %% |\n", unknown.rows, fa);
  printf("| legitimate near-neighbours flagged (%u rows) | %.1f %% |\n", near.rows, nf);
  printf("| legitimate near-neighbours blocked | %u |\n", near.blocks);
  printf("| registered domains one slip from another, flagged (%u rows) | %.2f %% |\n",
         registered.rows, pct(registered.caught, registered.rows));
  printf("| real domains on a confusable TLD (.il, .co, .in, .eu ...) from a sender on the other "
         "TLD, flagged (%u rows) | %.1f %% (%u blocked, %u with a correction) |\n",
         confusable.rows, pct(confusable.caught, confusable.rows), confusable.blocks,
         confusable.wrong);
  if (bounds.misses && misses->len)
    printf("\n### misses and false alarms\n\n| class | address | expected | got | context |\n"
           "|---|---|---|---|---|\n%s",
           misses->str);

  if (bounds.summary) {
    g_autoptr(GString) tsv = g_string_new("# class\tkind\trows\tflagged\tright\tblocks\n");
    for (guint i = 0; i < pk->len; i++) {
      const EvalStats *s = g_hash_table_lookup(pos, pk->pdata[i]);
      g_string_append_printf(tsv, "%s\tpositive\t%u\t%u\t%u\t%u\n", (char *)pk->pdata[i], s->rows,
                             s->caught, s->right, s->blocks);
    }
    for (guint i = 0; i < nk->len; i++) {
      const EvalStats *s = g_hash_table_lookup(neg, nk->pdata[i]);
      g_string_append_printf(tsv, "%s\tnegative\t%u\t%u\t0\t%u\n", (char *)nk->pdata[i], s->rows,
                             s->caught, s->blocks);
    }
    if (!g_file_set_contents(bounds.summary, tsv->str, (gssize)tsv->len, &error)) {
      fprintf(stderr, "eval_detect: %s\n", error->message);
      return 2;
    }
  }

  int rc = 0;
#define EVAL_BOUND_(cond, what, val, bound)                                                    \
  if (cond) {                                                                                  \
    fprintf(stderr, "eval_detect: %s %.2f misses the bound %.2f\n", what, val, (double)bound); \
    rc = 1;                                                                                    \
  }
  EVAL_BOUND_(bounds.min_recall >= 0 && recall < bounds.min_recall, "recall", recall,
              bounds.min_recall);
  EVAL_BOUND_(bounds.min_right >= 0 && right < bounds.min_right, "right correction", right,
              bounds.min_right);
  EVAL_BOUND_(bounds.min_mil_seed >= 0 && seed < bounds.min_mil_seed, ".mil seed", seed,
              bounds.min_mil_seed);
  EVAL_BOUND_(bounds.max_false_alarm >= 0 && fa > bounds.max_false_alarm, "false alarms", fa,
              bounds.max_false_alarm);
  EVAL_BOUND_(bounds.max_near_flagged >= 0 && nf > bounds.max_near_flagged,
              "near-neighbours flagged", nf, bounds.max_near_flagged);
  EVAL_BOUND_(bounds.max_near_blocks >= 0 && near.blocks > (unsigned)bounds.max_near_blocks,
              "near-neighbour blocks", (double)near.blocks, bounds.max_near_blocks);
#undef EVAL_BOUND_
  return rc;
}
