/* test_native.c — the native-messaging contract of DESIGN.md, through the built host only:
 * frames in, frames out, exit status. Every error code, every limit, the browser invocations,
 * pipelining, truncation of big replies, and a clean exit at end of input. */
#include <check.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>

#include "hostrun.h"
#include "typoguard.h"
#include "runsuite.h"

static const char *const NATIVE[] = {"--native", NULL};

static HostRun *run_frames(GByteArray *in) {
  return host_run(NATIVE, in->data, in->len, NULL);
}

static HostRun *run_one(const char *json) {
  g_autoptr(GByteArray) in = g_byte_array_new();
  frame_append_str(in, json);
  return run_frames(in);
}

static const char *str(const cJSON *o, const char *k) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
  return cJSON_IsString(v) ? v->valuestring : NULL;
}

static const cJSON *reply(const HostRun *r, guint i) {
  ck_assert_msg(r->framing_ok, "stdout is not a clean sequence of frames; stderr: %s", r->err);
  ck_assert_uint_gt(r->replies->len, i);
  const cJSON *o = g_ptr_array_index(r->replies, i);
  ck_assert_msg(cJSON_IsObject(o), "reply %u is not a JSON object", i);
  return o;
}

/* Asserts that reply i is an error with `code`, and that the host then went on serving. */
static void assert_error_then_serving(const char *body, size_t len, const char *code) {
  g_autoptr(GByteArray) in = g_byte_array_new();
  frame_append(in, body, len);
  frame_append_str(in, "{\"type\":\"hello\",\"id\":\"after\"}");
  g_autoptr(HostRun) r = run_frames(in);
  ck_assert_int_eq(r->replies->len, 2);
  const cJSON *e = reply(r, 0);
  ck_assert_str_eq(str(e, "type"), "error");
  ck_assert_msg(str(e, "code") && strcmp(str(e, "code"), code) == 0, "expected %s for %.*s, got %s",
                code, (int)MIN(len, 80), body, str(e, "code"));
  ck_assert_ptr_nonnull(str(e, "message"));
  ck_assert_str_eq(str(reply(r, 1), "id"), "after");
  ck_assert_int_eq(r->status, 0);
}

START_TEST(hello_reply) {
  g_autoptr(HostRun) r = run_one("{\"type\":\"hello\",\"id\":\"h1\"}");
  const cJSON *h = reply(r, 0);
  ck_assert_str_eq(str(h, "type"), "hello");
  ck_assert_str_eq(str(h, "id"), "h1");
  ck_assert_str_eq(str(h, "name"), "typoguard");
  ck_assert_str_eq(str(h, "version"), TYPOGUARD_VERSION);
  ck_assert_int_eq(cJSON_GetObjectItem(h, "protocol")->valueint, 1);
  const cJSON *pol = cJSON_GetObjectItem(h, "policy");
  ck_assert(cJSON_IsObject(pol));
  ck_assert(cJSON_IsArray(cJSON_GetObjectItem(pol, "locked")));
  ck_assert_int_eq(r->replies->len, 1);
  ck_assert_int_eq(r->status, 0);
}
END_TEST

START_TEST(numeric_id_echoed) {
  g_autoptr(HostRun) r = run_one("{\"type\":\"hello\",\"id\":42}");
  const cJSON *id = cJSON_GetObjectItem(reply(r, 0), "id");
  ck_assert(cJSON_IsNumber(id));
  ck_assert_int_eq(id->valueint, 42);
}
END_TEST

/* A number id comes back as the same double, to the last bit: cJSON's own printer rounds to 15
 * digits when they read back "close enough" (fuzz_native found 1.0000000000000002 echoed as 1). */
static const char *const exact_ids[] = {
    "1.0000000000000002",     "0.30000000000000004", "-0.1",  "123456789012345678", "5e-324",
    "1.7976931348623157e308", "-9007199254740993",   "2.5e-7"};

START_TEST(numeric_id_round_trips) {
  g_autofree char *body = g_strdup_printf("{\"type\":\"hello\",\"id\":%s}", exact_ids[_i]);
  g_autoptr(HostRun) r = run_one(body);
  const cJSON *id = cJSON_GetObjectItem(reply(r, 0), "id");
  ck_assert(cJSON_IsNumber(id));
  double want = g_ascii_strtod(exact_ids[_i], NULL);
  ck_assert_msg(id->valuedouble == want, "id %s came back as %.17g", exact_ids[_i],
                id->valuedouble);
}
END_TEST

