/* wrongaddr.c — wrong_address, the autocomplete slip: a known person written to at an address
 * the message does not call for (see tg_wrongaddr_judge for the rule, wrongaddr.h for what it
 * owns and guarantees). detect.c turns a verdict into a finding. */
#include "wrongaddr.h"

#include <string.h>

#include "book.h"
#include "mailbox.h"
#include "people.h"
#include "wellknown.h"

/* Pair counts (messages written to together, from the history). HABIT: the chosen address was
 * already sent together with one of these recipients this often — the user meant it, and asking
 * again teaches people to click through. STRONG: the namesake was written to with them in this
 * many messages in all, and with at least half of them — enough to warn, not only inform. (A pair
 * seen by chance in a 20-recipient message is no pattern: with "any pair, 3 times"
 * bench_wrongaddr's random history raised 5 namesake warnings in 1,000 messages.) */
#define WRONG_HABIT_MIN 1u
#define WRONG_STRONG_MIN 3u
/* The organisation key of a party whose domain is an organisation domain (policy/settings). */
#define ORG_KEY "\x01org"

/* One mailbox of the message, as the other recipients' context sees it. */
typedef struct {
  char *address;   /* lower-case local part @ A-label domain */
  const char *org; /* organisation key (org_key) */
  bool personal;   /* at a public mail provider */
} Party;

typedef struct View {
  GArray *parties;      /* Party, the recipients' mailboxes in request order */
  guint *first, *count; /* per recipient: its parties are [first, first + count) */
  size_t n_recipients;
  GHashTable *addresses;  /* address -> GUINT_TO_POINTER(recipient index + 1), first occurrence */
  GHashTable *tally;      /* organisation key -> GUINT_TO_POINTER(parties there) */
  GStringChunk *chunk;    /* the organisation keys */
  guint n_personal;       /* parties at a public mail provider */
  const char *sender_org; /* or NULL without a (parsable) sender */
  bool sender_personal;
} View;

struct TgWrongAddr {
  TgWrongAddrInput in;
  TgPeople *people;      /* names and local parts of `in.book`, ids are positions in it */
  const char **book_org; /* org_key of each `in.book` entry, computed when first needed */
  View *view;            /* the message as a whole: who else is written to */
};

static void view_free(View *v) {
  if (!v)
    return;
  for (guint i = 0; i < v->parties->len; i++)
    g_free(g_array_index(v->parties, Party, i).address);
  g_array_unref(v->parties);
  g_free(v->first);
  g_free(v->count);
  g_hash_table_destroy(v->addresses);
  g_hash_table_destroy(v->tally);
  g_string_chunk_free(v->chunk);
  g_free(v);
}

TgWrongAddr *tg_wrongaddr_new(const TgWrongAddrInput *in) {
  g_return_val_if_fail(in != NULL && in->ctx != NULL && in->req != NULL && in->known != NULL &&
                           in->book != NULL && in->sources != NULL,
                       NULL);
  TgWrongAddr *w = g_new0(TgWrongAddr, 1);
  w->in = *in;
  return w;
}

void tg_wrongaddr_free(TgWrongAddr *w) {
  if (!w)
    return;
  g_clear_pointer(&w->people, tg_people_free);
  g_free(w->book_org);
  g_clear_pointer(&w->view, view_free);
  g_free(w);
}

void tg_wrongaddr_verdict_clear(TgWrongAddrVerdict *v) {
  if (!v)
    return;
  g_clear_pointer(&v->intended, g_free);
  g_clear_pointer(&v->address, g_free);
  g_clear_pointer(&v->meant_name, g_free);
  g_clear_pointer(&v->who, g_free);
}

/* Which organisation a domain belongs to, for "everyone else in this message is at one place":
 * the configured organisation domains are one organisation whatever their names (mail.mil and
 * army.mil); the US military is one across its .mil domains; otherwise the registrable domain. */
static const char *org_key(const TgWrongAddr *c, const char *ascii, GStringChunk *chunk) {
  if (c->in.sources(c->in.check, ascii) & TG_SOURCE_ORG)
    return ORG_KEY;
  if (strcmp(tg_domain_tld(ascii), "mil") == 0)
    return "mil";
  const char *reg = tg_domain_registrable(c->in.ctx->psl, ascii);
  return chunk ? g_string_chunk_insert_const(chunk, reg ? reg : ascii) : (reg ? reg : ascii);
}

