/* message.c — one message through the milter (see message.h). */
#include "message.h"

#include <string.h>

#include "typoguard.h"
#include "text.h"

typedef struct {
  char *raw;  /* as the client gave it, for smfi_delrcpt */
  char *bare; /* local@domain as given */
  char *key;  /* ASCII-lowercased, to match headers and overrides */
} Rcpt;

struct TgMilterMessage {
  TgEngine *engine;
  char *sender; /* bare, or NULL */
  bool judged;
  GPtrArray *rcpts; /* of Rcpt* */
  GString *to, *cc;
  size_t address_bytes;
  GString *overrides;
  unsigned n_override, n_tag;
};

static void rcpt_free(gpointer p) {
  Rcpt *r = p;
  g_free(r->raw);
  g_free(r->bare);
  g_free(r->key);
  g_free(r);
}

/* `<a@b>` (or a@b) -> a@b; NULL for `<>` or nothing. */
static char *strip_brackets(const char *arg) {
  if (!arg)
    return NULL;
  size_t len = strlen(arg);
  const char *s = arg;
  if (len >= 2 && s[0] == '<' && s[len - 1] == '>') {
    s++;
    len -= 2;
  }
  return len ? g_strndup(s, len) : NULL;
}

TgMilterMessage *tg_mmsg_new(TgEngine *e, const char *sender) {
  TgMilterMessage *m = g_new0(TgMilterMessage, 1);
  m->engine = e;
  m->sender = strip_brackets(sender);
  m->judged = m->sender && tg_engine_is_local(e, m->sender);
  m->rcpts = g_ptr_array_new_with_free_func(rcpt_free);
  m->to = g_string_new(NULL);
  m->cc = g_string_new(NULL);
  m->overrides = g_string_new(NULL);
  return m;
}

void tg_mmsg_free(TgMilterMessage *m) {
  if (!m)
    return;
  g_free(m->sender);
  g_ptr_array_unref(m->rcpts);
  g_string_free(m->to, true);
  g_string_free(m->cc, true);
  g_string_free(m->overrides, true);
  g_free(m);
}

bool tg_mmsg_judged(const TgMilterMessage *m) {
  return m->judged;
}

/* The most severe finding of each recipient (findings come grouped, most severe first). */
static const TgFinding **worst_by_recipient(const TgResult *res, size_t n) {
  const TgFinding **worst = g_new0(const TgFinding *, n ? n : 1);
  for (guint i = 0; i < res->findings->len; i++) {
    const TgFinding *f = g_ptr_array_index(res->findings, i);
    if (f->recipient < n && (!worst[f->recipient] || f->severity > worst[f->recipient]->severity))
      worst[f->recipient] = f;
  }
  return (const TgFinding **)worst;
}

/* "john@army.ml: army.ml is in Mali (.ml). Did you mean army.mil? Suggested: ..." */
static char *finding_text(const char *address, const TgFinding *f) {
  g_autofree char *text = g_strdup_printf(
      "%s: %s%s%s%s", address, f->message ? f->message : "", f->suggestion ? " Suggested: " : "",
      f->suggestion ? f->suggestion : "", f->suggestion ? "." : "");
  return tg_milter_reply_text(text);
}

