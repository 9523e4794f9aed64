/* lookalike.c — ICU uspoof behind a lazy, once-only open. Guarantees: no ICU call happens until a
 * caller inspects a domain; every ICU buffer is bounded; a failing ICU degrades to "no lookalike
 * found" rather than an error (the other rules still run).
 *
 * ICU is not even linked: its libraries (with libstdc++ and 30 MB of data) are loaded with dlopen
 * the first time a non-ASCII domain needs them. Merely linking them costs a host start more than
 * everything else it does for an ASCII-only check (notes/performance.md; README, "Numbers"). */
#include "lookalike.h"

#include <dlfcn.h>
#include <string.h>
#include <unicode/uchar.h>
#include <unicode/uscript.h>
#include <unicode/uspoof.h>
#include <unicode/uversion.h>

#include "domain.h"
#include "typoguard.h"

/* ICU renames its entry points per version (uspoof_open -> uspoof_open_72): the headers' macros
 * give the exact names to look up. */
#define ICU_SYM(name) G_STRINGIFY(name)
#define ICU_LIB "libicui18n.so." G_STRINGIFY(U_ICU_VERSION_MAJOR_NUM)

typedef struct {
  USpoofChecker *(*spoof_open)(UErrorCode *);
  void (*spoof_close)(USpoofChecker *);
  void (*spoof_set_checks)(USpoofChecker *, int32_t, UErrorCode *);
  void (*spoof_set_restriction_level)(USpoofChecker *, URestrictionLevel);
  int32_t (*spoof_skeleton_utf8)(const USpoofChecker *, uint32_t, const char *, int32_t, char *,
                                 int32_t, UErrorCode *);
  int32_t (*spoof_check2_utf8)(const USpoofChecker *, const char *, int32_t, USpoofCheckResult *,
                               UErrorCode *);
  UScriptCode (*script_get_script)(UChar32, UErrorCode *);
  const char *(*script_get_name)(UScriptCode);
  void (*get_version)(UVersionInfo);
  void (*version_to_string)(const UVersionInfo, char *);
  int32_t (*char_name)(UChar32, UCharNameChoice, char *, int32_t, UErrorCode *);
} IcuApi;

/* Loads ICU into `api`; false (and a zeroed api) when the library or a symbol is missing. The
 * handle is never closed: ICU keeps global caches that must outlive every checker. */
static bool icu_load(IcuApi *api) {
  memset(api, 0, sizeof *api);
  void *h = dlopen(ICU_LIB, RTLD_NOW | RTLD_LOCAL);
  if (!h)
    return false;
  struct {
    void **slot;
    const char *name;
  } syms[] = {
      {(void **)&api->spoof_open, ICU_SYM(uspoof_open)},
      {(void **)&api->spoof_close, ICU_SYM(uspoof_close)},
      {(void **)&api->spoof_set_checks, ICU_SYM(uspoof_setChecks)},
      {(void **)&api->spoof_set_restriction_level, ICU_SYM(uspoof_setRestrictionLevel)},
      {(void **)&api->spoof_skeleton_utf8, ICU_SYM(uspoof_getSkeletonUTF8)},
      {(void **)&api->spoof_check2_utf8, ICU_SYM(uspoof_check2UTF8)},
      {(void **)&api->script_get_script, ICU_SYM(uscript_getScript)},
      {(void **)&api->script_get_name, ICU_SYM(uscript_getName)},
      {(void **)&api->get_version, ICU_SYM(u_getVersion)},
      {(void **)&api->version_to_string, ICU_SYM(u_versionToString)},
      {(void **)&api->char_name, ICU_SYM(u_charName)},
  };
  for (size_t i = 0; i < G_N_ELEMENTS(syms); i++) {
    /* dlsym returns an object pointer; POSIX guarantees it converts to a function pointer. */
    *syms[i].slot = dlsym(h, syms[i].name);
    if (!*syms[i].slot) {
      memset(api, 0, sizeof *api);
      return false;
    }
  }
  return true;
}

bool tg_lookalike_icu_version(char *buf, size_t size) {
  IcuApi api;
  if (size < U_MAX_VERSION_STRING_LENGTH || !icu_load(&api))
    return false;
  UVersionInfo v;
  api.get_version(v);
  api.version_to_string(v, buf);
  return true;
}

struct TgLookalike {
  gsize once;           /* g_once_init_* guard; 1 = open attempted */
  IcuApi icu;           /* filled by the open */
  USpoofChecker *spoof; /* NULL when ICU failed to load or open */
};

