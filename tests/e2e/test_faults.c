// SPDX-License-Identifier: MIT
/*
 * test_faults.c - fault injection against one host (FaultDriver and
 * TestDriver), each fault repeated in a loop:
 *
 *   clients killed by SIGKILL mid-open, mid-call with an out-of-line
 *   buffer, holding mappings and a registered port, mid-stream, and at
 *   random moments of a busy life;
 *   clients that stop reading their socket, or their queue, or their port;
 *   a client that closes (or half-closes) its socket with a request in
 *   flight, and one that rewrites its call channel under the host;
 *   notification "ports" that are pipes or blocking eventfds;
 *   a driver whose start fails, user clients whose init or start fails,
 *   methods that return errors.
 *
 * After each: the host still serves everyone else; FaultDriver's books
 * balance (every user client that started saw exactly one clientClose or
 * clientDied, no call after it, and was freed); and the host's
 * descriptors, threads and memfd mappings are exactly back where they
 * started, its heap within a small slack.  Random choices come from
 * IOK_TEST_SEED (printed), so a failing run can be repeated.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <IOKit/IOKitLib.h>
#include <IOKit/IOKitLinux.h>
#include <IOKit/IODataQueueClient.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "host_harness.h"
#include "raw_client.h"
#include "iok_chan.h"
#include "FaultShared.h"
#include "TestDriverShared.h"

#define FAULT_PATH "IOService:/IOResources/" kFaultServiceClass
/* Heap the host may keep after a loop beyond its warmed-up baseline
 * (allocator caches: thread-cache bins, arena slack). */
#define HEAP_SLACK (256 * 1024)

static pid_t host;
static io_connect_t ctl;   /* this process's FaultService client: the stats */
static unsigned seed;

struct snap {
	int fds, threads, memfd_maps;
	uint64_t heap;
};
static struct snap base;

/* ---- helpers ---------------------------------------------------------------- */

static unsigned rnd(unsigned n)
{
	seed = seed * 1103515245u + 12345u;
	return n ? (seed >> 8) % n : 0;
}

static io_service_t find(const char *cls)
{
	return IOServiceGetMatchingService(kIOMainPortDefault, IOServiceMatching(cls));
}

static void stats(uint64_t s[kFaultStatCount])
{
	uint32_t n = kFaultStatCount;

	assert_int_equal(IOConnectCallScalarMethod(ctl, kFaultStats, NULL, 0, s, &n), 0);
	assert_int_equal(n, kFaultStatCount);
}

static struct snap snapshot(void)
{
	uint64_t s[kFaultStatCount];

	stats(s);
	return (struct snap){
		.fds = iok_test_fd_count(host),
		.threads = iok_test_thread_count(host),
		.memfd_maps = iok_test_map_count(host, "memfd:"),
		.heap = s[kFaultStatHeapBytes],
	};
}

/* Every user client but ctl finished and freed, and the host's
 * descriptors, threads and memfd mappings back at the baseline. */
static bool quiet(const uint64_t *s, const struct snap *now)
{
	return s[kFaultStatOpens] - s[kFaultStatCloses] - s[kFaultStatDied] == 1 &&
	       s[kFaultStatFrees] == s[kFaultStatOpens] - 1 && now->fds == base.fds &&
	       now->threads == base.threads && now->memfd_maps == base.memfd_maps;
}

/* Waits (up to 30 s) for the host to settle, then checks the books and
 * the resources.  Returns the stats. */
static void settle(uint64_t s[kFaultStatCount])
{
	struct snap now = snapshot();

	stats(s);
	for (int i = 0; i < 3000 && !quiet(s, &now); i++) {
		usleep(10000);
		now = snapshot();
		stats(s);
	}
	if (!quiet(s, &now))
		print_error("not settled: opens %llu closes %llu died %llu frees %llu; fds %d/%d "
			    "threads %d/%d memfd maps %d/%d\n",
			    (unsigned long long)s[kFaultStatOpens],
			    (unsigned long long)s[kFaultStatCloses],
			    (unsigned long long)s[kFaultStatDied],
			    (unsigned long long)s[kFaultStatFrees], now.fds, base.fds, now.threads,
			    base.threads, now.memfd_maps, base.memfd_maps);
	assert_int_equal(s[kFaultStatViolations], 0);
	assert_true(quiet(s, &now));
	fprintf(stderr, "  host heap %+lld bytes from the baseline; maps %d (memfd %d)\n",
		(long long)now.heap - (long long)base.heap, iok_test_map_count(host, NULL), now.memfd_maps);
	assert_true(now.heap <= base.heap + HEAP_SLACK);
}

