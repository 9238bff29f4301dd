# SPDX-License-Identifier: MIT
# The guide's TestDriver end to end, and a C++ client in macOS sample style.
iok_e2e_test(e2e_testdriver SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/e2e/test_testdriver.c
	LIBS Threads::Threads)
target_include_directories(e2e_testdriver PRIVATE ${PROJECT_SOURCE_DIR}/drivers/TestDriver)
add_dependencies(e2e_testdriver TestDriver)
add_test(NAME e2e_testdriver_privileged COMMAND sh ${PROJECT_SOURCE_DIR}/tests/run-test.sh
	$<TARGET_FILE:e2e_testdriver> privileged)
set_tests_properties(e2e_testdriver_privileged PROPERTIES LABELS e2e TIMEOUT 120)

add_executable(e2e_compat_cpp ${CMAKE_CURRENT_SOURCE_DIR}/e2e/compat_cpp.cpp)
set_source_files_properties(${CMAKE_CURRENT_SOURCE_DIR}/e2e/compat_cpp.cpp PROPERTIES
	COMPILE_OPTIONS "-std=c++17;-Wall;-Wextra;-Werror")
target_link_libraries(e2e_compat_cpp PRIVATE iok_test_host iokit)
target_include_directories(e2e_compat_cpp PRIVATE ${PROJECT_SOURCE_DIR}/drivers/TestDriver)
add_dependencies(e2e_compat_cpp iokitd TestDriver)
add_test(NAME e2e_compat_cpp COMMAND sh ${PROJECT_SOURCE_DIR}/tests/run-test.sh
	$<TARGET_FILE:e2e_compat_cpp>)
set_tests_properties(e2e_compat_cpp PROPERTIES LABELS e2e TIMEOUT 120)
