/* mailbox.c — RFC 5322 / RFC 6532 mailbox parsing and formatting.
 *
 * Owns: turning the raw string a mail client holds for one recipient into TgMailbox values
 * (display name, local part, domain, address), and rendering a name and address back into a
 * header-ready mailbox.
 *
 * Guarantees:
 *  - never reads past `len`; input longer than TG_MAX_ADDRESS_BYTES is refused before any byte of
 *    it is read;
 *  - no recursion: a lexer turns the bytes into a flat token array (comments, quoted strings and
 *    domain literals are single tokens, comment nesting is counted, bounded by
 *    TG_MAILBOX_MAX_COMMENT_DEPTH), then a parser walks that array with a fixed-depth grammar
 *    (list → group → mailbox: parse_group calls parse_address, which refuses a group inside a
 *    group, so the call depth is at most two); every token is looked at a bounded number of
 *    times, so the time is linear in `len`;
 *  - every failure is a TG_MAILBOX_ERROR with a short plain sentence for the user, and frees all it
 *    allocated.
 *
 * Decisions where RFC 5322 is strict but people and clients are not (each is a table case in
 * tests/cases/mailbox.tsv):
 *  - `,` and, outside a group, `;` separate mailboxes (Outlook habit); empty elements (`a@b,`,
 *    `a@b,,c@d`) are ignored; a group may lack its closing `;` at the end of the input;
 *  - but comma-separated parts that hold only words, the last of them ending in `<addr>`, are one
 *    unquoted display name (`Smith, John <john@x>` is John Smith's mailbox, named "Smith, John",
 *    as Outlook writes and people paste it; no one reads it as two addresses); a real list
 *    (`a@x, b@y`, `A <a@x>, B <b@y>`) stays a list, and a name part without any address after it
 *    (`Smith, John`, `Smith, john@x`) stays an element without @;
 *  - `mailto:` before a mailbox or inside `<>` is dropped, and so is a `?query` after its domain
 *    (no percent-decoding);
 *  - white space is ASCII SP/HT/CR/LF and any Unicode space separator (NBSP, U+3000, …) outside
 *    quoted strings; CR and LF inside a quoted string are unfolded (dropped);
 *  - control characters other than HT/CR/LF, NUL bytes and invalid UTF-8 are refused as
 *    TG_MAILBOX_ERROR_BAD_UTF8 wherever they are (they have no business in a recipient);
 *  - obsolete forms are accepted: CFWS around `.` and `@`, a source route (`<@r1,@r2:a@b>`,
 *    dropped), `"quoted".atom` local parts; consecutive and trailing dots in a local part are
 *    accepted (real Japanese mobile addresses have them), a leading dot is not;
 *  - one trailing dot on the domain (`x.com.`) is dropped; domain literals must hold an IPv4
 *    address, `IPv6:` and an IPv6 address, or an RFC 5321 `tag:content` literal;
 *  - a quoted local part that is a plain dot-atom is unquoted (`"john"@x` is `john@x`); the
 *    64-byte local-part limit is not checked (servers accept longer);
 *  - a display name may hold unquoted specials such as `@` or `.` (`john@x.com <john@x.com>`,
 *    `John Q. Public <…>`); RFC 2047 encoded-words in unquoted names are decoded with g_convert
 *    (kept as written when the charset or encoding is unknown or the result is not clean UTF-8);
 *    encoded-words inside quotes are kept as written, as RFC 2047 §5 says;
 *  - a bare address followed by a comment takes the comment as its name (`a@b (John)`, the old
 *    RFC 822 habit); other comments are dropped;
 *  - an angle address without @ (`List <List>`, how Thunderbird hands over a mailing list it has
 *    not expanded) is TG_MAILBOX_ERROR_NO_AT, and so are a whole address in quotes
 *    (`"a@b.c"`) and a full-width ＠ (U+FF20, U+FE6B), each with its own message;
 *  - invisible format characters (U+200B, U+FEFF, bidi controls) are ordinary characters here:
 *    they stay in the local part or domain for domain.c and the lookalike rules to judge.
 */
#include "mailbox.h"

#include "typoguard.h"

#include <arpa/inet.h>
#include <stdint.h>
#include <string.h>

/* The quark's name is stringified as written: no spaces around its hyphens. */
/* clang-format off */
G_DEFINE_QUARK(tg-mailbox-error-quark, tg_mailbox_error)
/* clang-format on */

void tg_mailbox_free(TgMailbox *mb) {
  if (mb == NULL)
    return;
  g_free(mb->display_name);
  g_free(mb->local);
  g_free(mb->domain);
  g_free(mb->address);
  g_free(mb);
}

/* ---- characters ------------------------------------------------------------------------- */

/* RFC 5322 atext, ASCII part; every non-ASCII code point that is not a space is atext too
 * (RFC 6532). */
static bool is_ascii_atext(unsigned char c) {
  if (g_ascii_isalnum(c))
    return true;
  return c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL;
}

static bool is_unicode_space(gunichar cp) {
  switch (g_unichar_type(cp)) {
  case G_UNICODE_SPACE_SEPARATOR:
  case G_UNICODE_LINE_SEPARATOR:
  case G_UNICODE_PARAGRAPH_SEPARATOR: return true;
  default: return false;
  }
}

static bool is_control(gunichar cp) {
  return (cp < 0x20 && cp != '\t' && cp != '\r' && cp != '\n') || (cp >= 0x7f && cp <= 0x9f);
}

