/* domain.c — normalisation (UTS #46 via libidn2), label rules, TLD existence and registrable
 * domains (libpsl). Plain LDH input, the common case, never reaches libidn2: it is only
 * lower-cased and checked, which keeps a 10,000-recipient request cheap. */
#include "domain.h"

#include <idn2.h>
#include <string.h>

#include "tgkeys.h"
#include "typoguard.h"

/* The quark's name is stringified as written: no spaces around its hyphens. */
/* clang-format off */
G_DEFINE_QUARK(tg-domain-error-quark, tg_domain_error)
/* clang-format on */

bool tg_domain_is_ldh(const char *s) {
  for (; *s; s++)
    if (!g_ascii_isalnum(*s) && *s != '-' && *s != '.')
      return false;
  return true;
}

/* Checks the A-label form: length, labels, characters, hyphens. */
static bool check_ascii(const char *d, GError **error) {
  size_t len = strlen(d);
  if (len == 0) {
    g_set_error_literal(error, TG_DOMAIN_ERROR, TG_DOMAIN_ERROR_EMPTY, "the domain is empty");
    return false;
  }
  if (len > TG_MAX_DOMAIN_BYTES) {
    g_set_error_literal(error, TG_DOMAIN_ERROR, TG_DOMAIN_ERROR_TOO_LONG, "the domain is too long");
    return false;
  }
  const char *label = d;
  for (const char *p = d;; p++) {
    if (*p == '.' || *p == '\0') {
      size_t n = (size_t)(p - label);
      if (n == 0 || n > TG_MAX_LABEL_BYTES) {
        g_set_error_literal(error, TG_DOMAIN_ERROR, TG_DOMAIN_ERROR_LABEL,
                            n == 0 ? "the domain has an empty part between dots"
                                   : "a part of the domain is too long");
        return false;
      }
      if (label[0] == '-' || p[-1] == '-') {
        g_set_error_literal(error, TG_DOMAIN_ERROR, TG_DOMAIN_ERROR_HYPHEN,
                            "a part of the domain starts or ends with a hyphen");
        return false;
      }
      if (*p == '\0')
        break;
      label = p + 1;
    } else if (!g_ascii_isalnum(*p) && *p != '-') {
      g_set_error_literal(error, TG_DOMAIN_ERROR, TG_DOMAIN_ERROR_CHARACTER,
                          "the domain contains a character that domains cannot hold");
      return false;
    }
  }
  return true;
}

static bool has_alabel(const char *d) {
  for (const char *p = d; p; p = strchr(p, '.') ? strchr(p, '.') + 1 : NULL)
    if (g_ascii_strncasecmp(p, "xn--", 4) == 0)
      return true;
  return false;
}

static bool normalise_literal(const char *text, TgDomain *out, GError **error) {
  size_t len = strlen(text);
  /* [192.0.2.1] or [IPv6:…]: checked loosely; the mailbox parser already balanced the brackets. */
  if (len < 3 || text[len - 1] != ']') {
    g_set_error_literal(error, TG_DOMAIN_ERROR, TG_DOMAIN_ERROR_CHARACTER,
                        "the address literal is not closed");
    return false;
  }
  for (size_t i = 1; i + 1 < len; i++)
    if (!g_ascii_isxdigit(text[i]) && !strchr(".:IPvV6", text[i])) {
      g_set_error_literal(error, TG_DOMAIN_ERROR, TG_DOMAIN_ERROR_CHARACTER,
                          "the address literal is not an IP address");
      return false;
    }
  out->ascii = g_ascii_strdown(text, (gssize)len);
  out->unicode = g_strdup(out->ascii);
  out->literal = true;
  return true;
}

