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
#define TG_FINDING_TABLE(X)                                           \
  X(TG_CODE_SYNTAX, "syntax", TG_SEVERITY_BLOCK)                      \
  X(TG_CODE_INVALID_TLD, "invalid_tld", TG_SEVERITY_BLOCK)            \
  X(TG_CODE_TLD_CONFUSION, "tld_confusion", TG_SEVERITY_BLOCK)        \
  X(TG_CODE_NEAR_MISS, "near_miss", TG_SEVERITY_WARN)                 \
  X(TG_CODE_HOMOGLYPH, "homoglyph", TG_SEVERITY_BLOCK)                \
  X(TG_CODE_BLOCKED, "blocked", TG_SEVERITY_BLOCK)                    \
  X(TG_CODE_CONTACT_NEAR_MISS, "contact_near_miss", TG_SEVERITY_WARN) \
  X(TG_CODE_WRONG_ADDRESS, "wrong_address", TG_SEVERITY_WARN)         \
  X(TG_CODE_EXTERNAL, "external", TG_SEVERITY_OK)                     \
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

/* ---- address book ----------------------------------------------------------------------- */

/* An address book digested once for many checks: its addresses with their display names, the
 * domains they make known, and the indexes the rules search (what tg_check would otherwise derive
 * from a request's known_addresses each time: 20 to 60 ms for 20,000 contacts). Immutable once
 * built, so checks on several threads may share one. psl: as for tg_context_new, the same list as
 * the contexts it is used with. */
typedef struct TgBook TgBook;
TgBook *tg_book_new(const struct psl_ctx_st *psl, const char *const *mailboxes, size_t n);
void tg_book_free(TgBook *book);
/* Distinct addresses the book holds (mailboxes that do not parse are left out). */
size_t tg_book_count(const TgBook *book);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(TgBook, tg_book_free)

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
  const char *sender; /* mailbox of the sender, or NULL */
  const TgRecipient *recipients;
  size_t n_recipients;       /* <= TG_MAX_RECIPIENTS */
  TgStrings known_domains;   /* from the address book and recent recipients */
  TgStrings known_addresses; /* mailbox strings, display names kept */
  /* Lists carried by the request (the extension's managed storage and options page); merged with
   * the context's. */
  TgStrings org_domains;
  TgStrings trusted_domains;
  TgStrings blocked_domains;
  TgStrings blocked_tlds;
  /* Levels for this request; -1 keeps the context's. */
  int flag_external;
  int first_contact;
  /* A digested address book (borrowed, NULL for none): its mailboxes count as if they came first
   * in known_addresses, and with no known_addresses the check derives nothing from them again. */
  const TgBook *book;
} TgRequest;

/* Zero-initialises a request with the "keep the context's" levels. */
void tg_request_init(TgRequest *req);

/* ---- result ----------------------------------------------------------------------------- */

typedef struct {
  size_t recipient; /* index into the request's recipients */
  TgField field;
  TgCode code;
  TgSeverity severity;
  double confidence; /* 0..1, higher is more sure */
  char *address;     /* the bare address as parsed (or the raw text for syntax findings) */
  char *domain;      /* its domain as the user reads it (U-label), may be NULL */
  char *suggestion;  /* a bare corrected address, or NULL */
  char *replacement; /* the corrected mailbox, display name kept, or NULL */
  char *message;     /* one plain English sentence */
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

/* ---- mailboxes (mailbox.c): RFC 5322 / RFC 6532 parsing of what a client holds for a recipient */

#define TG_MAILBOX_ERROR (tg_mailbox_error_quark())
GQuark tg_mailbox_error_quark(void);

typedef enum {
  TG_MAILBOX_ERROR_EMPTY,      /* nothing but white space, or an empty group */
  TG_MAILBOX_ERROR_NO_AT,      /* no @ (e.g. `John Doe`, `john.doe`) */
  TG_MAILBOX_ERROR_NO_LOCAL,   /* nothing before the @ */
  TG_MAILBOX_ERROR_NO_DOMAIN,  /* nothing after the @ */
  TG_MAILBOX_ERROR_BAD_LOCAL,  /* local part with characters a mailbox cannot hold */
  TG_MAILBOX_ERROR_BAD_DOMAIN, /* domain with characters a domain cannot hold */
  TG_MAILBOX_ERROR_UNBALANCED, /* unclosed quote, comment, angle bracket, or domain literal */
  TG_MAILBOX_ERROR_BAD_UTF8,   /* not valid UTF-8, a NUL byte, or a control character */
  TG_MAILBOX_ERROR_TOO_LONG,   /* longer than TG_MAX_ADDRESS_BYTES */
  TG_MAILBOX_ERROR_TRAILING,   /* text after the mailbox that is not part of it */
} TgMailboxError;

typedef struct {
  char *display_name; /* decoded (quotes and escapes removed, comments dropped, RFC 2047 words
                         decoded, white space at the ends trimmed; never a line break), or NULL;
                         a bare `a@b (Name)` takes its trailing comment as the name */
  char *local;        /* local part as it travels: dot-atom, or quoted-string with its quotes
                         (`"john"` that needs no quotes comes back as `john`) */
  char *domain;       /* domain as written after the @ (not yet normalised; one trailing dot
                         dropped), or the [literal] with its white space removed */
  char *address;      /* local@domain */
} TgMailbox;

void tg_mailbox_free(TgMailbox *mb);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(TgMailbox, tg_mailbox_free)

/* Parses one recipient string into one or more mailboxes (several for a group or a comma
 * separated list). Returns a GPtrArray of TgMailbox* (free function set), never empty, or NULL
 * with `error` set (a TG_MAILBOX_ERROR code whose message says, in plain words, what is wrong).
 * `text` need not be NUL-terminated; exactly `len` bytes are read (none when len is over
 * TG_MAX_ADDRESS_BYTES). The accepted forms and leniencies are listed at the top of mailbox.c. */
GPtrArray *tg_mailbox_parse_list(const char *text, size_t len, GError **error);

/* Parses exactly one mailbox; a group or a list is an error (TG_MAILBOX_ERROR_TRAILING). */
TgMailbox *tg_mailbox_parse(const char *text, size_t len, GError **error);

/* Renders a mailbox for a header: `address` alone when there is no display name, otherwise
 * `Name <address>`, quoting and escaping the name when RFC 5322 requires it (`"Doe, John"`).
 * Line breaks and control characters in the name become spaces, invalid UTF-8 becomes U+FFFD.
 * Parsing the result gives the same name and address back, for any name and address that
 * tg_mailbox_parse produced, unless escaping made it longer than TG_MAX_ADDRESS_BYTES. */
char *tg_mailbox_format(const char *display_name, const char *address);

/* ---- domains ----------------------------------------------------------------------------- */

/* A domain as people write it in a list (a setting, a policy file, a request's known domains):
 * surrounding blanks, "@example.com", "*.example.com" and ".example.com" are the domain
 * example.com. Returns its A-label form (the one normal form every set of domains holds), or
 * NULL with `error` set (its message says in plain words what is wrong) when it is not a
 * domain; an address literal is not one. */
char *tg_domain_normalise_entry(const char *text, GError **error);

/* ---- what the library holds ------------------------------------------------------------- */

/* Loads ICU (if not yet) and writes its version ("72.1") into buf; false when ICU is missing. */
bool tg_lookalike_icu_version(char *buf, size_t size);

/* How many domains, and how many confusable TLD pairs, are built in (the lists of host/data). */
size_t tg_wellknown_count(void);
size_t tg_tld_pair_count(void);

#endif
