/* history.c — the learned store: domains and addresses the user really sent to.
 *
 * One text file, `<dir>/history`, versioned:
 *
 *   typoguard-history 1
 *   # kind <TAB> name <TAB> count <TAB> last use (Unix seconds)
 *   d	army.mil	12	1764430000
 *   a	john.doe@army.mil	5	1764430000
 *   end	2
 *
 * `d` is a domain (normalised ASCII), `a` an address (ASCII-lowercased local part, normalised
 * domain). Lines of any other kind are kept verbatim and written back, so a later format that
 * adds records is not destroyed by this version; a file whose version is newer than ours is read
 * but never rewritten. `end N` closes the file and lets a reader notice truncation.
 *
 * Co-recipient patterns — which addresses were written to in one message, for wrong_address —
 * live beside it in `<dir>/corecipients`, the same format with one record kind:
 *
 *   p	jane@army.mil	ops@army.mil	4	1764430000
 *
 * (the two addresses in byte order, how many messages went to both, last use). They have their
 * own file so that the address file stays exactly what earlier versions wrote and read. A message
 * to more than TG_MAX_PATTERN_ADDRESSES addresses is a mailing and adds no pairs.
 *
 * Guarantees: each file is replaced atomically (temporary file in the same folder, fsync, rename,
 * fsync of the folder) under one exclusive lock on `<dir>/history.lock`; before writing, the files
 * are read again under the lock and this learn is applied to what is there, so concurrent hosts
 * lose nothing and a crash at any point leaves the previous file whole. A corrupt file gives up
 * only the lines that do not parse (said on stderr, and a copy is kept as `history.bad`). The
 * store is bounded (TG_HISTORY_MAX_*): the least useful entries go first (history.h), and one
 * learn adds at most half of a bound in new names. The folder must be the user's alone (not
 * writable by group or others), its files are never opened through a symbolic link, and no line
 * is written that the reader (TG_HISTORY_MAX_LINE) would refuse.
 * Files are replaced through tg_write_file_atomic (atomicfile.h).
 */
#include "history.h"

#include <errno.h>
#include <math.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "atomicfile.h"
#include "config.h"
#include "files.h"

#define TG_HISTORY_FILE "history"
#define TG_HISTORY_LOCK "history.lock"
#define TG_HISTORY_BAD "history.bad"
#define TG_HISTORY_TMP_PREFIX "history.tmp."
#define TG_PAIRS_FILE "corecipients"
#define TG_PAIRS_BAD "corecipients.bad"
#define TG_PAIRS_TMP_PREFIX "corecipients.tmp."
#define TG_HISTORY_HEADER "typoguard-history"
#define TG_HISTORY_VERSION 1u
/* Lines of unknown kinds kept for a later version; beyond this they are dropped. */
#define TG_HISTORY_MAX_EXTRA 20000u
#define TG_HISTORY_MAX_LINE 4096u /* longer lines are not read, so they are never written */
/* A full store of maximal lines, with room: the bad copy never reads more. */
#define TG_HISTORY_MAX_FILE_BYTES                                                      \
  ((size_t)(TG_HISTORY_MAX_ADDRESSES + TG_HISTORY_MAX_DOMAINS + TG_HISTORY_MAX_PAIRS + \
            TG_HISTORY_MAX_EXTRA + 16u) *                                              \
   (TG_HISTORY_MAX_LINE + 1u))
/* How long a learn waits for another host's lock before giving up. */
#define TG_HISTORY_LOCK_TIMEOUT_US (10 * G_USEC_PER_SEC)

typedef struct {
  unsigned count;
  gint64 last; /* Unix seconds */
} Entry;

struct TgHistory {
  char *dir;
  char *path;
  char *lock_path;
  GHashTable *domains;   /* char* -> Entry* */
  GHashTable *addresses; /* char* -> Entry* */
  GPtrArray *extra;      /* unknown record lines, verbatim */
  unsigned version;      /* of the file read; 0 when there was none */
  unsigned dropped;      /* lines that did not parse at the last read (both files) */
  bool truncated;        /* the last read found no end marker (either file) */
  char *pairs_path;
  GHashTable *pairs;      /* "a<TAB>b" (a < b) -> Entry*: messages written to both */
  GPtrArray *pairs_extra; /* unknown record lines of the pairs file, verbatim */
};

static GHashTable *table_new(void) {
  return g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
}

/* ---- names ----------------------------------------------------------------------------- */

static bool has_control(const char *s) {
  for (; *s; s++)
    if ((unsigned char)*s < 0x20 || *s == 0x7f)
      return true;
  return false;
}

/* An address as the history keys it: local part with ASCII letters lowercased (mail servers
 * treat it case-insensitively in practice), domain normalised; `*domain` receives the domain. */
