// SPDX-License-Identifier: MIT
/*
 * test_load.c - load on one host (FaultDriver and TestDriver):
 *
 *   1,000 simultaneous connections (raw wire clients in this process, each
 *   a task of its own with a user client open), every one answering a
 *   call while all are held, then all let go;
 *   64 client processes, each with 4 threads calling through their call
 *   channels and one stream of events from TestDriver, all at once, every
 *   answer and every event checked (sequence, content, the driver's
 *   queued + dropped = generated);
 *   a soak of IOK_SOAK_SECONDS (default 20): waves of clients living and
 *   dying (some killed), with the host sampled between waves: its
 *   descriptors and threads back exactly, its heap and memory not growing.
 *
 * IOK_LOAD_CONNECTIONS overrides the 1,000; IOK_TEST_SCALE scales the
 * other loops for the slow builds.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <IOKit/IOKitLib.h>
#include <IOKit/IODataQueueClient.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "host_harness.h"
#include "raw_client.h"
#include "FaultShared.h"
#include "TestDriverShared.h"

#define FAULT_PATH "IOService:/IOResources/" kFaultServiceClass
#define HEAP_SLACK (512 * 1024)

static pid_t host;
static io_connect_t ctl;

static io_service_t find(const char *cls)
{
	return IOServiceGetMatchingService(kIOMainPortDefault, IOServiceMatching(cls));
}

static io_connect_t open_class(const char *cls)
{
	io_service_t s = find(cls);
	io_connect_t c = IO_OBJECT_NULL;

	if (s && IOServiceOpen(s, mach_task_self(), 0, &c))
		c = IO_OBJECT_NULL;
	IOObjectRelease(s);
	return c;
}

static void stats(uint64_t s[kFaultStatCount])
{
	uint32_t n = kFaultStatCount;

	assert_int_equal(IOConnectCallScalarMethod(ctl, kFaultStats, NULL, 0, s, &n), 0);
}

static uint64_t live(const uint64_t *s)
{
	return s[kFaultStatOpens] - s[kFaultStatCloses] - s[kFaultStatDied];
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int setup(void **state)
{
	static const char *const drivers[] = { "FaultDriver.so", "TestDriver.so", NULL };

	uint64_t s[kFaultStatCount];
	uint32_t n = kFaultStatCount;

	/* The host raises its own limit (iokitd does, at start); this
	 * process raises its own after starting it. */
	host = iok_test_host_start(drivers);
	if (host <= 0)
		return -1;
	iok_test_raise_fd_limit();
	ctl = open_class(kFaultServiceClass);
	/* A first call, so that ctl's call channel is in every baseline. */
	return ctl && IOConnectCallScalarMethod(ctl, kFaultStats, NULL, 0, s, &n) == 0 ? 0 : -1;
}

static int teardown(void **state)
{
	IOServiceClose(ctl);
	return iok_test_host_stop(host);
}

/* Waits (up to 60 s) until only ctl is open and every other user client
 * was freed, and the host's descriptors and threads are back. */
static void settle(int fds0, int threads0, uint64_t s[kFaultStatCount])
{
	for (int i = 0; i < 6000; i++) {
		stats(s);
		if (live(s) == 1 && s[kFaultStatFrees] == s[kFaultStatOpens] - 1 &&
		    iok_test_fd_count(host) == fds0 && iok_test_thread_count(host) == threads0)
			break;
		usleep(10000);
	}
	assert_int_equal(s[kFaultStatViolations], 0);
	assert_int_equal(live(s), 1);
	assert_true(s[kFaultStatFrees] == s[kFaultStatOpens] - 1);
	assert_int_equal(iok_test_fd_count(host), fds0);
	assert_int_equal(iok_test_thread_count(host), threads0);
}

/* ---- 1,000 connections ------------------------------------------------------ */

