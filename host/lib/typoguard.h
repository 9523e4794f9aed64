/* typoguard.h — the public API of libtypoguard, the pure detection core.
 *
 * The core takes parsed input and returns findings. It does no I/O, keeps no globals, reads no
 * clock and is deterministic: the same context and request always give the same result. The
 * host program (host/src) owns everything that touches the world: frames, files, environment.
 *
 * Lifecycle: build one TgContext per process from the settings and lists (tg_context_new, then
 * tg_context_add_* for organisation, trusted, learned and blocked entries), then call tg_check
 * for each request. A context is not thread-safe while it is being changed.
 */
#ifndef TYPOGUARD_H
#define TYPOGUARD_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>

G_BEGIN_DECLS

/* Limits of the protocol (DESIGN.md); the host, the docs and the tests use these names. */
#define TG_MAX_REQUEST_BYTES (8u * 1024u * 1024u) /* larger frames are too_large, never read */
#define TG_MAX_RECIPIENTS 10000u                  /* more recipients is too_many */
#define TG_MAX_REPLY_BYTES (1024u * 1024u)        /* Thunderbird drops larger frames */
#define TG_MAX_ADDRESS_BYTES 2048u                /* longer mailbox strings are a syntax finding */
#define TG_MAX_DOMAIN_BYTES 253u                  /* RFC 1035, in ASCII (A-label) form */
#define TG_MAX_LIST_DOMAINS 1000000u              /* trusted_domains_file / blocked_domains_file */
/* Mailboxes in all the recipients of one request (a recipient may hold a list or a group, up to
 * ~170 in its 2,048 bytes): the check's work is bounded by this, not by the frame. More is
 * too_many; tg_check then stops before the recipient that goes over (TgResult.too_many). */
#define TG_MAX_MAILBOXES 20000u

typedef enum {
  TG_SEVERITY_OK = 0,
  TG_SEVERITY_INFO,
  TG_SEVERITY_WARN,
  TG_SEVERITY_BLOCK,
} TgSeverity;

/* The finding codes, declared once: X(enum, JSON name, default severity). TgCode, the names
 * (finding.c), the tests and the docs' tables (checked by tests/unit/test_finding.c) all come from
 * this list. Its order is also the tie-break when two findings on one recipient are equally
 * severe. */
#define TG_FINDING_TABLE(X)                                             \
  X(TG_CODE_SYNTAX, "syntax", TG_SEVERITY_BLOCK)                        \
  X(TG_CODE_INVALID_TLD, "invalid_tld", TG_SEVERITY_BLOCK)              \
  X(TG_CODE_TLD_CONFUSION, "tld_confusion", TG_SEVERITY_BLOCK)          \
  X(TG_CODE_NEAR_MISS, "near_miss", TG_SEVERITY_WARN)                   \
  X(TG_CODE_HOMOGLYPH, "homoglyph", TG_SEVERITY_BLOCK)                  \
  X(TG_CODE_BLOCKED, "blocked", TG_SEVERITY_BLOCK)                      \
  X(TG_CODE_CONTACT_NEAR_MISS, "contact_near_miss", TG_SEVERITY_WARN)   \
  X(TG_CODE_WRONG_ADDRESS, "wrong_address", TG_SEVERITY_WARN)           \
  X(TG_CODE_EXTERNAL, "external", TG_SEVERITY_OK)                       \
  X(TG_CODE_FIRST_CONTACT, "first_contact", TG_SEVERITY_INFO)

#define TG_CODE_ENUM_(code, name, severity) code,
typedef enum { TG_FINDING_TABLE(TG_CODE_ENUM_) TG_CODE_COUNT } TgCode;
#undef TG_CODE_ENUM_

typedef enum {
  TG_FIELD_TO = 0,
  TG_FIELD_CC,
  TG_FIELD_BCC,
  TG_FIELD_REPLY_TO,
  TG_FIELD_FOLLOWUP_TO,
  TG_FIELD_COUNT
} TgField;

/* off / info / warn, for flag_external and first_contact */
typedef enum {
  TG_LEVEL_OFF = 0,
  TG_LEVEL_INFO,
  TG_LEVEL_WARN,
} TgLevel;

/* Where a trusted domain comes from; a domain may carry several. */
typedef enum {
  TG_SOURCE_ORG = 1u << 0,     /* organisation domain (policy or settings) */
  TG_SOURCE_TRUSTED = 1u << 1, /* trusted_domains list or file */
  TG_SOURCE_HISTORY = 1u << 2, /* learned: the user really sent there */
  TG_SOURCE_KNOWN = 1u << 3,   /* the request's address book / recent recipients */
  TG_SOURCE_SENDER = 1u << 4,  /* the sender's own domain */
} TgSource;

