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
 * 0 when it is not a plausible slip, up to 1. *kind (may be NULL) receives the kind of slip. */
double tg_typo_score(const char *typed, const char *intended, TgTypoKind *kind);
const char *tg_typo_kind_name(TgTypoKind kind);

/* Where a candidate came from. */
#define TG_CANDIDATE_WELLKNOWN UINT32_C(0x80000000) /* tag bit: from the built-in set */

typedef struct {
  const char *intended; /* the candidate domain; valid as long as its index / the binary */
  uint32_t tag;         /* the index tag, or TG_CANDIDATE_WELLKNOWN | TgWellKnownKind */
  double score;         /* tg_typo_score weighted by the candidate's weight / trust */
  TgTypoKind kind;
} TgCandidate;

/* Finds the most plausible intended domains for `typed` (ASCII lowercase, not itself known) in
 * the built-in well-known set and in each of `indexes`, best first, at most max_out. Cost is
 * sub-linear in the size of the indexes. */
size_t tg_typo_candidates(const char *typed, const TgIndex *const *indexes, size_t n_indexes,
                          TgCandidate *out, size_t max_out);

#endif
