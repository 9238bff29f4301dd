// SPDX-License-Identifier: MIT
/*
 * test_notify.c - live drivers against a private iokitd: a program waits
 * for TestDriver, which is loaded later (IOKitLinuxLoadDriver, iokitctl's
 * call), uses it, and sees it go away on unload with calls in flight;
 * async methods completing in and out of order; the three ways of running
 * notification callbacks; raw mach_msg receipt; quiet and busy state.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <IOKit/IOKitLib.h>
#include <IOKit/IODataQueueClient.h>
#include <IOKit/IOKitLinux.h>
#include <IOKit/IOMessage.h>
#include <mach/mach.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "host_harness.h"
#include "TestDriverShared.h"
#include "UCTestShared.h"

#define TESTDRIVER_ID "org.openiokit.TestDriver"

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

/* Waits up to 5 s for the port to have something, then dispatches it. */
static int pump(IONotificationPortRef port)
{
	struct pollfd p = { .fd = IONotificationPortGetFileDescriptor(port), .events = POLLIN };

	assert_true(p.fd >= 0);
	if (poll(&p, 1, 5000) != 1)
		return 0;
	return IONotificationPortDispatchPending(port);
}

static bool driver_listed(const char *bundle)
{
	CFArrayRef list = IOKitLinuxCopyLoadedDrivers();
	CFStringRef want = CFStringCreateWithCString(NULL, bundle, kCFStringEncodingUTF8);
	bool found = false;

	assert_non_null(list);
	for (CFIndex i = 0; i < CFArrayGetCount(list); i++) {
		CFDictionaryRef d = CFArrayGetValueAtIndex(list, i);
		CFStringRef id = CFDictionaryGetValue(d, CFSTR("CFBundleIdentifier"));

		if (id && CFEqual(id, want))
			found = true;
	}
	CFRelease(want);
	CFRelease(list);
	return found;
}

/* ---- waiting for a driver, using it, seeing it go ------------------------- */

struct seen {
	io_service_t services[8];
	int n;
	int callbacks;
};

static void on_match(void *refcon, io_iterator_t it)
{
	struct seen *s = refcon;
	io_service_t svc;

	s->callbacks++;
	while ((svc = IOIteratorNext(it))) {
		if (s->n < 8)
			s->services[s->n++] = svc;
		else
			IOObjectRelease(svc);
	}
}

struct interest {
	int terminated;
	io_service_t service;
	uint32_t last;
};

static void on_interest(void *refcon, io_service_t service, uint32_t type, void *arg)
{
	struct interest *i = refcon;

	i->last = type;
	i->service = service;
	if (type == kIOMessageServiceIsTerminated)
		i->terminated++;
}

struct caller {
	io_connect_t conn;
	volatile int stop;
	int ok, not_attached, other;
};

static void *call_loop(void *arg)
{
	struct caller *c = arg;

	while (!__atomic_load_n(&c->stop, __ATOMIC_ACQUIRE)) {
		uint64_t in[2] = { 6, 7 }, out[2];
		uint32_t n = 2;
		kern_return_t kr = IOConnectCallScalarMethod(c->conn, kTestPerformCalculation, in, 2,
							     out, &n);

		if (kr == kIOReturnSuccess && n == 2 && out[0] == 13 && out[1] == 42)
			__atomic_add_fetch(&c->ok, 1, __ATOMIC_RELAXED);
		else if (kr == kIOReturnNotAttached)
			__atomic_add_fetch(&c->not_attached, 1, __ATOMIC_RELAXED);
		else
			c->other++;
	}
	return NULL;
}

