/* people.c — person names normalised for exact matching, and the per-request index of the
 * address book's people (see people.h for the normalisations and what they deliberately are not:
 * no fuzzy matching, since two people with similar names are two people).
 *
 * Names are folded and cut into words in fixed buffers (no heap allocation for ASCII names, which
 * fill most address books). The index keeps, per contact, the hashes of three keys (full name,
 * initial + surname, normalised local part) in three open-addressing tables; a hash hit is
 * confirmed by recomputing the contact's key. Built once per request. */
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
  case 0x00DF: /* ß, as case folding writes it */
  case 0x1E9E:
    return "ss";
  case 0x03C2: /* final ς is σ */
    return "\xcf\x83";
  default:
    return NULL;
  }
}

/* Names longer than this (bytes, folded) or with more words are no one's name in an address
 * book; they are not matched. */
#define NAME_MAX_BYTES 256u
#define NAME_MAX_WORDS 16u

/* A name folded and cut into words, without heap allocations for the ASCII names that fill most
 * address books: the words' bytes lie back to back in `text`. */
typedef struct {
  char text[NAME_MAX_BYTES];
  guint16 start[NAME_MAX_WORDS], len[NAME_MAX_WORDS];
  guint n;
  int comma; /* words before the first comma, or -1 */
} Words;

/* The keys of a name, in caller buffers. */
typedef struct {
  char full[NAME_MAX_BYTES + NAME_MAX_WORDS];
  char initial[NAME_MAX_BYTES + 8];
  bool abbreviated;
} Keys;

static bool is_apostrophe(gunichar c) { return c == '\'' || c == 0x2019 || c == 0x02BC; }

/* Appends byte(s) of a word character; `open` says whether a word is in progress. */
static bool words_put(Words *w, size_t *at, bool *open, const char *bytes, size_t n) {
  if (*at + n > NAME_MAX_BYTES)
    return false;
  if (!*open) {
    if (w->n == NAME_MAX_WORDS)
      return false;
    w->start[w->n] = (guint16)*at;
    w->len[w->n] = 0;
    w->n++;
    *open = true;
  }
  memcpy(w->text + *at, bytes, n);
  *at += n;
  w->len[w->n - 1] = (guint16)(w->len[w->n - 1] + n);
  return true;
}

/* ASCII: lower case and cut in one pass. */
static bool words_ascii(const char *s, size_t len, Words *w) {
  size_t at = 0;
  bool open = false;
  for (size_t i = 0; i < len; i++) {
    char ch = s[i];
    if (g_ascii_isalnum(ch)) {
      char lower = g_ascii_tolower(ch);
      if (!words_put(w, &at, &open, &lower, 1))
        return false;
    } else if (ch != '\'') { /* apostrophes join: O'Brien = OBrien */
      open = false;
      if (ch == ',' && w->comma < 0)
        w->comma = (int)w->n;
    }
  }
  return true;
}

/* Unicode, one character at a time and without allocating: its compatibility decomposition
 * (NFKD: accents become marks, full-width letters plain ones), marks dropped, lower case, and a
 * few letters without a decomposition mapped (extra_fold). Mark order is all that per-character
 * decomposition leaves out of NFKD, and marks are dropped anyway. */
static bool words_unicode(const char *s, size_t len, Words *w) {
  if (!g_utf8_validate(s, (gssize)len, NULL))
    return false;
  size_t at = 0;
  bool open = false;
  for (const char *p = s; p < s + len; p = g_utf8_next_char(p)) {
    gunichar c = g_utf8_get_char(p);
    if (is_apostrophe(c))
      continue;
    gunichar parts[G_UNICHAR_MAX_DECOMPOSITION_LENGTH];
    gsize n = g_unichar_fully_decompose(c, TRUE, parts, G_N_ELEMENTS(parts));
    for (gsize k = 0; k < n; k++) {
      gunichar d = parts[k];
      if (g_unichar_ismark(d))
        continue;
      d = g_unichar_tolower(d);
      const char *m = extra_fold(d);
      char one[8];
      size_t one_len = 0;
      if (!m && g_unichar_isalnum(d)) {
        one_len = (size_t)g_unichar_to_utf8(d, one);
        m = one;
      } else if (m) {
        one_len = strlen(m);
      }
      if (m) {
        if (!words_put(w, &at, &open, m, one_len))
          return false;
      } else {
        open = false;
        if (d == ',' && w->comma < 0)
          w->comma = (int)w->n;
      }
    }
  }
  return true;
}

