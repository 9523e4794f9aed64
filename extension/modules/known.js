// known.js — the address book as the host's `known` set: every contact's mailboxes (display
// names kept) and their domains.
//
// Guarantees: bounded (MAX_KNOWN_ADDRESSES) so a huge directory cannot make a request approach
// the host's 8 MiB limit; cached until an address book changes; a failing address book yields
// an empty set rather than an error (the check must still run).

import { contactMailboxes } from "./recipients.js";
import { domainOf } from "./mailbox.js";

export const MAX_KNOWN_ADDRESSES = 20000;

/** Builds {domains, addresses} from address-book nodes (addressBooks.list(true) output). */
export function knownFromBooks(books) {
  const addresses = [];
  const seen = new Set();
  const domains = new Set();
  outer: for (const book of books ?? []) {
    for (const contact of book.contacts ?? []) {
      for (const mb of contactMailboxes(contact)) {
        const key = mb.toLowerCase();
        if (seen.has(key)) continue;
        seen.add(key);
        addresses.push(mb);
        const d = domainOf(mb);
        if (d) domains.add(d);
        if (addresses.length >= MAX_KNOWN_ADDRESSES) break outer;
      }
    }
  }
  return { domains: [...domains], addresses };
}

/** A cache over messenger.addressBooks that is dropped whenever a contact or book changes. */
export function knownCache(messenger) {
  let cached = null;
  const invalidate = () => {
    cached = null;
  };
  const ab = messenger.addressBooks;
  for (const ev of [
    ab?.onCreated, ab?.onUpdated, ab?.onDeleted,
    ab?.contacts?.onCreated, ab?.contacts?.onUpdated, ab?.contacts?.onDeleted,
  ]) {
    ev?.addListener?.(invalidate);
  }
  return {
    invalidate,
    async get() {
      if (cached) return cached;
      try {
        cached = knownFromBooks(await ab.list(true));
      } catch (e) {
        console.warn("typoguard: cannot read the address books:", e);
        return { domains: [], addresses: [] };
      }
      return cached;
    },
  };
}
