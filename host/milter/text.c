/* text.c — printable ASCII for replies, headers and the log (see text.h). */
#include "text.h"

#include <idn2.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

char *tg_milter_printable(const char *text, size_t max) {
  GString *out = g_string_sized_new(64);
  for (const char *p = text ? text : ""; *p && out->len < max; p++) {
    unsigned char c = (unsigned char)*p;
    if (c >= 0x80) {
      /* One '?' for a whole UTF-8 character: skip its continuation bytes. */
      while (((unsigned char)p[1] & 0xC0) == 0x80)
        p++;
      g_string_append_c(out, '?');
    } else {
      g_string_append_c(out, (c < 0x20 || c == 0x7f) ? ' ' : (char)c);
    }
  }
  return g_string_free(out, false);
}

char *tg_milter_ascii_domain(const char *domain) {
  if (!domain)
    return g_strdup("-");
  char *alabel = NULL;
  if (idn2_to_ascii_8z(domain, &alabel, IDN2_NONTRANSITIONAL) == IDN2_OK && alabel) {
    char *out = tg_milter_printable(alabel, TG_MILTER_MAX_FIELD);
    idn2_free(alabel);
    return out;
  }
  return tg_milter_printable(domain, TG_MILTER_MAX_FIELD);
}

char *tg_milter_reply_text(const char *text) {
  g_autofree char *clean = tg_milter_printable(text, TG_MILTER_MAX_REPLY_TEXT);
  GString *out = g_string_sized_new(strlen(clean) + 8);
  for (const char *p = clean; *p && out->len + 2 <= TG_MILTER_MAX_REPLY_TEXT; p++) {
    if (*p == '%')
      g_string_append(out, "%%");
    else
      g_string_append_c(out, *p);
  }
  return g_string_free(out, false);
}
