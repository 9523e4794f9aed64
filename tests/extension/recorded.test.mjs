// The fake host against the real one: fixtures/host-replies.json holds typoguard-host's replies
// (record-replies.py; the ctest extension/host-replies keeps it equal to the built host). The
// fake answers from it, and where it computes a reply (book, learn, a check of several
// recipients) it must give what the real host gave.
import { test } from "node:test";
import assert from "node:assert/strict";
import { FakePort, HOST_REPLIES, scriptedHost } from "./fake-messenger.mjs";

test("the fixture says it is generated, by which script and from which host", () => {
  assert.match(HOST_REPLIES.generated,
               /^by tests\/extension\/record-replies\.py from typoguard-host \S+: do not edit/);
  assert.equal(HOST_REPLIES.exchanges[0].reply.version, HOST_REPLIES.host_version);
  for (const { reply } of HOST_REPLIES.exchanges) {
    if ("elapsed_us" in reply) assert.equal(reply.elapsed_us, 0);
  }
});

test("replayed in order, the fake host gives the recorded replies not made in context", () => {
  const host = scriptedHost();
  const port = new FakePort(null);
  let compared = 0;
  for (const { name, request, reply } of HOST_REPLIES.exchanges) {
    // Checks with known, policy or settings depend on what the fake does not model (it answers
    // by address alone); the words and background tests use those replies directly.
    if (request.type === "check" && (request.known || request.policy || request.settings)) continue;
    // After learn, the real host trusts the learned domains; the fake has no history.
    if (name === "after learn") continue;
    const got = host(structuredClone(request), port);
    if (request.type === "check") delete request.book;
    assert.deepEqual(got, reply, name);
    compared++;
  }
  assert.ok(compared >= 25, `compared ${compared}`);
});
