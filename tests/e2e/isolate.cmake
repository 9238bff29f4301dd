# SPDX-License-Identifier: MIT
# iokitd --isolate (issue 7): a crashing driver takes down only its own
# services; and the end-to-end suite again against an isolating host
# (IOK_TEST_ISOLATE makes the harness pass --isolate).  The re-runs carry
# the label "isolated" only, so that the valgrind stage (-L e2e) does not
# run them twice over; e2e_isolate itself runs there.
iok_e2e_test(e2e_isolate SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/e2e/test_isolate.c
	LIBS Threads::Threads)
target_include_directories(e2e_isolate PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/drivers
	${PROJECT_SOURCE_DIR}/drivers/TestDriver)
target_compile_definitions(e2e_isolate PRIVATE FAULTDRIVER_PATH="$<TARGET_FILE:FaultDriver>")
add_dependencies(e2e_isolate FaultDriver UCTestDriver TestDriver)

foreach(t e2e_discovery e2e_connect e2e_map e2e_testdriver e2e_notify e2e_compat e2e_faults)
	add_test(NAME ${t}_isolated COMMAND sh ${PROJECT_SOURCE_DIR}/tests/run-test.sh
		$<TARGET_FILE:${t}>)
	set_tests_properties(${t}_isolated PROPERTIES LABELS isolated TIMEOUT 300
		ENVIRONMENT IOK_TEST_ISOLATE=1)
endforeach()
