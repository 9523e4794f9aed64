/* tld.c — the rules about a domain's ending (see rules.h):
 *   invalid_tld    the TLD does not exist, or the domain is a single label; the likeliest real
 *                  ending is offered (gmail.con -> gmail.com) when one clearly wins
 *   tld_confusion  a real TLD from the confusable-pair table (army.ml / army.mil) whose
 *                  counterpart is trusted, well known or in the sender's own TLD
 *   tld_slip       a known name under an ending one slip away (edvw.ee for a known edvw.de)
 * They share the per-request state and helpers of detect.c through rules.h. */
#include <math.h>
#include <string.h>

#include "rules.h"
#include "tgkeys.h"

/* Weighted TLD corrections: a runner-up within this ratio of the best is a tie. */
#define TLD_TIE_RATIO 0.8

/* How much a TLD correction's counterpart being real weighs: nothing known, built in, the user's
 * own (fitted on tests/eval/tune.tsv: the user's own domain must win over a merely common TLD,
 * adiyaman.edu.r -> adiyaman.edu.tr known rather than .ru). */
static const double RANK_WEIGHT[] = {1.0, 4.0, 12.0};

/* How common a TLD is for mail, to rank corrections of a TLD that does not exist. */
static double tld_weight(const Check *c, const char *tld) {
  static const struct {
    const char *tld;
    double w;
  } common[] = {
      {"com", 1.0},  {"net", 0.5},  {"org", 0.5}, {"de", 0.4},  {"uk", 0.4},  {"edu", 0.35},
      {"gov", 0.35}, {"mil", 0.3},  {"fr", 0.3},  {"ru", 0.3},  {"jp", 0.3},  {"it", 0.3},
      {"nl", 0.3},   {"ca", 0.3},   {"au", 0.3},  {"br", 0.3},  {"es", 0.3},  {"ch", 0.25},
      {"at", 0.25},  {"be", 0.25},  {"se", 0.25}, {"pl", 0.25}, {"in", 0.25}, {"us", 0.25},
      {"io", 0.2},   {"info", 0.2}, {"co", 0.2},  {"eu", 0.2},  {"dk", 0.2},  {"no", 0.2},
      {"fi", 0.2},   {"cz", 0.2},   {"mx", 0.2},  {"cn", 0.2},  {"kr", 0.2},  {"nz", 0.2},
  };
  double w = 0.1;
  for (size_t i = 0; i < G_N_ELEMENTS(common); i++)
    if (strcmp(common[i].tld, tld) == 0)
      w = common[i].w;
  if (c->sender_domain && strcmp(tg_domain_tld(c->sender_domain), tld) == 0)
    w = MAX(w, 0.6) + 0.2; /* people mostly write within their own TLD */
  return w;
}

/* Single label: "user@gmail". Try the well-known and trusted completions, then a TLD typed
 * without its dot ("gmailcom"). */
static bool dotless_guess(Check *c, const char *label, Guess *out) {
  static const char *const endings[] = {"com", "net", "org", "de", "co.uk",  "fr",     "it",  "es",
                                        "nl",  "ru",  "jp",  "ca", "com.au", "com.br", "edu", "gov",
                                        "mil", "ch",  "at",  "be", "se",     "pl",     "us",  "in"};
  memset(out, 0, sizeof *out);
  double best = 0, second = 0;
  char *best_dom = NULL;
  if (c->sender_domain) {
    /* "user@army" from someone at mail.mil: their own TLD first. */
    const char *reg = tg_domain_registrable(c->ctx->psl, c->sender_domain);
    const char *suffix = reg ? strchr(reg, '.') : NULL;
    if (suffix) {
      g_autofree char *d = g_strconcat(label, suffix, NULL);
      int r = tg_check_meant_rank(c, d);
      if (r) {
        best = r == 2 ? 3.0 : 2.5;
        best_dom = g_steal_pointer(&d);
      }
    }
  }
  for (size_t i = 0; i < G_N_ELEMENTS(endings); i++) {
    g_autofree char *d = g_strconcat(label, ".", endings[i], NULL);
    if (best_dom && strcmp(d, best_dom) == 0)
      continue;
    double score = 0;
    if (tg_check_sources_of(c, d)) {
      score = 2.0;
    } else {
      const TgWellKnown *wk = tg_wellknown_find(d);
      if (wk)
        score = 1.0 + wk->weight / 256.0;
    }
    if (score > best) {
      second = best;
      best = score;
      g_free(best_dom);
      best_dom = g_steal_pointer(&d);
    } else if (score > second) {
      second = score;
    }
  }
  /* "gmailcom": the dot before the ending was dropped. */
  size_t len = strlen(label);
  for (size_t i = 0; i < G_N_ELEMENTS(endings) && !best_dom; i++) {
    size_t el = strlen(endings[i]);
    if (strchr(endings[i], '.') || len <= el + 1 || strcmp(label + len - el, endings[i]) != 0)
      continue;
    g_autofree char *d = g_strdup_printf("%.*s.%s", (int)(len - el), label, endings[i]);
    if (tg_check_meant_rank(c, d)) {
      best = 1.5;
      best_dom = g_steal_pointer(&d);
      out->kind = TG_TYPO_DOT_DROPPED;
    }
  }
  if (!best_dom || (second > 0 && second >= best * 0.95 && best < 2.0)) {
    g_free(best_dom);
    return false;
  }
  out->domain = best_dom;
  out->score = best;
  return true;
}