const char *tg_severity_name(TgSeverity s);
bool tg_severity_from_name(const char *name, TgSeverity *out);
const char *tg_code_name(TgCode c);
const char *tg_field_name(TgField f);
bool tg_field_from_name(const char *name, TgField *out);
const char *tg_level_name(TgLevel l);
bool tg_level_from_name(const char *name, TgLevel *out);
const char *tg_version(void);

/* ---- context ---------------------------------------------------------------------------- */

typedef struct TgContext TgContext;

/* psl: a public suffix context owned by the caller that outlives the TgContext (the host loads
 * psl_latest() or psl_builtin()); it decides TLD validity and registrable domains. */
struct psl_ctx_st;
TgContext *tg_context_new(const struct psl_ctx_st *psl);
void tg_context_free(TgContext *ctx);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(TgContext, tg_context_free)

/* Adds a domain to the trusted set with the given source (ORG, TRUSTED or HISTORY). The domain
 * is normalised first; returns false (and adds nothing) when it is not a valid domain. */
bool tg_context_add_domain(TgContext *ctx, const char *domain, TgSource source);
/* Remembers how often the user sent to an address and its domain (history), which raises trust
 * and decides first_contact. */
void tg_context_add_history(TgContext *ctx, const char *address, unsigned count);
/* Remembers that `addresses` (mailboxes or bare addresses) were written to together, in `count`
 * messages: the co-recipient patterns of the history. They tell wrong_address which of a
 * person's addresses the user uses with which colleagues. A set of more than
 * TG_MAX_PATTERN_ADDRESSES distinct addresses is a mailing, not a working group, and is ignored. */
#define TG_MAX_PATTERN_ADDRESSES 50u
void tg_context_add_corecipients(TgContext *ctx, const char *const *addresses, size_t n,
                                 unsigned count);
/* Blocks a domain (and its subdomains) or, given a bare label such as "ml" or ".ml", a TLD. */
bool tg_context_add_blocked(TgContext *ctx, const char *domain_or_tld);
/* Effective levels from the merged settings. */
void tg_context_set_levels(TgContext *ctx, TgLevel flag_external, TgLevel first_contact);
size_t tg_context_trusted_count(const TgContext *ctx);
/* Builds the search structures for everything added so far, so that the first tg_check does not
 * pay for it and concurrent checks may share the context. Later additions stay possible. */
void tg_context_seal(TgContext *ctx);

/* ---- request ---------------------------------------------------------------------------- */

typedef struct {
  TgField field;
  const char *address; /* raw mailbox string as the client holds it (UTF-8) */
} TgRecipient;

typedef struct {
  const char *const *items;
  size_t len;
} TgStrings;

typedef struct {
  const char *sender;          /* mailbox of the sender, or NULL */
  const TgRecipient *recipients;
  size_t n_recipients;         /* <= TG_MAX_RECIPIENTS */
  TgStrings known_domains;     /* from the address book and recent recipients */
  TgStrings known_addresses;   /* mailbox strings, display names kept */
  /* Lists carried by the request (the extension's managed storage and options page); merged with
   * the context's. */
  TgStrings org_domains;
  TgStrings trusted_domains;
  TgStrings blocked_domains;
  TgStrings blocked_tlds;
  /* Levels for this request; -1 keeps the context's. */
  int flag_external;
  int first_contact;
} TgRequest;

/* Zero-initialises a request with the "keep the context's" levels. */
void tg_request_init(TgRequest *req);

/* ---- result ----------------------------------------------------------------------------- */

typedef struct {
  size_t recipient;   /* index into the request's recipients */
  TgField field;
  TgCode code;
  TgSeverity severity;
  double confidence;  /* 0..1, higher is more sure */
  char *address;      /* the bare address as parsed (or the raw text for syntax findings) */
  char *domain;       /* its domain as the user reads it (U-label), may be NULL */
  char *suggestion;   /* a bare corrected address, or NULL */
  char *replacement;  /* the corrected mailbox, display name kept, or NULL */
  char *message;      /* one plain English sentence */
  /* What the sentence says, for clients that word it themselves (DESIGN.md): the stable name of
   * the sentence ("homoglyph.script", finding.h) and its blanks as NULL-terminated key, value
   * pairs ({"domain", "gmаil.com", "intended", "gmail.com", …}). */
  const char *message_id;
  char **args;
} TgFinding;

typedef struct {
  TgSeverity verdict;
  GPtrArray *findings; /* of TgFinding*, grouped by recipient, most severe first */
  /* The recipients hold more than TG_MAX_MAILBOXES mailboxes: the check stopped before the
   * recipient that went over, and its findings are incomplete (the host answers too_many). */
  bool too_many;
  size_t n_mailboxes; /* mailboxes checked (0 when too_many) */
} TgResult;

TgResult *tg_check(const TgContext *ctx, const TgRequest *req);
void tg_result_free(TgResult *res);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(TgResult, tg_result_free)

G_END_DECLS

#endif
