// SPDX-License-Identifier: MIT
/*
 * test_connect.c - phases 2-4 of the call flow against a private iokitd
 * with UCTestDriver: opening, every call shape and Apple's code for every
 * bad shape, the inband/out-of-line boundaries, privilege and exclusive
 * open, clientClose once, clientDied on SIGKILL (with the host's
 * descriptors and memory back where they started), and many threads
 * calling at once.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <IOKit/IOKitLib.h>
#include <mach/mach.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "host_harness.h"
#include "UCTestShared.h"

static pid_t host;

static int setup(void **state)
{
	static const char *const drivers[] = { "UCTestDriver.so", NULL };
	static const char *const extra[] = { "--socket-mode", "0666", NULL };

	setenv("IOKIT_ENTITLEMENTS", "org.openiokit.other," UCTEST_ENTITLEMENT, 1);
	host = iok_test_host_start_ex(drivers, extra);
	unsetenv("IOKIT_ENTITLEMENTS");
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

static io_connect_t open_test(void)
{
	io_service_t s = find("UCTestService");
	io_connect_t c = IO_OBJECT_NULL;

	assert_int_equal(IOServiceOpen(s, mach_task_self(), 0, &c), kIOReturnSuccess);
	assert_int_not_equal(c, IO_OBJECT_NULL);
	IOObjectRelease(s);
	return c;
}

static uint32_t service_count(const char *key)
{
	io_service_t s = find("UCTestService");
	CFStringRef k = CFStringCreateWithCString(NULL, key, kCFStringEncodingUTF8);
	CFTypeRef v = IORegistryEntryCreateCFProperty(s, k, NULL, 0);
	uint32_t n = 0;

	assert_non_null(v);
	CFNumberGetValue(v, kCFNumberSInt32Type, &n);
	CFRelease(v);
	CFRelease(k);
	IOObjectRelease(s);
	return n;
}

/* ---- opening ------------------------------------------------------------- */

static void test_open_and_registry(void **state)
{
	io_connect_t c = open_test();
	io_service_t svc = IO_OBJECT_NULL, again;
	io_name_t cls;
	CFTypeRef creator;
	char buf[128], want[128];

	assert_int_equal(IOObjectGetClass(c, cls), kIOReturnSuccess);
	assert_string_equal(cls, "UCTestUserClient");
	assert_true(IOObjectConformsTo(c, "IOUserClient"));
	creator = IORegistryEntryCreateCFProperty(c, CFSTR(kIOUserClientCreatorKey), NULL, 0);
	assert_non_null(creator);
	assert_true(CFStringGetCString(creator, buf, sizeof(buf), kCFStringEncodingUTF8));
	snprintf(want, sizeof(want), "pid %d, ", (int)getpid());
	assert_memory_equal(buf, want, strlen(want));
	CFRelease(creator);
	/* The user client sits under its provider. */
	assert_int_equal(IORegistryEntryGetParentEntry(c, kIOServicePlane, &again), 0);
	assert_int_equal(IOConnectGetService(c, &svc), kIOReturnSuccess);
	assert_true(IOObjectIsEqualTo(svc, again));
	IOObjectRelease(again);
	IOObjectRelease(svc);
	assert_int_equal(IOServiceClose(c), kIOReturnSuccess);
}

static void test_open_errors(void **state)
{
	io_service_t s = find("UCTestService");
	io_registry_entry_t root = IORegistryGetRootEntry(kIOMainPortDefault);
	io_service_t res = find("IOResources");
	io_connect_t c = 77;

	assert_int_equal(IOServiceOpen(s, 0x4321, 0, &c), kIOReturnBadArgument);
	assert_int_equal(c, IO_OBJECT_NULL);
	assert_int_equal(IOServiceOpen(s, mach_task_self(), 0, NULL), kIOReturnBadArgument);
	/* Root is no IOService; IOResources refuses user clients. */
	assert_int_equal(IOServiceOpen(root, mach_task_self(), 0, &c), kIOReturnBadArgument);
	assert_int_equal(IOServiceOpen(res, mach_task_self(), 0, &c), kIOReturnUnsupported);
	assert_int_equal(IOServiceOpen(0x5555, mach_task_self(), 0, &c), MACH_SEND_INVALID_DEST);
	IOObjectRelease(res);
	IOObjectRelease(root);
	IOObjectRelease(s);
}

/* ---- calls ---------------------------------------------------------------- */

