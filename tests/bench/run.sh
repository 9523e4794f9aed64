#!/usr/bin/env bash
# run.sh BUILD_DIR — the detection benchmarks in one table (see tests/bench/README.md):
#  1. tg_check per address with 1k, 10k, 100k and 1M trusted domains (one process each, so the
#     peak memory is that size's own);
#  2. typoguard against mailcheck.js and @zootools/email-spell-checker (installed from npm into a
#     temporary folder) on the same corpus rows;
#  3. the index alone (bench_index): build time, peak memory and lookup latency, 1k..1M domains;
#  4. the cold round trip of the native host (start, hello, check of 20 recipients, exit) against
#     a trivial C program that drains stdin, as a ratio (bench_coldstart);
#  5. the held-out half of the evaluation set (tests/eval/heldout.tsv) per class: typoguard
#     (eval_detect) next to mailcheck, @zootools/email-spell-checker and email-misspelled.
#  6. adversarial request shapes at the protocol's limits, whole host processes (CPU, peak RSS, growth
#     from 1x to 10x; bench_adversarial.py, issue 15).
set -euo pipefail
build=${1:?usage: tests/bench/run.sh BUILD_DIR}
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
bench="$build/tests/bench/bench_detect"
cmake --build "$build" --target bench_detect >/dev/null
queries=${TG_BENCH_QUERIES:-20000}

echo "## tg_check per address (queries: $queries; a quarter exact trusted, a quarter slips of trusted, half fixed typos and clean addresses)"
echo
echo "| trusted  | build ms  | median µs  | p99 µs    | peak MB   | addresses/s  | flagged |"
echo "|---------:|----------:|-----------:|----------:|----------:|-------------:|--------:|"
for n in 1000 10000 100000 1000000; do
  "$bench" --trusted "$n" --queries "$queries"
done

echo
echo "## Same corpus rows (tests/cases/detect.tsv, no context) against the npm spell checkers"
echo
echo "| checker              | addresses/s  | caught     | missed | false alarms |"
echo "|----------------------|-------------:|-----------:|-------:|-------------:|"
"$bench" --corpus "$src/tests/cases/detect.tsv"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if (cd "$tmp" && npm install --silent --no-audit --no-fund --no-save mailcheck@1.1.1 @zootools/email-spell-checker@1.12.0 >/dev/null 2>&1); then
  node "$here/compare.mjs" "$src/tests/cases/detect.tsv" "$tmp/node_modules"
else
  echo "| (npm install failed: no comparison) | | | | |"
fi

echo
echo "## The index alone: build time and memory (tests/bench/bench_index.c; wall and CPU ms, CPU of the batch key build in brackets)"
echo
cmake --build "$build" --target bench_index >/dev/null
"$build/tests/bench/bench_index" --queries "$queries"

echo
echo "## Cold round trip: start typoguard-host --native, hello, check of 20 recipients, exit (median of ${TG_BENCH_RUNS:-41} runs each, alternating; target <= 3x)"
echo
cmake --build "$build" --target typoguard-host bench_coldstart bench_coldstart_trivial >/dev/null
echo "| program                                    | median ms |    p90 ms | ratio  |"
echo "|--------------------------------------------|----------:|----------:|-------:|"
"$build/tests/bench/bench_coldstart" --host "$build/host/src/typoguard-host" \
  --trivial "$build/tests/bench/bench_coldstart_trivial" --runs "${TG_BENCH_RUNS:-41}"

echo
echo "## Held-out evaluation rows (tests/eval/heldout.tsv, see tests/eval/README.md): typoguard against the npm spell checkers"
echo
cmake --build "$build" --target eval_detect >/dev/null
"$build/tests/eval/eval_detect" "$src/tests/eval/heldout.tsv" --summary "$tmp/eval-summary.tsv" >/dev/null
evalmods="$tmp/eval-npm"
mkdir -p "$evalmods"
# Its own package.json: without one npm would install into the enclosing $tmp of section 2.
echo '{"private": true}' > "$evalmods/package.json"
if (cd "$evalmods" && npm install --silent --no-audit --no-fund --no-save mailcheck@1.1.1 @zootools/email-spell-checker@1.12.0 email-misspelled >/dev/null 2>&1); then
  node "$here/compare-eval.mjs" "$src/tests/eval/heldout.tsv" "$evalmods/node_modules" "$tmp/eval-summary.tsv"
else
  echo "(npm install failed: no comparison)"
fi

echo
echo "## Adversarial requests at the protocol's limits (tests/bench/bench_adversarial.py: host CPU and peak RSS at 1x and 10x; 10x is the limit; bound 1 s and 256 MB at 10x, growth 10 = linear)"
echo
"${TG_PYTHON:-/usr/bin/python3}" "$here/bench_adversarial.py" "$build/host/src/typoguard-host"
