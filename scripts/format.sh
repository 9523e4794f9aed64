#!/usr/bin/env bash
# format.sh — the one C style (.clang-format, clang-format 14 from Debian 12) on every C file of
# host/ and tests/.
#   scripts/format.sh          rewrites the files in place
#   scripts/format.sh --check  changes nothing; lists the files that differ and fails (.ci/run)
set -euo pipefail
cd "$(dirname "$0")/.."
cf=${CLANG_FORMAT:-clang-format-14}
command -v "$cf" >/dev/null 2>&1 || cf=clang-format
command -v "$cf" >/dev/null 2>&1 || { echo "format.sh: clang-format not found (apt-get install clang-format)" >&2; exit 2; }
mapfile -t files < <(git ls-files 'host/*.c' 'host/*.h' 'tests/*.c' 'tests/*.h')
if [ "${1:-}" = --check ]; then
  bad=()
  for f in "${files[@]}"; do
    "$cf" --dry-run -Werror "$f" >/dev/null 2>&1 || bad+=("$f")
  done
  if [ ${#bad[@]} -gt 0 ]; then
    printf 'format.sh: not in the project style (run scripts/format.sh): %s\n' "${bad[@]}" >&2
    exit 1
  fi
  echo "format.sh: ${#files[@]} files in the project style"
else
  "$cf" -i "${files[@]}"
fi
