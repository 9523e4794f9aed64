// mailbox.js — small, forgiving helpers for the mailbox strings Thunderbird hands us
// ("John Doe <john@x>", "\"Doe, John\" <john@x>", "john@x", "List <List>").
//
// Guarantees: never throws on any string; the real RFC 5322 parsing is the host's job, so these
// helpers only pull out what the extension needs to display, compare and rebuild recipients.

/** The part between the last "<" and the following ">", else the whole string, trimmed. */
export function bareAddress(mailbox) {
  const s = String(mailbox ?? "").trim();
  const open = s.lastIndexOf("<");
  if (open >= 0) {
    const close = s.indexOf(">", open);
    if (close > open) return s.slice(open + 1, close).trim();
  }
  return s;
}

/** The display name of a mailbox string, unquoted, or "" when there is none. */
export function displayName(mailbox) {
  const s = String(mailbox ?? "").trim();
  const open = s.lastIndexOf("<");
  if (open <= 0) return "";
  let name = s.slice(0, open).trim();
  if (name.length >= 2 && name.startsWith('"') && name.endsWith('"')) {
    name = name.slice(1, -1).replace(/\\(.)/g, "$1");
  }
  return name;
}

/** The domain of an address or mailbox (after the last "@"), lower-cased; "" when none. */
export function domainOf(mailboxOrAddress) {
  const addr = bareAddress(mailboxOrAddress);
  const at = addr.lastIndexOf("@");
  return at >= 0 ? addr.slice(at + 1).toLowerCase() : "";
}

/** The last label of a domain ("ml" for "army.ml"). */
export function tldOf(domain) {
  const d = String(domain ?? "").replace(/\.$/, "");
  const dot = d.lastIndexOf(".");
  return dot >= 0 ? d.slice(dot + 1) : d;
}

// RFC 5322 "specials" that force a display name into quotes.
const NEEDS_QUOTES = /[()<>\[\]:;@\\,."]/;

/** Builds "Name <addr>" (quoting the name when needed) or the bare address when no name. */
export function formatMailbox(name, address) {
  const n = String(name ?? "").trim();
  if (!n) return address;
  const shown = NEEDS_QUOTES.test(n) ? `"${n.replace(/(["\\])/g, "\\$1")}"` : n;
  return `${shown} <${address}>`;
}

/**
 * Thunderbird writes an unexpanded mailing list as "Name <Name>": the angle part has no "@".
 * Such an entry must be expanded before it can be checked.
 */
export function looksLikeList(mailbox) {
  const s = String(mailbox ?? "").trim();
  return s.includes("<") && !bareAddress(s).includes("@") && bareAddress(s).length > 0;
}
