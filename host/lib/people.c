/* people.c — person names normalised for exact matching, and the per-request index of the
 * address book's people (see people.h for the normalisations and what they deliberately are not:
 * no fuzzy matching, since two people with similar names are two people).
 *
 * The index keeps, per contact, three keys in one string chunk (full name, initial + surname,
 * normalised local part) in three arrays sorted by (hash, id): a lookup is a binary search plus a
 * string compare, and the whole index for a 10,000-contact address book costs a few
 * milliseconds to build once per request. */
#include "people.h"

#include <stdlib.h>
#include <string.h>

/* Letters that Unicode does not decompose into a base letter and a mark, folded the way people
 * write them without the accent (a Dane's "Søren" is typed "Soren" on an English keyboard). */
static const char *extra_fold(gunichar c) {
  switch (c) {
  case 0x00F8: /* ø */
    return "o";
  case 0x0142: /* ł */
    return "l";
  case 0x0111: /* đ */
  case 0x00F0: /* ð */
    return "d";
  case 0x00FE: /* þ */
    return "th";
  case 0x00E6: /* æ */
    return "ae";
  case 0x0153: /* œ */
    return "oe";
  case 0x0131: /* dotless ı */
    return "i";
  default:
    return NULL;
  }
}

/* Lower case without accents. ASCII (most address books) takes the fast path. */
static char *fold(const char *s) {
  bool ascii = true;
  for (const char *p = s; *p; p++)
    if ((unsigned char)*p >= 0x80) {
      ascii = false;
      break;
    }
  if (ascii)
    return g_ascii_strdown(s, -1);
  if (!g_utf8_validate(s, -1, NULL))
    return NULL;
  g_autofree char *nf = g_utf8_normalize(s, -1, G_NORMALIZE_NFKD);
  if (!nf)
    return NULL;
  g_autofree char *cf = g_utf8_casefold(nf, -1);
  GString *out = g_string_sized_new(strlen(cf));
  for (const char *p = cf; *p; p = g_utf8_next_char(p)) {
    gunichar c = g_utf8_get_char(p);
    if (g_unichar_ismark(c))
      continue;
    const char *m = extra_fold(c);
    if (m)
      g_string_append(out, m);
    else
      g_string_append_unichar(out, c);
  }
  return g_string_free(out, FALSE);
}

static bool is_apostrophe(gunichar c) { return c == '\'' || c == 0x2019 || c == 0x02BC; }

/* Splits folded text into words of letters and digits. *comma receives the number of words
 * before the first comma, or -1. Apostrophes join (o'brien -> obrien); anything else breaks. */
static GPtrArray *words_of(const char *folded, int *comma) {
  GPtrArray *words = g_ptr_array_new_with_free_func(g_free);
  *comma = -1;
  GString *w = g_string_new(NULL);
  for (const char *p = folded;; p = g_utf8_next_char(p)) {
    gunichar c = *p ? g_utf8_get_char(p) : 0;
    if (c && g_unichar_isalnum(c)) {
      g_string_append_unichar(w, c);
      continue;
    }
    if (c && is_apostrophe(c))
      continue;
    if (w->len) {
      g_ptr_array_add(words, g_strndup(w->str, w->len));
      g_string_truncate(w, 0);
    }
    if (c == ',' && *comma < 0)
      *comma = (int)words->len;
    if (!c)
      break;
  }
  g_string_free(w, TRUE);
  return words;
}

void tg_person_name_clear(TgPersonName *n) {
  if (!n)
    return;
  g_clear_pointer(&n->full, g_free);
  g_clear_pointer(&n->initial, g_free);
  n->abbreviated = false;
}

