// dialog-model.js — what the warning dialog shows and which answers it may give (notes/dialog.md):
// the rows, the buttons, where focus starts, and how an answer becomes the onBeforeSend result.
//
// Guarantees: the model is plain JSON (it crosses runtime messaging to the dialog page);
// `#send-anyway` and keeping a blocked address as typed are possible only with allow_override,
// and answerToResult() enforces that again, so a page that misbehaves cannot send a blocked
// address; every answer maps to a result that returns the compose window to the user.

import { applyCorrections, correctionsByRecipient } from "./corrections.js";
import { severityRank } from "./request.js";
import { bareAddress } from "./mailbox.js";

export const BUTTONS = { fix: "fix-and-send", send: "send-anyway", back: "go-back" };

function sortFindings(findings) {
  return [...findings].sort((a, b) => severityRank(b.severity) - severityRank(a.severity)
                                      || (b.confidence ?? 0) - (a.confidence ?? 0));
}

/**
 * @param mode        "send" (from onBeforeSend), "check" (the compose action: fix without
 *                    sending) or "failed" (fail_mode closed and the host did not answer)
 * @param reply       the host's result (absent for "failed")
 * @param recipients  collectRecipients() output
 * @param allowOverride may a blocked address be sent anyway
 * @param reason      for "failed": the failure message key
 */
export function buildDialogModel({ mode = "send", reply = null, recipients = [], allowOverride = false, reason = null }) {
  if (mode === "failed") {
    return {
      mode, verdict: null, reason, rows: [], info: [],
      buttons: {
        fix: { shown: false, enabled: false },
        send: { shown: false, enabled: false, why: null },
        back: { shown: true, enabled: true },
      },
      focus: BUTTONS.back,
    };
  }
  const findings = reply?.findings ?? [];
  const fixes = correctionsByRecipient(recipients, findings);
  const byRecipient = new Map();
  for (const f of findings) {
    if (!byRecipient.has(f.recipient)) byRecipient.set(f.recipient, []);
    byRecipient.get(f.recipient).push(f);
  }
  const rows = [];
  const info = [];
  for (const [index, list] of [...byRecipient].sort((a, b) => a[0] - b[0])) {
    const sorted = sortFindings(list);
    const r = recipients[index] ?? { field: sorted[0].field, address: sorted[0].address, list: null };
    const top = sorted[0];
    const entry = {
      recipient: index,
      field: r.field ?? top.field,
      typed: r.address,
      address: typeof top.address === "string" ? top.address : bareAddress(r.address),
      list: r.list ?? null,
      severity: top.severity,
      findings: sorted,
    };
    if (severityRank(top.severity) <= severityRank("info")) {
      info.push(entry);
      continue;
    }
    const replacement = fixes.get(index) ?? null;
    entry.replacement = replacement;
    entry.suggestion = replacement ? bareAddress(replacement) : null;
    // The per-row "keep as typed" box: only where there is something to fix, and a blocked
    // address may be kept only when the administrator allows overriding.
    entry.canKeep = replacement !== null && (top.severity !== "block" || allowOverride);
    rows.push(entry);
  }
  const verdict = reply?.verdict ?? "warn";
  const blocked = rows.some((r) => r.severity === "block");
  const anyFix = rows.some((r) => r.replacement);
  // Fix and send must not send a blocked address that has no correction.
  const unfixableBlock = rows.some((r) => r.severity === "block" && !r.replacement);
  const fixEnabled = anyFix && (!unfixableBlock || allowOverride);
  const sendEnabled = !blocked || allowOverride;
  let focus;
  if (blocked) focus = BUTTONS.back;
  else focus = rows.length > 0 && rows.every((r) => r.replacement) ? BUTTONS.fix : BUTTONS.back;
  return {
    mode, verdict, reason: null, rows, info,
    buttons: {
      fix: { shown: true, enabled: fixEnabled },
      send: { shown: mode === "send", enabled: sendEnabled, why: sendEnabled ? null : "sendAnywayBlocked" },
      back: { shown: true, enabled: true },
    },
    focus,
  };
}

/**
 * Turns the dialog's answer into what the onBeforeSend listener returns.
 * @param answer {action: "fix"|"send"|"back", keep: [recipient indexes]} or null (window closed)
 * @returns {cancel: true} | {} | {details: {...changed fields}}
 */
export function answerToResult(answer, { model, details, recipients, findings }) {
  const action = answer?.action;
  if (action === "send") {
    return model.buttons.send.shown && model.buttons.send.enabled ? {} : { cancel: true };
  }
  if (action === "fix") {
    if (!model.buttons.fix.enabled) return { cancel: true };
    const keepable = new Set(model.rows.filter((r) => r.canKeep).map((r) => r.recipient));
    const keep = new Set((answer.keep ?? []).filter((i) => keepable.has(i)));
    const changes = applyCorrections(details, recipients, findings, keep);
    return Object.keys(changes).length > 0 ? { details: changes } : {};
  }
  return { cancel: true };
}

/**
 * Splits `typed` and `suggested` into the common start, the differing middles and the common
 * end (by code point), so the dialog can mark exactly what changes: army.m[l] → army.m[il].
 */
export function diffParts(typed, suggested) {
  const a = Array.from(String(typed ?? ""));
  const b = Array.from(String(suggested ?? ""));
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let end = 0;
  while (end < a.length - start && end < b.length - start
         && a[a.length - 1 - end] === b[b.length - 1 - end]) end++;
  // A pure insertion or deletion has nothing to mark on one side: widen by one neighbour so
  // both sides show a marked part (army.m[l] → army.m[il]).
  if ((start === a.length - end || start === b.length - end) && (a.length !== b.length || start < a.length)) {
    if (end > 0) end--;
    else if (start > 0) start--;
  }
  return {
    prefix: a.slice(0, start).join(""),
    typed: a.slice(start, a.length - end).join(""),
    suggested: b.slice(start, b.length - end).join(""),
    suffix: a.slice(a.length - end).join(""),
  };
}
