/* people.c — person names normalised for exact matching, and the per-request index of the
 * address book's people (see people.h for the normalisations and what they deliberately are not:
 * no fuzzy matching, since two people with similar names are two people).
 *
 * Names are folded and cut into words in fixed buffers (no heap allocation for ASCII names, which
 * fill most address books). The index keeps, per contact, the hashes of three keys (full name,
 * initial + surname, normalised local part) in three open-addressing tables; a hash hit is
 * confirmed by recomputing the contact's key. Built once per request. */
#include "people.h"

#include <stdlib.h>
#include <string.h>

/* ---- transliteration: the spellings a name is written in ----------------------------------
 *
 * A name in letters an English keyboard lacks is written several ways, and each is the same
 * person's name: Müller is Mueller or Muller, Øyvind is Oeyvind or Oyvind, Дмитрий is Dmitry,
 * Dmitrii, Dmitri or Dmitriy. A name is therefore folded once per transliteration system below,
 * and it matches another when any of its spellings equals any of the other's — still exactly, a
 * loose resemblance is never a match. The systems (one column each in the table):
 *   0  "expanded": German/Scandinavian ä ö ü å ø → ae oe ue aa oe; Russian as English prints it
 *      (й → y, final -ий → y, ё → yo, ю → yu, я → ya: Sergey, Dmitry, Yury, Fyodor)
 *   1  "stripped": ä ö ü å ø → a o u a o; Russian by ICAO Doc 9303, the passport system since
 *      2013 (й → i, -ий → ii, ю → iu, я → ia, ё → e, ъ → ie: Sergei, Dmitrii, Iurii)
 *   2  stripped; Russian with й → i, -ий → i, -ия → ia (Sergei, Dmitri, Yuri, Maria, Yulia)
 *   3  stripped; Russian as BGN/PCGN writes it without diacritics (й → y, -ий → iy: Dmitriy,
 *      Yuriy, Fedor)
 * Letters common to all systems (х → kh, ц → ts, щ → shch, ж → zh …) are in the same table;
 * Ukrainian і ї є ґ and Belarusian ў are included. Other accents (é, ñ, č …) are folded by
 * Unicode decomposition in every system; a few letters without one by extra_fold. Greek and other
 * scripts are compared in their own letters. ASCII names have one spelling and never get here. */
#define N_SYSTEMS 4u

typedef struct {
  gunichar c;
  const char *as[N_SYSTEMS];
} Translit;

static const Translit translit_table[] = {
    {0x00E4, {"ae", "a", "a", "a"}},            /* ä */
    {0x00F6, {"oe", "o", "o", "o"}},            /* ö */
    {0x00FC, {"ue", "u", "u", "u"}},            /* ü */
    {0x00E5, {"aa", "a", "a", "a"}},            /* å */
    {0x00F8, {"oe", "o", "o", "o"}},            /* ø */
    {0x0430, {"a", "a", "a", "a"}},             /* а */
    {0x0431, {"b", "b", "b", "b"}},             /* б */
    {0x0432, {"v", "v", "v", "v"}},             /* в */
    {0x0433, {"g", "g", "g", "g"}},             /* г */
    {0x0434, {"d", "d", "d", "d"}},             /* д */
    {0x0435, {"e", "e", "e", "e"}},             /* е */
    {0x0436, {"zh", "zh", "zh", "zh"}},         /* ж */
    {0x0437, {"z", "z", "z", "z"}},             /* з */
    {0x0438, {"i", "i", "i", "i"}},             /* и */
    {0x0439, {"y", "i", "i", "y"}},             /* й */
    {0x043A, {"k", "k", "k", "k"}},             /* к */
    {0x043B, {"l", "l", "l", "l"}},             /* л */
    {0x043C, {"m", "m", "m", "m"}},             /* м */
    {0x043D, {"n", "n", "n", "n"}},             /* н */
    {0x043E, {"o", "o", "o", "o"}},             /* о */
    {0x043F, {"p", "p", "p", "p"}},             /* п */
    {0x0440, {"r", "r", "r", "r"}},             /* р */
    {0x0441, {"s", "s", "s", "s"}},             /* с */
    {0x0442, {"t", "t", "t", "t"}},             /* т */
    {0x0443, {"u", "u", "u", "u"}},             /* у */
    {0x0444, {"f", "f", "f", "f"}},             /* ф */
    {0x0445, {"kh", "kh", "kh", "kh"}},         /* х */
    {0x0446, {"ts", "ts", "ts", "ts"}},         /* ц */
    {0x0447, {"ch", "ch", "ch", "ch"}},         /* ч */
    {0x0448, {"sh", "sh", "sh", "sh"}},         /* ш */
    {0x0449, {"shch", "shch", "shch", "shch"}}, /* щ */
    {0x044A, {"", "ie", "", ""}},               /* ъ */
    {0x044B, {"y", "y", "y", "y"}},             /* ы */
    {0x044C, {"", "", "", ""}},                 /* ь */
    {0x044D, {"e", "e", "e", "e"}},             /* э */
    {0x044E, {"yu", "iu", "yu", "yu"}},         /* ю */
    {0x044F, {"ya", "ia", "ya", "ya"}},         /* я */
    {0x0451, {"yo", "e", "yo", "e"}},           /* ё */
    {0x0454, {"ye", "ie", "ye", "ye"}},         /* є */
    {0x0456, {"i", "i", "i", "i"}},             /* і */
    {0x0457, {"yi", "i", "yi", "yi"}},          /* ї */
    {0x045E, {"u", "u", "u", "u"}},             /* ў */
    {0x0491, {"g", "g", "g", "g"}},             /* ґ */
};

