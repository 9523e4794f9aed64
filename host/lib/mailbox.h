/* mailbox.h — RFC 5322 / RFC 6532 mailbox parsing (declared in typoguard.h).
 *
 * Parses what a mail client holds for one recipient: a bare address, `Name <addr>`, a quoted
 * display name with commas and escapes, comments, a group (`Team: a@b, c@d;`), stray white space,
 * UTF-8 local parts and domains. Never reads past `len`, never crashes on any byte sequence. */
#ifndef TG_MAILBOX_H
#define TG_MAILBOX_H

#include "typoguard.h"

/* Comments `(a (b (c)))` deeper than this are refused (TG_MAILBOX_ERROR_UNBALANCED). */
#define TG_MAILBOX_MAX_COMMENT_DEPTH 32u

/* The parser's API (TgMailbox, tg_mailbox_parse_list, tg_mailbox_parse, tg_mailbox_format) is
 * public: typoguard.h. */

#endif
