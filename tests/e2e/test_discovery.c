// SPDX-License-Identifier: MIT
/*
 * test_discovery.c - phase 1 of the call flow across two processes: a
 * private iokitd with SampleDriver, and this program finding it through
 * IOKitLib and reading its properties, names, paths and relatives.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <IOKit/IOKitLib.h>
#include <mach/message.h>
#include <unistd.h>

#include "host_harness.h"

static pid_t host;

static int setup(void **state)
{
	static const char *const drivers[] = { "SampleDriver.so", NULL };

	host = iok_test_host_start(drivers);
	return host > 0 ? 0 : -1;
}

static int teardown(void **state)
{
	return iok_test_host_stop(host);
}

static io_service_t sample(void)
{
	io_service_t s = IOServiceGetMatchingService(kIOMainPortDefault,
						     IOServiceMatching("SampleDriver"));

	assert_int_not_equal(s, IO_OBJECT_NULL);
	return s;
}

static void test_find_by_class(void **state)
{
	io_iterator_t it = IO_OBJECT_NULL;
	io_service_t s;
	io_name_t name, cls;
	uint64_t id = 0;
	int n = 0;

	assert_int_equal(IOServiceGetMatchingServices(kIOMainPortDefault,
						      IOServiceMatching("SampleDriver"), &it),
			 kIOReturnSuccess);
	assert_int_not_equal(it, IO_OBJECT_NULL);
	assert_true(IOIteratorIsValid(it));
	while ((s = IOIteratorNext(it))) {
		assert_int_equal(IORegistryEntryGetName(s, name), kIOReturnSuccess);
		assert_string_equal(name, "SampleDriver");
		assert_int_equal(IOObjectGetClass(s, cls), kIOReturnSuccess);
		assert_string_equal(cls, "SampleDriver");
		assert_true(IOObjectConformsTo(s, "IOService"));
		assert_false(IOObjectConformsTo(s, "IOUserClient"));
		assert_int_equal(IORegistryEntryGetRegistryEntryID(s, &id), kIOReturnSuccess);
		assert_true(id >= 0x100000100ull);
		IOObjectRelease(s);
		n++;
	}
	assert_int_equal(n, 1);
	IOIteratorReset(it);
	s = IOIteratorNext(it);
	assert_int_not_equal(s, IO_OBJECT_NULL);
	IOObjectRelease(s);
	assert_int_equal(IOObjectRelease(it), kIOReturnSuccess);
}

static void test_properties(void **state)
{
	io_service_t s = sample();
	CFMutableDictionaryRef props = NULL;
	CFTypeRef v;
	char buf[64];
	int32_t count = 0;

	assert_int_equal(IORegistryEntryCreateCFProperties(s, &props, kCFAllocatorDefault, 0),
			 kIOReturnSuccess);
	assert_non_null(props);
	v = CFDictionaryGetValue(props, CFSTR("Greeting"));
	assert_non_null(v);
	assert_true(CFStringGetCString(v, buf, sizeof(buf), kCFStringEncodingUTF8));
	assert_string_equal(buf, "Hello from SampleDriver");
	v = CFDictionaryGetValue(props, CFSTR("SampleCount"));
	assert_non_null(v);
	assert_true(CFNumberGetValue(v, kCFNumberSInt32Type, &count));
	assert_int_equal(count, 42);
	assert_true(CFDictionaryGetValue(props, CFSTR("SampleReady")) == kCFBooleanTrue);
	v = CFDictionaryGetValue(props, CFSTR("SampleData"));
	assert_non_null(v);
	assert_int_equal(CFDataGetLength(v), 4);
	assert_int_equal(CFDataGetBytePtr(v)[0], 0xde);
	v = CFDictionaryGetValue(props, CFSTR("SampleNames"));
	assert_int_equal(CFArrayGetCount(v), 2);
	/* Matching wrote these when it started the driver. */
	assert_non_null(CFDictionaryGetValue(props, CFSTR(kIOMatchCategoryKey)));
	assert_non_null(CFDictionaryGetValue(props, CFSTR(kIOBundleIdentifierKey)));
	CFRelease(props);

	v = IORegistryEntryCreateCFProperty(s, CFSTR("Greeting"), kCFAllocatorDefault, 0);
	assert_non_null(v);
	CFRelease(v);
	assert_null(IORegistryEntryCreateCFProperty(s, CFSTR("NoSuchKey"), kCFAllocatorDefault, 0));
	/* "compatible" lives on the child nub: found only recursively. */
	assert_null(IORegistryEntrySearchCFProperty(s, kIOServicePlane, CFSTR("compatible"),
						    kCFAllocatorDefault, 0));
	v = IORegistryEntrySearchCFProperty(s, kIOServicePlane, CFSTR("compatible"),
					    kCFAllocatorDefault, kIORegistryIterateRecursively);
	assert_non_null(v);
	CFRelease(v);
	IOObjectRelease(s);
}

