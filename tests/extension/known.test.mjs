// The address book kept in the background and mirrored in the host (extension/modules/known.js):
// read in slices without addressBooks.list(true), kept current by events, sent whole once per
// host and then as changes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { BookStore, MAX_KNOWN_ADDRESSES } from "../../extension/modules/known.js";
import { fakeAddressBooks, scriptedHost } from "./fake-messenger.mjs";

const vcard = (fn, ...emails) => `BEGIN:VCARD\r\nVERSION:4.0\r\nFN:${fn}\r\n${emails.map((e) => `EMAIL:${e}\r\n`).join("")}END:VCARD\r\n`;
const contact = (id, fn, ...emails) => ({ id, vCard: vcard(fn, ...emails) });
const sorted = (store) => store.snapshot().addresses.sort();

function storeOver(books, opts = {}) {
  const messenger = { addressBooks: fakeAddressBooks(books) };
  return { messenger, store: new BookStore(messenger, { slicePauseMs: 0, session: "s", ...opts }) };
}

/** A client that answers `book` as the fake host does (recorded.test.mjs holds it to the real
 * host's recorded book replies) and records the frames; `held` is the version the host holds. */
function fakeClient({ answer } = {}) {
  const host = scriptedHost();
  const port = { book: { version: null, addresses: new Map() } };
  const c = {
    sent: [],
    get held() { return port.book.version; },
    set held(version) { port.book.version = version; }, // as if another client had sent a book
  };
  c.request = async (req) => {
    c.sent.push(req);
    return answer ? answer(req, c) : host(structuredClone(req), port);
  };
  return c;
}

test("reads every local book with contacts.list, in slices, never list(true); skips remote ones", async () => {
  const many = Array.from({ length: 1200 }, (_, i) => contact(`p${i}`, `P ${i}`, `p${i}@example.org`));
  const { messenger, store } = storeOver([
    { id: "a", contacts: many },
    { id: "ldap", remote: true, contacts: [contact("r", "Remote", "r@example.net")] },
    { id: "b", contacts: [contact("j", "John Doe", "john.doe@army.mil", "jd@home.example")] },
  ], { sliceContacts: 500 });
  let yields = 0;
  const done = store.start();
  const spin = (async () => {
    while (!store.ready) {
      yields++;
      await new Promise((r) => setTimeout(r, 0));
    }
  })();
  await done;
  await spin;
  assert.equal(store.size, 1202);
  assert.ok(yields >= 3, `the read gave way between slices (${yields})`);
  assert.equal(messenger.addressBooks.calls.listComplete, undefined);
  assert.equal(messenger.addressBooks.calls["contacts.list"], 2, "not the remote directory");
  assert.ok(store.snapshot().addresses.includes("John Doe <jd@home.example>"));
});

test("events keep the copy current; a mailbox two contacts share stays until both are gone", async () => {
  const { messenger, store } = storeOver([{ id: "a", contacts: [contact("1", "Ann", "ann@x.org"), contact("2", "Ann", "ann@x.org")] }]);
  await store.start();
  const ev = messenger.addressBooks.contacts;
  assert.deepEqual(sorted(store), ["Ann <ann@x.org>"]);
  ev.onDeleted.fire("a", "1");
  assert.deepEqual(sorted(store), ["Ann <ann@x.org>"]);
  ev.onUpdated.fire({ id: "2", parentId: "a", vCard: vcard("Ann", "ann@y.org") }, {});
  assert.deepEqual(sorted(store), ["Ann <ann@y.org>"]);
  ev.onCreated.fire({ id: "3", parentId: "b", vCard: vcard("Bob", "bob@z.org") });
  assert.deepEqual(sorted(store), ["Ann <ann@y.org>", "Bob <bob@z.org>"]);
  messenger.addressBooks.onDeleted.fire("b");
  assert.deepEqual(sorted(store), ["Ann <ann@y.org>"]);
  assert.equal(messenger.addressBooks.calls["contacts.list"], 1, "no re-read");
});

