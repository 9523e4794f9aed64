/* text.h — what the milter writes into SMTP replies, headers and its log: printable ASCII only.
 *
 * A reply or header line cannot hold a line break, libmilter drops a reply text with a lone '%',
 * and a Unicode domain in an ASCII reply reaches a person as mojibake. So domains become their
 * A-labels (xn--…, which names the lookalike exactly instead of hiding it), any other byte outside
 * printable ASCII becomes '?', and the length is bounded. */
#ifndef TG_MILTER_TEXT_H
#define TG_MILTER_TEXT_H

#include <glib.h>

/* Longest reply text (libmilter refuses more than 980 bytes; SMTP lines end at 512). */
#define TG_MILTER_MAX_REPLY_TEXT 400u
/* Longest header value or log field. */
#define TG_MILTER_MAX_FIELD 255u

/* A domain (U-label or A-label) as printable ASCII, at most TG_MILTER_MAX_FIELD bytes. */
char *tg_milter_ascii_domain(const char *domain);
/* Any text as printable ASCII: non-ASCII letters of an address's domain are not recovered here,
 * they become '?'. At most `max` bytes (cut at a character). */
char *tg_milter_printable(const char *text, size_t max);
/* The text for smfi_setreply: printable, '%' doubled, at most TG_MILTER_MAX_REPLY_TEXT bytes. */
char *tg_milter_reply_text(const char *text);

#endif
