// known.js — the address book as the host's `known` set: every contact's mailboxes (display
// names kept), read in the background and handed to the host once per host process, then only
// its changes (the `book` request of DESIGN.md).
//
// Guarantees: a send never waits on reading an address book — the books are read after
// start-up one book at a time, in slices with pauses between (Thunderbird's side too, through the
// typoguardBooks experiment), and a check uses what is known so far; the copy is kept current
// from the contact and book events (a change costs one contact, never a re-read of every book);
// bounded (MAX_KNOWN_ADDRESSES) so a huge directory cannot make a request approach the host's
// limits; a failing address book yields fewer known addresses rather than an error (the check
// must still run).

import { contactMailboxes } from "./recipients.js";
import { domainOf } from "./mailbox.js";

export const MAX_KNOWN_ADDRESSES = 20000;
/** Contacts digested per slice of the background read, and the pause between slices. */
export const SLICE_CONTACTS = 500;
export const SLICE_PAUSE_MS = 10;
/** The first read begins this long after the background page starts, unless a compose window
 * opens first. */
export const START_DELAY_MS = 5000;
/** More changes than this since the host's copy: send the whole book instead. */
const MAX_DELTA = 5000;

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

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The address book kept in memory and mirrored in the host.
 * @param messenger  Thunderbird's namespace (addressBooks, contacts events)
 * @param options    {sliceContacts, slicePauseMs, maxAddresses, session}
 */
export class BookStore {
  constructor(messenger, { sliceContacts = SLICE_CONTACTS, slicePauseMs = SLICE_PAUSE_MS,
                           maxAddresses = MAX_KNOWN_ADDRESSES, session = null } = {}) {
    this.messenger = messenger;
    this.sliceContacts = sliceContacts;
    this.slicePauseMs = slicePauseMs;
    this.maxAddresses = maxAddresses;
    this.session = session ?? Math.random().toString(36).slice(2, 10);
    this.seq = 0;
    this.entries = new Map(); // lower-case mailbox → {mailbox, n} (n: contacts holding it)
    this.contacts = new Map(); // contact id → {book, keys: [lower-case mailbox]}
    this.touched = new Set(); // contact ids changed by events while the first read runs
    this.changed = new Set(); // keys changed since the host's copy (hostVersion)
    this.hostVersion = null; // the version the host holds, null: none / unknown
    this.hostResets = 0; // raised whenever hostVersion is found not to be what the host holds
    this.hostHasBook = true; // false once a host answered `book` with unknown_type
    this.reading = null; // the promise of the first read
    this.ready = false; // the first read has finished
    this.overflow = false; // a mailbox was left out because the book was full
    this.timer = null; // startSoon's
    this.wholeReads = 0; // books read with contacts.list (no experiment, or it failed)
    this.readDone = null;
    this.onChange = null; // set by the owner: a change after the first read
    this.read = new Promise((resolve) => (this.readDone = resolve));
    this.listen();
  }

  get version() {
    return `${this.session}:${this.seq}`;
  }

  get size() {
    return this.entries.size;
  }

  listen() {
    const ab = this.messenger.addressBooks;
    const on = (ev, fn) => ev?.addListener?.(fn);
    on(ab?.contacts?.onCreated, (node) => this.setContact(node));
    on(ab?.contacts?.onUpdated, (node) => this.setContact(node));
    on(ab?.contacts?.onDeleted, (parentId, id) => this.removeContact(id));
    on(ab?.onCreated, (node) => {
      if (node?.id) this.readBook(node).catch(() => {});
    });
    on(ab?.onDeleted, (id) => {
      for (const [cid, c] of this.contacts) if (c.book === id) this.removeContact(cid);
    });
  }

  // ---- the in-memory copy ------------------------------------------------------------------

