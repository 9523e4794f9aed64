#!/usr/bin/env bash
# Installs what typoguard needs on Debian 12 (as root, or with sudo when available).
#   setup.sh build   compiler, CMake and the libraries: enough to build and run the host
#   setup.sh test    also Check, clang (fuzzing, sanitizers), Node.js, Thunderbird and an SMTP
#                    sink for the end-to-end tests
# Installs only what is missing, so a second run costs a second.
set -euo pipefail
profile=${1:-build}
pkgs=(build-essential cmake pkg-config libcjson-dev libidn2-dev libglib2.0-dev libpsl-dev
      publicsuffix libicu-dev zip)
if [ "$profile" = test ]; then
  pkgs+=(check clang libclang-rt-14-dev valgrind thunderbird python3 python3-aiosmtpd
        lintian rpm file)  # lintian, rpm: tests/packaging (the .deb check, the .rpm build)
  command -v node >/dev/null 2>&1 || pkgs+=(nodejs)
fi
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
echo "setup: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
