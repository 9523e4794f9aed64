/* typo.h — the model of how people mistype a domain, and the near-miss search built on it.
 *
 * Plausible slips: keyboard-adjacent substitutions (QWERTY, QWERTZ, AZERTY), transpositions,
 * omissions, doubled and dropped letters, insertion of a neighbouring key, a dropped or added dot
 * (`usarmy.mil` for `us.army.mil`), a dropped or added hyphen. */
#ifndef TG_TYPO_H
#define TG_TYPO_H

#include <stddef.h>
#include <stdint.h>

#include "index.h"

typedef enum {
  TG_TYPO_NONE = 0,
  TG_TYPO_SUBSTITUTION,      /* a neighbouring key */
  TG_TYPO_TRANSPOSITION,     /* two letters swapped */
  TG_TYPO_OMISSION,          /* a letter left out */
  TG_TYPO_INSERTION,         /* an extra letter (often a neighbouring key) */
  TG_TYPO_DOUBLING,          /* a letter typed twice */
  TG_TYPO_UNDOUBLING,        /* a double letter typed once */
  TG_TYPO_DOT_DROPPED,       /* us.army.mil -> usarmy.mil */
  TG_TYPO_DOT_ADDED,
  TG_TYPO_HYPHEN_DROPPED,
  TG_TYPO_HYPHEN_ADDED,
  TG_TYPO_OTHER,             /* a two-edit slip */
} TgTypoKind;

/* How plausible it is that someone who meant `intended` typed `typed` (both ASCII lowercase):
 * 0 when it is not a plausible slip, up to 1. *kind (may be NULL) receives the kind of slip.
 *
 * The score is base(slip) x information(length of the label with the slip) x position: a
 * neighbour-key slip beats a far-key one; a slip in a 2-3 letter label is next to no evidence
 * (ca.gov/ga.gov ~0.03, gm.com/gmx.com ~0.2); the first letter of a label counts x0.8.
 * A vowel dropped between consonants (or at the end) of a word-like label scores like an
 * undoubling (glbo.com->globo.com 0.60, arcr.de->arcor.de 0.60), a dropped consonant like a plain
 * omission (aror.de->arcor.de 0.525).
 * Examples: gmial.com->gmail.com 0.64, usarmy.mil->us.army.mil 0.72, hotmial.com->hotmail.com
 * 0.79, gmx.com->gmail.com 0 (three edits; anything beyond two edits is 0).
 *
 * A slip inside the TLD (the last label, or the dot before it) scores 0 here: army.ml/army.mil
 * and gmail.con are the business of tld_confusion and invalid_tld. tg_typo_score_tld scores
 * exactly those (and 0 for everything else), for those rules' suggestions. */
double tg_typo_score(const char *typed, const char *intended, TgTypoKind *kind);
double tg_typo_score_tld(const char *typed, const char *intended, TgTypoKind *kind);

/* Recommended use of scores by the near_miss rule (see tests/unit/test_typo.c, which checks them
 * against the whole US .gov registry):
 *  - report a near_miss when the best candidate's `score` >= TG_TYPO_NEAR_MISS_THRESHOLD;
 *  - abstain (or say "one of …") when the runner-up, a different domain, is within
 *    TG_TYPO_TIE_MARGIN of the best: the slip is real but the intended domain is not clear.
 * Measured on all 16,539 US .gov domains, each checked against all the others: 102 directed
 * pairs score above the threshold as hyphen or trailing-s variants of one name (miamidade /
 * miami-dade, passport / passports: defensive registrations of one owner), and 49 (0.3 %) as
 * other genuine pairs (defensive misspellings such as vacine.gov, acronyms such as ncdcr / ncdrc,
 * treasuryauction / treasuryauctions). No threshold separates these from real typos - they are
 * real typos of each other - which is why a domain that is itself known must never be reported
 * as a near miss of another (DESIGN.md). State-code (franklinnj / franklinnh) and number
 * (esd1 / esd2) siblings are scaled down by the model and stay below. */
#define TG_TYPO_NEAR_MISS_THRESHOLD 0.5
#define TG_TYPO_TIE_MARGIN 0.1
const char *tg_typo_kind_name(TgTypoKind kind);

/* Where a candidate came from. */
#define TG_CANDIDATE_WELLKNOWN UINT32_C(0x80000000) /* tag bit: from the built-in set */

typedef struct {
  const char *intended; /* the candidate domain; valid as long as its index / the binary */
  uint32_t tag;         /* the index tag, or TG_CANDIDATE_WELLKNOWN | TgWellKnownKind */
  double score;         /* tg_typo_score weighted by the candidate's weight / trust: x1 for an
                           index (trusted) entry, x0.75..1 for a built-in one by its weight */
  TgTypoKind kind;
  double typo;          /* the unweighted tg_typo_score */
} TgCandidate;

/* Finds the most plausible intended domains for `typed` (ASCII lowercase, not itself known) in
 * the built-in well-known set and in each of `indexes` (NULL entries are skipped), best first
 * (by score, then by name), at most max_out. Only one-slip differences left of the TLD are
 * found (score > 0); typed itself is never a candidate. A domain found in several places
 * appears once, with the best score and the union of the tags. Cost: about 3 probes per
 * character of typed per index, independent of the index sizes; no allocation. */
size_t tg_typo_candidates(const char *typed, const TgIndex *const *indexes, size_t n_indexes,
                          TgCandidate *out, size_t max_out);

#endif
