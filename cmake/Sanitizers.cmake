# spendsim_sanitize(target): AddressSanitizer + UndefinedBehaviorSanitizer when
# SPENDSIM_SANITIZE is ON (configure with -DSPENDSIM_SANITIZE=ON, best with clang).
function(spendsim_sanitize target)
  if(SPENDSIM_SANITIZE)
    target_compile_options(${target} PRIVATE -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
    target_link_options(${target} PRIVATE -fsanitize=address,undefined)
  endif()
endfunction()
