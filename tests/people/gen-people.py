#!/usr/bin/python3
"""gen-people.py — whole generated messages for the wrong_address rule (issue 14).

Each case is one message with its whole context, in the format of tests/cases/wrongaddr.tsv: a
sender at an organisation (or at home), an address book of colleagues at the organisation and
friends at personal providers (some colleagues also with a personal address), a history of
co-recipient sets, the recipients, and what should happen. Names are real first and last names
per language from names.json (taken from @faker-js/faker by extract-names.mjs; see SOURCES.md).

Slips (the rule must warn on the slipped recipient and suggest the colleague's work address):
  S1  autocomplete picked a colleague's personal address (in the book) among work recipients
  S2  autocomplete picked a namesake's address: a friend with the colleague's exact name
  S3  a colleague written to alone at a never-used address, the name as the source wrote it
      (as in the book, "Last, First" unquoted, with a middle name the book lacks, without
      umlauts/accents or in Latin letters — Russian also as German writes it — CJK with a space)
  S4  the same among colleagues
  S5  the same beside an outside partner
  S6  a never-used personal address with no display name, the local part spelling the name
Legitimate messages (the rule must stay silent):
  L1  colleagues at their work addresses, sometimes with a known partner
  L2  a personal message (from the user's own personal address) to friends, also at new
      addresses, and to a colleague at a new personal address
  L3  from work to a friend alone at the friend's known address
  L4  colleagues and a new outside contact sharing only a first or a last name with a colleague
  L5  a colleague alone at the personal address the book or the history holds
  L6  a new outside contact nobody knows, alone or with colleagues
  L7  a colleague's personal address written to with these colleagues before (history)
  L8  a friend with a colleague's exact name, written to alone from work or with friends from home

Deterministic (SEED); each case goes to the tune or the held-out half by a hash of its number.
The transliterations here are written independently of host/lib/people.c, from the systems
people really use: German/Scandinavian ASCII spellings, accents dropped, Russian and Ukrainian
in the passport (ICAO 9303), the older passport (MVD 1997) and the common English spelling.

  /usr/bin/python3 tests/people/gen-people.py        # writes tune.tsv and heldout.tsv here
"""
import hashlib
import json
import os
import random
import unicodedata

SEED = 20261204
N_CASES = 1000
HERE = os.path.dirname(os.path.abspath(__file__))

ORGS = [
    ("university-of-example.edu", ["EN_US", "EN_US", "ES", "FR", "ZH_CN", "KO", "VI", "DE", "IT"]),
    ("acme-corp.com", ["EN_US", "EN_US", "IT", "PL", "ES", "TR"]),
    ("bwi-beispiel.de", ["DE", "DE", "DE", "TR", "PL"]),
    ("kommune-eksempel.no", ["NB_NO", "NB_NO", "SV", "DA", "FI"]),
    ("example-corp.ru", ["RU", "RU", "UK"]),
    ("example-univ.edu.cn", ["ZH_CN"]),
    ("example-corp.co.jp", ["JA"]),
    ("example-corp.co.kr", ["KO"]),
    ("lycee-exemple.fr", ["FR", "FR", "IT", "ES"]),
]
PARTNERS = ["partner-example.org", "supplier-example.com", "other-uni.example.edu", "beratung-beispiel.de",
            "agency-example.net"]
PROVIDERS = {
    "DE": ["gmx.de", "web.de", "t-online.de", "gmail.com"],
    "RU": ["mail.ru", "yandex.ru", "gmail.com"],
    "UK": ["ukr.net", "gmail.com"],
    "ZH_CN": ["qq.com", "163.com", "126.com"],
    "JA": ["yahoo.co.jp", "gmail.com"],
    "KO": ["naver.com", "daum.net", "gmail.com"],
    "NB_NO": ["online.no", "gmail.com", "hotmail.com"],
    "FR": ["orange.fr", "free.fr", "laposte.net", "gmail.com"],
    "IT": ["libero.it", "gmail.com"],
    "PL": ["wp.pl", "o2.pl", "gmail.com"],
}
GENERAL = ["gmail.com", "yahoo.com", "outlook.com", "hotmail.com", "icloud.com", "proton.me"]
CJK = {"ZH_CN", "JA", "KO"}

