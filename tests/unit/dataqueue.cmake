# SPDX-License-Identifier: MIT
# The shared data queue, both sides: the driver's IOSharedDataQueue
# (src/runtime/dataqueue.c, in iok_runtime) and the client library's
# IODataQueueClient calls (src/libiokit/dataqueue_client.c, compiled in:
# the test stubs the port signal it calls).
iok_unit_test(test_dataqueue
	SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_dataqueue.c
		${PROJECT_SOURCE_DIR}/src/libiokit/dataqueue_client.c
	LIBS iok_runtime iok_core iok_os Threads::Threads)
target_compile_definitions(test_dataqueue PRIVATE _GNU_SOURCE)
