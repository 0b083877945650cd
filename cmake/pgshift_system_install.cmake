# pgshift_install_system_files(DIRECTORY <dir> FILES <file>... [PERMISSIONS <perm>...])
#
# Installs files into a directory of the system's root, not of the prefix: /etc or
# /lib/systemd/system. The directory is chosen at install time, from the prefix given then
# (`cmake --install build --prefix P`), not from CMAKE_INSTALL_PREFIX at configure time:
#   prefix /usr (the .deb's)  -> /<dir>      (GNUInstallDirs' special case for /usr; / too)
#   any other prefix P        -> P/<dir>     (everything stays under P, for a trial install)
# DESTDIR is honoured (file(INSTALL) prepends it), so CPack stages these like any other file.
function(pgshift_install_system_files)
  cmake_parse_arguments(A "" "DIRECTORY" "FILES;PERMISSIONS" ${ARGN})
  if(NOT A_DIRECTORY OR NOT A_FILES)
    message(FATAL_ERROR "pgshift_install_system_files: DIRECTORY and FILES are required")
  endif()
  if(NOT A_PERMISSIONS)
    set(A_PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
  endif()
  string(REGEX REPLACE "^/+" "" relative "${A_DIRECTORY}")
  list(JOIN A_FILES "\" \"" files)
  list(JOIN A_PERMISSIONS " " permissions)
  install(CODE "
    string(REGEX REPLACE \"/+$\" \"\" pgshift_root \"\${CMAKE_INSTALL_PREFIX}\")
    if(pgshift_root STREQUAL \"/usr\")
      set(pgshift_root \"\")
    endif()
    file(INSTALL DESTINATION \"\${pgshift_root}/${relative}\" TYPE FILE
         PERMISSIONS ${permissions} FILES \"${files}\")
  ")
endfunction()