/* A public mail provider (gmail.com, gmx.de …) that is not one of the organisation's domains. */
static bool is_personal(const TgWrongAddr *c, const char *ascii) {
  const TgWellKnown *wk = tg_wellknown_find_ancestor(ascii);
  return wk && (wk->kind & TG_WK_MAIL_PROVIDER) &&
         !(c->in.sources(c->in.check, ascii) & TG_SOURCE_ORG);
}

/* Parses every recipient once (only when a wrong_address question comes up). */
static View *view_of(TgWrongAddr *c) {
  if (c->view)
    return c->view;
  View *v = g_new0(View, 1);
  v->parties = g_array_new(FALSE, FALSE, sizeof(Party));
  v->n_recipients = MIN(c->in.req->n_recipients, (size_t)TG_MAX_RECIPIENTS);
  v->first = g_new0(guint, v->n_recipients ? v->n_recipients : 1);
  v->count = g_new0(guint, v->n_recipients ? v->n_recipients : 1);
  v->addresses = g_hash_table_new(g_str_hash, g_str_equal); /* keys owned by `parties` */
  v->tally = g_hash_table_new(g_str_hash, g_str_equal);
  v->chunk = g_string_chunk_new(1024);
  for (size_t i = 0; i < v->n_recipients && c->in.req->recipients; i++) {
    v->first[i] = v->parties->len;
    const char *text = c->in.req->recipients[i].address ? c->in.req->recipients[i].address : "";
    g_autoptr(GPtrArray) mbs =
        tg_mailbox_parse_list(text, strnlen(text, TG_MAX_ADDRESS_BYTES + 1), NULL);
    for (guint m = 0; mbs && m < mbs->len; m++) {
      const TgMailbox *mb = g_ptr_array_index(mbs, m);
      g_autofree char *dom =
          mb->domain ? tg_domain_normalise_entry_memo(c->in.memo, mb->domain) : NULL;
      if (!dom)
        continue; /* syntax: no party */
      g_autofree char *local = g_utf8_strdown(mb->local, -1);
      Party p = {.address = g_strconcat(local, "@", dom, NULL),
                 .org = org_key(c, dom, v->chunk),
                 .personal = is_personal(c, dom)};
      g_array_append_val(v->parties, p);
      if (!g_hash_table_contains(v->addresses, p.address))
        g_hash_table_insert(v->addresses, p.address, GUINT_TO_POINTER((guint)i + 1));
      v->n_personal += p.personal;
      guint n = GPOINTER_TO_UINT(g_hash_table_lookup(v->tally, p.org));
      g_hash_table_insert(v->tally, (gpointer)p.org, GUINT_TO_POINTER(n + 1));
    }
    v->count[i] = v->parties->len - v->first[i];
  }
  if (c->in.sender_domain) {
    v->sender_org = org_key(c, c->in.sender_domain, v->chunk);
    v->sender_personal = is_personal(c, c->in.sender_domain);
  }
  return c->view = v;
}

/* The address book's people, indexed once per request. */
static const TgPeople *people_of(TgWrongAddr *c) {
  if (c->in.people)
    return c->in.people;
  if (!c->people)
    c->people = tg_book_people_new(c->in.known, c->in.book);
  return c->people;
}

/* The organisation of address-book entry `id`, once per request: the namesakes of thousands of
 * recipients are the same few contacts (the key points into the entry or is a constant). */
static const char *book_org_of(TgWrongAddr *c, guint id) {
  if (!c->book_org)
    c->book_org = g_new0(const char *, c->in.book->len);
  if (!c->book_org[id]) {
    const char *addr = g_ptr_array_index(c->in.book, id);
    c->book_org[id] = org_key(c, strrchr(addr, '@') + 1, NULL);
  }
  return c->book_org[id];
}

/* The one organisation of the sender and every other recipient than `r`, or NULL when they are
 * at several, at a public mail provider, or when `r` is alone. */
