# SPDX-License-Identifier: MIT
# libiokit without a host: vm_deallocate / mach_vm_region, without a host.
iok_unit_test(test_vm SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_vm.c
	LIBS iok_client iok_core iok_cf iok_os Threads::Threads)
# IOCFSerialize / IOCFUnserialize (libiokit, no host).
iok_unit_test(test_cfserialize SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_cfserialize.c
	LIBS iok_client iok_core iok_cf iok_os Threads::Threads)
