/* test_mailbox.c — unit tests of the mailbox parser (host/lib/mailbox.c).
 *
 * Owns: the behaviour table in cases/mailbox.tsv (valid and malformed recipient strings with the
 * expected name, local part, domain and address or error code), the formatting table, and the
 * robustness properties: every prefix of every case and random or mutated bytes parse or fail
 * cleanly (run it under -DTYPOGUARD_SANITIZE=ON to make "cleanly" mean no over-read or leak);
 * every success holds consistent fields and survives format → parse unchanged; input size limits
 * and comment nesting bounds hold; parsing stays linear.
 */
#include "mailbox.h"
#include "typoguard.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "runsuite.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TG_HAS_ASAN 1
#endif
#endif
#ifndef TG_HAS_ASAN
#define TG_HAS_ASAN 0
#endif
/* Timing means nothing under AddressSanitizer: its allocator's costs jump with block sizes. */
#if defined(__SANITIZE_ADDRESS__) || TG_HAS_ASAN
#define TG_TIMING_TESTS 0
#else
#define TG_TIMING_TESTS 1
#endif

/* ---- the case table --------------------------------------------------------------------- */

typedef struct {
  char *name, *local, *domain, *address; /* name NULL for none */
} Expected;

typedef struct {
  unsigned line;
  GByteArray *input; /* exact bytes, may hold NUL and invalid UTF-8 */
  char *expect;      /* "ok", "list" or an error name */
  GArray *mailboxes; /* Expected */
} Case;

static GPtrArray *cases; /* Case*, loaded once in main before the suites run */

/* \t \n \r \\ \xHH; any other backslash is kept as written. */
static GByteArray *unescape(const char *s) {
  GByteArray *b = g_byte_array_new();
  for (size_t i = 0; s[i] != '\0'; i++) {
    guint8 c = (guint8)s[i];
    if (s[i] == '\\' && s[i + 1] != '\0') {
      char n = s[i + 1];
      if (n == 't' || n == 'n' || n == 'r' || n == '\\') {
        c = (guint8)(n == 't' ? '\t' : n == 'n' ? '\n' : n == 'r' ? '\r' : '\\');
        i++;
      } else if (n == 'x' && g_ascii_isxdigit(s[i + 2]) && g_ascii_isxdigit(s[i + 3])) {
        c = (guint8)(g_ascii_xdigit_value(s[i + 2]) * 16 + g_ascii_xdigit_value(s[i + 3]));
        i += 3;
      }
    }
    g_byte_array_append(b, &c, 1);
  }
  return b;
}

static char *unescape_str(const char *s) {
  if (strcmp(s, "-") == 0)
    return NULL;
  GByteArray *b = unescape(s);
  guint8 nul = 0;
  g_byte_array_append(b, &nul, 1);
  return (char *)g_byte_array_free(b, FALSE);
}

static void load_cases(void) {
  g_autofree char *path = g_build_filename(TG_CASES_DIR, "mailbox.tsv", NULL);
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  if (!g_file_get_contents(path, &text, NULL, &error))
    g_error("cannot read %s: %s", path, error->message);
  cases = g_ptr_array_new();
  g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
  for (unsigned n = 0; lines[n] != NULL; n++) {
    const char *line = lines[n];
    if (line[0] == '#' || line[0] == '\0')
      continue;
    g_auto(GStrv) f = g_strsplit(line, "\t", -1);
    guint nf = g_strv_length(f);
    if (nf < 2)
      g_error("%s:%u: fewer than 2 columns", path, n + 1);
    bool cont = strcmp(f[1], "+") == 0;
    bool ok = strcmp(f[1], "ok") == 0 || strcmp(f[1], "list") == 0 || cont;
    if (ok && nf != 6)
      g_error("%s:%u: a mailbox needs 6 columns", path, n + 1);
    Case *c;
    if (cont) {
      if (cases->len == 0)
        g_error("%s:%u: + line without a case", path, n + 1);
      c = g_ptr_array_index(cases, cases->len - 1);
      if (strcmp(c->expect, "list") != 0)
        g_error("%s:%u: + line after a case that is not a list", path, n + 1);
    } else {
      c = g_new0(Case, 1);
      c->line = n + 1;
      c->input = unescape(f[0]);
      c->expect = g_strdup(f[1]);
      c->mailboxes = g_array_new(FALSE, TRUE, sizeof(Expected));
      g_ptr_array_add(cases, c);
    }
    if (ok) {
      Expected e = {unescape_str(f[2]), unescape_str(f[3]), unescape_str(f[4]), unescape_str(f[5])};
      g_array_append_val(c->mailboxes, e);
    }
  }
}

