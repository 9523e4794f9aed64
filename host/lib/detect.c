/* detect.c — tg_check: the rules that turn each recipient into findings.
 *
 * For every mailbox of every recipient, in this order:
 *   syntax        the mailbox or its domain cannot be parsed (stop)
 *   blocked       the domain, a parent of it, or its TLD is blocked by policy
 *   invalid_tld   the TLD does not exist, or the domain has a single label (a dotless name is
 *                 never a mail domain on the Internet, ICANN SAC053) — unless trusted
 *   tld_confusion a real TLD from the confusable-pair table whose counterpart matters
 *                 (these two, and the TLD slip below, are the rules of tld.c)
 *   homoglyph     a domain that reads as a trusted or well-known one it is not (confusable
 *                 letters, accents, ASCII such as rn for m: lookalike.h), or an IDN label mixing
 *                 scripts (ICU, opened only for a domain that is not all ASCII)
 *   near_miss     the noisy-channel typo model (typo.h) finds one clearly best trusted or
 *                 well-known domain; also a known domain under a TLD one slip away (tld_slip)
 *   contact_near_miss  a known domain, an unknown local part one slip from a known one
 *   wrong_address the right domain but the wrong person's address: the display name (or, at a
 *                 personal provider, the local part) belongs to a known contact whose address
 *                 the rest of the message calls for (wrongaddr.c)
 *   external / first_contact  at the levels the settings ask for
 * A domain that is trusted (any source, its parents included) or well known is never a near_miss,
 * tld_confusion, invalid_tld or homoglyph — with one exception: a domain trusted only because the
 * address book or the history holds it still gets a tld_confusion *warning* when its counterpart
 * is an organisation domain or a government/military one, since a past slip (army.ml in the
 * recent recipients) must not silence the next one.
 * Address literals ([192.0.2.1]) are deliberately left alone: they are rare, deliberate, and no
 * rule here knows what they should have been.
 *
 * Pure: everything is derived from the context and the request; the request's lists are merged
 * into per-request hash sets (and a fuzzy index built only if a near-miss search needs it). The
 * state the rules share, and the helpers the rule files use, are declared in rules.h. */
#include <math.h>
#include <string.h>

#include "rules.h"
#include "context.h"
#include "domain.h"
#include "finding.h"
#include "lookalike.h"
#include "mailbox.h"
#include "tgkeys.h"
#include "typo.h"
#include "wellknown.h"
#include "wrongaddr.h"

/* Tunables of the rules; tests/cases/detect.tsv is the evidence behind each value. */
#define TIE_MARGIN TG_TYPO_TIE_MARGIN /* contact_near_miss: a runner-up this close is a tie */
#define CONTACT_MIN_SCORE TG_TYPO_NEAR_MISS_THRESHOLD /* local parts need as clear a slip */
#define MAX_CANDIDATES 8u
#define MAX_SYNTAX_ECHO 256u /* raw text echoed back in a syntax finding, in bytes */

static void check_clear(Check *c) {
  g_clear_pointer(&c->domains, g_hash_table_destroy);
  g_clear_pointer(&c->index, tg_index_free);
  g_clear_pointer(&c->own_book, tg_book_free);
  g_clear_pointer(&c->kb_index, tg_index_free);
  g_clear_pointer(&c->locals_index, tg_index_free);
  g_clear_pointer(&c->locals_domains, g_hash_table_destroy);
  g_clear_pointer(&c->blocked, g_hash_table_destroy);
  g_clear_pointer(&c->blocked_tlds, g_hash_table_destroy);
  g_clear_pointer(&c->sender_domain, g_free);
  g_clear_pointer(&c->local, g_free);
  tg_name_filter_clear(&c->names);
  g_clear_pointer(&c->wa, tg_wrongaddr_free);
  g_clear_pointer(&c->memo, tg_domain_memo_free);
}

static void add_request_domain(Check *c, char *ascii /* owned */, TgSource source) {
  if (ascii)
    tg_domains_add(c->domains, &c->domains_longest, c->ctx->psl, ascii, source);
}

static void add_request_list(Check *c, TgStrings list, TgSource source) {
  for (size_t i = 0; i < list.len && list.items; i++)
    add_request_domain(c, tg_context_normalise_domain(list.items[i]), source);
}

static void check_init(Check *c, const TgContext *ctx, const TgRequest *req) {
  memset(c, 0, sizeof *c);
  c->ctx = ctx;
  c->req = req;
  c->domains = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  c->blocked = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  c->blocked_tlds = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  c->memo = tg_domain_memo_new();

  add_request_list(c, req->org_domains, TG_SOURCE_ORG);
  add_request_list(c, req->trusted_domains, TG_SOURCE_TRUSTED);
  add_request_list(c, req->known_domains, TG_SOURCE_KNOWN);
  c->n_org = ctx->n_org + req->org_domains.len;

  /* Known addresses: their domains are trusted (KNOWN) and their local parts feed
   * contact_near_miss. A book digested once (a host's) is used as it is; addresses the request
   * carries are digested here, after the book's mailboxes. */
  if (req->book && !(req->known_addresses.len && req->known_addresses.items)) {
    c->kb = req->book;
  } else {
    TgStrings lists[2] = {{NULL, 0}, req->known_addresses};
    if (req->book && req->book->mailboxes)
      lists[0] =
          (TgStrings){(const char *const *)req->book->mailboxes->pdata, req->book->mailboxes->len};
    c->own_book = tg_book_build(ctx->psl, c->memo, lists, G_N_ELEMENTS(lists), false);
    c->kb = c->own_book;
  }
  c->domains_longest = MAX(c->domains_longest, c->kb->domains_longest);

  if (req->sender) {
    char *addr = NULL, *dom = NULL;
    if (tg_context_split_address(req->sender, &addr, &dom, NULL)) {
      c->sender_domain = g_strdup(dom);
      add_request_domain(c, dom, TG_SOURCE_SENDER);
    }
    g_free(addr);
  }

  for (size_t i = 0; i < req->blocked_domains.len && req->blocked_domains.items; i++) {
    char *d = tg_context_normalise_domain(req->blocked_domains.items[i]);
    if (d)
      g_hash_table_add(c->blocked, d);
  }
  for (size_t i = 0; i < req->blocked_tlds.len && req->blocked_tlds.items; i++) {
    const char *t = req->blocked_tlds.items[i];
    if (t && *t == '.')
      t++;
    char *d = tg_context_normalise_domain(t);
    if (d)
      g_hash_table_add(c->blocked_tlds, d);
  }

  c->flag_external = req->flag_external >= TG_LEVEL_OFF && req->flag_external <= TG_LEVEL_WARN
                         ? (TgLevel)req->flag_external
                         : ctx->flag_external;
  c->first_contact = req->first_contact >= TG_LEVEL_OFF && req->first_contact <= TG_LEVEL_WARN
                         ? (TgLevel)req->first_contact
                         : ctx->first_contact;
}