static void test_thousand_connections(void **state)
{
	const char *env = getenv("IOK_LOAD_CONNECTIONS");
	int n = env ? (int)strtol(env, NULL, 10) : 1000;
	int fds0 = iok_test_fd_baseline(host), threads0 = iok_test_thread_count(host);
	uint64_t s0[kFaultStatCount], s[kFaultStatCount];
	int *fd = calloc((size_t)n, sizeof(*fd));
	uint32_t *conn = calloc((size_t)n, sizeof(*conn));
	double t0;

	assert_true(n > 0 && fd && conn);
	stats(s0);
	t0 = now_s();
	for (int i = 0; i < n; i++) {
		fd[i] = raw_connect_open(FAULT_PATH, kFaultOpenNormal, &conn[i]);
		if (fd[i] < 0)
			print_error("connection %d failed\n", i);
		assert_true(fd[i] >= 0);
	}
	/* All held at once: each is a task with its own thread and client. */
	stats(s);
	assert_int_equal(live(s), live(s0) + (uint64_t)n);
	assert_true(iok_test_fd_count(host) >= fds0 + n);
	assert_int_equal(iok_test_thread_count(host), threads0 + n);
	for (int i = 0; i < n; i++) {
		uint64_t in = (uint64_t)i * 7919, out = 0;
		uint32_t k = 1;
		uint8_t blob[256], back[256];
		uint32_t blen = sizeof(back);

		assert_int_equal(raw_call(fd[i], conn[i], kFaultIncrement, &in, 1, &out, &k, NULL, 0,
					  NULL, NULL), 0);
		assert_true(k == 1 && out == in + 1);
		memset(blob, i, sizeof(blob));
		assert_int_equal(raw_call(fd[i], conn[i], kFaultEcho, NULL, 0, NULL, NULL, blob,
					  sizeof(blob), back, &blen), 0);
		assert_true(blen == sizeof(blob) && memcmp(blob, back, blen) == 0);
	}
	fprintf(stderr, "test_load: %d connections opened and called in %.2f s; host RSS %ld KiB\n",
		n, now_s() - t0, iok_test_rss_kib(host));
	/* A connection's name means nothing on another connection. */
	if (n > 1 && conn[0] != conn[1]) {
		uint64_t in = 1, out = 0;
		uint32_t k = 1;
		int ret = raw_call(fd[1], conn[0], kFaultIncrement, &in, 1, &out, &k, NULL, 0, NULL,
				   NULL);

		assert_true(ret != 0 && ret != RAW_GONE);
	}
	for (int i = 0; i < n; i++)
		close(fd[i]);
	settle(fds0, threads0, s);
	assert_int_equal(s[kFaultStatDied] - s0[kFaultStatDied], n);
	free(fd);
	free(conn);
}

/* CPU time (user + system) of process pid, in clock ticks. */
static long cpu_ticks(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long ut = 0, st = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	p = fgets(buf, sizeof(buf), f);
	fclose(f);
	p = p ? strrchr(buf, ')') : NULL;
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut,
			 &st) != 2)
		return -1;
	return (long)(ut + st);
}

/* More connections than the host may hold descriptors: the ones it cannot
 * accept wait (the host does not spin on its listening socket), and are
 * served once others leave. */
static void test_flood_beyond_fd_limit(void **state)
{
	enum { EXTRA = 40 };
	int fds0 = iok_test_fd_baseline(host), threads0 = iok_test_thread_count(host);
	struct rlimit old, low;
	int fd[EXTRA], n = 0;
	uint64_t s[kFaultStatCount];
	long t0, spent;

	assert_int_equal(prlimit(host, RLIMIT_NOFILE, NULL, &old), 0);
	low = (struct rlimit){ (rlim_t)fds0 + 20, old.rlim_max };
	assert_int_equal(prlimit(host, RLIMIT_NOFILE, &low, NULL), 0);
	/* 20 fit; the rest wait in the backlog. */
	for (int i = 0; i < EXTRA; i++)
		if ((fd[n] = raw_connect()) >= 0)
			n++;
	usleep(300000);
	t0 = cpu_ticks(host);
	usleep(1000000);
	spent = cpu_ticks(host) - t0;
	/* Room again: the waiting ones are accepted and served. */
	assert_int_equal(prlimit(host, RLIMIT_NOFILE, &old, NULL), 0);
	assert_int_equal(n, EXTRA);
	/* At most a tenth of a CPU-second in a second of waiting. */
	if (spent > sysconf(_SC_CLK_TCK) / 10)
		print_error("the host spent %ld ticks waiting for descriptors\n", spent);
	assert_true(spent <= sysconf(_SC_CLK_TCK) / 10);
	for (int i = 0; i < n; i++)
		assert_int_equal(raw_hello(fd[i]), 0);
	for (int i = 0; i < n; i++)
		close(fd[i]);
	settle(fds0, threads0, s);
}

