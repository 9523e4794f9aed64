/* rules.h — what the rules of tg_check share (internal to libtypoguard): the per-request state
 * (Check), the mailbox being judged (Subject), a proposed correction (Guess), and the helpers
 * detect.c gives the rule files. detect.c runs the rules in order; tld.c holds the rules about
 * the ending (invalid_tld, tld_confusion, the TLD slip of a known name). */
#ifndef TG_RULES_H
#define TG_RULES_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>

#include "book.h"
#include "context.h"
#include "domain.h"
#include "finding.h"
#include "index.h"
#include "typo.h"
#include "wellknown.h"
#include "wrongaddr.h"

#define STRONG_TRUST (TG_SOURCE_ORG | TG_SOURCE_TRUSTED | TG_SOURCE_SENDER)
#define ANY_TRUST (STRONG_TRUST | TG_SOURCE_HISTORY | TG_SOURCE_KNOWN)
#define GOV_KINDS (TG_WK_US_GOV | TG_WK_US_MIL | TG_WK_GOV)

/* Everything one tg_check call derives from the request. */
typedef struct {
  const TgContext *ctx;
  const TgRequest *req;
  /* A-label -> TgSource bits from the request's lists and sender (and their registrables);
   * the known addresses' domains are in kb->domains. */
  GHashTable *domains;
  size_t domains_longest; /* bytes of the longest key of `domains` */
  TgIndex *index;         /* fuzzy index over `domains`, built on first near-miss search */
  bool index_built;
  /* The known addresses (book.h): the request's book when it carries no known_addresses, else
   * `own_book`, digested from the book's mailboxes and the request's known_addresses. */
  const TgBook *kb;
  TgBook *own_book;
  TgIndex *kb_index; /* fuzzy index over own_book's domains, built on first near-miss search */
  bool kb_index_built;
  /* contact_near_miss: the local parts of known and learned contacts, as "local.<domain id>",
   * each domain's added on its first recipient there (so one search per recipient, not one
   * comparison per contact). */
  TgIndex *locals_index;
  GHashTable *locals_domains; /* A-label -> GUINT_TO_POINTER(domain id), 0: no contacts there */
  GHashTable *blocked;        /* request's blocked domains */
  GHashTable *blocked_tlds;
  char *sender_domain; /* A-label, or NULL */
  size_t n_org;        /* organisation domains in the context and the request */
  TgLevel flag_external;
  TgLevel first_contact;
  TgWrongAddr *wa;    /* wrong_address's judge, built on its first use */
  TgDomainMemo *memo; /* recipients' domains, normalised once (shared with wrongaddr.c) */
  /* The mailbox being judged: its lower-case local part while a known address with it at a
   * candidate domain would be evidence (NULL otherwise), and that evidence's factor on prior(D)
   * (tg_typo_prior_mailbox). */
  char *local;
  double local_prior;
  /* The names (less the TLD) of `domains` and, unless the book holds them already, of the known
   * addresses' domains: built on the first TLD-slip question (namefilter.h). */
  TgNameFilter names;
  bool names_built;
} Check;

typedef struct {
  size_t recipient;
  TgField field;
  const char *address; /* bare, as parsed */
  const char *local;   /* local part, as parsed */
  const char *display; /* display name or NULL */
  TgDomain dom;
  guint sources;
  GPtrArray *mailboxes;  /* all mailboxes of this recipient (for multi-mailbox replacements) */
  size_t index;          /* this mailbox's position in `mailboxes` */
  struct ListText *list; /* `mailboxes` formatted, filled by the recipient's first correction */
  GPtrArray *out;        /* findings of this recipient */
} Subject;

/* A recipient's mailboxes as text, for replacements that keep the others of a list. */
typedef struct ListText {
  GPtrArray *shown; /* char*, each mailbox formatted */
  size_t bytes;     /* of all of them joined with ", " */
} ListText;

typedef struct {
  char *domain; /* the corrected domain (owned) */
  double score;
  TgTypoKind kind;
  guint tag; /* TgSource bits or TG_CANDIDATE_WELLKNOWN|kind */
  bool tie;  /* near_miss_guess said no because two domains tie (domain stays NULL) */
} Guess;

/* ---- detect.c's helpers for the rule files ------------------------------------------------ */

/* Adds a finding on `s` with the sentence `msg` (whose code must be `code`). */
TgFinding *tg_check_emit(const Subject *s, TgCode code, double confidence, TgMessageId msg,
                         const TgMessageArgs *args);
/* `s`'s local part at another domain. */
char *tg_check_with_domain(const Subject *s, const char *domain);
/* Sets the finding's suggestion and replacement (keeping the other mailboxes of a list). */
void tg_check_set_correction(const Subject *s, TgFinding *f, const char *new_address);
void tg_check_guess_clear(Guess *g);
/* The TgSource bits the context and the request give `ascii` (its parents included). */
guint tg_check_sources_of(const Check *c, const char *ascii);
/* The noisy-channel near miss of `typed` among trusted and well-known domains (typo.h). */
bool tg_check_near_miss_guess(Check *c, const char *typed, Guess *out);
/* 2 trusted, 1 well known, 0 neither (`ascii` or a parent). */
int tg_check_meant_rank(const Check *c, const char *ascii);
double tg_check_near_miss_confidence(const Guess *g);
/* A guess of the domain meant for `typed` (tg_check_near_miss_guess, tld.c's tld_slip_guess). */
typedef bool (*TgGuessFn)(Check *c, const char *typed, Guess *out);
/* `guess` on `ascii`, then, when it finds nothing, on its registrable domain with the subdomain
 * kept (mail.gmial.com -> mail.gmail.com). 1: found, *intended set (owned), g holds the guess's
 * kind and score; -1: a tie (two domains equally likely meant), g->score the tie's; 0: neither. */
int tg_check_guess_or_registrable(Check *c, const char *ascii, TgGuessFn guess, Guess *g,
                                  char **intended);
/* near_miss.unsure on `s`: a slip of one of several domains, said without a fix (issue 12). */
void tg_check_emit_unsure(const Subject *s, double score);
/* Whether any trusted or known domain (context, book, request) may have the name `name` (len
 * bytes, up to and including the dot before the TLD): false means none has. */
bool tg_check_names_may_hold(Check *c, const char *name, size_t len);
/* P(meant `intended` | typed `typed`) for the error-model term `slip` (typo.h). */
double tg_check_posterior_of(const Check *c, const char *typed, const char *intended, double slip,
                             size_t label, double sibling);

/* ---- the rules about the ending (tld.c); each returns true when it found a typo ------------ */

bool tg_rule_invalid_tld(Check *c, Subject *s);
bool tg_rule_tld_confusion(Check *c, Subject *s, bool weak);
bool tg_rule_tld_slip(Check *c, Subject *s);

#endif
