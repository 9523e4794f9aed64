/* detect.c — tg_check: the rules that turn each recipient into findings.
 *
 * For every mailbox of every recipient, in this order:
 *   syntax        the mailbox or its domain cannot be parsed (stop)
 *   blocked       the domain, a parent of it, or its TLD is blocked by policy
 *   invalid_tld   the TLD does not exist, or the domain has a single label (a dotless name is
 *                 never a mail domain on the Internet, ICANN SAC053) — unless trusted
 *   tld_confusion a real TLD from the confusable-pair table whose counterpart matters
 *   homoglyph     an IDN whose confusable skeleton is a trusted or well-known domain, or a label
 *                 mixing scripts (ICU, opened only here)
 *   near_miss     the typing-error model finds one clearly best trusted or well-known domain
 *   contact_near_miss  a known domain, an unknown local part one slip from a known one
 *   wrong_address the right domain but the wrong person's address: the display name (or, at a
 *                 personal provider, the local part) belongs to a known contact whose address
 *                 the rest of the message calls for (see rule_wrong_address)
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
 * into per-request hash sets (and a fuzzy index built only if a near-miss search needs it). */
#include <math.h>
#include <string.h>

#include "context.h"
#include "domain.h"
#include "finding.h"
#include "lookalike.h"
#include "mailbox.h"
#include "people.h"
#include "tgkeys.h"
#include "typo.h"
#include "wellknown.h"

/* Tunables of the rules; tests/cases/detect.tsv is the evidence behind each value. */
#define NEAR_MISS_MIN_SCORE TG_TYPO_NEAR_MISS_THRESHOLD /* typo.h: calibrated on all of .gov */
#define TIE_MARGIN TG_TYPO_TIE_MARGIN /* a runner-up this close to the best is a tie: abstain */
#define CONTACT_MIN_SCORE TG_TYPO_NEAR_MISS_THRESHOLD /* local parts need as clear a slip */
#define TLD_TIE_RATIO 0.8 /* weighted TLD corrections: the runner-up within this ratio is a tie */
#define MAX_CANDIDATES 8u
#define MAX_SYNTAX_ECHO 256u     /* raw text echoed back in a syntax finding, in bytes */
/* wrong_address: pair counts (messages written to together, from the history). HABIT: the
 * chosen address was already sent together with one of these recipients this often — the user
 * meant it, and asking again teaches people to click through. STRONG: the namesake was written
 * to with them in this many messages in all, and with at least half of them — enough to warn,
 * not only inform. (A pair seen by chance in a 20-recipient message is no pattern: with "any pair,
 * 3 times" bench_wrongaddr's random history raised 5 namesake warnings in 1,000 messages.) */
#define WRONG_HABIT_MIN 1u
#define WRONG_STRONG_MIN 3u
/* The organisation key of a party whose domain is an organisation domain (policy/settings). */
#define ORG_KEY "\x01org"

#define STRONG_TRUST (TG_SOURCE_ORG | TG_SOURCE_TRUSTED | TG_SOURCE_SENDER)
#define ANY_TRUST (STRONG_TRUST | TG_SOURCE_HISTORY | TG_SOURCE_KNOWN)
#define GOV_KINDS (TG_WK_US_GOV | TG_WK_US_MIL | TG_WK_GOV)

/* Everything one tg_check call derives from the request. */
typedef struct {
  const TgContext *ctx;
  const TgRequest *req;
  GHashTable *domains;        /* A-label -> TgSource bits from the request (and registrables) */
  TgIndex *index;             /* fuzzy index over `domains`, built on first near-miss search */
  bool index_built;
  GHashTable *known;          /* lower-case address -> display name ("" when none) */
  GHashTable *known_locals;   /* A-label domain -> GPtrArray of local parts (borrowed strings) */
  /* contact_near_miss: the local parts of known and learned contacts, as "local.<domain id>",
   * each domain's added on its first recipient there (so one search per recipient, not one
   * comparison per contact). */
  TgIndex *locals_index;
  GHashTable *locals_domains; /* A-label -> GUINT_TO_POINTER(domain id), 0: no contacts there */
  GHashTable *blocked;        /* request's blocked domains */
  GHashTable *blocked_tlds;
  char *sender_domain;        /* A-label, or NULL */
  size_t n_org;               /* organisation domains in the context and the request */
  TgLevel flag_external;
  TgLevel first_contact;
  /* wrong_address, each built on its first use and then shared by every recipient: */
  GPtrArray *book;            /* known addresses in request order (keys of `known`, borrowed) */
  TgPeople *people;           /* names and local parts of `book`, ids are positions in it */
  struct View *view;          /* the message as a whole: who else is written to */
} Check;

/* One mailbox of the message, as the other recipients' context sees it. */
typedef struct {
  char *address;   /* lower-case local part @ A-label domain */
  const char *org; /* organisation key (org_key) */
  bool personal;   /* at a public mail provider */
} Party;

typedef struct View {
  GArray *parties;        /* Party, the recipients' mailboxes in request order */
  guint *first, *count;   /* per recipient: its parties are [first, first + count) */
  size_t n_recipients;
  GHashTable *addresses;  /* address -> GUINT_TO_POINTER(recipient index + 1), first occurrence */
  GHashTable *tally;      /* organisation key -> GUINT_TO_POINTER(parties there) */
  GStringChunk *chunk;    /* the organisation keys */
  const char *sender_org; /* or NULL without a (parsable) sender */
  bool sender_personal;
} View;

static void view_free(View *v) {
  if (!v)
    return;
  for (guint i = 0; i < v->parties->len; i++)
    g_free(g_array_index(v->parties, Party, i).address);
  g_array_unref(v->parties);
  g_free(v->first);
  g_free(v->count);
  g_hash_table_destroy(v->addresses);
  g_hash_table_destroy(v->tally);
  g_string_chunk_free(v->chunk);
  g_free(v);
}

