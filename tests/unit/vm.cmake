# SPDX-License-Identifier: MIT
# libiokit's vm_deallocate / mach_vm_region, without a host.
iok_unit_test(test_vm SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_vm.c
	LIBS iok_client iok_core iok_cf iok_os Threads::Threads)