NAMES = json.load(open(os.path.join(HERE, "names.json"), encoding="utf-8"))["locales"]

# ---- spellings -------------------------------------------------------------------------------

CYR_COMMON = dict(zip("абвгдезиклмнопрстуфхцчшщыэ",
                      ["a", "b", "v", "g", "d", "e", "z", "i", "k", "l", "m", "n", "o", "p", "r", "s", "t",
                       "u", "f", "kh", "ts", "ch", "sh", "shch", "y", "e"]))
CYR_COMMON.update({"ж": "zh", "ь": "", "ъ": "", "і": "i", "ґ": "g", "ї": "yi", "є": "ye"})
CYR_SYSTEMS = {
    # ICAO 9303, Russian passports since 2013
    "icao": dict(CYR_COMMON, **{"й": "i", "ю": "iu", "я": "ia", "ё": "e", "ъ": "ie", "ї": "i", "є": "ie"}),
    # MVD 1997, the older passports
    "mvd": dict(CYR_COMMON, **{"й": "y", "ю": "yu", "я": "ya", "ё": "e"}),
    # as English texts write Russian names
    "english": dict(CYR_COMMON, **{"й": "y", "ю": "yu", "я": "ya", "ё": "yo"}),
    # as German texts write them (Duden): Iwanow, Tschaikowski, Juri
    "german": dict(CYR_COMMON, **{"в": "w", "ж": "sch", "з": "s", "й": "i", "х": "ch", "ц": "z", "ч": "tsch",
                                  "ш": "sch", "щ": "schtsch", "ю": "ju", "я": "ja", "ё": "jo", "є": "je",
                                  "ї": "ji"}),
}
LATIN_SPECIAL = {"ß": "ss", "ø": "o", "Ø": "O", "æ": "ae", "Æ": "Ae", "ł": "l", "Ł": "L", "ı": "i", "đ": "d",
                 "Đ": "D", "œ": "oe"}
GERMAN = {"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "å": "aa", "Å": "Aa", "ø": "oe",
          "Ø": "Oe"}


def is_cyrillic(s):
    return any("\u0400" <= c <= "\u04ff" for c in s)


def translit_cyr(word, system):
    m = CYR_SYSTEMS[system]
    out = []
    low = word.lower()
    for i, c in enumerate(low):
        if system == "english" and c == "и" and low[i + 1:i + 2] == "й" and i + 2 == len(low):
            out.append("y")  # Дмитрий -> Dmitry
            continue
        if system == "english" and c == "й" and i > 0 and low[i - 1] == "и" and i + 1 == len(low):
            continue
        out.append(m.get(c, c))
    s = "".join(out)
    return s[:1].upper() + s[1:]


def strip_accents(s, german):
    out = []
    for c in s:
        if german and c in GERMAN:
            out.append(GERMAN[c])
        elif c in LATIN_SPECIAL:
            out.append(LATIN_SPECIAL[c])
        else:
            out.append("".join(d for d in unicodedata.normalize("NFKD", c) if not unicodedata.combining(d)))
    return "".join(out)


def ascii_word(s):
    if is_cyrillic(s):
        s = translit_cyr(s, "icao")
    s = strip_accents(s, True)
    return "".join(c for c in s.lower() if c.isascii() and c.isalpha())


# ---- people -----------------------------------------------------------------------------------

