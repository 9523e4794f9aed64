#!/usr/bin/env python3
"""seeds.py — writes the seed corpus of every fuzz target from the project's own case tables, so
fuzzers, unit tests and the replay tests share one set of cases (STYLE.md, "Tests").

Usage: seeds.py SOURCE_DIR OUT_DIR      writes OUT_DIR/<target>/<name> for each target of
tests/fuzz (native, mailbox, domain, detect, settings, history). Standard library only.

Sources: tests/cases/detect.tsv (detector, domains, check requests), tests/cases/mailbox.tsv
(mailbox parser, domains), packaging/*.conf and manifest/**/*.conf (settings), and the hand-written
requests, key files and history files below, which cover each error code, limit and record kind.
"""
import hashlib
import json
import os
import re
import struct
import sys

FRAME_SEP = b"\n--frame--\n"  # fuzz_native.c splits its input here (first byte odd)


def unescape(s):
    """The escapes of tests/cases/mailbox.tsv: \\t \\n \\r \\\\ \\xHH; other backslashes kept."""
    out = bytearray()
    i = 0
    b = s.encode("utf-8")
    while i < len(b):
        c = b[i]
        if c == 0x5C and i + 1 < len(b):
            n = chr(b[i + 1])
            if n in "tnr\\":
                out.append({"t": 9, "n": 10, "r": 13, "\\": 0x5C}[n])
                i += 2
                continue
            if n == "x" and i + 3 < len(b) + 0 and re.fullmatch(rb"[0-9a-fA-F]{2}", b[i + 2:i + 4]):
                out.append(int(b[i + 2:i + 4], 16))
                i += 4
                continue
        out.append(c)
        i += 1
    return bytes(out)


def read_tsv(path):
    rows = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            rows.append(line.split("\t"))
    return rows


class Corpus:
    def __init__(self, out):
        self.out = out
        self.count = {}

    def add(self, target, data):
        if isinstance(data, str):
            data = data.encode("utf-8")
        d = os.path.join(self.out, target)
        os.makedirs(d, exist_ok=True)
        name = hashlib.sha1(data).hexdigest()
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)
        self.count[target] = self.count.get(target, 0) + 1


def frames_split(*bodies, cut_last=False):
    """Input for fuzz_native in split mode: the bodies joined by FRAME_SEP."""
    mode = 1 | (2 if cut_last else 0)
    return bytes([mode]) + FRAME_SEP.join(b if isinstance(b, bytes) else b.encode() for b in bodies)


def frames_raw(*bodies):
    """Input for fuzz_native in raw mode: the stdin stream itself."""
    out = bytearray([0])
    for b in bodies:
        b = b if isinstance(b, bytes) else b.encode()
        out += struct.pack("=I", len(b)) + b
    return bytes(out)


def context_to_request(sender, context, address, rid):
    """A check request equivalent (as far as the protocol can say it) to a detect.tsv case."""
    req = {"type": "check", "id": rid, "recipients": [{"field": "to", "address": address}]}
    if sender != "-":
        req["sender"] = sender
    known = {"domains": [], "addresses": []}
    policy = {}
    if context != "-":
        for item in context.split(";"):
            k, _, v = item.strip().partition("=")
            if k == "known":
                known["domains"].append(v)
            elif k == "addr":
                known["addresses"].append(v)
            elif k in ("org", "ctx_org"):
                policy.setdefault("org_domains", []).append(v)
            elif k in ("trusted", "ctx_trusted"):
                policy.setdefault("trusted_domains", []).append(v)
            elif k in ("blocked", "ctx_blocked"):
                policy.setdefault("blocked_domains", []).append(v)
            elif k == "blocked_tld":
                policy.setdefault("blocked_tlds", []).append(v)
            elif k == "external":
                policy["flag_external"] = v
            elif k == "first_contact":
                policy["first_contact"] = v
    if known["domains"] or known["addresses"]:
        req["known"] = known
    if policy:
        req["policy"] = policy
    return json.dumps(req, ensure_ascii=False)


