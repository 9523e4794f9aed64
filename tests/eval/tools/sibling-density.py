#!/usr/bin/python3
"""sibling-density.py [LIST...] — the data behind tg_typo_sibling (host/lib/typo.h).

For every name D (the first label) of 2-7 letters in the lists (default: the built-in US .gov
registry, host/data/us-gov.txt), applies every one-slip edit of each kind and counts how often the
result is another name in the lists: the density of real siblings per edit. Printed relative to
a substitution's density at the same length n (the longer of the two labels, as in typo.h), so
the numbers say how much likelier than a substitution each kind of slip is to land on another
real name. No eval row enters: the registry is a fact about which names exist.
"""
import collections
import os
import sys

ROWS = ['qwertyuiop', 'asdfghjkl', 'zxcvbnm']
POS = {c: (r, i + (0.25, 0.5, 1.0)[r]) for r, row in enumerate(ROWS) for i, c in enumerate(row)}
LETTERS = 'abcdefghijklmnopqrstuvwxyz'
VOWELS = 'aeiou'


def near(a, b):
    if a not in POS or b not in POS or a == b:
        return False
    (ra, xa), (rb, xb) = POS[a], POS[b]
    return (ra == rb and abs(xa - xb) == 1) or (abs(ra - rb) == 1 and abs(xa - xb) < 1)


def edits(d):
    """(kind, typed) for every one-slip edit of d."""
    n = len(d)
    for i in range(n):
        for c in LETTERS:
            if c != d[i]:
                kind = ('sub_vowel' if c in VOWELS and d[i] in VOWELS else
                        'sub_near' if near(c, d[i]) else 'sub_far')
                yield kind, d[:i] + c + d[i + 1:]
        double = (i > 0 and d[i - 1] == d[i]) or (i + 1 < n and d[i + 1] == d[i])
        yield ('undoubling' if double else 'omission'), d[:i] + d[i + 1:]
        if i + 1 < n and d[i] != d[i + 1]:
            yield 'transposition', d[:i] + d[i + 1] + d[i] + d[i + 2:]
        if i > 0:
            yield 'hyphen', d[:i] + '-' + d[i:]
    for i in range(n + 1):
        for c in LETTERS:
            doubled = (i > 0 and d[i - 1] == c) or (i < n and d[i] == c)
            yield ('doubling' if doubled else 'insertion'), d[:i] + c + d[i:]


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    lists = sys.argv[1:] or [os.path.join(here, '../../../host/data/us-gov.txt')]
    names = set()
    for path in lists:
        for line in open(path, encoding='utf-8'):
            if line.strip() and not line.startswith('#'):
                names.add(line.split()[0].split('.')[0])
    hits, total = collections.Counter(), collections.Counter()
    for d in names:
        if not 2 <= len(d) <= 7:
            continue
        for kind, t in edits(d):
            key = (kind, max(len(d), len(t)))
            total[key] += 1
            hits[key] += t in names
    kinds = sorted({k for k, _ in total})
    print('density relative to a substitution at the same n (the longer label); %d names' %
          len(names))
    print('%-14s' % 'kind' + ''.join('%8d' % n for n in range(2, 8)))
    for kind in kinds:
        row = []
        for n in range(2, 8):
            sub = sum(hits[(k, n)] for k in ('sub_near', 'sub_far', 'sub_vowel'))
            sub_t = sum(total[(k, n)] for k in ('sub_near', 'sub_far', 'sub_vowel'))
            if total[(kind, n)] and sub:
                row.append('%8.2f' % ((hits[(kind, n)] / total[(kind, n)]) / (sub / sub_t)))
            else:
                row.append('%8s' % '-')
        print('%-14s' % kind + ''.join(row))


if __name__ == '__main__':
    main()
