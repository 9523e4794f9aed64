// background.js — wires Thunderbird's events to the logic modules: the check on Send (and ahead
// of it, while a message is written), the on-demand check of the compose action, the warning
// dialog, learning after a send.
//
// Guarantees: the onBeforeSend listener always returns (a host call has a timeout, a dialog
// ends when answered or closed, any unexpected error is decided by fail_mode), so the compose
// window is never left locked; one native port is kept and reopened when it drops; recipient
// addresses are never written to the console.

import { HostClient, HOST_NAME, DEFAULT_TIMEOUT_MS } from "./modules/host.js";
import { buildCheckRequest, buildHelloRequest, buildLearnRequest } from "./modules/request.js";
import { collectRecipients, thunderbirdExpander } from "./modules/recipients.js";
import { BookStore, START_DELAY_MS } from "./modules/known.js";
import { effective, sanitize } from "./modules/settings.js";
import { decide } from "./modules/decision.js";
import { buildDialogModel, answerToResult } from "./modules/dialog-model.js";
import { withOverrideHeader } from "./modules/override.js";
import { finalAddresses } from "./modules/corrections.js";
import { AheadAnswers, reusable } from "./modules/ahead.js";

// The address book, read in the background from start-up on and kept current by events; each
// new host process gets it whole once, then only the changes (known.js).
const books = new BookStore(messenger);
// Answers to checks made while a message is composed (ahead.js): a Send of what was checked uses
// its answer and does not wait for the host.
const ahead = new AheadAnswers();
const client = new HostClient({
  connect: () => messenger.runtime.connectNative(HOST_NAME),
  timeoutMs: DEFAULT_TIMEOUT_MS,
  onConnect: () => {
    ahead.hosts++;
    books.hostStarted();
  },
});
const expander = thunderbirdExpander(messenger);
// When the first read ends the host is started (or, when a compose window already did, given the
// whole book now rather than at Send). Its open port also keeps this event page from being
// suspended, which would drop the copy and make the next compose window read every book again.
books.startSoon(START_DELAY_MS);
// A change of the address book goes to the host soon after it happens, not with the next check:
// Thunderbird adds every new recipient to Collected Addresses after a send, and the host
// re-digests its book for each change (~30 ms at 20,000 contacts), which the next Send would
// otherwise wait for.
const BOOK_SYNC_DELAY_MS = 200;
let bookSyncTimer = null;
books.onChange = () => {
  if (bookSyncTimer !== null || !client.connected) return;
  bookSyncTimer = setTimeout(() => {
    bookSyncTimer = null;
    if (client.connected) books.sync(client);
  }, BOOK_SYNC_DELAY_MS);
};
books.whenRead().then(warmUp).then(() => (client.connected ? books.sync(client) : null));
const pendingLearn = new Map(); // compose tab id → mailbox strings that are being sent
const dialogs = new Map(); // token → {model, extra, resolve, windowId}
let hostPolicy = null; // the effective policy from the host's last hello

// ---- settings ------------------------------------------------------------------------------

let policyPromise = null;
/** The administrator's settings. Thunderbird reads policies.json once per start, so they are
 * read once per background page too: a send does not pay for a file lookup each time. */
function readPolicy() {
  policyPromise ??= messenger.storage.managed.get().then(sanitize, () => ({})); // none: {}
  return policyPromise;
}

async function readSettings() {
  const { settings } = await messenger.storage.local.get("settings");
  return sanitize(settings);
}

async function readHostPolicy() {
  if (hostPolicy) return hostPolicy;
  // Remembered from an earlier run so that an administrator's fail_mode=closed in
  // /etc/typoguard/policy.conf still holds when the host later fails to start.
  const { hostPolicy: stored } = await messenger.storage.local.get("hostPolicy");
  return stored ?? null;
}

// ---- the check -----------------------------------------------------------------------------

/** Asks the host about `details`' recipients, or takes the answer to the same question asked
 * ahead of Send in compose tab `tabId`. `early`: a check made before Send (its answer is kept for
 * it, and it logs as such). Never throws; the failure is in `error`. */