static void test_paths_and_relatives(void **state)
{
	io_service_t s = sample(), parent, child, again;
	io_string_t path;
	io_name_t name, loc;

	assert_int_equal(IORegistryEntryGetPath(s, kIOServicePlane, path), kIOReturnSuccess);
	assert_string_equal(path, "IOService:/IOResources/SampleDriver");
	again = IORegistryEntryFromPath(kIOMainPortDefault, path);
	assert_true(IOObjectIsEqualTo(s, again));
	assert_int_equal(IOObjectGetUserRetainCount(s), 2);
	IOObjectRelease(again);
	assert_int_equal(IOObjectGetUserRetainCount(s), 1);
	assert_int_equal(IORegistryEntryFromPath(kIOMainPortDefault, "IOService:/Nowhere"),
			 IO_OBJECT_NULL);

	assert_int_equal(IORegistryEntryGetParentEntry(s, kIOServicePlane, &parent),
			 kIOReturnSuccess);
	assert_int_equal(IORegistryEntryGetName(parent, name), kIOReturnSuccess);
	assert_string_equal(name, "IOResources");
	assert_int_equal(IORegistryEntryGetChildEntry(s, kIOServicePlane, &child),
			 kIOReturnSuccess);
	assert_int_equal(IORegistryEntryGetName(child, name), kIOReturnSuccess);
	assert_string_equal(name, "SampleNub");
	assert_int_equal(IORegistryEntryGetLocationInPlane(child, kIOServicePlane, loc),
			 kIOReturnSuccess);
	assert_string_equal(loc, "1");
	assert_int_equal(IORegistryEntryGetLocationInPlane(s, kIOServicePlane, loc),
			 kIOReturnNotFound);
	assert_int_equal(IORegistryEntryGetPath(child, kIOServicePlane, path), kIOReturnSuccess);
	assert_string_equal(path, "IOService:/IOResources/SampleDriver/SampleNub@1");
	assert_int_equal(IORegistryEntryGetChildEntry(child, kIOServicePlane, &again),
			 kIOReturnNoDevice);
	assert_true(IORegistryEntryInPlane(child, kIOServicePlane));
	assert_false(IORegistryEntryInPlane(child, "IODeviceTree"));
	IOObjectRelease(child);
	IOObjectRelease(parent);
	IOObjectRelease(s);
}

static void test_root(void **state)
{
	io_registry_entry_t root = IORegistryGetRootEntry(kIOMainPortDefault), child;
	io_name_t name;
	CFTypeRef planes;

	assert_int_not_equal(root, IO_OBJECT_NULL);
	assert_int_equal(IORegistryEntryGetName(root, name), kIOReturnSuccess);
	assert_string_equal(name, "Root");
	assert_int_equal(IOObjectGetClass(root, name), kIOReturnSuccess);
	assert_string_equal(name, "IORegistryEntry");
	planes = IORegistryEntryCreateCFProperty(root, CFSTR(kIORegistryPlanesKey), NULL, 0);
	assert_non_null(planes);
	CFRelease(planes);
	assert_int_equal(IORegistryEntryGetParentEntry(root, kIOServicePlane, &child),
			 kIOReturnNoDevice);
	assert_int_equal(IORegistryEntryGetChildEntry(root, kIOServicePlane, &child),
			 kIOReturnSuccess);
	assert_int_equal(IOObjectGetClass(child, name), kIOReturnSuccess);
	assert_string_equal(name, "IOPlatformExpertDevice");
	IOObjectRelease(child);
	IOObjectRelease(root);
}

