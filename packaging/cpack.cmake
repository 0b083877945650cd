# CPack: the .deb, pgshift_<version>-<release>_amd64.deb. A Debian revision (-1) makes it a
# non-native package, whose changelog lintian expects as changelog.Debian.gz.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME pgshift)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "${PGSHIFT_DEB_MAINTAINER}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "crash-safe, unattended Heroku Postgres upgrades")
set(CPACK_PACKAGE_DESCRIPTION "pgshiftd moves a Heroku app's Postgres database to a bigger
plan or a newer major version, unattended, as a persistent state machine that
survives crashes and restarts, taking each app down only for its downtime.
pgshift is its command-line client: start, watch, pause, resume and cancel
upgrades through the daemon's control API (a unix socket for members of group
pgshift).")
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_ARCHITECTURE amd64)
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# Depends: dpkg-shlibdeps on the two binaries (libssl3, libsqlite3-0, libpq5, libsystemd0,
# libspdlog1.10-fmt9, ...), plus adduser, which the postinst uses where systemd-sysusers is
# missing (lintian wants the plain dependency: "adduser | systemd" does not satisfy it).
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser")
# Only the two programs and the data files: CMAKE_INSTALL_PREFIX is /usr at install time and
# DESTDIR the staging directory, so /etc and /lib/systemd/system land as on the box.
set(CPACK_SET_DESTDIR ON)
set(CPACK_INSTALL_PREFIX /usr)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
  ${CMAKE_CURRENT_SOURCE_DIR}/debian/conffiles
  ${CMAKE_CURRENT_SOURCE_DIR}/debian/postinst
  ${CMAKE_CURRENT_SOURCE_DIR}/debian/postrm)
set(CPACK_DEBIAN_COMPRESSION_TYPE xz)
set(CPACK_PACKAGE_DIRECTORY ${PROJECT_BINARY_DIR})
include(CPack)
