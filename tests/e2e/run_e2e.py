#!/usr/bin/python3
"""run_e2e.py — the real-Thunderbird end-to-end test of typoguard.

Owns: the scenarios of the extension's issue, each against a real headless Thunderbird with the
built typoguard.xpi sideloaded, the built typoguard-host registered through a native manifest in
a scratch HOME, a loopback SMTP sink (started before Thunderbird) and a test-only driver
extension that composes and sends. The dialog is answered with real, trusted clicks through
Marionette. Guarantees: nothing outside the scratch folder is changed; every Thunderbird runs
under `timeout`; exit status 0 = all passed, 1 = a failure, 77 = skipped because Thunderbird is
not installed (ctest SKIP_RETURN_CODE).

Usage: /usr/bin/python3 run_e2e.py --build BUILD_DIR [--only NAME,...] [--keep] [--screenshots DIR]
Needs Debian's python3-aiosmtpd, hence /usr/bin/python3.

With --screenshots DIR the same runs that click the dialog also save it as PNG pictures
(Marionette's screenshot of the dialog page, as Thunderbird drew it): dialog-block.png (.ml, a
block with a fix), dialog-warn.png (gmial.com), dialog-several.png (To, Cc and Bcc at once),
dialog-dark.png (the system in dark mode), dialog-de.png (Thunderbird in German, which needs
Debian's thunderbird-l10n-de: without it that run is skipped with the reason) and
options-policy.png (the options page, force-installed with every administrator key set).
scripts/docs.sh puts them in docs/.
"""
import argparse
import base64
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import tbprofile  # noqa: E402
from marionette import Marionette, MarionetteError  # noqa: E402

EXT_ID = tbprofile.EXTENSION_ID
DRIVER_ID = "typoguard-e2e-driver@typoguard.org"
NOOP_ID = "typoguard-e2e-noop@typoguard.org"
SENDER = ("Jane Roe", "jane.roe@mail.mil")
TB_DEFAULT = "/usr/lib/thunderbird/thunderbird"
RUN_TIMEOUT_S = 150  # one Thunderbird run; the whole test (9 runs) takes 3-6 minutes

# The chrome-context script that points the session's content context at an extension page:
# the product's dialog (a popup window) or the driver's background page.
ATTACH_JS = r"""
const [kind, extId, path, sessionId] = arguments;
const { getWebDriverSessionById } = ChromeUtils.importESModule(
  "chrome://remote/content/shared/webdriver/Session.sys.mjs");
const policy = WebExtensionPolicy.getByID(extId);
if (!policy) return false;
let bc = null;
if (kind === "background") {
  bc = policy.extension?.backgroundContext?.xulBrowser?.browsingContext ?? null;
} else {
  const url = policy.getURL(path);
  for (const win of Services.wm.getEnumerator(null)) {
    for (const b of win.document.querySelectorAll("browser")) {
      if (b.currentURI?.spec?.startsWith(url)) bc = b.browsingContext;
    }
  }
}
if (!bc) return false;
getWebDriverSessionById(sessionId).contentBrowsingContext = bc;
return true;
"""

# Replaces the alerts service (behind messenger.notifications) with one that records each alert
# in a pref, so the test can see the notification a headless Thunderbird cannot display.
# Thunderbird 153 calls showAlert(alert, listener); 140 (Debian 12's point release, before the
# security updates) still calls showAlertNotification(image, title, text, clickable, cookie,
# listener, ...): both are recorded.
MOCK_ALERTS_JS = r"""
const registrar = Components.manager.QueryInterface(Ci.nsIComponentRegistrar);
const record = (title, text, cookie, listener) => {
  const seen = JSON.parse(Services.prefs.getStringPref("typoguard.e2e.alerts", "[]"));
  seen.push({ title, text });
  Services.prefs.setStringPref("typoguard.e2e.alerts", JSON.stringify(seen));
  listener?.observe(null, "alertshow", cookie);
};
const service = {
  QueryInterface: ChromeUtils.generateQI(["nsIAlertsService"]),
  showAlert(alert, listener) {
    record(alert.title, alert.text, alert.cookie, listener);
  },
  showAlertNotification(image, title, text, clickable, cookie, listener) {
    record(title, text, cookie, listener);
  },
  closeAlert() {},
};
const factory = { createInstance(iid) { return service.QueryInterface(iid); } };
registrar.registerFactory(Components.ID("{5b4d3a4e-1f0f-4d8e-9a57-7e0b7c1a9e42}"),
  "typoguard e2e alerts", "@mozilla.org/alerts-service;1", factory);
return true;
"""


class Failure(Exception):
    pass


def check(cond, what):
    if not cond:
        raise Failure(what)


def policies_copy(thunderbird, scratch, policies, name="thunderbird-install"):
    """A private "installation" of Thunderbird whose distribution/policies.json holds `policies`:
    the real binary copied (Thunderbird finds its distribution folder next to the executable it
    runs from) and everything else symlinked (about 1 MB). The system's install and
    /etc/thunderbird are left alone. Returns the path of the copied binary."""
    src = os.path.dirname(os.path.realpath(thunderbird))
    dest = os.path.join(scratch, name)
    os.makedirs(os.path.join(dest, "distribution"))
    for name in os.listdir(src):
        if name == "distribution":
            continue  # ours replaces any vendor policies
        full = os.path.join(src, name)
        if name in ("thunderbird", "thunderbird-bin"):
            shutil.copy2(full, os.path.join(dest, name))
        else:
            os.symlink(full, os.path.join(dest, name))
    with open(os.path.join(dest, "distribution", "policies.json"), "w") as f:
        json.dump({"policies": policies}, f, indent=2)
    return os.path.join(dest, os.path.basename(thunderbird))