bool tg_person_name_parse(const char *display, TgPersonName *out) {
  memset(out, 0, sizeof *out);
  if (!display || !*display || strchr(display, '@'))
    return false; /* a name that is an address names nobody */
  g_autofree char *folded = fold(display);
  if (!folded)
    return false;
  int comma = -1;
  g_autoptr(GPtrArray) words = words_of(folded, &comma);
  guint n = words->len;
  if (n < 2)
    return false;
  /* "Smith, John" -> john smith: the words after the first comma come first. */
  g_autofree const char **ordered = g_new(const char *, n);
  guint k = 0;
  guint split = comma > 0 && (guint)comma < n ? (guint)comma : 0;
  for (guint i = split; i < n; i++)
    ordered[k++] = g_ptr_array_index(words, i);
  for (guint i = 0; i < split; i++)
    ordered[k++] = g_ptr_array_index(words, i);
  g_assert(k == n);

  const char *first = ordered[0], *last = ordered[n - 1];
  if (g_utf8_strlen(last, -1) < 2)
    return false;
  bool abbreviated = true;
  for (guint i = 0; i + 1 < n; i++)
    if (g_utf8_strlen(ordered[i], -1) > 1)
      abbreviated = false;
  GString *full = g_string_new(first);
  for (guint i = 1; i + 1 < n; i++)
    if (abbreviated || g_utf8_strlen(ordered[i], -1) > 1) { /* middle initials say too little */
      g_string_append_c(full, ' ');
      g_string_append(full, ordered[i]);
    }
  g_string_append_c(full, ' ');
  g_string_append(full, last);
  out->full = g_string_free(full, FALSE);
  out->initial = g_strdup_printf("%.*s %s", (int)(g_utf8_next_char(first) - first), first, last);
  out->abbreviated = abbreviated;
  return true;
}

bool tg_person_name_from_local(const char *local, TgPersonName *out) {
  memset(out, 0, sizeof *out);
  if (!local)
    return false;
  size_t len = strcspn(local, "+@");
  g_autofree char *text = g_strndup(local, len);
  unsigned words = 0;
  bool in_word = false;
  for (char *p = text; *p; p++) {
    if (*p == '.' || *p == '_' || *p == '-') {
      *p = ' ';
      in_word = false;
    } else if (g_ascii_isalpha(*p) || (unsigned char)*p >= 0x80) {
      words += !in_word;
      in_word = true;
    } else {
      return false; /* digits or symbols: jsmith84, ops#2 — not a name */
    }
  }
  if (words < 2)
    return false;
  return tg_person_name_parse(text, out);
}

char *tg_people_local_key(const char *local) {
  if (!local)
    return NULL;
  size_t len = strcspn(local, "+@");
  g_autofree char *lower = g_utf8_strdown(local, (gssize)len);
  char *w = lower;
  for (const char *r = lower; *r; r++)
    if (*r != '.' && *r != '_' && *r != '-')
      *w++ = *r;
  *w = '\0';
  if ((size_t)(w - lower) < TG_PEOPLE_MIN_LOCAL)
    return NULL;
  return g_steal_pointer(&lower);
}

/* ---- the index ------------------------------------------------------------------------------ */

typedef struct {
  guint hash;
  guint id;
  const char *key; /* in the chunk */
  bool abbreviated;
} Entry;

struct TgPeople {
  GStringChunk *chunk;
  GArray *full;    /* Entry: contacts whose given names are written out, by full name */
  GArray *initial; /* Entry: every named contact, by initial + surname */
  GArray *local;   /* Entry: every contact, by local key */
  bool frozen;
};

TgPeople *tg_people_new(void) {
  TgPeople *p = g_new0(TgPeople, 1);
  p->chunk = g_string_chunk_new(16 * 1024);
  p->full = g_array_new(FALSE, FALSE, sizeof(Entry));
  p->initial = g_array_new(FALSE, FALSE, sizeof(Entry));
  p->local = g_array_new(FALSE, FALSE, sizeof(Entry));
  return p;
}

void tg_people_free(TgPeople *p) {
  if (!p)
    return;
  g_string_chunk_free(p->chunk);
  g_array_unref(p->full);
  g_array_unref(p->initial);
  g_array_unref(p->local);
  g_free(p);
}

