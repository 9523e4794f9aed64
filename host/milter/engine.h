/* engine.h — what every milter thread shares: the configuration, one detection context and the
 * organisation-wide history.
 *
 * Checks run concurrently under a read lock on the context. Learning never blocks a check for
 * longer than a batch's in-memory additions: accepted messages are queued (bounded; beyond
 * TG_ENGINE_MAX_PENDING the extra ones are counted and dropped), and one learner thread writes
 * them to the history in batches (every history_reload seconds, sooner when
 * TG_ENGINE_BATCH_MESSAGES wait) — one locked read-merge-write of the files per batch, through
 * the host's history code, which is safe when several milter processes share the folder. Every
 * history_reload seconds the learner builds a fresh context from the settings and the history as
 * it is on disk (what this and every other process learned, within the file's bounds) and swaps
 * it in under the write lock: the lock is held for a pointer swap, and memory stays flat however
 * long the milter runs. */
#ifndef TG_MILTER_ENGINE_H
#define TG_MILTER_ENGINE_H

#include <glib.h>
#include <stdbool.h>

#include "milter_config.h"
#include "typoguard.h"

/* Messages waiting to be learned at most; a mail server that outruns its disk loses some learning,
 * never memory. */
#define TG_ENGINE_MAX_PENDING 20000u
/* A batch is written when it has this many messages, or at the next reload (history_reload). */
#define TG_ENGINE_BATCH_MESSAGES 2000u

typedef struct TgEngine TgEngine;

/* Takes `config`. Loads the public suffix list, builds the context, opens the history and starts
 * the learner (when learning is on). Problems with list files or the history go to `warnings`. */
TgEngine *tg_engine_new(TgMilterConfig *config, GPtrArray *warnings, GError **error);
/* Stops the learner after it has written what is queued. */
void tg_engine_free(TgEngine *e);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(TgEngine, tg_engine_free)

const TgMilterConfig *tg_engine_config(const TgEngine *e);
/* Is `address` (bare) from one of the local domains or their subdomains? */
bool tg_engine_is_local(const TgEngine *e, const char *address);
/* tg_check under the read lock. */
TgResult *tg_engine_check(TgEngine *e, const TgRequest *req);
/* The RCPT judgement is a pure function of the context, the sender and the recipient, and a mail
 * server sees the same pairs again and again: a memo of at most TG_ENGINE_MEMO_MAX verdicts
 * (emptied when full, and whenever the context is replaced) saves a check per recipient.
 * tg_engine_memo_get returns a copy of the stored verdict (NULL: not known) and the memo's
 * generation; tg_engine_memo_put stores one only if the context has not been replaced since that
 * generation (the verdict may have come from the old one). */
#define TG_ENGINE_MEMO_MAX 20000u
typedef struct {
  bool block;
  TgCode code;
  char *domain; /* as the finding has it (for the log) */
  char *text;   /* the 550 reply text */
} TgRcptVerdict;
void tg_rcpt_verdict_free(TgRcptVerdict *v);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(TgRcptVerdict, tg_rcpt_verdict_free)
TgRcptVerdict *tg_engine_memo_get(TgEngine *e, const char *key, guint64 *generation);
void tg_engine_memo_put(TgEngine *e, const char *key, const TgRcptVerdict *v, guint64 generation);

/* Queues one accepted message's recipients (bare addresses) for learning; takes `addresses`. */
void tg_engine_learn(TgEngine *e, GPtrArray *addresses);
bool tg_engine_learning(const TgEngine *e);

/* The only thing the milter logs about a message: verdict, code, domain and what was done. */
void tg_engine_log(TgEngine *e, TgSeverity verdict, TgCode code, const char *domain,
                   const char *action);
/* A line about the milter itself (start, history errors); never about a message. */
void tg_engine_note(const char *fmt, ...) G_GNUC_PRINTF(1, 2);

#endif
