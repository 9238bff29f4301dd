// SPDX-License-Identifier: MIT
/*
 * kbench - the kernel host's hot paths next to the raw mechanisms beneath
 * them, measured in one run (in the guest of the kernel test, with
 * kbenchdriver.ko loaded):
 *
 *   a null ioctl on /dev/iokit (IOK_IOC_NULL) next to
 *   IOConnectCallScalarMethod (1 scalar in, 1 out) on KBenchService;
 *   64-byte messages from the driver through the IOSharedDataQueue to
 *   IODataQueueDequeue (every one checked) next to a raw SPSC ring in
 *   shared memory between two processes carrying the same messages.
 *
 * Prints a table and the ratios the targets are stated in (call <= 2 x the
 * null ioctl; queue >= 0.5 x the raw ring).  Exits 0 unless something
 * fails to run: the figures are reported, not judged.
 *
 *   kbench [--quick]
 */
#include <IOKit/IOKitLib.h>
#include <IOKit/IODataQueueClient.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "iok_kdev.h"
#include "iok_wire.h"

#define MSG 64

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void __attribute__((noreturn)) die(const char *what)
{
	fprintf(stderr, "kbench: %s\n", what);
	exit(1);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return v[n / 2];
}

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#endif
}

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

/* ---- round trips: median of the per-call mean over batches ---------------- */

#define BATCH 100

static double null_ioctl(int fd, size_t batches)
{
	double *v = malloc(batches * sizeof(*v));
	double m;

	for (size_t b = 0; b < batches; b++) {
		uint64_t t0 = now_ns();

		for (int i = 0; i < BATCH; i++)
			if (ioctl(fd, IOK_IOC_NULL) != 0)
				die("null ioctl");
		v[b] = (double)(now_ns() - t0) / BATCH;
	}
	m = median(v, batches);
	free(v);
	return m;
}

static double scalar_call(io_connect_t c, size_t batches)
{
	double *v = malloc(batches * sizeof(*v));
	uint64_t x = 0;
	double m;

	for (size_t b = 0; b < batches; b++) {
		uint64_t t0 = now_ns();

		for (int i = 0; i < BATCH; i++) {
			uint64_t out = 0;
			uint32_t n = 1;

			if (IOConnectCallScalarMethod(c, 0, &x, 1, &out, &n) || out != x + 1)
				die("call");
			x = out;
		}
		v[b] = (double)(now_ns() - t0) / BATCH;
	}
	m = median(v, batches);
	free(v);
	return m;
}

/* The same call as raw ioctls on a descriptor of our own: where the time
 * goes (a request refused at once, a call on a name that is not a
 * connection, the call itself without libiokit).  IOK_IOC_CALL answers in
 * place, so each round writes the request's size again. */
static uint32_t raw_op(int fd, uint16_t op, uint32_t obj, const char *str, uint32_t *obj2)
{
	static uint8_t rep[IOK_WIRE_MAX_MSG];
	uint8_t buf[sizeof(struct iok_wire_msg) + 256] = { 0 };
	struct iok_wire_msg *m = (struct iok_wire_msg *)buf;
	uint32_t sl = str ? (uint32_t)strlen(str) + 1 : 0;
	struct iok_kmsg km = { .req = (uintptr_t)m, .rep = (uintptr_t)rep, .rep_cap = sizeof(rep),
			       .fd = -1 };

	m->hdr.size = (uint32_t)sizeof(*m) + sl;
	m->hdr.op = op;
	m->obj = obj;
	m->str_len = sl;
	memcpy(m + 1, str ? str : "", sl);
	km.req_len = m->hdr.size;
	if (ioctl(fd, IOK_IOC_MSG, &km))
		die("raw op");
	*obj2 = ((struct iok_wire_msg *)rep)->obj2 ? ((struct iok_wire_msg *)rep)->obj2
						  : ((struct iok_wire_msg *)rep)->obj;
	return (uint32_t)((struct iok_wire_msg *)rep)->hdr.result;
}