/* A word-final -ий (Дмитрий, Юрий, Василий) and -ия (Мария, Юлия, Наталия), written
 * differently by each system (Maria and Yulia are how English writes the second). */
static const char *const final_iy[N_SYSTEMS] = {"y", "ii", "i", "iy"};
static const char *const final_iya[N_SYSTEMS] = {"iya", "iia", "ia", "iya"};

static const Translit *translit_of(gunichar lower) {
  if (lower < 0x00E4 || lower > 0x0491 || (lower > 0x00FC && lower < 0x0430))
    return NULL; /* most accented Latin letters and everything else: not in the table */
  for (size_t i = 0; i < G_N_ELEMENTS(translit_table); i++)
    if (translit_table[i].c == lower)
      return &translit_table[i];
  return NULL;
}

/* Does a letter's spelling differ among the Latin systems (0 and 1) only? Then systems 2 and 3,
 * which differ from 1 only in Cyrillic, need no pass of their own. */
static bool latin_only(const Translit *t) {
  return t->c < 0x0400;
}

/* Letters that Unicode does not decompose into a base letter and a mark, folded the way people
 * write them without the accent (a Pole's "Łukasz" is typed "Lukasz" on an English keyboard). */
static const char *extra_fold(gunichar c) {
  switch (c) {
  case 0x0142: /* ł */ return "l";
  case 0x0111: /* đ */
  case 0x00F0: /* ð */ return "d";
  case 0x00FE: /* þ */ return "th";
  case 0x00E6: /* æ */ return "ae";
  case 0x0153: /* œ */ return "oe";
  case 0x0131: /* dotless ı */ return "i";
  case 0x00DF: /* ß, as case folding writes it */
  case 0x1E9E: return "ss";
  case 0x03C2: /* final ς is σ */ return "\xcf\x83";
  default: return NULL;
  }
}

/* Names longer than this (bytes, folded) or with more words are no one's name in an address
 * book; they are not matched. */
#define NAME_MAX_BYTES 256u
#define NAME_MAX_WORDS 16u
#define KEY_BYTES (NAME_MAX_BYTES + NAME_MAX_WORDS)

/* Han-script, Hangul or Kana names are written without spaces (王小明, 山田太郎, 김민준): the
 * whole name is one key. Fewer than CJK_MIN characters is a surname or a given name alone, more
 * than CJK_MAX no one's name. */
#define CJK_MIN 2u
#define CJK_MAX 6u

/* A name folded and cut into words, without heap allocations for the ASCII names that fill most
 * address books: the words' bytes lie back to back in `text`. */
typedef struct {
  char text[NAME_MAX_BYTES];
  guint16 start[NAME_MAX_WORDS], len[NAME_MAX_WORDS];
  guint n;
  int comma; /* words before the first comma, or -1 */
  bool cjk;  /* every letter Han, Hangul or Kana */
} Words;

/* The keys of a name, in caller buffers: one full key and one initial key per spelling. */
typedef struct {
  guint n;
  char full[TG_PERSON_MAX_FORMS][KEY_BYTES];
  char initial[TG_PERSON_MAX_FORMS][NAME_MAX_BYTES + 8]; /* "" for a name without one (CJK) */
  bool abbreviated;
} Keys;

static bool is_apostrophe(gunichar c) {
  return c == '\'' || c == 0x2019 || c == 0x02BC;
}

static bool is_cjk(gunichar c) {
  GUnicodeScript sc = g_unichar_get_script(c);
  return sc == G_UNICODE_SCRIPT_HAN || sc == G_UNICODE_SCRIPT_HANGUL ||
         sc == G_UNICODE_SCRIPT_HIRAGANA || sc == G_UNICODE_SCRIPT_KATAKANA ||
         c == 0x30FC; /* ー, the Kana length mark (script Common) */
}

