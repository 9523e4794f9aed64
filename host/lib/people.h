/* people.h — who a mailbox belongs to: person names normalised for exact matching, and the
 * per-request index of the address book's people (internal to libtypoguard).
 *
 * A name is compared only after these normalisations, never fuzzily (a loose resemblance is not
 * the same person): case folding; accents folded away (NFKD, combining marks removed, a few
 * letters without a decomposition mapped: ø→o, ł→l, æ→ae, ß→ss …); "Last, First" read as "First
 * Last"; punctuation and hyphens as word breaks, apostrophes dropped (O'Brien = OBrien); middle
 * initials ignored (John Q. Smith = John Smith); and given names written as initials matching
 * the full given name's first letter (J. Smith = John Smith). A name needs at least two words
 * to identify a person: "Support" or "Mom" identify nobody across organisations.
 *
 * Names longer than 256 bytes or of more than 16 words are not matched.
 *
 * Guarantees: pure and deterministic; the index is built once per request (tg_people_add for
 * each contact, then lookups), costs O(n log n) and no allocation per contact, and answers a
 * lookup in expected constant time plus the contacts it returns, even when the whole book shares
 * one name. */
#ifndef TG_PEOPLE_H
#define TG_PEOPLE_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>

/* At most this many spellings of one name are compared: every combination of its words'
 * spellings when there are no more, else one per transliteration system. */
#define TG_PERSON_MAX_FORMS 16u

/* A person's name in the forms it is compared in, one per spelling. */
typedef struct {
  guint n;                            /* spellings, 1 ≤ n ≤ TG_PERSON_MAX_FORMS */
  char *full[TG_PERSON_MAX_FORMS];    /* folded words in "first … last" order, middle initials
                                           dropped (a CJK name: its characters run together) */
  char *initial[TG_PERSON_MAX_FORMS]; /* first given name's first letter and the last word:
                                           "j smith"; "" for a CJK name */
  bool abbreviated;                   /* every given name is an initial ("J. R. Smith") */
} TgPersonName;

/* Parses a display name; false (and *out cleared) when it does not name a person: empty,
 * holding an @, fewer than two words (unless a CJK name), or a surname of one letter. */
bool tg_person_name_parse(const char *display, TgPersonName *out);
/* The name a local part spells when it is one (john.smith, john_smith, john-smith, j.smith):
 * at least two words of letters separated by . _ or -. The text may be a whole address: it is
 * read up to the first + or @. */
bool tg_person_name_from_local(const char *local, TgPersonName *out);
void tg_person_name_clear(TgPersonName *n);

/* A local part as the same mailbox owner writes it anywhere: lower case, "+tag" dropped, dots,
 * underscores and hyphens removed (John.Smith+work = johnsmith); read up to the first + or @, so
 * a whole address may be given. NULL when fewer than
 * TG_PEOPLE_MIN_LOCAL characters remain: short locals (js, ops) say nothing about a person. */
#define TG_PEOPLE_MIN_LOCAL 5u
char *tg_people_local_key(const char *local);

/* ---- the index of the address book's people ---------------------------------------------- */

typedef struct TgPeople TgPeople;

/* `expected`: how many contacts will be added (a hint that saves re-allocations). */
TgPeople *tg_people_new(guint expected);
void tg_people_free(TgPeople *p);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(TgPeople, tg_people_free)

/* Adds contact `id` (the caller's number for it, e.g. its position in the address book) with its
 * display name (may be NULL) and its bare address (for the local part). Both strings are
 * borrowed: they must outlive the index. */
void tg_people_add(TgPeople *p, guint id, const char *display, const char *address);
/* Builds the lookup tables; call once after the last add and before any lookup. */
void tg_people_freeze(TgPeople *p);

/* More contacts than this sharing one name (or one local key) identify nobody: which of them
 * was meant is a guess, and comparing a recipient with each of them would make a request cost
 * recipients x contacts. A lookup then answers false and appends nothing. */
#define TG_PEOPLE_MAX_NAMESAKES 32u

/* Appends to `ids` (a GArray of guint) the contacts whose name is the same person's name as
 * `name`, in ascending id order, without duplicates; false (nothing appended) when more than
 * TG_PEOPLE_MAX_NAMESAKES contacts carry it. Costs the contacts found, at most
 * TG_PEOPLE_MAX_NAMESAKES per spelling, however many share the name. */
bool tg_people_lookup_name(const TgPeople *p, const TgPersonName *name, GArray *ids);
/* Appends the contacts whose tg_people_local_key equals `local_key`; only contacts that are
 * people (a display name that is a person's, or a local part that spells one) are indexed.
 * False (nothing appended) when more than TG_PEOPLE_MAX_NAMESAKES share it. */
bool tg_people_lookup_local(const TgPeople *p, const char *local_key, GArray *ids);

#endif