static char *address_key(const char *address, char **domain) {
  size_t len = strlen(address);
  if (len == 0 || len > TG_MAX_ADDRESS_BYTES || has_control(address) ||
      !g_utf8_validate(address, (gssize)len, NULL))
    return NULL;
  const char *at = strrchr(address, '@');
  if (at == NULL || at == address || at[1] == '\0')
    return NULL;
  g_autofree char *d = tg_settings_normalise_domain(at + 1, NULL);
  if (d == NULL || strchr(at + 1, '\t') || at[1] == '[')
    return NULL;
  g_autofree char *local = g_ascii_strdown(address, at - address);
  if (strchr(local, '\t') != NULL)
    return NULL;
  char *key = g_strconcat(local, "@", d, NULL);
  if (domain)
    *domain = g_steal_pointer(&d);
  return key;
}

/* ---- reading --------------------------------------------------------------------------- */

static bool parse_u64(const char *s, guint64 max, guint64 *out) {
  if (*s == '\0' || !g_ascii_isdigit(*s))
    return false;
  char *end = NULL;
  errno = 0;
  guint64 v = g_ascii_strtoull(s, &end, 10);
  if (errno != 0 || *end != '\0' || v > max)
    return false;
  *out = v;
  return true;
}

static void entry_merge(GHashTable *t, const char *name, unsigned count, gint64 last) {
  Entry *e = g_hash_table_lookup(t, name);
  if (e == NULL) {
    e = g_new0(Entry, 1);
    g_hash_table_insert(t, g_strdup(name), e);
  }
  /* A name twice in one file is not expected; keep the larger, never double-count. */
  e->count = MAX(e->count, count);
  e->last = MAX(e->last, last);
}

typedef struct {
  GHashTable *domains, *addresses, *pairs;
  GPtrArray *extra;
  unsigned version;
  unsigned dropped;
  unsigned first_bad_line;
  bool truncated;
  bool exists;
  int read_errno; /* the file is there but cannot be read (EACCES, EIO, EISDIR): never rewrite it */
  char *open_error; /* why, when it could not be opened (a symbolic link, a FIFO …) */
} ReadResult;

static void read_result_clear(ReadResult *r) {
  g_clear_pointer(&r->domains, g_hash_table_unref);
  g_clear_pointer(&r->addresses, g_hash_table_unref);
  g_clear_pointer(&r->pairs, g_hash_table_unref);
  g_clear_pointer(&r->extra, g_ptr_array_unref);
  g_clear_pointer(&r->open_error, g_free);
}

static bool parse_record(ReadResult *r, const char *text) {
  g_autofree char *line = g_strdup(text); /* split in place; the caller keeps the original */
  char *f[6] = {0};
  unsigned n = 0;
  for (char *p = line; n < G_N_ELEMENTS(f);) {
    f[n++] = p;
    char *tab = strchr(p, '\t');
    if (tab == NULL)
      break;
    *tab = '\0';
    p = tab + 1;
  }
  if (strcmp(f[0], "p") == 0 && n == 5) {
    /* A pair: two normalised addresses in byte order, then count and last use. */
    guint64 count, last;
    if (!parse_u64(f[3], G_MAXUINT, &count) || !parse_u64(f[4], G_MAXINT64, &last) || count == 0)
      return false;
    g_autofree char *a = address_key(f[1], NULL);
    g_autofree char *b = address_key(f[2], NULL);
    if (a == NULL || b == NULL || strcmp(a, f[1]) != 0 || strcmp(b, f[2]) != 0 || strcmp(a, b) >= 0)
      return false;
    g_autofree char *key = g_strconcat(a, "\t", b, NULL);
    entry_merge(r->pairs, key, (unsigned)count, (gint64)last);
    return true;
  }
  if (n != 4)
    return false;
  guint64 count, last;
  if (!parse_u64(f[2], G_MAXUINT, &count) || !parse_u64(f[3], G_MAXINT64, &last) || count == 0)
    return false;
  if (strcmp(f[0], "d") == 0) {
    g_autofree char *d = tg_settings_normalise_domain(f[1], NULL);
    if (d == NULL || strcmp(d, f[1]) != 0)
      return false;
    entry_merge(r->domains, d, (unsigned)count, (gint64)last);
    return true;
  }
  if (strcmp(f[0], "a") == 0) {
    g_autofree char *a = address_key(f[1], NULL);
    if (a == NULL || strcmp(a, f[1]) != 0)
      return false;
    entry_merge(r->addresses, a, (unsigned)count, (gint64)last);
    return true;
  }
  return false;
}

