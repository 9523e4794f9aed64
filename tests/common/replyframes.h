/* replyframes.h — splits what a host wrote on stdout into reply frames, for the tests that run
 * the built host (integration, failure, soak). */
#ifndef TG_REPLYFRAMES_H
#define TG_REPLYFRAMES_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>

/* Appends one cJSON* per complete frame to `replies` (NULL for a frame that is not JSON).
 * Returns true when the bytes are exactly a sequence of complete frames of at most
 * TG_MAX_REPLY_BYTES each. */
bool tg_split_reply_frames(const guint8 *p, size_t len, GPtrArray *replies);

#endif