static void test_other_matching_forms(void **state)
{
	io_service_t s = sample(), t;
	io_iterator_t it = 1234;
	uint64_t id;
	CFMutableDictionaryRef d;
	boolean_t m = FALSE;

	assert_int_equal(IORegistryEntryGetRegistryEntryID(s, &id), 0);
	t = IOServiceGetMatchingService(kIOMainPortDefault, IORegistryEntryIDMatching(id));
	assert_true(IOObjectIsEqualTo(s, t));
	IOObjectRelease(t);
	t = IOServiceGetMatchingService(kIOMainPortDefault, IOServiceNameMatching("SampleNub"));
	assert_int_not_equal(t, IO_OBJECT_NULL);
	IOObjectRelease(t);
	d = IOServiceMatching("IOService");
	assert_int_equal(IOServiceMatchPropertyTable(s, d, &m), kIOReturnSuccess);
	assert_true(m);
	CFRelease(d);

	/* No match: success and a null iterator. */
	assert_int_equal(IOServiceGetMatchingServices(kIOMainPortDefault,
						      IOServiceMatching("NoSuchClass"), &it),
			 kIOReturnSuccess);
	assert_int_equal(it, IO_OBJECT_NULL);
	assert_int_equal(IOServiceGetMatchingServices(kIOMainPortDefault, NULL, &it),
			 kIOReturnBadArgument);
	IOObjectRelease(s);
}

static void test_matching_dictionary_is_consumed(void **state)
{
	CFMutableDictionaryRef d = IOServiceMatching("SampleDriver");
	io_iterator_t it;
	mach_port_t main_port = MACH_PORT_NULL;

	CFRetain(d);
	assert_int_equal(CFGetRetainCount(d), 2);
	assert_int_equal(IOServiceGetMatchingServices(kIOMainPortDefault, d, &it), 0);
	assert_int_equal(CFGetRetainCount(d), 1);
	IOObjectRelease(it);
	/* Consumed on failure paths too (a port that is not the main port). */
	CFRetain(d);
	assert_int_equal(IOServiceGetMatchingServices(0x4242, d, &it), kIOReturnNotPrivileged);
	assert_int_equal(CFGetRetainCount(d), 1);
	CFRelease(d);

	assert_int_equal(IOMainPort(MACH_PORT_NULL, &main_port), KERN_SUCCESS);
	assert_int_not_equal(main_port, MACH_PORT_NULL);
	it = IO_OBJECT_NULL;
	assert_int_equal(IOServiceGetMatchingServices(main_port, IOServiceMatching("SampleDriver"),
						      &it), 0);
	assert_int_not_equal(it, IO_OBJECT_NULL);
	IOObjectRelease(it);
}

static void test_invalid_names(void **state)
{
	io_name_t name;
	uint64_t id = 77;

	/* mach_port_deallocate ignores MACH_PORT_NULL (xnu mach_port.c). */
	assert_int_equal(IOObjectRelease(0), KERN_SUCCESS);
	assert_int_not_equal(IOObjectRelease(0x7777703), KERN_SUCCESS);
	/* As on macOS: an invalid name fails in IPC; a live name of the wrong
	 * kind (an iterator is not an entry) gets kIOReturnBadArgument. */
	assert_int_equal(IORegistryEntryGetName(0x12345, name), MACH_SEND_INVALID_DEST);
	assert_int_equal(IORegistryEntryGetRegistryEntryID(0x12345, &id), MACH_SEND_INVALID_DEST);
	assert_int_equal(id, 0);
	assert_int_equal(IOIteratorNext(0x12345), IO_OBJECT_NULL);
	assert_false(IOObjectConformsTo(0x12345, "IOService"));
	{
		io_registry_entry_t root = IORegistryGetRootEntry(kIOMainPortDefault);
		io_iterator_t it;

		assert_int_equal(IORegistryEntryGetChildIterator(root, kIOServicePlane, &it), 0);
		assert_int_equal(IORegistryEntryGetName(it, name), kIOReturnBadArgument);
		assert_int_equal(IOIteratorNext(root), IO_OBJECT_NULL);
		IOObjectRelease(it);
		IOObjectRelease(root);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_find_by_class),
		cmocka_unit_test(test_properties),
		cmocka_unit_test(test_paths_and_relatives),
		cmocka_unit_test(test_root),
		cmocka_unit_test(test_other_matching_forms),
		cmocka_unit_test(test_matching_dictionary_is_consumed),
		cmocka_unit_test(test_invalid_names),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
