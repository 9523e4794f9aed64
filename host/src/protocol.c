/* protocol.c — turns request frames into reply frames (DESIGN.md, protocol version 1).
 *
 * Guarantees: every request gets exactly one reply, an object with `type` and the request's `id`
 * (null when the request had none or it could not be read); input is checked for UTF-8 before
 * JSON parsing (cJSON does not); every type error becomes a `bad_request` naming the offending
 * member; no reply exceeds TG_MAX_REPLY_BYTES. Nothing here writes to stdout. */
#include "protocol.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "typoguard.h"

/* ---- reply helpers --------------------------------------------------------------------- */

static char *print_object(cJSON *obj, size_t *len) {
  char *txt = cJSON_PrintUnformatted(obj);
  if (!txt)
    g_error("out of memory while printing JSON");
  char *out = g_strdup(txt);
  cJSON_free(txt);
  *len = strlen(out);
  return out;
}

/* A number id goes back as the same double: cJSON prints 15 significant digits whenever they read
 * back "close enough" (1.0000000000000002 would return as 1), so the shortest of 15, 16 or 17
 * digits that reads back exactly is written instead. Only finite ids reach here. */
static void add_number_id(cJSON *obj, double d) {
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  static const char *const formats[] = {"%.15g", "%.16g", "%.17g"};
  for (size_t i = 0; i < G_N_ELEMENTS(formats); i++) {
    g_ascii_formatd(buf, sizeof buf, formats[i], d);
    if (g_ascii_strtod(buf, NULL) == d)
      break;
  }
  cJSON_AddRawToObject(obj, "id", buf);
}

static void add_id(cJSON *obj, const cJSON *id) {
  if (cJSON_IsNumber(id) && isfinite(id->valuedouble))
    add_number_id(obj, id->valuedouble);
  else if (cJSON_IsString(id))
    cJSON_AddStringToObject(obj, "id", id->valuestring);
  else
    cJSON_AddNullToObject(obj, "id");
}

char *tg_protocol_error(const cJSON *id, const char *code, const char *message, size_t *reply_len) {
  g_autoptr(cJSON) obj = cJSON_CreateObject();
  cJSON_AddStringToObject(obj, "type", "error");
  add_id(obj, id);
  cJSON_AddStringToObject(obj, "code", code);
  /* A message may quote what the request held (a bad domain of 2 MiB): bounded, cut at a
   * character boundary, so that an error reply always fits the 1 MiB frame. */
  size_t mlen = strlen(message);
  if (mlen > TG_MAX_ERROR_MESSAGE_BYTES) {
    size_t cut = TG_MAX_ERROR_MESSAGE_BYTES - strlen("…");
    while (cut > 0 && ((unsigned char)message[cut] & 0xC0) == 0x80)
      cut--;
    g_autofree char *shown = g_strdup_printf("%.*s…", (int)cut, message);
    cJSON_AddStringToObject(obj, "message", shown);
  } else {
    cJSON_AddStringToObject(obj, "message", message);
  }
  return print_object(obj, reply_len);
}

static cJSON *finding_to_json(const TgFinding *f) {
  cJSON *o = cJSON_CreateObject();
  cJSON_AddNumberToObject(o, "recipient", (double)f->recipient);
  cJSON_AddStringToObject(o, "field", tg_field_name(f->field));
  cJSON_AddStringToObject(o, "address", f->address ? f->address : "");
  if (f->domain)
    cJSON_AddStringToObject(o, "domain", f->domain);
  cJSON_AddStringToObject(o, "code", tg_code_name(f->code));
  cJSON_AddStringToObject(o, "severity", tg_severity_name(f->severity));
  /* Two decimals: more would claim a precision the scores do not have. */
  cJSON_AddNumberToObject(o, "confidence", round(f->confidence * 100.0) / 100.0);
  if (f->suggestion)
    cJSON_AddStringToObject(o, "suggestion", f->suggestion);
  if (f->replacement)
    cJSON_AddStringToObject(o, "replacement", f->replacement);
  cJSON_AddStringToObject(o, "message", f->message ? f->message : "");
  /* What the sentence says, for clients that word findings themselves (DESIGN.md): its stable
   * name and its values. A finding made without the message table still names its code. */
  cJSON_AddStringToObject(o, "message_id", f->message_id ? f->message_id : tg_code_name(f->code));
  cJSON *args = cJSON_AddObjectToObject(o, "args");
  for (size_t i = 0; args && f->args && f->args[i] && f->args[i + 1]; i += 2)
    cJSON_AddStringToObject(args, f->args[i], f->args[i + 1]);
  return o;
}