START_TEST(missing_id_is_null) {
  g_autoptr(HostRun) r = run_one("{\"type\":\"hello\"}");
  ck_assert(cJSON_IsNull(cJSON_GetObjectItem(reply(r, 0), "id")));
}
END_TEST

START_TEST(browser_invocations) {
  g_autoptr(GByteArray) in = g_byte_array_new();
  frame_append_str(in, "{\"type\":\"hello\",\"id\":2}");
  const char *const tb[] = {"/usr/lib/mozilla/native-messaging-hosts/typoguard.json",
                            "typoguard@typoguard.org", NULL};
  const char *const chrome[] = {"chrome-extension://abcdefghijklmnopabcdefghijklmnop/", NULL};
  const char *const chrome_win[] = {"chrome-extension://abcdefghijklmnopabcdefghijklmnop/",
                                    "--parent-window=1234", NULL};
  const char *const *argvs[] = {tb, chrome, chrome_win};
  for (size_t i = 0; i < G_N_ELEMENTS(argvs); i++) {
    g_autoptr(HostRun) r = host_run(argvs[i], in->data, in->len, NULL);
    ck_assert_int_eq(r->replies->len, 1);
    ck_assert_int_eq(cJSON_GetObjectItem(reply(r, 0), "id")->valueint, 2);
    ck_assert_int_eq(r->status, 0);
  }
}
END_TEST

START_TEST(seed_case_blocks_with_fix) {
  g_autoptr(HostRun) r =
      run_one("{\"type\":\"check\",\"id\":7,\"sender\":\"Jane Roe <jane.roe@mail.mil>\","
              "\"recipients\":[{\"field\":\"to\",\"address\":\"John Doe <john.doe@army.ml>\"},"
              "{\"field\":\"cc\",\"address\":\"ok.person@army.mil\"}]}");
  const cJSON *res = reply(r, 0);
  ck_assert_str_eq(str(res, "type"), "result");
  ck_assert_int_eq(cJSON_GetObjectItem(res, "id")->valueint, 7);
  ck_assert_str_eq(str(res, "verdict"), "block");
  ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(res, "truncated")));
  ck_assert(cJSON_IsNumber(cJSON_GetObjectItem(res, "elapsed_us")));
  bool found = false;
  const cJSON *f;
  cJSON_ArrayForEach(f, cJSON_GetObjectItem(res, "findings")) {
    int rcpt = cJSON_GetObjectItem(f, "recipient")->valueint;
    if (rcpt == 1) {
      ck_assert_msg(strcmp(str(f, "severity"), "warn") != 0 &&
                        strcmp(str(f, "severity"), "block") != 0,
                    "clean cc got %s", str(f, "code"));
      continue;
    }
    ck_assert_int_eq(rcpt, 0);
    if (strcmp(str(f, "code"), "tld_confusion") == 0) {
      found = true;
      ck_assert_str_eq(str(f, "field"), "to");
      ck_assert_str_eq(str(f, "severity"), "block");
      ck_assert_str_eq(str(f, "address"), "john.doe@army.ml");
      ck_assert_str_eq(str(f, "domain"), "army.ml");
      ck_assert_str_eq(str(f, "suggestion"), "john.doe@army.mil");
      ck_assert_str_eq(str(f, "replacement"), "John Doe <john.doe@army.mil>");
      double c = cJSON_GetObjectItem(f, "confidence")->valuedouble;
      ck_assert(c > 0.5 && c <= 1.0);
      ck_assert_ptr_nonnull(strstr(str(f, "message"), "army.mil"));
    }
  }
  ck_assert_msg(found, "no tld_confusion finding");
}
END_TEST

START_TEST(all_fields_accepted) {
  static const char *const fields[] = {"to", "cc", "bcc", "replyTo", "followupTo"};
  for (size_t i = 0; i < G_N_ELEMENTS(fields); i++) {
    g_autofree char *req = g_strdup_printf("{\"type\":\"check\",\"id\":1,\"recipients\":[{"
                                           "\"field\":\"%s\",\"address\":\"x@gmail.con\"}]}",
                                           fields[i]);
    g_autoptr(HostRun) r = run_one(req);
    const cJSON *res = reply(r, 0);
    ck_assert_str_eq(str(res, "type"), "result");
    const cJSON *f = cJSON_GetArrayItem(cJSON_GetObjectItem(res, "findings"), 0);
    ck_assert_ptr_nonnull(f);
    ck_assert_str_eq(str(f, "field"), fields[i]);
  }
}
END_TEST