/* TgSource bits of a domain and all its parents, from the context and the request. */
guint tg_check_sources_of(const Check *c, const char *ascii) {
  guint bits = 0;
  for (const char *d = ascii; d; d = tg_domain_parent(d)) {
    uint32_t tag = 0;
    if (tg_index_lookup(c->ctx->trusted, d, &tag))
      bits |= tag;
    bits |= GPOINTER_TO_UINT(g_hash_table_lookup(c->domains, d)) | tg_book_bits(c->kb, d);
  }
  return bits & ANY_TRUST;
}

static const TgIndex *request_index(Check *c) {
  if (!c->index_built) {
    c->index_built = true;
    c->index = tg_domains_index_new(c->domains);
  }
  return c->index;
}

bool tg_check_names_may_hold(Check *c, const char *name, size_t len) {
  if (!c->names_built) {
    c->names_built = true;
    tg_name_filter_add_keys(&c->names, c->domains);
    if (!c->kb->names.cap) /* a request's own book: its names are not digested */
      tg_name_filter_add_keys(&c->names, c->kb->domains);
  }
  return tg_name_filter_may_hold(&c->names, name, len) ||
         tg_name_filter_may_hold(&c->kb->names, name, len) ||
         tg_name_filter_may_hold(&c->ctx->trusted_names, name, len);
}

/* The fuzzy index over the known addresses' domains: the book's, or one built for the request. */
static const TgIndex *known_index(Check *c) {
  if (c->kb->index)
    return c->kb->index;
  if (!c->kb_index_built) {
    c->kb_index_built = true;
    c->kb_index = tg_domains_index_new(c->kb->domains);
  }
  return c->kb_index;
}

static bool is_blocked(const Check *c, const char *ascii, const char **tld_out) {
  *tld_out = NULL;
  for (const char *d = ascii; d; d = tg_domain_parent(d))
    if (g_hash_table_contains(c->ctx->blocked, d) || g_hash_table_contains(c->blocked, d))
      return true;
  const char *tld = tg_domain_tld(ascii);
  if (g_hash_table_contains(c->ctx->blocked_tlds, tld) ||
      g_hash_table_contains(c->blocked_tlds, tld)) {
    *tld_out = tld;
    return true;
  }
  return false;
}

/* ---- the mailbox being checked ------------------------------------------------------------ */

/* Builds the corrected address and mailbox for a new domain (A-label or display form). */
void tg_check_set_correction(const Subject *s, TgFinding *f, const char *new_address) {
  f->suggestion = g_strdup(new_address);
  if (!s->mailboxes || s->mailboxes->len <= 1) {
    f->replacement = tg_mailbox_format(s->display, new_address);
    return;
  }
  /* A list or group in one recipient field: keep the others, replace this one. Each mailbox is
   * formatted once per recipient, so a correction costs one copy of the list, not a formatting of
   * every mailbox (a 2,048-byte entry holds ~170: the rewrite was quadratic per entry). */
  GPtrArray *shown = s->list->shown;
  if (shown->len == 0) {
    for (guint i = 0; i < s->mailboxes->len; i++) {
      const TgMailbox *mb = g_ptr_array_index(s->mailboxes, i);
      char *one = tg_mailbox_format(mb->display_name, mb->address);
      s->list->bytes += strlen(one) + (i ? 2 : 0);
      g_ptr_array_add(shown, one);
    }
  }
  g_assert(shown->len == s->mailboxes->len && s->index < shown->len);
  const TgMailbox *self = g_ptr_array_index(s->mailboxes, s->index);
  g_autofree char *mine = tg_mailbox_format(self->display_name, new_address);
  const char *old = g_ptr_array_index(shown, s->index);
  GString *all = g_string_sized_new(s->list->bytes - strlen(old) + strlen(mine));
  for (guint i = 0; i < shown->len; i++) {
    if (i)
      g_string_append(all, ", ");
    g_string_append(all, i == s->index ? mine : (const char *)g_ptr_array_index(shown, i));
  }
  f->replacement = g_string_free(all, FALSE);
}

TgFinding *tg_check_emit(const Subject *s, TgCode code, double confidence, TgMessageId msg,
                         const TgMessageArgs *args) {
  g_assert(tg_message_code(msg) == code);
  TgFinding *f =
      tg_finding_new(s->recipient, s->field, code, confidence, s->address, s->dom.unicode);
  tg_finding_set_message(f, msg, args);
  g_ptr_array_add(s->out, f);
  return f;
}

char *tg_check_with_domain(const Subject *s, const char *domain) {
  return g_strconcat(s->local, "@", domain, NULL);
}

/* ---- the rules ---------------------------------------------------------------------------- */

/* Is `ascii` a domain someone means: trusted or well known (itself or a parent)? Returns a rank:
 * 0 no, 1 well known, 2 trusted. */
int tg_check_meant_rank(const Check *c, const char *ascii) {
  if (tg_check_sources_of(c, ascii))
    return 2;
  return tg_wellknown_find_ancestor(ascii) ? 1 : 0;
}

void tg_check_guess_clear(Guess *g) {
  g_clear_pointer(&g->domain, g_free);
}

/* The posterior P(meant D | typed T) (the model: typo.h), for the error-model term `slip` in a
 * label of `label` characters; `sibling` is the slip kind's factor on real(T) (1 to rank the
 * candidates of one T: how likely T is a real name is the same whichever D it is compared with). */