/* The result object without its closing brace and findings. */
static char *envelope(const cJSON *id, const TgResult *res, gint64 elapsed_us, bool truncated) {
  g_autoptr(cJSON) env = cJSON_CreateObject();
  cJSON_AddStringToObject(env, "type", "result");
  add_id(env, id);
  cJSON_AddStringToObject(env, "verdict", tg_severity_name(res->verdict));
  cJSON_AddBoolToObject(env, "truncated", truncated);
  cJSON_AddNumberToObject(env, "elapsed_us", (double)elapsed_us);
  size_t len = 0;
  char *txt = print_object(env, &len);
  g_assert(len > 0 && txt[len - 1] == '}');
  txt[len - 1] = '\0';
  return txt;
}

/* Findings are serialised most severe first and only until the reply is full: a request may
 * produce tens of thousands of findings (TG_MAX_MAILBOXES), and printing them all to keep a
 * megabyte of them cost more than the check. Within a severity, the earlier recipients first;
 * the first finding that does not fit ends the reply (the next ones are at most as severe). The
 * kept findings go out in request order, grouped by recipient as tg_check made them. */
char *tg_protocol_result(const cJSON *id, const TgResult *res, gint64 elapsed_us, size_t limit,
                         size_t *reply_len) {
  guint n = res->findings->len;
  /* "true" is one byte shorter than "false": the untruncated envelope's length bounds both. */
  g_autofree char *env_txt = envelope(id, res, elapsed_us, false);
  size_t env_len = strlen(env_txt);
  const size_t tail = strlen(",\"findings\":[]}");
  size_t budget = limit > env_len + tail ? limit - env_len - tail : 0;

  g_autofree char **texts = g_new0(char *, n ? n : 1);
  bool truncated = false;
  size_t total = 0;
  for (int sev = TG_SEVERITY_BLOCK; sev >= TG_SEVERITY_OK && !truncated; sev--) {
    for (guint i = 0; i < n; i++) {
      const TgFinding *f = g_ptr_array_index(res->findings, i);
      if ((int)f->severity != sev)
        continue;
      g_autoptr(cJSON) o = finding_to_json(f);
      size_t len = 0;
      char *txt = print_object(o, &len);
      if (len + 1 > budget) { /* with its comma */
        g_free(txt);
        truncated = true;
        break;
      }
      budget -= len + 1;
      total += len + 1;
      texts[i] = txt;
    }
  }
  if (truncated) {
    g_free(env_txt);
    env_txt = envelope(id, res, elapsed_us, true);
    env_len = strlen(env_txt);
  }

  GString *out = g_string_sized_new(env_len + tail + total);
  g_string_append(out, env_txt);
  g_string_append(out, ",\"findings\":[");
  bool first = true;
  for (guint i = 0; i < n; i++) {
    if (!texts[i])
      continue;
    if (!first)
      g_string_append_c(out, ',');
    g_string_append(out, texts[i]);
    g_free(texts[i]);
    first = false;
  }
  g_string_append(out, "]}");
  g_assert(out->len <= limit || limit < env_len + tail);
  *reply_len = out->len;
  return g_string_free(out, false);
}

/* ---- request parsing ------------------------------------------------------------------- */

#define TG_PROTOCOL_ERROR (g_quark_from_static_string("tg-protocol-error"))
typedef enum { TG_PROTO_BAD_REQUEST, TG_PROTO_TOO_MANY } TgProtoError;

