# Debian packages (cpack -G DEB in the build folder): hailong-kiosk and hailong-collector, one per
# install component, with dependencies computed from the binaries (dpkg-shlibdeps), the maintainer
# scripts that make the users and folders, the systemd units, the polkit rule and the conffiles.
# docs/DEPLOY.md; tests/test_package.sh checks the result with lintian.
if(NOT CMAKE_INSTALL_PREFIX STREQUAL "/usr")
  message(WARNING "Debian packages want -DCMAKE_INSTALL_PREFIX=/usr (now ${CMAKE_INSTALL_PREFIX}): "
    "the configuration would not be in /etc")
endif()
set(HL_DEB_MAINTAINER "Hài lòng developers <hailong@example.org>")
set(hl_pkg ${CMAKE_CURRENT_LIST_DIR})
# Debian 12 keeps the system's units in /lib (merged /usr: both work; dpkg and lintian want /lib).
set(HL_UNIT_DIR /lib/systemd/system)

# /usr/share/doc/<package>: copyright and a changelog (gzip -9n, as Debian policy wants)
configure_file(${hl_pkg}/changelog.in ${CMAKE_BINARY_DIR}/packaging/changelog @ONLY)
add_custom_command(OUTPUT ${CMAKE_BINARY_DIR}/packaging/changelog.gz
  COMMAND gzip -9n -c ${CMAKE_BINARY_DIR}/packaging/changelog >
    ${CMAKE_BINARY_DIR}/packaging/changelog.gz
  DEPENDS ${CMAKE_BINARY_DIR}/packaging/changelog VERBATIM)
# manual pages, compressed the same way
set(hl_man_gz)
foreach(prog hailong-kiosk hailong-collector)
  add_custom_command(OUTPUT ${CMAKE_BINARY_DIR}/packaging/${prog}.1.gz
    COMMAND gzip -9n -c ${hl_pkg}/man/${prog}.1 > ${CMAKE_BINARY_DIR}/packaging/${prog}.1.gz
    DEPENDS ${hl_pkg}/man/${prog}.1 VERBATIM)
  list(APPEND hl_man_gz ${CMAKE_BINARY_DIR}/packaging/${prog}.1.gz)
endforeach()
add_custom_target(hl_package_docs ALL
  DEPENDS ${CMAKE_BINARY_DIR}/packaging/changelog.gz ${hl_man_gz})

set(hl_components)
if(HL_BUILD_KIOSK)
  list(APPEND hl_components kiosk)
  install(FILES ${hl_pkg}/kiosk/hailong-kiosk.service DESTINATION ${HL_UNIT_DIR} COMPONENT kiosk)
  install(FILES ${hl_pkg}/kiosk/50-hailong-kiosk.rules
    DESTINATION ${CMAKE_INSTALL_DATADIR}/polkit-1/rules.d COMPONENT kiosk)
  # lintian's overrides: the fonts are bundled on purpose (the kiosk must look the same whatever
  # fonts-noto-core version is installed, and the tests' goldens depend on them)
  install(FILES ${hl_pkg}/kiosk/lintian-overrides DESTINATION ${CMAKE_INSTALL_DATADIR}/lintian/overrides
    RENAME hailong-kiosk COMPONENT kiosk)
endif()
if(HL_BUILD_COLLECTOR)
  list(APPEND hl_components collector)
  install(FILES ${hl_pkg}/collector/hailong-collector.service DESTINATION ${HL_UNIT_DIR}
    COMPONENT collector)
  install(FILES ${hl_pkg}/collector/collector.conf
    DESTINATION ${CMAKE_INSTALL_FULL_SYSCONFDIR}/hailong COMPONENT collector)
  # the letters' serif fonts are bundled on purpose, as the kiosk's are
  install(FILES ${hl_pkg}/collector/lintian-overrides
    DESTINATION ${CMAKE_INSTALL_DATADIR}/lintian/overrides RENAME hailong-collector
    COMPONENT collector)