static void test_wait_for_driver_load_and_unload(void **state)
{
	IONotificationPortRef port = IONotificationPortCreate(kIOMainPortDefault);
	struct seen first = { 0 }, gone = { 0 };
	struct interest interest = { 0 };
	io_iterator_t first_it, gone_it;
	io_object_t interest_note;
	struct caller caller = { 0 };
	mach_vm_address_t qaddr = 0;
	mach_vm_size_t qsize = 0;
	mach_port_t dq_port;
	pthread_t th;
	int fds;

	assert_non_null(port);
	assert_false(driver_listed(TESTDRIVER_ID));
	assert_int_equal(IOServiceAddMatchingNotification(port, kIOFirstMatchNotification,
							  IOServiceMatching("TestDriver"),
							  on_match, &first, &first_it),
			 kIOReturnSuccess);
	assert_int_equal(IOServiceAddMatchingNotification(port, kIOTerminatedNotification,
							  IOServiceMatching("TestDriver"),
							  on_match, &gone, &gone_it),
			 kIOReturnSuccess);
	on_match(&first, first_it);   /* drain (nothing yet) to arm */
	on_match(&gone, gone_it);
	assert_int_equal(first.n, 0);
	fds = iok_test_fd_baseline(host);

	/* iokitctl load */
	assert_int_equal(IOKitLinuxLoadDriver(TESTDRIVER_PATH), kIOReturnSuccess);
	assert_int_equal(IOKitLinuxLoadDriver(TESTDRIVER_PATH), kIOReturnExclusiveAccess);
	assert_true(driver_listed(TESTDRIVER_ID));
	assert_true(pump(port) >= 1);
	assert_int_equal(first.n, 1);
	assert_true(IOObjectConformsTo(first.services[0], "TestDriver"));

	/* use it, with calls in flight on another thread */
	assert_int_equal(IOServiceOpen(first.services[0], mach_task_self(), 0, &caller.conn),
			 kIOReturnSuccess);
	assert_int_equal(IOServiceAddInterestNotification(port, first.services[0],
							  kIOGeneralInterest, on_interest,
							  &interest, &interest_note),
			 kIOReturnSuccess);
	/* and a stream: the monitor queue mapped, timer events every 200 µs */
	dq_port = IODataQueueAllocateNotificationPort();
	assert_int_equal(IOConnectSetNotificationPort(caller.conn, QUEUETYPE_MONITOR, dq_port, 0),
			 kIOReturnSuccess);
	assert_int_equal(IOConnectMapMemory64(caller.conn, kTestMonitorQueueMemoryType,
					      mach_task_self(), &qaddr, &qsize, kIOMapAnywhere),
			 kIOReturnSuccess);
	assert_int_equal(IOConnectCallScalarMethod(caller.conn, kTestSetEventInterval,
						   (uint64_t[]){ 200 }, 1, NULL, NULL),
			 kIOReturnSuccess);
	assert_int_equal(IODataQueueWaitForAvailableData((IODataQueueMemory *)qaddr, dq_port),
			 kIOReturnSuccess);
	assert_int_equal(pthread_create(&th, NULL, call_loop, &caller), 0);
	while (__atomic_load_n(&caller.ok, __ATOMIC_RELAXED) < 100)
		usleep(1000);

	/* iokitctl unload */
	assert_int_equal(IOKitLinuxUnloadDriver(TESTDRIVER_ID), kIOReturnSuccess);
	assert_int_equal(IOKitLinuxUnloadDriver(TESTDRIVER_ID), kIOReturnNotFound);
	while (__atomic_load_n(&caller.not_attached, __ATOMIC_RELAXED) < 10)
		usleep(1000);
	__atomic_store_n(&caller.stop, 1, __ATOMIC_RELEASE);
	pthread_join(th, NULL);
	assert_int_equal(caller.other, 0);   /* every call answered: success or not attached */
	assert_true(caller.ok >= 100);

	/* the stream stopped; what it queued is still mapped and readable */
	{
		IODataQueueMemory *q = (IODataQueueMemory *)qaddr;
		uint32_t got = 0, tail;
		TestMessage m;
		uint32_t sz = sizeof(m);

		while (IODataQueueDequeue(q, &m, &sz) == kIOReturnSuccess) {
			assert_int_equal(m.type, kTestMessageTimer);
			got++;
			sz = sizeof(m);
		}
		assert_true(got > 0);
		tail = __atomic_load_n(&q->tail, __ATOMIC_ACQUIRE);
		usleep(20000);   /* 100 intervals: no event may come */
		assert_int_equal(__atomic_load_n(&q->tail, __ATOMIC_ACQUIRE), tail);
	}

	/* the interest message and the terminated notification arrive */
	for (int i = 0; i < 3 && (!interest.terminated || !gone.n); i++)
		pump(port);
	assert_int_equal(interest.terminated, 1);
	assert_true(IOObjectIsEqualTo(interest.service, first.services[0]));
	assert_int_equal(gone.n, 1);
	assert_true(IOObjectIsEqualTo(gone.services[0], first.services[0]));

	/* the terminated service refuses opens; closing still works */
	{
		io_connect_t c2;

		assert_int_not_equal(IOServiceOpen(first.services[0], mach_task_self(), 0, &c2),
				     kIOReturnSuccess);
	}
	assert_int_equal(IOConnectUnmapMemory64(caller.conn, kTestMonitorQueueMemoryType,
						mach_task_self(), qaddr),
			 kIOReturnSuccess);
	assert_int_equal(IOServiceClose(caller.conn), kIOReturnSuccess);
	mach_port_destroy(mach_task_self(), dq_port);
	IOObjectRelease(interest_note);
	IOObjectRelease(first.services[0]);
	IOObjectRelease(gone.services[0]);
	/* the last instance gone, the module is unloaded (listing reaps it) */
	assert_false(driver_listed(TESTDRIVER_ID));

	/* and can be loaded again: the armed first-match fires again */
	assert_int_equal(IOKitLinuxLoadDriver(TESTDRIVER_PATH), kIOReturnSuccess);
	assert_true(pump(port) >= 1);
	assert_int_equal(first.n, 2);
	IOObjectRelease(first.services[1]);
	assert_int_equal(IOKitLinuxUnloadDriver(TESTDRIVER_ID), kIOReturnSuccess);
	pump(port);
	assert_int_equal(gone.n, 2);
	IOObjectRelease(gone.services[1]);
	assert_false(driver_listed(TESTDRIVER_ID));

	IOObjectRelease(first_it);
	IOObjectRelease(gone_it);
	IONotificationPortDestroy(port);
	/* the host's descriptors are back (the socket of the port included) */
	for (int i = 0; i < 100 && iok_test_fd_count(host) > fds; i++)
		usleep(10000);
	assert_true(iok_test_fd_count(host) <= fds);
}