def noop_xpi(scratch):
    """An extension with an onBeforeSend listener that returns at once (timing baseline)."""
    path = os.path.join(scratch, "noop.xpi")
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("manifest.json", json.dumps({
            "manifest_version": 2, "name": "noop", "version": "1.0",
            "browser_specific_settings": {"gecko": {"id": NOOP_ID}},
            "background": {"scripts": ["bg.js"]}, "permissions": ["compose"]}))
        z.writestr("bg.js", "messenger.compose.onBeforeSend.addListener(async () => ({}));\n")
    return path


def pack_dir(src, dest):
    with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as z:
        for root, _, files in os.walk(src):
            for name in sorted(files):
                full = os.path.join(root, name)
                z.write(full, os.path.relpath(full, src))
    return dest


class Thunderbird:
    """One headless Thunderbird on a fresh scratch profile, driven through Marionette."""

    def __init__(self, args, scratch, name, *, with_product=True, host=True, managed=None,
                 binary=None, extra_extensions=None, extra_prefs=None, address_book=None):
        self.name = name
        self.shots = getattr(args, "screenshots", None)  # policy_e2e.py builds its own args
        self.root = os.path.join(scratch, name)
        exts = {DRIVER_ID: args.driver_xpi}
        if with_product:
            exts[EXT_ID] = args.xpi
        exts.update(extra_extensions or {})
        self.home, self.profile = tbprofile.make(
            self.root, smtp_port=args.smtp_port, sender_email=SENDER[1], sender_name=SENDER[0],
            extensions=exts, host_path=args.host if host else None, managed=managed,
            extra_prefs=extra_prefs)
        if address_book:  # a list of cards, or a function that makes them (only when needed)
            tbprofile.write_address_book(
                self.profile, address_book() if callable(address_book) else address_book)
        self.binary = binary or args.thunderbird
        self.log_path = os.path.join(self.root, "thunderbird.log")
        self.proc = None
        self.m = None

    def start(self):
        env = dict(os.environ)
        env.update({
            "HOME": self.home,
            "MOZ_HEADLESS": "1",
            "XDG_CONFIG_HOME": os.path.join(self.home, ".config"),
            "XDG_DATA_HOME": os.path.join(self.home, ".local", "share"),
            "XDG_CACHE_HOME": os.path.join(self.home, ".cache"),
            # the host must not read the machine's /etc/typoguard/policy.conf
            "TYPOGUARD_POLICY": os.path.join(self.home, "no-policy.conf"),
            "MOZ_CRASHREPORTER_DISABLE": "1",
        })
        env.pop("DISPLAY", None)
        env.pop("WAYLAND_DISPLAY", None)
        started = time.monotonic()
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen(
            ["timeout", "-k", "5", str(RUN_TIMEOUT_S), self.binary, "--headless", "--no-remote",
             "--profile", self.profile, "--marionette", "--remote-allow-system-access"],
            env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        port_file = os.path.join(self.profile, "MarionetteActivePort")
        deadline = time.monotonic() + 60
        while not os.path.exists(port_file) or not open(port_file).read().strip():
            if self.proc.poll() is not None:
                raise Failure(f"Thunderbird exited with {self.proc.returncode}; see {self.log_path}")
            if time.monotonic() > deadline:
                raise Failure(f"Marionette did not start; see {self.log_path}")
            time.sleep(0.1)
        self.m = Marionette(int(open(port_file).read().strip()))
        self.m.start_session()
        self.m.chrome(MOCK_ALERTS_JS)
        # Both extensions started: the driver's background page is up, the product is enabled.
        self.m.wait("the driver extension", lambda: self.attach_driver() and self.m.content("return !!window.tg?.ready"), timeout=60)
        self.startup_s = time.monotonic() - started
        return self

    def stop(self):
        if self.m:
            try:
                self.m.chrome("Services.startup.quit(Ci.nsIAppStartup.eForceQuit); return true;")
            except Exception:
                pass
            self.m.sock.close()
        if self.proc:
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)  # our own process group only
                self.proc.wait()
        if getattr(self, "log", None):
            self.log.close()

    # ---- helpers ------------------------------------------------------------------------
    def attach_driver(self):
        return self.m.chrome(ATTACH_JS, ["background", DRIVER_ID, "", self.m.session_id])

    def driver(self, script, args=None):
        self.attach_driver()
        return self.m.content(script, args)

    def compose(self, to, subject, cc=None, bcc=None):
        details = {"to": to, "subject": subject}
        if cc:
            details["cc"] = cc
        if bcc:
            details["bcc"] = bcc
        return self.driver("return window.tg.compose(arguments[0]);", [details])

    def send(self, tab):
        self.driver("return window.tg.send(arguments[0]);", [tab])

    def outcome(self, tab):
        return self.driver("return window.tg.outcome(arguments[0]);", [tab])

    def wait_outcome(self, tab, timeout=20):
        return self.m.wait("the send to finish", lambda: (o := self.outcome(tab)) and o["state"] != "pending" and o, timeout=timeout)

    def dialog_open(self):
        return self.m.chrome(ATTACH_JS, ["page", EXT_ID, "dialog/dialog.html", self.m.session_id])

    def wait_dialog(self, timeout=15):
        def ready():
            if not self.dialog_open():
                return False
            return self.m.content("return document.documentElement.dataset.ready === 'true';")
        self.m.wait("the typoguard dialog", ready, timeout=timeout)

    def dialog_state(self):
        """The dialog's buttons (shown, disabled, focused) and row texts, read from its DOM."""
        self.wait_dialog()
        return self.m.content(r"""
          const b = (id) => { const e = document.getElementById(id);
            return { shown: !!e && !e.hidden && !e.closest('[hidden]'), disabled: !!e?.disabled,
                     text: e?.textContent ?? '' }; };
          return { fix: b('fix-and-send'), send: b('send-anyway'), back: b('go-back'),
                   focus: document.activeElement?.id ?? null,
                   role: document.getElementById('dialog').getAttribute('role'),
                   title: document.getElementById('title-text').textContent,
                   intro: document.getElementById('intro').textContent,
                   rows: [...document.querySelectorAll('#rows > li')].map(li => li.textContent) };
        """)

    def click(self, css):
        """A real, trusted click on an element of the dialog."""
        self.wait_dialog()
        self.m.set_context("content")
        el = self.m.call("WebDriver:FindElement", {"using": "css selector", "value": css})
        try:
            self.m.call("WebDriver:ElementClick", {"id": list(el.values())[0] if isinstance(el, dict) else el})
        except MarionetteError as e:
            # The click closes the dialog; if the page is gone before Marionette reports back,
            # the send's outcome (checked by every scenario) tells whether the click arrived.
            if "no such window" not in str(e):
                raise

    def press(self, key):
        """A real key press in the dialog (WebDriver key codes: Escape \ue00c, Enter \ue007)."""
        self.wait_dialog()
        self.m.set_context("content")
        try:
            self.m.call("WebDriver:PerformActions", {"actions": [{"type": "key", "id": "keyboard", "actions": [
                {"type": "keyDown", "value": key}, {"type": "keyUp", "value": key}]}]})
        except MarionetteError as e:
            # The key closes the dialog on keydown, so its keyup may find the page gone; the
            # scenario checks the outcome of the send, which proves the key arrived.
            if "no such window" not in str(e):
                raise
        # no ReleaseActions: the dialog and its browsing context are gone

    def shot(self, name):
        """Saves the open dialog as DIR/NAME.png when the run was asked for pictures: the page as
        Thunderbird drew it (Marionette's screenshot of the dialog's browsing context)."""
        if not self.shots:
            return
        if name.startswith("dialog"):
            self.wait_dialog()
        else:
            self.m.set_context("content")  # the page the caller attached
        # Fonts loaded and a frame painted after the last layout change, so the picture is what
        # a person sees.
        self.m.content("return (document.fonts ? document.fonts.ready : Promise.resolve())"
                       ".then(() => new Promise((r) => requestAnimationFrame(() => "
                       "requestAnimationFrame(() => r(true)))));")
        data = self.m.call("WebDriver:TakeScreenshot", {"full": True, "hash": False})
        os.makedirs(self.shots, exist_ok=True)
        path = os.path.join(self.shots, name + ".png")
        with open(path, "wb") as f:
            f.write(base64.b64decode(data))
        print(f"     picture {path}", flush=True)

    def alerts(self):
        return json.loads(self.m.chrome('return Services.prefs.getStringPref("typoguard.e2e.alerts", "[]");'))

    def compose_open(self, tab):
        return self.driver("return window.tg.composeOpen(arguments[0]);", [tab])