/* Appends byte(s) of a word character; `open` says whether a word is in progress. */
static bool words_put(Words *w, size_t *at, bool *open, const char *bytes, size_t n) {
  if (n == 0)
    return true; /* ь: a letter no system writes */
  if (*at + n > NAME_MAX_BYTES)
    return false;
  if (!*open) {
    if (w->n == NAME_MAX_WORDS)
      return false;
    w->start[w->n] = (guint16)*at;
    w->len[w->n] = 0;
    w->n++;
    *open = true;
  }
  memcpy(w->text + *at, bytes, n);
  *at += n;
  w->len[w->n - 1] = (guint16)(w->len[w->n - 1] + n);
  return true;
}

/* ASCII: lower case and cut in one pass. */
static bool words_ascii(const char *s, size_t len, Words *w) {
  size_t at = 0;
  bool open = false;
  for (size_t i = 0; i < len; i++) {
    char ch = s[i];
    if (g_ascii_isalnum(ch)) {
      char lower = g_ascii_tolower(ch);
      if (!words_put(w, &at, &open, &lower, 1))
        return false;
    } else if (ch != '\'') { /* apostrophes join: O'Brien = OBrien */
      open = false;
      if (ch == ',' && w->comma < 0)
        w->comma = (int)w->n;
    }
  }
  return true;
}

static bool is_letter_at(const char *p, const char *end) {
  return p < end && g_unichar_isalpha(g_unichar_tolower(g_utf8_get_char(p)));
}

/* Unicode (NFC: ü typed as u + ¨ is ü), in one transliteration system, one character at a
 * time: the table's spelling, else its compatibility decomposition (NFKD:
 * accents become marks, full-width letters plain ones) with marks dropped, lower case, and
 * extra_fold. `*varies` gets bit 0 when a Latin letter is spelled differently by another system,
 * bit 1 when a Cyrillic one is. */
static bool words_unicode(const char *nfc, size_t len, guint sys, Words *w, guint *varies) {
  size_t at = 0;
  bool open = false;
  const char *end = nfc + len;
  w->cjk = true;
  for (const char *p = nfc; p < end; p = g_utf8_next_char(p)) {
    gunichar c = g_unichar_tolower(g_utf8_get_char(p));
    if (is_apostrophe(c))
      continue;
    const Translit *t = translit_of(c);
    if (t) {
      w->cjk = false;
      const char *m = t->as[sys];
      const char *next = g_utf8_next_char(p);
      gunichar after = next < end ? g_unichar_tolower(g_utf8_get_char(next)) : 0;
      if (c == 0x0438 && (after == 0x0439 || after == 0x044F) &&
          !is_letter_at(g_utf8_next_char(next), end)) {
        m = after == 0x0439 ? final_iy[sys] : final_iya[sys]; /* at the end of a word */
        p = next;
        *varies |= 2u;
      }
      if (strcmp(t->as[0], t->as[1]) != 0 || strcmp(t->as[0], t->as[2]) != 0 ||
          strcmp(t->as[0], t->as[3]) != 0)
        *varies |= latin_only(t) ? 1u : 2u;
      if (!words_put(w, &at, &open, m, strlen(m)))
        return false;
      continue;
    }
    if (is_cjk(c)) {
      /* As written (NFC): decomposing would cut a Hangul syllable into its letters and drop
       * the voicing mark that tells が from か. */
      char one[8];
      if (!words_put(w, &at, &open, one, (size_t)g_unichar_to_utf8(c, one)))
        return false;
      continue;
    }
    gunichar parts[G_UNICHAR_MAX_DECOMPOSITION_LENGTH];
    gsize n = g_unichar_fully_decompose(c, TRUE, parts, G_N_ELEMENTS(parts));
    for (gsize k = 0; k < n; k++) {
      gunichar d = parts[k];
      if (g_unichar_ismark(d))
        continue;
      d = g_unichar_tolower(d);
      const char *m = extra_fold(d);
      char one[8];
      size_t one_len = 0;
      if (!m && g_unichar_isalnum(d)) {
        one_len = (size_t)g_unichar_to_utf8(d, one);
        m = one;
      } else if (m) {
        one_len = strlen(m);
      }
      if (m) {
        w->cjk = false;
        if (!words_put(w, &at, &open, m, one_len))
          return false;
      } else {
        open = false;
        if (d == ',' && w->comma < 0)
          w->comma = (int)w->n;
      }
    }
  }
  return true;
}

/* The spellings of a name, one Words per system that spells it differently (at least one);
 * how many in *n. */