/* Runs iokitctl with args; returns its exit status, output in out. */
static int iokitctl(const char *args, char *out, size_t len)
{
	char cmd[1024];
	FILE *f;
	size_t n;

	snprintf(cmd, sizeof(cmd), "%s %s 2>&1", IOKITCTL_PATH, args);
	f = popen(cmd, "r");
	assert_non_null(f);
	n = fread(out, 1, len - 1, f);
	out[n] = '\0';
	return WEXITSTATUS(pclose(f));
}

static void test_iokitctl(void **state)
{
	char out[4096];

	assert_int_equal(iokitctl("load " TESTDRIVER_PATH, out, sizeof(out)), 0);
	assert_int_equal(iokitctl("list", out, sizeof(out)), 0);
	assert_non_null(strstr(out, TESTDRIVER_ID));
	assert_non_null(strstr(out, "started"));
	assert_non_null(strstr(out, "org.openiokit.test.UCTestDriver"));
	assert_int_equal(iokitctl("load " TESTDRIVER_PATH, out, sizeof(out)), 1);
	assert_non_null(strstr(out, "load"));
	assert_int_equal(iokitctl("unload " TESTDRIVER_ID, out, sizeof(out)), 0);
	assert_int_equal(iokitctl("list", out, sizeof(out)), 0);
	assert_null(strstr(out, TESTDRIVER_ID));
	assert_int_equal(iokitctl("unload " TESTDRIVER_ID, out, sizeof(out)), 1);
	assert_int_equal(iokitctl("frobnicate", out, sizeof(out)), 2);
}

static void test_load_errors(void **state)
{
	assert_int_equal(IOKitLinuxLoadDriver("/nonexistent/driver.so"), kIOReturnNotFound);
	assert_int_equal(IOKitLinuxLoadDriver(""), kIOReturnBadArgument);
	assert_int_equal(IOKitLinuxUnloadDriver("org.openiokit.NoSuchDriver"), kIOReturnNotFound);
	assert_int_equal(IOKitLinuxUnloadDriver(NULL), kIOReturnBadArgument);
}

