/* test_finding.c — the one table of finding codes and messages: the docs' tables list the codes
 * and default severities of TG_FINDING_TABLE, every template fills all its blanks, names
 * round-trip. */
#include <check.h>
#include <glib.h>
#include <stdlib.h>
#include <string.h>

#include "finding.h"
#include "runsuite.h"

/* The findings tables of the docs list exactly the codes of TG_FINDING_TABLE, in its order, and
 * where they give a default severity it is the code's (the word "off" for ok). A code added,
 * renamed, reordered or given another default in one place and not the others fails here. */
typedef struct {
  const char *file;
  const char *start; /* the line the table follows */
  const char *row;   /* a regex: group 1 the code, group 2 (if any) the default column */
} DocTable;

static const DocTable doc_tables[] = {
    {"DESIGN.md", "## Findings", "^\\| `([a-z_]+)` \\|"},
    {"README.md", "## Findings", "^\\| `([a-z_]+)` \\|.*\\| ([a-z]+)[^|]*\\|$"},
    {"packaging/typoguard-host.1", "code\tmeaning\tdefault", "^([a-z_]+)\t[^\t]+\t([a-z]+)"},
};

START_TEST(code_table) {
  const DocTable *d = &doc_tables[_i];
  g_autofree char *path = g_build_filename(TG_SOURCE_DIR, d->file, NULL);
  g_autofree char *text = NULL;
  ck_assert_msg(g_file_get_contents(path, &text, NULL, NULL), "cannot read %s", path);
  const char *table = strstr(text, d->start);
  ck_assert_msg(table != NULL, "%s has no %s", d->file, d->start);
  g_autoptr(GRegex) re = g_regex_new(d->row, G_REGEX_MULTILINE, 0, NULL);
  ck_assert(re != NULL);
  g_auto(GStrv) lines = g_strsplit(table, "\n", -1);
  int next = 0;
  for (size_t i = 1; lines[i] && next < TG_CODE_COUNT; i++) {
    g_autoptr(GMatchInfo) m = NULL;
    if (!g_regex_match(re, lines[i], 0, &m))
      continue;
    g_autofree char *code = g_match_info_fetch(m, 1);
    TgCode c = (TgCode)next;
    ck_assert_msg(strcmp(code, tg_code_name(c)) == 0, "%s: row %d is %s, the code table says %s",
                  d->file, next + 1, code, tg_code_name(c));
    if (g_match_info_get_match_count(m) > 2) {
      g_autofree char *sev = g_match_info_fetch(m, 2);
      TgSeverity want = tg_code_default_severity(c);
      const char *name = want == TG_SEVERITY_OK ? "off" : tg_severity_name(want);
      ck_assert_msg(strcmp(sev, name) == 0, "%s: %s defaults to %s, the code table says %s",
                    d->file, code, sev, name);
    }
    TgCode back;
    ck_assert(tg_code_from_name(code, &back) && back == c);
    next++;
  }
  ck_assert_msg(next == TG_CODE_COUNT, "%s lists %d of the %d codes", d->file, next, TG_CODE_COUNT);
}
END_TEST

START_TEST(enum_names) {
  const char *sev[] = {"ok", "info", "warn", "block"};
  for (int i = 0; i < 4; i++) {
    TgSeverity s;
    ck_assert_str_eq(tg_severity_name((TgSeverity)i), sev[i]);
    ck_assert(tg_severity_from_name(sev[i], &s) && s == (TgSeverity)i);
  }
  const char *fields[] = {"to", "cc", "bcc", "replyTo", "followupTo"};
  for (int i = 0; i < TG_FIELD_COUNT; i++) {
    TgField f;
    ck_assert_str_eq(tg_field_name((TgField)i), fields[i]);
    ck_assert(tg_field_from_name(fields[i], &f) && f == (TgField)i);
  }
  const char *levels[] = {"off", "info", "warn"};
  for (int i = 0; i < 3; i++) {
    TgLevel l;
    ck_assert_str_eq(tg_level_name((TgLevel)i), levels[i]);
    ck_assert(tg_level_from_name(levels[i], &l) && l == (TgLevel)i);
  }
  TgSeverity s;
  TgField f;
  TgLevel l;
  TgCode c;
  ck_assert(!tg_severity_from_name("BLOCK", &s));
  ck_assert(!tg_field_from_name("reply_to", &f));
  ck_assert(!tg_level_from_name(NULL, &l));
  ck_assert(!tg_code_from_name("typo", &c));
  ck_assert_str_eq(tg_version(), TYPOGUARD_VERSION);
}
END_TEST

