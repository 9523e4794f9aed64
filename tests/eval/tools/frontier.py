#!/usr/bin/python3
"""frontier.py BUILD_DIR [EVAL_TSV] — how far any decision on the slip's shape alone can go.

Issue 12 asks for recall >= 97 % with legitimate near-neighbours of address-book domains flagged
<= 20 %. This measures whether the evaluation rows allow both: it sorts every positive row and
every near-neighbour row into a cell by what the host can see of the slip (who the intended
domain is to the user, the slip's kind, a neighbouring key or not, the first letter or not, a
vowel or not, the label's length), takes the build's current outcome per row (eval_detect
--misses), and asks an oracle that may set each cell to "flag every row", "flag none" or "as
now" for the best recall that keeps the near-neighbours flagged within the bound (a knapsack
over the cells). The oracle sees the answers, so its recall is an upper bound for every model
whose decision depends on these features only: a model of the same features, however tuned,
cannot do better on these rows.

Three oracles: cells with context only (fresh-install rows as now: their cost, the owners of
real short names next to a provider, is outside the rows; tests/eval/tools/exposure.py counts
it); context and fresh-install provider cells; and everything. Run it on the tuning half
(the default): it reads answers, so on the held-out half it would be tuning on it.
"""
import argparse
import collections
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..'))
from permute import any_neighbours  # noqa: E402  (the generator's keyboard tables)

VOWELS = set('aeiou')
CONTEXT = ('addrbook', 'history', 'ownorg', 'realworld_addrbook')


def split_diff(typed, intended):
    """The differing stretch of the two domains after their common prefix and suffix."""
    p = 0
    while p < min(len(typed), len(intended)) and typed[p] == intended[p]:
        p += 1
    s = 0
    while (s < min(len(typed), len(intended)) - p and typed[-1 - s] == intended[-1 - s]):
        s += 1
    return p, typed[p:len(typed) - s], intended[p:len(intended) - s]


def label_at(domain, i):
    """(label, index of i in it) for position i of domain."""
    start = domain.rfind('.', 0, i) + 1
    end = domain.find('.', i)
    end = len(domain) if end < 0 else end
    return domain[start:end], i - start


def shape(typed, intended):
    """(kind, near, first, vowel, n): what the host can see of a one-slip difference."""
    p, t, d = split_diff(typed, intended)
    lab, at = label_at(intended, min(p, len(intended) - 1))
    n = len(lab)
    n = n if n <= 5 else 6
    first = at == 0
    if len(t) == 0 and len(d) == 1:
        kind = 'dot' if d == '.' else ('hyphen' if d == '-' else 'omission')
        vowel = d in VOWELS
        return kind, False, first, vowel, n
    if len(t) == 1 and len(d) == 0:
        if t in '.-':
            return ('dot' if t == '.' else 'hyphen'), False, first, False, n
        around = intended[max(p - 1, 0):p + 1]
        near = any(t in any_neighbours(c) for c in around)
        double = t in around
        return ('doubling' if double else 'insertion'), near, first, t in VOWELS, n
    if len(t) == 1 and len(d) == 1:
        near = t in any_neighbours(d)
        vowel = t in VOWELS and d in VOWELS
        return 'substitution', near, first, vowel, n
    if len(t) == 2 and len(d) == 2 and t == d[::-1]:
        return 'transposition', False, first, False, n
    return 'other', False, first, False, n


