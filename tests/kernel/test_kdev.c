// SPDX-License-Identifier: MIT
/*
 * test_kdev.c - what only the kernel host has, run in the guest of the
 * kernel test (iokit.ko with testdriver.ko and uctestdriver.ko loaded):
 *
 *   test_kdev          hostile ioctls (every size and pointer wrong, lying
 *                      headers and out-of-line ranges, descriptors that are
 *                      not eventfds), the in-place call ioctl (what it
 *                      answers, what it writes back), hostile shared memory (a client
 *                      scribbling over its mapped queue while the driver
 *                      enqueues; read-only and size limits of mappings),
 *                      and many clients coming and going without a leak;
 *   test_kdev unload   unloading a driver with a client attached: refused
 *                      (EBUSY) and the client still served; once the client
 *                      is gone the driver unloads, its services leave the
 *                      registry, and it loads again.  This process itself
 *                      never opens the device (an open client pins drivers).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <IOKit/IOKitLib.h>
#include <IOKit/IODataQueueClient.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "iok_kdev.h"
#include "iok_wire.h"
#include "TestDriverShared.h"
#include "UCTestShared.h"

static long handles(void)
{
	char buf[32] = "";
	int fd = open("/sys/module/iokit/parameters/handles", O_RDONLY);
	long v = -1;

	if (fd >= 0) {
		if (read(fd, buf, sizeof(buf) - 1) > 0)
			v = strtol(buf, NULL, 10);
		close(fd);
	}
	return v;
}

/* ---- raw messages ---------------------------------------------------------- */

static uint8_t reply[IOK_WIRE_MAX_MSG];

/* Sends len bytes of msg; returns the ioctl's result (0 or -errno) and
 * the reply's IOReturn in *result. */
static int raw(int fd, const void *msg, uint32_t len, int in_fd, int *out_fd, int32_t *result)
{
	struct iok_kmsg km = {
		.req = (uintptr_t)msg, .req_len = len, .rep = (uintptr_t)reply,
		.rep_cap = sizeof(reply), .fd = in_fd,
	};

	if (ioctl(fd, IOK_IOC_MSG, &km) < 0)
		return -errno;
	if (out_fd)
		*out_fd = km.fd;
	else if (km.fd >= 0)
		close(km.fd);
	assert_true(km.rep_len >= sizeof(struct iok_wire_hdr));
	*result = ((struct iok_wire_hdr *)reply)->result;
	return 0;
}

/* A generic message with an optional string. */
static int32_t op(int fd, uint16_t opcode, uint32_t obj, uint32_t type, const char *str,
		  struct iok_wire_msg *out)
{
	uint8_t buf[sizeof(struct iok_wire_msg) + IOK_WIRE_MAX_STR];
	struct iok_wire_msg *m = (struct iok_wire_msg *)buf;
	uint32_t sl = str ? (uint32_t)strlen(str) + 1 : 0;
	int32_t result = -1;

	memset(buf, 0, sizeof(buf));
	m->hdr.size = (uint32_t)sizeof(*m) + sl;
	m->hdr.op = opcode;
	m->obj = obj;
	m->type = type;
	m->str_len = sl;
	if (sl)
		memcpy(m + 1, str, sl);
	assert_int_equal(raw(fd, m, m->hdr.size, -1, NULL, &result), 0);
	if (out)
		memcpy(out, reply, sizeof(*out));
	return result;
}

/* A connection to TestDriver made with raw messages on fd. */
static uint32_t raw_open_testdriver(int fd)
{
	struct iok_wire_msg r;

	assert_int_equal(op(fd, IOK_OP_ENTRY_FROM_PATH, 0, 0, "IOService:/IOResources/TestDriver", &r),
			 0);
	assert_int_not_equal(r.obj, 0);
	assert_int_equal(op(fd, IOK_OP_SERVICE_OPEN, r.obj, 0, NULL, &r), 0);
	assert_int_not_equal(r.obj2, 0);
	return r.obj2;
}