TgLookalike *tg_lookalike_new(void) {
  return g_new0(TgLookalike, 1);
}

void tg_lookalike_free(TgLookalike *lk) {
  if (!lk)
    return;
  if (lk->spoof)
    lk->icu.spoof_close(lk->spoof);
  g_free(lk);
}

bool tg_lookalike_is_open(const TgLookalike *lk) {
  return lk && lk->spoof;
}

static USpoofChecker *checker(TgLookalike *lk) {
  if (g_once_init_enter(&lk->once)) {
    UErrorCode st = U_ZERO_ERROR;
    USpoofChecker *sc = NULL;
    if (icu_load(&lk->icu)) {
      sc = lk->icu.spoof_open(&st);
      if (U_SUCCESS(st)) {
        lk->icu.spoof_set_checks(sc, USPOOF_CONFUSABLE | USPOOF_RESTRICTION_LEVEL, &st);
        lk->icu.spoof_set_restriction_level(sc, USPOOF_HIGHLY_RESTRICTIVE);
      }
      if (U_FAILURE(st)) {
        if (sc)
          lk->icu.spoof_close(sc);
        sc = NULL;
      }
    }
    lk->spoof = sc;
    g_once_init_leave(&lk->once, 1);
  }
  return lk->spoof;
}

/* Skeleton of a UTF-8 string into a GLib string, or NULL. Bounded by the domain limits. */
static char *skeleton(const TgLookalike *lk, const char *s, int32_t len) {
  char buf[4 * TG_MAX_DOMAIN_BYTES + 16];
  UErrorCode st = U_ZERO_ERROR;
  int32_t n = lk->icu.spoof_skeleton_utf8(lk->spoof, 0, s, len, buf, (int32_t)sizeof buf, &st);
  if (U_FAILURE(st) || n < 0 || (size_t)n >= sizeof buf)
    return NULL;
  return g_strndup(buf, (gsize)n);
}

static bool is_ascii(const char *s) {
  for (; *s; s++)
    if ((unsigned char)*s >= 0x80)
      return false;
  return true;
}

/* ---- readings: which domain a name reads as --------------------------------------------------
 *
 * The table of glyphs that neither ICU's skeleton nor the Unicode decomposition reads as the
 * letter a person sees. One row: the glyph as typed, what it reads as. A glyph may have several
 * rows (several readings). Reasons and sources: host/data/SOURCES.md ("lookalike glyphs").
 * Rows whose glyph is ASCII are the ASCII pass: they are the only rows an all-ASCII domain uses,
 * so an ASCII check never needs ICU. */
