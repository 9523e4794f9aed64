// fake-messenger.mjs — a stand-in for Thunderbird's `messenger` namespace, just enough for the
// background script and the logic modules to run under `node --test`.
//
// Guarantees: events keep their listeners and can be fired by the test (`fire` returns the
// listeners' results); the native port is a FakePort the test answers by hand or with a
// scripted host that answers with the real host's recorded replies (fixtures/host-replies.json);
// nothing touches the network or the file system except reading _locales and that file.

import { readFileSync } from "node:fs";
import { webcrypto } from "node:crypto";
import { fileURLToPath } from "node:url";
import path from "node:path";

// The Web Crypto global every extension page has (background.js makes dialog tokens with
// crypto.randomUUID): Node has it as a global only from 19 on; Debian 12's Node 18 keeps it in
// node:crypto.
globalThis.crypto ??= webcrypto;

export const EXTENSION_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../extension");

export class FakeEvent {
  constructor() {
    this.listeners = [];
  }
  addListener(fn) {
    this.listeners.push(fn);
  }
  removeListener(fn) {
    this.listeners = this.listeners.filter((l) => l !== fn);
  }
  hasListener(fn) {
    return this.listeners.includes(fn);
  }
  fire(...args) {
    return this.listeners.map((l) => l(...args));
  }
}

/** A native-messaging port; `host` (msg) => reply | undefined answers requests when set. */
export class FakePort {
  constructor(host) {
    this.host = host;
    this.onMessage = new FakeEvent();
    this.onDisconnect = new FakeEvent();
    this.sent = [];
    this.connected = true;
    this.error = null;
  }
  postMessage(msg) {
    if (!this.connected) throw new Error("Attempt to postMessage on disconnected port");
    this.sent.push(structuredClone(msg));
    if (this.host) {
      const reply = this.host(structuredClone(msg), this);
      if (reply !== undefined) queueMicrotask(() => this.reply(reply));
    }
  }
  reply(msg) {
    if (this.connected) this.onMessage.fire(structuredClone(msg));
  }
  disconnect() {
    this.connected = false;
  }
  /** The host went away (crash, missing manifest): like Thunderbird, fire onDisconnect. */
  drop(message = "No such native application typoguard") {
    this.connected = false;
    this.error = { message };
    this.onDisconnect.fire(this);
  }
}

/** Loads a locale's messages.json and returns a getMessage with WebExtension substitution. */
export function localeMessages(lang) {
  const file = path.join(EXTENSION_DIR, "_locales", lang, "messages.json");
  const messages = JSON.parse(readFileSync(file, "utf8"));
  const getMessage = (key, subs = []) => {
    const entry = messages[key];
    if (!entry) return "";
    const list = Array.isArray(subs) ? subs : [subs];
    let text = entry.message.replace(/\$([A-Za-z0-9_]+)\$/g, (m, name) => {
      const ph = entry.placeholders?.[name.toLowerCase()];
      return ph ? ph.content : m;
    });
    text = text.replace(/\$(\d)/g, (m, n) => list[Number(n) - 1] ?? "");
    return text;
  };
  return { messages, getMessage };
}

/**
 * A messenger with compose/runtime/windows/storage/notifications/addressBooks.
 * options.host: the scripted host for every new port (null: connectNative gives a port that
 *               drops at once, like a missing host); options.managed: storage.managed data
 *               (undefined: no managed storage, get() rejects).
 */
