// SPDX-License-Identifier: MIT
/*
 * test_testdriver.c - the guide's TestDriver end to end: every selector
 * with good and bad arguments, the event stream (a million messages with
 * a receive thread, none lost or reordered, the statistics agreeing, and a
 * full queue counted as drops), the timer stream, the privilege refusal,
 * and a client killed mid-stream (its timer stops, nothing leaks).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <IOKit/IOKitLib.h>
#include <IOKit/IODataQueueClient.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "host_harness.h"
#include "TestDriverShared.h"

static pid_t host;

static int start_host(bool require_privilege)
{
	static const char *const drivers[] = { "TestDriver.so", NULL };
	static const char *const extra[] = { "--socket-mode", "0666", NULL };

	if (require_privilege)
		setenv("IOKIT_TEST_REQUIRE_PRIVILEGE", "1", 1);
	host = iok_test_host_start_ex(drivers, extra);
	unsetenv("IOKIT_TEST_REQUIRE_PRIVILEGE");
	return host > 0 ? 0 : -1;
}

static int setup(void **state)
{
	return start_host(false);
}

static int setup_privileged(void **state)
{
	return start_host(true);
}

static int teardown(void **state)
{
	return iok_test_host_stop(host);
}

static io_service_t driver(void)
{
	io_service_t s = IOServiceGetMatchingService(kIOMainPortDefault,
						     IOServiceMatching(kTestDriverClassName));

	assert_int_not_equal(s, IO_OBJECT_NULL);
	return s;
}

static io_connect_t open_driver(void)
{
	io_service_t s = driver();
	io_connect_t c = IO_OBJECT_NULL;

	assert_int_equal(IOServiceOpen(s, mach_task_self(), 0, &c), kIOReturnSuccess);
	IOObjectRelease(s);
	return c;
}

static uint32_t driver_number(const char *key)
{
	io_service_t s = driver();
	CFStringRef k = CFStringCreateWithCString(NULL, key, kCFStringEncodingUTF8);
	CFTypeRef v = IORegistryEntryCreateCFProperty(s, k, NULL, 0);
	uint32_t n = 0xffffffff;

	if (v) {
		CFNumberGetValue(v, kCFNumberSInt32Type, &n);
		CFRelease(v);
	}
	CFRelease(k);
	IOObjectRelease(s);
	return n;
}

/* ---- the queue, mapped ----------------------------------------------------- */

struct stream {
	io_connect_t conn;
	mach_port_t port;
	IODataQueueMemory *q;
	mach_vm_address_t addr;
	pthread_t thread;
	uint64_t received, next, bad;
	int stop;   /* atomic */
};

static void stream_map(struct stream *st, io_connect_t c)
{
	mach_vm_size_t size = 0;

	memset(st, 0, sizeof(*st));
	st->conn = c;
	st->port = IODataQueueAllocateNotificationPort();
	assert_int_not_equal(st->port, MACH_PORT_NULL);
	assert_int_equal(IOConnectSetNotificationPort(c, QUEUETYPE_MONITOR, st->port, 0), 0);
	assert_int_equal(IOConnectMapMemory64(c, kIODefaultMemoryType, mach_task_self(), &st->addr,
					      &size, kIOMapAnywhere), kIOReturnSuccess);
	st->q = (IODataQueueMemory *)(uintptr_t)st->addr;
}

/* Takes every message there is; checks type, sequence and text. */
static void drain(struct stream *st)
{
	TestMessage m;
	uint32_t n = sizeof(m);

	while (IODataQueueDequeue(st->q, &m, &n) == kIOReturnSuccess) {
		if (n != sizeof(m) || m.sequence != st->next || m.text[sizeof(m.text) - 1])
			st->bad++;
		st->next = m.sequence + 1;
		__atomic_add_fetch(&st->received, 1, __ATOMIC_RELEASE);
		n = sizeof(m);
	}
}

static void *receive_main(void *arg)
{
	struct stream *st = arg;

	while (!__atomic_load_n(&st->stop, __ATOMIC_ACQUIRE) &&
	       IODataQueueWaitForAvailableData(st->q, st->port) == kIOReturnSuccess)
		drain(st);
	return NULL;
}