/* A string array member: absent is fine (empty), anything else but an array of strings is not. */
static bool get_strings(const cJSON *parent, const char *member, const char *where, GPtrArray *out,
                        GError **error) {
  const cJSON *arr = cJSON_GetObjectItemCaseSensitive(parent, member);
  if (!arr || cJSON_IsNull(arr))
    return true;
  if (!cJSON_IsArray(arr)) {
    g_set_error(error, TG_PROTOCOL_ERROR, TG_PROTO_BAD_REQUEST, "%s%s must be an array of strings",
                where, member);
    return false;
  }
  int i = 0;
  const cJSON *item;
  cJSON_ArrayForEach(item, arr) {
    if (!cJSON_IsString(item)) {
      g_set_error(error, TG_PROTOCOL_ERROR, TG_PROTO_BAD_REQUEST, "%s%s[%d] must be a string",
                  where, member, i);
      return false;
    }
    g_ptr_array_add(out, item->valuestring);
    i++;
  }
  return true;
}

static const cJSON *get_object(const cJSON *parent, const char *member, GError **error) {
  const cJSON *o = cJSON_GetObjectItemCaseSensitive(parent, member);
  if (!o || cJSON_IsNull(o))
    return NULL;
  if (!cJSON_IsObject(o))
    g_set_error(error, TG_PROTOCOL_ERROR, TG_PROTO_BAD_REQUEST, "%s must be an object", member);
  return o;
}

/* The settings in force for one request: the files', then the request's user settings, then its
 * administrator policy. `extra` receives only what the request itself carries, which the
 * context does not know yet. */
static bool request_settings(const TgSession *s, const cJSON *root, TgSettings **effective,
                             TgSettings **extra, GError **error) {
  const cJSON *policy = get_object(root, "policy", error);
  if (error && *error)
    return false;
  const cJSON *user = get_object(root, "settings", error);
  if (error && *error)
    return false;
  /* Lists in a request are normalised and merged for every request: large ones belong in a list
   * file, read once (300,000 domains in settings cost 1.7 s a check). */
  size_t entries = 0;
  const cJSON *objs[] = {policy, user}, *item;
  for (size_t i = 0; i < G_N_ELEMENTS(objs); i++)
    cJSON_ArrayForEach(item, objs[i]) if (cJSON_IsArray(item)) entries +=
        (size_t)cJSON_GetArraySize(item);
  if (entries > TG_MAX_REQUEST_LIST_ENTRIES) {
    g_set_error(error, TG_PROTOCOL_ERROR, TG_PROTO_TOO_MANY,
                "policy and settings hold %zu list entries: at most %u in a request (name a "
                "trusted_domains_file or blocked_domains_file for larger lists)",
                entries, TG_MAX_REQUEST_LIST_ENTRIES);
    return false;
  }
  g_autoptr(TgSettings) eff = tg_settings_copy(s->settings);
  g_autoptr(TgSettings) ext = tg_settings_new();
  if (policy && (!tg_settings_merge_json(eff, policy, true, error) ||
                 !tg_settings_merge_json(ext, policy, true, error)))
    return false;
  if (user && (!tg_settings_merge_json(eff, user, false, error) ||
               !tg_settings_merge_json(ext, user, false, error)))
    return false;
  *effective = g_steal_pointer(&eff);
  if (extra)
    *extra = g_steal_pointer(&ext);
  return true;
}

static const char *settings_error_code(const GError *error) {
  return g_error_matches(error, TG_PROTOCOL_ERROR, TG_PROTO_TOO_MANY) ? "too_many" : "bad_request";
}

static TgStrings strings_of(GPtrArray *a) {
  return (TgStrings){.items = (const char *const *)a->pdata, .len = a->len};
}

/* ---- internationalised domains among known entries --------------------------------------- */

/* The domain part of a known entry as written ("Name <local@domain>", "local@domain" or a bare
 * domain): after the last '@' up to a '>' or the end. Only for counting: not parsed. */
static void domain_text(const char *entry, const char **start, size_t *len) {
  const char *at = strrchr(entry, '@');
  const char *d = at ? at + 1 : entry;
  const char *end = strchr(d, '>');
  *start = d;
  *len = end ? (size_t)(end - d) : strlen(d);
}

