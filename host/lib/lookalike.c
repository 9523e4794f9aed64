/* lookalike.c — ICU uspoof behind a lazy, once-only open. Guarantees: no ICU call happens until a
 * caller inspects a domain; every ICU buffer is bounded; a failing ICU degrades to "no lookalike
 * found" rather than an error (the other rules still run). */
#include "lookalike.h"

#include <string.h>
#include <unicode/uscript.h>
#include <unicode/uspoof.h>

#include "typoguard.h"

struct TgLookalike {
  gsize once;          /* g_once_init_* guard; 1 = open attempted */
  USpoofChecker *spoof; /* NULL when ICU failed to open */
};

TgLookalike *tg_lookalike_new(void) { return g_new0(TgLookalike, 1); }

void tg_lookalike_free(TgLookalike *lk) {
  if (!lk)
    return;
  if (lk->spoof)
    uspoof_close(lk->spoof);
  g_free(lk);
}

bool tg_lookalike_is_open(const TgLookalike *lk) { return lk && lk->spoof; }

static USpoofChecker *checker(TgLookalike *lk) {
  if (g_once_init_enter(&lk->once)) {
    UErrorCode st = U_ZERO_ERROR;
    USpoofChecker *sc = uspoof_open(&st);
    if (U_SUCCESS(st)) {
      uspoof_setChecks(sc, USPOOF_CONFUSABLE | USPOOF_RESTRICTION_LEVEL, &st);
      uspoof_setRestrictionLevel(sc, USPOOF_HIGHLY_RESTRICTIVE);
    }
    if (U_FAILURE(st)) {
      if (sc)
        uspoof_close(sc);
      sc = NULL;
    }
    lk->spoof = sc;
    g_once_init_leave(&lk->once, 1);
  }
  return lk->spoof;
}

/* Skeleton of a UTF-8 string into a GLib string, or NULL. Bounded by the domain limits. */
static char *skeleton(USpoofChecker *sc, const char *s, int32_t len) {
  char buf[4 * TG_MAX_DOMAIN_BYTES + 16];
  UErrorCode st = U_ZERO_ERROR;
  int32_t n = uspoof_getSkeletonUTF8(sc, 0, s, len, buf, (int32_t)sizeof buf, &st);
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
    UScriptCode script = uscript_getScript((UChar32)c, &st);
    if (U_SUCCESS(st) && foreign == USCRIPT_INVALID_CODE && script != USCRIPT_LATIN &&
        script != USCRIPT_COMMON && script != USCRIPT_INHERITED)
      foreign = script;
    g_autofree char *sk = skeleton(sc, start, (int32_t)(p - start));
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
    out->script = g_strdup(uscript_getName(foreign));

  /* Mixed scripts, label by label: "аpple" (Cyrillic а + Latin) is not highly restrictive, while
   * "münchen" or "日本語" are. */
  for (const char *label = udomain; label && *label;) {
    const char *dot = strchr(label, '.');
    int32_t n = (int32_t)(dot ? (size_t)(dot - label) : strlen(label));
    UErrorCode st = U_ZERO_ERROR;
    int32_t r = uspoof_check2UTF8(sc, label, n, NULL, &st);
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
  g_autofree char *sa = skeleton(sc, a, -1);
  g_autofree char *sb = skeleton(sc, b, -1);
  return sa && sb && strcmp(sa, sb) == 0;
}
