/* message.h — one message through the milter, apart from libmilter: the judgement at RCPT, the
 * headers it reads, and the decision at the end of the message.
 *
 * At RCPT each recipient is judged alone (with the sender): a block is refused there when
 * on_block = reject and overrides are not allowed, so the other recipients still go. At the end
 * the whole message is judged once more, with the display names of To/Cc and every recipient
 * together (the co-recipient and name rules need them), and the X-Typoguard-Override header is
 * read: what the sender confirmed at the client. When overrides are allowed, a block cannot be
 * refused at RCPT (the header comes later), so an unconfirmed block then refuses the message at
 * its end.
 *
 * Learning: when the message is delivered (not refused, held or quarantined), its recipients
 * without a warn or block finding go to the organisation's history. An overridden recipient is
 * not learned: the history is everyone's, and one sender's choice must not silence a finding for
 * the whole organisation.
 *
 * Bounds: at most TG_MAX_RECIPIENTS recipients are taken (more get 452 4.5.3, the standard "too
 * many recipients", and the client sends them in another message); To/Cc are read up to
 * TG_MMSG_MAX_ADDRESS_HEADER_BYTES, override headers up to TG_MMSG_MAX_OVERRIDE_BYTES; at most
 * TG_MMSG_MAX_TAG_HEADERS X-Typoguard headers are added. */
#ifndef TG_MILTER_MESSAGE_H
#define TG_MILTER_MESSAGE_H

#include <glib.h>
#include <stdbool.h>

#include "engine.h"

#define TG_MMSG_OVERRIDE_HEADER "X-Typoguard-Override"
#define TG_MMSG_TAG_HEADER "X-Typoguard"
#define TG_MMSG_MAX_ADDRESS_HEADER_BYTES (256u * 1024u)
#define TG_MMSG_MAX_OVERRIDE_BYTES (64u * 1024u)
#define TG_MMSG_MAX_TAG_HEADERS 50u
/* Copies of our own header names that a client sent, deleted at most (more stay, unjudged). */
#define TG_MMSG_MAX_DELETED_HEADERS 1000u

typedef struct TgMilterMessage TgMilterMessage;

/* `sender`: the MAIL FROM argument as libmilter gives it (`<a@b>`, or `<>`). */
TgMilterMessage *tg_mmsg_new(TgEngine *e, const char *sender);
void tg_mmsg_free(TgMilterMessage *m);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(TgMilterMessage, tg_mmsg_free)

/* Is the sender local, so that the message is judged at all? */
bool tg_mmsg_judged(const TgMilterMessage *m);

typedef enum {
  TG_RCPT_KEEP = 0,
  TG_RCPT_REFUSE,   /* 550 5.1.2 with the text */
  TG_RCPT_TOO_MANY, /* 452 4.5.3 */
} TgRcptAction;

/* `rcpt`: the RCPT TO argument (`<a@b>`). *text receives the reply text (free it) unless KEEP. */
TgRcptAction tg_mmsg_recipient(TgMilterMessage *m, const char *rcpt, char **text);
void tg_mmsg_header(TgMilterMessage *m, const char *name, const char *value);

typedef struct {
  char *refuse_text;          /* non-NULL: refuse the whole message with 550 5.1.2 and this text */
  char *hold_reason;          /* non-NULL: into the hold queue */
  bool quarantine;            /* every recipient replaced by quarantine_to */
  GPtrArray *recipients;      /* the envelope recipients as given (for quarantine) */
  GPtrArray *headers;         /* X-Typoguard values to add */
  GPtrArray *quarantined_for; /* X-Typoguard-Quarantined-For values (bare addresses) */
  unsigned delete_override;   /* X-Typoguard-Override headers to delete (1..n) */
  unsigned delete_tag;        /* X-Typoguard headers a client sent, to delete */
} TgMilterOutcome;

void tg_milter_outcome_free(TgMilterOutcome *o);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(TgMilterOutcome, tg_milter_outcome_free)

/* The decision at the end of the message; queues the learning when it is delivered. */
TgMilterOutcome *tg_mmsg_finish(TgMilterMessage *m);

#endif