/* The host still answers another client: a call on ctl and a lookup. */
static void still_served(void)
{
	uint64_t in = 41, out = 0;
	uint32_t n = 1;
	io_service_t s = find(kTestDriverClassName);

	assert_int_not_equal(s, IO_OBJECT_NULL);
	IOObjectRelease(s);
	assert_int_equal(IOConnectCallScalarMethod(ctl, kFaultIncrement, &in, 1, &out, &n), 0);
	assert_true(out == 42);
}

static io_connect_t open_fault(uint32_t type)
{
	io_service_t s = find(kFaultServiceClass);
	io_connect_t c = IO_OBJECT_NULL;
	IOReturn ret;

	if (!s)
		return IO_OBJECT_NULL;
	ret = IOServiceOpen(s, mach_task_self(), type, &c);
	IOObjectRelease(s);
	return ret == kIOReturnSuccess ? c : IO_OBJECT_NULL;
}

static void tell(int w)
{
	if (write(w, "x", 1) != 1)
		_exit(100);
}

/* Forks a child running body(w); waits until it writes a byte to w (when
 * wait_ready).  Returns its pid. */
static pid_t spawn(void (*body)(int w), bool wait_ready)
{
	int p[2];
	pid_t pid;
	char c;

	assert_int_equal(pipe(p), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(p[0]);
		body(p[1]);
		_exit(0);
	}
	close(p[1]);
	if (wait_ready) {
		struct pollfd pf = { .fd = p[0], .events = POLLIN };

		assert_int_equal(poll(&pf, 1, 30000), 1);
		assert_int_equal(read(p[0], &c, 1), 1);
	}
	close(p[0]);
	return pid;
}

/* Kills pid and checks that it was still running (it failed no check). */
static void kill_child(pid_t pid)
{
	int status;

	kill(pid, SIGKILL);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (!(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL))
		print_error("child exited by itself: status 0x%x\n", status);
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
}

/* ---- setup ------------------------------------------------------------------ */

static void warm_up(void);

static int setup(void **state)
{
	static const char *const drivers[] = { "FaultDriver.so", "TestDriver.so", NULL };
	const char *s = getenv("IOK_TEST_SEED");

	seed = s ? (unsigned)strtoul(s, NULL, 0) : (unsigned)time(NULL);
	fprintf(stderr, "test_faults: IOK_TEST_SEED=%u\n", seed);
	host = iok_test_host_start(drivers);
	if (host <= 0)
		return -1;
	ctl = open_fault(kFaultOpenNormal);
	if (!ctl)
		return -1;
	warm_up();
	return 0;
}

static int teardown(void **state)
{
	IOServiceClose(ctl);
	return iok_test_host_stop(host);
}

/* ---- children ------------------------------------------------------------------ */

static void body_mid_open(int w)
{
	tell(w);
	for (;;) {
		io_connect_t c = open_fault(kFaultOpenSlow);

		if (!c)
			_exit(2);
	}
}

static void body_mid_call_ool(int w)
{
	io_connect_t c = open_fault(kFaultOpenNormal);
	size_t len = 64 * 1024, out_len = len;
	uint8_t *in = malloc(len), *out = malloc(len);
	uint64_t us = 300000;

	if (!c || !in || !out)
		_exit(2);
	memset(in, 0x5a, len);
	tell(w);
	for (;;) {
		out_len = len;
		if (IOConnectCallMethod(c, kFaultSlowEcho, &us, 1, in, len, NULL, NULL, out,
					&out_len) ||
		    out_len != len || memcmp(in, out, len))
			_exit(3);
	}
}

static void body_mapped(int w)
{
	io_connect_t a = open_fault(kFaultOpenNormal), b = open_fault(kFaultOpenNormal);
	mach_vm_address_t addr = 0, addr2 = 0;
	mach_vm_size_t size = 0;
	mach_port_t port = IODataQueueAllocateNotificationPort();

	if (!a || !b || !port)
		_exit(2);
	if (IOConnectMapMemory64(a, kFaultMemoryShared, mach_task_self(), &addr, &size,
				 kIOMapAnywhere) ||
	    IOConnectMapMemory64(b, kFaultMemoryShared, mach_task_self(), &addr2, &size,
				 kIOMapAnywhere) ||
	    IOConnectSetNotificationPort(a, FAULT_PORT_TYPE, port, 0))
		_exit(3);
	if (((uint8_t *)(uintptr_t)addr)[300] != (uint8_t)300)
		_exit(4);
	tell(w);
	for (;;)
		pause();
}

