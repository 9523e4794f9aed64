/* engine.c — the shared state of the milter's threads (see engine.h). */
#include "engine.h"

#include <libpsl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "history.h"
#include "protocol.h"
#include "text.h"

struct TgEngine {
  TgMilterConfig *cfg;
  psl_ctx_t *psl;
  bool psl_owned;

  GRWLock ctx_lock; /* readers: checks; writer: the learner adding a batch or swapping contexts */
  TgContext *ctx;

  GMutex memo_lock;   /* guards memo and generation */
  GHashTable *memo;   /* "sender\nrecipient" -> TgRcptVerdict*, for `ctx` */
  guint64 generation; /* contexts swapped in so far */

  /* Learning. `history` belongs to the learner thread once it runs. */
  TgHistory *history;
  bool learning;
  GMutex queue_lock; /* guards pending, stop, dropped */
  GCond queue_cond;
  GPtrArray *pending; /* of GPtrArray* of char* (bare addresses) */
  bool stop;
  guint64 dropped;
  GThread *learner;
  gint64 next_reload; /* monotonic µs */
};

static GMutex log_lock;

void tg_engine_note(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  g_autofree char *text = g_strdup_vprintf(fmt, ap);
  va_end(ap);
  g_mutex_lock(&log_lock);
  fprintf(stderr, "typoguard-milter: %s\n", text);
  fflush(stderr);
  g_mutex_unlock(&log_lock);
}

void tg_engine_log(TgEngine *e, TgSeverity verdict, TgCode code, const char *domain,
                   const char *action) {
  (void)e;
  g_autofree char *d = tg_milter_ascii_domain(domain);
  tg_engine_note("%s %s %s %s", tg_severity_name(verdict), tg_code_name(code), d, action);
}

/* $TYPOGUARD_PSL_FILE when usable (tests), else the system's newest list, else libpsl's own: the
 * host's order, so that the milter and the desktop judge endings alike. */
static void load_psl(TgEngine *e, GPtrArray *warnings) {
  const char *path = g_getenv(TG_PSL_FILE_ENV);
  if (path && *path) {
    psl_ctx_t *p = psl_load_file(path);
    if (p && tg_psl_plausible(p)) {
      e->psl = p;
      e->psl_owned = true;
      return;
    }
    if (p)
      psl_free(p);
    g_ptr_array_add(warnings, g_strdup_printf("public suffix list %s is not usable; using the "
                                              "system's",
                                              path));
  }
  e->psl = psl_latest(NULL);
  e->psl_owned = e->psl != NULL;
  if (!e->psl)
    e->psl = (psl_ctx_t *)psl_builtin();
}

/* A context from the settings and a history, sealed so that threads can share it. */
static TgContext *build_context(TgEngine *e, TgHistory *h, GPtrArray *warnings) {
  TgContext *ctx = tg_settings_build_context(e->cfg->settings, e->psl, warnings);
  if (h)
    tg_history_apply(h, ctx);
  tg_context_seal(ctx);
  return ctx;
}

/* ---- learning -------------------------------------------------------------------------- */

/* True when the batch was written: e->history then holds the files as they are on disk now (the
 * write merged what other processes had learned), and a reload can build from it directly. */
static bool learn_batch(TgEngine *e, GPtrArray *batch) {
  g_autofree const char *const **messages = g_new(const char *const *, batch->len);
  g_autofree size_t *lens = g_new(size_t, batch->len);
  for (guint i = 0; i < batch->len; i++) {
    GPtrArray *m = g_ptr_array_index(batch, i);
    messages[i] = (const char *const *)m->pdata;
    lens[i] = m->len;
  }
  g_autoptr(GError) error = NULL;
  unsigned count = 0;
  if (!tg_history_learn_batch_at(e->history, messages, lens, batch->len,
                                 g_get_real_time() / G_USEC_PER_SEC, &count, &error)) {
    tg_engine_note("history: %u messages not saved: %s", batch->len, error->message);
    return false;
  }
  /* The context takes what was learned at the next reload, from the file: the file's bounds
   * (TG_HISTORY_MAX_*) then bound the context too. Adding every learned address to the live
   * context instead would let it grow to the library's own, ten times larger, bounds, and the
   * contact rules scan a domain's known addresses for every new recipient there. */
  return true;
}

