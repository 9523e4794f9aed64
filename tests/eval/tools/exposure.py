#!/usr/bin/python3
"""exposure.py BUILD_DIR [--max-len N] [--tsv OUT] — fresh-install false-alarm exposure of short names.

The evaluation set's negatives are university, .gov and .mil names: almost none of them is one slip
from a built-in mail provider, so they cannot show what a change to the model costs the owners of
real short names next to a provider (mw.com next to me.com, ao.de next to aol.de, gmc.com next to
gmx.com). In an open zone every 2- and 3-letter name is registered, and most 4-letter ones, so
each one-slip neighbour of a short provider name is a real domain that someone may write to.

For every built-in provider (host/data/mail-providers.txt) whose first label has at most N letters
(default 4), this enumerates the one-slip variants of that label (a letter or digit substituted,
inserted or left out, two neighbours swapped) that are not themselves built in, and runs them,
with no context (a fresh install), through eval_detect as legitimate addresses. It prints how many
of them get a warning or a block, by the length of the typed label. The count is exposure, not a
rate of false alarms: it does not weigh how often anyone writes to each name. Compare a change
against the build before it. No eval row enters; the provider list is a fact about which domains
exist.
"""
import argparse
import collections
import os
import string
import subprocess
import sys
import tempfile

ALPHABET = string.ascii_lowercase + string.digits


def one_slip(label):
    """Every label one substitution, omission, insertion or transposition from label."""
    n = len(label)
    out = set()
    for i in range(n):
        out.update(label[:i] + c + label[i + 1:] for c in ALPHABET if c != label[i])
        out.add(label[:i] + label[i + 1:])
        if i + 1 < n and label[i] != label[i + 1]:
            out.add(label[:i] + label[i + 1] + label[i] + label[i + 2:])
    for i in range(n + 1):
        out.update(label[:i] + c + label[i:] for c in ALPHABET)
    out.discard(label)
    return {v for v in out if len(v) >= 2}


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('build_dir')
    ap.add_argument('--max-len', type=int, default=4)
    ap.add_argument('--providers', default=os.path.join(here, '../../../host/data/mail-providers.txt'))
    ap.add_argument('--tsv', help='also keep the generated rows here')
    args = ap.parse_args()

    providers = [line.split()[0] for line in open(args.providers, encoding='utf-8')
                 if line.strip() and not line.startswith('#')]
    builtin = set(providers)
    typed = set()
    for d in providers:
        label, rest = d.split('.', 1)
        if len(label) <= args.max_len:
            typed.update(v + '.' + rest for v in one_slip(label))
    typed -= builtin

    rows = ''.join('-\t-\tuser@%s\t-\t-\tclass=neg_unknown_exposure src=exposure.py base=%s len=%d\n'
                   % (t, t, len(t.split('.')[0])) for t in sorted(typed))
    with tempfile.NamedTemporaryFile('w', suffix='.tsv', delete=False) as f:
        f.write('# exposure.py: one-slip neighbours of short built-in provider names\n' + rows)
        path = f.name
    try:
        if args.tsv:
            with open(args.tsv, 'w') as keep:
                keep.write(open(path).read())
        tool = os.path.join(args.build_dir, 'tests/eval/eval_detect')
        res = subprocess.run([tool, path, '--misses'], capture_output=True, text=True, check=True)
    finally:
        os.unlink(path)

    total = collections.Counter(len(t.split('.')[0]) for t in typed)
    flagged = collections.Counter()
    for line in res.stdout.splitlines():
        if line.startswith('| neg_unknown_exposure | `user@'):
            domain = line.split('`')[1].split('@', 1)[1]
            flagged[len(domain.split('.')[0])] += 1
    print('| typed label | names | warned or blocked |\n|---:|---:|---:|')
    for n in sorted(total):
        print('| %d | %d | %d |' % (n, total[n], flagged[n]))
    print('| all | %d | %d |' % (sum(total.values()), sum(flagged.values())))
    return 0


if __name__ == '__main__':
    sys.exit(main())