static double raw_call(int fd, uint32_t conn, uint32_t want_conn, uint16_t op, size_t batches)
{
	struct iok_wire_call *c = calloc(1, sizeof(*c) + IOK_WIRE_MAX_INBAND);
	double *v = malloc(batches * sizeof(*v));
	double m;

	for (size_t b = 0; b < batches; b++) {
		uint64_t t0 = now_ns();

		for (int i = 0; i < BATCH; i++) {
			const struct iok_wire_call_reply *r = (const void *)c;
			int rc;

			/* The reply overwrote the request: write it again, as
			 * libiokit does, and check every answer. */
			c->hdr = (struct iok_wire_hdr){ .size = sizeof(*c), .op = op };
			c->conn = conn;
			c->selector = 0;
			c->scalar_in_count = 1;
			c->scalar_out_count = 1;
			c->struct_in_size = c->struct_out_size = 0;
			c->ool_in_offset = c->ool_in_size = c->ool_out_offset = c->ool_out_size = 0;
			c->wake_port = c->async_ref_count = 0;
			c->scalar_in[0] = 41;
			rc = ioctl(fd, IOK_IOC_CALL, c);
			if (op != IOK_OP_CONNECT_CALL ? rc != -1 :
			    rc != 0 || (conn == want_conn ?
						r->hdr.result != 0 || r->scalar_out_count != 1 ||
							r->scalar_out[0] != 42 :
						r->hdr.result != (int32_t)MACH_SEND_INVALID_DEST))
				die("raw call: unexpected answer");
		}
		v[b] = (double)(now_ns() - t0) / BATCH;
	}
	m = median(v, batches);
	free(v);
	free(c);
	return m;
}

/* ---- throughput ---------------------------------------------------------------- */

struct ring {
	uint64_t head;          /* consumer */
	uint64_t pad0[7];
	uint64_t tail;          /* producer */
	uint64_t pad1[7];
	uint8_t data[];
};

/* A fixed-record SPSC ring (1 MiB) in shared memory between two processes. */
static double raw_ring(size_t n)
{
	size_t slots = (1 << 20) / MSG;
	struct ring *r = mmap(NULL, sizeof(*r) + slots * MSG, PROT_READ | PROT_WRITE,
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
			fill(r->data + (i % slots) * MSG, i, MSG);
			__atomic_store_n(&r->tail, i + 1, __ATOMIC_RELEASE);
		}
		_exit(0);
	}
	t0 = now_ns();
	for (uint64_t i = 0; i < n; i++) {
		while (__atomic_load_n(&r->tail, __ATOMIC_ACQUIRE) == i)
			cpu_relax();
		if (!check(r->data + (i % slots) * MSG, i, MSG))
			die("ring: bad message");
		__atomic_store_n(&r->head, i + 1, __ATOMIC_RELEASE);
	}
	t0 = now_ns() - t0;
	waitpid(child, NULL, 0);
	munmap(r, sizeof(*r) + slots * MSG);
	return (double)n / ((double)t0 / 1e9);
}

struct producer {
	io_connect_t c;
	uint64_t n;
	IOReturn ret;
};

static void *produce_main(void *arg)
{
	struct producer *p = arg;
	uint64_t in[2] = { p->n, MSG };

	p->ret = IOConnectCallScalarMethod(p->c, 1, in, 2, NULL, NULL);
	return NULL;
}

/* The driver enqueues (in a second thread's call) while we dequeue. */
static double queue(io_connect_t c, IODataQueueMemory *q, mach_port_t port, size_t n)
{
	struct producer p = { c, n, 0 };
	uint8_t m[MSG];
	pthread_t th;
	uint64_t t0 = now_ns();

	if (pthread_create(&th, NULL, produce_main, &p))
		die("thread");
	for (uint64_t i = 0; i < n;) {
		uint32_t got = MSG;
		IOReturn r = IODataQueueDequeue(q, m, &got);

		if (r == kIOReturnUnderrun) {
			if (IODataQueueWaitForAvailableData(q, port) != kIOReturnSuccess)
				die("wait");
			continue;
		}
		if (r != kIOReturnSuccess || got != MSG || !check(m, i, MSG))
			die("queue: bad message");
		i++;
	}
	t0 = now_ns() - t0;
	pthread_join(th, NULL);
	if (p.ret)
		die("produce");
	return (double)n / ((double)t0 / 1e9);
}

