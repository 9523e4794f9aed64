#!/usr/bin/python3
"""policy_e2e.py — the packaged typoguard in real Thunderbird, deployed the way DEPLOY.md says.

Owns: one headless Thunderbird run in which nothing of typoguard is sideloaded or registered per
user. The .deb is unpacked and laid over /usr and /etc in a private mount namespace, together
with /etc/thunderbird/policies/policies.json = packaging/enterprise/policies.json exactly as
shipped; Thunderbird must then force-install the extension from
file:///usr/share/typoguard/typoguard.xpi, hand it the `3rdparty` settings, and find the host
through the package's system manifest /usr/lib/mozilla/native-messaging-hosts/typoguard.json.

Reuses the e2e harness (tests/e2e: profile maker, SMTP sink, Marionette client, driver
extension) by importing it. Guarantees: the machine's /usr and /etc are never written (the
overlays exist only for Thunderbird and the host it starts, and vanish with them); everything
else lives in a scratch folder. Exit status 0 pass, 1 fail, 77 skip (no Thunderbird, or no
private overlay mounts here).

Usage: /usr/bin/python3 policy_e2e.py --build BUILD --source SOURCE --out PACKAGES --version X.Y.Z
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import traceback

EXT_ID = "typoguard@typoguard.org"
TB = "/usr/lib/thunderbird/thunderbird"
SKIP = 77

# Thunderbird in a private mount namespace where the package's /usr and /etc (and the policy
# layer) lie over the machine's. unshare without --fork execs in place, so `timeout` and the
# harness's process-group kill still reach Thunderbird itself.
WRAPPER = """#!/bin/sh
exec unshare --mount --propagation private sh -c '
  mount -t overlay overlay -o lowerdir={root}/usr:/usr /usr &&
  mount -t overlay overlay -o lowerdir={policy}:{root}/etc:/etc /etc &&
  exec {tb} "$@"' sh "$@"