START_TEST(pipelined_in_order) {
  g_autoptr(GByteArray) in = g_byte_array_new();
  for (int i = 0; i < 200; i++) {
    g_autofree char *req =
        i % 2 ? g_strdup_printf("{\"type\":\"hello\",\"id\":%d}", i)
              : g_strdup_printf("{\"type\":\"check\",\"id\":%d,\"recipients\":[{\"field\":\"to\","
                                "\"address\":\"u%d@example.com\"}]}",
                                i, i);
    frame_append_str(in, req);
  }
  g_autoptr(HostRun) r = run_frames(in);
  ck_assert_int_eq(r->replies->len, 200);
  for (guint i = 0; i < 200; i++)
    ck_assert_int_eq(cJSON_GetObjectItem(reply(r, i), "id")->valueint, (int)i);
  ck_assert_int_eq(r->status, 0);
}
END_TEST

START_TEST(empty_input_exits_0) {
  g_autoptr(HostRun) r = host_run(NATIVE, "", 0, NULL);
  ck_assert_int_eq(r->status, 0);
  ck_assert_uint_eq(g_bytes_get_size(r->out), 0);
}
END_TEST

/* Every error that keeps the host serving, with the request that causes it. */
static const struct {
  const char *code;
  const char *body;
} errors[] = {
    {"bad_json", "{not json"},
    {"bad_json", "{\"type\":\"hello\"} trailing"},
    {"bad_json", ""},
    {"bad_json", "\"unterminated"},
    {"bad_request", "[1,2,3]"},
    {"bad_request", "\"hello\""},
    {"bad_request", "42"},
    {"bad_request", "null"},
    {"bad_request", "{}"},
    {"bad_request", "{\"type\":5}"},
    {"bad_request", "{\"type\":null}"},
    {"bad_request", "{\"type\":\"hello\",\"id\":[1]}"},
    {"bad_request", "{\"type\":\"hello\",\"id\":{\"a\":1}}"},
    {"bad_request", "{\"type\":\"hello\",\"id\":true}"},
    {"bad_request", "{\"type\":\"check\",\"id\":1}"},
    {"bad_request", "{\"type\":\"check\",\"id\":1,\"recipients\":\"nope\"}"},
    {"bad_request", "{\"type\":\"check\",\"id\":1,\"recipients\":{}}"},
    {"bad_request", "{\"type\":\"check\",\"id\":1,\"recipients\":[\"a@b.com\"]}"},
    {"bad_request",
     "{\"type\":\"check\",\"id\":1,\"recipients\":[{\"field\":\"to\",\"address\":42}]}"},
    {"bad_request", "{\"type\":\"check\",\"id\":1,\"recipients\":[{\"field\":\"to\"}]}"},
    {"bad_request",
     "{\"type\":\"check\",\"id\":1,\"recipients\":[{\"field\":\"from\",\"address\":\"a@b.com\"}]}"},
    {"bad_request",
     "{\"type\":\"check\",\"id\":1,\"recipients\":[{\"field\":7,\"address\":\"a@b.com\"}]}"},
    {"bad_request", "{\"type\":\"check\",\"id\":1,\"sender\":5,\"recipients\":[]}"},
    {"bad_request", "{\"type\":\"check\",\"id\":1,\"recipients\":[],\"known\":[]}"},
    {"bad_request",
     "{\"type\":\"check\",\"id\":1,\"recipients\":[],\"known\":{\"domains\":\"a.com\"}}"},
    {"bad_request",
     "{\"type\":\"check\",\"id\":1,\"recipients\":[],\"known\":{\"addresses\":[1]}}"},
    {"bad_request", "{\"type\":\"check\",\"id\":1,\"recipients\":[],\"policy\":\"x\"}"},
    {"bad_request",
     "{\"type\":\"check\",\"id\":1,\"recipients\":[],\"policy\":{\"org_domains\":\"army.mil\"}}"},
    {"bad_request",
     "{\"type\":\"check\",\"id\":1,\"recipients\":[],\"settings\":{\"flag_external\":\"loud\"}}"},
    {"bad_request", "{\"type\":\"hello\",\"id\":1,\"policy\":{\"allow_override\":\"yes\"}}"},
    {"bad_request", "{\"type\":\"learn\",\"id\":1}"},
    {"bad_request", "{\"type\":\"learn\",\"id\":1,\"addresses\":[null]}"},
    {"unknown_type", "{\"type\":\"frobnicate\",\"id\":1}"},
    {"unknown_type", "{\"type\":\"\",\"id\":1}"},
};

START_TEST(error_keeps_serving) {
  assert_error_then_serving(errors[_i].body, strlen(errors[_i].body), errors[_i].code);
}
END_TEST

