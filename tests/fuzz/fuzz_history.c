/* fuzz_history.c — libFuzzer target for the learned store (host/src/history.c): reading any
 * history file, applying it to a context, and learning on top of it.
 *
 * Owns the properties, for any file content: opening never fails and never crashes; the context
 * takes what was read; a learn either succeeds or leaves the file byte for byte as it was (a
 * file from a newer version is never rewritten); after a successful learn the file reads back
 * clean (no dropped line, not truncated, the current version) with exactly the entries the
 * store held, the learned address and domain among them, and nothing that was kept before lost
 * beyond the store's bounds.
 *
 * Input: the bytes of `<dir>/history`. Seeds: well-formed, truncated, newer-version and damaged
 * files (seeds.py). Runs in a scratch folder (fuzz_common.h), in memory when /dev/shm exists. */
#include "fuzz_common.h"

#include "context.h"
#include "history.h"
#include "typoguard.h"

#define LEARNED "Fuzz.Person@Example.ORG"
#define LEARNED_KEY "fuzz.person@example.org"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *scratch = fuzz_scratch();
  fuzz_quiet();
  g_autofree char *dir = g_build_filename(scratch, "history-dir", NULL);
  g_autofree char *path = g_build_filename(dir, "history", NULL);
  g_autofree char *bad = g_build_filename(dir, "history.bad", NULL);
  REQUIRE(g_mkdir_with_parents(dir, 0700) == 0);
  g_remove(bad);
  g_autoptr(GError) error = NULL;
  REQUIRE(g_file_set_contents(path, (const char *)data, (gssize)size, &error));

  g_autoptr(TgHistory) h = tg_history_open(dir, &error);
  REQUIRE(h != NULL);
  size_t domains = tg_history_domain_count(h), addresses = tg_history_address_count(h);
  REQUIRE(domains <= size / 4 && addresses <= size / 4); /* "d\tx\t1\t1" is the shortest record */
  g_autoptr(TgContext) ctx = tg_context_new(fuzz_psl());
  tg_history_apply(h, ctx);

  const char *learn[] = {LEARNED, "not an address", ""};
  unsigned count = 0;
  bool learned = tg_history_learn_at(h, learn, G_N_ELEMENTS(learn), 1764430000, &count, &error);
  if (!learned) {
    REQUIRE(error != NULL && error->message[0] != '\0');
    g_autofree char *now = NULL;
    gsize len = 0;
    REQUIRE(g_file_get_contents(path, &now, &len, NULL));
    REQUIRE_MSG(len == size && memcmp(now, data, size) == 0, "a failed learn changed the file: %s",
                error->message);
    return 0;
  }
  REQUIRE(count == 1);
  size_t domains_after = tg_history_domain_count(h), addresses_after = tg_history_address_count(h);
  REQUIRE(domains_after <= TG_HISTORY_MAX_DOMAINS && addresses_after <= TG_HISTORY_MAX_ADDRESSES);
  /* Nothing kept before is lost, unless the bound evicted it. */
  REQUIRE(domains_after >= MIN(domains, (size_t)TG_HISTORY_MAX_DOMAINS));
  REQUIRE(addresses_after >= MIN(addresses, (size_t)TG_HISTORY_MAX_ADDRESSES));

  g_autoptr(TgHistory) back = tg_history_open(dir, &error);
  REQUIRE(back != NULL);
  REQUIRE_MSG(tg_history_dropped(back) == 0 && !tg_history_truncated(back),
              "the written history does not read back clean (%u dropped%s)",
              tg_history_dropped(back), tg_history_truncated(back) ? ", truncated" : "");
  REQUIRE(tg_history_domain_count(back) == domains_after);
  REQUIRE(tg_history_address_count(back) == addresses_after);
  unsigned n = 0;
  REQUIRE(tg_history_lookup_address(back, LEARNED_KEY, &n, NULL) && n >= 1);
  REQUIRE(tg_history_lookup_domain(back, "example.org", &n, NULL) && n >= 1);
  return 0;
}
