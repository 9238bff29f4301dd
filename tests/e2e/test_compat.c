// SPDX-License-Identifier: MIT
/*
 * test_compat.c - the IOKitLib remainders against a private iokitd with
 * SampleDriver and UCTestDriver: registry iterators (flat, recursive,
 * parents, enter/exit), class facts, the root's live IOKitDiagnostics,
 * releasing and closing names that are not valid, raw property bytes,
 * vm_deallocate / mach_vm_region on IOConnectMapMemory mappings, and the
 * calls a Linux host answers with kIOReturnUnsupported.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <IOKit/IOKitLib.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "host_harness.h"
#include "UCTestShared.h"

static pid_t host;

static int setup(void **state)
{
	static const char *const drivers[] = { "SampleDriver.so", "UCTestDriver.so", NULL };

	host = iok_test_host_start(drivers);
	return host > 0 ? 0 : -1;
}

static int teardown(void **state)
{
	return iok_test_host_stop(host);
}

static io_service_t find(const char *cls)
{
	io_service_t s = IOServiceGetMatchingService(kIOMainPortDefault, IOServiceMatching(cls));

	assert_int_not_equal(s, IO_OBJECT_NULL);
	return s;
}

static void name_of(io_registry_entry_t e, char *out)
{
	assert_int_equal(IORegistryEntryGetName(e, out), kIOReturnSuccess);
}

/* Takes the next entry's name into out (releasing the entry); false at
 * the end. */
static bool next_name(io_iterator_t it, io_name_t out)
{
	io_registry_entry_t e = IOIteratorNext(it);

	if (!e)
		return false;
	name_of(e, out);
	IOObjectRelease(e);
	return true;
}

/* Counts the entries below e with child iterators (the reference walk). */
static int count_subtree(io_registry_entry_t e)
{
	io_iterator_t it;
	io_registry_entry_t c;
	int n = 0;

	assert_int_equal(IORegistryEntryGetChildIterator(e, kIOServicePlane, &it), 0);
	while ((c = IOIteratorNext(it))) {
		n += 1 + count_subtree(c);
		IOObjectRelease(c);
	}
	IOObjectRelease(it);
	return n;
}

static void test_registry_iterator_flat(void **state)
{
	io_iterator_t it = IO_OBJECT_NULL;
	io_name_t name;

	assert_int_equal(IORegistryCreateIterator(kIOMainPortDefault, kIOServicePlane, 0, &it),
			 kIOReturnSuccess);
	assert_true(IOIteratorIsValid(it));
	assert_true(next_name(it, name));
	assert_string_equal(name, "OpenIOKit");   /* the root's only child */
	/* Into OpenIOKit: its children. */
	assert_int_equal(IORegistryIteratorEnterEntry(it), kIOReturnSuccess);
	assert_true(next_name(it, name));
	assert_string_equal(name, "IOResources");
	assert_false(next_name(it, name));
	/* Back up: the root's children are exhausted. */
	assert_int_equal(IORegistryIteratorExitEntry(it), kIOReturnSuccess);
	assert_false(next_name(it, name));
	assert_int_equal(IORegistryIteratorExitEntry(it), kIOReturnNoDevice);
	/* Reset starts over. */
	IOIteratorReset(it);
	assert_true(next_name(it, name));
	assert_string_equal(name, "OpenIOKit");
	IOObjectRelease(it);
}

static void test_registry_iterator_recursive(void **state)
{
	io_registry_entry_t root = IORegistryGetRootEntry(kIOMainPortDefault);
	io_iterator_t it = IO_OBJECT_NULL;
	io_registry_entry_t e;
	io_name_t name;
	int n = 0, pos_driver = -1, pos_nub = -1, pos_res = -1;

	assert_int_equal(IORegistryCreateIterator(kIOMainPortDefault, kIOServicePlane,
						  kIORegistryIterateRecursively, &it), 0);
	while ((e = IOIteratorNext(it))) {
		name_of(e, name);
		if (!strcmp(name, "IOResources"))
			pos_res = n;
		if (!strcmp(name, "SampleDriver"))
			pos_driver = n;
		if (!strcmp(name, "SampleNub"))
			pos_nub = n;
		IOObjectRelease(e);
		n++;
	}
	/* Every entry below the root once, each after its parent. */
	assert_int_equal(n, count_subtree(root));
	assert_true(pos_res >= 0 && pos_res < pos_driver && pos_driver < pos_nub);
	IOObjectRelease(it);

	/* From an entry: its subtree only. */
	e = find("SampleDriver");
	assert_int_equal(IORegistryEntryCreateIterator(e, kIOServicePlane,
						       kIORegistryIterateRecursively, &it), 0);
	assert_true(next_name(it, name));
	assert_string_equal(name, "SampleNub");
	assert_false(next_name(it, name));
	IOObjectRelease(it);
	IOObjectRelease(e);
	IOObjectRelease(root);
}

