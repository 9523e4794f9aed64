"""permute.py — an independent domain-permutation engine for the evaluation set.

Written for typoguard from the published description of dnstwist's fuzzers (its README / man
page: "addition, bitsquatting, homoglyph, hyphenation, insertion, omission, plural, repetition,
replacement, subdomain, transposition, vowel-swap, tld-swap ..."), not from typoguard's own typo
model and not from dnstwist's code. Bitsquatting and homoglyphs are left out (look-alikes are
another issue); "tld-swap" is done as keyboard slips of the TLD itself (see fuzz_tld), because a
dictionary swap mostly produces other organisations' real domains, not typos.

A domain is split into prefix (sub-domains the user typed, e.g. "us." of us.army.mil), the
registrable label, and the public suffix; the label fuzzers touch the label only, like dnstwist.
Each fuzzer returns (typo_domain, detail) pairs; the caller samples and filters them.
"""

# Keyboard rows (staggered). A key's neighbours: left/right on its row, two keys above (same
# index and index+1) and two below (index-1 and same index) — the usual approximation of the
# physical stagger, as dnstwist's qwerty/qwertz/azerty tables do.
LAYOUTS = {
    'qwerty': ['1234567890', 'qwertyuiop', 'asdfghjkl', 'zxcvbnm'],
    'qwertz': ['1234567890', 'qwertzuiop', 'asdfghjkl', 'yxcvbnm'],
    'azerty': ['1234567890', 'azertyuiop', 'qsdfghjklm', 'wxcvbn'],
}
VOWELS = 'aeiou'
ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789'


def neighbours(layout):
    rows = LAYOUTS[layout]
    out = {}
    for r, row in enumerate(rows):
        for i, ch in enumerate(row):
            near = set()
            for j in (i - 1, i + 1):
                if 0 <= j < len(row):
                    near.add(row[j])
            if r > 0:
                for j in (i, i + 1):
                    if 0 <= j < len(rows[r - 1]):
                        near.add(rows[r - 1][j])
            if r + 1 < len(rows):
                for j in (i - 1, i):
                    if 0 <= j < len(rows[r + 1]):
                        near.add(rows[r + 1][j])
            out[ch] = near
    return out


NEIGHBOURS = {name: neighbours(name) for name in LAYOUTS}


def any_neighbours(ch):
    """Neighbours of ch on any of the three layouts, with the layouts that have each one."""
    got = {}
    for name, table in NEIGHBOURS.items():
        for n in table.get(ch, ()):
            got.setdefault(n, []).append(name)
    return got


def valid_label(label):
    return (0 < len(label) <= 63 and label[0] != '-' and label[-1] != '-' and
            all(c in ALNUM or c == '-' for c in label))


def _join(prefix, label, suffix):
    return f'{prefix}{label}.{suffix}'


def fuzz_label(prefix, label, suffix):
    """All label fuzzers: {fuzzer: [(domain, detail), ...]}."""
    L = label
    n = len(L)
    out = {f: [] for f in ('addition', 'omission', 'repetition', 'replacement', 'transposition',
                           'vowel_swap', 'hyphenation', 'insertion', 'subdomain', 'plural',
                           'dot_omission')}

    def add(f, lab, detail):
        if lab != L and all(valid_label(p) for p in lab.split('.')):
            out[f].append((_join(prefix, lab, suffix), detail))

    for i in range(n + 1):  # addition: any letter added at any position (not only a neighbour)
        for c in 'abcdefghijklmnopqrstuvwxyz':
            add('addition', L[:i] + c + L[i:], f'+{c} at {i}')
    for i in range(n):  # omission, including the first and last letter
        add('omission', L[:i] + L[i + 1:], f'-{L[i]} at {i}')
    for i in range(n):  # repetition: a key pressed twice
        if L[i] != '-':
            add('repetition', L[:i] + L[i] + L[i:], f'{L[i]} doubled at {i}')
    for i in range(n):  # replacement by a neighbouring key
        for nb, lays in sorted(any_neighbours(L[i]).items()):
            add('replacement', L[:i] + nb + L[i + 1:], f'{L[i]}->{nb} at {i} ({"/".join(lays)})')
    for i in range(n - 1):  # transposition of adjacent characters
        if L[i] != L[i + 1]:
            add('transposition', L[:i] + L[i + 1] + L[i] + L[i + 2:], f'swap {L[i]}{L[i + 1]} at {i}')
    for i in range(n):  # vowel swap
        if L[i] in VOWELS:
            for v in VOWELS:
                if v != L[i]:
                    add('vowel_swap', L[:i] + v + L[i + 1:], f'{L[i]}->{v} at {i}')
    for i in range(1, n):  # hyphenation: a hyphen between two characters
        if L[i - 1] != '-' and L[i] != '-':
            add('hyphenation', L[:i] + '-' + L[i:], f'hyphen at {i}')
    for i in range(n):  # insertion of a neighbouring key before or after a character
        for nb, lays in sorted(any_neighbours(L[i]).items()):
            add('insertion', L[:i] + nb + L[i:], f'{nb} before {L[i]} at {i}')
            add('insertion', L[:i + 1] + nb + L[i + 1:], f'{nb} after {L[i]} at {i}')
    for i in range(1, n):  # subdomain: a dot typed inside the label
        if L[i - 1] != '-' and L[i] != '-':
            add('subdomain', L[:i] + '.' + L[i:], f'dot at {i}')
    if not L.endswith('s'):  # plural
        add('plural', L + 's', '+s')
    # dot omission: the dot between a typed sub-domain and the label, or between the label and
    # a two-level suffix (sjn.ac.za -> sjnac.za), goes missing.
    if prefix:
        parts = prefix.rstrip('.').split('.')
        merged = '.'.join(parts[:-1] + [parts[-1] + L])
        out['dot_omission'].append((f'{merged}.{suffix}', f'dot after {parts[-1]} dropped'))
    if '.' in suffix:
        first, rest = suffix.split('.', 1)
        lab = L + first
        if valid_label(lab):
            out['dot_omission'].append((f'{prefix}{lab}.{rest}', f'dot before {first} dropped'))
    return out


def fuzz_tld(domain):
    """Keyboard slips of the last label (the TLD): omission, repetition, neighbour replacement,
    transposition, neighbour insertion. Returns [(domain, detail)]."""
    head, tld = domain.rsplit('.', 1)
    got = []

    def add(t, detail):
        if t != tld and t and t.isalpha():
            got.append((f'{head}.{t}', detail))

    for i in range(len(tld)):
        add(tld[:i] + tld[i + 1:], f'tld -{tld[i]}')
        add(tld[:i] + tld[i] + tld[i:], f'tld {tld[i]} doubled')
        for nb in sorted(any_neighbours(tld[i])):
            if nb.isalpha():
                add(tld[:i] + nb + tld[i + 1:], f'tld {tld[i]}->{nb}')
                add(tld[:i + 1] + nb + tld[i + 1:], f'tld {nb} after {tld[i]}')
    for i in range(len(tld) - 1):
        add(tld[:i] + tld[i + 1] + tld[i] + tld[i + 2:], 'tld swap')
    return got
