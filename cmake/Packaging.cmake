# SPDX-License-Identifier: EUPL-1.2
# Install rules beyond plenumd itself (appliance/CMakeLists.txt installs the binary to sbin/).
# The Debian package (packaging/build-deb.sh, debhelper in packaging/debian/) installs with
# CMAKE_INSTALL_PREFIX=/usr and -DPLENUM_WEBROOT=/usr/share/plenum/webclient, so the compiled-in
# default web root and the installed files agree; /etc/plenum/plenum.ini says so too.
include(GNUInstallDirs)
install(DIRECTORY ${CMAKE_SOURCE_DIR}/webclient/
        DESTINATION ${CMAKE_INSTALL_DATADIR}/plenum/webclient
        FILE_PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ
        DIRECTORY_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE
                              WORLD_READ WORLD_EXECUTE)
