# SPDX-License-Identifier: MIT
# Unit tests of the runtime's property objects and binary serialization.
find_package(Threads REQUIRED)

iok_unit_test(test_object
	SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_object.c
	LIBS iok_core iok_os Threads::Threads)

# test_serialize fails allocations on purpose: the allocator functions of
# the OS layer are wrapped by the linker.
iok_unit_test(test_serialize
	SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_serialize.c
	LIBS iok_core iok_os)
target_link_options(test_serialize PRIVATE
	-Wl,--wrap=iok_malloc -Wl,--wrap=iok_zalloc
	-Wl,--wrap=iok_realloc -Wl,--wrap=iok_free)
