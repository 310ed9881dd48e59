include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

install(DIRECTORY include/errand DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(TARGETS errand_core errand_store_kit errand_memory errand_redis errand_sqlite errand_postgres errand
        EXPORT errandTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT errandTargets NAMESPACE errand:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/errand)

configure_package_config_file(cmake/errandConfig.cmake.in
  ${PROJECT_BINARY_DIR}/errandConfig.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/errand)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/errandConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/errandConfig.cmake ${PROJECT_BINARY_DIR}/errandConfigVersion.cmake
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/errand)

# errand_config (TOML configuration): its own block, in the same export set.
install(TARGETS errand_config
        EXPORT errandTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})

# errand_testing (errand::testing: Fake and Inline modes for an application's tests).
install(TARGETS errand_testing
        EXPORT errandTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})

# errand_cli (errand::cli::main) and the `errand` executable: their own block.
if(TARGET errand_cli)
  install(TARGETS errand_cli
          EXPORT errandTargets
          ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
          LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
          INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
  install(TARGETS errand_command RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()