START_TEST(invalid_utf8_and_nul_bytes) {
  assert_error_then_serving("\xff\xfe\x00garbage", 10, "bad_json");
  static const char nul[] = "{\"type\":\"hello\",\"id\":\"a\0b\"}";
  assert_error_then_serving(nul, sizeof nul - 1, "bad_json");
  static const char overlong[] = "{\"type\":\"hello\",\"id\":\"\xc0\xaf\"}";
  assert_error_then_serving(overlong, sizeof overlong - 1, "bad_json");
  static const char surrogate[] = "{\"type\":\"hello\",\"id\":\"\xed\xa0\x80\"}";
  assert_error_then_serving(surrogate, sizeof surrogate - 1, "bad_json");
}
END_TEST

START_TEST(escaped_nul_in_address_is_judged_whole) {
  g_autoptr(HostRun) r = run_one("{\"type\":\"check\",\"id\":\"n\",\"recipients\":"
                                 "[{\"field\":\"to\",\"address\":\"a\\u0000b@army.ml\"}]}");
  const cJSON *res = reply(r, 0);
  ck_assert_str_eq(str(res, "id"), "n");
  ck_assert_str_eq(str(res, "type"), "result");
  /* Cut at the NUL the address would be "a" (a syntax finding); judged whole it is not a
   * deliverable address either: either way it must not pass as ok. */
  ck_assert_str_ne(str(res, "verdict"), "ok");
}
END_TEST

START_TEST(too_many_recipients) {
  GString *req = g_string_new("{\"type\":\"check\",\"id\":\"m\",\"recipients\":[");
  for (unsigned i = 0; i <= TG_MAX_RECIPIENTS; i++)
    g_string_append_printf(req, "%s{\"field\":\"to\",\"address\":\"u%u@example.com\"}",
                           i ? "," : "", i);
  g_string_append(req, "]}");
  g_autoptr(GByteArray) in = g_byte_array_new();
  frame_append(in, req->str, req->len);
  frame_append_str(in, "{\"type\":\"hello\",\"id\":\"after\"}");
  g_string_free(req, true);
  g_autoptr(HostRun) r = run_frames(in);
  ck_assert_str_eq(str(reply(r, 0), "code"), "too_many");
  ck_assert_str_eq(str(reply(r, 0), "id"), "m");
  ck_assert_str_eq(str(reply(r, 1), "id"), "after");
  ck_assert_int_eq(r->status, 0);
}
END_TEST

START_TEST(exactly_max_recipients_is_fine) {
  GString *req = g_string_new("{\"type\":\"check\",\"id\":\"m\",\"recipients\":[");
  for (unsigned i = 0; i < TG_MAX_RECIPIENTS; i++)
    g_string_append_printf(req, "%s{\"field\":\"to\",\"address\":\"u%u@example.com\"}",
                           i ? "," : "", i);
  g_string_append(req, "]}");
  g_autoptr(GByteArray) in = g_byte_array_new();
  frame_append(in, req->str, req->len);
  g_string_free(req, true);
  g_autoptr(HostRun) r = run_frames(in);
  ck_assert_str_eq(str(reply(r, 0), "type"), "result");
}
END_TEST

/* Length prefixes over the limit: answered at once, nothing allocated, exit 1. */
START_TEST(too_large_prefix) {
  const uint32_t sizes[] = {0xFFFFFFFFu, TG_MAX_REQUEST_BYTES + 1u, 0x80000000u};
  for (size_t i = 0; i < G_N_ELEMENTS(sizes); i++) {
    g_autoptr(GByteArray) in = g_byte_array_new();
    g_byte_array_append(in, (const guint8 *)&sizes[i], 4);
    g_byte_array_append(in, (const guint8 *)"{}", 2);
    /* Had the host tried to read the announced body it would report a truncated frame, not
     * too_large. */
    g_autoptr(HostRun) r = run_frames(in);
    ck_assert_int_eq(r->replies->len, 1);
    ck_assert_str_eq(str(reply(r, 0), "code"), "too_large");
    ck_assert(cJSON_IsNull(cJSON_GetObjectItem(reply(r, 0), "id")));
    ck_assert_int_eq(r->status, 1);
    ck_assert_msg(r->seconds < 5.0, "too_large took %.1f s", r->seconds);
  }
}
END_TEST

START_TEST(max_size_frame_is_read) {
  /* A frame of exactly the limit is read (it is whitespace-padded valid JSON). */
  size_t n = TG_MAX_REQUEST_BYTES;
  g_autofree char *body = g_malloc(n);
  memset(body, ' ', n);
  const char *hello = "{\"type\":\"hello\",\"id\":\"big\"}";
  memcpy(body, hello, strlen(hello));
  g_autoptr(GByteArray) in = g_byte_array_new();
  frame_append(in, body, n);
  g_autoptr(HostRun) r = run_frames(in);
  ck_assert_str_eq(str(reply(r, 0), "id"), "big");
  ck_assert_int_eq(r->status, 0);
}
END_TEST