static void check_clear(Check *c) {
  g_clear_pointer(&c->domains, g_hash_table_destroy);
  g_clear_pointer(&c->index, tg_index_free);
  g_clear_pointer(&c->known, g_hash_table_destroy);
  g_clear_pointer(&c->known_locals, g_hash_table_destroy);
  g_clear_pointer(&c->locals_index, tg_index_free);
  g_clear_pointer(&c->locals_domains, g_hash_table_destroy);
  g_clear_pointer(&c->blocked, g_hash_table_destroy);
  g_clear_pointer(&c->blocked_tlds, g_hash_table_destroy);
  g_clear_pointer(&c->sender_domain, g_free);
  g_clear_pointer(&c->book, g_ptr_array_unref);
  g_clear_pointer(&c->people, tg_people_free);
  g_clear_pointer(&c->view, view_free);
}

static void add_request_domain(Check *c, char *ascii /* owned */, TgSource source) {
  if (!ascii)
    return;
  const char *reg = tg_domain_registrable(c->ctx->psl, ascii);
  if (reg && reg != ascii) {
    guint bits = GPOINTER_TO_UINT(g_hash_table_lookup(c->domains, reg));
    g_hash_table_replace(c->domains, g_strdup(reg), GUINT_TO_POINTER(bits | source));
  }
  guint bits = GPOINTER_TO_UINT(g_hash_table_lookup(c->domains, ascii));
  g_hash_table_replace(c->domains, ascii, GUINT_TO_POINTER(bits | source));
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
  c->known = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
  c->known_locals = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                          (GDestroyNotify)g_ptr_array_unref);
  c->blocked = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  c->blocked_tlds = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  c->book = g_ptr_array_sized_new((guint)MIN(req->known_addresses.len, (size_t)G_MAXUINT));

  add_request_list(c, req->org_domains, TG_SOURCE_ORG);
  add_request_list(c, req->trusted_domains, TG_SOURCE_TRUSTED);
  add_request_list(c, req->known_domains, TG_SOURCE_KNOWN);
  c->n_org = ctx->n_org + req->org_domains.len;

  /* Known addresses: their domains are trusted (KNOWN) and their local parts feed
   * contact_near_miss. An address book can hold 10,000 entries; the split is a fast path that
   * only falls back to the full parser for unusual shapes. */
  for (size_t i = 0; i < req->known_addresses.len && req->known_addresses.items; i++) {
    char *addr = NULL, *dom = NULL, *name = NULL;
    if (!tg_context_split_address(req->known_addresses.items[i], &addr, &dom, &name))
      continue;
    if (g_hash_table_contains(c->known, addr)) {
      g_free(addr);
      g_free(dom);
      g_free(name);
      continue;
    }
    g_hash_table_insert(c->known, addr, name ? name : g_strdup(""));
    g_ptr_array_add(c->book, addr);
    GPtrArray *locals = g_hash_table_lookup(c->known_locals, dom);
    if (!locals) {
      locals = g_ptr_array_new_with_free_func(g_free);
      g_hash_table_insert(c->known_locals, g_strdup(dom), locals);
    }
    g_ptr_array_add(locals, g_strndup(addr, (gsize)(strrchr(addr, '@') - addr)));
    /* An address book repeats its domains: merge each once (the registrable-domain lookup is
     * the costly part of a 10,000-contact book). */
    if (GPOINTER_TO_UINT(g_hash_table_lookup(c->domains, dom)) & TG_SOURCE_KNOWN)
      g_free(dom);
    else
      add_request_domain(c, dom, TG_SOURCE_KNOWN);
  }

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
static guint sources_of(const Check *c, const char *ascii) {
  guint bits = 0;
  for (const char *d = ascii; d; d = tg_domain_parent(d)) {
    uint32_t tag = 0;
    if (tg_index_lookup(c->ctx->trusted, d, &tag))
      bits |= tag;
    bits |= GPOINTER_TO_UINT(g_hash_table_lookup(c->domains, d));
  }
  return bits & ANY_TRUST;
}

static const TgIndex *request_index(Check *c) {
  if (!c->index_built) {
    c->index_built = true;
    if (g_hash_table_size(c->domains) > 0) {
      c->index = tg_index_new();
      GHashTableIter it;
      gpointer k, v;
      g_hash_table_iter_init(&it, c->domains);
      while (g_hash_table_iter_next(&it, &k, &v))
        tg_index_add(c->index, k, GPOINTER_TO_UINT(v));
    }
  }
  return c->index;
}

static bool is_blocked(const Check *c, const char *ascii, const char **tld_out) {
  *tld_out = NULL;
  for (const char *d = ascii; d; d = tg_domain_parent(d))
    if (g_hash_table_contains(c->ctx->blocked, d) || g_hash_table_contains(c->blocked, d))
      return true;
  const char *tld = tg_domain_tld(ascii);
  if (g_hash_table_contains(c->ctx->blocked_tlds, tld) || g_hash_table_contains(c->blocked_tlds, tld)) {
    *tld_out = tld;
    return true;
  }
  return false;
}

/* ---- the mailbox being checked ------------------------------------------------------------ */

typedef struct {
  size_t recipient;
  TgField field;
  const char *address;  /* bare, as parsed */
  const char *local;    /* local part, as parsed */
  const char *display;  /* display name or NULL */
  TgDomain dom;
  guint sources;
  GPtrArray *mailboxes; /* all mailboxes of this recipient (for multi-mailbox replacements) */
  size_t index;         /* this mailbox's position in `mailboxes` */
  struct ListText *list; /* `mailboxes` formatted, filled by the recipient's first correction */
  GPtrArray *out;       /* findings of this recipient */
} Subject;

/* A recipient's mailboxes as text, for replacements that keep the others of a list. */
typedef struct ListText {
  GPtrArray *shown; /* char*, each mailbox formatted */
  size_t bytes;     /* of all of them joined with ", " */
} ListText;