static bool is_idn_text(const char *d, size_t len) {
  for (size_t i = 0; i < len; i++) {
    if ((unsigned char)d[i] >= 0x80)
      return true;
    if ((i == 0 || d[i - 1] == '.') && i + 4 <= len && g_ascii_strncasecmp(d + i, "xn--", 4) == 0)
      return true;
  }
  return false;
}

/* Adds the internationalised domains of `entries` to `seen` (distinct as written, which is what
 * the per-request memo converts once each), but not those in `except` (may be NULL); stops once
 * `seen` holds more than `limit`. */
static void count_idn_domains(GPtrArray *entries, GHashTable *except, GHashTable *seen,
                              guint limit) {
  for (guint i = 0; i < entries->len && g_hash_table_size(seen) <= limit; i++) {
    const char *d;
    size_t len;
    domain_text(g_ptr_array_index(entries, i), &d, &len);
    if (!is_idn_text(d, len))
      continue;
    char *key = g_strndup(d, len);
    if (except && g_hash_table_contains(except, key))
      g_free(key);
    else
      g_hash_table_add(seen, key);
  }
}

static char *too_many_idn(const cJSON *id, const char *what, size_t *reply_len) {
  g_autofree char *msg = g_strdup_printf("%s more than %u internationalised domains: each costs "
                                         "every check a conversion, at most %u are used",
                                         what, TG_MAX_KNOWN_IDN_DOMAINS, TG_MAX_KNOWN_IDN_DOMAINS);
  return tg_protocol_error(id, "too_many", msg, reply_len);
}

/* `book`: {"version":V,"base":B?,"add":[mailbox…],"remove":[mailbox…]}. Without `base` the
 * host's book becomes exactly `add`; with it, `remove` then `add` are applied only when the host
 * holds version B — else nothing changes, and the reply's version (not V) tells the client to
 * send its whole book. Either way the reply is {"type":"book","version":…,"count":N}. Nothing is
 * applied on an error. */
