# packaging/CPackConfig.cmake — the package metadata for `cpack` (.deb, .rpm when rpmbuild is
# there, .tar.gz), included from packaging/CMakeLists.txt.
#
# Guarantees: one package named typoguard (and, with TYPOGUARD_MILTER, a second .deb,
# typoguard-milter: see below), installed under /usr, its program stripped; the .deb
# depends on exactly the libraries the program links (dpkg-shlibdeps), the ICU it loads with
# dlopen, and publicsuffix (the public suffix list libpsl reads at run time); every file under /etc is a conffile (.deb) or
# %config(noreplace) (.rpm), so an administrator's edits survive upgrades.
#
#   cmake --build build --target package     # or: cd build && cpack [-G DEB]

set(CPACK_PACKAGE_NAME typoguard)
set(CPACK_PACKAGE_VENDOR "typoguard")
set(CPACK_PACKAGE_CONTACT "${TYPOGUARD_PACKAGE_MAINTAINER}")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "catches misaddressed email before it is sent")
# The extended description (Debian: lines of at most 80 columns, no blank lines).
set(CPACK_PACKAGE_DESCRIPTION
"typoguard warns when an email is about to go to a mistyped domain: army.ml
(Mali) for army.mil, gmial.com for gmail.com, a lookalike Unicode domain, a
TLD or domain blocked by policy. When the user presses Send, a Thunderbird
extension hands the recipients to typoguard-host, a native-messaging host,
and shows a dialog to fix the address, send anyway or go back.
.
This package holds the host (also a command-line checker for scripts), its
native-messaging manifest for Thunderbird and Firefox, the extension for
deployment by enterprise policy, an example administrator policy, and
typoguard-milter, the same judgement for every message a Postfix or Sendmail
server sends (a systemd service, disabled until configured), and
typoguard-sendmail, a checking sendmail for mutt, NeoMutt, aerc and git
send-email.")

# Absolute install destinations (/etc, /usr/lib/mozilla) need DESTDIR staging; with it, the
# install prefix is CPACK_INSTALL_PREFIX, which the manifests then name.
set(CPACK_SET_DESTDIR ON)
set(CPACK_INSTALL_PREFIX /usr)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
# Stripped as dh_strip does it (strip.cmake), rather than with CPACK_STRIP_FILES, which leaves
# the .comment and .note sections in.
set(CPACK_TG_STRIP "${CMAKE_STRIP}")
set(CPACK_PRE_BUILD_SCRIPTS ${CMAKE_CURRENT_LIST_DIR}/strip.cmake)
# The folders whose install rules make the package: the program, the extension, and this one.
# Listing them (rather than the whole tree) keeps anything a test folder might install out of
# the package, and lets cpack's "preinstall" build only what these need (about 3 s instead of
# 13 s for the whole tree on a busy 2-core machine; cpack runs it once per generator).
set(CPACK_INSTALL_CMAKE_PROJECTS "")
set(_tg_pkg_dirs host/src host/sendmail extension packaging)
if(TYPOGUARD_MILTER)
  list(APPEND _tg_pkg_dirs host/milter)
endif()
foreach(d ${_tg_pkg_dirs})
  list(APPEND CPACK_INSTALL_CMAKE_PROJECTS "${CMAKE_BINARY_DIR}/${d}" "typoguard ${d}" ALL /)
endforeach()
set(CPACK_INSTALL_DEFAULT_DIRECTORY_PERMISSIONS
    OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)

set(CPACK_GENERATOR DEB TGZ)
find_program(TG_RPMBUILD rpmbuild)
if(TG_RPMBUILD)
  list(APPEND CPACK_GENERATOR RPM)
endif()

# ---- .deb --------------------------------------------------------------------------------------
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${TYPOGUARD_PACKAGE_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_SECTION mail)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# ICU is loaded with dlopen (host/lib/lookalike.c, by the soname of the headers it was built
# with), so dpkg-shlibdeps cannot see it: the package is named here, from the same headers.
find_file(TG_ICU_UVERNUM unicode/uvernum.h HINTS ${ICU_INCLUDE_DIRS} REQUIRED)
file(STRINGS ${TG_ICU_UVERNUM} _tg_icu REGEX "^#define U_ICU_VERSION_MAJOR_NUM [0-9]+")
string(REGEX REPLACE ".* ([0-9]+)$" "\\1" TG_ICU_MAJOR "${_tg_icu}")
set(CPACK_DEBIAN_PACKAGE_DEPENDS "publicsuffix, libicu${TG_ICU_MAJOR}")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "thunderbird")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION TRUE)
set(TG_CONFFILES ${TG_PKG_POLICY})
if(TYPOGUARD_CHROME_EXTENSION_ID)
  list(APPEND TG_CONFFILES ${TG_PKG_CHROME_MANIFESTS})
