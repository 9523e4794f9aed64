/* gen-tgdata.c — build-time generator: turns the plain-text lists of host/data into static,
 * sorted C arrays (tgdata.c) and precomputes the built-in near-miss index, so the host parses
 * nothing at start-up. Run by CMake (host/data/CMakeLists.txt):
 *
 *   gen-tgdata OUT.c --pairs tld-pairs.txt --list KIND DEFAULT_WEIGHT FILE...
 *
 * KIND is a TgWellKnownKind name (TG_WK_MAIL_PROVIDER …). List lines are "domain [weight]",
 * '#' starts a comment. A domain in several lists gets the union of kinds and the highest
 * weight. Any malformed line fails the build with file:line, because a silently dropped
 * entry is a silently missed typo. Plain C and stdio: this is a tool, not part of the core. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tgdata.h"
#include "tgkeys.h"
#include "wellknown.h"

typedef struct {
  char *domain;
  unsigned kind;
  unsigned weight;
} Entry;

typedef struct {
  char *typed, *intended, *owner, *why;
} Pair;

typedef struct {
  uint32_t hash;
  uint32_t id;
} HashId;

static Entry *entries;
static size_t n_entries, cap_entries;
static Pair *pairs;
static size_t n_pairs, cap_pairs;

static void die(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs("gen-tgdata: ", stderr);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
  exit(1);
}

static void *xrealloc(void *p, size_t n) {
  void *q = realloc(p, n);
  if (!q)
    die("out of memory");
  return q;
}

static char *xstrdup(const char *s) {
  size_t n = strlen(s) + 1;
  char *d = xrealloc(NULL, n);
  memcpy(d, s, n);
  return d;
}

static char *trim(char *s) {
  while (*s == ' ' || *s == '\t')
    s++;
  size_t n = strlen(s);
  while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r'))
    s[--n] = '\0';
  return s;
}

/* A domain we can compile in: lowercase LDH labels, at least one dot, no empty label. */
static int valid_domain(const char *d) {
  size_t n = strlen(d);
  if (n == 0 || n > TG_KEY_MAX_LEN || d[0] == '.' || d[n - 1] == '.' || !strchr(d, '.'))
    return 0;
  for (size_t i = 0; i < n; i++) {
    char c = d[i];
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.'))
      return 0;
    if (c == '.' && d[i + 1] == '.')
      return 0;
  }
  return 1;
}

static unsigned kind_from_name(const char *name) {
  static const struct {
    const char *name;
    unsigned value;
  } kinds[] = {
      {"TG_WK_MAIL_PROVIDER", TG_WK_MAIL_PROVIDER},
      {"TG_WK_US_GOV", TG_WK_US_GOV},
      {"TG_WK_US_MIL", TG_WK_US_MIL},
      {"TG_WK_GOV", TG_WK_GOV},
      {"TG_WK_OTHER", TG_WK_OTHER},
  };
  for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
    if (strcmp(kinds[i].name, name) == 0)
      return kinds[i].value;
  die("unknown kind %s", name);
  return 0;
}

/* One list file, line by line: `lineno` counts the lines read, for the error messages. */
typedef struct {
  const char *path;
  FILE *f;
  char line[1024];
  unsigned lineno;
} ListFile;

static void list_open(ListFile *lf, const char *path) {
  lf->path = path;
  lf->lineno = 0;
  lf->f = fopen(path, "r");
  if (!lf->f)
    die("%s: %s", path, strerror(errno));
}

static char *list_next(ListFile *lf) {
  if (!fgets(lf->line, sizeof lf->line, lf->f)) {
    fclose(lf->f);
    return NULL;
  }
  lf->lineno++;
  return lf->line;
}