# ---- scenarios --------------------------------------------------------------------------------

def delivered(sink, subject, timeout=15):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = sink.by_subject(subject)
        if got:
            return got
        time.sleep(0.1)
    return []


# Longest gap between 10 ms timers on Thunderbird's main (parent) thread over `ms` milliseconds:
# what a person would feel as a frozen window.
PROBE_JS = r"""
const ms = arguments[0];
return new Promise((resolve) => {
  const t0 = performance.now();
  let last = t0, worst = 0, ticks = 0;
  const tick = () => {
    const now = performance.now();
    worst = Math.max(worst, now - last - 10);
    last = now;
    ticks++;
    if (now - t0 < ms) setTimeout(tick, 10);
    else resolve({ worst_ms: worst, ticks });
  };
  setTimeout(tick, 10);
});
"""
BIG_BOOK = 20000
BIG_BOOK_STALL_MS = 2000  # contacts.list held the main thread ~8 s for 20,000 contacts


# The main run's personal address book, written into the profile before Thunderbird starts: one
# contact with three addresses, the third of which Thunderbird keeps only in the vCard.
MAIN_BOOK = [("00000000-0000-4000-8000-0000000000b1", "Kim", "Lee",
              ["kim@one.example", "kim.lee@two.example", "k.lee@ops.example-three.net"])]
READ_LOG = re.compile(r"typoguard: address books read in (\d+) ms: (\d+) mailboxes \(([^)]*)\)")


def scenario_book_read(tb, sink):
    """The address book Thunderbird starts with is read through the typoguardBooks experiment (a
    slice per call, not contacts.list): all three of Kim Lee's addresses are known, so a slip of
    the third one's domain (only in the vCard) is caught with that domain as the fix."""
    deadline = time.monotonic() + 30
    while True:
        log = open(tb.log_path, errors="replace").read()
        m = READ_LOG.search(log)
        if m or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    check(m is not None, "the address book was not read within 30 s of start-up")
    check(m.group(3) == "in slices",
          f"the books were not read through the typoguardBooks experiment: {m.group(3)}")
    check(int(m.group(2)) == 3, f"{m.group(2)} mailboxes read from the address book, not 3")
    tab = tb.compose(["Kim Lee <k.lee@ops.example-thre.net>"], "e2e-b-book")
    tb.send(tab)
    state = tb.dialog_state()
    check(any("example-three.net" in r for r in state["rows"]),
          f"no row suggests the address book's example-three.net: {state['rows']}")
    tb.click("#go-back")
    out = tb.wait_outcome(tab)
    check(out["state"] == "failed", f"go-back did not cancel: {out}")


CHECKED_AHEAD_LOG = "typoguard: checked ahead of Send"
SEND_CHECK_LOG = re.compile(r"typoguard: check of \d+ recipient\(s\) took .*")
ANSWERED_AHEAD = "(answered ahead of Send)"  # ends a SEND_CHECK_LOG line that took the answer ahead


