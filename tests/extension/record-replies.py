#!/usr/bin/python3
"""Records typoguard-host's replies to the requests the extension tests rely on.

    record-replies.py [--host BUILD/host/src/typoguard-host] [--out FILE] [--check]

Runs the host in native-messaging mode (`--native`: frames are a 4-byte native-endian length and
UTF-8 JSON) with HOME, the XDG folders and TYPOGUARD_POLICY pointed at a scratch folder, so the
user's settings, history and the system policy play no part. Sends REQUESTS in order, in one
process, and writes every request with the host's reply to FILE (default:
fixtures/host-replies.json beside this script). Only what varies from run to run is normalised
(`elapsed_us` becomes 0). The fake host of the extension tests (fake-messenger.mjs) answers from
this file. With --check, records into a temporary file instead and exits 1, with a diff, when
it differs from FILE (the ctest `extension/host-replies`). Standard library only.
"""
import argparse
import difflib
import json
import os
import struct
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "fixtures", "host-replies.json")
SENDER = "Jane Roe <jane.roe@mail.mil>"


def check(name, recipients, **context):
    """A check of `recipients` (bare strings go to "to") from SENDER, with known/policy/settings."""
    rcpt = [r if isinstance(r, dict) else {"field": "to", "address": r} for r in recipients]
    return name, {"type": "check", "sender": SENDER, "recipients": rcpt, **context}


JOHN_SMITH = {"addresses": ["John Smith <john.smith@army.mil>", "Ann <ann@army.mil>"]}

# (name, request) in the order sent. The names are what the tests look findings up by (words
# test) or, for checks of one recipient with no context, the recipient's address (fake host).
REQUESTS = [
    ("hello", {"type": "hello"}),
    # Findings in the default context (only the sender): the fake host answers from these.
    check("key case", ["John Doe <john.doe@army.ml>"]),
    check("near", ["ops@gmial.com"]),
    check("first", ["a@example.org"]),
    check("first other", ["someone@example.org"]),
    check("clean", ["Colleague <c@mail.mil>"]),
    check("tldCo", ["a@gmail.co"]),
    check("tldCam", ["a@gmail.cam"]),
    check("tldNofix", ["a@wickes.il"]),
    check("dot", ["x@usarmy.mil"]),
    check("invalid", ["a@gmail.con"]),
    check("dotless", ["a@gmail"]),
    check("dotlessPlain", ["a@zzqx"]),
    check("homoScript", ["a@gmаil.com"]),
    check("homoMark", ["a@gmáil.com"]),
    check("homoLetterWarn", ["a@gmaıl.com"]),
    check("homoAscii", ["a@hotrnail.com"]),
    check("homoMixed", ["a@pаypal-login.org"]),
    check("syntax", ["john.doe@", "<>", "a b c"]),
    check("two fields", [{"field": "to", "address": "John Doe <john.doe@army.ml>"},
                         {"field": "cc", "address": "ops@gmial.com"},
                         {"field": "bcc", "address": "a@example.org"}]),
    # Findings that need context: known domains and addresses, policy.
    check("tld", ["john.doe@army.ml"], known={"domains": ["army.mil"]}),
    check("hyphen", ["x@examplecorp.com"], known={"domains": ["example-corp.com"]}),
    check("homo", ["a@аrmy.mil"], known={"domains": ["army.mil"]}),
    check("homoLetter", ["a@gmaıl.com"], known={"domains": ["gmail.com"]}),
    check("blockedTld", ["a@army.ml"], policy={"blocked_tlds": ["ml"]}),
    check("blockedDomain", ["a@evil.example"], policy={"blocked_domains": ["evil.example"]}),
    check("contact", ["jon.doe@army.mil"], known={"addresses": ["John Doe <john.doe@army.mil>"]}),
    check("wrong", ["John Smith <jsmith@gmail.com>", "ann@army.mil"], known=JOHN_SMITH),
    check("wrongOther", ["John Smith <jsmith@acme.com>"],
          known={"addresses": ["John Smith <john.smith@army.mil>"]}),
    check("namesake", ["John Smith <jsmith@acme.com>", "bob@army.mil"],
          known={"addresses": ["John Smith <john.smith@army.mil>", "Bob <bob@army.mil>",
                               "John Smith <jsmith@acme.com>"]}),
    check("external", ["a@example.org"],
          policy={"flag_external": "info", "org_domains": ["mail.mil"]}),
    check("external warn", ["ops@gmial.com"],
          policy={"flag_external": "warn", "org_domains": ["mail.mil"]}),
    # override.test.mjs: a block, a warn with a fix, an organisation address, a warn without one.
    check("override", ["John Doe <john.doe@army.ml>", "ops@gmial.com",
                       {"field": "cc", "address": "ok@army.mil"},
                       {"field": "cc", "address": "x@odd-place.org"}],
          policy={"flag_external": "warn", "org_domains": ["mail.mil", "army.mil"]}),
    check("first off", ["a@example.org"], policy={"first_contact": "off"}),
    # The address book the host keeps: a whole book, a change against its version, a change
    # against a version it does not hold, then hello reports what it holds.
    ("book whole", {"type": "book", "version": "s:1",
                    "add": ["Ann <ann@x.org>", "Bob <bob@x.org>"]}),
    ("book change", {"type": "book", "version": "s:2", "base": "s:1", "add": ["Cy <cy@x.org>"],
                     "remove": ["bob <BOB@x.org>"]}),
    ("book stale", {"type": "book", "version": "s:9", "base": "s:7", "add": ["Dee <dee@x.org>"]}),
    ("hello with book", {"type": "hello"}),
    ("book empty", {"type": "book", "version": "s:10", "add": []}),
    ("learn", {"type": "learn", "addresses": ["someone@example.org", "Colleague <c@mail.mil>"]}),
    check("after learn", ["someone@example.org"]),
    ("unknown type", {"type": "frobnicate"}),
]