static bool words_of(const char *s, size_t len, Words w[N_SYSTEMS], guint *n) {
  w[0].n = 0;
  w[0].comma = -1;
  w[0].cjk = false;
  *n = 1;
  bool ascii = true;
  for (size_t i = 0; i < len && ascii; i++)
    ascii = (unsigned char)s[i] < 0x80;
  if (ascii)
    return words_ascii(s, len, &w[0]);
  if (!g_utf8_validate(s, (gssize)len, NULL))
    return false;
  /* NFC only when a combining mark (U+0300–U+036F, lead bytes CC and CD) may need composing:
   * names typed on a keyboard come precomposed, and normalising costs an allocation. */
  g_autofree char *nfc = NULL;
  const char *text = s;
  size_t nlen = len;
  if (memchr(s, 0xCC, len) || memchr(s, 0xCD, len)) {
    nfc = g_utf8_normalize(s, (gssize)len, G_NORMALIZE_NFC);
    if (!nfc)
      return false;
    text = nfc;
    nlen = strlen(nfc);
  }
  guint varies = 0;
  if (!words_unicode(text, nlen, 0, &w[0], &varies))
    return false;
  if (!varies)
    return true;
  for (guint sys = 1; sys < ((varies & 2u) ? N_SYSTEMS : 2u); sys++) {
    w[*n].n = 0;
    w[*n].comma = -1;
    guint ignored = 0;
    /* A spelling that does not cut into the same words (it cannot, but a bound is cheap) or
     * overflows is left out: the others still match. */
    if (words_unicode(text, nlen, sys, &w[*n], &ignored) && w[*n].n == w[0].n &&
        w[*n].comma == w[0].comma)
      (*n)++;
  }
  return true;
}

static size_t word_chars(const Words *w, guint i) {
  const char *p = w->text + w->start[i];
  size_t n = 0;
  for (guint16 k = 0; k < w->len[i]; k++)
    n += ((unsigned char)p[k] & 0xC0) != 0x80; /* count UTF-8 lead bytes */
  return n;
}

/* The fewest characters word `i` has in any spelling (an initial stays an initial). */
static size_t word_chars_min(const Words *w, guint nw, guint i) {
  size_t m = word_chars(&w[0], i);
  for (guint v = 1; v < nw; v++)
    m = MIN(m, word_chars(&w[v], i));
  return m;
}

static bool word_eq(const Words *a, const Words *b, guint i) {
  return a->len[i] == b->len[i] &&
         memcmp(a->text + a->start[i], b->text + b->start[i], a->len[i]) == 0;
}

/* Department and office names in Han or Hangul look like a name without spaces (総務課, 营业部,
 * 고객센터) but name a mailbox, not a person: their last characters say so. */
static bool cjk_role(const Words *w) {
  static const char *const suffixes[] = {"部", "課", "课", "科",   "室",   "局",   "係",   "组",
                                         "組", "处", "處", "中心", "公司", "会社", "센터", "팀"};
  const Words *x = w;
  guint last = x->n - 1;
  const char *wend = x->text + x->start[last] + x->len[last];
  for (size_t i = 0; i < G_N_ELEMENTS(suffixes); i++) {
    size_t sl = strlen(suffixes[i]);
    if (x->len[last] >= sl && memcmp(wend - sl, suffixes[i], sl) == 0)
      return true;
  }
  return false;
}

/* A name written without spaces: its words (if a space was typed anyway) run together. */
static bool keys_of_cjk(const Words *w, Keys *k) {
  size_t chars = 0, at = 0;
  for (guint i = 0; i < w->n; i++) {
    chars += word_chars(w, i);
    memcpy(k->full[0] + at, w->text + w->start[i], w->len[i]);
    at += w->len[i];
  }
  if (chars < CJK_MIN || chars > CJK_MAX || cjk_role(w))
    return false;
  k->full[0][at] = '\0';
  k->initial[0][0] = '\0';
  k->abbreviated = false;
  k->n = 1;
  return true;
}

/* Adds one spelling's keys (the words of `w`, word x taken from w[pick[x]]) unless already
 * there. */
