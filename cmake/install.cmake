# Install rules: libraries, headers, the CMake package and the pkg-config files.
#   cmake --install build --prefix /opt/tokwise
# Everything installed is relocatable: the CMake package and the .pc files find the prefix
# from their own location.
include(CMakePackageConfigHelpers)

set(TOKWISE_CMAKE_DIR "${CMAKE_INSTALL_LIBDIR}/cmake/tokwise")

install(TARGETS tokwise_shared EXPORT tokwiseTargets
  LIBRARY DESTINATION "${CMAKE_INSTALL_LIBDIR}"
  ARCHIVE DESTINATION "${CMAKE_INSTALL_LIBDIR}"
  RUNTIME DESTINATION "${CMAKE_INSTALL_BINDIR}")
install(TARGETS tokwise_static EXPORT tokwiseStaticTargets
  ARCHIVE DESTINATION "${CMAKE_INSTALL_LIBDIR}")

install(DIRECTORY "${PROJECT_SOURCE_DIR}/include/tokwise"
  DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}"
  FILES_MATCHING PATTERN "*.h")
install(FILES "${PROJECT_BINARY_DIR}/include/tokwise/tokwise_version.h"
  DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}/tokwise")

install(EXPORT tokwiseTargets NAMESPACE tokwise:: DESTINATION "${TOKWISE_CMAKE_DIR}")
install(EXPORT tokwiseStaticTargets NAMESPACE tokwise:: DESTINATION "${TOKWISE_CMAKE_DIR}")
configure_package_config_file("${PROJECT_SOURCE_DIR}/cmake/tokwiseConfig.cmake.in"
  "${PROJECT_BINARY_DIR}/tokwiseConfig.cmake"
  INSTALL_DESTINATION "${TOKWISE_CMAKE_DIR}")
# Compatibility follows the SONAME: the same major version.
write_basic_package_version_file("${PROJECT_BINARY_DIR}/tokwiseConfigVersion.cmake"
  VERSION "${PROJECT_VERSION}" COMPATIBILITY SameMajorVersion)
install(FILES "${PROJECT_BINARY_DIR}/tokwiseConfig.cmake"
              "${PROJECT_BINARY_DIR}/tokwiseConfigVersion.cmake"
  DESTINATION "${TOKWISE_CMAKE_DIR}")

# The .pc files locate the prefix from ${pcfiledir} (= <prefix>/<libdir>/pkgconfig), so an
# install with `cmake --install --prefix X` works without reconfiguring.
file(RELATIVE_PATH TOKWISE_PC_PREFIX_FROM_PCDIR
  "/_/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/_")
configure_file("${PROJECT_SOURCE_DIR}/cmake/tokwise.pc.in"
               "${PROJECT_BINARY_DIR}/tokwise.pc" @ONLY)
configure_file("${PROJECT_SOURCE_DIR}/cmake/tokwise-static.pc.in"
               "${PROJECT_BINARY_DIR}/tokwise-static.pc" @ONLY)
install(FILES "${PROJECT_BINARY_DIR}/tokwise.pc" "${PROJECT_BINARY_DIR}/tokwise-static.pc"
  DESTINATION "${CMAKE_INSTALL_LIBDIR}/pkgconfig")