bool tg_domain_normalise(const char *text, TgDomain *out, GError **error) {
  memset(out, 0, sizeof *out);
  g_return_val_if_fail(text != NULL, false);
  if (text[0] == '[')
    return normalise_literal(text, out, error);

  g_autofree char *ascii = NULL;
  bool via_idn2 = false;
  if (tg_domain_is_ldh(text) && !has_alabel(text)) {
    ascii = g_ascii_strdown(text, -1);
  } else {
    /* Bound the work handed to libidn2: anything this long cannot become a valid domain. */
    if (strlen(text) > 4 * TG_MAX_DOMAIN_BYTES) {
      g_set_error_literal(error, TG_DOMAIN_ERROR, TG_DOMAIN_ERROR_TOO_LONG,
                          "the domain is too long");
      return false;
    }
    char *raw = NULL;
    int rc = idn2_to_ascii_8z(text, &raw, IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL);
    if (rc != IDN2_OK) {
      g_set_error(error, TG_DOMAIN_ERROR, TG_DOMAIN_ERROR_IDNA,
                  "the domain cannot be written in the international form (%s)", idn2_strerror(rc));
      return false;
    }
    via_idn2 = true;
    ascii = g_ascii_strdown(raw, -1); /* copy into GLib's allocator; libidn2 uses malloc */
    idn2_free(raw);
  }
  size_t len = strlen(ascii);
  if (len > 1 && ascii[len - 1] == '.')
    ascii[len - 1] = '\0'; /* the root's dot: gmail.com. is gmail.com */
  if (!check_ascii(ascii, error))
    return false;

  out->idn = has_alabel(ascii);
  if (out->idn) {
    char *u = NULL;
    int rc = idn2_to_unicode_8z8z(ascii, &u, 0);
    if (rc != IDN2_OK || !g_utf8_validate(u, -1, NULL)) {
      idn2_free(u);
      g_set_error(error, TG_DOMAIN_ERROR, TG_DOMAIN_ERROR_IDNA,
                  "the domain cannot be read in the international form (%s)", idn2_strerror(rc));
      return false;
    }
    /* An A-label must be what IDNA would write for its Unicode form; "xn--xnk" decodes to a
     * character IDNA refuses (U+3238), so it is no domain anyone can have (fuzz find). When
     * libidn2 made `ascii` from this very text (typed in its Unicode normal form, the usual
     * case), the conversion would repeat the first one: skip it. */
    bool same = via_idn2 && strcmp(u, text) == 0;
    if (!same) {
      char *back = NULL;
      rc = idn2_to_ascii_8z(u, &back, IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL);
      same = rc == IDN2_OK && g_ascii_strcasecmp(back, ascii) == 0;
      idn2_free(back);
    }
    if (!same) {
      idn2_free(u);
      g_set_error_literal(error, TG_DOMAIN_ERROR, TG_DOMAIN_ERROR_IDNA,
                          "the domain has an international part that is not valid");
      return false;
    }
    out->unicode = g_strdup(u);
    idn2_free(u);
  } else {
    out->unicode = g_strdup(ascii);
  }
  out->ascii = g_steal_pointer(&ascii);
  return true;
}

struct TgDomainMemo {
  GHashTable *seen; /* text (owned) -> TgDomain * (owned; ascii NULL: not a domain) */
};

static void memo_entry_free(gpointer p) {
  tg_domain_clear(p);
  g_free(p);
}

TgDomainMemo *tg_domain_memo_new(void) {
  TgDomainMemo *m = g_new0(TgDomainMemo, 1);
  m->seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, memo_entry_free);
  return m;
}

void tg_domain_memo_free(TgDomainMemo *m) {
  if (!m)
    return;
  g_hash_table_destroy(m->seen);
  g_free(m);
}

bool tg_domain_normalise_memo(TgDomainMemo *m, const char *text, TgDomain *out) {
  if (!m || !text || (tg_domain_is_ldh(text) && !has_alabel(text)))
    return tg_domain_normalise(text, out, NULL);
  const TgDomain *d = g_hash_table_lookup(m->seen, text);
  if (!d) {
    TgDomain *nd = g_new0(TgDomain, 1);
    if (!tg_domain_normalise(text, nd, NULL))
      memset(nd, 0, sizeof *nd);
    g_hash_table_insert(m->seen, g_strdup(text), nd);
    d = nd;
  }
  memset(out, 0, sizeof *out);
  if (!d->ascii)
    return false;
  *out = (TgDomain){.ascii = g_strdup(d->ascii),
                    .unicode = g_strdup(d->unicode),
                    .literal = d->literal,
                    .idn = d->idn};
  return true;
}

static char *normalise_entry(TgDomainMemo *m, const char *text, GError **error) {
  while (g_ascii_isspace(*text))
    text++;
  if (*text == '@')
    text++;
  if (text[0] == '*' && text[1] == '.')
    text += 2;
  while (*text == '.')
    text++;
  g_autofree char *trimmed = g_strchomp(g_strdup(text));
  if (trimmed[0] == '[') {
    g_set_error_literal(error, TG_DOMAIN_ERROR, TG_DOMAIN_ERROR_CHARACTER,
                        "an address literal is not a domain");
    return NULL;
  }
  TgDomain d;
  if (m ? !tg_domain_normalise_memo(m, trimmed, &d) : !tg_domain_normalise(trimmed, &d, error))
    return NULL;
  char *ascii = g_steal_pointer(&d.ascii);
  tg_domain_clear(&d);
  return ascii;
}