/* Byte length of the white-space character at s[i], or 0. `s` is valid UTF-8 up to `len`. */
static size_t space_width(const char *s, size_t len, size_t i) {
  unsigned char c = (unsigned char)s[i];
  if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
    return 1;
  if (c < 0x80)
    return 0;
  gunichar cp = g_utf8_get_char_validated(s + i, (gssize)(len - i));
  if (cp == (gunichar)-1 || cp == (gunichar)-2 || !is_unicode_space(cp))
    return 0;
  return (size_t)g_unichar_to_utf8(cp, NULL);
}

/* ---- errors ----------------------------------------------------------------------------- */

static void fail(GError **error, TgMailboxError code, const char *message) {
  g_set_error_literal(error, TG_MAILBOX_ERROR, (gint)code, message);
}

/* The offending character (one whole UTF-8 sequence) for a message. */
static char *char_at(const char *s, size_t len, size_t i) {
  size_t n = 1;
  while (i + n < len && ((unsigned char)s[i + n] & 0xc0) == 0x80)
    n++;
  return g_strndup(s + i, n);
}

/* ---- lexer ------------------------------------------------------------------------------ */

typedef enum {
  TOK_ATOM,    /* run of atext (ASCII atext and non-space non-ASCII) */
  TOK_DOT,     /* . */
  TOK_QSTRING, /* "…" including the quotes */
  TOK_COMMENT, /* (…) including the outer parentheses */
  TOK_LITERAL, /* […] including the brackets */
  TOK_LT,
  TOK_GT,
  TOK_AT,
  TOK_COMMA,
  TOK_SEMI,
  TOK_COLON,
  TOK_BACKSLASH, /* a \ outside quotes, comments and literals */
} TokKind;

typedef struct {
  TokKind kind;
  bool space_before; /* white space right before this token */
  size_t start, end; /* raw span [start, end) in the input */
} Token;

static bool lex_quoted(const char *s, size_t len, size_t *i, GError **error) {
  size_t k = *i + 1;
  while (k < len) {
    if (s[k] == '\\')
      k += 2;
    else if (s[k] == '"') {
      *i = k + 1;
      return true;
    } else
      k++;
  }
  fail(error, TG_MAILBOX_ERROR_UNBALANCED, "The quotation marks are not closed.");
  return false;
}

static bool lex_comment(const char *s, size_t len, size_t *i, GError **error) {
  unsigned depth = 0;
  size_t k = *i;
  while (k < len) {
    if (s[k] == '\\') {
      k += 2;
      continue;
    }
    if (s[k] == '(') {
      if (++depth > TG_MAILBOX_MAX_COMMENT_DEPTH) {
        fail(error, TG_MAILBOX_ERROR_UNBALANCED,
             "The address has too many brackets inside brackets.");
        return false;
      }
    } else if (s[k] == ')') {
      g_assert(depth > 0);
      if (--depth == 0) {
        *i = k + 1;
        return true;
      }
    }
    k++;
  }
  fail(error, TG_MAILBOX_ERROR_UNBALANCED, "A bracket \"(\" is not closed.");
  return false;
}

static bool lex_literal(const char *s, size_t len, size_t *i, GError **error) {
  size_t k = *i + 1;
  while (k < len) {
    if (s[k] == '\\')
      k += 2;
    else if (s[k] == ']') {
      *i = k + 1;
      return true;
    } else
      k++;
  }
  fail(error, TG_MAILBOX_ERROR_UNBALANCED, "The \"[\" is not closed by a \"]\".");
  return false;
}

static size_t atom_end(const char *s, size_t len, size_t i) {
  while (i < len) {
    unsigned char c = (unsigned char)s[i];
    if (c < 0x80) {
      if (!is_ascii_atext(c))
        break;
      i++;
    } else {
      if (space_width(s, len, i) > 0)
        break;
      i++;
      while (i < len && ((unsigned char)s[i] & 0xc0) == 0x80)
        i++;
    }
  }
  return i;
}

static bool lex(const char *s, size_t len, GArray *toks, GError **error) {
  size_t i = 0;
  bool space = false;
  while (i < len) {
    size_t w = space_width(s, len, i);
    if (w > 0) {
      i += w;
      space = true;
      continue;
    }
    Token t = {.space_before = space, .start = i};
    space = false;
    switch (s[i]) {
    case '"':
      t.kind = TOK_QSTRING;
      if (!lex_quoted(s, len, &i, error))
        return false;
      break;
    case '(':
      t.kind = TOK_COMMENT;
      if (!lex_comment(s, len, &i, error))
        return false;
      break;
    case '[':
      t.kind = TOK_LITERAL;
      if (!lex_literal(s, len, &i, error))
        return false;
      break;
    case ')':
      fail(error, TG_MAILBOX_ERROR_UNBALANCED, "There is a \")\" without a matching \"(\".");
      return false;
    case ']':
      fail(error, TG_MAILBOX_ERROR_UNBALANCED, "There is a \"]\" without a matching \"[\".");
      return false;
    case '.':
      t.kind = TOK_DOT;
      i++;
      break;
    case '<':
      t.kind = TOK_LT;
      i++;
      break;
    case '>':
      t.kind = TOK_GT;
      i++;
      break;
    case '@':
      t.kind = TOK_AT;
      i++;
      break;
    case ',':
      t.kind = TOK_COMMA;
      i++;
      break;
    case ';':
      t.kind = TOK_SEMI;
      i++;
      break;
    case ':':
      t.kind = TOK_COLON;
      i++;
      break;
    case '\\':
      t.kind = TOK_BACKSLASH;
      i++;
      break;
    default:
      t.kind = TOK_ATOM;
      i = atom_end(s, len, i);
      /* Pre-scan removed controls and the cases above cover every other ASCII special. */
      g_assert(i > t.start);
      break;
    }
    g_assert(i <= len);
    t.end = i;
    g_array_append_val(toks, t);
  }
  return true;
}

