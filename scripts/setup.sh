#!/usr/bin/env bash
# Installs what typoguard needs on Debian 12 (as root, or with sudo when available).
#   setup.sh build   compiler, CMake and the libraries: enough to build and run the host
#   setup.sh test    also Check, clang (fuzzing, sanitizers), Node.js, Thunderbird and an SMTP
#                    sink for the end-to-end tests
# Installs only what is missing, so a second run costs a second.
set -euo pipefail
profile=${1:-build}
pkgs=(build-essential cmake pkg-config libcjson-dev libidn2-dev libglib2.0-dev libpsl-dev
      publicsuffix libicu-dev zip
      libmilter-dev)  # typoguard-milter (built when libmilter is found)
if [ "$profile" = test ]; then
  pkgs+=(check clang libclang-rt-14-dev valgrind thunderbird python3 python3-aiosmtpd
        thunderbird-l10n-de  # tests/e2e: the dialog in German (a run and a screenshot)
        clang-format-14  # scripts/format.sh --check in .ci/run
        lintian rpm file  # lintian, rpm: tests/packaging (the .deb check, the .rpm build)
        postfix  # tests/milter: a private Postfix instance (it replaces another MTA, e.g. exim4)
        # tests/sendmail: real clients (git send-email needs libmailtools-perl, only recommended)
        neomutt tmux msmtp git-email libmailtools-perl)
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
# Postfix without questions and without a system instance: no /etc/postfix/main.cf, nothing
# started (the milter tests run their own instance in a temporary folder).
if printf '%s\n' "${missing[@]}" | grep -qx postfix; then
  echo "postfix postfix/main_mailer_type select No configuration" | $SUDO debconf-set-selections
fi
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
