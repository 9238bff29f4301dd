// SPDX-License-Identifier: MIT
/*
 * fuzz_enqueue.c - the driver's IOSharedDataQueue (src/runtime/dataqueue.c,
 * compiled in) against a client that writes anything into the shared
 * memory between operations.
 *
 * The memory descriptor and port calls are replaced here: the queue's
 * memory is a heap buffer of exactly 12 + size + 28 bytes, so any access
 * outside the region is caught, and the port counts its wakeups.
 *
 * Input: 2 bytes of ring size (at most 1023), then operations, each an op
 * byte and its argument bytes:
 *	0 enqueue, 2-byte length     1 dequeue, 1-byte room / 4
 *	2 skip an entry              3 peek
 *	4 head = u32                 5 tail = u32
 *	6 queueSize = u32            7 u32 at a 2-byte offset in the region
 *	8 set or clear the port      9 head, tail near the end of the ring
 * Each enqueue is checked against the placement rule and the notification
 * rule, each dequeue and peek against the bounds of the ring.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <IOKit/driver/iok_data_queue.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_QS 1023u
#define MAX_OPS 256

/* ---- stand-ins for the runtime's memory descriptors and ports ------------ */

struct iok_memory {
	int refs;
	size_t len;
	uint8_t *bytes;
};

struct iok_port {
	int refs;
	unsigned sends;
};

iok_memory_t *iok_memory_create(size_t length)
{
	struct iok_memory *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->bytes = calloc(1, length);
	if (!m->bytes) {
		free(m);
		return NULL;
	}
	m->refs = 1;
	m->len = length;
	return m;
}

iok_memory_t *iok_memory_retain(iok_memory_t *mem)
{
	if (mem)
		mem->refs++;
	return mem;
}

void iok_memory_release(iok_memory_t *mem)
{
	if (mem && --mem->refs == 0) {
		free(mem->bytes);
		free(mem);
	}
}

size_t iok_memory_length(const iok_memory_t *mem)
{
	return mem ? mem->len : 0;
}

void *iok_memory_bytes(iok_memory_t *mem)
{
	return mem ? mem->bytes : NULL;
}

iok_port_t *iok_port_retain(iok_port_t *port)
{
	if (port)
		port->refs++;
	return port;
}

void iok_port_release(iok_port_t *port)
{
	if (port && --port->refs == 0)
		abort();   /* the fuzzer holds its own reference throughout */
}

int iok_port_send(iok_port_t *port)
{
	port->sends++;
	return 0;
}

/* ---- the harness ---------------------------------------------------------- */

struct ctx {
	iok_data_queue_t *q;
	IODataQueueMemory *shm;
	uint8_t *ring;
	size_t region;
	uint32_t qs;
	struct iok_port port;
	bool port_set;
	const uint8_t *in;
	size_t left;
};

static uint32_t take(struct ctx *c, size_t n)
{
	uint32_t v = 0;

	for (size_t i = 0; i < n && c->left; i++, c->in++, c->left--)
		v |= (uint32_t)*c->in << (8 * i);
	return v;
}

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

/* The placement rule as free space (see test_dataqueue.c). */
static bool fits(uint32_t qs, uint32_t head, uint32_t tail, uint32_t len, uint32_t *off)
{
	uint64_t e = (uint64_t)len + 4;

	if (head > qs || tail > qs)
		return false;
	*off = tail;
	if (tail < head)
		return e + 1 <= (uint64_t)head - tail;
	if (e <= (uint64_t)qs - tail)
		return true;
	*off = 0;
	return e + 1 <= head;
}

static void op_enqueue(struct ctx *c, uint32_t len)
{
	uint32_t head = c->shm->head, tail = c->shm->tail, off = 0;
	bool want = fits(c->qs, head, tail, len, &off);
	uint8_t *buf = malloc(len ? len : 1);
	unsigned sends = c->port.sends;

	if (!buf)
		return;
	memset(buf, (int)(len * 31 + 7), len);
	if (iok_data_queue_enqueue(c->q, buf, len) != want)
		abort();
	if (want) {
		if (c->shm->tail != off + len + 4 || rd32(c->ring + off) != len ||
		    memcmp(c->ring + off + 4, buf, len))
			abort();
		if (off != tail && c->qs - tail >= 4 && rd32(c->ring + tail) != len)
			abort();
		/* Nothing runs concurrently: it notifies iff it was empty. */
		if (c->port.sends - sends != (c->port_set && tail == head))
			abort();
	} else if (c->shm->tail != tail || c->port.sends != sends) {
		abort();
	}
	free(buf);
}

static void op_dequeue(struct ctx *c, uint32_t room)
{
	uint8_t *buf = malloc(room ? room : 1);
	uint32_t n = room;

	if (!buf)
		return;
	if (iok_data_queue_dequeue(c->q, buf, &n)) {
		if (n > room || c->shm->head > c->qs)
			abort();
	} else if (n != room) {
		abort();
	}
	free(buf);
}

static void op_peek(struct ctx *c)
{
	IODataQueueEntry *e = iok_data_queue_peek(c->q);
	size_t off;

	if (!e)
		return;
	off = (size_t)((uint8_t *)e - c->ring);
	if ((uint8_t *)e < c->ring || off + 4 + (size_t)rd32(e) > c->qs)
		abort();
}

static void run_op(struct ctx *c, uint8_t op)
{
	uint32_t at;

	switch (op % 10) {
	case 0:
		op_enqueue(c, take(c, 2) % (MAX_QS + 8));
		break;
	case 1:
		op_dequeue(c, take(c, 1) * 4);
		break;
	case 2:
		(void)iok_data_queue_dequeue(c->q, NULL, NULL);
		break;
	case 3:
		op_peek(c);
		break;
	case 4:
		c->shm->head = take(c, 4);
		break;
	case 5:
		c->shm->tail = take(c, 4);
		break;
	case 6:
		c->shm->queueSize = take(c, 4);
		break;
	case 7:
		at = take(c, 2) % (uint32_t)(c->region - 3);
		wr32((uint8_t *)c->shm + at, take(c, 4));
		break;
	case 8:
		c->port_set = !c->port_set;
		iok_data_queue_set_notification_port(c->q, c->port_set ? &c->port : NULL);
		break;
	default:
		at = take(c, 1);
		c->shm->head = c->qs - (at & 7) % (c->qs + 1);
		c->shm->tail = c->qs - (at >> 3 & 7) % (c->qs + 1);
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ctx c = { .in = data, .left = size, .port = { .refs = 1 } };
	iok_memory_t *mem;

	if (size < 2)
		return 0;
	c.qs = take(&c, 2) % (MAX_QS + 1);
	c.q = iok_data_queue_with_capacity(c.qs);
	if (!c.q)
		abort();
	mem = iok_data_queue_memory(c.q);
	c.region = iok_memory_length(mem);
	if (c.region != DATA_QUEUE_MEMORY_HEADER_SIZE + c.qs + DATA_QUEUE_MEMORY_APPENDIX_SIZE)
		abort();
	c.shm = iok_memory_bytes(mem);
	c.ring = (uint8_t *)c.shm + DATA_QUEUE_MEMORY_HEADER_SIZE;

	for (int i = 0; i < MAX_OPS && c.left; i++)
		run_op(&c, (uint8_t)take(&c, 1));
	if (iok_data_queue_capacity(c.q) != c.qs)
		abort();
	iok_data_queue_release(c.q);
	iok_memory_release(mem);
	if (c.port.refs != 1)
		abort();
	return 0;
}
