// host.js — one long-lived native-messaging port to typoguard-host, with request ids and a
// timeout on every call.
//
// Guarantees: request() always settles — with the reply, or with a HostError whose `code` is
// "timeout", "disconnected" or "unavailable" — within timeoutMs; a dropped or hung port is
// discarded and the next request opens a new one; replies are matched by `id`, and a reply with
// `id: null` (the host could not read our frame) fails the oldest pending call.

export const DEFAULT_TIMEOUT_MS = 5000;
export const HOST_NAME = "typoguard";

export class HostError extends Error {
  constructor(code, message) {
    super(message);
    this.name = "HostError";
    this.code = code;
  }
}

export class HostClient {
  /**
   * @param connect   () => Port (runtime.connectNative bound to HOST_NAME); may throw
   * @param timeoutMs per-request timeout
   * @param onConnect (client) => void, called after each new port opens (e.g. to send hello)
   */
  constructor({ connect, timeoutMs = DEFAULT_TIMEOUT_MS, onConnect = null }) {
    this.connect = connect;
    this.timeoutMs = timeoutMs;
    this.onConnect = onConnect;
    this.port = null;
    this.nextId = 1;
    this.pending = new Map(); // id → {resolve, reject, timer}
    this.connections = 0; // how many ports were opened (for tests and diagnostics)
  }

  get connected() {
    return this.port !== null;
  }

  ensurePort() {
    if (this.port) return this.port;
    let port;
    try {
      port = this.connect();
    } catch (e) {
      throw new HostError("unavailable", String(e?.message ?? e));
    }
    this.port = port;
    this.connections++;
    port.onMessage.addListener((msg) => this.handleMessage(port, msg));
    port.onDisconnect.addListener((p) => {
      const why = p?.error?.message ?? port.error?.message ?? "the helper program stopped";
      this.dropPort(port, new HostError("disconnected", why));
    });
    if (this.onConnect) {
      try {
        this.onConnect(this);
      } catch (e) {
        console.warn("typoguard: onConnect failed:", e);
      }
    }
    return port;
  }

  handleMessage(port, msg) {
    if (port !== this.port) return; // a late reply on a port we already gave up on
    let id = msg?.id;
    if (id === null || id === undefined) {
      // The host could not tie its reply to a request: fail the oldest one rather than hang.
      id = this.pending.keys().next().value;
    }
    const entry = this.pending.get(id);
    if (!entry) return;
    this.pending.delete(id);
    clearTimeout(entry.timer);
    entry.resolve(msg);
  }

  dropPort(port, error) {
    if (port !== this.port) return;
    this.port = null;
    try {
      port.disconnect();
    } catch (e) {
      // already gone
    }
    const entries = [...this.pending.values()];
    this.pending.clear();
    for (const e of entries) {
      clearTimeout(e.timer);
      e.reject(error);
    }
  }

  /** Sends `message` (an id is added) and resolves with the host's reply frame. */
  request(message, { timeoutMs = this.timeoutMs } = {}) {
    return new Promise((resolve, reject) => {
      let port;
      try {
        port = this.ensurePort();
      } catch (e) {
        reject(e);
        return;
      }
      const id = this.nextId++;
      const timer = setTimeout(() => {
        if (!this.pending.has(id)) return;
        this.pending.delete(id);
        // A host that does not answer in time is not trusted to answer later: start afresh.
        this.dropPort(port, new HostError("timeout", "the helper program did not answer in time"));
        reject(new HostError("timeout", "the helper program did not answer in time"));
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      try {
        port.postMessage({ ...message, id });
      } catch (e) {
        this.pending.delete(id);
        clearTimeout(timer);
        this.dropPort(port, new HostError("disconnected", String(e?.message ?? e)));
        reject(new HostError("disconnected", String(e?.message ?? e)));
      }
    });
  }

  close() {
    if (this.port) this.dropPort(this.port, new HostError("disconnected", "closed"));
  }
}
