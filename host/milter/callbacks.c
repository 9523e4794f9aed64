/* callbacks.c — the libmilter callbacks (see callbacks.h).
 *
 * Protocol: the milter asks the MTA to skip what it does not need (connect, HELO, body, DATA,
 * unknown commands) and not to wait for a reply to each header, so that a message costs the
 * MTA one round trip per recipient and one at the end. A sender that is not local is accepted at
 * MAIL FROM: no further step of that message reaches the milter. */
#include "callbacks.h"

#include <string.h>

#include "message.h"

static TgEngine *engine;

typedef struct {
  bool no_header_reply; /* negotiated SMFIP_NR_HDR: header callbacks return SMFIS_NOREPLY */
  TgMilterMessage *msg;
} Conn;

static Conn *conn_get(SMFICTX *ctx) {
  Conn *c = smfi_getpriv(ctx);
  if (!c) {
    c = g_new0(Conn, 1);
    smfi_setpriv(ctx, c);
  }
  return c;
}

static void conn_end_message(Conn *c) {
  g_clear_pointer(&c->msg, tg_mmsg_free);
}

static sfsistat cb_negotiate(SMFICTX *ctx, unsigned long f0, unsigned long f1, unsigned long f2,
                             unsigned long f3, unsigned long *pf0, unsigned long *pf1,
                             unsigned long *pf2, unsigned long *pf3) {
  (void)f2;
  (void)f3;
  const unsigned long actions =
      SMFIF_ADDHDRS | SMFIF_CHGHDRS | SMFIF_ADDRCPT | SMFIF_DELRCPT | SMFIF_QUARANTINE;
  if ((f0 & actions) != actions) {
    tg_engine_note("the MTA does not offer adding headers, recipients and quarantine; "
                   "not filtering");
    return SMFIS_REJECT;
  }
  const unsigned long skip = SMFIP_NOCONNECT | SMFIP_NOHELO | SMFIP_NOBODY | SMFIP_NOUNKNOWN |
                             SMFIP_NODATA | SMFIP_NOEOH | SMFIP_NR_HDR;
  *pf0 = actions | (f0 & SMFIF_SETSYMLIST);
  *pf1 = f1 & skip;
  *pf2 = 0;
  *pf3 = 0;
  /* No macros: the milter reads none, and each macro list costs the MTA a packet (and the
   * milter a read) before every command, 20 of them for 20 recipients. A list naming a macro no
   * MTA defines is the empty list libmilter cannot express. */
  if (f0 & SMFIF_SETSYMLIST) {
    static const int stages[] = {SMFIM_CONNECT, SMFIM_HELO, SMFIM_ENVFROM, SMFIM_ENVRCPT,
                                 SMFIM_DATA,    SMFIM_EOH,  SMFIM_EOM};
    for (size_t i = 0; i < G_N_ELEMENTS(stages); i++)
      (void)smfi_setsymlist(ctx, stages[i], "{typoguard_none}");
  }
  Conn *c = conn_get(ctx);
  c->no_header_reply = (*pf1 & SMFIP_NR_HDR) != 0;
  return SMFIS_CONTINUE;
}

static sfsistat cb_envfrom(SMFICTX *ctx, char **argv) {
  Conn *c = conn_get(ctx);
  conn_end_message(c);
  c->msg = tg_mmsg_new(engine, argv && argv[0] ? argv[0] : NULL);
  if (!tg_mmsg_judged(c->msg)) {
    conn_end_message(c);
    return SMFIS_ACCEPT; /* inbound or foreign mail: not the sender's slip to catch */
  }
  return SMFIS_CONTINUE;
}

static sfsistat cb_envrcpt(SMFICTX *ctx, char **argv) {
  Conn *c = conn_get(ctx);
  if (!c->msg || !argv || !argv[0])
    return SMFIS_CONTINUE;
  g_autofree char *text = NULL;
  switch (tg_mmsg_recipient(c->msg, argv[0], &text)) {
  case TG_RCPT_KEEP: return SMFIS_CONTINUE;
  case TG_RCPT_REFUSE:
    if (smfi_setreply(ctx, "550", "5.1.2", text) != MI_SUCCESS)
      (void)smfi_setreply(ctx, "550", "5.1.2", "This address looks mistyped");
    return SMFIS_REJECT;
  case TG_RCPT_TOO_MANY: (void)smfi_setreply(ctx, "452", "4.5.3", text); return SMFIS_TEMPFAIL;
  }
  return SMFIS_CONTINUE;
}

