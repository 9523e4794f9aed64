#!/usr/bin/env bash
# run.sh BUILD_DIR — the detection benchmarks in one table (see tests/bench/README.md):
#  1. tg_check per address with 1k, 10k, 100k and 1M trusted domains (one process each, so the
#     peak memory is that size's own);
#  2. typoguard against mailcheck.js and @zootools/email-spell-checker (installed from npm into a
#     temporary folder) on the same corpus rows;
#  3. if the host is built: cold round trip of `typoguard-host --check` against a trivial C program.
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
echo "## Same corpus rows (tests/unit/cases/detect.tsv, no context) against the npm spell checkers"
echo
echo "| checker              | addresses/s  | caught     | missed | false alarms |"
echo "|----------------------|-------------:|-----------:|-------:|-------------:|"
"$bench" --corpus "$src/tests/unit/cases/detect.tsv"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if (cd "$tmp" && npm install --silent --no-audit --no-fund --no-save mailcheck@1.1.1 @zootools/email-spell-checker@1.12.0 >/dev/null 2>&1); then
  node "$here/compare.mjs" "$src/tests/unit/cases/detect.tsv" "$tmp/node_modules"
else
  echo "| (npm install failed: no comparison) | | | | |"
fi

host="$build/host/src/typoguard-host"
if [ -x "$host" ]; then
  printf 'int main(void){return 0;}\n' > "$tmp/trivial.c"
  cc -O2 -o "$tmp/trivial" "$tmp/trivial.c"
  echo
  echo "## Cold start: wall time of one process (median of 30)"
  echo
  echo "| program | median ms | ratio |"
  echo "|---|---:|---:|"
  /usr/bin/python3 - "$host" "$tmp/trivial" <<'PY'
import subprocess, sys, time, statistics, os, tempfile
host, trivial = sys.argv[1], sys.argv[2]
env = dict(os.environ, HOME=tempfile.mkdtemp(), XDG_CONFIG_HOME=tempfile.mkdtemp(), XDG_DATA_HOME=tempfile.mkdtemp())
def t(cmd):
    xs = []
    for _ in range(30):
        a = time.perf_counter(); subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env); xs.append(time.perf_counter() - a)
    return statistics.median(xs) * 1000
base = t([trivial])
for name, cmd in [("trivial C program", [trivial]),
                  ("typoguard-host --check ops@gmial.com", [host, "--check", "ops@gmial.com"]),
                  ("typoguard-host --check (IDN: ICU opened)", [host, "--check", "a@аrmy.mil"])]:
    m = t(cmd)
    print(f"| {name} | {m:.2f} | {m/base:.1f}x |")
PY
fi
