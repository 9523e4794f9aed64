/* context.c — TgContext: what the user and the organisation trust, block and have written to.
 *
 * Trusted domains live in a TgIndex (exact and fuzzy lookup, up to a million entries) tagged with
 * their TgSource bits. Each trusted domain also trusts its registrable domain, so that
 * hq.army.mil in an address book makes every *.army.mil trusted (DESIGN: "subdomains of a trusted
 * registrable domain are trusted"). Blocked domains are a hash set whose keys share one string
 * chunk, to keep a million-entry deny list compact. Co-recipient patterns (which addresses were
 * written to together, from the history) are an adjacency map of pair counts, symmetric and
 * bounded by TG_CONTEXT_MAX_PAIRS. */
#include "context.h"

#include <string.h>

#include "domain.h"
#include "mailbox.h"

TgContext *tg_context_new(const struct psl_ctx_st *psl) {
  TgContext *ctx = g_new0(TgContext, 1);
  ctx->psl = psl;
  ctx->trusted = tg_index_new();
  ctx->strings = g_string_chunk_new(64 * 1024);
  ctx->blocked = g_hash_table_new(g_str_hash, g_str_equal);
  ctx->blocked_tlds = g_hash_table_new(g_str_hash, g_str_equal);
  ctx->history_domains = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  ctx->history_addresses = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  ctx->history_locals = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                              (GDestroyNotify)g_ptr_array_unref);
  ctx->together = g_hash_table_new_full(g_str_hash, g_str_equal, NULL,
                                        (GDestroyNotify)g_hash_table_unref);
  ctx->flag_external = TG_LEVEL_OFF;
  ctx->first_contact = TG_LEVEL_INFO;
  ctx->lookalike = tg_lookalike_new();
  return ctx;
}

void tg_context_free(TgContext *ctx) {
  if (!ctx)
    return;
  tg_index_free(ctx->trusted);
  g_hash_table_destroy(ctx->blocked);
  g_hash_table_destroy(ctx->blocked_tlds);
  g_hash_table_destroy(ctx->history_domains);
  g_hash_table_destroy(ctx->history_locals);
  g_hash_table_destroy(ctx->history_addresses);
  g_hash_table_destroy(ctx->together);
  g_string_chunk_free(ctx->strings);
  tg_lookalike_free(ctx->lookalike);
  g_free(ctx);
}

char *tg_context_normalise_domain(const char *domain) {
  if (!domain)
    return NULL;
  while (g_ascii_isspace(*domain))
    domain++;
  if (*domain == '@') /* lists sometimes hold "@example.com" */
    domain++;
  g_autofree char *trimmed = g_strstrip(g_strdup(domain));
  TgDomain d;
  if (!tg_domain_normalise(trimmed, &d, NULL))
    return NULL;
  if (d.literal) {
    tg_domain_clear(&d);
    return NULL;
  }
  char *ascii = g_steal_pointer(&d.ascii);
  tg_domain_clear(&d);
  return ascii;
}

bool tg_context_add_domain(TgContext *ctx, const char *domain, TgSource source) {
  g_return_val_if_fail(ctx != NULL, false);
  g_autofree char *ascii = tg_context_normalise_domain(domain);
  if (!ascii)
    return false;
  if (!tg_index_add(ctx->trusted, ascii, (uint32_t)source))
    return false;
  const char *reg = tg_domain_registrable(ctx->psl, ascii);
  if (reg && reg != ascii)
    tg_index_add(ctx->trusted, reg, (uint32_t)source);
  if (source & TG_SOURCE_ORG)
    ctx->n_org++;
  return true;
}