static const struct {
  const char *glyph;
  const char *reads_as;
} glyph_table[] = {
    /* ASCII sequences read as one letter (and m as rn: comell for cornell). Only the direction
     * a lookalike uses: a letter typed for a digit (l63.com) is left to the typo model, which
     * keeps the ASCII pass to the few places in a name where it can matter. */
    {"rn", "m"},
    {"m", "rn"},
    {"rr", "m"},
    {"nn", "m"},
    {"vv", "w"},
    {"cl", "d"},
    /* Digits and letters that share a shape in most fonts; i and l both ways. */
    {"1", "l"},
    {"1", "i"},
    {"l", "i"},
    {"i", "l"},
    {"0", "o"},
    {"5", "s"},
    /* Latin letters with a stroke, hook or missing dot: no Unicode decomposition. */
    {"ı", "i"},
    {"ɩ", "i"},
    {"ɨ", "i"},
    {"ł", "l"},
    {"ƚ", "l"},
    {"ɫ", "l"},
    {"ŀ", "l"},
    {"ø", "o"},
    {"ɵ", "o"},
    {"đ", "d"},
    {"ð", "d"},
    {"ɗ", "d"},
    {"ɖ", "d"},
    {"ħ", "h"},
    {"ɦ", "h"},
    {"ŧ", "t"},
    {"ƫ", "t"},
    {"ƭ", "t"},
    {"ƀ", "b"},
    {"ɓ", "b"},
    {"ƅ", "b"},
    {"ȷ", "j"},
    {"ɉ", "j"},
    {"ʝ", "j"},
    {"ɍ", "r"},
    {"ɽ", "r"},
    {"ɼ", "r"},
    {"ɇ", "e"},
    {"ƶ", "z"},
    {"ʐ", "z"},
    {"ȥ", "z"},
    {"ⱬ", "z"},
    {"ǥ", "g"},
    {"ɠ", "g"},
    {"ɡ", "g"},
    {"ƈ", "c"},
    {"ȼ", "c"},
    {"ƒ", "f"},
    {"ƙ", "k"},
    {"ⱪ", "k"},
    {"ɱ", "m"},
    {"ɲ", "n"},
    {"ŋ", "n"},
    {"ƞ", "n"},
    {"ꞑ", "n"},
    {"ƥ", "p"},
    {"ƿ", "p"},
    {"ʠ", "q"},
    {"ʂ", "s"},
    {"ȿ", "s"},
    {"ʉ", "u"},
    {"ⱱ", "v"},
    {"ⱴ", "v"},
    {"ᶌ", "v"},
    {"ⱳ", "w"},
    {"ƴ", "y"},
    {"ɏ", "y"},
    {"ß", "ss"},
    {"ɑ", "a"},
    {"ə", "e"},
    /* Small capitals read as the lower-case letter. */
    {"ʙ", "b"},
    {"ᴄ", "c"},
    {"ɢ", "g"},
    {"ʜ", "h"},
    {"ɪ", "i"},
    {"ᴋ", "k"},
    {"ʟ", "l"},
    {"ᴍ", "m"},
    {"ɴ", "n"},
    {"ᴏ", "o"},
    {"ʀ", "r"},
    {"ᴛ", "t"},
    {"ᴜ", "u"},
    {"ᴡ", "w"},
    {"ʏ", "y"},
    {"ᴢ", "z"},
    {"ᴤ", "s"},
    /* Cyrillic: second readings beside ICU's skeleton (palochka is an l to the eye, ICU says i),
     * and lower-case letters shaped like a Latin small capital. */
    {"ӏ", "l"},
    {"ӏ", "i"},
    {"і", "l"},
    {"ԁ", "d"},
    {"һ", "h"},
    {"ѕ", "s"},
    {"ј", "j"},
    {"ԛ", "q"},
    {"ԝ", "w"},
    {"к", "k"},
    {"т", "t"},
    {"п", "n"},
    {"г", "r"},
    {"ь", "b"},
    {"в", "b"},
    {"н", "h"},
    {"м", "m"},
    {"и", "u"},
    {"ш", "w"},
    {"ц", "u"},
    /* Greek: the same. */
    {"ι", "i"},
    {"ι", "l"},
    {"ν", "v"},
    {"ο", "o"},
    {"ρ", "p"},
    {"τ", "t"},
    {"κ", "k"},
    {"η", "n"},
    {"υ", "u"},
    {"ω", "w"},
    {"α", "a"},
    {"ε", "e"},
    {"ϲ", "c"},
    {"χ", "x"},
    {"γ", "y"},
    {"β", "b"},
    {"μ", "u"},
    /* Armenian letters that ICU does not map to the Latin one they are read as. */
    {"օ", "o"},
    {"ո", "n"},
    {"ս", "u"},
    {"հ", "h"},
    {"ց", "g"},
};

const char *tg_glyph_kind_name(TgGlyphKind k) {
  static const char *const names[] = {"none", "ascii", "mark", "letter", "script"};
  return (unsigned)k < G_N_ELEMENTS(names) ? names[k] : "none";
}

/* One way to read the text at a position. */
typedef struct {
  const char *text; /* what it reads as (static or in the search's chunk) */
  guint16 len;      /* bytes of the typed text it stands for */
  guint8 cost;      /* 0: the text itself or the first reading, 1: a second choice */
  guint8 kind;      /* TgGlyphKind; NONE for an ASCII letter kept as typed */
  guint16 tlen;     /* strlen(text) */
} Option;

#define MAX_OPTIONS_PER_GLYPH 8u
/* A search visits at most 64 nodes per reading it may judge (see search()). */

typedef struct {
  const char *src;
  size_t len;
  guint *first, *count; /* per byte offset: its options in `opts` */
  GArray *opts;
  GStringChunk *chunk;
  bool needs_idna; /* some glyph has no ASCII reading: readings go through IDNA */
  bool src_ldh;    /* `src` is letters, digits, hyphens and dots: so is every reading (the
                         * ASCII rows of glyph_table read as letters) */
  char *buf;       /* the reading being built: at most 8 bytes per typed byte */
  size_t buf_len;
  const Option **path; /* the options chosen so far, one per position passed (len + 1) */
  size_t *path_at;
  size_t depth;
  guint budget, min_cost, readings, steps, max_readings;
  TgLookalikeJudge judge;
  void *data;
  const char *typed_ascii;
  /* the best so far */
  int best_rank;
  guint best_cost;
  char *best;
  const Option *best_glyph;
  size_t best_glyph_at;
} Search;