/* ---- 64 clients x threads ---------------------------------------------------- */

#define CLIENTS 64
#define THREADS 4

struct caller {
	io_connect_t conn;
	int id, calls;
	int errors;
};

static void *caller_main(void *arg)
{
	struct caller *c = arg;
	uint8_t in[512], out[512];

	for (int i = 0; i < c->calls; i++) {
		uint64_t x = (uint64_t)c->id << 32 | (uint64_t)i, y = 0;
		uint32_t n = 1;
		size_t len = 1 + (size_t)(i * 37 + c->id) % sizeof(in), olen = len;

		if (IOConnectCallScalarMethod(c->conn, kFaultIncrement, &x, 1, &y, &n) || n != 1 ||
		    y != x + 1)
			c->errors++;
		if (i % 4 == 0) {
			memset(in, (int)(x & 0xff), len);
			in[0] = (uint8_t)c->id;
			if (IOConnectCallStructMethod(c->conn, kFaultEcho, in, len, out, &olen) ||
			    olen != len || memcmp(in, out, len))
				c->errors++;
		}
	}
	return NULL;
}

struct stream {
	io_connect_t conn;
	mach_port_t port;
	IODataQueueMemory *q;
	uint64_t received, bad;
	int stop;
};

static void *receive_main(void *arg)
{
	struct stream *st = arg;

	while (!__atomic_load_n(&st->stop, __ATOMIC_ACQUIRE) &&
	       IODataQueueWaitForAvailableData(st->q, st->port) == kIOReturnSuccess) {
		TestMessage m;
		uint32_t n = sizeof(m);

		while (IODataQueueDequeue(st->q, &m, &n) == kIOReturnSuccess) {
			char want[40];

			snprintf(want, sizeof(want), "message %llu",
				 (unsigned long long)st->received);
			if (n != sizeof(m) || m.sequence != st->received ||
			    m.type != kTestMessageGenerated || strcmp(m.text, want))
				st->bad++;
			__atomic_add_fetch(&st->received, 1, __ATOMIC_RELEASE);
			n = sizeof(m);
		}
	}
	return NULL;
}

/* One client process: THREADS callers and a stream, all checked.
 * Exit status 0, or which check failed. */