static char *handle_book(TgSession *s, const cJSON *root, const cJSON *id, size_t *reply_len) {
  g_autoptr(GError) error = NULL;
  const cJSON *version = cJSON_GetObjectItemCaseSensitive(root, "version");
  if (!cJSON_IsString(version) || strlen(version->valuestring) > TG_MAX_ID_BYTES) {
    g_autofree char *msg =
        g_strdup_printf("version must be a string of at most %u bytes", TG_MAX_ID_BYTES);
    return tg_protocol_error(id, "bad_request", msg, reply_len);
  }
  const cJSON *base = cJSON_GetObjectItemCaseSensitive(root, "base");
  if (base && !cJSON_IsNull(base) && !cJSON_IsString(base))
    return tg_protocol_error(id, "bad_request", "base must be a string", reply_len);
  g_autoptr(GPtrArray) add = g_ptr_array_new();
  g_autoptr(GPtrArray) remove = g_ptr_array_new();
  if (!get_strings(root, "add", "", add, &error) ||
      !get_strings(root, "remove", "", remove, &error))
    return tg_protocol_error(id, "bad_request", error->message, reply_len);
  if (add->len + remove->len > TG_MAX_BOOK_ENTRIES) {
    g_autofree char *msg = g_strdup_printf("add and remove hold %u mailboxes: at most %u at once",
                                           add->len + remove->len, TG_MAX_BOOK_ENTRIES);
    return tg_protocol_error(id, "too_many", msg, reply_len);
  }
  bool delta = cJSON_IsString(base);
  if (delta && g_strcmp0(base->valuestring, s->book_version) != 0) {
    g_autoptr(cJSON) obj = cJSON_CreateObject();
    cJSON_AddStringToObject(obj, "type", "book");
    add_id(obj, id);
    cJSON *state = tg_session_book_state(s);
    cJSON_AddItemToObject(obj, "version", cJSON_DetachItemFromObject(state, "version"));
    cJSON_AddItemToObject(obj, "count", cJSON_DetachItemFromObject(state, "count"));
    cJSON_Delete(state);
    return print_object(obj, reply_len);
  }
  /* How many the book would hold: decided before anything changes. */
  g_autoptr(GHashTable) gone = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) fresh = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  guint held = delta ? s->book->len : 0;
  for (guint i = 0; delta && i < remove->len; i++) {
    char *key = g_utf8_strdown(g_ptr_array_index(remove, i), -1);
    if (g_hash_table_contains(s->book_keys, key) && !g_hash_table_contains(gone, key)) {
      held--;
      g_hash_table_add(gone, key);
    } else {
      g_free(key);
    }
  }
  for (guint i = 0; i < add->len; i++) {
    char *key = g_utf8_strdown(g_ptr_array_index(add, i), -1);
    bool present =
        delta && g_hash_table_contains(s->book_keys, key) && !g_hash_table_contains(gone, key);
    if (!present && !g_hash_table_contains(fresh, key)) {
      held++;
      g_hash_table_add(fresh, key);
    } else {
      g_free(key);
    }
  }
  if (held > TG_MAX_BOOK_ENTRIES) {
    g_autofree char *msg =
        g_strdup_printf("the book would hold %u mailboxes: at most %u", held, TG_MAX_BOOK_ENTRIES);
    return tg_protocol_error(id, "too_many", msg, reply_len);
  }
  {
    /* Counted over what stays and what comes (a removed mailbox's domain may still count: the
     * bound errs on the safe side). */
    g_autoptr(GHashTable) idn = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    if (delta)
      count_idn_domains(s->book, NULL, idn, TG_MAX_KNOWN_IDN_DOMAINS);
    count_idn_domains(add, NULL, idn, TG_MAX_KNOWN_IDN_DOMAINS);
    if (g_hash_table_size(idn) > TG_MAX_KNOWN_IDN_DOMAINS)
      return too_many_idn(id, "the book would hold", reply_len);
  }
  if (!delta)
    tg_session_book_clear(s);
  for (guint i = 0; delta && i < remove->len; i++)
    tg_session_book_remove(s, g_ptr_array_index(remove, i));
  for (guint i = 0; i < add->len; i++)
    tg_session_book_add(s, g_ptr_array_index(add, i));
  GHashTable *idn = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  count_idn_domains(s->book, NULL, idn, G_MAXUINT);
  tg_session_book_digest(s, idn);
  g_free(s->book_version);
  s->book_version = g_strdup(version->valuestring);

  g_autoptr(cJSON) obj = cJSON_CreateObject();
  cJSON_AddStringToObject(obj, "type", "book");
  add_id(obj, id);
  cJSON_AddStringToObject(obj, "version", s->book_version);
  cJSON_AddNumberToObject(obj, "count", (double)s->book->len);
  return print_object(obj, reply_len);
}

static char *handle_hello(TgSession *s, const cJSON *root, const cJSON *id, size_t *reply_len) {
  g_autoptr(GError) error = NULL;
  g_autoptr(TgSettings) eff = NULL;
  if (!request_settings(s, root, &eff, NULL, &error))
    return tg_protocol_error(id, settings_error_code(error), error->message, reply_len);
  /* A list file that could not be applied is not reported as in force. */
  if (!tg_session_list_files_usable(s, eff, &error))
    return tg_protocol_error(id, "bad_request", error->message, reply_len);
  g_autoptr(cJSON) obj = cJSON_CreateObject();
  cJSON_AddStringToObject(obj, "type", "hello");
  add_id(obj, id);
  cJSON_AddStringToObject(obj, "name", "typoguard");
  cJSON_AddStringToObject(obj, "version", TYPOGUARD_VERSION);
  cJSON_AddNumberToObject(obj, "protocol", TG_PROTOCOL_VERSION);
  cJSON_AddItemToObject(obj, "policy", tg_settings_to_json(eff));
  cJSON_AddItemToObject(obj, "book", tg_session_book_state(s));
  char *txt = print_object(obj, reply_len);
  if (*reply_len > TG_MAX_REPLY_BYTES) {
    g_free(txt);
    return tg_protocol_error(id, "internal", "the settings are too large to report", reply_len);
  }
  return txt;
}