START_TEST(truncated_frames) {
  /* Input that ends inside the prefix or inside the body: no crash, only frames, exit 1. */
  uint32_t n = 100;
  g_autoptr(GByteArray) body = g_byte_array_new();
  g_byte_array_append(body, (const guint8 *)&n, 4);
  g_byte_array_append(body, (const guint8 *)"{\"type\":\"hel", 12);
  g_autoptr(HostRun) r1 = run_frames(body);
  ck_assert(r1->framing_ok);
  ck_assert_int_eq(r1->status, 1);

  g_autoptr(GByteArray) prefix = g_byte_array_new();
  frame_append_str(prefix, "{\"type\":\"hello\",\"id\":1}");
  g_byte_array_append(prefix, (const guint8 *)&n, 2);
  g_autoptr(HostRun) r2 = run_frames(prefix);
  ck_assert(r2->framing_ok);
  ck_assert_int_ge(r2->replies->len, 1);
  ck_assert_int_eq(cJSON_GetObjectItem(reply(r2, 0), "id")->valueint, 1);
  ck_assert_int_eq(r2->status, 1);
}
END_TEST

START_TEST(big_reply_is_truncated) {
  GString *req =
      g_string_new("{\"type\":\"check\",\"id\":\"big\",\"sender\":\"a@mail.mil\",\"recipients\":[");
  for (unsigned i = 0; i < 9000; i++)
    g_string_append_printf(req,
                           "%s{\"field\":\"to\",\"address\":\"Some Long Display Name Number %u "
                           "<person.%u.x@army.ml>\"}",
                           i ? "," : "", i, i);
  g_string_append(req, "]}");
  g_autoptr(GByteArray) in = g_byte_array_new();
  frame_append(in, req->str, req->len);
  g_string_free(req, true);
  g_autoptr(HostRun) r = run_frames(in);
  ck_assert(r->framing_ok);
  ck_assert_uint_le(g_bytes_get_size(r->out), 4 + TG_MAX_REPLY_BYTES);
  const cJSON *res = reply(r, 0);
  ck_assert_str_eq(str(res, "verdict"), "block");
  ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(res, "truncated")));
  /* What is kept is the most severe. */
  const cJSON *f;
  int kept = 0;
  cJSON_ArrayForEach(f, cJSON_GetObjectItem(res, "findings")) {
    kept++;
    ck_assert_str_eq(str(f, "severity"), "block");
  }
  ck_assert_int_gt(kept, 100);
  ck_assert_int_lt(kept, 9000);
}
END_TEST

START_TEST(learn_reply) {
  g_autoptr(HostRun) r = run_one("{\"type\":\"learn\",\"id\":\"l\",\"addresses\":"
                                 "[\"someone@example.org\",\"Jane <jane@example.net>\"]}");
  const cJSON *l = reply(r, 0);
  ck_assert_str_eq(str(l, "type"), "learned");
  ck_assert_str_eq(str(l, "id"), "l");
  ck_assert_int_eq(cJSON_GetObjectItem(l, "count")->valueint, 2);
}
END_TEST

START_TEST(nothing_on_stdout_but_frames_with_noise) {
  /* Broken settings and history must produce warnings on stderr, never bytes on stdout. */
  g_autofree char *pol = g_build_filename(scratch_home(), "broken-policy.conf", NULL);
  g_file_set_contents(pol, "[typoguard\nflag_external=\n\x01\x02", -1, NULL);
  g_autofree char *envpol = g_strdup_printf("TYPOGUARD_POLICY=%s", pol);
  const char *const env[] = {envpol, NULL};
  g_autoptr(GByteArray) in = g_byte_array_new();
  frame_append_str(in, "{\"type\":\"hello\",\"id\":1}");
  g_autoptr(HostRun) r = host_run(NATIVE, in->data, in->len, env);
  ck_assert(r->framing_ok);
  ck_assert_int_eq(r->replies->len, 1);
  ck_assert_int_eq(r->status, 0);
}
END_TEST

/* ---- the address book kept in the host (`book`) ------------------------------------------ */

static bool has_code(const cJSON *result, const char *code) {
  const cJSON *f;
  cJSON_ArrayForEach(f, cJSON_GetObjectItem(result, "findings")) {
    if (strcmp(str(f, "code"), code) == 0)
      return true;
  }
  return false;
}