/* A released notifier gets no callback. */
static void test_released_notifier_is_quiet(void **state)
{
	IONotificationPortRef port = IONotificationPortCreate(kIOMainPortDefault);
	struct seen s = { 0 };
	io_iterator_t it;

	assert_int_equal(IOServiceAddMatchingNotification(port, kIOFirstMatchNotification,
							  IOServiceMatching("TestDriver"),
							  on_match, &s, &it),
			 kIOReturnSuccess);
	on_match(&s, it);
	assert_int_equal(IOObjectRelease(it), kIOReturnSuccess);
	assert_int_equal(IOKitLinuxLoadDriver(TESTDRIVER_PATH), kIOReturnSuccess);
	pump(port);
	assert_int_equal(s.callbacks, 1);   /* only the manual drain above */
	assert_int_equal(IOKitLinuxUnloadDriver(TESTDRIVER_ID), kIOReturnSuccess);
	IONotificationPortDestroy(port);
}

static void test_bad_notification_arguments(void **state)
{
	IONotificationPortRef port = IONotificationPortCreate(kIOMainPortDefault);
	io_iterator_t it;
	io_object_t note;
	io_service_t s = IOServiceGetMatchingService(kIOMainPortDefault,
						     IOServiceMatching("UCTestService"));

	assert_int_equal(IOServiceAddMatchingNotification(port, "NoSuchNotification",
							  IOServiceMatching("X"), on_match, NULL,
							  &it),
			 kIOReturnUnsupported);
	assert_int_equal(IOServiceAddMatchingNotification(port, kIOMatchedNotification, NULL,
							  on_match, NULL, &it),
			 kIOReturnBadArgument);
	assert_int_equal(IOServiceAddMatchingNotification(NULL, kIOMatchedNotification,
							  IOServiceMatching("X"), on_match, NULL,
							  &it),
			 kIOReturnBadArgument);
	assert_int_equal(IOServiceAddInterestNotification(port, s, "NoSuchInterest", on_interest,
							  NULL, &note),
			 kIOReturnBadArgument);
	assert_int_equal(IOServiceAddInterestNotification(port, 0x12345603, kIOGeneralInterest,
							  on_interest, NULL, &note),
			 MACH_SEND_INVALID_DEST);
	IOObjectRelease(s);
	IONotificationPortDestroy(port);
}

/* ---- async methods --------------------------------------------------------- */

struct completion {
	int n;
	int order[16];
	IOReturn result[16];
	uint32_t nargs[16];
	uint64_t args[16][kMaxAsyncArgs];
};

static void record(void *refcon, IOReturn result, void **args, uint32_t n)
{
	struct completion *c = refcon;
	int k = __atomic_fetch_add(&c->n, 1, __ATOMIC_ACQ_REL);

	if (k >= 16)
		return;
	c->result[k] = result;
	c->nargs[k] = n;
	for (uint32_t i = 0; i < n; i++)
		c->args[k][i] = (uint64_t)(uintptr_t)args[i];
}

static void on_async0(void *refcon, IOReturn result)
{
	record(refcon, result, NULL, 0);
}

static void on_async1(void *refcon, IOReturn result, void *arg0)
{
	record(refcon, result, &arg0, 1);
}

static void on_async2(void *refcon, IOReturn result, void *arg0, void *arg1)
{
	void *a[2] = { arg0, arg1 };

	record(refcon, result, a, 2);
}

static io_connect_t open_uctest(void)
{
	io_service_t s = IOServiceGetMatchingService(kIOMainPortDefault,
						     IOServiceMatching("UCTestService"));
	io_connect_t c;

	assert_int_not_equal(s, IO_OBJECT_NULL);
	assert_int_equal(IOServiceOpen(s, mach_task_self(), 0, &c), kIOReturnSuccess);
	IOObjectRelease(s);
	return c;
}

static kern_return_t hold(io_connect_t c, mach_port_t wake, uint64_t slot, uintptr_t fn,
			  void *refcon)
{
	uint64_t ref[kOSAsyncRef64Count] = { 0, fn, (uintptr_t)refcon };

	return IOConnectCallAsyncScalarMethod(c, kUCTestAsyncHold, wake, ref, kIOAsyncCalloutCount,
					      &slot, 1, NULL, NULL);
}

static kern_return_t complete(io_connect_t c, uint64_t slot, IOReturn result, uint64_t nargs)
{
	uint64_t in[3] = { slot, (uint64_t)(uint32_t)result, nargs };

	return IOConnectCallScalarMethod(c, kUCTestAsyncComplete, in, 3, NULL, NULL);
}