static char *handle_check(TgSession *s, const cJSON *root, const cJSON *id, size_t *reply_len) {
  gint64 t0 = g_get_monotonic_time();
  g_autoptr(GError) error = NULL;
  const cJSON *recipients = cJSON_GetObjectItemCaseSensitive(root, "recipients");
  if (!cJSON_IsArray(recipients))
    return tg_protocol_error(id, "bad_request", "recipients must be an array", reply_len);
  int n = cJSON_GetArraySize(recipients);
  if (n < 0 || (unsigned)n > TG_MAX_RECIPIENTS) {
    g_autofree char *msg =
        g_strdup_printf("%d recipients: at most %u are checked at once", n, TG_MAX_RECIPIENTS);
    return tg_protocol_error(id, "too_many", msg, reply_len);
  }
  g_autofree TgRecipient *rcpt = g_new0(TgRecipient, n ? (gsize)n : 1);
  int i = 0;
  const cJSON *item;
  cJSON_ArrayForEach(item, recipients) {
    const cJSON *field = cJSON_GetObjectItemCaseSensitive(item, "field");
    const cJSON *address = cJSON_GetObjectItemCaseSensitive(item, "address");
    g_autofree char *msg = NULL;
    if (!cJSON_IsObject(item))
      msg = g_strdup_printf("recipients[%d] must be an object with field and address", i);
    else if (!cJSON_IsString(field) || !tg_field_from_name(field->valuestring, &rcpt[i].field))
      msg = g_strdup_printf("recipients[%d].field must be one of to, cc, bcc, replyTo, followupTo",
                            i);
    else if (!cJSON_IsString(address))
      msg = g_strdup_printf("recipients[%d].address must be a string", i);
    if (msg)
      return tg_protocol_error(id, "bad_request", msg, reply_len);
    rcpt[i].address = address->valuestring;
    i++;
  }
  const cJSON *sender = cJSON_GetObjectItemCaseSensitive(root, "sender");
  if (sender && !cJSON_IsNull(sender) && !cJSON_IsString(sender))
    return tg_protocol_error(id, "bad_request", "sender must be a string", reply_len);

  g_autoptr(GPtrArray) known_domains = g_ptr_array_new();
  g_autoptr(GPtrArray) known_addresses = g_ptr_array_new();
  const cJSON *known = get_object(root, "known", &error);
  if (error || !get_strings(known, "domains", "known.", known_domains, &error) ||
      !get_strings(known, "addresses", "known.", known_addresses, &error))
    return tg_protocol_error(id, "bad_request", error->message, reply_len);
  /* Each known entry is parsed and indexed for every check: 300,000 took a second. */
  if (known_domains->len + known_addresses->len > TG_MAX_KNOWN_ENTRIES) {
    g_autofree char *msg =
        g_strdup_printf("known holds %u domains and addresses: at most %u are "
                        "used at once",
                        known_domains->len + known_addresses->len, TG_MAX_KNOWN_ENTRIES);
    return tg_protocol_error(id, "too_many", msg, reply_len);
  }
  if (known_addresses->len + known_domains->len > 0) {
    /* The book's own were counted when it changed (it never holds more than the limit). */
    guint in_book = s->book_idn ? g_hash_table_size(s->book_idn) : 0;
    guint room = TG_MAX_KNOWN_IDN_DOMAINS - MIN(in_book, TG_MAX_KNOWN_IDN_DOMAINS);
    g_autoptr(GHashTable) idn = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    count_idn_domains(known_addresses, s->book_idn, idn, room);
    count_idn_domains(known_domains, s->book_idn, idn, room);
    if (in_book + g_hash_table_size(idn) > TG_MAX_KNOWN_IDN_DOMAINS)
      return too_many_idn(id, "known and the book hold", reply_len);
  }

  g_autoptr(TgSettings) eff = NULL;
  g_autoptr(TgSettings) extra = NULL;
  if (!request_settings(s, root, &eff, &extra, &error))
    return tg_protocol_error(id, settings_error_code(error), error->message, reply_len);
  const TgContext *ctx = tg_session_context_for(s, eff, &error);
  if (!ctx)
    return tg_protocol_error(id, "bad_request", error->message, reply_len);

  TgRequest req;
  tg_request_init(&req);
  req.sender = cJSON_IsString(sender) ? sender->valuestring : NULL;
  req.recipients = rcpt;
  req.n_recipients = (size_t)n;
  req.known_domains = strings_of(known_domains);
  /* The book kept in the host (digested once), then what the request carries (an old client's
   * book). */
  req.book = s->book_digest;
  req.known_addresses = strings_of(known_addresses);
  req.org_domains = strings_of(extra->org_domains);
  req.trusted_domains = strings_of(extra->trusted_domains);
  req.blocked_domains = strings_of(extra->blocked_domains);
  req.blocked_tlds = strings_of(extra->blocked_tlds);
  req.flag_external = (int)eff->flag_external;
  req.first_contact = (int)eff->first_contact;

  g_autoptr(TgResult) res = tg_check(ctx, &req);
  if (res->too_many) {
    g_autofree char *msg = g_strdup_printf("the recipients hold more than %u addresses: at most "
                                           "%u are checked at once",
                                           TG_MAX_MAILBOXES, TG_MAX_MAILBOXES);
    return tg_protocol_error(id, "too_many", msg, reply_len);
  }
  return tg_protocol_result(id, res, g_get_monotonic_time() - t0, TG_MAX_REPLY_BYTES, reply_len);
}

