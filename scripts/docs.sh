#!/usr/bin/env bash
# docs.sh [BUILD_DIR] — regenerate every picture in docs/ from the code as it is:
#   docs/dialog-*.png    the dialog in a real headless Thunderbird, taken by the end-to-end test
#                        (tests/e2e/run_e2e.py --screenshots) in the runs that click its buttons:
#                        block, warn, several fields, dark mode, German; and
#   docs/options-policy.png  the options page with the extension force-installed by policy
#   docs/eval-report.md  tests/eval/tools/report.sh (both halves, and the npm checkers on the
#                        held-out half: npm installs them into a temporary folder)
#   docs/detection.svg   tests/eval/tools/chart.py, drawn from that report
# Builds in BUILD_DIR (default build-docs/) with the tests; about 5 minutes after the build on
# 2 cores (the e2e runs, then report.sh). Needs what `scripts/setup.sh test`
# installs (thunderbird, python3-aiosmtpd, nodejs/npm); for the German picture also Debian's
# thunderbird-l10n-de, installed here when missing and run as root (else that picture is skipped
# and the old one kept, with the reason printed). Fails when a picture could not be made.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build-docs}
if ! dpkg -s thunderbird-l10n-de >/dev/null 2>&1 && [ "$(id -u)" -eq 0 ]; then
  apt-get install -y -q thunderbird-l10n-de >/dev/null || echo "note: thunderbird-l10n-de not installed"
fi
# An existing build folder is used as configured (it must have the tests: report.sh needs
# eval_detect); a new one is configured here.
if [ ! -f "$build/CMakeCache.txt" ]; then
  cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTYPOGUARD_TESTS=ON >/dev/null
fi
cmake --build "$build" -j"$(nproc)" >/dev/null
mkdir -p docs
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

/usr/bin/python3 tests/e2e/run_e2e.py --build "$build" --only main,dark,german,policy-force-installed \
  --screenshots "$tmp/shots"
cp "$tmp"/shots/*.png docs/

bash tests/eval/tools/report.sh "$build" "Detection on the evaluation set" > "$tmp/report.md"
/usr/bin/python3 tests/eval/tools/chart.py "$tmp/report.md" docs/detection.svg
cp "$tmp/report.md" docs/eval-report.md
ls -l docs/
