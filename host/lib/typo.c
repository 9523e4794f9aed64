/* typo.c — the model of how people mistype a domain, and the near-miss search built on it.
 *
 * tg_typo_score explains the difference between a typed and an intended domain as one slip
 * (a keyboard-neighbour substitution, a transposition, an omission, an insertion, a doubled or
 * undoubled letter, a dropped or added dot or hyphen) and rates how plausible that slip is:
 *
 *   score = base(kind, keys involved) x information(label length) x position
 *
 * base: how often people make this slip (neighbour keys on QWERTY, QWERTZ or AZERTY make
 * substitutions and insertions much likelier than far keys; a vowel dropped between consonants or
 * at the end of a word-like name, glbo / globo, breaks a syllable and counts like a double letter
 * typed once, while a dropped consonant, or a vowel of an acronym, is as often another genuine
 * name or the owner's own abbreviation, txdot / texdot). information: a one-letter
 * difference in a 2- or 3-letter label is no evidence at all (ca.gov and ga.gov, gm.com and
 * gmx.com are all genuine), so short labels scale the score down hard. position: the first
 * letter is rarely mistyped, and many genuine names differ only there.
 *
 * Edits inside the TLD (the last label, or the dot before it) score 0 in tg_typo_score: they are
 * the business of the invalid_tld and tld_confusion rules; tg_typo_score_tld scores them for
 * those rules' suggestions (gmail.con -> gmail.com). Two-edit differences are TG_TYPO_OTHER with
 * a low score that never reaches TG_TYPO_NEAR_MISS_THRESHOLD on its own.
 *
 * tg_typo_candidates finds intended domains one slip away through the symmetric-deletion keys
 * (host/data/tgkeys.h) of the built-in index (precomputed in tgdata) and of each TgIndex, then
 * verifies and ranks each with tg_typo_score. tg_typo_candidates2 finds two-slip differences from
 * the popular providers. Pure: no allocation, no globals but const tables and the table of
 * popular providers, built once from the built-in data and never changed. */
#include "typo.h"

#include <stdlib.h>
#include <string.h>

#include "tgkeys.h"
#include "typoguard.h"
#include "wellknown.h"

/* ---- keyboards ----------------------------------------------------------------------------- */

/* A layout is four physical rows; x positions are in quarter keys so the row stagger is exact.
 * Two keys are neighbours when they sit side by side on a row, or on adjacent rows less than one
 * key width apart. `alias` maps characters typed on another key's position ('.' is Shift+';' on
 * AZERTY, '-' is the 6 key). */
typedef struct {
  const char *rows[4];
  int offset4[4];
  const char *alias; /* pairs: character, key it shares */
} Layout;

static const Layout layouts[] = {
    /* QWERTY (US/UK) */
    {{"1234567890-", "qwertyuiop", "asdfghjkl", "zxcvbnm,."}, {0, 2, 3, 5}, ""},
    /* QWERTZ (German, Swiss, Central Europe); '<' is the ISO key left of y */
    {{"1234567890", "qwertzuiop", "asdfghjkl", "<yxcvbnm,.-"}, {0, 2, 3, 1}, ""},
    /* AZERTY (French, Belgian): digits are shifted but on the same keys */
    {{"1234567890", "azertyuiop", "qsdfghjklm", "<wxcvbn,;:"}, {0, 2, 3, 1}, "-6.;"},
};

static bool key_pos(const Layout *l, char c, int *row, int *x4) {
  for (const char *a = l->alias; a[0] && a[1]; a += 2)
    if (a[0] == c) {
      c = a[1];
      break;
    }
  for (int r = 0; r < 4; r++) {
    const char *p = strchr(l->rows[r], c);
    if (p && c) {
      *row = r;
      *x4 = (int)(p - l->rows[r]) * 4 + l->offset4[r];
      return true;
    }
  }
  return false;
}

/* True when a and b are neighbouring keys on any of the layouts. */
static bool neighbours(char a, char b) {
  if (a == b)
    return false;
  for (size_t i = 0; i < G_N_ELEMENTS(layouts); i++) {
    int ra, xa, rb, xb;
    if (!key_pos(&layouts[i], a, &ra, &xa) || !key_pos(&layouts[i], b, &rb, &xb))
      continue;
    int dr = ra > rb ? ra - rb : rb - ra;
    int dx = xa > xb ? xa - xb : xb - xa;
    if ((dr == 0 && dx == 4) || (dr == 1 && dx < 4))
      return true;
  }
  return false;
}

/* Characters that look alike in an address field (0/o, 1/l/i, 5/s): misread, then retyped. */
static bool lookalike(char a, char b) {
  static const char *const groups[] = {"0o", "1li", "5s", "8b", "2z", "vu"};
  for (size_t i = 0; i < G_N_ELEMENTS(groups); i++)
    if (a != b && strchr(groups[i], a) && strchr(groups[i], b) && a && b)
      return true;
  return false;
}

/* US state and territory codes. Thousands of genuine .gov names are "<town><state>" or
 * "<state><agency>" (franklinnj.gov and franklinnh.gov are two towns; ndcourts.gov and
 * nccourts.gov two states' courts), so a slip that only turns one code into another tells
 * little. */
static bool state_code(const char *s) {
  static const char codes[] =
      "al ak az ar ca co ct de fl ga hi id il in ia ks ky la me md ma mi mn "
      "ms mo mt ne nv nh nj nm ny nc nd oh ok or pa ri sc sd tn tx ut vt va "
      "wa wv wi wy dc pr gu vi as mp ";
  for (size_t i = 0; i + 2 < sizeof codes; i += 3)
    if (codes[i] == s[0] && codes[i + 1] == s[1])
      return true;
  return false;
}

