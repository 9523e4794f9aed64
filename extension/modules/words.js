// words.js — the plain sentence the dialog shows for a finding, in the user's language
// (extension/DIALOG.md "Words"). The host names each sentence (`message_id`, host/lib/finding.h)
// and gives its values (`args`); this module says the same through _locales, one key per
// message_id, and never reads the host's English `message` (DESIGN.md).
//
// Guarantees: always returns a non-empty sentence that says what is wrong and, when the host has
// a suggestion, what was probably meant ("army.ml is in Mali (.ml). Did you mean army.mil?");
// no jargon (no "TLD", "punycode"); a finding without a message_id (an older host) is worded
// from its code, and an unknown one gets a generic sentence; country and script names come from
// Intl (CLDR) in the UI language, so no hand-kept country table can go stale.

import { bareAddress, displayName, domainOf, tldOf } from "./mailbox.js";

/** The country a two-letter domain ending belongs to, in `locale`, or null. */
export function countryName(tld, locale) {
  if (!/^[a-z]{2}$/i.test(tld)) return null;
  const region = tld.toUpperCase() === "UK" ? "GB" : tld.toUpperCase();
  // ISO 3166 user-assigned codes (AA, QM–QZ, XA–XZ, ZZ) are no country: CLDR calls ZZ
  // "Unknown Region".
  if (/^(AA|Q[M-Z]|X[A-Z]|ZZ)$/.test(region)) return null;
  try {
    const name = new Intl.DisplayNames([locale || "en"], { type: "region", fallback: "none" }).of(region);
    return name && name !== region ? name : null;
  } catch (e) {
    return null;
  }
}

/** A writing system's name ("Cyrillic", "Kyrillisch") from its ISO 15924 code, in `locale`. */
export function scriptName(code, locale) {
  if (!/^[A-Z][a-z]{3}$/.test(code || "")) return null;
  try {
    const name = new Intl.DisplayNames([locale || "en"], { type: "script", fallback: "none" }).of(code);
    return name && name !== code ? name : null;
  } catch (e) {
    return null;
  }
}

/** The values a sentence may need: the host's `args`, else the finding's own fields. */
function values(finding, typed) {
  const a = finding.args && typeof finding.args === "object" ? finding.args : {};
  const str = (v) => (typeof v === "string" && v ? v : "");
  const domain = str(a.domain) || str(finding.domain) || domainOf(finding.address || typed);
  const address = str(a.address) || str(finding.address) || bareAddress(typed);
  const suggestion = str(finding.suggestion);
  return {
    a,
    str,
    domain,
    address,
    tld: str(a.tld) || tldOf(domain),
    // the domain meant (domain-level findings) and the address meant (contact-level ones)
    meantDomain: str(a.intended) || (suggestion ? domainOf(suggestion) : ""),
    meantAddress: str(a.intended) || suggestion,
    name: str(a.name) || displayName(finding.replacement || "") || displayName(typed),
  };
}

