// corrections.js — turns the host's suggestions into the `details` an onBeforeSend listener (or
// compose.setComposeDetails) returns: the corrected recipient lists.
//
// Guarantees: only fields that really change are returned (Thunderbird rewrites what it is
// given); display names survive (the host's `replacement` keeps them, and when only a bare
// `suggestion` exists the typed display name is put back around it); the position of every
// entry is kept; a mailing list with a corrected member is replaced by its members, the one
// corrected; recipients the user chose to keep (`keep`) are left exactly as typed.

import { displayName, formatMailbox } from "./mailbox.js";
import { severityRank } from "./request.js";
import { FIELDS } from "./recipients.js";

/** For each recipient index, the corrected mailbox from its most severe finding that has one. */
export function correctionsByRecipient(recipients, findings) {
  const best = new Map(); // index → {rank, mailbox}
  for (const f of findings ?? []) {
    const r = recipients[f.recipient];
    if (!r) continue;
    let mailbox = null;
    if (typeof f.replacement === "string" && f.replacement.trim()) mailbox = f.replacement.trim();
    else if (typeof f.suggestion === "string" && f.suggestion.trim()) {
      mailbox = formatMailbox(displayName(r.address), f.suggestion.trim());
    }
    if (!mailbox) continue;
    const rank = severityRank(f.severity);
    const prev = best.get(f.recipient);
    if (!prev || rank > prev.rank) best.set(f.recipient, { rank, mailbox });
  }
  const out = new Map();
  for (const [i, v] of best) out.set(i, v.mailbox);
  return out;
}

/**
 * @param details    the compose details the recipients were collected from
 * @param recipients collectRecipients() output, in request order
 * @param findings   the host's findings
 * @param keep       Set of recipient indexes to leave as typed
 * @returns an object with the changed fields only ({} when nothing changes)
 */
export function applyCorrections(details, recipients, findings, keep = new Set()) {
  const fixes = correctionsByRecipient(recipients, findings);
  for (const i of keep) fixes.delete(i);
  const changed = {};
  for (const field of FIELDS) {
    const original = details?.[field];
    if (original == null) continue;
    const entries = Array.isArray(original) ? original : [original];
    // Group this field's recipients by the entry they came from.
    const byPosition = new Map();
    recipients.forEach((r, i) => {
      if (r.field !== field) return;
      if (!byPosition.has(r.position)) byPosition.set(r.position, []);
      byPosition.get(r.position).push(i);
    });
    let touched = false;
    const next = [];
    entries.forEach((entry, position) => {
      const idxs = byPosition.get(position) ?? [];
      const fixed = idxs.filter((i) => fixes.has(i));
      if (fixed.length === 0) {
        next.push(entry);
        return;
      }
      touched = true;
      if (idxs.length === 1 && recipients[idxs[0]].list === null) {
        next.push(fixes.get(idxs[0]));
      } else {
        // An expanded mailing list: the list entry becomes its members, corrected where needed.
        for (const i of idxs) next.push(fixes.has(i) ? fixes.get(i) : recipients[i].address);
      }
    });
    if (touched) changed[field] = next;
  }
  return changed;
}

/** The mailbox strings that will really be sent once the corrections are applied (for `learn`). */
export function finalAddresses(recipients, findings, keep = new Set()) {
  const fixes = findings ? correctionsByRecipient(recipients, findings) : new Map();
  return recipients.map((r, i) => (fixes.has(i) && !keep.has(i) ? fixes.get(i) : r.address));
}
