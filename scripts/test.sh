#!/usr/bin/env bash
# Sets everything up and runs every test: a warnings-as-errors build, then ctest (unit,
# integration, extension, real-Thunderbird end-to-end).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh test
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTYPOGUARD_WERROR=ON
cmake --build build -j"$(nproc)"
ctest --test-dir build --output-on-failure -j2 "$@"
