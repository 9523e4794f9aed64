/* context.h — the inside of TgContext, shared by context.c (which builds it) and detect.c (which
 * reads it). Internal to libtypoguard. */
#ifndef TG_CONTEXT_H
#define TG_CONTEXT_H

#include <libpsl.h>

#include "domain.h"
#include "index.h"
#include "lookalike.h"
#include "namefilter.h"
#include "typoguard.h"

struct TgContext {
  const psl_ctx_t *psl; /* borrowed; outlives the context */
  TgIndex *trusted;     /* A-label domain -> TgSource bits; also each entry's registrable domain */
  size_t trusted_longest;     /* bytes of the longest domain in `trusted` */
  TgNameFilter trusted_names; /* the names (less the TLD) in `trusted`, for the TLD slip */
  GHashTable *blocked;      /* set of A-label domains (subdomains blocked too); keys in `strings` */
  GHashTable *blocked_tlds; /* set of TLD labels */
  GHashTable *history_domains;   /* A-label domain -> GUINT_TO_POINTER(count) */
  GHashTable *history_addresses; /* lower-case local@a-label -> GUINT_TO_POINTER(count) */
  GHashTable *history_locals; /* A-label domain -> GPtrArray of local parts (keys of the above) */
  /* contact_near_miss's search over history_locals: every learned local part as
   * "local.<domain id in hex>" in one symmetric-deletion index, built by tg_context_seal and kept
   * up to date by later tg_context_add_history calls. A check searches it as it is, instead of
   * indexing a domain's contacts afresh: with 10,000 learned addresses at one domain that cost
   * ~1.5 ms per tg_check, and a mail server checks each of a message's recipients. NULL until
   * the context is sealed (detect.c then indexes the history per check, as before). */
  TgIndex *locals_index;
  GHashTable *locals_ids; /* A-label domain -> GUINT_TO_POINTER(id >= 1) in locals_index */
  /* Co-recipient pairs: how often two addresses were written to in one message. Each address
   * gets an id; each pair two edges (one per direction) threaded into per-address lists, and an
   * open-addressing table finds a pair's edges. No allocation per address or pair beyond the
   * arrays, so a history of 20,000 pairs loads in milliseconds. */
  GHashTable *pair_ids;    /* interned address -> GUINT_TO_POINTER(id + 1) */
  GPtrArray *pair_addrs;   /* id -> interned address (in `strings`) */
  GArray *pair_nodes;      /* TgPairNode per id */
  GArray *pair_edges;      /* TgPairEdge; a pair's edges are adjacent: low id's first */
  guint64 *pair_keys;      /* per slot: (low id << 32 | high id) + 1, 0 when empty */
  guint32 *pair_slot_edge; /* per slot: the pair's first edge */
  size_t pair_cap;         /* slots, a power of two (0 before the first pair) */
  size_t n_pairs;          /* distinct pairs (bounded by TG_CONTEXT_MAX_PAIRS) */
  GStringChunk *strings;   /* storage for the blocked set's keys and the pairs' addresses */
  TgLevel flag_external;
  TgLevel first_contact;
  size_t n_org;           /* organisation domains added, to know whether "external" can apply */
  TgLookalike *lookalike; /* ICU, opened lazily by the first non-ASCII domain */
};

/* The id of `domain` in ctx->locals_index, 0 when the history has no address there or the context
 * is not sealed yet. */
guint tg_context_locals_id(const TgContext *ctx, const char *domain);

/* Co-recipient pairs the context holds at most (about 5 MB). The history keeps fewer (its own
 * bound, 20,000); the rest is room for what a long-running host learns. Beyond it, new pairs
 * and addresses are not added (known pairs still count up), so memory stays bounded. */
#define TG_CONTEXT_MAX_PAIRS 200000u

/* Learned addresses and domains the context holds at most (about 16 MB at the bound), ten times
 * the history file's bounds, for the same reason: a host that is sent learns of new addresses
 * for ever (10,000 a request) would otherwise grow ~1.6 MB a request (found by the soak). Beyond
 * them, new ones are not added; known ones still count up. */
#define TG_CONTEXT_MAX_HISTORY_ADDRESSES 100000u
#define TG_CONTEXT_MAX_HISTORY_DOMAINS 50000u

typedef struct {
  guint32 first;  /* index + 1 of its first edge, 0 when none */
  guint32 degree; /* partners */
} TgPairNode;

typedef struct {
  guint32 partner; /* id */
  guint32 count;   /* messages to both */
  guint32 next;    /* index + 1 of the same address's next edge, 0 at the end */
} TgPairEdge;

/* How often `a` and `b` (lower-case local@A-label, as tg_context_split_address makes them) were
 * written to together; 0 when never. */
guint tg_context_together(const TgContext *ctx, const char *a, const char *b);
/* The partner list of `address`: its node, or NULL when it was never written to with anyone.
 * Walk it with tg_context_pair_edge(ctx, node->first), then edge->next, until 0. */
const TgPairNode *tg_context_pair_node(const TgContext *ctx, const char *address);
const TgPairEdge *tg_context_pair_edge(const TgContext *ctx, guint32 index1);
const char *tg_context_pair_address(const TgContext *ctx, guint32 id);

/* The normalised A-label form of a domain for the context's sets, or NULL when invalid. A bare
 * single label is accepted (trusted lists may hold intranet names). */
char *tg_context_normalise_domain(const char *domain);

/* Splits "Name <local@domain>" or "local@domain" cheaply into the lower-cased bare address and
 * normalised domain, without the full RFC 5322 parser when the text is simple. Returns false when
 * it is not a usable address. *display may be NULL. */
bool tg_context_split_address(const char *text, char **address, char **domain, char **display);
/* The same, normalising the domain through a request's memo (`memo` may be NULL). */
bool tg_context_split_address_memo(TgDomainMemo *memo, const char *text, char **address,
                                   char **domain, char **display);

#endif