def scenario_ahead(tb, sink):
    """A compose window that opens with its recipients (a reply, a mailto: link) is checked before
    Send, silently; its Send shows the dialog from that answer without asking the host again. A
    recipient added afterwards makes the Send ask the host itself, and the dialog then names it."""
    def log():
        return open(tb.log_path, errors="replace").read()

    def send_and_go_back(tab, suggested):
        """Sends, expects a row suggesting `suggested`, goes back; returns the Send's log line."""
        tb.send(tab)
        state = tb.dialog_state()
        check(any(suggested in r for r in state["rows"]), f"no row suggests {suggested}: {state['rows']}")
        tb.click("#go-back")
        check(tb.wait_outcome(tab)["state"] == "failed", "go-back did not cancel")
        tb.m.wait("the dialog to close", lambda: not tb.dialog_open(), timeout=10)
        return SEND_CHECK_LOG.findall(log())[-1]

    before = log().count(CHECKED_AHEAD_LOG)
    tab = tb.compose(["John Doe <john.doe@army.ml>"], "e2e-ahead")
    tb.m.wait("the check ahead of Send", lambda: log().count(CHECKED_AHEAD_LOG) > before, timeout=15)
    check(not tb.dialog_open(), "the check ahead of Send opened a dialog")
    last = send_and_go_back(tab, "army.mil")
    check(ANSWERED_AHEAD in last, f"the Send asked the host again: {last!r}")
    # another recipient, typed after the check ahead: this Send asks the host
    tb.driver("return window.tg.edit(arguments[0], arguments[1]);", [tab, {"cc": ["ops@outlok.com"]}])
    last = send_and_go_back(tab, "outlook.com")
    check(ANSWERED_AHEAD not in last, f"a changed message took an old answer: {last!r}")