static const char *org_context(const View *v, size_t r) {
  guint others = v->parties->len - v->count[r];
  if (others == 0)
    return NULL;
  const Party *mine = &g_array_index(v->parties, Party, v->first[r]);
  const char *d = v->sender_org;
  bool personal = v->sender_personal;
  if (!d) {
    const Party *p = &g_array_index(v->parties, Party, v->first[r] == 0 ? v->count[r] : 0);
    d = p->org;
    personal = p->personal;
  }
  if (personal)
    return NULL;
  guint at_d = GPOINTER_TO_UINT(g_hash_table_lookup(v->tally, d));
  for (guint k = 0; k < v->count[r]; k++)
    at_d -= strcmp(mine[k].org, d) == 0;
  return at_d == others ? d : NULL;
}

/* A personal message: from a personal address (gmail.com, gmx.de …), or to other recipients who
 * are all at personal providers (a work account writing to a circle of friends). Writing to a
 * friend's new personal address there is ordinary; the never-used address says nothing. */
static bool personal_message(const View *v, size_t r) {
  if (v->sender_org && v->sender_personal)
    return true;
  guint others = v->parties->len - v->count[r], mine = 0;
  for (guint k = v->first[r]; k < v->first[r] + v->count[r]; k++)
    mine += g_array_index(v->parties, Party, k).personal;
  return others > 0 && v->n_personal - mine == others;
}

/* The organisation the message is written from: the sender's, or without one the one
 * organisation of the other recipients; NULL for a personal message or none at all. */
static const char *home_org(const View *v, const char *ctx_org) {
  if (v->sender_org)
    return v->sender_personal ? NULL : v->sender_org;
  return ctx_org;
}

/* How `address` was written to with the other recipients than `r`, from the pair counts. */
typedef struct {
  guint max;     /* the largest pair count */
  guint sum;     /* all pair counts */
  guint support; /* other recipients it was written to with at least once */
  guint others;  /* other recipients */
} Together;

static void together_add(Together *t, guint count) {
  if (!count)
    return;
  t->max = MAX(t->max, count);
  t->sum = (guint)MIN((guint64)t->sum + count, G_MAXUINT);
  t->support++;
}

/* Walks the shorter of its partner list and the message. */
static Together together_with_others(const TgWrongAddr *c, const View *v, const char *address,
                                     size_t r) {
  Together t = {.others = v->parties->len - v->count[r]};
  const TgPairNode *node = tg_context_pair_node(c->in.ctx, address);
  if (!node)
    return t;
  if (node->degree <= v->parties->len) {
    for (guint32 e = node->first; e;) {
      const TgPairEdge *edge = tg_context_pair_edge(c->in.ctx, e);
      guint at = GPOINTER_TO_UINT(
          g_hash_table_lookup(v->addresses, tg_context_pair_address(c->in.ctx, edge->partner)));
      if (at && at - 1 != r)
        together_add(&t, edge->count);
      e = edge->next;
    }
  } else {
    for (guint i = 0; i < v->parties->len; i++) {
      if (i >= v->first[r] && i < v->first[r] + v->count[r])
        continue;
      const Party *p = &g_array_index(v->parties, Party, i);
      together_add(&t, tg_context_together(c->in.ctx, address, p->address));
    }
  }
  return t;
}

static bool together_strong(const Together *t) {
  return t->sum >= WRONG_STRONG_MIN && 2 * t->support >= t->others;
}

/* "Smith, John" reads "John Smith" in a sentence. */
static char *natural_name(const char *name) {
  const char *comma = strchr(name, ',');
  if (!comma || strchr(comma + 1, ','))
    return g_strdup(name);
  g_autofree char *last = g_strstrip(g_strndup(name, (gsize)(comma - name)));
  g_autofree char *first = g_strstrip(g_strdup(comma + 1));
  if (!*last || !*first)
    return g_strdup(name);
  return g_strconcat(first, " ", last, NULL);
}

typedef struct {
  guint id;          /* position in the book */
  bool by_name;      /* matched through the display name */
  bool by_local;     /* matched through the local part (john.smith@gmail.com -> john.smith@…) */
  bool org;          /* at the organisation everyone else is at, while the chosen one is not */
  bool home;         /* at the sender's organisation, while the chosen one is not */
  bool elsewhere;    /* at another organisation than the chosen address */
  Together together; /* with the other recipients */
} Namesake;

/* Which namesake the message calls for: the organisation first, then the history, then the one
 * the name and the local part both point at (two John Smiths at army.mil, and the slip was
 * john.smith@gmail.com: the one whose address is john.smith@army.mil). */