"""

# What the policy engine and the add-on manager say about the product (chrome context).
STATUS_JS = r"""
const id = arguments[0];
return (async () => {
const { AddonManager } = ChromeUtils.importESModule("resource://gre/modules/AddonManager.sys.mjs");
const addon = await AddonManager.getAddonByID(id);
const active = Services.policies.getActivePolicies() || {};
return {
  policies: Services.policies.status === Services.policies.ACTIVE,
  active: Object.keys(active),
  managed: active["3rdparty"]?.Extensions?.[id] ?? null,
  addon: addon && { active: addon.isActive, version: addon.version,
                    source: addon.installTelemetryInfo?.source ?? null,
                    canUninstall: !!(addon.permissions & AddonManager.PERM_CAN_UNINSTALL) },
};
})();
"""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", required=True)
    ap.add_argument("--source", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--version", required=True)
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()

    if not os.access(TB, os.X_OK):
        print(f"SKIP: Thunderbird is not installed ({TB})")
        return SKIP
    probe = subprocess.run(["unshare", "--mount", "--propagation", "private", "sh", "-c",
                            "mount -t tmpfs none /mnt"], capture_output=True, text=True)
    if probe.returncode != 0:
        print(f"SKIP: no private mounts here ({probe.stderr.strip()})")
        return SKIP
    sys.path.insert(0, os.path.join(args.source, "tests", "e2e"))
    try:
        import run_e2e
        from marionette import MarionetteError
        from smtp_sink import SmtpSink
    except ImportError as e:
        print(f"FAIL: the e2e harness cannot be imported ({e}); python3-aiosmtpd and tests/e2e are needed")
        return 1

    debs = [f for f in os.listdir(args.out) if f.startswith("typoguard_") and f.endswith(".deb")]
    if len(debs) != 1:
        print(f"FAIL: no single .deb in {args.out}: {debs}")
        return 1
    scratch = tempfile.mkdtemp(prefix="typoguard-policy-e2e-")
    root = os.path.join(scratch, "root")
    subprocess.run(["dpkg-deb", "-x", os.path.join(args.out, debs[0]), root], check=True)
    policy_layer = os.path.join(scratch, "etc-policy")
    os.makedirs(os.path.join(policy_layer, "thunderbird", "policies"))
    shipped = os.path.join(args.source, "packaging", "enterprise", "policies.json")
    shutil.copy(shipped, os.path.join(policy_layer, "thunderbird", "policies", "policies.json"))
    settings = json.load(open(shipped))["policies"]["3rdparty"]["Extensions"][EXT_ID]
    wrapper = os.path.join(scratch, "thunderbird-in-package")
    with open(wrapper, "w") as f:
        f.write(WRAPPER.format(root=root, policy=policy_layer, tb=TB))
    os.chmod(wrapper, 0o755)

    sink = SmtpSink()
    h = argparse.Namespace(
        smtp_port=sink.start(), host=None, xpi=None, thunderbird=wrapper,
        driver_xpi=run_e2e.pack_dir(os.path.join(args.source, "tests", "e2e", "driver"),
                                    os.path.join(scratch, "driver.xpi")))
    failures = []

    def step(name, fn):
        t0 = time.monotonic()
        try:
            fn()
            print(f"ok   {name} ({time.monotonic() - t0:.1f} s)", flush=True)
        except (run_e2e.Failure, MarionetteError, KeyError, TypeError) as e:
            failures.append(f"{name}: {e}")
            print(f"FAIL {name}: {e}", flush=True)

    check = run_e2e.check
    # Neither the product extension nor a per-user manifest: only the package and the policy.
    tb = run_e2e.Thunderbird(h, scratch, "tb", with_product=False, host=False, binary=wrapper)
    t0 = time.monotonic()
    try:
        tb.start()
        print(f"--- Thunderbird ready in {tb.startup_s:.1f} s", flush=True)
        status = {}

        def installed_by_policy():
            nonlocal status
            status = tb.m.wait("typoguard installed by policy",
                               lambda: (s := tb.m.chrome(STATUS_JS, [EXT_ID])) and s["addon"]
                               and s["addon"]["active"] and s, timeout=30)
            print(f"     {json.dumps(status)}")
            check(status["policies"], "Thunderbird's enterprise policies are not active")
            check({"ExtensionSettings", "3rdparty"} <= set(status["active"]),
                  f"active policies: {status['active']}")
            check(status["addon"]["source"] == "enterprise-policy",
                  f"typoguard was not installed by the policy: {status['addon']}")
            check(status["addon"]["version"] == args.version, f"installed version {status['addon']['version']}")
            check(not status["addon"]["canUninstall"], "the user can remove a force-installed typoguard")
            check(status["managed"] == settings, f"3rdparty settings seen: {status['managed']}")

        def blocked_by_policy():
            # army.ml: its TLD is in blocked_tlds and it confuses .mil, so the host blocks it; the
            # policy's allow_override=false leaves no "send anyway". A dialog with a fix proves
            # the extension reached the host through the system manifest.
            tab = tb.compose(["John Doe <john.doe@army.ml>"], "pkg-e2e-blocked")
            tb.send(tab)
            state = tb.dialog_state()
            print(f"     dialog: {state['rows']}")
            check(any("army.ml" in r for r in state["rows"]), f"rows: {state['rows']}")
            check(any("blocked" in r for r in state["rows"]),
                  f"no 'blocked' finding: the policy's blocked_tlds did not reach the host: {state['rows']}")
            check(state["fix"]["shown"], f"no fix offered (did the host answer?): {state}")
            check(state["send"]["disabled"] or not state["send"]["shown"],
                  f"send-anyway usable despite allow_override=false: {state}")
            tb.click("#go-back")
            check(tb.wait_outcome(tab)["state"] == "failed", "go-back did not cancel")
            time.sleep(0.5)
            check(not sink.by_subject("pkg-e2e-blocked"), "the blocked message was delivered")

        def clean_sends():
            # An organisation address: no dialog, delivered. With the policy's fail_mode=closed,
            # the delivery itself says the host answered.
            tab = tb.compose(["someone@example.org"], "pkg-e2e-clean")
            tb.send(tab)
            out = tb.wait_outcome(tab)
            check(out["state"] == "sent", f"clean send: {out}")
            check(not tb.dialog_open(), "a dialog opened for an organisation address")
            check(len(run_e2e.delivered(sink, "pkg-e2e-clean")) == 1, "clean message not delivered")

        step("force-installed by /etc/thunderbird/policies/policies.json", installed_by_policy)
        step("army.ml blocked through the system manifest, no override", blocked_by_policy)
        step("organisation address sent", clean_sends)
    except (run_e2e.Failure, MarionetteError) as e:
        failures.append(str(e))
        print(f"FAIL {e}\n{traceback.format_exc()}", flush=True)
    finally:
        tb.stop()
        sink.stop()
        if args.keep or failures:
            print(f"scratch folder kept: {scratch} (Thunderbird's log: {tb.log_path})")
        else:
            shutil.rmtree(scratch, ignore_errors=True)
    print(f"total {time.monotonic() - t0:.1f} s, {len(failures)} failure(s)")
    for f in failures:
        print("  " + f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