static int num(const cJSON *o, const char *k) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
  ck_assert_msg(cJSON_IsNumber(v), "%s is not a number", k);
  return v->valueint;
}

#define WRONG_ADDRESS_CHECK                                                        \
  "{\"type\":\"check\",\"id\":\"c\",\"sender\":\"jane@army.mil\",\"recipients\":[" \
  "{\"field\":\"to\",\"address\":\"ops@army.mil\"},"                               \
  "{\"field\":\"to\",\"address\":\"John Smith <john.smith@gmail.com>\"}]}"

START_TEST(book_is_used_by_later_checks) {
  g_autoptr(GByteArray) in = g_byte_array_new();
  frame_append_str(in, "{\"type\":\"hello\",\"id\":1}");
  frame_append_str(in, WRONG_ADDRESS_CHECK);
  frame_append_str(in, "{\"type\":\"book\",\"id\":2,\"version\":\"s1:1\","
                       "\"add\":[\"John Smith <john.smith@army.mil>\",\"x@example.org\","
                       "\"X@Example.ORG\"]}");
  frame_append_str(in, "{\"type\":\"hello\",\"id\":3}");
  frame_append_str(in, WRONG_ADDRESS_CHECK);
  g_autoptr(HostRun) r = run_frames(in);
  ck_assert_int_eq(r->replies->len, 5);
  const cJSON *b = cJSON_GetObjectItem(reply(r, 0), "book");
  ck_assert(cJSON_IsObject(b));
  ck_assert(cJSON_IsNull(cJSON_GetObjectItem(b, "version")));
  ck_assert_int_eq(num(b, "count"), 0);
  ck_assert(!has_code(reply(r, 1), "wrong_address"));
  ck_assert_str_eq(str(reply(r, 2), "type"), "book");
  ck_assert_int_eq(num(reply(r, 2), "id"), 2);
  ck_assert_str_eq(str(reply(r, 2), "version"), "s1:1");
  ck_assert_int_eq(num(reply(r, 2), "count"), 2); /* the same mailbox in another case is one */
  b = cJSON_GetObjectItem(reply(r, 3), "book");
  ck_assert_str_eq(str(b, "version"), "s1:1");
  ck_assert_int_eq(num(b, "count"), 2);
  ck_assert_msg(has_code(reply(r, 4), "wrong_address"), "the book was not used");
  ck_assert_int_eq(r->status, 0);
}
END_TEST

START_TEST(book_changes_apply_only_to_their_base) {
  g_autoptr(GByteArray) in = g_byte_array_new();
  frame_append_str(in, "{\"type\":\"book\",\"id\":1,\"version\":\"v1\","
                       "\"add\":[\"a@example.org\",\"b@example.org\"]}");
  /* a change against the wrong version: nothing happens, the reply names the host's */
  frame_append_str(in, "{\"type\":\"book\",\"id\":2,\"version\":\"v9\",\"base\":\"v8\","
                       "\"remove\":[\"a@example.org\"]}");
  frame_append_str(in, "{\"type\":\"book\",\"id\":3,\"version\":\"v2\",\"base\":\"v1\","
                       "\"remove\":[\"A@example.org\",\"nobody@example.org\"],"
                       "\"add\":[\"c@example.org\",\"b@example.org\"]}");
  frame_append_str(in, "{\"type\":\"book\",\"id\":4,\"version\":\"v3\",\"base\":\"v2\","
                       "\"remove\":[\"c@example.org\"],\"add\":[\"c@example.org\"]}");
  frame_append_str(in, WRONG_ADDRESS_CHECK);
  /* a whole book again replaces it */
  frame_append_str(in, "{\"type\":\"book\",\"id\":5,\"version\":\"w1\","
                       "\"add\":[\"John Smith <john.smith@army.mil>\"]}");
  frame_append_str(in, WRONG_ADDRESS_CHECK);
  frame_append_str(in, "{\"type\":\"book\",\"id\":6,\"version\":\"w2\",\"base\":\"w1\","
                       "\"remove\":[\"john smith <john.smith@army.mil>\"]}");
  frame_append_str(in, WRONG_ADDRESS_CHECK);
  g_autoptr(HostRun) r = run_frames(in);
  ck_assert_int_eq(r->replies->len, 9);
  ck_assert_int_eq(num(reply(r, 0), "count"), 2);
  ck_assert_str_eq(str(reply(r, 1), "version"), "v1");
  ck_assert_int_eq(num(reply(r, 1), "count"), 2);
  ck_assert_str_eq(str(reply(r, 2), "version"), "v2");
  ck_assert_int_eq(num(reply(r, 2), "count"), 2);
  ck_assert_str_eq(str(reply(r, 3), "version"), "v3");
  ck_assert_int_eq(num(reply(r, 3), "count"), 2);
  ck_assert(!has_code(reply(r, 4), "wrong_address"));
  ck_assert_int_eq(num(reply(r, 5), "count"), 1);
  ck_assert(has_code(reply(r, 6), "wrong_address"));
  ck_assert_int_eq(num(reply(r, 7), "count"), 0);
  ck_assert(!has_code(reply(r, 8), "wrong_address"));
}
END_TEST

