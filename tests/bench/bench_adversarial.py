#!/usr/bin/python3
"""bench_adversarial.py HOST [--scale F] [--only NAME] [--check]

Adversarial request shapes at the protocol's limits, each sent to a fresh `HOST --native` as one
frame (after a `hello`, so the start-up is the same for every shape). For each shape the table
gives the host process's CPU time (user + system, from wait4) and peak RSS at 1x and at 10x size,
and the growth of the CPU time from 1x to 10x (10 means linear). 10x is the largest request the
protocol lets through for that shape (8 MiB frame, 10,000 recipients, 2,048-byte entries), so
"within 1 s CPU and 256 MB at 10x" is the bound asked of every shape (issue 15).

The host runs with a private XDG_CONFIG_HOME / XDG_DATA_HOME and TYPOGUARD_POLICY pointing at
nothing, so no file on the machine changes what it does. `--scale` shrinks every size (for a
quick smoke run); `--check` exits 1 when a shape at 10x is over the bounds or grows worse than
TG_BENCH_MAX_GROWTH (default 20: linear is 10, a quadratic shape is 100).
"""
import json
import os
import struct
import subprocess
import sys
import tempfile
import time

MAX_FRAME = 8 * 1024 * 1024
CPU_BOUND_S = 1.0
RSS_BOUND_MB = 256.0


def frame(obj):
    data = json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode()
    return struct.pack("=I", len(data)) + data, len(data)


def read_frames(data):
    out, i = [], 0
    while i + 4 <= len(data):
        (n,) = struct.unpack("=I", data[i:i + 4])
        out.append(data[i + 4:i + 4 + n])
        i += 4 + n
    return out


# ---- the shapes: each returns (list of request objects, description of its size) ----------

def mailboxes_per_entry(n):
    """n entries of ~2,040 bytes, each ~170 copies of a mistyped mailbox (issue 15, item 1)."""
    entry = ",".join(["a@gmial.com"] * 170)
    rc = [{"field": "to", "address": entry} for _ in range(n)]
    return [{"type": "check", "id": 1, "recipients": rc}], f"{n} entries x 170 mailboxes"


def mailboxes_distinct(n):
    """n entries of ~2,040 bytes, each ~100 distinct mistyped domains (near-miss search each)."""
    rc = []
    for i in range(n):
        entry = ",".join(f"u{j}@gmial{(i * 100 + j) % 997}.com" for j in range(100))
        rc.append({"field": "cc", "address": entry[:2040]})
    return [{"type": "check", "id": 1, "recipients": rc}], f"{n} entries x ~100 distinct domains"


def commas(n):
    """n entries of `a@b.com,` x 100 (issue 15, item 1, second shape)."""
    entry = "a@b.com," * 100
    rc = [{"field": "to", "address": entry} for _ in range(n)]
    return [{"type": "check", "id": 1, "recipients": rc}], f"{n} entries x 100 a@b.com"


def contacts_domain(n):
    """R = n recipients at corp.com against K = 5n known addresses there (item 2)."""
    k = 5 * n
    known = [f"first{i}.last{i * 7 % 1000}@corp.com" for i in range(k)]
    rc = [{"field": "to", "address": f"frist{i}.last{i * 7 % 1000}@corp.com"} for i in range(n)]
    req = {"type": "check", "id": 1, "recipients": rc, "known": {"addresses": known}}
    return [req], f"R={n} recipients, K={k} contacts at one domain"


def namesakes(n):
    """K = n contacts all named John Smith, a few recipients named so too (item 3)."""
    known = [f"John Smith <jsmith{i}@corp{i % 50}.com>" for i in range(n)]
    rc = [{"field": "to", "address": f"John Smith <john.smith{i}@gmail.com>"} for i in range(10)]
    req = {"type": "check", "id": 1, "recipients": rc, "known": {"addresses": known}}
    return [req], f"K={n} namesakes, 10 recipients"