/* Is `ascii` a domain the host has reason to believe exists? 2: the user's own (trusted, org,
 * address book, history; a parent counts), 1: built in, itself or its registrable domain (a name
 * under a built-in suffix such as gov.in is not evidence), 0: nothing says so. */
static int counterpart_rank(const Check *c, const char *ascii) {
  if (tg_check_sources_of(c, ascii))
    return 2;
  if (tg_wellknown_find(ascii))
    return 1;
  const char *reg = tg_domain_registrable(c->ctx->psl, ascii);
  return reg && tg_wellknown_find(reg) ? 1 : 0;
}

static size_t count_labels(const char *s) {
  size_t n = 1;
  for (; *s; s++)
    n += *s == '.';
  return n;
}

/* counterpart_rank without the suffix list, for the many TLD variants of one typed domain: the
 * built-in entry must be the variant or a parent with at least min_labels labels (the typed
 * domain's registrable domain's count), which keeps a built-in suffix such as gov.in out. */
static int variant_rank(const Check *c, const char *ascii, size_t min_labels) {
  if (tg_check_sources_of(c, ascii))
    return 2;
  size_t labels = count_labels(ascii);
  for (const char *d = ascii; d && labels >= min_labels; d = tg_domain_parent(d), labels--)
    if (tg_wellknown_find(d))
      return 1;
  return 0;
}

/* The best one-edit TLD variant of `ascii` (deletion, transposition, substitution, insertion),
 * each a real TLD, weighted by how common it is and by what the host knows of the result. False
 * on none or a tie. */
static bool tld_variant(Check *c, const char *ascii, Guess *out) {
  memset(out, 0, sizeof *out);
  const char *tld = tg_domain_tld(ascii);
  size_t n = strlen(tld), prefix_len = (size_t)(tld - ascii);
  if (n > 24)
    return false;
  char cand[32];
  double best = 0, second = 0;
  char best_tld[32] = "";
  const char *reg = tg_domain_registrable(c->ctx->psl, ascii);
  size_t min_labels = reg ? count_labels(reg) : 2;
  /* Enumerate edit-1 variants; duplicates (e.g. the same deletion twice) only re-score. */
  for (int op = 0; op < 4; op++) {
    size_t positions = op == 3 ? n + 1 : n;
    for (size_t i = 0; i < positions; i++) {
      for (char ch = 'a'; ch <= 'z'; ch++) {
        if (op == 0) { /* deletion */
          if (ch != 'a' || n < 3)
            break;
          memcpy(cand, tld, i);
          memcpy(cand + i, tld + i + 1, n - i);
        } else if (op == 1) { /* transposition */
          if (ch != 'a' || i + 1 >= n)
            break;
          memcpy(cand, tld, n + 1);
          cand[i] = tld[i + 1];
          cand[i + 1] = tld[i];
        } else if (op == 2) { /* substitution */
          if (tld[i] == ch)
            continue;
          memcpy(cand, tld, n + 1);
          cand[i] = ch;
        } else { /* insertion */
          memcpy(cand, tld, i);
          cand[i] = ch;
          memcpy(cand + i + 1, tld + i, n - i + 1);
        }
        if (strcmp(cand, tld) == 0 || strcmp(cand, best_tld) == 0)
          continue;
        char full[320]; /* a domain (at most 253 bytes) with its TLD replaced by one 1 longer */
        size_t cl = strlen(cand);
        if (prefix_len + cl >= sizeof full)
          continue;
        memcpy(full, ascii, prefix_len);
        memcpy(full + prefix_len, cand, cl + 1);
        if (!tg_domain_tld_exists(c->ctx->psl, cand))
          continue;
        int rank = variant_rank(c, full, min_labels);
        double s = tg_typo_score_tld(ascii, full, NULL);
        if (s <= 0)
          continue;
        double w = s * tld_weight(c, cand) * RANK_WEIGHT[rank];
        if (w > best) {
          second = best;
          best = w;
          g_strlcpy(best_tld, cand, sizeof best_tld);
        } else if (w > second) {
          second = w;
        }
      }
    }
  }
  if (!best_tld[0] || second >= best * TLD_TIE_RATIO)
    return false;
  out->domain = g_strdup_printf("%.*s%s", (int)prefix_len, ascii, best_tld);
  out->score = best;
  return true;
}