/* TestDriver's timer stream, the queue mapped, a port, drained. */
static void body_stream(int w)
{
	io_service_t s = find(kTestDriverClassName);
	io_connect_t c = IO_OBJECT_NULL, f = open_fault(kFaultOpenNormal);
	mach_port_t port = IODataQueueAllocateNotificationPort();
	mach_vm_address_t addr = 0;
	mach_vm_size_t size = 0;
	uint64_t us = 100, next = 0;
	IODataQueueMemory *q;

	if (!s || !f || IOServiceOpen(s, mach_task_self(), 0, &c) ||
	    IOConnectSetNotificationPort(c, QUEUETYPE_MONITOR, port, 0) ||
	    IOConnectMapMemory64(c, kIODefaultMemoryType, mach_task_self(), &addr, &size,
				 kIOMapAnywhere) ||
	    IOConnectCallScalarMethod(c, kTestSetEventInterval, &us, 1, NULL, NULL))
		_exit(2);
	q = (IODataQueueMemory *)(uintptr_t)addr;
	tell(w);
	for (;;) {
		TestMessage m;
		uint32_t n = sizeof(m);

		if (IODataQueueWaitForAvailableData(q, port))
			_exit(3);
		while (IODataQueueDequeue(q, &m, &n) == kIOReturnSuccess) {
			if (n != sizeof(m) || m.sequence != next)
				_exit(4);
			next++;
			n = sizeof(m);
		}
	}
}

/* A busy life: everything, again and again, every answer checked. */
static void body_busy(int w)
{
	static uint8_t in[20000], out[20000];
	io_service_t td = find(kTestDriverClassName);

	for (size_t i = 0; i < sizeof(in); i++)
		in[i] = (uint8_t)(i * 13);
	tell(w);
	for (uint64_t round = 0;; round++) {
		io_connect_t c = open_fault(round % 3 ? kFaultOpenNormal : kFaultOpenSlow), t = 0;
		mach_port_t port = IODataQueueAllocateNotificationPort();
		mach_vm_address_t addr = 0, qaddr = 0;
		mach_vm_size_t size = 0;
		size_t len = round % 2 ? 100 : sizeof(in), olen = len;
		uint64_t x = round, y = 0, gen = 50, queued = 0;
		uint32_t n = 1;

		if (!c || !port || !td)
			_exit(2);
		if (IOConnectCallScalarMethod(c, kFaultIncrement, &x, 1, &y, &n) || y != x + 1)
			_exit(3);
		if (IOConnectCallStructMethod(c, kFaultEcho, in, len, out, &olen) || olen != len ||
		    memcmp(in, out, len))
			_exit(4);
		if (IOConnectMapMemory64(c, kFaultMemoryShared, mach_task_self(), &addr, &size,
					 kIOMapAnywhere) ||
		    IOConnectSetNotificationPort(c, FAULT_PORT_TYPE, port, 0))
			_exit(5);
		if (IOServiceOpen(td, mach_task_self(), 0, &t) ||
		    IOConnectSetNotificationPort(t, QUEUETYPE_MONITOR, port, 0) ||
		    IOConnectMapMemory64(t, kIODefaultMemoryType, mach_task_self(), &qaddr, &size,
					 kIOMapAnywhere) ||
		    IOConnectCallScalarMethod(t, kTestGenerateMessages, &gen, 1, &queued, &n) ||
		    queued != gen)
			_exit(6);
		for (uint64_t i = 0; i < queued; i++) {
			TestMessage m;
			uint32_t mn = sizeof(m);

			if (IODataQueueDequeue((IODataQueueMemory *)(uintptr_t)qaddr, &m, &mn) ||
			    m.sequence != i)
				_exit(7);
		}
		if (round % 4 == 0) {   /* sometimes leave them open for the kill */
			IOServiceClose(c);
			IOServiceClose(t);
		}
		mach_port_destroy(mach_task_self(), port);
	}
}

static void warm_up(void)
{
	uint64_t s[kFaultStatCount];
	void (*bodies[])(int) = { body_mid_call_ool, body_mapped, body_stream, body_busy };

	/* Every path once, so that first-use allocations are in the baseline. */
	for (int r = 0; r < 2; r++) {
		for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
			pid_t pid = spawn(bodies[i], true);

			usleep(30000);
			kill_child(pid);
		}
	}
	base = snapshot();
	for (int i = 0; i < 3000; i++) {
		stats(s);
		base = snapshot();
		if (s[kFaultStatOpens] - s[kFaultStatCloses] - s[kFaultStatDied] == 1 &&
		    s[kFaultStatFrees] == s[kFaultStatOpens] - 1)
			break;
		usleep(10000);
	}
	/* Wait for the host's descriptors and threads to stop falling. */
	for (int i = 0; i < 100; i++) {
		struct snap now;

		usleep(20000);
		now = snapshot();
		if (now.fds == base.fds && now.threads == base.threads &&
		    now.memfd_maps == base.memfd_maps)
			break;
		base = now;
	}
}

/* ---- SIGKILL at every stage ----------------------------------------------------- */