def max_namesakes():
    """TG_PEOPLE_MAX_NAMESAKES, read from host/lib/people.h (the one place it is set)."""
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "..", "..", "host", "lib", "people.h")) as f:
        for line in f:
            if line.startswith("#define TG_PEOPLE_MAX_NAMESAKES"):
                return int(line.split()[2].rstrip("u"))
    raise SystemExit("TG_PEOPLE_MAX_NAMESAKES not found in people.h")


def namesakes_recipients(n):
    """R = n recipients named John Smith at gmail.com, from and among colleagues at corp.com,
    against K = 5n contacts all named John Smith (crowded: more than TG_PEOPLE_MAX_NAMESAKES)."""
    k = 5 * n
    known = [f"John Smith <john.smith{i}@corp.com>" for i in range(k)]
    rc = [{"field": "to", "address": "Jane Roe <jane.roe@corp.com>"}]
    rc += [{"field": "to", "address": f"John Smith <john.smith{i}@gmail.com>"} for i in range(n)]
    req = {"type": "check", "id": 1, "sender": "Ann Lee <ann.lee@corp.com>", "recipients": rc,
           "known": {"addresses": known}}
    return [req], f"R={n} John Smiths at gmail.com, K={k} John Smiths at corp.com"


def namesakes_at_cap(n):
    """R = n recipients, each sharing its name with exactly TG_PEOPLE_MAX_NAMESAKES contacts at
    corp.com (the most a name may have and still be compared): the costliest namesake shape."""
    cap = max_namesakes()
    groups = max(1, 5 * n // cap)
    known = [f"Given{g} Family{g} <given{g}.family{g}.{j}@corp.com>"
             for g in range(groups) for j in range(cap)]
    rc = [{"field": "to", "address": "Jane Roe <jane.roe@corp.com>"}]
    rc += [{"field": "to", "address": f"Given{i % groups} Family{i % groups} "
            f"<given{i % groups}.family{i % groups}@gmail.com>"} for i in range(n)]
    req = {"type": "check", "id": 1, "sender": "Ann Lee <ann.lee@corp.com>", "recipients": rc,
           "known": {"addresses": known}}
    return [req], f"R={n} recipients, {groups} names x {cap} namesakes each"


def long_labels(n):
    """n recipients with 253-byte domains of 63-byte labels and 64-byte local parts."""
    rc = []
    for i in range(n):
        lab = (f"l{i:06d}" + "abcdefghij" * 7)[:63]
        dom = ".".join([lab, lab[::-1], lab, lab[:60]]) + ".com"
        rc.append({"field": "to", "address": f"{('x' * 60)}{i:04d}@{dom[:249]}.com"})
    return [{"type": "check", "id": 1, "recipients": rc}], f"{n} recipients, 253-byte domains"


def idn_everywhere(n):
    """n recipients and n known addresses, all internationalised (ICU skeletons, UTS #46)."""
    cyr = "аеорсух"  # Cyrillic lookalikes of a e o p c y x
    rc, known = [], []
    for i in range(n):
        label = "".join(cyr[(i + j) % len(cyr)] for j in range(6)) + f"{i}"
        rc.append({"field": "to", "address": f"Ωμέγα {i} <пользователь{i}@{label}.рф>"})
        known.append(f"Ἀλέξανδρος {i} <δοκιμή{i}@παράδειγμα{i % 100}.ελ>")
    req = {"type": "check", "id": 1, "recipients": rc, "known": {"addresses": known,
           "domains": [f"gmаil{i}.com" for i in range(n)]}}
    return [req], f"{n} IDN recipients + {n} IDN contacts"


def idn_known(n):
    """n known addresses, each at another internationalised domain (10x: TG_MAX_KNOWN_IDN_DOMAINS,
    the bound found after the audit: 49,000 of them took 1.2-1.5 s), and 2,000 recipients."""
    known = [f"Имя {i} <почта@домен{i}-длинное-имя.рф>" for i in range(n)]
    rc = [{"field": "to", "address": f"иван{i}@пример{i % 50}.рф"} for i in range(2000)]
    req = {"type": "check", "id": 1, "recipients": rc, "known": {"addresses": known}}
    return [req], f"{n} known addresses at {n} IDN domains, 2,000 recipients"


def big_settings(n):
    """Settings and policy holding n list entries in all (the most a request may carry at 10x),
    then a hello whose settings hold one 2n-byte bad domain (echoed in the error, item 5)."""
    q = n // 4
    reqs = [{"type": "check", "id": 1, "recipients": [{"field": "to", "address": "x@gmial.com"}],
             "settings": {"trusted_domains": [f"partner{i}.example.org" for i in range(q)],
                          "blocked_domains": [f"bad{i}.example.org" for i in range(q)]},
             "policy": {"trusted_domains": [f"corp{i}.example.com" for i in range(q)],
                        "org_domains": [f"unit{i}.example.mil" for i in range(n - 3 * q)]}},
            {"type": "hello", "id": 2, "settings": {"trusted_domains": ["x" * (100 * n)]}}]
    return reqs, f"{n} list entries in settings + policy; a {100 * n}-byte bad domain"


def settings_over(n):
    """Settings holding 15n trusted domains: over the request limit at 10x (too_many)."""
    trusted = [f"partner{i}.example.org" for i in range(15 * n)]
    reqs = [{"type": "check", "id": 1, "recipients": [{"field": "to", "address": "x@gmial.com"}],
             "settings": {"trusted_domains": trusted}}]
    return reqs, f"{15 * n} trusted domains in settings"


def big_known(n):
    """An address book of n addresses at n / 20 domains, and 1,000 recipients."""
    known = [f"p{i}@o{i % max(1, n // 20)}.io" for i in range(n)]
    rc = [{"field": "to", "address": f"p{i}x@o{i % 50}.io"} for i in range(1000)]
    req = {"type": "check", "id": 1, "recipients": rc, "known": {"addresses": known}}
    return [req], f"{n} known addresses, 1,000 recipients"


def mailboxes_at_limit(n):
    """n entries of 170 mistyped mailboxes: 117 at 10x is just under TG_MAX_MAILBOXES."""
    entry = ",".join(["a@gmial.com"] * 170)
    rc = [{"field": "to", "address": entry} for _ in range(n)]
    return [{"type": "check", "id": 1, "recipients": rc}], f"{n} entries x 170 mailboxes"


def big_policy(n):
    """A policy with 15n blocked and 15n trusted domains (over the request limit at 10x)."""
    blocked = [f"bad{i}.example.net" for i in range(15 * n)]
    trusted = [f"good{i}.example.com" for i in range(15 * n)]
    rc = [{"field": "to", "address": f"u@bad{i}.example.net"} for i in range(1000)]
    req = {"type": "check", "id": 1, "recipients": rc,
           "policy": {"blocked_domains": blocked, "trusted_domains": trusted}}
    return [req], f"{15 * n} blocked + {15 * n} trusted in policy, 1,000 recipients"


def learn_batch(n):
    """A learn of n strings, each holding 45 mailboxes (item 8: 456k addresses at 10x)."""
    addrs = [",".join(f"{i}.{j}@d{i % 500}.io" for j in range(45)) for i in range(n)]
    return [{"type": "learn", "id": 1, "addresses": addrs}], f"learn {n} x 45 addresses"


SHAPES = [
    ("mailboxes_per_entry", mailboxes_per_entry, 400),
    ("mailboxes_at_limit", mailboxes_at_limit, 11),
    ("mailboxes_distinct", mailboxes_distinct, 400),
    ("commas", commas, 1000),
    ("contacts_domain", contacts_domain, 1000),
    ("namesakes", namesakes, 5000),
    ("namesakes_recipients", namesakes_recipients, 999),
    ("namesakes_at_cap", namesakes_at_cap, 999),
    ("long_labels", long_labels, 1000),
    ("idn_everywhere", idn_everywhere, 1000),
    ("idn_known", idn_known, 2000),
    ("big_settings", big_settings, 2000),
    ("settings_over", settings_over, 2000),
    ("big_policy", big_policy, 1000),
    ("big_known", big_known, 30000),
    ("learn_batch", learn_batch, 1000),
]


def measure(host, reqs):
    with tempfile.TemporaryDirectory() as home:
        env = dict(os.environ)
        env.update({"XDG_CONFIG_HOME": os.path.join(home, "config"),
                    "XDG_DATA_HOME": os.path.join(home, "data"), "HOME": home,
                    "TYPOGUARD_POLICY": os.path.join(home, "no-policy.conf")})
        payload = frame({"type": "hello", "id": 0})[0]
        biggest = 0
        for r in reqs:
            f, n = frame(r)
            biggest = max(biggest, n)
            payload += f
        with tempfile.TemporaryFile() as inp, tempfile.TemporaryFile() as outp:
            inp.write(payload)
            inp.seek(0)
            t0 = time.monotonic()
            pid = os.fork()
            if pid == 0:
                os.dup2(inp.fileno(), 0)
                os.dup2(outp.fileno(), 1)
                dn = os.open(os.devnull, os.O_WRONLY)
                os.dup2(dn, 2)
                os.execve(host, [host, "--native"], env)
            _, status, ru = os.wait4(pid, 0)
            wall = time.monotonic() - t0
            outp.seek(0)
            out = outp.read()
        replies = [json.loads(x) for x in read_frames(out)]
        return {"cpu": ru.ru_utime + ru.ru_stime, "rss_mb": ru.ru_maxrss / 1024.0, "wall": wall,
                "frame": biggest, "replies": replies, "status": os.waitstatus_to_exitcode(status),
                "reply_bytes": max((len(x) for x in read_frames(out)), default=0)}


def summary(replies):
    parts = []
    for r in replies[1:]:
        t = r.get("type")
        if t == "result":
            parts.append(f"{r['verdict']}, {len(r['findings'])} findings"
                         + (", truncated" if r.get("truncated") else ""))
        elif t == "error":
            parts.append(f"error {r['code']}")
        elif t == "learned":
            parts.append(f"learned {r['count']}")
        else:
            parts.append(t or "?")
    return "; ".join(parts) if parts else "no reply"


def main():
    args = sys.argv[1:]
    if not args:
        print(__doc__)
        return 64
    host = os.path.abspath(args[0])
    if not os.access(host, os.X_OK):
        print(f"{args[0]}: not an executable host (BUILD/host/src/typoguard-host)", file=sys.stderr)
        return 66
    scale, only, check = 1.0, None, False
    i = 1
    while i < len(args):
        if args[i] == "--scale":
            scale = float(args[i + 1]); i += 2
        elif args[i] == "--only":
            only = args[i + 1]; i += 2
        elif args[i] == "--check":
            check = True; i += 1
        else:
            print(f"unknown argument {args[i]}", file=sys.stderr)
            return 64
    max_growth = float(os.environ.get("TG_BENCH_MAX_GROWTH", "20"))
    print("| shape | 10x size | frame MB | 1x CPU s | 1x RSS MB | 10x CPU s | 10x RSS MB | growth | "
          "10x reply |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---|")
    bad = []
    for name, make, base in SHAPES:
        if only and name != only:
            continue
        n1 = max(1, int(base * scale))
        m1 = measure(host, make(n1)[0])
        reqs10, desc10 = make(n1 * 10)
        m10 = measure(host, reqs10)
        growth = m10["cpu"] / m1["cpu"] if m1["cpu"] > 0 else float("inf")
        over = m10["cpu"] > CPU_BOUND_S or m10["rss_mb"] > RSS_BOUND_MB or growth > max_growth
        if m10["frame"] > MAX_FRAME:
            desc10 += " (over 8 MiB: too_large)"
        flag = " **over**" if over else ""
        print(f"| {name}{flag} | {desc10} | {m10['frame'] / 1048576:.1f} | {m1['cpu']:.2f} | "
              f"{m1['rss_mb']:.0f} | {m10['cpu']:.2f} | {m10['rss_mb']:.0f} | {growth:.1f} | "
              f"{summary(m10['replies'])} (exit {m10['status']}) |", flush=True)
        if over:
            bad.append(name)
    if check and bad:
        print(f"over the bounds: {', '.join(bad)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