export function fakeMessenger({ host = null, managed, local = {}, books = [], lang = "en" } = {}) {
  const { getMessage } = localeMessages(lang);
  const ports = [];
  const windows = new Map();
  const composeTabs = new Map(); // tab id → {id, windowId, details}
  let nextWindow = 100;
  let nextTab = 500;
  const m = {
    ports,
    notificationsShown: [],
    windowsCreated: [],
    runtime: {
      onMessage: new FakeEvent(),
      connectNative(name) {
        if (name !== "typoguard") throw new Error(`unexpected native app ${name}`);
        const port = new FakePort(host);
        ports.push(port);
        if (!host) setTimeout(() => port.drop(), 0);
        return port;
      },
      getURL: (p) => `moz-extension://fake/${p}`,
      async sendMessage(msg) {
        const results = m.runtime.onMessage.fire(msg, {});
        return results.find((r) => r !== undefined);
      },
    },
    compose: {
      onBeforeSend: new FakeEvent(),
      onAfterSend: new FakeEvent(),
      onComposeStateChanged: new FakeEvent(),
      async getComposeDetails(tabId) {
        const tab = composeTabs.get(tabId);
        return tab ? structuredClone(tab.details) : {};
      },
      async setComposeDetails(tabId, details) {
        const tab = composeTabs.get(tabId);
        if (tab) Object.assign(tab.details, structuredClone(details));
      },
    },
    tabs: {
      onRemoved: new FakeEvent(),
      async query({ windowId } = {}) {
        return [...composeTabs.values()].filter((t) => windowId === undefined || t.windowId === windowId)
          .map((t) => ({ id: t.id, windowId: t.windowId, type: "messageCompose" }));
      },
    },
    /** Opens a compose window holding `details`, as Thunderbird does for a reply or a mailto
     * link; resolves with its tab id. */
    async openCompose(details) {
      const win = { id: nextWindow++, type: "messageCompose" };
      windows.set(win.id, win);
      const tab = { id: nextTab++, windowId: win.id, details: structuredClone(details) };
      composeTabs.set(tab.id, tab);
      m.windows.onCreated.fire(win);
      return tab.id;
    },
    closeCompose(tabId) {
      const tab = composeTabs.get(tabId);
      if (!tab) return;
      composeTabs.delete(tabId);
      windows.delete(tab.windowId);
      m.tabs.onRemoved.fire(tabId, { windowId: tab.windowId, isWindowClosing: true });
      m.windows.onRemoved.fire(tab.windowId);
    },
    composeAction: { onClicked: new FakeEvent() },
    windows: {
      onRemoved: new FakeEvent(),
      onCreated: new FakeEvent(),
      async create(opts) {
        const win = { id: nextWindow++, ...opts };
        windows.set(win.id, win);
        m.windowsCreated.push(win);
        queueMicrotask(() => m.onWindowCreated?.(win));
        return win;
      },
      async remove(id) {
        if (windows.delete(id)) m.windows.onRemoved.fire(id);
      },
    },
    storage: {
      managed: {
        async get() {
          if (managed === undefined) throw new Error("Managed storage manifest not found");
          return structuredClone(managed);
        },
      },
      local: {
        async get(key) {
          return key in local ? { [key]: structuredClone(local[key]) } : {};
        },
        async set(obj) {
          Object.assign(local, structuredClone(obj));
        },
      },
    },
    notifications: {
      async create(opts) {
        m.notificationsShown.push(opts);
        return "n" + m.notificationsShown.length;
      },
    },
    i18n: { getMessage, getUILanguage: () => lang },
    addressBooks: fakeAddressBooks(books),
  };
  return m;
}

/**
 * messenger.addressBooks over `books` ([{id, name, remote?, contacts:[{id, vCard}],
 * mailingLists:[{id, name, contacts}]}]), with its events. `calls` counts each method's calls
 * (`list(true)` as "listComplete": the call that makes Thunderbird convert every contact).
 */
export function fakeAddressBooks(books = []) {
  const calls = {};
  const count = (name) => {
    calls[name] = (calls[name] ?? 0) + 1;
  };
  const strip = (b) => ({ id: b.id, type: "addressBook", name: b.name ?? b.id, remote: !!b.remote });
  const ev = () => ({ onCreated: new FakeEvent(), onUpdated: new FakeEvent(), onDeleted: new FakeEvent() });
  const lists = () => books.flatMap((b) => (b.mailingLists ?? []).map((l) => ({ ...l, parentId: b.id })));
  return {
    books,
    calls,
    async list(complete = false) {
      count(complete ? "listComplete" : "list");
      return structuredClone(complete ? books : books.map(strip));
    },
    ...ev(),
    contacts: {
      ...ev(),
      async list(parentId) {
        count("contacts.list");
        const b = books.find((x) => x.id === parentId);
        if (!b) throw new Error(`no address book ${parentId}`);
        return structuredClone((b.contacts ?? []).map((c) => ({ type: "contact", parentId, ...c })));
      },
      /** Thunderbird's quick search: a contact whose fields contain the search string (case
       * ignored); here the vCard stands for its fields. */
      async query({ parentId, searchString = "", includeLocal = true } = {}) {
        count("contacts.query");
        if (!searchString.trim()) return [];
        const needle = searchString.toLowerCase();
        return structuredClone(books.filter((b) => (parentId === undefined || b.id === parentId) && (includeLocal || b.remote))
          .flatMap((b) => (b.contacts ?? []).filter((c) => String(c.vCard ?? "").toLowerCase().includes(needle))
            .map((c) => ({ type: "contact", parentId: b.id, ...c }))));
      },
      async get(id) {
        count("contacts.get");
        for (const b of books) {
          const c = (b.contacts ?? []).find((x) => x.id === id);
          if (c) return structuredClone({ type: "contact", parentId: b.id, ...c });
        }
        throw new Error(`no contact ${id}`);
      },
    },
    mailingLists: {
      ...ev(),
      async list(parentId) {
        count("mailingLists.list");
        return lists().filter((l) => l.parentId === parentId).map(({ contacts, ...l }) => structuredClone(l));
      },
      async listMembers(id) {
        count("mailingLists.listMembers");
        const l = lists().find((x) => x.id === id);
        if (!l) throw new Error(`no mailing list ${id}`);
        return structuredClone(l.contacts ?? []);
      },
    },
  };
}

