/* namefilter.c — see namefilter.h. */
#include "namefilter.h"

#include <string.h>

#include "tgkeys.h"

/* The domain key hash (tgkeys.h), low bit set so that 0 marks an empty slot. */
static guint32 name_hash(const char *s, size_t n) {
  return tg_key_hash(s, n) | 1u;
}

/* The slot holding h, or the empty one where it would go. */
static size_t find_slot(const guint32 *slot, size_t cap, guint32 h) {
  size_t i = h & (cap - 1);
  while (slot[i] && slot[i] != h)
    i = (i + 1) & (cap - 1);
  return i;
}

static void add_hash(TgNameFilter *f, guint32 h) {
  if ((f->used + 1) * 2 > f->cap) {
    size_t ncap = f->cap ? f->cap * 2 : 64;
    guint32 *ns = g_new0(guint32, ncap);
    for (size_t i = 0; i < f->cap; i++)
      if (f->slot[i])
        ns[find_slot(ns, ncap, f->slot[i])] = f->slot[i];
    g_free(f->slot);
    f->slot = ns;
    f->cap = ncap;
  }
  size_t i = find_slot(f->slot, f->cap, h);
  if (!f->slot[i]) {
    f->slot[i] = h;
    f->used++;
  }
}

void tg_name_filter_add_domain(TgNameFilter *f, const char *ascii) {
  const char *dot = ascii ? strrchr(ascii, '.') : NULL;
  if (dot)
    add_hash(f, name_hash(ascii, (size_t)(dot - ascii) + 1));
}

bool tg_name_filter_may_hold(const TgNameFilter *f, const char *name, size_t len) {
  if (!f->cap)
    return false;
  return f->slot[find_slot(f->slot, f->cap, name_hash(name, len))] != 0;
}

void tg_name_filter_add_keys(TgNameFilter *f, GHashTable *domains) {
  GHashTableIter it;
  gpointer k;
  g_hash_table_iter_init(&it, domains);
  while (g_hash_table_iter_next(&it, &k, NULL))
    tg_name_filter_add_domain(f, k);
}

void tg_name_filter_clear(TgNameFilter *f) {
  g_free(f->slot);
  *f = (TgNameFilter){0};
}