static int namesake_cmp(const Namesake *a, const Namesake *b) {
  if (a->org != b->org)
    return a->org ? 1 : -1;
  if (a->home != b->home)
    return a->home ? 1 : -1;
  bool sa_strong = together_strong(&a->together), sb_strong = together_strong(&b->together);
  if (sa_strong != sb_strong)
    return sa_strong ? 1 : -1;
  if (a->together.support != b->together.support)
    return a->together.support > b->together.support ? 1 : -1;
  if (a->together.sum != b->together.sum)
    return a->together.sum > b->together.sum ? 1 : -1;
  int sa = a->by_name + a->by_local, sb = b->by_name + b->by_local;
  return (sa > sb) - (sa < sb);
}

/* The address a known person should have been written to at.
 *
 *   1. the recipient's display name is a known contact's name (people.h normalisations), the
 *      address differs, and the message calls for the contact's: everyone else (sender and other
 *      recipients) is at the contact's organisation and the typed address is not, or the history
 *      has the contact written to with these recipients and the typed address never;
 *   2. the address is at a public mail provider, everyone else is at one organisation, and a
 *      known contact there has the same name or local part (john.smith@gmail.com among army.mil
 *      colleagues, beside a known john.smith@army.mil);
 *   3. the typed address was never used — in no address book, no history — and the name is a
 *      known contact's at another organisation, with or without other recipients (a sender at
 *      university-of-example.edu writing only to Joseph Nguyen <joseph_nguyen@gmx.de>, whom the
 *      book knows only at university-of-example.edu): the known person at an unknown address is
 *      the signal. At a personal provider the local part may name the person instead of a display
 *      name, then only a contact at the sender's organisation. Not for a personal message
 *      (personal_message), nor when the typed address is at the sender's organisation or the
 *      other recipients' (the message is where it was typed), nor for a contact at the typed
 *      address's own organisation (an alias, or a namesake in a large organisation);
 *   4. the typed address is itself known (address book or history) and a namesake fits better:
 *      two people can share a name, so this only informs — unless the history shows the namesake
 *      written to with these recipients strongly (together_strong), or rule 2 holds.
 * A name known only from weak history (a pair or two) also only informs. A name is never matched
 * loosely: sharing a first or a last name makes no namesake.
 * Never when the typed address was sent together with these recipients before (WRONG_HABIT_MIN),
 * when the namesake is already a recipient (both addresses on purpose), or when two namesakes fit
 * equally well (which one was meant is a guess). */
