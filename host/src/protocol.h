/* protocol.h — the JSON side of the host: requests in, replies out (protocol version 1).
 *
 * tg_session_handle turns one request frame's bytes into exactly one reply, never longer than
 * TG_MAX_REPLY_BYTES, against a TgSession (session.h). */
#ifndef TG_PROTOCOL_H
#define TG_PROTOCOL_H

#include <cjson/cJSON.h>
#include <glib.h>
#include <libpsl.h>
#include <stdbool.h>

#include "json.h"
#include "session.h"
#include "typoguard.h"

#define TG_PROTOCOL_VERSION 1
#define TG_MAX_ID_BYTES 1024u /* a longer string id is a bad_request (it would bloat every reply) */
/* List entries (domains, TLDs) in a request's policy and settings together; more is too_many. */
#define TG_MAX_REQUEST_LIST_ENTRIES 20000u
/* Entries of `known` (domains and addresses together) in one check; more is too_many. The
 * extension sends at most 20,000 address-book and recent addresses. */
#define TG_MAX_KNOWN_ENTRIES 50000u
/* Distinct internationalised domains (non-ASCII, or with an xn-- label) among the known entries
 * of a check (the request's and the host's book together) and in the book a `book` request would
 * leave: each costs a UTS #46 conversion (~20 µs) in every check, so 49,000 of them cost a
 * second. More is too_many. */
#define TG_MAX_KNOWN_IDN_DOMAINS 20000u
#define TG_MAX_ERROR_MESSAGE_BYTES 1024u /* an error message is cut (with …) beyond this */

/* Handles one request. *fatal is set when the host must stop after replying (never today: only
 * framing errors are fatal, and those are decided by the frame loop). */
char *tg_session_handle(TgSession *s, const char *data, size_t len, size_t *reply_len);

/* The reply for an error (`id` may be NULL). */
char *tg_protocol_error(const cJSON *id, const char *code, const char *message, size_t *reply_len);

/* A result object as JSON text. Findings that would push it over `limit` are dropped, the least
 * severe first, and "truncated" is then true. */
char *tg_protocol_result(const cJSON *id, const TgResult *res, gint64 elapsed_us, size_t limit,
                         size_t *reply_len);

#endif
