// SPDX-License-Identifier: MIT
/*
 * bench_queue - the data queue next to the raw mechanisms beneath it, in
 * one run:
 *
 *   throughput of 64-byte and 1 KiB messages from a driver to a client
 *   through IOSharedDataQueue / IODataQueueDequeue (every message checked
 *   for sequence and content), next to a raw shared-memory SPSC ring, a
 *   pipe and a socketpair carrying the same messages between two
 *   processes;
 *   the latency from enqueue to the client's wakeup when the client was
 *   idle, next to a raw eventfd wakeup between two processes;
 *   how queue throughput scales with capacity, 4 KiB to 16 MiB.
 *
 *   bench_queue [--json PATH] [--quick]
 */
#include <IOKit/IOKitLib.h>
#include <IOKit/IODataQueueClient.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench_util.h"
#include "host_harness.h"
#include "QueueBenchShared.h"

static size_t scale = 1;

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#endif
}

/* ---- messages ----------------------------------------------------------- */

static void fill(uint8_t *m, uint64_t i, size_t size)
{
	uint64_t h = i * 0x9E3779B97F4A7C15ull;

	memcpy(m, &i, 8);
	memcpy(m + 8, &h, 8);
	memset(m + 16, (int)(i & 0xff), size - 16);
}

static bool check(const uint8_t *m, uint64_t want, size_t size)
{
	uint64_t i, h;

	memcpy(&i, m, 8);
	memcpy(&h, m + 8, 8);
	return i == want && h == want * 0x9E3779B97F4A7C15ull && m[16] == (uint8_t)want &&
	       m[size - 1] == (uint8_t)want;
}

static void die(const char *what)
{
	fprintf(stderr, "bench_queue: %s\n", what);
	exit(1);
}

/* ---- raw mechanisms ------------------------------------------------------ */

struct ring {
	uint64_t head;          /* consumer */
	uint64_t pad0[7];
	uint64_t tail;          /* producer */
	uint64_t pad1[7];
	uint8_t data[];
};