/* Fast split for the usual shapes; anything unusual goes through the RFC 5322 parser. */
bool tg_context_split_address(const char *text, char **address, char **domain, char **display) {
  if (display)
    *display = NULL;
  *address = *domain = NULL;
  if (!text)
    return false;
  size_t len = strnlen(text, TG_MAX_ADDRESS_BYTES + 1);
  if (len > TG_MAX_ADDRESS_BYTES)
    return false;
  const char *b = text, *e = text + len;
  while (b < e && g_ascii_isspace(*b))
    b++;
  while (e > b && g_ascii_isspace(e[-1]))
    e--;
  const char *ab = b, *ae = e, *nb = NULL, *ne = NULL;
  if (e > b && e[-1] == '>') {
    const char *lt = memchr(b, '<', (size_t)(e - b));
    if (lt) {
      nb = b;
      ne = lt;
      ab = lt + 1;
      ae = e - 1;
    }
  }
  bool simple = ae > ab;
  /* A second @ and misplaced dots are for the parser to refuse (fuzz finds: "john.doe@@army.mil",
   * ".ohn.doe@army.mil" became address book contacts, then suggestions). */
  unsigned ats = 0;
  for (const char *p = ab; p < ae && simple; p++)
    if ((unsigned char)*p >= 0x80 || *p <= ' ' || strchr("\"(),:;<>[]\\", *p) ||
        (*p == '@' && ++ats > 1) ||
        (*p == '.' && (p == ab || p[-1] == '.' || p + 1 == ae || p[1] == '@')))
      simple = false;
  /* The display name: plain words, or one quoted string without escapes ("Smith, John"), in
   * UTF-8 — what most address books hold. Comments, escapes and encoded words (=?…?=) are left to
   * the parser, which decodes them. */
  bool quoted = false;
  if (simple && nb) {
    while (nb < ne && (*nb == ' ' || *nb == '\t'))
      nb++;
    while (ne > nb && (ne[-1] == ' ' || ne[-1] == '\t'))
      ne--;
    quoted = ne - nb >= 2 && *nb == '"' && ne[-1] == '"';
    if (quoted)
      nb++, ne--;
    bool utf8 = false;
    for (const char *p = nb; p < ne && simple; p++) {
      unsigned char ch = (unsigned char)*p;
      utf8 |= ch >= 0x80;
      if (ch < 0x20 || ch == 0x7f || *p == '"' || *p == '\\' ||
          (!quoted && strchr("(),:;<>@[]", *p)) || (*p == '=' && p + 1 < ne && p[1] == '?'))
        simple = false;
    }
    if (simple && utf8 && !g_utf8_validate(nb, ne - nb, NULL))
      simple = false;
  }
  g_autofree char *addr = NULL, *name = NULL;
  if (simple) {
    addr = g_strndup(ab, (gsize)(ae - ab));
    if (nb) {
      name = g_strstrip(g_strndup(nb, (gsize)(ne - nb)));
      if (!quoted) { /* words of a phrase are one space apart, as the parser joins them */
        char *w = name;
        for (const char *r = name; *r; r++)
          if (!(g_ascii_isspace(*r) && w > name && g_ascii_isspace(w[-1])))
            *w++ = g_ascii_isspace(*r) ? ' ' : *r;
        *w = '\0';
      }
      if (!*name)
        g_clear_pointer(&name, g_free);
    }
  } else {
    g_autoptr(TgMailbox) mb = tg_mailbox_parse(text, len, NULL);
    if (!mb || !mb->address)
      return false;
    addr = g_strdup(mb->address);
    name = g_strdup(mb->display_name);
  }
  char *at = strrchr(addr, '@');
  if (!at || at == addr || !at[1])
    return false;
  *at = '\0';
  g_autofree char *dom = tg_context_normalise_domain(at + 1);
  if (!dom)
    return false;
  /* ASCII (nearly every local part) lowers without Unicode tables. */
  bool ascii = true;
  for (const char *p = addr; *p && ascii; p++)
    ascii = (unsigned char)*p < 0x80;
  g_autofree char *local = ascii ? g_ascii_strdown(addr, -1) : g_utf8_strdown(addr, -1);
  *address = g_strconcat(local, "@", dom, NULL);
  *domain = g_steal_pointer(&dom);
  if (display)
    *display = g_steal_pointer(&name);
  return true;
}

void tg_context_add_history(TgContext *ctx, const char *address, unsigned count) {
  g_return_if_fail(ctx != NULL);
  g_autofree char *addr = NULL, *dom = NULL;
  if (!tg_context_split_address(address, &addr, &dom, NULL)) {
    /* A bare domain is history too: "the user really sent there". */
    dom = tg_context_normalise_domain(address);
    if (!dom)
      return;
  }
  if (count == 0)
    count = 1;
  if (addr) {
    gpointer key = NULL, val = NULL;
    if (g_hash_table_lookup_extended(ctx->history_addresses, addr, &key, &val)) {
      guint old = GPOINTER_TO_UINT(val);
      g_hash_table_insert(ctx->history_addresses, g_strdup(addr),
                          GUINT_TO_POINTER((guint)MIN((guint64)old + count, G_MAXUINT)));
    } else {
      /* New address: index its local part by domain for contact_near_miss. */
      GPtrArray *locals = g_hash_table_lookup(ctx->history_locals, dom);
      if (!locals) {
        locals = g_ptr_array_new_with_free_func(g_free);
        g_hash_table_insert(ctx->history_locals, g_strdup(dom), locals);
      }
      g_ptr_array_add(locals, g_strndup(addr, (gsize)(strrchr(addr, '@') - addr)));
      g_hash_table_insert(ctx->history_addresses, g_steal_pointer(&addr), GUINT_TO_POINTER(count));
    }
  }
  tg_context_add_domain(ctx, dom, TG_SOURCE_HISTORY);
  guint old = GPOINTER_TO_UINT(g_hash_table_lookup(ctx->history_domains, dom));
  g_hash_table_replace(ctx->history_domains, g_steal_pointer(&dom),
                       GUINT_TO_POINTER((guint)MIN((guint64)old + count, G_MAXUINT)));
}

