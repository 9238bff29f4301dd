# SPDX-License-Identifier: MIT
# Load (issue 6): 1,000 simultaneous connections, 64 clients x threads
# with every answer and event checked, a bounded soak.
iok_e2e_test(e2e_load SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/e2e/test_load.c
	LIBS Threads::Threads)
target_include_directories(e2e_load PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/drivers
	${PROJECT_SOURCE_DIR}/drivers/TestDriver)
add_dependencies(e2e_load FaultDriver TestDriver)
# 64 busy clients and 1,000 host threads starve whatever runs beside it:
# alone, so that timing-sensitive tests (the timer streams) stay reliable.
set_tests_properties(e2e_load PROPERTIES TIMEOUT 600 LABELS "e2e;load" RUN_SERIAL TRUE)
