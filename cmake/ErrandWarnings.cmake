# Warnings for errand's own targets (not for consumers). -Werror only where asked for
# (CI and scripts/test.sh): a newer compiler's new warning must not break a user's build.
option(ERRAND_WERROR "Treat warnings in errand's own code as errors" OFF)
function(errand_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow
                         -Wnon-virtual-dtor -Wold-style-cast -Wcast-align -Wunused
                         -Woverloaded-virtual -Wimplicit-fallthrough)
  if(ERRAND_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