static void test_kill_mid_open(void **state)
{
	int rounds = iok_test_rounds(40);
	uint64_t s0[kFaultStatCount], s[kFaultStatCount];

	stats(s0);
	for (int r = 0; r < rounds; r++) {
		pid_t pid = spawn(body_mid_open, true);

		/* Somewhere in the first few opens, each 20 ms in initWithTask. */
		usleep(rnd(3 * FAULT_SLOW_OPEN_US));
		kill_child(pid);
	}
	still_served();
	settle(s);
	/* Opens that completed in the host died with their client. */
	assert_true(s[kFaultStatDied] - s0[kFaultStatDied] ==
		    s[kFaultStatOpens] - s0[kFaultStatOpens]);
}

static void test_kill_mid_call_ool(void **state)
{
	int rounds = iok_test_rounds(30);
	uint64_t s0[kFaultStatCount], s[kFaultStatCount];

	stats(s0);
	for (int r = 0; r < rounds; r++) {
		uint64_t before[kFaultStatCount];
		pid_t pid;

		stats(before);
		pid = spawn(body_mid_call_ool, true);
		/* Kill only once the slow method is running (with the
		 * caller's out-of-line buffers mapped in the host). */
		for (int i = 0; i < 3000; i++) {
			stats(s);
			if (s[kFaultStatCalls] > before[kFaultStatCalls] + 1)
				break;
			usleep(1000);
		}
		assert_true(s[kFaultStatCalls] > before[kFaultStatCalls] + 1);
		usleep(rnd(20000));
		kill_child(pid);
	}
	still_served();
	settle(s);
	assert_int_equal(s[kFaultStatDied] - s0[kFaultStatDied], rounds);
	assert_int_equal(s[kFaultStatOpens] - s0[kFaultStatOpens], rounds);
}

static void test_kill_with_mappings_and_port(void **state)
{
	int rounds = iok_test_rounds(30);
	uint64_t s0[kFaultStatCount], s[kFaultStatCount];

	stats(s0);
	for (int r = 0; r < rounds; r++)
		kill_child(spawn(body_mapped, true));
	still_served();
	settle(s);
	assert_int_equal(s[kFaultStatDied] - s0[kFaultStatDied], 2 * rounds);
	assert_int_equal(s[kFaultStatCloses], s0[kFaultStatCloses]);
}