/* Reads the file at `path` into fresh tables. Never fails: what does not parse is counted. */
static ReadResult history_read(const char *path) {
  ReadResult r = {.domains = table_new(),
                  .addresses = table_new(),
                  .pairs = table_new(),
                  .extra = g_ptr_array_new_with_free_func(g_free)};
  /* A regular file only, never through a symbolic link (a name in the data folder), read line by
   * line with a buffer of one accepted line: a 300 MB line is skipped unread. */
  g_autoptr(GError) err = NULL;
  int fd = tg_file_open_regular(path, true, &err);
  if (fd < 0) {
    if (!g_error_matches(err, G_FILE_ERROR, G_FILE_ERROR_NOENT)) {
      r.read_errno = EIO;
      r.exists = true;
      r.open_error = g_strdup(err->message);
    }
    return r; /* a missing file is an empty history */
  }
  r.exists = true;
  r.truncated = true; /* until the end marker is seen */
  TgLineReader lr;
  tg_lines_init(&lr, fd, TG_HISTORY_MAX_LINE);
  char *line = NULL;
  size_t len = 0;
  bool overlong = false, whole = false;
  unsigned lineno = 0;
  guint64 max_lines = (guint64)TG_HISTORY_MAX_ADDRESSES + TG_HISTORY_MAX_DOMAINS +
                      TG_HISTORY_MAX_PAIRS + TG_HISTORY_MAX_EXTRA + 1000u;
  while (lineno < max_lines && tg_lines_next(&lr, &line, &len, &overlong, &whole)) {
    lineno++;
    bool ok = false;
    if (!whole) {
      ok = false; /* a last line without its newline was cut short */
    } else if (overlong || strlen(line) != len || !g_utf8_validate(line, (gssize)len, NULL)) {
      ok = false;
    } else if (lineno == 1) {
      guint64 v;
      ok = g_str_has_prefix(line, TG_HISTORY_HEADER " ") &&
           parse_u64(line + strlen(TG_HISTORY_HEADER " "), 1000000, &v) && v > 0;
      if (ok)
        r.version = (unsigned)v;
    } else if (line[0] == '#' || line[0] == '\0') {
      ok = true;
    } else if (g_str_has_prefix(line, "end\t")) {
      ok = true;
      r.truncated = false;
    } else if (parse_record(&r, line)) {
      ok = true;
      r.truncated = true; /* a record after an end marker: that marker was not the end */
    } else {
      /* Unknown record kinds (a later format) are kept; plain garbage is not. A kind is a
       * lowercase word followed by a tab. */
      size_t k = 0;
      while (k < len && g_ascii_islower(line[k]))
        k++;
      if (k > 0 && k < len && line[k] == '\t' &&
          !(k == 1 && (line[0] == 'd' || line[0] == 'a' || line[0] == 'p')) &&
          r.extra->len < TG_HISTORY_MAX_EXTRA) {
        g_ptr_array_add(r.extra, g_strdup(line));
        ok = true;
      }
    }
    if (!ok) {
      if (r.dropped++ == 0)
        r.first_bad_line = lineno;
    }
  }
  if (lr.read_errno != 0)
    r.read_errno = lr.read_errno;
  tg_lines_clear(&lr);
  close(fd);
  return r;
}

/* `pairs`: the co-recipients file, whose records are pairs only (its message must not count the
 * address file's domains and addresses). */
static void report_read(const char *path, const ReadResult *r, bool pairs) {
  if (r->open_error != NULL)
    g_printerr("typoguard: history: %s; nothing is learned until it can be read\n", r->open_error);
  else if (r->read_errno != 0)
    g_printerr("typoguard: history %s cannot be read: %s; nothing is learned until it can\n", path,
               g_strerror(r->read_errno));
  else if (r->dropped > 0 && pairs)
    g_printerr("typoguard: history %s: %u unreadable line%s dropped (first at line %u); %u "
               "co-recipient pairs kept\n",
               path, r->dropped, r->dropped == 1 ? "" : "s", r->first_bad_line,
               g_hash_table_size(r->pairs));
  else if (r->dropped > 0)
    g_printerr("typoguard: history %s: %u unreadable line%s dropped (first at line %u); %u "
               "domains and %u addresses kept\n",
               path, r->dropped, r->dropped == 1 ? "" : "s", r->first_bad_line,
               g_hash_table_size(r->domains), g_hash_table_size(r->addresses));
  else if (r->exists && r->truncated && pairs)
    g_printerr("typoguard: history %s: the file ends early (no end marker); kept %u co-recipient "
               "pairs\n",
               path, g_hash_table_size(r->pairs));
  else if (r->exists && r->truncated)
    g_printerr("typoguard: history %s: the file ends early (no end marker); kept %u domains and "
               "%u addresses\n",
               path, g_hash_table_size(r->domains), g_hash_table_size(r->addresses));
}

/* Takes the address file's read `r` and the pairs file's read `rp` (both emptied). Pairs found
 * in the address file (never written there, but harmless) join the pairs file's. */
