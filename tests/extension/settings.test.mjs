// Settings: sanitising managed/local values and who wins (extension/modules/settings.js).
import { test } from "node:test";
import assert from "node:assert/strict";
import { sanitize, effective, lockedKeys, DEFAULTS } from "../../extension/modules/settings.js";

test("sanitize keeps known keys with the right types only", () => {
  assert.deepEqual(sanitize({
    org_domains: ["Mail.MIL", " army.mil ", "", 5, "army.mil"], trusted_domains: "a.org, b.org;c.org",
    flag_external: "loud", first_contact: "warn", allow_override: "true", fail_mode: "closed", learn: 0,
    blocked_tlds: ["ml"], trusted_domains_file: "/etc/typoguard/partners.txt", unknown: 1,
  }), {
    org_domains: ["mail.mil", "army.mil"], trusted_domains: ["a.org", "b.org", "c.org"], first_contact: "warn",
    allow_override: true, fail_mode: "closed", blocked_tlds: ["ml"], trusted_domains_file: "/etc/typoguard/partners.txt",
  });
  assert.deepEqual(sanitize(null), {});
  assert.deepEqual(sanitize("x"), {});
});

const TABLE = [
  ["defaults", {}, {}, null, DEFAULTS],
  ["the user decides what the administrator left open", {}, { first_contact: "off", learn: false }, null, { first_contact: "off", learn: false }],
  ["the administrator wins", { fail_mode: "closed", allow_override: false }, { fail_mode: "open", allow_override: true }, null, { fail_mode: "closed", allow_override: false }],
  ["lists are merged", { org_domains: ["mail.mil"] }, { org_domains: ["army.mil", "mail.mil"] }, { org_domains: ["navy.mil"], locked: [] }, { org_domains: ["navy.mil", "mail.mil", "army.mil"] }],
  ["a key locked in the host's system policy wins over everything", { fail_mode: "open" }, {}, { fail_mode: "closed", locked: ["fail_mode"] }, { fail_mode: "closed" }],
  ["an unlocked host value does not count", {}, { flag_external: "warn" }, { flag_external: "info", locked: [] }, { flag_external: "warn" }],
  ["a host default cannot loosen allow_override", {}, {}, { allow_override: true, fail_mode: "open", locked: [] }, { allow_override: false }],
];
for (const [name, policy, settings, host, want] of TABLE) {
  test(`effective: ${name}`, () => {
    const got = effective(policy, settings, host);
    for (const [k, v] of Object.entries(want)) assert.deepEqual(got[k], v, k);
  });
}

test("locked keys are the administrator's valid keys", () => {
  assert.deepEqual(lockedKeys({ fail_mode: "closed", flag_external: "shout", org_domains: ["mail.mil"] }).sort(), ["fail_mode", "org_domains"]);
});