TgRcptAction tg_mmsg_recipient(TgMilterMessage *m, const char *rcpt, char **text) {
  *text = NULL;
  if (m->rcpts->len >= TG_MAX_RECIPIENTS) {
    *text = g_strdup_printf("Too many recipients: at most %u in one message", TG_MAX_RECIPIENTS);
    return TG_RCPT_TOO_MANY;
  }
  g_autofree char *bare = strip_brackets(rcpt);
  if (!bare)
    return TG_RCPT_KEEP; /* nothing to judge; the MTA refuses an empty recipient itself */
  const TgMilterConfig *cfg = tg_engine_config(m->engine);
  /* Refused here only when nothing that comes later (an override header) could change it. */
  if (cfg->on_block == TG_ON_BLOCK_REJECT && !cfg->settings->allow_override) {
    g_autofree char *key = g_strconcat(m->sender ? m->sender : "", "\n", bare, NULL);
    guint64 generation = 0;
    g_autoptr(TgRcptVerdict) v = tg_engine_memo_get(m->engine, key, &generation);
    if (!v) {
      TgRecipient r = {.field = TG_FIELD_TO, .address = bare};
      TgRequest req;
      tg_request_init(&req);
      req.sender = m->sender;
      req.recipients = &r;
      req.n_recipients = 1;
      g_autoptr(TgResult) res = tg_engine_check(m->engine, &req);
      g_autofree const TgFinding **worst = worst_by_recipient(res, 1);
      v = g_new0(TgRcptVerdict, 1);
      if (worst[0] && worst[0]->severity == TG_SEVERITY_BLOCK) {
        v->block = true;
        v->code = worst[0]->code;
        v->domain = g_strdup(worst[0]->domain);
        v->text = finding_text(bare, worst[0]);
      }
      tg_engine_memo_put(m->engine, key, v, generation);
    }
    if (v->block) {
      tg_engine_log(m->engine, TG_SEVERITY_BLOCK, v->code, v->domain, "reject");
      *text = g_steal_pointer(&v->text);
      return TG_RCPT_REFUSE;
    }
  }
  Rcpt *r = g_new0(Rcpt, 1);
  r->raw = g_strdup(rcpt);
  r->key = g_ascii_strdown(bare, -1);
  r->bare = g_steal_pointer(&bare);
  g_ptr_array_add(m->rcpts, r);
  return TG_RCPT_KEEP;
}

static void append_bounded(GString *s, const char *value, size_t *used, size_t max) {
  size_t len = strlen(value);
  if (*used + len + 2 > max)
    return; /* beyond the bound the header is not read: the recipients still are, without names */
  if (s->len)
    g_string_append(s, ", ");
  g_string_append_len(s, value, (gssize)len);
  *used += len + 2;
}

void tg_mmsg_header(TgMilterMessage *m, const char *name, const char *value) {
  if (!m->judged || !name || !value)
    return;
  if (g_ascii_strcasecmp(name, "To") == 0) {
    append_bounded(m->to, value, &m->address_bytes, TG_MMSG_MAX_ADDRESS_HEADER_BYTES);
  } else if (g_ascii_strcasecmp(name, "Cc") == 0) {
    append_bounded(m->cc, value, &m->address_bytes, TG_MMSG_MAX_ADDRESS_HEADER_BYTES);
  } else if (g_ascii_strcasecmp(name, TG_MMSG_OVERRIDE_HEADER) == 0) {
    m->n_override++;
    size_t used = m->overrides->len;
    append_bounded(m->overrides, value, &used, TG_MMSG_MAX_OVERRIDE_BYTES);
  } else if (g_ascii_strcasecmp(name, TG_MMSG_TAG_HEADER) == 0) {
    m->n_tag++;
  }
}

/* Splits an address header at the commas, colons and semicolons that separate mailboxes and
 * groups (not those inside quotes, comments, <…> or [literals]); pieces go to `out`. */
static void split_mailboxes(const char *text, GPtrArray *out) {
  const char *start = text;
  int comment = 0;
  bool quoted = false, angle = false, literal = false;
  for (const char *p = text;; p++) {
    char c = *p;
    if (c == '\0' || (!quoted && !comment && !angle && !literal && strchr(",;:", c))) {
      if (p > start)
        g_ptr_array_add(out, g_strndup(start, (gsize)(p - start)));
      if (c == '\0')
        return;
      start = p + 1;
      continue;
    }
    if (c == '\\' && (quoted || comment) && p[1]) {
      p++;
    } else if (quoted) {
      quoted = c != '"';
    } else if (comment) {
      comment += c == '(' ? 1 : c == ')' ? -1 : 0;
    } else if (c == '"') {
      quoted = true;
    } else if (c == '(') {
      comment = 1;
    } else if (c == '<') {
      angle = true;
    } else if (c == '>') {
      angle = false;
    } else if (c == '[') {
      literal = true;
    } else if (c == ']') {
      literal = false;
    }
  }
}

typedef struct {
  char *mailbox; /* Name <address>, or the address */
  TgField field;
} Named;

static void named_free(gpointer p) {
  Named *n = p;
  g_free(n->mailbox);
  g_free(n);
}