static void test_registry_iterator_parents(void **state)
{
	io_service_t nub = find("SampleNub");
	io_iterator_t it;
	io_name_t name;
	const char *want[] = { "SampleDriver", "IOResources", "OpenIOKit", "Root" };

	assert_int_equal(IORegistryEntryCreateIterator(nub, kIOServicePlane,
						       kIORegistryIterateRecursively |
						       kIORegistryIterateParents, &it), 0);
	for (size_t i = 0; i < 4; i++) {
		assert_true(next_name(it, name));
		assert_string_equal(name, want[i]);
	}
	assert_false(next_name(it, name));
	IOObjectRelease(it);
	/* Flat: the provider only. */
	assert_int_equal(IORegistryEntryCreateIterator(nub, kIOServicePlane,
						       kIORegistryIterateParents, &it), 0);
	assert_true(next_name(it, name));
	assert_string_equal(name, "SampleDriver");
	assert_false(next_name(it, name));
	IOObjectRelease(it);
	IOObjectRelease(nub);
}

static void test_registry_iterator_errors(void **state)
{
	io_service_t s = find("SampleDriver");
	io_iterator_t it = 0x77, plain;

	assert_int_equal(IORegistryCreateIterator(kIOMainPortDefault, "IODeviceTree", 0, &it),
			 kIOReturnBadArgument);
	assert_int_equal(it, IO_OBJECT_NULL);
	assert_int_equal(IORegistryCreateIterator(kIOMainPortDefault, NULL, 0, &it),
			 kIOReturnBadArgument);
	assert_int_equal(IORegistryCreateIterator(0x1234, kIOServicePlane, 0, &it),
			 kIOReturnNotPrivileged);
	assert_int_equal(IORegistryEntryCreateIterator(0x4443, kIOServicePlane, 0, &it),
			 MACH_SEND_INVALID_DEST);
	assert_int_equal(IORegistryEntryCreateIterator(s, kIOServicePlane, 0, NULL),
			 kIOReturnBadArgument);
	/* Enter/exit want a registry iterator. */
	assert_int_equal(IORegistryEntryGetChildIterator(s, kIOServicePlane, &plain), 0);
	assert_int_equal(IORegistryIteratorEnterEntry(plain), kIOReturnBadArgument);
	assert_int_equal(IORegistryIteratorExitEntry(s), kIOReturnBadArgument);
	assert_int_equal(IORegistryIteratorEnterEntry(0x4443), MACH_SEND_INVALID_DEST);
	IOObjectRelease(plain);
	IOObjectRelease(s);
}

static void assert_cfstring(CFStringRef s, const char *want)
{
	char buf[256];

	assert_non_null(s);
	assert_true(CFStringGetCString(s, buf, sizeof(buf), kCFStringEncodingUTF8));
	assert_string_equal(buf, want);
	CFRelease(s);
}