/* The label [a, b) of s around position i. */
static void label_bounds(const char *s, size_t n, size_t i, size_t *a, size_t *b) {
  *a = i;
  *b = i;
  while (*a > 0 && s[*a - 1] != '.')
    (*a)--;
  while (*b < n && s[*b] != '.')
    (*b)++;
}

/* True when a substitution or transposition at p (the first differing position) only turns a
 * 2-letter state code at the start or the end of a label of at least 5 letters into another
 * code; both domains have the same length then, so one set of label bounds serves both. */
static bool only_code_changed(const char *typed, const char *intended, size_t n, size_t p,
                              TgTypoKind k) {
  if (k != TG_TYPO_SUBSTITUTION && k != TG_TYPO_TRANSPOSITION)
    return false;
  /* Only US public-sector names follow the pattern (elsewhere "-one" and "-ond" are words). */
  if (!g_str_has_suffix(intended, ".gov") && !g_str_has_suffix(intended, ".us"))
    return false;
  size_t a, b;
  label_bounds(intended, n, p, &a, &b);
  size_t last = k == TG_TYPO_TRANSPOSITION ? p + 1 : p; /* last differing position */
  if (b - a < 5 || last >= b)
    return false;
  if (p >= b - 2)
    return state_code(intended + b - 2) && state_code(typed + b - 2);
  if (last < a + 2)
    return state_code(intended + a) && state_code(typed + a);
  return false;
}

static bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

static bool digit_only(const char *typed, size_t nt, const char *intended, size_t ni, size_t p,
                       TgTypoKind k) {
  switch (k) {
  case TG_TYPO_SUBSTITUTION: return is_digit(typed[p]) && is_digit(intended[p]);
  /* A digit more or less counts as a sibling inside a number (p100001 / p1000001) or as a number
   * ending the name (esd / esd1): a digit slipped into a word (gma1il) is an ordinary slip. */
  case TG_TYPO_INSERTION:
  case TG_TYPO_DOUBLING:
    return p < nt && is_digit(typed[p]) &&
           ((p > 0 && is_digit(typed[p - 1])) || p + 1 == nt || typed[p + 1] == '.' ||
            is_digit(typed[p + 1]));
  case TG_TYPO_OMISSION:
  case TG_TYPO_UNDOUBLING:
    return p < ni && is_digit(intended[p]) &&
           ((p > 0 && is_digit(intended[p - 1])) || p + 1 == ni || intended[p + 1] == '.' ||
            is_digit(intended[p + 1]));
  default: return false;
  }
}

static bool is_vowel(char c) {
  return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' || c == 'y';
}

static bool is_consonant(char c) {
  return c >= 'a' && c <= 'z' && !is_vowel(c);
}

/* True when the label [a, b) of s reads like a word: at least two vowels, at least 40 % of its
 * letters, and no run of three consonants. Acronyms and abbreviations (azdohs, usidfc, texdot)
 * are not; most brand and place names (globo, inbox, jubii) are. */
static bool word_like(const char *s, size_t a, size_t b) {
  size_t vowels = 0, letters = 0, run = 0;
  for (size_t i = a; i < b; i++) {
    if (is_vowel(s[i])) {
      vowels++, letters++, run = 0;
    } else if (is_consonant(s[i])) {
      letters++;
      if (++run >= 3)
        return false;
    } else {
      run = 0; /* a digit or hyphen separates */
    }
  }
  return vowels >= 2 && vowels * 5 >= letters * 2;
}

/* True when intended[p] is a vowel between two consonants of a word-like label (glObo, inbOx,
 * jUbii). Dropping it breaks the syllable a typist was producing, a motor slip like typing a
 * double letter once; in an acronym the vowel-less form is usually the same owner's own
 * abbreviation (txdot / texdot, usdfc / usidfc), so it gets no such credit. */
static bool vowel_between_consonants(const char *s, size_t n, size_t p) {
  if (!(p > 0 && is_vowel(s[p]) && is_consonant(s[p - 1]) &&
        (p + 1 == n || s[p + 1] == '.' || is_consonant(s[p + 1]))))
    return false;
  size_t a, b;
  label_bounds(s, n, p, &a, &b);
  return word_like(s, a, b);
}

/* ---- scoring -------------------------------------------------------------------------------- */

/* Base plausibility of each slip (before the information and position factors). Orders follow
 * the typing-error literature: transpositions, doubling errors and neighbour-key substitutions
 * are the commonest; a random far key is rare. */
#define BASE_TRANSPOSITION 0.85
#define BASE_SUB_NEIGHBOUR 0.80
#define BASE_SUB_LOOKALIKE 0.60
#define BASE_SUB_FAR 0.30
#define BASE_SUB_VOWEL 0.60
#define BASE_SUB_REPEAT 0.70
#define BASE_OMISSION 0.70
#define BASE_OMISSION_VOWEL 0.80
#define BASE_UNDOUBLING 0.80
#define BASE_INS_NEIGHBOUR 0.70
#define BASE_INS_FAR 0.30
#define BASE_INS_VOWEL 0.55
#define BASE_DOUBLING 0.80
#define BASE_DOT_DROPPED 0.85
#define BASE_DOT_ADDED 0.55
#define BASE_HYPHEN_DROPPED 0.80
#define BASE_HYPHEN_ADDED 0.55
#define BASE_OTHER 0.15
#define FIRST_LETTER 0.50
#define CODE_ONLY 0.50
#define DIGITS_ONLY 0.10

