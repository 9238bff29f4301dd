// SPDX-License-Identifier: MIT
/*
 * test_isolate.c - iokitd --isolate: every driver in a process of its
 * own.  A driver that crashes (FaultDriver's kFaultCrash, with calls of
 * its own in flight) takes only its own services down: its clients get
 * kIOMessageServiceIsTerminated and the terminated notification, every
 * call in flight is answered, later calls fail with kIOReturnNotAttached,
 * closing still works; the other drivers' clients carry on; the driver
 * can be loaded again; the host's descriptors return to where they were.
 * (The rest of the end-to-end suite also runs against an isolating host:
 * the *_isolated tests.)
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <IOKit/IOKitLib.h>
#include <IOKit/IOKitLinux.h>
#include <IOKit/IOMessage.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "host_harness.h"
#include "FaultShared.h"
#include "TestDriverShared.h"
#include "UCTestShared.h"

#define FAULT_ID "org.openiokit.test.FaultDriver"

static pid_t host;

static int setup(void **state)
{
	static const char *const drivers[] = { "FaultDriver.so", "UCTestDriver.so", "TestDriver.so",
					       NULL };
	static const char *const extra[] = { "--isolate", NULL };

	setenv("FAULT_DRIVER_MAY_CRASH", "1", 1);   /* inherited by the driver processes */
	host = iok_test_host_start_ex(drivers, extra);
	unsetenv("FAULT_DRIVER_MAY_CRASH");
	return host > 0 ? 0 : -1;
}

static int teardown(void **state)
{
	return iok_test_host_stop(host);
}

static io_connect_t open_class(const char *cls)
{
	io_service_t s = IOServiceGetMatchingService(kIOMainPortDefault, IOServiceMatching(cls));
	io_connect_t c = IO_OBJECT_NULL;

	assert_int_not_equal(s, IO_OBJECT_NULL);
	assert_int_equal(IOServiceOpen(s, mach_task_self(), 0, &c), kIOReturnSuccess);
	IOObjectRelease(s);
	return c;
}

/* The driver process of bundle (from iokitctl list), or -1. */
static pid_t driver_pid(const char *bundle)
{
	CFArrayRef list = IOKitLinuxCopyLoadedDrivers();
	CFStringRef want = CFStringCreateWithCString(NULL, bundle, kCFStringEncodingUTF8);
	pid_t pid = -1;

	assert_non_null(list);
	for (CFIndex i = 0; i < CFArrayGetCount(list); i++) {
		CFDictionaryRef d = CFArrayGetValueAtIndex(list, i);
		CFNumberRef n = CFDictionaryGetValue(d, CFSTR("OSBundleProcessID"));
		int32_t v = -1;

		if (CFEqual(CFDictionaryGetValue(d, CFSTR("CFBundleIdentifier")), want) && n &&
		    CFNumberGetValue(n, kCFNumberSInt32Type, &v))
			pid = v;
	}
	CFRelease(want);
	CFRelease(list);
	return pid;
}

static void test_each_driver_in_its_own_process(void **state)
{
	pid_t fault = driver_pid(FAULT_ID), uc = driver_pid("org.openiokit.test.UCTestDriver"),
	      td = driver_pid("org.openiokit.TestDriver");
	io_connect_t c = open_class("UCTestService");
	uint64_t in[2] = { 20, 22 }, out[2];
	uint32_t n = 2;

	assert_true(fault > 0 && uc > 0 && td > 0);
	assert_true(fault != uc && uc != td && fault != td && fault != host);
	assert_int_equal(kill(fault, 0), 0);
	/* A proxy stands for each service, with the driver's class names. */
	assert_true(IOObjectConformsTo(c, "UCTestUserClient"));
	assert_int_equal(IOConnectCallScalarMethod(c, kUCTestCalculate, in, 2, out, &n), 0);
	assert_true(n == 2 && out[0] == 42 && out[1] == 440);
	IOServiceClose(c);
}

struct in_flight {
	io_connect_t conn;
	IOReturn ret;
};

static void *slow_call(void *arg)
{
	struct in_flight *f = arg;
	uint64_t us = 2000000;   /* longer than the driver lives */
	uint8_t buf[64] = { 1 }, out[64];
	size_t on = sizeof(out);

	f->ret = IOConnectCallMethod(f->conn, kFaultSlowEcho, &us, 1, buf, sizeof(buf), NULL, NULL,
				     out, &on);
	return NULL;
}

struct interest {
	int terminated;
};

static void on_interest(void *refcon, io_service_t service, uint32_t type, void *arg)
{
	if (type == kIOMessageServiceIsTerminated)
		((struct interest *)refcon)->terminated++;
}

static void on_gone(void *refcon, io_iterator_t it)
{
	io_service_t s;

	while ((s = IOIteratorNext(it))) {
		(*(int *)refcon)++;
		IOObjectRelease(s);
	}
}

static void pump(IONotificationPortRef port)
{
	struct pollfd p = { .fd = IONotificationPortGetFileDescriptor(port), .events = POLLIN };

	if (poll(&p, 1, 5000) == 1)
		IONotificationPortDispatchPending(port);
}