static void test_class_facts(void **state)
{
	io_service_t s = find("SampleDriver");

	assert_cfstring(IOObjectCopyClass(s), "SampleDriver");
	assert_null(IOObjectCopyClass(IO_OBJECT_NULL));
	assert_cfstring(IOObjectCopySuperclassForClass(CFSTR("SampleDriver")), "IOService");
	assert_cfstring(IOObjectCopySuperclassForClass(CFSTR("IOService")), "IORegistryEntry");
	assert_cfstring(IOObjectCopySuperclassForClass(CFSTR("UCTestUserClient")),
			"IOUserClient");
	assert_null(IOObjectCopySuperclassForClass(CFSTR("IORegistryEntry")));
	assert_null(IOObjectCopySuperclassForClass(CFSTR("NoSuchClass")));
	assert_null(IOObjectCopySuperclassForClass(NULL));
	assert_cfstring(IOObjectCopyBundleIdentifierForClass(CFSTR("SampleDriver")),
			"org.openiokit.SampleDriver");
	assert_cfstring(IOObjectCopyBundleIdentifierForClass(CFSTR("SampleNub")),
			"org.openiokit.SampleDriver");
	assert_cfstring(IOObjectCopyBundleIdentifierForClass(CFSTR("UCTestUserClient")),
			"org.openiokit.test.UCTestDriver");
	assert_cfstring(IOObjectCopyBundleIdentifierForClass(CFSTR("IOService")), "__kernel__");
	assert_null(IOObjectCopyBundleIdentifierForClass(CFSTR("NoSuchClass")));
	IOObjectRelease(s);
}

/* The instance count of class in the root's IOKitDiagnostics. */
static SInt32 class_count(const char *cls)
{
	io_registry_entry_t root = IORegistryGetRootEntry(kIOMainPortDefault);
	CFMutableDictionaryRef props = NULL;
	CFDictionaryRef diag, classes;
	CFStringRef key = CFStringCreateWithCString(NULL, cls, kCFStringEncodingUTF8);
	CFNumberRef n;
	SInt32 v = -1;

	assert_int_equal(IORegistryEntryCreateCFProperties(root, &props, NULL, 0), 0);
	diag = CFDictionaryGetValue(props, CFSTR(kIOKitDiagnosticsKey));
	assert_non_null(diag);
	assert_int_equal(CFGetTypeID(diag), CFDictionaryGetTypeID());
	classes = CFDictionaryGetValue(diag, CFSTR("Classes"));
	assert_non_null(classes);
	n = CFDictionaryGetValue(classes, key);
	if (n)
		assert_true(CFNumberGetValue(n, kCFNumberSInt32Type, &v));
	CFRelease(key);
	CFRelease(props);
	IOObjectRelease(root);
	return v;
}

static void test_diagnostics(void **state)
{
	io_service_t s = find("UCTestService");
	io_registry_entry_t root = IORegistryGetRootEntry(kIOMainPortDefault);
	io_connect_t c;
	SInt32 before;
	CFTypeRef one;

	assert_int_equal(class_count("SampleDriver"), 1);
	assert_int_equal(class_count("SampleNub"), 1);
	assert_int_equal(class_count("IORegistryEntry") >= 2, 1);
	assert_int_equal(class_count("NoSuchClass"), -1);
	/* Live: a connection is one more UCTestUserClient while it is open. */
	before = class_count("UCTestUserClient");
	assert_int_equal(IOServiceOpen(s, mach_task_self(), 0, &c), 0);
	assert_int_equal(class_count("UCTestUserClient"), before + 1);
	/* IOUserClient has no instances of its own: one per subclass in use. */
	assert_true(class_count("IOUserClient") >= 1);
	assert_int_equal(IOServiceClose(c), 0);
	assert_int_equal(class_count("UCTestUserClient"), before);
	/* Also as a single property. */
	one = IORegistryEntryCreateCFProperty(root, CFSTR(kIOKitDiagnosticsKey), NULL, 0);
	assert_non_null(one);
	assert_int_equal(CFGetTypeID(one), CFDictionaryGetTypeID());
	CFRelease(one);
	IOObjectRelease(root);
	IOObjectRelease(s);
}

