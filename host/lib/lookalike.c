/* lookalike.c — ICU uspoof behind a lazy, once-only open. Guarantees: no ICU call happens until a
 * caller inspects a domain; every ICU buffer is bounded; a failing ICU degrades to "no lookalike
 * found" rather than an error (the other rules still run).
 *
 * ICU is not even linked: its libraries (with libstdc++ and 30 MB of data) are loaded with dlopen
 * the first time a non-ASCII domain needs them. Merely linking them costs a host start more than
 * everything else it does for an ASCII-only check (notes/performance.md; README, "Numbers"). */
#include "lookalike.h"

#include <dlfcn.h>
#include <string.h>
#include <unicode/uscript.h>
#include <unicode/uspoof.h>
#include <unicode/uversion.h>

#include "typoguard.h"

/* ICU renames its entry points per version (uspoof_open -> uspoof_open_72): the headers' macros
 * give the exact names to look up. */
#define ICU_SYM(name) G_STRINGIFY(name)
#define ICU_LIB "libicui18n.so." G_STRINGIFY(U_ICU_VERSION_MAJOR_NUM)

typedef struct {
  USpoofChecker *(*spoof_open)(UErrorCode *);
  void (*spoof_close)(USpoofChecker *);
  void (*spoof_set_checks)(USpoofChecker *, int32_t, UErrorCode *);
  void (*spoof_set_restriction_level)(USpoofChecker *, URestrictionLevel);
  int32_t (*spoof_skeleton_utf8)(const USpoofChecker *, uint32_t, const char *, int32_t, char *,
                                 int32_t, UErrorCode *);
  int32_t (*spoof_check2_utf8)(const USpoofChecker *, const char *, int32_t, USpoofCheckResult *,
                               UErrorCode *);
  UScriptCode (*script_get_script)(UChar32, UErrorCode *);
  const char *(*script_get_name)(UScriptCode);
  void (*get_version)(UVersionInfo);
  void (*version_to_string)(const UVersionInfo, char *);
} IcuApi;

/* Loads ICU into `api`; false (and a zeroed api) when the library or a symbol is missing. The
 * handle is never closed: ICU keeps global caches that must outlive every checker. */
static bool icu_load(IcuApi *api) {
  memset(api, 0, sizeof *api);
  void *h = dlopen(ICU_LIB, RTLD_NOW | RTLD_LOCAL);
  if (!h)
    return false;
  struct {
    void **slot;
    const char *name;
  } syms[] = {
      {(void **)&api->spoof_open, ICU_SYM(uspoof_open)},
      {(void **)&api->spoof_close, ICU_SYM(uspoof_close)},
      {(void **)&api->spoof_set_checks, ICU_SYM(uspoof_setChecks)},
      {(void **)&api->spoof_set_restriction_level, ICU_SYM(uspoof_setRestrictionLevel)},
      {(void **)&api->spoof_skeleton_utf8, ICU_SYM(uspoof_getSkeletonUTF8)},
      {(void **)&api->spoof_check2_utf8, ICU_SYM(uspoof_check2UTF8)},
      {(void **)&api->script_get_script, ICU_SYM(uscript_getScript)},
      {(void **)&api->script_get_name, ICU_SYM(uscript_getName)},
      {(void **)&api->get_version, ICU_SYM(u_getVersion)},
      {(void **)&api->version_to_string, ICU_SYM(u_versionToString)},
  };
  for (size_t i = 0; i < G_N_ELEMENTS(syms); i++) {
    /* dlsym returns an object pointer; POSIX guarantees it converts to a function pointer. */
    *syms[i].slot = dlsym(h, syms[i].name);
    if (!*syms[i].slot) {
      memset(api, 0, sizeof *api);
      return false;
    }
  }
  return true;
}

bool tg_lookalike_icu_version(char *buf, size_t size) {
  IcuApi api;
  if (size < U_MAX_VERSION_STRING_LENGTH || !icu_load(&api))
    return false;
  UVersionInfo v;
  api.get_version(v);
  api.version_to_string(v, buf);
  return true;
}

struct TgLookalike {
  gsize once;           /* g_once_init_* guard; 1 = open attempted */
  IcuApi icu;           /* filled by the open */
  USpoofChecker *spoof; /* NULL when ICU failed to load or open */
};

TgLookalike *tg_lookalike_new(void) { return g_new0(TgLookalike, 1); }

void tg_lookalike_free(TgLookalike *lk) {
  if (!lk)
    return;
  if (lk->spoof)
    lk->icu.spoof_close(lk->spoof);
  g_free(lk);
}

bool tg_lookalike_is_open(const TgLookalike *lk) { return lk && lk->spoof; }

