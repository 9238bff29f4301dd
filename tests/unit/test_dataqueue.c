// SPDX-License-Identifier: MIT
/*
 * test_dataqueue.c - the shared data queue, both sides: the layout, the
 * placement and wrap rules at every offset, the full and empty edges, the
 * return codes, coalesced notifications, a producer and a consumer thread
 * moving millions of messages, and a hostile client rewriting the shared
 * memory while both sides run.
 *
 * The driver side is iok_data_queue (src/runtime/dataqueue.c); the client
 * side (src/libiokit/dataqueue_client.c) is compiled into this test, and
 * the port signal it calls is the stub below.  The client works on its
 * own mapping of the queue's memfd, as a real client does.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "runtime.h"
#include "iok_wire.h"
#include <IOKit/IODataQueueClient.h>
#include <IOKit/driver/iok_data_queue.h>

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define DQ_ASAN 1
#endif
#if __has_feature(thread_sanitizer)
#define DQ_TSAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define DQ_ASAN 1
#endif
#if defined(__SANITIZE_THREAD__)
#define DQ_TSAN 1
#endif
#ifdef DQ_ASAN
#include <sanitizer/asan_interface.h>
#endif

/* The client library's private trusted-size calls (dataqueue_client.c). */
IODataQueueEntry *_IODataQueuePeek(IODataQueueMemory *dataQueue, uint64_t queueSize,
				   size_t *entrySize);
IOReturn _IODataQueueDequeue(IODataQueueMemory *dataQueue, uint64_t queueSize, void *data,
			     uint32_t *dataSize);

/* ---- the port signal the client side calls -------------------------------- */

kern_return_t iok_port_signal(mach_port_t port);

#define STUB_PORT ((mach_port_t)0x1103)   /* a live local port */
#define DEAD_PORT ((mach_port_t)0x2207)   /* not a local port */

static uint32_t stub_calls;               /* atomic */
static mach_port_t stub_last;             /* atomic */
static int stub_efd = -1;                 /* STUB_PORT's eventfd, if any */

kern_return_t iok_port_signal(mach_port_t port)
{
	uint64_t one = 1;
	ssize_t n;

	__atomic_add_fetch(&stub_calls, 1, __ATOMIC_RELAXED);
	__atomic_store_n(&stub_last, port, __ATOMIC_RELAXED);
	if (port != STUB_PORT)
		return MACH_SEND_INVALID_DEST;
	if (stub_efd >= 0) {
		n = write(stub_efd, &one, sizeof(one));
		(void)n;
	}
	return KERN_SUCCESS;
}

static uint32_t stub_count(void)
{
	return __atomic_load_n(&stub_calls, __ATOMIC_RELAXED);
}

/* ---- a queue, its client mapping, its port -------------------------------- */

struct fix {
	iok_data_queue_t *q;
	IODataQueueMemory *host;   /* the driver's mapping */
	IODataQueueMemory *cq;     /* the client's own mapping of the memfd */
	uint8_t *hring;
	uint8_t *cring;
	size_t map_len;
	uint32_t qs;
	int efd;                   /* a dup of the port's eventfd, or -1 */
	iok_port_t *port;
};