static const char *const error_names[] = {
    [TG_MAILBOX_ERROR_EMPTY] = "EMPTY",           [TG_MAILBOX_ERROR_NO_AT] = "NO_AT",
    [TG_MAILBOX_ERROR_NO_LOCAL] = "NO_LOCAL",     [TG_MAILBOX_ERROR_NO_DOMAIN] = "NO_DOMAIN",
    [TG_MAILBOX_ERROR_BAD_LOCAL] = "BAD_LOCAL",   [TG_MAILBOX_ERROR_BAD_DOMAIN] = "BAD_DOMAIN",
    [TG_MAILBOX_ERROR_UNBALANCED] = "UNBALANCED", [TG_MAILBOX_ERROR_BAD_UTF8] = "BAD_UTF8",
    [TG_MAILBOX_ERROR_TOO_LONG] = "TOO_LONG",     [TG_MAILBOX_ERROR_TRAILING] = "TRAILING",
};

static const char *error_name(int code) {
  if (code < 0 || (size_t)code >= G_N_ELEMENTS(error_names))
    return "?";
  return error_names[code];
}

/* A copy of exactly `len` bytes with no terminator, so AddressSanitizer sees any over-read. */
static char *exact_copy(const void *p, size_t len) {
  char *b = g_malloc(len > 0 ? len : 1);
  if (len > 0)
    memcpy(b, p, len);
  return b;
}

/* A user-facing error sentence: capital first, full stop last, short, no printf leftovers. */
static void check_message(const GError *e, const char *what) {
  ck_assert_msg(e->domain == TG_MAILBOX_ERROR, "%s: wrong error domain", what);
  size_t n = strlen(e->message);
  ck_assert_msg(n >= 10 && n <= 120, "%s: message length %zu: %s", what, n, e->message);
  ck_assert_msg(g_ascii_isupper(e->message[0]), "%s: %s", what, e->message);
  ck_assert_msg(e->message[n - 1] == '.', "%s: %s", what, e->message);
  ck_assert_msg(strstr(e->message, "%s") == NULL && strstr(e->message, "%u") == NULL &&
                    strstr(e->message, "%c") == NULL,
                "%s: %s", what, e->message);
}

