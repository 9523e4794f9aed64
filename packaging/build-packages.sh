#!/usr/bin/env bash
# build-packages.sh — builds typoguard's packages (.deb, .tar.gz, and .rpm when rpmbuild is
# installed) in build-packages/, the way a Debian package is built: with dpkg-buildflags'
# compiler and linker flags (optimisation, hardening: fortify, stack protector, relro, bindnow)
# and without the tests. Prints the packages it wrote.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh build
for tool in dpkg-buildflags dpkg-shlibdeps file; do
  command -v "$tool" >/dev/null || { echo "build-packages: $tool is missing (apt-get install dpkg-dev file)" >&2; exit 1; }
done
command -v rpmbuild >/dev/null || echo "build-packages: no rpmbuild, so no .rpm (apt-get install rpm)" >&2

export DEB_BUILD_MAINT_OPTIONS=hardening=+all
cflags="$(dpkg-buildflags --get CFLAGS) $(dpkg-buildflags --get CPPFLAGS)"
ldflags="$(dpkg-buildflags --get LDFLAGS)"
# Build type None: the flags above are the whole story, as dh_auto_configure does it.
cmake -S . -B build-packages -DCMAKE_BUILD_TYPE=None -DTYPOGUARD_TESTS=OFF \
      -DCMAKE_C_FLAGS="$cflags" -DCMAKE_EXE_LINKER_FLAGS="$ldflags" >/dev/null
cmake --build build-packages -j"$(nproc)"
(cd build-packages && cpack)
ls -l build-packages/typoguard[_-]*.{deb,rpm,tar.gz} 2>/dev/null