  addKey(mailbox) {
    const key = mailbox.toLowerCase();
    const e = this.entries.get(key);
    if (e) {
      e.n++;
      return key;
    }
    if (this.entries.size >= this.maxAddresses) {
      this.overflow = true;
      return null;
    }
    this.entries.set(key, { mailbox, n: 1 });
    this.changed.add(key);
    this.seq++;
    return key;
  }

  dropKey(key) {
    const e = this.entries.get(key);
    if (!e) return;
    if (--e.n > 0) return;
    this.entries.delete(key);
    this.changed.add(key);
    this.seq++;
  }

  /** Called after a change that came as an event once the first read is done (the owner sends
   * the host the change then, not at the next Send). */
  notifyChange() {
    if (this.ready) this.onChange?.();
  }

  /** A contact created or updated (ContactNode): its mailboxes replace what it had. */
  setContact(node, { fromRead = false } = {}) {
    if (!node?.id) return;
    if (!fromRead && this.reading && !this.ready) this.touched.add(node.id);
    const old = this.contacts.get(node.id);
    let mailboxes = [];
    try {
      mailboxes = contactMailboxes(node);
    } catch (e) {
      mailboxes = [];
    }
    const keys = [];
    for (const mb of mailboxes) {
      const k = this.addKey(mb);
      if (k) keys.push(k);
    }
    if (old) for (const k of old.keys) this.dropKey(k);
    this.contacts.set(node.id, { book: node.parentId ?? old?.book ?? null, keys });
    if (!fromRead) this.notifyChange();
  }

  removeContact(id) {
    if (this.reading && !this.ready) this.touched.add(id);
    const old = this.contacts.get(id);
    if (!old) return;
    this.contacts.delete(id);
    for (const k of old.keys) this.dropKey(k);
    this.notifyChange();
  }

  /** {domains, addresses} as a check's `known` (for a host without `book`). */
  snapshot() {
    const addresses = [];
    const domains = new Set();
    for (const { mailbox } of this.entries.values()) {
      addresses.push(mailbox);
      const d = domainOf(mailbox);
      if (d) domains.add(d);
    }
    return { domains: [...domains], addresses };
  }

  // ---- reading ------------------------------------------------------------------------------

  /** Resolves when the first read has finished (whenever it starts). */
  whenRead() {
    return this.read;
  }

  /** Starts the first read in `delayMs` (Thunderbird's own start-up goes first), or at once when
   * start() is called before then (a compose window opened). */
  startSoon(delayMs) {
    if (this.reading || this.timer) return;
    this.timer = setTimeout(() => this.start(), delayMs);
    this.timer.unref?.(); // Node (tests): a pending first read does not keep the process alive
  }

  /** Starts the first read (once); resolves when every book has been read. Never rejects. */
  start() {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const t0 = Date.now();
    this.reading ??= this.readAll().finally(() => {
      const ms = Date.now() - t0;
      const how = this.wholeReads ? `${this.wholeReads} read whole` : "in slices";
      console.info(`typoguard: address books read in ${ms} ms: ${this.size} mailboxes (${how})`);
      this.ready = true;
      this.touched.clear();
      this.readDone();
    });
    return this.reading;
  }

  async readAll() {
    let books = [];
    try {
      books = (await this.messenger.addressBooks.list(false)) ?? [];
    } catch (e) {
      console.warn("typoguard: cannot list the address books:", e);
      return;
    }
    for (const book of books) {
      // A remote (LDAP) directory is searched, not listed: reading it would ask the server.
      if (book.remote) continue;
      try {
        await this.readBook(book);
      } catch (e) {
        console.warn("typoguard: cannot read an address book:", e);
      }
      await sleep(this.slicePauseMs);
    }
  }