static uint32_t driver_number(const char *key)
{
	io_service_t s = find(kTestDriverClassName);
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

static void test_kill_mid_stream(void **state)
{
	int rounds = iok_test_rounds(30);
	uint64_t s0[kFaultStatCount], s[kFaultStatCount];

	stats(s0);
	for (int r = 0; r < rounds; r++) {
		pid_t pid = spawn(body_stream, true);

		usleep(rnd(20000));
		kill_child(pid);
	}
	for (int i = 0; i < 1000 && (driver_number("TestActiveClients") ||
				     driver_number("TestTimersRunning")); i++)
		usleep(10000);
	assert_int_equal(driver_number("TestActiveClients"), 0);
	assert_int_equal(driver_number("TestTimersRunning"), 0);
	still_served();
	settle(s);
	assert_int_equal(s[kFaultStatDied] - s0[kFaultStatDied], rounds);
}

static void test_kill_at_random(void **state)
{
	int rounds = iok_test_rounds(60);
	uint64_t s[kFaultStatCount];

	for (int r = 0; r < rounds; r++) {
		pid_t pid = spawn(body_busy, true);

		usleep(rnd(80000));
		kill_child(pid);
	}
	for (int i = 0; i < 1000 && driver_number("TestActiveClients"); i++)
		usleep(10000);
	assert_int_equal(driver_number("TestActiveClients"), 0);
	still_served();
	settle(s);
}

/* ---- clients that stop reading ------------------------------------------------- */

/* Requests keep coming, replies are never read: the host's thread for this
 * client blocks sending, nobody else notices, and closing frees it. */
static void test_stop_reading_socket(void **state)
{
	uint64_t s0[kFaultStatCount], s[kFaultStatCount];
	uint32_t conn;
	int fd = raw_connect_open(FAULT_PATH, kFaultOpenNormal, &conn), sent = 0;
	struct iok_wire_msg m = { .hdr = { .size = sizeof(m), .op = IOK_OP_HELLO },
				  .value = IOK_WIRE_VERSION };

	assert_true(fd >= 0);
	stats(s0);
	for (int i = 0; i < 100000; i++) {
		if (send(fd, &m, sizeof(m), MSG_DONTWAIT | MSG_NOSIGNAL) != sizeof(m)) {
			assert_true(errno == EAGAIN || errno == EWOULDBLOCK);
			break;
		}
		sent++;
	}
	assert_true(sent > 0 && sent < 100000);   /* the socket filled up */
	for (int i = 0; i < 20; i++)
		still_served();
	close(fd);
	settle(s);
	assert_int_equal(s[kFaultStatDied] - s0[kFaultStatDied], 1);
}

struct reader {
	io_connect_t conn;
	mach_port_t port;
	IODataQueueMemory *q;
	uint64_t received, bad;
	int stop;
};

static void *reader_main(void *arg)
{
	struct reader *r = arg;

	while (!__atomic_load_n(&r->stop, __ATOMIC_ACQUIRE) &&
	       IODataQueueWaitForAvailableData(r->q, r->port) == kIOReturnSuccess) {
		TestMessage m;
		uint32_t n = sizeof(m);

		while (IODataQueueDequeue(r->q, &m, &n) == kIOReturnSuccess) {
			if (n != sizeof(m) || m.sequence != r->received || m.text[39])
				r->bad++;
			__atomic_add_fetch(&r->received, 1, __ATOMIC_RELEASE);
			n = sizeof(m);
		}
	}
	return NULL;
}

static io_connect_t open_stream(mach_port_t *port, IODataQueueMemory **q)
{
	io_service_t s = find(kTestDriverClassName);
	io_connect_t c = IO_OBJECT_NULL;
	mach_vm_address_t addr = 0;
	mach_vm_size_t size = 0;

	assert_int_equal(IOServiceOpen(s, mach_task_self(), 0, &c), 0);
	IOObjectRelease(s);
	*port = IODataQueueAllocateNotificationPort();
	assert_int_equal(IOConnectSetNotificationPort(c, QUEUETYPE_MONITOR, *port, 0), 0);
	assert_int_equal(IOConnectMapMemory64(c, kIODefaultMemoryType, mach_task_self(), &addr,
					      &size, kIOMapAnywhere), 0);
	*q = (IODataQueueMemory *)(uintptr_t)addr;
	return c;
}

/* One client's queue is never read: its events are dropped and counted;
 * a second client streaming at the same time gets every event, in order. */
static void test_stop_reading_queue(void **state)
{
	struct reader r = { 0 };
	mach_port_t idle_port;
	IODataQueueMemory *idle_q;
	io_connect_t idle = open_stream(&idle_port, &idle_q);
	uint64_t us = 50, zero = 0, st[3], st_idle[3], burst = 2 * kTestMonitorQueueEntries, queued;
	uint32_t n = 1;
	pthread_t th;

	r.conn = open_stream(&r.port, &r.q);
	assert_int_equal(pthread_create(&th, NULL, reader_main, &r), 0);
	assert_int_equal(IOConnectCallScalarMethod(idle, kTestSetEventInterval, &us, 1, NULL, NULL),
			 0);
	assert_int_equal(IOConnectCallScalarMethod(r.conn, kTestSetEventInterval, &us, 1, NULL,
						   NULL), 0);
	/* More than the idle queue holds, at once, and the timer on top. */
	assert_int_equal(IOConnectCallScalarMethod(idle, kTestGenerateMessages, &burst, 1, &queued,
						   &n), 0);
	assert_true(queued < burst);
	usleep(iok_test_valgrind() ? 3000000 : 600000);
	n = 3;
	assert_int_equal(IOConnectCallScalarMethod(idle, kTestSetEventInterval, &zero, 1, NULL,
						   NULL), 0);
	assert_int_equal(IOConnectCallScalarMethod(r.conn, kTestSetEventInterval, &zero, 1, NULL,
						   NULL), 0);
	assert_int_equal(IOConnectCallScalarMethod(idle, kTestGetStatistics, NULL, 0, st_idle, &n),
			 0);
	n = 3;
	assert_int_equal(IOConnectCallScalarMethod(r.conn, kTestGetStatistics, NULL, 0, st, &n), 0);
	/* The idle queue filled and then dropped; nothing was lost silently. */
	assert_true(st_idle[1] >= queued && st_idle[1] <= kTestMonitorQueueEntries + 1);
	assert_true(st_idle[2] >= burst - queued);
	for (int i = 0; i < 1000 && __atomic_load_n(&r.received, __ATOMIC_ACQUIRE) != st[1]; i++)
		usleep(5000);
	assert_true(r.received == st[1] && r.bad == 0 && st[1] > 0);
	__atomic_store_n(&r.stop, 1, __ATOMIC_RELEASE);
	IOServiceClose(r.conn);   /* ends the reader's wait */
	pthread_join(th, NULL);
	IOServiceClose(idle);
	mach_port_destroy(mach_task_self(), r.port);
	mach_port_destroy(mach_task_self(), idle_port);
	still_served();
}

/* A port that is never read: a driver signalling it a million times
 * neither blocks nor grows anything. */
static void test_stop_reading_port(void **state)
{
	io_connect_t c = open_fault(kFaultOpenNormal);
	mach_port_t port = IODataQueueAllocateNotificationPort();
	uint64_t n = 1000000, s[kFaultStatCount];

	assert_int_not_equal(c, IO_OBJECT_NULL);
	assert_int_equal(IOConnectSetNotificationPort(c, FAULT_PORT_TYPE, port, 0), 0);
	if (iok_test_valgrind())
		n = 20000;
	assert_int_equal(IOConnectCallScalarMethod(c, kFaultSignal, &n, 1, NULL, NULL), 0);
	still_served();
	IOServiceClose(c);
	mach_port_destroy(mach_task_self(), port);
	settle(s);
}

/* ---- sockets closed with a request in flight ------------------------------------- */

static void test_close_with_call_in_flight(void **state)
{
	int rounds = iok_test_rounds(20);
	uint64_t s0[kFaultStatCount], s[kFaultStatCount];

	stats(s0);
	for (int r = 0; r < rounds; r++) {
		uint32_t conn;
		int fd = raw_connect_open(FAULT_PATH, kFaultOpenNormal, &conn);
		uint64_t us = 20000;
		uint8_t blob[1000];

		assert_true(fd >= 0);
		memset(blob, r, sizeof(blob));
		assert_int_equal(raw_call_send(fd, conn, kFaultSlowEcho, &us, 1, blob, sizeof(blob)),
				 0);
		if (r & 1) {
			/* Half-closed: the host still answers what it got. */
			uint8_t rep[IOK_WIRE_MAX_MSG];

			shutdown(fd, SHUT_WR);
			assert_true(recv(fd, rep, sizeof(rep), 0) >=
				    (ssize_t)sizeof(struct iok_wire_call_reply));
			assert_int_equal(((struct iok_wire_call_reply *)rep)->hdr.result, 0);
		}
		close(fd);
	}
	still_served();
	settle(s);
	assert_int_equal(s[kFaultStatDied] - s0[kFaultStatDied], rounds);
}

/* A message that says it is longer than it is, on a connection holding a
 * user client: the connection ends, the client dies once. */
static void test_truncated_message(void **state)
{
	uint64_t s0[kFaultStatCount], s[kFaultStatCount];
	uint32_t conn;
	int fd = raw_connect_open(FAULT_PATH, kFaultOpenNormal, &conn);
	uint8_t junk[8] = { 0 };

	assert_true(fd >= 0);
	stats(s0);
	/* Fewer bytes than a header: not answerable, the host hangs up. */
	assert_int_equal(send(fd, junk, sizeof(junk), MSG_NOSIGNAL), (ssize_t)sizeof(junk));
	assert_true(recv(fd, junk, sizeof(junk), 0) <= 0);
	close(fd);
	settle(s);
	assert_int_equal(s[kFaultStatDied] - s0[kFaultStatDied], 1);
}

/* ---- a call channel rewritten under the host ------------------------------------ */

static int make_memfd(size_t size, bool seal)
{
	int fd = memfd_create("hostile", MFD_CLOEXEC | MFD_ALLOW_SEALING);

	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)size), 0);
	if (seal)
		assert_int_equal(fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK), 0);
	return fd;
}