// message_id -> (values, say, locale, options) => sentence ("" when a value is missing, so the
// caller falls back to the code's general sentence).
const SENTENCES = {
  "syntax": (v, say) => say("findingSyntax"),
  "syntax.incomplete": (v, say) => say("findingSyntax"),
  "syntax.reason": (v, say) => say("findingSyntaxInvalid"),
  "syntax.domain": (v, say) =>
    (v.domain ? say("findingSyntaxDomain", [v.domain]) : say("findingSyntax")),
  "invalid_tld": (v, say) =>
    say("findingInvalidTld", [v.domain, v.tld])
    + (v.meantDomain ? " " + say("findingDidYouMean", [v.meantDomain]) : ""),
  "invalid_tld.plain": (v, say) => say("findingInvalidTld", [v.domain, v.tld]),
  "invalid_tld.dotless": (v, say) =>
    v.meantDomain
      ? say("findingInvalidTldDotless", [v.domain]) + " "
        + say("findingDidYouMean", [v.meantDomain])
      : say("findingInvalidTldDotlessPlain", [v.domain]),
  "invalid_tld.dotless_plain": (v, say) => say("findingInvalidTldDotlessPlain", [v.domain]),
  "tld_confusion": (v, say, locale) => tldConfusion(v, say, locale),
  "tld_confusion.own": (v, say, locale) => tldConfusion(v, say, locale),
  "tld_confusion.wellknown": (v, say, locale) => tldConfusion(v, say, locale),
  "tld_confusion.plain": (v, say) =>
    (v.meantDomain ? say("findingTldConfusion", [v.domain, v.meantDomain]) : ""),
  "tld_confusion.nofix": (v, say, locale) => {
    const country = owner(v, locale);
    const other = v.str(v.a.intended);
    if (!country || !other) return say("findingTldConfusionNoSuggestion", [v.domain]);
    return say("findingTldConfusionNoFix", [v.domain, country, v.tld, other]);
  },
  "near_miss": (v, say) =>
    v.meantDomain
      ? say("findingNearMiss", [v.domain, v.meantDomain])
      : say("findingNearMissNoSuggestion", [v.domain]),
  "near_miss.unsure": (v, say) => say("findingNearMissUnsure", [v.domain]),
  "near_miss.dot": (v, say) =>
    (v.meantDomain ? say("findingNearMissDot", [v.domain, v.meantDomain]) : ""),
  "near_miss.hyphen": (v, say) =>
    (v.meantDomain ? say("findingNearMissHyphen", [v.domain, v.meantDomain]) : ""),
  "homoglyph": (v, say) =>
    v.meantDomain
      ? say("findingHomoglyph", [v.domain, v.meantDomain])
      : say("findingHomoglyphNoSuggestion", [v.domain]),
  "homoglyph.script": (v, say, locale) => {
    const script = scriptName(v.a.script_code, locale) || v.str(v.a.script);
    if (!glyph(v) || !script) return "";
    return say("findingHomoglyphScript",
               [v.domain, v.meantDomain, v.a.char, script, v.a.looks_like]);
  },
  "homoglyph.mark": (v, say) =>
    (glyph(v) ? say("findingHomoglyphMark", [v.domain, v.meantDomain, v.a.char, v.a.looks_like])
              : ""),
  "homoglyph.letter": (v, say) => {
    const name = v.str(v.a.description) || v.str(v.a.char_name);
    if (!glyph(v) || !name) return "";
    return say("findingHomoglyphLetter", [v.domain, v.meantDomain, v.a.char, v.a.looks_like, name]);
  },
  "homoglyph.ascii": (v, say) =>
    (glyph(v) ? say("findingHomoglyphAscii", [v.domain, v.meantDomain, v.a.char, v.a.looks_like])
              : ""),
  "homoglyph.mixed": (v, say, locale) => {
    const script = scriptName(v.a.script_code, locale) || v.str(v.a.script);
    return script
      ? say("findingHomoglyphMixed", [v.domain, script])
      : say("findingHomoglyphNoSuggestion", [v.domain]);
  },
  "blocked": (v, say, locale, { blockedTlds }) =>
    blockedTlds.map((x) => String(x).replace(/^\./, "").toLowerCase()).includes(v.tld.toLowerCase())
      ? say("findingBlockedTld", [v.tld])
      : say("findingBlockedDomain", [v.domain]),
  "blocked.tld": (v, say) => say("findingBlockedTld", [v.tld]),
  "blocked.domain": (v, say) => say("findingBlockedDomain", [v.domain]),
  "contact_near_miss": (v, say) =>
    v.meantAddress
      ? say("findingContactNearMiss", [v.meantAddress, v.address])
      : say("findingContactNearMissNoSuggestion"),
  "wrong_address": (v, say) =>
    wrongAddress(v, say, "findingWrongAddress", [v.name, v.meantAddress]),
  "wrong_address.other": (v, say) =>
    wrongAddress(v, say, "findingWrongAddressOther", [v.address, v.name, v.meantAddress]),
  "wrong_address.namesake": (v, say) =>
    wrongAddress(v, say, "findingWrongAddressNamesake", [v.name, v.meantAddress]),
  "external": (v, say) => say("findingExternal"),
  "first_contact": (v, say) => say("findingFirstContact"),
};

function glyph(v) {
  return v.meantDomain && v.str(v.a.char) && v.str(v.a.looks_like);
}

/** Who a confusable ending belongs to, in the UI language: CLDR's country name, or the host's
 * (English) owner when the UI is English ("a commercial registry" for .cam). */
function owner(v, locale) {
  return countryName(v.tld, locale) || (/^en\b/i.test(locale || "en") ? v.str(v.a.owner) : "");
}

function tldConfusion(v, say, locale) {
  if (!v.meantDomain) return say("findingTldConfusionNoSuggestion", [v.domain]);
  const country = owner(v, locale);
  return country
    ? say("findingTldConfusionCountry", [v.domain, country, v.tld, v.meantDomain])
    : say("findingTldConfusion", [v.domain, v.meantDomain]);
}

function wrongAddress(v, say, key, subs) {
  if (!v.meantAddress) return say("findingWrongAddressNoSuggestion");
  if (!v.name) return say("findingWrongAddressNoName", [v.meantAddress]);
  return say(key, subs);
}

/**
 * @param finding  one host finding
 * @param typed    the recipient's mailbox string as typed (for the display name)
 * @param t        (key, substitutions[]) => string — messenger.i18n.getMessage
 * @param locale   the UI language (messenger.i18n.getUILanguage())
 * @param blockedTlds the effective blocked_tlds, to tell a blocked ending from a blocked domain
 *                 when an older host sends no message_id
 */
export function findingSentence(finding, typed, t, locale, { blockedTlds = [] } = {}) {
  const say = (key, subs = []) => t(key, subs.map(String)) || "";
  const v = values(finding, typed);
  const id = typeof finding.message_id === "string" ? finding.message_id : "";
  const code = typeof finding.code === "string" ? finding.code : "";
  const opts = { blockedTlds };
  // The host's own sentence name first; a name this version does not know yet (or one whose
  // values are missing) falls back to its code's general sentence.
  let text = SENTENCES[id] ? SENTENCES[id](v, say, locale, opts) : "";
  if (!text && SENTENCES[code]) text = SENTENCES[code](v, say, locale, opts);
  return text || say("findingUnknown") || "This address may be wrong.";
}
