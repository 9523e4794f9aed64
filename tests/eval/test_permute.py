#!/usr/bin/python3
"""test_permute.py — the permutation engine does what SOURCES.md says each fuzzer does.

Run by ctest (eval/permute). Each check names a slip a person makes and the fuzzer that must
produce it, and a few things no fuzzer may produce (invalid labels, the domain itself).
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import permute  # noqa: E402


def doms(fz, name):
    return {d for d, _ in fz[name]}


def main():
    failures = []

    def check(cond, what):
        if not cond:
            failures.append(what)

    # Keyboard neighbours: staggered rows, per layout.
    check(permute.NEIGHBOURS['qwerty']['s'] == set('awedxz'), 'qwerty neighbours of s')
    check(permute.NEIGHBOURS['qwerty']['q'] == set('12wa'), 'qwerty neighbours of q')
    check('y' in permute.NEIGHBOURS['qwertz']['x'], 'qwertz: y sits left of x')
    check('q' in permute.NEIGHBOURS['azerty']['s'] and 'a' in permute.NEIGHBOURS['azerty']['q'],
          'azerty: q beside s, a above q')

    fz = permute.fuzz_label('', 'army', 'mil')
    check({'rmy.mil', 'amy.mil', 'arm.mil'} <= doms(fz, 'omission'), 'omission incl. first letter')
    check('ramy.mil' in doms(fz, 'transposition') and 'arym.mil' in doms(fz, 'transposition'),
          'transposition')
    check('aarmy.mil' in doms(fz, 'repetition') and 'armyy.mil' in doms(fz, 'repetition'),
          'repetition')
    check('atmy.mil' in doms(fz, 'replacement') and 'qrmy.mil' in doms(fz, 'replacement'),
          'replacement by neighbours')
    check('axmy.mil' not in doms(fz, 'replacement'), 'replacement only by neighbours')
    check('artmy.mil' in doms(fz, 'insertion') and 'atrmy.mil' in doms(fz, 'insertion'),
          'insertion of a neighbour before/after')
    check({'ermy.mil', 'irmy.mil', 'urmy.mil'} <= doms(fz, 'vowel_swap'),
          'vowel swap')
    check({'a-rmy.mil', 'ar-my.mil', 'arm-y.mil'} == doms(fz, 'hyphenation'), 'hyphenation')
    check({'a.rmy.mil', 'ar.my.mil', 'arm.y.mil'} == doms(fz, 'subdomain'), 'subdomain')
    check(doms(fz, 'plural') == {'armys.mil'}, 'plural')
    check('armyx.mil' in doms(fz, 'addition') and 'xarmy.mil' in doms(fz, 'addition'),
          'addition anywhere')
    check(not doms(fz, 'dot_omission'), 'no dot to omit in army.mil')
    for name, items in fz.items():
        for d, _ in items:
            check(d != 'army.mil', f'{name} returned the domain itself')
            check(all(permute.valid_label(p) for p in d.split('.')), f'{name}: invalid {d}')

    fz = permute.fuzz_label('us.', 'army', 'mil')
    check(('usarmy.mil', 'dot after us dropped') in fz['dot_omission'], 'dot omission, sub-domain')
    check(all(d.startswith('us.') for d in doms(fz, 'omission')), 'sub-domain kept')
    fz = permute.fuzz_label('', 'sjn', 'ac.za')
    check('sjnac.za' in doms(fz, 'dot_omission'), 'dot omission into a two-level suffix')
    check('sn.ac.za' in doms(fz, 'omission'), 'short labels are fuzzed too')
    fz = permute.fuzz_label('', 'ab-c', 'com')
    check('ab--c.com' not in doms(fz, 'hyphenation') and 'ab--c.com' not in doms(fz, 'repetition'),
          'no doubled hyphen from hyphenation or repetition')

    tld = {d for d, _ in permute.fuzz_tld('army.mil')}
    check({'army.ml', 'army.il', 'army.mi', 'army.mill', 'army.iml', 'army.mik'} <= tld, 'TLD slips')
    check('army.mil' not in tld, 'TLD slips exclude the original')

    if failures:
        print('\n'.join('FAIL: ' + f for f in failures))
        print(f'0 passed, {len(failures)} failed')
        return 1
    print('permute: all checks passed')
    return 0


if __name__ == '__main__':
    sys.exit(main())