/* How much a one-slip difference in a label of n characters tells: the fewer the letters, the
 * likelier the "typo" is just another genuine name. */
static double information(size_t n) {
  static const double by_len[] = {0.0, 0.05, 0.10, 0.30, 0.55, 0.75, 0.85, 0.93};
  return n < G_N_ELEMENTS(by_len) ? by_len[n] : 1.0;
}

/* Length of the label of s that contains position i (dots excluded). */
static size_t label_len_at(const char *s, size_t n, size_t i) {
  size_t a = i, b = i;
  while (a > 0 && s[a - 1] != '.')
    a--;
  while (b < n && s[b] != '.')
    b++;
  return b - a;
}

static size_t last_dot(const char *s, size_t n) {
  for (size_t i = n; i > 0; i--)
    if (s[i - 1] == '.')
      return i - 1;
  return SIZE_MAX;
}

/* Damerau (optimal string alignment) distance, bounded: returns 3 when it exceeds 2. */
static unsigned osa_distance_max2(const char *a, size_t na, const char *b, size_t nb) {
  if ((na > nb ? na - nb : nb - na) > 2)
    return 3;
  unsigned rows[3][TG_KEY_MAX_LEN + 1];
  for (size_t j = 0; j <= nb; j++)
    rows[0][j] = (unsigned)j;
  for (size_t i = 1; i <= na; i++) {
    unsigned *cur = rows[i % 3], *prev = rows[(i - 1) % 3], *pp = rows[(i + 1) % 3];
    cur[0] = (unsigned)i;
    unsigned best = cur[0];
    for (size_t j = 1; j <= nb; j++) {
      unsigned cost = a[i - 1] == b[j - 1] ? 0u : 1u;
      unsigned v = MIN(MIN(prev[j] + 1, cur[j - 1] + 1), prev[j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        v = MIN(v, pp[j - 2] + 1);
      cur[j] = v;
      best = MIN(best, v);
    }
    if (best > 2)
      return 3;
  }
  return MIN(rows[na % 3][nb], 3u);
}

/* Explains typed as one slip of intended. Returns the open-zone score (slip x information);
 * *slip_out receives the error-model likelihood alone (no length term) and *label_out the length
 * of the label the slip is in (both may be NULL). */
static double score_impl(const char *typed, const char *intended, bool tld_only, TgTypoKind *kind,
                         double *slip_out, size_t *label_out, TgSlipKeys *keys_out) {
  TgSlipKeys keys = TG_KEYS_FAR;
  TgTypoKind k = TG_TYPO_NONE;
  double s = 0.0;
  if (kind)
    *kind = TG_TYPO_NONE;
  if (slip_out)
    *slip_out = 0.0;
  if (label_out)
    *label_out = 0;
  if (!typed || !intended)
    return 0.0;
  size_t nt = strlen(typed), ni = strlen(intended);
  if (nt == 0 || ni == 0 || nt > TG_KEY_MAX_LEN || ni > TG_KEY_MAX_LEN ||
      strcmp(typed, intended) == 0)
    return 0.0;

  /* Align: common prefix p, then common suffix sfx that does not overlap it. */
  size_t mn = MIN(nt, ni), p = 0, sfx = 0;
  while (p < mn && typed[p] == intended[p])
    p++;
  while (sfx < mn - p && typed[nt - 1 - sfx] == intended[ni - 1 - sfx])
    sfx++;
  size_t dt = nt - p - sfx, di = ni - p - sfx; /* differing spans */

  /* The first differing position in intended's coordinates decides whether the edit touches
   * the TLD: at or after intended's last dot (an insertion at p lands between p-1 and p). */
  size_t dot = last_dot(intended, ni);
  size_t label; /* the label whose length measures the information */
  size_t edit_at = p;
  if (dt == 1 && di == 1) {
    char a = typed[p], b = intended[p];
    k = TG_TYPO_SUBSTITUTION;
    bool near_key = neighbours(a, b);
    keys = near_key ? TG_KEYS_NEAR : TG_KEYS_FAR;
    s = near_key ? BASE_SUB_NEIGHBOUR : lookalike(a, b) ? BASE_SUB_LOOKALIKE : BASE_SUB_FAR;
    /* A vowel for a vowel is a spelling confusion (verazon, gmeil), not a motor slip: common
     * whatever the keys' distance. A letter repeated where the name doubles the next or previous
     * one is a doubling that landed on the wrong letter (yahho for yahoo). */
    if (is_vowel(a) && is_vowel(b) && a != 'y' && b != 'y') {
      keys = TG_KEYS_VOWEL;
      s = MAX(s, BASE_SUB_VOWEL);
    }
    if (s < BASE_SUB_REPEAT &&
        ((p > 0 && typed[p - 1] == a && p + 1 < ni && intended[p + 1] == b) ||
         (p + 1 < nt && typed[p + 1] == a && p > 0 && intended[p - 1] == b)))
      s = BASE_SUB_REPEAT;
    if (a == '.' || b == '.')
      s = 0.0, k = TG_TYPO_OTHER; /* a dot for a letter rearranges labels: not one slip */
    label = label_len_at(intended, ni, p);
  } else if (dt == 2 && di == 2 && typed[p] == intended[p + 1] && typed[p + 1] == intended[p]) {
    k = TG_TYPO_TRANSPOSITION;
    s = BASE_TRANSPOSITION;
    edit_at = p + 1; /* the swap reaches p+1 */
    if (typed[p] == '.' || intended[p] == '.')
      s = BASE_TRANSPOSITION * 0.5; /* "gmai.lcom": a slip, but it moves a label boundary */
    label = label_len_at(intended, ni, intended[p] == '.' ? p + 1 : p);
  } else if (dt == 1 && di == 0) {
    /* typed has one extra character, typed[p], between intended[p-1] and intended[p]. */
    char c = typed[p];
    if (c == '.') {
      k = TG_TYPO_DOT_ADDED, s = BASE_DOT_ADDED;
    } else if (c == '-') {
      k = TG_TYPO_HYPHEN_ADDED, s = BASE_HYPHEN_ADDED;
    } else if ((p > 0 && typed[p - 1] == c) || (p + 1 < nt && typed[p + 1] == c)) {
      k = TG_TYPO_DOUBLING, s = BASE_DOUBLING;
    } else {
      k = TG_TYPO_INSERTION;
      bool near =
          (p > 0 && neighbours(c, typed[p - 1])) || (p + 1 < nt && neighbours(c, typed[p + 1]));
      s = near ? BASE_INS_NEIGHBOUR : BASE_INS_FAR;
      keys = near ? TG_KEYS_NEAR : TG_KEYS_FAR;
      /* A vowel slipped in between two consonants or before a vowel is how the name sounds
       * (gimail for gmail), a spelling slip independent of the keys. */
      if (s < BASE_INS_VOWEL && is_vowel(c) && c != 'y' && p > 0 && is_consonant(typed[p - 1]))
        s = BASE_INS_VOWEL;
    }
    edit_at = p > 0 ? p - 1 : 0;
    if (p > 0 && intended[p - 1] != '.')
      label = label_len_at(intended, ni, p - 1);
    else
      label = label_len_at(intended, ni, p);
    if (dot != SIZE_MAX && p > dot)
      edit_at = p; /* inserted after the last dot: inside the TLD */
  } else if (dt == 0 && di == 1) {
    /* typed lacks intended[p]. */
    char c = intended[p];
    if (c == '.') {
      k = TG_TYPO_DOT_DROPPED, s = BASE_DOT_DROPPED;
      label = label_len_at(typed, nt, p); /* the merged label: "usarmy" */
    } else if (c == '-') {
      k = TG_TYPO_HYPHEN_DROPPED, s = BASE_HYPHEN_DROPPED;
      label = label_len_at(intended, ni, p) - 1;
    } else if ((p > 0 && intended[p - 1] == c) || (p + 1 < ni && intended[p + 1] == c)) {
      k = TG_TYPO_UNDOUBLING, s = BASE_UNDOUBLING;
      label = label_len_at(intended, ni, p);
    } else {
      k = TG_TYPO_OMISSION;
      s = vowel_between_consonants(intended, ni, p) ? BASE_OMISSION_VOWEL : BASE_OMISSION;
      label = label_len_at(intended, ni, p);
    }
  } else {
    /* More than one slip: only a weak hint, and only within two edits. */
    if (osa_distance_max2(typed, nt, intended, ni) > 2)
      return 0.0;
    k = TG_TYPO_OTHER, s = BASE_OTHER;
    label = label_len_at(intended, ni, MIN(p, ni - 1));
    edit_at = p;
  }

  bool in_tld = dot == SIZE_MAX || edit_at >= dot;
  if (in_tld != tld_only)
    return 0.0;
  double slip = s;
  if (!in_tld) {
    /* The first letter of the name is typed with most care. */
    if (p == 0 || intended[p - 1] == '.')
      s *= FIRST_LETTER;
    if (only_code_changed(typed, intended, ni, p, k))
      s *= CODE_ONLY;
    /* A digit for a digit, or a digit more or less: numbered siblings (35thdistrictcourt and
     * 36thdistrictcourt, esd1 and esd2) are genuine far more often than mistyped. */
    if (digit_only(typed, nt, intended, ni, p, k))
      s *= DIGITS_ONLY;
    slip = s;
    s *= information(label);
  }
  if (kind)
    *kind = k;
  if (slip_out)
    *slip_out = slip;
  if (keys_out)
    *keys_out = keys;
  if (label_out) {
    /* The longer of the two labels at the slip: the more letters agree, the less likely T is a
     * different real name. */
    size_t at = MIN(p, nt - 1);
    if (typed[at] == '.' && at > 0)
      at--;
    *label_out = MAX(label, label_len_at(typed, nt, at));
  }
  return s;
}

double tg_typo_score(const char *typed, const char *intended, TgTypoKind *kind) {
  return score_impl(typed, intended, false, kind, NULL, NULL, NULL);
}

double tg_typo_score_tld(const char *typed, const char *intended, TgTypoKind *kind) {
  return score_impl(typed, intended, true, kind, NULL, NULL, NULL);
}

double tg_typo_slip(const char *typed, const char *intended, TgTypoKind *kind, size_t *label) {
  double slip = 0.0;
  score_impl(typed, intended, false, kind, &slip, label, NULL);
  g_assert(slip >= 0.0 && slip <= 1.0); /* P(typed | intended), one slip's error-model term */
  return slip;
}

/* ---- the noisy-channel decision (the model and its table are in typo.h) ---------------------- */

#define PRIOR_ORG 1.20
#define PRIOR_BOOK 1.00
#define PRIOR_HISTORY 1.00
#define PRIOR_HISTORY_STEP 0.05
#define PRIOR_BUILTIN_MIN 1.00
#define PRIOR_BUILTIN_SPAN 0.50
#define PRIOR_MAILBOX 20.0
#define REAL_REGISTRY 0.05
#define REAL_LISTED 0.15
#define SIBLING_MAX_LEN 5
#define SIBLING_SUB_NEAR 0.9
#define SIBLING_SUB_FAR 1.2
#define SIBLING_SUB_VOWEL 0.5
#define SIBLING_OMISSION 2.0
#define SIBLING_TRANSPOSITION 0.3
#define SIBLING_INSERTION 0.2
#define SIBLING_DOUBLING 0.5
#define SIBLING_SEPARATOR 0.2

TgZone tg_typo_zone(const char *ascii_domain) {
  const char *dot = ascii_domain ? strrchr(ascii_domain, '.') : NULL;
  const char *tld = dot ? dot + 1 : ascii_domain;
  if (!tld)
    return TG_ZONE_OPEN;
  if (strcmp(tld, "gov") == 0)
    return TG_ZONE_REGISTRY;
  if (strcmp(tld, "mil") == 0)
    return TG_ZONE_LISTED;
  return TG_ZONE_OPEN;
}

double tg_typo_prior_builtin(uint8_t weight) {
  double w = (double)weight / 255.0;
  return PRIOR_BUILTIN_MIN + PRIOR_BUILTIN_SPAN * w;
}

/* Role mailboxes: RFC 2142's (info … ftp) and the other names organisations give shared boxes.
 * Sorted (strcmp) for bsearch. */
static const char *const role_locals[] = {
    "abuse",     "accounts", "admin",     "administrator", "billing", "careers",    "contact",
    "enquiries", "feedback", "ftp",       "hello",         "help",    "helpdesk",   "hostmaster",
    "hr",        "info",     "inquiries", "jobs",          "mail",    "marketing",  "media",
    "news",      "no-reply", "noc",       "noreply",       "office",  "postmaster", "press",
    "reception", "root",     "sales",     "security",      "service", "support",    "team",
    "usenet",    "uucp",     "webmaster", "www",
};

static int cmp_cstr(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

double tg_typo_prior_mailbox(const char *local) {
  if (!local || !*local)
    return 1.0;
  if (bsearch(&local, role_locals, G_N_ELEMENTS(role_locals), sizeof role_locals[0], cmp_cstr))
    return 1.0;
  return PRIOR_MAILBOX;
}

double tg_typo_prior_context(unsigned sources, unsigned history_count) {
  double p = 0.0;
  if (sources & (TG_SOURCE_ORG | TG_SOURCE_TRUSTED | TG_SOURCE_SENDER))
    p = PRIOR_ORG;
  else if (sources & TG_SOURCE_KNOWN)
    p = PRIOR_BOOK;
  if (sources & TG_SOURCE_HISTORY) {
    /* One message there counts as an address-book entry (Thunderbird collects every recipient
     * into its address book anyway); each doubling of the messages says a little more, up to the
     * organisation's own. */
    double h = PRIOR_HISTORY;
    for (unsigned c = history_count; c > 1 && h < PRIOR_ORG; c /= 2)
      h += PRIOR_HISTORY_STEP;
    p = MAX(p, MIN(h, PRIOR_ORG));
  }
  return p;
}

double tg_typo_real(size_t label_len, TgZone zone, bool context) {
  /* By label length 0..7 (8 and more: the last entry); see the table in typo.h. */
  static const double open[] = {0.0, 0.0, 3.5, 1.17, 0.42, 0.26, 0.205, 0.19, 0.175};
  static const double own[] = {0.0, 0.0, 0.75, 0.75, 0.42, 0.26, 0.192, 0.168, 0.15};
  if (label_len <= 1)
    return G_MAXDOUBLE; /* a one-letter difference in a one-letter name: no evidence at all */
  size_t i = MIN(label_len, G_N_ELEMENTS(open) - 1);
  double r = context ? own[i] : open[i];
  if (zone == TG_ZONE_REGISTRY)
    r *= REAL_REGISTRY;
  else if (zone == TG_ZONE_LISTED)
    r *= REAL_LISTED;
  return r;
}

/* sibling(kind, n): how much likelier than for a substitution it is that a slip of this kind
 * in a label of n <= SIBLING_MAX_LEN letters produces another real name (the table in typo.h). */
double tg_typo_sibling(TgTypoKind kind, TgSlipKeys keys, size_t label_len) {
  if (label_len > SIBLING_MAX_LEN)
    return 1.0;
  switch (kind) {
  case TG_TYPO_SUBSTITUTION:
    return keys == TG_KEYS_VOWEL  ? SIBLING_SUB_VOWEL
           : keys == TG_KEYS_NEAR ? SIBLING_SUB_NEAR
                                  : SIBLING_SUB_FAR;
  case TG_TYPO_TRANSPOSITION: return SIBLING_TRANSPOSITION;
  case TG_TYPO_INSERTION: return SIBLING_INSERTION;
  case TG_TYPO_DOUBLING: return SIBLING_DOUBLING;
  case TG_TYPO_OMISSION:
  case TG_TYPO_UNDOUBLING: return SIBLING_OMISSION;
  case TG_TYPO_DOT_ADDED:
  case TG_TYPO_HYPHEN_ADDED: return SIBLING_SEPARATOR;
  default: return 1.0; /* dropped separators, two-edit slips: no evidence either way */
  }
}

double tg_typo_posterior(double slip, double prior, double real) {
  if (slip <= 0.0 || prior <= 0.0 || real >= G_MAXDOUBLE)
    return 0.0;
  double odds = slip * prior / real;
  double p = odds / (1.0 + odds);
  g_assert(p >= 0.0 && p <= 1.0); /* a probability, whatever the terms (all non-negative) */
  return p;
}

const char *tg_typo_kind_name(TgTypoKind kind) {
  switch (kind) {
  case TG_TYPO_NONE: return "none";
  case TG_TYPO_SUBSTITUTION: return "substitution";
  case TG_TYPO_TRANSPOSITION: return "transposition";
  case TG_TYPO_OMISSION: return "omission";
  case TG_TYPO_INSERTION: return "insertion";
  case TG_TYPO_DOUBLING: return "doubling";
  case TG_TYPO_UNDOUBLING: return "undoubling";
  case TG_TYPO_DOT_DROPPED: return "dot_dropped";
  case TG_TYPO_DOT_ADDED: return "dot_added";
  case TG_TYPO_HYPHEN_DROPPED: return "hyphen_dropped";
  case TG_TYPO_HYPHEN_ADDED: return "hyphen_added";
  case TG_TYPO_OTHER: return "other";
  }
  return "unknown";
}

/* ---- candidates ----------------------------------------------------------------------------- */

#define MAX_PROBE_IDS 1024u /* per source and query; more is pathological (and only drops some) */

typedef struct {
  const char *typed;
  TgCandidate *out;
  size_t max_out, n_out;
  bool tld; /* find slips in the TLD (tg_typo_score_tld) instead of the name */
} Collector;

/* Weight of a well-known domain in the ranking: popular providers win ties, and an obscure one
 * needs a clearer slip to reach the threshold (factor 0.75 .. 1). Trusted domains count fully:
 * the user's own world matters most. */
static double wellknown_factor(uint8_t weight) {
  return 0.75 + 0.25 * (double)weight / 255.0;
}

static bool better(const TgCandidate *a, const TgCandidate *b) {
  if (a->score != b->score)
    return a->score > b->score;
  return strcmp(a->intended, b->intended) < 0; /* deterministic order */
}

/* Inserts cand into out (best first, *n of at most max), dropping the worst when full. */
static void insert_ranked(TgCandidate *out, size_t *n, size_t max, const TgCandidate *cand) {
  size_t pos = *n;
  while (pos > 0 && better(cand, &out[pos - 1]))
    pos--;
  if (pos >= max)
    return;
  size_t keep = MIN(*n, max - 1);
  memmove(&out[pos + 1], &out[pos], (keep - pos) * sizeof *out);
  out[pos] = *cand;
  *n = keep + 1;
}

static void offer(Collector *c, const char *intended, uint32_t tag, double factor) {
  TgTypoKind kind;
  double slip = 0.0;
  size_t label = 0;
  TgSlipKeys keys = TG_KEYS_FAR;
  double raw = score_impl(c->typed, intended, c->tld, &kind, &slip, &label, &keys);
  if (raw <= 0.0)
    return;
  TgCandidate cand = {intended, tag, raw * factor, kind, raw, slip, label, keys};
  /* The same domain from several sources (built in and trusted): keep one, best score, union of
   * tags. */
  for (size_t i = 0; i < c->n_out; i++) {
    if (strcmp(c->out[i].intended, intended) != 0)
      continue;
    cand.tag |= c->out[i].tag;
    if (c->out[i].score > cand.score)
      cand.score = c->out[i].score;
    memmove(&c->out[i], &c->out[i + 1], (c->n_out - i - 1) * sizeof *c->out);
    c->n_out--;
    break;
  }
  insert_ranked(c->out, &c->n_out, c->max_out, &cand);
}

/* Sorts ids (a handful, usually) and drops repeats: a domain found by several probes is
 * verified once. */
static size_t unique_ids(uint32_t *ids, size_t k) {
  for (size_t i = 1; i < k; i++) {
    uint32_t v = ids[i];
    size_t j = i;
    for (; j > 0 && ids[j - 1] > v; j--)
      ids[j] = ids[j - 1];
    ids[j] = v;
  }
  size_t m = 0;
  for (size_t i = 0; i < k; i++)
    if (m == 0 || ids[m - 1] != ids[i])
      ids[m++] = ids[i];
  return m;
}

static size_t candidates(const char *typed, const TgIndex *const *indexes, size_t n_indexes,
                         TgCandidate *out, size_t max_out, bool tld) {
  if (!typed || !out || max_out == 0)
    return 0;
  size_t n = strlen(typed);
  if (n == 0 || n > TG_KEY_MAX_LEN)
    return 0;
  Collector c = {typed, out, max_out, 0, tld};
  uint32_t whole = tg_key_hash(typed, n);
  uint32_t dels[TG_KEY_MAX_LEN];
  size_t n_dels = tg_key_deletions(typed, n, dels);
  uint32_t ids[MAX_PROBE_IDS];

  /* Three probes per key find every one-slip neighbour: typed = intended minus a letter (typed's
   * whole hash among the deletion keys); one slip in the same place (deletion key against
   * deletion key); typed = intended plus a letter (a deletion of typed among the exact hashes).
   * Each source takes all keys at once, so that it can overlap its cache misses. */
  size_t k = unique_ids(ids, tg_wellknown_probe_slips(whole, dels, n_dels, ids, MAX_PROBE_IDS));
  for (size_t i = 0; i < k; i++) {
    const TgWellKnown *wk = tg_wellknown_at(ids[i]);
    offer(&c, wk->domain, TG_CANDIDATE_WELLKNOWN | wk->kind, wellknown_factor(wk->weight));
  }
  for (size_t x = 0; x < n_indexes; x++) {
    const TgIndex *ix = indexes[x];
    if (!ix)
      continue;
    k = unique_ids(ids, tg_index_probe_slips(ix, whole, dels, n_dels, ids, MAX_PROBE_IDS));
    for (size_t i = 0; i < k; i++) {
      uint32_t tag = 0;
      const char *d = tg_index_domain_at(ix, ids[i], &tag);
      if (d)
        offer(&c, d, tag, 1.0);
    }
  }
  g_assert(c.n_out <= max_out); /* offer() keeps the best max_out, never more */
  return c.n_out;
}

size_t tg_typo_candidates(const char *typed, const TgIndex *const *indexes, size_t n_indexes,
                          TgCandidate *out, size_t max_out) {
  return candidates(typed, indexes, n_indexes, out, max_out, false);
}

/* ---- two slips ------------------------------------------------------------------------------ */

/* Two slips in one name (htomali for hotmail, yhao for yahoo): the error model is the product of
 * the two slips' rates through the likeliest intermediate spelling, times TWO_SLIPS, the share of
 * misspellings with a second slip relative to one (Damerau 1964: ~80 % one, most of the rest
 * two). The search is over the popular providers only, whose names are long enough to tell (a
 * label of at least TWO_SLIPS_MIN_LABEL letters): two slips of a rare or short name more often
 * make another real name than a typo. */
#define TWO_SLIPS 0.25
#define TWO_SLIPS_MIN_LABEL 5
#define TWO_SLIPS_MIN_WEIGHT 140 /* the hand-written tiers of mail-providers.txt */

/* The likeliest two-slip path from intended to typed, both ASCII lowercase and differing only in
 * their first label: max over one-edit variants m of intended's first label of
 * slip(m | intended) x slip(typed | m). A minimal path never brings in a character that typed
 * lacks, so substitutions and insertions try only typed's own characters. */
static double two_slip_path(const char *typed, const char *intended) {
  char m[TG_KEY_MAX_LEN + 2];
  size_t ni = strlen(intended), nt = strlen(typed);
  const char *dot = strchr(intended, '.');
  size_t lab = dot ? (size_t)(dot - intended) : ni;
  const char *tdot = strchr(typed, '.');
  size_t tlab = tdot ? (size_t)(tdot - typed) : nt;
  if (ni + 1 >= sizeof m)
    return 0.0;
  char chars[TG_KEY_MAX_LEN + 1];
  size_t n_chars = 0;
  for (size_t i = 0; i < tlab; i++)
    if (!memchr(chars, typed[i], n_chars))
      chars[n_chars++] = typed[i];
  double best = 0.0;
  /* op 0 deletion, 1 transposition, 2 substitution, 3 insertion; at positions of the label */
  for (int op = 0; op < 4; op++) {
    size_t positions = op == 3 ? lab + 1 : lab;
    for (size_t i = 0; i < positions; i++) {
      size_t n_alt = op >= 2 ? n_chars : 1;
      for (size_t a = 0; a < n_alt; a++) {
        if (op == 0) {
          memcpy(m, intended, i);
          memcpy(m + i, intended + i + 1, ni - i);
        } else if (op == 1) {
          if (i + 1 >= lab || intended[i] == intended[i + 1])
            break;
          memcpy(m, intended, ni + 1);
          m[i] = intended[i + 1];
          m[i + 1] = intended[i];
        } else if (op == 2) {
          if (intended[i] == chars[a])
            continue;
          memcpy(m, intended, ni + 1);
          m[i] = chars[a];
        } else {
          memcpy(m, intended, i);
          m[i] = chars[a];
          memcpy(m + i + 1, intended + i, ni - i + 1);
        }
        if (m[0] == '.' || strcmp(m, typed) == 0)
          continue;
        double s1 = 0.0, s2 = 0.0;
        score_impl(m, intended, false, NULL, &s1, NULL, NULL);
        if (s1 <= best) /* s2 <= 1: this path cannot win */
          continue;
        score_impl(typed, m, false, NULL, &s2, NULL, NULL);
        best = MAX(best, s1 * s2);
      }
    }
  }
  return best;
}

/* Is the longer of a and b the shorter with two adjacent characters added (fast / faster,
 * telkom / telkomsa)? A two-letter chunk is a morpheme, another word, not two slips. */
static bool chunk_apart(const char *a, size_t na, const char *b, size_t nb) {
  if (na < nb) {
    const char *t = a;
    a = b, b = t;
    size_t tn = na;
    na = nb, nb = tn;
  }
  if (na != nb + 2)
    return false;
  size_t p = 0;
  while (p < nb && a[p] == b[p])
    p++;
  return memcmp(a + p + 2, b + p, nb - p) == 0;
}

double tg_typo_slip2_max(void) {
  /* Two of the likeliest slip (every other factor of a slip is <= 1). */
  static const double bases[] = {
      BASE_TRANSPOSITION, BASE_SUB_NEIGHBOUR, BASE_SUB_LOOKALIKE, BASE_SUB_FAR,
      BASE_SUB_VOWEL,     BASE_SUB_REPEAT,    BASE_OMISSION,      BASE_OMISSION_VOWEL,
      BASE_UNDOUBLING,    BASE_INS_NEIGHBOUR, BASE_INS_FAR,       BASE_INS_VOWEL,
      BASE_DOUBLING,      BASE_DOT_DROPPED,   BASE_DOT_ADDED,     BASE_HYPHEN_DROPPED,
      BASE_HYPHEN_ADDED,  BASE_OTHER,
  };
  double most = 0.0;
  for (size_t i = 0; i < G_N_ELEMENTS(bases); i++)
    most = MAX(most, bases[i]);
  return TWO_SLIPS * most * most;
}

double tg_typo_slip2(const char *typed, const char *intended) {
  if (!typed || !intended)
    return 0.0;
  const char *td = strchr(typed, '.'), *id = strchr(intended, '.');
  if (!td || !id || strcmp(td, id) != 0)
    return 0.0; /* the slips are in the first label; the rest is the same */
  size_t nt = (size_t)(td - typed), ni = (size_t)(id - intended);
  if (strlen(intended) > TG_KEY_MAX_LEN || strlen(typed) > TG_KEY_MAX_LEN ||
      osa_distance_max2(typed, nt, intended, ni) != 2 || chunk_apart(typed, nt, intended, ni))
    return 0.0;
  /* Callers skip the search on the bound: it holds by construction. */
  return MIN(TWO_SLIPS * two_slip_path(typed, intended), tg_typo_slip2_max());
}

/* Which characters a label holds, as bits (a-z; digits folded into five; the hyphen): one edit
 * changes at most two bits, so two labels whose masks differ in more than four bits are more than
 * two edits apart. */
static uint32_t letter_mask(const char *s, size_t n) {
  uint32_t m = 0;
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    if (c >= 'a' && c <= 'z')
      m |= 1u << (c - 'a');
    else if (c >= '0' && c <= '9')
      m |= 1u << (26 + (c - '0') % 5);
    else
      m |= 1u << 31;
  }
  return m;
}

/* The popular providers (mail providers of weight >= TWO_SLIPS_MIN_WEIGHT) whose name is long
 * enough for two slips, with what the filters need; built once from the const built-in data
 * (thread-safe), never changed after. */
typedef struct {
  const TgWellKnown *wk;
  const char *ending; /* from the first dot: ".com", ".co.uk" */
  uint32_t letters;   /* letter_mask of the first label */
  uint8_t label;      /* length of the first label */
} Popular;

/* By ending, so that one binary search finds the few that share the typed domain's. */
static int popular_order(const void *a, const void *b) {
  const Popular *x = a, *y = b;
  int c = strcmp(x->ending, y->ending);
  return c ? c : strcmp(x->wk->domain, y->wk->domain);
}

static const Popular *popular_table(size_t *n) {
  static Popular table[1024];
  static gsize n_table;
  if (g_once_init_enter(&n_table)) {
    size_t k = 0;
    for (size_t i = 0; i < tg_wellknown_count() && k < G_N_ELEMENTS(table); i++) {
      const TgWellKnown *wk = tg_wellknown_at(i);
      if (!(wk->kind & TG_WK_MAIL_PROVIDER) || wk->weight < TWO_SLIPS_MIN_WEIGHT)
        continue;
      const char *dot = strchr(wk->domain, '.');
      size_t label = dot ? (size_t)(dot - wk->domain) : 0;
      if (label < TWO_SLIPS_MIN_LABEL || label > UINT8_MAX)
        continue;
      table[k++] = (Popular){wk, dot, letter_mask(wk->domain, label), (uint8_t)label};
    }
    qsort(table, k, sizeof *table, popular_order);
    g_once_init_leave(&n_table, k + 1); /* + 1: g_once needs a non-zero value */
  }
  *n = n_table - 1;
  return table;
}

size_t tg_typo_candidates2(const char *typed, TgCandidate *out, size_t max_out) {
  if (!typed || !out || max_out == 0)
    return 0;
  const char *td = strchr(typed, '.');
  if (!td)
    return 0;
  size_t nt = (size_t)(td - typed), n_pop = 0, n_out = 0;
  uint32_t letters = letter_mask(typed, nt);
  const Popular *pop = popular_table(&n_pop);
  /* This runs for every unknown domain: the providers under the same ending (one binary
   * search), then filters of a few ns each (within two letters' length, at most four characters
   * in or out) before the edit distance. */
  size_t lo = 0, hi = n_pop;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (strcmp(pop[mid].ending, td) < 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  for (size_t i = lo; i < n_pop && strcmp(pop[i].ending, td) == 0; i++) {
    const Popular *p = &pop[i];
    size_t ni = p->label;
    if ((ni > nt ? ni - nt : nt - ni) > 2 || __builtin_popcount(letters ^ p->letters) > 4)
      continue;
    double slip = tg_typo_slip2(typed, p->wk->domain);
    if (slip <= 0.0)
      continue;
    size_t label = MAX(ni, nt);
    TgCandidate cand = {p->wk->domain,
                        TG_CANDIDATE_WELLKNOWN | p->wk->kind,
                        slip * information(label) * wellknown_factor(p->wk->weight),
                        TG_TYPO_OTHER,
                        slip * information(label),
                        slip,
                        label,
                        TG_KEYS_FAR};
    insert_ranked(out, &n_out, max_out, &cand);
  }
  return n_out;
}

size_t tg_typo_candidates_tld(const char *typed, const TgIndex *const *indexes, size_t n_indexes,
                              TgCandidate *out, size_t max_out) {
  return candidates(typed, indexes, n_indexes, out, max_out, true);
}