char *tg_domain_normalise_entry(const char *text, GError **error) {
  g_return_val_if_fail(text != NULL, NULL);
  return normalise_entry(NULL, text, error);
}

char *tg_domain_normalise_entry_memo(TgDomainMemo *m, const char *text) {
  g_return_val_if_fail(text != NULL, NULL);
  return normalise_entry(m, text, NULL);
}

void tg_domain_clear(TgDomain *d) {
  if (!d)
    return;
  g_clear_pointer(&d->ascii, g_free);
  g_clear_pointer(&d->unicode, g_free);
}

const char *tg_domain_tld(const char *ascii) {
  const char *dot = strrchr(ascii, '.');
  return dot ? dot + 1 : ascii;
}

const char *tg_domain_parent(const char *ascii) {
  const char *dot = strchr(ascii, '.');
  return dot && dot[1] ? dot + 1 : NULL;
}

/* The answers of tg_domain_tld_exists, remembered per thread: libpsl's lookup costs ~2,500
 * instructions, it is asked for every recipient's TLD, and for each of the ~180 one-edit variants
 * of an unknown one (gmail.cmo), which recur. Direct-mapped, keyed by the list and the label; a
 * label longer than the slot is not remembered. A list is never changed once loaded, so an
 * answer stays true for as long as the list lives (a list freed and another loaded at the same
 * address is the one case this would mistake: the host loads one list for its lifetime). */
#define TLD_CACHE_SLOTS 1024u
#define TLD_CACHE_LABEL 22u
typedef struct {
  const psl_ctx_t *psl;
  char tld[TLD_CACHE_LABEL + 1];
  bool exists;
} TldCacheSlot;
static _Thread_local TldCacheSlot tld_cache[TLD_CACHE_SLOTS];

bool tg_domain_tld_exists(const psl_ctx_t *psl, const char *tld) {
  if (!psl || !tld || !*tld || strchr(tld, '.'))
    return false;
  size_t n = strlen(tld);
  TldCacheSlot *slot = NULL;
  if (n <= TLD_CACHE_LABEL) {
    slot = &tld_cache[tg_key_hash(tld, n) % TLD_CACHE_SLOTS];
    if (slot->psl == psl && strcmp(slot->tld, tld) == 0)
      return slot->exists;
  }
  /* NO_STAR_RULE: without it libpsl treats every unknown label as a suffix ("*" rule). */
  bool exists = psl_is_public_suffix2(psl, tld, PSL_TYPE_ANY | PSL_TYPE_NO_STAR_RULE) != 0;
  if (slot) {
    slot->psl = psl;
    memcpy(slot->tld, tld, n + 1);
    slot->exists = exists;
  }
  return exists;
}

bool tg_domain_has_real_tld(const psl_ctx_t *psl, const char *ascii) {
  if (!psl || !ascii)
    return false;
  const char *tld = tg_domain_tld(ascii);
  if (tg_domain_tld_exists(psl, tld))
    return true;
  /* No TLD has a single letter, but libpsl 0.21.2 (Debian 12) reports "x.m" (any x) as a public
   * suffix, which made gmail.m look real. */
  if (strlen(tld) < 2)
    return false;
  /* The public suffix the PSL applies; with the "*" rule an unknown TLD comes back alone. */
  const char *suffix = psl_unregistrable_domain(psl, ascii);
  return suffix && strchr(suffix, '.') &&
         psl_is_public_suffix2(psl, suffix, PSL_TYPE_ANY | PSL_TYPE_NO_STAR_RULE);
}

const char *tg_domain_registrable(const psl_ctx_t *psl, const char *ascii) {
  if (!psl || !ascii)
    return NULL;
  if (!tg_domain_has_real_tld(psl, ascii))
    return NULL;
  return psl_registrable_domain(psl, ascii);
}

const char *tg_domain_registrable_parent(const psl_ctx_t *psl, const char *ascii) {
  const char *dot = ascii ? strchr(ascii, '.') : NULL;
  if (!dot || !strchr(dot + 1, '.'))
    return NULL;
  const char *reg = tg_domain_registrable(psl, ascii);
  return reg != ascii ? reg : NULL;
}

bool tg_domain_is_within(const char *ascii, const char *ancestor) {
  size_t n = strlen(ascii), m = strlen(ancestor);
  if (m == 0 || n < m)
    return false;
  if (n == m)
    return memcmp(ascii, ancestor, n) == 0;
  return ascii[n - m - 1] == '.' && memcmp(ascii + n - m, ancestor, m) == 0;
}