/* Builds the corrected address and mailbox for a new domain (A-label or display form). */
static void set_correction(const Subject *s, TgFinding *f, const char *new_address) {
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

static TgFinding *emit(const Subject *s, TgCode code, double confidence, TgMessageId msg,
                       const TgMessageArgs *args) {
  g_assert(tg_message_code(msg) == code);
  TgFinding *f = tg_finding_new(s->recipient, s->field, code, confidence, s->address, s->dom.unicode);
  f->message = tg_message_format(msg, args);
  g_ptr_array_add(s->out, f);
  return f;
}

static char *with_domain(const Subject *s, const char *domain) {
  return g_strconcat(s->local, "@", domain, NULL);
}

/* ---- the rules ---------------------------------------------------------------------------- */

/* How common a TLD is for mail, to rank corrections of a TLD that does not exist. */
static double tld_weight(const Check *c, const char *tld) {
  static const struct {
    const char *tld;
    double w;
  } common[] = {
      {"com", 1.0}, {"net", 0.5}, {"org", 0.5}, {"de", 0.4}, {"uk", 0.4}, {"edu", 0.35},
      {"gov", 0.35}, {"mil", 0.3}, {"fr", 0.3}, {"ru", 0.3}, {"jp", 0.3}, {"it", 0.3},
      {"nl", 0.3}, {"ca", 0.3}, {"au", 0.3}, {"br", 0.3}, {"es", 0.3}, {"ch", 0.25},
      {"at", 0.25}, {"be", 0.25}, {"se", 0.25}, {"pl", 0.25}, {"in", 0.25}, {"us", 0.25},
      {"io", 0.2}, {"info", 0.2}, {"co", 0.2}, {"eu", 0.2}, {"dk", 0.2}, {"no", 0.2},
      {"fi", 0.2}, {"cz", 0.2}, {"mx", 0.2}, {"cn", 0.2}, {"kr", 0.2}, {"nz", 0.2},
  };
  double w = 0.1;
  for (size_t i = 0; i < G_N_ELEMENTS(common); i++)
    if (strcmp(common[i].tld, tld) == 0)
      w = common[i].w;
  if (c->sender_domain && strcmp(tg_domain_tld(c->sender_domain), tld) == 0)
    w = MAX(w, 0.6) + 0.2; /* people mostly write within their own TLD */
  return w;
}

/* Is `ascii` a domain someone means: trusted or well known (itself or a parent)? Returns a rank:
 * 0 no, 1 well known, 2 trusted. */
static int meant_rank(const Check *c, const char *ascii) {
  if (sources_of(c, ascii))
    return 2;
  return tg_wellknown_find_ancestor(ascii) ? 1 : 0;
}

typedef struct {
  char *domain; /* the corrected domain (owned) */
  double score;
  TgTypoKind kind;
  guint tag;    /* TgSource bits or TG_CANDIDATE_WELLKNOWN|kind */
} Guess;

static void guess_clear(Guess *g) { g_clear_pointer(&g->domain, g_free); }

/* The typo model's single best intended domain for `typed`, or false (none, or a tie). */
static bool near_miss_guess(Check *c, const char *typed, Guess *out) {
  memset(out, 0, sizeof *out);
  const TgIndex *indexes[2];
  size_t n_ix = 0;
  indexes[n_ix++] = c->ctx->trusted;
  const TgIndex *rix = request_index(c);
  if (rix)
    indexes[n_ix++] = rix;
  TgCandidate cand[MAX_CANDIDATES];
  size_t n = tg_typo_candidates(typed, indexes, n_ix, cand, MAX_CANDIDATES);
  const TgCandidate *best = NULL, *second = NULL;
  for (size_t i = 0; i < n; i++) {
    if (!cand[i].intended || strcmp(cand[i].intended, typed) == 0)
      continue;
    if (!best) {
      best = &cand[i];
    } else if (strcmp(cand[i].intended, best->intended) != 0) {
      if (!second || cand[i].score > second->score)
        second = &cand[i];
    }
  }
  if (!best || best->score < NEAR_MISS_MIN_SCORE)
    return false;
  if (second && second->score >= best->score - TIE_MARGIN)
    return false; /* two equally plausible intentions: saying either would mislead */
  out->domain = g_strdup(best->intended);
  out->score = best->score;
  out->kind = best->kind;
  out->tag = best->tag;
  return true;
}

static double near_miss_confidence(const Guess *g) {
  double conf = 0.55 + 0.4 * MIN(1.0, g->score);
  if (!(g->tag & TG_CANDIDATE_WELLKNOWN) && (g->tag & STRONG_TRUST))
    conf += 0.04; /* a slip of the organisation's own or a listed partner's domain */
  return MIN(conf, 0.99);
}

/* Single label: "user@gmail". Try the well-known and trusted completions, then a TLD typed
 * without its dot ("gmailcom"). */
static bool dotless_guess(Check *c, const char *label, Guess *out) {
  static const char *const endings[] = {"com", "net", "org", "de", "co.uk", "fr", "it", "es",
                                        "nl", "ru", "jp", "ca", "com.au", "com.br", "edu",
                                        "gov", "mil", "ch", "at", "be", "se", "pl", "us", "in"};
  memset(out, 0, sizeof *out);
  double best = 0, second = 0;
  char *best_dom = NULL;
  if (c->sender_domain) {
    /* "user@army" from someone at mail.mil: their own TLD first. */
    const char *reg = tg_domain_registrable(c->ctx->psl, c->sender_domain);
    const char *suffix = reg ? strchr(reg, '.') : NULL;
    if (suffix) {
      g_autofree char *d = g_strconcat(label, suffix, NULL);
      int r = meant_rank(c, d);
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
    if (sources_of(c, d)) {
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
    if (meant_rank(c, d)) {
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

/* A TLD that does not exist: the typo model over known domains first, then every real TLD one
 * edit away (deletion, transposition, substitution, insertion), weighted by how common it is. */
static bool tld_guess(Check *c, const char *ascii, Guess *out) {
  if (near_miss_guess(c, ascii, out)) {
    if (tg_domain_tld_exists(c->ctx->psl, tg_domain_tld(out->domain)))
      return true;
    guess_clear(out);
  }
  memset(out, 0, sizeof *out);
  const char *tld = tg_domain_tld(ascii);
  size_t n = strlen(tld), prefix_len = (size_t)(tld - ascii);
  if (n > 24)
    return false;
  char cand[32];
  double best = 0, second = 0;
  char best_tld[32] = "";
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
        if (strcmp(cand, tld) == 0 || strcmp(cand, best_tld) == 0 ||
            !tg_domain_tld_exists(c->ctx->psl, cand))
          continue;
        g_autofree char *full = g_strdup_printf("%.*s%s", (int)prefix_len, ascii, cand);
        double s = tg_typo_score_tld(ascii, full, NULL);
        if (s <= 0)
          continue;
        double w = s * tld_weight(c, cand) * (1.0 + meant_rank(c, full));
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

static bool rule_invalid_tld(Check *c, Subject *s) {
  const char *ascii = s->dom.ascii;
  TgMessageArgs a = {.domain = s->dom.unicode, .tld = tg_domain_tld(s->dom.unicode)};
  Guess g;
  bool dotless = strchr(ascii, '.') == NULL;
  if (dotless) {
    bool found = dotless_guess(c, ascii, &g);
    a.intended = found ? g.domain : NULL;
    TgFinding *f = emit(s, TG_CODE_INVALID_TLD, 1.0,
                        found ? TG_MSG_INVALID_TLD_DOTLESS : TG_MSG_INVALID_TLD_DOTLESS_PLAIN, &a);
    if (found) {
      g_autofree char *addr = with_domain(s, g.domain);
      set_correction(s, f, addr);
      guess_clear(&g);
    }
    return true;
  }
  if (tg_domain_has_real_tld(c->ctx->psl, ascii))
    return false;
  bool found = tld_guess(c, ascii, &g);
  a.intended = found ? g.domain : NULL;
  TgFinding *f = emit(s, TG_CODE_INVALID_TLD, 1.0, found ? TG_MSG_INVALID_TLD : TG_MSG_INVALID_TLD_PLAIN, &a);
  if (found) {
    g_autofree char *addr = with_domain(s, g.domain);
    set_correction(s, f, addr);
    guess_clear(&g);
  }
  return true;
}

static bool is_closed_tld(const char *tld) {
  /* Only governments register here: any domain in them is an organisation. */
  return strcmp(tld, "mil") == 0 || strcmp(tld, "gov") == 0;
}

/* `weak`: the typed domain is trusted only through the address book or history. */
static bool rule_tld_confusion(Check *c, Subject *s, bool weak) {
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
    guint src = sources_of(c, counterpart);
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
  if (!best)
    return false;
  g_autofree char *owned = best_dom; /* A-label; the message shows the U-label the user typed */
  {
    const char *utld = tg_domain_tld(s->dom.unicode);
    g_autofree char *u = g_strdup_printf("%.*s%s", (int)(utld - s->dom.unicode), s->dom.unicode,
                                         best->intended);
    TgMessageArgs a = {.domain = s->dom.unicode, .tld = tld, .intended = u, .owner = best->owner};
    TgMessageId msg = best_rank >= 3 || best_rank == 1 ? TG_MSG_TLD_CONFUSION_OWN
                                                       : TG_MSG_TLD_CONFUSION_WELLKNOWN;
    if (!best->owner || !*best->owner)
      msg = TG_MSG_TLD_CONFUSION_PLAIN;
    TgFinding *f = emit(s, TG_CODE_TLD_CONFUSION, best_conf, msg, &a);
    f->severity = best_sev;
    g_autofree char *addr = with_domain(s, u);
    set_correction(s, f, addr);
  }
  return true;
}

static bool rule_homoglyph(Check *c, Subject *s) {
  TgLookalikeInfo info;
  if (!tg_lookalike_inspect(c->ctx->lookalike, s->dom.unicode, &info))
    return false;
  bool fired = false;
  if (info.latin && strcmp(info.latin, s->dom.ascii) != 0 && tg_domain_is_ldh(info.latin) &&
      meant_rank(c, info.latin) &&
      tg_lookalike_confusable(c->ctx->lookalike, s->dom.unicode, info.latin)) {
    TgMessageArgs a = {.domain = s->dom.unicode, .intended = info.latin, .script = info.script};
    TgFinding *f = emit(s, TG_CODE_HOMOGLYPH, 0.97,
                        info.script ? TG_MSG_HOMOGLYPH : TG_MSG_HOMOGLYPH_LETTER, &a);
    g_autofree char *addr = with_domain(s, info.latin);
    set_correction(s, f, addr);
    fired = true;
  } else if (info.mixed_script) {
    TgMessageArgs a = {.domain = s->dom.unicode, .script = info.script ? info.script : "foreign"};
    TgFinding *f = emit(s, TG_CODE_HOMOGLYPH, 0.6, TG_MSG_HOMOGLYPH_MIXED, &a);
    f->severity = TG_SEVERITY_WARN; /* suspicious, but we do not know what it imitates */
    fired = true;
  }
  tg_lookalike_info_clear(&info);
  return fired;
}

static bool rule_near_miss(Check *c, Subject *s) {
  const char *ascii = s->dom.ascii;
  Guess g;
  g_autofree char *intended = NULL;
  if (near_miss_guess(c, ascii, &g)) {
    intended = g_steal_pointer(&g.domain);
  } else {
    /* mail.gmial.com: look at the registrable domain and keep the subdomain. */
    const char *reg = tg_domain_registrable(c->ctx->psl, ascii);
    if (!reg || reg == ascii || meant_rank(c, reg) || !near_miss_guess(c, reg, &g))
      return false;
    intended = g_strdup_printf("%.*s%s", (int)(reg - ascii), ascii, g.domain);
    guess_clear(&g);
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
  TgFinding *f = emit(s, TG_CODE_NEAR_MISS, near_miss_confidence(&g), msg, &a);
  g_autofree char *addr = with_domain(s, shown);
  set_correction(s, f, addr);
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
#define CONTACT_KEY_MAX 253u       /* TG_KEY_MAX_LEN: a longer local part is not compared */

/* The id of `domain` in the locals index, adding its contacts on first use; 0 when it has none. */
static guint locals_domain_id(Check *c, const char *domain) {
  if (!c->locals_domains) {
    c->locals_domains = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    c->locals_index = tg_index_new();
  }
  gpointer v = NULL;
  if (g_hash_table_lookup_extended(c->locals_domains, domain, NULL, &v))
    return GPOINTER_TO_UINT(v);
  const GPtrArray *lists[] = {g_hash_table_lookup(c->known_locals, domain),
                              g_hash_table_lookup(c->ctx->history_locals, domain)};
  guint id = 0;
  if (lists[0] || lists[1]) {
    id = g_hash_table_size(c->locals_domains) + 1;
    for (size_t l = 0; l < G_N_ELEMENTS(lists); l++) {
      for (guint i = 0; lists[l] && i < lists[l]->len; i++) {
        g_autofree char *key = g_strdup_printf("%s.%x", (const char *)g_ptr_array_index(lists[l], i), id);
        (void)tg_index_add(c->locals_index, key, 0); /* a key over the limit is left out */
      }
    }
  }
  g_hash_table_insert(c->locals_domains, g_strdup(domain), GUINT_TO_POINTER(id));
  return id;
}

/* The best and second-best scores of the contacts at domain `id` one slip from `typed`. False
 * when the search is saturated (too many contacts one slip away to tell). */
static bool consider_locals(Check *c, guint id, const char *typed, char **best, double *best_score,
                            double *second_score) {
  g_autofree char *key = g_strdup_printf("%s.%x", typed, id);
  size_t n = strlen(key);
  if (n > CONTACT_KEY_MAX)
    return true;
  g_autofree char *suffix = g_strdup_printf(".%x", id);
  size_t suffix_len = strlen(suffix);
  uint32_t dels[CONTACT_KEY_MAX];
  size_t n_dels = tg_key_deletions(key, n, dels);
  g_autofree uint32_t *ids = g_new(uint32_t, CONTACT_MAX_PROBE_IDS);
  size_t k = tg_index_probe_slips(c->locals_index, tg_key_hash(key, n), dels, n_dels, ids,
                                  CONTACT_MAX_PROBE_IDS);
  if (k >= CONTACT_MAX_PROBE_IDS)
    return false;
  g_autofree char *typed_key = local_as_domain(typed);
  g_autoptr(GHashTable) seen = g_hash_table_new(g_direct_hash, g_direct_equal);
  for (size_t i = 0; i < k; i++) {
    if (!g_hash_table_add(seen, GUINT_TO_POINTER(ids[i] + 1)))
      continue;
    const char *entry = tg_index_domain_at(c->locals_index, ids[i], NULL);
    size_t len = entry ? strlen(entry) : 0;
    /* A hash collision may bring another domain's contact: only this domain's count. */
    if (len <= suffix_len || strcmp(entry + len - suffix_len, suffix) != 0)
      continue;
    g_autofree char *known = g_strndup(entry, len - suffix_len);
    if (strcmp(known, typed) == 0 || differ_in_digits_only(known, typed))
      continue;
    g_autofree char *kd = local_as_domain(known);
    double sc = tg_typo_score(typed_key, kd, NULL);
    if (sc > *best_score) {
      *second_score = *best_score;
      *best_score = sc;
      g_free(*best);
      *best = g_steal_pointer(&known);
    } else if (sc > *second_score) {
      *second_score = sc;
    }
  }
  return true;
}

static bool rule_contact_near_miss(Check *c, Subject *s) {
  g_autofree char *local = g_utf8_strdown(s->local, -1);
  g_autofree char *bare = g_strconcat(local, "@", s->dom.ascii, NULL);
  if (g_hash_table_contains(c->known, bare) || g_hash_table_contains(c->ctx->history_addresses, bare))
    return false;
  guint id = locals_domain_id(c, s->dom.ascii);
  if (id == 0)
    return false;
  g_autofree char *best = NULL;
  double best_score = 0, second = 0;
  if (!consider_locals(c, id, local, &best, &best_score, &second))
    return false;
  if (!best || best_score < CONTACT_MIN_SCORE || second >= best_score - TIE_MARGIN)
    return false;
  g_autofree char *intended = g_strconcat(best, "@", s->dom.unicode, NULL);
  g_autofree char *intended_a = g_strconcat(best, "@", s->dom.ascii, NULL);
  TgMessageArgs a = {.domain = s->dom.unicode, .intended = intended, .address = s->address};
  TgFinding *f = emit(s, TG_CODE_CONTACT_NEAR_MISS, MIN(0.95, 0.5 + 0.45 * best_score),
                      TG_MSG_CONTACT_NEAR_MISS, &a);
  f->suggestion = g_strdup(intended);
  const char *name = s->display;
  const char *known_name = g_hash_table_lookup(c->known, intended_a);
  if (!name && known_name && *known_name)
    name = known_name;
  f->replacement = tg_mailbox_format(name, intended);
  return true;
}

/* ---- wrong_address: the autocomplete slip --------------------------------------------------- */

/* Which organisation a domain belongs to, for "everyone else in this message is at one place":
 * the configured organisation domains are one organisation whatever their names (mail.mil and
 * army.mil); the US military is one across its .mil domains; otherwise the registrable domain. */
static const char *org_key(const Check *c, const char *ascii, GStringChunk *chunk) {
  if (sources_of(c, ascii) & TG_SOURCE_ORG)
    return ORG_KEY;
  if (strcmp(tg_domain_tld(ascii), "mil") == 0)
    return "mil";
  const char *reg = tg_domain_registrable(c->ctx->psl, ascii);
  return chunk ? g_string_chunk_insert_const(chunk, reg ? reg : ascii) : (reg ? reg : ascii);
}

/* A public mail provider (gmail.com, gmx.de …) that is not one of the organisation's domains. */
static bool is_personal(const Check *c, const char *ascii) {
  const TgWellKnown *wk = tg_wellknown_find_ancestor(ascii);
  return wk && (wk->kind & TG_WK_MAIL_PROVIDER) && !(sources_of(c, ascii) & TG_SOURCE_ORG);
}

/* Parses every recipient once (only when a wrong_address question comes up). */
static View *view_of(Check *c) {
  if (c->view)
    return c->view;
  View *v = g_new0(View, 1);
  v->parties = g_array_new(FALSE, FALSE, sizeof(Party));
  v->n_recipients = MIN(c->req->n_recipients, (size_t)TG_MAX_RECIPIENTS);
  v->first = g_new0(guint, v->n_recipients ? v->n_recipients : 1);
  v->count = g_new0(guint, v->n_recipients ? v->n_recipients : 1);
  v->addresses = g_hash_table_new(g_str_hash, g_str_equal); /* keys owned by `parties` */
  v->tally = g_hash_table_new(g_str_hash, g_str_equal);
  v->chunk = g_string_chunk_new(1024);
  for (size_t i = 0; i < v->n_recipients && c->req->recipients; i++) {
    v->first[i] = v->parties->len;
    const char *text = c->req->recipients[i].address ? c->req->recipients[i].address : "";
    g_autoptr(GPtrArray) mbs = tg_mailbox_parse_list(text, strnlen(text, TG_MAX_ADDRESS_BYTES + 1), NULL);
    for (guint m = 0; mbs && m < mbs->len; m++) {
      const TgMailbox *mb = g_ptr_array_index(mbs, m);
      g_autofree char *dom = tg_context_normalise_domain(mb->domain);
      if (!dom)
        continue; /* syntax: no party */
      g_autofree char *local = g_utf8_strdown(mb->local, -1);
      Party p = {.address = g_strconcat(local, "@", dom, NULL), .org = org_key(c, dom, v->chunk),
                 .personal = is_personal(c, dom)};
      g_array_append_val(v->parties, p);
      if (!g_hash_table_contains(v->addresses, p.address))
        g_hash_table_insert(v->addresses, p.address, GUINT_TO_POINTER((guint)i + 1));
      guint n = GPOINTER_TO_UINT(g_hash_table_lookup(v->tally, p.org));
      g_hash_table_insert(v->tally, (gpointer)p.org, GUINT_TO_POINTER(n + 1));
    }
    v->count[i] = v->parties->len - v->first[i];
  }
  if (c->sender_domain) {
    v->sender_org = org_key(c, c->sender_domain, v->chunk);
    v->sender_personal = is_personal(c, c->sender_domain);
  }
  return c->view = v;
}

/* The address book's people, indexed once per request. */
static const TgPeople *people_of(Check *c) {
  if (c->people)
    return c->people;
  c->people = tg_people_new(c->book->len);
  for (guint i = 0; i < c->book->len; i++) {
    const char *addr = g_ptr_array_index(c->book, i);
    tg_people_add(c->people, i, g_hash_table_lookup(c->known, addr), addr);
  }
  tg_people_freeze(c->people);
  return c->people;
}

/* The one organisation of the sender and every other recipient than `r`, or NULL when they are
 * at several, at a public mail provider, or when `r` is alone. */
static const char *org_context(const View *v, size_t r) {
  guint others = v->parties->len - v->count[r];
  if (others == 0)
    return NULL;
  const Party *mine = &g_array_index(v->parties, Party, v->first[r]);
  const char *d = v->sender_org;
  bool personal = v->sender_personal;
  if (!d) {
    const Party *p = &g_array_index(v->parties, Party, v->first[r] == 0 ? v->count[r] : 0);
    d = p->org;
    personal = p->personal;
  }
  if (personal)
    return NULL;
  guint at_d = GPOINTER_TO_UINT(g_hash_table_lookup(v->tally, d));
  for (guint k = 0; k < v->count[r]; k++)
    at_d -= strcmp(mine[k].org, d) == 0;
  return at_d == others ? d : NULL;
}

/* How `address` was written to with the other recipients than `r`, from the pair counts. */
typedef struct {
  guint max;     /* the largest pair count */
  guint sum;     /* all pair counts */
  guint support; /* other recipients it was written to with at least once */
  guint others;  /* other recipients */
} Together;

static void together_add(Together *t, guint count) {
  if (!count)
    return;
  t->max = MAX(t->max, count);
  t->sum = (guint)MIN((guint64)t->sum + count, G_MAXUINT);
  t->support++;
}

/* Walks the shorter of its partner list and the message. */
static Together together_with_others(const Check *c, const View *v, const char *address, size_t r) {
  Together t = {.others = v->parties->len - v->count[r]};
  const TgPairNode *node = tg_context_pair_node(c->ctx, address);
  if (!node)
    return t;
  if (node->degree <= v->parties->len) {
    for (guint32 e = node->first; e;) {
      const TgPairEdge *edge = tg_context_pair_edge(c->ctx, e);
      guint at = GPOINTER_TO_UINT(g_hash_table_lookup(v->addresses, tg_context_pair_address(c->ctx, edge->partner)));
      if (at && at - 1 != r)
        together_add(&t, edge->count);
      e = edge->next;
    }
  } else {
    for (guint i = 0; i < v->parties->len; i++) {
      if (i >= v->first[r] && i < v->first[r] + v->count[r])
        continue;
      const Party *p = &g_array_index(v->parties, Party, i);
      together_add(&t, tg_context_together(c->ctx, address, p->address));
    }
  }
  return t;
}

static bool together_strong(const Together *t) {
  return t->sum >= WRONG_STRONG_MIN && 2 * t->support >= t->others;
}

/* "Smith, John" reads "John Smith" in a sentence. */
static char *natural_name(const char *name) {
  const char *comma = strchr(name, ',');
  if (!comma || strchr(comma + 1, ','))
    return g_strdup(name);
  g_autofree char *last = g_strstrip(g_strndup(name, (gsize)(comma - name)));
  g_autofree char *first = g_strstrip(g_strdup(comma + 1));
  if (!*last || !*first)
    return g_strdup(name);
  return g_strconcat(first, " ", last, NULL);
}

typedef struct {
  guint id;          /* position in the book */
  bool by_name;      /* matched through the display name */
  bool by_local;     /* matched through the local part (john.smith@gmail.com -> john.smith@…) */
  bool org;          /* at the organisation everyone else is at, while the chosen one is not */
  Together together; /* with the other recipients */
} Namesake;

/* Which namesake the message calls for: the organisation first, then the history, then the one
 * the name and the local part both point at (two John Smiths at army.mil, and the slip was
 * john.smith@gmail.com: the one whose address is john.smith@army.mil). */
static int namesake_cmp(const Namesake *a, const Namesake *b) {
  if (a->org != b->org)
    return a->org ? 1 : -1;
  bool sa_strong = together_strong(&a->together), sb_strong = together_strong(&b->together);
  if (sa_strong != sb_strong)
    return sa_strong ? 1 : -1;
  if (a->together.support != b->together.support)
    return a->together.support > b->together.support ? 1 : -1;
  if (a->together.sum != b->together.sum)
    return a->together.sum > b->together.sum ? 1 : -1;
  int sa = a->by_name + a->by_local, sb = b->by_name + b->by_local;
  return (sa > sb) - (sa < sb);
}

/* The address a known person should have been written to at.
 *
 *   1. the recipient's display name is a known contact's name (people.h normalisations), the
 *      address differs, and the message calls for the contact's: everyone else (sender and other
 *      recipients) is at the contact's organisation and the typed address is not, or the history
 *      has the contact written to with these recipients and the typed address never;
 *   2. the address is at a public mail provider, everyone else is at one organisation, and a
 *      known contact there has the same name or local part (john.smith@gmail.com among army.mil
 *      colleagues, beside a known john.smith@army.mil);
 *   3. the typed address is itself known (address book or history) and a namesake fits better:
 *      two people can share a name, so this only informs — unless the history shows the namesake
 *      written to with these recipients strongly (together_strong), or rule 2 holds.
 * A name known only from weak history (a pair or two) also only informs.
 * Never when the typed address was sent together with these recipients before (WRONG_HABIT_MIN),
 * when the namesake is already a recipient (both addresses on purpose), or when two namesakes fit
 * equally well (which one was meant is a guess). */
static bool rule_wrong_address(Check *c, Subject *s) {
  bool personal = is_personal(c, s->dom.ascii);
  TgPersonName name;
  bool named = s->display && tg_person_name_parse(s->display, &name);
  if (!named && !personal)
    return false; /* the common case costs nothing: no book index, no view */
  if (c->book->len == 0) {
    if (named)
      tg_person_name_clear(&name);
    return false;
  }
  const View *v = view_of(c);
  const TgPeople *people = people_of(c);
  const char *ctx_org = org_context(v, s->recipient);

  g_autoptr(GArray) by_name = g_array_new(FALSE, FALSE, sizeof(guint));
  g_autoptr(GArray) by_spelled = g_array_new(FALSE, FALSE, sizeof(guint)); /* name in the local part */
  g_autoptr(GArray) by_local = g_array_new(FALSE, FALSE, sizeof(guint));
  if (named) {
    tg_people_lookup_name(people, &name, by_name);
    tg_person_name_clear(&name);
  }
  if (personal && ctx_org) {
    TgPersonName spelled;
    if (tg_person_name_from_local(s->local, &spelled)) {
      tg_people_lookup_name(people, &spelled, by_spelled);
      tg_person_name_clear(&spelled);
    }
    g_autofree char *lk = tg_people_local_key(s->local);
    tg_people_lookup_local(people, lk, by_local);
  }
  if (by_name->len == 0 && by_spelled->len == 0 && by_local->len == 0)
    return false;

  g_autofree char *local = g_utf8_strdown(s->local, -1);
  g_autofree char *typed = g_strconcat(local, "@", s->dom.ascii, NULL);
  const char *typed_org = org_key(c, s->dom.ascii, NULL);
  bool typed_at_ctx = ctx_org && strcmp(typed_org, ctx_org) == 0;
  if (together_with_others(c, v, typed, s->recipient).max >= WRONG_HABIT_MIN)
    return false;

  /* The candidates, each once (a contact can match by name and by local part). */
  g_autoptr(GArray) found = g_array_new(FALSE, FALSE, sizeof(Namesake));
  GArray *lists[] = {by_name, by_spelled, by_local};
  for (size_t l = 0; l < G_N_ELEMENTS(lists); l++)
    for (guint k = 0; k < lists[l]->len; k++) {
      guint id = g_array_index(lists[l], guint, k);
      const char *addr = g_ptr_array_index(c->book, id);
      if (strcmp(addr, typed) == 0)
        continue;
      if (g_hash_table_contains(v->addresses, addr))
        return false; /* the person's other address is in the message too: both on purpose */
      const char *dom = strrchr(addr, '@') + 1;
      bool at_ctx = ctx_org && strcmp(org_key(c, dom, NULL), ctx_org) == 0;
      if (l > 0 && !at_ctx)
        continue; /* a local part alone identifies a colleague only at the organisation */
      Namesake *seen = NULL;
      for (guint j = 0; j < found->len && !seen; j++)
        if (g_array_index(found, Namesake, j).id == id)
          seen = &g_array_index(found, Namesake, j);
      if (seen) {
        seen->by_name |= l < 2;
        seen->by_local |= l == 2;
        continue;
      }
      Namesake n = {.id = id, .by_name = l < 2, .by_local = l == 2, .org = at_ctx && !typed_at_ctx,
                    .together = together_with_others(c, v, addr, s->recipient)};
      if (n.org || n.together.support > 0) /* else nothing says this one was meant */
        g_array_append_val(found, n);
    }
  if (found->len == 0)
    return false;
  Namesake best = g_array_index(found, Namesake, 0);
  bool tie = false;
  for (guint j = 1; j < found->len; j++) {
    const Namesake *n = &g_array_index(found, Namesake, j);
    int cmp = namesake_cmp(n, &best);
    if (cmp > 0)
      best = *n, tie = false;
    else if (cmp == 0)
      tie = true;
  }
  if (tie)
    return false; /* two namesakes fit equally well: which one was meant is a guess */

  bool typed_known = g_hash_table_contains(c->known, typed) ||
                     g_hash_table_contains(c->ctx->history_addresses, typed);
  TgSeverity sev;
  double conf;
  TgMessageId msg;
  if (personal && best.org) {
    sev = TG_SEVERITY_WARN, conf = best.by_name && best.by_local ? 0.9 : best.by_name ? 0.85 : 0.8;
    msg = TG_MSG_WRONG_ADDRESS;
  } else if (!typed_known && (best.org || together_strong(&best.together))) {
    sev = TG_SEVERITY_WARN, conf = best.org ? 0.8 : 0.7;
    msg = personal ? TG_MSG_WRONG_ADDRESS : TG_MSG_WRONG_ADDRESS_OTHER;
  } else if (together_strong(&best.together)) {
    sev = TG_SEVERITY_WARN, conf = 0.7;
    msg = personal ? TG_MSG_WRONG_ADDRESS : TG_MSG_WRONG_ADDRESS_OTHER;
  } else {
    sev = TG_SEVERITY_INFO, conf = 0.5, msg = TG_MSG_WRONG_ADDRESS_NAMESAKE;
  }

  const char *meant = g_ptr_array_index(c->book, best.id);
  const char *meant_name = g_hash_table_lookup(c->known, meant);
  if (!meant_name || !*meant_name)
    meant_name = NULL;
  /* The address as people read it: U-label domain. */
  g_autofree char *shown = NULL;
  if (strstr(meant, "xn--")) {
    TgDomain d;
    const char *at = strrchr(meant, '@');
    if (tg_domain_normalise(at + 1, &d, NULL)) {
      shown = g_strdup_printf("%.*s@%s", (int)(at - meant), meant, d.unicode);
      tg_domain_clear(&d);
    }
  }
  if (!shown)
    shown = g_strdup(meant);
  g_autofree char *meant_local = g_strndup(meant, (gsize)(strrchr(meant, '@') - meant));
  /* A display name that is an address ("a@b <a@b>", as some clients fill it) names nobody. */
  bool keep_display = s->display && *s->display && !strchr(s->display, '@');
  g_autofree char *who = natural_name(keep_display ? s->display : meant_name ? meant_name : meant_local);
  TgMessageArgs a = {.domain = s->dom.unicode, .intended = shown, .address = s->address, .name = who};
  TgFinding *f = emit(s, TG_CODE_WRONG_ADDRESS, conf, msg, &a);
  f->severity = sev;
  if (keep_display || (s->mailboxes && s->mailboxes->len > 1)) {
    set_correction(s, f, shown); /* keeps the name as the user has it */
  } else {
    f->suggestion = g_strdup(shown);
    f->replacement = tg_mailbox_format(meant_name, shown);
  }
  return sev >= TG_SEVERITY_WARN;
}

static void check_mailbox(Check *c, Subject *s, const char *raw_domain) {
  TgMessageArgs a = {0};
  if (!tg_domain_normalise(raw_domain, &s->dom, NULL)) {
    a.domain = raw_domain;
    emit(s, TG_CODE_SYNTAX, 1.0, TG_MSG_SYNTAX_DOMAIN, &a);
    return;
  }
  if (s->dom.literal)
    return;
  s->sources = sources_of(c, s->dom.ascii);

  const char *blocked_tld = NULL;
  if (is_blocked(c, s->dom.ascii, &blocked_tld)) {
    a.domain = s->dom.unicode;
    a.tld = blocked_tld;
    emit(s, TG_CODE_BLOCKED, 1.0, blocked_tld ? TG_MSG_BLOCKED_TLD : TG_MSG_BLOCKED_DOMAIN, &a);
  }

  bool typo = false; /* a finding that says "this is not the domain you meant" */
  bool trusted = s->sources != 0;
  if (!trusted) {
    /* An IDN that reads as a trusted or well-known domain is a lookalike even when its lookalike
     * letters sit in the ending (icloud.cоm with a Cyrillic о). */
    if (s->dom.idn && !tg_wellknown_find_ancestor(s->dom.ascii))
      typo = rule_homoglyph(c, s);
    if (!typo)
      typo = rule_invalid_tld(c, s);
    if (!typo && !tg_wellknown_find_ancestor(s->dom.ascii)) {
      typo = rule_tld_confusion(c, s, false);
      if (!typo)
        typo = rule_near_miss(c, s);
    }
  } else if (!(s->sources & STRONG_TRUST)) {
    typo = rule_tld_confusion(c, s, true);
  }
  bool wrong = false; /* a warning that another known address of this person was meant */
  if (!typo) {
    rule_contact_near_miss(c, s);
    wrong = rule_wrong_address(c, s);
  }

  if (c->flag_external != TG_LEVEL_OFF && c->n_org > 0 && !(s->sources & TG_SOURCE_ORG)) {
    TgFinding *f = emit(s, TG_CODE_EXTERNAL, 1.0, TG_MSG_EXTERNAL, &a);
    f->severity = c->flag_external == TG_LEVEL_WARN ? TG_SEVERITY_WARN : TG_SEVERITY_INFO;
  }
  /* first_contact says nothing a typo finding has not said already. */
  if (c->first_contact != TG_LEVEL_OFF && !trusted && !typo && !wrong) {
    TgFinding *f = emit(s, TG_CODE_FIRST_CONTACT, 1.0, TG_MSG_FIRST_CONTACT, &a);
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
    gboolean incomplete = !err || err->domain != TG_MAILBOX_ERROR ||
                          err->code == TG_MAILBOX_ERROR_EMPTY || err->code == TG_MAILBOX_ERROR_NO_AT ||
                          err->code == TG_MAILBOX_ERROR_NO_LOCAL || err->code == TG_MAILBOX_ERROR_NO_DOMAIN;
    TgMessageArgs a = {.reason = reason};
    TgFinding *f = tg_finding_new(i, r->field, TG_CODE_SYNTAX, 1.0, echo, NULL);
    f->message = tg_message_format(incomplete || !reason ? TG_MSG_SYNTAX_INCOMPLETE : TG_MSG_SYNTAX_REASON, &a);
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
    Subject s = {.recipient = i, .field = r->field, .address = mb->address, .local = mb->local,
                 .display = mb->display_name, .mailboxes = mbs, .index = m, .list = &list,
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
