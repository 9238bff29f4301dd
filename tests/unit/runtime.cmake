# SPDX-License-Identifier: MIT
iok_unit_test(test_matching SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_matching.c
	LIBS iok_runtime iok_core iok_os Threads::Threads)
iok_unit_test(test_server SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_server.c
	LIBS iok_runtime iok_core iok_os Threads::Threads)
iok_unit_test(test_workloop SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_workloop.c
	LIBS iok_runtime iok_core iok_os Threads::Threads)
iok_unit_test(test_dispatch SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_dispatch.c
	LIBS iok_runtime iok_core iok_os Threads::Threads)
iok_unit_test(test_userclient SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_userclient.c
	LIBS iok_runtime iok_core iok_os Threads::Threads)
iok_unit_test(test_callgate SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_callgate.c
	LIBS iok_runtime iok_core iok_os Threads::Threads)