static sfsistat cb_header(SMFICTX *ctx, char *name, char *value) {
  Conn *c = conn_get(ctx);
  if (c->msg)
    tg_mmsg_header(c->msg, name, value);
  return c->no_header_reply ? SMFIS_NOREPLY : SMFIS_CONTINUE;
}

static sfsistat cb_eom(SMFICTX *ctx) {
  Conn *c = conn_get(ctx);
  if (!c->msg)
    return SMFIS_CONTINUE;
  g_autoptr(TgMilterOutcome) o = tg_mmsg_finish(c->msg);
  conn_end_message(c);
  if (o->refuse_text) {
    if (smfi_setreply(ctx, "550", "5.1.2", o->refuse_text) != MI_SUCCESS)
      (void)smfi_setreply(ctx, "550", "5.1.2", "A recipient address looks mistyped");
    return SMFIS_REJECT;
  }
  /* Deleted from the last to the first, so that the indexes of the others stay right. */
  for (unsigned i = o->delete_override; i >= 1; i--)
    (void)smfi_chgheader(ctx, TG_MMSG_OVERRIDE_HEADER, (int)i, NULL);
  for (unsigned i = o->delete_tag; i >= 1; i--)
    (void)smfi_chgheader(ctx, TG_MMSG_TAG_HEADER, (int)i, NULL);
  for (guint i = 0; i < o->headers->len; i++)
    (void)smfi_addheader(ctx, TG_MMSG_TAG_HEADER, g_ptr_array_index(o->headers, i));
  if (o->quarantine) {
    const TgMilterConfig *cfg = tg_engine_config(engine);
    g_autofree char *to = g_strdup_printf("<%s>", cfg->quarantine_to);
    if (smfi_addrcpt(ctx, to) != MI_SUCCESS) {
      /* Never drop the recipients without somewhere for the message to go. */
      (void)smfi_quarantine(ctx, "typoguard: quarantine_to refused by the MTA");
      return SMFIS_CONTINUE;
    }
    for (guint i = 0; i < o->recipients->len; i++)
      (void)smfi_delrcpt(ctx, g_ptr_array_index(o->recipients, i));
    for (guint i = 0; i < o->quarantined_for->len; i++)
      (void)smfi_addheader(ctx, "X-Typoguard-Quarantined-For",
                           g_ptr_array_index(o->quarantined_for, i));
  }
  if (o->hold_reason)
    (void)smfi_quarantine(ctx, o->hold_reason);
  return SMFIS_CONTINUE;
}

static sfsistat cb_abort(SMFICTX *ctx) {
  Conn *c = smfi_getpriv(ctx);
  if (c)
    conn_end_message(c);
  return SMFIS_CONTINUE;
}

static sfsistat cb_close(SMFICTX *ctx) {
  Conn *c = smfi_getpriv(ctx);
  if (c) {
    conn_end_message(c);
    g_free(c);
    smfi_setpriv(ctx, NULL);
  }
  return SMFIS_CONTINUE;
}

struct smfiDesc *tg_milter_callbacks(TgEngine *e) {
  static struct smfiDesc desc = {
      .xxfi_name = "typoguard",
      .xxfi_version = SMFI_VERSION,
      .xxfi_flags =
          SMFIF_ADDHDRS | SMFIF_CHGHDRS | SMFIF_ADDRCPT | SMFIF_DELRCPT | SMFIF_QUARANTINE,
      .xxfi_envfrom = cb_envfrom,
      .xxfi_envrcpt = cb_envrcpt,
      .xxfi_header = cb_header,
      .xxfi_eom = cb_eom,
      .xxfi_abort = cb_abort,
      .xxfi_close = cb_close,
      .xxfi_negotiate = cb_negotiate,
  };
  engine = e;
  return &desc;
}