static void test_scalar_call(void **state)
{
	io_connect_t c = open_test();
	uint64_t in[2] = { 0xffffffffffffffffull, 3 }, out[2] = { 9, 9 };
	uint32_t n = 2;

	assert_int_equal(IOConnectCallScalarMethod(c, kUCTestCalculate, in, 2, out, &n), 0);
	assert_int_equal(n, 2);
	assert_true(out[0] == 2);                        /* wraps */
	assert_true(out[1] == 0xfffffffffffffffdull);
	for (uint64_t i = 0; i < 1000; i++) {
		uint64_t xy[2] = { i, i + 7 };

		n = 2;
		assert_int_equal(IOConnectCallScalarMethod(c, kUCTestCalculate, xy, 2, out, &n), 0);
		assert_true(out[0] == 2 * i + 7 && out[1] == i * (i + 7));
	}
	IOServiceClose(c);
}

static void test_dispatch_rules(void **state)
{
	io_connect_t c = open_test();
	uint64_t in[17] = { 1, 2, 3 }, out[17];
	uint8_t s16[UCTEST_FIXED_SIZE] = { 1, 2, 3 }, o16[UCTEST_FIXED_SIZE + 1];
	size_t osz;
	uint32_t n;

	/* Wrong scalar input count, wrong output capacity. */
	n = 2;
	assert_int_equal(IOConnectCallScalarMethod(c, kUCTestCalculate, in, 1, out, &n),
			 kIOReturnBadArgument);
	n = 3;
	assert_int_equal(IOConnectCallScalarMethod(c, kUCTestCalculate, in, 2, out, &n),
			 kIOReturnBadArgument);
	assert_int_equal(n, 3);   /* untouched on failure */
	/* Fixed struct sizes: exact equality both ways. */
	osz = UCTEST_FIXED_SIZE;
	assert_int_equal(IOConnectCallStructMethod(c, kUCTestFixed, s16, sizeof(s16), o16, &osz), 0);
	assert_int_equal(osz, UCTEST_FIXED_SIZE);
	assert_int_equal(o16[0], 0xfe);
	osz = UCTEST_FIXED_SIZE;
	assert_int_equal(IOConnectCallStructMethod(c, kUCTestFixed, s16, 15, o16, &osz),
			 kIOReturnBadArgument);
	osz = UCTEST_FIXED_SIZE + 1;   /* a larger buffer than the table says fails */
	assert_int_equal(IOConnectCallStructMethod(c, kUCTestFixed, s16, sizeof(s16), o16, &osz),
			 kIOReturnBadArgument);
	assert_int_equal(osz, UCTEST_FIXED_SIZE + 1);
	/* Selector out of range; a row without a function. */
	n = 0;
	assert_int_equal(IOConnectCallScalarMethod(c, kUCTestMethodCount, NULL, 0, NULL, &n),
			 kIOReturnBadArgument);
	assert_int_equal(IOConnectCallScalarMethod(c, 0xffffffff, NULL, 0, NULL, NULL),
			 kIOReturnBadArgument);
	assert_int_equal(IOConnectCallScalarMethod(c, kUCTestNoFunction, NULL, 0, NULL, NULL),
			 kIOReturnNoCompletion);
	/* A method's own error comes back, with no outputs. */
	n = 1;
	out[0] = 5;
	assert_int_equal(IOConnectCallScalarMethod(c, kUCTestFail, NULL, 0, out, &n),
			 kIOReturnDeviceError);
	assert_int_equal(n, 1);
	assert_true(out[0] == 5);
	/* Entitlement granted by the host (IOKIT_ENTITLEMENTS). */
	assert_int_equal(IOConnectCallScalarMethod(c, kUCTestEntitled, NULL, 0, NULL, NULL), 0);
	/* Variable scalar counts, up to 16 each way; 17 fails in the stub. */
	n = 16;
	assert_int_equal(IOConnectCallScalarMethod(c, kUCTestScalars, in, 16, out, &n), 0);
	assert_int_equal(n, 16);
	assert_true(out[0] == ~1ull && out[15] == ~0ull);
	n = 16;
	assert_int_equal(IOConnectCallScalarMethod(c, kUCTestScalars, in, 17, out, &n),
			 MIG_ARRAY_TOO_LARGE);
	n = 17;   /* capacity above 16 is capped at 16 */
	assert_int_equal(IOConnectCallScalarMethod(c, kUCTestScalars, in, 3, out, &n), 0);
	assert_int_equal(n, 3);
	/* An invalid connection name. */
	assert_int_equal(IOConnectCallScalarMethod(0x4243, kUCTestCalculate, in, 2, out, &n),
			 MACH_SEND_INVALID_DEST);
	IOServiceClose(c);
}

