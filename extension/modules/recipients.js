// recipients.js — turns a compose window's details into the flat recipient list the host checks,
// remembering where each recipient came from so that a correction can be written back.
//
// Guarantees: every non-empty entry of to/cc/bcc/replyTo/followupTo yields at least one
// recipient (a mailing list that cannot be expanded is sent as typed, so the host still sees it);
// order is field order then position; nothing here throws on odd input.

import { bareAddress, formatMailbox, looksLikeList } from "./mailbox.js";

export const FIELDS = ["to", "cc", "bcc", "replyTo", "followupTo"];

/** compose details may hold a string or, when set by an add-on, a ComposeRecipient object. */
function entryToString(entry) {
  if (typeof entry === "string") return entry;
  if (entry && typeof entry === "object") {
    // {id, type} nodes are resolved by the caller's expandEntry; keep something readable.
    if (typeof entry.email === "string") return formatMailbox(entry.name, entry.email);
  }
  return "";
}

function fieldEntries(details, field) {
  const v = details?.[field];
  if (v == null) return [];
  return Array.isArray(v) ? v : [v];
}

/**
 * Collects the recipients of `details`.
 * @param details   compose details (onBeforeSend or getComposeDetails)
 * @param expandEntry async (entry) => array of mailbox strings, or null when the entry is not a
 *                  mailing list / contact node (see thunderbirdExpander)
 * @returns [{field, address, position, list}] where `position` indexes details[field] and `list`
 *          is the list entry the address was expanded from (or null).
 */
export async function collectRecipients(details, expandEntry) {
  const out = [];
  for (const field of FIELDS) {
    const entries = fieldEntries(details, field);
    for (let position = 0; position < entries.length; position++) {
      const entry = entries[position];
      const asString = entryToString(entry);
      const needsExpansion = typeof entry !== "string" || looksLikeList(asString);
      let members = null;
      if (needsExpansion && expandEntry) {
        try {
          members = await expandEntry(entry);
        } catch (e) {
          members = null; // a broken address book must not stop the check
        }
      }
      if (Array.isArray(members) && members.length > 0) {
        for (const m of members) out.push({ field, address: m, position, list: asString || null });
      } else if (asString.trim() !== "") {
        out.push({ field, address: asString, position, list: null });
      }
    }
  }
  return out;
}

/**
 * An expander backed by Thunderbird: messengerUtilities.parseMailboxString with
 * expandMailingLists (Thunderbird ≥ 147) when present, else a lookup of the list by name
 * (mailingLists.list per book, then listMembers of that one list — never addressBooks.list(true),
 * which turns every contact into a vCard). Returns null when the entry is not a list it knows.
 */
export function thunderbirdExpander(messenger) {
  // lower-case list name → list id, built on the first lookup and dropped when a list changes.
  // Members are read per lookup (one list, never every contact of every book).
  let listsByName = null;
  const ml = messenger.addressBooks?.mailingLists;
  for (const ev of [ml?.onCreated, ml?.onUpdated, ml?.onDeleted, messenger.addressBooks?.onCreated,
                    messenger.addressBooks?.onDeleted]) {
    ev?.addListener?.(() => {
      listsByName = null;
    });
  }

  async function lookupLists() {
    if (listsByName) return listsByName;
    const byName = new Map();
    const books = (await messenger.addressBooks?.list?.(false)) ?? [];
    for (const book of books) {
      if (book.remote) continue;
      const lists = (await ml?.list?.(book.id)) ?? book.mailingLists ?? [];
      for (const list of lists) {
        const key = String(list.name).toLowerCase();
        if (!byName.has(key)) byName.set(key, list.id);
      }
    }
    listsByName = byName;
    return listsByName;
  }

  async function listMembersByName(name) {
    const id = (await lookupLists()).get(name);
    if (!id) return null;
    const members = (await ml.listMembers(id)) ?? [];
    return members.map(contactMailbox).filter(Boolean);
  }

  return async function expand(entry) {
    if (entry && typeof entry === "object" && entry.id && entry.type) {
      if (entry.type === "contact") {
        const node = await messenger.addressBooks.contacts.get(entry.id);
        const mb = contactMailbox(node);
        return mb ? [mb] : null;
      }
      if (entry.type === "mailingList") {
        const members = await messenger.addressBooks.mailingLists.listMembers(entry.id);
        return members.map(contactMailbox).filter(Boolean);
      }
      return null;
    }
    const s = String(entry);
    const parse = messenger.messengerUtilities?.parseMailboxString;
    if (parse) {
      const parsed = await parse(s, { expandMailingLists: true });
      const members = parsed.filter((p) => p.email && p.email.includes("@")).map((p) => formatMailbox(p.name, p.email));
      if (members.length > 0 && !(members.length === 1 && bareAddress(members[0]) === bareAddress(s))) {
        return members;
      }
    }
    return listMembersByName(bareAddress(s).toLowerCase());
  };
}

// ---- address-book contacts -------------------------------------------------------------------

/** Unfolds and splits a vCard into [{name, params, value}] (RFC 6350 §3.2 line folding). */
export function parseVCard(text) {
  const lines = String(text ?? "").replace(/\r\n[ \t]/g, "").replace(/\n[ \t]/g, "").split(/\r?\n/);
  const out = [];
  for (const line of lines) {
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    const [nameWithGroup, ...params] = line.slice(0, colon).split(";");
    const name = nameWithGroup.replace(/^[^.]*\./, "").toUpperCase();
    const value = line.slice(colon + 1).replace(/\\([,;\\nN])/g, (_, c) => (c === "n" || c === "N" ? " " : c));
    out.push({ name, params, value });
  }
  return out;
}

/** The contact's mailboxes ("Name <addr>") from its vCard (MV3) or legacy properties (MV2). */
export function contactMailboxes(node) {
  if (!node) return [];
  if (Array.isArray(node.emails)) {
    // The typoguardBooks experiment's form: {id, name, emails}.
    const name = typeof node.name === "string" ? node.name : "";
    return node.emails.filter((e) => typeof e === "string" && e.includes("@")).map((e) => formatMailbox(name, e.trim()));
  }
  if (typeof node.vCard === "string") {
    const props = parseVCard(node.vCard);
    const fn = props.find((p) => p.name === "FN")?.value ?? "";
    return props.filter((p) => p.name === "EMAIL" && p.value.includes("@")).map((p) => formatMailbox(fn, p.value.trim()));
  }
  const p = node.properties ?? {};
  const name = p.DisplayName || [p.FirstName, p.LastName].filter(Boolean).join(" ");
  return [p.PrimaryEmail, p.SecondEmail].filter((e) => e && e.includes("@")).map((e) => formatMailbox(name, e));
}

function contactMailbox(node) {
  return contactMailboxes(node)[0] ?? null;
}