/* Every template, filled with every blank, leaves no brace behind and no jargon for the user. */
START_TEST(templates_fill) {
  TgMessageArgs a = {"army.ml",
                     "ml",
                     "army.mil",
                     "Mali",
                     "Cyrillic",
                     "x@army.ml",
                     "John",
                     "why",
                     "а",
                     "a",
                     "cyrillic small letter a",
                     "dotless i",
                     "Cyrl",
                     "script"};
  TgMessageId id = (TgMessageId)_i;
  g_autofree char *m = tg_message_format(id, &a);
  ck_assert_msg(!strchr(m, '{') && !strchr(m, '}'), "%s", m);
  ck_assert(m[strlen(m) - 1] == '.' || m[strlen(m) - 1] == '?');
  const char *jargon[] = {"TLD", "tld", "punycode", "Levenshtein", "IDN", "skeleton"};
  for (size_t j = 0; j < G_N_ELEMENTS(jargon); j++)
    ck_assert_msg(!strstr(m, jargon[j]), "%s", m);
  ck_assert_int_lt(tg_message_code(id), TG_CODE_COUNT);
}
END_TEST

/* message_id: a stable name per sentence, derived from the table, unique; args: every value. */
START_TEST(message_names_and_args) {
  ck_assert_str_eq(tg_message_name(TG_MSG_TLD_CONFUSION_OWN), "tld_confusion.own");
  ck_assert_str_eq(tg_message_name(TG_MSG_NEAR_MISS), "near_miss");
  ck_assert_str_eq(tg_message_name(TG_MSG_HOMOGLYPH_SCRIPT), "homoglyph.script");
  ck_assert_str_eq(tg_message_name(TG_MSG_FIRST_CONTACT), "first_contact");
  g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);
  for (int i = 0; i < TG_MSG_COUNT; i++) {
    const char *n = tg_message_name((TgMessageId)i);
    ck_assert_msg(g_str_has_prefix(n, tg_code_name(tg_message_code((TgMessageId)i))), "%s", n);
    ck_assert_msg(g_hash_table_add(seen, (gpointer)n), "duplicate %s", n);
  }
  g_autoptr(TgFinding) f =
      tg_finding_new(0, TG_FIELD_TO, TG_CODE_HOMOGLYPH, 0.9, "x@gmаil.com", "gmаil.com");
  TgMessageArgs a = {
      .domain = "gmаil.com", .intended = "gmail.com", .glyph = "а", .script_code = "Cyrl"};
  tg_finding_set_message(f, TG_MSG_HOMOGLYPH, &a);
  ck_assert_str_eq(f->message_id, "homoglyph");
  ck_assert_int_eq(g_strv_length(f->args), 8);
  ck_assert_str_eq(f->args[0], "domain");
  ck_assert_str_eq(f->args[1], "gmаil.com");
  ck_assert_str_eq(f->args[6], "script_code");
  ck_assert_str_eq(f->args[7], "Cyrl");
  tg_finding_set_message(f, TG_MSG_EXTERNAL, NULL); /* replaces, and frees, the old values */
  ck_assert_str_eq(f->message_id, "external");
  ck_assert_ptr_null(f->args[0]);
}
END_TEST