/* Address key -> its mailbox with display name, from To then Cc (the first mention wins). */
static void index_header(GHashTable *names, const GString *value, TgField field) {
  g_autoptr(GPtrArray) pieces = g_ptr_array_new_with_free_func(g_free);
  split_mailboxes(value->str, pieces);
  for (guint i = 0; i < pieces->len; i++) {
    const char *piece = g_ptr_array_index(pieces, i);
    g_autoptr(GPtrArray) list = tg_mailbox_parse_list(piece, strlen(piece), NULL);
    for (guint j = 0; list && j < list->len; j++) {
      const TgMailbox *mb = g_ptr_array_index(list, j);
      char *key = g_ascii_strdown(mb->address, -1);
      if (g_hash_table_contains(names, key)) {
        g_free(key);
        continue;
      }
      Named *n = g_new0(Named, 1);
      n->mailbox = mb->display_name ? tg_mailbox_format(mb->display_name, mb->address)
                                    : g_strdup(mb->address);
      n->field = field;
      g_hash_table_insert(names, key, n);
    }
  }
}

void tg_milter_outcome_free(TgMilterOutcome *o) {
  if (!o)
    return;
  g_free(o->refuse_text);
  g_free(o->hold_reason);
  g_ptr_array_unref(o->recipients);
  g_ptr_array_unref(o->headers);
  g_ptr_array_unref(o->quarantined_for);
  g_free(o);
}

static char *tag_value(const TgFinding *f, bool overridden) {
  g_autofree char *domain = tg_milter_ascii_domain(f->domain);
  g_autofree char *suggestion =
      f->suggestion ? tg_milter_printable(f->suggestion, TG_MILTER_MAX_FIELD) : NULL;
  return g_strdup_printf("%s; code=%s; domain=%s%s%s%s", tg_severity_name(f->severity),
                         tg_code_name(f->code), domain, suggestion ? "; suggestion=" : "",
                         suggestion ? suggestion : "", overridden ? "; override=sender" : "");
}