static void test_release_invalid_names(void **state)
{
	io_service_t s = find("UCTestService");
	io_connect_t c;

	/* As mach_port_deallocate: the null and dead names are no-ops. */
	assert_int_equal(IOObjectRelease(IO_OBJECT_NULL), KERN_SUCCESS);
	assert_int_equal(IOObjectRelease(MACH_PORT_DEAD), KERN_SUCCESS);
	assert_int_equal(IOConnectRelease(IO_OBJECT_NULL), KERN_SUCCESS);
	/* Garbage names. */
	assert_int_equal(IOObjectRelease(0x4443), KERN_INVALID_NAME);
	assert_int_equal(IOObjectRelease(0x12345678), KERN_INVALID_NAME);
	assert_int_equal(IOConnectRelease(0xfffff03), KERN_INVALID_NAME);
	assert_int_equal(IOServiceClose(IO_OBJECT_NULL), MACH_SEND_INVALID_DEST);
	assert_int_equal(IOServiceClose(0x4443), MACH_SEND_INVALID_DEST);
	assert_int_equal(IOServiceClose(MACH_PORT_DEAD), MACH_SEND_INVALID_DEST);
	/* Released twice. */
	assert_int_equal(IOObjectRetain(s), KERN_SUCCESS);
	assert_int_equal(IOObjectRelease(s), KERN_SUCCESS);
	assert_int_equal(IOServiceOpen(s, mach_task_self(), 0, &c), KERN_SUCCESS);
	assert_int_equal(IOConnectAddRef(c), KERN_SUCCESS);
	assert_int_equal(IOConnectRelease(c), KERN_SUCCESS);
	assert_int_equal(IOServiceClose(c), KERN_SUCCESS);   /* closes and drops the name */
	assert_int_equal(IOServiceClose(c), MACH_SEND_INVALID_DEST);
	assert_int_equal(IOConnectRelease(c), KERN_INVALID_NAME);
	assert_int_equal(IOObjectRelease(c), KERN_INVALID_NAME);
	/* Closing a service that is not a connection fails, and (as Apple's
	 * library does) still drops the caller's reference. */
	assert_int_equal(IOServiceClose(s), kIOReturnBadArgument);
	assert_int_equal(IOObjectRelease(s), KERN_INVALID_NAME);
	/* The host is still fine. */
	s = find("UCTestService");
	IOObjectRelease(s);
}

static void test_property_bytes(void **state)
{
	io_service_t s = find("SampleDriver");
	char buf[128];
	uint32_t size;

	size = sizeof(buf);
	assert_int_equal(IORegistryEntryGetProperty(s, "Greeting", buf, &size), 0);
	assert_int_equal(size, sizeof("Hello from SampleDriver"));
	assert_string_equal(buf, "Hello from SampleDriver");
	size = sizeof(buf);
	assert_int_equal(IORegistryEntryGetProperty(s, "SampleCount", buf, &size), 0);
	assert_int_equal(size, 4);
	assert_int_equal(*(uint32_t *)(void *)buf, 42);
	size = sizeof(buf);
	assert_int_equal(IORegistryEntryGetProperty(s, "SampleReady", buf, &size), 0);
	assert_int_equal(size, 4);
	assert_string_equal(buf, "Yes");
	size = sizeof(buf);
	assert_int_equal(IORegistryEntryGetProperty(s, "SampleData", buf, &size), 0);
	assert_int_equal(size, 4);
	assert_memory_equal(buf, "\xde\xad\xbe\xef", 4);
	size = sizeof(buf);
	assert_int_equal(IORegistryEntryGetProperty(s, "SampleNames", buf, &size),
			 kIOReturnBadArgument);
	assert_int_equal(IORegistryEntryGetProperty(s, "NoSuchKey", buf, &size),
			 kIOReturnNoResources);
	size = 3;
	assert_int_equal(IORegistryEntryGetProperty(s, "Greeting", buf, &size),
			 kIOReturnIPCError);
	assert_int_equal(size, 3);
	assert_int_equal(IORegistryEntryGetProperty(0x4443, "Greeting", buf, &size),
			 MACH_SEND_INVALID_DEST);
	IOObjectRelease(s);
}

/* Permissions of the mapping at addr ("rw-s"), "" if none. */
static void perms_at(mach_vm_address_t addr, char out[5])
{
	char line[512];
	FILE *f = fopen("/proc/self/maps", "r");

	out[0] = '\0';
	while (f && fgets(line, sizeof(line), f)) {
		unsigned long lo, hi;
		char p[5];

		if (sscanf(line, "%lx-%lx %4s", &lo, &hi, p) == 3 && addr >= lo && addr < hi) {
			memcpy(out, p, 5);
			break;
		}
	}
	if (f)
		fclose(f);
}

