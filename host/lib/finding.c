/* finding.c — names of the enums in typoguard.h and the finding/message tables of finding.h.
 * Every name here is the exact JSON spelling of DESIGN.md; nothing else in the code spells them. */
#include "finding.h"

#include <string.h>

#define TG_CODE_NAME_(e, name, sev) [e] = name,
static const char *const code_names[TG_CODE_COUNT] = {TG_FINDING_TABLE(TG_CODE_NAME_)};
#undef TG_CODE_NAME_

#define TG_CODE_SEV_(e, name, sev) [e] = sev,
static const TgSeverity code_severities[TG_CODE_COUNT] = {TG_FINDING_TABLE(TG_CODE_SEV_)};
#undef TG_CODE_SEV_

#define TG_MSG_CODE_(id, code, text) [id] = code,
static const TgCode message_codes[TG_MSG_COUNT] = {TG_MESSAGE_TABLE(TG_MSG_CODE_)};
#undef TG_MSG_CODE_

#define TG_MSG_ENUM_NAME_(id, code, text) [id] = #id,
static const char *const message_enum_names[TG_MSG_COUNT] = {TG_MESSAGE_TABLE(TG_MSG_ENUM_NAME_)};
#undef TG_MSG_ENUM_NAME_

#define TG_MSG_TEXT_(id, code, text) [id] = text,
static const char *const message_texts[TG_MSG_COUNT] = {TG_MESSAGE_TABLE(TG_MSG_TEXT_)};
#undef TG_MSG_TEXT_

static const char *const severity_names[] = {"ok", "info", "warn", "block"};
static const char *const field_names[TG_FIELD_COUNT] = {"to", "cc", "bcc", "replyTo", "followupTo"};
static const char *const level_names[] = {"off", "info", "warn"};

const char *tg_severity_name(TgSeverity s) {
  return (unsigned)s < G_N_ELEMENTS(severity_names) ? severity_names[s] : "ok";
}

bool tg_severity_from_name(const char *name, TgSeverity *out) {
  for (size_t i = 0; name && i < G_N_ELEMENTS(severity_names); i++)
    if (strcmp(name, severity_names[i]) == 0) {
      *out = (TgSeverity)i;
      return true;
    }
  return false;
}

const char *tg_code_name(TgCode c) {
  return (unsigned)c < TG_CODE_COUNT ? code_names[c] : "unknown";
}

bool tg_code_from_name(const char *name, TgCode *out) {
  for (size_t i = 0; name && i < TG_CODE_COUNT; i++)
    if (strcmp(name, code_names[i]) == 0) {
      *out = (TgCode)i;
      return true;
    }
  return false;
}

TgSeverity tg_code_default_severity(TgCode c) {
  return (unsigned)c < TG_CODE_COUNT ? code_severities[c] : TG_SEVERITY_OK;
}

const char *tg_field_name(TgField f) {
  return (unsigned)f < TG_FIELD_COUNT ? field_names[f] : "to";
}

bool tg_field_from_name(const char *name, TgField *out) {
  for (size_t i = 0; name && i < TG_FIELD_COUNT; i++)
    if (strcmp(name, field_names[i]) == 0) {
      *out = (TgField)i;
      return true;
    }
  return false;
}

const char *tg_level_name(TgLevel l) {
  return (unsigned)l < G_N_ELEMENTS(level_names) ? level_names[l] : "off";
}

bool tg_level_from_name(const char *name, TgLevel *out) {
  for (size_t i = 0; name && i < G_N_ELEMENTS(level_names); i++)
    if (strcmp(name, level_names[i]) == 0) {
      *out = (TgLevel)i;
      return true;
    }
  return false;
}

const char *tg_version(void) {
#ifdef TYPOGUARD_VERSION
  return TYPOGUARD_VERSION;
#else
  return "0.0.0";
#endif
}

TgCode tg_message_code(TgMessageId id) {
  g_return_val_if_fail((unsigned)id < TG_MSG_COUNT, TG_CODE_SYNTAX);
  return message_codes[id];
}

const char *tg_message_template(TgMessageId id) {
  g_return_val_if_fail((unsigned)id < TG_MSG_COUNT, "");
  return message_texts[id];
}