static void echo(io_connect_t c, size_t in_len, size_t out_cap, size_t expect)
{
	uint8_t *in = malloc(in_len + 1), *out = malloc(out_cap + 1);
	size_t osz = out_cap;

	for (size_t i = 0; i < in_len; i++)
		in[i] = (uint8_t)(i * 31 + in_len);
	memset(out, 0xee, out_cap + 1);
	assert_int_equal(IOConnectCallStructMethod(c, kUCTestEcho, in, in_len, out, &osz), 0);
	assert_int_equal(osz, expect);
	assert_memory_equal(in, out, expect);
	assert_int_equal(out[out_cap], 0xee);
	free(in);
	free(out);
}

static void test_inband_and_ool_boundaries(void **state)
{
	io_connect_t c = open_test();
	static const size_t sizes[] = { 0, 1, 4095, 4096, 4097, 65536, 1 << 20 };
	size_t osz;
	char small[8];

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		for (size_t j = 0; j < sizeof(sizes) / sizeof(sizes[0]); j++)
			echo(c, sizes[i], sizes[j], sizes[i] < sizes[j] ? sizes[i] : sizes[j]);
	/* The method lowers the output count to what it produced. */
	osz = 4096;
	assert_int_equal(IOConnectCallStructMethod(c, kUCTestShrink, NULL, 0, small, &osz), 0);
	assert_int_equal(osz, 2);
	{
		size_t cap = 4097;
		char *big = malloc(cap);

		assert_int_equal(IOConnectCallStructMethod(c, kUCTestShrink, NULL, 0, big, &cap), 0);
		assert_int_equal(cap, 3);
		assert_memory_equal(big, "ool", 3);
		free(big);
	}
	IOServiceClose(c);
}

static void test_set_properties(void **state)
{
	io_connect_t c = open_test();
	int32_t v = 7;
	CFNumberRef n = CFNumberCreate(NULL, kCFNumberSInt32Type, &v);
	CFTypeRef got;

	assert_int_equal(IOConnectSetCFProperty(c, CFSTR("UCTestSetting"), n), kIOReturnSuccess);
	got = IORegistryEntryCreateCFProperty(c, CFSTR("UCTestSetting"), NULL, 0);
	assert_non_null(got);
	assert_true(CFEqual(got, n));
	CFRelease(got);
	assert_int_equal(IOConnectSetCFProperty(c, CFSTR("Other"), n), kIOReturnBadArgument);
	/* Services without setProperties keep Apple's default. */
	{
		io_service_t s = find("UCPrivService");

		assert_int_equal(IORegistryEntrySetCFProperty(s, CFSTR("X"), n),
				 kIOReturnUnsupported);
		IOObjectRelease(s);
	}
	CFRelease(n);
	IOServiceClose(c);
}

/* A property larger than one message comes back whole (out of line). */
static void test_big_property(void **state)
{
	io_service_t s = find("UCTestService");
	CFMutableDictionaryRef props = NULL;
	CFTypeRef v = IORegistryEntryCreateCFProperty(s, CFSTR("UCTestBigBlob"), NULL, 0);
	const uint8_t *p;

	assert_non_null(v);
	assert_int_equal(CFDataGetLength(v), UCTEST_BIG_BLOB_SIZE);
	p = CFDataGetBytePtr(v);
	for (size_t i = 0; i < UCTEST_BIG_BLOB_SIZE; i += 4093)
		assert_int_equal(p[i], (uint8_t)(i * 7));
	CFRelease(v);
	assert_int_equal(IORegistryEntryCreateCFProperties(s, &props, NULL, 0), kIOReturnSuccess);
	assert_int_equal(CFDataGetLength(CFDictionaryGetValue(props, CFSTR("UCTestBigBlob"))),
			 UCTEST_BIG_BLOB_SIZE);
	CFRelease(props);
	IOObjectRelease(s);
}

/* ---- closing -------------------------------------------------------------- */

static void test_close_once(void **state)
{
	uint32_t before = service_count("CloseCount");
	io_connect_t c = open_test();
	uint64_t out[2], in[2] = { 1, 2 };
	uint32_t n = 2;

	assert_int_equal(IOConnectAddRef(c), KERN_SUCCESS);   /* two user refs */
	assert_int_equal(IOServiceClose(c), kIOReturnSuccess);
	assert_int_equal(service_count("CloseCount"), before + 1);
	/* The name still exists (one ref left): a second close is harmless,
	 * and calls on the closed client fail. */
	assert_int_equal(IOConnectCallScalarMethod(c, kUCTestCalculate, in, 2, out, &n),
			 kIOReturnNotAttached);
	assert_int_equal(IOServiceClose(c), kIOReturnSuccess);
	assert_int_equal(service_count("CloseCount"), before + 1);
	/* Now the name is gone. */
	assert_int_equal(IOServiceClose(c), MACH_SEND_INVALID_DEST);
	assert_int_equal(service_count("DiedCount"), 0);
}