static void read_list(const char *path, unsigned kind, unsigned def_weight) {
  ListFile lf;
  list_open(&lf, path);
  char *line;
  while ((line = list_next(&lf))) {
    unsigned lineno = lf.lineno;
    char *hash = strchr(line, '#');
    if (hash)
      *hash = '\0';
    char *s = trim(line);
    if (!*s)
      continue;
    char *sp = strpbrk(s, " \t");
    unsigned weight = def_weight;
    if (sp) {
      *sp = '\0';
      char *end = NULL;
      long w = strtol(trim(sp + 1), &end, 10);
      if (!end || *end || w < 1 || w > 255)
        die("%s:%u: weight must be 1..255", path, lineno);
      weight = (unsigned)w;
    }
    for (char *p = s; *p; p++)
      *p = (char)tolower((unsigned char)*p);
    if (!valid_domain(s))
      die("%s:%u: not a valid ASCII domain: %s", path, lineno, s);
    if (strlen(s) > TG_WK_DOMAIN_MAX)
      die("%s:%u: longer than %d bytes (TG_WK_DOMAIN_MAX): %s", path, lineno, TG_WK_DOMAIN_MAX, s);
    if (n_entries == cap_entries) {
      cap_entries = cap_entries ? cap_entries * 2 : 1024;
      entries = xrealloc(entries, cap_entries * sizeof *entries);
    }
    entries[n_entries++] = (Entry){xstrdup(s), kind, weight};
  }
}

static void read_pairs(const char *path) {
  ListFile lf;
  list_open(&lf, path);
  char *line;
  while ((line = list_next(&lf))) {
    unsigned lineno = lf.lineno;
    char *s = trim(line);
    if (!*s || *s == '#')
      continue;
    char *field[4];
    for (int i = 0; i < 4; i++) {
      field[i] = s;
      char *bar = strchr(s, '|');
      if (i < 3) {
        if (!bar)
          die("%s:%u: want typed|intended|owner|why", path, lineno);
        *bar = '\0';
        s = bar + 1;
      } else if (bar) {
        die("%s:%u: too many fields", path, lineno);
      }
      field[i] = trim(field[i]);
      if (!*field[i])
        die("%s:%u: empty field", path, lineno);
      if (strchr(field[i], '"') || strchr(field[i], '\\'))
        die("%s:%u: no quotes or backslashes, please", path, lineno);
    }
    for (int i = 0; i < 2; i++)
      for (const char *p = field[i]; *p; p++)
        if (*p < 'a' || *p > 'z')
          die("%s:%u: a TLD is lowercase letters without a dot", path, lineno);
    if (n_pairs == cap_pairs) {
      cap_pairs = cap_pairs ? cap_pairs * 2 : 64;
      pairs = xrealloc(pairs, cap_pairs * sizeof *pairs);
    }
    pairs[n_pairs++] =
        (Pair){xstrdup(field[0]), xstrdup(field[1]), xstrdup(field[2]), xstrdup(field[3])};
  }
}

static int cmp_entry(const void *a, const void *b) {
  return strcmp(((const Entry *)a)->domain, ((const Entry *)b)->domain);
}

static int cmp_pair(const void *a, const void *b) {
  const Pair *x = a, *y = b;
  int c = strcmp(x->typed, y->typed);
  return c ? c : strcmp(x->intended, y->intended);
}

static int cmp_hashid(const void *a, const void *b) {
  const HashId *x = a, *y = b;
  if (x->hash != y->hash)
    return x->hash < y->hash ? -1 : 1;
  return x->id < y->id ? -1 : x->id > y->id;
}

static void emit_index(FILE *out, const char *name, HashId *v, size_t n, unsigned bits) {
  qsort(v, n, sizeof *v, cmp_hashid);
  size_t buckets = (size_t)1 << bits;
  fprintf(out, "const uint32_t tg_data_%s_dir[%zu] = {", name, buckets + 1);
  size_t j = 0;
  for (size_t b = 0; b <= buckets; b++) {
    while (j < n && (v[j].hash >> (32 - bits)) < b)
      j++;
    fprintf(out, "%s%zu", b == 0 ? "\n" : b % 16 ? "," : ",\n", j);
  }
  fprintf(out, "};\nconst uint32_t tg_data_%s_hash[%zu] = {", name, n ? n : 1);
  for (size_t i = 0; i < n; i++)
    fprintf(out, "%s%uu", i == 0 ? "\n" : i % 10 ? "," : ",\n", (unsigned)v[i].hash);
  fprintf(out, "};\nconst uint32_t tg_data_%s_id[%zu] = {", name, n ? n : 1);
  for (size_t i = 0; i < n; i++)
    fprintf(out, "%s%u", i == 0 ? "\n" : i % 20 ? "," : ",\n", (unsigned)v[i].id);
  fprintf(out, "};\n");
}