test("an event during the first read wins over the read's older copy", async () => {
  const books = [{ id: "a", contacts: [contact("1", "Old", "old@x.org"), contact("2", "Gone", "gone@x.org")] }];
  const messenger = { addressBooks: fakeAddressBooks(books) };
  let release;
  const gate = new Promise((r) => (release = r));
  const list = messenger.addressBooks.contacts.list;
  messenger.addressBooks.contacts.list = async (id) => {
    const nodes = await list(id); // the snapshot is taken now...
    await gate; // ...and arrives after the events
    return nodes;
  };
  const store = new BookStore(messenger, { slicePauseMs: 0 });
  const done = store.start();
  await new Promise((r) => setTimeout(r, 5));
  assert.equal(store.size, 0, "a send now uses what is known so far");
  messenger.addressBooks.contacts.onUpdated.fire({ id: "1", parentId: "a", vCard: vcard("New", "new@x.org") }, {});
  messenger.addressBooks.contacts.onDeleted.fire("a", "2");
  release();
  await done;
  assert.deepEqual(sorted(store), ["New <new@x.org>"]);
});

test("bounded: at most MAX_KNOWN_ADDRESSES mailboxes", async () => {
  const contacts = Array.from({ length: MAX_KNOWN_ADDRESSES + 50 }, (_, i) => contact(`c${i}`, "", `u${i}@d${i % 7}.example`));
  const { store } = storeOver([{ id: "a", contacts }], { sliceContacts: 5000 });
  await store.start();
  assert.equal(store.size, MAX_KNOWN_ADDRESSES);
  assert.equal(store.overflow, true);
});

test("the host gets the whole book once, then only the net changes against its version", async () => {
  const { messenger, store } = storeOver([{ id: "a", contacts: [contact("1", "Ann", "ann@x.org"), contact("2", "Bob", "bob@x.org")] }]);
  await store.start();
  const client = fakeClient();
  store.hostStarted();
  await store.sync(client);
  assert.deepEqual({ ...client.sent[0], add: client.sent[0].add.sort() },
                   { type: "book", version: "s:2", add: ["Ann <ann@x.org>", "Bob <bob@x.org>"] });
  await store.sync(client);
  assert.equal(client.sent.length, 1, "nothing changed, nothing sent");
  const ev = messenger.addressBooks.contacts;
  ev.onCreated.fire({ id: "3", parentId: "a", vCard: vcard("Cy", "cy@x.org") });
  ev.onDeleted.fire("a", "3"); // added and removed again: the host need only forget it
  ev.onDeleted.fire("a", "2");
  await store.sync(client);
  assert.deepEqual(client.sent[1], { type: "book", version: store.version, base: "s:2", add: [], remove: ["cy <cy@x.org>", "bob <bob@x.org>"] });
  assert.equal(client.held, store.version);
  assert.equal(store.knownForCheck(), null, "checks carry nothing");
});

test("a change the host did not apply, or a lost port, makes the next sync send the whole book", async () => {
  const { messenger, store } = storeOver([{ id: "a", contacts: [contact("1", "Ann", "ann@x.org")] }]);
  await store.start();
  const client = fakeClient();
  store.hostStarted();
  await store.sync(client);
  client.held = "someone-else";
  messenger.addressBooks.contacts.onCreated.fire({ id: "2", parentId: "a", vCard: vcard("Bob", "bob@x.org") });
  await store.sync(client);
  assert.equal(client.sent[1].base, "s:1");
  await store.sync(client);
  assert.equal(client.sent[2].base, undefined);
  assert.equal(client.sent[2].add.length, 2);
  store.hostStarted(); // a new host process
  await store.sync(client);
  assert.equal(client.sent[3].base, undefined);
  const failing = fakeClient({ answer: async () => { throw new Error("timeout"); } });
  messenger.addressBooks.contacts.onDeleted.fire("a", "2");
  await store.sync(failing);
  await store.sync(client);
  assert.equal(client.sent.at(-1).base, undefined, "after a failure: whole");
  assert.deepEqual(client.sent.at(-1).add, ["Ann <ann@x.org>"]);
});

test("an empty book is not sent; an older host makes checks carry `known`", async () => {
  const { store } = storeOver([]);
  await store.start();
  const client = fakeClient({ answer: async (req) => ({ type: "error", id: 1, code: "unknown_type", message: "x" }) });
  store.hostStarted();
  await store.sync(client);
  assert.equal(client.sent.length, 0);
  store.setContact({ id: "1", parentId: "a", vCard: vcard("Ann", "ann@x.org") });
  await store.sync(client);
  assert.equal(client.sent.length, 1);
  assert.deepEqual(store.knownForCheck(), { domains: ["x.org"], addresses: ["Ann <ann@x.org>"] });
  await store.sync(client);
  assert.equal(client.sent.length, 1, "not asked again");
});