static double posterior(const Check *c, const char *typed, const char *intended, double slip,
                        size_t label, double sibling, double mailbox) {
  guint src = tg_check_sources_of(c, intended);
  unsigned count = 0;
  if (src & TG_SOURCE_HISTORY)
    count = GPOINTER_TO_UINT(g_hash_table_lookup(c->ctx->history_domains, intended));
  double prior = tg_typo_prior_context(src, count);
  const TgWellKnown *wk = tg_wellknown_find_ancestor(intended);
  if (wk)
    prior = MAX(prior, tg_typo_prior_builtin(wk->weight));
  double real = tg_typo_real(label, tg_typo_zone(typed), src != 0);
  real *= sibling;
  return tg_typo_posterior(slip, prior * mailbox, real);
}

double tg_check_posterior_of(const Check *c, const char *typed, const char *intended, double slip,
                             size_t label, double sibling) {
  return posterior(c, typed, intended, slip, label, sibling, 1.0);
}

/* prior(D)'s mailbox term for a one-slip candidate: the local part being judged is a known
 * address's at `intended` (the address book or the history). */
static double mailbox_term(const Check *c, const TgCandidate *cand) {
  if (!c->local || cand->kind == TG_TYPO_OTHER)
    return 1.0;
  char buf[320]; /* local@domain without an allocation, as a rule */
  g_autofree char *heap = NULL;
  size_t nl = strlen(c->local), nd = strlen(cand->intended);
  char *addr = nl + nd + 2 <= sizeof buf ? buf : (heap = g_malloc(nl + nd + 2));
  memcpy(addr, c->local, nl);
  addr[nl] = '@';
  memcpy(addr + nl + 1, cand->intended, nd + 1);
  bool known = g_hash_table_contains(c->kb->known, addr) ||
               g_hash_table_contains(c->ctx->history_addresses, addr);
  return known ? c->local_prior : 1.0;
}

static double candidate_posterior(const Check *c, const char *typed, const TgCandidate *cand) {
  return posterior(c, typed, cand->intended, cand->slip, cand->label, 1.0, mailbox_term(c, cand));
}

/* The candidate with the highest posterior (without the sibling term) and the runner-up's. */
static void rank_candidates(const Check *c, const char *typed, const TgCandidate *cand, size_t n,
                            const TgCandidate **best, double *best_p, double *second_p) {
  *best = NULL;
  *best_p = *second_p = 0;
  for (size_t i = 0; i < n; i++) {
    if (!cand[i].intended || strcmp(cand[i].intended, typed) == 0)
      continue;
    double p = candidate_posterior(c, typed, &cand[i]);
    if (p > *best_p) {
      *second_p = *best_p;
      *best_p = p;
      *best = &cand[i];
    } else if (p > *second_p) {
      *second_p = p;
    }
  }
}

/* The typo model's single best intended domain for `typed`, or false (none, too unlikely, or a
 * tie): the candidate with the highest posterior, if it reaches TG_MODEL_FLAG and no other domain
 * comes within TG_MODEL_TIE of its odds. A tie whose best candidate reaches TG_MODEL_FLAG sets
 * out->tie: T is a slip, but of which domain is not clear. */
bool tg_check_near_miss_guess(Check *c, const char *typed, Guess *out) {
  memset(out, 0, sizeof *out);
  const TgIndex *indexes[3];
  size_t n_ix = 0;
  indexes[n_ix++] = c->ctx->trusted;
  const TgIndex *rix = request_index(c);
  if (rix)
    indexes[n_ix++] = rix;
  const TgIndex *kix = known_index(c);
  if (kix)
    indexes[n_ix++] = kix;
  TgCandidate cand[2 * MAX_CANDIDATES]; /* room for the two-slip ones after the one-slip ones */
  size_t n = tg_typo_candidates(typed, indexes, n_ix, cand, MAX_CANDIDATES);
  const TgCandidate *best = NULL;
  double best_p = 0, second_p = 0;
  rank_candidates(c, typed, cand, n, &best, &best_p, &second_p);
  /* Two slips of a popular provider compete with the one-slip candidates, unless even the best
   * two-slip odds the model allows could neither win nor tie (most real typos: gmial.com is one
   * slip from gmail.com, and the two-slip path search costs microseconds). The one-slip search
   * also meets some two-edit pairs (gmila / gmail share the deletion key gmil) and scores them as
   * one unexplained edit: such a domain is kept once, with the better error model, so that it
   * never ties with itself. */
  double best_odds1 = best_p / (1.0 - best_p);
  double most_prior =
      MAX(tg_typo_prior_builtin(UINT8_MAX), tg_typo_prior_context(TG_SOURCE_ORG, 0));
  double least_real = tg_typo_real(TG_KEY_MAX_LEN, tg_typo_zone(typed), true);
  if (tg_typo_slip2_max() * most_prior / least_real >= best_odds1 * TG_MODEL_TIE) {
    TgCandidate two[MAX_CANDIDATES];
    size_t n_two = tg_typo_candidates2(typed, two, MAX_CANDIDATES);
    for (size_t j = 0; j < n_two; j++) {
      size_t i = 0;
      while (i < n && strcmp(cand[i].intended, two[j].intended) != 0)
        i++;
      if (i < n) {
        if (two[j].slip > cand[i].slip) {
          uint32_t tag = cand[i].tag; /* the sources that found it, kept */
          cand[i] = two[j];
          cand[i].tag |= tag;
        }
      } else {
        cand[n++] = two[j]; /* at most MAX_CANDIDATES of them: always room */
      }
    }
    if (n_two)
      rank_candidates(c, typed, cand, n, &best, &best_p, &second_p);
  }
  if (!best)
    return false;
  double best_odds = best_p / (1.0 - best_p), second_odds = second_p / (1.0 - second_p);
  bool tie = second_p > 0 && second_odds >= best_odds * TG_MODEL_TIE;
  /* Whether T is itself a real name depends on how it differs from D (the sibling term). */
  double sib = tg_typo_sibling(best->kind, best->keys, best->label);
  /* With no context in an open zone REAL_OPEN was fitted over all kinds at once; only a doubled
   * letter, a hyphen or a dot more, which next to never make another name, keep their factor. */
  bool typo_like = best->kind == TG_TYPO_DOT_ADDED || best->kind == TG_TYPO_HYPHEN_ADDED ||
                   best->kind == TG_TYPO_DOUBLING;
  if (!tg_check_sources_of(c, best->intended) && tg_typo_zone(typed) == TG_ZONE_OPEN && !typo_like)
    sib = 1.0;
  best_p = posterior(c, typed, best->intended, best->slip, best->label, sib, mailbox_term(c, best));
  if (best_p < TG_MODEL_FLAG)
    return false;
  if (tie) {
    /* Two plausible intentions: the slip is real, but saying either domain would mislead. */
    out->tie = true;
    out->score = best_p;
    return false;
  }
  out->domain = g_strdup(best->intended);
  out->score = best_p;
  out->kind = best->kind;
  out->tag = best->tag;
  return true;
}

