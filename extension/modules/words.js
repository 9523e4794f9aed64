// words.js — the plain sentence the dialog shows for a finding, in the user's language
// (notes/dialog.md "Words"), built from the finding's code and fields through _locales rather
// than from the host's English `message`. Where the host names the sentence (`message_id`) and its
// values (`args`), as it does for lookalikes ("the а here is a Cyrillic letter"), those are used.
//
// Guarantees: always returns a non-empty sentence; no jargon (no "TLD", "punycode"); unknown
// codes fall back to the host's message, then to a generic sentence; country and script names
// come from Intl (CLDR) in the UI language, so no hand-kept country table can go stale.

import { bareAddress, displayName, domainOf, tldOf } from "./mailbox.js";

const SCRIPT_KEYS = [
  [/\p{Script=Cyrillic}/u, "scriptCyrillic"],
  [/\p{Script=Greek}/u, "scriptGreek"],
  [/\p{Script=Armenian}/u, "scriptArmenian"],
];

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

// The homoglyph sentences that say which glyph is foreign, keyed by the host's message_id
// (host/lib/finding.h); their values come from the finding's `args`.
function homoglyphSentence(finding, say, locale, domain, counterpart) {
  const a = finding.args && typeof finding.args === "object" ? finding.args : {};
  const meant = a.intended || counterpart;
  const glyph = typeof a.char === "string" ? a.char : "";
  const like = typeof a.looks_like === "string" ? a.looks_like : "";
  const shown = a.domain || domain;
  if (!meant || !glyph || !like) return "";
  switch (finding.message_id) {
    case "homoglyph.script": {
      const script = scriptName(a.script_code, locale) || a.script;
      return script ? say("findingHomoglyphScript", [shown, meant, glyph, script, like]) : "";
    }
    case "homoglyph.mark":
      return say("findingHomoglyphMark", [shown, meant, glyph, like]);
    case "homoglyph.letter":
      return say("findingHomoglyphLetter", [shown, meant, glyph, like, a.description || a.char_name || glyph]);
    case "homoglyph.ascii":
      return say("findingHomoglyphAscii", [shown, meant, glyph, like]);
    default:
      return "";
  }
}

/**
 * @param finding  one host finding
 * @param typed    the recipient's mailbox string as typed (for the display name)
 * @param t        (key, substitutions[]) => string — messenger.i18n.getMessage
 * @param locale   the UI language (messenger.i18n.getUILanguage())
 * @param blockedTlds the effective blocked_tlds, to tell a blocked ending from a blocked domain
 */
export function findingSentence(finding, typed, t, locale, { blockedTlds = [] } = {}) {
  const domain = finding.domain || domainOf(finding.address || typed);
  const counterpart = finding.suggestion ? domainOf(finding.suggestion) : "";
  const say = (key, subs = []) => t(key, subs.map(String)) || "";
  let text = "";
  switch (finding.code) {
    case "tld_confusion": {
      const tld = tldOf(domain);
      const country = countryName(tld, locale);
      if (country && counterpart) text = say("findingTldConfusionCountry", [domain, country, tld, counterpart]);
      else if (counterpart) text = say("findingTldConfusion", [domain, counterpart]);
      else text = say("findingTldConfusionNoSuggestion", [domain]);
      break;
    }
    case "near_miss":
      if (counterpart && counterpart.replace(/\./g, "") === domain.replace(/\./g, "") && counterpart !== domain) {
        text = say("findingNearMissDot", [domain, counterpart]);
      } else if (counterpart) {
        text = say("findingNearMiss", [domain, counterpart]);
      } else {
        text = say("findingNearMissNoSuggestion", [domain]);
      }
      break;
    case "invalid_tld":
      text = say("findingInvalidTld", [domain, tldOf(domain)]);
      if (counterpart) text += " " + say("findingDidYouMean", [counterpart]);
      break;
    case "homoglyph": {
      text = homoglyphSentence(finding, say, locale, domain, counterpart);
      if (text) break;
      const addr = finding.address || bareAddress(typed);
      const scriptKey = SCRIPT_KEYS.find(([re]) => re.test(addr))?.[1];
      const letter = scriptKey ? say(scriptKey) : say("scriptOther");
      text = counterpart ? say("findingHomoglyph", [letter, counterpart]) : say("findingHomoglyphNoSuggestion", [letter]);
      break;
    }
    case "blocked": {
      const tld = tldOf(domain);
      const message = String(finding.message ?? "").split(domain).join("");
      // Whether a domain or a whole ending is blocked: the settings we sent say, else the
      // host's message mentions ".ml" on its own.
      const esc = tld.replace(/[^a-z0-9-]/gi, "");
      const isTld = blockedTlds.map((x) => String(x).replace(/^\./, "")).includes(tld)
                    || new RegExp(`(^|[^\\w.-])\\.${esc}\\b`, "i").test(message);
      text = isTld ? say("findingBlockedTld", [tld]) : say("findingBlockedDomain", [domain]);
      break;
    }
    case "syntax":
      text = say("findingSyntax");
      break;
    case "contact_near_miss":
      text = finding.suggestion
        ? say("findingContactNearMiss", [finding.suggestion, finding.address || bareAddress(typed)])
        : say("findingContactNearMissNoSuggestion");
      break;
    case "wrong_address": {
      const name = displayName(finding.replacement || "") || displayName(typed);
      if (name && finding.suggestion) text = say("findingWrongAddress", [name, finding.suggestion]);
      else if (finding.suggestion) text = say("findingWrongAddressNoName", [finding.suggestion]);
      else text = say("findingWrongAddressNoSuggestion");
      break;
    }
    case "external":
      text = say("findingExternal");
      break;
    case "first_contact":
      text = say("findingFirstContact");
      break;
    default:
      text = typeof finding.message === "string" ? finding.message : "";
  }
  return text || (typeof finding.message === "string" && finding.message) || say("findingUnknown") || "This address may be wrong.";
}