/* A fixed-record SPSC ring in shared memory between two processes. */
static double raw_ring(size_t n, size_t size, size_t cap)
{
	size_t slots = cap / size;
	struct ring *r = mmap(NULL, sizeof(*r) + slots * size, PROT_READ | PROT_WRITE,
			      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	uint64_t t0;
	pid_t child;

	if (r == MAP_FAILED)
		die("mmap");
	memset(r, 0, sizeof(*r));
	child = fork();
	if (child == 0) {
		for (uint64_t i = 0; i < n; i++) {
			while (i - __atomic_load_n(&r->head, __ATOMIC_ACQUIRE) >= slots)
				cpu_relax();
			fill(r->data + (i % slots) * size, i, size);
			__atomic_store_n(&r->tail, i + 1, __ATOMIC_RELEASE);
		}
		_exit(0);
	}
	t0 = bench_now_ns();
	for (uint64_t i = 0; i < n; i++) {
		while (__atomic_load_n(&r->tail, __ATOMIC_ACQUIRE) == i)
			cpu_relax();
		if (!check(r->data + (i % slots) * size, i, size))
			die("ring: bad message");
		__atomic_store_n(&r->head, i + 1, __ATOMIC_RELEASE);
	}
	t0 = bench_now_ns() - t0;
	waitpid(child, NULL, 0);
	munmap(r, sizeof(*r) + slots * size);
	return (double)n / ((double)t0 / 1e9);
}

/* Messages over a pipe (stream: read exactly size bytes) or a
 * SOCK_SEQPACKET socketpair (one message per datagram). */
static double raw_fd(size_t n, size_t size, bool socket)
{
	int fds[2];
	uint8_t *m = malloc(size);
	uint64_t t0;
	pid_t child;

	if (socket ? socketpair(AF_UNIX, SOCK_SEQPACKET, 0, fds) : pipe(fds))
		die("pipe");
	child = fork();
	if (child == 0) {
		close(fds[0]);
		for (uint64_t i = 0; i < n; i++) {
			fill(m, i, size);
			if (write(fds[1], m, size) != (ssize_t)size)
				_exit(1);
		}
		_exit(0);
	}
	close(fds[1]);
	t0 = bench_now_ns();
	for (uint64_t i = 0; i < n; i++) {
		size_t got = 0;

		while (got < size) {
			ssize_t k = read(fds[0], m + got, size - got);

			if (k <= 0)
				die("read");
			got += (size_t)k;
		}
		if (!check(m, i, size))
			die("pipe: bad message");
	}
	t0 = bench_now_ns() - t0;
	close(fds[0]);
	waitpid(child, NULL, 0);
	free(m);
	return (double)n / ((double)t0 / 1e9);
}

/* Wakeup latency of a blocked reader on an eventfd, between processes. */
static void raw_eventfd_wakeup(struct bench_series *s, size_t n)
{
	uint64_t *stamp = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	int efd = eventfd(0, EFD_CLOEXEC);
	pid_t child = fork();
	uint64_t v;

	if (child == 0) {
		for (size_t i = 0; i < n; i++) {
			usleep(300);
			__atomic_store_n(stamp, bench_now_ns(), __ATOMIC_RELEASE);
			v = 1;
			if (write(efd, &v, sizeof(v)) != sizeof(v))
				_exit(1);
		}
		_exit(0);
	}
	for (size_t i = 0; i < n; i++) {
		if (read(efd, &v, sizeof(v)) != sizeof(v))
			die("eventfd");
		bench_series_add(s, (double)(bench_now_ns() - __atomic_load_n(stamp, __ATOMIC_ACQUIRE)));
	}
	waitpid(child, NULL, 0);
	close(efd);
	munmap(stamp, 4096);
}

/* ---- the data queue -------------------------------------------------------- */

struct client {
	io_connect_t conn;
	mach_port_t port;
	IODataQueueMemory *q;
	mach_vm_size_t size;
};

static void client_map(struct client *c, uint64_t capacity)
{
	uint64_t in[3] = { capacity, 0, 0 };
	mach_vm_address_t addr = 0;

	if (c->q)
		IOConnectUnmapMemory64(c->conn, 0, mach_task_self(), (mach_vm_address_t)(uintptr_t)c->q);
	if (IOConnectCallScalarMethod(c->conn, kQueueBenchConfigure, in, 3, NULL, NULL))
		die("configure");
	if (IOConnectMapMemory64(c->conn, 0, mach_task_self(), &addr, &c->size, kIOMapAnywhere))
		die("map");
	c->q = (IODataQueueMemory *)(uintptr_t)addr;
}

static double queue_throughput(struct client *c, size_t n, size_t size)
{
	uint64_t in[2] = { n, size };
	uint8_t *m = malloc(size);
	uint64_t t0 = bench_now_ns();

	if (IOConnectCallScalarMethod(c->conn, kQueueBenchStart, in, 2, NULL, NULL))
		die("start");
	for (uint64_t i = 0; i < n;) {
		uint32_t got = (uint32_t)size;
		IOReturn r = IODataQueueDequeue(c->q, m, &got);

		if (r == kIOReturnUnderrun) {
			if (IODataQueueWaitForAvailableData(c->q, c->port) != kIOReturnSuccess)
				die("wait");
			continue;
		}
		if (r != kIOReturnSuccess || got != size || !check(m, i, size))
			die("queue: bad message");
		i++;
	}
	t0 = bench_now_ns() - t0;
	free(m);
	return (double)n / ((double)t0 / 1e9);
}

/* The client sleeps in IODataQueueWaitForAvailableData while a timer in
 * the driver enqueues stamped messages at an interval; latency is the time
 * from the driver's stamp to the client's wakeup. */
static void queue_wakeup(struct client *c, struct bench_series *s, size_t n)
{
	uint64_t in[2] = { n, 500 };
	uint8_t m[64];

	if (IOConnectCallScalarMethod(c->conn, kQueueBenchPing, in, 2, NULL, NULL))
		die("ping");
	for (size_t i = 0; i < n;) {
		uint32_t got = sizeof(m);
		uint64_t stamp, now;

		if (IODataQueueWaitForAvailableData(c->q, c->port) != kIOReturnSuccess)
			die("wait");
		now = bench_now_ns();
		while (IODataQueueDequeue(c->q, m, &got) == kIOReturnSuccess) {
			memcpy(&stamp, m + 8, 8);
			bench_series_add(s, (double)(now - stamp));
			got = sizeof(m);
			i++;
		}
	}
}

int main(int argc, char **argv)
{
	static const char *const drivers[] = { "QueueBenchDriver.so", NULL };
	static const size_t sizes[] = { 64, 1024 };
	static const uint64_t caps[] = { 4096, 65536, 1 << 20, 16 << 20 };
	const char *json = NULL;
	double q_tp[2], ring_tp[2], pipe_tp[2], sock_tp[2], cap_tp[4];
	struct bench_series wake, raw_wake;
	struct client c = { 0 };
	io_service_t svc;
	pid_t host;
	FILE *f;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json") && i + 1 < argc)
			json = argv[++i];
		else if (!strcmp(argv[i], "--quick"))
			scale = 10;
	}
	host = iok_test_host_start(drivers);
	if (host < 0)
		die("no host");
	svc = IOServiceGetMatchingService(kIOMainPortDefault, IOServiceMatching("QueueBenchService"));
	if (!svc || IOServiceOpen(svc, mach_task_self(), 0, &c.conn))
		die("open");
	c.port = IODataQueueAllocateNotificationPort();
	if (!c.port || IOConnectSetNotificationPort(c.conn, QUEUEBENCH_TYPE, c.port, 0))
		die("port");

	for (int k = 0; k < 2; k++) {
		size_t n = (k ? 1000000 : 4000000) / scale, size = sizes[k];

		client_map(&c, 1 << 20);
		q_tp[k] = queue_throughput(&c, n, size);
		ring_tp[k] = raw_ring(n, size, 1 << 20);
		pipe_tp[k] = raw_fd(n, size, false);
		sock_tp[k] = raw_fd(n, size, true);
	}
	for (int k = 0; k < 4; k++) {
		client_map(&c, caps[k]);
		cap_tp[k] = queue_throughput(&c, 2000000 / scale, 64);
	}
	client_map(&c, 1 << 20);
	bench_series_init(&wake, "data queue: enqueue -> idle client awake", 2000 / scale);
	bench_series_init(&raw_wake, "raw eventfd: write -> idle reader awake", 2000 / scale);
	queue_wakeup(&c, &wake, wake.cap);
	raw_eventfd_wakeup(&raw_wake, raw_wake.cap);
	bench_series_finish(&wake);
	bench_series_finish(&raw_wake);

	printf("\nbench_queue: throughput in million messages per second (every message checked)\n");
	printf("  %-10s %12s %12s %12s %12s\n", "size", "data queue", "raw ring", "pipe", "socketpair");
	for (int k = 0; k < 2; k++)
		printf("  %-10zu %12.2f %12.2f %12.2f %12.2f\n", sizes[k], q_tp[k] / 1e6,
		       ring_tp[k] / 1e6, pipe_tp[k] / 1e6, sock_tp[k] / 1e6);
	printf("\n  scaling, 64-byte messages (Mmsg/s):");
	for (int k = 0; k < 4; k++)
		printf("  %llu KiB: %.2f", (unsigned long long)caps[k] / 1024, cap_tp[k] / 1e6);
	printf("\n\nwakeup latency (µs)\n  %-44s %12s %12s\n", "measurement", "median", "p99");
	bench_print_row(&wake);
	bench_print_row(&raw_wake);
	printf("\ntargets (ratios from this run):\n");
	printf("  64 B: queue / raw ring = %.2f (target >= 0.5) %s; queue / pipe = %.1f (target >= 20) %s\n",
	       q_tp[0] / ring_tp[0], q_tp[0] / ring_tp[0] >= 0.5 ? "met" : "MISSED",
	       q_tp[0] / pipe_tp[0], q_tp[0] / pipe_tp[0] >= 20 ? "met" : "MISSED");
	printf("  1 KiB: queue / raw ring = %.2f, queue / pipe = %.1f\n", q_tp[1] / ring_tp[1],
	       q_tp[1] / pipe_tp[1]);
	printf("  wakeup: queue / raw eventfd = %.2f (target <= 1.3) %s\n",
	       wake.median / raw_wake.median, wake.median / raw_wake.median <= 1.3 ? "met" : "MISSED");

	if (json && (f = fopen(json, "w"))) {
		fprintf(f, "{\n  \"throughput_msgs_per_s\": {\n");
		for (int k = 0; k < 2; k++)
			fprintf(f, "    \"%zu\": {\"queue\": %.0f, \"ring\": %.0f, \"pipe\": %.0f, "
				   "\"socketpair\": %.0f}%s\n", sizes[k], q_tp[k], ring_tp[k],
				pipe_tp[k], sock_tp[k], k ? "" : ",");
		fprintf(f, "  },\n  \"scaling_64B\": {");
		for (int k = 0; k < 4; k++)
			fprintf(f, "\"%llu\": %.0f%s", (unsigned long long)caps[k], cap_tp[k],
				k < 3 ? ", " : "");
		fprintf(f, "},\n  \"wakeup_ns\": {\"queue_median\": %.0f, \"queue_p99\": %.0f, "
			   "\"eventfd_median\": %.0f, \"eventfd_p99\": %.0f}\n}\n",
			wake.median, wake.p99, raw_wake.median, raw_wake.p99);
		fclose(f);
	}
	bench_series_free(&wake);
	bench_series_free(&raw_wake);
	IOServiceClose(c.conn);
	mach_port_destroy(mach_task_self(), c.port);
	IOObjectRelease(svc);
	iok_test_host_stop(host);
	return 0;
}