static void keys_add(const Words *w, const guint *pick, const guint *order, guint n, guint nw,
                     Keys *k) {
  g_assert(k->n < TG_PERSON_MAX_FORMS);
  char *full = k->full[k->n], *initial = k->initial[k->n];
  size_t at = 0;
  for (guint i = 0; i < n; i++) {
    guint x = order[i];
    /* Middle initials say too little: John Q. Smith is John Smith. */
    if (i > 0 && i + 1 < n && !k->abbreviated && word_chars_min(w, nw, x) == 1)
      continue;
    const Words *v = &w[pick[x]];
    if (at)
      full[at++] = ' ';
    memcpy(full + at, v->text + v->start[x], v->len[x]);
    at += v->len[x];
  }
  full[at] = '\0';
  const Words *fw = &w[pick[order[0]]], *lw = &w[pick[order[n - 1]]];
  const char *f = fw->text + fw->start[order[0]];
  size_t lead = (size_t)(g_utf8_next_char(f) - f);
  guint last = order[n - 1];
  memcpy(initial, f, lead);
  initial[lead] = ' ';
  memcpy(initial + lead + 1, lw->text + lw->start[last], lw->len[last]);
  initial[lead + 1 + lw->len[last]] = '\0';
  for (guint j = 0; j < k->n; j++)
    if (strcmp(k->full[j], full) == 0 && strcmp(k->initial[j], initial) == 0)
      return;
  k->n++;
}

/* The keys of a name's spellings; false when they do not name a person (fewer than two words, a
 * one-letter surname; a name without spaces of too few or too many characters). */
static bool keys_of(const Words *w, guint nw, Keys *k) {
  k->n = 0;
  if (w[0].cjk && w[0].n > 0)
    return keys_of_cjk(&w[0], k);
  guint n = w[0].n;
  if (n < 2)
    return false;
  /* "Smith, John" -> john smith: the words after the first comma come first. */
  guint order[NAME_MAX_WORDS];
  guint split = w[0].comma > 0 && (guint)w[0].comma < n ? (guint)w[0].comma : 0, m = 0;
  for (guint i = split; i < n; i++)
    order[m++] = i;
  for (guint i = 0; i < split; i++)
    order[m++] = i;
  if (word_chars_min(w, nw, order[n - 1]) < 2)
    return false;
  k->abbreviated = true;
  for (guint i = 0; i + 1 < n; i++)
    if (word_chars_min(w, nw, order[i]) > 1)
      k->abbreviated = false;
  /* Per word, the spellings that differ; every combination when there are few enough (Jörg
   * Mueller and Joerg Müller are the same name), else each system's whole spelling. */
  guint choices[NAME_MAX_WORDS][N_SYSTEMS], nchoice[NAME_MAX_WORDS];
  guint combos = 1;
  for (guint x = 0; x < n; x++) {
    nchoice[x] = 0;
    for (guint v = 0; v < nw; v++) {
      bool dup = false;
      for (guint j = 0; j < nchoice[x] && !dup; j++)
        dup = word_eq(&w[choices[x][j]], &w[v], x);
      if (!dup)
        choices[x][nchoice[x]++] = v;
    }
    combos = MIN(combos * nchoice[x], TG_PERSON_MAX_FORMS + 1u);
  }
  guint pick[NAME_MAX_WORDS];
  if (combos <= TG_PERSON_MAX_FORMS) {
    guint digit[NAME_MAX_WORDS] = {0};
    for (guint c = 0; c < combos; c++) {
      for (guint x = 0; x < n; x++)
        pick[x] = choices[x][digit[x]];
      keys_add(w, pick, order, n, nw, k);
      for (guint x = 0; x < n; x++) { /* the next combination, mixed radix */
        if (++digit[x] < nchoice[x])
          break;
        digit[x] = 0;
      }
    }
  } else {
    for (guint v = 0; v < nw; v++) {
      for (guint x = 0; x < n; x++)
        pick[x] = v;
      keys_add(w, pick, order, n, nw, k);
    }
  }
  return k->n > 0;
}

static bool name_keys(const char *display, Keys *k) {
  if (!display || !*display || strchr(display, '@'))
    return false; /* a name that is an address names nobody */
  size_t len = strnlen(display, NAME_MAX_BYTES * 2 + 1);
  if (len > NAME_MAX_BYTES * 2)
    return false;
  Words w[N_SYSTEMS];
  guint nw;
  return words_of(display, len, w, &nw) && keys_of(w, nw, k);
}

/* The words a local part spells: letters between . _ or -, at least two words. */
static bool local_keys(const char *local, Keys *k) {
  if (!local)
    return false;
  size_t len = strcspn(local, "+@");
  if (len == 0 || len > NAME_MAX_BYTES)
    return false;
  char text[NAME_MAX_BYTES + 1];
  for (size_t i = 0; i < len; i++) {
    char ch = local[i];
    if (ch == '.' || ch == '_' || ch == '-')
      ch = ' ';
    else if (!g_ascii_isalpha(ch) && (unsigned char)ch < 0x80)
      return false; /* digits or symbols: jsmith84, ops#2 — not a name */
    text[i] = ch;
  }
  Words w[N_SYSTEMS];
  guint nw;
  return words_of(text, len, w, &nw) && keys_of(w, nw, k);
}

