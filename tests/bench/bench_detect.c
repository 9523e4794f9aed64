/* bench_detect.c — end-to-end cost of tg_check per address, with N trusted domains in the context.
 *
 *   bench_detect --trusted N [--queries Q]   one table row: context build time, median and p99
 *                                            time per checked address, peak RSS, addresses/s
 *   bench_detect --corpus FILE               caught / missed / false alarms and addresses/s on the
 *                                            corpus rows that need no context (the same rows the
 *                                            npm checkers get in tests/bench/compare.mjs)
 *
 * Trusted domains: the real US .gov registry from the built-in list first, then synthetic names
 * of realistic length (deterministic). Queries mix exact trusted domains, one-slip typos of
 * trusted domains, typos of well-known providers, .ml/.mil slips and clean unknown domains. */
#include <libpsl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "detect_cases.h"
#include "typoguard.h"
#include "wellknown.h"

static guint32 rng_state = 20260822u;
static guint32 rnd(void) { /* xorshift: deterministic, no global library state */
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 17;
  rng_state ^= rng_state << 5;
  return rng_state;
}

static char *synthetic_domain(void) {
  static const char *const syl[] = {"ka",  "lo",  "ver", "tan", "mi",  "ro",  "sel",
                                    "den", "bra", "quo", "fin", "tek", "gal", "nor",
                                    "pex", "vi",  "sun", "mar", "cor", "lin"};
  static const char *const tlds[] = {"com", "net", "org", "de", "co.uk", "io", "fr", "us"};
  GString *s = g_string_new(NULL);
  unsigned n = 2 + rnd() % 3;
  for (unsigned i = 0; i < n; i++)
    g_string_append(s, syl[rnd() % G_N_ELEMENTS(syl)]);
  if (rnd() % 4 == 0)
    g_string_append_printf(s, "-%s", syl[rnd() % G_N_ELEMENTS(syl)]);
  g_string_append_printf(s, "%u.%s", rnd() % 1000, tlds[rnd() % G_N_ELEMENTS(tlds)]);
  return g_string_free(s, FALSE);
}