static void test_vm_region_and_deallocate(void **state)
{
	io_service_t s = find("UCTestService");
	io_connect_t c;
	mach_vm_address_t a = 0, b = 0, ra;
	mach_vm_size_t sa = 0, sb = 0, rs;
	vm_region_basic_info_data_64_t info;
	mach_msg_type_number_t count;
	mach_port_t object = 0x55;
	char perms[5];
	int local;

	assert_int_equal(VM_REGION_BASIC_INFO_COUNT_64, 9);
	assert_int_equal(IOServiceOpen(s, mach_task_self(), 0, &c), 0);
	assert_int_equal(IOConnectMapMemory64(c, kUCTestMemoryShared, mach_task_self(), &a, &sa,
					      kIOMapAnywhere), 0);
	assert_int_equal(IOConnectMapMemory64(c, kUCTestMemoryReadOnly, mach_task_self(), &b,
					      &sb, kIOMapAnywhere), 0);

	/* The region of an address inside the mapping is the mapping. */
	ra = a + 100;
	count = VM_REGION_BASIC_INFO_COUNT_64;
	assert_int_equal(mach_vm_region(mach_task_self(), &ra, &rs, VM_REGION_BASIC_INFO_64,
					(vm_region_info_t)&info, &count, &object), KERN_SUCCESS);
	assert_true(ra == a);
	assert_true(rs == ((sa + PAGE_MASK) & ~(mach_vm_size_t)PAGE_MASK));
	assert_int_equal(count, VM_REGION_BASIC_INFO_COUNT_64);
	assert_int_equal(object, MACH_PORT_NULL);
	assert_int_equal(info.protection, VM_PROT_READ | VM_PROT_WRITE);
	assert_true(info.shared);
	assert_int_equal(info.offset, 0);
	ra = b;
	count = VM_REGION_BASIC_INFO_COUNT_64;
	assert_int_equal(mach_vm_region(mach_task_self(), &ra, &rs, VM_REGION_BASIC_INFO_64,
					(vm_region_info_t)&info, &count, NULL), KERN_SUCCESS);
	assert_true(ra == b);
	assert_int_equal(info.protection, VM_PROT_READ);
	assert_int_equal(info.max_protection, VM_PROT_READ);
	/* The legacy flavor and vm_region_64. */
	{
		vm_region_basic_info_data_t old;
		vm_address_t va = (vm_address_t)a;
		vm_size_t vs;

		count = VM_REGION_BASIC_INFO_COUNT;
		assert_int_equal(vm_region_64(mach_task_self(), &va, &vs, VM_REGION_BASIC_INFO,
					      (vm_region_info_t)&old, &count, NULL), KERN_SUCCESS);
		assert_true(va == a && old.shared);
	}
	/* Argument checks. */
	count = VM_REGION_BASIC_INFO_COUNT_64 - 1;
	assert_int_equal(mach_vm_region(mach_task_self(), &ra, &rs, VM_REGION_BASIC_INFO_64,
					(vm_region_info_t)&info, &count, NULL),
			 KERN_INVALID_ARGUMENT);
	count = VM_REGION_BASIC_INFO_COUNT_64;
	assert_int_equal(mach_vm_region(mach_task_self(), &ra, &rs, 12, (vm_region_info_t)&info,
					&count, NULL), KERN_NOT_SUPPORTED);
	assert_int_equal(mach_vm_region(mach_task_self(), &ra, &rs, 99, (vm_region_info_t)&info,
					&count, NULL), KERN_INVALID_ARGUMENT);
	assert_int_equal(mach_vm_region(MACH_PORT_NULL, &ra, &rs, VM_REGION_BASIC_INFO_64,
					(vm_region_info_t)&info, &count, NULL),
			 MACH_SEND_INVALID_DEST);
	ra = ~(mach_vm_address_t)0 - 1;
	assert_int_equal(mach_vm_region(mach_task_self(), &ra, &rs, VM_REGION_BASIC_INFO_64,
					(vm_region_info_t)&info, &count, NULL),
			 KERN_INVALID_ADDRESS);

	/* Deallocation: never someone else's memory, never part of a mapping. */
	assert_int_equal(vm_deallocate(mach_task_self(), (vm_address_t)&local, sizeof(local)),
			 KERN_INVALID_ADDRESS);
	assert_int_equal(mach_vm_deallocate(mach_task_self(), a, 0), KERN_SUCCESS);
	assert_int_equal(mach_vm_deallocate(MACH_PORT_NULL, a, sa), MACH_SEND_INVALID_DEST);
	assert_int_equal(mach_vm_deallocate(mach_task_self(), a, PAGE_SIZE), KERN_NOT_SUPPORTED);
	perms_at(a, perms);
	assert_string_equal(perms, "rw-s");
	/* A whole mapping: unmapped, and the connection forgets it. */
	assert_int_equal(mach_vm_deallocate(mach_task_self(), a, sa), KERN_SUCCESS);
	perms_at(a, perms);
	assert_string_equal(perms, "");
	assert_int_equal(IOConnectUnmapMemory64(c, kUCTestMemoryShared, mach_task_self(), a),
			 kIOReturnBadArgument);
	assert_int_equal(vm_deallocate(mach_task_self(), (vm_address_t)b, (vm_size_t)sb),
			 KERN_SUCCESS);
	perms_at(b, perms);
	assert_string_equal(perms, "");
	assert_int_equal(IOServiceClose(c), 0);
	IOObjectRelease(s);
}