double tg_check_near_miss_confidence(const Guess *g) {
  return CLAMP(g->score, 0.5, 0.99); /* the posterior itself */
}

/* Is a domain, or a parent of it up to its registrable domain, one someone means? 3 trusted by
 * the organisation or the user (org, trusted lists, the sender's own), 2 trusted only because
 * the address book or the history holds it, 1 built-in well known, 0 neither. Unlike meant_rank,
 * a public suffix that is built in (gov.au, gc.ca) does not make every name below it meant:
 * defence.gov.au is a lookalike target,
 * münchen.gov.au read as munchen.gov.au is not. The exact lookups come first; the public suffix
 * list is asked only about a hit, so judging the many readings of a name stays cheap. */
static int meant_below_suffix(const Check *c, const char *ascii) {
  int rank = 0;
  size_t floor_len = 0; /* computed on the first hit */
  /* A name longer than every meant domain is none of them: the lookalike search judges up to
   * 256 readings of each recipient, and hashing each parent of a 253-byte reading three times
   * made long names the costliest check of all. */
  size_t longest = MAX(MAX(c->domains_longest, c->ctx->trusted_longest), tg_wellknown_longest());
  /* Down to the last two labels: an ending alone is never what someone registered. */
  for (const char *d = ascii; d && strchr(d, '.'); d = tg_domain_parent(d)) {
    if (strlen(d) > longest)
      continue;
    uint32_t tag = 0;
    guint bits = GPOINTER_TO_UINT(g_hash_table_lookup(c->domains, d)) | tg_book_bits(c->kb, d);
    if (tg_index_lookup(c->ctx->trusted, d, &tag))
      bits |= tag;
    int r = bits & STRONG_TRUST ? 3 : bits & ANY_TRUST ? 2 : tg_wellknown_find(d) ? 1 : 0;
    if (!r)
      continue;
    if (!floor_len) {
      const char *reg = tg_domain_registrable(c->ctx->psl, ascii);
      floor_len = reg ? strlen(reg) : strlen(ascii);
    }
    if (strlen(d) < floor_len)
      break; /* a public suffix (or above): not what anyone registered */
    if (r >= 2)
      return r;
    rank = 1;
  }
  return rank;
}

/* The lookalike search's judge: is this reading a domain someone means? */
static int lookalike_judge(const char *reading, void *data) {
  return meant_below_suffix(data, reading);
}

/* A domain that reads as a trusted or well-known one it is not (lookalike.h: ICU's confusable
 * skeletons, decompositions, and the glyph table, ASCII sequences such as rn for m included).
 * A lookalike of a domain the user or the organisation trusts blocks; of a domain that is only
 * built in, it warns. An IDN that reads as nothing known but mixes scripts in one label warns
 * without a suggestion; a legitimate single-script IDN (münchen.de, россия.рф) gets nothing. */
static bool rule_homoglyph(Check *c, Subject *s) {
  TgLookalikeMatch m;
  if (tg_lookalike_match(c->ctx->lookalike, s->dom.unicode, s->dom.ascii, lookalike_judge, c, &m)) {
    g_autofree char *intended_u = NULL;
    if (strstr(m.reading, "xn--")) {
      TgDomain d;
      if (tg_domain_normalise(m.reading, &d, NULL)) {
        intended_u = g_steal_pointer(&d.unicode);
        tg_domain_clear(&d);
      }
    }
    const char *shown = intended_u ? intended_u : m.reading;
    TgMessageArgs a = {.domain = s->dom.unicode,
                       .intended = shown,
                       .glyph = m.glyph,
                       .looks_like = m.looks_like,
                       .glyph_name = m.glyph_name,
                       .description = m.description,
                       .script = m.script,
                       .script_code = m.script_code,
                       .kind = m.kind != TG_GLYPH_NONE ? tg_glyph_kind_name(m.kind) : NULL};
    TgMessageId msg = m.kind == TG_GLYPH_SCRIPT   ? TG_MSG_HOMOGLYPH_SCRIPT
                      : m.kind == TG_GLYPH_MARK   ? TG_MSG_HOMOGLYPH_MARK
                      : m.kind == TG_GLYPH_LETTER ? TG_MSG_HOMOGLYPH_LETTER
                      : m.kind == TG_GLYPH_ASCII  ? TG_MSG_HOMOGLYPH_ASCII
                                                  : TG_MSG_HOMOGLYPH;
    if (msg == TG_MSG_HOMOGLYPH_LETTER && !m.description)
      msg = TG_MSG_HOMOGLYPH;
    /* An all-ASCII name that reads as an address-book domain may be that domain's registered
     * neighbour (nlc.bc.ca and nic.bc.ca are two real colleges): no one registers a Unicode
     * lookalike of a Latin name by chance, but plain letters collide. So an ASCII reading blocks
     * only what the organisation or the user declared trusted, and warns otherwise. */
    bool trusted = m.rank >= 3 || (m.rank == 2 && s->dom.idn);
    TgFinding *f = tg_check_emit(s, TG_CODE_HOMOGLYPH, trusted ? 0.97 : 0.85, msg, &a);
    f->severity = trusted ? TG_SEVERITY_BLOCK : TG_SEVERITY_WARN;
    g_autofree char *addr = tg_check_with_domain(s, shown);
    tg_check_set_correction(s, f, addr);
    tg_lookalike_match_clear(&m);
    return true;
  }
  if (!s->dom.idn)
    return false;
  TgLookalikeInfo info;
  if (!tg_lookalike_inspect(c->ctx->lookalike, s->dom.unicode, &info))
    return false;
  bool fired = false;
  if (info.mixed_script) {
    TgMessageArgs a = {.domain = s->dom.unicode, .script = info.script ? info.script : "foreign"};
    TgFinding *f = tg_check_emit(s, TG_CODE_HOMOGLYPH, 0.6, TG_MSG_HOMOGLYPH_MIXED, &a);
    f->severity = TG_SEVERITY_WARN; /* suspicious, but we do not know what it imitates */
    fired = true;
  }
  tg_lookalike_info_clear(&info);
  return fired;
}