static char *slip(const char *d) {
  /* swap two letters in the first label, away from its first letter */
  char *s = g_strdup(d);
  size_t n = strcspn(s, ".");
  if (n >= 4) {
    size_t i = 1 + rnd() % (n - 2);
    char t = s[i];
    s[i] = s[i + 1];
    s[i + 1] = t;
  }
  return s;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static double now_us(void) {
  return (double)g_get_monotonic_time();
}

static int run_trusted(size_t n_trusted, size_t n_queries) {
  psl_ctx_t *psl = psl_latest(NULL);
  g_autoptr(GPtrArray) trusted = g_ptr_array_new_with_free_func(g_free);
  for (size_t i = 0; i < tg_wellknown_count() && trusted->len < n_trusted; i++) {
    const TgWellKnown *wk = tg_wellknown_at(i);
    if (wk->kind & TG_WK_US_GOV)
      g_ptr_array_add(trusted, g_strdup(wk->domain));
  }
  while (trusted->len < n_trusted)
    g_ptr_array_add(trusted, synthetic_domain());

  double t0 = now_us();
  TgContext *ctx = tg_context_new(psl);
  for (guint i = 0; i < trusted->len; i++)
    tg_context_add_domain(ctx, g_ptr_array_index(trusted, i), TG_SOURCE_TRUSTED);
  tg_context_seal(ctx); /* the search structures are part of the build */
  double build_ms = (now_us() - t0) / 1000.0;

  static const char *const fixed[] = {"ops@gmial.com",       "john.doe@army.ml", "x@yahoo.cmo",
                                      "someone@example.org", "a@hotmial.com",    "b@gmail.com"};
  g_autoptr(GPtrArray) queries = g_ptr_array_new_with_free_func(g_free);
  for (size_t i = 0; i < n_queries; i++) {
    const char *d = g_ptr_array_index(trusted, rnd() % trusted->len);
    switch (i % 4) {
    case 0: g_ptr_array_add(queries, g_strconcat("user@", d, NULL)); break;
    case 1: {
      g_autofree char *s = slip(d);
      g_ptr_array_add(queries, g_strconcat("user@", s, NULL));
      break;
    }
    default: g_ptr_array_add(queries, g_strdup(fixed[i % G_N_ELEMENTS(fixed)])); break;
    }
  }
  double *times = g_new(double, n_queries);
  TgRequest req;
  tg_request_init(&req);
  req.sender = "Jane Roe <jane.roe@mail.mil>";
  size_t flagged = 0;
  double total0 = now_us();
  for (size_t i = 0; i < n_queries; i++) {
    TgRecipient r = {TG_FIELD_TO, g_ptr_array_index(queries, i)};
    req.recipients = &r;
    req.n_recipients = 1;
    double a = now_us();
    TgResult *res = tg_check(ctx, &req);
    times[i] = now_us() - a;
    flagged += res->verdict >= TG_SEVERITY_WARN;
    tg_result_free(res);
  }
  double total = now_us() - total0;
  qsort(times, n_queries, sizeof *times, cmp_double);
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  printf("| %8zu | %9.1f | %10.1f | %9.1f | %9.1f | %12.0f | %7zu |\n", n_trusted, build_ms,
         times[n_queries / 2], times[n_queries * 99 / 100], (double)ru.ru_maxrss / 1024.0,
         (double)n_queries / (total / 1e6), flagged);
  g_free(times);
  tg_context_free(ctx);
  psl_free(psl);
  return 0;
}

/* The comparable rows: no sender, no context; near_miss / invalid_tld / tld_confusion positives
 * (a checker caught it when it suggests the expected address) and genuine-domain negatives (a
 * false alarm is any warning). */
static int run_corpus(const char *path) {
  g_autoptr(GError) err = NULL;
  g_autoptr(GPtrArray) cases = tg_cases_load(path, &err);
  if (!cases) {
    fprintf(stderr, "%s\n", err->message);
    return 1;
  }
  psl_ctx_t *psl = psl_latest(NULL);
  TgContext *ctx = tg_context_new(psl);
  size_t pos = 0, caught = 0, neg = 0, fa = 0, n = 0;
  double t0 = now_us();
  for (guint i = 0; i < cases->len; i++) {
    const TgCase *c = g_ptr_array_index(cases, i);
    const char *want = c->expect + (c->expect[0] == '?');
    bool positive = tg_case_positive(c);
    if (c->sender || c->context || !strchr(c->address, '@'))
      continue;
    if (positive && strcmp(want, "near_miss") && strcmp(want, "invalid_tld") &&
        strcmp(want, "tld_confusion"))
      continue;
    TgRequest req;
    tg_request_init(&req);
    TgRecipient r = {TG_FIELD_TO, c->address};
    req.recipients = &r;
    req.n_recipients = 1;
    TgResult *res = tg_check(ctx, &req);
    n++;
    const TgFinding *f = res->findings->len ? g_ptr_array_index(res->findings, 0) : NULL;
    bool warned = res->verdict >= TG_SEVERITY_WARN;
    if (positive) {
      pos++;
      caught += warned && f && f->suggestion && !strcmp(f->suggestion, c->suggestion);
    } else {
      neg++;
      fa += warned;
    }
    tg_result_free(res);
  }
  double secs = (now_us() - t0) / 1e6;
  printf("| typoguard (tg_check) | %12.0f | %6zu/%zu | %6zu | %6zu/%zu |\n", (double)n / secs,
         caught, pos, pos - caught, fa, neg);
  tg_context_free(ctx);
  psl_free(psl);
  return 0;
}

int main(int argc, char **argv) {
  size_t trusted = 0, queries = 20000;
  const char *corpus = NULL;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!strcmp(argv[i], "--trusted"))
      trusted = (size_t)strtoull(argv[i + 1], NULL, 10);
    else if (!strcmp(argv[i], "--queries"))
      queries = (size_t)strtoull(argv[i + 1], NULL, 10);
    else if (!strcmp(argv[i], "--corpus"))
      corpus = argv[i + 1];
  }
  if (corpus)
    return run_corpus(corpus);
  if (trusted == 0 || queries < 100) {
    fprintf(stderr, "usage: bench_detect --trusted N [--queries Q] | --corpus FILE\n");
    return 64;
  }
  return run_trusted(trusted, queries);
}
