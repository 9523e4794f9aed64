// override.js — the header that tells the organisation's mail server which flagged recipients
// the user chose to send to anyway, so that typoguard-milter (host/milter/message.c) does not
// refuse or hold again what the sender already confirmed in the dialog.
//
// Guarantees: the header names only recipients the dialog showed with a warning or a block and
// that leave as typed (all of them for "Send anyway"; for "Fix and send", the ones kept as typed
// and the ones without a correction); only bare addresses, without control characters, at most
// MAX_OVERRIDE_BYTES in all (the milter reads no more); any X-Typoguard-Override the message
// already had is replaced, never added to; other custom headers are kept. The milter decides
// whether the header counts (its allow_override) and deletes it before the message leaves.

export const OVERRIDE_HEADER = "X-Typoguard-Override";
// The milter's TG_MMSG_MAX_OVERRIDE_BYTES (64 KiB), less room for the header's own folding.
export const MAX_OVERRIDE_BYTES = 60 * 1024;

// A bare address the header may carry: printable, no spaces, no separators the milter splits at.
function headerSafe(address) {
  return typeof address === "string" && address.includes("@")
    && !/[\s\x00-\x1f\x7f,;<>"()]/u.test(address);
}

/**
 * The addresses the user confirmed: dialog rows (warn/block) that are sent as typed.
 * @param model  buildDialogModel() output the dialog showed
 * @param answer the dialog's answer ({action, keep})
 * @returns bare addresses, in row order, without duplicates
 */
export function confirmedAddresses(model, answer) {
  const action = answer?.action;
  if (action !== "send" && action !== "fix") return [];
  const keep = new Set(action === "fix" ? answer.keep ?? [] : []);
  const out = [];
  const seen = new Set();
  for (const row of model?.rows ?? []) {
    const asTyped = action === "send" || !row.replacement
                    || (row.canKeep && keep.has(row.recipient));
    if (!asTyped || !headerSafe(row.address)) continue;
    const key = row.address.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(row.address);
  }
  return out;
}

/**
 * The customHeaders to send: `existing` (details.customHeaders) without any earlier override
 * header, plus ours naming `addresses`; null when nothing changes.
 */
export function overrideHeaders(existing, addresses) {
  const others = (Array.isArray(existing) ? existing : [])
    .filter((h) => String(h?.name ?? "").toLowerCase() !== OVERRIDE_HEADER.toLowerCase());
  const had = (Array.isArray(existing) ? existing.length : 0) !== others.length;
  const kept = [];
  let bytes = 0;
  for (const a of addresses) {
    const add = new TextEncoder().encode(a).length + 2;
    if (bytes + add > MAX_OVERRIDE_BYTES) break;
    bytes += add;
    kept.push(a);
  }
  if (kept.length === 0) return had ? others : null;
  return [...others, { name: OVERRIDE_HEADER, value: kept.join(", ") }];
}

/**
 * The onBeforeSend result with the override header added (when the mail goes and the user
 * confirmed flagged recipients); `result` itself otherwise.
 */
export function withOverrideHeader(result, answer, { model, details }) {
  if (!result || result.cancel) return result;
  const headers = overrideHeaders(details?.customHeaders, confirmedAddresses(model, answer));
  if (headers === null) return result;
  return { ...result, details: { ...(result.details ?? {}), customHeaders: headers } };
}