TgMilterOutcome *tg_mmsg_finish(TgMilterMessage *m) {
  TgMilterOutcome *o = g_new0(TgMilterOutcome, 1);
  o->recipients = g_ptr_array_new_with_free_func(g_free);
  o->headers = g_ptr_array_new_with_free_func(g_free);
  o->quarantined_for = g_ptr_array_new_with_free_func(g_free);
  if (!m->judged)
    return o;
  /* Our own headers never leave as the client wrote them: an override names recipients
   * (Bcc ones too), and an X-Typoguard from a client would be a forgery. */
  o->delete_override = MIN(m->n_override, TG_MMSG_MAX_DELETED_HEADERS);
  o->delete_tag = MIN(m->n_tag, TG_MMSG_MAX_DELETED_HEADERS);
  guint n = m->rcpts->len;
  if (n == 0)
    return o;

  const TgMilterConfig *cfg = tg_engine_config(m->engine);
  g_autoptr(GHashTable) names = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, named_free);
  index_header(names, m->to, TG_FIELD_TO);
  index_header(names, m->cc, TG_FIELD_CC);
  g_autoptr(GHashTable) confirmed = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  if (m->overrides->len) {
    g_autoptr(GPtrArray) pieces = g_ptr_array_new_with_free_func(g_free);
    split_mailboxes(m->overrides->str, pieces);
    for (guint i = 0; i < pieces->len; i++) {
      const char *piece = g_ptr_array_index(pieces, i);
      g_autoptr(GPtrArray) list = tg_mailbox_parse_list(piece, strlen(piece), NULL);
      for (guint j = 0; list && j < list->len; j++)
        g_hash_table_add(confirmed,
                         g_ascii_strdown(((TgMailbox *)g_ptr_array_index(list, j))->address, -1));
    }
  }

  g_autofree TgRecipient *req_rcpts = g_new0(TgRecipient, n);
  for (guint i = 0; i < n; i++) {
    const Rcpt *r = g_ptr_array_index(m->rcpts, i);
    const Named *named = g_hash_table_lookup(names, r->key);
    req_rcpts[i].field = named ? named->field : TG_FIELD_BCC;
    req_rcpts[i].address = named ? named->mailbox : r->bare;
    g_ptr_array_add(o->recipients, g_strdup(r->raw));
  }
  TgRequest req;
  tg_request_init(&req);
  req.sender = m->sender;
  req.recipients = req_rcpts;
  req.n_recipients = n;
  g_autoptr(TgResult) res = tg_engine_check(m->engine, &req);
  g_autofree const TgFinding **worst = worst_by_recipient(res, n);

  g_autoptr(GPtrArray) learn = g_ptr_array_new_with_free_func(g_free);
  unsigned refused = 0, tagged = 0;
  bool hold = false, quarantine = false;
  const TgFinding *hold_finding = NULL;
  for (guint i = 0; i < n; i++) {
    const Rcpt *r = g_ptr_array_index(m->rcpts, i);
    const TgFinding *f = worst[i];
    if (!f || f->severity < TG_SEVERITY_WARN) {
      g_ptr_array_add(learn, g_strdup(r->key));
      continue;
    }
    bool block = f->severity == TG_SEVERITY_BLOCK;
    bool said = g_hash_table_contains(confirmed, r->key);
    /* A warning may always be sent anyway; a block only when the policy allows it. */
    bool honoured = said && (!block || cfg->settings->allow_override);
    const char *action = NULL;
    bool tag = false;
    if (honoured) {
      action = "override";
      tag = true;
      /* Not learned: at the desktop a "send anyway" teaches one user's history, but here the
       * history is everyone's, and one person's choice must not silence the finding for all. */
    } else if (block) {
      switch (cfg->on_block) {
      case TG_ON_BLOCK_REJECT:
        action = said ? "reject (override not allowed)" : "reject";
        if (!o->refuse_text)
          o->refuse_text = finding_text(r->bare, f);
        refused++;
        break;
      case TG_ON_BLOCK_HOLD:
        action = "hold";
        hold = true;
        hold_finding = hold_finding ? hold_finding : f;
        tag = true;
        break;
      case TG_ON_BLOCK_QUARANTINE:
        action = "quarantine";
        quarantine = true;
        tag = true;
        break;
      case TG_ON_BLOCK_TAG:
        action = "tag";
        tag = true;
        break;
      }
    } else {
      switch (cfg->on_warn) {
      case TG_ON_WARN_TAG:
        action = "tag";
        tag = true;
        break;
      case TG_ON_WARN_HOLD:
        action = "hold";
        hold = true;
        hold_finding = hold_finding ? hold_finding : f;
        tag = true;
        break;
      case TG_ON_WARN_PASS: action = "pass"; break;
      }
    }
    tg_engine_log(m->engine, f->severity, f->code, f->domain, action);
    if (tag) {
      if (tagged < TG_MMSG_MAX_TAG_HEADERS)
        g_ptr_array_add(o->headers, tag_value(f, honoured));
      tagged++;
    }
  }
  if (tagged > TG_MMSG_MAX_TAG_HEADERS)
    g_ptr_array_add(o->headers, g_strdup_printf("%u more findings not listed",
                                                tagged - TG_MMSG_MAX_TAG_HEADERS));

  if (o->refuse_text) {
    if (refused > 1) {
      g_autofree char *more =
          g_strdup_printf("%s (and %u more). Nothing was sent.", o->refuse_text, refused - 1);
      g_free(o->refuse_text);
      o->refuse_text = tg_milter_reply_text(more);
    } else {
      g_autofree char *more = g_strdup_printf("%s Nothing was sent.", o->refuse_text);
      g_free(o->refuse_text);
      o->refuse_text = tg_milter_reply_text(more);
    }
    return o;
  }
  if (quarantine) {
    o->quarantine = true;
    for (guint i = 0; i < n && i < TG_MMSG_MAX_TAG_HEADERS; i++) {
      const Rcpt *r = g_ptr_array_index(m->rcpts, i);
      g_ptr_array_add(o->quarantined_for, tg_milter_printable(r->bare, TG_MILTER_MAX_FIELD));
    }
    return o;
  }
  if (hold) {
    g_autofree char *domain = tg_milter_ascii_domain(hold_finding->domain);
    o->hold_reason =
        g_strdup_printf("typoguard: %s %s %s", tg_severity_name(hold_finding->severity),
                        tg_code_name(hold_finding->code), domain);
    return o;
  }
  /* Delivered: what its sender really wrote to becomes the organisation's history. */
  if (learn->len)
    tg_engine_learn(m->engine, g_steal_pointer(&learn));
  return o;
}