static bool words_of(const char *s, size_t len, Words *w) {
  w->n = 0;
  w->comma = -1;
  for (size_t i = 0; i < len; i++)
    if ((unsigned char)s[i] >= 0x80)
      return words_unicode(s, len, w);
  return words_ascii(s, len, w);
}

static size_t word_chars(const Words *w, guint i) {
  const char *p = w->text + w->start[i];
  size_t n = 0;
  for (guint16 k = 0; k < w->len[i]; k++)
    n += ((unsigned char)p[k] & 0xC0) != 0x80; /* count UTF-8 lead bytes */
  return n;
}

/* The keys of a name's words; false when they do not name a person (fewer than two words, a
 * one-letter surname). */
static bool keys_of(const Words *w, Keys *k) {
  guint n = w->n;
  if (n < 2)
    return false;
  /* "Smith, John" -> john smith: the words after the first comma come first. */
  guint order[NAME_MAX_WORDS];
  guint split = w->comma > 0 && (guint)w->comma < n ? (guint)w->comma : 0, m = 0;
  for (guint i = split; i < n; i++)
    order[m++] = i;
  for (guint i = 0; i < split; i++)
    order[m++] = i;
  guint first = order[0], last = order[n - 1];
  if (word_chars(w, last) < 2)
    return false;
  k->abbreviated = true;
  for (guint i = 0; i + 1 < n; i++)
    if (word_chars(w, order[i]) > 1)
      k->abbreviated = false;
  size_t at = 0;
  for (guint i = 0; i < n; i++) {
    guint x = order[i];
    /* Middle initials say too little: John Q. Smith is John Smith. */
    if (i > 0 && i + 1 < n && !k->abbreviated && word_chars(w, x) == 1)
      continue;
    if (at)
      k->full[at++] = ' ';
    memcpy(k->full + at, w->text + w->start[x], w->len[x]);
    at += w->len[x];
  }
  k->full[at] = '\0';
  const char *f = w->text + w->start[first];
  size_t lead = (size_t)(g_utf8_next_char(f) - f);
  memcpy(k->initial, f, lead);
  k->initial[lead] = ' ';
  memcpy(k->initial + lead + 1, w->text + w->start[last], w->len[last]);
  k->initial[lead + 1 + w->len[last]] = '\0';
  return true;
}

static bool name_keys(const char *display, Keys *k) {
  if (!display || !*display || strchr(display, '@'))
    return false; /* a name that is an address names nobody */
  size_t len = strnlen(display, NAME_MAX_BYTES * 2 + 1);
  if (len > NAME_MAX_BYTES * 2)
    return false;
  Words w;
  return words_of(display, len, &w) && keys_of(&w, k);
}

/* The words a local part spells: letters between . _ or -, at least two words. */
static bool local_keys(const char *local, Keys *k) {
  if (!local)
    return false;
  size_t len = strcspn(local, "+@");
  if (len == 0 || len > NAME_MAX_BYTES)
    return false;
  char text[NAME_MAX_BYTES + 1];
  for (size_t i = 0; i < len; i++) {
    char ch = local[i];
    if (ch == '.' || ch == '_' || ch == '-')
      ch = ' ';
    else if (!g_ascii_isalpha(ch) && (unsigned char)ch < 0x80)
      return false; /* digits or symbols: jsmith84, ops#2 — not a name */
    text[i] = ch;
  }
  Words w;
  return words_of(text, len, &w) && keys_of(&w, k);
}