static void test_async_out_of_order(void **state)
{
	IONotificationPortRef port = IONotificationPortCreate(kIOMainPortDefault);
	mach_port_t wake = IONotificationPortGetMachPort(port);
	io_connect_t c = open_uctest();
	struct completion got = { 0 };
	static const uint64_t order[4] = { 2, 0, 3, 1 };
	static const uint64_t nargs[4] = { 0, 1, 2, 5 };   /* by slot */

	/* the callback's shape follows the number of results (0, 1, 2, more) */
	assert_int_equal(hold(c, wake, 0, (uintptr_t)on_async0, &got), kIOReturnSuccess);
	assert_int_equal(hold(c, wake, 1, (uintptr_t)on_async1, &got), kIOReturnSuccess);
	assert_int_equal(hold(c, wake, 2, (uintptr_t)on_async2, &got), kIOReturnSuccess);
	assert_int_equal(hold(c, wake, 3, (uintptr_t)record, &got), kIOReturnSuccess);
	assert_int_equal(hold(c, wake, 3, (uintptr_t)record, &got), kIOReturnBusy);
	for (int i = 0; i < 4; i++)
		assert_int_equal(complete(c, order[i], kIOReturnSuccess + (IOReturn)order[i],
					  nargs[order[i]]),
				 kIOReturnSuccess);
	for (int i = 0; i < 10 && got.n < 4; i++)
		pump(port);
	assert_int_equal(got.n, 4);
	for (int k = 0; k < 4; k++) {
		uint64_t slot = order[k];

		assert_int_equal(got.result[k], (IOReturn)slot);
		assert_int_equal(got.nargs[k], nargs[slot]);
		for (uint32_t i = 0; i < got.nargs[k]; i++)
			assert_int_equal(got.args[k][i], slot * 100 + i);
	}
	/* more than 16 results: the driver gets kIOReturnMessageTooLarge */
	assert_int_equal(hold(c, wake, 4, (uintptr_t)record, &got), kIOReturnSuccess);
	assert_int_equal(complete(c, 4, kIOReturnSuccess, kMaxAsyncArgs + 1),
			 kIOReturnMessageTooLarge);
	assert_int_equal(hold(c, wake, 5, (uintptr_t)record, &got), kIOReturnSuccess);
	assert_int_equal(complete(c, 5, kIOReturnAborted, kMaxAsyncArgs), kIOReturnSuccess);
	pump(port);
	assert_int_equal(got.n, 5);
	assert_int_equal(got.result[4], kIOReturnAborted);
	assert_int_equal(got.nargs[4], kMaxAsyncArgs);
	assert_int_equal(got.args[4][15], 515);

	/* a completion after the client let go of its port is dropped */
	assert_int_equal(hold(c, wake, 6, (uintptr_t)record, &got), kIOReturnSuccess);
	IONotificationPortDestroy(port);
	assert_int_equal(complete(c, 6, kIOReturnSuccess, 1), kIOReturnSuccess);
	assert_int_equal(IOServiceClose(c), kIOReturnSuccess);
}

static void test_async_argument_rules(void **state)
{
	IONotificationPortRef port = IONotificationPortCreate(kIOMainPortDefault);
	mach_port_t wake = IONotificationPortGetMachPort(port);
	io_connect_t c = open_uctest();
	uint64_t ref[9] = { 0 }, in[2] = { 1, 2 }, out[2], slot = 7;
	uint32_t n = 2;

	/* a row without allowAsync */
	assert_int_equal(IOConnectCallAsyncScalarMethod(c, kUCTestCalculate, wake, ref, 3, in, 2,
							out, &n),
			 kIOReturnBadArgument);
	/* MIG's limit of 8 references */
	assert_int_equal(IOConnectCallAsyncScalarMethod(c, kUCTestAsyncHold, wake, ref, 9, &slot,
							1, NULL, NULL),
			 MIG_ARRAY_TOO_LARGE);
	/* a reference array with a count of 0 */
	assert_int_equal(IOConnectCallAsyncScalarMethod(c, kUCTestAsyncHold, wake, ref, 0, &slot,
							1, NULL, NULL),
			 kIOReturnBadArgument);
	/* NULL and 0: the library substitutes one zero element */
	assert_int_equal(IOConnectCallAsyncScalarMethod(c, kUCTestAsyncHold, wake, NULL, 0, &slot,
							1, NULL, NULL),
			 kIOReturnSuccess);
	/* a wake port that is not ours */
	assert_int_equal(IOConnectCallAsyncScalarMethod(c, kUCTestAsyncHold, 0x7701, ref, 3,
							&slot, 1, NULL, NULL),
			 MACH_SEND_INVALID_RIGHT);
	/* the sync call still works on the async row's neighbour */
	assert_int_equal(IOConnectCallScalarMethod(c, kUCTestCalculate, in, 2, out, &n),
			 kIOReturnSuccess);
	assert_int_equal(IOServiceClose(c), kIOReturnSuccess);
	IONotificationPortDestroy(port);
}

