/* lookalike.h — Unicode lookalikes (internal to libtypoguard): UTS #39 confusable skeletons and
 * mixed-script detection through ICU's uspoof.
 *
 * Opening ICU's checker costs more than the rest of start-up together (notes/performance.md), so
 * a TgLookalike opens it lazily, the first time a non-ASCII domain is inspected, and keeps it.
 * The lazy open is guarded by g_once, so concurrent checks on one context are safe. */
#ifndef TG_LOOKALIKE_H
#define TG_LOOKALIKE_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct TgLookalike TgLookalike;

TgLookalike *tg_lookalike_new(void); /* cheap: does not touch ICU */
void tg_lookalike_free(TgLookalike *lk);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(TgLookalike, tg_lookalike_free)
/* Loads ICU (if not yet) and writes its version ("72.1") into buf; false when ICU is missing. */
bool tg_lookalike_icu_version(char *buf, size_t size);
/* Has ICU been opened (for tests and the start-up benchmark)? */
bool tg_lookalike_is_open(const TgLookalike *lk);

typedef struct {
  char *latin;       /* the ASCII domain it reads as (each letter replaced by its confusable
                        prototype), or NULL when some letter has no ASCII lookalike */
  char *script;      /* English name of the first non-Latin script among its letters
                        ("Cyrillic"), or NULL */
  bool mixed_script; /* a label mixes scripts beyond UTS #39's "highly restrictive" level */
} TgLookalikeInfo;

/* Inspects a U-label domain (lower case, valid UTF-8). Returns false when ICU is unavailable. */
bool tg_lookalike_inspect(TgLookalike *lk, const char *udomain, TgLookalikeInfo *out);
void tg_lookalike_info_clear(TgLookalikeInfo *info);
/* Do the two domains have the same confusable skeleton (UTS #39)? */
bool tg_lookalike_confusable(TgLookalike *lk, const char *a, const char *b);

#endif