/* A dot dropped or added in the ending (gmail.couk for gmail.co.uk, hotmail.comau, gmail.co.m):
 * the variants with a dot put into the TLD or the dot before it taken out, kept only when the
 * result is a domain the host knows or has built in (a dot slip changes which label is the TLD,
 * so no TLD table can rank it). False on none or a tie. */
static bool tld_dot_slip(Check *c, const char *ascii, Guess *out) {
  memset(out, 0, sizeof *out);
  const char *tld = tg_domain_tld(ascii);
  size_t n = strlen(tld), prefix_len = (size_t)(tld - ascii);
  int best = 0, ties = 0;
  char *best_dom = NULL;
  for (size_t i = 0; i <= n; i++) {
    g_autofree char *cand = NULL;
    if (i < n && i > 0)
      cand = g_strdup_printf("%.*s%.*s.%s", (int)prefix_len, ascii, (int)i, tld, tld + i);
    else if (i == n && prefix_len > 0 && strchr(ascii, '.') < tld - 1)
      cand = g_strdup_printf("%.*s%s", (int)(prefix_len - 1), ascii, tld); /* co.m -> com */
    if (!cand || !tg_domain_tld_exists(c->ctx->psl, tg_domain_tld(cand)))
      continue;
    /* The result itself must be known or built in: that its registrable domain is says nothing
     * of a name in front (foo.gmailcom is not foo.gmail.com). */
    int rank = tg_check_sources_of(c, cand) ? 2 : tg_wellknown_find(cand) ? 1 : 0;
    if (rank > best) {
      best = rank, ties = 0;
      g_free(best_dom);
      best_dom = g_steal_pointer(&cand);
    } else if (rank > 0 && rank == best) {
      ties++;
    }
  }
  if (!best_dom || ties) {
    g_free(best_dom);
    return false;
  }
  out->domain = best_dom;
  out->score = 1.0;
  return true;
}

/* A TLD that does not exist: the typo model over known domains first, then a dot slip in the
 * ending, then the TLD variants. */
static bool tld_guess(Check *c, const char *ascii, Guess *out) {
  if (tg_check_near_miss_guess(c, ascii, out)) {
    if (tg_domain_tld_exists(c->ctx->psl, tg_domain_tld(out->domain)))
      return true;
    tg_check_guess_clear(out);
  }
  if (tld_dot_slip(c, ascii, out))
    return true;
  if (!tld_variant(c, ascii, out))
    return false;
  if (!counterpart_rank(c, out->domain)) {
    /* Two slips, one in the name and one in the ending (homail.con): the name's own near miss
     * under the corrected ending; else nothing says it exists: say what is wrong, suggest
     * nothing. */
    g_autofree char *fixed = g_steal_pointer(&out->domain);
    return tg_check_near_miss_guess(c, fixed, out);
  }
  return true;
}

