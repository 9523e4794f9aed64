#!/usr/bin/env bash
# check-regenerate.sh SCRATCH_DIR — the committed tune.tsv/heldout.tsv are exactly what
# gen-eval.py makes from the committed inputs. The system's public suffix list is an input too:
# when it is not the one the halves were made with (a newer publicsuffix package), the check
# cannot be exact and is skipped (exit 77).
set -euo pipefail
out=${1:?usage: check-regenerate.sh SCRATCH_DIR}
here=$(cd "$(dirname "$0")/.." && pwd)
want=$(sed -n 's/^# psl-sha256: //p' "$here/tune.tsv")
have=$(sha256sum /usr/share/publicsuffix/public_suffix_list.dat | cut -d' ' -f1)
if [ "$want" != "$have" ]; then
  echo "public suffix list differs from the one the halves were made with: skipped"
  exit 77
fi
# The built-in lists read as facts about which domains exist: the halves are frozen, so a later
# change to them (more providers, say) makes the exact check impossible, not the set wrong.
if ! (cd "$here/../../host/data" && sha256sum --quiet -c "$here/data/builtin-inputs.sha256" >/dev/null 2>&1); then
  echo "host/data lists differ from the ones the halves were made with: skipped"
  exit 77
fi
rm -rf "$out" && mkdir -p "$out"
/usr/bin/python3 "$here/gen-eval.py" --out "$out"
cmp "$out/tune.tsv" "$here/tune.tsv"
cmp "$out/heldout.tsv" "$here/heldout.tsv"