START_TEST(book_request_carries_the_rest) {
  /* An old client's check still carries its own known set; with a book both count. */
  g_autoptr(GByteArray) in = g_byte_array_new();
  frame_append_str(in, "{\"type\":\"book\",\"id\":1,\"version\":\"v1\","
                       "\"add\":[\"a@example.org\"]}");
  frame_append_str(in, "{\"type\":\"check\",\"id\":\"c\",\"sender\":\"jane@army.mil\","
                       "\"known\":{\"addresses\":[\"John Smith <john.smith@army.mil>\"]},"
                       "\"recipients\":[{\"field\":\"to\",\"address\":\"ops@army.mil\"},"
                       "{\"field\":\"to\",\"address\":\"John Smith <john.smith@gmail.com>\"}]}");
  g_autoptr(HostRun) r = run_frames(in);
  ck_assert(has_code(reply(r, 1), "wrong_address"));
}
END_TEST

/* The book held in the host (digested once) and the same book carried in a check give the same
 * findings, for every rule that reads the book: wrong_address, contact_near_miss, a near_miss
 * and a TLD slip of a book domain, and a book domain that must stay silent. */
#define BOOK_MAILBOXES                                                                        \
  "\"John Smith <john.smith@army.mil>\",\"Mary Major <mary.major@lindqvist-hydraulics.se>\"," \
  "\"Ops <ops@army.mil>\",\"Pat <pat@weatherford-gmbh.de>\""
#define BOOK_RECIPIENTS                                                   \
  "\"recipients\":[{\"field\":\"to\",\"address\":\"ops@army.mil\"},"      \
  "{\"field\":\"to\",\"address\":\"John Smith <john.smith@gmail.com>\"}," \
  "{\"field\":\"cc\",\"address\":\"mary.majr@lindqvist-hydraulics.se\"}," \
  "{\"field\":\"cc\",\"address\":\"pat@weatherford-gmbh.dk\"},"           \
  "{\"field\":\"cc\",\"address\":\"x@lindqvist-hydralics.se\"},"          \
  "{\"field\":\"bcc\",\"address\":\"pat@weatherford-gmbh.de\"}]"

START_TEST(held_book_answers_as_a_carried_one) {
  g_autoptr(GByteArray) in = g_byte_array_new();
  frame_append_str(in, "{\"type\":\"check\",\"id\":\"carried\",\"sender\":\"jane@army.mil\","
                       "\"known\":{\"addresses\":[" BOOK_MAILBOXES "]}," BOOK_RECIPIENTS "}");
  frame_append_str(in,
                   "{\"type\":\"book\",\"id\":1,\"version\":\"v1\",\"add\":[" BOOK_MAILBOXES "]}");
  frame_append_str(
      in, "{\"type\":\"check\",\"id\":\"held\",\"sender\":\"jane@army.mil\"," BOOK_RECIPIENTS "}");
  frame_append_str(in, "{\"type\":\"check\",\"id\":\"none\",\"sender\":\"jane@army.mil\","
                       "\"known\":{\"addresses\":[]}," BOOK_RECIPIENTS "}");
  g_autoptr(HostRun) r = run_frames(in);
  ck_assert_int_eq(r->replies->len, 4);
  g_autofree char *carried = cJSON_PrintUnformatted(cJSON_GetObjectItem(reply(r, 0), "findings"));
  g_autofree char *held = cJSON_PrintUnformatted(cJSON_GetObjectItem(reply(r, 2), "findings"));
  g_autofree char *empty_known =
      cJSON_PrintUnformatted(cJSON_GetObjectItem(reply(r, 3), "findings"));
  ck_assert_str_eq(held, carried);
  ck_assert_str_eq(empty_known, carried);
  for (size_t i = 0; i < 3; i++) {
    static const char *const codes[] = {"wrong_address", "contact_near_miss", "near_miss"};
    ck_assert_msg(has_code(reply(r, 2), codes[i]), "no %s from the held book: %s", codes[i], held);
  }
  /* the book domain itself, written right, is silent */
  const cJSON *f;
  cJSON_ArrayForEach(f, cJSON_GetObjectItem(reply(r, 2), "findings")) {
    ck_assert_int_ne(num(f, "recipient"), 5);
  }
}
END_TEST

