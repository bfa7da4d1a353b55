# tests/lua/tests.cmake: Lua API, CLI and golden-output tests, run by the stock
# lua5.4 interpreter. Included from tests/CMakeLists.txt; registers the CTest
# tests lua_api, lua_api_errors, lua_cli, lua_golden, lua_vouchers and lua_cars
# (label "lua").
#
# Each test script gets key=value arguments (see tests/lua/testlib.lua): the
# directory of the Lua module spendsim.so, the CLI, the source tree, the
# interpreter and a scratch directory under the build tree.

if(NOT LUA_INTERPRETER)
  message(WARNING "no lua5.4 interpreter found: the Lua API tests are left out")
  return()
endif()

set(SPENDSIM_LUA_TEST_DIR ${CMAKE_CURRENT_LIST_DIR})
set(SPENDSIM_LUA_WORK_DIR ${CMAKE_CURRENT_BINARY_DIR}/lua_work)

# A sanitized module cannot be loaded into a stock lua5.4 unless the ASan
# runtime is preloaded.
set(SPENDSIM_LUA_TEST_ENV "")
if(SPENDSIM_SANITIZE)
  if(CMAKE_C_COMPILER_ID MATCHES "Clang")
    execute_process(COMMAND ${CMAKE_C_COMPILER} -print-file-name=libclang_rt.asan-x86_64.so
                    OUTPUT_VARIABLE SPENDSIM_LIBASAN OUTPUT_STRIP_TRAILING_WHITESPACE)
  else()
    execute_process(COMMAND ${CMAKE_C_COMPILER} -print-file-name=libasan.so
                    OUTPUT_VARIABLE SPENDSIM_LIBASAN OUTPUT_STRIP_TRAILING_WHITESPACE)
  endif()
  set(SPENDSIM_LUA_TEST_ENV "LD_PRELOAD=${SPENDSIM_LIBASAN};ASAN_OPTIONS=detect_leaks=0")
endif()

foreach(name api api_errors cli golden vouchers cars outputs sandbox analysis population)
  add_test(NAME lua_${name}
    COMMAND ${LUA_INTERPRETER} ${SPENDSIM_LUA_TEST_DIR}/test_${name}.lua
            module=$<TARGET_FILE_DIR:spendsim_lua>
            cli=$<TARGET_FILE:spendsim>
            src=${PROJECT_SOURCE_DIR}
            lua=${LUA_INTERPRETER}
            work=${SPENDSIM_LUA_WORK_DIR}/${name}
    WORKING_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR})
  set_tests_properties(lua_${name} PROPERTIES TIMEOUT 60 LABELS lua)
  if(SPENDSIM_LUA_TEST_ENV)
    set_tests_properties(lua_${name} PROPERTIES ENVIRONMENT "${SPENDSIM_LUA_TEST_ENV}")
  endif()
endforeach()
