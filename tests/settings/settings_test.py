#!/usr/bin/python3
"""settings_test.py — settings, policy, history, install and self-test through the built host.

Drives `typoguard-host` only through its public surface (native-messaging frames, command-line
arguments, exit status, files it writes) in a scratch HOME / XDG_* / TYPOGUARD_POLICY, so nothing
of the machine's own configuration leaks in or is touched. Standard library only.

    settings_test.py HOST CASE      (CASE: one of the names in CASES, or "all")

Test-only hook used here (see host/src/atomicfile.h; the crash case runs typoguard-host-crashtest): TYPOGUARD_TEST_CRASH=history-before-rename
makes the host kill itself after writing the new history to its temporary file, before the
rename.
"""
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import time

HOST = None
MAX_LIST = 1_000_000  # TG_MAX_LIST_DOMAINS


# ---- helpers ------------------------------------------------------------------------------

class Scratch:
    """A scratch home with the host's files pointed into it."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="tg-settings-")
        self.home = os.path.join(self.dir, "home")
        self.config = os.path.join(self.home, ".config")
        self.data = os.path.join(self.home, ".local", "share")
        self.policy = os.path.join(self.dir, "policy.conf")
        os.makedirs(self.home)
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("XDG_")}
        self.env.update(HOME=self.home, XDG_CONFIG_HOME=self.config, XDG_DATA_HOME=self.data,
                        TYPOGUARD_POLICY=self.policy, LC_ALL="C.UTF-8")

    def close(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    @property
    def user_conf(self):
        return os.path.join(self.config, "typoguard", "typoguard.conf")

    @property
    def history(self):
        return os.path.join(self.data, "typoguard", "history")

    def write(self, path, text):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return path

    def run(self, *args, stdin=b"", env=None, timeout=120):
        e = dict(self.env)
        e.update(env or {})
        return subprocess.run([HOST, *args], input=stdin, capture_output=True, env=e,
                              timeout=timeout)

    def run_native_with_policy(self, policy):
        p = self.run("--native", "--policy", policy, stdin=frames({"type": "hello", "id": 1}))
        return parse_frames(p.stdout), p.stderr.decode("utf-8", "replace"), p

    def native(self, *requests, env=None, timeout=120):
        """Sends frames, returns (replies, stderr text, process)."""
        p = self.run("--native", stdin=frames(*requests), env=env, timeout=timeout)
        return parse_frames(p.stdout), p.stderr.decode("utf-8", "replace"), p


def frames(*objs):
    out = b""
    for o in objs:
        data = json.dumps(o).encode()
        out += struct.pack("=I", len(data)) + data
    return out


def parse_frames(b):
    out, i = [], 0
    while i < len(b):
        (n,) = struct.unpack("=I", b[i:i + 4])
        out.append(json.loads(b[i + 4:i + 4 + n]))
        i += 4 + n
    return out


def check_req(id_, *addresses, **extra):
    req = {"type": "check", "id": id_, "sender": "Jane Roe <jane.roe@mail.mil>",
           "recipients": [{"field": "to", "address": a} for a in addresses]}
    req.update(extra)
    return req


def codes(result, recipient):
    return {f["code"]: f["severity"] for f in result["findings"] if f["recipient"] == recipient}


class Skip(Exception):
    """A case that cannot run here (the reason is printed; the exit status is 77)."""


def expect(cond, what):
    if not cond:
        raise AssertionError(what)


def history_addresses(path):
    with open(path, encoding="utf-8") as f:
        return {line.split("\t")[1] for line in f if line.startswith("a\t")}


# ---- cases --------------------------------------------------------------------------------

def case_precedence(s):
    """Admin beats user for single values; lists from every source merge; request settings
    cannot override a locked key, a request policy can."""
    s.write(s.policy, "[typoguard]\nflag_external = warn\norg_domains = mail.mil\n"
                      "blocked_domains = evil.example\n")
    s.write(s.user_conf, "[typoguard]\nflag_external = off\nfirst_contact = off\n"
                         "blocked_domains = bad.example\norg_domains = army.mil\n")
    replies, err, p = s.native(
        {"type": "hello", "id": 1},
        check_req(2, "a@outside.example", "b@evil.example", "c@bad.example", "d@army.mil",
                  "e@also-bad.example",
                  settings={"flag_external": "off", "blocked_domains": ["also-bad.example"]}),
        check_req(3, "a@outside.example", policy={"flag_external": "info"}))
    expect(p.returncode == 0, f"host exit {p.returncode}: {err}")
    hello, r1, r2 = replies
    pol = hello["policy"]
    expect(pol["flag_external"] == "warn", f"admin flag_external should win: {pol}")
    expect(pol["first_contact"] == "off", f"user first_contact should apply: {pol}")
    expect(pol["org_domains"] == ["mail.mil", "army.mil"], f"org lists merge: {pol}")
    expect(set(pol["blocked_domains"]) == {"evil.example", "bad.example"}, pol)
    expect(set(pol["locked"]) == {"flag_external", "org_domains", "blocked_domains"}, pol)
    expect(codes(r1, 0).get("external") == "warn", f"locked warn despite settings: {r1}")
    expect(codes(r1, 1).get("blocked") == "block", f"policy list: {r1}")
    expect(codes(r1, 2).get("blocked") == "block", f"user list: {r1}")
    expect("external" not in codes(r1, 3), f"user org domain merged: {r1}")
    expect(codes(r1, 4).get("blocked") == "block", f"request settings list: {r1}")
    expect(codes(r2, 0).get("external") == "info", f"request policy wins: {r2}")
    expect("flag_external" in err and "administrator" in err,
           f"the ignored user value is reported on stderr: {err}")


def case_hello_locked(s):
    """`hello` reports the effective settings and the keys an administrator set."""
    replies, _, _ = s.native({"type": "hello", "id": "a"})
    expect(replies[0]["policy"]["locked"] == [], replies)
    s.write(s.policy, "[typoguard]\nallow_override = false\nfail_mode = closed\n")
    replies, err, _ = s.native(
        {"type": "hello", "id": 1},
        {"type": "hello", "id": 2, "policy": {"learn": False, "blocked_tlds": [".ML"]},
         "settings": {"learn": True, "allow_override": True, "first_contact": "warn"}},
        {"type": "hello", "id": 3, "settings": {"flag_external": 7}})
    h1, h2, bad = replies
    expect(h1["type"] == "hello" and h1["id"] == 1 and h1["protocol"] == 1, h1)
    expect(h1["policy"]["locked"] == ["allow_override", "fail_mode"], h1)
    expect(h1["policy"]["allow_override"] is False and h1["policy"]["fail_mode"] == "closed", h1)
    p2 = h2["policy"]
    expect(p2["locked"] == ["blocked_tlds", "allow_override", "fail_mode", "learn"], p2)
    expect(p2["learn"] is False and p2["allow_override"] is False, p2)
    expect(p2["first_contact"] == "warn" and p2["blocked_tlds"] == ["ml"], p2)
    expect(bad["type"] == "error" and bad["code"] == "bad_request", bad)
    expect("flag_external" in bad["message"], bad)


def case_malformed(s):
    """A malformed file is named by file, line and key; its other keys and the other file work."""
    s.write(s.policy, "[typoguard]\n"
                      "org_domains = mail.mil\n"
                      "flag_external = sometimes\n"          # line 3
                      "this is not a key file line\n"        # line 4
                      "blocked_domains = evil.example, not a domain\n"  # line 5
                      "fail_mode = closed\n")
    s.write(s.user_conf, "[typoguard]\nfirst_contact = maybe\nlearn = false\n")
    replies, err, p = s.native({"type": "hello", "id": 1},
                               check_req(2, "x@evil.example", "y@mail.mil"))
    expect(p.returncode == 0 and len(replies) == 2, f"host keeps serving: {err}")
    for piece in (f"{s.policy}:3: key 'flag_external'", f"{s.policy}:4:",
                  f"{s.policy}:5: key 'blocked_domains'", f"{s.user_conf}:2: key 'first_contact'"):
        expect(piece in err, f"stderr names {piece!r}: {err}")
    pol = replies[0]["policy"]
    expect(pol["fail_mode"] == "closed" and pol["learn"] is False, pol)
    expect(pol["flag_external"] == "off" and pol["first_contact"] == "info", pol)
    expect(pol["blocked_domains"] == ["evil.example"], pol)
    expect(codes(replies[1], 0).get("blocked") == "block", replies[1])
    # --check reads the same files and still works
    c = s.run("--check", "--json", "x@evil.example")
    expect(c.returncode == 2, f"--check exit {c.returncode}: {c.stderr}")
    expect(f"{s.policy}:3" in c.stderr.decode(), c.stderr)


def case_big_list(s):
    """A trusted_domains_file of a million domains (plus a few beyond the limit)."""
    path = os.path.join(s.dir, "partners.txt")
    with open(path, "w") as f:
        f.write("# partner domains\n")
        for i in range(MAX_LIST + 3):
            f.write(f"p{i}-partner.com\n")
    s.write(s.user_conf, f"[typoguard]\ntrusted_domains_file = {path}\n")
    t0 = time.monotonic()
    replies, err, p = s.native(
        check_req(1, "a@p0-partner.com", f"b@p{MAX_LIST - 1}-partner.com",
                  f"c@p{MAX_LIST + 1}-partner.com", "d@gmial.com"))
    total = time.monotonic() - t0
    expect(p.returncode == 0, err)
    expect("more than 1000000" in err and "partners.txt" in err, f"limit warning: {err}")
    r = replies[0]
    expect("first_contact" not in codes(r, 0), f"first listed domain trusted: {r}")
    expect("first_contact" not in codes(r, 1), f"millionth domain trusted: {r}")
    expect(codes(r, 2).get("first_contact") == "info", f"beyond the limit not trusted: {r}")
    expect(codes(r, 3).get("near_miss") == "warn", f"detection still works: {r}")
    print(f"measure: 1,000,003-line trusted_domains_file: host start, load and one check "
          f"{total:.2f} s; the check itself {r['elapsed_us']} us")


def case_concurrent_learn(s):
    """Several host processes learning different addresses at once: all are kept."""
    procs, n_procs, per = [], 8, 30
    for k in range(n_procs):
        reqs = [{"type": "learn", "id": i, "addresses": [f"u{k}.{i}@d{k}.example"]}
                for i in range(per)]
        e = dict(s.env)
        procs.append(subprocess.Popen([HOST, "--native"], stdin=subprocess.PIPE,
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=e))
        procs[-1].reqs = frames(*reqs)
    outs = []
    for pr in procs:  # all are started before any is fed: they run at the same time
        pr.stdin.write(pr.reqs)
        pr.stdin.flush()
    for pr in procs:
        out, err = pr.communicate(timeout=120)
        expect(pr.returncode == 0, err)
        outs.append(parse_frames(out))
    for o in outs:
        expect(len(o) == per and all(r["type"] == "learned" and r["count"] == 1 for r in o), o)
    got = history_addresses(s.history)
    want = {f"u{k}.{i}@d{k}.example" for k in range(n_procs) for i in range(per)}
    expect(got == want, f"missing {len(want - got)}: {sorted(want - got)[:5]}")
    # and a fresh host trusts them all
    replies, _, _ = s.native(check_req(1, *[f"x@d{k}.example" for k in range(n_procs)]))
    expect(all("first_contact" not in codes(replies[0], k) for k in range(n_procs)), replies)


def case_crash(s):
    """A crash between writing the temporary file and the rename leaves the old history."""
    replies, _, _ = s.native({"type": "learn", "id": 1, "addresses": ["old@old.example"]})
    expect(replies[0]["count"] == 1, replies)
    with open(s.history, "rb") as f:
        before = f.read()
    replies, err, p = s.native({"type": "learn", "id": 2, "addresses": ["new@new.example"]},
                               env={"TYPOGUARD_TEST_CRASH": "history-before-rename"})
    expect(p.returncode == -9, f"the hook kills the host: {p.returncode} {err}")
    with open(s.history, "rb") as f:
        expect(f.read() == before, "history changed by a crashed write")
    replies, err, p = s.native({"type": "learn", "id": 3, "addresses": ["third@third.example"]})
    expect(p.returncode == 0 and replies[0]["count"] == 1, err)
    expect(history_addresses(s.history) == {"old@old.example", "third@third.example"}, "after")
    leftovers = [n for n in os.listdir(os.path.dirname(s.history)) if ".tmp." in n]
    expect(leftovers == [], f"temporary files cleaned: {leftovers}")


def case_corrupt_history(s):
    """A damaged history keeps what parses, says what was dropped, and heals on the next learn."""
    s.write(s.history, "typoguard-history 1\nd\tkept.example\t3\t1700000000\n"
                       "\x01garbage here\nd\tNOT NORMAL\t1\t1\n"
                       "a\tpeer@kept.example\t3\t1700000000\na\ttrunc@cut.exa")
    replies, err, p = s.native(check_req(1, "x@kept.example"),
                               {"type": "learn", "id": 2, "addresses": ["n@new.example"]})
    expect(p.returncode == 0, err)
    expect("3 unreadable lines dropped" in err, f"stderr says what was dropped: {err}")
    expect("first_contact" not in codes(replies[0], 0), f"kept domain still trusted: {replies}")
    with open(s.history, encoding="utf-8") as f:
        text = f.read()
    expect(text.startswith("typoguard-history 1\n") and text.endswith("end\t4\n"), text)
    expect(history_addresses(s.history) == {"peer@kept.example", "n@new.example"}, text)
    expect(os.path.exists(s.history + ".bad"), "a copy of the damaged file is kept")
    _, err, _ = s.native({"type": "hello", "id": 1})
    expect("unreadable" not in err, f"healed: {err}")


def case_learned_trust(s):
    """What was learned is trusted in later sessions: no first_contact, and near misses of it are
    caught; learn = false stores nothing."""
    replies, err, _ = s.native(check_req(1, "ops@acme-widgets.com"),
                               {"type": "learn", "id": 2, "addresses": ["ops@acme-widgets.com"]})
    expect(codes(replies[0], 0).get("first_contact") == "info", replies)
    expect(replies[1] == {"type": "learned", "id": 2, "count": 1}, replies)
    replies, err, _ = s.native(check_req(1, "ops@acme-widgets.com", "ops@acme-wigdets.com"))
    r = replies[0]
    expect(codes(r, 0) == {}, f"learned domain trusted: {r}")
    near = [f for f in r["findings"] if f["recipient"] == 1 and f["code"] == "near_miss"]
    expect(near and near[0]["suggestion"] == "ops@acme-widgets.com", f"near miss of learned: {r}")

    s.write(s.user_conf, "[typoguard]\nlearn = false\n")
    with open(s.history, "rb") as f:
        before = f.read()
    replies, err, _ = s.native({"type": "learn", "id": 3, "addresses": ["new@other.example"]})
    expect(replies[0]["type"] == "learned", replies)
    with open(s.history, "rb") as f:
        expect(f.read() == before, "learn = false must not write the history")


def case_policy_option(s):
    """--policy FILE replaces $TYPOGUARD_POLICY for --check, --native and --selftest."""
    s.write(s.policy, "[typoguard]\nblocked_domains = evil-corp.com\n")
    other = s.write(os.path.join(s.dir, "other.conf"), "[typoguard]\nblocked_tlds = ml\n")
    c = s.run("--check", "x@evil-corp.com")
    expect(c.returncode == 2, f"env policy blocks: {c.returncode} {c.stdout}")
    c = s.run("--check", "--policy", other, "x@evil-corp.com")
    expect(c.returncode == 0, f"--policy replaces it: {c.returncode} {c.stdout} {c.stderr}")
    c = s.run("--check", "--policy", other, "x@something.ml")
    expect(c.returncode == 2, f"--policy applies: {c.returncode} {c.stdout}")
    replies, err, p = s.run_native_with_policy(other)
    expect(replies[0]["policy"]["blocked_tlds"] == ["ml"] and
           replies[0]["policy"]["blocked_domains"] == [] and
           replies[0]["policy"]["locked"] == ["blocked_tlds"], replies)


def case_install(s):
    """--install / --uninstall into a scratch HOME and a --root."""
    moz = os.path.join(s.home, ".mozilla", "native-messaging-hosts", "typoguard.json")
    chrome = os.path.join(s.config, "google-chrome", "NativeMessagingHosts", "typoguard.json")
    chromium = os.path.join(s.config, "chromium", "NativeMessagingHosts", "typoguard.json")
    p = s.run("--install")
    expect(p.returncode == 0, p.stderr)
    expect(p.stdout.decode().splitlines() == [f"wrote   {moz} (thunderbird, firefox)"], p.stdout)
    with open(moz) as f:
        m = json.load(f)
    expect(m == {"name": "typoguard", "description": m["description"],
                 "path": os.path.realpath(HOST), "type": "stdio",
                 "allowed_extensions": ["typoguard@typoguard.org"]}, m)
    expect(not os.path.exists(chrome), "no chrome manifest without an origin")

    p = s.run("--install", "--browser", "chrome")
    expect(p.returncode == 64 and b"--chrome-origin" in p.stderr, p)
    expect(not os.path.exists(chrome), "nothing written on a usage error")
    p = s.run("--install", "--browser", "mutt")
    expect(p.returncode == 64 and b"mutt" in p.stderr, p)

    origin = "chrome-extension://abcdefghijklmnopabcdefghijklmnop/"
    p = s.run("--install", "--browser", "chrome,chromium", "--chrome-origin", origin)
    expect(p.returncode == 0 and len(p.stdout.decode().splitlines()) == 2, p)
    with open(chromium) as f:
        expect(json.load(f)["allowed_origins"] == [origin], "origin")

    p = s.run("--uninstall")
    expect(p.returncode == 0, p.stderr)
    lines = p.stdout.decode().splitlines()
    expect(len(lines) == 3 and all(line.startswith("removed") for line in lines), lines)
    expect(not any(os.path.exists(x) for x in (moz, chrome, chromium)), "all removed")

    root = os.path.join(s.dir, "stage")
    p = s.run("--install", "--system", "--root", root)
    expect(p.returncode == 0, p.stderr)
    sysm = os.path.join(root, "usr/lib/mozilla/native-messaging-hosts/typoguard.json")
    expect(os.path.exists(sysm) and not os.path.exists(moz), "system manifest under the root")
    p = s.run("--uninstall", "--system", "--root", root)
    expect(p.returncode == 0 and not os.path.exists(sysm), p)


def selftest(s, *args):
    p = s.run("--selftest", "--json", *args)
    out = json.loads(p.stdout)
    expect(set(out) == {"ok", "checks"}, out)
    for c in out["checks"]:
        expect(set(c) == {"name", "status", "detail", "fix"} and
               c["status"] in ("ok", "warn", "fail"), c)
    expect(out["ok"] == (p.returncode == 0), f"ok vs exit status: {p.returncode}")
    failed = {c["name"]: c for c in out["checks"] if c["status"] == "fail"}
    return p, out, failed


def case_selftest(s):
    """The self-test passes after install, and fails for the right reasons."""
    p, out, failed = selftest(s)
    expect(p.returncode == 1, "no manifest: not healthy")
    expect(list(failed) == ["manifest (thunderbird, firefox)"], failed)
    expect("typoguard-host --install" in failed["manifest (thunderbird, firefox)"]["fix"], failed)

    expect(s.run("--install").returncode == 0, "install")
    p, out, failed = selftest(s)
    expect(p.returncode == 0 and out["ok"] and not failed, failed)
    names = [c["name"] for c in out["checks"]]
    for n in ("version", "libraries", "public suffix list", "built-in data", "policy", "history",
              "detect army.ml", "detect gmial.com", "detect clean address"):
        expect(n in names, f"check {n} present: {names}")
    text = s.run("--selftest")
    expect(text.returncode == 0 and b"OK    detect army.ml" in text.stdout, text.stdout)

    # TYPOGUARD_PSL_FILE: the self-test reports the list the host really uses
    for bad in ("/nonexistent/list.dat", s.write(os.path.join(s.dir, "not-a-psl.dat"), "hello\n")):
        p = s.run("--selftest", "--json", env={"TYPOGUARD_PSL_FILE": bad})
        out = json.loads(p.stdout)
        psl = [c for c in out["checks"] if c["name"] == "public suffix list"]
        expect(p.returncode == 0 and psl[0]["status"] == "warn" and bad in psl[0]["detail"]
               and "falls back" in psl[0]["detail"], psl)
    good = "/usr/share/publicsuffix/public_suffix_list.dat"
    p = s.run("--selftest", "--json", env={"TYPOGUARD_PSL_FILE": good})
    psl = [c for c in json.loads(p.stdout)["checks"] if c["name"] == "public suffix list"]
    expect(len(psl) == 1 and good in psl[0]["detail"], psl)

    # a manifest that points elsewhere
    moz = os.path.join(s.home, ".mozilla", "native-messaging-hosts", "typoguard.json")
    with open(moz) as f:
        m = json.load(f)
    m["path"] = "/bin/sh"
    with open(moz, "w") as f:
        json.dump(m, f)
    p, out, failed = selftest(s)
    expect(p.returncode == 1 and "not this program" in
           failed["manifest (thunderbird, firefox)"]["detail"], failed)
    expect(s.run("--install").returncode == 0, "reinstall")

    # a malformed policy names file and line; so does --policy FILE
    s.write(s.policy, "[typoguard]\nflag_external = loud\n")
    p, out, failed = selftest(s)
    expect(p.returncode == 1 and list(failed) == ["policy"], failed)
    expect(f"{s.policy}:2: key 'flag_external'" in failed["policy"]["detail"], failed)
    other = s.write(os.path.join(s.dir, "other.conf"), "[typoguard]\norg_domains = mail.mil\n")
    p, out, failed = selftest(s, "--policy", other)
    expect(p.returncode == 0, failed)
    pol = [c for c in out["checks"] if c["name"] == "policy"][0]
    expect("org_domains" in pol["detail"] and other in pol["detail"], pol)

    # a history folder that cannot be written
    os.makedirs(os.path.dirname(os.path.dirname(s.history)), exist_ok=True)
    shutil.rmtree(os.path.dirname(s.history), ignore_errors=True)
    with open(os.path.dirname(s.history), "w") as f:  # a file where the folder should be
        f.write("")
    p, out, failed = selftest(s, "--policy", other)
    expect(p.returncode == 1 and list(failed) == ["history"], failed)


def case_extension_schema(s):
    """The extension's settings table (extension/modules/settings.js) is the host's: the same
    keys, kinds and defaults as the policy a fresh host reports in hello. Skipped without node."""
    node = shutil.which("node")
    if node is None:
        raise Skip("node is not installed (scripts/setup.sh test installs nodejs)")
    module = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "extension",
                          "modules", "settings.js")
    script = ("import(process.argv[1]).then(m => console.log(JSON.stringify("
              "{kinds: m.SETTING_KINDS, defaults: m.DEFAULTS, levels: m.LEVELS, "
              "fail: m.FAIL_MODES})))")
    p = subprocess.run([node, "--input-type=module", "-e", script, "--", os.path.realpath(module)],
                       capture_output=True, text=True, timeout=60)
    expect(p.returncode == 0, f"node could not read settings.js: {p.stderr}")
    ext = json.loads(p.stdout)
    replies, err, _ = s.native({"type": "hello", "id": 1})
    policy = dict(replies[0]["policy"])
    policy.pop("locked")
    expect(set(ext["kinds"]) == set(policy),
           f"keys only in settings.js: {sorted(set(ext['kinds']) - set(policy))}; "
           f"only in the host: {sorted(set(policy) - set(ext['kinds']))}")
    for key, kind in ext["kinds"].items():
        v = policy[key]
        ok = {"list": isinstance(v, list), "bool": isinstance(v, bool),
              "level": v in ext["levels"], "failmode": v in ext["fail"],
              "path": v is None or isinstance(v, str)}.get(kind, False)
        expect(ok, f"{key}: settings.js says {kind}, the host reports {v!r}")
    for key, value in ext["defaults"].items():
        expect(policy[key] == value,
               f"default of {key}: settings.js {value!r}, the host {policy[key]!r}")


CASES = {name[5:]: fn for name, fn in globals().items() if name.startswith("case_")}


def main():
    global HOST
    if len(sys.argv) != 3 or (sys.argv[2] not in CASES and sys.argv[2] != "all"):
        print(f"usage: {sys.argv[0]} HOST {{{'|'.join(CASES)}|all}}", file=sys.stderr)
        return 64
    HOST = os.path.abspath(sys.argv[1])
    names = list(CASES) if sys.argv[2] == "all" else [sys.argv[2]]
    failed = skipped = 0
    for name in names:
        s = Scratch()
        try:
            CASES[name](s)
            print(f"ok {name}")
        except Skip as e:
            skipped += 1
            print(f"SKIPPED: {name}: {e}")
        except AssertionError as e:
            failed += 1
            print(f"FAIL {name}: {e}")
        finally:
            s.close()
    if failed:
        return 1
    return 77 if skipped == len(names) else 0


if __name__ == "__main__":
    sys.exit(main())
