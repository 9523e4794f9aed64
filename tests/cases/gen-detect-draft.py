#!/usr/bin/env python3
"""gen-detect-draft.py — wrote the FIRST DRAFT of detect.tsv (typoguard authors, 2026).

It invents slips with its own small keyboard model (independent of host/lib/typo.c), over real
domains from host/data, and adds hand-written cases. The draft was then reviewed by hand and is
maintained as data: do not regenerate over detect.tsv (reviewed edits would be lost); run it
with an output path to compare (`gen-detect-draft.py /tmp/draft.tsv`).
"""
import random, sys, os

here = os.path.dirname(os.path.abspath(__file__))
data = os.path.join(here, "..", "..", "..", "host", "data")

def load(name):
    out = {}
    for line in open(os.path.join(data, name), encoding="utf-8"):
        line = line.split("#")[0].strip()
        if line:
            parts = line.split()
            out[parts[0]] = int(parts[1]) if len(parts) > 1 else 0
    return out

providers = load("mail-providers.txt"); usmil = load("us-mil.txt"); govintl = load("gov-intl.txt")
usgov = load("us-gov.txt")
builtin = set(providers) | set(usmil) | set(govintl) | set(usgov)

rows = qwerty = ["qwertyuiop", "asdfghjkl", "zxcvbnm"]
near = {}
for r, row in enumerate(qwerty):
    for i, ch in enumerate(row):
        n = set()
        for dr in (-1, 0, 1):
            rr = r + dr
            if 0 <= rr < 3:
                for di in ((-1, 1) if dr == 0 else (0, 1) if dr == -1 else (-1, 0)):
                    j = i + di
                    if 0 <= j < len(qwerty[rr]):
                        n.add(qwerty[rr][j])
        near[ch] = sorted(n)

def slips(name, rnd):
    """A few realistic slips of a label (never the first letter)."""
    out = []
    for i in range(1, len(name) - 1):
        a, b = name[i], name[i + 1]
        if a != b and a.isalpha() and b.isalpha():
            out.append(("transposition", name[:i] + b + a + name[i + 2:]))
    for i in range(1, len(name)):
        if name[i].isalpha() and name[i] != name[i - 1]:
            out.append(("omission", name[:i] + name[i + 1:]))
    for i in range(1, len(name)):
        c = name[i]
        if c in near:
            out.append(("substitution", name[:i] + rnd.choice(near[c]) + name[i + 1:]))
    for i in range(1, len(name)):
        if name[i].isalpha():
            out.append(("doubling", name[:i] + name[i] + name[i:]))
    rnd.shuffle(out)
    return out

rnd = random.Random(20260822)
out = []
def row(sender, ctx, addr, code, sugg, note):
    out.append("\t".join([sender or "-", ctx or "-", addr, code, sugg or "-", note]))

# near_miss over popular providers and military domains, names of 5+ letters
targets = [d for d, w in sorted(providers.items(), key=lambda x: -x[1]) if len(d.split(".")[0]) >= 5][:60]
targets += [d for d in usmil if len(d.split(".")[0]) >= 5]
for d in targets:
    name, rest = d.split(".", 1)
    n = 0
    for kind, s in slips(name, rnd):
        typed = s + "." + rest
        if typed in builtin or s == name:
            continue
        row(None, None, "someone@" + typed, "near_miss", "someone@" + d, kind + " of " + d)
        n += 1
        if n >= 3:
            break

# tld_confusion: .com -> .co/.cm/.om, .net -> .ne; military .mil -> .ml with a .mil sender
for d in [d for d, w in sorted(providers.items(), key=lambda x: -x[1]) if d.endswith(".com")][:25]:
    for t in ("co", "cm", "om"):
        typed = d[:-3] + t
        if typed not in builtin:
            row(None, None, "someone@" + typed, "tld_confusion", "someone@" + d, "com typed as " + t)
for d in [d for d in providers if d.endswith(".net")][:10]:
    typed = d[:-3] + "ne"
    if typed not in builtin:
        row(None, None, "someone@" + typed, "tld_confusion", "someone@" + d, "net typed as ne")
for d in usmil:
    row("Jane Roe <jane.roe@mail.mil>", None, "someone@" + d[:-3] + "ml", "tld_confusion", "someone@" + d, ".mil typed as .ml")

# invalid_tld
for d in [d for d, w in sorted(providers.items(), key=lambda x: -x[1]) if d.endswith(".com")][:20]:
    base = d[:-4]
    for t in ("con", "cmo", "ocm", "comm", "vom", "xom"):
        row(None, None, "someone@" + base + "." + t, "invalid_tld", "someone@" + d, ".com typed as ." + t)
open(sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "detect-draft.tsv"), "w").write("\n".join(out) + "\n")
print(len(out), "rows")