/* The callback thread: completions run without the program polling. */
static void test_dispatch_queue_thread(void **state)
{
	IONotificationPortRef port = IONotificationPortCreate(kIOMainPortDefault);
	io_connect_t c = open_uctest();
	struct completion got = { 0 };

	IONotificationPortSetDispatchQueue(port, (dispatch_queue_t)(uintptr_t)1);
	for (uint64_t slot = 10; slot < 14; slot++) {
		assert_int_equal(hold(c, IONotificationPortGetMachPort(port), slot,
				      (uintptr_t)on_async1, &got),
				 kIOReturnSuccess);
		assert_int_equal(complete(c, slot, kIOReturnSuccess, 1), kIOReturnSuccess);
	}
	for (int i = 0; i < 500 && __atomic_load_n(&got.n, __ATOMIC_ACQUIRE) < 4; i++)
		usleep(10000);
	assert_int_equal(__atomic_load_n(&got.n, __ATOMIC_ACQUIRE), 4);
	IONotificationPortSetDispatchQueue(port, NULL);
	IONotificationPortDestroy(port);
	assert_int_equal(IOServiceClose(c), kIOReturnSuccess);
}

/* The run-loop source: the callbacks run inside CFRunLoopRunInMode. */
static void test_run_loop_source(void **state)
{
	IONotificationPortRef port = IONotificationPortCreate(kIOMainPortDefault);
	CFRunLoopSourceRef src = IONotificationPortGetRunLoopSource(port);
	io_connect_t c = open_uctest();
	struct completion got = { 0 };

	assert_non_null(src);
	assert_ptr_equal(IONotificationPortGetRunLoopSource(port), src);   /* one per port */
	CFRunLoopAddSource(CFRunLoopGetCurrent(), src, kCFRunLoopDefaultMode);
	assert_true(CFRunLoopContainsSource(CFRunLoopGetCurrent(), src, kCFRunLoopDefaultMode));
	assert_int_equal(CFRunLoopRunInMode(kCFRunLoopDefaultMode, 0.05, true),
			 kCFRunLoopRunTimedOut);
	assert_int_equal(hold(c, IONotificationPortGetMachPort(port), 30, (uintptr_t)on_async1,
			      &got),
			 kIOReturnSuccess);
	assert_int_equal(complete(c, 30, kIOReturnSuccess, 1), kIOReturnSuccess);
	assert_int_equal(CFRunLoopRunInMode(kCFRunLoopDefaultMode, 5, true),
			 kCFRunLoopRunHandledSource);
	assert_int_equal(got.n, 1);
	assert_int_equal(got.args[0][0], 3000);
	CFRunLoopRemoveSource(CFRunLoopGetCurrent(), src, kCFRunLoopDefaultMode);
	IONotificationPortDestroy(port);
	assert_int_equal(IOServiceClose(c), kIOReturnSuccess);
}