void tg_person_name_clear(TgPersonName *n) {
  if (!n)
    return;
  g_clear_pointer(&n->full, g_free);
  g_clear_pointer(&n->initial, g_free);
  n->abbreviated = false;
}

static bool name_out(bool ok, const Keys *k, TgPersonName *out) {
  memset(out, 0, sizeof *out);
  if (!ok)
    return false;
  out->full = g_strdup(k->full);
  out->initial = g_strdup(k->initial);
  out->abbreviated = k->abbreviated;
  return true;
}

bool tg_person_name_parse(const char *display, TgPersonName *out) {
  Keys k;
  return name_out(name_keys(display, &k), &k, out);
}

bool tg_person_name_from_local(const char *local, TgPersonName *out) {
  Keys k;
  return name_out(local_keys(local, &k), &k, out);
}

/* The local key into `buf` (NUL-terminated); its length, or 0 when too short or too long. */
static size_t local_key_into(const char *local, char *buf, size_t cap) {
  size_t len = strcspn(local, "+@");
  if (len >= cap)
    return 0;
  size_t at = 0;
  for (size_t i = 0; i < len; i++) {
    unsigned char ch = (unsigned char)local[i];
    if (ch >= 0x80) { /* rare: a UTF-8 local part, lowered the slow way */
      g_autofree char *lower = g_utf8_strdown(local, (gssize)len);
      size_t n = strlen(lower);
      at = 0;
      for (size_t j = 0; j < n && at + 1 < cap; j++)
        if (lower[j] != '.' && lower[j] != '_' && lower[j] != '-')
          buf[at++] = lower[j];
      break;
    }
    if (ch != '.' && ch != '_' && ch != '-')
      buf[at++] = g_ascii_tolower((char)ch);
  }
  buf[at] = '\0';
  return at >= TG_PEOPLE_MIN_LOCAL ? at : 0;
}

char *tg_people_local_key(const char *local) {
  if (!local)
    return NULL;
  char buf[NAME_MAX_BYTES];
  return local_key_into(local, buf, sizeof buf) ? g_strdup(buf) : NULL;
}

/* ---- the index ------------------------------------------------------------------------------ */

/* The index holds only hashes, in three open-addressing tables (hash -> record) filled once at
 * freeze time. The keys themselves are recomputed from the borrowed display name or address on a
 * hash hit, which is rare, so a 10,000-contact book costs no allocation per contact beyond the
 * tables, and no sort. */
typedef struct {
  guint id;
  const char *display; /* borrowed */
  const char *address; /* borrowed */
  bool abbreviated;
} Record;

typedef struct {
  guint32 hash;
  guint32 record1; /* record + 1; 0 is an empty slot */
} Slot;

typedef struct {
  GArray *pending; /* Slot, until freeze */
  Slot *slots;
  guint32 mask;
} Table;

struct TgPeople {
  GArray *records; /* Record */
  Table full;      /* contacts whose given names are written out, by full name */
  Table initial;   /* every named contact, by initial + surname */
  Table local;     /* every person, by local key */
  bool frozen;
};

TgPeople *tg_people_new(guint expected) {
  TgPeople *p = g_new0(TgPeople, 1);
  p->records = g_array_sized_new(FALSE, FALSE, sizeof(Record), expected);
  Table *all[] = {&p->full, &p->initial, &p->local};
  for (size_t i = 0; i < G_N_ELEMENTS(all); i++)
    all[i]->pending = g_array_sized_new(FALSE, FALSE, sizeof(Slot), expected);
  return p;
}

void tg_people_free(TgPeople *p) {
  if (!p)
    return;
  g_array_unref(p->records);
  Table *all[] = {&p->full, &p->initial, &p->local};
  for (size_t i = 0; i < G_N_ELEMENTS(all); i++) {
    if (all[i]->pending)
      g_array_unref(all[i]->pending);
    g_free(all[i]->slots);
  }
  g_free(p);
}

static void push(Table *t, const char *key, guint record) {
  Slot e = {.hash = g_str_hash(key), .record1 = record + 1};
  g_array_append_val(t->pending, e);
}