static void stream_unmap(struct stream *st)
{
	assert_int_equal(IOConnectUnmapMemory64(st->conn, kIODefaultMemoryType, mach_task_self(),
						st->addr), kIOReturnSuccess);
	mach_port_destroy(mach_task_self(), st->port);
}

static void stats(io_connect_t c, uint64_t out[3])
{
	uint32_t n = 3;

	assert_int_equal(IOConnectCallScalarMethod(c, kTestGetStatistics, NULL, 0, out, &n), 0);
	assert_int_equal(n, 3);
}

/* ---- selectors -------------------------------------------------------------- */

static void test_selectors(void **state)
{
	io_connect_t c = open_driver();
	uint64_t in[2] = { 0xffffffffffffffffull, 0xffffffffffffffffull }, out[3];
	uint32_t n = 2;
	static const size_t sizes[] = { 0, 1, 4096, 4097, 1 << 20 };

	assert_int_equal(IOConnectCallScalarMethod(c, kTestPerformCalculation, in, 2, out, &n), 0);
	assert_true(out[0] == 0xfffffffffffffffeull && out[1] == 1);   /* wrapping 64-bit */
	n = 2;
	assert_int_equal(IOConnectCallScalarMethod(c, kTestPerformCalculation, in, 1, out, &n),
			 kIOReturnBadArgument);
	n = 1;
	assert_int_equal(IOConnectCallScalarMethod(c, kTestPerformCalculation, in, 2, out, &n),
			 kIOReturnBadArgument);
	assert_int_equal(IOConnectCallScalarMethod(c, kTestMethodCount, NULL, 0, NULL, NULL),
			 kIOReturnBadArgument);
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		uint8_t *a = malloc(sizes[i] + 1), *b = malloc(sizes[i] + 1);
		size_t bs = sizes[i];

		for (size_t j = 0; j < sizes[i]; j++)
			a[j] = (uint8_t)(j ^ i);
		assert_int_equal(IOConnectCallStructMethod(c, kTestEchoStruct, a, sizes[i], b, &bs), 0);
		assert_int_equal(bs, sizes[i]);
		assert_memory_equal(a, b, sizes[i]);
		free(a);
		free(b);
	}
	n = 1;
	assert_int_equal(IOConnectCallScalarMethod(c, kTestSetEventInterval, in, 1, NULL, &n),
			 kIOReturnBadArgument);   /* no scalar out */
	stats(c, out);
	assert_true(out[0] >= 10);   /* every call counted, bad ones included */
	assert_true(out[1] == 0 && out[2] == 0);
	IOServiceClose(c);
}

static void test_stream_and_drops(void **state)
{
	io_connect_t c = open_driver();
	struct stream st;
	uint64_t n, queued = 0, total = 0, s[3];
	uint32_t cnt;

	stream_map(&st, c);
	/* More than the queue holds, nobody reading: the rest is dropped. */
	n = 10000;
	cnt = 1;
	assert_int_equal(IOConnectCallScalarMethod(c, kTestGenerateMessages, &n, 1, &queued, &cnt), 0);
	assert_true(queued > 0 && queued < n);
	stats(c, s);
	assert_true(s[1] == queued && s[2] == n - queued);
	drain(&st);
	assert_true(st.received == queued && st.bad == 0);

	/* A million more, drained by a receive thread while we generate. */
	assert_int_equal(pthread_create(&st.thread, NULL, receive_main, &st), 0);
	for (uint64_t sent = 0; sent < 1000000; sent += 2000) {
		n = 2000;
		cnt = 1;
		assert_int_equal(IOConnectCallScalarMethod(c, kTestGenerateMessages, &n, 1, &queued,
							   &cnt), 0);
		total += queued;
	}
	stats(c, s);
	for (int i = 0; i < 1000 && __atomic_load_n(&st.received, __ATOMIC_ACQUIRE) != s[1]; i++)
		usleep(5000);
	assert_true(st.received == s[1]);
	assert_true(st.bad == 0);
	assert_true(s[1] + s[2] == 1000000 + 10000);   /* queued + dropped = generated */
	assert_true(total <= 1000000 && s[1] >= total);
	__atomic_store_n(&st.stop, 1, __ATOMIC_RELEASE);
	IOServiceClose(c);   /* ends the wait: the port is let go */
	pthread_join(st.thread, NULL);
}