int tg_check_guess_or_registrable(Check *c, const char *ascii, TgGuessFn guess, Guess *g,
                                  char **intended) {
  *intended = NULL;
  if (guess(c, ascii, g)) {
    *intended = g_steal_pointer(&g->domain);
    return 1;
  }
  bool tie = g->tie;
  double tie_score = g->score;
  const char *reg = tg_domain_registrable_parent(c->ctx->psl, ascii);
  if (!reg || tg_check_meant_rank(c, reg) || !guess(c, reg, g)) {
    if (!tie && !g->tie)
      return 0;
    g->score = tie ? tie_score : g->score;
    return -1;
  }
  *intended = g_strdup_printf("%.*s%s", (int)(reg - ascii), ascii, g->domain);
  tg_check_guess_clear(g);
  return 1;
}

void tg_check_emit_unsure(const Subject *s, double score) {
  Guess g = {.score = score};
  TgMessageArgs a = {.domain = s->dom.unicode};
  tg_check_emit(s, TG_CODE_NEAR_MISS, tg_check_near_miss_confidence(&g), TG_MSG_NEAR_MISS_UNSURE,
                &a);
}

static bool rule_near_miss(Check *c, Subject *s) {
  Guess g;
  g_autofree char *intended = NULL;
  int found =
      tg_check_guess_or_registrable(c, s->dom.ascii, tg_check_near_miss_guess, &g, &intended);
  if (found == 0)
    return false;
  if (found < 0) {
    tg_check_emit_unsure(s, g.score);
    return true;
  }
  /* The subdomain kept under a corrected registry name can itself read as a slip of a
   * registered name (branson.mvo.gov -> branson.mo.gov, which is bransonmo.gov one dot away,
   * check_mailbox's registry rule). A suggestion must not be flagged in turn: offer the name
   * that rule would, or no fix when it cannot choose. (A domain guessed directly is itself
   * built in or the user's own, which this never touches.) */
  const TgWellKnown *anc = tg_wellknown_find_ancestor(intended);
  if (anc && strcmp(anc->domain, intended) != 0 && tg_typo_zone(intended) == TG_ZONE_REGISTRY &&
      !tg_check_sources_of(c, intended)) {
    Guess next;
    if (tg_check_near_miss_guess(c, intended, &next)) {
      g_free(intended);
      intended = g_steal_pointer(&next.domain);
      g.kind = next.kind;
      g.score = MIN(g.score, next.score); /* as sure as the less sure of the two steps */
    } else if (next.tie) {
      tg_check_emit_unsure(s, MIN(g.score, next.score));
      return true;
    }
  }
  g_autofree char *intended_u = NULL;
  if (strstr(intended, "xn--")) {
    TgDomain d;
    if (tg_domain_normalise(intended, &d, NULL)) {
      intended_u = g_steal_pointer(&d.unicode);
      tg_domain_clear(&d);
    }
  }
  const char *shown = intended_u ? intended_u : intended;
  TgMessageArgs a = {.domain = s->dom.unicode, .intended = shown};
  TgMessageId msg = g.kind == TG_TYPO_DOT_DROPPED      ? TG_MSG_NEAR_MISS_DOT
                    : g.kind == TG_TYPO_HYPHEN_DROPPED ? TG_MSG_NEAR_MISS_HYPHEN
                                                       : TG_MSG_NEAR_MISS;
  TgFinding *f = tg_check_emit(s, TG_CODE_NEAR_MISS, tg_check_near_miss_confidence(&g), msg, &a);
  g_autofree char *addr = tg_check_with_domain(s, shown);
  tg_check_set_correction(s, f, addr);
  return true;
}

/* Do two local parts differ only in digits (ops1 / ops2 are different mailboxes, not slips)? */
static bool differ_in_digits_only(const char *a, const char *b) {
  while (*a || *b) {
    while (g_ascii_isdigit(*a))
      a++;
    while (g_ascii_isdigit(*b))
      b++;
    if (*a != *b)
      return false;
    if (*a) {
      a++;
      b++;
    }
  }
  return true;
}

/* The typo model reads a domain: it leaves the last label alone (that is the TLD's business) and
 * weighs a slip by the length of its label. A local part is one name whatever its dots, so they
 * become '_' (an off-keyboard character: a dropped dot still counts as one slip) and a dummy
 * ending is added: "john.doe" -> "john_doe.x". */
static char *local_as_domain(const char *local) {
  char *s = g_strconcat(local, ".x", NULL);
  for (char *p = s; p[2]; p++)
    if (*p == '.')
      *p = '_';
  return s;
}

/* Contacts one slip away are found through the symmetric-deletion index (tgkeys.h) rather than
 * by scoring every contact at the domain: 10,000 recipients at a domain with 50,000 contacts was
 * 5 x 10^8 scores. The index finds every local part one edit away (substitution, transposition,
 * omission, insertion, a dot dropped or added); a slip of two edits scores at most 0.15 in the
 * typo model, far below both the threshold and a best within TIE_MARGIN, so the search sees every
 * contact that could be chosen or make a tie. A local part is keyed as "local.<domain id>": the
 * deletion keys stop at the last dot, so a domain's contacts only ever meet its own. */