static void add_option(Search *s, size_t at, const char *text, size_t len, TgGlyphKind kind) {
  if (s->count[at] >= MAX_OPTIONS_PER_GLYPH)
    return;
  for (guint i = 0; i < s->count[at]; i++) {
    const Option *o = &g_array_index(s->opts, Option, s->first[at] + i);
    if (o->len == len && strcmp(o->text, text) == 0)
      return; /* the same reading twice */
  }
  Option o = {.text = text,
              .len = (guint16)len,
              .cost = s->count[at] ? 1 : 0,
              .kind = (guint8)kind,
              .tlen = (guint16)strlen(text)};
  /* Options of one position are contiguous: positions are filled in order. */
  if (s->count[at] == 0)
    s->first[at] = s->opts->len;
  g_array_append_val(s->opts, o);
  s->count[at]++;
}

/* The ASCII reading of a string (a skeleton, a decomposition): lower case, marks dropped; NULL
 * when something else is left. */
static char *ascii_reading(const char *s, GStringChunk *chunk) {
  char out[16];
  size_t n = 0;
  for (const char *p = s; *p; p = g_utf8_next_char(p)) {
    gunichar c = g_utf8_get_char(p);
    if (g_unichar_ismark(c))
      continue;
    if (c >= 0x80 || n + 1 >= sizeof out || !(g_ascii_isalnum((char)c) || c == '-'))
      return NULL;
    out[n++] = g_ascii_tolower((char)c);
  }
  out[n] = '\0';
  return n ? g_string_chunk_insert_const(chunk, out) : NULL;
}

static TgGlyphKind glyph_kind(gunichar c) {
  GUnicodeScript sc = g_unichar_get_script(c);
  if (sc != G_UNICODE_SCRIPT_LATIN && sc != G_UNICODE_SCRIPT_COMMON &&
      sc != G_UNICODE_SCRIPT_INHERITED)
    return TG_GLYPH_SCRIPT;
  gunichar d[8];
  gsize n = g_unichar_fully_decompose(c, FALSE, d, G_N_ELEMENTS(d));
  return n > 1 && g_unichar_ismark(d[n - 1]) ? TG_GLYPH_MARK : TG_GLYPH_LETTER;
}

static void table_options(Search *s, size_t at, const char *glyph, size_t glyph_len,
                          size_t typed_len, TgGlyphKind kind) {
  /* The first byte first: this runs for every non-ASCII glyph of every name checked. */
  for (size_t i = 0; i < G_N_ELEMENTS(glyph_table); i++)
    if (glyph_table[i].glyph[0] == glyph[0] && strlen(glyph_table[i].glyph) == glyph_len &&
        memcmp(glyph_table[i].glyph, glyph, glyph_len) == 0)
      add_option(s, at, glyph_table[i].reads_as, typed_len, kind);
}

/* A Latin letter the decomposition does not reduce but whose Unicode name says what it is built on:
 * "LATIN SMALL LETTER L WITH CURL" (ȴ), "LATIN SMALL LETTER DOTLESS J", "LATIN LETTER SMALL CAPITAL
 * R" read as l, j, r. Only with ICU (the names are its data). */
static void name_option(TgLookalike *lk, Search *s, size_t at, gunichar c, size_t len,
                        TgGlyphKind kind) {
  if (!lk->spoof || !lk->icu.char_name || kind == TG_GLYPH_SCRIPT)
    return;
  char name[128];
  UErrorCode st = U_ZERO_ERROR;
  int32_t n = lk->icu.char_name((UChar32)c, U_UNICODE_CHAR_NAME, name, (int32_t)sizeof name, &st);
  if (U_FAILURE(st) || n <= 0 || (size_t)n >= sizeof name)
    return;
  static const char *const prefixes[] = {"LATIN SMALL LETTER DOTLESS ",
                                         "LATIN LETTER SMALL CAPITAL ", "LATIN SMALL LETTER "};
  for (size_t i = 0; i < G_N_ELEMENTS(prefixes); i++) {
    if (!g_str_has_prefix(name, prefixes[i]))
      continue;
    const char *x = name + strlen(prefixes[i]);
    /* The letter must be the whole rest, or be followed by " WITH …". */
    if (g_ascii_isupper(x[0]) && (x[1] == '\0' || g_str_has_prefix(x + 1, " WITH "))) {
      char one[2] = {g_ascii_tolower(x[0]), 0};
      add_option(s, at, g_string_chunk_insert_const(s->chunk, one), len, kind);
    }
    return;
  }
}

