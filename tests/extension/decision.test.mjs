// What a send does with the host's answer or its silence (extension/modules/decision.js).
import { test } from "node:test";
import assert from "node:assert/strict";
import { decide, failureReason } from "../../extension/modules/decision.js";
import { HostError } from "../../extension/modules/host.js";
import { recorded } from "./fake-messenger.mjs";

const result = (verdict, findings = []) => ({ type: "result", id: 1, verdict, findings });
// The well-formed replies are the real host's (fixtures/host-replies.json).

for (const [name, input, want] of [
  ["ok sends", { reply: recorded("clean").reply, nRecipients: 1, failMode: "closed" }, { action: "send" }],
  ["info sends without a dialog", { reply: recorded("first").reply, nRecipients: 1, failMode: "open" }, { action: "send" }],
  ["warn opens the dialog", { reply: recorded("near").reply, nRecipients: 1, failMode: "open" }, { action: "dialog" }],
  ["block opens the dialog", { reply: recorded("key case").reply, nRecipients: 1, failMode: "open" }, { action: "dialog" }],
  ["timeout, open: send and notify", { error: new HostError("timeout", "slow"), nRecipients: 1, failMode: "open" }, { action: "send", notify: "failureTimeout" }],
  ["timeout, closed: explain in the dialog", { error: new HostError("timeout", "slow"), nRecipients: 1, failMode: "closed" }, { action: "fail-dialog", reason: "failureTimeout" }],
  ["missing host, open", { error: new HostError("disconnected", "No such native application typoguard"), nRecipients: 1, failMode: "open" }, { action: "send", notify: "failureMissing" }],
  ["crashed host, closed", { error: new HostError("disconnected", "the helper program stopped"), nRecipients: 1, failMode: "closed" }, { action: "fail-dialog", reason: "failureCrashed" }],
  ["host error reply, open", { reply: { type: "error", id: 1, code: "internal", message: "x" }, nRecipients: 1, failMode: "open" }, { action: "send", notify: "failureBadReply" }],
  ["malformed result, closed", { reply: { type: "result", verdict: "maybe", findings: [] }, nRecipients: 1, failMode: "closed" }, { action: "fail-dialog", reason: "failureBadReply" }],
  ["finding outside the request counts as malformed", { reply: result("warn", [{ recipient: 5, code: "x" }]), nRecipients: 1, failMode: "open" }, { action: "send", notify: "failureBadReply" }],
  ["unknown fail_mode behaves as open", { error: new HostError("timeout", "slow"), nRecipients: 1, failMode: undefined }, { action: "send", notify: "failureTimeout" }],
]) {
  test(`decide: ${name}`, () => {
    const got = decide(input);
    delete got.detail;
    assert.deepEqual(got, want);
  });
}

test("every failure reason is a message in every locale", async () => {
  const { localeMessages } = await import("./fake-messenger.mjs");
  for (const lang of ["en", "de", "fr"]) {
    const { messages } = localeMessages(lang);
    for (const code of ["timeout", "unavailable", "disconnected", "other"]) {
      const key = failureReason({ code });
      assert.ok(messages[key]?.message.includes("typoguard-host --selftest"), `${lang} ${key}`);
    }
  }
  assert.equal(localeMessages("en").messages.failureMissing.message,
    "typoguard could not check the recipients (the helper program did not answer). Run typoguard-host --selftest.");
});