static char *handle_learn(TgSession *s, const cJSON *root, const cJSON *id, size_t *reply_len) {
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) mailboxes = g_ptr_array_new();
  if (!cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(root, "addresses")))
    return tg_protocol_error(id, "bad_request", "addresses must be an array of strings", reply_len);
  if (!get_strings(root, "addresses", "", mailboxes, &error))
    return tg_protocol_error(id, "bad_request", error->message, reply_len);
  if (mailboxes->len > TG_MAX_RECIPIENTS) {
    g_autofree char *msg = g_strdup_printf("%u addresses: at most %u are learned at once",
                                           mailboxes->len, TG_MAX_RECIPIENTS);
    return tg_protocol_error(id, "too_many", msg, reply_len);
  }
  g_autoptr(TgSettings) eff = NULL;
  if (!request_settings(s, root, &eff, NULL, &error))
    return tg_protocol_error(id, settings_error_code(error), error->message, reply_len);

  /* Only well-formed mailboxes are remembered; a typo that was sent anyway still counts, since
   * the user chose to send it. */
  g_autoptr(GPtrArray) addresses = g_ptr_array_new_with_free_func(g_free);
  for (guint i = 0; i < mailboxes->len; i++) {
    const char *text = g_ptr_array_index(mailboxes, i);
    g_autoptr(GPtrArray) list = tg_mailbox_parse_list(text, strlen(text), NULL);
    for (guint j = 0; list && j < list->len; j++) {
      const TgMailbox *mb = g_ptr_array_index(list, j);
      g_ptr_array_add(addresses, g_ascii_strdown(mb->address, -1));
    }
    /* The same bound as a check's: 10,000 strings of 45 addresses were 450,000 to learn. */
    if (addresses->len > TG_MAX_MAILBOXES) {
      g_autofree char *msg = g_strdup_printf("the addresses hold more than %u mailboxes: at most "
                                             "%u are learned at once",
                                             TG_MAX_MAILBOXES, TG_MAX_MAILBOXES);
      return tg_protocol_error(id, "too_many", msg, reply_len);
    }
  }
  unsigned count = 0;
  if (eff->learn && s->history && addresses->len > 0) {
    if (!tg_history_learn(s->history, (const char *const *)addresses->pdata, addresses->len, &count,
                          &error)) {
      g_autofree char *msg = g_strdup_printf("could not save what was learned: %s", error->message);
      return tg_protocol_error(id, "internal", msg, reply_len);
    }
    TgContext *ctxs[] = {s->ctx, s->policy_ctx};
    for (size_t c = 0; c < G_N_ELEMENTS(ctxs) && ctxs[c]; c++) {
      for (guint i = 0; i < addresses->len; i++)
        tg_context_add_history(ctxs[c], g_ptr_array_index(addresses, i), 1);
      tg_context_add_corecipients(ctxs[c], (const char *const *)addresses->pdata, addresses->len,
                                  1);
    }
  }
  g_autoptr(cJSON) obj = cJSON_CreateObject();
  cJSON_AddStringToObject(obj, "type", "learned");
  add_id(obj, id);
  cJSON_AddNumberToObject(obj, "count", count);
  return print_object(obj, reply_len);
}

