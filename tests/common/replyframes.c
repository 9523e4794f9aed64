/* replyframes.c — see replyframes.h. */
#include "replyframes.h"

#include <cjson/cJSON.h>
#include <stdint.h>
#include <string.h>

#include "typoguard.h"

bool tg_split_reply_frames(const guint8 *p, size_t len, GPtrArray *replies) {
  size_t i = 0;
  while (i + 4 <= len) {
    uint32_t n;
    memcpy(&n, p + i, 4);
    if (n > TG_MAX_REPLY_BYTES || i + 4 + n > len)
      return false;
    g_ptr_array_add(replies, cJSON_ParseWithLength((const char *)p + i + 4, n));
    i += 4 + (size_t)n;
  }
  return i == len;
}
