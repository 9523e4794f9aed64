#!/usr/bin/python3
"""test_chart.py — tools/chart.py draws the report it is given, and only that.

Run by ctest (eval/chart). The input is a committed report.sh output (BASELINE.md, the pre-v2
build), so the test needs no build, no npm and no network. Checks: the SVG is well-formed XML,
names every checker of the report, draws each bar at the report's own number (the "all" rows,
which the chart copies rather than recomputes), and a report without the npm comparison is
refused rather than drawn empty.
"""
import os
import re
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
CHART = os.path.join(HERE, "tools", "chart.py")
REPORT = os.path.join(HERE, "BASELINE.md")
SVG = "{http://www.w3.org/2000/svg}"


def main():
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "chart.svg")
        r = subprocess.run([sys.executable, CHART, REPORT, out], capture_output=True, text=True)
        if r.returncode != 0:
            print(r.stderr)
            return 1
        root = ET.parse(out).getroot()
        titles = [t.text for t in root.iter(SVG + "title")]
        texts = " ".join(t.text or "" for t in root.iter(SVG + "text"))
        for tool in ("typoguard", "mailcheck 1.1.1", "email-spell-checker 1.12.0",
                     "email-misspelled 4.4.0"):
            if tool not in texts:
                failures.append(f"legend lacks {tool}")
        # The report's "all" rows: positives 41.5 / 38.0 / 38.0 / 39.1, negatives 9.5 / 52.7 ...
        for want in ("typoguard: 41.5 %", "mailcheck 1.1.1: 38.0 %",
                     "email-misspelled 4.4.0: 39.1 %",
                     "typoguard: 9.5 %", "mailcheck 1.1.1: 52.7 %"):
            if want not in titles:
                failures.append(f"no bar {want!r}")
        if "Measured 2026-12-04 at b187265" not in texts:
            failures.append("the caption does not name the report's date and commit")
        # bar lengths are proportional to the numbers (px per percent is the same for all)
        bars = [(float(e.get("width")), float(re.search(r": ([0-9.]+) %", e[0].text).group(1)))
                for e in root.iter(SVG + "rect") if len(e) and e[0].tag == SVG + "title"]
        w_top, v_top = max(bars, key=lambda b: b[1])
        scale = w_top / v_top
        for w, v in bars:  # the titles round to 0.1 %: allow that much
            if abs(w - scale * v) > scale * 0.05 + 0.1:
                failures.append(f"bar {v} % is {w} wide, not {scale * v:.1f}")
                break
        # a report without the comparison (npm install failed) is refused
        short = os.path.join(tmp, "short.md")
        with open(REPORT, encoding="utf-8") as f:
            text = f.read()
        with open(short, "w", encoding="utf-8") as f:
            f.write(text.split("### npm spell checkers")[0]
                    + "(npm install failed: no comparison)\n")
        r = subprocess.run([sys.executable, CHART, short, os.path.join(tmp, "x.svg")],
                           capture_output=True, text=True)
        if r.returncode == 0 or os.path.exists(os.path.join(tmp, "x.svg")):
            failures.append("a report without the comparison was drawn")
    for f in failures:
        print("FAIL:", f)
    print(f"chart: {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