bool tg_rule_invalid_tld(Check *c, Subject *s) {
  const char *ascii = s->dom.ascii;
  TgMessageArgs a = {.domain = s->dom.unicode, .tld = tg_domain_tld(s->dom.unicode)};
  Guess g;
  bool dotless = strchr(ascii, '.') == NULL;
  if (dotless) {
    bool found = dotless_guess(c, ascii, &g);
    a.intended = found ? g.domain : NULL;
    TgFinding *f =
        tg_check_emit(s, TG_CODE_INVALID_TLD, 1.0,
                      found ? TG_MSG_INVALID_TLD_DOTLESS : TG_MSG_INVALID_TLD_DOTLESS_PLAIN, &a);
    if (found) {
      g_autofree char *addr = tg_check_with_domain(s, g.domain);
      tg_check_set_correction(s, f, addr);
      tg_check_guess_clear(&g);
    }
    return true;
  }
  if (tg_domain_has_real_tld(c->ctx->psl, ascii))
    return false;
  bool found = tld_guess(c, ascii, &g);
  a.intended = found ? g.domain : NULL;
  TgFinding *f = tg_check_emit(s, TG_CODE_INVALID_TLD, 1.0,
                               found ? TG_MSG_INVALID_TLD : TG_MSG_INVALID_TLD_PLAIN, &a);
  if (found) {
    g_autofree char *addr = tg_check_with_domain(s, g.domain);
    tg_check_set_correction(s, f, addr);
    tg_check_guess_clear(&g);
  }
  return true;
}

static bool is_closed_tld(const char *tld) {
  /* Only governments register here: any domain in them is an organisation. */
  return strcmp(tld, "mil") == 0 || strcmp(tld, "gov") == 0;
}

/* `weak`: the typed domain is trusted only through the address book or history. */
bool tg_rule_tld_confusion(Check *c, Subject *s, bool weak) {
  const char *ascii = s->dom.ascii;
  const char *tld = tg_domain_tld(ascii);
  size_t n_pairs = 0;
  const TgTldPair *pairs = tg_tld_pairs_for(tld, &n_pairs);
  if (!pairs || n_pairs == 0)
    return false;
  const char *sender_tld = c->sender_domain ? tg_domain_tld(c->sender_domain) : NULL;
  size_t prefix_len = (size_t)(tld - ascii);

  const TgTldPair *best = NULL;
  char *best_dom = NULL;
  int best_rank = 0;
  TgSeverity best_sev = TG_SEVERITY_OK;
  double best_conf = 0;
  for (size_t i = 0; i < n_pairs; i++) {
    const TgTldPair *p = &pairs[i];
    g_autofree char *counterpart = g_strdup_printf("%.*s%s", (int)prefix_len, ascii, p->intended);
    guint src = tg_check_sources_of(c, counterpart);
    const TgWellKnown *wk = tg_wellknown_find_ancestor(counterpart);
    bool gov = (wk && (wk->kind & GOV_KINDS)) || (is_closed_tld(p->intended) && wk);
    bool own_tld = sender_tld && strcmp(sender_tld, p->intended) == 0;
    int rank = 0;
    TgSeverity sev = TG_SEVERITY_OK;
    double conf = 0;
    if (src & STRONG_TRUST) {
      rank = 6, sev = TG_SEVERITY_BLOCK, conf = 0.97;
    } else if (src) {
      rank = 5, sev = TG_SEVERITY_BLOCK, conf = 0.95;
    } else if (gov) {
      rank = 4, sev = TG_SEVERITY_BLOCK, conf = 0.95;
    } else if (own_tld && is_closed_tld(p->intended)) {
      rank = 3, sev = TG_SEVERITY_BLOCK, conf = 0.9;
    } else if (wk) {
      rank = 2, sev = TG_SEVERITY_WARN, conf = 0.85;
    } else if (own_tld) {
      rank = 1, sev = TG_SEVERITY_WARN, conf = 0.7;
    }
    if (weak) {
      /* The typed domain is in the address book or history: speak up only for an organisation
       * or government counterpart, and only as a warning. */
      if (!(src & STRONG_TRUST) && !gov)
        rank = 0;
      sev = TG_SEVERITY_WARN;
      conf = MIN(conf, 0.75);
    }
    if (rank > best_rank) {
      best_rank = rank;
      best = p;
      best_sev = sev;
      best_conf = conf;
      g_free(best_dom);
      best_dom = g_steal_pointer(&counterpart);
    }
  }
  if (!best) {
    /* No counterpart is known, but the name may hold a slip too (yaho.co for yahoo.com): the
     * near miss of the counterpart, if the model finds one, is what was meant. */
    for (size_t i = 0; i < n_pairs && !weak; i++) {
      g_autofree char *counterpart =
          g_strdup_printf("%.*s%s", (int)prefix_len, ascii, pairs[i].intended);
      Guess g;
      if (!tg_check_near_miss_guess(c, counterpart, &g))
        continue;
      TgMessageArgs a = {.domain = s->dom.unicode, .intended = g.domain};
      TgFinding *f = tg_check_emit(s, TG_CODE_NEAR_MISS, tg_check_near_miss_confidence(&g),
                                   TG_MSG_NEAR_MISS, &a);
      g_autofree char *addr = tg_check_with_domain(s, g.domain);
      tg_check_set_correction(s, f, addr);
      tg_check_guess_clear(&g);
      return true;
    }
    return false;
  }
  g_autofree char *owned = best_dom; /* A-label; the message shows the U-label the user typed */
  /* Ranks 3 and 1 rest on the sender's own TLD only: nothing says the counterpart exists
   * (wickes.il from a .mil sender is not evidence that wickes.mil does), so say what is wrong
   * and suggest nothing. */
  bool real_counterpart = best_rank != 3 && best_rank != 1;
  {
    const char *utld = tg_domain_tld(s->dom.unicode);
    g_autofree char *u =
        g_strdup_printf("%.*s%s", (int)(utld - s->dom.unicode), s->dom.unicode, best->intended);
    TgMessageArgs a = {.domain = s->dom.unicode, .tld = tld, .intended = u, .owner = best->owner};
    TgMessageId msg = best_rank >= 3 ? TG_MSG_TLD_CONFUSION_OWN : TG_MSG_TLD_CONFUSION_WELLKNOWN;
    if (!best->owner || !*best->owner)
      msg = TG_MSG_TLD_CONFUSION_PLAIN;
    if (!real_counterpart && best->owner && *best->owner) {
      msg = TG_MSG_TLD_CONFUSION_NOFIX;
      a.intended = best->intended;
    }
    TgFinding *f = tg_check_emit(s, TG_CODE_TLD_CONFUSION, best_conf, msg, &a);
    f->severity = real_counterpart ? best_sev : MIN(best_sev, TG_SEVERITY_WARN);
    if (real_counterpart) {
      g_autofree char *addr = tg_check_with_domain(s, u);
      tg_check_set_correction(s, f, addr);
    }
  }
  return true;
}

