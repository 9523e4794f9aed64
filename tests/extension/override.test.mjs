// The header that names the recipients the user sent to anyway (extension/modules/override.js),
// as typoguard-milter reads it (host/milter/message.c: X-Typoguard-Override, comma-separated).
import { test } from "node:test";
import assert from "node:assert/strict";
import { buildDialogModel, answerToResult } from "../../extension/modules/dialog-model.js";
import {
  confirmedAddresses, overrideHeaders, withOverrideHeader, OVERRIDE_HEADER, MAX_OVERRIDE_BYTES,
} from "../../extension/modules/override.js";
import { recorded } from "./fake-messenger.mjs";

const recipients = [
  { field: "to", address: "John Doe <john.doe@army.ml>", position: 0, list: null },
  { field: "to", address: "ops@gmial.com", position: 1, list: null },
  { field: "cc", address: "ok@army.mil", position: 0, list: null },
  { field: "cc", address: "x@odd-place.org", position: 1, list: null },
];
// The real host's reply to these recipients (fixtures/host-replies.json), with flag_external
// warn: x@odd-place.org is warned about without a correction.
const reply = recorded("override").reply;
const findings = reply.findings;
const details = { to: ["John Doe <john.doe@army.ml>", "ops@gmial.com"],
                  cc: ["ok@army.mil", "x@odd-place.org"],
                  customHeaders: [{ name: "X-Other", value: "kept" }] };
const model = buildDialogModel({ mode: "send", reply, recipients, allowOverride: true });

test("send anyway: every warned or blocked recipient, bare, info ones not", () => {
  assert.deepEqual(confirmedAddresses(model, { action: "send" }),
                   ["john.doe@army.ml", "ops@gmial.com", "x@odd-place.org"]);
});

test("fix and send: only the kept ones and those without a correction", () => {
  assert.deepEqual(confirmedAddresses(model, { action: "fix", keep: [1] }),
                   ["ops@gmial.com", "x@odd-place.org"]);
  assert.deepEqual(confirmedAddresses(model, { action: "fix", keep: [] }), ["x@odd-place.org"]);
});

test("a blocked address cannot be kept when overrides are not allowed", () => {
  const strict = buildDialogModel({ mode: "send", reply, recipients, allowOverride: false });
  assert.deepEqual(confirmedAddresses(strict, { action: "fix", keep: [0, 1] }),
                   ["ops@gmial.com", "x@odd-place.org"]);
});

test("go back and a closed window name nobody", () => {
  assert.deepEqual(confirmedAddresses(model, { action: "back" }), []);
  assert.deepEqual(confirmedAddresses(model, null), []);
});

test("the onBeforeSend result gets the header beside its corrections and the other headers", () => {
  const answer = { action: "fix", keep: [1] };
  const result = answerToResult(answer, { model, details, recipients, findings });
  const out = withOverrideHeader(result, answer, { model, details });
  assert.deepEqual(out.details.to, ["John Doe <john.doe@army.mil>", "ops@gmial.com"]);
  assert.deepEqual(out.details.customHeaders, [
    { name: "X-Other", value: "kept" },
    { name: OVERRIDE_HEADER, value: "ops@gmial.com, x@odd-place.org" },
  ]);
  const sent = withOverrideHeader({}, { action: "send" }, { model, details });
  assert.equal(sent.details.customHeaders.at(-1).value,
               "john.doe@army.ml, ops@gmial.com, x@odd-place.org");
  assert.deepEqual(Object.keys(sent.details), ["customHeaders"]);
});

test("a cancelled send is left alone", () => {
  assert.deepEqual(withOverrideHeader({ cancel: true }, { action: "send" }, { model, details }),
                   { cancel: true });
});

test("an override header on the message is replaced, or removed when nobody is confirmed", () => {
  const old = [{ name: "x-typoguard-override", value: "forged@example.com" },
               { name: "X-Other", value: "1" }];
  assert.deepEqual(overrideHeaders(old, ["a@b.example"]),
                   [{ name: "X-Other", value: "1" },
                    { name: OVERRIDE_HEADER, value: "a@b.example" }]);
  assert.deepEqual(overrideHeaders(old, []), [{ name: "X-Other", value: "1" }]);
  assert.equal(overrideHeaders([{ name: "X-Other", value: "1" }], []), null);
  assert.equal(overrideHeaders(undefined, []), null);
});

test("nothing that could break the header or the milter's parsing is carried", () => {
  const rows = ["a@b.example", "evil@x.example\r\nBcc: y@z.example", "c,d@e.example",
                "<f@g.example>", "no-at-sign", 7]
    .map((address, recipient) => ({ recipient, address, replacement: null, canKeep: false }));
  assert.deepEqual(confirmedAddresses({ rows }, { action: "send" }), ["a@b.example"]);
});

test("the header stays within the milter's bound; duplicates are named once", () => {
  const many = Array.from({ length: 5000 },
                          (_, i) => `person.number.${i}@partner-firm.example.com`);
  const value = overrideHeaders([], many)[0].value;
  assert.ok(new TextEncoder().encode(value).length <= MAX_OVERRIDE_BYTES);
  assert.ok(value.split(", ").length > 1000);
  const rows = [{ recipient: 0, address: "A@b.example" }, { recipient: 1, address: "a@B.example" }];
  assert.deepEqual(confirmedAddresses({ rows }, { action: "send" }), ["A@b.example"]);
});