/* The readings of the non-ASCII glyph at `at` (a letter and the marks after it, `len` bytes):
 * ICU's skeleton, the decomposition's base letter, then the table's rows for the letter and for
 * its base (ǿ is an ø with an accent, and ø reads as o). */
static void glyph_options(TgLookalike *lk, Search *s, size_t at, size_t len) {
  const char *p = s->src + at;
  gunichar c = g_utf8_get_char(p);
  size_t clen = (size_t)(g_utf8_next_char(p) - p);
  TgGlyphKind kind = glyph_kind(c);
  if (clen < len && kind == TG_GLYPH_LETTER)
    kind = TG_GLYPH_MARK; /* a letter with separate combining marks */
  if (c < 0x80) {         /* an ASCII letter with combining marks: reads as the letter */
    char one[2] = {(char)g_ascii_tolower((char)c), 0};
    add_option(s, at, g_string_chunk_insert_const(s->chunk, one), len, TG_GLYPH_MARK);
    return;
  }
  if (g_unichar_ismark(c)) { /* a mark with no letter before it: reads as nothing */
    add_option(s, at, "", len, TG_GLYPH_MARK);
    return;
  }
  if (lk->spoof) {
    g_autofree char *sk = skeleton(lk, p, (int32_t)clen);
    const char *r = sk ? ascii_reading(sk, s->chunk) : NULL;
    if (r)
      add_option(s, at, r, len, kind);
  }
  gunichar d[8];
  gsize n = g_unichar_fully_decompose(c, FALSE, d, G_N_ELEMENTS(d));
  if (n > 1) {
    char base[8];
    int bl = g_unichar_to_utf8(d[0], base);
    base[bl] = '\0';
    bool marks_only = true;
    for (gsize i = 1; i < n; i++)
      marks_only = marks_only && g_unichar_ismark(d[i]);
    if (marks_only) {
      if (d[0] < 0x80 && g_ascii_isalnum((char)d[0])) {
        char one[2] = {(char)g_ascii_tolower((char)d[0]), 0};
        add_option(s, at, g_string_chunk_insert_const(s->chunk, one), len, kind);
      } else {
        table_options(s, at, base, (size_t)bl, len, kind);
      }
    }
  }
  table_options(s, at, p, clen, len, kind);
  name_option(lk, s, at, c, len, kind);
  if (s->count[at] == 0) { /* no Latin reading: the glyph stays itself */
    add_option(s, at, g_string_chunk_insert_len(s->chunk, p, (gssize)len), len, TG_GLYPH_NONE);
    s->needs_idna = true;
  }
}

/* A one-letter string for an ASCII character, without allocating (the common case). */
static const char *one_char(char c) {
  static char table[128][2];
  static gsize once;
  if (g_once_init_enter(&once)) {
    for (int i = 0; i < 128; i++)
      table[i][0] = (char)i;
    g_once_init_leave(&once, 1);
  }
  return table[(unsigned char)c & 0x7f];
}

/* Fills the options of every position; false on invalid UTF-8. */
static bool plan(TgLookalike *lk, Search *s) {
  for (size_t at = 0; at < s->len;) {
    const char *p = s->src + at;
    gunichar c = g_utf8_get_char_validated(p, (gssize)(s->len - at));
    if (c == (gunichar)-1 || c == (gunichar)-2)
      return false;
    const char *end = g_utf8_next_char(p);
    while ((size_t)(end - s->src) < s->len) {
      gunichar m = g_utf8_get_char_validated(end, (gssize)(s->len - (size_t)(end - s->src)));
      if (m == (gunichar)-1 || m == (gunichar)-2 || !g_unichar_ismark(m))
        break;
      end = g_utf8_next_char(end);
    }
    size_t ulen = (size_t)(end - p);
    if (c < 0x80 && ulen == 1) {
      add_option(s, at, one_char((char)c), 1, TG_GLYPH_NONE);
      for (size_t i = 0;
           i < G_N_ELEMENTS(glyph_table) && (unsigned char)glyph_table[i].glyph[0] < 0x80; i++) {
        const char *g = glyph_table[i].glyph;
        if (g[0] != p[0])
          continue;
        size_t gl = strlen(g);
        if (at + gl <= s->len && memcmp(p, g, gl) == 0) {
          Option o = {.text = glyph_table[i].reads_as,
                      .len = (guint16)gl,
                      .cost = 1,
                      .kind = TG_GLYPH_ASCII,
                      .tlen = (guint16)strlen(glyph_table[i].reads_as)};
          if (s->count[at] < MAX_OPTIONS_PER_GLYPH) {
            g_array_append_val(s->opts, o);
            s->count[at]++;
          }
        }
      }
    } else {
      glyph_options(lk, s, at, ulen);
    }
    at += ulen;
  }
  return true;
}

