#!/usr/bin/env bash
# The main job: set everything up, build, and check the .ml example a person at a terminal
# would type — mail from a US Army address to `army.ml` (Mali) instead of `army.mil`.
# It builds in its own folder, build-demo/, without the tests: build/ (scripts/test.sh's, and a
# developer's) is left as it was.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh build
cmake -S . -B build-demo -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTYPOGUARD_TESTS=OFF >/dev/null
cmake --build build-demo -j"$(nproc)" --target typoguard-host >/dev/null
echo
echo "\$ typoguard-host --check --sender 'Jane Roe <jane.roe@mail.mil>' 'John Doe <john.doe@army.ml>'"
status=0
./build-demo/host/src/typoguard-host --check --sender 'Jane Roe <jane.roe@mail.mil>' \
  'John Doe <john.doe@army.ml>' || status=$?
echo "(exit status $status: 0 ok, 1 warn, 2 block)"
# The demo succeeded when the slip was blocked.
[ "$status" -eq 2 ]
