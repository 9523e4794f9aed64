/* finding.h — the one table of finding codes: JSON names, default severities, and the plain
 * sentences users read (notes/dialog.md). Code, tests and docs all take them from here.
 *
 * Confidence scale (TgFinding.confidence). For the classes that say "this address is probably
 * wrong" (syntax … contact_near_miss) it estimates how likely the address as typed is NOT what
 * the writer meant:
 *   1.00        a fact: the address cannot be delivered as written (syntax, invalid_tld) or
 *               policy forbids it (blocked)
 *   0.90–0.99   near certain: a confusable TLD whose counterpart is an organisation or trusted
 *               domain, a lookalike of a trusted domain, a one-key slip of a trusted domain
 *   0.70–0.89   likely: a slip of a well-known domain, a counterpart that is only well known or
 *               only shares the sender's TLD
 *   0.50–0.69   possible: weaker slips (two edits, rare TLDs), mixed scripts without a known
 *               counterpart
 * external and first_contact are facts about the recipient, not guesses: confidence 1.0. */
#ifndef TG_FINDING_H
#define TG_FINDING_H

#include "typoguard.h"

/* The codes themselves: TG_FINDING_TABLE in typoguard.h. */

/* The sentences. X(id, code, template). A template names its blanks in braces; tg_message_format
 * fills them from a TgMessageArgs. Each says what is wrong and what was probably meant ("army.ml is
 * in Mali (.ml). Did you mean army.mil?"), never what the user does or usually does; no jargon (no
 * "TLD", "punycode"): they are what a hurried person reads in the warning dialog. The extension's
 * _locales say the same, keyed by message_id (extension/modules/words.js). */
#define TG_MESSAGE_TABLE(X)                                                                       \
  X(TG_MSG_SYNTAX_INCOMPLETE, TG_CODE_SYNTAX, "This is not a complete email address.")            \
  X(TG_MSG_SYNTAX_REASON, TG_CODE_SYNTAX, "This is not a valid email address: {reason}.")         \
  X(TG_MSG_SYNTAX_DOMAIN, TG_CODE_SYNTAX, "{domain} is not a valid domain name.")                 \
  X(TG_MSG_INVALID_TLD, TG_CODE_INVALID_TLD,                                                      \
    "{domain} does not exist: .{tld} is not a domain ending. Did you mean {intended}?")           \
  X(TG_MSG_INVALID_TLD_PLAIN, TG_CODE_INVALID_TLD,                                                \
    "{domain} does not exist: .{tld} is not a domain ending.")                                    \
  X(TG_MSG_INVALID_TLD_DOTLESS, TG_CODE_INVALID_TLD,                                              \
    "{domain} is not a complete domain name. Did you mean {intended}?")                           \
  X(TG_MSG_INVALID_TLD_DOTLESS_PLAIN, TG_CODE_INVALID_TLD,                                        \
    "{domain} is not a complete domain name: it needs an ending such as .com.")                   \
  X(TG_MSG_TLD_CONFUSION_OWN, TG_CODE_TLD_CONFUSION,                                              \
    "{domain} is in {owner} (.{tld}). Did you mean {intended}?")                                  \
  X(TG_MSG_TLD_CONFUSION_WELLKNOWN, TG_CODE_TLD_CONFUSION,                                        \
    "{domain} is in {owner} (.{tld}). Did you mean {intended}?")                                  \
  X(TG_MSG_TLD_CONFUSION_PLAIN, TG_CODE_TLD_CONFUSION,                                            \
    "{domain} has another ending than {intended}. Did you mean {intended}?")                      \
  X(TG_MSG_TLD_CONFUSION_NOFIX, TG_CODE_TLD_CONFUSION,                                            \
    "{domain} is in {owner} (.{tld}), not in .{intended}: check the address.")                    \
  X(TG_MSG_NEAR_MISS, TG_CODE_NEAR_MISS, "{domain} looks like a typo. Did you mean {intended}?")  \
  X(TG_MSG_NEAR_MISS_UNSURE, TG_CODE_NEAR_MISS,                                                   \
    "{domain} looks like a typo of one of several domains: check the address.")                   \
  X(TG_MSG_NEAR_MISS_DOT, TG_CODE_NEAR_MISS,                                                      \
    "{domain} is missing a dot. Did you mean {intended}?")                                        \
  X(TG_MSG_NEAR_MISS_HYPHEN, TG_CODE_NEAR_MISS,                                                   \
    "{domain} is missing a hyphen. Did you mean {intended}?")                                     \
  X(TG_MSG_HOMOGLYPH, TG_CODE_HOMOGLYPH,                                                          \
    "{domain} is not {intended}: one of its letters only looks the same.")                        \
  X(TG_MSG_HOMOGLYPH_SCRIPT, TG_CODE_HOMOGLYPH,                                                   \
    "{domain} is not {intended}: the \u201c{char}\u201d here is a {script} letter, not a Latin "  \
    "\u201c{looks_like}\u201d.")                                                                  \
  X(TG_MSG_HOMOGLYPH_MARK, TG_CODE_HOMOGLYPH,                                                     \
    "{domain} is not {intended}: the \u201c{char}\u201d here is \u201c{looks_like}\u201d with "   \
    "a mark added.")                                                                              \
  X(TG_MSG_HOMOGLYPH_LETTER, TG_CODE_HOMOGLYPH,                                                   \
    "{domain} is not {intended}: the \u201c{char}\u201d here is another letter "                  \
    "({description}), not \u201c{looks_like}\u201d.")                                             \
  X(TG_MSG_HOMOGLYPH_ASCII, TG_CODE_HOMOGLYPH,                                                    \
    "{domain} is not {intended}: it has \u201c{char}\u201d where {intended} has "                 \
    "\u201c{looks_like}\u201d.")                                                                  \
  X(TG_MSG_HOMOGLYPH_MIXED, TG_CODE_HOMOGLYPH,                                                    \
    "{domain} mixes {script} and Latin letters that look alike: check the address.")              \
  X(TG_MSG_BLOCKED_TLD, TG_CODE_BLOCKED,                                                          \
    "Your organisation does not allow mail to .{tld} addresses.")                                 \
  X(TG_MSG_BLOCKED_DOMAIN, TG_CODE_BLOCKED, "Your organisation does not allow mail to {domain}.") \
  X(TG_MSG_CONTACT_NEAR_MISS, TG_CODE_CONTACT_NEAR_MISS,                                          \
    "{address} differs slightly from the known address {intended}. Did you mean {intended}?")     \
  X(TG_MSG_WRONG_ADDRESS, TG_CODE_WRONG_ADDRESS,                                                  \
    "This is a personal address of {name}. Did you mean {intended}?")                             \
  X(TG_MSG_WRONG_ADDRESS_OTHER, TG_CODE_WRONG_ADDRESS,                                            \
    "{address} is not the known address of {name}. Did you mean {intended}?")                     \
  X(TG_MSG_WRONG_ADDRESS_NAMESAKE, TG_CODE_WRONG_ADDRESS,                                         \
    "Two contacts are named {name}. With these recipients, did you mean {intended}?")             \
  X(TG_MSG_EXTERNAL, TG_CODE_EXTERNAL, "Outside your organisation.")                              \
  X(TG_MSG_FIRST_CONTACT, TG_CODE_FIRST_CONTACT, "First message to this domain.")

