#!/usr/bin/python3
"""chart.py REPORT.md [OUT.svg] — the held-out comparison of tests/eval/tools/report.sh as an SVG.

Reads the two tables report.sh prints under "npm spell checkers on the held-out rows" (right
correction per positive class, false alarms per negative class, one column per checker) and
draws them side by side: positives grouped by what was mistyped (the class name's prefix, rows
weighted), negatives per class. Nothing is typed in by hand: every bar is a number of the report,
so the chart is as true as the report it was made from, and its caption names that report's date
and commit.

Standard library only, no network: the SVG uses the generic sans-serif font family and inline
styles, so it renders the same on GitHub, in a browser and offline. Exit 1 (with a message) when
the report holds no comparison (report.sh prints "(npm install failed: no comparison)").
"""

import html
import re
import sys

# Positive classes grouped by their prefix, in this order, with the words a reader sees.
GROUPS = [
    ("addrbook", "address-book domains"),
    ("history", "domains written to before"),
    ("ownorg", "own organisation's domains"),
    ("gov", "US .gov domains"),
    ("mil", "US .mil domains"),
    ("mil_ml", ".mil typed as .ml (Mali)"),
    ("provider", "mail providers"),
    ("realworld", "public real-world typos"),
]
NEGATIVES = {
    "neg_unknown_university": "unknown universities",
    "neg_unknown_mil": "unknown .mil names",
    "neg_registered_slip": "registered domains one slip apart",
    "neg_nearneighbour_university": "near-neighbours of address-book domains",
    "neg_nearneighbour_gov": "near-neighbours of .gov domains",
    "neg_nearneighbour_mil": "near-neighbours of .mil domains",
    "neg_nearneighbour_provider": "near-neighbours of providers",
    "neg_realworld_legit": "real-world legitimate domains",
    "neg_confusable_tld": "real institutions on a confusable ending",
}
COLOURS = ["#1b6ac9", "#e08a1e", "#7a7a7a", "#b5b5b5", "#5aa05a", "#a05a9e"]
FONT = "font-family:sans-serif"


def parse_table(lines, start):
    """The markdown table that begins at or after `start`: (header cells, rows of cells)."""
    i = start
    while i < len(lines) and not lines[i].startswith("|"):
        i += 1
    header = [c.strip() for c in lines[i].strip().strip("|").split("|")]
    rows = []
    i += 2  # the |---| line
    while i < len(lines) and lines[i].startswith("|"):
        rows.append([c.strip() for c in lines[i].strip().strip("|").split("|")])
        i += 1
    return header, rows, i


def percent(cell):
    m = re.match(r"([0-9.]+) %", cell)
    if not m:
        raise ValueError(f"not a percentage: {cell!r}")
    return float(m.group(1))


def read_report(path):
    text = open(path, encoding="utf-8").read()
    lines = text.splitlines()
    heading = next((n for n, line in enumerate(lines)
                    if line.startswith("### npm spell checkers on the held-out rows")), None)
    if heading is None:
        raise SystemExit(f"{path}: no comparison with the npm checkers in this report")
    pos_head, pos_rows, end = parse_table(lines, heading + 1)
    neg_head, neg_rows, _ = parse_table(lines, end)
    if not pos_head[0].startswith("class (right correction)") or \
            not neg_head[0].startswith("class (false alarms)"):
        raise SystemExit(f"{path}: the comparison tables are not in the expected shape")
    tools = pos_head[2:]
    measured = re.search(r"^Measured (\S+) at (\S+)\.", text, re.M)
    return tools, pos_rows, neg_rows, (measured.groups() if measured else ("?", "?"))


def group_positives(tools, rows):
    """[(label, rows, [percent per tool])], weighted by each class's rows, plus "all"."""
    out = []
    for prefix, label in GROUPS:
        def member(cls):
            if prefix == "mil":
                return cls.startswith("mil_") and not cls.startswith("mil_ml_")
            return cls.startswith(prefix + "_")
        mine = [r for r in rows if member(r[0])]
        if not mine:
            continue
        n = sum(int(r[1]) for r in mine)
        vals = [sum(int(r[1]) * percent(r[2 + t]) for r in mine) / n for t in range(len(tools))]
        out.append((label, n, vals))
    total = next((r for r in rows if r[0] == "**all**"), None)
    if total:
        out.append(("all positives", int(total[1]), [percent(c) for c in total[2:]]))
    return out