START_TEST(dialog_sentences) {
  struct {
    TgMessageId id;
    TgMessageArgs a;
    const char *want;
  } t[] = {
      {TG_MSG_TLD_CONFUSION_OWN,
       {.domain = "army.ml", .tld = "ml", .intended = "army.mil", .owner = "Mali"},
       "army.ml is in Mali (.ml). Did you mean army.mil?"},
      {TG_MSG_TLD_CONFUSION_WELLKNOWN,
       {.domain = "gmail.co", .tld = "co", .intended = "gmail.com", .owner = "Colombia"},
       "gmail.co is in Colombia (.co). Did you mean gmail.com?"},
      {TG_MSG_NEAR_MISS,
       {.domain = "gmial.com", .intended = "gmail.com"},
       "gmial.com looks like a typo. Did you mean gmail.com?"},
      {TG_MSG_NEAR_MISS_DOT,
       {.domain = "usarmy.mil", .intended = "us.army.mil"},
       "usarmy.mil is missing a dot. Did you mean us.army.mil?"},
      {TG_MSG_INVALID_TLD,
       {.domain = "gmail.con", .tld = "con", .intended = "gmail.com"},
       "gmail.con does not exist: .con is not a domain ending. Did you mean gmail.com?"},
      {TG_MSG_HOMOGLYPH_SCRIPT,
       {.domain = "аrmy.mil",
        .script = "Cyrillic",
        .intended = "army.mil",
        .glyph = "а",
        .looks_like = "a"},
       "аrmy.mil is not army.mil: the “а” here is a Cyrillic letter, not a Latin “a”."},
      {TG_MSG_HOMOGLYPH_LETTER,
       {.domain = "gmaıl.com",
        .intended = "gmail.com",
        .glyph = "ı",
        .looks_like = "i",
        .description = "dotless i"},
       "gmaıl.com is not gmail.com: the “ı” here is another letter (dotless i), not “i”."},
      {TG_MSG_HOMOGLYPH_ASCII,
       {.domain = "hotrnail.com", .intended = "hotmail.com", .glyph = "rn", .looks_like = "m"},
       "hotrnail.com is not hotmail.com: it has “rn” where hotmail.com has “m”."},
      {TG_MSG_BLOCKED_TLD,
       {.tld = "ml"},
       "Your organisation does not allow mail to .ml addresses."},
      {TG_MSG_SYNTAX_INCOMPLETE, {0}, "This is not a complete email address."},
      {TG_MSG_CONTACT_NEAR_MISS,
       {.intended = "john.doe@army.mil", .address = "jon.doe@army.mil"},
       "jon.doe@army.mil differs slightly from the known address john.doe@army.mil. Did you mean "
       "john.doe@army.mil?"},
      {TG_MSG_EXTERNAL, {0}, "Outside your organisation."},
      {TG_MSG_FIRST_CONTACT, {0}, "First message to this domain."},
  };
  for (size_t i = 0; i < G_N_ELEMENTS(t); i++) {
    g_autofree char *m = tg_message_format(t[i].id, &t[i].a);
    ck_assert_str_eq(m, t[i].want);
  }
  g_autofree char *empty = tg_message_format(TG_MSG_NEAR_MISS, NULL);
  ck_assert_str_eq(empty, " looks like a typo. Did you mean ?");
}
END_TEST

START_TEST(finding_alloc) {
  g_autoptr(TgFinding) f = tg_finding_new(3, TG_FIELD_BCC, TG_CODE_NEAR_MISS, 0.8, "a@b.c", NULL);
  ck_assert_uint_eq(f->recipient, 3);
  ck_assert_int_eq(f->severity, TG_SEVERITY_WARN);
  ck_assert_str_eq(f->address, "a@b.c");
  ck_assert_ptr_null(f->domain);
  ck_assert_ptr_null(f->suggestion);
}
END_TEST

int main(void) {
  Suite *s = suite_create("finding");
  TCase *tc = tcase_create("core");
  tcase_add_loop_test(tc, code_table, 0, (int)G_N_ELEMENTS(doc_tables));
  tcase_add_test(tc, enum_names);
  tcase_add_loop_test(tc, templates_fill, 0, TG_MSG_COUNT);
  tcase_add_test(tc, dialog_sentences);
  tcase_add_test(tc, message_names_and_args);
  tcase_add_test(tc, finding_alloc);
  suite_add_tcase(s, tc);
  return tg_run_suite(s, NULL, TG_SUITE_DEFAULT);
}
