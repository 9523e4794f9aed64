#!/bin/sh
# run.sh — builds the libFuzzer targets with clang-14 under AddressSanitizer and
# UndefinedBehaviorSanitizer in their own build folder, and runs each for a short time.
# Exit status: 0 when no target found anything, 1 when one crashed, leaked, timed out or broke a
# property (the input is saved under BUILD/crashes/<target>/; add it to regressions/<target>/
# once fixed), 2 on a build or usage problem.
#
# Usage: tests/fuzz/run.sh [SECONDS_PER_TARGET [TARGET...]]
#   SECONDS_PER_TARGET  default 25 (CI); use 600 or more when hunting
#   TARGET              native mailbox domain detect settings history (default: all)
# Environment: TG_FUZZ_BUILD (build folder, default <repo>/build-fuzz), TG_FUZZ_JOBS (targets run
# at once, default 2), CC (default clang-14).
# The working corpus (BUILD/corpus/<target>) persists between runs; it starts from the seeds that
# tests/fuzz/seeds.py writes from the case tables, plus every saved regression input.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${TG_FUZZ_BUILD:-$root/build-fuzz}
seconds=${1:-25}
[ $# -gt 0 ] && shift
targets=${*:-native mailbox domain detect settings history}
jobs=${TG_FUZZ_JOBS:-2}
cc=${CC:-clang-14}
python=/usr/bin/python3
[ -x "$python" ] || python=python3

case $seconds in ''|*[!0-9]*) echo "run.sh: SECONDS_PER_TARGET must be a number" >&2; exit 2;; esac

echo "== building the fuzzers in $build ($cc, ASan+UBSan)"
mkdir -p "$build"
cmake -S "$root" -B "$build" -DCMAKE_C_COMPILER="$cc" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DTYPOGUARD_FUZZ=ON -DTYPOGUARD_SANITIZE=ON >"$build/cmake.log" 2>&1 ||
  { cat "$build/cmake.log" >&2; echo "run.sh: cmake failed" >&2; exit 2; }
cmake --build "$build" --target fuzzers -j"$jobs" >"$build/build.log" 2>&1 ||
  { tail -40 "$build/build.log" >&2; echo "run.sh: build failed" >&2; exit 2; }
"$python" "$here/seeds.py" "$root" "$build/seeds" >/dev/null || { echo "run.sh: seeds.py failed" >&2; exit 2; }

# Longest input per target: the frame stream gets room for several requests; the rest are one
# address, one file or a few lines.
max_len() {
  case $1 in
    native) echo 65536 ;;
    settings|history) echo 16384 ;;
    *) echo 4096 ;;
  esac
}

# Leaks are errors; abort_on_error so a UBSan report ends the run with a crash input.
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:allocator_may_return_null=1}
UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export ASAN_OPTIONS UBSAN_OPTIONS

run_one() {
  t=$1
  corpus=$build/corpus/$t
  crashes=$build/crashes/$t
  mkdir -p "$corpus" "$crashes"
  log=$build/fuzz-$t.log
  regressions=""
  [ -d "$here/regressions/$t" ] && regressions=$here/regressions/$t
  dict=""
  [ -f "$here/$t.dict" ] && dict=-dict=$here/$t.dict
  # -rss_limit_mb: "memory stays bounded" — a target whose resident set passes 2 GiB fails;
  # -malloc_limit_mb catches a single huge allocation sooner.
  if "$build/tests/fuzz/fuzz_$t" -max_total_time="$seconds" -timeout=20 -rss_limit_mb=2048 \
       -malloc_limit_mb=1024 -max_len="$(max_len "$t")" -print_final_stats=1 $dict \
       -artifact_prefix="$crashes/" "$corpus" "$build/seeds/$t" $regressions \
       >"$log" 2>&1; then
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    cov=$(grep -E '^#[0-9]+.*(DONE|pulse|NEW|REDUCE)' "$log" | tail -1 | sed -n 's/.*cov: \([0-9]*\).*/\1/p')
    echo "fuzz_$t: ok, ${execs:-?} runs in ${seconds}s, coverage ${cov:-?}"
  else
    echo "fuzz_$t: FAILED (log $log, input in $crashes/)"
    grep -E 'ERROR|property broken|SUMMARY|Test unit written' "$log" | head -10 | sed 's/^/  /'
    return 1
  fi
}

# Scratch HOMEs of the targets, removed at the end whatever happens.
shm=/dev/shm
[ -d "$shm" ] || shm=${TMPDIR:-/tmp}
TG_FUZZ_TMP=$(mktemp -d "$shm/tg-fuzz-run.XXXXXX")
export TG_FUZZ_TMP
trap 'rm -rf "$TG_FUZZ_TMP"' EXIT INT TERM

status=0
pids=""
running=0
for t in $targets; do
  [ -x "$build/tests/fuzz/fuzz_$t" ] || { echo "run.sh: no target $t" >&2; exit 2; }
  ( run_one "$t" ) &
  pids="$pids $!"
  running=$((running + 1))
  if [ "$running" -ge "$jobs" ]; then
    for p in $pids; do wait "$p" || status=1; done
    pids=""
    running=0
  fi
done
for p in $pids; do wait "$p" || status=1; done
exit $status
