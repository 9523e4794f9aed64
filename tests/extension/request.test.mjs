// Building the protocol frames and judging the host's replies (extension/modules/request.js).
import { test } from "node:test";
import assert from "node:assert/strict";
import { buildCheckRequest, buildHelloRequest, buildLearnRequest, validateResult } from "../../extension/modules/request.js";
import { recorded } from "./fake-messenger.mjs";

test("check request carries the protocol fields and only those", () => {
  const req = buildCheckRequest({
    sender: "Jane Roe <jane.roe@mail.mil>",
    recipients: [
      { field: "to", address: "John Doe <john.doe@army.ml>", position: 0, list: null },
      { field: "cc", address: "ops@gmial.com", position: 0, list: null },
    ],
    known: { domains: ["army.mil"], addresses: ["John Doe <john.doe@army.mil>"] },
    policy: { org_domains: ["mail.mil", "army.mil"], bogus: 1 },
    settings: { first_contact: "warn", flag_external: "loud" },
  });
  assert.deepEqual(req, {
    type: "check",
    recipients: [{ field: "to", address: "John Doe <john.doe@army.ml>" }, { field: "cc", address: "ops@gmial.com" }],
    sender: "Jane Roe <jane.roe@mail.mil>",
    known: { domains: ["army.mil"], addresses: ["John Doe <john.doe@army.mil>"] },
    policy: { org_domains: ["mail.mil", "army.mil"] },
    settings: { first_contact: "warn" },
  });
});

test("empty optional parts are left out", () => {
  const req = buildCheckRequest({ recipients: [{ field: "bcc", address: "a@b.c" }], known: { domains: [], addresses: [] }, policy: {}, settings: undefined });
  assert.deepEqual(req, { type: "check", recipients: [{ field: "bcc", address: "a@b.c" }] });
  assert.deepEqual(buildHelloRequest(), { type: "hello" });
  assert.deepEqual(buildHelloRequest({ policy: { fail_mode: "closed" } }), { type: "hello", policy: { fail_mode: "closed" } });
  assert.deepEqual(buildLearnRequest(["a@b.c", "", 7, "X <x@y.z>"]), { type: "learn", addresses: ["a@b.c", "X <x@y.z>"] });
});

// The real host's replies (fixtures/host-replies.json), and broken ones made from them.
const good = recorded("key case").reply;
for (const [name, reply, n, ok] of [
  ["well-formed result", good, 1, true],
  ["several findings for several recipients", recorded("override").reply, 4, true],
  ["ok with no findings", recorded("clean").reply, 3, true],
  ["the host's error reply", recorded("unknown type").reply, 1, false],
  ["host error", { type: "error", id: 1, code: "internal", message: "boom" }, 1, false],
  ["hello instead of result", { type: "hello" }, 1, false],
  ["unknown verdict", { ...good, verdict: "fine" }, 1, false],
  ["findings missing", { type: "result", verdict: "ok" }, 1, false],
  ["finding for a recipient not in the request", good, 0, false],
  ["finding index not an integer", { ...good, findings: [{ recipient: "0", code: "x" }] }, 1, false],
  ["finding without code", { ...good, findings: [{ recipient: 0 }] }, 1, false],
  ["not an object", null, 1, false],
]) {
  test(`validateResult: ${name}`, () => {
    assert.equal(validateResult(reply, n) === null, ok);
  });
}