/* The most telling glyph of the current path: the highest kind, the first of them. */
static void path_glyph(const Search *s, const Option **o, size_t *at) {
  *o = NULL;
  for (size_t i = 0; i < s->depth; i++)
    if (s->path[i]->kind != TG_GLYPH_NONE && (!*o || s->path[i]->kind > (*o)->kind)) {
      *o = s->path[i];
      *at = s->path_at[i];
    }
}

/* Is `r` `t` with two neighbouring letters swapped? Then l-for-i plus i-for-l is a typing slip
 * (emali.it for email.it), not a lookalike: the typo model words it better. */
static bool is_transposition(const char *r, const char *t) {
  size_t n = strlen(r);
  if (n != strlen(t))
    return false;
  size_t i = 0;
  while (i < n && r[i] == t[i])
    i++;
  return i + 1 < n && r[i] == t[i + 1] && r[i + 1] == t[i] && strcmp(r + i + 2, t + i + 2) == 0;
}

static void leaf(Search *s, guint cost) {
  s->readings++;
  s->buf[s->buf_len] = '\0';
  const char *r = s->buf;
  g_autofree char *idna = NULL;
  if (s->needs_idna) {
    bool ascii = true;
    for (const char *p = r; *p && ascii; p++)
      ascii = (unsigned char)*p < 0x80;
    if (!ascii) {
      idna = g_hostname_to_ascii(r);
      if (!idna)
        return;
      r = idna;
    }
  }
  if (!*r || strcmp(r, s->typed_ascii) == 0 || (!s->src_ldh && !tg_domain_is_ldh(r)) ||
      r[0] == '.' || strstr(r, "..") || r[strlen(r) - 1] == '.' ||
      is_transposition(r, s->typed_ascii))
    return;
  int rank = s->judge(r, s->data);
  if (rank > 0 &&
      (!s->best || cost < s->best_cost || (cost == s->best_cost && rank > s->best_rank))) {
    s->best_rank = rank;
    s->best_cost = cost;
    g_free(s->best);
    s->best = g_strdup(r);
    path_glyph(s, &s->best_glyph, &s->best_glyph_at);
  }
}

static void search(Search *s, size_t at, guint cost) {
  if (s->readings >= s->max_readings || ++s->steps > 64u * s->max_readings)
    return;
  if (at >= s->len) {
    if (cost >= s->min_cost)
      leaf(s, cost);
    return;
  }
  for (guint i = 0; i < s->count[at]; i++) {
    const Option *o = &g_array_index(s->opts, Option, s->first[at] + i);
    if (cost + o->cost > s->budget)
      continue;
    size_t keep = s->buf_len;
    memcpy(s->buf + s->buf_len, o->text, o->tlen);
    s->buf_len += o->tlen;
    s->path[s->depth] = o;
    s->path_at[s->depth] = at;
    s->depth++;
    search(s, at + o->len, cost + o->cost);
    s->depth--;
    s->buf_len = keep;
  }
}

