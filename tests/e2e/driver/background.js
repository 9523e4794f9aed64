// background.js of the test-only driver extension: the e2e test (through Marionette, in this
// page's content context) calls window.tg.* to compose and send like a user would, so the
// product's compose.onBeforeSend listener runs exactly as it does for the Send button.
//
// Guarantees: send() returns at once and records the outcome ("sent" or the error text) when
// compose.sendMessage settles, so the test can look at the dialog while the send is pending.
// Two times are kept: `ms` until compose.sendMessage settles (Thunderbird resolves it only after
// every extension's onAfterSend listener has returned) and `closedMs` until the compose window
// is gone, which is when a person sees the send done.

// compose tab id → {state: "pending"|"sent"|"failed", started, error, ms, closedMs}
const outcomes = new Map();

messenger.tabs.onRemoved.addListener((tabId) => {
  const o = outcomes.get(tabId);
  if (o) o.closedMs = performance.now() - o.started;
});

window.tg = {
  ready: true,

  /** Opens a compose window; resolves with its tab id once the editor is ready. */
  async compose(details) {
    const tab = await messenger.compose.beginNew({ isPlainText: true, plainTextBody: "typoguard e2e\n", ...details });
    // beginNew resolves when the window exists; wait until its state can be read.
    for (let i = 0; i < 100; i++) {
      try {
        await messenger.compose.getComposeDetails(tab.id);
        break;
      } catch (e) {
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    return tab.id;
  },

  send(tabId) {
    const started = performance.now();
    const o = { state: "pending", started };
    outcomes.set(tabId, o);
    messenger.compose.sendMessage(tabId).then(
      () => Object.assign(o, { state: "sent", ms: performance.now() - started }),
      (e) => Object.assign(o, { state: "failed", error: String(e?.message ?? e), ms: performance.now() - started }),
    );
    return true;
  },

  outcome(tabId) {
    return outcomes.get(tabId) ?? null;
  },

  /** Whether the compose window of tabId is still open (after "go back" it must be). */
  async composeOpen(tabId) {
    try {
      await messenger.tabs.get(tabId);
      return true;
    } catch (e) {
      return false;
    }
  },

  /** Adds a contact to the first writable address book (as a user would in the address book). */
  async addContact(name, email) {
    const books = await messenger.addressBooks.list();
    const book = books.find((b) => !b.readOnly && !b.remote) ?? books[0];
    const [first, ...rest] = name.split(" ");
    const vCard = ["BEGIN:VCARD", "VERSION:4.0", `FN:${name}`, `N:${rest.join(" ")};${first};;;`,
                   `EMAIL;PREF=1:${email}`, "END:VCARD"].join("\r\n");
    return messenger.contacts.create(book.id, { vCard });
  },

  /** Changes the compose window's details as a person typing would (only what is given). */
  async edit(tabId, details) {
    await messenger.compose.setComposeDetails(tabId, details);
    return true;
  },

  async details(tabId) {
    return messenger.compose.getComposeDetails(tabId);
  },

  async closeCompose(tabId) {
    const tab = await messenger.tabs.get(tabId);
    await messenger.windows.remove(tab.windowId);
    return true;
  },
};