static void history_take(TgHistory *h, ReadResult *r, ReadResult *rp) {
  g_hash_table_unref(h->domains);
  g_hash_table_unref(h->addresses);
  g_hash_table_unref(h->pairs);
  g_ptr_array_unref(h->extra);
  g_ptr_array_unref(h->pairs_extra);
  h->domains = g_steal_pointer(&r->domains);
  h->addresses = g_steal_pointer(&r->addresses);
  h->extra = g_steal_pointer(&r->extra);
  h->pairs = g_steal_pointer(&rp->pairs);
  h->pairs_extra = g_steal_pointer(&rp->extra);
  GHashTableIter it;
  gpointer k, v;
  g_hash_table_iter_init(&it, r->pairs);
  while (g_hash_table_iter_next(&it, &k, &v)) {
    const Entry *e = v;
    entry_merge(h->pairs, k, e->count, e->last);
  }
  h->version = MAX(r->version, rp->version);
  h->dropped = r->dropped + rp->dropped;
  h->truncated = (r->exists && r->truncated) || (rp->exists && rp->truncated);
}

static bool folder_safe(const char *dir, GError **error);

char *tg_history_default_dir(void) {
  /* Read the environment each call (g_get_user_data_dir caches its first answer). */
  const char *xdg = g_getenv("XDG_DATA_HOME");
  if (xdg != NULL && g_path_is_absolute(xdg))
    return g_build_filename(xdg, "typoguard", NULL);
  const char *home = g_getenv("HOME");
  if (home == NULL || home[0] == '\0')
    home = g_get_home_dir();
  if (home == NULL || home[0] == '\0')
    return NULL;
  return g_build_filename(home, ".local", "share", "typoguard", NULL);
}

TgHistory *tg_history_open(const char *dir, GError **error) {
  g_autofree char *d = dir ? g_strdup(dir) : tg_history_default_dir();
  if (d == NULL) {
    g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_NOENT,
                "cannot tell where the history lives: neither XDG_DATA_HOME nor HOME is set");
    return NULL;
  }
  if (!folder_safe(d, error))
    return NULL;
  TgHistory *h = g_new0(TgHistory, 1);
  h->path = g_build_filename(d, TG_HISTORY_FILE, NULL);
  h->lock_path = g_build_filename(d, TG_HISTORY_LOCK, NULL);
  h->pairs_path = g_build_filename(d, TG_PAIRS_FILE, NULL);
  h->dir = g_steal_pointer(&d);
  ReadResult r = history_read(h->path);
  report_read(h->path, &r, false);
  ReadResult rp = history_read(h->pairs_path);
  report_read(h->pairs_path, &rp, true);
  h->domains = table_new();
  h->addresses = table_new();
  h->pairs = table_new();
  h->extra = g_ptr_array_new();
  h->pairs_extra = g_ptr_array_new();
  history_take(h, &r, &rp);
  read_result_clear(&r);
  read_result_clear(&rp);
  return h;
}

void tg_history_free(TgHistory *h) {
  if (h == NULL)
    return;
  g_free(h->dir);
  g_free(h->path);
  g_free(h->lock_path);
  g_free(h->pairs_path);
  g_hash_table_unref(h->domains);
  g_hash_table_unref(h->addresses);
  g_hash_table_unref(h->pairs);
  g_ptr_array_unref(h->extra);
  g_ptr_array_unref(h->pairs_extra);
  g_free(h);
}

const char *tg_history_path(const TgHistory *h) {
  return h->path;
}
size_t tg_history_domain_count(const TgHistory *h) {
  return g_hash_table_size(h->domains);
}
size_t tg_history_address_count(const TgHistory *h) {
  return g_hash_table_size(h->addresses);
}
size_t tg_history_pair_count(const TgHistory *h) {
  return g_hash_table_size(h->pairs);
}
unsigned tg_history_dropped(const TgHistory *h) {
  return h->dropped;
}
bool tg_history_truncated(const TgHistory *h) {
  return h->truncated;
}

static bool lookup(GHashTable *t, const char *name, unsigned *count, gint64 *last) {
  const Entry *e = g_hash_table_lookup(t, name);
  if (e == NULL)
    return false;
  if (count)
    *count = e->count;
  if (last)
    *last = e->last;
  return true;
}

bool tg_history_lookup_domain(const TgHistory *h, const char *domain, unsigned *count,
                              gint64 *last) {
  g_autofree char *d = tg_settings_normalise_domain(domain, NULL);
  return d != NULL && lookup(h->domains, d, count, last);
}

bool tg_history_lookup_address(const TgHistory *h, const char *address, unsigned *count,
                               gint64 *last) {
  g_autofree char *a = address_key(address, NULL);
  return a != NULL && lookup(h->addresses, a, count, last);
}

/* "a<TAB>b" with a < b, the pairs table's key; NULL when either is not an address or a == b. */
static char *pair_key(const char *a, const char *b) {
  g_autofree char *ka = address_key(a, NULL);
  g_autofree char *kb = address_key(b, NULL);
  int order = ka && kb ? strcmp(ka, kb) : 0;
  if (order == 0)
    return NULL;
  return order < 0 ? g_strconcat(ka, "\t", kb, NULL) : g_strconcat(kb, "\t", ka, NULL);
}

