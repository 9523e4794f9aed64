/* domain.h — domain names as typoguard compares them (internal to libtypoguard).
 *
 * One normal form: UTS #46 non-transitional processing (libidn2), lower case, no trailing dot,
 * A-labels for comparison and U-labels for the messages people read. Registrable domains and
 * the existence of a TLD come from the caller's libpsl context; the `*` default rule is never
 * applied, so `gmail.con` has a TLD that does not exist. */
#ifndef TG_DOMAIN_H
#define TG_DOMAIN_H

#include <glib.h>
#include <libpsl.h>
#include <stdbool.h>
#include <stddef.h>

#include "typoguard.h"

#define TG_DOMAIN_ERROR (tg_domain_error_quark())
GQuark tg_domain_error_quark(void);

typedef enum {
  TG_DOMAIN_ERROR_EMPTY,     /* nothing, or only a dot */
  TG_DOMAIN_ERROR_TOO_LONG,  /* over TG_MAX_DOMAIN_BYTES in A-label form */
  TG_DOMAIN_ERROR_LABEL,     /* an empty part between dots, or a part over 63 bytes */
  TG_DOMAIN_ERROR_CHARACTER, /* a character no domain can hold */
  TG_DOMAIN_ERROR_HYPHEN,    /* a part that starts or ends with a hyphen */
  TG_DOMAIN_ERROR_IDNA,      /* rejected by IDNA (bad punycode, disallowed code point) */
} TgDomainError;

#define TG_MAX_LABEL_BYTES 63u

typedef struct {
  char *ascii;   /* A-label form, lower case, no trailing dot; for literals "[…]" as written */
  char *unicode; /* U-label form for display (equal to ascii when there is no IDN label) */
  bool literal;  /* an address literal: [192.0.2.1] or [IPv6:…] */
  bool idn;      /* some label is internationalised (an A-label in ascii) */
} TgDomain;

/* Normalises `text` (UTF-8, as written after the @). On failure returns false with `error` set to a
 * TG_DOMAIN_ERROR whose message is a plain phrase ("the domain has an empty part between dots"). */
bool tg_domain_normalise(const char *text, TgDomain *out, GError **error);
void tg_domain_clear(TgDomain *d);

/* A memo of normalisations for one request: the check and wrong_address's view of the message
 * both need every recipient's domain, and an internationalised one costs three libidn2 calls
 * (to A-labels, back to Unicode, and to A-labels again to verify). Only such text is kept
 * (plain LDH text is cheaper to redo than to look up); failures are kept too. Not thread-safe:
 * one request's state. Memory: one entry per distinct non-LDH text normalised. */
typedef struct TgDomainMemo TgDomainMemo;
TgDomainMemo *tg_domain_memo_new(void);
void tg_domain_memo_free(TgDomainMemo *m);
/* tg_domain_normalise (without the error's message) through the memo; `m` may be NULL. */
bool tg_domain_normalise_memo(TgDomainMemo *m, const char *text, TgDomain *out);
/* tg_domain_normalise_entry (without the error) through the memo; `m` may be NULL. */
char *tg_domain_normalise_entry_memo(TgDomainMemo *m, const char *text);

/* The last label of a normalised ASCII domain (a pointer into it). */
const char *tg_domain_tld(const char *ascii);
/* The domain without its first label (a pointer into it), or NULL for a single label. */
const char *tg_domain_parent(const char *ascii);
/* Does the TLD (one label, ASCII, no dot) exist in the public suffix list? */
bool tg_domain_tld_exists(const psl_ctx_t *psl, const char *tld);
/* Does the domain end in a real TLD? Like tg_domain_tld_exists on its last label, but also true
 * for TLDs the list only knows through their second level (co.za, while "za" alone is no rule). */
bool tg_domain_has_real_tld(const psl_ctx_t *psl, const char *ascii);
/* The registrable domain (a pointer into `ascii`), or NULL when `ascii` is itself a public suffix
 * or the PSL does not know its TLD. */
const char *tg_domain_registrable(const psl_ctx_t *psl, const char *ascii);
/* The registrable domain when it is a parent of `ascii` (a pointer into it), else NULL. A domain
 * of one dot is its own registrable domain or has none, so the suffix list (two lookups, the
 * dearest calls of a check) is not asked for it. */
const char *tg_domain_registrable_parent(const psl_ctx_t *psl, const char *ascii);
/* Is `ascii` equal to `ancestor` or one of its subdomains? */
bool tg_domain_is_within(const char *ascii, const char *ancestor);
/* Does `s` hold only ASCII letters, digits, hyphens and dots? */
bool tg_domain_is_ldh(const char *s);

#endif