static void test_crash_takes_only_its_own_services(void **state)
{
	IONotificationPortRef port = IONotificationPortCreate(kIOMainPortDefault);
	io_service_t fs = IOServiceGetMatchingService(kIOMainPortDefault,
						      IOServiceMatching(kFaultServiceClass));
	struct in_flight slow = { 0 };
	struct interest interest = { 0 };
	io_object_t note = 0;
	io_iterator_t gone_it = 0;
	io_connect_t f, uc, td, again;
	uint64_t crash_after = 100000, in = 41, out = 0;
	uint32_t n = 1;
	pid_t old = driver_pid(FAULT_ID);
	int gone = 0, fds0;
	pthread_t th;

	assert_int_not_equal(fs, IO_OBJECT_NULL);
	fds0 = iok_test_fd_baseline(host);
	assert_int_equal(IOServiceAddInterestNotification(port, fs, kIOGeneralInterest, on_interest,
							  &interest, &note),
			 kIOReturnSuccess);
	assert_int_equal(IOServiceAddMatchingNotification(port, kIOTerminatedNotification,
							  IOServiceMatching(kFaultServiceClass),
							  on_gone, &gone, &gone_it),
			 kIOReturnSuccess);
	on_gone(&gone, gone_it);   /* arm it */
	assert_int_equal(IOServiceOpen(fs, mach_task_self(), 0, &f), kIOReturnSuccess);
	uc = open_class("UCTestService");
	td = open_class("TestDriver");

	/* One call in flight, then the driver crashes inside another. */
	slow.conn = f;
	assert_int_equal(pthread_create(&th, NULL, slow_call, &slow), 0);
	usleep(20000);
	assert_int_equal(IOConnectCallScalarMethod(f, kFaultCrash, &crash_after, 1, NULL, NULL),
			 kIOReturnNotAttached);
	pthread_join(th, NULL);
	assert_int_equal(slow.ret, kIOReturnNotAttached);   /* answered, not hung */

	/* Its clients are told, as for any terminated service. */
	for (int i = 0; i < 10 && (!interest.terminated || !gone); i++)
		pump(port);
	assert_int_equal(interest.terminated, 1);
	assert_int_equal(gone, 1);
	assert_int_equal(IOConnectCallScalarMethod(f, kFaultIncrement, &in, 1, &out, &n),
			 kIOReturnNotAttached);
	assert_int_not_equal(IOServiceOpen(fs, mach_task_self(), 0, &again), kIOReturnSuccess);
	assert_int_equal(IOServiceClose(f), kIOReturnSuccess);
	assert_int_equal(IOServiceGetMatchingService(kIOMainPortDefault,
						     IOServiceMatching(kFaultServiceClass)),
			 IO_OBJECT_NULL);
	assert_int_equal(driver_pid(FAULT_ID), -1);
	for (int i = 0; i < 500 && kill(old, 0) == 0; i++)   /* reaped soon after */
		usleep(10000);
	assert_int_not_equal(kill(old, 0), 0);

	/* Everyone else carries on. */
	{
		uint64_t a[2] = { 2, 3 }, r[2];
		uint32_t rn = 2;
		char msg[] = "still here", back[sizeof(msg)];
		size_t bn = sizeof(back);

		assert_int_equal(IOConnectCallScalarMethod(uc, kUCTestCalculate, a, 2, r, &rn), 0);
		assert_true(r[0] == 5 && r[1] == 6);
		assert_int_equal(IOConnectCallStructMethod(td, kTestEchoStruct, msg, sizeof(msg), back,
							   &bn),
				 0);
		assert_memory_equal(msg, back, sizeof(msg));
	}

	/* The driver comes back when loaded again. */
	assert_int_equal(IOKitLinuxLoadDriver(FAULTDRIVER_PATH), kIOReturnSuccess);
	assert_true(driver_pid(FAULT_ID) > 0 && driver_pid(FAULT_ID) != old);
	f = open_class(kFaultServiceClass);
	n = 1;
	assert_int_equal(IOConnectCallScalarMethod(f, kFaultIncrement, &in, 1, &out, &n), 0);
	assert_true(out == 42);
	IOServiceClose(f);
	IOServiceClose(uc);
	IOServiceClose(td);
	IOObjectRelease(note);
	IOObjectRelease(gone_it);
	IOObjectRelease(fs);
	IONotificationPortDestroy(port);

	/* Nothing of the dead process's is left in the host. */
	for (int i = 0; i < 500 && iok_test_fd_count(host) != fds0; i++)
		usleep(10000);
	assert_int_equal(iok_test_fd_count(host), fds0);
}

/* A driver process killed from outside is the same as a crash. */
static void test_killed_driver_process(void **state)
{
	io_connect_t c = open_class("UCTestService");
	pid_t pid = driver_pid("org.openiokit.test.UCTestDriver");
	uint64_t a[2] = { 1, 1 }, r[2];
	uint32_t rn = 2;

	assert_true(pid > 0);
	assert_int_equal(kill(pid, SIGKILL), 0);
	for (int i = 0; i < 500 && driver_pid("org.openiokit.test.UCTestDriver") > 0; i++)
		usleep(10000);
	assert_int_equal(driver_pid("org.openiokit.test.UCTestDriver"), -1);
	assert_int_equal(IOConnectCallScalarMethod(c, kUCTestCalculate, a, 2, r, &rn),
			 kIOReturnNotAttached);
	assert_int_equal(IOServiceClose(c), kIOReturnSuccess);
	assert_int_equal(IOServiceGetMatchingService(kIOMainPortDefault,
						     IOServiceMatching("UCTestService")),
			 IO_OBJECT_NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_each_driver_in_its_own_process),
		cmocka_unit_test(test_crash_takes_only_its_own_services),
		cmocka_unit_test(test_killed_driver_process),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