void tg_person_name_clear(TgPersonName *n) {
  if (!n)
    return;
  for (guint i = 0; i < TG_PERSON_MAX_FORMS; i++) {
    g_clear_pointer(&n->full[i], g_free);
    g_clear_pointer(&n->initial[i], g_free);
  }
  n->n = 0;
  n->abbreviated = false;
}

static bool name_out(bool ok, const Keys *k, TgPersonName *out) {
  memset(out, 0, sizeof *out);
  if (!ok)
    return false;
  out->n = k->n;
  for (guint i = 0; i < k->n; i++) {
    out->full[i] = g_strdup(k->full[i]);
    out->initial[i] = g_strdup(k->initial[i]);
  }
  out->abbreviated = k->abbreviated;
  return true;
}

bool tg_person_name_parse(const char *display, TgPersonName *out) {
  Keys k;
  return name_out(name_keys(display, &k), &k, out);
}

bool tg_person_name_from_local(const char *local, TgPersonName *out) {
  Keys k;
  return name_out(local_keys(local, &k), &k, out);
}

/* The local key into `buf` (NUL-terminated); its length, or 0 when too short or too long. */
static size_t local_key_into(const char *local, char *buf, size_t cap) {
  size_t len = strcspn(local, "+@");
  if (len >= cap)
    return 0;
  size_t at = 0;
  for (size_t i = 0; i < len; i++) {
    unsigned char ch = (unsigned char)local[i];
    if (ch >= 0x80) { /* rare: a UTF-8 local part, lowered the slow way */
      g_autofree char *lower = g_utf8_strdown(local, (gssize)len);
      size_t n = strlen(lower);
      at = 0;
      for (size_t j = 0; j < n && at + 1 < cap; j++)
        if (lower[j] != '.' && lower[j] != '_' && lower[j] != '-')
          buf[at++] = lower[j];
      break;
    }
    if (ch != '.' && ch != '_' && ch != '-')
      buf[at++] = g_ascii_tolower((char)ch);
  }
  buf[at] = '\0';
  return at >= TG_PEOPLE_MIN_LOCAL ? at : 0;
}

char *tg_people_local_key(const char *local) {
  if (!local)
    return NULL;
  char buf[NAME_MAX_BYTES];
  return local_key_into(local, buf, sizeof buf) ? g_strdup(buf) : NULL;
}

/* ---- the index ------------------------------------------------------------------------------ */

/* The index holds only 64-bit hashes of the keys, never the keys: a contact's keys are
 * recomputed from its borrowed display name or address when a lookup meets it, so a large book
 * costs no allocation per contact beyond the tables. At freeze time each table's (hash, record)
 * entries are sorted, so that the contacts sharing a key lie in one run, and each distinct hash
 * gets one slot in an open-addressing table pointing at its run. A key shared by the whole book
 * (100,000 contacts all named John Smith) is then one slot and one run: building stays
 * O(n log n), and a lookup costs the run it answers, never a probe through a cluster of equal
 * hashes. A run longer than TG_PEOPLE_MAX_NAMESAKES is not opened at all (see people.h). */
typedef struct {
  guint id;
  const char *display; /* borrowed */
  const char *address; /* borrowed */
  bool abbreviated;
} Record;

typedef struct {
  guint64 hash;
  guint32 record;
} Entry;

typedef struct {
  guint64 hash;
  guint32 start; /* first entry of the run */
  guint32 len;   /* entries in the run; 0 is an empty slot */
} Run;

typedef struct {
  GArray *pending; /* Entry, until freeze */
  Entry *entries;  /* sorted by hash, then record, without duplicates */
  Run *runs;
  guint32 mask;
} Table;

struct TgPeople {
  GArray *records;    /* Record */
  Table full;         /* contacts whose given names are written out, by full name */
  Table initial;      /* every named contact, by initial + surname */
  Table initial_abbr; /* contacts whose given names are all initials, by initial + surname */
  Table local;        /* every person, by local key */
  bool frozen;
};

TgPeople *tg_people_new(guint expected) {
  TgPeople *p = g_new0(TgPeople, 1);
  p->records = g_array_sized_new(FALSE, FALSE, sizeof(Record), expected);
  Table *all[] = {&p->full, &p->initial, &p->initial_abbr, &p->local};
  for (size_t i = 0; i < G_N_ELEMENTS(all); i++)
    all[i]->pending = g_array_sized_new(FALSE, FALSE, sizeof(Entry), i == 2 ? 0 : expected);
  return p;
}

void tg_people_free(TgPeople *p) {
  if (!p)
    return;
  g_array_unref(p->records);
  Table *all[] = {&p->full, &p->initial, &p->initial_abbr, &p->local};
  for (size_t i = 0; i < G_N_ELEMENTS(all); i++) {
    if (all[i]->pending)
      g_array_unref(all[i]->pending);
    g_free(all[i]->entries);
    g_free(all[i]->runs);
  }
  g_free(p);
}