#define CONTACT_MAX_PROBE_IDS 1024u /* more contacts one slip away than this: ambiguous, abstain */
#define CONTACT_KEY_MAX 253u        /* TG_KEY_MAX_LEN: a longer local part is not compared */

/* The id of `domain` in the locals index, adding its contacts on first use; 0 when it has none. */
static guint locals_domain_id(Check *c, const char *domain) {
  /* The history's contacts are in the sealed context's own index (context.h); only an unsealed
   * context's are indexed here. */
  const GPtrArray *lists[] = {
      g_hash_table_lookup(c->kb->locals, domain),
      c->ctx->locals_index ? NULL : g_hash_table_lookup(c->ctx->history_locals, domain)};
  if (!lists[0] && !lists[1])
    return 0; /* no contacts there: nothing to index (most recipients) */
  if (!c->locals_domains) {
    c->locals_domains = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    c->locals_index = tg_index_new();
  }
  gpointer v = NULL;
  if (g_hash_table_lookup_extended(c->locals_domains, domain, NULL, &v))
    return GPOINTER_TO_UINT(v);
  guint id = 0;
  if (lists[0] || lists[1]) {
    id = g_hash_table_size(c->locals_domains) + 1;
    for (size_t l = 0; l < G_N_ELEMENTS(lists); l++) {
      for (guint i = 0; lists[l] && i < lists[l]->len; i++) {
        g_autofree char *key =
            g_strdup_printf("%s.%x", (const char *)g_ptr_array_index(lists[l], i), id);
        (void)tg_index_add(c->locals_index, key, 0); /* a key over the limit is left out */
      }
    }
  }
  g_hash_table_insert(c->locals_domains, g_strdup(domain), GUINT_TO_POINTER(id));
  return id;
}

/* The best and second-best scores of the contacts at domain `id` of `index` one slip from
 * `typed`; `seen` holds the contacts scored already (the request's and the history's indexes may
 * both hold one). False when the search is saturated (too many contacts one slip away to tell). */
static bool consider_locals(const TgIndex *index, guint id, const char *typed, GHashTable *seen,
                            char **best, double *best_score, double *second_score) {
  g_autofree char *key = g_strdup_printf("%s.%x", typed, id);
  size_t n = strlen(key);
  if (n > CONTACT_KEY_MAX)
    return true;
  g_autofree char *suffix = g_strdup_printf(".%x", id);
  size_t suffix_len = strlen(suffix);
  uint32_t dels[CONTACT_KEY_MAX];
  size_t n_dels = tg_key_deletions(key, n, dels);
  g_autofree uint32_t *ids = g_new(uint32_t, CONTACT_MAX_PROBE_IDS);
  size_t k =
      tg_index_probe_slips(index, tg_key_hash(key, n), dels, n_dels, ids, CONTACT_MAX_PROBE_IDS);
  if (k >= CONTACT_MAX_PROBE_IDS)
    return false;
  g_autofree char *typed_key = local_as_domain(typed);
  for (size_t i = 0; i < k; i++) {
    const char *entry = tg_index_domain_at(index, ids[i], NULL);
    size_t len = entry ? strlen(entry) : 0;
    /* A hash collision may bring another domain's contact: only this domain's count. */
    if (len <= suffix_len || strcmp(entry + len - suffix_len, suffix) != 0)
      continue;
    char *known = g_strndup(entry, len - suffix_len);
    if (!g_hash_table_add(seen, known))
      continue; /* scored already (the set owns `known`) */
    if (strcmp(known, typed) == 0 || differ_in_digits_only(known, typed))
      continue;
    g_autofree char *kd = local_as_domain(known);
    double sc = tg_typo_score(typed_key, kd, NULL);
    if (sc > *best_score) {
      *second_score = *best_score;
      *best_score = sc;
      g_free(*best);
      *best = g_strdup(known);
    } else if (sc > *second_score) {
      *second_score = sc;
    }
  }
  return true;
}

static bool rule_contact_near_miss(Check *c, Subject *s) {
  g_autofree char *local = g_utf8_strdown(s->local, -1);
  g_autofree char *bare = g_strconcat(local, "@", s->dom.ascii, NULL);
  if (g_hash_table_contains(c->kb->known, bare) ||
      g_hash_table_contains(c->ctx->history_addresses, bare))
    return false;
  guint id = locals_domain_id(c, s->dom.ascii);
  guint history_id = tg_context_locals_id(c->ctx, s->dom.ascii);
  if (id == 0 && history_id == 0)
    return false;
  g_autofree char *best = NULL;
  double best_score = 0, second = 0;
  g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  if (id && !consider_locals(c->locals_index, id, local, seen, &best, &best_score, &second))
    return false;
  if (history_id &&
      !consider_locals(c->ctx->locals_index, history_id, local, seen, &best, &best_score, &second))
    return false;
  if (!best || best_score < CONTACT_MIN_SCORE || second >= best_score - TIE_MARGIN)
    return false;
  g_autofree char *intended = g_strconcat(best, "@", s->dom.unicode, NULL);
  g_autofree char *intended_a = g_strconcat(best, "@", s->dom.ascii, NULL);
  TgMessageArgs a = {.domain = s->dom.unicode, .intended = intended, .address = s->address};
  TgFinding *f = tg_check_emit(s, TG_CODE_CONTACT_NEAR_MISS, MIN(0.95, 0.5 + 0.45 * best_score),
                               TG_MSG_CONTACT_NEAR_MISS, &a);
  f->suggestion = g_strdup(intended);
  const char *name = s->display;
  const char *known_name = g_hash_table_lookup(c->kb->known, intended_a);
  if (!name && known_name && *known_name)
    name = known_name;
  f->replacement = tg_mailbox_format(name, intended);
  return true;
}

/* ---- wrong_address: the autocomplete slip (the rule lives in wrongaddr.c) ------------------ */

static guint sources_of_check(const void *check, const char *ascii) {
  return tg_check_sources_of(check, ascii);
}