static uint32_t rd32(const void *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static void wr32(void *p, uint32_t v)
{
	memcpy(p, &v, sizeof(v));
}

static iok_port_t *new_port(int *dup_fd)
{
	int efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	iok_port_t *port;

	assert_true(efd >= 0);
	*dup_fd = fcntl(efd, F_DUPFD_CLOEXEC, 0);
	assert_true(*dup_fd >= 0);
	port = iok_port_create(iok_signal_from_fd(efd));
	assert_non_null(port);
	return port;
}

static void fix_open(struct fix *f, uint32_t qs, bool with_port)
{
	iok_memory_t *mem;
	iok_shmem_t *shm;

	memset(f, 0, sizeof(*f));
	f->efd = -1;
	f->qs = qs;
	f->q = iok_data_queue_with_capacity(qs);
	assert_non_null(f->q);
	mem = iok_data_queue_memory(f->q);
	assert_non_null(mem);
	assert_int_equal(iok_memory_length(mem), 12 + (size_t)qs + 28);
	f->host = iok_memory_bytes(mem);
	shm = iok_memory_shmem(mem);
	assert_non_null(shm);
	f->map_len = iok_shmem_size(shm);
	f->cq = mmap(NULL, f->map_len, PROT_READ | PROT_WRITE, MAP_SHARED, iok_shmem_fd(shm), 0);
	assert_true(f->cq != MAP_FAILED);
	iok_memory_release(mem);   /* the queue keeps its own reference */
	f->hring = (uint8_t *)f->host + 12;
	f->cring = (uint8_t *)f->cq + 12;
	if (with_port) {
		f->port = new_port(&f->efd);
		iok_data_queue_set_notification_port(f->q, f->port);
	}
}

static void fix_close(struct fix *f)
{
	iok_data_queue_release(f->q);
	iok_port_release(f->port);
	munmap(f->cq, f->map_len);
	if (f->efd >= 0)
		close(f->efd);
}

/* Empties the queue at offset off (only while nothing runs). */
static void fix_reset(struct fix *f, uint32_t off)
{
	f->cq->head = off;
	f->cq->tail = off;
}

/* Notifications the port received since the last call. */
static uint64_t notes(int efd)
{
	uint64_t v = 0;

	if (read(efd, &v, sizeof(v)) != (ssize_t)sizeof(v))
		return 0;
	return v;
}

static void pattern(uint8_t *buf, uint32_t n, uint32_t seed)
{
	for (uint32_t i = 0; i < n; i++)
		buf[i] = (uint8_t)(seed * 131u + i * 7u + 1u);
}

/* ---- the two directions --------------------------------------------------- */

/* A producer and a consumer on opposite sides of the same queue. */
struct dir {
	const char *name;
	bool (*put)(struct fix *f, const void *data, uint32_t size);
	/* *size: room in, entry size out; data NULL skips */
	bool (*get)(struct fix *f, void *data, uint32_t *size);
	/* the entry the consumer would read next, as an offset in the ring,
	 * or -1 */
	long (*peek)(struct fix *f);
};

static bool drv_put(struct fix *f, const void *data, uint32_t size)
{
	return iok_data_queue_enqueue(f->q, data, size);
}

static bool drv_get(struct fix *f, void *data, uint32_t *size)
{
	return iok_data_queue_dequeue(f->q, data, size);
}

static long drv_peek(struct fix *f)
{
	IODataQueueEntry *e = iok_data_queue_peek(f->q);

	return e ? (long)((uint8_t *)e - f->hring) : -1;
}

static bool cli_put(struct fix *f, const void *data, uint32_t size)
{
	return IODataQueueEnqueue(f->cq, (void *)data, size) == kIOReturnSuccess;
}

static bool cli_get(struct fix *f, void *data, uint32_t *size)
{
	return IODataQueueDequeue(f->cq, data, size) == kIOReturnSuccess;
}

static long cli_peek(struct fix *f)
{
	IODataQueueEntry *e = IODataQueuePeek(f->cq);

	return e ? (long)((uint8_t *)e - f->cring) : -1;
}

static const struct dir dirs[] = {
	{ "driver->client", drv_put, cli_get, cli_peek },
	{ "client->driver", cli_put, drv_get, drv_peek },
};

/*
 * The placement rule restated as free space: an entry takes size + 4
 * bytes; with tail >= head it goes at tail if it fits before the end,
 * else at 0 if at least one byte stays free before head; with tail < head
 * at least one byte must stay free between it and head.
 */
static bool model_fits(uint32_t qs, uint32_t head, uint32_t tail, uint32_t size)
{
	uint64_t e = (uint64_t)size + 4;

	if (tail >= head)
		return e <= (uint64_t)qs - tail || e + 1 <= head;
	return e + 1 <= (uint64_t)head - tail;
}

static uint32_t model_offset(uint32_t qs, uint32_t head, uint32_t tail, uint32_t size)
{
	if (tail >= head && (uint64_t)size + 4 > (uint64_t)qs - tail)
		return 0;
	return tail;
}

/* Puts size bytes and checks the outcome against the model; returns
 * whether it was queued. */
static bool put_checked(const struct dir *d, struct fix *f, uint32_t size, uint32_t seed)
{
	uint32_t head = f->cq->head, tail = f->cq->tail;
	bool fits = model_fits(f->qs, head, tail, size);
	uint32_t off = model_offset(f->qs, head, tail, size);
	uint8_t buf[512];

	assert_true(size <= sizeof(buf));
	pattern(buf, size, seed);
	assert_int_equal(d->put(f, buf, size), fits);
	if (!fits) {
		assert_int_equal(f->cq->tail, tail);
		return false;
	}
	assert_int_equal(f->cq->tail, off + size + 4);
	assert_int_equal(rd32(f->cring + off), size);
	assert_memory_equal(f->cring + off + 4, buf, size);
	/* A wrap leaves a size-only marker at the old tail when it fits. */
	if (off != tail && f->qs - tail >= 4)
		assert_int_equal(rd32(f->cring + tail), size);
	return true;
}

/* Gets the next entry, expecting size bytes made from seed. */
static void get_checked(const struct dir *d, struct fix *f, uint32_t size, uint32_t seed)
{
	uint8_t want[512], got[512];
	uint32_t n = sizeof(got);
	long at = d->peek(f);

	assert_true(at >= 0);
	assert_int_equal(rd32(f->cring + at), size);
	pattern(want, size, seed);
	assert_true(d->get(f, got, &n));
	assert_int_equal(n, size);
	assert_memory_equal(got, want, size);
}

/* ---- layout and creation -------------------------------------------------- */

static void test_layout(void **state)
{
	struct fix f;
	uint8_t zero[28] = { 0 };

	assert_int_equal(sizeof(IODataQueueEntry), 8);
	assert_int_equal(offsetof(IODataQueueEntry, size), 0);
	assert_int_equal(offsetof(IODataQueueEntry, data), 4);
	assert_int_equal(offsetof(IODataQueueMemory, queueSize), 0);
	assert_int_equal(offsetof(IODataQueueMemory, head), 4);
	assert_int_equal(offsetof(IODataQueueMemory, tail), 8);
	assert_int_equal(offsetof(IODataQueueMemory, queue), 12);
	assert_int_equal(sizeof(IODataQueueMemory), 20);
	assert_int_equal(sizeof(mach_msg_header_t), 24);
	assert_int_equal(offsetof(IODataQueueAppendix, version), 0);
	assert_int_equal(offsetof(IODataQueueAppendix, msgh), 4);
	assert_int_equal(sizeof(IODataQueueAppendix), 28);
	assert_int_equal(DATA_QUEUE_ENTRY_HEADER_SIZE, 4);
	assert_int_equal(DATA_QUEUE_MEMORY_HEADER_SIZE, 12);
	assert_int_equal(DATA_QUEUE_MEMORY_APPENDIX_SIZE, 28);

	/* A new queue: size in the header, empty at 0, a zero appendix. */
	fix_open(&f, 1001, false);
	assert_int_equal(iok_data_queue_capacity(f.q), 1001);
	assert_int_equal(f.cq->queueSize, 1001);
	assert_int_equal(f.cq->head, 0);
	assert_int_equal(f.cq->tail, 0);
	assert_memory_equal(f.cring + 1001, zero, sizeof(zero));
	assert_false(IODataQueueDataAvailable(f.cq));
	assert_null(IODataQueuePeek(f.cq));
	assert_null(iok_data_queue_peek(f.q));
	fix_close(&f);
}

static void test_create_checks(void **state)
{
	iok_data_queue_t *q;

	/* 12 + size + 28 must fit in 32 bits. */
	assert_null(iok_data_queue_with_capacity(UINT32_MAX));
	assert_null(iok_data_queue_with_capacity(UINT32_MAX - 39));
	/* withEntries' three overflow checks. */
	assert_null(iok_data_queue_with_entries(1, UINT32_MAX - 3));
	assert_null(iok_data_queue_with_entries(UINT32_MAX, 0));
	assert_null(iok_data_queue_with_entries(0x10000, 0x10000));
	assert_null(iok_data_queue_with_entries(1, UINT32_MAX / 2 - 3));

	q = iok_data_queue_with_entries(3, 10);
	assert_non_null(q);
	assert_int_equal(iok_data_queue_capacity(q), 4 * 14);
	iok_data_queue_release(q);

	/* A zero-size ring exists and refuses everything. */
	q = iok_data_queue_with_capacity(0);
	assert_non_null(q);
	assert_false(iok_data_queue_enqueue(q, NULL, 0));
	assert_false(iok_data_queue_enqueue(q, "x", 1));
	assert_null(iok_data_queue_peek(q));
	iok_data_queue_release(q);

	/* NULL-safe. */
	iok_data_queue_release(NULL);
	assert_null(iok_data_queue_memory(NULL));
	assert_int_equal(iok_data_queue_capacity(NULL), 0);
	assert_false(iok_data_queue_enqueue(NULL, "x", 1));
	assert_false(iok_data_queue_dequeue(NULL, NULL, NULL));
	assert_null(iok_data_queue_peek(NULL));
	iok_data_queue_set_notification_port(NULL, NULL);
}

/* ---- placement, wrap, full ------------------------------------------------ */

/* One entry on an empty queue at every offset, of every size. */
static void test_wrap_every_offset(void **state)
{
	static const uint32_t sizes[] = { 64, 67 };
	struct fix f;

	for (size_t d = 0; d < 2; d++) {
		for (size_t s = 0; s < 2; s++) {
			uint32_t qs = sizes[s];

			fix_open(&f, qs, false);
			for (uint32_t off = 0; off <= qs; off++) {
				for (uint32_t n = 0; n <= qs; n++) {
					fix_reset(&f, off);
					if (!put_checked(&dirs[d], &f, n, off * 1000 + n))
						continue;
					get_checked(&dirs[d], &f, n, off * 1000 + n);
					assert_int_equal(f.cq->head, f.cq->tail);
					assert_false(IODataQueueDataAvailable(f.cq));
				}
			}
			fix_close(&f);
		}
	}
}

/* Two entries starting near the end: the second wraps, or not, behind the
 * first, and both come back in order. */
static void test_wrap_two_entries(void **state)
{
	static const uint32_t sizes[] = { 64, 67 };
	struct fix f;

	for (size_t d = 0; d < 2; d++) {
		for (size_t s = 0; s < 2; s++) {
			uint32_t qs = sizes[s];

			fix_open(&f, qs, false);
			for (uint32_t off = qs - 20; off <= qs; off++) {
				for (uint32_t a = 0; a <= 16; a++) {
					for (uint32_t b = 0; b <= qs; b++) {
						bool second;

						fix_reset(&f, off);
						if (!put_checked(&dirs[d], &f, a, a))
							continue;
						second = put_checked(&dirs[d], &f, b, 100 + b);
						get_checked(&dirs[d], &f, a, a);
						if (second)
							get_checked(&dirs[d], &f, b, 100 + b);
						assert_int_equal(f.cq->head, f.cq->tail);
					}
				}
			}
			fix_close(&f);
		}
	}
}

/* Exactly full and one byte short, in both shapes. */
static void test_full_edges(void **state)
{
	struct fix f;

	for (size_t d = 0; d < 2; d++) {
		const struct dir *dir = &dirs[d];

		fix_open(&f, 64, false);
		/* Four 16-byte entries fill 64 bytes exactly: tail == size. */
		for (uint32_t i = 0; i < 4; i++)
			assert_true(put_checked(dir, &f, 12, i));
		assert_int_equal(f.cq->tail, 64);
		assert_false(put_checked(dir, &f, 0, 9));
		/* head 16: a 16-byte entry at 0 would reach head: full. */
		get_checked(dir, &f, 12, 0);
		assert_false(put_checked(dir, &f, 12, 9));
		/* One byte less wraps: tail 15, head 16. */
		assert_true(put_checked(dir, &f, 11, 4));
		assert_int_equal(f.cq->tail, 15);
		/* tail < head with one byte between: nothing fits. */
		assert_false(put_checked(dir, &f, 0, 9));
		get_checked(dir, &f, 12, 1);   /* head 32 */
		/* 17 bytes free between 15 and 32: a 16-byte entry fits,
		 * a 17-byte one would close the gap. */
		assert_false(put_checked(dir, &f, 13, 9));
		assert_true(put_checked(dir, &f, 12, 5));
		assert_int_equal(f.cq->tail, 31);
		get_checked(dir, &f, 12, 2);
		get_checked(dir, &f, 12, 3);
		get_checked(dir, &f, 11, 4);
		get_checked(dir, &f, 12, 5);
		assert_int_equal(f.cq->head, f.cq->tail);
		fix_close(&f);
	}
}

/* Entries larger than half the ring. */
static void test_large_entries(void **state)
{
	struct fix f;

	for (size_t d = 0; d < 2; d++) {
		const struct dir *dir = &dirs[d];

		fix_open(&f, 100, false);
		assert_true(put_checked(dir, &f, 60, 1));   /* 0..64 */
		assert_false(put_checked(dir, &f, 60, 2));
		get_checked(dir, &f, 60, 1);                 /* empty at 64 */
		/* Empty, yet a 64-byte entry fits neither at 64 nor at 0
		 * (head must stay strictly ahead). */
		assert_false(put_checked(dir, &f, 60, 2));
		assert_true(put_checked(dir, &f, 59, 3));   /* wraps: 0..63 */
		assert_int_equal(f.cq->tail, 63);
		get_checked(dir, &f, 59, 3);
		/* The whole ring in one entry, from 0. */
		fix_reset(&f, 0);
		assert_true(put_checked(dir, &f, 96, 4));
		assert_int_equal(f.cq->tail, 100);
		get_checked(dir, &f, 96, 4);
		/* One byte more never fits. */
		for (uint32_t off = 0; off <= 100; off++) {
			fix_reset(&f, off);
			assert_false(put_checked(dir, &f, 97, 5));
		}
		fix_close(&f);
	}
}

static void test_zero_size(void **state)
{
	struct fix f;
	uint8_t buf[4];
	uint32_t n;

	for (size_t d = 0; d < 2; d++) {
		const struct dir *dir = &dirs[d];

		fix_open(&f, 64, false);
		for (uint32_t i = 0; i < 16; i++)
			assert_true(put_checked(dir, &f, 0, i));
		assert_int_equal(f.cq->tail, 64);
		assert_false(put_checked(dir, &f, 0, 0));
		for (uint32_t i = 0; i < 16; i++) {
			assert_int_equal(dir->peek(&f), i * 4);
			n = 0;
			assert_true(dir->get(&f, buf, &n));
			assert_int_equal(n, 0);
		}
		assert_int_equal(dir->peek(&f), -1);
		/* Zero-size entries wrap like any other. */
		assert_true(put_checked(dir, &f, 0, 0));
		assert_int_equal(f.cq->tail, 4);
		n = sizeof(buf);
		assert_true(dir->get(&f, buf, &n));
		assert_int_equal(n, 0);
		fix_close(&f);
	}
}

/* The value 0xFFFFFFFF in the appendix's first word does not matter to a
 * reader at head == size: it wraps whatever it reads there. */
static void test_head_at_end_reads_appendix(void **state)
{
	struct fix f;

	for (size_t d = 0; d < 2; d++) {
		fix_open(&f, 67, false);
		wr32(f.cring + 67, 0xFFFFFFFF);
		fix_reset(&f, 67);
		assert_true(put_checked(&dirs[d], &f, 5, 7));
		assert_int_equal(f.cq->tail, 9);
		get_checked(&dirs[d], &f, 5, 7);
		fix_close(&f);
	}
}

/* ---- peek, skip, codes ---------------------------------------------------- */

static void test_peek_then_skip(void **state)
{
	struct fix f;
	IODataQueueEntry *e;
	size_t es = 0;
	uint32_t n;
	uint8_t buf[64];

	for (size_t d = 0; d < 2; d++) {
		const struct dir *dir = &dirs[d];

		fix_open(&f, 64, false);
		n = 1234;
		assert_true(put_checked(dir, &f, 10, 1));
		assert_true(put_checked(dir, &f, 20, 2));
		assert_true(put_checked(dir, &f, 3, 3));
		if (dir->get == cli_get) {
			e = IODataQueuePeek(f.cq);
			assert_ptr_equal(e, f.cring);
			assert_int_equal(rd32(e), 10);
			assert_ptr_equal(IODataQueuePeek(f.cq), e);   /* peek consumes nothing */
			assert_int_equal(IODataQueueDequeue(f.cq, NULL, NULL), kIOReturnSuccess);
			e = _IODataQueuePeek(f.cq, 64, &es);
			assert_ptr_equal(e, f.cring + 14);
			assert_int_equal(es, 20);
			/* data NULL with a size pointer: skipped, size untouched. */
			assert_int_equal(IODataQueueDequeue(f.cq, NULL, &n), kIOReturnSuccess);
			assert_int_equal(n, 1234);
		} else {
			e = iok_data_queue_peek(f.q);
			assert_ptr_equal(e, f.hring);
			assert_int_equal(rd32(e), 10);
			assert_ptr_equal(iok_data_queue_peek(f.q), e);
			assert_true(iok_data_queue_dequeue(f.q, NULL, NULL));
			assert_ptr_equal(iok_data_queue_peek(f.q), f.hring + 14);
			assert_true(iok_data_queue_dequeue(f.q, NULL, &n));
			assert_int_equal(n, 1234);
		}
		n = sizeof(buf);
		assert_true(dir->get(&f, buf, &n));
		assert_int_equal(n, 3);
		assert_int_equal(dir->peek(&f), -1);
		fix_close(&f);
	}
}

static void test_no_space_keeps_entry(void **state)
{
	struct fix f;
	uint8_t buf[64];
	uint32_t n;

	fix_open(&f, 64, false);
	/* Client side: kIOReturnNoSpace, entry and *dataSize untouched. */
	assert_true(put_checked(&dirs[0], &f, 20, 1));
	n = 19;
	assert_int_equal(IODataQueueDequeue(f.cq, buf, &n), kIOReturnNoSpace);
	assert_int_equal(n, 19);
	assert_int_equal(f.cq->head, 0);
	assert_true(IODataQueueDataAvailable(f.cq));
	n = 19;
	assert_int_equal(_IODataQueueDequeue(f.cq, 64, buf, &n), kIOReturnNoSpace);
	assert_int_equal(n, 19);
	get_checked(&dirs[0], &f, 20, 1);

	/* Driver side: false, entry and *size untouched. */
	assert_true(put_checked(&dirs[1], &f, 20, 2));
	n = 0;
	assert_false(iok_data_queue_dequeue(f.q, buf, &n));
	assert_int_equal(n, 0);
	assert_int_equal(f.cq->head, 24);
	get_checked(&dirs[1], &f, 20, 2);
	fix_close(&f);
}

static void test_client_return_codes(void **state)
{
	struct fix f;
	uint8_t buf[64] = { 0 };
	uint32_t n = sizeof(buf);

	/* Arguments. */
	assert_false(IODataQueueDataAvailable(NULL));
	assert_null(IODataQueuePeek(NULL));
	assert_null(_IODataQueuePeek(NULL, 64, NULL));
	assert_int_equal(IODataQueueDequeue(NULL, buf, &n), kIOReturnBadArgument);
	assert_int_equal(IODataQueueEnqueue(NULL, buf, 1), kIOReturnBadArgument);
	assert_int_equal(IODataQueueSetNotificationPort(NULL, STUB_PORT), kIOReturnBadArgument);

	fix_open(&f, 64, false);
	assert_int_equal(IODataQueueDequeue(f.cq, buf, NULL), kIOReturnBadArgument);
	assert_int_equal(IODataQueueDequeue(f.cq, buf, &n), kIOReturnUnderrun);
	assert_int_equal(IODataQueueDequeue(f.cq, NULL, NULL), kIOReturnUnderrun);

	/* Enqueue: the size check comes before the index checks. */
	assert_int_equal(IODataQueueEnqueue(f.cq, buf, UINT32_MAX - 3), kIOReturnOverrun);
	f.cq->tail = 65;
	assert_int_equal(IODataQueueEnqueue(f.cq, buf, UINT32_MAX), kIOReturnOverrun);
	assert_int_equal(IODataQueueEnqueue(f.cq, buf, 1), kIOReturnUnderrun);
	f.cq->tail = 0;
	f.cq->head = 65;
	assert_int_equal(IODataQueueEnqueue(f.cq, buf, 1), kIOReturnUnderrun);

	/* Dequeue: head past the ring. */
	f.cq->head = 65;
	f.cq->tail = 8;
	assert_int_equal(IODataQueueDequeue(f.cq, buf, &n), kIOReturnError);
	assert_null(IODataQueuePeek(f.cq));
	assert_int_equal(f.cq->head, 65);

	/* An entry size that overruns the ring, wrapped entry too large. */
	fix_reset(&f, 0);
	f.cq->tail = 8;
	wr32(f.cring, 61);   /* 61 + 4 > 64 */
	assert_int_equal(IODataQueueDequeue(f.cq, buf, &n), kIOReturnError);
	assert_null(IODataQueuePeek(f.cq));
	wr32(f.cring, UINT32_MAX - 2);
	assert_int_equal(IODataQueueDequeue(f.cq, NULL, NULL), kIOReturnError);
	/* Sizes whose size + 4 wraps around to a small number. */
	for (uint32_t bad = UINT32_MAX - 3; bad != 0; bad++) {
		wr32(f.cring, bad);
		assert_int_equal(IODataQueueDequeue(f.cq, buf, &n), kIOReturnError);
		assert_int_equal(IODataQueueDequeue(f.cq, NULL, NULL), kIOReturnError);
		assert_null(IODataQueuePeek(f.cq));
		assert_null(_IODataQueuePeek(f.cq, 64, NULL));
		assert_int_equal(f.cq->head, 0);
	}
	/* An entry at head that does not fit wraps to 0, where the size
	 * decides: 60 + 4 == 64 is acceptable. */
	fix_reset(&f, 40);
	f.cq->tail = 8;
	wr32(f.cring + 40, 30);
	wr32(f.cring, 60);
	n = sizeof(buf);
	assert_int_equal(IODataQueueDequeue(f.cq, buf, &n), kIOReturnSuccess);
	assert_int_equal(n, 60);
	assert_int_equal(f.cq->head, 64);

	/* The public calls believe the shared size; the private ones do not. */
	fix_reset(&f, 0);
	assert_true(put_checked(&dirs[0], &f, 40, 1));
	f.cq->queueSize = 8;
	n = sizeof(buf);
	assert_int_equal(IODataQueueDequeue(f.cq, buf, &n), kIOReturnError);
	assert_null(IODataQueuePeek(f.cq));
	assert_int_equal(_IODataQueueDequeue(f.cq, 64, buf, &n), kIOReturnSuccess);
	assert_int_equal(n, 40);
	f.cq->queueSize = 64;
	fix_close(&f);
}

/* Whatever the client writes, the driver uses its own size and checks
 * head and tail against it. */
static void test_driver_distrusts_header(void **state)
{
	struct fix f;
	uint8_t buf[64];
	uint32_t n;

	fix_open(&f, 64, false);
	f.cq->queueSize = 8;
	assert_true(put_checked(&dirs[0], &f, 40, 1));
	f.cq->queueSize = UINT32_MAX;
	assert_false(put_checked(&dirs[0], &f, 40, 2));   /* 44 + 44 > 64 */
	assert_int_equal(iok_data_queue_capacity(f.q), 64);
	n = sizeof(buf);
	assert_true(iok_data_queue_dequeue(f.q, buf, &n));
	assert_int_equal(n, 40);

	/* Indices past the private size: nothing is read or written. */
	fix_reset(&f, 5000);
	assert_false(iok_data_queue_enqueue(f.q, buf, 1));
	assert_int_equal(f.cq->tail, 5000);
	f.cq->tail = 0;
	assert_false(iok_data_queue_enqueue(f.q, buf, 1));
	assert_false(iok_data_queue_dequeue(f.q, buf, &n));
	assert_null(iok_data_queue_peek(f.q));
	f.cq->head = 65;
	f.cq->tail = 64;
	assert_false(iok_data_queue_enqueue(f.q, buf, 1));
	assert_false(iok_data_queue_dequeue(f.q, NULL, NULL));

	/* A size word that overruns; a wrapped one that overruns too. */
	fix_reset(&f, 0);
	f.cq->tail = 8;
	wr32(f.cring, 61);
	assert_false(iok_data_queue_dequeue(f.q, NULL, NULL));
	assert_null(iok_data_queue_peek(f.q));   /* stricter than xnu's peek */
	/* Sizes whose size + 4 wraps around to a small number. */
	for (uint32_t bad = UINT32_MAX - 3; bad != 0; bad++) {
		wr32(f.cring, bad);
		assert_false(iok_data_queue_dequeue(f.q, buf, &n));
		assert_false(iok_data_queue_dequeue(f.q, NULL, NULL));
		assert_null(iok_data_queue_peek(f.q));
		assert_int_equal(f.cq->head, 0);
	}
	fix_reset(&f, 40);
	f.cq->tail = 8;
	wr32(f.cring + 40, UINT32_MAX);
	wr32(f.cring, 60);
	n = 60;
	assert_true(iok_data_queue_dequeue(f.q, buf, &n));
	assert_int_equal(f.cq->head, 64);

	/* The driver's own arguments. */
	fix_reset(&f, 0);
	assert_false(iok_data_queue_enqueue(f.q, NULL, 1));
	assert_false(iok_data_queue_enqueue(f.q, buf, UINT32_MAX - 3));
	assert_false(iok_data_queue_enqueue(f.q, buf, UINT32_MAX));
	assert_true(iok_data_queue_enqueue(f.q, NULL, 0));
	assert_false(iok_data_queue_dequeue(f.q, buf, NULL));
	assert_true(iok_data_queue_dequeue(f.q, NULL, NULL));
	fix_close(&f);
}

/* ---- notifications -------------------------------------------------------- */

static void test_driver_notifications(void **state)
{
	struct fix f;
	uint8_t buf[16] = { 0 };
	uint32_t n;
	iok_port_t *second;
	int second_fd;

	fix_open(&f, 256, true);
	/* Many entries on an empty queue: only the first notifies. */
	for (uint32_t i = 0; i < 20; i++)
		assert_true(iok_data_queue_enqueue(f.q, &i, sizeof(i)));
	assert_int_equal(notes(f.efd), 1);
	/* Full: no notification from the driver side. */
	while (iok_data_queue_enqueue(f.q, buf, 8))
		;
	assert_int_equal(notes(f.efd), 0);
	/* Nothing lost, in order. */
	for (uint32_t i = 0; i < 20; i++) {
		n = sizeof(buf);
		assert_int_equal(IODataQueueDequeue(f.cq, buf, &n), kIOReturnSuccess);
		assert_int_equal(n, 4);
		assert_int_equal(rd32(buf), i);
	}
	while (IODataQueueDequeue(f.cq, NULL, NULL) == kIOReturnSuccess)
		;
	/* Empty again: the next entry notifies again. */
	assert_true(iok_data_queue_enqueue(f.q, buf, 1));
	assert_true(iok_data_queue_enqueue(f.q, buf, 1));
	assert_int_equal(notes(f.efd), 1);
	/* Draining one but not all: no new notification. */
	assert_int_equal(IODataQueueDequeue(f.cq, NULL, NULL), kIOReturnSuccess);
	assert_true(iok_data_queue_enqueue(f.q, buf, 1));
	assert_int_equal(notes(f.efd), 0);
	while (IODataQueueDequeue(f.cq, NULL, NULL) == kIOReturnSuccess)
		;

	/* Replacing the port releases the old one (our reference goes
	 * first, so the queue's was the last: the port dies). */
	second = new_port(&second_fd);
	iok_port_release(f.port);
	f.port = NULL;
	iok_data_queue_set_notification_port(f.q, second);
	assert_true(notes(f.efd) >= IOK_PORT_DEAD_MARK);
	assert_true(iok_data_queue_enqueue(f.q, buf, 1));
	assert_int_equal(notes(second_fd), 1);
	assert_int_equal(notes(f.efd), 0);
	/* Cleared: enqueue works and notifies nobody. */
	iok_data_queue_set_notification_port(f.q, NULL);
	assert_true(notes(second_fd) == 0);
	iok_port_release(second);
	assert_true(notes(second_fd) >= IOK_PORT_DEAD_MARK);
	while (IODataQueueDequeue(f.cq, NULL, NULL) == kIOReturnSuccess)
		;
	assert_true(iok_data_queue_enqueue(f.q, buf, 1));
	close(second_fd);
	fix_close(&f);
}

static void test_client_notifications(void **state)
{
	struct fix f;
	uint8_t buf[64] = { 0 };
	uint8_t *app;
	uint32_t before;

	fix_open(&f, 67, false);   /* the appendix is unaligned */
	app = f.cring + 67;
	/* No port in the appendix: success, nothing sent. */
	before = stub_count();
	assert_int_equal(IODataQueueEnqueue(f.cq, buf, 1), kIOReturnSuccess);
	assert_int_equal(stub_count(), before);
	assert_int_equal(IODataQueueDequeue(f.cq, NULL, NULL), kIOReturnSuccess);

	assert_int_equal(IODataQueueSetNotificationPort(f.cq, STUB_PORT), kIOReturnSuccess);
	assert_int_equal(rd32(app + 0), 0);                 /* version */
	assert_int_equal(rd32(app + 4), 0x13);              /* COPY_SEND remote */
	assert_int_equal(rd32(app + 8), 24);                /* msgh_size */
	assert_int_equal(rd32(app + 12), STUB_PORT);        /* remote */
	assert_int_equal(rd32(app + 16), MACH_PORT_NULL);   /* local */
	assert_int_equal(rd32(app + 20), 0);                /* voucher */
	assert_int_equal(rd32(app + 24), 0);                /* id */

	/* Only the first entry on an empty queue notifies. */
	before = stub_count();
	for (int i = 0; i < 5; i++)
		assert_int_equal(IODataQueueEnqueue(f.cq, buf, 3), kIOReturnSuccess);
	assert_int_equal(stub_count(), before + 1);
	assert_int_equal(__atomic_load_n(&stub_last, __ATOMIC_RELAXED), STUB_PORT);
	/* Full: kIOReturnOverrun and one extra poke each time. */
	while (IODataQueueEnqueue(f.cq, buf, 3) == kIOReturnSuccess)
		;
	before = stub_count();
	assert_int_equal(IODataQueueEnqueue(f.cq, buf, 3), kIOReturnOverrun);
	assert_int_equal(stub_count(), before + 1);
	/* Too large: overrun without a poke. */
	assert_int_equal(IODataQueueEnqueue(f.cq, buf, UINT32_MAX), kIOReturnOverrun);
	assert_int_equal(stub_count(), before + 1);
	while (IODataQueueDequeue(f.cq, NULL, NULL) == kIOReturnSuccess)
		;

	/* A dead port: the send result is returned, the data is queued. */
	assert_int_equal(IODataQueueSetNotificationPort(f.cq, DEAD_PORT), kIOReturnSuccess);
	assert_int_equal(IODataQueueEnqueue(f.cq, buf, 2), MACH_SEND_INVALID_DEST);
	assert_true(IODataQueueDataAvailable(f.cq));
	assert_true(iok_data_queue_dequeue(f.q, NULL, NULL));

	/* Cleared again. */
	assert_int_equal(IODataQueueSetNotificationPort(f.cq, MACH_PORT_NULL), kIOReturnSuccess);
	before = stub_count();
	assert_int_equal(IODataQueueEnqueue(f.cq, buf, 2), kIOReturnSuccess);
	assert_int_equal(stub_count(), before);
	fix_close(&f);
}

/* ---- producer and consumer threads ---------------------------------------- */

#define STRESS_TO_CLIENT 3000000u
#define STRESS_TO_DRIVER 1000000u
#define WAKE_TIMEOUT_MS 2000

struct stress {
	struct fix *f;
	uint32_t count;
	int wake_fd;              /* the consumer's wakeups */
	uint64_t sum_in, sum_out;
	uint32_t received;
	uint32_t bad;             /* wrong entry or unexpected code */
	uint32_t lost;            /* slept with data queued and no wakeup */
	uint64_t full;            /* producer found the queue full */
	uint64_t sleeps;          /* consumer waited for a wakeup */
	int producer_done;        /* atomic */
	int consumer_done;        /* atomic */
};

static uint32_t msg_len(uint32_t seq)
{
	return 4 + ((seq * 2654435761u) >> 25) % 97;   /* 4..100 */
}

static void msg_fill(uint8_t *buf, uint32_t seq, uint32_t len)
{
	memcpy(buf, &seq, sizeof(seq));
	for (uint32_t i = 4; i < len; i++)
		buf[i] = (uint8_t)(seq + i * 13u);
}

static uint64_t fnv(uint64_t h, const uint8_t *p, uint32_t n)
{
	if (!h)
		h = 0xcbf29ce484222325ull;
	for (uint32_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	return h;
}

static bool msg_ok(const uint8_t *buf, uint32_t n, uint32_t seq)
{
	uint8_t want[128];

	if (n != msg_len(seq))
		return false;
	msg_fill(want, seq, n);
	return memcmp(buf, want, n) == 0;
}

/*
 * Waits for a wakeup after the consumer found the queue empty.  false
 * when data stays queued with no wakeup (a lost notification: one more
 * wait allows for a producer between its tail store and its send), or
 * nothing comes at all.
 */
static bool wait_wakeup(struct stress *s, bool (*available)(struct fix *f))
{
	struct pollfd p = { .fd = s->wake_fd, .events = POLLIN };
	bool seen_data = false;

	s->sleeps++;
	for (int tries = 0; tries < 5; tries++) {
		if (poll(&p, 1, WAKE_TIMEOUT_MS) == 1) {
			(void)notes(s->wake_fd);
			return true;
		}
		if (available(s->f)) {
			if (seen_data)
				return false;
			seen_data = true;
		} else if (__atomic_load_n(&s->producer_done, __ATOMIC_ACQUIRE)) {
			return false;
		}
	}
	return false;
}

static bool cli_available(struct fix *f)
{
	return IODataQueueDataAvailable(f->cq);
}

static bool drv_available(struct fix *f)
{
	return f->cq->head != f->cq->tail;
}

static void *drv_producer(void *arg)
{
	struct stress *s = arg;
	uint8_t buf[128];

	for (uint32_t seq = 0; seq < s->count; seq++) {
		uint32_t len = msg_len(seq);

		msg_fill(buf, seq, len);
		s->sum_in = fnv(s->sum_in, buf, len);
		while (!iok_data_queue_enqueue(s->f->q, buf, len)) {
			if (__atomic_load_n(&s->consumer_done, __ATOMIC_ACQUIRE))
				goto out;
			s->full++;
			sched_yield();
		}
	}
out:
	__atomic_store_n(&s->producer_done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static void *cli_consumer(void *arg)
{
	struct stress *s = arg;
	uint8_t buf[128];

	while (s->received < s->count) {
		uint32_t n = sizeof(buf);
		IOReturn r = IODataQueueDequeue(s->f->cq, buf, &n);

		if (r == kIOReturnSuccess) {
			if (!msg_ok(buf, n, s->received)) {
				s->bad++;
				break;
			}
			s->sum_out = fnv(s->sum_out, buf, n);
			s->received++;
		} else if (r != kIOReturnUnderrun) {
			s->bad++;
			break;
		} else if (!wait_wakeup(s, cli_available)) {
			s->lost++;
			break;
		}
	}
	__atomic_store_n(&s->consumer_done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static void *cli_producer(void *arg)
{
	struct stress *s = arg;
	uint8_t buf[128];

	for (uint32_t seq = 0; seq < s->count; seq++) {
		uint32_t len = msg_len(seq);
		IOReturn r;

		msg_fill(buf, seq, len);
		s->sum_in = fnv(s->sum_in, buf, len);
		while ((r = IODataQueueEnqueue(s->f->cq, buf, len)) == kIOReturnOverrun) {
			if (__atomic_load_n(&s->consumer_done, __ATOMIC_ACQUIRE))
				goto out;
			s->full++;
			sched_yield();
		}
		if (r != kIOReturnSuccess) {
			s->bad++;
			break;
		}
	}
out:
	__atomic_store_n(&s->producer_done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static void *drv_consumer(void *arg)
{
	struct stress *s = arg;
	uint8_t buf[128];

	while (s->received < s->count) {
		uint32_t n = sizeof(buf);

		if (iok_data_queue_dequeue(s->f->q, buf, &n)) {
			if (!msg_ok(buf, n, s->received)) {
				s->bad++;
				break;
			}
			s->sum_out = fnv(s->sum_out, buf, n);
			s->received++;
		} else if (!wait_wakeup(s, drv_available)) {
			s->lost++;
			break;
		}
	}
	__atomic_store_n(&s->consumer_done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static void run_stress(struct stress *s, void *(*producer)(void *), void *(*consumer)(void *))
{
	pthread_t p, c;

	assert_int_equal(pthread_create(&c, NULL, consumer, s), 0);
	assert_int_equal(pthread_create(&p, NULL, producer, s), 0);
	pthread_join(p, NULL);
	pthread_join(c, NULL);
	print_message("%u messages, producer found it full %llu times, consumer slept %llu times\n",
		      s->received, (unsigned long long)s->full, (unsigned long long)s->sleeps);
	assert_int_equal(s->bad, 0);
	assert_int_equal(s->lost, 0);
	assert_int_equal(s->received, s->count);
	assert_true(s->sum_in == s->sum_out);
}

static void test_stress_driver_to_client(void **state)
{
	struct fix f;
	struct stress s = { .f = &f, .count = STRESS_TO_CLIENT };

	fix_open(&f, 4093, true);
	s.wake_fd = f.efd;
	run_stress(&s, drv_producer, cli_consumer);
	assert_false(IODataQueueDataAvailable(f.cq));
	fix_close(&f);
}

static void test_stress_client_to_driver(void **state)
{
	struct fix f;
	struct stress s = { .f = &f, .count = STRESS_TO_DRIVER };
	int efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);

	assert_true(efd >= 0);
	fix_open(&f, 2001, false);
	stub_efd = efd;
	s.wake_fd = efd;
	assert_int_equal(IODataQueueSetNotificationPort(f.cq, STUB_PORT), kIOReturnSuccess);
	run_stress(&s, cli_producer, drv_consumer);
	stub_efd = -1;
	close(efd);
	fix_close(&f);
}

/* The producer alone: enqueue reports full, and everything queued before
 * comes back. */
static void test_overflow(void **state)
{
	struct fix f;
	uint8_t buf[128];
	uint32_t queued = 0, n;

	fix_open(&f, 1000, true);
	for (;;) {
		uint32_t len = msg_len(queued);

		msg_fill(buf, queued, len);
		if (!iok_data_queue_enqueue(f.q, buf, len))
			break;
		queued++;
	}
	assert_true(queued > 10);
	/* Still full on retry, and stays within the ring. */
	for (int i = 0; i < 100; i++)
		assert_false(iok_data_queue_enqueue(f.q, buf, msg_len(queued)));
	assert_true(f.cq->tail <= 1000);
	assert_int_equal(notes(f.efd), 1);
	for (uint32_t seq = 0; seq < queued; seq++) {
		n = sizeof(buf);
		assert_int_equal(IODataQueueDequeue(f.cq, buf, &n), kIOReturnSuccess);
		assert_true(msg_ok(buf, n, seq));
	}
	assert_int_equal(IODataQueueDequeue(f.cq, buf, &n), kIOReturnUnderrun);
	fix_close(&f);
}

/* ---- a hostile client ----------------------------------------------------- */

#define HOSTILE_QS 4000u          /* 12 + 4000 + 28 = 4040: 8-aligned end */
#define HOSTILE_PHASE_NS 1200000000ull

struct hostile {
	struct fix *f;
	bool bounded;             /* queueSize <= the real size; public calls */
	int stop;                 /* atomic */
	uint64_t ops[3];
	uint32_t bad;             /* atomic: a result out of bounds */
};

static uint32_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return (uint32_t)(*s >> 16);
}

static bool stopped(struct hostile *h)
{
	return __atomic_load_n(&h->stop, __ATOMIC_RELAXED);
}

static void flag_bad(struct hostile *h)
{
	__atomic_add_fetch(&h->bad, 1, __ATOMIC_RELAXED);
}

/* An index a hostile client might write: anything, near the valid
 * range, or right at its end. */
static uint32_t hostile_index(uint64_t *s, uint32_t qs)
{
	uint32_t r = rnd(s);

	switch (r & 3) {
	case 0:
		return r;
	case 1:
		return (r >> 2) % (qs + 9);
	case 2:
		return qs - (r >> 2) % 9;
	default:
		return (r >> 2) % (qs + 1);
	}
}

static uint32_t hostile_size(uint64_t *s, uint32_t qs)
{
	uint32_t r = rnd(s);

	switch (r & 3) {
	case 0:
		return r;
	case 1:
		return UINT32_MAX - (r >> 2) % 8;
	default:
		return (r >> 2) % (qs + 8);
	}
}

static void *scribbler(void *arg)
{
	struct hostile *h = arg;
	IODataQueueMemory *cq = h->f->cq;
	uint32_t qs = h->f->qs;
	uint64_t s = 0x9e3779b97f4a7c15ull;

	while (!stopped(h)) {
		uint32_t r = rnd(&s);

		switch (r % 8) {
		case 0:
			r = rnd(&s);
			__atomic_store_n(&cq->queueSize, h->bounded ? r % (qs + 1) : r,
					 __ATOMIC_RELAXED);
			break;
		case 1:
			__atomic_store_n(&cq->head, hostile_index(&s, qs), __ATOMIC_RELAXED);
			break;
		case 2:
			__atomic_store_n(&cq->tail, hostile_index(&s, qs), __ATOMIC_RELAXED);
			break;
		case 3: {
			uint32_t at = hostile_index(&s, qs);

			__atomic_store_n(&cq->head, at, __ATOMIC_RELAXED);
			__atomic_store_n(&cq->tail, at, __ATOMIC_RELAXED);
			break;
		}
		default:
			/* a size word anywhere in the ring */
			wr32(h->f->cring + rnd(&s) % (qs - 3), hostile_size(&s, qs));
			break;
		}
		h->ops[2]++;
		if ((h->ops[2] & 1023) == 0)
			sched_yield();
	}
	return NULL;
}

static void *hostile_driver(void *arg)
{
	struct hostile *h = arg;
	uint32_t qs = h->f->qs;
	uint8_t *in = malloc(qs + 8), *out = malloc(512);
	uint64_t s = 0x1234567887654321ull;

	if (!in || !out)
		abort();
	memset(in, 0x5a, qs + 8);
	while (!stopped(h)) {
		uint32_t r = rnd(&s), n;
		IODataQueueEntry *e;

		switch (r % 5) {
		case 0:
		case 1:
			/* in has qs + 8 bytes: a larger size must be refused */
			n = (r >> 8) % 4 ? (r >> 8) % 300 : hostile_size(&s, qs);
			(void)iok_data_queue_enqueue(h->f->q, in, n);
			break;
		case 2:
			n = (r >> 8) % 512;
			if (iok_data_queue_dequeue(h->f->q, out, &n) && n > 511)
				flag_bad(h);
			break;
		case 3:
			e = iok_data_queue_peek(h->f->q);
			if (e && ((uint8_t *)e < h->f->hring ||
				  (uint8_t *)e + 4 > h->f->hring + qs))
				flag_bad(h);
			break;
		default:
			(void)iok_data_queue_dequeue(h->f->q, NULL, NULL);
			break;
		}
		h->ops[0]++;
	}
	free(in);
	free(out);
	return NULL;
}

static bool client_code_ok(IOReturn r)
{
	return r == kIOReturnSuccess || r == kIOReturnUnderrun || r == kIOReturnError ||
	       r == kIOReturnNoSpace;
}

/* The client side under the same attack: with a trusted size (the
 * private calls), or with the public calls while queueSize stays within
 * the real size. */
static void *hostile_client(void *arg)
{
	struct hostile *h = arg;
	IODataQueueMemory *cq = h->f->cq;
	uint32_t qs = h->f->qs;
	uint8_t *in = malloc(qs + 8), *out = malloc(512);
	uint64_t s = 0x0fedcba987654321ull;

	if (!in || !out)
		abort();
	memset(in, 0xa5, qs + 8);
	while (!stopped(h)) {
		uint32_t r = rnd(&s), n = (r >> 8) % 512;
		IODataQueueEntry *e;
		size_t es = 0;
		IOReturn ret;

		switch (r % 5) {
		case 0:
			ret = h->bounded ? IODataQueueDequeue(cq, out, &n) :
					   _IODataQueueDequeue(cq, qs, out, &n);
			if (!client_code_ok(ret) || n > 511)
				flag_bad(h);
			break;
		case 1:
			e = h->bounded ? IODataQueuePeek(cq) : _IODataQueuePeek(cq, qs, &es);
			if (e && ((uint8_t *)e < h->f->cring ||
				  (size_t)((uint8_t *)e - h->f->cring) + 4 + es > qs))
				flag_bad(h);
			break;
		case 2:
			ret = h->bounded ? IODataQueueDequeue(cq, NULL, NULL) :
					   _IODataQueueDequeue(cq, qs, NULL, NULL);
			if (!client_code_ok(ret))
				flag_bad(h);
			break;
		case 3:
			(void)IODataQueueDataAvailable(cq);
			break;
		default:
			/* the user-side producer trusts queueSize: bounded only */
			if (h->bounded) {
				n = (r >> 8) % 4 ? (r >> 8) % 300 : hostile_size(&s, qs);
				(void)IODataQueueEnqueue(cq, in, n);
			}
			break;
		}
		h->ops[1]++;
	}
	free(in);
	free(out);
	return NULL;
}

/* Guard pages around a mapping, where the address space allows. */
static void *guard_at(void *addr)
{
	long page = sysconf(_SC_PAGESIZE);
	void *g = mmap(addr, (size_t)page, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);

	if (g == MAP_FAILED)
		return NULL;
	if (g != addr) {
		munmap(g, (size_t)page);
		return NULL;
	}
	return g;
}

static void guard_drop(void *g)
{
	if (g)
		munmap(g, (size_t)sysconf(_SC_PAGESIZE));
}

/* The bytes between the end of the region and the end of its pages. */
static void poison_tail(struct fix *f, bool on)
{
#ifdef DQ_ASAN
	size_t end = 12 + (size_t)f->qs + 28;

	if (on) {
		ASAN_POISON_MEMORY_REGION((uint8_t *)f->host + end, f->map_len - end);
		ASAN_POISON_MEMORY_REGION((uint8_t *)f->cq + end, f->map_len - end);
	} else {
		ASAN_UNPOISON_MEMORY_REGION((uint8_t *)f->host + end, f->map_len - end);
		ASAN_UNPOISON_MEMORY_REGION((uint8_t *)f->cq + end, f->map_len - end);
	}
#else
	(void)f;
	(void)on;
#endif
}

/* A thread that does not stop has had its memory trampled: fail now. */
static void join_or_die(pthread_t t)
{
	struct timespec deadline;

	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += 10;
	if (pthread_timedjoin_np(t, NULL, &deadline)) {
		fprintf(stderr, "hostile: a thread is stuck\n");
		abort();
	}
}

static void hostile_phase(struct fix *f, bool bounded)
{
	struct hostile h = { .f = f, .bounded = bounded };
	pthread_t t[3];
	uint64_t end = iok_now_ns() + HOSTILE_PHASE_NS;
	struct timespec ts = { 0, 10 * 1000 * 1000 };

	f->cq->queueSize = f->qs;   /* the last phase left anything there */
	assert_int_equal(pthread_create(&t[0], NULL, hostile_driver, &h), 0);
	assert_int_equal(pthread_create(&t[1], NULL, hostile_client, &h), 0);
	assert_int_equal(pthread_create(&t[2], NULL, scribbler, &h), 0);
	while (iok_now_ns() < end)
		nanosleep(&ts, NULL);
	__atomic_store_n(&h.stop, 1, __ATOMIC_RELAXED);
	for (int i = 0; i < 3; i++)
		join_or_die(t[i]);
	print_message("%s: driver %llu ops, client %llu ops, %llu scribbles\n",
		      bounded ? "public calls" : "trusted size",
		      (unsigned long long)h.ops[0], (unsigned long long)h.ops[1],
		      (unsigned long long)h.ops[2]);
	assert_int_equal(h.bad, 0);
	assert_true(h.ops[0] > 1000 && h.ops[1] > 1000 && h.ops[2] > 1000);
}

static void test_hostile_client(void **state)
{
	uint8_t zero[64] = { 0 };
	void *guards[4];
	size_t end;
	struct fix f;

#ifdef DQ_TSAN
	skip();   /* the races on the ring are the point of this test */
#endif
	fix_open(&f, HOSTILE_QS, true);
	end = 12 + (size_t)f.qs + 28;
	guards[0] = guard_at((uint8_t *)f.host + f.map_len);
	guards[1] = guard_at((uint8_t *)f.host - sysconf(_SC_PAGESIZE));
	guards[2] = guard_at((uint8_t *)f.cq + f.map_len);
	guards[3] = guard_at((uint8_t *)f.cq - sysconf(_SC_PAGESIZE));
	poison_tail(&f, true);

	hostile_phase(&f, false);
	hostile_phase(&f, true);

	poison_tail(&f, false);
	for (int i = 0; i < 4; i++)
		guard_drop(guards[i]);
	/* Nobody wrote past the ring: the appendix and the page tail are
	 * still zero. */
	assert_memory_equal(f.cring + f.qs, zero, 28);
	for (size_t at = end; at < f.map_len; at += sizeof(zero))
		assert_memory_equal((uint8_t *)f.cq + at, zero,
				    f.map_len - at < sizeof(zero) ? f.map_len - at : sizeof(zero));
	assert_int_equal(iok_data_queue_capacity(f.q), HOSTILE_QS);

	/* Repaired, the queue works again, both ways. */
	f.cq->queueSize = f.qs;
	fix_reset(&f, 0);
	(void)notes(f.efd);
	assert_true(put_checked(&dirs[0], &f, 100, 1));
	assert_int_equal(notes(f.efd), 1);
	get_checked(&dirs[0], &f, 100, 1);
	assert_true(put_checked(&dirs[1], &f, 100, 2));
	get_checked(&dirs[1], &f, 100, 2);
	fix_close(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout),
		cmocka_unit_test(test_create_checks),
		cmocka_unit_test(test_wrap_every_offset),
		cmocka_unit_test(test_wrap_two_entries),
		cmocka_unit_test(test_full_edges),
		cmocka_unit_test(test_large_entries),
		cmocka_unit_test(test_zero_size),
		cmocka_unit_test(test_head_at_end_reads_appendix),
		cmocka_unit_test(test_peek_then_skip),
		cmocka_unit_test(test_no_space_keeps_entry),
		cmocka_unit_test(test_client_return_codes),
		cmocka_unit_test(test_driver_distrusts_header),
		cmocka_unit_test(test_driver_notifications),
		cmocka_unit_test(test_client_notifications),
		cmocka_unit_test(test_overflow),
		cmocka_unit_test(test_stress_driver_to_client),
		cmocka_unit_test(test_stress_client_to_driver),
		cmocka_unit_test(test_hostile_client),
	};

	return cmocka_run_group_tests_name("dataqueue", tests, NULL, NULL);
}
