# SPDX-License-Identifier: MIT
# Drivers used only by tests (built into the build's drivers folder, not
# installed).
add_library(UCTestDriver MODULE ${CMAKE_CURRENT_SOURCE_DIR}/drivers/UCTestDriver.c)
target_include_directories(UCTestDriver PRIVATE ${PROJECT_SOURCE_DIR}/include)
target_compile_definitions(UCTestDriver PRIVATE _GNU_SOURCE)
set_target_properties(UCTestDriver PROPERTIES PREFIX ""
	LIBRARY_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/test-drivers)

add_library(QueueBenchDriver MODULE ${CMAKE_CURRENT_SOURCE_DIR}/drivers/QueueBenchDriver.c)
target_include_directories(QueueBenchDriver PRIVATE ${PROJECT_SOURCE_DIR}/include)
set_target_properties(QueueBenchDriver PROPERTIES PREFIX ""
	LIBRARY_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/test-drivers)

add_library(FaultDriver MODULE ${CMAKE_CURRENT_SOURCE_DIR}/drivers/FaultDriver.c)
target_include_directories(FaultDriver PRIVATE ${PROJECT_SOURCE_DIR}/include)
target_compile_definitions(FaultDriver PRIVATE _GNU_SOURCE)
set_target_properties(FaultDriver PROPERTIES PREFIX ""
	LIBRARY_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/test-drivers)