class Person:
    def __init__(self, rng, locale, given=None, family=None):
        lists = NAMES[locale]
        gender = rng.choice(sorted(lists))
        self.locale = locale
        self.given = given or rng.choice(lists[gender]["first"])
        self.family = family or rng.choice(lists[gender]["last"])
        self.gender = gender
        self.cjk = locale in CJK
        self.last_first = locale == "VI"

    def book_name(self):
        """As the address book holds it: Outlook-style "Last, First" for some."""
        return f"{self.family}, {self.given}" if getattr(self, "outlook", False) else self.name()

    def name(self):
        if self.cjk:
            return self.family + self.given
        if self.last_first:
            return f"{self.family} {self.given}"
        return f"{self.given} {self.family}"

    def same_name(self, other):
        return self.given == other.given and self.family == other.family

    def local(self, rng, style=None):
        if self.cjk:
            return f"{rng.choice('wlzhcjkmpys')}{rng.choice('abcdefghjkmnpqrstwxyz')}{rng.randint(100, 99999)}"
        g, f = ascii_word(self.given.split()[0]), ascii_word(self.family.replace(" ", ""))
        style = style or rng.choice(["g.f", "g.f", "g.f", "gf", "g_f", "if", "i.f", "f"])
        return {"g.f": f"{g}.{f}", "gf": f"{g}{f}", "g_f": f"{g}_{f}", "if": f"{g[:1]}{f}",
                "i.f": f"{g[:1]}.{f}", "f": f"{f}{rng.randint(1, 99)}"}[style] or f"x{rng.randint(1, 999)}"


class Unquoted(str):
    """A display name written without the quotes RFC 5322 wants ("Smith, John <j@x>")."""


def mailbox(name, addr):
    if name is None:
        return addr
    if isinstance(name, Unquoted):
        return f"{name} <{addr}>"
    if any(c in name for c in ',;:"()<>@[]\\'):
        return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '" <' + addr + ">"
    return f"{name} <{addr}>"


def typed_name(rng, p):
    """How a source other than the address book writes the person's name."""
    r = rng.random()
    if p.cjk:
        return f"{p.family} {p.given}" if r < 0.25 else p.name()
    if r < 0.55:
        return p.name()
    if r < 0.7 and not p.last_first:
        return Unquoted(f"{p.family}, {p.given}")  # Outlook's form, unquoted as pasted
    if r < 0.74 and not p.last_first:  # a middle name the book does not have
        middle = rng.choice(NAMES[p.locale][p.gender]["first"])
        if middle != p.given and " " not in p.given:
            return f"{p.given} {middle} {p.family}"
    if is_cyrillic(p.given + p.family):
        system = rng.choice(["icao", "mvd", "english", "german"])
        return f"{translit_cyr(p.given, system)} {translit_cyr(p.family, system)}"
    stripped = strip_accents(p.name(), german=rng.random() < 0.6)
    return stripped


def provider(rng, locale):
    return rng.choice(PROVIDERS.get(locale, []) + GENERAL)


# ---- one case ---------------------------------------------------------------------------------

SLIPS = ["S1", "S2", "S3", "S3", "S4", "S4", "S5", "S6"]
LEGIT = ["L1", "L1", "L2", "L2", "L3", "L4", "L4", "L5", "L6", "L7", "L8"]