/* FNV-1a with a 64-bit finaliser (MurmurHash3's fmix64): every bit of the key reaches the low
 * bits that pick a slot. 64 bits make two different keys in one run a practical impossibility
 * for real names; a crafted collision can only make a run look longer than it is. */
static guint64 key_hash(const char *s) {
  guint64 h = 0xcbf29ce484222325ull;
  for (; *s; s++) {
    h ^= (unsigned char)*s;
    h *= 0x100000001b3ull;
  }
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ull;
  h ^= h >> 33;
  return h;
}

static void push(Table *t, const char *key, guint record) {
  Entry e = {.hash = key_hash(key), .record = record};
  g_array_append_val(t->pending, e);
}

static int entry_order(const void *pa, const void *pb) {
  const Entry *a = pa, *b = pb;
  if (a->hash != b->hash)
    return a->hash < b->hash ? -1 : 1;
  return (a->record > b->record) - (a->record < b->record);
}

static void table_freeze(Table *t) {
  guint n = t->pending->len;
  t->entries = (Entry *)(void *)g_array_free(t->pending, FALSE);
  t->pending = NULL;
  if (n > 1)
    qsort(t->entries, n, sizeof(Entry), entry_order);
  /* One entry per (key, contact): two spellings of a name can share a key. */
  guint kept = 0, runs = 0;
  for (guint i = 0; i < n; i++) {
    if (kept && t->entries[kept - 1].hash == t->entries[i].hash &&
        t->entries[kept - 1].record == t->entries[i].record)
      continue;
    runs += !kept || t->entries[kept - 1].hash != t->entries[i].hash;
    t->entries[kept++] = t->entries[i];
  }
  guint32 size = 8;
  while (size < 2 * runs)
    size *= 2;
  t->mask = size - 1;
  t->runs = g_new0(Run, size);
  for (guint i = 0; i < kept;) {
    guint j = i + 1;
    while (j < kept && t->entries[j].hash == t->entries[i].hash)
      j++;
    guint32 at = (guint32)t->entries[i].hash & t->mask;
    while (t->runs[at].len) /* distinct hashes: no cluster beyond chance */
      at = (at + 1) & t->mask;
    t->runs[at] = (Run){.hash = t->entries[i].hash, .start = i, .len = j - i};
    i = j;
  }
}

void tg_people_add(TgPeople *p, guint id, const char *display, const char *address) {
  g_return_if_fail(p != NULL && !p->frozen);
  g_return_if_fail(p->records->len < G_MAXUINT32 - 1);
  guint record = p->records->len;
  Record r = {.id = id, .display = display, .address = address};
  Keys k;
  bool person = false;
  if (name_keys(display, &k)) {
    for (guint i = 0; i < k.n; i++) {
      if (!k.abbreviated)
        push(&p->full, k.full[i], record);
      if (k.initial[i][0]) {
        push(&p->initial, k.initial[i], record);
        if (k.abbreviated)
          push(&p->initial_abbr, k.initial[i], record);
      }
    }
    r.abbreviated = k.abbreviated;
    person = true;
  } else if (address && local_keys(address, &k)) {
    person = true;
  }
  /* Only a person's local part says who someone is: support@ or info@ at two places are two
   * mailboxes, not one person's work and home addresses. */
  char lk[NAME_MAX_BYTES];
  if (person && address && local_key_into(address, lk, sizeof lk))
    push(&p->local, lk, record);
  g_array_append_val(p->records, r);
}

void tg_people_freeze(TgPeople *p) {
  g_return_if_fail(p != NULL && !p->frozen);
  table_freeze(&p->full);
  table_freeze(&p->initial);
  table_freeze(&p->initial_abbr);
  table_freeze(&p->local);
  p->frozen = true;
}

/* The run of contacts whose key hashes like `key` (NULL when none); *crowded when it is longer
 * than TG_PEOPLE_MAX_NAMESAKES. */
static const Run *run_of(const Table *t, const char *key, bool *crowded) {
  guint64 h = key_hash(key);
  for (guint32 at = (guint32)h & t->mask; t->runs[at].len; at = (at + 1) & t->mask)
    if (t->runs[at].hash == h) {
      *crowded |= t->runs[at].len > TG_PEOPLE_MAX_NAMESAKES;
      return &t->runs[at];
    }
  return NULL;
}

/* Appends to `cand` the records of the runs of `keys` (n of them, "" skipped); false when one
 * of them is crowded. */