/* cJSON turns "\u0000" into a NUL inside a C string, silently cutting the string short: an
 * address "a\u0000b@army.ml" would be checked as "a". Replace the escape by U+FFFD, which no
 * address or domain may hold, so such input is judged whole. */
static void neutralise_nul_escapes(char *data, size_t len) {
  static const char esc[] = "\\u0000";
  for (size_t i = 0; i + 6 <= len; i++) {
    if (data[i] != '\\')
      continue;
    if (g_ascii_strncasecmp(data + i, esc, 6) == 0) {
      memcpy(data + i, "\\ufffd", 6);
      i += 5;
    } else {
      i++; /* skip the escaped character so "\\\\u0000" is left alone */
    }
  }
}

static char *session_handle(TgSession *s, const char *data, size_t len, size_t *reply_len);

char *tg_session_handle(TgSession *s, const char *data, size_t len, size_t *reply_len) {
  char *txt = session_handle(s, data, len, reply_len);
  /* Every handler bounds its reply; should one not, the peer still gets an answer and the host
   * goes on serving (the frame writer would refuse the reply and the host would stop). */
  if (*reply_len > TG_MAX_REPLY_BYTES) {
    g_free(txt);
    txt = tg_protocol_error(NULL, "internal", "the reply would exceed 1 MiB", reply_len);
  }
  return txt;
}

static char *session_handle(TgSession *s, const char *data, size_t len, size_t *reply_len) {
  g_assert(len <= TG_MAX_REQUEST_BYTES);
  if (len == 0)
    return tg_protocol_error(NULL, "bad_json", "empty frame", reply_len);
  if (!g_utf8_validate_len(data, len, NULL))
    return tg_protocol_error(NULL, "bad_json", "the frame is not valid UTF-8 (or holds a NUL byte)",
                             reply_len);
  g_autofree char *copy = g_strndup(data, len);
  neutralise_nul_escapes(copy, len);
  const char *end = NULL;
  g_autoptr(cJSON) root = cJSON_ParseWithLengthOpts(copy, len, &end, false);
  if (!root)
    return tg_protocol_error(NULL, "bad_json", "the frame is not valid JSON", reply_len);
  for (; end && (size_t)(end - copy) < len; end++)
    if (!g_ascii_isspace(*end))
      return tg_protocol_error(NULL, "bad_json", "text after the JSON value", reply_len);
  if (!cJSON_IsObject(root))
    return tg_protocol_error(NULL, "bad_request", "a request must be a JSON object", reply_len);

  const cJSON *id = cJSON_GetObjectItemCaseSensitive(root, "id");
  /* 1e999 parses as infinity, which JSON cannot write back (it would be echoed as null). */
  if (id && !cJSON_IsNull(id) && !cJSON_IsString(id) &&
      !(cJSON_IsNumber(id) && isfinite(id->valuedouble)))
    return tg_protocol_error(NULL, "bad_request", "id must be a string or a finite number",
                             reply_len);
  if (cJSON_IsString(id) && strlen(id->valuestring) > TG_MAX_ID_BYTES) {
    g_autofree char *msg = g_strdup_printf("id is longer than %u bytes", TG_MAX_ID_BYTES);
    return tg_protocol_error(NULL, "bad_request", msg, reply_len);
  }
  const cJSON *type = cJSON_GetObjectItemCaseSensitive(root, "type");
  if (!cJSON_IsString(type))
    return tg_protocol_error(id, "bad_request", "type must be a string", reply_len);
  if (strcmp(type->valuestring, "hello") == 0)
    return handle_hello(s, root, id, reply_len);
  if (strcmp(type->valuestring, "check") == 0)
    return handle_check(s, root, id, reply_len);
  if (strcmp(type->valuestring, "learn") == 0)
    return handle_learn(s, root, id, reply_len);
  if (strcmp(type->valuestring, "book") == 0)
    return handle_book(s, root, id, reply_len);
  return tg_protocol_error(id, "unknown_type", "type must be hello, check, learn or book",
                           reply_len);
}
