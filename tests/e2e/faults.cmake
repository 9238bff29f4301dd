# SPDX-License-Identifier: MIT
# Fault injection (issue 6): clients killed at every stage, clients that
# stop reading, hostile channels and ports, failing drivers.
iok_e2e_test(e2e_faults SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/e2e/test_faults.c
	LIBS Threads::Threads)
target_include_directories(e2e_faults PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/drivers
	${PROJECT_SOURCE_DIR}/drivers/TestDriver)
add_dependencies(e2e_faults FaultDriver TestDriver)