int main(int argc, char **argv) {
  if (argc < 2)
    die("usage: gen-tgdata OUT.c --pairs FILE --list KIND WEIGHT FILE...");
  const char *out_path = argv[1];
  for (int i = 2; i < argc; i++) {
    if (strcmp(argv[i], "--pairs") == 0 && i + 1 < argc) {
      read_pairs(argv[++i]);
    } else if (strcmp(argv[i], "--list") == 0 && i + 3 < argc) {
      unsigned kind = kind_from_name(argv[i + 1]);
      long w = strtol(argv[i + 2], NULL, 10);
      if (w < 1 || w > 255)
        die("default weight must be 1..255");
      read_list(argv[i + 3], kind, (unsigned)w);
      i += 3;
    } else {
      die("bad argument %s", argv[i]);
    }
  }

  /* Merge duplicates: union of kinds, highest weight. */
  qsort(entries, n_entries, sizeof *entries, cmp_entry);
  size_t m = 0;
  for (size_t i = 0; i < n_entries; i++) {
    if (m > 0 && strcmp(entries[m - 1].domain, entries[i].domain) == 0) {
      entries[m - 1].kind |= entries[i].kind;
      if (entries[i].weight > entries[m - 1].weight)
        entries[m - 1].weight = entries[i].weight;
      free(entries[i].domain);
    } else {
      entries[m++] = entries[i];
    }
  }
  n_entries = m;
  qsort(pairs, n_pairs, sizeof *pairs, cmp_pair);
  for (size_t i = 1; i < n_pairs; i++)
    if (cmp_pair(&pairs[i - 1], &pairs[i]) == 0)
      die("duplicate TLD pair %s -> %s", pairs[i].typed, pairs[i].intended);

  /* Exact and deletion keys. */
  HashId *exact = xrealloc(NULL, (n_entries ? n_entries : 1) * sizeof *exact);
  size_t cap_del = n_entries * 16 + 16, n_del = 0;
  HashId *del = xrealloc(NULL, cap_del * sizeof *del);
  uint32_t keys[TG_KEY_MAX_LEN];
  for (size_t i = 0; i < n_entries; i++) {
    const char *d = entries[i].domain;
    size_t len = strlen(d);
    exact[i] = (HashId){tg_key_hash(d, len), (uint32_t)i};
    size_t k = tg_key_deletions(d, len, keys);
    if (n_del + k > cap_del) {
      cap_del = cap_del * 2 + k;
      del = xrealloc(del, cap_del * sizeof *del);
    }
    for (size_t j = 0; j < k; j++)
      del[n_del++] = (HashId){keys[j], (uint32_t)i};
  }

  FILE *out = fopen(out_path, "w");
  if (!out)
    die("%s: %s", out_path, strerror(errno));
  fprintf(out,
          "/* Generated by host/data/gen-tgdata.c from the lists in host/data. Do not edit. */\n"
          "#include \"tgdata.h\"\n\n");
  fprintf(out, "const TgWellKnown tg_data_wellknown[%zu] = {\n", n_entries ? n_entries : 1);
  for (size_t i = 0; i < n_entries; i++)
    fprintf(out, "{\"%s\",%u,%u},\n", entries[i].domain, entries[i].kind, entries[i].weight);
  size_t longest = 0;
  for (size_t i = 0; i < n_entries; i++)
    longest = strlen(entries[i].domain) > longest ? strlen(entries[i].domain) : longest;
  fprintf(out, "};\nconst size_t tg_data_wellknown_count = %zu;\n", n_entries);
  fprintf(out, "const size_t tg_data_wellknown_longest = %zu;\n\n", longest);
  fprintf(out, "const TgTldPair tg_data_tld_pairs[%zu] = {\n", n_pairs ? n_pairs : 1);
  for (size_t i = 0; i < n_pairs; i++)
    fprintf(out, "{\"%s\",\"%s\",\"%s\",\"%s\"},\n", pairs[i].typed, pairs[i].intended,
            pairs[i].owner, pairs[i].why);
  fprintf(out, "};\nconst size_t tg_data_tld_pair_count = %zu;\n\n", n_pairs);
  emit_index(out, "exact", exact, n_entries, TG_DATA_EXACT_BITS);
  emit_index(out, "del", del, n_del, TG_DATA_DEL_BITS);
  fprintf(out, "const size_t tg_data_del_count = %zu;\n", n_del);
  if (fclose(out) != 0)
    die("%s: write failed", out_path);
  fprintf(stderr, "gen-tgdata: %zu domains, %zu TLD pairs, %zu deletion keys\n", n_entries, n_pairs,
          n_del);
  return 0;
}