/* A plain receive right as the wake port, received with mach_msg. */
static void test_mach_msg_receive(void **state)
{
	union {
		mach_msg_header_t h;
		uint8_t bytes[512];
	} msg;
	io_connect_t c = open_uctest();
	struct completion got = { 0 };
	mach_port_t wake;
	uint32_t type = 0;
	vm_size_t size = 0;
	void *content = NULL;

	assert_int_equal(IOCreateReceivePort(kOSNotificationMessageID, &wake), KERN_SUCCESS);
	assert_int_equal(hold(c, wake, 20, (uintptr_t)on_async2, &got), kIOReturnSuccess);
	assert_int_equal(complete(c, 20, kIOReturnSuccess, 2), kIOReturnSuccess);
	assert_int_equal(mach_msg(&msg.h, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof(msg), wake,
				  5000, MACH_PORT_NULL),
			 MACH_MSG_SUCCESS);
	assert_int_equal(msg.h.msgh_id, kOSNotificationMessageID);
	assert_int_equal(msg.h.msgh_local_port, wake);
	assert_int_equal(OSGetNotificationFromMessage(&msg.h, 0, &type, NULL, &content, &size),
			 kIOReturnSuccess);
	assert_int_equal(type, kIOAsyncCompletionNotificationType);
	assert_int_equal(size, sizeof(IOAsyncCompletionContent) + 2 * sizeof(uint64_t));
	IODispatchCalloutFromMessage(NULL, &msg.h, NULL);
	assert_int_equal(got.n, 1);
	assert_int_equal(got.args[0][1], 2001);
	/* nothing more: a receive times out */
	assert_int_equal(mach_msg(&msg.h, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof(msg), wake,
				  10, MACH_PORT_NULL),
			 MACH_RCV_TIMED_OUT);
	assert_int_equal(IOCreateReceivePort(99, &wake), kIOReturnBadArgument);
	assert_int_equal(mach_port_destroy(mach_task_self(), wake), KERN_SUCCESS);
	assert_int_equal(IOServiceClose(c), kIOReturnSuccess);
}

static natural_t count_names(void)
{
	mach_port_name_array_t names;
	mach_port_type_array_t types;
	natural_t n, nt;

	assert_int_equal(mach_port_names(mach_task_self(), &names, &n, &types, &nt),
			 KERN_SUCCESS);
	assert_int_equal(n, nt);
	vm_deallocate(mach_task_self(), (vm_address_t)names, n * sizeof(*names));
	vm_deallocate(mach_task_self(), (vm_address_t)types, nt * sizeof(*types));
	return n;
}

/* A program counts its port names to check for leaks (issue 10 §4). */
static void test_port_names_count_objects(void **state)
{
	natural_t before = count_names(), during;
	IONotificationPortRef port = IONotificationPortCreate(kIOMainPortDefault);
	io_connect_t c = open_uctest();
	io_iterator_t it;
	struct seen s = { 0 };

	assert_int_equal(IOServiceAddMatchingNotification(port, kIOMatchedNotification,
							  IOServiceMatching("X"), on_match, &s, &it),
			 kIOReturnSuccess);
	during = count_names();
	/* the port (local), its name in the host, the notifier, the connection */
	assert_int_equal(during, before + 4);
	assert_int_equal(IOObjectRelease(it), kIOReturnSuccess);
	assert_int_equal(IOServiceClose(c), kIOReturnSuccess);
	IONotificationPortDestroy(port);
	assert_int_equal(count_names(), before);
}

static void test_quiet_and_busy(void **state)
{
	mach_timespec_t one_second = { 1, 0 };
	uint32_t busy = 99;
	io_service_t s = IOServiceGetMatchingService(kIOMainPortDefault,
						     IOServiceMatching("UCTestService"));

	assert_int_equal(IOKitWaitQuiet(kIOMainPortDefault, NULL), kIOReturnSuccess);
	assert_int_equal(IOKitWaitQuiet(kIOMainPortDefault, &one_second), kIOReturnSuccess);
	assert_int_equal(IOServiceWaitQuiet(s, &one_second), kIOReturnSuccess);
	assert_int_equal(IOKitGetBusyState(kIOMainPortDefault, &busy), kIOReturnSuccess);
	assert_int_equal(busy, 0);
	assert_int_equal(IOServiceGetBusyState(s, &busy), kIOReturnSuccess);
	assert_int_equal(busy, 0);
	assert_int_equal(IOServiceWaitQuiet(0x4321, NULL), MACH_SEND_INVALID_DEST);
	IOObjectRelease(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wait_for_driver_load_and_unload),
		cmocka_unit_test(test_load_errors),
		cmocka_unit_test(test_iokitctl),
		cmocka_unit_test(test_released_notifier_is_quiet),
		cmocka_unit_test(test_bad_notification_arguments),
		cmocka_unit_test(test_async_out_of_order),
		cmocka_unit_test(test_async_argument_rules),
		cmocka_unit_test(test_dispatch_queue_thread),
		cmocka_unit_test(test_mach_msg_receive),
		cmocka_unit_test(test_run_loop_source),
		cmocka_unit_test(test_quiet_and_busy),
		cmocka_unit_test(test_port_names_count_objects),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