def negatives(tools, rows):
    out = []
    for r in rows:
        if r[0] == "**all**":
            continue
        out.append((NEGATIVES.get(r[0], r[0]), int(r[1]), [percent(c) for c in r[2:]]))
    total = next((r for r in rows if r[0] == "**all**"), None)
    if total:
        out.append(("all negatives", int(total[1]), [percent(c) for c in total[2:]]))
    return out


def panel(svg, y, title, subtitle, groups, tools, x0, width):
    """One horizontal grouped bar chart; returns the y below it."""
    bar, gap, label_w = 9, 10, 300
    plot_w = width - label_w - 60
    svg.append(f'<text x="{x0}" y="{y}" style="{FONT};font-size:15px;font-weight:bold">'
               f'{html.escape(title)}</text>')
    svg.append(f'<text x="{x0}" y="{y + 17}" style="{FONT};font-size:12px;fill:#555">'
               f'{html.escape(subtitle)}</text>')
    y += 30
    top = y
    height = len(groups) * (len(tools) * bar + gap)
    for pct in (0, 25, 50, 75, 100):
        x = x0 + label_w + plot_w * pct / 100
        svg.append(f'<line x1="{x:.1f}" y1="{top - 4}" x2="{x:.1f}" y2="{top + height}" '
                   f'stroke="#ddd" stroke-width="1"/>')
        svg.append(f'<text x="{x:.1f}" y="{top + height + 13}" text-anchor="middle" '
                   f'style="{FONT};font-size:11px;fill:#555">{pct} %</text>')
    for label, n, vals in groups:
        block = len(tools) * bar
        svg.append(f'<text x="{x0 + label_w - 8}" y="{y + block / 2 + 4:.1f}" text-anchor="end" '
                   f'style="{FONT};font-size:12px">{html.escape(label)} ({n:,})</text>')
        for t, v in enumerate(vals):
            w = plot_w * v / 100
            svg.append(f'<rect x="{x0 + label_w}" y="{y + t * bar}" width="{w:.1f}" '
                       f'height="{bar - 1}" fill="{COLOURS[t % len(COLOURS)]}">'
                       f'<title>{html.escape(tools[t])}: {v:.1f} %</title></rect>')
            svg.append(f'<text x="{x0 + label_w + w + 3:.1f}" y="{y + t * bar + bar - 2}" '
                       f'style="{FONT};font-size:9px;fill:#333">{v:.1f}</text>')
        y += block + gap
    return top + height + 30


def main(argv):
    if len(argv) not in (2, 3):
        print(__doc__.strip().splitlines()[0], file=sys.stderr)
        return 64
    tools, pos_rows, neg_rows, (date, commit) = read_report(argv[1])
    pos = group_positives(tools, pos_rows)
    neg = negatives(tools, neg_rows)
    width = 820
    svg = []
    y = 24
    svg.append(f'<text x="20" y="{y}" style="{FONT};font-size:17px;font-weight:bold">'
               'typoguard and the JS checkers on the held-out half of tests/eval</text>')
    caption = (f"Measured {date} at {commit} by tests/eval/tools/report.sh; "
               "drawn by tests/eval/tools/chart.py.")
    svg.append(f'<text x="20" y="{y + 18}" style="{FONT};font-size:12px;fill:#555">'
               f'{html.escape(caption)}</text>')
    # legend
    lx = 20
    for t, name in enumerate(tools):
        svg.append(f'<rect x="{lx}" y="{y + 30}" width="12" height="12" '
                   f'fill="{COLOURS[t % len(COLOURS)]}"/>')
        svg.append(f'<text x="{lx + 16}" y="{y + 40}" style="{FONT};font-size:12px">'
                   f'{html.escape(name)}</text>')
        lx += 24 + 7 * len(name)
    y += 74
    y = panel(svg, y, "Right correction, by what was mistyped (higher is better)",
              "the expected address suggested; rows per group in brackets", pos, tools, 20, width)
    y = panel(svg, y, "False alarms on legitimate addresses (lower is better)",
              "a warning or block for a domain that is what the writer meant", neg, tools, 20,
              width)
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{y}" '
            f'viewBox="0 0 {width} {y}" role="img" aria-label="Detection compared with '
            f'mailcheck, email-spell-checker and email-misspelled">'
            f'<rect width="{width}" height="{y}" fill="#fff"/>')
    out = head + "\n" + "\n".join(svg) + "\n</svg>\n"
    if len(argv) == 3:
        with open(argv[2], "w", encoding="utf-8") as f:
            f.write(out)
    else:
        sys.stdout.write(out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