/**
 * The real host's replies, recorded by record-replies.py (fixtures/host-replies.json; the ctest
 * extension/host-replies fails when they drift from the built host). `exchanges` are
 * {name, request, reply} in the order they were sent to one host process.
 */
const HERE = path.dirname(fileURLToPath(import.meta.url));
const FIXTURE = path.join(HERE, "fixtures", "host-replies.json");
export const HOST_REPLIES = JSON.parse(readFileSync(FIXTURE, "utf8"));

/** The recorded exchange named `name` (a copy); throws when there is none. */
export function recorded(name) {
  const e = HOST_REPLIES.exchanges.find((x) => x.name === name);
  if (!e) throw new Error(`no recorded exchange "${name}" in fixtures/host-replies.json`);
  return structuredClone(e);
}

/** The recorded finding of case `name` with `code` (default: the case's only/first finding). */
export function recordedFinding(name, code) {
  const { reply } = recorded(name);
  const f = code ? reply.findings.find((x) => x.code === code) : reply.findings[0];
  if (!f) throw new Error(`recorded case "${name}" has no ${code ?? ""} finding`);
  return f;
}

/** recordedFinding(name, code) moved to recipient `recipient` in `field` of another request. */
export function findingAt(name, recipient, field, code) {
  return { ...recordedFinding(name, code), recipient, field };
}

// Findings by raw mailbox string, from the recorded checks with no context but the sender: what
// the real host says about that address when nothing else is known.
const FINDINGS_BY_ADDRESS = new Map();
for (const { name, request, reply } of HOST_REPLIES.exchanges) {
  if (request.type !== "check" || request.known || request.policy || request.settings
      || request.sender !== HOST_REPLIES.sender || name === "after learn") continue;
  request.recipients.forEach(({ address }, i) => {
    if (FINDINGS_BY_ADDRESS.has(address)) return;
    FINDINGS_BY_ADDRESS.set(address, reply.findings.filter((f) => f.recipient === i));
  });
}

const SEVERITY_ORDER = ["ok", "info", "warn", "block"];

/**
 * The host as the tests meet it: hello, check, learn and errors are the recorded replies of the
 * real host (id echoed); a check's findings are looked up per recipient by its raw mailbox
 * string (an address never recorded has none) and renumbered to the request's order. `book`
 * keeps the book per port by DESIGN.md's rules (host.test.mjs compares it with the recorded
 * book exchanges). delayMs: answer that late (a slow host).
 */
export function scriptedHost({ delayMs = 0, log = [] } = {}) {
  const hello = recorded("hello").reply;
  const unknown = recorded("unknown type").reply;
  return (msg, port) => {
    log.push(msg);
    let reply;
    if (msg.type === "hello") {
      reply = { ...structuredClone(hello), id: msg.id,
                book: { version: port.book?.version ?? null, count: port.book?.addresses.size ?? 0 } };
    } else if (msg.type === "book") {
      // Like the host: a whole book without base; a change only against the version it holds.
      const held = port.book ?? { version: null, addresses: new Map() };
      if (msg.base !== undefined && msg.base !== held.version) {
        reply = { type: "book", id: msg.id, version: held.version, count: held.addresses.size };
      } else {
        const addresses = msg.base === undefined ? new Map() : held.addresses;
        for (const r of msg.remove ?? []) addresses.delete(r.toLowerCase());
        for (const a of msg.add ?? []) if (!addresses.has(a.toLowerCase())) addresses.set(a.toLowerCase(), a);
        port.book = { version: msg.version, addresses };
        reply = { type: "book", id: msg.id, version: msg.version, count: addresses.size };
      }
    } else if (msg.type === "learn") {
      reply = { type: "learned", id: msg.id, count: msg.addresses.length };
    } else if (msg.type === "check") {
      msg.book = port.book ? [...port.book.addresses.values()] : []; // what the check was judged with
      const said = (r) => structuredClone(FINDINGS_BY_ADDRESS.get(r.address) ?? []);
      const findings = msg.recipients.flatMap((r, i) =>
        said(r).map((f) => ({ ...f, recipient: i, field: r.field })));
      const rank = (s) => SEVERITY_ORDER.indexOf(s);
      const verdict = findings.reduce((v, f) => (rank(f.severity) > rank(v) ? f.severity : v),
                                      "ok");
      reply = { type: "result", id: msg.id, verdict, truncated: false, elapsed_us: 0, findings };
    } else {
      reply = { ...structuredClone(unknown), id: msg.id ?? null };
    }
    if (delayMs > 0) {
      setTimeout(() => port.reply(reply), delayMs).unref?.(); // a slow host must not keep the test alive
      return undefined;
    }
    return reply;
  };
}