/* A fresh context from the settings and the history on disk (what every process learned).
 * `current`: e->history was just merged with the files and written (learn_batch), so it is what
 * the disk holds and need not be read again (reading a full history costs ~0.2 s of CPU). */
static void reload(TgEngine *e, bool current) {
  TgHistory *h = e->history;
  if (!current) {
    g_autoptr(GError) error = NULL;
    h = tg_history_open(e->cfg->history_dir, &error);
    if (!h) {
      tg_engine_note("history: cannot reload: %s", error ? error->message : "unknown reason");
      return;
    }
  }
  g_autoptr(GPtrArray) ignored = g_ptr_array_new_with_free_func(g_free);
  TgContext *fresh = build_context(e, h, ignored);
  g_rw_lock_writer_lock(&e->ctx_lock);
  TgContext *old = e->ctx;
  e->ctx = fresh;
  g_mutex_lock(&e->memo_lock);
  g_hash_table_remove_all(e->memo);
  e->generation++;
  g_mutex_unlock(&e->memo_lock);
  g_rw_lock_writer_unlock(&e->ctx_lock);
  tg_context_free(old);
  if (h != e->history) {
    tg_history_free(e->history);
    e->history = h;
  }
}

static gpointer learner_main(gpointer data) {
  TgEngine *e = data;
  for (;;) {
    g_mutex_lock(&e->queue_lock);
    /* Until a full batch, the next reload or the stop: what is learned takes effect at a reload
     * anyway, and each write reads, merges, evicts and rewrites the whole (bounded) files, so
     * one write per reload costs a fraction of one every few seconds. */
    while (!e->stop && e->pending->len < TG_ENGINE_BATCH_MESSAGES &&
           g_cond_wait_until(&e->queue_cond, &e->queue_lock, e->next_reload))
      ;
    g_autoptr(GPtrArray) batch = e->pending;
    e->pending = g_ptr_array_new_with_free_func((GDestroyNotify)g_ptr_array_unref);
    bool stop = e->stop;
    guint64 dropped = e->dropped;
    e->dropped = 0;
    g_mutex_unlock(&e->queue_lock);

    if (dropped)
      tg_engine_note("history: %" G_GUINT64_FORMAT " messages not learned (queue full)", dropped);
    bool written = batch->len && learn_batch(e, batch);
    if (stop)
      return NULL;
    if (g_get_monotonic_time() >= e->next_reload) {
      reload(e, written);
      e->next_reload = g_get_monotonic_time() + (gint64)e->cfg->history_reload * G_USEC_PER_SEC;
    }
  }
}

void tg_engine_learn(TgEngine *e, GPtrArray *addresses) {
  if (!e->learning || addresses->len == 0) {
    g_ptr_array_unref(addresses);
    return;
  }
  g_mutex_lock(&e->queue_lock);
  if (e->pending->len >= TG_ENGINE_MAX_PENDING) {
    e->dropped++;
    g_ptr_array_unref(addresses);
  } else {
    g_ptr_array_add(e->pending, addresses);
    if (e->pending->len >= TG_ENGINE_BATCH_MESSAGES)
      g_cond_signal(&e->queue_cond);
  }
  g_mutex_unlock(&e->queue_lock);
}

bool tg_engine_learning(const TgEngine *e) {
  return e->learning;
}

/* ---- life ------------------------------------------------------------------------------ */

TgEngine *tg_engine_new(TgMilterConfig *config, GPtrArray *warnings, GError **error) {
  TgEngine *e = g_new0(TgEngine, 1);
  e->cfg = config;
  g_rw_lock_init(&e->ctx_lock);
  g_mutex_init(&e->memo_lock);
  e->memo =
      g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)tg_rcpt_verdict_free);
  g_mutex_init(&e->queue_lock);
  g_cond_init(&e->queue_cond);
  e->pending = g_ptr_array_new_with_free_func((GDestroyNotify)g_ptr_array_unref);
  load_psl(e, warnings);
  if (!e->psl) {
    g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_NOENT,
                "no public suffix list: install the publicsuffix package");
    tg_engine_free(e);
    return NULL;
  }
  if (config->history_dir) {
    g_autoptr(GError) herr = NULL;
    e->history = tg_history_open(config->history_dir, &herr);
    if (!e->history)
      g_ptr_array_add(warnings, g_strdup_printf("history %s: %s", config->history_dir,
                                                herr ? herr->message : "unavailable"));
    else if (!tg_history_probe(e->history, &herr))
      g_ptr_array_add(warnings, g_strdup_printf("history %s cannot be written (%s): learned "
                                                "domains are kept in memory only",
                                                config->history_dir, herr->message));
  }
  e->ctx = build_context(e, e->history, warnings);
  e->learning = e->history && config->settings->learn;
  if (e->learning) {
    e->next_reload = g_get_monotonic_time() + (gint64)config->history_reload * G_USEC_PER_SEC;
    e->learner = g_thread_new("typoguard-learn", learner_main, e);
  }
  return e;
}

