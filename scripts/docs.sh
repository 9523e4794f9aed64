#!/usr/bin/env bash
# docs.sh [BUILD_DIR] — regenerate the pictures in docs/ from the code as it is:
#   docs/eval-report.md  tests/eval/tools/report.sh (both halves, and the npm checkers on the
#                        held-out half: npm installs them into a temporary folder)
#   docs/detection.svg   tests/eval/tools/chart.py, drawn from that report
# Builds in BUILD_DIR (default build-docs/) with the tests, which report.sh needs.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build-docs}
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTYPOGUARD_TESTS=ON >/dev/null
cmake --build "$build" -j"$(nproc)" >/dev/null
mkdir -p docs
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
bash tests/eval/tools/report.sh "$build" "Detection on the evaluation set" > "$tmp"
/usr/bin/python3 tests/eval/tools/chart.py "$tmp" docs/detection.svg
cp "$tmp" docs/eval-report.md
echo "docs/eval-report.md, docs/detection.svg"
