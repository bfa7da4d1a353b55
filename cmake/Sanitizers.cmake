# spendsim_sanitize(target): AddressSanitizer + UndefinedBehaviorSanitizer when
# SPENDSIM_SANITIZE is ON (configure with -DSPENDSIM_SANITIZE=ON, best with clang).
function(spendsim_sanitize target)
  if(SPENDSIM_SANITIZE)
    target_compile_options(${target} PRIVATE -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
    target_link_options(${target} PRIVATE -fsanitize=address,undefined)
    # A module loaded into a stock lua5.4 needs the shared ASan runtime
    # (preloaded by the Lua tests), and the CLI those tests start must use
    # the same one; clang links a static runtime by default.
    if(CMAKE_C_COMPILER_ID MATCHES "Clang")
      execute_process(COMMAND ${CMAKE_C_COMPILER} -print-file-name=libclang_rt.asan-x86_64.so
                      OUTPUT_VARIABLE asan_rt OUTPUT_STRIP_TRAILING_WHITESPACE)
      get_filename_component(asan_dir "${asan_rt}" DIRECTORY)
      target_link_options(${target} PRIVATE -shared-libasan -Wl,-rpath,${asan_dir})
    endif()
  endif()
endfunction()
