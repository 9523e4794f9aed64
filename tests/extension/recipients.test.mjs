// Gathering recipients, expanding mailing lists, reading the address book
// (extension/modules/recipients.js, known.js, mailbox.js).
import { test } from "node:test";
import assert from "node:assert/strict";
import { collectRecipients, thunderbirdExpander, parseVCard, contactMailboxes } from "../../extension/modules/recipients.js";
import { knownFromBooks, MAX_KNOWN_ADDRESSES } from "../../extension/modules/known.js";
import { fakeAddressBooks } from "./fake-messenger.mjs";
import { bareAddress, displayName, formatMailbox, looksLikeList, domainOf } from "../../extension/modules/mailbox.js";

const vcard = (fn, ...emails) => `BEGIN:VCARD\r\nVERSION:4.0\r\nFN:${fn}\r\n${emails.map((e) => `EMAIL;PREF=1:${e}\r\n`).join("")}END:VCARD\r\n`;
const BOOKS = [{
  id: "ab1", name: "Personal",
  contacts: [{ id: "c1", vCard: vcard("John Doe", "john.doe@army.mil", "jd@home.example") }, { id: "c2", vCard: vcard("", "ops@gmail.com") }],
  mailingLists: [{ id: "l1", name: "Team", contacts: [{ id: "c1", vCard: vcard("John Doe", "john.doe@army.mil") }, { id: "c3", vCard: vcard("Ann", "ann@example.org") }] }],
}];

for (const [input, bare, name, domain] of [
  ["John Doe <john.doe@army.ml>", "john.doe@army.ml", "John Doe", "army.ml"],
  ['"Doe, John" <J@Army.MIL>', "J@Army.MIL", "Doe, John", "army.mil"],
  ["Smith, John <john.smith@yahoo.com>", "john.smith@yahoo.com", "Smith, John", "yahoo.com"],
  ["plain@example.org", "plain@example.org", "", "example.org"],
  ["<only@angle.example>", "only@angle.example", "", "angle.example"],
  ["broken <no-close", "broken <no-close", "broken", ""],
  ["", "", "", ""],
]) {
  test(`mailbox helpers: ${JSON.stringify(input)}`, () => {
    assert.equal(bareAddress(input), bare);
    assert.equal(displayName(input), name);
    assert.equal(domainOf(input), domain);
  });
}

test("formatMailbox quotes names with specials and keeps bare addresses bare", () => {
  assert.equal(formatMailbox("John Doe", "j@x.org"), "John Doe <j@x.org>");
  assert.equal(formatMailbox("Doe, John", "j@x.org"), '"Doe, John" <j@x.org>');
  assert.equal(formatMailbox('Say "hi"', "j@x.org"), '"Say \\"hi\\"" <j@x.org>');
  assert.equal(formatMailbox("", "j@x.org"), "j@x.org");
  assert.ok(looksLikeList("Team <Team>"));
  assert.ok(!looksLikeList("John <j@x.org>"));
  assert.ok(!looksLikeList("j@x.org"));
});

test("collectRecipients walks the five fields in order and skips empty entries", async () => {
  const r = await collectRecipients({ to: ["a@x.org", ""], cc: "b@x.org", bcc: [], replyTo: ["c@x.org"], followupTo: ["d@x.org"], from: "me@x.org" }, null);
  assert.deepEqual(r.map((x) => [x.field, x.address, x.position]),
    [["to", "a@x.org", 0], ["cc", "b@x.org", 0], ["replyTo", "c@x.org", 0], ["followupTo", "d@x.org", 0]]);
});

test("lists are expanded with parseMailboxString when Thunderbird has it", async () => {
  const calls = [];
  const messenger = {
    messengerUtilities: {
      async parseMailboxString(s, opts) {
        calls.push(opts);
        return s === "Team <Team>" ? [{ name: "Ann", email: "ann@example.org" }, { name: "Bob", email: "bob@example.org" }] : [{ name: "", email: s }];
      },
    },
    addressBooks: { list: async () => { throw new Error("must not be needed"); } },
  };
  const r = await collectRecipients({ to: ["Team <Team>", "x@y.org"] }, thunderbirdExpander(messenger));
  assert.deepEqual(r.map((x) => [x.address, x.list]), [["Ann <ann@example.org>", "Team <Team>"], ["Bob <bob@example.org>", "Team <Team>"], ["x@y.org", null]]);
  assert.deepEqual(calls, [{ expandMailingLists: true }]);
});

