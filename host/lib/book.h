/* book.h — an address book digested for the rules (internal to libtypoguard; the public face is
 * TgBook in typoguard.h).
 *
 * What tg_check needs from the known addresses: each lower-case address with its display name,
 * the addresses in book order, the local parts known at each domain, and the domains (and their
 * registrable domains) that being known makes trusted, with a fuzzy index over them and the
 * index of the people (wrong_address). Built once for a book a client keeps in a host, or per
 * request for the addresses a request carries.
 *
 * Guarantees: a book built by tg_book_new is complete and never changes, so any number of checks
 * may share it, concurrently; a request's own book (tg_book_build with eager = false) leaves the
 * two indexes NULL and detect.c builds them only when a rule needs them. */
#ifndef TG_BOOK_H
#define TG_BOOK_H

#include <glib.h>
#include <libpsl.h>
#include <stdbool.h>
#include <stddef.h>

#include "domain.h"
#include "index.h"
#include "namefilter.h"
#include "people.h"
#include "typoguard.h"

struct TgBook {
  GHashTable *known;      /* lower-case address -> display name ("" when none) */
  GPtrArray *addresses;   /* the keys of `known` in book order (borrowed from `known`) */
  GHashTable *locals;     /* A-label domain -> GPtrArray of local parts (owned strings) */
  GHashTable *domains;    /* A-label domain, and its registrable domain -> TG_SOURCE_KNOWN */
  size_t domains_longest; /* bytes of the longest key of `domains` */
  TgIndex *index;         /* tg_domains_index_new(domains), or NULL */
  TgNameFilter names;     /* the names (less the TLD) in `domains`; empty unless eager */
  TgPeople *people;       /* names and local parts, ids are positions in `addresses`, or NULL */
  GPtrArray *mailboxes;   /* the mailbox strings as given (owned), for a request that adds more */
};

/* Digests `lists` (n_lists lists of mailbox strings, in order; an address seen before keeps its
 * first display name). `memo` caches domain normalisations (may be NULL). With `eager` the fuzzy
 * index and the people index are built too, and the mailbox strings kept. */
TgBook *tg_book_build(const psl_ctx_t *psl, TgDomainMemo *memo, const TgStrings *lists,
                      size_t n_lists, bool eager);

/* Adds `ascii` (owned) and its registrable domain to `domains` (A-label -> TgSource bits),
 * OR-ing `source` into their bits; `longest` grows to the longest name added. */
void tg_domains_add(GHashTable *domains, size_t *longest, const psl_ctx_t *psl, char *ascii,
                    guint source);
/* A fuzzy index over such a table (each domain tagged with its bits), or NULL when it is empty. */
TgIndex *tg_domains_index_new(GHashTable *domains);
/* The people index of `addresses` (ids are positions) with their names from `known`. */
TgPeople *tg_book_people_new(GHashTable *known, const GPtrArray *addresses);

/* TgSource bits (TG_SOURCE_KNOWN or 0) of exactly `ascii` (not its parents). */
static inline guint tg_book_bits(const TgBook *b, const char *ascii) {
  return GPOINTER_TO_UINT(g_hash_table_lookup(b->domains, ascii));
}

#endif
