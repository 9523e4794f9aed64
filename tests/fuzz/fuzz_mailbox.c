/* fuzz_mailbox.c — libFuzzer target for the mailbox parser (host/lib/mailbox.c).
 *
 * Owns: the properties the parser must keep for any byte sequence, checked beyond "does not
 * crash": the input is handed over in a buffer of exactly its size (no terminator), so reading
 * past `len` trips AddressSanitizer; a failure is a TG_MAILBOX_ERROR with a message; a success
 * holds complete fields with address = local@domain, and formatting it then parsing gives the
 * same name and address back; the single and list parsers agree; tg_mailbox_format turns any name
 * into a mailbox the parser accepts.
 *
 * Build (clang): clang-14 -fsanitize=fuzzer,address,undefined -Ihost/lib $(pkg-config --cflags
 * --libs glib-2.0) tests/fuzz/fuzz_mailbox.c host/lib/mailbox.c; seed it with the inputs of
 * tests/cases/mailbox.tsv (one file per line).
 */
#include "mailbox.h"
#include "typoguard.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define REQUIRE(cond) \
  do {                \
    if (!(cond))      \
      abort();        \
  } while (0)

static bool same(const char *a, const char *b) {
  return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static void check_mailbox(const TgMailbox *m) {
  REQUIRE(m->local != NULL && m->domain != NULL && m->address != NULL);
  REQUIRE(m->local[0] != '\0' && m->domain[0] != '\0');
  g_autofree char *joined = g_strdup_printf("%s@%s", m->local, m->domain);
  REQUIRE(strcmp(joined, m->address) == 0);
  REQUIRE(g_utf8_validate(m->address, -1, NULL));
  REQUIRE(m->display_name == NULL ||
          (m->display_name[0] != '\0' && g_utf8_validate(m->display_name, -1, NULL)));

  g_autofree char *formatted = tg_mailbox_format(m->display_name, m->address);
  g_autoptr(GError) error = NULL;
  g_autoptr(TgMailbox) back = tg_mailbox_parse(formatted, strlen(formatted), &error);
  /* Escaping can push a long name past the input limit (found by this target). */
  if (strlen(formatted) > TG_MAX_ADDRESS_BYTES) {
    REQUIRE(back == NULL && error->code == TG_MAILBOX_ERROR_TOO_LONG);
    return;
  }
  REQUIRE(back != NULL);
  REQUIRE(same(back->display_name, m->display_name));
  REQUIRE(strcmp(back->address, m->address) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *in = malloc(size > 0 ? size : 1);
  if (in == NULL)
    return 0;
  if (size > 0)
    memcpy(in, data, size);

  GError *le = NULL, *se = NULL;
  GPtrArray *list = tg_mailbox_parse_list(in, size, &le);
  TgMailbox *one = tg_mailbox_parse(in, size, &se);
  if (list == NULL) {
    REQUIRE(le != NULL && le->domain == TG_MAILBOX_ERROR && le->message[0] != '\0');
    REQUIRE(one == NULL && se != NULL && se->code == le->code);
  } else {
    REQUIRE(le == NULL && list->len > 0);
    for (guint k = 0; k < list->len; k++)
      check_mailbox(g_ptr_array_index(list, k));
    if (one != NULL)
      REQUIRE(list->len == 1 &&
              strcmp(one->address, ((TgMailbox *)g_ptr_array_index(list, 0))->address) == 0);
    else
      REQUIRE(se != NULL && se->code == TG_MAILBOX_ERROR_TRAILING);
  }
  g_clear_error(&le);
  g_clear_error(&se);
  g_clear_pointer(&list, g_ptr_array_unref);
  g_clear_pointer(&one, tg_mailbox_free);

  /* The same bytes as a display name: format must always give something the parser takes. */
  if (size < 600) {
    char *name = g_strndup(in, size); /* stops at a NUL, as a C string would */
    char *formatted = tg_mailbox_format(name, "x@y.z");
    TgMailbox *m = tg_mailbox_parse(formatted, strlen(formatted), NULL);
    REQUIRE(m != NULL && strcmp(m->address, "x@y.z") == 0);
    tg_mailbox_free(m);
    g_free(formatted);
    g_free(name);
  }
  free(in);
  return 0;
}
