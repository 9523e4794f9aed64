/* book.c — the address book digested once (book.h): what every rule needs from the known
 * addresses, so that a host holding a client's book does not parse it again for every check. */
#include "book.h"

#include <string.h>

#include "context.h"

void tg_domains_add(GHashTable *domains, size_t *longest, const psl_ctx_t *psl,
                    char *ascii /* owned */, guint source) {
  const char *reg = tg_domain_registrable_parent(psl, ascii);
  if (reg) {
    guint bits = GPOINTER_TO_UINT(g_hash_table_lookup(domains, reg));
    g_hash_table_replace(domains, g_strdup(reg), GUINT_TO_POINTER(bits | source));
  }
  *longest = MAX(*longest, strlen(ascii));
  guint bits = GPOINTER_TO_UINT(g_hash_table_lookup(domains, ascii));
  g_hash_table_replace(domains, ascii, GUINT_TO_POINTER(bits | source));
}

TgIndex *tg_domains_index_new(GHashTable *domains) {
  if (g_hash_table_size(domains) == 0)
    return NULL;
  TgIndex *ix = tg_index_new();
  GHashTableIter it;
  gpointer k, v;
  g_hash_table_iter_init(&it, domains);
  while (g_hash_table_iter_next(&it, &k, &v))
    tg_index_add(ix, k, GPOINTER_TO_UINT(v));
  return ix;
}

TgPeople *tg_book_people_new(GHashTable *known, const GPtrArray *addresses) {
  TgPeople *p = tg_people_new(addresses->len);
  for (guint i = 0; i < addresses->len; i++) {
    const char *addr = g_ptr_array_index(addresses, i);
    tg_people_add(p, i, g_hash_table_lookup(known, addr), addr);
  }
  tg_people_freeze(p);
  return p;
}

static void book_add(TgBook *b, const psl_ctx_t *psl, TgDomainMemo *memo, const char *mailbox) {
  char *addr = NULL, *dom = NULL, *name = NULL;
  if (!tg_context_split_address_memo(memo, mailbox, &addr, &dom, &name))
    return;
  if (g_hash_table_contains(b->known, addr)) {
    g_free(addr);
    g_free(dom);
    g_free(name);
    return;
  }
  g_hash_table_insert(b->known, addr, name ? name : g_strdup(""));
  g_ptr_array_add(b->addresses, addr);
  GPtrArray *locals = g_hash_table_lookup(b->locals, dom);
  if (!locals) {
    locals = g_ptr_array_new_with_free_func(g_free);
    g_hash_table_insert(b->locals, g_strdup(dom), locals);
  }
  g_ptr_array_add(locals, g_strndup(addr, (gsize)(strrchr(addr, '@') - addr)));
  /* A book repeats its domains: merge each once (the registrable-domain lookup is the costly
   * part of a 10,000-contact book). */
  if (g_hash_table_contains(b->domains, dom))
    g_free(dom);
  else
    tg_domains_add(b->domains, &b->domains_longest, psl, dom, TG_SOURCE_KNOWN);
}

TgBook *tg_book_build(const psl_ctx_t *psl, TgDomainMemo *memo, const TgStrings *lists,
                      size_t n_lists, bool eager) {
  size_t total = 0;
  for (size_t l = 0; l < n_lists; l++)
    total += lists[l].items ? lists[l].len : 0;
  TgBook *b = g_new0(TgBook, 1);
  b->known = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
  b->addresses = g_ptr_array_sized_new((guint)MIN(total, (size_t)G_MAXUINT));
  b->locals =
      g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)g_ptr_array_unref);
  b->domains = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  if (eager)
    b->mailboxes = g_ptr_array_new_full((guint)MIN(total, (size_t)G_MAXUINT), g_free);
  TgDomainMemo *own_memo = memo ? NULL : tg_domain_memo_new();
  for (size_t l = 0; l < n_lists; l++) {
    for (size_t i = 0; i < lists[l].len && lists[l].items; i++) {
      if (!lists[l].items[i])
        continue;
      book_add(b, psl, memo ? memo : own_memo, lists[l].items[i]);
      if (eager)
        g_ptr_array_add(b->mailboxes, g_strdup(lists[l].items[i]));
    }
  }
  if (eager) {
    b->index = tg_domains_index_new(b->domains);
    tg_name_filter_add_keys(&b->names, b->domains);
    b->people = tg_book_people_new(b->known, b->addresses);
  }
  if (own_memo)
    tg_domain_memo_free(own_memo);
  return b;
}

TgBook *tg_book_new(const struct psl_ctx_st *psl, const char *const *mailboxes, size_t n) {
  TgStrings list = {mailboxes, mailboxes ? n : 0};
  return tg_book_build(psl, NULL, &list, 1, true);
}

void tg_book_free(TgBook *b) {
  if (!b)
    return;
  g_hash_table_destroy(b->known);
  g_ptr_array_unref(b->addresses);
  g_hash_table_destroy(b->locals);
  g_hash_table_destroy(b->domains);
  g_clear_pointer(&b->index, tg_index_free);
  tg_name_filter_clear(&b->names);
  g_clear_pointer(&b->people, tg_people_free);
  g_clear_pointer(&b->mailboxes, g_ptr_array_unref);
  g_free(b);
}

size_t tg_book_count(const TgBook *b) {
  return b ? b->addresses->len : 0;
}
