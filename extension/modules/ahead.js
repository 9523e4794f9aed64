// ahead.js — the host's answers to checks made before Send, kept per compose tab so that the
// Send of an unchanged message does not wait for the host again.
//
// Owns: when an earlier answer may stand in for a check at Send. It may only when everything the
// host's answer depends on is the same: the request itself (sender, recipients after list
// expansion, known addresses, policy, settings — compared as the JSON sent), the address book the
// host holds (BookStore.hostState), what was learned since (a counter the caller raises before
// each learn) and the host process (a counter raised on each new connection: a new process reads
// the settings and history files again). A host process reads nothing else again during its
// life except the list files a setting names (`trusted_domains_file`, `blocked_domains_file`,
// re-read when they change): an answer given under such a setting is never reused. An answer
// older than AHEAD_TTL_MS is not used either, a bound on what an oversight here could cost.
// Guarantees: lookup never returns an answer for a different request or state; at most
// AHEAD_MAX_TABS answers are kept (the oldest goes).

export const AHEAD_TTL_MS = 10 * 60 * 1000;
export const AHEAD_MAX_TABS = 32;

const LIST_FILE_KEYS = ["trusted_domains_file", "blocked_domains_file"];

/** Whether the answer to `request` may be reused: not when the host's effective settings (from
 * its last `hello`; null: not known) or the request name a list file, which the host re-reads
 * when it changes. */
export function reusable(request, hostPolicy) {
  if (!hostPolicy) return false;
  return ![hostPolicy, request.policy, request.settings].some((o) => LIST_FILE_KEYS.some((k) => o?.[k]));
}

export class AheadAnswers {
  constructor({ now = () => Date.now(), ttlMs = AHEAD_TTL_MS } = {}) {
    this.now = now;
    this.ttlMs = ttlMs;
    this.answers = new Map(); // compose tab id → {key, reply, at}
    this.learned = 0; // raised before every learn
    this.hosts = 0; // raised on every new host process
  }

  /** The key of `request` (without its id) in the current state. `bookState`: what the host
   * holds of the address book when the request is sent (BookStore.hostState). */
  key(request, bookState) {
    const { id, ...rest } = request;
    return JSON.stringify([rest, bookState ?? null, this.learned, this.hosts]);
  }

  remember(tabId, key, reply) {
    if (reply?.type !== "result") return; // an error is never reused
    this.answers.delete(tabId);
    this.answers.set(tabId, { key, reply, at: this.now() });
    while (this.answers.size > AHEAD_MAX_TABS) this.answers.delete(this.answers.keys().next().value);
  }

  /** The answer remembered for `tabId` under exactly `key`, or null. */
  lookup(tabId, key) {
    const a = this.answers.get(tabId);
    if (!a || a.key !== key) return null;
    if (this.now() - a.at > this.ttlMs) {
      this.answers.delete(tabId);
      return null;
    }
    return a.reply;
  }

  forget(tabId) {
    this.answers.delete(tabId);
  }
}
