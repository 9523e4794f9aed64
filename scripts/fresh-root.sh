#!/usr/bin/env bash
# Runs CI the way a new user meets the project: a freshly bootstrapped Debian 12 root
# (debootstrap --variant=minbase bookworm: nothing but the essentials), a clean clone of one
# commit, and `CI=true bash .ci/run` inside it as root, through chroot. So it proves that the
# project's own files install all it needs (scripts/setup.sh), and that the tests hold in a root
# without the conveniences of this machine (a chroot has no mount point at "/", so no private
# mount namespaces; Debian's own nodejs; no packages installed by hand).
#
#   scripts/fresh-root.sh [--commit REV] [--dir PARENT] [--mirror URL] [--keep]
#
#   --commit REV   what to test (default HEAD), cloned from this repository: uncommitted changes
#                  are not part of it
#   --dir PARENT   where the temporary root goes (default $TMPDIR or /var/tmp); it needs ~4 GB
#   --mirror URL   Debian mirror for debootstrap and apt (default http://deb.debian.org/debian)
#   --keep         leave the root in place (unmounted) for a look afterwards
#
# As root on Debian or Ubuntu (installs debootstrap when missing). Prints the time of each step,
# the ctest summary lines and why each skipped test skipped; keeps .ci/run's whole output in
# PARENT/typoguard-fresh-root.log; exits with .ci/run's status. Whatever happens, everything it
# mounted is unmounted before it removes the root, and it removes nothing still mounted.
# Slow: debootstrap, then setup.sh downloads the compilers and Thunderbird; on 2 cores expect
# the better part of an hour.
set -euo pipefail

commit=HEAD
parent=${TMPDIR:-/var/tmp}
mirror=http://deb.debian.org/debian
keep=false
while [ $# -gt 0 ]; do
  case $1 in
    --commit) commit=$2; shift 2 ;;
    --dir) parent=$2; shift 2 ;;
    --mirror) mirror=$2; shift 2 ;;
    --keep) keep=true; shift ;;
    -h|--help) sed -n "2,22p" "$0"; exit 0 ;;
    *) echo "fresh-root.sh: unknown argument $1 (see --help)" >&2; exit 64 ;;
  esac
done
[ "$(id -u)" -eq 0 ] || { echo "fresh-root.sh: needs root (debootstrap, chroot, mount)" >&2; exit 1; }
repo=$(cd "$(dirname "$0")/.." && pwd)
rev=$(git -C "$repo" rev-parse --verify "$commit^{commit}")

if ! command -v debootstrap >/dev/null 2>&1; then
  apt-get -o DPkg::Lock::Timeout=900 install -y -q debootstrap
fi

mkdir -p "$parent"
work=$(mktemp -d "$parent/typoguard-fresh-root.XXXXXX")
root=$work/root
log=$work/ci.log
mounted=()  # mount points, in the order they were mounted

# Unmounts everything under the root, deepest first, and removes it only when nothing is left
# mounted there (an rm -rf through a live bind of /dev or /sys would wipe the host's).
cleanup() {
  local status=$?
  set +e
  # Processes the run left behind (a Thunderbird, an SMTP sink) keep mounts busy.
  local p
  for p in $(find /proc -mindepth 2 -maxdepth 2 -name root -lname "$root" 2>/dev/null); do
    p=${p#/proc/}
    kill -9 "${p%/root}" 2>/dev/null
  done
  for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
    umount -R "${mounted[i]}" 2>/dev/null || umount -R -l "${mounted[i]}"
  done
  # Anything else mounted there (debootstrap's /proc if it was killed), deepest first.
  awk -v r="$root" '$5 == r || index($5, r "/") == 1 { print $5 }' /proc/self/mountinfo |
    sort -r | while read -r m; do umount -l "$m"; done
  if grep -q " $root[/ ]" /proc/self/mountinfo; then
    echo "fresh-root.sh: still mounted under $root; not removing it" >&2
  elif $keep; then
    echo "fresh-root.sh: kept $work (log: $log)"
  else
    # The log is the one thing worth keeping.
    [ -f "$log" ] && cp "$log" "$parent/typoguard-fresh-root.log" &&
      echo "fresh-root.sh: log kept in $parent/typoguard-fresh-root.log" >&2
    rm -rf --one-file-system "$work"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mount_in() {  # mount_in TARGET-UNDER-ROOT mount-arguments...
  local target=$root$1
  shift
  mkdir -p "$target"
  mount "$@" "$target"
  mounted+=("$target")
}

t0=$(date +%s)
echo "== debootstrap --variant=minbase bookworm into $root"
debootstrap --variant=minbase bookworm "$root" "$mirror" >"$work/debootstrap.log" 2>&1 ||
  { tail -20 "$work/debootstrap.log" >&2; exit 1; }
t1=$(date +%s)
echo "   $((t1 - t0)) s"

# What a new machine has that a bare root lacks: the kernel's file systems and a resolver.
# rslave: nothing mounted inside (Thunderbird's, a test's) propagates back to the host.
mount_in /proc -t proc proc
mount_in /sys --rbind /sys
mount --make-rslave "$root/sys"
mount_in /dev --rbind /dev
mount --make-rslave "$root/dev"
mount_in /run -t tmpfs -o mode=0755 tmpfs
cp -L /etc/resolv.conf "$root/etc/resolv.conf"

# A clean clone of the one commit; no ../shared beside it: CI must not need one.
echo "== clone $rev"
git clone -q --no-local "$repo" "$root/root/typoguard"
git -C "$root/root/typoguard" checkout -q --detach "$rev"

echo "== CI=true bash .ci/run in the chroot (log: $log)"
status=0
# The environment of a fresh login, not this shell's.
chroot "$root" /usr/bin/env -i HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  LANG=C.UTF-8 CI=true /bin/bash -c 'cd /root/typoguard && bash .ci/run' </dev/null >"$log" 2>&1 || status=$?
t2=$(date +%s)

echo "== ctest summaries"
grep -E "tests passed|tests failed|The following tests (FAILED|did not run)|\(Skipped\)|\(Failed\)|^  [^ ]+: SKIP" "$log" || true
echo "== .ci/run exit status $status; bootstrap $((t1 - t0)) s, .ci/run $((t2 - t1)) s, total $((t2 - t0)) s"
[ "$status" -eq 0 ] || tail -40 "$log" >&2
exit "$status"
