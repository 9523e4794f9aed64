// request.js — builds the frames of DESIGN.md's native-messaging protocol (version 1) and checks
// the shape of the host's replies.
//
// Guarantees: a request carries only protocol fields; empty optional parts are left out rather
// than sent empty; validateResult() accepts only a `result` whose verdict and findings have the
// documented shape, so a confused host is treated as a failure, never as "ok".

import { sanitize } from "./settings.js";

export const PROTOCOL_VERSION = 1;
export const VERDICTS = ["ok", "info", "warn", "block"];

function nonEmpty(obj) {
  return obj && Object.keys(obj).length > 0;
}

/** The `check` request. `recipients` come from collectRecipients (extra keys are dropped). */
export function buildCheckRequest({ sender, recipients, known, policy, settings }) {
  const req = {
    type: "check",
    recipients: recipients.map((r) => ({ field: r.field, address: r.address })),
  };
  if (sender) req.sender = sender;
  if (known && (known.domains?.length || known.addresses?.length)) {
    req.known = { domains: known.domains ?? [], addresses: known.addresses ?? [] };
  }
  const p = sanitize(policy);
  const s = sanitize(settings);
  if (nonEmpty(p)) req.policy = p;
  if (nonEmpty(s)) req.settings = s;
  return req;
}

export function buildHelloRequest({ policy, settings } = {}) {
  const req = { type: "hello" };
  const p = sanitize(policy);
  const s = sanitize(settings);
  if (nonEmpty(p)) req.policy = p;
  if (nonEmpty(s)) req.settings = s;
  return req;
}

/** The `learn` request after a successful send; the mailbox strings as they were sent. */
export function buildLearnRequest(addresses) {
  return { type: "learn", addresses: addresses.filter((a) => typeof a === "string" && a.trim() !== "") };
}

/** severity rank: ok < info < warn < block (unknown counts as warn: be careful, not silent). */
export function severityRank(sev) {
  const i = VERDICTS.indexOf(sev);
  return i >= 0 ? i : 2;
}

/**
 * Returns null when `reply` is a well-formed result for a request of `nRecipients`, else a
 * short reason. Findings pointing outside the request are a protocol violation.
 */
export function validateResult(reply, nRecipients) {
  if (!reply || typeof reply !== "object") return "reply is not an object";
  if (reply.type === "error") return `host error ${reply.code}: ${reply.message}`;
  if (reply.type !== "result") return `unexpected reply type ${reply.type}`;
  if (!VERDICTS.includes(reply.verdict)) return `unknown verdict ${reply.verdict}`;
  if (!Array.isArray(reply.findings)) return "findings missing";
  for (const f of reply.findings) {
    if (!f || typeof f !== "object") return "finding is not an object";
    if (!Number.isInteger(f.recipient) || f.recipient < 0 || f.recipient >= nRecipients) {
      return `finding for unknown recipient ${f.recipient}`;
    }
    if (typeof f.code !== "string") return "finding without code";
  }
  return null;
}