static void test_timer_stream(void **state)
{
	io_connect_t c = open_driver();
	struct stream st;
	uint64_t us = 100, zero = 0, s[3];

	stream_map(&st, c);
	assert_int_equal(pthread_create(&st.thread, NULL, receive_main, &st), 0);
	assert_int_equal(IOConnectCallScalarMethod(c, kTestSetEventInterval, &us, 1, NULL, NULL), 0);
	assert_int_equal(driver_number("TestTimersRunning"), 1);
	usleep(300000);
	assert_int_equal(IOConnectCallScalarMethod(c, kTestSetEventInterval, &zero, 1, NULL, NULL), 0);
	assert_int_equal(driver_number("TestTimersRunning"), 0);
	stats(c, s);
	for (int i = 0; i < 400 && __atomic_load_n(&st.received, __ATOMIC_ACQUIRE) != s[1]; i++)
		usleep(5000);
	assert_true(st.received == s[1] && s[1] > 100 && st.bad == 0);
	__atomic_store_n(&st.stop, 1, __ATOMIC_RELEASE);
	stream_unmap(&st);
	IOServiceClose(c);
	pthread_join(st.thread, NULL);
}

/* A child streams timer events with everything mapped, then is killed. */
static void test_client_killed_mid_stream(void **state)
{
	int fds0 = iok_test_fd_baseline(host);

	for (int round = 0; round < 10; round++) {
		int p[2];
		char ok;
		pid_t child;

		assert_int_equal(pipe(p), 0);
		child = fork();
		assert_true(child >= 0);
		if (child == 0) {
			struct stream st;
			io_connect_t c;
			uint64_t us = 100;

			close(p[0]);
			c = open_driver();
			stream_map(&st, c);
			if (IOConnectCallScalarMethod(c, kTestSetEventInterval, &us, 1, NULL, NULL) ||
			    write(p[1], "x", 1) != 1)
				_exit(1);
			for (;;)
				drain(&st);
		}
		close(p[1]);
		assert_int_equal(read(p[0], &ok, 1), 1);
		close(p[0]);
		usleep(20000);
		assert_true(driver_number("TestTimersRunning") >= 1);
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
		/* clientDied sets the two one after the other (under --isolate
		 * each change reaches the host's registry on its own). */
		for (int i = 0; i < 500 && (driver_number("TestActiveClients") != 0 ||
					    driver_number("TestTimersRunning") != 0); i++)
			usleep(10000);
		assert_int_equal(driver_number("TestActiveClients"), 0);
		assert_int_equal(driver_number("TestTimersRunning"), 0);
	}
	for (int i = 0; i < 1000 && iok_test_fd_count(host) != fds0; i++)
		usleep(10000);
	assert_int_equal(iok_test_fd_count(host), fds0);
}

/* ---- privilege ---------------------------------------------------------------- */

static void test_privilege_refused(void **state)
{
	io_service_t s = driver();
	io_connect_t c;
	int status;
	pid_t child;

	if (getuid() == 0) {
		assert_int_equal(IOServiceOpen(s, mach_task_self(), 0, &c), kIOReturnSuccess);
		IOServiceClose(c);
	}
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		io_service_t cs;

		if (getuid() == 0 && (setgid(65534) || setuid(65534)))
			_exit(3);
		cs = IOServiceGetMatchingService(kIOMainPortDefault,
						 IOServiceMatching(kTestDriverClassName));
		if (!cs)
			_exit(4);
		_exit(IOServiceOpen(cs, mach_task_self(), 0, &c) == kIOReturnNotPrivileged ? 0 : 5);
	}
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	IOObjectRelease(s);
}

/* `e2e_testdriver privileged` runs the privilege group against a host with
 * TestRequirePrivilege set (its own process: a program's connection does
 * not move to a second host). */
int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_selectors),
		cmocka_unit_test(test_stream_and_drops),
		cmocka_unit_test(test_timer_stream),
		cmocka_unit_test(test_client_killed_mid_stream),
	};
	const struct CMUnitTest privileged[] = {
		cmocka_unit_test(test_privilege_refused),
	};
	if (argc > 1 && strcmp(argv[1], "privileged") == 0)
		return cmocka_run_group_tests(privileged, setup_privileged, teardown);
	return cmocka_run_group_tests(tests, setup, teardown);
}