static void test_unsupported_calls(void **state)
{
	io_service_t s = find("UCTestService");
	io_connect_t c;
	CFMutableDictionaryRef d;
	io_name_t bsd;
	char *buf = NULL;
	uint32_t size = 0;

	assert_int_equal(IOServiceOpen(s, mach_task_self(), 0, &c), 0);
	assert_int_equal(IOConnectTrap0(c, 0), kIOReturnUnsupported);
	assert_int_equal(IOConnectTrap6(c, 1, 1, 2, 3, 4, 5, 6), kIOReturnUnsupported);
	assert_int_equal(IOConnectTrap1(s, 0, 1), kIOReturnBadArgument);
	assert_int_equal(IOConnectTrap2(0x4443, 0, 1, 2), kIOReturnBadArgument);
	assert_int_equal(IOConnectAddClient(c, c), kIOReturnUnsupported);
	assert_int_equal(IOConnectAddClient(c, s), kIOReturnBadArgument);
	assert_int_equal(IOServiceRequestProbe(s, 0), kIOReturnUnsupported);
	assert_int_equal(IOServiceRequestProbe(0x4443, 0), MACH_SEND_INVALID_DEST);
	assert_int_equal(IOServiceAuthorize(s, 0), kIOReturnUnsupported);
	errno = 0;
	assert_int_equal(IOServiceOpenAsFileDescriptor(s, 0), -1);
	assert_int_equal(errno, ENOTSUP);
	assert_int_equal(IOCatalogueGetData(kIOMainPortDefault, 0, &buf, &size),
			 kIOReturnUnsupported);
	assert_int_equal(IOCatalogueSendData(kIOMainPortDefault, 0, "", 0), kIOReturnUnsupported);
	assert_int_equal(IOCatalogueReset(kIOMainPortDefault, 0), kIOReturnUnsupported);
	assert_int_equal(IOCatalogueReset(0x1234, 0), kIOReturnNotPrivileged);
	d = IOOpenFirmwarePathMatching(kIOMainPortDefault, 0, "/pci@0/disk@1");
	assert_non_null(d);
	assert_cfstring(CFRetain(CFDictionaryGetValue(d, CFSTR(kIOPathMatchKey))),
			"IODeviceTree:/pci@0/disk@1");
	CFRelease(d);
	assert_int_equal(IOServiceOFPathToBSDName(kIOMainPortDefault, "/pci@0/disk@1", bsd),
			 KERN_FAILURE);
	assert_string_equal(bsd, "");
	IOServiceClose(c);
	IOObjectRelease(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_registry_iterator_flat),
		cmocka_unit_test(test_registry_iterator_recursive),
		cmocka_unit_test(test_registry_iterator_parents),
		cmocka_unit_test(test_registry_iterator_errors),
		cmocka_unit_test(test_class_facts),
		cmocka_unit_test(test_diagnostics),
		cmocka_unit_test(test_release_invalid_names),
		cmocka_unit_test(test_property_bytes),
		cmocka_unit_test(test_vm_region_and_deallocate),
		cmocka_unit_test(test_unsupported_calls),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