def make_case(rng, n):
    org, locales = rng.choice(ORGS)
    me = Person(rng, rng.choice(locales))
    sender = mailbox(me.name(), f"{me.local(rng, 'g.f')}@{org}")
    home = f"{me.local(rng, 'gf')}{rng.randint(1, 99)}@{provider(rng, me.locale)}"

    colleagues, used = [], set()
    for _ in range(rng.randint(10, 24)):
        p = Person(rng, rng.choice(locales))
        if any(p.same_name(q) for q in colleagues) or p.same_name(me):
            continue  # one name, one colleague (a book with two is another question)
        a = f"{p.local(rng)}@{org}"
        if a in used:
            continue
        used.add(a)
        p.work = a
        p.personal = None
        p.outlook = not p.cjk and not p.last_first and rng.random() < 0.1
        if rng.random() < 0.25:
            pa = f"{p.local(rng)}@{provider(rng, p.locale)}"
            if pa not in used:
                used.add(pa)
                p.personal = pa
        colleagues.append(p)
    friends = []
    all_locales = sorted(NAMES)
    for _ in range(rng.randint(3, 9)):
        p = Person(rng, rng.choice(locales + all_locales))
        if any(p.same_name(q) for q in colleagues + friends):
            continue
        a = f"{p.local(rng)}@{provider(rng, p.locale)}"
        if a in used:
            continue
        used.add(a)
        p.home = a
        friends.append(p)
    partners = []
    for _ in range(rng.randint(1, 4)):
        p = Person(rng, rng.choice(all_locales))
        a = f"{p.local(rng)}@{rng.choice(PARTNERS)}"
        if a not in used and not any(p.same_name(q) for q in colleagues + friends):
            used.add(a)
            p.work = a
            partners.append(p)

    kind = rng.choice(SLIPS) if rng.random() < 0.45 else rng.choice(LEGIT)
    book_extra, history, omit = [], [], set()
    x = rng.choice(colleagues)
    others = [c for c in colleagues if c is not x]
    team = rng.sample(others, min(len(others), rng.randint(1, 4)))
    rcpt, expect, suggestion = [], "-", "-"
    use_sender = sender

    def fresh_personal(p):
        while True:
            a = f"{p.local(rng)}@{provider(rng, p.locale)}"
            if a not in used:
                used.add(a)
                return a

    def slip_at(i):
        return f"warn@{i}", x.work

    if kind == "S1":
        if not x.personal:
            x.personal = fresh_personal(x)
        rcpt = [mailbox(c.name(), c.work) for c in team]
        rcpt.insert(rng.randint(0, len(rcpt)), mailbox(x.name(), x.personal))
        expect, suggestion = slip_at(rcpt.index(mailbox(x.name(), x.personal)))
    elif kind == "S2":
        f = Person(rng, x.locale, x.given, x.family)
        f.home = fresh_personal(f)
        book_extra.append(mailbox(f.name(), f.home))
        rcpt = [mailbox(c.name(), c.work) for c in team]
        rcpt.insert(rng.randint(0, len(rcpt)), mailbox(f.name(), f.home))
        expect, suggestion = slip_at(rcpt.index(mailbox(f.name(), f.home)))
    elif kind in ("S3", "S4", "S5"):
        never = fresh_personal(x) if rng.random() < 0.85 else f"{x.local(rng)}@{rng.choice(PARTNERS)}"
        slip = mailbox(typed_name(rng, x), never)
        if kind == "S3":
            rcpt = [slip]
        elif kind == "S4":
            rcpt = [mailbox(c.name(), c.work) for c in team] + [slip]
            rng.shuffle(rcpt)
        else:
            pt = rng.choice(partners)
            rcpt = [mailbox(pt.name(), pt.work), slip]
            rng.shuffle(rcpt)
        expect, suggestion = slip_at(rcpt.index(slip))
    elif kind == "S6":
        if x.cjk:
            return make_case(rng, n)
        g, f = ascii_word(x.given.split()[0]), ascii_word(x.family.replace(" ", ""))
        never = f"{g}{rng.choice(['.', '_', '-'])}{f}@{provider(rng, x.locale)}"
        if never in used:
            return make_case(rng, n)
        rcpt = [never] if rng.random() < 0.5 else [mailbox(c.name(), c.work) for c in team] + [never]
        expect, suggestion = slip_at(rcpt.index(never))
    elif kind == "L1":
        rcpt = [mailbox(c.name(), c.work) for c in team + [x]]
        if rng.random() < 0.3:
            pt = rng.choice(partners)
            rcpt.append(mailbox(pt.name(), pt.work))
        rng.shuffle(rcpt)
    elif kind == "L2":
        use_sender = mailbox(me.name(), home)
        fs = rng.sample(friends, min(len(friends), rng.randint(1, 3)))
        rcpt = []
        for f in fs:
            addr = f.home if rng.random() < 0.6 else fresh_personal(f)
            rcpt.append(mailbox(typed_name(rng, f) if addr != f.home else f.name(), addr))
        if rng.random() < 0.4:
            rcpt.append(mailbox(typed_name(rng, x), fresh_personal(x)))
        rng.shuffle(rcpt)
    elif kind == "L3":
        f = rng.choice(friends)
        rcpt = [mailbox(f.name(), f.home)]
    elif kind == "L4":
        stranger = Person(rng, x.locale, given=x.given if rng.random() < 0.5 else None,
                          family=None)
        if stranger.given != x.given:
            stranger.family = x.family
        if stranger.same_name(x) or any(stranger.same_name(q) for q in colleagues + friends):
            return make_case(rng, n)
        addr = fresh_personal(stranger) if rng.random() < 0.6 else f"{stranger.local(rng)}@{rng.choice(PARTNERS)}"
        rcpt = [mailbox(c.name(), c.work) for c in team] + [mailbox(stranger.name(), addr)]
        if rng.random() < 0.3:
            rcpt = [mailbox(stranger.name(), addr)]
        rng.shuffle(rcpt)
    elif kind == "L5":
        if not x.personal:
            x.personal = fresh_personal(x)
        if rng.random() < 0.5:  # known from the history only
            history.append([x.personal, "*1"])
            omit.add(x.personal)
        rcpt = [mailbox(x.name(), x.personal)]
    elif kind == "L6":
        stranger = Person(rng, rng.choice(all_locales))
        if any(stranger.same_name(q) for q in colleagues + friends + partners):
            return make_case(rng, n)
        addr = f"{stranger.local(rng)}@{rng.choice(PARTNERS + GENERAL)}"
        rcpt = [mailbox(stranger.name(), addr)]
        if rng.random() < 0.5:
            rcpt += [mailbox(c.name(), c.work) for c in team]
        rng.shuffle(rcpt)
    elif kind == "L8":
        f = Person(rng, x.locale, x.given, x.family)
        f.home = fresh_personal(f)
        book_extra.append(mailbox(f.name(), f.home))
        if rng.random() < 0.5:
            rcpt = [mailbox(f.name(), f.home)]
        else:
            use_sender = mailbox(me.name(), home)
            rcpt = [mailbox(g.name(), g.home) for g in rng.sample(friends, min(len(friends), 2))]
            rcpt.insert(rng.randint(0, len(rcpt)), mailbox(f.name(), f.home))
    elif kind == "L7":
        if not x.personal:
            x.personal = fresh_personal(x)
        rcpt = [mailbox(c.name(), c.work) for c in team] + [mailbox(x.name(), x.personal)]
        history.append([c.work for c in team] + [x.personal, f"*{rng.randint(1, 5)}"])
        rng.shuffle(rcpt)

    book = []
    for c in colleagues:
        book.append(mailbox(c.book_name(), c.work))
        if c.personal and c.personal not in omit and not (kind == "L7" and c is x and rng.random() < 0.5):
            book.append(mailbox(c.book_name(), c.personal))
    book += [mailbox(f.name(), f.home) for f in friends]
    book += [mailbox(p.name(), p.work) for p in partners]
    book += book_extra
    rng.shuffle(book)
    # Work groups written to before, and a few friends.
    for _ in range(rng.randint(2, 5)):
        grp = rng.sample(colleagues, min(len(colleagues), rng.randint(2, 5)))
        if kind == "S1":  # the history never has the slipped address with these people
            grp = [g for g in grp if g is not x] or grp[:1]
        history.append([g.work for g in grp] + [f"*{rng.randint(1, 4)}"])
    if friends and rng.random() < 0.5:
        history.append([f.home for f in rng.sample(friends, min(2, len(friends)))] + ["*1"])

    hist = ";".join("|".join(h[:-1]) + h[-1] for h in history)
    return [use_sender, "-", "|".join(book), hist or "-", "|".join(rcpt), expect, suggestion, "-", "-",
            f"{kind} #{n}"]


def main():
    rng = random.Random(SEED)
    halves = {"tune": [], "heldout": []}
    for n in range(N_CASES):
        row = make_case(rng, n)
        assert all("\t" not in col and "\n" not in col for col in row), row
        half = "tune" if hashlib.sha256(f"{SEED}:{n}".encode()).digest()[0] % 2 == 0 else "heldout"
        halves[half].append("\t".join(row))
    for half, rows in halves.items():
        with open(os.path.join(HERE, f"{half}.tsv"), "w", encoding="utf-8") as out:
            out.write(f"# {half}.tsv — generated by gen-people.py (seed {SEED}); do not edit. "
                      "Format: tests/cases/wrongaddr.tsv.\n")
            for r in rows:
                out.write(r + "\n")
        print(f"{half}: {len(rows)} cases")


if __name__ == "__main__":
    main()
