/* lookalike.h — lookalike domains (internal to libtypoguard): which domain a name *reads as*.
 *
 * Three sources of readings, one table (lookalike.c, `glyph_table`; reasons in
 * host/data/SOURCES.md):
 *   - UTS #39 confusable skeletons through ICU's uspoof (Cyrillic а reads as a);
 *   - the Unicode decomposition (á, ġ and a letter followed by combining marks read as their base);
 *   - the table: letters that neither of those maps (ł, ø, đ, ı), second readings ICU's single
 *     skeleton misses (Cyrillic ӏ is an l to the eye, ICU says i), and ASCII sequences that read
 *     as another letter (rn as m, vv as w, cl as d, 1 as l, 0 as o, 5 as s).
 * A domain has several readings (each foreign glyph may stand for more than one letter); they are
 * tried cheapest first (fewest second choices) and a caller's judge says which is a domain someone
 * means.
 *
 * Opening ICU's checker costs more than the rest of start-up together (notes/performance.md), so
 * a TgLookalike opens it lazily, the first time a non-ASCII domain is inspected, and keeps it. An
 * all-ASCII domain never touches ICU: its readings come from the table alone. The lazy open is
 * guarded by g_once, so concurrent checks on one context are safe. */
#ifndef TG_LOOKALIKE_H
#define TG_LOOKALIKE_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>

#include "typoguard.h"

typedef struct TgLookalike TgLookalike;

TgLookalike *tg_lookalike_new(void); /* cheap: does not touch ICU */
void tg_lookalike_free(TgLookalike *lk);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(TgLookalike, tg_lookalike_free)
/* tg_lookalike_icu_version: typoguard.h. */
/* Has ICU been opened (for tests and the start-up benchmark)? */
bool tg_lookalike_is_open(const TgLookalike *lk);

/* Limits of one search (enforced; tests/unit/test_lookalike.c). */
#define TG_LOOKALIKE_MAX_COST 3u             /* second choices in one reading (ASCII domains: 2) */
#define TG_LOOKALIKE_MAX_READINGS 2048u      /* readings judged per domain */
#define TG_LOOKALIKE_MAX_READINGS_ASCII 256u /* … per all-ASCII domain (every check pays it) */
/* … and fewer for a long name of many labels: at most this much of its length times its labels
 * judged (all-ASCII; 8 times as much otherwise), but never fewer than MIN_READINGS readings. */
#define TG_LOOKALIKE_JUDGED_BYTES (256u * 160u)
#define TG_LOOKALIKE_MIN_READINGS 16u

/* What kind of glyph makes the difference, most telling last. */
typedef enum {
  TG_GLYPH_NONE = 0,
  TG_GLYPH_ASCII,  /* ASCII that reads as another letter: "rn" as m, "1" as l */
  TG_GLYPH_MARK,   /* a letter with a mark: "á" is an a with an accent */
  TG_GLYPH_LETTER, /* another Latin letter: "ı" (dotless i), "ł" (l with stroke) */
  TG_GLYPH_SCRIPT, /* a letter of another script: Cyrillic "а" */
} TgGlyphKind;

const char *tg_glyph_kind_name(TgGlyphKind k); /* "ascii", "mark", "letter", "script" */

typedef struct {
  char *reading;     /* the A-label domain it reads as */
  int rank;          /* the judge's answer for it (> 0) */
  TgGlyphKind kind;  /* of the glyph reported below */
  char *glyph;       /* that glyph as typed: "а", "rn", "ġ" */
  char *looks_like;  /* what it is read as: "a", "m", "g" */
  char *glyph_name;  /* Unicode name in lower case ("cyrillic small letter a"), NULL for ASCII */
  char *description; /* TG_GLYPH_LETTER: the letter in words ("dotless i"), else NULL */
  char *script;      /* TG_GLYPH_SCRIPT: English script name ("Cyrillic"), else NULL */
  char *script_code; /* TG_GLYPH_SCRIPT: ISO 15924 code ("Cyrl"), else NULL */
} TgLookalikeMatch;

/* Says whether a reading (a lower-case LDH A-label domain) is a domain someone means: 0 no, higher
 * is more meant. */
typedef int (*TgLookalikeJudge)(const char *reading, void *data);

/* Finds the cheapest reading of `udomain` (a U-label domain, lower case, valid UTF-8; its A-label
 * form `ascii_domain`) that the judge accepts, other than the domain itself; among equally cheap
 * ones, the highest rank. False when none. Without ICU, the decomposition and the table still
 * give readings. */
bool tg_lookalike_match(TgLookalike *lk, const char *udomain, const char *ascii_domain,
                        TgLookalikeJudge judge, void *data, TgLookalikeMatch *out);
void tg_lookalike_match_clear(TgLookalikeMatch *m);

typedef struct {
  char *latin;       /* the ASCII domain ICU's skeleton reads (each letter replaced by its
                        confusable prototype), or NULL when some letter has no ASCII lookalike */
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
