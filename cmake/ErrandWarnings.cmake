# Warnings for errand's own targets (not for consumers).
function(errand_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow
                         -Wnon-virtual-dtor -Wold-style-cast -Wcast-align -Wunused
                         -Woverloaded-virtual -Wimplicit-fallthrough)
  if(ERRAND_MASTER_PROJECT)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
