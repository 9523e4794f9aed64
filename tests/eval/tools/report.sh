#!/usr/bin/env bash
# report.sh BUILD_DIR [TITLE] — both halves per class (eval_detect) and the npm checkers on the
# held-out half (compare-eval.mjs, npm install into a temporary folder), as one markdown report
# on stdout. BASELINE.md is this script's output for the pre-v2 build.
set -euo pipefail
build=${1:?usage: tests/eval/tools/report.sh BUILD_DIR [TITLE]}
title=${2:-"Evaluation report"}
here=$(cd "$(dirname "$0")/.." && pwd)
src=$(cd "$here/../.." && pwd)
build=$(cd "$build" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$src"
cmake --build "$build" --target eval_detect >/dev/null
echo "# $title"
echo
echo "Measured $(date -u +%Y-%m-%d) at $(git -C "$src" rev-parse --short HEAD). Regenerate: \`tests/eval/tools/report.sh BUILD_DIR\`."
echo
echo "## Held-out half (report only: never tuned on)"
echo
"$build/tests/eval/eval_detect" tests/eval/heldout.tsv --summary "$tmp/summary.tsv" || true
echo
echo "### npm spell checkers on the held-out rows (per class: right correction for positives, false alarms for negatives)"
echo '{"private": true}' > "$tmp/package.json"
if (cd "$tmp" && npm install --silent --no-audit --no-fund --no-save mailcheck@1.1.1 \
      @zootools/email-spell-checker@1.12.0 email-misspelled >/dev/null 2>&1); then
  node "$src/tests/bench/compare-eval.mjs" tests/eval/heldout.tsv "$tmp/node_modules" "$tmp/summary.tsv"
else
  echo
  echo "(npm install failed: no comparison)"
fi
echo
echo "## Tuning half"
echo
"$build/tests/eval/eval_detect" tests/eval/tune.tsv || true