#define TG_MSG_ENUM_(id, code, text) id,
typedef enum { TG_MESSAGE_TABLE(TG_MSG_ENUM_) TG_MSG_COUNT } TgMessageId;
#undef TG_MSG_ENUM_

/* The values a template may name; NULL blanks render as an empty string. Every non-NULL value is
 * also an entry of the finding's `args` (the blank's name is the key), so a client can word the
 * finding itself. */
typedef struct {
  const char *domain;   /* {domain}: the domain as the user reads it */
  const char *tld;      /* {tld}: its ending, without the dot */
  const char *intended; /* {intended}: the domain or address meant */
  const char *owner;    /* {owner}: who a confusable ending belongs to ("Mali") */
  const char *script;   /* {script}: a writing system ("Cyrillic") */
  const char *address;  /* {address}: the address as typed */
  const char *name;     /* {name}: a contact's display name */
  const char *reason;   /* {reason}: the parser's explanation, lower case, no final period */
  /* homoglyph: the glyph that makes the difference */
  const char *glyph;       /* {char}: as typed ("а", "rn") */
  const char *looks_like;  /* {looks_like}: what it is read as ("a", "m") */
  const char *glyph_name;  /* {char_name}: its Unicode name, lower case */
  const char *description; /* {description}: another letter in words ("dotless i") */
  const char *script_code; /* {script_code}: ISO 15924 code of {script} ("Cyrl") */
  const char *kind;        /* {kind}: "script", "mark", "letter" or "ascii" */
} TgMessageArgs;

TgSeverity tg_code_default_severity(TgCode c);
bool tg_code_from_name(const char *name, TgCode *out);
TgCode tg_message_code(TgMessageId id);
const char *tg_message_template(TgMessageId id);
/* The stable name of a sentence, for clients (DESIGN.md `message_id`): the enum's name in lower
 * case, its code separated by a dot: TG_MSG_TLD_CONFUSION_OWN -> "tld_confusion.own",
 * TG_MSG_NEAR_MISS -> "near_miss". */
const char *tg_message_name(TgMessageId id);
/* Fills a template; the result is newly allocated. */
char *tg_message_format(TgMessageId id, const TgMessageArgs *args);

/* Allocates a finding with the code's default severity; strings are copied (NULL stays NULL). */
TgFinding *tg_finding_new(size_t recipient, TgField field, TgCode code, double confidence,
                          const char *address, const char *domain);
/* Sets the finding's sentence, message_id and args from one message and its values. */
void tg_finding_set_message(TgFinding *f, TgMessageId id, const TgMessageArgs *args);
void tg_finding_free(TgFinding *f);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(TgFinding, tg_finding_free)

#endif