void tg_engine_free(TgEngine *e) {
  if (!e)
    return;
  if (e->learner) {
    g_mutex_lock(&e->queue_lock);
    e->stop = true;
    g_cond_signal(&e->queue_cond);
    g_mutex_unlock(&e->queue_lock);
    g_thread_join(e->learner);
  }
  g_ptr_array_unref(e->pending);
  tg_context_free(e->ctx);
  tg_history_free(e->history);
  if (e->psl_owned)
    psl_free(e->psl);
  tg_milter_config_free(e->cfg);
  g_rw_lock_clear(&e->ctx_lock);
  g_hash_table_destroy(e->memo);
  g_mutex_clear(&e->memo_lock);
  g_mutex_clear(&e->queue_lock);
  g_cond_clear(&e->queue_cond);
  g_free(e);
}

const TgMilterConfig *tg_engine_config(const TgEngine *e) {
  return e->cfg;
}

bool tg_engine_is_local(const TgEngine *e, const char *address) {
  const char *at = address ? strrchr(address, '@') : NULL;
  if (!at || !at[1])
    return false;
  g_autofree char *domain = tg_settings_normalise_domain(at + 1, NULL);
  if (!domain)
    return false;
  size_t dl = strlen(domain);
  for (guint i = 0; i < e->cfg->local_domains->len; i++) {
    const char *l = g_ptr_array_index(e->cfg->local_domains, i);
    size_t ll = strlen(l);
    if (dl == ll ? strcmp(domain, l) == 0
                 : dl > ll && domain[dl - ll - 1] == '.' && strcmp(domain + dl - ll, l) == 0)
      return true;
  }
  return false;
}

TgResult *tg_engine_check(TgEngine *e, const TgRequest *req) {
  g_rw_lock_reader_lock(&e->ctx_lock);
  TgResult *res = tg_check(e->ctx, req);
  g_rw_lock_reader_unlock(&e->ctx_lock);
  return res;
}

/* ---- the RCPT memo --------------------------------------------------------------------------- */

void tg_rcpt_verdict_free(TgRcptVerdict *v) {
  if (!v)
    return;
  g_free(v->domain);
  g_free(v->text);
  g_free(v);
}

static TgRcptVerdict *verdict_copy(const TgRcptVerdict *v) {
  TgRcptVerdict *c = g_new0(TgRcptVerdict, 1);
  c->block = v->block;
  c->code = v->code;
  c->domain = g_strdup(v->domain);
  c->text = g_strdup(v->text);
  return c;
}

TgRcptVerdict *tg_engine_memo_get(TgEngine *e, const char *key, guint64 *generation) {
  g_mutex_lock(&e->memo_lock);
  const TgRcptVerdict *v = g_hash_table_lookup(e->memo, key);
  TgRcptVerdict *copy = v ? verdict_copy(v) : NULL;
  *generation = e->generation;
  g_mutex_unlock(&e->memo_lock);
  return copy;
}

void tg_engine_memo_put(TgEngine *e, const char *key, const TgRcptVerdict *v, guint64 generation) {
  g_mutex_lock(&e->memo_lock);
  if (generation == e->generation) {
    if (g_hash_table_size(e->memo) >= TG_ENGINE_MEMO_MAX)
      g_hash_table_remove_all(e->memo); /* bounded; refilled by the pairs still in use */
    g_hash_table_replace(e->memo, g_strdup(key), verdict_copy(v));
  }
  g_mutex_unlock(&e->memo_lock);
}