struct scribbler {
	uint8_t *req;
	int stop;
};

static void *scribble_main(void *arg)
{
	struct scribbler *sc = arg;
	unsigned x = 1;

	while (!__atomic_load_n(&sc->stop, __ATOMIC_RELAXED)) {
		x = x * 1103515245u + 12345u;
		/* Everything but the size and op (bytes 0-5): a bad size or op
		 * ends the channel at once (tested on its own below), which
		 * would leave nothing to race with. */
		__atomic_store_n(&sc->req[6 + (x >> 8) % 506], (uint8_t)(x >> 24), __ATOMIC_RELAXED);
	}
	return NULL;
}

static void test_channel_rewritten(void **state)
{
	uint64_t s0[kFaultStatCount], s[kFaultStatCount];
	struct iok_wire_msg m = { .hdr = { .op = IOK_OP_CHANNEL_OPEN } };
	struct scribbler sc = { 0 };
	struct iok_chan_ctl *ctl_page;
	uint32_t conn, seq = 0;
	int fd = raw_connect_open(FAULT_PATH, kFaultOpenNormal, &conn), mfd, answered = 0;
	uint8_t *page;
	pthread_t th;

	assert_true(fd >= 0);
	stats(s0);
	/* Memory the host must refuse: not sealed, too small, not a memfd. */
	mfd = make_memfd(IOK_CHAN_SIZE, false);
	assert_int_equal(raw_rpc(fd, &m, NULL, NULL, 0, mfd, NULL, NULL), kIOReturnBadArgument);
	close(mfd);
	mfd = make_memfd(4096, true);
	assert_int_equal(raw_rpc(fd, &m, NULL, NULL, 0, mfd, NULL, NULL), kIOReturnBadArgument);
	close(mfd);
	assert_int_equal(raw_rpc(fd, &m, NULL, NULL, 0, 0 /* stdin */, NULL, NULL),
			 kIOReturnBadArgument);
	/* A real channel, then rewritten while the host reads it. */
	mfd = make_memfd(IOK_CHAN_SIZE, true);
	page = mmap(NULL, IOK_CHAN_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
	assert_true(page != MAP_FAILED);
	ctl_page = (struct iok_chan_ctl *)page;
	ctl_page->magic = IOK_CHAN_MAGIC;
	ctl_page->version = IOK_CHAN_VERSION;
	assert_int_equal(raw_rpc(fd, &m, NULL, NULL, 0, mfd, NULL, NULL), 0);
	close(mfd);
	sc.req = page + IOK_CHAN_REQ_OFF;
	assert_int_equal(pthread_create(&th, NULL, scribble_main, &sc), 0);
	for (int i = 0; i < iok_test_rounds(2000) &&
			!__atomic_load_n(&ctl_page->host_gone, __ATOMIC_ACQUIRE); i++) {
		struct iok_wire_call c = {
			.hdr = { .size = sizeof(c), .op = IOK_OP_CONNECT_CALL },
			.conn = conn, .selector = kFaultIncrement,
			.scalar_in_count = 1, .scalar_out_count = 1,
			.scalar_in = { (uint64_t)i },
		};

		/* A valid request, which the scribbler is busy corrupting (byte
		 * by byte, atomically: the race is the point, not a bug). */
		for (size_t b = 0; b < sizeof(c); b++)
			__atomic_store_n(page + IOK_CHAN_REQ_OFF + b, ((uint8_t *)&c)[b],
					 __ATOMIC_RELAXED);
		__atomic_store_n(&ctl_page->req_seq, ++seq, __ATOMIC_SEQ_CST);
		syscall(SYS_futex, &ctl_page->req_seq, 1 /* FUTEX_WAKE */, 1, NULL, NULL, 0);
		for (int spin = 0; spin < 200000; spin++) {
			if (__atomic_load_n(&ctl_page->rep_seq, __ATOMIC_ACQUIRE) == seq ||
			    __atomic_load_n(&ctl_page->host_gone, __ATOMIC_ACQUIRE))
				break;
			if (spin > 1000)
				usleep(50);
		}
		answered += __atomic_load_n(&ctl_page->rep_seq, __ATOMIC_ACQUIRE) == seq;
	}
	__atomic_store_n(&sc.stop, 1, __ATOMIC_RELAXED);
	pthread_join(th, NULL);
	assert_true(answered > 0);
	/* A request the host cannot accept ends the channel, not the client. */
	((struct iok_wire_hdr *)(page + IOK_CHAN_REQ_OFF))->size = 3;
	__atomic_store_n(&ctl_page->req_seq, ++seq, __ATOMIC_SEQ_CST);
	syscall(SYS_futex, &ctl_page->req_seq, 1, 1, NULL, NULL, 0);
	for (int i = 0; i < 3000 && !__atomic_load_n(&ctl_page->host_gone, __ATOMIC_ACQUIRE); i++)
		usleep(1000);
	assert_true(__atomic_load_n(&ctl_page->host_gone, __ATOMIC_ACQUIRE));
	assert_int_equal(raw_hello(fd), 0);
	{
		uint64_t in = 7, out = 0;
		uint32_t n = 1;

		assert_int_equal(raw_call(fd, conn, kFaultIncrement, &in, 1, &out, &n, NULL, 0, NULL,
					  NULL), 0);
		assert_true(out == 8);
	}
	munmap(page, IOK_CHAN_SIZE);
	close(fd);
	still_served();
	settle(s);
	assert_int_equal(s[kFaultStatDied] - s0[kFaultStatDied], 1);
}

/* ---- notification ports that could block the host -------------------------------- */

static int set_port(int fd, uint32_t conn, int port_fd)
{
	struct iok_wire_msg m = { .hdr = { .op = IOK_OP_CONNECT_SET_PORT }, .obj = conn,
				  .type = FAULT_PORT_TYPE };

	return raw_rpc(fd, &m, NULL, NULL, 0, port_fd, NULL, NULL);
}

/* Signalling must never block a driver: a pipe is no port, and an
 * eventfd whose counter is full (or that the client made blocking) is
 * not waited on. */
static void test_hostile_ports(void **state)
{
	uint64_t s0[kFaultStatCount], s[kFaultStatCount];
	uint64_t n = 20000, full = 0xfffffffffffffffeull;
	uint32_t conn;
	int fd = raw_connect_open(FAULT_PATH, kFaultOpenNormal, &conn), p[2], efd;

	assert_true(fd >= 0);
	stats(s0);
	/* A pipe nobody reads fills after 8192 signals. */
	assert_int_equal(pipe(p), 0);
	assert_int_not_equal(set_port(fd, conn, p[1]), kIOReturnSuccess);
	close(p[1]);
	close(p[0]);
	/* A blocking eventfd with its counter at the maximum. */
	efd = eventfd(0, EFD_CLOEXEC);
	assert_int_equal(write(efd, &full, sizeof(full)), (ssize_t)sizeof(full));
	assert_int_equal(set_port(fd, conn, efd), kIOReturnSuccess);
	assert_int_equal(raw_call(fd, conn, kFaultSignal, &n, 1, NULL, NULL, NULL, 0, NULL, NULL),
			 0);
	/* Made blocking again behind the host's back. */
	assert_int_equal(fcntl(efd, F_SETFL, 0), 0);
	assert_int_equal(raw_call(fd, conn, kFaultSignal, &n, 1, NULL, NULL, NULL, 0, NULL, NULL),
			 0);
	still_served();
	close(fd);   /* the host lets go of the port: that must not block either */
	settle(s);
	assert_int_equal(s[kFaultStatDied] - s0[kFaultStatDied], 1);
	close(efd);
}

/* ---- failing drivers ------------------------------------------------------------ */

static void test_driver_start_fails(void **state)
{
	uint64_t s[kFaultStatCount];
	io_service_t fallback = find(kFaultFallbackServiceClass);

	/* The better driver's start failed; matching fell back. */
	assert_int_equal(find(kFaultFailingServiceClass), IO_OBJECT_NULL);
	assert_int_not_equal(fallback, IO_OBJECT_NULL);
	IOObjectRelease(fallback);
	stats(s);
	assert_int_equal(s[kFaultStatFailedStarts], 1);
	still_served();
}

static void test_user_client_open_fails(void **state)
{
	uint64_t s0[kFaultStatCount], s[kFaultStatCount];
	io_service_t svc = find(kFaultServiceClass);
	int rounds = iok_test_rounds(200);

	stats(s0);
	for (int i = 0; i < rounds; i++) {
		io_connect_t c = 5;

		assert_int_equal(IOServiceOpen(svc, mach_task_self(), kFaultOpenInitFails, &c),
				 kIOReturnBadArgument);
		assert_int_equal(c, IO_OBJECT_NULL);
		assert_int_equal(IOServiceOpen(svc, mach_task_self(), kFaultOpenStartFails, &c),
				 kIOReturnUnsupported);
	}
	IOObjectRelease(svc);
	settle(s);
	assert_int_equal(s[kFaultStatOpens], s0[kFaultStatOpens]);
}

static void test_methods_return_errors(void **state)
{
	static const IOReturn codes[] = { kIOReturnError, kIOReturnNoMemory, kIOReturnBadArgument,
					  kIOReturnNotPrivileged, kIOReturnAborted,
					  kIOReturnDeviceError, (IOReturn)0x12345678 };
	io_connect_t c = open_fault(kFaultOpenNormal);
	uint64_t s[kFaultStatCount];
	int rounds = iok_test_rounds(300);

	assert_int_not_equal(c, IO_OBJECT_NULL);
	for (int i = 0; i < rounds; i++) {
		IOReturn want = codes[i % (int)(sizeof(codes) / sizeof(codes[0]))];
		uint64_t in = (uint64_t)(uint32_t)want, out = 77, x = (uint64_t)i, y = 0;
		uint32_t n = 1;

		assert_int_equal(IOConnectCallScalarMethod(c, kFaultReturn, &in, 1, &out, &n), want);
		assert_true(out == 77 && n == 1);   /* no output on failure */
		assert_int_equal(IOConnectCallScalarMethod(c, kFaultIncrement, &x, 1, &y, &n), 0);
		assert_true(y == x + 1);
	}
	IOServiceClose(c);
	settle(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_driver_start_fails),
		cmocka_unit_test(test_kill_mid_open),
		cmocka_unit_test(test_kill_mid_call_ool),
		cmocka_unit_test(test_kill_with_mappings_and_port),
		cmocka_unit_test(test_kill_mid_stream),
		cmocka_unit_test(test_kill_at_random),
		cmocka_unit_test(test_stop_reading_socket),
		cmocka_unit_test(test_stop_reading_queue),
		cmocka_unit_test(test_stop_reading_port),
		cmocka_unit_test(test_close_with_call_in_flight),
		cmocka_unit_test(test_truncated_message),
		cmocka_unit_test(test_channel_rewritten),
		cmocka_unit_test(test_hostile_ports),
		cmocka_unit_test(test_user_client_open_fails),
		cmocka_unit_test(test_methods_return_errors),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