/* ---- text helpers ------------------------------------------------------------------------ */

/* Content of a quoted string or comment span without its delimiters: quoted-pairs unescaped,
 * CR and LF dropped (folding). */
static void append_unescaped(GString *g, const char *s, size_t from, size_t to) {
  for (size_t k = from; k < to; k++) {
    if (s[k] == '\\' && k + 1 < to)
      k++;
    /* also an escaped one: a name or local part never holds a line break */
    if (s[k] == '\r' || s[k] == '\n')
      continue;
    g_string_append_c(g, s[k]);
  }
}

/* Collapses runs of white space into one ASCII space and trims both ends. Returns NULL when
 * nothing is left. Takes ownership of `g`. */
static char *collapse_spaces(GString *g) {
  g_autoptr(GString) out = g_string_sized_new(g->len);
  bool pending = false;
  for (size_t k = 0; k < g->len;) {
    size_t w = space_width(g->str, g->len, k);
    if (w > 0) {
      pending = out->len > 0;
      k += w;
      continue;
    }
    if (pending)
      g_string_append_c(out, ' ');
    pending = false;
    g_string_append_c(out, g->str[k]);
    k++;
  }
  g_string_free(g, TRUE);
  if (out->len == 0)
    return NULL;
  return g_string_free(g_steal_pointer(&out), FALSE);
}

/* Trims white space from both ends; NULL when nothing is left. Takes ownership of `g`. */
static char *trim_spaces(GString *g) {
  size_t a = 0, b = g->len;
  while (a < b) {
    size_t w = space_width(g->str, g->len, a);
    if (w == 0)
      break;
    a += w;
  }
  /* Walk forward to find the last non-space character: spaces can be multi-byte. */
  size_t last_end = a;
  for (size_t k = a; k < b;) {
    size_t w = space_width(g->str, g->len, k);
    if (w > 0) {
      k += w;
      continue;
    }
    k++;
    while (k < b && ((unsigned char)g->str[k] & 0xc0) == 0x80)
      k++;
    last_end = k;
  }
  char *out = last_end > a ? g_strndup(g->str + a, last_end - a) : NULL;
  g_string_free(g, TRUE);
  return out;
}

static bool is_clean_utf8(const char *p, size_t n) {
  if (!g_utf8_validate_len(p, n, NULL))
    return false;
  /* A line break decoded from an encoded-word would not survive a header round trip. */
  for (const char *q = p; q < p + n; q = g_utf8_next_char(q))
    if (is_control(g_utf8_get_char(q)) || *q == '\r' || *q == '\n')
      return false;
  return true;
}