endif()
list(JOIN TG_CONFFILES "\n" _tg_conffiles)
file(WRITE ${TG_PKG_OUT}/deb/conffiles "${_tg_conffiles}\n")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA ${TG_PKG_OUT}/deb/conffiles)
if(TYPOGUARD_MILTER)
  # Two .deb packages from the install components: typoguard (the host, the extension, the
  # manifests: every install rule without a component, "Unspecified") and typoguard-milter
  # (component "milter": the mail filter, its service, its conffile, its system user and its man
  # page), so that a mail server installs no desktop parts and a desktop no service. Each has
  # its own conffiles and Depends (dpkg-shlibdeps runs per package: libmilter only for the
  # milter). The .rpm and the .tar.gz stay one package that holds both.
  set(CPACK_DEB_COMPONENT_INSTALL ON)
  set(CPACK_COMPONENTS_ALL Unspecified milter)
  set(CPACK_DEBIAN_UNSPECIFIED_PACKAGE_NAME typoguard)
  set(CPACK_DEBIAN_UNSPECIFIED_DESCRIPTION
"typoguard warns when an email is about to go to a mistyped domain: army.ml
(Mali) for army.mil, gmial.com for gmail.com, a lookalike Unicode domain, a
TLD or domain blocked by policy. When the user presses Send, a Thunderbird
extension hands the recipients to typoguard-host, a native-messaging host,
and shows a dialog to fix the address, send anyway or go back.
.
This package holds the host (also a command-line checker for scripts), its
native-messaging manifest for Thunderbird and Firefox, the extension for
deployment by enterprise policy and an example administrator policy. The
same judgement for every message a mail server sends is in typoguard-milter.")
  set(CPACK_DEBIAN_UNSPECIFIED_PACKAGE_SUGGESTS "thunderbird, typoguard-milter")
  set(CPACK_DEBIAN_MILTER_PACKAGE_NAME typoguard-milter)
  set(CPACK_DEBIAN_MILTER_DESCRIPTION
"typoguard-milter judges every message a Postfix or Sendmail server sends from
its organisation's users, whatever the client: a recipient at a mistyped
domain (army.ml for army.mil, gmial.com for gmail.com, a lookalike Unicode
domain) is refused at RCPT with a reason a person understands, or the message
is held, quarantined or tagged with an X-Typoguard header, as configured.
.
This package holds the milter (libmilter), its systemd service (running as
the unprivileged user typoguard, disabled until configured), its
configuration /etc/typoguard/milter.conf and its man page.")
  set(CPACK_DEBIAN_MILTER_PACKAGE_SUGGESTS "postfix | sendmail")
  file(WRITE ${TG_PKG_OUT}/deb-milter/conffiles "${TG_PKG_MILTER_CONF}\n")
  # postinst creates the milter's system user (systemd-sysusers); the service stays disabled.
  set(CPACK_DEBIAN_MILTER_PACKAGE_CONTROL_EXTRA ${TG_PKG_OUT}/deb-milter/conffiles
      ${CMAKE_CURRENT_LIST_DIR}/postinst)
  set(CPACK_RPM_POST_INSTALL_SCRIPT_FILE ${CMAKE_CURRENT_LIST_DIR}/postinst)
  list(APPEND TG_CONFFILES ${TG_PKG_MILTER_CONF}) # the .rpm's (one package)
endif()

# ---- .rpm --------------------------------------------------------------------------------------
set(CPACK_RPM_FILE_NAME RPM-DEFAULT)
set(CPACK_RPM_PACKAGE_RELEASE 1)
set(CPACK_RPM_PACKAGE_LICENSE "see /usr/share/doc/typoguard/copyright")
set(CPACK_RPM_PACKAGE_GROUP "Applications/Internet")
# Absolute paths (/etc, /usr/lib/mozilla): the package cannot be relocated.
set(CPACK_PACKAGE_RELOCATABLE OFF)
set(CPACK_RPM_PACKAGE_RELOCATABLE OFF)
# rpmbuild finds the linked libraries itself; ICU (dlopen) is required by its soname.
if(CMAKE_SIZEOF_VOID_P EQUAL 8)
  set(_tg_rpm_abi "(64bit)")
endif()
set(CPACK_RPM_PACKAGE_REQUIRES "publicsuffix-list-dafsa, libicui18n.so.${TG_ICU_MAJOR}()${_tg_rpm_abi}")
set(CPACK_RPM_PACKAGE_DESCRIPTION "${CPACK_PACKAGE_DESCRIPTION}")
list(TRANSFORM TG_CONFFILES PREPEND "%config(noreplace) " OUTPUT_VARIABLE CPACK_RPM_USER_FILELIST)
# CPackRPM marks every file with an absolute destination %config; the Mozilla manifest is not
# configuration (an upgrade must replace it), so it is listed here with a plain directive.
list(APPEND CPACK_RPM_USER_FILELIST "%attr(0644,root,root) ${TG_PKG_MOZILLA_MANIFEST}")
if(TYPOGUARD_MILTER)
  list(APPEND CPACK_RPM_USER_FILELIST
       "%attr(0644,root,root) ${TG_PKG_SYSTEMD_DIR}/typoguard-milter.service"
       "%attr(0644,root,root) /usr/lib/sysusers.d/typoguard-milter.conf")
endif()
# Folders other packages own too: the package must not claim them.
set(CPACK_RPM_EXCLUDE_FROM_AUTO_FILELIST_ADDITION
    /etc/opt /etc/opt/chrome /etc/opt/chrome/native-messaging-hosts /etc/chromium
    /etc/chromium/native-messaging-hosts /usr/lib/mozilla /usr/lib/mozilla/native-messaging-hosts
    /usr/share/man /usr/share/man/man1 /usr/share/lintian /usr/share/lintian/overrides
    /usr/share/man/man8 /usr/sbin /usr/lib/systemd /usr/lib/systemd/system /usr/lib/sysusers.d)

# ---- .tar.gz -----------------------------------------------------------------------------------
# Unpacks at / (paths usr/…, etc/…), for machines without dpkg or rpm.
set(CPACK_INCLUDE_TOPLEVEL_DIRECTORY OFF)
set(CPACK_PACKAGE_FILE_NAME "${CPACK_PACKAGE_NAME}-${PROJECT_VERSION}-${CMAKE_SYSTEM_NAME}-${CMAKE_SYSTEM_PROCESSOR}")

include(CPack)