def outcomes(build, tsv):
    """(class, address, context) -> flagged, for rows eval_detect lists with --misses."""
    out = subprocess.run([os.path.join(build, 'tests/eval/eval_detect'), tsv, '--misses'],
                         capture_output=True, text=True).stdout
    listed = {}
    for line in out.splitlines():
        cols = [c.strip() for c in line.split('|')]
        if len(cols) < 6 or not cols[2].startswith('`'):
            continue
        got = cols[4]
        flagged = not (got.startswith('first_contact/info') or got.startswith('(none)')
                       or got == 'none')
        listed[(cols[1], cols[2].strip('`'), cols[5])] = flagged
    return listed


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('build_dir')
    ap.add_argument('tsv', nargs='?', default=os.path.join(HERE, '..', 'tune.tsv'))
    ap.add_argument('--max-near', type=float, default=20.0, help='near-neighbour bound, %%')
    ap.add_argument('--cells', action='store_true', help='print the cell table')
    args = ap.parse_args()
    if os.path.basename(args.tsv) == 'heldout.tsv':
        sys.exit('frontier.py reads the answers: run it on the tuning half, not the held-out one')

    listed = outcomes(args.build_dir, args.tsv)
    cells = collections.defaultdict(lambda: [0, 0, 0, 0])  # pos, pos caught, nn, nn flagged
    n_pos = caught = n_nn = nn_flagged = 0
    for line in open(args.tsv, encoding='utf-8'):
        if line.startswith('#') or not line.strip():
            continue
        cols = line.rstrip('\n').split('\t')
        note = cols[5]
        cls = re.search(r'class=(\S+)', note).group(1)
        addr = cols[2]
        typed = addr.rsplit('@', 1)[1]
        neg = cols[3] == '-'
        if neg and not cls.startswith('neg_nearneighbour'):
            continue
        if neg:
            intended = re.search(r'base=(\S+)', note).group(1)
            group = 'context'
        else:
            intended = cols[4].rsplit('@', 1)[1] if cols[4] != '-' else typed
            group = ('context' if cls.startswith(CONTEXT) else
                     'provider' if cls.startswith(('provider', 'realworld_provider')) else 'closed')
        flagged = listed.get((cls, addr, cols[1] or '-'), not neg)
        key = (group,) + shape(typed, intended)
        c = cells[key]
        if neg:
            c[2] += 1
            c[3] += flagged
            n_nn += 1
            nn_flagged += flagged
        else:
            c[0] += 1
            c[1] += flagged
            n_pos += 1
            caught += flagged

    budget = int(args.max_near / 100.0 * n_nn)
    print(f'{os.path.basename(args.tsv)}: {n_pos} positives, recall now {100.0 * caught / n_pos:.1f} %;'
          f' {n_nn} near-neighbours, flagged now {nn_flagged} ({100.0 * nn_flagged / n_nn:.1f} %),'
          f' bound {args.max_near:g} % = {budget} rows')
    if args.cells:
        print('\n| who | kind | near key | first letter | vowel | label | positives | caught |'
              ' near-neighbours | flagged |')
        print('|---|---|---|---|---|---|---:|---:|---:|---:|')
        for key in sorted(cells, key=lambda k: -(cells[k][0] - cells[k][1])):
            c = cells[key]
            g, kind, near, first, vowel, n = key
            print(f'| {g} | {kind} | {"y" if near else ""} | {"y" if first else ""} |'
                  f' {"y" if vowel else ""} | {n if n <= 5 else ">5"} | {c[0]} | {c[1]} | {c[2]} | {c[3]} |')

    changes = []
    print('\n| oracle over the cells of | best recall | near-neighbours flagged |')
    print('|---|---:|---:|')
    for title, free in (('context rows only', ('context',)),
                        ('context and fresh-install provider rows', ('context', 'provider')),
                        ('every row', ('context', 'provider', 'closed'))):
        # Each free cell: choose flag none / as now / flag all; a knapsack on near-neighbour rows.
        fixed_gain = 0
        best = {0: (0, ())}  # near-neighbour rows used -> (most positives caught, choices)
        fixed_nn = 0
        for key, (pos, pc, nn, nf) in cells.items():
            if key[0] not in free:
                fixed_gain += pc
                fixed_nn += nf
                continue
            options = {(0, 0, 'none'), (pc, nf, 'now'), (pos, nn, 'all')}
            nxt = {}
            for used, (gain, path) in best.items():
                for g, u, what in options:
                    if used + u <= budget and nxt.get(used + u, (-1,))[0] < gain + g:
                        nxt[used + u] = (gain + g, path + ((key, what),))
            best = nxt
        top = max(((g + fixed_gain, u, path) for u, (g, path) in best.items()
                   if u + fixed_nn <= budget), key=lambda t: (t[0], -t[1]))
        print(f'| {title} | {100.0 * top[0] / n_pos:.1f} % | {100.0 * (top[1] + fixed_nn) / n_nn:.1f} % |')
        changes.append((title, [(k, w) for k, w in top[2] if w != 'now' and
                                (cells[k][1], cells[k][3]) !=
                                ((0, 0) if w == 'none' else (cells[k][0], cells[k][2]))]))
    if args.cells:
        for title, moved in changes:
            print(f'\n{title}: cells the oracle changes')
            for key, what in sorted(moved):
                c = cells[key]
                print(f'  {what:4s} {key}: positives {c[1]}/{c[0]} caught, near-neighbours {c[3]}/{c[2]} flagged')


if __name__ == '__main__':
    main()
