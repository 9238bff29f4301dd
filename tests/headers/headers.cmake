# SPDX-License-Identifier: MIT
add_test(NAME headers_self_contained
	COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/headers/check_headers.sh
		${CMAKE_C_COMPILER} ${CMAKE_CXX_COMPILER} ${PROJECT_SOURCE_DIR}/include
		${CMAKE_CURRENT_SOURCE_DIR}/headers/iokitlib_only.c)
set_tests_properties(headers_self_contained PROPERTIES LABELS unit TIMEOUT 300)

# macOS-style client code that includes only <IOKit/IOKitLib.h>, as C11 and
# as C++17, warnings as errors; run, it checks the values it relies on.
foreach(lang c cpp)
	add_executable(iokitlib_only_${lang} ${CMAKE_CURRENT_SOURCE_DIR}/headers/iokitlib_only.${lang})
	target_link_libraries(iokitlib_only_${lang} PRIVATE iokit)
	target_compile_options(iokitlib_only_${lang} PRIVATE -Wall -Wextra -Werror -pedantic-errors)
	add_test(NAME headers_iokitlib_only_${lang} COMMAND iokitlib_only_${lang})
	set_tests_properties(headers_iokitlib_only_${lang} PROPERTIES LABELS unit TIMEOUT 60)
endforeach()