static int client_main(int id, int go_fd, int res_fd, int calls, int events)
{
	struct caller c[THREADS];
	pthread_t th[THREADS], rth;
	struct stream st = { 0 };
	io_connect_t fault = open_class(kFaultServiceClass);
	mach_vm_address_t addr = 0;
	mach_vm_size_t size = 0;
	uint64_t generated = 0, s[3];
	uint32_t n = 3;
	char go;

	st.conn = open_class(kTestDriverClassName);
	st.port = IODataQueueAllocateNotificationPort();
	if (!fault || !st.conn || !st.port ||
	    IOConnectSetNotificationPort(st.conn, QUEUETYPE_MONITOR, st.port, 0) ||
	    IOConnectMapMemory64(st.conn, kIODefaultMemoryType, mach_task_self(), &addr, &size,
				 kIOMapAnywhere))
		return 2;
	st.q = (IODataQueueMemory *)(uintptr_t)addr;
	if (read(go_fd, &go, 1) != 1)   /* everyone starts together */
		return 3;
	if (pthread_create(&rth, NULL, receive_main, &st))
		return 4;
	for (int i = 0; i < THREADS; i++) {
		c[i] = (struct caller){ .conn = fault, .id = id * THREADS + i, .calls = calls };
		if (pthread_create(&th[i], NULL, caller_main, &c[i]))
			return 4;
	}
	while (generated < (uint64_t)events) {
		uint64_t batch = 256, queued = 0;
		uint32_t k = 1;

		if (IOConnectCallScalarMethod(st.conn, kTestGenerateMessages, &batch, 1, &queued, &k))
			return 5;
		generated += batch;
		if (queued < batch)
			usleep(200);   /* the reader is behind: let it catch up */
	}
	for (int i = 0; i < THREADS; i++) {
		pthread_join(th[i], NULL);
		if (c[i].errors)
			return 6;
	}
	if (IOConnectCallScalarMethod(st.conn, kTestGetStatistics, NULL, 0, s, &n) ||
	    s[1] + s[2] != generated)
		return 7;
	for (int i = 0; i < 2000 && __atomic_load_n(&st.received, __ATOMIC_ACQUIRE) != s[1]; i++)
		usleep(5000);
	__atomic_store_n(&st.stop, 1, __ATOMIC_RELEASE);
	IOServiceClose(st.conn);   /* wakes the reader */
	pthread_join(rth, NULL);
	if (st.received != s[1] || st.bad || s[1] == 0)
		return 8;
	IOServiceClose(fault);
	/* Tell the parent what went through. */
	{
		uint64_t out[2] = { (uint64_t)calls * THREADS * 5 / 4, st.received };

		if (write(res_fd, out, sizeof(out)) != sizeof(out))
			return 9;
	}
	return 0;
}