/* ---- privilege and exclusive open ----------------------------------------- */

static void test_privilege_and_exclusive(void **state)
{
	io_service_t s = find("UCPrivService");
	io_connect_t a = IO_OBJECT_NULL, b = IO_OBJECT_NULL;
	int status;
	pid_t child;

	if (getuid() == 0) {
		assert_int_equal(IOServiceOpen(s, mach_task_self(), 0, &a), kIOReturnSuccess);
		assert_int_equal(IOServiceOpen(s, mach_task_self(), 0, &b), kIOReturnExclusiveAccess);
		assert_int_equal(IOServiceClose(a), kIOReturnSuccess);
		assert_int_equal(IOServiceOpen(s, mach_task_self(), 0, &b), kIOReturnSuccess);
		assert_int_equal(IOServiceClose(b), kIOReturnSuccess);
	}
	/* A caller whose uid is not 0 is refused. */
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		io_service_t cs;
		io_connect_t cc;

		if (getuid() == 0 && (setgid(65534) || setuid(65534)))
			_exit(3);
		cs = IOServiceGetMatchingService(kIOMainPortDefault, IOServiceMatching("UCPrivService"));
		if (!cs)
			_exit(4);
		_exit(IOServiceOpen(cs, mach_task_self(), 0, &cc) == kIOReturnNotPrivileged ? 0 : 5);
	}
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	IOObjectRelease(s);
}

/* ---- death ---------------------------------------------------------------- */

/* A child that opens a connection, makes a call (with an out-of-line
 * buffer when ool), tells the parent, and waits to be killed. */
static pid_t spawn_victim(bool ool)
{
	int p[2];
	pid_t pid;
	char c;

	assert_int_equal(pipe(p), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		io_service_t s = IOServiceGetMatchingService(kIOMainPortDefault,
							     IOServiceMatching("UCTestService"));
		io_connect_t conn;
		static uint8_t buf[1 << 16];
		size_t n = sizeof(buf);

		close(p[0]);
		if (!s || IOServiceOpen(s, mach_task_self(), 0, &conn))
			_exit(1);
		if (ool && IOConnectCallStructMethod(conn, kUCTestEcho, buf, sizeof(buf), buf, &n))
			_exit(2);
		if (write(p[1], "x", 1) != 1)
			_exit(3);
		pause();
		_exit(0);
	}
	close(p[1]);
	assert_int_equal(read(p[0], &c, 1), 1);
	close(p[0]);
	return pid;
}

static void wait_count(const char *key, uint32_t want)
{
	for (int i = 0; i < 500 && service_count(key) < want; i++)
		usleep(10000);
	assert_int_equal(service_count(key), want);
}

static void test_client_died_on_sigkill(void **state)
{
	uint32_t died = service_count("DiedCount");
	int fds0 = -1;
	long rss0 = -1;

	for (int round = 0; round < 60; round++) {
		pid_t v = spawn_victim(round & 1);

		kill(v, SIGKILL);
		waitpid(v, NULL, 0);
		wait_count("DiedCount", ++died);
		if (round == 9) {   /* after warm-up: the host's baseline */
			fds0 = iok_test_fd_count(host);
			rss0 = iok_test_rss_kib(host);
		}
	}
	/* Descriptors exactly back; memory within allocator noise. */
	for (int i = 0; i < 1000 && iok_test_fd_count(host) != fds0; i++)
		usleep(10000);
	assert_int_equal(iok_test_fd_count(host), fds0);
#ifndef IOK_SANITIZED
	if (!iok_test_valgrind())   /* memcheck's own memory grows */
		assert_true(iok_test_rss_kib(host) < rss0 + 2048);
#else
	(void)rss0;
#endif
}

/* ---- concurrency ----------------------------------------------------------- */

struct worker {
	io_connect_t conn;
	int id;
	int errors;
};