def native_handwritten(c):
    hello = '{"type":"hello","id":"h1"}'
    c.add("native", frames_split(hello))
    c.add("native", frames_raw(hello, '{"type":"hello","id":2}'))
    c.add("native", frames_split(
        '{"type":"check","id":7,"sender":"Jane Roe <jane.roe@mail.mil>",'
        '"recipients":[{"field":"to","address":"John Doe <john.doe@army.ml>"},'
        '{"field":"cc","address":"ops@gmial.com"}],'
        '"known":{"domains":["army.mil"],"addresses":["john.doe@army.mil"]},'
        '"policy":{"org_domains":["mail.mil","army.mil"]}}'))
    c.add("native", frames_split(
        '{"type":"learn","id":"l","addresses":["John <john@army.mil>","ops@gmail.com"]}',
        '{"type":"check","id":"c","recipients":[{"field":"bcc","address":"john@army.ml"}]}'))
    c.add("native", frames_split(
        '{"type":"hello","id":1,"policy":{"org_domains":["example.org"],"flag_external":"warn",'
        '"locked":[]},"settings":{"first_contact":"off","learn":false,'
        '"trusted_domains_file":"/nonexistent"}}'))
    # The address book kept in the host: whole, a change, a change against a stale base.
    c.add("native", frames_split(
        '{"type":"book","id":"b1","version":"v1","add":["John Doe <john.doe@army.mil>",'
        '"ops@gmail.com"]}',
        '{"type":"book","id":"b2","version":"v2","base":"v1","add":["Ann <ann@navy.mil>"],'
        '"remove":["ops@gmail.com"]}',
        '{"type":"book","id":"b3","version":"v4","base":"v3","add":["x@y.org"]}',
        '{"type":"hello","id":"h"}',
        '{"type":"check","id":"c","recipients":[{"field":"to","address":"John Doe <john.doe@army.ml>"}]}'))
    # Every error code.
    c.add("native", frames_split("", "{", "[1,2]", '{"type":1}', '{"type":"nope","id":[1]}',
                                 '{"type":"check","id":"x","recipients":{}}',
                                 '{"type":"check","recipients":[{"field":"xx","address":"a@b.c"}]}',
                                 '{"type":"learn","addresses":[1]}', b"\xff\xfe",
                                 '{"type":"hello"} trailing', '{"type":"hello","id":"\\u0000"}'))
    c.add("native", frames_split('{"type":"hello","id":"cut"}', '{"type":"hel', cut_last=True))
    c.add("native", b"\x00" + struct.pack("=I", 8 * 1024 * 1024 + 1) + b"{}")
    c.add("native", b"\x00\x05\x00")
    many = ",".join('{"field":"to","address":"u%d@gmial.com"}' % i for i in range(40))
    c.add("native", frames_split('{"type":"check","id":1e3,"recipients":[%s]}' % many))
    c.add("native", frames_split('{"type":"check","id":-0.5,"recipients":[],"sender":null,'
                                 '"known":null,"policy":null,"settings":null}'))


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: seeds.py SOURCE_DIR OUT_DIR")
    src, out = sys.argv[1], sys.argv[2]
    c = Corpus(out)

    domains = set()
    detect = read_tsv(os.path.join(src, "tests/cases/detect.tsv"))
    for i, row in enumerate(detect):
        sender, context, address = row[0], row[1], row[2]
        c.add("detect", "%s\n%s\n%s" % (sender, context, address))
        c.add("native", frames_split(context_to_request(sender, context, address, i)))
        for text in (address, sender):
            if "@" in text:
                domains.add(text.rsplit("@", 1)[1].rstrip(">").strip())
        for item in context.split(";"):
            k, _, v = item.partition("=")
            if v and "@" not in v:
                domains.add(v)
    # A few multi-recipient requests with everything at once.
    c.add("detect", "Jane <jane@mail.mil>\norg=mail.mil;org=army.mil;known=gmail.com;"
                    "addr=John Doe <john.doe@army.mil>;history=pat@navy.mil;external=warn\n"
                    "John Doe <john.doe@army.ml>\nops@gmial.com\nTeam: a@b.com, c@d.org;\n"
                    "pat@navy.mi\nJohn Doe <jd@gmail.com>\nx@\u0430rmy.mil")
    c.add("detect", "-\naddr=Pat Lee <pat.lee@army.mil>;addr=Pat Lee <pat.lee@gmail.com>;"
                    "together=pat.lee@army.mil,kim@army.mil,kim@army.mil,lou@army.mil;"
                    "org=army.mil\nPat Lee <pat.lee@gmail.com>\nkim@army.mil\nlou@army.mil")

    mailbox = read_tsv(os.path.join(src, "tests/cases/mailbox.tsv"))
    for row in mailbox:
        if row[0] == "" or (len(row) > 1 and row[1] == "+"):
            continue
        data = unescape(row[0])
        c.add("mailbox", data)
        if len(row) > 4 and row[4] not in ("", "-"):
            domains.add(unescape(row[4]).decode("utf-8", "replace"))
    for d in sorted(domains):
        c.add("domain", d)
    for d in ("xn--rmy-5cd.mil", "[192.0.2.1]", "[IPv6:2001:db8::1]", "gmail.com.", "a..b",
              "-a.com", "\u0430rmy.mil", "ＥＸＡＭＰＬＥ．ｃｏｍ", "xn--", "co.uk", "x" * 70 + ".com"):
        c.add("domain", d)

    native_handwritten(c)

    # Settings: the shipped examples, then hand-written files with every key and every problem.
    for root in ("packaging", "manifest"):
        for dirpath, _, files in os.walk(os.path.join(src, root)):
            for name in files:
                if name.endswith(".conf"):
                    with open(os.path.join(dirpath, name), "rb") as f:
                        c.add("settings", f.read())
    c.add("settings", "[typoguard]\norg_domains=army.mil;mail.mil\ntrusted_domains=example.org, "
                      "*.partner.example\nblocked_domains=@evil.example\nblocked_tlds=.ml;zz\n"
                      "flag_external=warn\nfirst_contact=off\nallow_override=false\n"
                      "fail_mode=closed\nlearn=true\ntrusted_domains_file=lists/trusted.txt\n"
                      "blocked_domains_file=~/blocked.txt\n")
    c.add("settings", "# comment\n[other]\nx=1\n[typoguard]\nunknown=1\nflag_external=loud\n"
                      "org_domains=-bad-.com;ok.com\nkey with space=1\n[broken\nlearn=maybe\n")
    c.add("settings", "org_domains=outside.group\n[typoguard]\r\nlearn = false\r\n"
                      "org_domains[de]=x.de\nblocked_tlds=ml.co\n\xff\n")
    # List files (the settings target also reads its input as one).
    c.add("settings", "# partners\nexample.org\n  Example.COM.  # trailing comment\n\n"
                      "*.wild.example\nnot a domain\n\u0430rmy.mil\n")

    # History files.
    good = ("typoguard-history 1\n# kind\tname\tcount\tlast use\n"
            "d\tarmy.mil\t12\t1764430000\nd\texample.org\t1\t1\n"
            "a\tjohn.doe@army.mil\t5\t1764430000\nco\tsomething\tfuture\nend\t4\n")
    c.add("history", good)
    c.add("history", good[:-10])  # truncated: no end marker
    c.add("history", good.replace("history 1", "history 2"))  # newer format: never rewritten
    c.add("history", good.replace("\t12\t", "\t-3\t").replace("army.mil\t5", "ARMY.mil\t5"))
    c.add("history", "typoguard-history 1\nd\txn--rmy-5cd.mil\t1\t1\nd\t\u0430rmy.mil\t1\t1\n"
                     "a\tx@[192.0.2.1]\t1\t1\nd\ta\tb\tc\td\nend\t1\nd\tlate.example\t1\t1\n")
    c.add("history", "")
    c.add("history", b"typoguard-history 1\nd\tnul\x00.example\t1\t1\nend\t1\n")

    for t in sorted(c.count):
        print("%s: %d seeds" % (t, c.count[t]))


if __name__ == "__main__":
    main()
