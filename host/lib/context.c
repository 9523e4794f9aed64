/* context.c — TgContext: what the user and the organisation trust, block and have written to.
 *
 * Trusted domains live in a TgIndex (exact and fuzzy lookup, up to a million entries) tagged with
 * their TgSource bits. Each trusted domain also trusts its registrable domain, so that
 * hq.army.mil in an address book makes every *.army.mil trusted (DESIGN: "subdomains of a trusted
 * registrable domain are trusted"). Blocked domains are a hash set whose keys share one string
 * chunk, to keep a million-entry deny list compact. Co-recipient patterns (which addresses were
 * written to together, from the history) are symmetric pair counts in flat arrays (context.h),
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
  ctx->history_locals =
      g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)g_ptr_array_unref);
  ctx->pair_ids = g_hash_table_new(g_str_hash, g_str_equal);
  ctx->pair_addrs = g_ptr_array_new();
  ctx->pair_nodes = g_array_new(FALSE, TRUE, sizeof(TgPairNode));
  ctx->pair_edges = g_array_new(FALSE, FALSE, sizeof(TgPairEdge));
  ctx->flag_external = TG_LEVEL_OFF;
  ctx->first_contact = TG_LEVEL_INFO;
  ctx->lookalike = tg_lookalike_new();
  return ctx;
}

void tg_context_free(TgContext *ctx) {
  if (!ctx)
    return;
  tg_index_free(ctx->trusted);
  tg_name_filter_clear(&ctx->trusted_names);
  g_hash_table_destroy(ctx->blocked);
  g_hash_table_destroy(ctx->blocked_tlds);
  g_hash_table_destroy(ctx->history_domains);
  g_hash_table_destroy(ctx->history_locals);
  tg_index_free(ctx->locals_index);
  if (ctx->locals_ids)
    g_hash_table_destroy(ctx->locals_ids);
  g_hash_table_destroy(ctx->history_addresses);
  g_hash_table_destroy(ctx->pair_ids);
  g_ptr_array_unref(ctx->pair_addrs);
  g_array_unref(ctx->pair_nodes);
  g_array_unref(ctx->pair_edges);
  g_free(ctx->pair_keys);
  g_free(ctx->pair_slot_edge);
  g_string_chunk_free(ctx->strings);
  tg_lookalike_free(ctx->lookalike);
  g_free(ctx);
}

char *tg_context_normalise_domain(const char *domain) {
  return domain ? tg_domain_normalise_entry(domain, NULL) : NULL;
}

bool tg_context_add_domain(TgContext *ctx, const char *domain, TgSource source) {
  g_return_val_if_fail(ctx != NULL, false);
  g_autofree char *ascii = tg_context_normalise_domain(domain);
  if (!ascii)
    return false;
  if (!tg_index_add(ctx->trusted, ascii, (uint32_t)source))
    return false;
  tg_name_filter_add_domain(&ctx->trusted_names, ascii);
  ctx->trusted_longest = MAX(ctx->trusted_longest, strlen(ascii));
  /* (For a domain of one dot the public suffix lookup, most of the cost of loading a
   * million-domain list, is skipped.) */
  const char *reg = tg_domain_registrable_parent(ctx->psl, ascii);
  if (reg && tg_index_add(ctx->trusted, reg, (uint32_t)source))
    tg_name_filter_add_domain(&ctx->trusted_names, reg);
  if (source & TG_SOURCE_ORG)
    ctx->n_org++;
  return true;
}

/* One learned local part into locals_index (a key over the index's length limit is left out, as
 * detect.c's per-check index does). */
static void locals_index_add(TgContext *ctx, const char *domain, const char *local) {
  gpointer v = g_hash_table_lookup(ctx->locals_ids, domain);
  if (!v) {
    v = GUINT_TO_POINTER(g_hash_table_size(ctx->locals_ids) + 1);
    g_hash_table_insert(ctx->locals_ids, g_strdup(domain), v);
  }
  g_autofree char *key = g_strdup_printf("%s.%x", local, GPOINTER_TO_UINT(v));
  (void)tg_index_add(ctx->locals_index, key, 0);
}

guint tg_context_locals_id(const TgContext *ctx, const char *domain) {
  return ctx->locals_ids ? GPOINTER_TO_UINT(g_hash_table_lookup(ctx->locals_ids, domain)) : 0;
}

void tg_context_seal(TgContext *ctx) {
  g_return_if_fail(ctx != NULL);
  tg_index_seal(ctx->trusted);
  if (!ctx->locals_index) {
    ctx->locals_index = tg_index_new();
    ctx->locals_ids = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    GHashTableIter it;
    gpointer k, v;
    g_hash_table_iter_init(&it, ctx->history_locals);
    while (g_hash_table_iter_next(&it, &k, &v)) {
      const GPtrArray *locals = v;
      for (guint i = 0; i < locals->len; i++)
        locals_index_add(ctx, k, g_ptr_array_index(locals, i));
    }
  }
  tg_index_seal(ctx->locals_index);
}

