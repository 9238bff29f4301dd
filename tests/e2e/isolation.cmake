# SPDX-License-Identifier: MIT
# Isolation and privilege (issue 6): per-client names, the socket's
# permissions, a host without root.
iok_e2e_test(e2e_isolation SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/e2e/test_isolation.c)
target_include_directories(e2e_isolation PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/drivers
	${PROJECT_SOURCE_DIR}/drivers/TestDriver)
target_compile_definitions(e2e_isolation PRIVATE IOKITD_PATH="$<TARGET_FILE:iokitd>")
add_dependencies(e2e_isolation FaultDriver TestDriver SampleDriver)