static const struct {
  const char *code, *json;
} book_errors[] = {
    {"bad_request", "{\"type\":\"book\",\"id\":1}"},
    {"bad_request", "{\"type\":\"book\",\"id\":1,\"version\":7}"},
    {"bad_request", "{\"type\":\"book\",\"id\":1,\"version\":\"v\",\"base\":1}"},
    {"bad_request", "{\"type\":\"book\",\"id\":1,\"version\":\"v\",\"add\":\"a@b.org\"}"},
    {"bad_request", "{\"type\":\"book\",\"id\":1,\"version\":\"v\",\"add\":[1]}"},
    {"bad_request", "{\"type\":\"book\",\"id\":1,\"version\":\"v\",\"remove\":{}}"},
};

START_TEST(book_errors_keep_serving) {
  assert_error_then_serving(book_errors[_i].json, strlen(book_errors[_i].json),
                            book_errors[_i].code);
}
END_TEST

START_TEST(book_too_many_changes_nothing) {
  GString *big = g_string_new("{\"type\":\"book\",\"id\":2,\"version\":\"v2\",\"add\":[");
  for (unsigned i = 0; i <= 50000u /* TG_MAX_BOOK_ENTRIES */; i++)
    g_string_append_printf(big, "%s\"p%u@example.org\"", i ? "," : "", i);
  g_string_append(big, "]}");
  g_autoptr(GByteArray) in = g_byte_array_new();
  frame_append_str(in, "{\"type\":\"book\",\"id\":1,\"version\":\"v1\","
                       "\"add\":[\"a@example.org\"]}");
  frame_append_str(in, big->str);
  frame_append_str(in, "{\"type\":\"hello\",\"id\":3}");
  g_string_free(big, true);
  g_autoptr(HostRun) r = run_frames(in);
  ck_assert_str_eq(str(reply(r, 1), "code"), "too_many");
  const cJSON *b = cJSON_GetObjectItem(reply(r, 2), "book");
  ck_assert_str_eq(str(b, "version"), "v1");
  ck_assert_int_eq(num(b, "count"), 1);
}
END_TEST

static Suite *suite(void) {
  Suite *s = suite_create("native");
  TCase *tc = tcase_create("protocol");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, hello_reply);
  tcase_add_test(tc, numeric_id_echoed);
  tcase_add_loop_test(tc, numeric_id_round_trips, 0, (int)G_N_ELEMENTS(exact_ids));
  tcase_add_test(tc, missing_id_is_null);
  tcase_add_test(tc, browser_invocations);
  tcase_add_test(tc, seed_case_blocks_with_fix);
  tcase_add_test(tc, all_fields_accepted);
  tcase_add_test(tc, pipelined_in_order);
  tcase_add_test(tc, empty_input_exits_0);
  tcase_add_loop_test(tc, error_keeps_serving, 0, (int)G_N_ELEMENTS(errors));
  tcase_add_test(tc, invalid_utf8_and_nul_bytes);
  tcase_add_test(tc, escaped_nul_in_address_is_judged_whole);
  tcase_add_test(tc, learn_reply);
  tcase_add_test(tc, nothing_on_stdout_but_frames_with_noise);
  tcase_add_test(tc, book_is_used_by_later_checks);
  tcase_add_test(tc, book_changes_apply_only_to_their_base);
  tcase_add_test(tc, book_request_carries_the_rest);
  tcase_add_test(tc, held_book_answers_as_a_carried_one);
  tcase_add_loop_test(tc, book_errors_keep_serving, 0, (int)G_N_ELEMENTS(book_errors));
  suite_add_tcase(s, tc);
  TCase *lim = tcase_create("limits");
  tcase_set_timeout(lim, 300);
  tcase_add_test(lim, too_many_recipients);
  tcase_add_test(lim, exactly_max_recipients_is_fine);
  tcase_add_test(lim, too_large_prefix);
  tcase_add_test(lim, max_size_frame_is_read);
  tcase_add_test(lim, truncated_frames);
  tcase_add_test(lim, big_reply_is_truncated);
  tcase_add_test(lim, book_too_many_changes_nothing);
  suite_add_tcase(s, lim);
  return s;
}

int main(void) {
  signal(SIGPIPE, SIG_IGN);
  return tg_run_suite(suite(), NULL, TG_SUITE_DEFAULT);
}
