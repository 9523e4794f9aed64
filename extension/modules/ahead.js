// ahead.js — the host's answers to checks made before Send, kept per compose tab so that the
// Send of an unchanged message does not wait for the host again.
//
// Owns: when an earlier answer may stand in for a check at Send. It may only when everything the
// host's answer depends on is the same: the request itself (sender, recipients after list
// expansion, known addresses, policy, settings — compared as the JSON sent), the address book the
// host holds (its version), what was learned since (a counter the caller raises before each
// learn) and the host process (a counter raised on each new connection; a new process may have
// read a new history or policy file). An answer older than AHEAD_TTL_MS is not used: another
// client may have taught the same history in the meantime.
// Guarantees: lookup never returns an answer for a different request or state; at most
// AHEAD_MAX_TABS answers are kept (the oldest goes).

export const AHEAD_TTL_MS = 10 * 60 * 1000;
export const AHEAD_MAX_TABS = 32;

export class AheadAnswers {
  constructor({ now = () => Date.now(), ttlMs = AHEAD_TTL_MS } = {}) {
    this.now = now;
    this.ttlMs = ttlMs;
    this.answers = new Map(); // compose tab id → {key, reply, at}
    this.learned = 0; // raised before every learn
    this.hosts = 0; // raised on every new host process
  }

  /** The key of `request` (without its id) in the current state. `bookVersion`: the version of
   * the address book the host holds when the request is sent (null: none). */
  key(request, bookVersion) {
    const { id, ...rest } = request;
    return JSON.stringify([rest, bookVersion ?? null, this.learned, this.hosts]);
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