static bool judge(TgWrongAddr *c, const TgWrongAddrMailbox *s, TgWrongAddrVerdict *out) {
  g_return_val_if_fail(c != NULL && s != NULL && s->dom != NULL && out != NULL, false);
  bool personal = is_personal(c, s->dom->ascii);
  TgPersonName name;
  bool named = s->display && tg_person_name_parse(s->display, &name);
  if (!named && !personal)
    return false; /* the common case costs nothing: no book index, no view */
  if (c->in.book->len == 0) {
    if (named)
      tg_person_name_clear(&name);
    return false;
  }
  const View *v = view_of(c);
  const TgPeople *people = people_of(c);
  const char *ctx_org = org_context(v, s->recipient);
  const char *home = home_org(v, ctx_org);

  g_autofree char *local = g_utf8_strdown(s->local, -1);
  g_autofree char *typed = g_strconcat(local, "@", s->dom->ascii, NULL);
  const char *typed_org = org_key(c, s->dom->ascii, NULL);
  bool typed_at_ctx = ctx_org && strcmp(typed_org, ctx_org) == 0;
  bool typed_at_home = home && strcmp(typed_org, home) == 0;
  bool typed_known = g_hash_table_contains(c->in.known, typed) ||
                     g_hash_table_contains(c->in.ctx->history_addresses, typed);
  /* Rule 3's question: a never-used address, in a message from an organisation, elsewhere. */
  bool fresh =
      !typed_known && !personal_message(v, s->recipient) && !typed_at_ctx && !typed_at_home;

  g_autoptr(GArray) by_name = g_array_new(FALSE, FALSE, sizeof(guint));
  g_autoptr(GArray) by_spelled =
      g_array_new(FALSE, FALSE, sizeof(guint)); /* name in the local part */
  g_autoptr(GArray) by_local = g_array_new(FALSE, FALSE, sizeof(guint));
  if (named) {
    tg_people_lookup_name(people, &name, by_name);
    tg_person_name_clear(&name);
  }
  if (personal && (ctx_org || (fresh && home))) {
    TgPersonName spelled;
    if (tg_person_name_from_local(s->local, &spelled)) {
      tg_people_lookup_name(people, &spelled, by_spelled);
      tg_person_name_clear(&spelled);
    }
    g_autofree char *lk = tg_people_local_key(s->local);
    tg_people_lookup_local(people, lk, by_local);
  }
  if (by_name->len == 0 && by_spelled->len == 0 && by_local->len == 0)
    return false;

  if (together_with_others(c, v, typed, s->recipient).max >= WRONG_HABIT_MIN)
    return false;

  /* The candidates, each once (a contact can match by name and by local part). */
  g_autoptr(GArray) found = g_array_new(FALSE, FALSE, sizeof(Namesake));
  /* id -> position in `found` + 1: a name shared by thousands of contacts stays linear. */
  g_autoptr(GHashTable) where = g_hash_table_new(g_direct_hash, g_direct_equal);
  GArray *lists[] = {by_name, by_spelled, by_local};
  for (size_t l = 0; l < G_N_ELEMENTS(lists); l++)
    for (guint k = 0; k < lists[l]->len; k++) {
      guint id = g_array_index(lists[l], guint, k);
      const char *addr = g_ptr_array_index(c->in.book, id);
      if (strcmp(addr, typed) == 0)
        continue;
      if (g_hash_table_contains(v->addresses, addr))
        return false; /* the person's other address is in the message too: both on purpose */
      const char *cand_org = book_org_of(c, id);
      bool at_ctx = ctx_org && strcmp(cand_org, ctx_org) == 0;
      bool at_home = home && strcmp(cand_org, home) == 0;
      if (l > 0 && !at_ctx && !(fresh && at_home))
        continue; /* a local part alone identifies a colleague only at the organisation */
      guint at = GPOINTER_TO_UINT(g_hash_table_lookup(where, GUINT_TO_POINTER(id + 1)));
      Namesake *seen = at ? &g_array_index(found, Namesake, at - 1) : NULL;
      if (seen) {
        seen->by_name |= l < 2;
        seen->by_local |= l == 2;
        continue;
      }
      Namesake n = {.id = id,
                    .by_name = l < 2,
                    .by_local = l == 2,
                    .org = at_ctx && !typed_at_ctx,
                    .home = fresh && at_home,
                    .elsewhere = strcmp(cand_org, typed_org) != 0,
                    .together = together_with_others(c, v, addr, s->recipient)};
      if (n.org || n.together.support > 0 ||
          (fresh && n.elsewhere)) { /* else nothing says this one was meant */
        g_array_append_val(found, n);
        g_hash_table_insert(where, GUINT_TO_POINTER(id + 1), GUINT_TO_POINTER(found->len));
      }
    }
  if (found->len == 0)
    return false;
  Namesake best = g_array_index(found, Namesake, 0);
  bool tie = false;
  for (guint j = 1; j < found->len; j++) {
    const Namesake *n = &g_array_index(found, Namesake, j);
    int cmp = namesake_cmp(n, &best);
    if (cmp > 0)
      best = *n, tie = false;
    else if (cmp == 0)
      tie = true;
  }
  if (tie)
    return false; /* two namesakes fit equally well: which one was meant is a guess */

  TgSeverity sev;
  double conf;
  TgMessageId msg;
  if (personal && best.org) {
    sev = TG_SEVERITY_WARN, conf = best.by_name && best.by_local ? 0.9 : best.by_name ? 0.85 : 0.8;
    msg = TG_MSG_WRONG_ADDRESS;
  } else if (!typed_known && (best.org || together_strong(&best.together))) {
    sev = TG_SEVERITY_WARN, conf = best.org ? 0.8 : 0.7;
    msg = personal ? TG_MSG_WRONG_ADDRESS : TG_MSG_WRONG_ADDRESS_OTHER;
  } else if (together_strong(&best.together)) {
    sev = TG_SEVERITY_WARN, conf = 0.7;
    msg = personal ? TG_MSG_WRONG_ADDRESS : TG_MSG_WRONG_ADDRESS_OTHER;
  } else if (fresh && best.elsewhere) {
    sev = TG_SEVERITY_WARN, conf = best.home ? 0.75 : 0.65;
    msg = personal ? TG_MSG_WRONG_ADDRESS : TG_MSG_WRONG_ADDRESS_OTHER;
  } else {
    sev = TG_SEVERITY_INFO, conf = 0.5, msg = TG_MSG_WRONG_ADDRESS_NAMESAKE;
  }

  const char *meant = g_ptr_array_index(c->in.book, best.id);
  const char *meant_name = g_hash_table_lookup(c->in.known, meant);
  if (!meant_name || !*meant_name)
    meant_name = NULL;
  /* The address as people read it: U-label domain. */
  g_autofree char *shown = NULL;
  if (strstr(meant, "xn--")) {
    TgDomain d;
    const char *at = strrchr(meant, '@');
    if (tg_domain_normalise_memo(c->in.memo, at + 1, &d)) {
      shown = g_strdup_printf("%.*s@%s", (int)(at - meant), meant, d.unicode);
      tg_domain_clear(&d);
    }
  }
  if (!shown)
    shown = g_strdup(meant);
  /* A display name that is an address ("a@b <a@b>", as some clients fill it) names nobody. */
  bool keep_display = s->display && *s->display && !strchr(s->display, '@');
  g_autofree char *meant_local = g_strndup(meant, (gsize)(strrchr(meant, '@') - meant));
  *out = (TgWrongAddrVerdict){
      .severity = sev,
      .confidence = conf,
      .msg = msg,
      .intended = g_steal_pointer(&shown),
      .address = g_strdup(meant),
      .meant_name = g_strdup(meant_name),
      .who = natural_name(keep_display ? s->display
                          : meant_name ? meant_name
                                       : meant_local),
      .keep_display = keep_display,
  };
  return true;
}

