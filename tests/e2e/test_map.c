// SPDX-License-Identifier: MIT
/*
 * test_map.c - IOConnectMapMemory64 / IOConnectUnmapMemory64 and
 * notification ports against UCTestDriver: Apple's option rules and codes,
 * read-only chosen by the driver, mappings dying with their connection,
 * and a waiting client told when its port will never be signalled again.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <IOKit/IOKitLib.h>
#include <IOKit/IOKitLinux.h>
#include <IOKit/IODataQueueClient.h>
#include <mach/mach_vm.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "host_harness.h"
#include "UCTestShared.h"

static pid_t host;

static int setup(void **state)
{
	static const char *const drivers[] = { "UCTestDriver.so", NULL };

	host = iok_test_host_start(drivers);
	return host > 0 ? 0 : -1;
}

static int teardown(void **state)
{
	return iok_test_host_stop(host);
}

static io_connect_t open_test(void)
{
	io_service_t s = IOServiceGetMatchingService(kIOMainPortDefault,
						     IOServiceMatching("UCTestService"));
	io_connect_t c = IO_OBJECT_NULL;

	assert_int_equal(IOServiceOpen(s, mach_task_self(), 0, &c), kIOReturnSuccess);
	IOObjectRelease(s);
	return c;
}

/* The permissions of the mapping at addr in /proc/self/maps ("rw-s"), or
 * "" when nothing is mapped there. */
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

static void test_map_read_write_unmap(void **state)
{
	io_connect_t c = open_test();
	mach_vm_address_t a = 0, b = 0;
	mach_vm_size_t sa = 0, sb = 0;
	char perms[5];
	uint8_t *p;

	/* The caller controls only kIOMapAnywhere and the cache bits: its
	 * kIOMapReadOnly is ignored. */
	assert_int_equal(IOConnectMapMemory64(c, kUCTestMemoryShared, mach_task_self(), &a, &sa,
					      kIOMapAnywhere | kIOMapReadOnly), kIOReturnSuccess);
	assert_true(sa >= UCTEST_MEMORY_SIZE);
	p = (uint8_t *)(uintptr_t)a;
	assert_int_equal(p[1], 1);
	assert_int_equal(p[4097], 4097 & 0xff);
	perms_at(a, perms);
	assert_string_equal(perms, "rw-s");
	/* The same memory, mapped read-only by the driver's choice. */
	assert_int_equal(IOConnectMapMemory64(c, kUCTestMemoryReadOnly, mach_task_self(), &b, &sb,
					      kIOMapAnywhere), kIOReturnSuccess);
	perms_at(b, perms);
	assert_string_equal(perms, "r--s");
	p[7] = 0xab;   /* shared: visible through the read-only view */
	assert_int_equal(((uint8_t *)(uintptr_t)b)[7], 0xab);
	/* Unmapping: the address must be one this type mapped. */
	assert_int_equal(IOConnectUnmapMemory64(c, kUCTestMemoryShared, mach_task_self(), b),
			 kIOReturnBadArgument);
	assert_int_equal(IOConnectUnmapMemory64(c, kUCTestMemoryReadOnly, mach_task_self(), b),
			 kIOReturnSuccess);
	perms_at(b, perms);
	assert_string_equal(perms, "");
	/* clientMemoryForType's own error comes back from unmap unchanged. */
	assert_int_equal(IOConnectUnmapMemory64(c, kUCTestMemoryFailing, mach_task_self(), a),
			 kIOReturnNoResources);
	/* What is still mapped dies with the connection: the driver's memory
	 * at once, the range left as private zero pages until it is freed. */
	assert_int_equal(IOServiceClose(c), kIOReturnSuccess);
	perms_at(a, perms);
	assert_string_equal(perms, "rw-p");
	assert_int_equal(p[1], 0);
	assert_int_equal(mach_vm_deallocate(mach_task_self(), a, sa), KERN_SUCCESS);
	perms_at(a, perms);
	assert_string_equal(perms, "");
}

#if defined(__SANITIZE_THREAD__)
#define UNDER_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define UNDER_TSAN 1
#endif
#endif
#ifndef UNDER_TSAN
#define UNDER_TSAN 0
#endif

struct reader {
	const volatile uint8_t *p;
	int stop;
	uint64_t reads;
	uint8_t last;
};

static void *read_main(void *arg)
{
	struct reader *r = arg;

	while (!__atomic_load_n(&r->stop, __ATOMIC_ACQUIRE)) {
		r->last = r->p[1];
		__atomic_add_fetch(&r->reads, 1, __ATOMIC_RELEASE);
		sched_yield();   /* valgrind runs one thread at a time */
	}
	return NULL;
}

/* Twenty rounds of a reader thread on a mapping while the connection is
 * closed under it, in this process: 0, or which check failed.  Plain exits,
 * not cmocka's checks: it runs in a child that a fault must simply kill. */