def scenario_big_book(tb, sink):
    """Thunderbird's window keeps answering while a 20,000-contact address book is read after
    start-up: the longest pause between 10 ms timers on its main thread, watched from start-up
    until the read is done, stays under BIG_BOOK_STALL_MS (contacts.list held it ~8 s in one
    piece). Then a send to a contact of the book goes through with no dialog."""
    worst, deadline, m = 0.0, time.monotonic() + 120, None
    while m is None and time.monotonic() < deadline:
        probe = tb.m.chrome(PROBE_JS, [2000], timeout_ms=60000)
        worst = max(worst, probe["worst_ms"])
        m = READ_LOG.search(open(tb.log_path, errors="replace").read())
    check(m is not None, "the 20,000-contact book was not read within 120 s")
    print(f"     read in {m.group(1)} ms ({m.group(3)}); longest main-thread pause meanwhile "
          f"{worst:.0f} ms", flush=True)
    check(worst <= BIG_BOOK_STALL_MS,
          f"Thunderbird's main thread paused {worst:.0f} ms while the book was read")
    check(m.group(3) == "in slices", f"the book was not read in slices: {m.group(3)}")
    check(int(m.group(2)) == BIG_BOOK, f"{m.group(2)} mailboxes read, not {BIG_BOOK}")
    first, last, emails = tbprofile.synthetic_card(BIG_BOOK // 2, BIG_BOOK)[1:]
    tab = tb.compose([f"{first} {last} <{emails[0]}>"], "e2e-bigbook")
    tb.send(tab)
    out = tb.wait_outcome(tab, timeout=30)
    check(out["state"] == "sent", f"a send to a contact of the big book did not go: {out}")
    check(delivered(sink, "e2e-bigbook"), "the big book's message was not delivered")


def scenario_clean(tb, sink):
    """(a) clean recipients: delivered, no dialog."""
    tab = tb.compose(["someone@example.org"], "e2e-a-clean", cc=["Colleague <colleague@mail.mil>"])
    tb.send(tab)
    out = tb.wait_outcome(tab)
    check(out["state"] == "sent", f"clean send failed: {out}")
    check(not tb.dialog_open(), "a dialog opened for clean recipients")
    msgs = delivered(sink, "e2e-a-clean")
    check(len(msgs) == 1, "clean message not delivered")
    check(sorted(msgs[0]["rcpt_tos"]) == ["colleague@mail.mil", "someone@example.org"], f"RCPT {msgs[0]['rcpt_tos']}")


def scenario_fix(tb, sink):
    """(b) army.ml from a .mil identity: dialog, nothing delivered until answered, fix-and-send."""
    tab = tb.compose(["John Doe <john.doe@army.ml>"], "e2e-b-fix")
    tb.send(tab)
    state = tb.dialog_state()
    check(state["role"] == "dialog", "the dialog has no role=dialog")
    check(state["fix"]["shown"] and not state["fix"]["disabled"], f"fix-and-send not usable: {state}")
    check(state["send"]["disabled"], f"send-anyway enabled on a block: {state}")
    check(state["focus"] == "go-back", f"focus on a block should be go-back, is {state['focus']}")
    check(any("army.mil" in r and "Mali" in r for r in state["rows"]), f"row does not explain the .ml confusion: {state['rows']}")
    check(any("Did you mean army.mil?" in r for r in state["rows"]),
          f"row does not say what was meant: {state['rows']}")
    tb.shot("dialog-block")
    time.sleep(0.5)
    check(not sink.by_subject("e2e-b-fix"), "delivered before the dialog was answered")
    check(tb.outcome(tab)["state"] == "pending", "send settled while the dialog was open")
    tb.click("#fix-and-send")
    out = tb.wait_outcome(tab)
    check(out["state"] == "sent", f"fix-and-send did not send: {out}")
    msgs = delivered(sink, "e2e-b-fix")
    check(len(msgs) == 1, "fixed message not delivered")
    check(msgs[0]["rcpt_tos"] == ["john.doe@army.mil"], f"RCPT {msgs[0]['rcpt_tos']}")
    check("John Doe" in msgs[0]["to"] and "john.doe@army.mil" in msgs[0]["to"], f"To: {msgs[0]['to']}")


def scenario_send_anyway(tb, sink):
    """(c) a warning (near_miss): send-anyway delivers as typed."""
    tab = tb.compose(["ops@gmial.com"], "e2e-c-anyway")
    tb.send(tab)
    state = tb.dialog_state()
    check(not state["send"]["disabled"], f"send-anyway disabled on a warning: {state}")
    check(state["focus"] == "fix-and-send", f"focus on a fixable warning should be fix-and-send, is {state['focus']}")
    tb.shot("dialog-warn")
    tb.click("#send-anyway")
    out = tb.wait_outcome(tab)
    check(out["state"] == "sent", f"send-anyway did not send: {out}")
    msgs = delivered(sink, "e2e-c-anyway")
    check(len(msgs) == 1 and msgs[0]["rcpt_tos"] == ["ops@gmial.com"], f"not delivered as typed: {msgs}")


def scenario_several(tb, sink):
    """Several fields at once: a block in To, a warning in Cc and a block in Bcc give one row
    each, in field order; go back sends nothing. (Before scenario_send_anyway, which teaches the
    host gmial.com.)"""
    tab = tb.compose(["John Doe <john.doe@army.ml>"], "e2e-s-several", cc=["ops@gmial.com"],
                     bcc=["Mary Major <mary.major@gmail.con>"])
    tb.send(tab)
    state = tb.dialog_state()
    rows = state["rows"]
    check(len(rows) == 3, f"expected three rows (To, Cc, Bcc): {rows}")
    check("army.mil" in rows[0] and "gmail.com" in rows[1] and "gmail.con" in rows[2],
          f"rows not in field order: {rows}")
    check(state["send"]["disabled"], f"send-anyway enabled with blocks among the rows: {state}")
    tb.shot("dialog-several")
    tb.click("#go-back")
    check(tb.wait_outcome(tab)["state"] == "failed", "go-back did not cancel")
    time.sleep(0.5)
    check(not sink.by_subject("e2e-s-several"), "delivered after go-back")


def scenario_dark(tb, sink):
    """The system in dark mode: the dialog follows it (prefers-color-scheme), readable."""
    tab = tb.compose(["John Doe <john.doe@army.ml>"], "e2e-t-dark", cc=["ops@gmial.com"])
    tb.send(tab)
    tb.wait_dialog()
    look = tb.m.content("""
      const cs = getComputedStyle(document.body);
      return { dark: matchMedia('(prefers-color-scheme: dark)').matches,
               bg: cs.backgroundColor, fg: cs.color };""")
    check(look["dark"], f"the dialog does not see the dark system theme: {look}")
    lum = lambda c: sum(int(x) for x in c[c.index("(") + 1:c.index(")")].split(",")[:3])
    check(lum(look["bg"]) < lum(look["fg"]),
          f"not dark: background {look['bg']}, text {look['fg']}")
    tb.shot("dialog-dark")
    tb.click("#go-back")
    check(tb.wait_outcome(tab)["state"] == "failed", "go-back did not cancel")


def scenario_german(tb, sink):
    """Thunderbird in German: the dialog's words come from _locales/de, by message_id."""
    tab = tb.compose(["John Doe <john.doe@army.ml>"], "e2e-g-german", cc=["ops@gmial.com"])
    tb.send(tab)
    state = tb.dialog_state()
    check(state["fix"]["text"].strip() == "Korrigieren und senden", f"buttons not German: {state}")
    check(any("Meinten Sie john.doe@army.mil" in r or "Meinten Sie army.mil" in r
              for r in state["rows"]), f"rows not German: {state['rows']}")
    tb.shot("dialog-de")
    tb.click("#go-back")
    check(tb.wait_outcome(tab)["state"] == "failed", "go-back did not cancel")


OPEN_TAB_JS = r"""
const [url] = arguments;
const win = Services.wm.getMostRecentWindow("mail:3pane");
if (!win) return false;
if (url === "about:addons") win.openAddonsMgr("addons://list/extension");
else win.openTab("contentTab", { url });
return true;
"""

# Points the content context at the browser showing `prefix` (about:addons is not an extension
# page, so ATTACH_JS cannot find it).
ATTACH_URL_JS = r"""
const [prefix, sessionId] = arguments;
const { getWebDriverSessionById } = ChromeUtils.importESModule(
  "chrome://remote/content/shared/webdriver/Session.sys.mjs");
for (const win of Services.wm.getEnumerator(null)) {
  for (const b of win.document.querySelectorAll("browser")) {
    if (b.currentURI?.spec?.startsWith(prefix)) {
      getWebDriverSessionById(sessionId).contentBrowsingContext = b.browsingContext;
      return true;
    }
  }
}
return false;
"""


def scenario_options_locked(tb, sink):
    """Force-installed by policies.json with every administrator key set: what the options page
    and about:addons show (the deployment docs describe exactly this)."""
    tb.m.wait("the force-installed extension",
              lambda: tb.m.chrome("return !!WebExtensionPolicy.getByID(arguments[0]);", [EXT_ID]),
              timeout=30)
    url = tb.m.chrome("return WebExtensionPolicy.getByID(arguments[0])"
                      ".getURL('options/options.html');", [EXT_ID])
    check(tb.m.chrome(OPEN_TAB_JS, [url]), "no mail window to open the options page in")
    tb.m.wait("the options page", lambda: tb.m.chrome(ATTACH_URL_JS, [url, tb.m.session_id]) and
              tb.m.content("return document.readyState === 'complete' && "
                           "!!document.querySelector('#admin dt');"), timeout=20)
    page = tb.m.content(r"""
      const f = (id) => { const e = document.getElementById(id);
        const note = document.getElementById(id + '-locked');
        return { disabled: e.disabled, readOnly: !!e.readOnly,
                 value: e.type === 'checkbox' ? e.checked : e.value,
                 note: note && !note.hidden ? note.textContent : null }; };
      return { fields: Object.fromEntries(['org_domains', 'trusted_domains', 'flag_external',
                 'first_contact', 'learn'].map((id) => [id, f(id)])),
               admin: [...document.querySelectorAll('#admin dt')].map((dt) =>
                 [dt.querySelector('code')?.textContent ?? dt.textContent, dt.textContent,
                  dt.nextElementSibling.textContent]) };""")
    print(f"     options page: {json.dumps(page)}", flush=True)
    fields = page["fields"]
    for key in ("flag_external", "first_contact", "learn"):
        check(fields[key]["disabled"] and fields[key]["note"], f"{key} not locked: {fields[key]}")
    check(fields["flag_external"]["value"] == "warn" and fields["learn"]["value"] is False,
          f"locked fields do not show the administrator's values: {fields}")
    for key in ("org_domains", "trusted_domains"):
        # lists merge: the user may add, the administrator's entries are named beside the field
        check(not fields[key]["disabled"] and fields[key]["note"], f"{key}: {fields[key]}")
    admin = {key: (label, value) for key, label, value in page["admin"]}
    for key in POLICY_ALL:
        check(key in admin, f"{key} missing from the administrator's list: {admin}")
        # said in words, the policy key beside them for the administrator
        check(admin[key][0].strip() != key, f"{key} is not said in words: {admin[key]}")
    check(admin["blocked_tlds"][1] == ".xyz" and admin["fail_mode"][1] == "Do not send",
          f"administrator values not in words: {admin}")
    tb.shot("options-policy")
    # about:addons: the card's Remove item is there, greyed out
    check(tb.m.chrome(OPEN_TAB_JS, ["about:addons"]), "could not open about:addons")
    def card():
        if not tb.m.chrome(ATTACH_URL_JS, ["about:addons", tb.m.session_id]):
            return None
        return tb.m.content(r"""
          const card = document.querySelector(`addon-card[addon-id="${arguments[0]}"]`);
          if (!card) return null;
          const item = card.querySelector('panel-item[action="remove"]');
          return item && { hidden: item.hidden, disabled: item.disabled,
                           label: item.textContent.trim(), title: item.getAttribute('title'),
                           l10n: item.getAttribute('data-l10n-id') };""", [EXT_ID])
    remove = tb.m.wait("the add-on's card in about:addons", card, timeout=20)
    print(f"     about:addons Remove: {json.dumps(remove)}", flush=True)
    check(not remove["hidden"] and remove["disabled"], f"Remove is not shown greyed out: {remove}")


def scenario_go_back(tb, sink):
    """(d) go-back: nothing delivered, the compose window stays open."""
    tab = tb.compose(["John Doe <john.doe@army.ml>"], "e2e-d-back")
    tb.send(tab)
    tb.wait_dialog()
    tb.click("#go-back")
    out = tb.wait_outcome(tab)
    check(out["state"] == "failed", f"go-back did not cancel: {out}")
    time.sleep(0.5)
    check(not sink.by_subject("e2e-d-back"), "delivered after go-back")
    check(tb.compose_open(tab), "compose window closed after go-back")
    check(not tb.dialog_open(), "dialog still open after go-back")


def scenario_keyboard(tb, sink):
    """Keyboard: Escape goes back; Enter activates the focused button (fix-and-send on a
    fixable warning), which sends the corrected address."""
    tab = tb.compose(["ops@hotmial.com"], "e2e-k-escape")
    tb.send(tab)
    tb.press("\ue00c")
    check(tb.wait_outcome(tab)["state"] == "failed", "Escape did not cancel")
    check(tb.compose_open(tab), "compose window closed after Escape")
    tab = tb.compose(["ops@hotmial.com"], "e2e-k-enter")
    tb.send(tab)
    check(tb.dialog_state()["focus"] == "fix-and-send", "focus not on fix-and-send")
    tb.press("\ue007")
    check(tb.wait_outcome(tab)["state"] == "sent", "Enter did not send")
    msgs = delivered(sink, "e2e-k-enter")
    check(len(msgs) == 1 and msgs[0]["rcpt_tos"] == ["ops@hotmail.com"], f"Enter: not delivered corrected: {msgs}")
    check(not sink.by_subject("e2e-k-escape"), "delivered after Escape")


def scenario_learned(tb, sink):
    """After (c) sent to gmial.com anyway, onAfterSend taught the host that domain: the same
    address now goes without a dialog (learn, through the real host's history)."""
    tab = tb.compose(["ops@gmial.com"], "e2e-l-learned")
    tb.send(tab)
    out = tb.wait_outcome(tab)
    check(out["state"] == "sent", f"learned domain not sent: {out}")
    check(not tb.dialog_open(), "a dialog opened for a learned domain")
    check(len(delivered(sink, "e2e-l-learned")) == 1, "learned: not delivered")


def scenario_wrong_address(tb, sink):
    """The autocomplete slip: with `John Smith <john.smith@army.mil>` in the address book, a
    message from the .mil identity to ops@army.mil and John Smith's personal Gmail address opens
    the dialog with the wrong_address finding; fix-and-send delivers to the army.mil address with
    the name kept."""
    tb.driver("return window.tg.addContact(arguments[0], arguments[1]);",
              ["John Smith", "john.smith@army.mil"])
    tab = tb.compose(["ops@army.mil", "John Smith <john.smith@gmail.com>"], "e2e-w-wrong-address")
    tb.send(tab)
    state = tb.dialog_state()
    check(any("John Smith" in r and "john.smith@army.mil" in r for r in state["rows"]),
          f"no row explains the wrong address: {state['rows']}")
    check(not state["send"]["disabled"], f"send-anyway disabled on a warning: {state}")
    time.sleep(0.5)
    check(not sink.by_subject("e2e-w-wrong-address"), "delivered before the dialog was answered")
    tb.click("#fix-and-send")
    out = tb.wait_outcome(tab)
    check(out["state"] == "sent", f"fix-and-send did not send: {out}")
    msgs = delivered(sink, "e2e-w-wrong-address")
    check(len(msgs) == 1, "fixed message not delivered")
    check(sorted(msgs[0]["rcpt_tos"]) == ["john.smith@army.mil", "ops@army.mil"], f"RCPT {msgs[0]['rcpt_tos']}")
    check("John Smith" in msgs[0]["to"] and "john.smith@army.mil" in msgs[0]["to"], f"To: {msgs[0]['to']}")


def scenario_missing_open(tb, sink):
    """(e1) host missing, fail_mode open (default): delivered, and a notification says why."""
    tab = tb.compose(["John Doe <john.doe@army.ml>"], "e2e-e-open")
    tb.send(tab)
    out = tb.wait_outcome(tab)
    check(out["state"] == "sent", f"fail open did not send: {out}")
    check(len(delivered(sink, "e2e-e-open")) == 1, "fail open: not delivered")
    alerts = tb.m.wait("the notification", lambda: tb.alerts(), timeout=5)
    check(any("typoguard-host --selftest" in a["text"] for a in alerts), f"notification text: {alerts}")


def scenario_missing_closed(tb, sink):
    """(e2) host missing, fail_mode closed by policy: not delivered, dialog with only go-back."""
    tab = tb.compose(["someone@example.org"], "e2e-e-closed")
    tb.send(tab)
    state = tb.dialog_state()
    check(state["back"]["shown"] and not state["fix"]["shown"] and not state["send"]["shown"], f"buttons: {state}")
    check("typoguard-host --selftest" in state["intro"], f"no explanation: {state['intro']}")
    check(state["focus"] == "go-back", "focus not on go-back")
    tb.click("#go-back")
    out = tb.wait_outcome(tab)
    check(out["state"] == "failed", f"fail closed sent the mail: {out}")
    time.sleep(0.5)
    check(not sink.by_subject("e2e-e-closed"), "fail closed: delivered")


def scenario_policy(tb, sink, subject="e2e-f-policy"):
    """(f) administrator settings (flag_external: warn, blocked_tlds: [xyz]) change the verdict
    of an otherwise clean recipient: a dialog opens; blocked means no send-anyway."""
    tab = tb.compose(["someone@example.org"], subject)
    tb.send(tab)
    state = tb.dialog_state()
    check(len(state["rows"]) == 1, f"expected one warned row: {state['rows']}")
    check(not state["send"]["disabled"], f"send-anyway should be allowed on external: {state}")
    tb.click("#send-anyway")
    check(tb.wait_outcome(tab)["state"] == "sent", "policy scenario: send-anyway did not send")
    tab2 = tb.compose(["someone@example.xyz"], subject + "-blocked")
    tb.send(tab2)
    state = tb.dialog_state()
    check(state["send"]["disabled"], f"blocked_tlds did not block: {state}")
    tb.click("#go-back")
    check(tb.wait_outcome(tab2)["state"] == "failed", "blocked send was not cancelled")


def time_clean_sends(tb, sink, label, n):
    times = []
    for i in range(n):
        subject = f"e2e-timing-{label}-{i}"
        tab = tb.compose(["someone@example.org"], subject)
        tb.send(tab)
        out = tb.wait_outcome(tab)
        check(out["state"] == "sent", f"timing send failed: {out}")
        times.append(out["ms"])
        check(delivered(sink, subject), "timing message not delivered")
    return times


# ---- main ---------------------------------------------------------------------------------------

POLICY = {"flag_external": "warn", "blocked_tlds": ["xyz"], "org_domains": ["mail.mil"]}
# every administrator key the options page could show (the *_file keys need files: left out)
POLICY_ALL = {"org_domains": ["mail.mil"], "trusted_domains": ["partner.example"],
              "blocked_domains": ["evil.example"], "blocked_tlds": ["xyz"],
              "flag_external": "warn", "first_contact": "warn", "allow_override": False,
              "fail_mode": "closed", "learn": False}

RUNS = [
    # name, Thunderbird options, scenarios
    ("main", {"address_book": MAIN_BOOK}, [scenario_book_read, scenario_clean, scenario_fix, scenario_several, scenario_send_anyway,
                  scenario_go_back, scenario_keyboard, scenario_learned, scenario_wrong_address,
                  scenario_ahead]),
    # the desktop in dark mode (what GTK would report), and Thunderbird in German
    ("big-book", {"address_book": lambda: tbprofile.synthetic_book(BIG_BOOK)}, [scenario_big_book]),
    ("dark", {"extra_prefs": {"ui.systemUsesDarkTheme": 1}}, [scenario_dark]),
    ("german", {"extra_prefs": {"intl.locale.requested": "de"}, "langpack": "de"},
     [scenario_german]),
    ("missing-open", {"host": False}, [scenario_missing_open]),
    ("missing-closed", {"host": False, "managed": {"fail_mode": "closed"}}, [scenario_missing_closed]),
    ("policy-managed", {"managed": POLICY}, [scenario_policy]),
    # the same settings from an enterprise policies.json "3rdparty" section
    ("policy-policies-json", {"policies_json": {"3rdparty": {"Extensions": {EXT_ID: POLICY}}}},
     [scenario_policy]),
    # as DEPLOY.md deploys it: force-installed from a file: URL (not sideloaded), every key set
    ("policy-force-installed", {"with_product": False, "policies_json": "force-installed"},
     [scenario_options_locked]),
]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", required=True)
    ap.add_argument("--source", default=os.path.dirname(os.path.dirname(HERE)))
    ap.add_argument("--thunderbird", default=os.environ.get("TYPOGUARD_THUNDERBIRD", TB_DEFAULT))
    ap.add_argument("--host", default=os.environ.get("TYPOGUARD_E2E_HOST"))
    ap.add_argument("--only", default="")
    ap.add_argument("--timing-sends", type=int, default=5)
    ap.add_argument("--timing-noop", action="store_true",
                    help="also time sends with an extension whose onBeforeSend listener does nothing")
    ap.add_argument("--keep", action="store_true", help="keep the scratch folder")
    ap.add_argument("--screenshots", metavar="DIR",
                    help="save pictures of the dialog in DIR (see the module's docstring)")
    args = ap.parse_args()

    if not os.access(args.thunderbird, os.X_OK):
        print(f"SKIP: Thunderbird is not installed ({args.thunderbird} not found); "
              "install the 'thunderbird' package to run the end-to-end test")
        return 77
    args.host = args.host or os.path.join(args.build, "host", "src", "typoguard-host")
    args.xpi = os.path.join(args.build, "typoguard.xpi")
    for what, path in (("typoguard-host", args.host), ("typoguard.xpi", args.xpi)):
        if not os.path.exists(path):
            print(f"FAIL: {what} not built: {path} is missing (build the project first)")
            return 1
    try:
        from smtp_sink import SmtpSink
    except ImportError:
        print("FAIL: python3-aiosmtpd is missing (apt-get install python3-aiosmtpd; run with /usr/bin/python3)")
        return 1

    scratch = tempfile.mkdtemp(prefix="typoguard-e2e-")
    args.driver_xpi = pack_dir(os.path.join(HERE, "driver"), os.path.join(scratch, "driver.xpi"))
    sink = SmtpSink()
    args.smtp_port = sink.start()  # before any Thunderbird: a missing server means a modal alert
    only = set(filter(None, args.only.split(",")))
    failures = []
    timings = {}
    t0 = time.monotonic()
    try:
        for name, opts, scenarios in RUNS:
            if only and name not in only and not any(s.__name__ in only for s in scenarios):
                continue
            opts = dict(opts)
            lang = opts.pop("langpack", None)
            if lang:
                pack = os.path.join(os.path.dirname(os.path.realpath(args.thunderbird)),
                                    "extensions", f"langpack-{lang}@thunderbird.mozilla.org.xpi")
                if not os.path.exists(pack):
                    print(f"note {name}: skipped, Thunderbird's {lang} language pack is not "
                          f"installed ({pack}; Debian: apt-get install thunderbird-l10n-{lang})")
                    continue
            if "policies_json" in opts:
                if os.path.exists("/etc/thunderbird/policies/policies.json"):
                    print(f"note {name}: /etc/thunderbird/policies/policies.json exists and wins "
                          "over a distribution folder; skipping this run")
                    continue
                pol = opts.pop("policies_json")
                if pol == "force-installed":
                    pol = {"ExtensionSettings": {EXT_ID: {
                               "installation_mode": "force_installed",
                               "install_url": "file://" + os.path.abspath(args.xpi)}},
                           "3rdparty": {"Extensions": {EXT_ID: POLICY_ALL}}}
                opts["binary"] = policies_copy(args.thunderbird, scratch, pol, "install-" + name)
            tb = Thunderbird(args, scratch, name, **opts)
            try:
                tb.start()
                print(f"--- {name}: Thunderbird ready in {tb.startup_s:.1f} s", flush=True)
                for sc in scenarios:
                    if only and name not in only and sc.__name__ not in only:
                        continue
                    s0 = time.monotonic()
                    try:
                        sc(tb, sink)
                        print(f"ok   {name}/{sc.__name__} ({time.monotonic() - s0:.1f} s)", flush=True)
                    except (Failure, MarionetteError) as e:
                        failures.append(f"{name}/{sc.__name__}: {e}")
                        print(f"FAIL {name}/{sc.__name__}: {e}", flush=True)
                if name == "main" and args.timing_sends and not only:
                    timings["with typoguard"] = time_clean_sends(tb, sink, "with", args.timing_sends)
            except (Failure, MarionetteError) as e:
                failures.append(f"{name}: {e}")
                print(f"FAIL {name}: {e}\n{traceback.format_exc()}", flush=True)
            finally:
                tb.stop()
        baselines = [("without typoguard", {})]
        if args.timing_noop:
            # Thunderbird's own cost of having any onBeforeSend listener (details gathered,
            # the event page called): an extension whose listener returns at once.
            baselines.append(("empty onBeforeSend listener", {"extra_extensions": {NOOP_ID: noop_xpi(scratch)}}))
        for label, extra in (baselines if args.timing_sends and not only else []):
            tb = Thunderbird(args, scratch, "baseline-" + label.split()[0], with_product=False, **extra)
            try:
                tb.start()
                timings[label] = time_clean_sends(tb, sink, label.split()[0], args.timing_sends)
            except (Failure, MarionetteError) as e:
                failures.append(f"baseline {label}: {e}")
            finally:
                tb.stop()
    finally:
        sink.stop()
        if args.keep or failures:
            print(f"scratch folder kept: {scratch}")
        else:
            shutil.rmtree(scratch, ignore_errors=True)

    if "with typoguard" in timings and "without typoguard" in timings:
        med = {k: statistics.median(v) for k, v in timings.items()}
        w, wo = med["with typoguard"], med["without typoguard"]
        print(f"timing: clean send (compose.sendMessage → sent), median of {args.timing_sends}: "
              f"{w:.0f} ms with typoguard, {wo:.0f} ms without; the check adds {w - wo:.0f} ms")
        if "empty onBeforeSend listener" in med:
            print(f"timing: with an empty onBeforeSend listener {med['empty onBeforeSend listener']:.0f} ms "
                  "(Thunderbird's share of the added time)")
    print(f"total {time.monotonic() - t0:.1f} s, {len(failures)} failure(s)")
    for f in failures:
        print("  " + f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
