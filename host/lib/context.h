/* context.h — the inside of TgContext, shared by context.c (which builds it) and detect.c (which
 * reads it). Internal to libtypoguard. */
#ifndef TG_CONTEXT_H
#define TG_CONTEXT_H

#include <libpsl.h>

#include "index.h"
#include "lookalike.h"
#include "typoguard.h"

struct TgContext {
  const psl_ctx_t *psl;  /* borrowed; outlives the context */
  TgIndex *trusted;      /* A-label domain -> TgSource bits; also each entry's registrable domain */
  GHashTable *blocked;   /* set of A-label domains (subdomains blocked too); keys in `strings` */
  GHashTable *blocked_tlds; /* set of TLD labels */
  GHashTable *history_domains;   /* A-label domain -> GUINT_TO_POINTER(count) */
  GHashTable *history_addresses; /* lower-case local@a-label -> GUINT_TO_POINTER(count) */
  GHashTable *history_locals;    /* A-label domain -> GPtrArray of local parts (keys of the above) */
  GHashTable *together;  /* address -> GHashTable (partner address -> GUINT count): how often
                            the two were written to in one message; keys interned in `strings` */
  size_t n_pairs;        /* distinct pairs in `together` (bounded by TG_CONTEXT_MAX_PAIRS) */
  GStringChunk *strings; /* storage for the blocked set's and `together`'s keys */
  TgLevel flag_external;
  TgLevel first_contact;
  size_t n_org;          /* organisation domains added, to know whether "external" can apply */
  TgLookalike *lookalike; /* ICU, opened lazily by the first non-ASCII domain */
};

/* Co-recipient pairs the context holds at most. The history keeps fewer (its own bound); the
 * rest is room for what a long-running host learns. Beyond it, new pairs are not added (known
 * pairs still count up), so memory stays bounded. */
#define TG_CONTEXT_MAX_PAIRS 200000u

/* How often `a` and `b` (lower-case local@A-label, as tg_context_split_address makes them) were
 * written to together; 0 when never. */
guint tg_context_together(const TgContext *ctx, const char *a, const char *b);

/* The normalised A-label form of a domain for the context's sets, or NULL when invalid. A bare
 * single label is accepted (trusted lists may hold intranet names). */
char *tg_context_normalise_domain(const char *domain);

/* Splits "Name <local@domain>" or "local@domain" cheaply into the lower-cased bare address and
 * normalised domain, without the full RFC 5322 parser when the text is simple. Returns false when
 * it is not a usable address. *display may be NULL. */
bool tg_context_split_address(const char *text, char **address, char **domain, char **display);

#endif
