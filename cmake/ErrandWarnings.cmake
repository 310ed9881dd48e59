# Warnings for errand's own targets (not for consumers). -Werror only where asked for
# (CI and scripts/test.sh): a newer compiler's new warning must not break a user's build.
option(ERRAND_WERROR "Treat warnings in errand's own code as errors" OFF)
function(errand_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow
                         -Wnon-virtual-dtor -Wold-style-cast -Wcast-align -Wunused
                         -Woverloaded-virtual -Wimplicit-fallthrough)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
    # GCC 12 reports a false -Wrestrict inside libstdc++ for "literal" + std::string at
    # -O3 (GCC bugs 105329, 105651). errand's public headers avoid the pattern anyway.
    target_compile_options(${target} PRIVATE -Wno-restrict)
  endif()
  if(ERRAND_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
