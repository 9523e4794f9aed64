/* wellknown.h — the built-in, read-only data compiled into the binary (host/data): well-known
 * mail domains with their kind and weight, and the table of confusable TLD pairs. Costs nothing
 * at start-up: everything is static arrays generated at build time. */
#ifndef TG_WELLKNOWN_H
#define TG_WELLKNOWN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "typoguard.h"

typedef enum {
  TG_WK_MAIL_PROVIDER = 1u << 0, /* public mail providers (gmail.com, gmx.de, yahoo.co.jp …) */
  TG_WK_US_GOV = 1u << 1,        /* US .gov */
  TG_WK_US_MIL = 1u << 2,        /* US military mail domains */
  TG_WK_GOV = 1u << 3,           /* other governments and militaries */
  TG_WK_OTHER = 1u << 4,         /* other well-known organisations */
} TgWellKnownKind;

/* Bytes a built-in domain may have (gen-tgdata refuses longer ones). The name is stored in the
 * entry, not pointed to: a table of 17,000 pointers needed as many relocations and copied pages
 * at every start of the host. */
#define TG_WK_DOMAIN_MAX 63
typedef struct {
  char domain[TG_WK_DOMAIN_MAX + 1]; /* ASCII (A-label), lowercase */
  uint8_t kind;                      /* TgWellKnownKind flags */
  uint8_t weight; /* 1..255: how likely a random sender writes there (popularity) */
} TgWellKnown;

/* Exact lookup of an ASCII lowercase domain; NULL when not built in. */
const TgWellKnown *tg_wellknown_find(const char *ascii_domain);
/* The nearest built-in ancestor (the domain itself, or a parent such as army.mil for
 * hq.army.mil), or NULL. */
const TgWellKnown *tg_wellknown_find_ancestor(const char *ascii_domain);
/* tg_wellknown_count: typoguard.h. Bytes of the longest built-in domain (computed at build time). */
size_t tg_wellknown_longest(void);
/* The built-in domains that start with `prefix` ("anhembi."): they are tg_wellknown_at(*first)
 * and the next (return value - 1) ones. One binary search. */
size_t tg_wellknown_prefix(const char *prefix, size_t *first);
const TgWellKnown *tg_wellknown_at(size_t i);

/* A real TLD that is easily typed for another one (ml for mil, co for com …). */
typedef struct {
  const char *typed;    /* "ml" */
  const char *intended; /* "mil" */
  const char *owner;    /* who the typed TLD belongs to, for messages: "Mali" */
  const char *why;      /* why the pair is here (docs) */
} TgTldPair;

/* The pairs whose typed TLD is `tld` (no dot); sets *n. */
const TgTldPair *tg_tld_pairs_for(const char *tld, size_t *n);
/* tg_tld_pair_count: typoguard.h. */
const TgTldPair *tg_tld_pair_at(size_t i);

/* The precomputed near-miss index over the built-in domains, for typo.c: the ids (indexes for
 * tg_wellknown_at) whose exact hash, or one of whose one-deletion keys (host/data/tgkeys.h),
 * equals `hash`. Returns how many were written to ids (at most max_ids). */
size_t tg_wellknown_probe_exact(uint32_t hash, uint32_t *ids, size_t max_ids);
size_t tg_wellknown_probe_deletion(uint32_t hash, uint32_t *ids, size_t max_ids);
/* All three probes of a near-miss search at once (see tg_index_probe_slips): the ids whose
 * deletion keys include `whole` or a dels[j], and those whose exact hash is a dels[j]. */
size_t tg_wellknown_probe_slips(uint32_t whole, const uint32_t *dels, size_t n_dels, uint32_t *ids,
                                size_t max_ids);

#endif