/* Describes the glyph of a match in words (Unicode name through ICU, script names). */
static void describe(TgLookalike *lk, const Search *s, TgLookalikeMatch *out) {
  const Option *o = s->best_glyph;
  if (!o)
    return;
  out->kind = (TgGlyphKind)o->kind;
  out->glyph = g_strndup(s->src + s->best_glyph_at, o->len);
  out->looks_like = g_strdup(o->text);
  gunichar c = g_utf8_get_char(out->glyph);
  if (c < 0x80 && o->kind == TG_GLYPH_ASCII)
    return;
  if (lk->spoof && lk->icu.char_name) {
    /* The first non-ASCII code point names the glyph (g + combining dot: the dot). */
    for (const char *p = out->glyph; *p; p = g_utf8_next_char(p))
      if ((c = g_utf8_get_char(p)) >= 0x80)
        break;
    char name[128];
    UErrorCode st = U_ZERO_ERROR;
    int32_t n = lk->icu.char_name((UChar32)c, U_UNICODE_CHAR_NAME, name, (int32_t)sizeof name, &st);
    if (U_SUCCESS(st) && n > 0 && (size_t)n < sizeof name) {
      out->glyph_name = g_ascii_strdown(name, n);
      static const char *const prefixes[] = {"latin small letter ", "latin letter small capital ",
                                             "latin letter "};
      for (size_t i = 0; o->kind == TG_GLYPH_LETTER && i < G_N_ELEMENTS(prefixes); i++)
        if (g_str_has_prefix(out->glyph_name, prefixes[i])) {
          out->description = g_strdup(out->glyph_name + strlen(prefixes[i]));
          if (i == 1) {
            g_free(out->description);
            out->description =
                g_strconcat("small capital ", out->glyph_name + strlen(prefixes[i]), NULL);
          }
          break;
        }
      if (o->kind == TG_GLYPH_LETTER && !out->description)
        out->description = g_strdup(out->glyph_name);
    }
  }
  if (o->kind == TG_GLYPH_SCRIPT) {
    GUnicodeScript sc = g_unichar_get_script(c);
    guint32 iso = g_unicode_script_to_iso15924(sc);
    char code[5] = {(char)(iso >> 24), (char)(iso >> 16), (char)(iso >> 8), (char)iso, 0};
    out->script_code = g_strdup(code);
    if (lk->spoof) {
      UErrorCode st = U_ZERO_ERROR;
      UScriptCode us = lk->icu.script_get_script((UChar32)c, &st);
      if (U_SUCCESS(st))
        out->script = g_strdup(lk->icu.script_get_name(us));
    }
    if (!out->script)
      out->script = g_strdup(code);
  }
}

bool tg_lookalike_match(TgLookalike *lk, const char *udomain, const char *ascii_domain,
                        TgLookalikeJudge judge, void *data, TgLookalikeMatch *out) {
  memset(out, 0, sizeof *out);
  size_t len = strlen(udomain);
  if (len == 0 || len > 4 * TG_MAX_DOMAIN_BYTES)
    return false;
  bool ascii = is_ascii(udomain);
  if (!ascii)
    checker(lk); /* ICU only for a domain that is not all ASCII */
  /* Judging a reading looks up each of its parents, and the walk copies it: a reading costs
   * about its length times its labels. A long many-label name (10,000 recipients at 253-byte
   * domains took 7 s) gets fewer readings, so that one domain never costs more than
   * TG_LOOKALIKE_JUDGED_BYTES of that work; names of common length keep every reading. */
  size_t labels = 1;
  for (const char *p = udomain; *p; p++)
    labels += *p == '.';
  guint max_readings = ascii ? TG_LOOKALIKE_MAX_READINGS_ASCII : TG_LOOKALIKE_MAX_READINGS;
  size_t per_reading = len * labels, budget = TG_LOOKALIKE_JUDGED_BYTES * (ascii ? 1 : 8);
  if (per_reading * max_readings > budget)
    max_readings = (guint)MAX(budget / per_reading, TG_LOOKALIKE_MIN_READINGS);
  Search s = {
      .src = udomain, .len = len, .judge = judge, .data = data, .max_readings = max_readings};
  /* One block for the per-position arrays: this runs for every recipient. */
  void *block = g_malloc0(
      (len + 1) * (2 * sizeof(guint) + sizeof(const Option *) + sizeof(size_t)) + 8 * len + 1);
  s.path = block;
  s.path_at = (size_t *)(s.path + len + 1);
  s.first = (guint *)(s.path_at + len + 1);
  s.count = s.first + len + 1;
  s.buf = (char *)(s.count + len + 1);
  s.opts = g_array_sized_new(FALSE, FALSE, sizeof(Option), (guint)len * 2);
  s.chunk = ascii ? NULL : g_string_chunk_new(256); /* only non-ASCII glyphs need copies */
  s.typed_ascii = ascii_domain;
  s.src_ldh = ascii && tg_domain_is_ldh(udomain);
  bool found = false;
  if (plan(lk, &s)) {
    /* Cheapest first: a reading that needs fewer second choices is the likelier intent. An ASCII
     * domain's cost-0 reading is itself, and two ASCII swaps are as far as a lookalike goes
     * before it is a different name. */
    if (ascii) { /* one walk: an ASCII name is mostly clean, and a clean name visits every node */
      s.budget = 2;
      s.min_cost = 1;
      search(&s, 0, 0);
    } else { /* cost by cost: a reading with fewer second choices wins, and stops the search */
      for (s.budget = 0; s.budget <= TG_LOOKALIKE_MAX_COST && !s.best; s.budget++) {
        s.min_cost = s.budget;
        search(&s, 0, 0);
      }
    }
  }
  if (s.best) {
    out->reading = g_steal_pointer(&s.best);
    out->rank = s.best_rank;
    describe(lk, &s, out);
    found = true;
  }
  g_free(block);
  g_array_unref(s.opts);
  if (s.chunk)
    g_string_chunk_free(s.chunk);
  return found;
}

