# SPDX-License-Identifier: MIT
# Programs of the kernel test (tests/kernel/run.sh runs them in a booted
# kernel against iokit.ko; they are not CTest tests on the build machine).
add_executable(test_kdev ${PROJECT_SOURCE_DIR}/tests/kernel/test_kdev.c)
target_link_libraries(test_kdev PRIVATE iokit Threads::Threads PkgConfig::CMOCKA)
target_include_directories(test_kdev PRIVATE ${PROJECT_SOURCE_DIR}/src/wire
	${PROJECT_SOURCE_DIR}/drivers/TestDriver ${CMAKE_CURRENT_SOURCE_DIR}/drivers)
target_compile_definitions(test_kdev PRIVATE _GNU_SOURCE)

add_executable(kbench ${PROJECT_SOURCE_DIR}/tests/kernel/kbench.c)
target_link_libraries(kbench PRIVATE iokit Threads::Threads)
target_include_directories(kbench PRIVATE ${PROJECT_SOURCE_DIR}/src/wire)
target_compile_definitions(kbench PRIVATE _GNU_SOURCE)