struct call_msg {
	struct iok_wire_call c;
	uint8_t inband[64];
};

static int raw_call(int fd, struct call_msg *m, void *ool, uint64_t ool_size, int32_t *result)
{
	struct iok_kmsg km = {
		.req = (uintptr_t)m, .req_len = m->c.hdr.size, .rep = (uintptr_t)reply,
		.rep_cap = sizeof(reply), .ool = (uintptr_t)ool, .ool_size = ool_size, .fd = -1,
	};

	if (ioctl(fd, IOK_IOC_MSG, &km) < 0)
		return -errno;
	*result = ((struct iok_wire_hdr *)reply)->result;
	return 0;
}

static void echo_msg(struct call_msg *m, uint32_t conn, uint64_t in_off, uint64_t in,
		     uint64_t out_off, uint64_t out)
{
	memset(m, 0, sizeof(*m));
	m->c.hdr.op = IOK_OP_CONNECT_CALL;
	m->c.hdr.size = sizeof(m->c);
	m->c.conn = conn;
	m->c.selector = kTestEchoStruct;
	m->c.ool_in_offset = in_off;
	m->c.ool_in_size = in;
	m->c.ool_out_offset = out_off;
	m->c.ool_out_size = out;
}

static void test_hostile_ioctls(void **state)
{
	long h0 = handles();
	int fd = open(IOK_KDEV_PATH, O_RDWR | O_CLOEXEC), pfd[2], efd_out = -1;
	struct iok_wire_msg m = { .hdr = { .size = sizeof(m), .op = 0x7777 } };
	struct iok_kmsg km;
	struct call_msg cm;
	int32_t result = 0;
	uint32_t conn;
	uint8_t *buf = malloc(1 << 20);

	assert_true(fd >= 0);
	assert_int_equal(handles(), h0 + 1);
	/* Not our ioctl; no argument; sizes out of range; bad pointers. */
	assert_int_equal(ioctl(fd, _IO(IOK_IOC_MAGIC, 99)), -1);
	assert_int_equal(errno, ENOTTY);
	assert_int_equal(ioctl(fd, IOK_IOC_MSG, NULL), -1);
	assert_int_equal(errno, EFAULT);
	assert_int_equal(raw(fd, &m, 3, -1, NULL, &result), -EINVAL);
	assert_int_equal(raw(fd, &m, IOK_WIRE_MAX_MSG + 1, -1, NULL, &result), -EINVAL);
	assert_int_equal(raw(fd, (void *)16, sizeof(m), -1, NULL, &result), -EFAULT);
	km = (struct iok_kmsg){ .req = (uintptr_t)&m, .req_len = sizeof(m), .rep = 16,
				.rep_cap = sizeof(reply), .fd = -1 };
	assert_int_equal(ioctl(fd, IOK_IOC_MSG, &km), -1);
	assert_int_equal(errno, EFAULT);
	km.rep = (uintptr_t)reply;
	km.rep_cap = 10;   /* too small for the reply */
	assert_int_equal(ioctl(fd, IOK_IOC_MSG, &km), -1);
	assert_int_equal(errno, ENOSPC);
	/* A header whose size is not what was sent. */
	m.hdr.size = sizeof(m) + 100;
	assert_int_equal(raw(fd, &m, sizeof(m), -1, NULL, &result), -EINVAL);
	/* Unknown op, lying string length, reserved fields: error replies. */
	m.hdr.size = sizeof(m);
	assert_int_equal(raw(fd, &m, sizeof(m), -1, NULL, &result), 0);
	assert_int_equal(result, kIOReturnUnsupported);
	m.hdr.op = IOK_OP_ENTRY_GET_ID;
	m.str_len = 1000;
	assert_int_equal(raw(fd, &m, sizeof(m), -1, NULL, &result), 0);
	assert_int_equal(result, kIOReturnBadArgument);
	m.str_len = 0;
	m.hdr.result = 5;
	assert_int_equal(raw(fd, &m, sizeof(m), -1, NULL, &result), 0);
	assert_int_equal(result, kIOReturnBadArgument);
	/* Call channels are the socket's: refused. */
	assert_int_equal(op(fd, IOK_OP_CHANNEL_OPEN, 0, 0, NULL, NULL), kIOReturnUnsupported);

	conn = raw_open_testdriver(fd);
	/* A call on a name that is not a connection. */
	echo_msg(&cm, 0x4243, 0, 0, 0, 0);
	assert_int_equal(raw_call(fd, &cm, NULL, 0, &result), 0);
	assert_int_equal(result, MACH_SEND_INVALID_DEST);
	/* Out-of-line ranges outside the buffer, or without one. */
	echo_msg(&cm, conn, 0, 8192, 0, 0);
	assert_int_equal(raw_call(fd, &cm, NULL, 0, &result), 0);
	assert_int_equal(result, kIOReturnIPCError);
	echo_msg(&cm, conn, (1 << 20) - 4096, 8192, 0, 0);
	assert_int_equal(raw_call(fd, &cm, buf, 1 << 20, &result), 0);
	assert_int_equal(result, kIOReturnIPCError);
	echo_msg(&cm, conn, 0xffffffffffff0000ull, 0x20000, 0, 0);
	assert_int_equal(raw_call(fd, &cm, buf, UINT64_MAX, &result), 0);
	assert_int_equal(result, kIOReturnIPCError);
	echo_msg(&cm, conn, 0, (uint64_t)1 << 40, 0, 0);   /* larger than the kernel copies */
	assert_int_equal(raw_call(fd, &cm, buf, UINT64_MAX, &result), 0);
	assert_int_equal(result, kIOReturnIPCError);
	/* The buffer is not mapped: the input cannot be copied. */
	echo_msg(&cm, conn, 0, 8192, 0, 0);
	assert_int_equal(raw_call(fd, &cm, (void *)4096, 1 << 20, &result), 0);
	assert_int_equal(result, kIOReturnIPCError);
	/* Output into read-only memory: the call ran, its output cannot land. */
	{
		uint8_t *ro = mmap(NULL, 1 << 16, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		assert_true(ro != MAP_FAILED);
		echo_msg(&cm, conn, 0, 8192, 8192, 8192);
		assert_int_equal(raw_call(fd, &cm, ro, 1 << 16, &result), -EFAULT);
		echo_msg(&cm, conn, 0, 8192, 8192, 8192);   /* output past the end */
		assert_int_equal(raw_call(fd, &cm, buf, 8192, &result), 0);
		assert_int_equal(result, kIOReturnIPCError);
		munmap(ro, 1 << 16);
	}
	/* A good out-of-line echo through raw messages. */
	for (int i = 0; i < 8192; i++)
		buf[i] = (uint8_t)(i * 3);
	echo_msg(&cm, conn, 0, 8192, 65536, 8192);
	assert_int_equal(raw_call(fd, &cm, buf, 1 << 20, &result), 0);
	assert_int_equal(result, kIOReturnSuccess);
	assert_memory_equal(buf, buf + 65536, 8192);
	/* A notification port that is not an eventfd, or no descriptor. */
	assert_int_equal(pipe(pfd), 0);
	memset(&m, 0, sizeof(m));
	m.hdr = (struct iok_wire_hdr){ .size = sizeof(m), .op = IOK_OP_CONNECT_SET_PORT };
	m.obj = conn;
	m.type = QUEUETYPE_MONITOR;
	assert_int_equal(raw(fd, &m, sizeof(m), pfd[0], NULL, &result), 0);
	assert_int_equal(result, kIOReturnBadArgument);
	assert_int_equal(raw(fd, &m, sizeof(m), 9999, NULL, &result), 0);
	assert_int_equal(result, kIOReturnBadArgument);
	close(pfd[0]);
	close(pfd[1]);
	/* The queue's memory file: shared mappings only, within its size. */
	m.hdr.op = IOK_OP_CONNECT_MAP;
	m.type = kTestMonitorQueueMemoryType;
	assert_int_equal(raw(fd, &m, sizeof(m), -1, &efd_out, &result), 0);
	assert_int_equal(result, kIOReturnSuccess);
	assert_true(efd_out >= 0);
	{
		size_t size = (size_t)((struct iok_wire_msg *)reply)->value;
		size_t pages = (size + 4095) & ~(size_t)4095;
		void *p;

		assert_true(mmap(NULL, pages, PROT_READ, MAP_PRIVATE, efd_out, 0) == MAP_FAILED);
		assert_true(mmap(NULL, pages + 4096, PROT_READ, MAP_SHARED, efd_out, 0) == MAP_FAILED);
		assert_true(mmap(NULL, 4096, PROT_READ, MAP_SHARED, efd_out, (off_t)pages) ==
			    MAP_FAILED);
		p = mmap(NULL, pages, PROT_READ | PROT_WRITE, MAP_SHARED, efd_out, 0);
		assert_true(p != MAP_FAILED);
		/* It cannot grow. */
		assert_true(mremap(p, pages, pages + 4096, 0) == MAP_FAILED);
		munmap(p, pages);
	}
	close(efd_out);
	assert_int_equal(op(fd, IOK_OP_SERVICE_CLOSE, conn, 0, NULL, NULL), 0);
	close(fd);
	free(buf);
	for (int i = 0; i < 200 && handles() != h0; i++)
		usleep(10000);
	assert_int_equal(handles(), h0);
}

/* ---- hostile shared memory ------------------------------------------------------- */

static uint64_t stat_of(io_connect_t c, int i)
{
	uint64_t out[3];
	uint32_t n = 3;

	assert_int_equal(IOConnectCallScalarMethod(c, kTestGetStatistics, NULL, 0, out, &n), 0);
	return out[i];
}

struct scribbler {
	uint32_t *words;
	size_t n;
	int stop;   /* atomic */
};

/* Rewrites random words of the mapped queue until told to stop. */
static void *scribble_main(void *arg)
{
	struct scribbler *sc = arg;
	unsigned seed = 777;

	while (!__atomic_load_n(&sc->stop, __ATOMIC_RELAXED)) {
		seed = seed * 1103515245u + 12345u;
		__atomic_store_n(&sc->words[(seed >> 8) % sc->n], seed, __ATOMIC_RELAXED);
	}
	return NULL;
}

/* IOK_IOC_CALL: the request is the argument, answered in place. */
struct inplace {
	union {
		struct iok_wire_call c;
		struct iok_wire_call_reply r;
	};
	uint8_t inband[IOK_WIRE_MAX_INBAND];
};

static void calc_request(struct inplace *p, uint32_t conn, uint64_t x, uint64_t y)
{
	memset(p, 0xAA, sizeof(*p));   /* what the kernel must not read or write */
	p->c.hdr = (struct iok_wire_hdr){ .size = sizeof(p->c), .op = IOK_OP_CONNECT_CALL };
	p->c.conn = conn;
	p->c.selector = kTestPerformCalculation;
	p->c.scalar_in_count = 2;
	p->c.scalar_out_count = 2;
	p->c.struct_in_size = p->c.struct_out_size = 0;
	p->c.ool_in_offset = p->c.ool_in_size = p->c.ool_out_offset = p->c.ool_out_size = 0;
	p->c.wake_port = p->c.async_ref_count = 0;
	p->c.scalar_in[0] = x;
	p->c.scalar_in[1] = y;
}

static int call_inplace(int fd, void *p)
{
	return ioctl(fd, IOK_IOC_CALL, p) < 0 ? -errno : 0;
}

/* The call is answered (the ioctl succeeds) with the IOReturn want. */
static void answered(int fd, struct inplace *p, int32_t want)
{
	assert_int_equal(call_inplace(fd, p), 0);
	assert_int_equal(p->r.hdr.result, want);
}

static void test_call_ioctl(void **state)
{
	int fd = open(IOK_KDEV_PATH, O_RDWR | O_CLOEXEC);
	struct inplace *p = malloc(sizeof(*p));
	struct inplace *before = malloc(sizeof(*before));
	uint8_t *page;
	uint32_t conn;

	assert_true(fd >= 0 && p && before);
	conn = raw_open_testdriver(fd);
	/* A scalar call: the reply's header, counts and the two scalars are
	 * written, nothing else of the buffer. */
	calc_request(p, conn, 6, 7);
	memcpy(before, p, sizeof(*p));
	answered(fd, p, kIOReturnSuccess);
	assert_int_equal(p->r.hdr.op, IOK_OP_CONNECT_CALL);
	assert_int_equal(p->r.hdr.size, sizeof(p->r));
	assert_int_equal(p->r.scalar_out_count, 2);
	assert_int_equal(p->r.struct_out_size, 0);
	assert_int_equal(p->r.scalar_out[0], 13);
	assert_int_equal(p->r.scalar_out[1], 42);
	assert_memory_equal((uint8_t *)p + offsetof(struct iok_wire_call_reply, scalar_out) + 16,
			    (uint8_t *)before + offsetof(struct iok_wire_call_reply, scalar_out) + 16,
			    sizeof(*p) - offsetof(struct iok_wire_call_reply, scalar_out) - 16);
	/* Counts the method refuses, and a failure: no outputs come back. */
	calc_request(p, conn, 1, 2);
	p->c.scalar_in_count = 1;
	answered(fd, p, kIOReturnBadArgument);
	assert_int_equal(p->r.scalar_out_count, 0);
	calc_request(p, conn, 1, 2);
	p->c.scalar_out_count = 17;
	answered(fd, p, kIOReturnBadArgument);
	/* A name that is no connection, and a selector out of range. */
	calc_request(p, 0x4243, 1, 2);
	answered(fd, p, MACH_SEND_INVALID_DEST);
	calc_request(p, conn, 1, 2);
	p->c.selector = 1000;
	answered(fd, p, kIOReturnBadArgument);
	/* Out-of-line arguments have no buffer here. */
	calc_request(p, conn, 1, 2);
	p->c.selector = kTestEchoStruct;
	p->c.scalar_in_count = p->c.scalar_out_count = 0;
	p->c.ool_in_size = 8192;
	answered(fd, p, kIOReturnIPCError);
	/* Lying sizes: the inband input the header does not account for. */
	calc_request(p, conn, 1, 2);
	p->c.struct_in_size = 8;
	answered(fd, p, kIOReturnBadArgument);
	/* Not a call, or a size out of range: refused outright. */
	calc_request(p, conn, 1, 2);
	p->c.hdr.op = IOK_OP_HELLO;
	assert_int_equal(call_inplace(fd, p), -EINVAL);
	calc_request(p, conn, 1, 2);
	p->c.hdr.size = sizeof(p->c) - 1;
	assert_int_equal(call_inplace(fd, p), -EINVAL);
	p->c.hdr.size = sizeof(p->c) + IOK_WIRE_MAX_INBAND + 1;
	assert_int_equal(call_inplace(fd, p), -EINVAL);
	assert_int_equal(call_inplace(fd, NULL), -EFAULT);
	assert_int_equal(call_inplace(fd, (void *)16), -EFAULT);
	/* An inband echo (the pooled path): the bytes come back in place. */
	calc_request(p, conn, 0, 0);
	p->c.selector = kTestEchoStruct;
	p->c.scalar_in_count = p->c.scalar_out_count = 0;
	p->c.struct_in_size = 300;
	p->c.struct_out_size = 300;
	p->c.hdr.size = sizeof(p->c) + 300;
	for (int i = 0; i < 300; i++)
		((uint8_t *)(&p->c + 1))[i] = (uint8_t)(i * 7);
	answered(fd, p, kIOReturnSuccess);
	assert_int_equal(p->r.struct_out_size, 300);
	assert_int_equal(p->r.hdr.size, sizeof(p->r) + 300);
	for (int i = 0; i < 300; i++)
		assert_int_equal(((uint8_t *)(&p->r + 1))[i], (uint8_t)(i * 7));
	/* The inband input runs past the readable memory: EFAULT, and a
	 * request that ends exactly at the end of its page still works. */
	page = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(page != MAP_FAILED);
	assert_int_equal(munmap(page + 4096, 4096), 0);
	{
		struct inplace *q = (struct inplace *)(void *)(page + 4096 - sizeof(struct iok_wire_call));

		memcpy(q, p, sizeof(struct iok_wire_call));
		q->c.hdr.size = sizeof(q->c) + 8;
		q->c.struct_in_size = 8;
		assert_int_equal(call_inplace(fd, q), -EFAULT);
		calc_request(p, conn, 20, 2);
		memcpy(q, p, sizeof(struct iok_wire_call));
		assert_int_equal(call_inplace(fd, q), 0);
		assert_int_equal(q->r.hdr.result, kIOReturnSuccess);
		assert_int_equal(q->r.scalar_out[1], 40);
	}
	{
		/* The request is read only as far as its counts go: its
		 * scalars past the count, and the async reference of a call
		 * that is not async, may lie past the readable memory. */
		size_t head = offsetof(struct iok_wire_call, async_ref);
		size_t two = offsetof(struct iok_wire_call, scalar_in) + 2 * sizeof(uint64_t);
		struct inplace *q = (struct inplace *)(void *)(page + 4096 - two);

		calc_request(p, conn, 20, 3);
		memcpy(q, p, two);
		assert_int_equal(call_inplace(fd, q), 0);
		assert_int_equal(q->r.hdr.result, kIOReturnSuccess);
		assert_int_equal(q->r.scalar_out[1], 60);
		q = (struct inplace *)(void *)(page + 4096 - head);
		memcpy(q, p, head);
		q->c.scalar_in_count = 0;
		assert_int_equal(call_inplace(fd, q), 0);
		assert_int_equal(q->r.hdr.result, kIOReturnBadArgument);   /* the method's count */
		memcpy(q, p, head);
		q->c.scalar_in_count = 0;
		q->c.wake_port = 0x4243;
		q->c.async_ref_count = 1;
		assert_int_equal(call_inplace(fd, q), -EFAULT);   /* an async call's reference */
	}
	munmap(page, 4096);
	free(before);
	free(p);
	close(fd);
}

static void test_hostile_queue_memory(void **state)
{
	io_service_t s = IOServiceGetMatchingService(kIOMainPortDefault,
						     IOServiceMatching(kTestDriverClassName));
	io_connect_t c;
	mach_vm_address_t addr = 0;
	mach_vm_size_t size = 0;
	IODataQueueMemory *q;
	mach_port_t port = IODataQueueAllocateNotificationPort();
	uint64_t generated = 0, n, got;
	uint32_t cnt;
	unsigned seed = 12345;

	assert_int_not_equal(s, IO_OBJECT_NULL);
	assert_int_equal(IOServiceOpen(s, mach_task_self(), 0, &c), 0);
	assert_int_equal(IOConnectSetNotificationPort(c, QUEUETYPE_MONITOR, port, 0), 0);
	assert_int_equal(IOConnectMapMemory64(c, kTestMonitorQueueMemoryType, mach_task_self(),
					      &addr, &size, kIOMapAnywhere), 0);
	uint32_t queue_size;
	struct scribbler sc;
	pthread_t th;

	q = (IODataQueueMemory *)(uintptr_t)addr;
	queue_size = q->queueSize;
	/* The client rewrites the header and the ring with garbage during
	 * the driver's enqueues (a thread) and between them (here). */
	sc = (struct scribbler){ (uint32_t *)(void *)q, (size_t)size / 4, 0 };
	assert_int_equal(pthread_create(&th, NULL, scribble_main, &sc), 0);
	for (int round = 0; round < 300; round++) {
		uint32_t *w = (uint32_t *)(void *)q;

		for (size_t i = 0; i < 64; i++) {
			seed = seed * 1103515245u + 12345u;
			w[(seed >> 8) % (size / 4)] = seed;
		}
		switch (round % 5) {
		case 0: q->head = 0xffffffff; break;
		case 1: q->tail = q->queueSize - 2; q->head = 4; break;
		case 2: q->queueSize = 0xffffffff; break;
		case 3: q->head = q->tail = 0x7ffffff0; break;
		default: break;
		}
		n = 50;
		cnt = 1;
		assert_int_equal(IOConnectCallScalarMethod(c, kTestGenerateMessages, &n, 1, &got, &cnt),
				 0);
		assert_true(got <= n);
		generated += n;
	}
	__atomic_store_n(&sc.stop, 1, __ATOMIC_RELAXED);
	pthread_join(th, NULL);
	/* Whatever happened, every message is accounted for... */
	assert_true(stat_of(c, 1) + stat_of(c, 2) == generated);
	/* ...and a client that puts the header right gets a working queue. */
	q->queueSize = queue_size;
	q->head = q->tail = 0;
	n = 10;
	cnt = 1;
	assert_int_equal(IOConnectCallScalarMethod(c, kTestGenerateMessages, &n, 1, &got, &cnt), 0);
	assert_true(got == 10);
	{
		TestMessage msg;
		uint32_t len = sizeof(msg);
		int k = 0;

		while (IODataQueueDequeue(q, &msg, &len) == kIOReturnSuccess) {
			assert_int_equal(len, sizeof(msg));
			assert_int_equal(msg.type, kTestMessageGenerated);
			len = sizeof(msg);
			k++;
		}
		assert_int_equal(k, 10);
	}
	IOServiceClose(c);
	IOObjectRelease(s);
	mach_port_destroy(mach_task_self(), port);
}

/* A read-only mapping stays read-only. */
static void test_read_only_mapping(void **state)
{
	io_service_t s = IOServiceGetMatchingService(kIOMainPortDefault,
						     IOServiceMatching("UCTestService"));
	io_connect_t c;
	mach_vm_address_t a = 0;
	mach_vm_size_t size = 0;

	assert_int_not_equal(s, IO_OBJECT_NULL);
	assert_int_equal(IOServiceOpen(s, mach_task_self(), 0, &c), 0);
	assert_int_equal(IOConnectMapMemory64(c, kUCTestMemoryReadOnly, mach_task_self(), &a, &size,
					      kIOMapAnywhere), 0);
	assert_int_equal(mprotect((void *)(uintptr_t)a, (size_t)size, PROT_READ | PROT_WRITE), -1);
	assert_int_equal(errno, EACCES);
	IOServiceClose(c);
	IOObjectRelease(s);
}

/* Clients come and go (killed mid-call and mid-map): nothing stays. */
static void test_many_clients(void **state)
{
	long h0 = handles();

	for (int i = 0; i < 30; i++) {
		pid_t child = fork();

		assert_true(child >= 0);
		if (child == 0) {
			io_service_t s = IOServiceGetMatchingService(
				kIOMainPortDefault, IOServiceMatching(kTestDriverClassName));
			io_connect_t c;
			mach_vm_address_t a = 0;
			mach_vm_size_t sz = 0;
			mach_port_t p = IODataQueueAllocateNotificationPort();
			uint64_t us = 100;

			if (!s || IOServiceOpen(s, mach_task_self(), 0, &c) ||
			    IOConnectSetNotificationPort(c, QUEUETYPE_MONITOR, p, 0) ||
			    IOConnectMapMemory64(c, 0, mach_task_self(), &a, &sz, kIOMapAnywhere) ||
			    IOConnectCallScalarMethod(c, kTestSetEventInterval, &us, 1, NULL, NULL))
				_exit(1);
			if (i & 1)
				_exit(0);   /* exits with everything open */
			for (;;)
				pause();
		}
		if (i & 1) {
			int status;

			assert_int_equal(waitpid(child, &status, 0), child);
			assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
		} else {
			usleep(20000);
			kill(child, SIGKILL);
			waitpid(child, NULL, 0);
		}
	}
	for (int i = 0; i < 500 && handles() != h0; i++)
		usleep(10000);
	assert_int_equal(handles(), h0);
}

/* ---- unloading ------------------------------------------------------------------ */

static int delete_module(const char *name)
{
	return syscall(SYS_delete_module, name, O_NONBLOCK) ? -errno : 0;
}

static int load_module(const char *name)
{
	char path[256];
	int fd, ret;

	snprintf(path, sizeof(path), "%s/%s.ko",
		 getenv("IOKIT_KMOD_DIR") ? getenv("IOKIT_KMOD_DIR") : "/lib/iokit", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret = syscall(SYS_finit_module, fd, "", 0) ? -errno : 0;
	close(fd);
	return ret;
}

/* In a child: 0 when TestDriver is (want) or is not (!want) found. */
static int child_finds_testdriver(bool want)
{
	pid_t child = fork();
	int status;

	if (child == 0) {
		io_service_t s = IOServiceGetMatchingService(kIOMainPortDefault,
							     IOServiceMatching(kTestDriverClassName));

		_exit((s != IO_OBJECT_NULL) == want ? 0 : 1);
	}
	waitpid(child, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 99;
}

static void test_unload_with_client_attached(void **state)
{
	int go[2], ready[2], status;
	long h0 = handles();
	pid_t child;
	char x;
	int ret;

	/* The driver may be loaded or not: start from loaded. */
	ret = load_module("testdriver");
	assert_true(ret == 0 || ret == -EEXIST);
	assert_int_equal(pipe(go), 0);
	assert_int_equal(pipe(ready), 0);
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		io_service_t s = IOServiceGetMatchingService(kIOMainPortDefault,
							     IOServiceMatching(kTestDriverClassName));
		io_connect_t c;
		uint64_t in[2] = { 6, 7 }, out[2];
		uint32_t n = 2;
		mach_vm_address_t a = 0;
		mach_vm_size_t sz = 0;

		if (!s || IOServiceOpen(s, mach_task_self(), 0, &c) ||
		    IOConnectMapMemory64(c, 0, mach_task_self(), &a, &sz, kIOMapAnywhere))
			_exit(1);
		if (write(ready[1], "r", 1) != 1 || read(go[0], &x, 1) != 1)
			_exit(2);
		/* Still served after the refused unload. */
		if (IOConnectCallScalarMethod(c, kTestPerformCalculation, in, 2, out, &n) ||
		    out[0] != 13 || out[1] != 42)
			_exit(3);
		IOServiceClose(c);
		IOObjectRelease(s);
		_exit(0);
	}
	assert_int_equal(read(ready[0], &x, 1), 1);
	/* A client is attached: the driver and the runtime stay. */
	ret = delete_module("testdriver");
	assert_true(ret == -EWOULDBLOCK || ret == -EBUSY);
	ret = delete_module("iokit");
	assert_true(ret == -EWOULDBLOCK || ret == -EBUSY);
	assert_int_equal(write(go[1], "g", 1), 1);
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	/* The client is gone: the driver unloads and its service with it. */
	assert_int_equal(delete_module("testdriver"), 0);
	assert_int_equal(child_finds_testdriver(false), 0);
	assert_int_equal(load_module("testdriver"), 0);
	assert_int_equal(child_finds_testdriver(true), 0);
	assert_int_equal(handles(), h0);
	close(go[0]);
	close(go[1]);
	close(ready[0]);
	close(ready[1]);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hostile_ioctls),
		cmocka_unit_test(test_call_ioctl),
		cmocka_unit_test(test_hostile_queue_memory),
		cmocka_unit_test(test_read_only_mapping),
		cmocka_unit_test(test_many_clients),
	};
	const struct CMUnitTest unload[] = {
		cmocka_unit_test(test_unload_with_client_attached),
	};

	if (argc > 1 && strcmp(argv[1], "unload") == 0)
		return cmocka_run_group_tests(unload, NULL, NULL);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
