/* fuzz_domain.c — libFuzzer target for domain normalisation (host/lib/domain.c) and the two
 * normalisers built on it (the context's, for recipients and lists, and the settings').
 *
 * Owns the properties of the one normal form, for any text: a success is a lower-case LDH domain
 * of at most TG_MAX_DOMAIN_BYTES in labels of 1..TG_MAX_LABEL_BYTES without edge hyphens or a
 * trailing dot (or an address literal), `idn` exactly when a label is an A-label, a valid UTF-8
 * display form; normalising is idempotent, from the ASCII and from the Unicode form alike; a
 * failure is a TG_DOMAIN_ERROR with a message; registrable domain, parent and TLD point inside
 * the domain and contain it; the settings' normaliser is idempotent too.
 *
 * Input: the text after the @ (up to the first NUL; the API takes C strings). Seeds: the domains
 * of tests/cases/detect.tsv and tests/cases/mailbox.tsv (seeds.py). */
#include "fuzz_common.h"

#include "config.h"
#include "context.h"
#include "domain.h"
#include "typoguard.h"

static void check_form(const TgDomain *d) {
  REQUIRE(d->ascii && d->unicode);
  REQUIRE(g_utf8_validate(d->unicode, -1, NULL));
  if (d->literal) {
    REQUIRE(d->ascii[0] == '[' && !d->idn);
    return;
  }
  size_t len = strlen(d->ascii);
  REQUIRE_MSG(len > 0 && len <= TG_MAX_DOMAIN_BYTES, "'%s'", d->ascii);
  REQUIRE(d->ascii[len - 1] != '.');
  bool alabel = false;
  g_auto(GStrv) labels = g_strsplit(d->ascii, ".", -1);
  for (unsigned i = 0; labels[i]; i++) {
    size_t n = strlen(labels[i]);
    REQUIRE_MSG(n >= 1 && n <= TG_MAX_LABEL_BYTES, "'%s'", d->ascii);
    REQUIRE_MSG(labels[i][0] != '-' && labels[i][n - 1] != '-', "'%s'", d->ascii);
    for (size_t k = 0; k < n; k++)
      REQUIRE_MSG(g_ascii_islower(labels[i][k]) || g_ascii_isdigit(labels[i][k]) ||
                      labels[i][k] == '-',
                  "'%s'", d->ascii);
    alabel = alabel || g_str_has_prefix(labels[i], "xn--");
  }
  REQUIRE_MSG(d->idn == alabel, "'%s'", d->ascii);
  if (!d->idn)
    REQUIRE(strcmp(d->unicode, d->ascii) == 0);
}

static void check_again(const char *text, const TgDomain *want) {
  TgDomain again;
  g_autoptr(GError) error = NULL;
  REQUIRE_MSG(tg_domain_normalise(text, &again, &error), "'%s' (of '%s') does not normalise: %s",
              text, want->ascii, error->message);
  REQUIRE_MSG(strcmp(again.ascii, want->ascii) == 0, "'%s' -> '%s', then '%s'", text, want->ascii,
              again.ascii);
  REQUIRE(strcmp(again.unicode, want->unicode) == 0);
  tg_domain_clear(&again);
}

static void check_psl(const char *ascii) {
  const psl_ctx_t *psl = fuzz_psl();
  size_t len = strlen(ascii);
  const char *tld = tg_domain_tld(ascii);
  REQUIRE(tld >= ascii && tld <= ascii + len);
  const char *parent = tg_domain_parent(ascii);
  if (parent)
    REQUIRE(parent > ascii && parent[-1] == '.' && tg_domain_is_within(ascii, parent));
  const char *reg = tg_domain_registrable(psl, ascii);
  if (reg) {
    REQUIRE(reg >= ascii && reg < ascii + len);
    REQUIRE(tg_domain_is_within(ascii, reg));
    REQUIRE(tg_domain_has_real_tld(psl, ascii));
  }
  (void)tg_domain_tld_exists(psl, tld);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fuzz_quiet();
  g_autofree char *text = g_strndup((const char *)data, size);

  TgDomain d;
  g_autoptr(GError) error = NULL;
  if (tg_domain_normalise(text, &d, &error)) {
    REQUIRE(error == NULL);
    check_form(&d);
    if (!d.literal) {
      check_again(d.ascii, &d);
      check_again(d.unicode, &d);
      check_psl(d.ascii);
    }
    /* The context's normaliser trims white space and one leading @, and refuses literals. */
    g_autofree char *ctx_form = tg_context_normalise_domain(text);
    if (!d.literal && !g_ascii_isspace(text[0]) && text[0] != '@')
      REQUIRE_MSG(ctx_form && strcmp(ctx_form, d.ascii) == 0, "'%s'", text);
    tg_domain_clear(&d);
  } else {
    REQUIRE(error != NULL && error->domain == TG_DOMAIN_ERROR && error->message[0] != '\0');
    REQUIRE(d.ascii == NULL && d.unicode == NULL);
  }

  /* The settings' normaliser (lists, history): a result is its own normal form. */
  g_autofree char *s = tg_settings_normalise_domain(text, NULL);
  if (s) {
    g_autofree char *s2 = tg_settings_normalise_domain(s, NULL);
    REQUIRE_MSG(s2 && strcmp(s, s2) == 0, "'%s' -> '%s' -> '%s'", text, s, s2 ? s2 : "(fails)");
  }
  g_autofree char *t = tg_settings_normalise_tld(text, NULL);
  if (t) {
    REQUIRE(strchr(t, '.') == NULL);
    g_autofree char *t2 = tg_settings_normalise_tld(t, NULL);
    REQUIRE_MSG(t2 && strcmp(t, t2) == 0, "'%s' -> '%s'", text, t);
  }
  return 0;
}