/* Where a hash starts probing: g_str_hash's low bits are weak, so mix them (Fibonacci). */
static guint32 slot_of(guint32 hash, guint32 mask) { return (hash * 2654435761u >> 7) & mask; }

static void table_freeze(Table *t) {
  guint32 size = 8;
  while (size < 2 * t->pending->len)
    size *= 2;
  t->mask = size - 1;
  t->slots = g_new0(Slot, size);
  for (guint i = 0; i < t->pending->len; i++) {
    Slot e = g_array_index(t->pending, Slot, i);
    guint32 at = slot_of(e.hash, t->mask);
    while (t->slots[at].record1)
      at = (at + 1) & t->mask;
    t->slots[at] = e;
  }
  g_array_unref(t->pending);
  t->pending = NULL;
}

void tg_people_add(TgPeople *p, guint id, const char *display, const char *address) {
  g_return_if_fail(p != NULL && !p->frozen);
  g_return_if_fail(p->records->len < G_MAXUINT32 - 1);
  guint record = p->records->len;
  Record r = {.id = id, .display = display, .address = address};
  Keys k;
  bool person = false;
  if (name_keys(display, &k)) {
    if (!k.abbreviated)
      push(&p->full, k.full, record);
    push(&p->initial, k.initial, record);
    r.abbreviated = k.abbreviated;
    person = true;
  } else if (address && local_keys(address, &k)) {
    person = true;
  }
  /* Only a person's local part says who someone is: support@ or info@ at two places are two
   * mailboxes, not one person's work and home addresses. */
  char lk[NAME_MAX_BYTES];
  if (person && address && local_key_into(address, lk, sizeof lk))
    push(&p->local, lk, record);
  g_array_append_val(p->records, r);
}

void tg_people_freeze(TgPeople *p) {
  g_return_if_fail(p != NULL && !p->frozen);
  table_freeze(&p->full);
  table_freeze(&p->initial);
  table_freeze(&p->local);
  p->frozen = true;
}

typedef enum { KEY_FULL, KEY_INITIAL, KEY_LOCAL } KeyKind;

/* Does `r`'s key of this kind equal `key`? Recomputed: the index holds only hashes. */
static bool record_has(const Record *r, KeyKind kind, const char *key) {
  if (kind == KEY_LOCAL) {
    char lk[NAME_MAX_BYTES];
    return local_key_into(r->address, lk, sizeof lk) && strcmp(lk, key) == 0;
  }
  Keys k;
  if (!name_keys(r->display, &k))
    return false;
  return strcmp(kind == KEY_FULL ? k.full : k.initial, key) == 0;
}

/* Appends the ids of the records in `t` whose key of `kind` is `key`. */
static void find(const TgPeople *p, const Table *t, KeyKind kind, const char *key,
                 bool only_abbreviated, GArray *ids) {
  guint32 h = g_str_hash(key);
  for (guint32 at = slot_of(h, t->mask); t->slots[at].record1; at = (at + 1) & t->mask) {
    if (t->slots[at].hash != h)
      continue;
    const Record *r = &g_array_index(p->records, Record, t->slots[at].record1 - 1);
    if ((!only_abbreviated || r->abbreviated) && record_has(r, kind, key))
      g_array_append_val(ids, r->id);
  }
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
    find(p, &p->initial, KEY_INITIAL, name->initial, false, ids);
  } else {
    find(p, &p->full, KEY_FULL, name->full, false, ids);
    find(p, &p->initial, KEY_INITIAL, name->initial, true, ids); /* a contact saved as "J. Smith" */
  }
  sort_unique(ids, from);
}

void tg_people_lookup_local(const TgPeople *p, const char *local_key, GArray *ids) {
  g_return_if_fail(p != NULL && p->frozen);
  if (!local_key)
    return;
  guint from = ids->len;
  find(p, &p->local, KEY_LOCAL, local_key, false, ids);
  sort_unique(ids, from);
}