static int close_under_reader(void)
{
	for (int round = 0; round < 20; round++) {
		io_connect_t c = open_test();
		mach_vm_address_t a = 0;
		mach_vm_size_t sa = 0;
		struct reader r = { 0 };
		pthread_t th;
		uint64_t seen;
		char perms[5];

		if (!c || IOConnectMapMemory64(c, kUCTestMemoryShared, mach_task_self(), &a, &sa,
					       kIOMapAnywhere))
			return 2;
		r.p = (const volatile uint8_t *)(uintptr_t)a;
		if (pthread_create(&th, NULL, read_main, &r))
			return 3;
		while (__atomic_load_n(&r.reads, __ATOMIC_ACQUIRE) < 100)
			sched_yield();
		if (IOServiceClose(c))
			return 4;
		seen = __atomic_load_n(&r.reads, __ATOMIC_ACQUIRE);
		while (__atomic_load_n(&r.reads, __ATOMIC_ACQUIRE) < seen + 100)
			sched_yield();   /* still reading, after the close */
		__atomic_store_n(&r.stop, 1, __ATOMIC_RELEASE);
		pthread_join(th, NULL);
		if (r.last != 0)
			return 5;
		/* Unmapping on the dead connection fails, and frees the range. */
		if (IOConnectUnmapMemory64(c, kUCTestMemoryShared, mach_task_self(), a) ==
		    kIOReturnSuccess)
			return 6;
		perms_at(a, perms);
		if (perms[0])
			return 7;
	}
	return 0;
}

/* A thread still reading a mapping while another closes its connection
 * (a receive loop the close is meant to end) reads zeros, never faults. */
static void test_close_under_reader(void **state)
{
	pid_t pid;
	int status;

#if UNDER_TSAN
	print_message("ThreadSanitizer counts the range's swap under a reader as a race: "
		      "this case runs in the other builds\n");
	skip();
#endif
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		signal(SIGSEGV, SIG_DFL);
		signal(SIGBUS, SIG_DFL);
		_exit(close_under_reader());
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		print_error("close_under_reader: status 0x%x\n", status);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static void test_map_errors(void **state)
{
	io_connect_t c = open_test();
	mach_vm_address_t a = 0;
	mach_vm_size_t s = 0;

	/* Every driver failure becomes kIOReturnBadArgument, as on macOS. */
	assert_int_equal(IOConnectMapMemory64(c, kUCTestMemoryFailing, mach_task_self(), &a, &s,
					      kIOMapAnywhere), kIOReturnBadArgument);
	assert_int_equal(IOConnectMapMemory64(c, 77, mach_task_self(), &a, &s, kIOMapAnywhere),
			 kIOReturnBadArgument);
	assert_int_equal(IOConnectMapMemory64(c, kUCTestMemoryShared, 0x4444, &a, &s,
					      kIOMapAnywhere), kIOReturnBadArgument);
	assert_int_equal(IOConnectMapMemory64(0x4443, kUCTestMemoryShared, mach_task_self(), &a, &s,
					      kIOMapAnywhere), MACH_SEND_INVALID_DEST);
	/* Without kIOMapAnywhere the mapping goes exactly where asked. */
	assert_int_equal(IOConnectMapMemory64(c, kUCTestMemoryShared, mach_task_self(), &a, &s,
					      kIOMapAnywhere), kIOReturnSuccess);
	assert_int_equal(IOConnectUnmapMemory64(c, kUCTestMemoryShared, mach_task_self(), a), 0);
	{
		mach_vm_address_t want = a, got = a;

		assert_int_equal(IOConnectMapMemory64(c, kUCTestMemoryShared, mach_task_self(), &got,
						      &s, 0), kIOReturnSuccess);
		assert_true(got == want);
	}
	IOServiceClose(c);
}

static void test_port_signal_and_death(void **state)
{
	io_connect_t c = open_test();
	mach_port_t port = IODataQueueAllocateNotificationPort();
	IODataQueueMemory dummy;
	struct pollfd p;

	assert_int_not_equal(port, MACH_PORT_NULL);
	assert_true(IOMachPortGetFileDescriptor(port) >= 0);
	/* The driver signals the port as soon as it gets it. */
	assert_int_equal(IOConnectSetNotificationPort(c, UCTEST_PORT_TYPE, port, 0), 0);
	p = (struct pollfd){ .fd = IOMachPortGetFileDescriptor(port), .events = POLLIN };
	assert_int_equal(poll(&p, 1, 5000), 1);
	assert_int_equal(IODataQueueWaitForAvailableData(&dummy, port), kIOReturnSuccess);
	assert_int_equal(IOConnectSetNotificationPort(c, 12345, port, 0), kIOReturnBadArgument);
	assert_int_equal(IOConnectSetNotificationPort(c, UCTEST_PORT_TYPE, 0x7771, 0),
			 MACH_SEND_INVALID_RIGHT);
	/* Closing the connection lets go of the port: a waiter learns it. */
	assert_int_equal(IOServiceClose(c), kIOReturnSuccess);
	assert_int_equal(IODataQueueWaitForAvailableData(&dummy, port), MACH_RCV_PORT_DIED);
	assert_int_equal(IODataQueueWaitForAvailableData(NULL, port), kIOReturnBadArgument);
	assert_int_equal(mach_port_destroy(mach_task_self(), port), KERN_SUCCESS);
	assert_int_equal(mach_port_destroy(mach_task_self(), port), KERN_INVALID_NAME);
	assert_int_equal(IOMachPortGetFileDescriptor(port), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_map_read_write_unmap),
		cmocka_unit_test(test_close_under_reader),
		cmocka_unit_test(test_map_errors),
		cmocka_unit_test(test_port_signal_and_death),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