static bool same(const char *a, const char *b) {
  return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* Properties of every successful parse: complete fields, address = local@domain, a name that is
 * NULL or trimmed non-empty UTF-8, and format → parse gives the same name and address back. */
static void check_mailbox(const TgMailbox *m, const char *what) {
  ck_assert_msg(m->local != NULL && m->domain != NULL && m->address != NULL, "%s", what);
  ck_assert_msg(m->local[0] != '\0' && m->domain[0] != '\0', "%s", what);
  g_autofree char *joined = g_strdup_printf("%s@%s", m->local, m->domain);
  ck_assert_msg(strcmp(joined, m->address) == 0, "%s: %s != %s", what, joined, m->address);
  ck_assert_msg(g_utf8_validate(m->address, -1, NULL), "%s", what);
  if (m->display_name != NULL) {
    ck_assert_msg(m->display_name[0] != '\0', "%s: empty name instead of NULL", what);
    ck_assert_msg(g_utf8_validate(m->display_name, -1, NULL), "%s", what);
    ck_assert_msg(!g_unichar_isspace(g_utf8_get_char(m->display_name)), "%s: untrimmed", what);
  }

  g_autofree char *formatted = tg_mailbox_format(m->display_name, m->address);
  g_autoptr(GError) error = NULL;
  g_autoptr(TgMailbox) back = tg_mailbox_parse(formatted, strlen(formatted), &error);
  if (strlen(formatted) > TG_MAX_ADDRESS_BYTES) {
    /* quoting a long name full of \ and " can outgrow the input limit (found by fuzzing) */
    ck_assert_msg(back == NULL && error->code == TG_MAILBOX_ERROR_TOO_LONG, "%s", what);
    return;
  }
  ck_assert_msg(back != NULL, "%s: format gave [%s], which does not parse: %s", what, formatted,
                error ? error->message : "");
  ck_assert_msg(same(back->display_name, m->display_name),
                "%s: name [%s] came back as [%s] via [%s]", what, m->display_name,
                back->display_name, formatted);
  ck_assert_msg(strcmp(back->address, m->address) == 0, "%s: address [%s] came back as [%s]", what,
                m->address, back->address);

  /* The bare address alone parses to itself (what detect.c and the replies rely on). */
  g_autoptr(TgMailbox) bare = tg_mailbox_parse(m->address, strlen(m->address), NULL);
  ck_assert_msg(bare != NULL && strcmp(bare->address, m->address) == 0 &&
                    strcmp(bare->local, m->local) == 0 && strcmp(bare->domain, m->domain) == 0,
                "%s: address [%s] does not parse to itself", what, m->address);
}

/* One test walks the whole table: a fork per case costs seconds under AddressSanitizer. The
 * failure message names the table line. */
static void check_case(const Case *c) {
  g_autofree char *what = g_strdup_printf("mailbox.tsv:%u", c->line);
  g_autofree char *in = exact_copy(c->input->data, c->input->len);
  g_autoptr(GError) le = NULL, se = NULL;
  g_autoptr(GPtrArray) list = tg_mailbox_parse_list(in, c->input->len, &le);
  g_autoptr(TgMailbox) one = tg_mailbox_parse(in, c->input->len, &se);

  if (strcmp(c->expect, "ok") == 0 || strcmp(c->expect, "list") == 0) {
    ck_assert_msg(list != NULL, "%s: list failed: %s %s", what, le ? error_name(le->code) : "",
                  le ? le->message : "");
    ck_assert_msg(list->len == c->mailboxes->len, "%s: %u mailboxes, expected %u", what, list->len,
                  c->mailboxes->len);
    for (guint k = 0; k < list->len; k++) {
      const TgMailbox *m = g_ptr_array_index(list, k);
      const Expected *e = &g_array_index(c->mailboxes, Expected, k);
      ck_assert_msg(same(m->display_name, e->name), "%s #%u: name [%s], expected [%s]", what, k,
                    m->display_name, e->name);
      ck_assert_msg(same(m->local, e->local), "%s #%u: local [%s], expected [%s]", what, k,
                    m->local, e->local);
      ck_assert_msg(same(m->domain, e->domain), "%s #%u: domain [%s], expected [%s]", what, k,
                    m->domain, e->domain);
      ck_assert_msg(same(m->address, e->address), "%s #%u: address [%s], expected [%s]", what, k,
                    m->address, e->address);
      check_mailbox(m, what);
    }
    if (strcmp(c->expect, "ok") == 0) {
      ck_assert_msg(one != NULL, "%s: single parse failed: %s", what, se ? se->message : "");
      ck_assert_msg(same(one->address, ((TgMailbox *)g_ptr_array_index(list, 0))->address), "%s",
                    what);
      ck_assert_msg(
          same(one->display_name, ((TgMailbox *)g_ptr_array_index(list, 0))->display_name), "%s",
          what);
    } else {
      ck_assert_msg(one == NULL && se != NULL && se->code == TG_MAILBOX_ERROR_TRAILING,
                    "%s: a list must not parse as one mailbox", what);
      check_message(se, what);
    }
  } else {
    ck_assert_msg(list == NULL, "%s: parsed, expected %s (first address [%s])", what, c->expect,
                  ((TgMailbox *)g_ptr_array_index(list, 0))->address);
    ck_assert_msg(le != NULL && strcmp(error_name(le->code), c->expect) == 0,
                  "%s: error %s (%s), expected %s", what, le ? error_name(le->code) : "none",
                  le ? le->message : "", c->expect);
    ck_assert_msg(one == NULL && se != NULL && se->code == le->code,
                  "%s: single parse disagrees with list parse", what);
    check_message(le, what);
  }
}

START_TEST(test_table) {
  for (guint k = 0; k < cases->len; k++)
    check_case(g_ptr_array_index(cases, k));
}
END_TEST

/* ---- formatting ------------------------------------------------------------------------- */

static const struct {
  const char *name, *address, *expected;
} format_cases[] = {
    {NULL, "a@b.c", "a@b.c"},
    {"", "a@b.c", "a@b.c"},
    {"   ", "a@b.c", "a@b.c"},
    {"John Doe", "john@x.com", "John Doe <john@x.com>"},
    {"John", "john@x.com", "John <john@x.com>"},
    {"Doe, John", "john@x.com", "\"Doe, John\" <john@x.com>"},
    {"Doe, John \"JD\"", "john@x.com", "\"Doe, John \\\"JD\\\"\" <john@x.com>"},
    {"back\\slash", "a@b.c", "\"back\\\\slash\" <a@b.c>"},
    {"John Q. Public", "a@b.c", "\"John Q. Public\" <a@b.c>"},
    {"Jörg Müller", "j@x.de", "Jörg Müller <j@x.de>"},
    {"用户", "a@b.c", "用户 <a@b.c>"},
    {"=?UTF-8?B?SsO2cmc=?=", "a@b.c", "\"=?UTF-8?B?SsO2cmc=?=\" <a@b.c>"},
    {"a@b.c", "a@b.c", "\"a@b.c\" <a@b.c>"},
    {"two  spaces", "a@b.c", "\"two  spaces\" <a@b.c>"},
    {" lead", "a@b.c", "\" lead\" <a@b.c>"},
    {"nb\xC2\xA0sp", "a@b.c", "\"nb\xC2\xA0sp\" <a@b.c>"},
    {"line\r\nbreak", "a@b.c", "\"line  break\" <a@b.c>"},
    {"bell\x07", "a@b.c", "\"bell \" <a@b.c>"},
    {"(comment)", "a@b.c", "\"(comment)\" <a@b.c>"},
    {"<x>", "a@b.c", "\"<x>\" <a@b.c>"},
    {"Team:", "a@b.c", "\"Team:\" <a@b.c>"},
    {"semi;colon", "a@b.c", "\"semi;colon\" <a@b.c>"},
    {"O'Brien", "a@b.c", "O'Brien <a@b.c>"},
    {"bad \xFF utf8", "a@b.c", "bad \xEF\xBF\xBD utf8 <a@b.c>"},
    {"John Doe", "\"john doe\"@x.com", "John Doe <\"john doe\"@x.com>"},
};

START_TEST(test_format) {
  for (size_t k = 0; k < G_N_ELEMENTS(format_cases); k++) {
    g_autofree char *got = tg_mailbox_format(format_cases[k].name, format_cases[k].address);
    ck_assert_msg(strcmp(got, format_cases[k].expected) == 0,
                  "format case %zu: [%s], expected [%s]", k, got, format_cases[k].expected);
  }
}
END_TEST

/* Names built from an alphabet of troublesome characters come back unchanged. */
START_TEST(test_format_roundtrip_random) {
  static const char *const pieces[] = {"a",  "Z",        " ",  ",",       ";",
                                       ":",  "\"",       "\\", "(",       ")",
                                       "<",  ">",        "@",  ".",       "[",
                                       "]",  "=?",       "?=", "ö",       "用",
                                       "\t", "\xC2\xA0", "'",  "mailto:", "=?UTF-8?B?SsO2cmc=?="};
  g_autoptr(GRand) rng = g_rand_new_with_seed(5322);
  for (int round = 0; round < 20000; round++) {
    g_autoptr(GString) name = g_string_new(NULL);
    int n = g_rand_int_range(rng, 1, 12);
    for (int k = 0; k < n; k++)
      g_string_append(name, pieces[g_rand_int_range(rng, 0, G_N_ELEMENTS(pieces))]);
    /* The parser trims names, so only trimmed names can come back the same. */
    g_autofree char *trimmed = g_strstrip(g_strdup(name->str));
    gboolean edge_space =
        g_str_has_prefix(trimmed, "\xC2\xA0") || g_str_has_suffix(trimmed, "\xC2\xA0");
    if (trimmed[0] == '\0' || edge_space)
      continue;
    g_autofree char *formatted = tg_mailbox_format(trimmed, "x@y.z");
    g_autoptr(GError) error = NULL;
    g_autoptr(TgMailbox) m = tg_mailbox_parse(formatted, strlen(formatted), &error);
    ck_assert_msg(m != NULL, "[%s] -> [%s]: %s", trimmed, formatted, error ? error->message : "");
    ck_assert_msg(same(m->display_name, trimmed), "[%s] -> [%s] -> [%s]", trimmed, formatted,
                  m->display_name);
    ck_assert_str_eq(m->address, "x@y.z");
  }
}
END_TEST

/* ---- robustness ------------------------------------------------------------------------- */

/* Parses `len` bytes both ways; whatever happens must be a clean success or a clean error. */
static void parse_cleanly(const void *bytes, size_t len, const char *what) {
  g_autofree char *in = exact_copy(bytes, len);
  g_autoptr(GError) le = NULL, se = NULL;
  g_autoptr(GPtrArray) list = tg_mailbox_parse_list(in, len, &le);
  g_autoptr(TgMailbox) one = tg_mailbox_parse(in, len, &se);
  if (list == NULL) {
    ck_assert_msg(le != NULL, "%s: NULL without an error", what);
    check_message(le, what);
    ck_assert_msg(one == NULL && se != NULL && se->code == le->code, "%s", what);
    return;
  }
  ck_assert_msg(le == NULL && list->len > 0, "%s", what);
  for (guint k = 0; k < list->len; k++)
    check_mailbox(g_ptr_array_index(list, k), what);
  if (one == NULL) {
    ck_assert_msg(se != NULL && se->code == TG_MAILBOX_ERROR_TRAILING, "%s", what);
    check_message(se, what);
  } else
    ck_assert_msg(list->len == 1 &&
                      strcmp(one->address, ((TgMailbox *)g_ptr_array_index(list, 0))->address) == 0,
                  "%s", what);
}

START_TEST(test_every_prefix) {
  for (guint c = 0; c < cases->len; c++) {
    const Case *k = g_ptr_array_index(cases, c);
    for (size_t n = 0; n <= k->input->len; n++) {
      g_autofree char *what = g_strdup_printf("mailbox.tsv:%u prefix %zu", k->line, n);
      parse_cleanly(k->input->data, n, what);
      /* and every suffix: a parser must not depend on seeing the start either */
      parse_cleanly(k->input->data + n, k->input->len - n, what);
    }
  }
}
END_TEST

START_TEST(test_random_bytes) {
  /* Mostly the characters the grammar cares about, so the walk goes deep; some raw bytes. */
  static const char alphabet[] = "ab.@<>\"\\(),;:[] \t\r\n=?_-";
  g_autoptr(GRand) rng = g_rand_new_with_seed(6532);
  guint8 buf[300];
  for (int round = 0; round < 30000; round++) {
    size_t len = (size_t)g_rand_int_range(rng, 0, sizeof buf);
    for (size_t k = 0; k < len; k++) {
      if (g_rand_int_range(rng, 0, 10) == 0)
        buf[k] = (guint8)g_rand_int_range(rng, 0, 256);
      else
        buf[k] = (guint8)alphabet[g_rand_int_range(rng, 0, sizeof alphabet - 1)];
    }
    g_autofree char *what = g_strdup_printf("random round %d", round);
    parse_cleanly(buf, len, what);
  }
}
END_TEST

START_TEST(test_mutated_cases) {
  static const char specials[] = "@<>\"\\(),;:[]. ";
  g_autoptr(GRand) rng = g_rand_new_with_seed(2047);
  for (int round = 0; round < 30000; round++) {
    const Case *c = g_ptr_array_index(cases, (guint)g_rand_int_range(rng, 0, (gint32)cases->len));
    g_autoptr(GByteArray) b = g_byte_array_new();
    g_byte_array_append(b, c->input->data, c->input->len);
    int edits = g_rand_int_range(rng, 1, 4);
    for (int e = 0; e < edits; e++) {
      guint8 ch = g_rand_boolean(rng)
                      ? (guint8)specials[g_rand_int_range(rng, 0, sizeof specials - 1)]
                      : (guint8)g_rand_int_range(rng, 0, 256);
      guint pos = b->len > 0 ? (guint)g_rand_int_range(rng, 0, (gint32)b->len) : 0;
      switch (g_rand_int_range(rng, 0, 3)) {
      case 0:
        if (b->len > 0)
          b->data[pos] = ch;
        break;
      case 1:
        g_byte_array_set_size(b, b->len + 1);
        memmove(b->data + pos + 1, b->data + pos, b->len - 1 - pos);
        b->data[pos] = ch;
        break;
      default:
        if (b->len > 0)
          g_byte_array_remove_index(b, pos);
        break;
      }
    }
    g_autofree char *what = g_strdup_printf("mutation %d of mailbox.tsv:%u", round, c->line);
    parse_cleanly(b->data, b->len, what);
  }
}
END_TEST

/* ---- limits ----------------------------------------------------------------------------- */

static GString *repeat(const char *s, size_t times) {
  GString *g = g_string_new(NULL);
  for (size_t k = 0; k < times; k++)
    g_string_append(g, s);
  return g;
}

static int error_code(const char *s, size_t len) {
  g_autofree char *in = exact_copy(s, len);
  g_autoptr(GError) e = NULL;
  g_autoptr(GPtrArray) list = tg_mailbox_parse_list(in, len, &e);
  return list == NULL ? e->code : -1;
}

START_TEST(test_length_limit) {
  /* exactly TG_MAX_ADDRESS_BYTES is accepted, one more byte is TOO_LONG, and a huge length is
   * refused before a single byte is read (NULL-ish buffer of 1 byte would crash otherwise) */
  g_autoptr(GString) g = repeat("a", TG_MAX_ADDRESS_BYTES - strlen("@x.com"));
  g_string_append(g, "@x.com");
  ck_assert_uint_eq(g->len, TG_MAX_ADDRESS_BYTES);
  ck_assert_int_eq(error_code(g->str, g->len), -1);
  g_string_prepend_c(g, 'a');
  ck_assert_int_eq(error_code(g->str, g->len), TG_MAILBOX_ERROR_TOO_LONG);
  char one = 'a';
  g_autoptr(GError) e = NULL;
  ck_assert_ptr_null(tg_mailbox_parse_list(&one, (size_t)1 << 40, &e));
  ck_assert_int_eq(e->code, TG_MAILBOX_ERROR_TOO_LONG);
  check_message(e, "too long");
}
END_TEST

/* A name of 1030 backslashes parses (as 1030 unquoted `\` specials are a phrase) but its
 * formatted form needs 2060 bytes plus the address: longer than the limit, refused cleanly. */
START_TEST(test_format_outgrows_limit) {
  g_autoptr(GString) g = repeat("\\", 1030);
  g_string_append(g, " <a@b.c>");
  g_autoptr(TgMailbox) m = tg_mailbox_parse(g->str, g->len, NULL);
  ck_assert_ptr_nonnull(m);
  ck_assert_uint_eq(strlen(m->display_name), 1030);
  g_autofree char *formatted = tg_mailbox_format(m->display_name, m->address);
  ck_assert_uint_gt(strlen(formatted), TG_MAX_ADDRESS_BYTES);
  ck_assert_int_eq(error_code(formatted, strlen(formatted)), TG_MAILBOX_ERROR_TOO_LONG);
  check_mailbox(m, "1030 backslashes");
}
END_TEST

START_TEST(test_comment_depth) {
  for (size_t depth = 1; depth <= TG_MAILBOX_MAX_COMMENT_DEPTH + 1; depth++) {
    g_autoptr(GString) g = g_string_new("a@b.c ");
    for (size_t k = 0; k < depth; k++)
      g_string_append_c(g, '(');
    g_string_append(g, "x");
    for (size_t k = 0; k < depth; k++)
      g_string_append_c(g, ')');
    ck_assert_int_eq(error_code(g->str, g->len),
                     depth <= TG_MAILBOX_MAX_COMMENT_DEPTH ? -1 : TG_MAILBOX_ERROR_UNBALANCED);
  }
  g_autoptr(GString) deep = repeat("(", TG_MAX_ADDRESS_BYTES);
  ck_assert_int_eq(error_code(deep->str, deep->len), TG_MAILBOX_ERROR_UNBALANCED);
}
END_TEST

START_TEST(test_many_separators) {
  g_autoptr(GString) commas = repeat(",", TG_MAX_ADDRESS_BYTES);
  ck_assert_int_eq(error_code(commas->str, commas->len), TG_MAILBOX_ERROR_EMPTY);
  g_autoptr(GString) many = repeat("a@b,", TG_MAX_ADDRESS_BYTES / 4);
  g_autoptr(GPtrArray) list = tg_mailbox_parse_list(many->str, many->len, NULL);
  ck_assert_ptr_nonnull(list);
  ck_assert_uint_eq(list->len, TG_MAX_ADDRESS_BYTES / 4);
  g_autoptr(GString) groups = repeat("g:;", TG_MAX_ADDRESS_BYTES / 3);
  ck_assert_int_eq(error_code(groups->str, groups->len), TG_MAILBOX_ERROR_EMPTY);
}
END_TEST

#if TG_TIMING_TESTS
/* CPU seconds of this process: unlike wall time, not inflated by a busy CI machine. */
static double cpu_seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The least of three runs: interruptions only ever add time. */
static double time_parses(const GString *g, int reps) {
  double best = G_MAXDOUBLE;
  for (int run = 0; run < 3; run++) {
    double t0 = cpu_seconds();
    for (int r = 0; r < reps; r++)
      (void)error_code(g->str, g->len);
    best = MIN(best, cpu_seconds() - t0);
  }
  return best;
}

/* Linear time: four times the input is at most about four times the work. For each shape that
 * stresses one part of the parser, the time for TG_MAX_ADDRESS_BYTES is compared with the time
 * for a quarter of it: a quadratic walk gives a ratio near 16, a linear one near 4 (or 1, when
 * the parser stops early, as on deep comments); the limit is 8. Each measurement runs long
 * enough (>= 30 ms, least of three) to be stable. */
START_TEST(test_linear_time) {
  static const char *const units[] = {
      "a@b,", ",",    "(",        "a.", "<",        "\"",  "=?UTF-8?Q?a?= ", "@", "a ",
      "g:",   "<@r,", "a@b (c) ", "x",  "\xC2\xA0", "(x)", "a:a@b;"};
  for (guint u = 0; u < G_N_ELEMENTS(units); u++) {
    size_t n = strlen(units[u]);
    g_autoptr(GString) full = repeat(units[u], TG_MAX_ADDRESS_BYTES / n);
    g_autoptr(GString) quarter = repeat(units[u], TG_MAX_ADDRESS_BYTES / n / 4);
    int reps = 1;
    while (time_parses(quarter, reps) < 0.03 && reps < (1 << 20))
      reps *= 2;
    double t_quarter = time_parses(quarter, reps), t_full = time_parses(full, reps);
    double ratio = t_full / t_quarter;
    ck_assert_msg(ratio < 8.0, "[%s]x%zu: %.3f s for 2 KiB vs %.3f s for 512 B (ratio %.2f)",
                  units[u], TG_MAX_ADDRESS_BYTES / n, t_full, t_quarter, ratio);
  }
}
END_TEST

#endif

START_TEST(test_null_and_empty) {
  g_autoptr(GError) e = NULL;
  ck_assert_ptr_null(tg_mailbox_parse_list(NULL, 0, &e));
  ck_assert_int_eq(e->code, TG_MAILBOX_ERROR_EMPTY);
  ck_assert_ptr_null(tg_mailbox_parse(NULL, 0, NULL)); /* NULL error is allowed */
  tg_mailbox_free(NULL);
}
END_TEST

int main(void) {
  load_cases();
  if (cases->len < 150)
    g_error("mailbox.tsv holds %u cases; it should hold 150 or more", cases->len);
  Suite *s = suite_create("mailbox");
  TCase *tc = tcase_create("table");
  tcase_add_test(tc, test_table);
  tcase_add_test(tc, test_format);
  tcase_add_test(tc, test_null_and_empty);
  suite_add_tcase(s, tc);
  TCase *robust = tcase_create("robustness");
  tcase_set_timeout(robust, 300);
  tcase_add_test(robust, test_format_roundtrip_random);
  tcase_add_test(robust, test_every_prefix);
  tcase_add_test(robust, test_random_bytes);
  tcase_add_test(robust, test_mutated_cases);
  tcase_add_test(robust, test_length_limit);
  tcase_add_test(robust, test_comment_depth);
  tcase_add_test(robust, test_format_outgrows_limit);
  tcase_add_test(robust, test_many_separators);
#if TG_TIMING_TESTS
  tcase_add_test(robust, test_linear_time);
#endif
  suite_add_tcase(s, robust);
  return tg_run_suite(s, NULL, TG_SUITE_DEFAULT);
}
