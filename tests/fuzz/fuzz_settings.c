/* fuzz_settings.c — libFuzzer target for the settings readers of host/src/config.c: key files
 * (the system policy and the user's settings) and list files (trusted_domains_file,
 * blocked_domains_file), read from a real file as the host reads them.
 *
 * Owns the properties, for any file content: reading never fails or stops the host; every
 * warning is one line of valid UTF-8 (they go to stderr and Thunderbird's console); every list
 * entry kept is in its normal form (normalising it again changes nothing); the settings read
 * survive the JSON round trip the `hello` reply and the extension's options page rely on
 * (to_json, then merge_json into defaults with the same precedence, gives the same JSON); an
 * administrator's file locks exactly the keys it set; a list file adds at most one domain per
 * line. The context is built from what was read (with the list-file paths dropped: a fuzzed path
 * could name /dev/zero).
 *
 * Input: the file's bytes. Seeds: the example policies in packaging/ and manifest/, and small
 * hand-written files (seeds.py). */
#include "fuzz_common.h"

#include <unistd.h>

#include "config.h"
#include "json.h"
#include "typoguard.h"

static void check_warnings(const GPtrArray *warnings) {
  for (guint i = 0; i < warnings->len; i++) {
    const char *w = g_ptr_array_index(warnings, i);
    REQUIRE_MSG(g_utf8_validate(w, -1, NULL), "warning %u is not UTF-8: %s", i, w);
    REQUIRE_MSG(strchr(w, '\n') == NULL && strchr(w, '\r') == NULL, "warning spans lines: %s", w);
  }
}

static void check_list(const GPtrArray *list, bool tlds) {
  for (guint i = 0; i < list->len; i++) {
    const char *d = g_ptr_array_index(list, i);
    g_autofree char *again =
        tlds ? tg_settings_normalise_tld(d, NULL) : tg_settings_normalise_domain(d, NULL);
    REQUIRE_MSG(again && strcmp(again, d) == 0, "list entry '%s' is not normal", d);
  }
}

static void check_round_trip(const TgSettings *s, bool admin) {
  g_autoptr(cJSON) json = tg_settings_to_json(s);
  g_autofree char *before = cJSON_PrintUnformatted(json);
  g_autoptr(TgSettings) back = tg_settings_new();
  g_autoptr(GError) error = NULL;
  REQUIRE_MSG(tg_settings_merge_json(back, json, admin, &error), "%s does not merge back: %s",
              before, error->message);
  g_autoptr(cJSON) json2 = tg_settings_to_json(back);
  /* The defaults a file did not set are not locked by the round trip's JSON either: compare the
   * values, then the locks only for an administrator's file. */
  cJSON_DeleteItemFromObjectCaseSensitive(json, "locked");
  cJSON_DeleteItemFromObjectCaseSensitive(json2, "locked");
  g_autofree char *a = cJSON_PrintUnformatted(json), *b = cJSON_PrintUnformatted(json2);
  REQUIRE_MSG(strcmp(a, b) == 0, "round trip changed the settings:\n%s\n%s", a, b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *dir = fuzz_scratch();
  fuzz_quiet();
  g_autofree char *path = g_build_filename(dir, "fuzz.conf", NULL);
  g_autoptr(GError) error = NULL;
  REQUIRE(g_file_set_contents(path, (const char *)data, (gssize)size, &error));

  for (int admin = 0; admin <= 1; admin++) {
    g_autoptr(TgSettings) s = tg_settings_new();
    g_autoptr(GPtrArray) warnings = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GPtrArray) applied = g_ptr_array_new_with_free_func(g_free);
    REQUIRE(tg_settings_load_file(s, path, admin, warnings, applied));
    check_warnings(warnings);
    check_list(s->org_domains, false);
    check_list(s->trusted_domains, false);
    check_list(s->blocked_domains, false);
    check_list(s->blocked_tlds, true);
    for (guint i = 0; i < applied->len; i++)
      REQUIRE(tg_settings_is_locked(s, g_ptr_array_index(applied, i)) == (bool)admin);
    if (!admin)
      REQUIRE(g_hash_table_size(s->locked) == 0);
    check_round_trip(s, admin);

    g_clear_pointer(&s->trusted_domains_file, g_free);
    g_clear_pointer(&s->blocked_domains_file, g_free);
    g_autoptr(TgContext) ctx = tg_settings_build_context(s, fuzz_psl(), warnings);
    REQUIRE(ctx != NULL);
    check_warnings(warnings);
  }

  /* The same bytes as a list file. */
  size_t lines = 1;
  for (size_t i = 0; i < size; i++)
    lines += data[i] == '\n';
  for (int blocked = 0; blocked <= 1; blocked++) {
    g_autoptr(TgContext) ctx = tg_context_new(fuzz_psl());
    g_autoptr(GPtrArray) warnings = g_ptr_array_new_with_free_func(g_free);
    size_t added = tg_settings_load_list_file(ctx, path, blocked, warnings);
    REQUIRE(added <= lines);
    check_warnings(warnings);
  }
  return 0;
}
