// The background script end to end against a fake Thunderbird: the send paths, the dialog,
// failures and fail_mode, learning, the compose action (extension/background.js).
import { test } from "node:test";
import assert from "node:assert/strict";
import { fakeMessenger, recorded, scriptedHost } from "./fake-messenger.mjs";
// The header that names the recipients sent anyway (extension/modules/override.js).
const overrideOf = (value) => [{ name: "X-Typoguard-Override", value }];

let instance = 0;
/** Loads a fresh copy of background.js wired to a new fake messenger. */
async function boot(opts = {}) {
  const log = [];
  const m = fakeMessenger({ host: opts.host === null ? null : (opts.host ?? scriptedHost({ log, delayMs: opts.delayMs ?? 0 })), ...opts });
  m.hostLog = log;
  globalThis.messenger = m;
  await import(`../../extension/background.js?instance=${++instance}`);
  return m;
}

/** Plays the user: when the dialog window opens, read its model and answer. */
function answerDialog(m, pick) {
  m.onWindowCreated = async (win) => {
    const token = new URL(win.url, "moz-extension://fake/").searchParams.get("token");
    const data = await m.runtime.sendMessage({ type: "dialog-ready", token });
    m.lastModel = data.model;
    const answer = pick(data.model, win);
    if (answer === "close") await m.windows.remove(win.id);
    else await m.runtime.sendMessage({ type: "dialog-answer", token, answer });
  };
}