static void *worker_main(void *arg)
{
	struct worker *w = arg;

	for (uint64_t i = 0; i < 3000; i++) {
		uint64_t in[2] = { (uint64_t)w->id << 32 | i, i + 1 }, out[2];
		uint32_t n = 2;
		uint8_t b[64], o[64];
		size_t on = sizeof(o);

		if (IOConnectCallScalarMethod(w->conn, kUCTestCalculate, in, 2, out, &n) ||
		    n != 2 || out[0] != in[0] + in[1] || out[1] != in[0] * in[1])
			w->errors++;
		memset(b, (int)(i + (uint64_t)w->id), sizeof(b));
		if (i % 16 == 0 &&
		    (IOConnectCallStructMethod(w->conn, kUCTestEcho, b, sizeof(b), o, &on) ||
		     on != sizeof(b) || memcmp(b, o, sizeof(b))))
			w->errors++;
	}
	return NULL;
}

static void test_many_threads(void **state)
{
	enum { N = 8 };
	io_connect_t shared = open_test(), own = open_test();
	struct worker w[N];
	pthread_t th[N];

	for (int i = 0; i < N; i++) {
		w[i] = (struct worker){ .conn = i & 1 ? own : shared, .id = i };
		assert_int_equal(pthread_create(&th[i], NULL, worker_main, &w[i]), 0);
	}
	for (int i = 0; i < N; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(w[i].errors, 0);
	}
	IOServiceClose(shared);
	IOServiceClose(own);
}

struct one_call {
	io_connect_t conn;
	uint64_t value;
	IOReturn ret;
};

static void *one_call_main(void *arg)
{
	struct one_call *c = arg;
	uint64_t in[2] = { c->value, 1 }, out[2] = { 0, 0 };
	uint32_t n = 2;

	c->ret = IOConnectCallScalarMethod(c->conn, kUCTestCalculate, in, 2, out, &n);
	if (c->ret == kIOReturnSuccess && (n != 2 || out[0] != c->value + 1))
		c->ret = kIOReturnInternalError;
	return NULL;
}

/* Every calling thread gets its own channel in the host (one host thread
 * each, at most 256 at once per connection).  Threads that come and go must
 * give theirs back: the 257th short-lived thread still calls, and the
 * host's threads return to where they were. */
static void test_threads_come_and_go(void **state)
{
	io_connect_t c = open_test();
	int before = iok_test_thread_count(host), after = -1;
	bool kernel = getenv("IOKIT_TEST_KERNEL") != NULL;   /* no host threads */

	assert_true(kernel || before > 0);
	for (int i = 0; i < 400; i++) {
		struct one_call oc = { .conn = c, .value = (uint64_t)i };
		pthread_t th;

		assert_int_equal(pthread_create(&th, NULL, one_call_main, &oc), 0);
		pthread_join(th, NULL);
		if (oc.ret != kIOReturnSuccess)
			fail_msg("thread %d: call returned 0x%x", i, (unsigned)oc.ret);
	}
	/* A retired channel's host thread ends on its own, soon after. */
	for (int tries = 0; !kernel && tries < 500; tries++) {
		after = iok_test_thread_count(host);
		if (after <= before)
			break;
		usleep(10000);
	}
	assert_true(kernel || after <= before);
	IOServiceClose(c);
}

static void *closer(void *arg)
{
	usleep(20000);
	IOServiceClose(*(io_connect_t *)arg);
	return NULL;
}

static void test_close_races_a_call(void **state)
{
	io_connect_t c = open_test();
	uint64_t in = 200000, out = 0;   /* a 200 ms call */
	uint32_t n = 1;
	pthread_t th;
	IOReturn ret;

	IOConnectAddRef(c);   /* keep the name valid for the call */
	assert_int_equal(pthread_create(&th, NULL, closer, &c), 0);
	ret = IOConnectCallScalarMethod(c, kUCTestSleep, &in, 1, &out, &n);
	pthread_join(th, NULL);
	/* The close waited for the running call, which completed. */
	assert_int_equal(ret, kIOReturnSuccess);
	assert_true(out == in);
	IOObjectRelease(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open_and_registry),
		cmocka_unit_test(test_open_errors),
		cmocka_unit_test(test_scalar_call),
		cmocka_unit_test(test_dispatch_rules),
		cmocka_unit_test(test_inband_and_ool_boundaries),
		cmocka_unit_test(test_set_properties),
		cmocka_unit_test(test_big_property),
		cmocka_unit_test(test_close_once),
		cmocka_unit_test(test_privilege_and_exclusive),
		cmocka_unit_test(test_client_died_on_sigkill),
		cmocka_unit_test(test_many_threads),
		cmocka_unit_test(test_threads_come_and_go),
		cmocka_unit_test(test_close_races_a_call),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