static void push(TgPeople *p, GArray *a, guint id, const char *key, bool abbreviated) {
  Entry e = {.hash = g_str_hash(key), .id = id, .key = g_string_chunk_insert_const(p->chunk, key),
             .abbreviated = abbreviated};
  g_array_append_val(a, e);
}

void tg_people_add(TgPeople *p, guint id, const char *display, const char *address) {
  g_return_if_fail(p != NULL && !p->frozen);
  TgPersonName n;
  bool person = false;
  if (tg_person_name_parse(display, &n)) {
    if (!n.abbreviated)
      push(p, p->full, id, n.full, false);
    push(p, p->initial, id, n.initial, n.abbreviated);
    tg_person_name_clear(&n);
    person = true;
  } else if (tg_person_name_from_local(address, &n)) {
    tg_person_name_clear(&n);
    person = true;
  }
  /* Only a person's local part says who someone is: support@ or info@ at two places are two
   * mailboxes, not one person's work and home addresses. */
  g_autofree char *lk = person ? tg_people_local_key(address) : NULL;
  if (lk)
    push(p, p->local, id, lk, false);
}

static int entry_order(const void *pa, const void *pb) {
  const Entry *a = pa, *b = pb;
  if (a->hash != b->hash)
    return a->hash < b->hash ? -1 : 1;
  return a->id < b->id ? -1 : a->id > b->id;
}

void tg_people_freeze(TgPeople *p) {
  g_return_if_fail(p != NULL);
  GArray *all[] = {p->full, p->initial, p->local};
  for (size_t i = 0; i < G_N_ELEMENTS(all); i++)
    if (all[i]->len > 1)
      qsort(all[i]->data, all[i]->len, sizeof(Entry), entry_order);
  p->frozen = true;
}

/* Appends the ids of the entries of `a` whose key is `key` (hash order, then id order). */
static void find(const GArray *a, const char *key, bool only_abbreviated, GArray *ids) {
  guint h = g_str_hash(key);
  const Entry *e = (const Entry *)(const void *)a->data;
  guint lo = 0, hi = a->len;
  while (lo < hi) {
    guint mid = lo + (hi - lo) / 2;
    if (e[mid].hash < h)
      lo = mid + 1;
    else
      hi = mid;
  }
  for (guint i = lo; i < a->len && e[i].hash == h; i++)
    if ((!only_abbreviated || e[i].abbreviated) && strcmp(e[i].key, key) == 0)
      g_array_append_val(ids, e[i].id);
}

static int uint_order(const void *pa, const void *pb) {
  guint a = *(const guint *)pa, b = *(const guint *)pb;
  return a < b ? -1 : a > b;
}

/* Sorts ids[from..] and drops duplicates there. */
static void sort_unique(GArray *ids, guint from) {
  guint n = ids->len - from;
  if (n < 2)
    return;
  guint *v = &g_array_index(ids, guint, from);
  qsort(v, n, sizeof *v, uint_order);
  guint w = 1;
  for (guint r = 1; r < n; r++)
    if (v[r] != v[w - 1])
      v[w++] = v[r];
  g_array_set_size(ids, from + w);
}

void tg_people_lookup_name(const TgPeople *p, const TgPersonName *name, GArray *ids) {
  g_return_if_fail(p != NULL && p->frozen && name != NULL && name->full != NULL);
  guint from = ids->len;
  if (name->abbreviated) {
    /* "J. Smith" is John Smith, Jane Smith and J. Smith alike: the caller decides on a tie. */
    find(p->initial, name->initial, false, ids);
  } else {
    find(p->full, name->full, false, ids);
    find(p->initial, name->initial, true, ids); /* a contact saved as "J. Smith" */
  }
  sort_unique(ids, from);
}

void tg_people_lookup_local(const TgPeople *p, const char *local_key, GArray *ids) {
  g_return_if_fail(p != NULL && p->frozen);
  if (!local_key)
    return;
  guint from = ids->len;
  find(p->local, local_key, false, ids);
  sort_unique(ids, from);
}