async function runCheck(details, { tabId = null, early = false } = {}) {
  const started = performance.now();
  const [policy, settings, hp] = await Promise.all([readPolicy(), readSettings(), readHostPolicy()]);
  const recipients = await collectRecipients(details, expander);
  const gathered = performance.now();
  let reply;
  let error = null;
  let answeredAhead = false;
  if (recipients.length === 0) {
    reply = { type: "result", verdict: "ok", findings: [] };
  } else {
    try {
      if (!client.connected) {
        // A new host process: learn its effective policy. Pipelined: the check does not wait.
        client.request(buildHelloRequest({ policy, settings })).then(rememberHello, () => {});
      }
      // The book's changes go first on the same port (not awaited: frames are answered in
      // order); a send during the first read uses what is known so far.
      books.start(); // no-op once started
      books.sync(client);
      const known = books.knownForCheck(); // null: the host holds the book
      const req = buildCheckRequest({ sender: details.from, recipients, known, policy, settings });
      const keyNow = () => ahead.key(req, books.hostState);
      const key = tabId !== null && reusable(req, hostPolicy) ? keyNow() : null;
      const kept = early || key === null ? null : ahead.lookup(tabId, key);
      if (kept) {
        reply = structuredClone(kept);
        answeredAhead = true;
      } else {
        reply = await client.request(req);
        // Kept only if nothing it depends on changed while it was asked (a book refused, a
        // learn, a new host).
        if (key !== null && keyNow() === key) ahead.remember(tabId, key, reply);
      }
    } catch (e) {
      error = e;
    }
  }
  const eff = effective(policy, settings, hostPolicy ?? hp);
  const done = performance.now();
  const outcome = error ? `failed (${error.code ?? error.message})` : reply.verdict;
  if (early) {
    console.info(`typoguard: checked ahead of Send, ${recipients.length} recipient(s) in ${(done - started).toFixed(1)} ms:`, outcome);
  } else {
    console.info(`typoguard: check of ${recipients.length} recipient(s) took ${(done - started).toFixed(1)} ms`
                 + ` (settings and recipients ${(gathered - started).toFixed(1)} ms, host ${(done - gathered).toFixed(1)} ms):`,
                 outcome + (answeredAhead ? " (answered ahead of Send)" : ""));
  }
  return { recipients, reply, error, eff };
}

function rememberHello(reply) {
  if (reply?.type !== "hello" || !reply.policy) return;
  hostPolicy = reply.policy;
  messenger.storage.local.set({ hostPolicy: reply.policy }).catch(() => {});
}

async function notify(messageKey) {
  try {
    await messenger.notifications.create({
      type: "basic",
      title: messenger.i18n.getMessage("extensionName"),
      message: messenger.i18n.getMessage(messageKey),
      iconUrl: messenger.runtime.getURL("icons/typoguard.svg"),
    });
  } catch (e) {
    console.warn("typoguard: cannot show a notification:", e);
  }
}

/** Opens the port and asks hello before the first send, so the host's start-up is not part of
 * it. Called when a compose window opens; a failure here is silent (the send will decide). */
let warming = null; // one warm-up at a time: a compose window and the end of the read may race
function warmUp() {
  books.start(); // no-op once started
  warming ??= (async () => {
    try {
      if (!client.connected) {
        const [policy, settings] = [await readPolicy(), await readSettings()];
        const hello = buildHelloRequest({ policy, settings });
        rememberHello(await client.request(hello));
      }
      await books.sync(client);
    } catch (e) {
      // the check at send time reports it
    }
  })().finally(() => {
    warming = null;
  });
  return warming;
}

// ---- checks ahead of Send -----------------------------------------------------------------

/** How long a compose tab's recipients must stay as they are before they are checked ahead. */
const AHEAD_DELAY_MS = 400;
const aheadTimers = new Map(); // compose tab id → timer