static bool rule_wrong_address(Check *c, Subject *s) {
  if (!c->wa) {
    TgWrongAddrInput in = {.ctx = c->ctx,
                           .req = c->req,
                           .known = c->kb->known,
                           .book = c->kb->addresses,
                           .people = c->kb->people,
                           .sender_domain = c->sender_domain,
                           .sources = sources_of_check,
                           .check = c,
                           .memo = c->memo};
    c->wa = tg_wrongaddr_new(&in);
  }
  TgWrongAddrMailbox mb = {
      .recipient = s->recipient, .local = s->local, .display = s->display, .dom = &s->dom};
  TgWrongAddrVerdict v;
  if (!tg_wrongaddr_judge(c->wa, &mb, &v))
    return false;
  TgMessageArgs a = {
      .domain = s->dom.unicode, .intended = v.intended, .address = s->address, .name = v.who};
  TgFinding *f = tg_check_emit(s, TG_CODE_WRONG_ADDRESS, v.confidence, v.msg, &a);
  f->severity = v.severity;
  if (v.keep_display || (s->mailboxes && s->mailboxes->len > 1)) {
    tg_check_set_correction(s, f, v.intended); /* keeps the name as the user has it */
  } else {
    f->suggestion = g_strdup(v.intended);
    f->replacement = tg_mailbox_format(v.meant_name, v.intended);
  }
  bool warn = v.severity >= TG_SEVERITY_WARN;
  tg_wrongaddr_verdict_clear(&v);
  return warn;
}

static void check_mailbox(Check *c, Subject *s, const char *raw_domain) {
  TgMessageArgs a = {0};
  if (!tg_domain_normalise_memo(c->memo, raw_domain, &s->dom)) {
    a.domain = raw_domain;
    tg_check_emit(s, TG_CODE_SYNTAX, 1.0, TG_MSG_SYNTAX_DOMAIN, &a);
    return;
  }
  if (s->dom.literal)
    return;
  s->sources = tg_check_sources_of(c, s->dom.ascii);

  const char *blocked_tld = NULL;
  if (is_blocked(c, s->dom.ascii, &blocked_tld)) {
    a.domain = s->dom.unicode;
    a.tld = blocked_tld;
    tg_check_emit(s, TG_CODE_BLOCKED, 1.0, blocked_tld ? TG_MSG_BLOCKED_TLD : TG_MSG_BLOCKED_DOMAIN,
                  &a);
  }

  bool typo = false; /* a finding that says "this is not the domain you meant" */
  bool trusted = s->sources != 0;
  if (!trusted) {
    /* A known address with this local part at a candidate domain is evidence for it (typo.h). */
    if (g_hash_table_size(c->kb->known) || g_hash_table_size(c->ctx->history_addresses)) {
      c->local = g_utf8_strdown(s->local ? s->local : "", -1);
      c->local_prior = tg_typo_prior_mailbox(c->local);
      if (c->local_prior <= 1.0)
        g_clear_pointer(&c->local, g_free);
    }
    /* A domain that reads as a trusted or well-known one is a lookalike even when its lookalike
     * letters sit in the ending (icloud.cоm with a Cyrillic о). First, so that gmai1.com is
     * called a lookalike (its 1 reads as l) rather than a typing slip. */
    const TgWellKnown *wk = tg_wellknown_find_ancestor(s->dom.ascii);
    if (!wk || (strcmp(wk->domain, s->dom.ascii) != 0 && !meant_below_suffix(c, s->dom.ascii)))
      typo = rule_homoglyph(c, s);
    if (!typo)
      typo = tg_rule_invalid_tld(c, s);
    const TgWellKnown *anc = typo ? NULL : tg_wellknown_find_ancestor(s->dom.ascii);
    if (!typo && !anc) {
      typo = tg_rule_tld_confusion(c, s, false);
      if (!typo)
        typo = rule_near_miss(c, s);
      if (!typo)
        typo = tg_rule_tld_slip(c, s);
    } else if (!typo && strcmp(anc->domain, s->dom.ascii) != 0 &&
               tg_typo_zone(s->dom.ascii) == TG_ZONE_REGISTRY) {
      /* branson.mo.gov: under a registered state domain, but bransonmo.gov is registered and one
       * dot away. In the complete registry that is the likelier meaning (the only candidates a
       * name with an extra label has are its dot-dropped forms). */
      typo = rule_near_miss(c, s);
    }
    g_clear_pointer(&c->local, g_free);
  } else if (!(s->sources & STRONG_TRUST)) {
    typo = tg_rule_tld_confusion(c, s, true);
  }
  bool wrong = false; /* a warning that another known address of this person was meant */
  if (!typo) {
    rule_contact_near_miss(c, s);
    wrong = rule_wrong_address(c, s);
  }

  if (c->flag_external != TG_LEVEL_OFF && c->n_org > 0 && !(s->sources & TG_SOURCE_ORG)) {
    TgFinding *f = tg_check_emit(s, TG_CODE_EXTERNAL, 1.0, TG_MSG_EXTERNAL, &a);
    f->severity = c->flag_external == TG_LEVEL_WARN ? TG_SEVERITY_WARN : TG_SEVERITY_INFO;
  }
  /* first_contact says nothing a typo finding has not said already. */
  if (c->first_contact != TG_LEVEL_OFF && !trusted && !typo && !wrong) {
    TgFinding *f = tg_check_emit(s, TG_CODE_FIRST_CONTACT, 1.0, TG_MSG_FIRST_CONTACT, &a);
    f->severity = c->first_contact == TG_LEVEL_WARN ? TG_SEVERITY_WARN : TG_SEVERITY_INFO;
  }
}

static char *syntax_reason(const GError *err) {
  if (!err || !err->message || !*err->message)
    return NULL;
  g_autofree char *r = g_strstrip(g_strdup(err->message));
  size_t n = strlen(r);
  while (n > 0 && (r[n - 1] == '.' || r[n - 1] == ' '))
    r[--n] = '\0';
  /* "The domain is missing" -> "the domain is missing", but keep "IPv6 …" as written. */
  if (g_ascii_isupper(r[0]) && r[1] && g_ascii_islower(r[1]))
    r[0] = g_ascii_tolower(r[0]);
  return g_steal_pointer(&r);
}