static USpoofChecker *checker(TgLookalike *lk) {
  if (g_once_init_enter(&lk->once)) {
    UErrorCode st = U_ZERO_ERROR;
    USpoofChecker *sc = NULL;
    if (icu_load(&lk->icu)) {
      sc = lk->icu.spoof_open(&st);
      if (U_SUCCESS(st)) {
        lk->icu.spoof_set_checks(sc, USPOOF_CONFUSABLE | USPOOF_RESTRICTION_LEVEL, &st);
        lk->icu.spoof_set_restriction_level(sc, USPOOF_HIGHLY_RESTRICTIVE);
      }
      if (U_FAILURE(st)) {
        if (sc)
          lk->icu.spoof_close(sc);
        sc = NULL;
      }
    }
    lk->spoof = sc;
    g_once_init_leave(&lk->once, 1);
  }
  return lk->spoof;
}

/* Skeleton of a UTF-8 string into a GLib string, or NULL. Bounded by the domain limits. */
static char *skeleton(const TgLookalike *lk, const char *s, int32_t len) {
  char buf[4 * TG_MAX_DOMAIN_BYTES + 16];
  UErrorCode st = U_ZERO_ERROR;
  int32_t n = lk->icu.spoof_skeleton_utf8(lk->spoof, 0, s, len, buf, (int32_t)sizeof buf, &st);
  if (U_FAILURE(st) || n < 0 || (size_t)n >= sizeof buf)
    return NULL;
  return g_strndup(buf, (gsize)n);
}

static bool is_ascii(const char *s) {
  for (; *s; s++)
    if ((unsigned char)*s >= 0x80)
      return false;
  return true;
}

bool tg_lookalike_inspect(TgLookalike *lk, const char *udomain, TgLookalikeInfo *out) {
  memset(out, 0, sizeof *out);
  USpoofChecker *sc = checker(lk);
  size_t len = strlen(udomain);
  if (!sc || len > 4 * TG_MAX_DOMAIN_BYTES)
    return false;

  /* The Latin reading: every non-ASCII letter replaced by its prototype when that is ASCII. */
  GString *latin = g_string_sized_new(len);
  bool readable = true;
  UScriptCode foreign = USCRIPT_INVALID_CODE;
  for (const char *p = udomain; *p;) {
    const char *start = p;
    gunichar c = g_utf8_get_char_validated(p, -1);
    if (c == (gunichar)-1 || c == (gunichar)-2) {
      readable = false;
      break;
    }
    p = g_utf8_next_char(p);
    if (c < 0x80) {
      g_string_append_c(latin, (char)c);
      continue;
    }
    UErrorCode st = U_ZERO_ERROR;
    UScriptCode script = lk->icu.script_get_script((UChar32)c, &st);
    if (U_SUCCESS(st) && foreign == USCRIPT_INVALID_CODE && script != USCRIPT_LATIN &&
        script != USCRIPT_COMMON && script != USCRIPT_INHERITED)
      foreign = script;
    g_autofree char *sk = skeleton(lk, start, (int32_t)(p - start));
    if (sk && *sk && is_ascii(sk))
      g_string_append(latin, sk);
    else
      readable = false;
  }
  if (readable) {
    g_autofree char *low = g_ascii_strdown(latin->str, (gssize)latin->len);
    out->latin = g_steal_pointer(&low);
  }
  g_string_free(latin, TRUE);
  if (foreign != USCRIPT_INVALID_CODE)
    out->script = g_strdup(lk->icu.script_get_name(foreign));

  /* Mixed scripts, label by label: "аpple" (Cyrillic а + Latin) is not highly restrictive, while
   * "münchen" or "日本語" are. */
  for (const char *label = udomain; label && *label;) {
    const char *dot = strchr(label, '.');
    int32_t n = (int32_t)(dot ? (size_t)(dot - label) : strlen(label));
    UErrorCode st = U_ZERO_ERROR;
    int32_t r = lk->icu.spoof_check2_utf8(sc, label, n, NULL, &st);
    if (U_SUCCESS(st) && (r & USPOOF_RESTRICTION_LEVEL))
      out->mixed_script = true;
    label = dot ? dot + 1 : NULL;
  }
  return true;
}

void tg_lookalike_info_clear(TgLookalikeInfo *info) {
  if (!info)
    return;
  g_clear_pointer(&info->latin, g_free);
  g_clear_pointer(&info->script, g_free);
}

bool tg_lookalike_confusable(TgLookalike *lk, const char *a, const char *b) {
  USpoofChecker *sc = checker(lk);
  if (!sc)
    return false;
  g_autofree char *sa = skeleton(lk, a, -1);
  g_autofree char *sb = skeleton(lk, b, -1);
  return sa && sb && strcmp(sa, sb) == 0;
}