/** Checks the recipients of compose tab `tabId` soon, so that its Send need not wait for the
 * host (and the first Send of a session finds every path warm). Silent: what it finds is shown
 * only if the user sends just that. */
function checkAheadSoon(tabId, delayMs = AHEAD_DELAY_MS) {
  cancelCheckAhead(tabId);
  aheadTimers.set(tabId, setTimeout(async () => {
    aheadTimers.delete(tabId);
    try {
      await warmUp();
      const details = await messenger.compose.getComposeDetails(tabId);
      await runCheck(details, { tabId, early: true });
    } catch (e) {
      // the tab closed or is not ready: the check at Send runs as usual
    }
  }, delayMs));
}

/** Drops the check ahead that compose tab `tabId` has pending, if any. */
function cancelCheckAhead(tabId) {
  clearTimeout(aheadTimers.get(tabId));
  aheadTimers.delete(tabId);
}

messenger.windows.onCreated?.addListener(async (win) => {
  if (win.type !== "messageCompose") return;
  warmUp();
  try {
    const [tab] = await messenger.tabs.query({ windowId: win.id });
    if (tab) checkAheadSoon(tab.id);
  } catch (e) {
    // no tab to check ahead: the check at Send runs as usual
  }
});

// Send becomes possible (a first recipient was entered): its recipients are worth checking now.
messenger.compose.onComposeStateChanged.addListener((tab, state) => {
  if (state?.canSendNow === true) checkAheadSoon(tab.id);
});

messenger.tabs.onRemoved.addListener((tabId) => {
  cancelCheckAhead(tabId);
  ahead.forget(tabId);
});

// ---- the dialog ----------------------------------------------------------------------------

/** Opens the warning dialog and resolves with the answer, or null when it is closed. */
function showDialog(model, extra) {
  return new Promise((resolve) => {
    const token = crypto.randomUUID();
    const entry = { model, extra, resolve, windowId: null, done: false };
    dialogs.set(token, entry);
    const rows = model.rows.length + model.info.length;
    const height = Math.min(760, 250 + 120 * model.rows.length + 40 * model.info.length + (rows === 0 ? 40 : 0));
    messenger.windows.create({ type: "popup", url: `dialog/dialog.html?token=${token}`, width: 580, height })
      .then((win) => {
        entry.windowId = win.id;
        if (entry.done) messenger.windows.remove(win.id).catch(() => {});
      })
      .catch((e) => {
        console.error("typoguard: cannot open the dialog:", e);
        finishDialog(token, null);
      });
  });
}

function finishDialog(token, answer) {
  const entry = dialogs.get(token);
  if (!entry || entry.done) return;
  entry.done = true;
  dialogs.delete(token);
  entry.resolve(answer);
  if (entry.windowId !== null) messenger.windows.remove(entry.windowId).catch(() => {});
}

messenger.runtime.onMessage.addListener((msg, sender) => {
  if (msg?.type === "dialog-ready") {
    const entry = dialogs.get(msg.token);
    return Promise.resolve(entry ? { model: entry.model, extra: entry.extra } : null);
  }
  if (msg?.type === "dialog-answer") {
    finishDialog(msg.token, msg.answer ?? null);
    return Promise.resolve(true);
  }
  if (msg?.type === "options-test-host") {
    return testHost();
  }
  return undefined;
});

messenger.windows.onRemoved.addListener((windowId) => {
  for (const [token, entry] of dialogs) {
    if (entry.windowId === windowId) finishDialog(token, null); // closing the window = go back
  }
});

// ---- sending -------------------------------------------------------------------------------