bool tg_history_lookup_pair(const TgHistory *h, const char *a, const char *b, unsigned *count,
                            gint64 *last) {
  g_autofree char *key = pair_key(a, b);
  return key != NULL && lookup(h->pairs, key, count, last);
}

static gint cmp_strp(gconstpointer a, gconstpointer b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static GPtrArray *keys_sorted(GHashTable *t) {
  GPtrArray *keys = g_ptr_array_new();
  GHashTableIter it;
  gpointer k;
  g_hash_table_iter_init(&it, t);
  while (g_hash_table_iter_next(&it, &k, NULL))
    g_ptr_array_add(keys, k);
  g_ptr_array_sort(keys, cmp_strp);
  return keys;
}

void tg_history_apply(const TgHistory *h, TgContext *ctx) {
  /* Sorted, so that the context is built the same way every run. */
  g_autoptr(GPtrArray) domains = keys_sorted(h->domains);
  for (guint i = 0; i < domains->len; i++)
    (void)tg_context_add_domain(ctx, g_ptr_array_index(domains, i), TG_SOURCE_HISTORY);
  g_autoptr(GPtrArray) addresses = keys_sorted(h->addresses);
  for (guint i = 0; i < addresses->len; i++) {
    const char *a = g_ptr_array_index(addresses, i);
    const Entry *e = g_hash_table_lookup(h->addresses, a);
    tg_context_add_history(ctx, a, e->count);
  }
  g_autoptr(GPtrArray) pairs = keys_sorted(h->pairs);
  for (guint i = 0; i < pairs->len; i++) {
    const char *key = g_ptr_array_index(pairs, i);
    const Entry *e = g_hash_table_lookup(h->pairs, key);
    const char *tab = strchr(key, '\t');
    g_autofree char *a = g_strndup(key, (gsize)(tab - key));
    const char *both[] = {a, tab + 1};
    tg_context_add_corecipients(ctx, both, 2, e->count);
  }
}

/* ---- bounds ---------------------------------------------------------------------------- */

typedef struct {
  const char *name;
  const Entry *e;
  double worth;
  bool now_used; /* used by the learn being recorded */
} Ranked;

/* How useful an entry still is: how often it was used, fading with the time since its last use
 * (halved every TG_HISTORY_HALF_LIFE_S). A domain written to weekly for a year outweighs a
 * hundred addresses of one mass mailing, which outweigh what was used once, long ago. */
static double worth(const Entry *e, gint64 now) {
  double age = now > e->last ? (double)(now - e->last) : 0.0;
  return (double)e->count * exp2(-age / TG_HISTORY_HALF_LIFE_S);
}

static gint cmp_worth(gconstpointer pa, gconstpointer pb) {
  const Ranked *a = pa, *b = pb;
  if (a->now_used != b->now_used)
    return a->now_used ? 1 : -1;
  if (a->worth != b->worth)
    return a->worth < b->worth ? -1 : 1;
  if (a->e->last != b->e->last)
    return a->e->last < b->e->last ? -1 : 1;
  if (a->e->count != b->e->count)
    return a->e->count < b->e->count ? -1 : 1;
  return strcmp(a->name, b->name);
}

/* Drops the least useful entries (worth(), then the least recently used) until `t` holds at most
 * `max`. What the current learn used (last == now) goes last: a new contact has a count of 1 and
 * would otherwise never outlast a store of old favourites long enough to be counted again; one
 * learn adds at most half of a bound in new names, so the better half of the rest stays. */
static void evict(GHashTable *t, size_t max, gint64 now) {
  size_t n = g_hash_table_size(t);
  if (n <= max)
    return;
  g_autofree Ranked *all = g_new(Ranked, n);
  GHashTableIter it;
  gpointer k, v;
  size_t i = 0;
  g_hash_table_iter_init(&it, t);
  while (g_hash_table_iter_next(&it, &k, &v)) {
    const Entry *e = v;
    all[i++] = (Ranked){k, e, worth(e, now), e->last >= now};
  }
  qsort(all, n, sizeof *all, cmp_worth);
  g_autoptr(GPtrArray) victims = g_ptr_array_new_with_free_func(g_free);
  for (i = 0; i < n - max; i++)
    g_ptr_array_add(victims, g_strdup(all[i].name));
  for (i = 0; i < victims->len; i++)
    g_hash_table_remove(t, g_ptr_array_index(victims, i));
  g_assert(g_hash_table_size(t) == max); /* the names are distinct keys: each victim was there */
}

/* ---- writing --------------------------------------------------------------------------- */

/* The address file (`pairs` false) or the pairs file. */
static char *history_serialise(const TgHistory *h, bool pairs) {
  GString *out = g_string_new(NULL);
  g_string_append_printf(out, TG_HISTORY_HEADER " %u\n", TG_HISTORY_VERSION);
  if (pairs)
    g_string_append(out, "# p\taddress\taddress\tmessages to both\tlast use (Unix seconds); "
                         "written by typoguard-host\n");
  else
    g_string_append(out,
                    "# kind\tname\tcount\tlast use (Unix seconds); written by typoguard-host\n");
  size_t records = 0;
  struct {
    GHashTable *t;
    const char *kind;
  } tables[] = {{h->domains, "d"}, {h->addresses, "a"}, {h->pairs, "p"}};
  for (size_t k = pairs ? 2 : 0; k < (pairs ? 3u : 2u); k++) {
    g_autoptr(GPtrArray) keys = keys_sorted(tables[k].t);
    for (guint i = 0; i < keys->len; i++) {
      const char *name = g_ptr_array_index(keys, i);
      const Entry *e = g_hash_table_lookup(tables[k].t, name);
      size_t before = out->len;
      g_string_append_printf(out, "%s\t%s\t%u\t%" G_GINT64_FORMAT "\n", tables[k].kind, name,
                             e->count, e->last);
      /* What the reader would drop as corrupt is not written (learn keeps such pairs out). */
      if (out->len - before - 1 > TG_HISTORY_MAX_LINE) {
        g_string_truncate(out, before);
        continue;
      }
      records++;
    }
  }
  GPtrArray *extra = pairs ? h->pairs_extra : h->extra;
  for (guint i = 0; i < extra->len; i++) {
    g_string_append(out, g_ptr_array_index(extra, i));
    g_string_append_c(out, '\n');
    records++;
  }
  g_string_append_printf(out, "end\t%zu\n", records);
  return g_string_free(out, FALSE);
}

/* ---- locking --------------------------------------------------------------------------- */

/* The data folder must be ours alone: one that another user owns, or that group or others can
 * write, lets them plant names (a history.lock symlink that creates a file of their choosing, a
 * history of their making) — it is refused, with the reason and the fix. A missing folder is
 * fine (it is created 0700). */
static bool folder_safe(const char *dir, GError **error) {
  struct stat st;
  if (stat(dir, &st) != 0)
    return errno == ENOENT ? true
                           : (g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(errno),
                                          "history folder %s: %s", dir, g_strerror(errno)),
                              false);
  if (!S_ISDIR(st.st_mode)) {
    g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_NOTDIR, "history folder %s is not a folder", dir);
    return false;
  }
  if (st.st_uid != geteuid()) {
    g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_PERM,
                "history folder %s belongs to another user (uid %ju); typoguard will not use it",
                dir, (uintmax_t)st.st_uid);
    return false;
  }
  if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
    g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_PERM,
                "history folder %s can be written by %s (mode %04o); typoguard will not use it "
                "(chmod 700 %s)",
                dir, (st.st_mode & S_IWOTH) ? "other users" : "its group",
                (unsigned)(st.st_mode & 07777), dir);
    return false;
  }
  return true;
}