/* Checks recipient i into `out`. Returns false, checking nothing, when its mailboxes would take
 * the request over TG_MAX_MAILBOXES (*n_mailboxes counts them). */
static bool check_recipient(Check *c, size_t i, GPtrArray *out, size_t *n_mailboxes) {
  const TgRecipient *r = &c->req->recipients[i];
  const char *text = r->address ? r->address : "";
  size_t len = strnlen(text, TG_MAX_ADDRESS_BYTES + 1);
  g_autoptr(GError) err = NULL;
  g_autoptr(GPtrArray) mbs = tg_mailbox_parse_list(text, len, &err);
  if (!mbs) {
    /* Echo a bounded, valid-UTF-8 prefix of what was typed. */
    g_autofree char *echo = g_utf8_make_valid(text, (gssize)MIN(len, MAX_SYNTAX_ECHO));
    g_autofree char *reason = syntax_reason(err);
    gboolean incomplete =
        !err || err->domain != TG_MAILBOX_ERROR || err->code == TG_MAILBOX_ERROR_EMPTY ||
        err->code == TG_MAILBOX_ERROR_NO_AT || err->code == TG_MAILBOX_ERROR_NO_LOCAL ||
        err->code == TG_MAILBOX_ERROR_NO_DOMAIN;
    TgMessageArgs a = {.reason = reason};
    TgFinding *f = tg_finding_new(i, r->field, TG_CODE_SYNTAX, 1.0, echo, NULL);
    tg_finding_set_message(
        f, incomplete || !reason ? TG_MSG_SYNTAX_INCOMPLETE : TG_MSG_SYNTAX_REASON, &a);
    g_ptr_array_add(out, f);
    *n_mailboxes += 1;
    return true;
  }
  *n_mailboxes += mbs->len;
  if (*n_mailboxes > TG_MAX_MAILBOXES)
    return false;
  g_autoptr(GPtrArray) shown = g_ptr_array_new_with_free_func(g_free);
  ListText list = {.shown = shown};
  for (guint m = 0; m < mbs->len; m++) {
    const TgMailbox *mb = g_ptr_array_index(mbs, m);
    Subject s = {.recipient = i,
                 .field = r->field,
                 .address = mb->address,
                 .local = mb->local,
                 .display = mb->display_name,
                 .mailboxes = mbs,
                 .index = m,
                 .list = &list,
                 .out = out};
    check_mailbox(c, &s, mb->domain ? mb->domain : "");
    tg_domain_clear(&s.dom);
  }
  return true;
}

static int finding_order(gconstpointer pa, gconstpointer pb) {
  const TgFinding *a = *(const TgFinding *const *)pa, *b = *(const TgFinding *const *)pb;
  if (a->severity != b->severity)
    return a->severity > b->severity ? -1 : 1;
  /* Findings that carry a correction first: the dialog shows the first one unfolded. */
  if ((a->suggestion != NULL) != (b->suggestion != NULL))
    return a->suggestion ? -1 : 1;
  if (a->confidence != b->confidence)
    return a->confidence > b->confidence ? -1 : 1;
  return (int)a->code - (int)b->code;
}

/* Does the request hold more than TG_MAX_MAILBOXES mailboxes? Every mailbox has an '@', so
 * counting them bounds the answer at memchr speed; only a request over that bound is parsed
 * (up to the mailbox that goes over), so that too_many costs no check at all. */
static bool too_many_mailboxes(const TgRequest *req, size_t n) {
  size_t bound = 0;
  for (size_t i = 0; i < n; i++) {
    const char *t = req->recipients[i].address ? req->recipients[i].address : "";
    size_t len = strnlen(t, TG_MAX_ADDRESS_BYTES + 1), ats = 0;
    for (const char *p = t; (p = memchr(p, '@', len - (size_t)(p - t))) != NULL; p++)
      ats++;
    bound += MAX(ats, (size_t)1);
  }
  if (bound <= TG_MAX_MAILBOXES)
    return false;
  size_t count = 0;
  for (size_t i = 0; i < n && count <= TG_MAX_MAILBOXES; i++) {
    const char *t = req->recipients[i].address ? req->recipients[i].address : "";
    g_autoptr(GPtrArray) mbs = tg_mailbox_parse_list(t, strnlen(t, TG_MAX_ADDRESS_BYTES + 1), NULL);
    count += mbs ? mbs->len : 1;
  }
  return count > TG_MAX_MAILBOXES;
}

void tg_request_init(TgRequest *req) {
  memset(req, 0, sizeof *req);
  req->flag_external = -1;
  req->first_contact = -1;
}

TgResult *tg_check(const TgContext *ctx, const TgRequest *req) {
  g_return_val_if_fail(ctx != NULL && req != NULL, NULL);
  TgResult *res = g_new0(TgResult, 1);
  res->verdict = TG_SEVERITY_OK;
  res->findings = g_ptr_array_new_with_free_func((GDestroyNotify)tg_finding_free);
  size_t n = MIN(req->n_recipients, (size_t)TG_MAX_RECIPIENTS);
  if (req->recipients && too_many_mailboxes(req, n)) {
    res->too_many = true;
    return res;
  }
  Check c;
  check_init(&c, ctx, req);
  g_autoptr(GPtrArray) one = g_ptr_array_new();
  for (size_t i = 0; i < n && req->recipients; i++) {
    g_ptr_array_set_size(one, 0);
    if (!check_recipient(&c, i, one, &res->n_mailboxes)) {
      res->too_many = true;
      break;
    }
    g_ptr_array_sort(one, finding_order);
    for (guint k = 0; k < one->len; k++) {
      TgFinding *f = g_ptr_array_index(one, k);
      if (f->severity > res->verdict)
        res->verdict = f->severity;
      g_ptr_array_add(res->findings, f);
    }
  }
  check_clear(&c);
  return res;
}

void tg_result_free(TgResult *res) {
  if (!res)
    return;
  if (res->findings)
    g_ptr_array_unref(res->findings);
  g_free(res);
}
