#!/usr/bin/env bash
# The README's test command: sets everything up, builds with warnings as errors and runs every
# test (unit, integration, failure, extension, packaging, real-Thunderbird end-to-end).
#
# It sets every option it depends on, so whatever configured build/ before (a developer may have
# turned tests off; scripts/demo.sh builds in build-demo/) cannot make it test less. ctest fails
# when it finds no test, so a run that tests nothing never passes. A test that cannot make its
# fault or find what it needs here is reported skipped; the reasons are printed at the end.
# Extra arguments go to ctest (e.g. -L unit, -R failure).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh test
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTYPOGUARD_WERROR=ON \
  -DTYPOGUARD_TESTS=ON -DTYPOGUARD_SANITIZE=OFF
cmake --build build -j"$(nproc)"
status=0
ctest --test-dir build --output-on-failure --no-tests=error -j2 "$@" || status=$?
# ctest names skipped tests but shows their output only on failure: print why each skipped.
log=build/Testing/Temporary/LastTest.log
if [ -f "$log" ]; then
  awk '/^[0-9]+\/[0-9]+ Test: /   { name = $3 }
       /^<end of output>$/         { out = 0; if (skip) print "  " name ": " skip; skip = "" }
       out && /^SKIP/              { skip = $0 }
       /^Output:$/                 { getline; out = 1 }' "$log" |
    { grep . && echo "(tests reported skipped above, with why)"; } || true
fi
exit "$status"
