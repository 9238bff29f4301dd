// SPDX-License-Identifier: MIT
/*
 * test_nohost.c - without a host, and after the host dies, every call
 * returns an IOReturn error promptly (no hang, no crash).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <IOKit/IOKitLib.h>
#include <stdlib.h>

#include "host_harness.h"

static void test_missing_host(void **state)
{
	io_iterator_t it = 99;
	io_name_t name;

	setenv("IOKIT_SOCKET", "/tmp/iok-no-such-dir/none.sock", 1);
	assert_int_equal(IOServiceGetMatchingServices(kIOMainPortDefault,
						      IOServiceMatching("IOService"), &it),
			 kIOReturnNotResponding);
	assert_int_equal(it, IO_OBJECT_NULL);
	assert_int_equal(IORegistryGetRootEntry(kIOMainPortDefault), IO_OBJECT_NULL);
	assert_int_equal(IORegistryEntryGetName(0x103, name), kIOReturnNotResponding);
}

static void test_host_dies(void **state)
{
	static const char *const drivers[] = { "SampleDriver.so", NULL };
	pid_t host = iok_test_host_start(drivers);
	io_registry_entry_t root;
	io_name_t name;

	assert_true(host > 0);
	root = IORegistryGetRootEntry(kIOMainPortDefault);
	assert_int_not_equal(root, IO_OBJECT_NULL);
	assert_int_equal(iok_test_host_stop(host), 0);
	assert_int_equal(IORegistryEntryGetName(root, name), kIOReturnNotResponding);
	assert_int_equal(IOObjectRelease(root), kIOReturnNotResponding);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_missing_host),
		cmocka_unit_test(test_host_dies),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
