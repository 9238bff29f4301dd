# SPDX-License-Identifier: MIT
add_test(NAME headers_self_contained
	COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/headers/check_headers.sh
		${CMAKE_C_COMPILER} ${CMAKE_CXX_COMPILER} ${PROJECT_SOURCE_DIR}/include)
set_tests_properties(headers_self_contained PROPERTIES LABELS unit TIMEOUT 300)
