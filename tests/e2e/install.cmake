# SPDX-License-Identifier: MIT
# Installs the project into a scratch prefix, builds examples/discover with
# `cc ... $(pkg-config --cflags --libs iokit)` against it, and runs it
# against the installed iokitd and drivers.
# (Not in sanitizer builds: the example is built without the sanitizer
# runtime that the installed library would then need.)
if(IOK_SANITIZE)
	return()
endif()
add_test(NAME e2e_install
	COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/e2e/install_test.sh ${PROJECT_BINARY_DIR}
		${PROJECT_SOURCE_DIR} ${CMAKE_C_COMPILER})
set_tests_properties(e2e_install PROPERTIES LABELS e2e TIMEOUT 300 RUN_SERIAL TRUE)