void tg_lookalike_match_clear(TgLookalikeMatch *m) {
  if (!m)
    return;
  g_clear_pointer(&m->reading, g_free);
  g_clear_pointer(&m->glyph, g_free);
  g_clear_pointer(&m->looks_like, g_free);
  g_clear_pointer(&m->glyph_name, g_free);
  g_clear_pointer(&m->description, g_free);
  g_clear_pointer(&m->script, g_free);
  g_clear_pointer(&m->script_code, g_free);
}

bool tg_lookalike_inspect(TgLookalike *lk, const char *udomain, TgLookalikeInfo *out) {
  memset(out, 0, sizeof *out);
  USpoofChecker *sc = checker(lk);
  size_t len = strlen(udomain);
  if (!sc || len > 4 * TG_MAX_DOMAIN_BYTES)
    return false;

  /* The Latin reading: every non-ASCII letter replaced by its prototype when that is ASCII. */
  GString *latin = g_string_sized_new(len);
  bool readable = true;
  UScriptCode foreign = USCRIPT_INVALID_CODE;
  for (const char *p = udomain; *p;) {
    const char *start = p;
    gunichar c = g_utf8_get_char_validated(p, -1);
    if (c == (gunichar)-1 || c == (gunichar)-2) {
      readable = false;
      break;
    }
    p = g_utf8_next_char(p);
    if (c < 0x80) {
      g_string_append_c(latin, (char)c);
      continue;
    }
    UErrorCode st = U_ZERO_ERROR;
    UScriptCode script = lk->icu.script_get_script((UChar32)c, &st);
    if (U_SUCCESS(st) && foreign == USCRIPT_INVALID_CODE && script != USCRIPT_LATIN &&
        script != USCRIPT_COMMON && script != USCRIPT_INHERITED)
      foreign = script;
    g_autofree char *sk = skeleton(lk, start, (int32_t)(p - start));
    if (sk && *sk && is_ascii(sk))
      g_string_append(latin, sk);
    else
      readable = false;
  }
  if (readable) {
    g_autofree char *low = g_ascii_strdown(latin->str, (gssize)latin->len);
    out->latin = g_steal_pointer(&low);
  }
  g_string_free(latin, TRUE);
  if (foreign != USCRIPT_INVALID_CODE)
    out->script = g_strdup(lk->icu.script_get_name(foreign));

  /* Mixed scripts, label by label: "аpple" (Cyrillic а + Latin) is not highly restrictive, while
   * "münchen" or "日本語" are. */
  for (const char *label = udomain; label && *label;) {
    const char *dot = strchr(label, '.');
    int32_t n = (int32_t)(dot ? (size_t)(dot - label) : strlen(label));
    UErrorCode st = U_ZERO_ERROR;
    int32_t r = lk->icu.spoof_check2_utf8(sc, label, n, NULL, &st);
    if (U_SUCCESS(st) && (r & USPOOF_RESTRICTION_LEVEL))
      out->mixed_script = true;
    label = dot ? dot + 1 : NULL;
  }
  return true;
}

void tg_lookalike_info_clear(TgLookalikeInfo *info) {
  if (!info)
    return;
  g_clear_pointer(&info->latin, g_free);
  g_clear_pointer(&info->script, g_free);
}

bool tg_lookalike_confusable(TgLookalike *lk, const char *a, const char *b) {
  USpoofChecker *sc = checker(lk);
  if (!sc)
    return false;
  g_autofree char *sa = skeleton(lk, a, -1);
  g_autofree char *sb = skeleton(lk, b, -1);
  return sa && sb && strcmp(sa, sb) == 0;
}