static bool gather(const Table *t, char *const *keys, guint n, GArray *cand) {
  bool crowded = false;
  for (guint i = 0; i < n; i++) {
    if (!keys[i][0])
      continue;
    const Run *run = run_of(t, keys[i], &crowded);
    if (crowded)
      return false;
    for (guint32 e = 0; run && e < run->len; e++)
      g_array_append_val(cand, t->entries[run->start + e].record);
  }
  return true;
}

static int uint_order(const void *pa, const void *pb) {
  guint a = *(const guint *)pa, b = *(const guint *)pb;
  return a < b ? -1 : a > b;
}

/* Sorts ids[from..] and drops duplicates there. */
static void sort_unique(GArray *ids, guint from) {
  guint n = ids->len - from;
  if (n < 2)
    return;
  guint *v = &g_array_index(ids, guint, from);
  qsort(v, n, sizeof *v, uint_order);
  guint w = 1;
  for (guint r = 1; r < n; r++)
    if (v[r] != v[w - 1])
      v[w++] = v[r];
  g_array_set_size(ids, from + w);
}

static bool any_equal(char *const *a, guint na, char (*b)[NAME_MAX_BYTES + 8], guint nb) {
  for (guint i = 0; i < na; i++)
    for (guint j = 0; j < nb; j++)
      if (a[i][0] && strcmp(a[i], b[j]) == 0)
        return true;
  return false;
}

static bool any_equal_full(char *const *a, guint na, char (*b)[KEY_BYTES], guint nb) {
  for (guint i = 0; i < na; i++)
    for (guint j = 0; j < nb; j++)
      if (strcmp(a[i], b[j]) == 0)
        return true;
  return false;
}

/* Confirms the candidates (records, sorted and unique) against the name's keys, each contact's
 * keys computed once; a run of contacts saved under one display text computes them once. */
static void confirm_names(const TgPeople *p, const GArray *cand, const TgPersonName *name,
                          bool by_full, GArray *ids) {
  const char *last = NULL;
  bool last_ok = false, last_named = false;
  Keys k;
  for (guint c = 0; c < cand->len; c++) {
    const Record *r = &g_array_index(p->records, Record, g_array_index(cand, guint, c));
    if (!last || !r->display || strcmp(last, r->display) != 0) {
      last = r->display;
      last_named = name_keys(r->display, &k);
      last_ok = false;
      if (last_named && by_full)
        last_ok = any_equal_full(name->full, name->n, k.full, k.n);
      else if (last_named)
        last_ok = any_equal(name->initial, name->n, k.initial, k.n);
    }
    if (last_ok)
      g_array_append_val(ids, r->id);
  }
}

bool tg_people_lookup_name(const TgPeople *p, const TgPersonName *name, GArray *ids) {
  g_return_val_if_fail(p != NULL && p->frozen && name != NULL && name->n > 0, true);
  guint from = ids->len, n = MIN(name->n, TG_PERSON_MAX_FORMS);
  g_autoptr(GArray) cand = g_array_new(FALSE, FALSE, sizeof(guint));
  bool ok = true;
  if (name->abbreviated) {
    /* "J. Smith" is John Smith, Jane Smith and J. Smith alike: the caller decides on a tie. */
    ok = gather(&p->initial, name->initial, n, cand);
    sort_unique(cand, 0);
    if (ok)
      confirm_names(p, cand, name, false, ids);
  } else {
    ok = gather(&p->full, name->full, n, cand);
    sort_unique(cand, 0);
    if (ok)
      confirm_names(p, cand, name, true, ids);
    g_array_set_size(cand, 0);
    ok = ok && gather(&p->initial_abbr, name->initial, n, cand); /* saved as "J. Smith" */
    sort_unique(cand, 0);
    if (ok)
      confirm_names(p, cand, name, false, ids);
  }
  sort_unique(ids, from);
  if (!ok || ids->len - from > TG_PEOPLE_MAX_NAMESAKES) {
    g_array_set_size(ids, from);
    return false;
  }
  return true;
}

bool tg_people_lookup_local(const TgPeople *p, const char *local_key, GArray *ids) {
  g_return_val_if_fail(p != NULL && p->frozen, true);
  if (!local_key)
    return true;
  guint from = ids->len;
  bool crowded = false;
  const Run *run = run_of(&p->local, local_key, &crowded);
  if (crowded)
    return false;
  for (guint32 e = 0; run && e < run->len; e++) {
    const Record *r = &g_array_index(p->records, Record, p->local.entries[run->start + e].record);
    char lk[NAME_MAX_BYTES];
    if (local_key_into(r->address, lk, sizeof lk) && strcmp(lk, local_key) == 0)
      g_array_append_val(ids, r->id);
  }
  sort_unique(ids, from);
  return true;
}
