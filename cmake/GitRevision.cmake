# Script mode (cmake -P): writes DST (a header defining SP_GIT_REV) from the
# git revision of SRC, "-dirty" appended when tracked files differ from HEAD,
# "unknown" outside a git checkout. The file is rewritten only when its text
# changes, so an unchanged revision rebuilds nothing.
execute_process(COMMAND git rev-parse --short=12 HEAD WORKING_DIRECTORY ${SRC}
                OUTPUT_VARIABLE rev OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET RESULT_VARIABLE rc)
if(NOT rc EQUAL 0 OR NOT rev)
  set(rev "unknown")
else()
  execute_process(COMMAND git diff --quiet HEAD -- WORKING_DIRECTORY ${SRC} RESULT_VARIABLE dirty
                  ERROR_QUIET)
  if(NOT dirty EQUAL 0)
    set(rev "${rev}-dirty")
  endif()
endif()
set(text "/* Generated at build time by cmake/GitRevision.cmake. */\n#define SP_GIT_REV \"${rev}\"\n")
if(EXISTS ${DST})
  file(READ ${DST} old)
else()
  set(old "")
endif()
if(NOT old STREQUAL text)
  file(WRITE ${DST} "${text}")
endif()
