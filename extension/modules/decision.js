// decision.js — what a send does with the host's answer, or with its silence.
//
// Guarantees: only a well-formed `ok`/`info` result lets a mail go without a dialog; anything
// the extension cannot trust (no host, a crash, a timeout, a malformed reply) is decided by
// fail_mode — "open" sends and notifies, "closed" cancels and explains; nothing here waits.

import { validateResult } from "./request.js";

/** The notification / dialog text key for each failure, so the user learns what to do. */
export function failureReason(error) {
  const code = error?.code;
  if (code === "timeout") return "failureTimeout";
  if (code === "unavailable" || /no such native application/i.test(String(error?.message))) return "failureMissing";
  if (code === "disconnected") return "failureCrashed";
  return "failureBadReply";
}

/**
 * @param reply       the host's reply, or undefined when `error` is set
 * @param error       a HostError (or any error) when the call failed
 * @param nRecipients how many recipients the request had
 * @param failMode    "open" | "closed" (effective setting)
 * @returns {action: "send"} | {action: "dialog"} | {action: "send", notify: reasonKey}
 *          | {action: "fail-dialog", reason: reasonKey}
 */
export function decide({ reply, error, nRecipients, failMode }) {
  let problem = error ?? null;
  if (!problem) {
    const why = validateResult(reply, nRecipients);
    if (why) problem = { code: reply?.type === "error" ? "host-error" : "bad-reply", message: why };
  }
  if (problem) {
    const reason = failureReason(problem);
    return failMode === "closed" ? { action: "fail-dialog", reason, detail: String(problem.message ?? "") }
                                 : { action: "send", notify: reason, detail: String(problem.message ?? "") };
  }
  if (reply.verdict === "ok" || reply.verdict === "info") return { action: "send" };
  return { action: "dialog" };
}