const send = (m, details, tabId = 1) => m.compose.onBeforeSend.fire({ id: tabId }, { from: "Jane Roe <jane.roe@mail.mil>", ...details })[0];
/** Fires onAfterSend, then waits (up to 500 ms) for the learn it starts in the background. */
async function afterSend(m, tabId = 1, error) {
  const learned = () => m.hostLog.filter((x) => x.type === "learn").length;
  const before = learned();
  await Promise.all(m.compose.onAfterSend.fire({ id: tabId }, { mode: "sendNow", error }));
  for (let waited = 0; waited < 500 && learned() === before; waited += 5) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
const checks = (m) => m.hostLog.filter((x) => x.type === "check");

test("clean recipients: no dialog, the mail goes, then the recipients are learned", async () => {
  const m = await boot();
  const result = await send(m, { to: ["someone@example.org"], cc: ["Colleague <c@mail.mil>"] });
  assert.deepEqual(result, {});
  assert.equal(m.windowsCreated.length, 0);
  assert.equal(m.ports.length, 1);
  assert.deepEqual(m.hostLog.map((x) => x.type), ["hello", "check"]);
  assert.equal(checks(m)[0].sender, "Jane Roe <jane.roe@mail.mil>");
  await afterSend(m);
  assert.deepEqual(m.hostLog.at(-1), { type: "learn", id: m.hostLog.at(-1).id, addresses: ["someone@example.org", "Colleague <c@mail.mil>"] });
});

test("the after-send listener does not wait for the host: Thunderbird awaits it before the send is done", async () => {
  const m = await boot({ delayMs: 300 });
  await send(m, { to: ["someone@example.org"] });
  const t0 = Date.now();
  const [ret] = m.compose.onAfterSend.fire({ id: 1 }, { mode: "sendNow" });
  await ret;
  assert.ok(Date.now() - t0 < 150, `the listener returned after ${Date.now() - t0} ms`);
  for (let i = 0; i < 200 && !m.hostLog.some((x) => x.type === "learn"); i++) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  assert.ok(m.hostLog.some((x) => x.type === "learn"), "the recipients are still learned");
});

test("the key case: block, dialog, fix-and-send returns the corrected To with the name kept", async () => {
  const m = await boot();
  answerDialog(m, () => ({ action: "fix", keep: [] }));
  const result = await send(m, { to: ["John Doe <john.doe@army.ml>"] });
  assert.deepEqual(result, { details: { to: ["John Doe <john.doe@army.mil>"] } });
  assert.equal(m.windowsCreated[0].type, "popup");
  assert.equal(m.lastModel.focus, "go-back");
  assert.equal(m.lastModel.buttons.send.enabled, false);
  await afterSend(m);
  assert.deepEqual(m.hostLog.at(-1).addresses, ["John Doe <john.doe@army.mil>"], "the corrected address is learned");
});

test("send-anyway on a warning sends as typed; go-back and closing the window cancel", async () => {
  const m = await boot();
  answerDialog(m, () => ({ action: "send" }));
  // As typed, with the header that tells the organisation's mail server (typoguard-milter) so.
  assert.deepEqual(await send(m, { to: ["ops@gmial.com"] }),
                   { details: { customHeaders: overrideOf("ops@gmial.com") } });
  answerDialog(m, () => ({ action: "back" }));
  assert.deepEqual(await send(m, { to: ["ops@gmial.com"] }, 2), { cancel: true });
  answerDialog(m, () => "close");
  assert.deepEqual(await send(m, { to: ["ops@gmial.com"] }, 3), { cancel: true });
  assert.equal(m.ports.length, 1, "one port for every send");
  await afterSend(m, 2, "Send aborted by an onBeforeSend event");
  assert.equal(m.hostLog.filter((x) => x.type === "learn").length, 0, "a cancelled send is not learned");
});

test("send-anyway cannot send a blocked address, even if the page asks", async () => {
  const m = await boot();
  answerDialog(m, () => ({ action: "send" }));
  assert.deepEqual(await send(m, { to: ["John Doe <john.doe@army.ml>"] }), { cancel: true });
});

test("allow_override from the administrator enables send-anyway on a block", async () => {
  const m = await boot({ managed: { allow_override: true } });
  answerDialog(m, (model) => (model.buttons.send.enabled ? { action: "send" } : { action: "back" }));
  assert.deepEqual(await send(m, { to: ["John Doe <john.doe@army.ml>"] }),
                   { details: { customHeaders: overrideOf("john.doe@army.ml") } });
  assert.deepEqual(checks(m)[0].policy, { allow_override: true });
});

test("host missing, fail_mode open (default): the mail goes and a notification says why", async () => {
  const m = await boot({ host: null });
  assert.deepEqual(await send(m, { to: ["John Doe <john.doe@army.ml>"] }), {});
  assert.equal(m.windowsCreated.length, 0);
  await new Promise((r) => setTimeout(r, 10));
  assert.equal(m.notificationsShown.length, 1);
  assert.equal(m.notificationsShown[0].message,
    "typoguard could not check the recipients (the helper program did not answer). Run typoguard-host --selftest.");
});

test("host missing, fail_mode closed: cancelled, explained in a dialog with only go-back", async () => {
  const m = await boot({ host: null, managed: { fail_mode: "closed" } });
  answerDialog(m, () => ({ action: "send" }));
  assert.deepEqual(await send(m, { to: ["someone@example.org"] }), { cancel: true });
  assert.equal(m.lastModel.mode, "failed");
  assert.equal(m.lastModel.reason, "failureMissing");
  assert.equal(m.lastModel.buttons.send.shown, false);
  assert.equal(m.lastModel.buttons.fix.shown, false);
  assert.equal(m.notificationsShown.length, 0);
});

test("a host that is too slow: after the timeout, fail_mode decides; the next send reconnects", async () => {
  const m = await boot({ delayMs: 60000 });
  const started = Date.now();
  assert.deepEqual(await send(m, { to: ["someone@example.org"] }), {});
  const waited = Date.now() - started;
  assert.ok(waited >= 4900 && waited < 6500, `waited ${waited} ms`);
  assert.equal(m.notificationsShown[0].message.includes("did not answer in time"), true);
  const again = send(m, { to: ["someone@example.org"] });
  for (let i = 0; i < 100 && m.ports.length < 2; i++) await new Promise((r) => setTimeout(r, 5));
  assert.equal(m.ports.length, 2, "a new port after the timeout");
  const [hello, check] = m.ports[1].sent;
  m.ports[1].reply({ ...recorded("hello").reply, id: hello.id }); // the real host's replies
  m.ports[1].reply({ ...recorded("first other").reply, id: check.id });
  assert.deepEqual(await again, {});
});

test("a crashed host is reconnected on the next send", async () => {
  const m = await boot();
  await send(m, { to: ["someone@example.org"] });
  m.ports[0].drop("the helper program stopped");
  assert.deepEqual(await send(m, { to: ["someone@example.org"] }, 2), {});
  assert.equal(m.ports.length, 2);
  assert.equal(m.notificationsShown.length, 0);
});

const until = async (cond) => {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
};

test("user settings travel with the check, the address book once per host; learn=false stops learning", async () => {
  const vCard = "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:John Doe\r\nEMAIL:john.doe@army.mil\r\nEND:VCARD\r\n";
  const m = await boot({ local: { settings: { first_contact: "warn", learn: false, org_domains: ["mail.mil"] } },
                         books: [{ id: "ab", contacts: [{ id: "c", vCard }], mailingLists: [] }] });
  m.windows.onCreated.fire({ id: 7, type: "messageCompose" }); // the read starts now, not in 5 s
  await until(() => m.addressBooks.calls["contacts.list"] === 1);
  await new Promise((r) => setTimeout(r, 20));
  await send(m, { to: ["someone@example.org"] });
  const req = checks(m)[0];
  assert.deepEqual(req.settings, { first_contact: "warn", learn: false, org_domains: ["mail.mil"] });
  assert.equal(req.known, undefined, "the check does not carry the book");
  assert.deepEqual(req.book, ["John Doe <john.doe@army.mil>"], "the host had it when it checked");
  assert.equal(req.policy, undefined, "no managed storage, no policy");
  assert.equal(m.addressBooks.calls.listComplete, undefined, "never addressBooks.list(true)");
  await afterSend(m);
  assert.equal(m.hostLog.filter((x) => x.type === "learn").length, 0);
  // a new contact: the next check is preceded by that change only
  const vCard2 = "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Ann\r\nEMAIL:ann@example.org\r\nEND:VCARD\r\n";
  m.addressBooks.contacts.onCreated.fire({ id: "c2", parentId: "ab", type: "contact", vCard: vCard2 });
  await send(m, { to: ["someone@example.org"] }, 2);
  const bookFrames = m.hostLog.filter((x) => x.type === "book");
  assert.equal(bookFrames.length, 2);
  assert.deepEqual(bookFrames[1].add, ["Ann <ann@example.org>"]);
  assert.equal(bookFrames[1].base, bookFrames[0].version);
  assert.deepEqual(checks(m)[1].book.sort(), ["Ann <ann@example.org>", "John Doe <john.doe@army.mil>"]);
  assert.equal(m.addressBooks.calls["contacts.list"], 1, "no re-read after a change");
  // a third send with nothing new sends no book frame; a new host gets the whole book
  await send(m, { to: ["someone@example.org"] }, 3);
  assert.equal(m.hostLog.filter((x) => x.type === "book").length, 2);
  m.ports[0].drop("the helper program stopped");
  await send(m, { to: ["someone@example.org"] }, 4);
  const last = m.hostLog.filter((x) => x.type === "book").at(-1);
  assert.equal(last.base, undefined);
  assert.equal(last.add.length, 2);
  assert.equal(checks(m).at(-1).book.length, 2);
});

test("a change of the address book reaches the host soon after it happens, not with the next Send", async () => {
  const vCard = "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:John Doe\r\nEMAIL:john.doe@army.mil\r\nEND:VCARD\r\n";
  const m = await boot({ books: [{ id: "ab", contacts: [{ id: "c", vCard }], mailingLists: [] }] });
  m.windows.onCreated.fire({ id: 7, type: "messageCompose" });
  await until(() => m.hostLog.some((x) => x.type === "book"));
  await new Promise((r) => setTimeout(r, 50)); // start-up settled: no sync of its own is pending
  assert.equal(m.hostLog.filter((x) => x.type === "book").length, 1, "the whole book once the read is done");
  // what Thunderbird does after a send to someone new: Collected Addresses gets a contact
  const vCard2 = "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:New Person\r\nEMAIL:new.person@example.org\r\nEND:VCARD\r\n";
  m.addressBooks.contacts.onCreated.fire({ id: "c2", parentId: "collected", type: "contact", vCard: vCard2 });
  await until(() => m.hostLog.filter((x) => x.type === "book").length === 2);
  const frames = m.hostLog.filter((x) => x.type === "book");
  assert.equal(frames.length, 2, "the change was sent without a check");
  assert.deepEqual(frames[1].add, ["New Person <new.person@example.org>"]);
  assert.equal(checks(m).length, 0);
  await send(m, { to: ["someone@example.org"] });
  assert.equal(m.hostLog.filter((x) => x.type === "book").length, 2, "the Send carries no book frame");
});

test("an older host without `book`: the checks carry the address book again", async () => {
  const vCard = "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:John Doe\r\nEMAIL:john.doe@army.mil\r\nEND:VCARD\r\n";
  const log = [];
  const modern = scriptedHost({ log });
  const old = (msg, port) => (msg.type === "book" ? (log.push(msg), { type: "error", id: msg.id, code: "unknown_type", message: "type must be hello, check or learn" }) : modern(msg, port));
  const m = await boot({ host: old, books: [{ id: "ab", contacts: [{ id: "c", vCard }], mailingLists: [] }] });
  m.hostLog = log;
  m.windows.onCreated.fire({ id: 7, type: "messageCompose" }); // the read starts now, not in 5 s
  await until(() => m.addressBooks.calls["contacts.list"] === 1);
  await new Promise((r) => setTimeout(r, 20));
  await send(m, { to: ["someone@example.org"] });
  await send(m, { to: ["someone@example.org"] }, 2);
  assert.deepEqual(checks(m)[1].known, { domains: ["army.mil"], addresses: ["John Doe <john.doe@army.mil>"] });
  assert.equal(log.filter((x) => x.type === "book").length, 1, "asked once");
});

test("no recipients: nothing to ask, the send goes on", async () => {
  const m = await boot();
  assert.deepEqual(await send(m, { to: [], cc: [] }), {});
  assert.equal(m.ports.length, 0);
});

test("the compose action checks now and writes the fix into the compose window", async () => {
  const m = await boot();
  let written = null;
  m.compose.getComposeDetails = async () => ({ from: "jane.roe@mail.mil", to: ["John Doe <john.doe@army.ml>"], cc: ["x@example.org"] });
  m.compose.setComposeDetails = async (tabId, d) => { written = [tabId, d]; };
  answerDialog(m, () => ({ action: "fix", keep: [] }));
  await Promise.all(m.composeAction.onClicked.fire({ id: 7 }));
  assert.equal(m.lastModel.mode, "check");
  assert.equal(m.lastModel.buttons.send.shown, false);
  assert.deepEqual(written, [7, { to: ["John Doe <john.doe@army.mil>"] }]);
  m.compose.getComposeDetails = async () => ({ to: ["someone@example.org"] });
  await Promise.all(m.composeAction.onClicked.fire({ id: 7 }));
  assert.equal(m.notificationsShown.at(-1).message, "No problems found in the recipients.");
});

test("opening a compose window starts the host, so the first send does not wait for it", async () => {
  const m = await boot();
  m.windows.onCreated.fire({ id: 3, type: "normal" });
  await new Promise((r) => setTimeout(r, 10));
  assert.equal(m.ports.length, 0, "not for other windows");
  m.windows.onCreated.fire({ id: 4, type: "messageCompose" });
  await new Promise((r) => setTimeout(r, 10));
  assert.equal(m.ports.length, 1);
  assert.deepEqual(m.hostLog.map((x) => x.type), ["hello"]);
  await send(m, { to: ["someone@example.org"] });
  assert.deepEqual(m.hostLog.map((x) => x.type), ["hello", "check"], "no second hello on the warm port");
  assert.equal(m.ports.length, 1);
});

test("what is learned after fix-and-send is what was sent: a blocked row cannot be kept", async () => {
  const m = await boot();
  answerDialog(m, () => ({ action: "fix", keep: [0, 1] }));
  const result = await send(m, { to: ["John Doe <john.doe@army.ml>"], cc: ["ops@gmial.com"] });
  assert.deepEqual(result, { details: { to: ["John Doe <john.doe@army.mil>"],
                                        customHeaders: overrideOf("ops@gmial.com") } });
  await afterSend(m);
  assert.deepEqual(m.hostLog.at(-1).addresses, ["John Doe <john.doe@army.mil>", "ops@gmial.com"]);
});

// ---- checks ahead of Send (extension/modules/ahead.js) ---------------------------------------

const JANE = "Jane Roe <jane.roe@mail.mil>";
const checked = (m, n) => until(() => checks(m).length === n);

test("a reply's recipients are checked while it is written, and its Send takes that answer", async () => {
  const m = await boot();
  const tab = await m.openCompose({ from: JANE, to: ["John Doe <john.doe@army.ml>"] });
  await checked(m, 1);
  answerDialog(m, () => ({ action: "fix", keep: [] }));
  const result = await send(m, { to: ["John Doe <john.doe@army.ml>"] }, tab);
  assert.equal(checks(m).length, 1, "the Send did not ask the host again");
  assert.deepEqual(result, { details: { to: ["John Doe <john.doe@army.mil>"] } }, "the same dialog, the same fix");
  assert.equal(m.windowsCreated.length, 1, "no dialog for the check ahead, one at Send");
});

test("an answer ahead of Send is used only for exactly what was checked, in the same state", async () => {
  const vCard = "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:John Doe\r\nEMAIL:john.doe@army.mil\r\nEND:VCARD\r\n";
  const m = await boot({ books: [{ id: "ab", contacts: [{ id: "c", vCard }], mailingLists: [] }] });
  const tab = await m.openCompose({ from: JANE, to: ["someone@example.org"] });
  await checked(m, 1);
  // recipients changed after the check (no event tells): the Send asks again
  await send(m, { to: ["someone@example.org", "other@example.net"] }, tab);
  assert.equal(checks(m).length, 2);
  assert.equal(checks(m)[1].recipients.length, 2);
  // the same again: that answer stands
  await send(m, { to: ["someone@example.org", "other@example.net"] }, tab);
  assert.equal(checks(m).length, 2);
  // another sender
  await send(m, { from: "Jane <jane@example.com>", to: ["someone@example.org", "other@example.net"] }, tab);
  assert.equal(checks(m).length, 3);
  // something learned since
  await afterSend(m, tab);
  await send(m, { from: "Jane <jane@example.com>", to: ["someone@example.org", "other@example.net"] }, tab);
  assert.equal(checks(m).length, 4, "after a learn the host may answer otherwise");
  // the address book changed since
  const vCard2 = "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Ann\r\nEMAIL:ann@example.org\r\nEND:VCARD\r\n";
  m.addressBooks.contacts.onCreated.fire({ id: "c2", parentId: "ab", type: "contact", vCard: vCard2 });
  await send(m, { from: "Jane <jane@example.com>", to: ["someone@example.org", "other@example.net"] }, tab);
  assert.equal(checks(m).length, 5, "after a book change the host may answer otherwise");
  // a new host process
  m.ports[0].drop("the helper program stopped");
  await send(m, { from: "Jane <jane@example.com>", to: ["someone@example.org", "other@example.net"] }, tab);
  assert.equal(checks(m).length, 6, "a new host may have read another history or policy");
  // another compose tab with the same recipients does not take this tab's answer
  await send(m, { from: "Jane <jane@example.com>", to: ["someone@example.org", "other@example.net"] }, tab + 1);
  assert.equal(checks(m).length, 7);
  // a closed tab's answer is gone
  m.closeCompose(tab);
  await send(m, { from: "Jane <jane@example.com>", to: ["someone@example.org", "other@example.net"] }, tab);
  assert.equal(checks(m).length, 8);
});

test("recipients typed into a new message are checked when Send becomes possible", async () => {
  const m = await boot();
  const tab = await m.openCompose({ from: JANE, to: [] });
  await new Promise((r) => setTimeout(r, 600));
  assert.equal(checks(m).length, 0, "no recipients, nothing asked");
  await m.compose.setComposeDetails(tab, { to: ["ops@gmial.com"] }); // the user types; no event
  m.compose.onComposeStateChanged.fire({ id: tab }, { canSendNow: true, canSendLater: true });
  await checked(m, 1);
  assert.equal(m.notificationsShown.length, 0, "a check ahead shows nothing");
  answerDialog(m, () => ({ action: "send" }));
  const result = await send(m, { to: ["ops@gmial.com"] }, tab);
  assert.equal(checks(m).length, 1);
  assert.equal(m.lastModel.rows[0].recipient, 0, "the warning shown at Send comes from the answer ahead");
  assert.deepEqual(result, { details: { customHeaders: overrideOf("ops@gmial.com") } });
});

test("a failed check ahead is not kept: the Send asks the host itself", async () => {
  let n = 0;
  const log = [];
  const normal = scriptedHost({ log });
  const flaky = (msg, port) => (msg.type === "check" && n++ === 0 ? (log.push(msg), { type: "error", id: msg.id, code: "internal", message: "x" }) : normal(msg, port));
  const m = await boot({ host: flaky });
  m.hostLog = log;
  const tab = await m.openCompose({ from: JANE, to: ["ops@gmial.com"] });
  await checked(m, 1);
  answerDialog(m, () => ({ action: "send" }));
  await send(m, { to: ["ops@gmial.com"] }, tab);
  assert.equal(checks(m).length, 2);
  assert.equal(m.windowsCreated.length, 1, "the warning of the Send's own check");
});

test("under a list file (re-read by the host when it changes) no answer is reused", async () => {
  for (const opts of [{ managed: { blocked_domains_file: "/etc/org/deny.txt" } },
                      { local: { settings: { trusted_domains_file: "/home/jane/partners.txt" } } }]) {
    const m = await boot(opts);
    const tab = await m.openCompose({ from: JANE, to: ["someone@example.org"] });
    await checked(m, 1);
    await send(m, { to: ["someone@example.org"] }, tab);
    assert.equal(checks(m).length, 2, `asked again with ${JSON.stringify(opts)}`);
  }
});