static int lock_acquire(const TgHistory *h, GError **error) {
  if (g_mkdir_with_parents(h->dir, 0700) != 0) {
    int e = errno;
    g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(e), "cannot create %s: %s", h->dir,
                g_strerror(e));
    return -1;
  }
  if (!folder_safe(h->dir, error))
    return -1;
  /* Never through a symbolic link: one planted there would make us create its target. */
  int fd = open(h->lock_path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0600);
  struct stat st;
  if (fd >= 0 && (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))) {
    close(fd);
    fd = -1;
    errno = EINVAL;
  }
  if (fd < 0) {
    int e = errno;
    g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(e), "cannot open %s: %s", h->lock_path,
                e == ELOOP    ? "it is a symbolic link"
                : e == EINVAL ? "it is not a regular file"
                              : g_strerror(e));
    return -1;
  }
  /* Hosts hold the lock for milliseconds; poll rather than block so that a stuck holder (a
   * stopped process, a broken network file system) gives an error instead of a hang. */
  gint64 deadline = g_get_monotonic_time() + TG_HISTORY_LOCK_TIMEOUT_US;
  while (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    if ((errno != EWOULDBLOCK && errno != EINTR) || g_get_monotonic_time() > deadline) {
      int e = errno;
      close(fd);
      g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(e), "cannot lock %s: %s",
                  h->lock_path, e == EWOULDBLOCK ? "another process holds it" : g_strerror(e));
      return -1;
    }
    g_usleep(2000);
  }
  return fd;
}

static void lock_release(int fd) {
  (void)flock(fd, LOCK_UN);
  close(fd);
}

/* Temporary files left by a crash: only a lock holder writes them, and we hold the lock. */
static void remove_stale_temps(const char *dir) {
  GDir *d = g_dir_open(dir, 0, NULL);
  if (d == NULL)
    return;
  const char *name;
  while ((name = g_dir_read_name(d)) != NULL) {
    if (g_str_has_prefix(name, TG_HISTORY_TMP_PREFIX) ||
        g_str_has_prefix(name, TG_PAIRS_TMP_PREFIX)) {
      g_autofree char *p = g_build_filename(dir, name, NULL);
      g_unlink(p);
    }
  }
  g_dir_close(d);
}