/* A real TLD slipped into another real one (edvw.ee for a known edvw.de, aliyun.co for the built-in
 * aliyun.com when .co is not in the confusable table): the same name under a TLD one slip away is
 * a domain the host knows, and the noisy channel says it was meant. Suggests only that domain. */
/* Offers `intended`, the typed name under another ending, to the running best of tld_slip_guess. */
static void tld_slip_offer(const Check *c, const char *typed, const char *intended, size_t label,
                           const char **best, double *best_p, double *second_p) {
  if (*best && strcmp(*best, intended) == 0)
    return;
  double slip = tg_typo_score_tld(typed, intended, NULL);
  if (slip <= 0)
    return;
  double p = tg_check_posterior_of(c, typed, intended, slip, label, 1.0);
  if (p > *best_p) {
    *second_p = *best_p;
    *best_p = p;
    *best = intended;
  } else if (p > *second_p) {
    *second_p = p;
  }
}

static bool tld_slip_guess(Check *c, const char *typed, Guess *out) {
  memset(out, 0, sizeof *out);
  const char *tld = tg_domain_tld(typed);
  size_t name_len = (size_t)(tld - typed), n_tld = strlen(tld); /* "edvw." and "ee" */
  if (name_len < 2 || n_tld + 2 > 30)
    return false;
  size_t label = 0; /* the name's last label: "edvw" */
  for (size_t i = name_len - 1; i > 0 && typed[i - 1] != '.'; i--)
    label++;
  const char *best = NULL;
  double best_p = 0, second_p = 0;
  /* Built in: one binary search finds every ending of the name. */
  g_autofree char *name = g_strndup(typed, name_len);
  size_t first = 0, count = tg_wellknown_prefix(name, &first);
  for (size_t i = 0; i < count; i++) {
    const char *d = tg_wellknown_at(first + i)->domain;
    if (!strchr(d + name_len, '.') && strcmp(d, typed) != 0)
      tld_slip_offer(c, typed, d, label, &best, &best_p, &second_p);
  }
  /* The user's own domains: when one of them has this name at all (a probe of each name filter,
   * namefilter.h; almost never), each one-edit ending looked up exactly. Not
   * for an internationalised TLD: its A-label (xn--p1ai for .рф) is never typed, so a one-edit
   * change of it is no slip, and its ~450 variants per recipient cost more than the rest of a
   * check. */
  bool any_context = strncmp(tld, "xn--", 4) != 0 && tg_check_names_may_hold(c, typed, name_len);
  char full[320];
  char *owned[8] = {NULL};
  size_t n_owned = 0;
  for (int op = 0; op < 4 && any_context && name_len + n_tld + 2 < sizeof full; op++) {
    size_t positions = op == 3 ? n_tld + 1 : n_tld;
    for (size_t i = 0; i < positions; i++) {
      for (char ch = 'a'; ch <= 'z'; ch++) {
        char *t = full + name_len;
        memcpy(full, typed, name_len);
        if (op == 0) { /* deletion */
          if (ch != 'a' || n_tld < 3)
            break;
          memcpy(t, tld, i);
          memcpy(t + i, tld + i + 1, n_tld - i);
        } else if (op == 1) { /* transposition */
          if (ch != 'a' || i + 1 >= n_tld)
            break;
          memcpy(t, tld, n_tld + 1);
          t[i] = tld[i + 1];
          t[i + 1] = tld[i];
        } else if (op == 2) { /* substitution */
          if (tld[i] == ch)
            continue;
          memcpy(t, tld, n_tld + 1);
          t[i] = ch;
        } else { /* insertion */
          memcpy(t, tld, i);
          t[i] = ch;
          memcpy(t + i + 1, tld + i, n_tld - i + 1);
        }
        if (strcmp(full, typed) == 0 || n_owned == G_N_ELEMENTS(owned))
          continue;
        uint32_t tag = 0;
        if (!g_hash_table_contains(c->domains, full) &&
            !g_hash_table_contains(c->kb->domains, full) &&
            !tg_index_lookup(c->ctx->trusted, full, &tag))
          continue;
        owned[n_owned] = g_strdup(full);
        tld_slip_offer(c, typed, owned[n_owned], label, &best, &best_p, &second_p);
        n_owned++;
      }
    }
  }
  bool found = false;
  if (best && best_p >= TG_MODEL_FLAG) {
    double best_odds = best_p / (1.0 - best_p), second_odds = second_p / (1.0 - second_p);
    if (second_p > 0 && second_odds >= best_odds * TG_MODEL_TIE) {
      /* outlook.st: one slip from outlook.sg and outlook.at alike. The ending is a slip, but of
       * which one is not clear: flagged without a fix, as near_miss does. */
      out->tie = true;
      out->score = best_p;
    } else if (tg_domain_tld_exists(c->ctx->psl, tg_domain_tld(best))) {
      out->domain = g_strdup(best);
      out->score = best_p;
      found = true;
    }
  }
  for (size_t i = 0; i < n_owned; i++)
    g_free(owned[i]);
  return found;
}

bool tg_rule_tld_slip(Check *c, Subject *s) {
  Guess g;
  g_autofree char *intended = NULL;
  /* mail.edvw.ee: the registrable domain's ending, the subdomain kept */
  int found = tg_check_guess_or_registrable(c, s->dom.ascii, tld_slip_guess, &g, &intended);
  if (found == 0)
    return false;
  if (found < 0) {
    tg_check_emit_unsure(s, g.score);
    return true;
  }
  TgMessageArgs a = {.domain = s->dom.unicode, .intended = intended};
  TgFinding *f =
      tg_check_emit(s, TG_CODE_NEAR_MISS, tg_check_near_miss_confidence(&g), TG_MSG_NEAR_MISS, &a);
  g_autofree char *addr = tg_check_with_domain(s, intended);
  tg_check_set_correction(s, f, addr);
  return true;
}