async function guardSend(tab, details) {
  cancelCheckAhead(tab.id); // the check is now
  const { recipients, reply, error, eff } = await runCheck(details, { tabId: tab.id });
  const decision = decide({ reply, error, nRecipients: recipients.length, failMode: eff.fail_mode });
  if (decision.action === "send") {
    if (decision.notify) {
      console.warn("typoguard: the check did not run:", decision.detail);
      notify(decision.notify); // not awaited: the mail goes now
    }
    pendingLearn.set(tab.id, finalAddresses(recipients, null));
    return {};
  }
  if (decision.action === "fail-dialog") {
    console.warn("typoguard: the check did not run, fail_mode is closed:", decision.detail);
    await showDialog(buildDialogModel({ mode: "failed", reason: decision.reason }), { blockedTlds: [] });
    return { cancel: true };
  }
  const model = buildDialogModel({ mode: "send", reply, recipients, allowOverride: eff.allow_override });
  const answer = await showDialog(model, { blockedTlds: eff.blocked_tlds });
  const result = answerToResult(answer, { model, details, recipients, findings: reply.findings });
  if (!result.cancel) {
    // The same rows answerToResult let the user keep: what is learned is what is sent.
    const keepable = new Set(model.rows.filter((r) => r.canKeep).map((r) => r.recipient));
    const keep = answer?.action === "fix" ? new Set((answer.keep ?? []).filter((i) => keepable.has(i))) : null;
    pendingLearn.set(tab.id, keep ? finalAddresses(recipients, reply.findings, keep) : finalAddresses(recipients, null));
  }
  // The recipients sent anyway, named for the organisation's mail server (typoguard-milter).
  return withOverrideHeader(result, answer, { model, details });
}

messenger.compose.onBeforeSend.addListener(async (tab, details) => {
  try {
    return await guardSend(tab, details);
  } catch (e) {
    // A bug of ours must not lock the compose window nor, with fail_mode open, stop the mail.
    console.error("typoguard: the check failed:", e);
    const eff = effective(await readPolicy().catch(() => ({})), {}, hostPolicy);
    if (eff.fail_mode === "closed") return { cancel: true };
    notify("failureBadReply");
    return {};
  }
});

/** Remembers the recipients of a sent message in the host's history. Never rejects. */
async function learnSent(addresses) {
  try {
    const eff = effective(await readPolicy(), await readSettings(), hostPolicy);
    if (eff.learn === false) return;
    ahead.learned++; // what the host answered before may change now
    await client.request(buildLearnRequest(addresses));
  } catch (e) {
    console.warn("typoguard: could not remember the recipients:", e.message);
  }
}

// Not async, and the learning not awaited: Thunderbird awaits each extension's onAfterSend
// listener, one after another, before it reports a send as done (compose.sendMessage resolves
// then), so a listener that waited for the host would lengthen every send.
messenger.compose.onAfterSend.addListener((tab, sendInfo) => {
  const addresses = pendingLearn.get(tab.id);
  pendingLearn.delete(tab.id);
  if (!addresses || sendInfo?.error) return;
  learnSent(addresses);
});

// ---- the compose action: check now, fix in place -------------------------------------------

messenger.composeAction.onClicked.addListener(async (tab) => {
  const details = await messenger.compose.getComposeDetails(tab.id);
  const { recipients, reply, error, eff } = await runCheck(details, { tabId: tab.id });
  const decision = decide({ reply, error, nRecipients: recipients.length, failMode: "open" });
  if (decision.notify) {
    notify(decision.notify);
    return;
  }
  if (decision.action === "send") {
    notify("checkNothingFound");
    return;
  }
  const model = buildDialogModel({ mode: "check", reply, recipients, allowOverride: eff.allow_override });
  const answer = await showDialog(model, { blockedTlds: eff.blocked_tlds });
  const result = answerToResult(answer, { model, details, recipients, findings: reply.findings });
  if (answer?.action === "fix" && result.details) await messenger.compose.setComposeDetails(tab.id, result.details);
});

// ---- the options page's "test" button ------------------------------------------------------

async function testHost() {
  try {
    const reply = await client.request(buildHelloRequest({ policy: await readPolicy(), settings: await readSettings() }));
    rememberHello(reply);
    return { ok: reply?.type === "hello", version: reply?.version ?? "", policy: reply?.policy ?? null };
  } catch (e) {
    return { ok: false, error: e.message };
  }
}
