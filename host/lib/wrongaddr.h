/* wrongaddr.h — wrong_address, the autocomplete slip: which known person's other address the
 * message calls for (internal to libtypoguard; detect.c asks, and turns the answer into a
 * finding).
 *
 * The judge holds what it derives from one request, each part built on its first use and then
 * shared by every recipient: the index of the address book's people (people.h) and a view of the
 * message as a whole (who else is written to, at which organisation). A request whose recipients
 * carry no person's name and no personal-provider address builds neither.
 *
 * Guarantees: pure and deterministic (everything comes from the context and the request); the
 * index costs O(book) once per request unless the book was digested already (book.h), each
 * recipient's question expected O(recipients + matches). */
#ifndef TG_WRONGADDR_H
#define TG_WRONGADDR_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>

#include "context.h"
#include "domain.h"
#include "finding.h"
#include "people.h"
#include "typoguard.h"

/* What the judge borrows from detect.c's per-request state; all of it must outlive the judge. */
typedef struct {
  const TgContext *ctx;
  const TgRequest *req;
  GHashTable *known;         /* lower-case address -> display name ("" when none) */
  const GPtrArray *book;     /* the keys of `known` in request order (borrowed strings) */
  const TgPeople *people;    /* the index of `book`'s people when built already, or NULL */
  const char *sender_domain; /* A-label, or NULL */
  /* TgSource bits of a domain and all its parents, from the context and the request. */
  guint (*sources)(const void *check, const char *ascii);
  const void *check;  /* passed to `sources` */
  TgDomainMemo *memo; /* the request's normalised domains (shared with the check), or NULL */
} TgWrongAddrInput;

typedef struct TgWrongAddr TgWrongAddr;

TgWrongAddr *tg_wrongaddr_new(const TgWrongAddrInput *in);
void tg_wrongaddr_free(TgWrongAddr *w);

/* The answer for one mailbox: a finding to raise. */
typedef struct {
  TgSeverity severity;
  double confidence;
  TgMessageId msg;
  char *intended;    /* the meant address as people read it (U-label domain) */
  char *address;     /* the same as the book holds it (A-label domain) */
  char *meant_name;  /* the book's display name for it, or NULL */
  char *who;         /* the person's name for the sentence ("John Smith") */
  bool keep_display; /* the typed display name names the person: keep it in the fix */
} TgWrongAddrVerdict;

void tg_wrongaddr_verdict_clear(TgWrongAddrVerdict *v);

/* The mailbox being judged: recipient `recipient` of the request, its parsed local part and
 * display name (or NULL), and its normalised domain. */
typedef struct {
  size_t recipient;
  const char *local;
  const char *display;
  const TgDomain *dom;
} TgWrongAddrMailbox;

/* True with `out` filled when a known person's other address was meant (see wrongaddr.c for the
 * rule); false, `out` untouched, otherwise. */
bool tg_wrongaddr_judge(TgWrongAddr *w, const TgWrongAddrMailbox *mb, TgWrongAddrVerdict *out);

#endif