endif()
foreach(c ${hl_components})
  # the IT officer's guides beside the copyright, readable offline on the PC (the units'
  # Documentation= and the postinst's hint name DEPLOY.md there)
  set(guides ${CMAKE_SOURCE_DIR}/docs/DEPLOY.md ${CMAKE_SOURCE_DIR}/docs/huong-dan-quan-tri.md)
  if(c STREQUAL collector)
    list(APPEND guides ${CMAKE_SOURCE_DIR}/docs/COLLECTOR.md)
  endif()
  install(FILES ${hl_pkg}/copyright ${CMAKE_BINARY_DIR}/packaging/changelog.gz ${guides}
    DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/hailong-${c} COMPONENT ${c})
  install(FILES ${CMAKE_BINARY_DIR}/packaging/hailong-${c}.1.gz
    DESTINATION ${CMAKE_INSTALL_MANDIR}/man1 COMPONENT ${c})
  # conffiles: every file the package puts in /etc (dpkg keeps the admin's edits on upgrade)
  set(conf "")
  if(c STREQUAL kiosk)
    set(conf "${CMAKE_INSTALL_FULL_SYSCONFDIR}/hailong/kiosk.ini\n")
  else()
    set(conf "${CMAKE_INSTALL_FULL_SYSCONFDIR}/hailong/collector.conf\n")
  endif()
  file(WRITE ${CMAKE_BINARY_DIR}/packaging/${c}/conffiles "${conf}")
  foreach(script postinst prerm postrm)
    configure_file(${hl_pkg}/${c}/${script} ${CMAKE_BINARY_DIR}/packaging/${c}/${script} COPYONLY)
  endforeach()
endforeach()

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME hailong)
set(CPACK_PACKAGE_VERSION ${HL_PACKAGE_VERSION})
set(CPACK_PACKAGE_VENDOR "Hài lòng")
set(CPACK_PACKAGE_CONTACT "${HL_DEB_MAINTAINER}")
set(CPACK_STRIP_FILES ON)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL ${hl_components})
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${HL_DEB_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_SECTION misc)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "https://example.org/hailong")

set(CPACK_DEBIAN_KIOSK_PACKAGE_NAME hailong-kiosk)
# cage is the session; Debian's cage refuses to start without Xwayland. libpam-systemd: the
# unit's PAM session must register with logind (seat0, the user's runtime folder), or cage gets
# neither the screen nor the input devices (it is only "standard" priority, so a minimal install
# may lack it). adduser for the maintainer scripts (deb-systemd-helper is in
# init-system-helpers, an essential package).
set(CPACK_DEBIAN_KIOSK_PACKAGE_DEPENDS "cage, xwayland, libpam-systemd, adduser")
set(CPACK_DEBIAN_KIOSK_PACKAGE_RECOMMENDS "udisks2, polkitd, systemd-timesyncd")
set(CPACK_COMPONENT_KIOSK_DESCRIPTION "satisfaction kiosk for a commune's one-stop desk
Hài lòng runs fullscreen on the touchscreen PC at the reception
counter (Bộ phận Một cửa): citizens rate the officer who served them
(Rất hài lòng, Hài lòng, Chưa hài lòng), read the commune's slogans
and browse its administrative procedures. Votes are kept in SQLite
and sent to hailong-collector.
.
The package runs the kiosk at boot under cage on tty1 as the user hailong.")
set(CPACK_DEBIAN_KIOSK_PACKAGE_CONTROL_EXTRA
  "${CMAKE_BINARY_DIR}/packaging/kiosk/postinst;${CMAKE_BINARY_DIR}/packaging/kiosk/prerm;${CMAKE_BINARY_DIR}/packaging/kiosk/postrm;${CMAKE_BINARY_DIR}/packaging/kiosk/conffiles")

set(CPACK_DEBIAN_COLLECTOR_PACKAGE_NAME hailong-collector)
set(CPACK_DEBIAN_COLLECTOR_PACKAGE_DEPENDS "adduser")
set(CPACK_DEBIAN_COLLECTOR_PACKAGE_SUGGESTS "nginx-light, postgresql")
set(CPACK_COMPONENT_COLLECTOR_DESCRIPTION "collector of the Hài lòng kiosks' votes
hailong-collector receives vote batches from the Hài lòng kiosks of a
province's communes over HTTPS, keeps them in SQLite or PostgreSQL,
and serves summaries and CSV exports.
.
The package runs it as the hardened service hailong-collector.")
set(CPACK_DEBIAN_COLLECTOR_PACKAGE_CONTROL_EXTRA
  "${CMAKE_BINARY_DIR}/packaging/collector/postinst;${CMAKE_BINARY_DIR}/packaging/collector/prerm;${CMAKE_BINARY_DIR}/packaging/collector/postrm;${CMAKE_BINARY_DIR}/packaging/collector/conffiles")
include(CPack)
