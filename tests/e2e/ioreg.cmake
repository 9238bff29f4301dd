# SPDX-License-Identifier: MIT
# The ioreg tool against a private iokitd with SampleDriver: its text and
# XML output for many flag combinations, compared with golden output.
# Imported targets are per directory: find libplist here too.
pkg_check_modules(PLIST REQUIRED IMPORTED_TARGET libplist-2.0)
# The value printer is linked in too, to check CF values that the sample
# registry does not hold.
iok_e2e_test(e2e_ioreg SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/e2e/test_ioreg.c
	${PROJECT_SOURCE_DIR}/tools/ioreg/ioreg_out.c
	LIBS PkgConfig::PLIST)
target_include_directories(e2e_ioreg PRIVATE ${PROJECT_SOURCE_DIR}/tools/ioreg)
target_compile_definitions(e2e_ioreg PRIVATE IOREG_PATH="$<TARGET_FILE:ioreg>")
add_dependencies(e2e_ioreg ioreg)