static int hex_value(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

#define TG_MAILBOX_MAX_CHARSET 40

/* Decodes one RFC 2047 encoded-word `=?charset?B|Q?text?=`; NULL when `p` is not one or it does
 * not decode to clean UTF-8. */
static char *decode_encoded_word(const char *p, size_t n) {
  if (n < 8 || p[0] != '=' || p[1] != '?' || p[n - 2] != '?' || p[n - 1] != '=')
    return NULL;
  const char *cs = p + 2;
  const char *q = memchr(cs, '?', n - 4);
  if (q == NULL || q == cs || q + 3 > p + n - 2 || q[2] != '?')
    return NULL;
  size_t cs_len = (size_t)(q - cs);
  const char *star = memchr(cs, '*', cs_len); /* RFC 2231 language suffix */
  if (star != NULL)
    cs_len = (size_t)(star - cs);
  if (cs_len == 0 || cs_len > TG_MAILBOX_MAX_CHARSET)
    return NULL;
  /* The charset name goes to iconv: keep it to the characters charset names use. */
  for (size_t k = 0; k < cs_len; k++)
    if (!g_ascii_isalnum(cs[k]) && strchr("-_.:", cs[k]) == NULL)
      return NULL;
  char enc = g_ascii_toupper(q[1]);
  const char *text = q + 3;
  size_t text_len = (size_t)(p + n - 2 - text);
  if (memchr(text, '?', text_len) != NULL)
    return NULL;

  g_autoptr(GByteArray) raw = g_byte_array_new();
  if (enc == 'B') {
    if (text_len % 4 != 0)
      return NULL;
    for (size_t k = 0; k < text_len; k++) {
      char c = text[k];
      if (!g_ascii_isalnum(c) && c != '+' && c != '/' && !(c == '=' && k + 2 >= text_len))
        return NULL;
    }
    g_autofree char *copy = g_strndup(text, text_len);
    gsize out_len = 0;
    g_autofree guchar *bytes = g_base64_decode(copy, &out_len);
    g_byte_array_append(raw, bytes, (guint)out_len);
  } else if (enc == 'Q') {
    for (size_t k = 0; k < text_len; k++) {
      guint8 b;
      if (text[k] == '_')
        b = ' ';
      else if (text[k] == '=') {
        if (k + 2 >= text_len)
          return NULL;
        int hi = hex_value(text[k + 1]), lo = hex_value(text[k + 2]);
        if (hi < 0 || lo < 0)
          return NULL;
        b = (guint8)(hi * 16 + lo);
        k += 2;
      } else
        b = (guint8)text[k];
      g_byte_array_append(raw, &b, 1);
    }
  } else
    return NULL;
  if (raw->len == 0)
    return NULL; /* nothing to decode: keep the word as written */

  g_autofree char *charset = g_strndup(cs, cs_len);
  char *utf8;
  gsize utf8_len = 0;
  if (g_ascii_strcasecmp(charset, "UTF-8") == 0 || g_ascii_strcasecmp(charset, "UTF8") == 0 ||
      g_ascii_strcasecmp(charset, "US-ASCII") == 0) {
    utf8 = g_strndup((const char *)raw->data, raw->len);
    utf8_len = raw->len;
  } else {
    utf8 = g_convert((const char *)raw->data, (gssize)raw->len, "UTF-8", charset, NULL, &utf8_len,
                     NULL);
    if (utf8 == NULL)
      return NULL;
  }
  if (!is_clean_utf8(utf8, utf8_len) || strlen(utf8) != utf8_len) {
    g_free(utf8);
    return NULL;
  }
  return utf8;
}

/* ---- parser ----------------------------------------------------------------------------- */

typedef struct {
  const char *s;
  size_t len;
  const Token *t;
  size_t n;
  GPtrArray *out;
  bool saw_group;
} Parser;

static bool is_kind(const Parser *P, size_t i, TokKind kind) {
  return i < P->n && P->t[i].kind == kind;
}

static size_t skip_comments(const Parser *P, size_t i, size_t end) {
  while (i < end && P->t[i].kind == TOK_COMMENT)
    i++;
  return i;
}

static bool is_separator(const Parser *P, size_t i) {
  return is_kind(P, i, TOK_COMMA) || is_kind(P, i, TOK_SEMI);
}

/* Builds a display name from tokens [from, to): words joined by one space where the input had
 * white space or a comment, comments dropped, encoded-words decoded. NULL when empty. */
static char *build_phrase(const Parser *P, size_t from, size_t to) {
  GString *g = g_string_new(NULL);
  bool gap = false, prev_encoded = false;
  for (size_t k = from; k < to; k++) {
    const Token *t = &P->t[k];
    if (t->kind == TOK_COMMENT) {
      gap = true;
      continue;
    }
    bool sep = (gap || t->space_before) && g->len > 0;
    gap = false;
    bool encoded = false;
    if (t->kind == TOK_ATOM) {
      g_autofree char *dec = decode_encoded_word(P->s + t->start, t->end - t->start);
      if (dec != NULL) {
        encoded = true;
        /* RFC 2047 §6.2: white space between adjacent encoded-words is not displayed. */
        if (sep && !prev_encoded)
          g_string_append_c(g, ' ');
        g_string_append(g, dec);
      } else {
        if (sep)
          g_string_append_c(g, ' ');
        g_string_append_len(g, P->s + t->start, (gssize)(t->end - t->start));
      }
    } else if (t->kind == TOK_QSTRING) {
      if (sep)
        g_string_append_c(g, ' ');
      append_unescaped(g, P->s, t->start + 1, t->end - 1);
    } else {
      if (sep)
        g_string_append_c(g, ' ');
      /* a [literal] may span a folded line; a name never holds the line break */
      for (size_t c = t->start; c < t->end; c++)
        if (P->s[c] != '\r' && P->s[c] != '\n')
          g_string_append_c(g, P->s[c]);
    }
    prev_encoded = encoded;
  }
  return trim_spaces(g);
}

/* True when `p` is a dot-atom: atext runs separated by single dots. */
static bool is_dot_atom(const char *p, size_t n) {
  if (n == 0 || p[0] == '.' || p[n - 1] == '.')
    return false;
  for (size_t k = 0; k < n; k++) {
    unsigned char c = (unsigned char)p[k];
    if (c == '.') {
      if (p[k + 1] == '.')
        return false;
    } else if (c < 0x80) {
      if (!is_ascii_atext(c))
        return false;
    } else if (space_width(p, n, k) > 0)
      return false;
  }
  return true;
}

static void append_quoted(GString *g, const char *p, size_t n) {
  g_string_append_c(g, '"');
  for (size_t k = 0; k < n; k++) {
    if (p[k] == '"' || p[k] == '\\')
      g_string_append_c(g, '\\');
    g_string_append_c(g, p[k]);
  }
  g_string_append_c(g, '"');
}

static char *build_local(const Parser *P, size_t from, size_t to, GError **error) {
  enum { NONE, WORD, DOT } prev = NONE;
  g_autoptr(GString) g = g_string_new(NULL);
  bool gap = false;
  for (size_t k = from; k < to; k++) {
    const Token *t = &P->t[k];
    switch (t->kind) {
    case TOK_COMMENT: gap = true; continue;
    case TOK_ATOM:
    case TOK_QSTRING:
      if (prev == WORD) {
        fail(error, TG_MAILBOX_ERROR_BAD_LOCAL,
             t->space_before ? "The part before the @ contains a space."
             : gap           ? "The part before the @ has a comment in the middle."
                             : "The part before the @ mixes quoted and unquoted text.");
        return NULL;
      }
      if (t->kind == TOK_ATOM)
        g_string_append_len(g, P->s + t->start, (gssize)(t->end - t->start));
      else {
        g_autoptr(GString) content = g_string_new(NULL);
        append_unescaped(content, P->s, t->start + 1, t->end - 1);
        if (is_dot_atom(content->str, content->len))
          g_string_append_len(g, content->str, (gssize)content->len);
        else
          append_quoted(g, content->str, content->len);
      }
      prev = WORD;
      break;
    case TOK_DOT:
      if (prev == NONE) {
        fail(error, TG_MAILBOX_ERROR_BAD_LOCAL, "The part before the @ starts with a dot.");
        return NULL;
      }
      g_string_append_c(g, '.');
      prev = DOT;
      break;
    case TOK_GT:
      fail(error, TG_MAILBOX_ERROR_UNBALANCED, "There is a \">\" without a matching \"<\".");
      return NULL;
    default: {
      g_autofree char *c = char_at(P->s, P->len, t->start);
      g_set_error(error, TG_MAILBOX_ERROR, TG_MAILBOX_ERROR_BAD_LOCAL,
                  "The part before the @ contains \"%s\", which is not allowed there.", c);
      return NULL;
    }
    }
    gap = false;
  }
  if (prev == NONE || strcmp(g->str, "\"\"") == 0) {
    fail(error, TG_MAILBOX_ERROR_NO_LOCAL, "There is nothing before the @ sign.");
    return NULL;
  }
  return g_string_free(g_steal_pointer(&g), FALSE);
}

/* Checks a domain literal's content (without brackets, white space removed). */
static bool literal_ok(const char *c) {
  for (const char *p = c; *p; p++)
    if ((unsigned char)*p < 33 || (unsigned char)*p > 126 || *p == '[' || *p == ']' || *p == '\\')
      return false;
  if (g_ascii_strncasecmp(c, "IPv6:", 5) == 0) {
    struct in6_addr a6;
    return inet_pton(AF_INET6, c + 5, &a6) == 1;
  }
  if (c[0] != '\0' && strspn(c, "0123456789.") == strlen(c)) {
    struct in_addr a4;
    return inet_pton(AF_INET, c, &a4) == 1;
  }
  /* RFC 5321 General-address-literal: Ldh-str ":" 1*dcontent */
  const char *colon = strchr(c, ':');
  if (colon == NULL || colon == c || colon[1] == '\0' || colon[-1] == '-')
    return false;
  for (const char *p = c; p < colon; p++)
    if (!g_ascii_isalnum(*p) && *p != '-')
      return false;
  return true;
}

static char *build_literal(const Parser *P, const Token *t, GError **error) {
  GString *g = g_string_new(NULL);
  for (size_t k = t->start + 1; k + 1 < t->end;) {
    size_t w = space_width(P->s, P->len, k);
    if (w > 0) {
      k += w;
      continue;
    }
    g_string_append_c(g, P->s[k]);
    k++;
  }
  g_autofree char *content = g_string_free(g, FALSE);
  if (!literal_ok(content)) {
    fail(error, TG_MAILBOX_ERROR_BAD_DOMAIN, "The domain in brackets is not a valid IP address.");
    return NULL;
  }
  return g_strdup_printf("[%s]", content);
}

/* Domain from tokens [from, to). `*comment` gets the index of a comment that ends the range
 * after the domain (a name in the old style), or stays SIZE_MAX. */
static char *build_domain(const Parser *P, size_t from, size_t to, bool mailto, size_t *comment,
                          GError **error) {
  enum { NONE, LABEL, DOT, DONE } prev = NONE;
  g_autoptr(GString) g = g_string_new(NULL);
  *comment = SIZE_MAX;
  for (size_t k = from; k < to; k++) {
    const Token *t = &P->t[k];
    if (t->kind == TOK_COMMENT) {
      *comment = k;
      continue;
    }
    *comment = SIZE_MAX;
    if (prev == DONE) {
      if (mailto)
        continue; /* the rest of a mailto: query */
      if (t->kind == TOK_GT) {
        fail(error, TG_MAILBOX_ERROR_UNBALANCED, "There is a \">\" without a matching \"<\".");
        return NULL;
      }
      fail(error, TG_MAILBOX_ERROR_TRAILING,
           "There is text after the address that is not part of it.");
      return NULL;
    }
    switch (t->kind) {
    case TOK_LITERAL: {
      if (prev != NONE)
        goto bad_char;
      g_autofree char *lit = build_literal(P, t, error);
      if (lit == NULL)
        return NULL;
      g_string_append(g, lit);
      prev = DONE;
      break;
    }
    case TOK_ATOM: {
      if (prev == LABEL) {
        fail(error, TG_MAILBOX_ERROR_TRAILING,
             "There is text after the address that is not part of it.");
        return NULL;
      }
      size_t end = t->end;
      bool stop = false;
      for (size_t c = t->start; c < t->end; c++) {
        unsigned char b = (unsigned char)P->s[c];
        if (b == '?' && mailto) {
          end = c;
          stop = true;
          break;
        }
        if (b < 0x80 && !g_ascii_isalnum(b) && b != '-' && b != '_') {
          g_autofree char *ch = char_at(P->s, P->len, c);
          g_set_error(error, TG_MAILBOX_ERROR, TG_MAILBOX_ERROR_BAD_DOMAIN,
                      "The domain contains \"%s\", which a domain cannot hold.", ch);
          return NULL;
        }
      }
      g_string_append_len(g, P->s + t->start, (gssize)(end - t->start));
      if (stop) {
        if (end == t->start && prev == DOT)
          g_string_truncate(g, g->len - 1); /* `x.?subject` */
        prev = end == t->start && prev == NONE ? NONE : DONE;
        if (prev == NONE) {
          fail(error, TG_MAILBOX_ERROR_NO_DOMAIN, "There is nothing after the @ sign.");
          return NULL;
        }
      } else
        prev = LABEL;
      break;
    }
    case TOK_DOT:
      if (prev == NONE) {
        fail(error, TG_MAILBOX_ERROR_BAD_DOMAIN, "The domain starts with a dot.");
        return NULL;
      }
      if (prev == DOT) {
        fail(error, TG_MAILBOX_ERROR_BAD_DOMAIN, "The domain has two dots in a row.");
        return NULL;
      }
      g_string_append_c(g, '.');
      prev = DOT;
      break;
    case TOK_AT:
      fail(error, TG_MAILBOX_ERROR_BAD_DOMAIN, "The address has more than one @ sign.");
      return NULL;
    case TOK_QSTRING:
      fail(error, TG_MAILBOX_ERROR_BAD_DOMAIN, "The domain cannot be in quotation marks.");
      return NULL;
    case TOK_GT:
      if (prev == NONE)
        goto bad_char;
      fail(error, TG_MAILBOX_ERROR_UNBALANCED, "There is a \">\" without a matching \"<\".");
      return NULL;
    default: goto bad_char;
    }
    continue;
  bad_char : {
    g_autofree char *ch = char_at(P->s, P->len, t->start);
    g_set_error(error, TG_MAILBOX_ERROR, TG_MAILBOX_ERROR_BAD_DOMAIN,
                "The domain contains \"%s\", which a domain cannot hold.", ch);
    return NULL;
  }
  }
  if (prev == NONE) {
    fail(error, TG_MAILBOX_ERROR_NO_DOMAIN, "There is nothing after the @ sign.");
    return NULL;
  }
  if (prev == DOT) /* a fully qualified `x.com.`: the root label is implied anyway */
    g_string_truncate(g, g->len - 1);
  return g_string_free(g_steal_pointer(&g), FALSE);
}

static TgMailbox *build_addr_spec(const Parser *P, size_t from, size_t to, bool mailto,
                                  size_t *comment, GError **error) {
  size_t at = from;
  while (at < to && P->t[at].kind != TOK_AT)
    at++;
  g_assert(at < to);
  g_autofree char *local = build_local(P, from, at, error);
  if (local == NULL)
    return NULL;
  g_autofree char *domain = build_domain(P, at + 1, to, mailto, comment, error);
  if (domain == NULL)
    return NULL;
  TgMailbox *mb = g_new0(TgMailbox, 1);
  mb->address = g_strdup_printf("%s@%s", local, domain);
  mb->local = g_steal_pointer(&local);
  mb->domain = g_steal_pointer(&domain);
  return mb;
}

/* A `mailto:` URI scheme right before an address (pasted from a web page or a forwarded
 * Outlook message: `mailto:a@b`, `John <mailto:a@b>`): skips it. */
static bool skip_mailto(const Parser *P, size_t *i) {
  size_t k = *i;
  if (is_kind(P, k, TOK_ATOM) && is_kind(P, k + 1, TOK_COLON) && !P->t[k + 1].space_before &&
      P->t[k].end - P->t[k].start == 6 &&
      g_ascii_strncasecmp(P->s + P->t[k].start, "mailto", 6) == 0 &&
      (is_kind(P, k + 2, TOK_ATOM) || is_kind(P, k + 2, TOK_QSTRING)) &&
      !P->t[k + 2].space_before) {
    *i = k + 2;
    return true;
  }
  return false;
}

/* U+FF20 FULLWIDTH COMMERCIAL AT or U+FE6B SMALL COMMERCIAL AT in tokens [from, to): typed with
 * an East Asian input method, they look like @ but are not. */
static bool has_wide_at(const Parser *P, size_t from, size_t to) {
  if (from >= to)
    return false;
  size_t a = P->t[from].start, b = P->t[to - 1].end;
  g_assert(a <= b && b <= P->len);
  return g_strstr_len(P->s + a, (gssize)(b - a), "\xEF\xBC\xA0") != NULL ||
         g_strstr_len(P->s + a, (gssize)(b - a), "\xEF\xB9\xAB") != NULL;
}

/* Why an element without @ has none, in the words a user needs. */
static void fail_no_at(const Parser *P, size_t from, size_t to, GError **error) {
  if (from >= to) {
    fail(error, TG_MAILBOX_ERROR_NO_AT, "The address has no @ sign.");
    return;
  }
  size_t first = skip_comments(P, from, to);
  if (first + 1 == to && P->t[first].kind == TOK_QSTRING &&
      memchr(P->s + P->t[first].start, '@', P->t[first].end - P->t[first].start) != NULL) {
    fail(error, TG_MAILBOX_ERROR_NO_AT, "The address is inside quotation marks; remove them.");
    return;
  }
  if (has_wide_at(P, from, to)) {
    fail(error, TG_MAILBOX_ERROR_NO_AT,
         "The address has a wide \xEF\xBC\xA0 sign where a plain @ sign is needed.");
    return;
  }
  fail(error, TG_MAILBOX_ERROR_NO_AT, "The address has no @ sign.");
}

/* `<` [route] addr-spec `>` starting at token `lt`; *after gets the index after `>`. */
static TgMailbox *parse_angle(const Parser *P, size_t lt, size_t *after, GError **error) {
  size_t start = skip_comments(P, lt + 1, P->n);
  (void)skip_mailto(P, &start);
  size_t k = start;
  if (is_kind(P, start, TOK_AT)) {
    /* obs-route `@a,@b:` — only when a colon comes before the closing bracket. */
    size_t c = start;
    while (c < P->n && P->t[c].kind != TOK_COLON && P->t[c].kind != TOK_GT &&
           P->t[c].kind != TOK_LT && P->t[c].kind != TOK_SEMI)
      c++;
    if (is_kind(P, c, TOK_COLON)) {
      for (size_t r = start; r < c; r++) {
        TokKind kind = P->t[r].kind;
        if (kind != TOK_AT && kind != TOK_ATOM && kind != TOK_DOT && kind != TOK_COMMA &&
            kind != TOK_COMMENT && kind != TOK_LITERAL) {
          fail(error, TG_MAILBOX_ERROR_BAD_DOMAIN, "The route before the address is not valid.");
          return NULL;
        }
      }
      start = c + 1;
      k = start;
    }
  }
  bool has_at = false, has_word = false;
  while (k < P->n && P->t[k].kind != TOK_GT) {
    TokKind kind = P->t[k].kind;
    if (kind == TOK_LT || kind == TOK_COMMA || kind == TOK_SEMI)
      break;
    has_at |= kind == TOK_AT;
    has_word |= kind != TOK_COMMENT;
    k++;
  }
  if (!is_kind(P, k, TOK_GT)) {
    fail(error, TG_MAILBOX_ERROR_UNBALANCED, "The \"<\" is not closed by a \">\".");
    return NULL;
  }
  if (!has_word) {
    fail(error, TG_MAILBOX_ERROR_EMPTY, "The angle brackets hold no address.");
    return NULL;
  }
  if (!has_at) {
    if (has_wide_at(P, start, k))
      fail(error, TG_MAILBOX_ERROR_NO_AT,
           "The address has a wide \xEF\xBC\xA0 sign where a plain @ sign is needed.");
    else
      fail(error, TG_MAILBOX_ERROR_NO_AT,
           "The address in angle brackets has no @ sign; a mailing list must be expanded first.");
    return NULL;
  }
  size_t comment;
  TgMailbox *mb = build_addr_spec(P, start, k, false, &comment, error);
  *after = k + 1;
  return mb;
}

static bool parse_group(Parser *P, size_t colon, size_t *next, GError **error);

/* Does tokens [from, to) hold a word (an atom or a quoted string), as a name part must? */
static bool has_word(const Parser *P, size_t from, size_t to) {
  for (size_t k = from; k < to; k++)
    if (P->t[k].kind == TOK_ATOM || P->t[k].kind == TOK_QSTRING)
      return true;
  return false;
}

/* The element [i, comma) holds words but no @, and a comma follows: when the next comma-separated
 * parts also hold only words and the last of them reaches a `<` (`Smith, John <john@x>`,
 * `Smith, John, Jr. <j@x>`), the whole run is one unquoted display name — Outlook's "Last,
 * First", pasted or typed — and the `<` is returned. Otherwise `comma` is returned unchanged and
 * the element stays an element without @. A part holding an @, a `:` or a `;`, an empty part, or
 * the end of the input ends the search: `Smith, john@x` and `a@x, b@y` are not names. Scans
 * only tokens up to that point, and a failed search makes the caller fail at once, so the parse
 * stays linear. */
static size_t unquoted_name_end(const Parser *P, size_t i, size_t comma) {
  if (!has_word(P, i, comma))
    return comma;
  size_t j = comma;
  while (is_kind(P, j, TOK_COMMA)) {
    size_t from = j + 1, k = from;
    while (k < P->n && P->t[k].kind != TOK_LT && P->t[k].kind != TOK_COMMA) {
      TokKind kind = P->t[k].kind;
      if (kind == TOK_AT || kind == TOK_COLON || kind == TOK_SEMI || kind == TOK_GT)
        return comma;
      k++;
    }
    if (!has_word(P, from, k))
      return comma;
    if (is_kind(P, k, TOK_LT))
      return k;
    j = k;
  }
  return comma;
}

/* One address (mailbox or group) starting at token `i`. *next gets the index where the caller
 * continues: a separator, the end, or (after a group) anything. */
static bool parse_address(Parser *P, size_t i, bool in_group, size_t *next, bool *was_group,
                          GError **error) {
  *was_group = false;
  bool mailto = skip_mailto(P, &i);

  /* Classify by the first telling token: `<` (name-addr), `:` before any @ (group), or a
   * separator / the end (addr-spec when an @ came, else no address at all). */
  size_t j = i;
  bool seen_at = false;
  while (j < P->n) {
    TokKind kind = P->t[j].kind;
    if (kind == TOK_LT || kind == TOK_COMMA || kind == TOK_SEMI)
      break;
    if (kind == TOK_COLON && !seen_at && !mailto)
      break;
    seen_at |= kind == TOK_AT;
    j++;
  }
  if (!seen_at && !mailto && is_kind(P, j, TOK_COMMA))
    j = unquoted_name_end(P, i, j);

  if (is_kind(P, j, TOK_COLON)) {
    if (in_group) {
      fail(error, TG_MAILBOX_ERROR_TRAILING, "A group of addresses cannot contain another group.");
      return false;
    }
    *was_group = true;
    return parse_group(P, j, next, error);
  }

  if (is_kind(P, j, TOK_LT)) {
    size_t after;
    g_autoptr(TgMailbox) mb = parse_angle(P, j, &after, error);
    if (mb == NULL)
      return false;
    for (size_t k = i; k < j; k++)
      if (P->t[k].kind == TOK_GT) {
        fail(error, TG_MAILBOX_ERROR_UNBALANCED, "There is a \">\" without a matching \"<\".");
        return false;
      }
    mb->display_name = build_phrase(P, i, j);
    after = skip_comments(P, after, P->n);
    if (is_kind(P, after, TOK_GT)) {
      fail(error, TG_MAILBOX_ERROR_UNBALANCED, "There is a \">\" without a matching \"<\".");
      return false;
    }
    if (after < P->n && !is_separator(P, after)) {
      fail(error, TG_MAILBOX_ERROR_TRAILING,
           "There is text after the address that is not part of it.");
      return false;
    }
    g_ptr_array_add(P->out, g_steal_pointer(&mb));
    *next = after;
    return true;
  }

  if (!seen_at) {
    for (size_t k = i; k < j; k++)
      if (P->t[k].kind == TOK_GT) {
        fail(error, TG_MAILBOX_ERROR_UNBALANCED, "There is a \">\" without a matching \"<\".");
        return false;
      }
    fail_no_at(P, i, j, error);
    return false;
  }
  size_t comment;
  g_autoptr(TgMailbox) mb = build_addr_spec(P, i, j, mailto, &comment, error);
  if (mb == NULL)
    return false;
  if (comment != SIZE_MAX) {
    const Token *t = &P->t[comment];
    GString *g = g_string_new(NULL);
    append_unescaped(g, P->s, t->start + 1, t->end - 1);
    mb->display_name = collapse_spaces(g);
  }
  g_ptr_array_add(P->out, g_steal_pointer(&mb));
  *next = j;
  return true;
}

static bool parse_group(Parser *P, size_t colon, size_t *next, GError **error) {
  P->saw_group = true;
  size_t j = colon + 1;
  for (;;) {
    while (j < P->n && (P->t[j].kind == TOK_COMMENT || P->t[j].kind == TOK_COMMA))
      j++;
    if (j >= P->n)
      break; /* a group missing its `;` at the very end: accepted */
    if (P->t[j].kind == TOK_SEMI) {
      j++;
      break;
    }
    bool was_group;
    if (!parse_address(P, j, true, &j, &was_group, error))
      return false;
  }
  *next = j;
  return true;
}

static GPtrArray *parse(const char *text, size_t len, bool single, GError **error) {
  g_return_val_if_fail(text != NULL || len == 0, NULL);
  g_return_val_if_fail(error == NULL || *error == NULL, NULL);

  if (len > TG_MAX_ADDRESS_BYTES) {
    g_set_error(error, TG_MAILBOX_ERROR, TG_MAILBOX_ERROR_TOO_LONG,
                "The address is longer than %u bytes.", TG_MAX_ADDRESS_BYTES);
    return NULL;
  }
  const char *bad = NULL;
  if (len > 0 && !g_utf8_validate_len(text, len, &bad)) {
    g_assert(bad != NULL && bad >= text && bad < text + len);
    fail(error, TG_MAILBOX_ERROR_BAD_UTF8,
         *bad == '\0' ? "The address contains a NUL byte."
                      : "The address is not valid UTF-8 text.");
    return NULL;
  }
  for (const char *p = text; p < text + len; p = g_utf8_next_char(p))
    if (is_control(g_utf8_get_char(p))) {
      fail(error, TG_MAILBOX_ERROR_BAD_UTF8,
           "The address contains an invisible control character.");
      return NULL;
    }

  g_autoptr(GArray) toks = g_array_new(FALSE, FALSE, sizeof(Token));
  if (len > 0 && !lex(text, len, toks, error))
    return NULL;

  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func((GDestroyNotify)tg_mailbox_free);
  Parser P = {
      .s = text, .len = len, .t = (const Token *)(void *)toks->data, .n = toks->len, .out = out};
  size_t i = 0;
  size_t addresses = 0;
  for (;;) {
    while (i < P.n && (P.t[i].kind == TOK_COMMENT || is_separator(&P, i)))
      i++;
    if (i >= P.n)
      break;
    bool was_group;
    if (!parse_address(&P, i, false, &i, &was_group, error))
      return NULL;
    addresses++;
    g_assert(i <= P.n);
  }
  if (out->len == 0) {
    fail(error, TG_MAILBOX_ERROR_EMPTY,
         P.saw_group ? "The group holds no addresses." : "The address is empty.");
    return NULL;
  }
  if (single && (P.saw_group || addresses > 1)) {
    fail(error, TG_MAILBOX_ERROR_TRAILING,
         P.saw_group ? "This is a group of addresses, not one address."
                     : "There is more than one address here.");
    return NULL;
  }
  return g_steal_pointer(&out);
}

GPtrArray *tg_mailbox_parse_list(const char *text, size_t len, GError **error) {
  return parse(text, len, false, error);
}

TgMailbox *tg_mailbox_parse(const char *text, size_t len, GError **error) {
  g_autoptr(GPtrArray) list = parse(text, len, true, error);
  if (list == NULL)
    return NULL;
  g_assert(list->len == 1);
  return g_ptr_array_steal_index(list, 0);
}

/* ---- formatting ------------------------------------------------------------------------- */

/* A name can go unquoted when it is atoms separated by single spaces and would not be read back
 * as an encoded-word. */
static bool phrase_is_plain(const char *name, size_t n) {
  if (n == 0 || name[0] == ' ' || name[n - 1] == ' ' || strstr(name, "=?") != NULL)
    return false;
  for (size_t k = 0; k < n; k++) {
    unsigned char c = (unsigned char)name[k];
    if (c == ' ') {
      if (name[k + 1] == ' ')
        return false;
    } else if (c < 0x80) {
      if (!is_ascii_atext(c))
        return false;
    } else if (space_width(name, n, k) > 0)
      return false;
  }
  return true;
}

char *tg_mailbox_format(const char *display_name, const char *address) {
  g_return_val_if_fail(address != NULL, NULL);
  if (display_name == NULL)
    return g_strdup(address);
  /* A header must never get a line break or control character from a name. */
  g_autofree char *valid = g_utf8_make_valid(display_name, -1);
  GString *clean = g_string_new(NULL);
  for (const char *p = valid; *p; p = g_utf8_next_char(p)) {
    gunichar cp = g_utf8_get_char(p);
    if (cp != '\t' && (is_control(cp) || cp == '\r' || cp == '\n'))
      g_string_append_c(clean, ' ');
    else
      g_string_append_unichar(clean, cp);
  }
  g_autofree char *trimmed = trim_spaces(g_string_new(clean->str));
  if (trimmed == NULL) {
    g_string_free(clean, TRUE);
    return g_strdup(address);
  }
  GString *g = g_string_new(NULL);
  if (phrase_is_plain(clean->str, clean->len))
    g_string_append_len(g, clean->str, (gssize)clean->len);
  else
    append_quoted(g, clean->str, clean->len);
  g_string_free(clean, TRUE);
  g_string_append_printf(g, " <%s>", address);
  return g_string_free(g, FALSE);
}