static void test_64_clients_many_threads(void **state)
{
	int calls = iok_test_rounds(1500), events = iok_test_rounds(20000);
	int fds0 = iok_test_fd_baseline(host), threads0 = iok_test_thread_count(host);
	int go[2], res[2];
	pid_t pid[CLIENTS];
	uint64_t total_calls = 0, total_events = 0, s[kFaultStatCount];
	double t0;

	assert_int_equal(pipe(go), 0);
	assert_int_equal(pipe(res), 0);
	for (int i = 0; i < CLIENTS; i++) {
		pid[i] = fork();
		assert_true(pid[i] >= 0);
		if (pid[i] == 0) {
			close(go[1]);
			close(res[0]);
			_exit(client_main(i, go[0], res[1], calls, events));
		}
	}
	close(go[0]);
	close(res[1]);
	usleep(200000);   /* let them connect and map */
	t0 = now_s();
	for (int i = 0; i < CLIENTS; i++)
		assert_int_equal(write(go[1], "g", 1), 1);
	for (int i = 0; i < CLIENTS; i++) {
		int status;

		assert_int_equal(waitpid(pid[i], &status, 0), pid[i]);
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			print_error("client %d: status 0x%x\n", i, status);
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	t0 = now_s() - t0;
	for (;;) {
		uint64_t r[2];

		if (read(res[0], r, sizeof(r)) != sizeof(r))
			break;
		total_calls += r[0];
		total_events += r[1];
	}
	close(res[0]);
	close(go[1]);
	assert_int_equal(total_calls, (uint64_t)CLIENTS * THREADS * (uint64_t)calls * 5 / 4);
	fprintf(stderr, "test_load: %d clients x %d threads: %llu calls and %llu events checked "
		"in %.2f s\n", CLIENTS, THREADS, (unsigned long long)total_calls,
		(unsigned long long)total_events, t0);
	settle(fds0, threads0, s);
}

/* ---- soak -------------------------------------------------------------------- */

/* A short life: open, calls, out-of-line echo, map, port, close (or not,
 * and be killed).  Exit status 0 when every answer was right. */
static int short_life(int rounds)
{
	static uint8_t in[9000], out[9000];

	for (int r = 0; r < rounds; r++) {
		io_connect_t c = open_class(kFaultServiceClass);
		mach_port_t port = IODataQueueAllocateNotificationPort();
		mach_vm_address_t addr = 0;
		mach_vm_size_t size = 0;
		uint64_t x = (uint64_t)r, y = 0;
		uint32_t n = 1;
		size_t len = r % 2 ? sizeof(in) : 64, olen = len;

		memset(in, r, len);
		if (!c || !port)
			return 2;
		if (IOConnectCallScalarMethod(c, kFaultIncrement, &x, 1, &y, &n) || y != x + 1)
			return 3;
		if (IOConnectCallStructMethod(c, kFaultEcho, in, len, out, &olen) || olen != len ||
		    memcmp(in, out, len))
			return 4;
		if (IOConnectMapMemory64(c, kFaultMemoryShared, mach_task_self(), &addr, &size,
					 kIOMapAnywhere) ||
		    ((uint8_t *)(uintptr_t)addr)[77] != 77 ||
		    IOConnectSetNotificationPort(c, FAULT_PORT_TYPE, port, 0))
			return 5;
		if (r + 1 < rounds) {
			IOServiceClose(c);
			mach_port_destroy(mach_task_self(), port);
		}
	}
	return 0;
}

struct sample {
	int fds, threads;
	long rss;
	uint64_t heap;
};

static void test_soak(void **state)
{
	const char *env = getenv("IOK_SOAK_SECONDS");
	double secs = env ? strtod(env, NULL) : 20, t0 = now_s(), elapsed;
	int fds0 = iok_test_fd_baseline(host), threads0 = iok_test_thread_count(host), waves = 0;
	struct sample first = { 0 }, last = { 0 }, worst = { 0 };
	uint64_t s[kFaultStatCount];

	do {
		enum { N = 8 };
		pid_t pid[N];

		for (int i = 0; i < N; i++) {
			pid[i] = fork();
			assert_true(pid[i] >= 0);
			if (pid[i] == 0)
				_exit(short_life(5));
		}
		for (int i = 0; i < N; i++) {
			int status;

			if (i % 3 == 0) {   /* some die at a random moment */
				usleep((useconds_t)(rand() % 20000));
				kill(pid[i], SIGKILL);
			}
			assert_int_equal(waitpid(pid[i], &status, 0), pid[i]);
			assert_true((WIFEXITED(status) && WEXITSTATUS(status) == 0) ||
				    (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL));
		}
		waves++;
		if (waves % 10 == 0) {   /* between waves: the host at rest */
			struct sample now;

			settle(fds0, threads0, s);
			now = (struct sample){ iok_test_fd_count(host), iok_test_thread_count(host),
					       iok_test_rss_kib(host), s[kFaultStatHeapBytes] };
			if (waves == 20)   /* after warm-up */
				first = worst = now;
			if (waves > 20) {
				if (now.rss > worst.rss)
					worst.rss = now.rss;
				if (now.heap > worst.heap)
					worst.heap = now.heap;
			}
			last = now;
		}
		elapsed = now_s() - t0;
	} while (elapsed < secs || waves < 30);
	fprintf(stderr, "test_soak: %d waves of 8 clients in %.1f s; host heap %llu -> %llu "
		"(max %llu) bytes, RSS %ld -> %ld (max %ld) KiB, fds %d, threads %d\n", waves,
		elapsed, (unsigned long long)first.heap, (unsigned long long)last.heap,
		(unsigned long long)worst.heap, first.rss, last.rss, worst.rss, last.fds,
		last.threads);
	assert_int_equal(last.fds, fds0);
	assert_int_equal(last.threads, threads0);
	assert_true(worst.heap <= first.heap + HEAP_SLACK);
#ifndef IOK_SANITIZED
	if (!iok_test_valgrind())
		assert_true(worst.rss <= first.rss + 4096);
#endif
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_thousand_connections),
		cmocka_unit_test(test_flood_beyond_fd_limit),
		cmocka_unit_test(test_64_clients_many_threads),
		cmocka_unit_test(test_soak),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
