// The answers kept from checks ahead of Send (extension/modules/ahead.js): when one may stand in
// for a check at Send, how long, how many.
import { test } from "node:test";
import assert from "node:assert/strict";
import { AheadAnswers, AHEAD_TTL_MS, AHEAD_MAX_TABS, reusable } from "../../extension/modules/ahead.js";

const req = (to) => ({ type: "check", sender: "jane@mail.mil", recipients: [{ field: "to", address: to }] });
const result = { type: "result", verdict: "warn", findings: [] };

test("the same request in the same state finds the answer; the request id does not matter", () => {
  const a = new AheadAnswers();
  a.remember(1, a.key({ ...req("x@gmial.com"), id: 4 }, "v1"), result);
  assert.equal(a.lookup(1, a.key({ ...req("x@gmial.com"), id: 9 }, "v1")), result);
  assert.equal(a.lookup(1, a.key(req("y@gmial.com"), "v1")), null, "another recipient");
  assert.equal(a.lookup(1, a.key(req("x@gmial.com"), "v2")), null, "another book version");
  assert.equal(a.lookup(2, a.key(req("x@gmial.com"), "v1")), null, "another tab");
});

test("a learn or a new host process makes every kept answer unusable", () => {
  for (const change of [(a) => a.learned++, (a) => a.hosts++]) {
    const a = new AheadAnswers();
    a.remember(1, a.key(req("x@gmial.com"), null), result);
    change(a);
    assert.equal(a.lookup(1, a.key(req("x@gmial.com"), null)), null);
  }
});

test("errors are not kept; an answer expires after AHEAD_TTL_MS", () => {
  let now = 1000;
  const a = new AheadAnswers({ now: () => now });
  const k = a.key(req("x@gmial.com"), null);
  a.remember(1, k, { type: "error", code: "internal" });
  assert.equal(a.lookup(1, k), null);
  a.remember(1, k, result);
  now += AHEAD_TTL_MS;
  assert.equal(a.lookup(1, k), result, "still within the limit");
  now += 1;
  assert.equal(a.lookup(1, k), null, "too old");
});

test(`at most ${AHEAD_MAX_TABS} tabs are kept, the oldest goes first`, () => {
  const a = new AheadAnswers();
  const k = a.key(req("x@gmial.com"), null);
  for (let tab = 0; tab <= AHEAD_MAX_TABS; tab++) a.remember(tab, k, result);
  assert.equal(a.answers.size, AHEAD_MAX_TABS);
  assert.equal(a.lookup(0, k), null);
  assert.equal(a.lookup(AHEAD_MAX_TABS, k), result);
  a.forget(AHEAD_MAX_TABS);
  assert.equal(a.lookup(AHEAD_MAX_TABS, k), null);
});

test("reusable: only when the host's settings are known and no list file is named anywhere", () => {
  const plain = { trusted_domains_file: null, blocked_domains_file: null, org_domains: [] };
  assert.equal(reusable(req("x@gmial.com"), plain), true);
  assert.equal(reusable(req("x@gmial.com"), null), false, "no hello answered yet");
  assert.equal(reusable(req("x@gmial.com"), { ...plain, blocked_domains_file: "/etc/deny" }), false);
  assert.equal(reusable({ ...req("x@gmial.com"), policy: { trusted_domains_file: "/p" } }, plain), false);
  assert.equal(reusable({ ...req("x@gmial.com"), settings: { blocked_domains_file: "/s" } }, plain), false);
});