int main(int argc, char **argv)
{
	bool quick = argc > 1 && strcmp(argv[1], "--quick") == 0;
	size_t batches = quick ? 50 : 300, msgs = quick ? 50000 : 300000;
	io_service_t s = IOServiceGetMatchingService(kIOMainPortDefault,
						     IOServiceMatching("KBenchService"));
	mach_port_t port = IODataQueueAllocateNotificationPort();
	mach_vm_address_t addr = 0;
	mach_vm_size_t size = 0;
	double t_null[3], t_call[3], tp_q[3], tp_ring[3], t_inval, t_noconn, t_raw;
	uint32_t svc = 0, conn = 0;
	io_connect_t c = IO_OBJECT_NULL;
	int fd = open(IOK_KDEV_PATH, O_RDWR | O_CLOEXEC);

	if (fd < 0 || !s || IOServiceOpen(s, mach_task_self(), 0, &c))
		die("no KBenchService (is kbenchdriver.ko loaded?)");
	if (IOConnectSetNotificationPort(c, 7, port, 0) ||
	    IOConnectMapMemory64(c, 0, mach_task_self(), &addr, &size, kIOMapAnywhere))
		die("map");
	/* Interleaved rounds: each pair measured under the same conditions;
	 * the median round is reported. */
	for (int k = 0; k < 3; k++) {
		t_null[k] = null_ioctl(fd, batches);
		t_call[k] = scalar_call(c, batches);
		tp_q[k] = queue(c, (IODataQueueMemory *)(uintptr_t)addr, port, msgs);
		tp_ring[k] = raw_ring(msgs);
	}
	if (raw_op(fd, IOK_OP_ENTRY_FROM_PATH, 0, "IOService:/IOResources/KBenchService", &svc) ||
	    raw_op(fd, IOK_OP_SERVICE_OPEN, svc, NULL, &conn))
		die("raw open");
	t_inval = raw_call(fd, conn, conn, IOK_OP_HELLO, batches);
	t_noconn = raw_call(fd, 0x4243, conn, IOK_OP_CONNECT_CALL, batches);
	t_raw = raw_call(fd, conn, conn, IOK_OP_CONNECT_CALL, batches);
	median(t_null, 3);
	median(t_call, 3);
	median(tp_q, 3);
	median(tp_ring, 3);
	printf("kbench (in the guest; medians of 3 rounds)\n");
	printf("  %-44s %12s\n", "round trip", "ns");
	printf("  %-44s %12.0f\n", "null ioctl on /dev/iokit", t_null[1]);
	printf("  %-44s %12.0f\n", "IOConnectCallScalarMethod (1 in, 1 out)", t_call[1]);
	printf("  %-44s %12.0f\n", "  the ioctl refused at once (not a call)", t_inval);
	printf("  %-44s %12.0f\n", "  a call on a name that is no connection", t_noconn);
	printf("  %-44s %12.0f\n", "  the same call as a raw ioctl", t_raw);
	printf("  %-44s %12s\n", "throughput, 64-byte messages", "msg/s");
	printf("  %-44s %12.0f\n", "data queue (driver -> IODataQueueDequeue)", tp_q[1]);
	printf("  %-44s %12.0f\n", "raw mmap'd SPSC ring (process -> process)", tp_ring[1]);
	printf("KBENCH call/null_ioctl = %.2f (target <= 2.0) %s\n", t_call[1] / t_null[1],
	       t_call[1] <= 2 * t_null[1] ? "met" : "MISSED");
	printf("KBENCH queue/raw_ring = %.2f (target >= 0.5) %s\n", tp_q[1] / tp_ring[1],
	       tp_q[1] >= 0.5 * tp_ring[1] ? "met" : "MISSED");
	IOServiceClose(c);
	IOObjectRelease(s);
	close(fd);
	return 0;
}