static void keep_bad_copy(const TgHistory *h, const char *path, const char *bad_name) {
  g_autofree char *bad = g_build_filename(h->dir, bad_name, NULL);
  g_autofree char *data = NULL;
  size_t len = 0;
  /* Not through a symbolic link, and no bigger than a full store could be. */
  if (tg_file_read_bounded(path, true, TG_HISTORY_MAX_FILE_BYTES, &data, &len, NULL) &&
      tg_write_file_atomic(bad, data, len, 0600, NULL, NULL))
    g_printerr("typoguard: history %s: a copy of the damaged file is kept in %s\n", path, bad);
}

/* ---- learning -------------------------------------------------------------------------- */

/* One message's addresses and domains, parsed, duplicates dropped, in first-occurrence order. */
typedef struct {
  GHashTable *addrs, *doms;          /* own the keys */
  GPtrArray *addr_order, *dom_order; /* borrowed from the tables */
} Parsed;

static void parsed_free(Parsed *p) {
  g_hash_table_unref(p->addrs);
  g_hash_table_unref(p->doms);
  g_ptr_array_unref(p->addr_order);
  g_ptr_array_unref(p->dom_order);
  g_free(p);
}

static Parsed *parse_message(const char *const *addresses, size_t n) {
  Parsed *p = g_new0(Parsed, 1);
  p->addrs = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  p->doms = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  p->addr_order = g_ptr_array_new();
  p->dom_order = g_ptr_array_new();
  for (size_t i = 0; i < n; i++) {
    if (addresses[i] == NULL)
      continue;
    char *domain = NULL;
    char *key = address_key(addresses[i], &domain);
    if (key == NULL)
      continue;
    /* (g_hash_table_add would replace, and free, the first copy that the order array holds) */
    if (g_hash_table_contains(p->addrs, key))
      g_free(key);
    else
      g_hash_table_add(p->addrs, key), g_ptr_array_add(p->addr_order, key);
    if (g_hash_table_contains(p->doms, domain))
      g_free(domain);
    else
      g_hash_table_add(p->doms, domain), g_ptr_array_add(p->dom_order, domain);
  }
  return p;
}

/* Applies one message to the store. fresh[] counts the names new to the store in this learn
 * (addresses, domains): one learn may fill at most half of each bound with new names, however big
 * the batch (a mass mailing of 450,000), so at least half of what was learned before stays, and
 * eviction then weighs use and recency. Known names are always counted. Adds the number of
 * addresses taken to *recorded; returns whether it added co-recipient pairs. */
static bool learn_message(TgHistory *h, const Parsed *p, gint64 now, size_t fresh[2],
                          size_t *recorded) {
  struct {
    GPtrArray *src;
    GHashTable *dst;
    size_t max_new;
    bool record;
  } apply[] = {{p->addr_order, h->addresses, TG_HISTORY_MAX_ADDRESSES / 2, true},
               {p->dom_order, h->domains, TG_HISTORY_MAX_DOMAINS / 2, false}};
  for (size_t t = 0; t < G_N_ELEMENTS(apply); t++) {
    for (guint i = 0; i < apply[t].src->len; i++) {
      const char *k = g_ptr_array_index(apply[t].src, i);
      Entry *e = g_hash_table_lookup(apply[t].dst, k);
      if (e == NULL) {
        if (fresh[t] >= apply[t].max_new)
          continue;
        fresh[t]++;
        e = g_new0(Entry, 1);
        g_hash_table_insert(apply[t].dst, g_strdup(k), e);
      }
      if (e->count < G_MAXUINT)
        e->count++;
      e->last = MAX(e->last, now);
      if (apply[t].record)
        (*recorded)++;
    }
  }
  /* Co-recipient pairs: every two distinct addresses of this message, unless it is a mailing. */
  bool pairs_changed = false;
  guint n_addrs = g_hash_table_size(p->addrs);
  if (n_addrs >= 2 && n_addrs <= TG_MAX_PATTERN_ADDRESSES) {
    g_autoptr(GPtrArray) sorted = keys_sorted(p->addrs);
    for (guint i = 0; i < sorted->len; i++)
      for (guint j = i + 1; j < sorted->len; j++) {
        /* A pair line must be one the reader accepts (two 2,048-byte addresses are not). */
        size_t line = strlen("p\t\t\t\t") + strlen(g_ptr_array_index(sorted, i)) +
                      strlen(g_ptr_array_index(sorted, j)) + 10 + 20;
        if (line > TG_HISTORY_MAX_LINE)
          continue;
        g_autofree char *key =
            g_strconcat(g_ptr_array_index(sorted, i), "\t", g_ptr_array_index(sorted, j), NULL);
        Entry *e = g_hash_table_lookup(h->pairs, key);
        if (e == NULL) {
          e = g_new0(Entry, 1);
          g_hash_table_insert(h->pairs, g_steal_pointer(&key), e);
        }
        if (e->count < G_MAXUINT)
          e->count++;
        e->last = MAX(e->last, now);
        pairs_changed = true;
      }
  }
  return pairs_changed;
}