  /**
   * Reads one book. With the typoguardBooks experiment (experiments/books/), a slice of
   * `sliceContacts` contacts per call with a pause between: Thunderbird's main thread is never
   * held for more than a slice. Without it (a Thunderbird that refuses experiments), one
   * `contacts.list`: Thunderbird converts the whole book to vCards in one go on its main thread
   * (issue 20 measured 7.4 s for 20,000), once per session, 5 s after start-up. Events win over
   * the read either way. (Slicing with `contacts.query` was tried and is worse: every query parses
   * every contact of the book again.)
   */
  async readBook(book) {
    const sliced = this.messenger.typoguardBooks;
    if (sliced?.readSlice) {
      try {
        await this.readSlices(book, sliced);
        return;
      } catch (e) {
        console.warn("typoguard: reading the address book in slices failed, reading it whole:", e);
      }
    }
    this.wholeReads++;
    await this.digest(book, (await this.messenger.addressBooks.contacts.list(book.id)) ?? []);
  }

  async readSlices(book, api) {
    let start = 0;
    for (;;) {
      const slice = await api.readSlice(book.id, start, this.sliceContacts);
      this.digestSlice(book, slice?.contacts ?? []);
      if (slice?.next == null || slice.next <= start) return;
      start = slice.next;
      await sleep(this.slicePauseMs);
    }
  }

  digestSlice(book, nodes) {
    for (const node of nodes) {
      if (!node?.id || this.touched.has(node.id)) continue;
      this.setContact({ ...node, parentId: node.parentId ?? book.id }, { fromRead: true });
    }
  }

  async digest(book, nodes) {
    for (let i = 0; i < nodes.length; i += this.sliceContacts) {
      if (i > 0) await sleep(this.slicePauseMs);
      this.digestSlice(book, nodes.slice(i, i + this.sliceContacts));
    }
  }

  // ---- the host's copy ------------------------------------------------------------------------

  /** A new host process: it holds no book. */
  hostStarted() {
    this.forgetHostVersion();
    this.hostHasBook = true;
  }

  forgetHostVersion() {
    this.hostVersion = null;
    this.hostResets++;
  }

  /** Names what the host holds as far as known: its version, and how often that turned out to
   * be wrong (a version is recorded when its `book` request is sent, before the host applies
   * it; a refusal raises the count, so the same version sent again is another state). */
  get hostState() {
    return `${this.hostResets}:${this.hostVersion}`;
  }

  /** The `book` request that brings the host up to date, or null when it is. Marks it sent. */
  nextRequest() {
    if (!this.hostHasBook) return null;
    const version = this.version;
    if (this.hostVersion === version) return null;
    if (this.hostVersion === null && this.entries.size === 0) return null; // both empty
    if (this.hostVersion !== null && this.changed.size <= MAX_DELTA) {
      const add = [];
      const remove = [];
      for (const k of this.changed) {
        const e = this.entries.get(k);
        if (e) add.push(e.mailbox);
        else remove.push(k);
      }
      this.changed.clear();
      return { type: "book", version, base: this.hostVersion, add, remove };
    }
    this.changed.clear();
    return { type: "book", version, add: [...this.entries.values()].map((e) => e.mailbox) };
  }

  /**
   * Posts the `book` request (if any) on `client` — synchronously, so a check posted next is
   * answered after it — and returns the promise of its handling. Never rejects.
   */
  sync(client) {
    const req = this.nextRequest();
    if (!req) return Promise.resolve();
    this.hostVersion = req.version; // optimistic: frames are answered in order
    return client.request(req).then((reply) => this.onReply(req, reply),
                                    (e) => this.onFailure(req, e));
  }

  onReply(req, reply) {
    if (reply?.type === "book" && reply.version === req.version) return;
    if (reply?.type === "error" && reply.code === "unknown_type") {
      this.hostHasBook = false; // an older host: checks carry `known` again
      this.forgetHostVersion();
      return;
    }
    // The host did not apply it (another base, too many, an error): the next sync sends the
    // whole book.
    if (this.hostVersion === req.version) this.forgetHostVersion();
  }

  onFailure(req) {
    if (this.hostVersion === req.version) this.forgetHostVersion();
  }

  /** What a check carries as `known`: nothing when the host keeps the book. */
  knownForCheck() {
    return this.hostHasBook ? null : this.snapshot();
  }
}