/* Adds `count` to the pair a–b in one direction; returns whether the pair is new. */
static bool together_bump(TgContext *ctx, const char *a, const char *b, unsigned count, bool may_add) {
  GHashTable *partners = g_hash_table_lookup(ctx->together, a);
  gpointer val = NULL;
  if (partners && g_hash_table_lookup_extended(partners, b, NULL, &val)) {
    guint old = GPOINTER_TO_UINT(val);
    g_hash_table_insert(partners, (gpointer)b, GUINT_TO_POINTER((guint)MIN((guint64)old + count, G_MAXUINT)));
    return false;
  }
  if (!may_add)
    return false;
  if (!partners) {
    partners = g_hash_table_new(g_str_hash, g_str_equal);
    g_hash_table_insert(ctx->together, (gpointer)a, partners);
  }
  g_hash_table_insert(partners, (gpointer)b, GUINT_TO_POINTER(count));
  return true;
}

void tg_context_add_corecipients(TgContext *ctx, const char *const *addresses, size_t n,
                                 unsigned count) {
  g_return_if_fail(ctx != NULL);
  if (!addresses || n < 2 || n > TG_MAX_RECIPIENTS)
    return;
  if (count == 0)
    count = 1;
  /* Normalise and de-duplicate first: the bound is on distinct addresses. */
  g_autoptr(GPtrArray) set = g_ptr_array_new_with_free_func(g_free);
  g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);
  for (size_t i = 0; i < n; i++) {
    char *addr = NULL, *dom = NULL;
    bool ok = tg_context_split_address(addresses[i], &addr, &dom, NULL);
    g_free(dom);
    /* Not g_hash_table_add alone: on a duplicate it keeps the new key, which is freed here
     * (use after free found by the black-box fuzzer: the same address three times). */
    if (ok && !g_hash_table_contains(seen, addr)) {
      g_hash_table_add(seen, addr);
      g_ptr_array_add(set, addr);
    } else {
      g_free(addr);
    }
    if (set->len > TG_MAX_PATTERN_ADDRESSES)
      return; /* a mailing: it says nothing about who works with whom */
  }
  /* Interned only now, so that a refused mailing leaves nothing behind. */
  for (guint i = 0; i < set->len; i++) {
    char *own = set->pdata[i];
    set->pdata[i] = (gpointer)g_string_chunk_insert_const(ctx->strings, own);
    g_free(own);
  }
  g_ptr_array_set_free_func(set, NULL);
  for (guint i = 0; i < set->len; i++)
    for (guint j = i + 1; j < set->len; j++) {
      const char *a = g_ptr_array_index(set, i), *b = g_ptr_array_index(set, j);
      bool room = ctx->n_pairs < TG_CONTEXT_MAX_PAIRS;
      if (together_bump(ctx, a, b, count, room)) {
        ctx->n_pairs++;
        together_bump(ctx, b, a, count, true);
      } else {
        together_bump(ctx, b, a, count, false);
      }
    }
}

guint tg_context_together(const TgContext *ctx, const char *a, const char *b) {
  GHashTable *partners = g_hash_table_lookup(ctx->together, a);
  return partners ? GPOINTER_TO_UINT(g_hash_table_lookup(partners, b)) : 0;
}

bool tg_context_add_blocked(TgContext *ctx, const char *domain_or_tld) {
  g_return_val_if_fail(ctx != NULL, false);
  if (!domain_or_tld)
    return false;
  const char *s = domain_or_tld;
  while (g_ascii_isspace(*s))
    s++;
  bool tld = *s == '.' || (*s && !strchr(s, '.'));
  if (*s == '.')
    s++;
  g_autofree char *ascii = tg_context_normalise_domain(s);
  if (!ascii)
    return false;
  if (tld && !strchr(ascii, '.')) {
    g_hash_table_add(ctx->blocked_tlds, g_string_chunk_insert_const(ctx->strings, ascii));
    return true;
  }
  g_hash_table_add(ctx->blocked, g_string_chunk_insert_const(ctx->strings, ascii));
  return true;
}

void tg_context_set_levels(TgContext *ctx, TgLevel flag_external, TgLevel first_contact) {
  g_return_if_fail(ctx != NULL);
  ctx->flag_external = flag_external;
  ctx->first_contact = first_contact;
}

size_t tg_context_trusted_count(const TgContext *ctx) {
  return ctx ? tg_index_size(ctx->trusted) : 0;
}
