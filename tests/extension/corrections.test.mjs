// Applying the host's corrections to the compose details (extension/modules/corrections.js).
import { test } from "node:test";
import assert from "node:assert/strict";
import { applyCorrections, finalAddresses } from "../../extension/modules/corrections.js";
import { collectRecipients } from "../../extension/modules/recipients.js";
import { findingAt } from "./fake-messenger.mjs";

// The real host's findings (fixtures/host-replies.json) for John Doe <john.doe@army.ml> and
// ops@gmial.com, placed at recipient i in field. The cases with hand-written findings feed
// shapes this host does not send (no replacement, a Last, First name, several corrections for
// one recipient) that the module must still handle.
const tld = (i, field) => findingAt("key case", i, field);
const near = (i, field) => findingAt("near", i, field);

const cases = [
  {
    name: "the key case: display name kept, only To changed",
    details: { to: ["John Doe <john.doe@army.ml>"], cc: ["ops@example.org"] },
    findings: [tld(0, "to")],
    want: { to: ["John Doe <john.doe@army.mil>"] },
  },
  {
    name: "position kept among other recipients",
    details: { to: ["a@example.org", "John Doe <john.doe@army.ml>", "b@example.org"] },
    findings: [tld(1, "to")],
    want: { to: ["a@example.org", "John Doe <john.doe@army.mil>", "b@example.org"] },
  },
  {
    name: "only a bare suggestion: the typed display name is put back",
    details: { cc: ['"Doe, John" <john.doe@army.ml>'] },
    findings: [{ recipient: 0, field: "cc", code: "tld_confusion", severity: "block", suggestion: "john.doe@army.mil" }],
    want: { cc: ['"Doe, John" <john.doe@army.mil>'] },
  },
  {
    name: "an unquoted \"Last, First\" name: kept, and quoted in the fix (bare suggestion)",
    details: { to: ["Smith, John <john.smith@yahoo.com>"], cc: ["ops@army.mil"] },
    findings: [{ recipient: 0, field: "to", code: "wrong_address", severity: "warn", suggestion: "john.smith@army.mil" }],
    want: { to: ['"Smith, John" <john.smith@army.mil>'] },
  },
  {
    name: "an unquoted \"Last, First\" name: the host's replacement is used as it comes",
    details: { to: ["Smith, John <john.smith@yahoo.com>"] },
    findings: [{ recipient: 0, field: "to", code: "wrong_address", severity: "warn", suggestion: "john.smith@army.mil",
                 replacement: '"Smith, John" <john.smith@army.mil>' }],
    want: { to: ['"Smith, John" <john.smith@army.mil>'] },
  },
  {
    name: "the most severe finding with a correction wins",
    details: { to: ["ops@gmial.com"] },
    findings: [
      { recipient: 0, field: "to", code: "contact_near_miss", severity: "warn", suggestion: "op@gmial.com", replacement: "op@gmial.com" },
      { recipient: 0, field: "to", code: "homoglyph", severity: "block", suggestion: "ops@gmail.com", replacement: "ops@gmail.com" },
      { recipient: 0, field: "to", code: "first_contact", severity: "info" },
    ],
    want: { to: ["ops@gmail.com"] },
  },
  {
    name: "no suggestion: nothing changes",
    details: { to: ["john.doe@"] },
    findings: [findingAt("syntax", 0, "to")],
    want: {},
  },
  {
    name: "a kept recipient stays as typed, others are fixed",
    details: { to: ["John Doe <john.doe@army.ml>"], bcc: ["ops@gmial.com"] },
    findings: [
      tld(0, "to"),
      near(1, "bcc"),
    ],
    keep: new Set([1]),
    want: { to: ["John Doe <john.doe@army.mil>"] },
  },
  {
    name: "replyTo and followupTo are corrected too",
    details: { replyTo: ["ops@gmial.com"], followupTo: ["John Doe <john.doe@army.ml>"] },
    findings: [
      near(0, "replyTo"),
      tld(1, "followupTo"),
    ],
    want: { replyTo: ["ops@gmail.com"], followupTo: ["John Doe <john.doe@army.mil>"] },
  },
];

for (const c of cases) {
  test(`applyCorrections: ${c.name}`, async () => {
    const recipients = await collectRecipients(c.details, null);
    assert.deepEqual(applyCorrections(c.details, recipients, c.findings, c.keep), c.want);
  });
}

test("a corrected member of a mailing list: the list entry becomes its members", async () => {
  const details = { to: ["Team <Team>", "boss@example.org"] };
  const expand = async (e) => (e === "Team <Team>" ? ["Ann <ann@example.org>", "John Doe <john.doe@army.ml>"] : null);
  const recipients = await collectRecipients(details, expand);
  assert.equal(recipients.length, 3);
  const findings = [tld(1, "to")];
  assert.deepEqual(applyCorrections(details, recipients, findings), {
    to: ["Ann <ann@example.org>", "John Doe <john.doe@army.mil>", "boss@example.org"],
  });
  assert.deepEqual(finalAddresses(recipients, findings), ["Ann <ann@example.org>", "John Doe <john.doe@army.mil>", "boss@example.org"]);
  assert.deepEqual(finalAddresses(recipients, null), ["Ann <ann@example.org>", "John Doe <john.doe@army.ml>", "boss@example.org"]);
});