/* How many times a correction is followed to the address it would itself be corrected to. */
#define WRONG_MAX_HOPS 3u

/* A correction must hold: checked again in place of the typed address, the suggested one must not
 * be judged a wrong address itself (Pat Lee <pat.e@elmgail.com> among army.mil colleagues: the
 * book's Pat Lee <pat.lee@gmail.com> — whose own check says pat.lee@army.mil). Such a chain is
 * followed to its end and the last address suggested, with the first finding's wording and the
 * higher severity; a chain that comes back to the typed address, or goes on for more than
 * WRONG_MAX_HOPS, suggests nothing (no finding). */
bool tg_wrongaddr_judge(TgWrongAddr *c, const TgWrongAddrMailbox *s, TgWrongAddrVerdict *out) {
  if (!judge(c, s, out))
    return false;
  g_autofree char *typed = g_strconcat(s->local, "@", s->dom->ascii, NULL);
  for (unsigned hop = 0;; hop++) {
    const char *at = strrchr(out->address, '@');
    g_autofree char *local = g_strndup(out->address, (gsize)(at - out->address));
    g_autofree char *domain = g_strdup(at + 1);
    TgDomain d = {.ascii = domain}; /* judge reads only the A-label form */
    bool back = g_ascii_strcasecmp(out->address, typed) == 0;
    TgWrongAddrMailbox next = {.recipient = s->recipient,
                               .local = local,
                               .display = out->keep_display ? s->display : out->meant_name,
                               .dom = &d};
    TgWrongAddrVerdict again = {0};
    bool more = !back && judge(c, &next, &again);
    if (!back && !more)
      return true; /* the correction holds */
    if (back || hop == WRONG_MAX_HOPS) {
      tg_wrongaddr_verdict_clear(&again);
      tg_wrongaddr_verdict_clear(out);
      return false;
    }
    if (again.severity > out->severity)
      out->severity = again.severity, out->confidence = again.confidence;
    g_free(out->intended);
    out->intended = g_steal_pointer(&again.intended);
    g_free(out->address);
    out->address = g_steal_pointer(&again.address);
    g_free(out->meant_name);
    out->meant_name = g_steal_pointer(&again.meant_name);
    tg_wrongaddr_verdict_clear(&again);
  }
}