def normalise(reply):
    if "elapsed_us" in reply:
        reply["elapsed_us"] = 0
    return reply


def record(host):
    with tempfile.TemporaryDirectory(prefix="typoguard-record-") as scratch:
        policy = os.path.join(scratch, "policy.conf")
        open(policy, "w").close()
        env = {"PATH": "/usr/bin:/bin", "LC_ALL": "C.UTF-8", "HOME": scratch,
               "XDG_CONFIG_HOME": os.path.join(scratch, "config"),
               "XDG_DATA_HOME": os.path.join(scratch, "data"),
               "XDG_CACHE_HOME": os.path.join(scratch, "cache"),
               "XDG_STATE_HOME": os.path.join(scratch, "state"),
               "TYPOGUARD_POLICY": policy}
        try:
            proc = subprocess.Popen([host, "--native"], stdin=subprocess.PIPE,
                                    stdout=subprocess.PIPE, env=env)
        except OSError as e:
            sys.exit(f"record-replies: cannot run {host}: {e} (build it, or give --host)")
        exchanges = []
        try:
            for i, (name, request) in enumerate(REQUESTS, 1):
                request = {"type": request["type"], "id": i,
                           **{k: v for k, v in request.items() if k != "type"}}
                body = json.dumps(request, ensure_ascii=False).encode("utf-8")
                proc.stdin.write(struct.pack("=I", len(body)) + body)
                proc.stdin.flush()
                head = proc.stdout.read(4)
                if len(head) != 4:
                    sys.exit(f"record-replies: the host gave no reply to {name!r}")
                (n,) = struct.unpack("=I", head)
                reply = json.loads(proc.stdout.read(n).decode("utf-8"))
                exchanges.append({"name": name, "request": request, "reply": normalise(reply)})
        finally:
            proc.stdin.close()
            proc.wait(timeout=30)
    return exchanges


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--host", default=os.path.join(HERE, "..", "..", "build", "host", "src",
                                                   "typoguard-host"))
    ap.add_argument("--out", default=OUT)
    ap.add_argument("--check", action="store_true",
                    help="record into a temporary file and fail when it differs from --out")
    args = ap.parse_args()
    exchanges = record(os.path.abspath(args.host))
    version = exchanges[0]["reply"].get("version", "?")
    doc = {
        "generated": f"by tests/extension/record-replies.py from typoguard-host {version}: "
                     "do not edit by hand; run `python3 tests/extension/record-replies.py "
                     "--host BUILD/host/src/typoguard-host` to record it again",
        "host_version": version,
        "sender": SENDER,
        "exchanges": exchanges,
    }
    text = json.dumps(doc, ensure_ascii=False, indent=1) + "\n"
    if not args.check:
        os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
        with open(args.out, "w", encoding="utf-8") as f:
            f.write(text)
        return 0
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", suffix=".json",
                                     prefix="host-replies-") as tmp:
        tmp.write(text)
        tmp.flush()
        with open(tmp.name, encoding="utf-8") as f:
            fresh = f.read()
    try:
        with open(args.out, encoding="utf-8") as f:
            committed = f.read()
    except OSError as e:
        committed = ""
        print(f"record-replies: cannot read {args.out}: {e}", file=sys.stderr)
    if fresh == committed:
        print(f"{args.out}: the same as typoguard-host {version} replies now")
        return 0
    diff = list(difflib.unified_diff(committed.splitlines(), fresh.splitlines(),
                                     "committed " + args.out, "recorded now", lineterm=""))
    print("\n".join(diff[:200]))
    if len(diff) > 200:
        print(f"... {len(diff) - 200} more diff lines")
    print(f"\nFAIL: {args.out} differs from what typoguard-host {version} replies now "
          "(the extension tests would answer with stale replies). Record it again with\n"
          f"  /usr/bin/python3 {os.path.abspath(__file__)} --host {os.path.abspath(args.host)}\n"
          "check that the changed replies are right, and commit the file with the change "
          "that caused them.")
    return 1


if __name__ == "__main__":
    sys.exit(main())
