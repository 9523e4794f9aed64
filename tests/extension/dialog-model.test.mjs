// The dialog's rows, buttons and focus, and how answers become send results
// (extension/modules/dialog-model.js; notes/dialog.md).
import { test } from "node:test";
import assert from "node:assert/strict";
import { buildDialogModel, answerToResult, diffParts, BUTTONS } from "../../extension/modules/dialog-model.js";
import { collectRecipients } from "../../extension/modules/recipients.js";
import { findingAt } from "./fake-messenger.mjs";

// The real host's findings (fixtures/host-replies.json), placed in this request's recipients.
const BLOCK = findingAt("key case", 0, "to");
const WARN = findingAt("near", 1, "cc");
const WARN_NOFIX = findingAt("external warn", 1, "cc", "external");
const SYNTAX = findingAt("syntax", 0, "to");
const INFO = findingAt("first other", 2, "cc");
const DETAILS = { to: ["John Doe <john.doe@army.ml>"], cc: ["ops@gmial.com", "someone@example.org"] };

const verdictOf = (fs) => ["ok", "info", "warn", "block"][Math.max(0, ...fs.map((f) => ["ok", "info", "warn", "block"].indexOf(f.severity)))];

// name, findings, allowOverride, mode → fix enabled, send shown, send enabled, focus
const TABLE = [
  ["block: send-anyway off, focus go-back", [BLOCK], false, "send", true, true, false, BUTTONS.back],
  ["block with allow_override: send-anyway on, focus still go-back", [BLOCK], true, "send", true, true, true, BUTTONS.back],
  ["warn, every row fixable: focus fix-and-send", [WARN], false, "send", true, true, true, BUTTONS.fix],
  ["warn without a suggestion: focus go-back, no fix", [WARN_NOFIX], false, "send", false, true, true, BUTTONS.back],
  ["warn, one row fixable and one not: focus go-back", [{ ...WARN, recipient: 0 }, WARN_NOFIX], false, "send", true, true, true, BUTTONS.back],
  ["block without a suggestion: nothing but go-back", [SYNTAX], false, "send", false, true, false, BUTTONS.back],
  ["unfixable block plus fixable warn: fix would send the block, so off", [SYNTAX, WARN], false, "send", false, true, false, BUTTONS.back],
  ["the compose action's check: no send-anyway", [WARN], false, "check", true, false, true, BUTTONS.fix],
];

for (const [name, findings, allowOverride, mode, fixOn, sendShown, sendOn, focus] of TABLE) {
  test(`dialog model: ${name}`, async () => {
    const recipients = await collectRecipients(DETAILS, null);
    const model = buildDialogModel({ mode, reply: { verdict: verdictOf(findings), findings }, recipients, allowOverride });
    assert.equal(model.buttons.fix.enabled, fixOn, "fix enabled");
    assert.equal(model.buttons.send.shown, sendShown, "send shown");
    assert.equal(model.buttons.send.enabled, sendOn, "send enabled");
    assert.equal(model.focus, focus, "focus");
    assert.equal(model.buttons.back.shown && model.buttons.back.enabled, true);
    assert.equal(model.buttons.send.why, sendOn ? null : "sendAnywayBlocked");
    assert.deepEqual(JSON.parse(JSON.stringify(model)), model, "the model is plain JSON");
  });
}

test("rows: one per recipient, most severe first; info only as quiet lines", async () => {
  const recipients = await collectRecipients(DETAILS, null);
  const extra = { ...INFO, recipient: 0 };
  const model = buildDialogModel({ reply: { verdict: "block", findings: [extra, BLOCK, WARN, INFO] }, recipients });
  assert.deepEqual(model.rows.map((r) => [r.recipient, r.field, r.severity, r.findings.map((f) => f.code)]),
    [[0, "to", "block", ["tld_confusion", "first_contact"]], [1, "cc", "warn", ["near_miss"]]]);
  assert.deepEqual(model.info.map((r) => r.recipient), [2]);
  assert.equal(model.rows[0].typed, "John Doe <john.doe@army.ml>");
  assert.equal(model.rows[0].suggestion, "john.doe@army.mil");
  assert.equal(model.rows[0].canKeep, false, "a blocked address cannot be kept without allow_override");
  assert.equal(model.rows[1].canKeep, true);
});

test("failed mode (fail_mode closed): only go-back", () => {
  const model = buildDialogModel({ mode: "failed", reason: "failureMissing" });
  assert.equal(model.buttons.fix.shown, false);
  assert.equal(model.buttons.send.shown, false);
  assert.equal(model.focus, BUTTONS.back);
  assert.deepEqual(answerToResult({ action: "send" }, { model }), { cancel: true });
});

test("answers: fix sends the corrected fields only, send-anyway sends as typed, back and closing cancel", async () => {
  const recipients = await collectRecipients(DETAILS, null);
  const findings = [BLOCK, WARN, INFO];
  const ctx = { details: DETAILS, recipients, findings };
  const model = buildDialogModel({ reply: { verdict: "block", findings }, recipients, allowOverride: false });
  assert.deepEqual(answerToResult({ action: "fix", keep: [] }, { ...ctx, model }),
    { details: { to: ["John Doe <john.doe@army.mil>"], cc: ["ops@gmail.com", "someone@example.org"] } });
  assert.deepEqual(answerToResult({ action: "fix", keep: [1] }, { ...ctx, model }),
    { details: { to: ["John Doe <john.doe@army.mil>"] } }, "the warned row kept as typed");
  assert.deepEqual(answerToResult({ action: "fix", keep: [0, 1] }, { ...ctx, model }),
    { details: { to: ["John Doe <john.doe@army.mil>"] } }, "a blocked row cannot be kept: it is fixed anyway");
  assert.deepEqual(answerToResult({ action: "send" }, { ...ctx, model }), { cancel: true }, "send-anyway refused on block");
  assert.deepEqual(answerToResult({ action: "back" }, { ...ctx, model }), { cancel: true });
  assert.deepEqual(answerToResult(null, { ...ctx, model }), { cancel: true }, "window closed = go back");
  const lenient = buildDialogModel({ reply: { verdict: "block", findings }, recipients, allowOverride: true });
  assert.deepEqual(answerToResult({ action: "send" }, { ...ctx, model: lenient }), {});
  assert.deepEqual(answerToResult({ action: "fix", keep: [0, 1] }, { ...ctx, model: lenient }), {}, "everything kept: nothing changes");
});

for (const [typed, suggested, want] of [
  ["john.doe@army.ml", "john.doe@army.mil", ["john.doe@army.m", "l", "il", ""]],
  ["ops@gmial.com", "ops@gmail.com", ["ops@gm", "ia", "ai", "l.com"]],
  ["x@usarmy.mil", "x@us.army.mil", ["x@us", "a", ".a", "rmy.mil"]],
  ["a@gmail.con", "a@gmail.com", ["a@gmail.co", "n", "m", ""]],
  ["same@x.org", "same@x.org", ["same@x.org", "", "", ""]],
  ["a@аrmy.mil", "a@army.mil", ["a@", "а", "a", "rmy.mil"]],
]) {
  test(`diffParts ${typed} → ${suggested}`, () => {
    const d = diffParts(typed, suggested);
    assert.deepEqual([d.prefix, d.typed, d.suggested, d.suffix], want);
    assert.equal(d.prefix + d.typed + d.suffix, typed);
    assert.equal(d.prefix + d.suggested + d.suffix, suggested);
  });
}
