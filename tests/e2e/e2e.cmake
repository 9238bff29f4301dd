# SPDX-License-Identifier: MIT
# End-to-end tests: a real iokitd on a private socket, clients in other
# processes.
add_library(iok_test_host STATIC ${CMAKE_CURRENT_SOURCE_DIR}/e2e/host_harness.c
	${CMAKE_CURRENT_SOURCE_DIR}/e2e/raw_client.c)
target_include_directories(iok_test_host PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/e2e
	${PROJECT_SOURCE_DIR}/src/wire)
target_compile_definitions(iok_test_host PRIVATE _GNU_SOURCE
	IOKITD_PATH="$<TARGET_FILE:iokitd>"
	IOK_TEST_DRIVER_DIR="${PROJECT_BINARY_DIR}/drivers")

# iok_e2e_test(NAME SOURCES src... [LIBS ...])
function(iok_e2e_test name)
	cmake_parse_arguments(T "" "" "SOURCES;LIBS" ${ARGN})
	add_executable(${name} ${T_SOURCES})
	target_link_libraries(${name} PRIVATE iok_test_host iokit ${T_LIBS} PkgConfig::CMOCKA)
	target_compile_definitions(${name} PRIVATE _GNU_SOURCE)
	if(IOK_SANITIZE)
		# RSS grows under AddressSanitizer (its quarantine); LeakSanitizer
		# checks the host at exit instead (a leak fails its exit status).
		target_compile_definitions(${name} PRIVATE IOK_SANITIZED=1)
	endif()
	add_dependencies(${name} iokitd SampleDriver)
	add_test(NAME ${name} COMMAND sh ${PROJECT_SOURCE_DIR}/tests/run-test.sh
		$<TARGET_FILE:${name}>)
	set_tests_properties(${name} PROPERTIES LABELS e2e TIMEOUT 300)
endfunction()

iok_e2e_test(e2e_discovery SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/e2e/test_discovery.c)
iok_e2e_test(e2e_nohost SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/e2e/test_nohost.c)
iok_e2e_test(e2e_connect SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/e2e/test_connect.c
	LIBS Threads::Threads)
target_include_directories(e2e_connect PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/drivers)
add_dependencies(e2e_connect UCTestDriver)
iok_e2e_test(e2e_hostile SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/e2e/test_hostile.c)
target_include_directories(e2e_hostile PRIVATE ${PROJECT_SOURCE_DIR}/src/wire)
iok_e2e_test(e2e_map SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/e2e/test_map.c)
target_include_directories(e2e_map PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/drivers)
add_dependencies(e2e_map UCTestDriver)
iok_e2e_test(e2e_notify SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/e2e/test_notify.c
	LIBS Threads::Threads)
target_include_directories(e2e_notify PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/drivers
	${PROJECT_SOURCE_DIR}/drivers/TestDriver)
target_compile_definitions(e2e_notify PRIVATE TESTDRIVER_PATH="$<TARGET_FILE:TestDriver>")
add_dependencies(e2e_notify UCTestDriver TestDriver)
target_compile_definitions(e2e_notify PRIVATE IOKITCTL_PATH="$<TARGET_FILE:iokitctl>")
add_dependencies(e2e_notify iokitctl)
iok_e2e_test(e2e_compat SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/e2e/test_compat.c)
target_include_directories(e2e_compat PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/drivers)
add_dependencies(e2e_compat UCTestDriver)
iok_e2e_test(e2e_ioclasscount SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/e2e/test_ioclasscount.c)
target_compile_definitions(e2e_ioclasscount PRIVATE
	IOCLASSCOUNT_PATH="$<TARGET_FILE:ioclasscount>")
add_dependencies(e2e_ioclasscount ioclasscount)
