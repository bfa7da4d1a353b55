# Installation as a Debian tool (`cmake --install build [--prefix P]`) and a
# .deb (`cpack` in the build folder, or `cmake --build build --target package`):
#   bin/spendsim                               the CLI
#   <libdir>/lua/5.4/spendsim.so               the Lua module, where stock lua5.4 looks
#                                              (/usr/local/lib/lua/5.4, /usr/lib/<multiarch>/lua/5.4)
#   <libdir>/libspendsim_core.a                the core library
#   include/spendsim/*.h, writers/writers.h    its public headers (include "spendsim.h")
#   <libdir>/pkgconfig/spendsim.pc             pkg-config: cc prog.c $(pkg-config --cflags --libs spendsim)
#   <libdir>/cmake/spendsim/                   find_package(spendsim) -> target spendsim::core
#   share/man/man1/spendsim.1                  the man page
#   share/bash-completion/completions/spendsim bash completion
#   share/doc/spendsim/                        README, docs, example scenarios
install(TARGETS spendsim RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(TARGETS spendsim_lua LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}/lua/5.4)

file(GLOB SPENDSIM_PUBLIC_HEADERS ${CMAKE_CURRENT_SOURCE_DIR}/core/*.h)
install(FILES ${SPENDSIM_PUBLIC_HEADERS} ${CMAKE_CURRENT_BINARY_DIR}/generated/version.h
              ${CMAKE_CURRENT_BINARY_DIR}/generated/gitrev.h
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/spendsim)
install(FILES ${CMAKE_CURRENT_SOURCE_DIR}/core/writers/writers.h
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/spendsim/writers)
install(TARGETS spendsim_core EXPORT spendsimTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/spendsim)

# CMake package: the exported target plus what it links to (GSL through
# pkg-config, OpenMP when built with it), found again on the user's side.
include(CMakePackageConfigHelpers)
set(SPENDSIM_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/spendsim)
install(EXPORT spendsimTargets NAMESPACE spendsim:: DESTINATION ${SPENDSIM_CMAKE_DIR})
configure_package_config_file(${CMAKE_CURRENT_SOURCE_DIR}/cmake/spendsimConfig.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/spendsimConfig.cmake INSTALL_DESTINATION ${SPENDSIM_CMAKE_DIR})
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/spendsimConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/spendsimConfig.cmake
              ${CMAKE_CURRENT_BINARY_DIR}/spendsimConfigVersion.cmake
        DESTINATION ${SPENDSIM_CMAKE_DIR})
set_target_properties(spendsim_core PROPERTIES EXPORT_NAME core)
add_library(spendsim::core ALIAS spendsim_core)

# pkg-config
if(SPENDSIM_OPENMP)
  set(SPENDSIM_PC_OPENMP "${OpenMP_C_FLAGS}")
  set(SPENDSIM_PC_CFLAGS_OPENMP "-DSPENDSIM_HAVE_OPENMP=1")
endif()
if(SPENDSIM_MPI)
  set(SPENDSIM_PC_REQUIRES_MPI " ompi-c")
endif()
# the prefix relative to the .pc file, so a staged or relocated install works
file(RELATIVE_PATH SPENDSIM_PC_UP "/p/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/p")
configure_file(${CMAKE_CURRENT_SOURCE_DIR}/cmake/spendsim.pc.in ${CMAKE_CURRENT_BINARY_DIR}/spendsim.pc @ONLY)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/spendsim.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

install(FILES ${CMAKE_CURRENT_SOURCE_DIR}/docs/spendsim.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES ${CMAKE_CURRENT_SOURCE_DIR}/scripts/spendsim-completion.bash
        DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME spendsim)
install(FILES ${CMAKE_CURRENT_SOURCE_DIR}/README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR}/docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR}/docs
        FILES_MATCHING PATTERN "*.md")
install(DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR}/scenarios/ DESTINATION ${CMAKE_INSTALL_DOCDIR}/scenarios)

# .deb through CPack (Debian 12 package names of the run-time libraries)
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME spendsim)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "spendsim developers")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Household consumption policy simulation (C11 engine, Lua 5.4 scenarios)")
set(CPACK_DEBIAN_PACKAGE_DEPENDS "liblua5.4-0, libgsl27, libgomp1, libc6")
set(CPACK_DEBIAN_PACKAGE_SECTION science)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
include(CPack)