test("an unquoted \"Last, First\" entry is one recipient, never split at its comma", async () => {
  const messenger = {
    messengerUtilities: {
      async parseMailboxString(s) {
        // A parser that splits at every comma, as a naive one would: it must not be asked.
        return s.split(",").map((p) => ({ name: "", email: p.trim() }));
      },
    },
  };
  const r = await collectRecipients({ to: ["Smith, John <john.smith@yahoo.com>", "a@x.org, b@y.org"] }, thunderbirdExpander(messenger));
  assert.deepEqual(r.map((x) => [x.address, x.position]),
    [["Smith, John <john.smith@yahoo.com>", 0], ["a@x.org, b@y.org", 1]]);
});

test("without parseMailboxString, lists are looked up in the address books; unknown lists stay as typed", async () => {
  const messenger = { addressBooks: fakeAddressBooks(structuredClone(BOOKS)) };
  const r = await collectRecipients({ cc: ["Team <Team>", "Nobody <Nobody>"] }, thunderbirdExpander(messenger));
  assert.deepEqual(r.map((x) => x.address), ["John Doe <john.doe@army.mil>", "Ann <ann@example.org>", "Nobody <Nobody>"]);
  const calls = messenger.addressBooks.calls;
  assert.equal(calls.listComplete, undefined, "never addressBooks.list(true): it converts every contact");
  assert.equal(calls["contacts.list"], undefined, "no contact is read to find a list");
  assert.equal(calls["mailingLists.listMembers"], 1, "only the list asked for");
});

test("list names are looked up once, and again after a list changes", async () => {
  const messenger = { addressBooks: fakeAddressBooks(structuredClone(BOOKS)) };
  const expand = thunderbirdExpander(messenger);
  await collectRecipients({ to: ["Team <Team>"] }, expand);
  await collectRecipients({ to: ["Team <Team>"] }, expand);
  assert.equal(messenger.addressBooks.calls["mailingLists.list"], 1);
  messenger.addressBooks.books[0].mailingLists.push({ id: "l2", name: "Ops", contacts: [{ id: "c2", vCard: vcard("", "ops@gmail.com") }] });
  messenger.addressBooks.mailingLists.onCreated.fire({ id: "l2", name: "Ops" });
  const r = await collectRecipients({ to: ["Ops <Ops>"] }, expand);
  assert.deepEqual(r.map((x) => x.address), ["ops@gmail.com"]);
  assert.equal(messenger.addressBooks.calls["mailingLists.list"], 2);
});

test("a failing expander does not stop the check", async () => {
  const r = await collectRecipients({ to: ["Team <Team>"] }, async () => { throw new Error("address book gone"); });
  assert.deepEqual(r.map((x) => x.address), ["Team <Team>"]);
});

test("vCard parsing unfolds lines, handles groups and escapes", () => {
  const props = parseVCard("BEGIN:VCARD\r\nFN:Doe\\, Jo\r\n hn\r\nitem1.EMAIL;TYPE=work:jd@army.mil\r\nEND:VCARD");
  assert.deepEqual(props.filter((p) => p.name !== "BEGIN" && p.name !== "END").map((p) => [p.name, p.value]),
    [["FN", "Doe, John"], ["EMAIL", "jd@army.mil"]]);
  assert.deepEqual(contactMailboxes({ vCard: vcard("John Doe", "john.doe@army.mil", "jd@home.example") }),
    ["John Doe <john.doe@army.mil>", "John Doe <jd@home.example>"]);
  assert.deepEqual(contactMailboxes({ properties: { DisplayName: "Old Style", PrimaryEmail: "old@x.org" } }), ["Old Style <old@x.org>"]);
});

test("known: address-book mailboxes with display names, and their domains", () => {
  const k = knownFromBooks(BOOKS);
  assert.deepEqual(k.addresses, ["John Doe <john.doe@army.mil>", "John Doe <jd@home.example>", "ops@gmail.com"]);
  assert.deepEqual(k.domains.sort(), ["army.mil", "gmail.com", "home.example"]);
});

test("known is bounded", () => {
  const contacts = Array.from({ length: MAX_KNOWN_ADDRESSES + 50 }, (_, i) => ({ vCard: vcard("", `u${i}@d${i % 7}.example`) }));
  assert.equal(knownFromBooks([{ contacts }]).addresses.length, MAX_KNOWN_ADDRESSES);
});