/* Fast split for the usual shapes; anything unusual goes through the RFC 5322 parser. */
bool tg_context_split_address(const char *text, char **address, char **domain, char **display) {
  return tg_context_split_address_memo(NULL, text, address, domain, display);
}

bool tg_context_split_address_memo(TgDomainMemo *memo, const char *text, char **address,
                                   char **domain, char **display) {
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
  /* A second @, misplaced dots and DEL are for the parser to refuse (fuzz finds:
   * "john.doe@@army.mil", ".ohn.doe@army.mil", "john.d\x7fe@army.mil" became address book
   * contacts, then suggestions). */
  unsigned ats = 0;
  for (const char *p = ab; p < ae && simple; p++)
    if ((unsigned char)*p >= 0x80 || *p <= ' ' || *p == 0x7f || strchr("\"(),:;<>[]\\", *p) ||
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
  g_autofree char *dom = tg_domain_normalise_entry_memo(memo, at + 1);
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
    } else if (g_hash_table_size(ctx->history_addresses) < TG_CONTEXT_MAX_HISTORY_ADDRESSES) {
      /* New address: index its local part by domain for contact_near_miss. */
      GPtrArray *locals = g_hash_table_lookup(ctx->history_locals, dom);
      if (!locals) {
        locals = g_ptr_array_new_with_free_func(g_free);
        g_hash_table_insert(ctx->history_locals, g_strdup(dom), locals);
      }
      g_ptr_array_add(locals, g_strndup(addr, (gsize)(strrchr(addr, '@') - addr)));
      if (ctx->locals_index) /* sealed: keep the search index in step */
        locals_index_add(ctx, dom, g_ptr_array_index(locals, locals->len - 1));
      g_hash_table_insert(ctx->history_addresses, g_steal_pointer(&addr), GUINT_TO_POINTER(count));
    }
  }
  if (!g_hash_table_contains(ctx->history_domains, dom) &&
      g_hash_table_size(ctx->history_domains) >= TG_CONTEXT_MAX_HISTORY_DOMAINS)
    return;
  tg_context_add_domain(ctx, dom, TG_SOURCE_HISTORY);
  guint old = GPOINTER_TO_UINT(g_hash_table_lookup(ctx->history_domains, dom));
  g_hash_table_replace(ctx->history_domains, g_steal_pointer(&dom),
                       GUINT_TO_POINTER((guint)MIN((guint64)old + count, G_MAXUINT)));
}

/* ---- co-recipient pairs ---------------------------------------------------------------------- */

static guint64 pair_key(guint32 a, guint32 b) {
  return a < b ? ((guint64)a << 32 | b) + 1 : ((guint64)b << 32 | a) + 1;
}

static size_t pair_home(guint64 key, size_t cap) {
  guint64 h = key * G_GUINT64_CONSTANT(0x9E3779B97F4A7C15); /* Fibonacci hashing */
  return (size_t)(h >> 32) & (cap - 1);
}

/* The slot holding `key`, or the empty slot where it would go. */
static size_t pair_slot(const TgContext *ctx, guint64 key) {
  size_t at = pair_home(key, ctx->pair_cap);
  while (ctx->pair_keys[at] && ctx->pair_keys[at] != key)
    at = (at + 1) & (ctx->pair_cap - 1);
  return at;
}

static void pair_grow(TgContext *ctx) {
  size_t old_cap = ctx->pair_cap;
  guint64 *old_keys = ctx->pair_keys;
  guint32 *old_edges = ctx->pair_slot_edge;
  ctx->pair_cap = old_cap ? old_cap * 2 : 1024;
  ctx->pair_keys = g_new0(guint64, ctx->pair_cap);
  ctx->pair_slot_edge = g_new0(guint32, ctx->pair_cap);
  for (size_t i = 0; i < old_cap; i++)
    if (old_keys[i]) {
      size_t at = pair_slot(ctx, old_keys[i]);
      ctx->pair_keys[at] = old_keys[i];
      ctx->pair_slot_edge[at] = old_edges[i];
    }
  g_free(old_keys);
  g_free(old_edges);
}

static guint32 pair_id(TgContext *ctx, const char *interned) {
  gpointer v = g_hash_table_lookup(ctx->pair_ids, interned);
  if (v)
    return GPOINTER_TO_UINT(v) - 1;
  guint32 id = ctx->pair_addrs->len;
  g_ptr_array_add(ctx->pair_addrs, (gpointer)interned);
  g_array_set_size(ctx->pair_nodes, id + 1); /* zeroed: no edges */
  g_hash_table_insert(ctx->pair_ids, (gpointer)interned, GUINT_TO_POINTER(id + 1));
  return id;
}