static const struct {
  const char *key;
  size_t offset;
} blanks[] = {
    {"domain", G_STRUCT_OFFSET(TgMessageArgs, domain)},
    {"tld", G_STRUCT_OFFSET(TgMessageArgs, tld)},
    {"intended", G_STRUCT_OFFSET(TgMessageArgs, intended)},
    {"owner", G_STRUCT_OFFSET(TgMessageArgs, owner)},
    {"script", G_STRUCT_OFFSET(TgMessageArgs, script)},
    {"address", G_STRUCT_OFFSET(TgMessageArgs, address)},
    {"name", G_STRUCT_OFFSET(TgMessageArgs, name)},
    {"reason", G_STRUCT_OFFSET(TgMessageArgs, reason)},
    {"char", G_STRUCT_OFFSET(TgMessageArgs, glyph)},
    {"looks_like", G_STRUCT_OFFSET(TgMessageArgs, looks_like)},
    {"char_name", G_STRUCT_OFFSET(TgMessageArgs, glyph_name)},
    {"description", G_STRUCT_OFFSET(TgMessageArgs, description)},
    {"script_code", G_STRUCT_OFFSET(TgMessageArgs, script_code)},
    {"kind", G_STRUCT_OFFSET(TgMessageArgs, kind)},
};

static const char *blank_value(const TgMessageArgs *a, const char *key, size_t len) {
  for (size_t i = 0; i < G_N_ELEMENTS(blanks); i++)
    if (strlen(blanks[i].key) == len && memcmp(blanks[i].key, key, len) == 0) {
      const char *v = G_STRUCT_MEMBER(const char *, a, blanks[i].offset);
      return v ? v : "";
    }
  /* Unknown blank: a bug in the table, caught by test_finding. Render it visibly. */
  return NULL;
}

char *tg_message_format(TgMessageId id, const TgMessageArgs *args) {
  static const TgMessageArgs none = {0};
  const char *t = tg_message_template(id);
  if (!args)
    args = &none;
  GString *out = g_string_sized_new(strlen(t) + 64);
  while (*t) {
    const char *open = strchr(t, '{');
    const char *close = open ? strchr(open, '}') : NULL;
    if (!open || !close) {
      g_string_append(out, t);
      break;
    }
    g_string_append_len(out, t, open - t);
    const char *v = blank_value(args, open + 1, (size_t)(close - open - 1));
    if (v)
      g_string_append(out, v);
    else
      g_string_append_len(out, open, close - open + 1);
    t = close + 1;
  }
  return g_string_free(out, FALSE);
}

const char *tg_message_name(TgMessageId id) {
  g_return_val_if_fail((unsigned)id < TG_MSG_COUNT, "");
  /* Built once from the enum names: a new sentence gets its name without a second table. */
  static const char *names[TG_MSG_COUNT];
  static gsize once;
  if (g_once_init_enter(&once)) {
    for (size_t i = 0; i < TG_MSG_COUNT; i++) {
      g_autofree char *low = g_ascii_strdown(message_enum_names[i] + strlen("TG_MSG_"), -1);
      const char *code = code_names[message_codes[i]];
      size_t n = strlen(code);
      if (strncmp(low, code, n) == 0 && low[n] == '_')
        low[n] = '.';
      names[i] = g_intern_string(low);
    }
    g_once_init_leave(&once, 1);
  }
  return names[id];
}

void tg_finding_set_message(TgFinding *f, TgMessageId id, const TgMessageArgs *args) {
  static const TgMessageArgs none = {0};
  if (!args)
    args = &none;
  g_free(f->message);
  f->message = tg_message_format(id, args);
  f->message_id = tg_message_name(id);
  g_strfreev(f->args);
  GPtrArray *kv = g_ptr_array_new();
  for (size_t i = 0; i < G_N_ELEMENTS(blanks); i++) {
    const char *v = G_STRUCT_MEMBER(const char *, args, blanks[i].offset);
    if (!v)
      continue;
    g_ptr_array_add(kv, g_strdup(blanks[i].key));
    g_ptr_array_add(kv, g_strdup(v));
  }
  g_ptr_array_add(kv, NULL);
  f->args = (char **)g_ptr_array_free(kv, FALSE);
}

TgFinding *tg_finding_new(size_t recipient, TgField field, TgCode code, double confidence,
                          const char *address, const char *domain) {
  TgFinding *f = g_new0(TgFinding, 1);
  f->recipient = recipient;
  f->field = field;
  f->code = code;
  f->severity = tg_code_default_severity(code);
  f->confidence = confidence;
  f->address = g_strdup(address);
  f->domain = g_strdup(domain);
  return f;
}

void tg_finding_free(TgFinding *f) {
  if (!f)
    return;
  g_free(f->address);
  g_free(f->domain);
  g_free(f->suggestion);
  g_free(f->replacement);
  g_free(f->message);
  g_strfreev(f->args);
  g_free(f);
}