test("the first read waits for start-up, or starts at once when asked (a compose window)", async () => {
  const { messenger, store } = storeOver([{ id: "a", contacts: [contact("1", "Ann", "ann@x.org")] }]);
  store.startSoon(30);
  await new Promise((r) => setTimeout(r, 5));
  assert.equal(messenger.addressBooks.calls["contacts.list"], undefined, "not during start-up");
  await new Promise((r) => setTimeout(r, 60)); // (the store's timer does not keep Node alive)
  await store.whenRead();
  assert.equal(store.size, 1);
  const other = storeOver([{ id: "a", contacts: [contact("1", "Ann", "ann@x.org")] }]);
  other.store.startSoon(60000);
  await other.store.start();
  other.store.start();
  assert.equal(other.messenger.addressBooks.calls["contacts.list"], 1, "read once");
});


/** The typoguardBooks experiment (extension/experiments/books/) over the same books: a slice of
 * {id, name, emails} per call, as its implementation returns them; `fail` makes every call throw. */
function slicedBooks(books, { fail = false } = {}) {
  const api = { calls: [] };
  api.readSlice = async (bookId, start, count) => {
    api.calls.push([bookId, start, count]);
    if (fail) throw new Error("An unexpected error occurred");
    const all = books.find((b) => b.id === bookId).contacts;
    const contacts = all.slice(start, start + count).map((c) => ({
      id: c.id, parentId: bookId, name: c.plain.name, emails: c.plain.emails,
    }));
    const next = start + count < all.length ? start + count : null;
    return { total: all.length, next, contacts };
  };
  return api;
}

/** A contact as contacts.list gives it (a vCard), with what the experiment reads of it. */
const both = (id, fn, ...emails) => ({ ...contact(id, fn, ...emails), plain: { name: fn, emails } });

test("with the typoguardBooks experiment: the book is read a slice per call, never with contacts.list, to the same mailboxes", async () => {
  const many = Array.from({ length: 1200 }, (_, i) => both(`p${i}`, `P ${i}`, `p${i}@example.org`));
  const books = [
    { id: "a", contacts: many },
    { id: "b", contacts: [both("j", "John Doe", "john.doe@army.mil", "jd@home.example"), both("q", "Doe, Jane \"JJ\"", "jane@x.org")] },
  ];
  const whole = storeOver(books);
  await whole.store.start();
  const { messenger, store } = storeOver(books, { sliceContacts: 500 });
  messenger.typoguardBooks = slicedBooks(books);
  await store.start();
  assert.equal(messenger.addressBooks.calls["contacts.list"], undefined, "no whole-book read");
  assert.deepEqual(messenger.typoguardBooks.calls.map(([id, start]) => `${id}@${start}`), ["a@0", "a@500", "a@1000", "b@0"]);
  assert.deepEqual(sorted(store), sorted(whole.store), "the same mailboxes, names quoted the same");
  assert.equal(store.size, 1203);
});

test("when the experiment fails, the book is read whole with contacts.list", async () => {
  const books = [{ id: "a", contacts: [both("1", "Ann", "ann@x.org"), both("2", "Bob", "bob@y.org")] }];
  const { messenger, store } = storeOver(books);
  messenger.typoguardBooks = slicedBooks(books, { fail: true });
  await store.start();
  assert.equal(messenger.typoguardBooks.calls.length, 1);
  assert.equal(messenger.addressBooks.calls["contacts.list"], 1);
  assert.deepEqual(sorted(store), ["Ann <ann@x.org>", "Bob <bob@y.org>"]);
});

test("hostState: a version the host refused names another state even when the same version is sent again", async () => {
  const { store } = storeOver([{ id: "a", contacts: [contact("1", "Ann", "ann@x.org")] }]);
  await store.start();
  store.hostStarted();
  const refusing = fakeClient({ answer: async (req) => ({ type: "book", id: req.id, version: null, count: 0 }) });
  const sent = store.sync(refusing); // recorded at once, before the host answers
  const optimistic = store.hostState;
  assert.match(optimistic, /:s:1$/);
  await sent;
  assert.equal(store.hostVersion, null, "refused");
  const client = fakeClient();
  await store.sync(client); // the whole book again, under the same version
  assert.equal(client.sent[0].version, "s:1");
  assert.equal(store.hostVersion, "s:1");
  assert.notEqual(store.hostState, optimistic, "an answer given while it was refused is not of this state");
});