static void edge_bump(TgContext *ctx, guint32 edge, unsigned count) {
  TgPairEdge *e = &g_array_index(ctx->pair_edges, TgPairEdge, edge);
  e->count = (guint32)MIN((guint64)e->count + count, G_MAXUINT32);
}

static void edge_push(TgContext *ctx, guint32 from, guint32 to, unsigned count) {
  TgPairNode *n = &g_array_index(ctx->pair_nodes, TgPairNode, from);
  TgPairEdge e = {.partner = to, .count = (guint32)MIN(count, G_MAXUINT32), .next = n->first};
  g_array_append_val(ctx->pair_edges, e);
  n->first = ctx->pair_edges->len; /* index + 1 of the edge just added */
  n->degree++;
}

/* Adds `count` messages to the pair a–b (interned, distinct). */
static void pair_bump(TgContext *ctx, const char *a, const char *b, unsigned count) {
  bool full = ctx->n_pairs >= TG_CONTEXT_MAX_PAIRS;
  if (full &&
      (!g_hash_table_contains(ctx->pair_ids, a) || !g_hash_table_contains(ctx->pair_ids, b)))
    return; /* full, and a new address cannot be in a known pair */
  if (!full && (ctx->pair_cap == 0 || 2 * (ctx->n_pairs + 1) > ctx->pair_cap))
    pair_grow(ctx);
  guint32 ia = pair_id(ctx, a), ib = pair_id(ctx, b);
  guint64 key = pair_key(ia, ib);
  size_t at = pair_slot(ctx, key);
  if (ctx->pair_keys[at]) {
    guint32 edge = ctx->pair_slot_edge[at];
    edge_bump(ctx, edge, count);
    edge_bump(ctx, edge + 1, count);
    return;
  }
  if (ctx->n_pairs >= TG_CONTEXT_MAX_PAIRS)
    return; /* full: known pairs still count up, new ones wait for the next start */
  guint32 lo = MIN(ia, ib), hi = MAX(ia, ib);
  ctx->pair_keys[at] = key;
  ctx->pair_slot_edge[at] = ctx->pair_edges->len;
  edge_push(ctx, lo, hi, count); /* the low id's edge first, then the high id's */
  edge_push(ctx, hi, lo, count);
  ctx->n_pairs++;
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
  /* Interned only now, so that a refused mailing leaves nothing behind; once the pairs are full,
   * only addresses already in a pair (whose pairs may still count up). */
  bool full = ctx->n_pairs >= TG_CONTEXT_MAX_PAIRS;
  guint kept = 0;
  for (guint i = 0; i < set->len; i++) {
    char *own = set->pdata[i];
    gpointer interned = NULL;
    if (!g_hash_table_lookup_extended(ctx->pair_ids, own, &interned, NULL) && !full)
      interned = (gpointer)g_string_chunk_insert_const(ctx->strings, own);
    g_free(own);
    if (interned)
      set->pdata[kept++] = interned;
  }
  g_ptr_array_set_free_func(set, NULL);
  g_ptr_array_set_size(set, (gint)kept);
  for (guint i = 0; i < set->len; i++)
    for (guint j = i + 1; j < set->len; j++)
      pair_bump(ctx, g_ptr_array_index(set, i), g_ptr_array_index(set, j), count);
}

guint tg_context_together(const TgContext *ctx, const char *a, const char *b) {
  gpointer va = g_hash_table_lookup(ctx->pair_ids, a), vb = g_hash_table_lookup(ctx->pair_ids, b);
  if (!va || !vb || va == vb || ctx->pair_cap == 0)
    return 0;
  size_t at = pair_slot(ctx, pair_key(GPOINTER_TO_UINT(va) - 1, GPOINTER_TO_UINT(vb) - 1));
  if (!ctx->pair_keys[at])
    return 0;
  return g_array_index(ctx->pair_edges, TgPairEdge, ctx->pair_slot_edge[at]).count;
}

const TgPairNode *tg_context_pair_node(const TgContext *ctx, const char *address) {
  gpointer v = g_hash_table_lookup(ctx->pair_ids, address);
  return v ? &g_array_index(ctx->pair_nodes, TgPairNode, GPOINTER_TO_UINT(v) - 1) : NULL;
}

const TgPairEdge *tg_context_pair_edge(const TgContext *ctx, guint32 index1) {
  g_assert(index1 > 0 && index1 <= ctx->pair_edges->len);
  return &g_array_index(ctx->pair_edges, TgPairEdge, index1 - 1);
}

const char *tg_context_pair_address(const TgContext *ctx, guint32 id) {
  g_assert(id < ctx->pair_addrs->len);
  return g_ptr_array_index(ctx->pair_addrs, id);
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