bool tg_history_learn_at(TgHistory *h, const char *const *addresses, size_t n, gint64 now,
                         unsigned *count, GError **error) {
  return tg_history_learn_batch_at(h, &addresses, &n, 1, now, count, error);
}

bool tg_history_learn_batch_at(TgHistory *h, const char *const *const *messages, const size_t *lens,
                               size_t n_messages, gint64 now, unsigned *count, GError **error) {
  if (count)
    *count = 0;
  /* Parse before touching the disk: bad addresses are skipped, duplicates count once a message. */
  g_autoptr(GPtrArray) parsed = g_ptr_array_new_with_free_func((GDestroyNotify)parsed_free);
  size_t total = 0;
  for (size_t m = 0; m < n_messages; m++) {
    Parsed *p = parse_message(messages[m], lens[m]);
    total += g_hash_table_size(p->addrs);
    g_ptr_array_add(parsed, p);
  }
  if (total == 0)
    return true;
  int lock = lock_acquire(h, error);
  if (lock < 0)
    return false;
  ReadResult r = history_read(h->path);
  ReadResult rp = history_read(h->pairs_path);
  if (r.read_errno != 0 || rp.read_errno != 0) {
    /* Rewriting a file we could not read would replace all it holds with this one learn. */
    bool main_bad = r.read_errno != 0;
    int e = main_bad ? r.read_errno : rp.read_errno;
    const char *why = main_bad ? r.open_error : rp.open_error;
    if (why)
      g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_FAILED, "%s; not changed", why);
    else
      g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(e),
                  "cannot read %s: %s; not changed", main_bad ? h->path : h->pairs_path,
                  g_strerror(e));
    read_result_clear(&r);
    read_result_clear(&rp);
    lock_release(lock);
    return false;
  }
  if (r.version > TG_HISTORY_VERSION || rp.version > TG_HISTORY_VERSION) {
    bool main_newer = r.version > TG_HISTORY_VERSION;
    g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_FAILED,
                "history %s was written by a newer typoguard (format %u); not changed",
                main_newer ? h->path : h->pairs_path, main_newer ? r.version : rp.version);
    read_result_clear(&r);
    read_result_clear(&rp);
    lock_release(lock);
    return false;
  }
  if (r.dropped > 0 || (r.exists && r.truncated)) {
    report_read(h->path, &r, false);
    keep_bad_copy(h, h->path, TG_HISTORY_BAD);
  }
  bool pairs_damaged = rp.dropped > 0 || (rp.exists && rp.truncated);
  if (pairs_damaged) {
    report_read(h->pairs_path, &rp, true);
    keep_bad_copy(h, h->pairs_path, TG_PAIRS_BAD);
  }
  history_take(h, &r, &rp);
  read_result_clear(&r);
  read_result_clear(&rp);
  remove_stale_temps(h->dir);

  size_t fresh[2] = {0, 0};
  size_t recorded = 0;
  bool pairs_changed = false;
  for (guint m = 0; m < parsed->len; m++)
    pairs_changed |= learn_message(h, g_ptr_array_index(parsed, m), now, fresh, &recorded);
  evict(h->addresses, TG_HISTORY_MAX_ADDRESSES, now);
  evict(h->domains, TG_HISTORY_MAX_DOMAINS, now);
  evict(h->pairs, TG_HISTORY_MAX_PAIRS, now);

  g_autofree char *text = history_serialise(h, false);
  bool ok = tg_write_file_atomic(h->path, text, strlen(text), 0600, "history-before-rename", error);
  if (ok && (pairs_changed || pairs_damaged)) {
    g_autofree char *ptext = history_serialise(h, true);
    ok = tg_write_file_atomic(h->pairs_path, ptext, strlen(ptext), 0600, NULL, error);
  }
  if (ok) {
    h->version = TG_HISTORY_VERSION;
    h->dropped = 0;
    h->truncated = false;
  }
  lock_release(lock);
  if (ok && count)
    *count = (unsigned)MIN(recorded, G_MAXUINT);
  return ok;
}

bool tg_history_learn(TgHistory *h, const char *const *addresses, size_t n, unsigned *count,
                      GError **error) {
  return tg_history_learn_at(h, addresses, n, g_get_real_time() / G_USEC_PER_SEC, count, error);
}

bool tg_history_probe(const TgHistory *h, GError **error) {
  int lock = lock_acquire(h, error);
  if (lock < 0)
    return false;
  g_autofree char *probe = g_build_filename(h->dir, TG_HISTORY_TMP_PREFIX "probe", NULL);
  bool ok = tg_write_file_atomic(probe, "", 0, 0600, NULL, error);
  g_unlink(probe);
  lock_release(lock);
  return ok;
}
