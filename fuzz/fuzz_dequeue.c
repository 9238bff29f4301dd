// SPDX-License-Identifier: MIT
/*
 * fuzz_dequeue.c - the client library's data-queue calls
 * (dataqueue_client.c, compiled in) over arbitrary queue memory.
 *
 * The input is a 24-byte header, then the ring and appendix bytes:
 *	0      mode: bit 0 set = private calls with a trusted size, the
 *	       shared queueSize then being the arbitrary value at 11 (a
 *	       trusted size of 0 means "use the shared one", so Q 0 is mode 0)
 *	1..2   ring size Q (little-endian, at most 4096)
 *	3..6   head    7..10 tail    11..14 shared queueSize (mode 1)
 *	15..23 nine operations
 * The queue lives in a heap buffer of exactly 12 + Q + 28 bytes, so any
 * access outside it is caught.  The public calls trust the shared
 * queueSize (as Apple's do), so in mode 0 it is Q; the private calls must
 * stay in bounds whatever it says.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <IOKit/IODataQueueClient.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* dataqueue_client.c's private calls and the port signal it needs. */
IODataQueueEntry *_IODataQueuePeek(IODataQueueMemory *dataQueue, uint64_t queueSize,
				   size_t *entrySize);
IOReturn _IODataQueueDequeue(IODataQueueMemory *dataQueue, uint64_t queueSize, void *data,
			     uint32_t *dataSize);
kern_return_t iok_port_signal(mach_port_t port);

#define HEADER_LEN 24
#define MAX_QS 4096u
#define N_OPS 9

kern_return_t iok_port_signal(mach_port_t port)
{
	return port == 1 ? KERN_SUCCESS : MACH_SEND_INVALID_DEST;
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint32_t rd32(const void *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

struct ctx {
	IODataQueueMemory *dq;
	uint8_t *ring;
	uint32_t qs;
	bool trusted;
};

static IOReturn dequeue(struct ctx *c, void *buf, uint32_t *n)
{
	return c->trusted ? _IODataQueueDequeue(c->dq, c->qs, buf, n) :
			    IODataQueueDequeue(c->dq, buf, n);
}

static bool code_ok(IOReturn r)
{
	return r == kIOReturnSuccess || r == kIOReturnUnderrun || r == kIOReturnError ||
	       r == kIOReturnNoSpace;
}

/* A dequeue into a buffer of exactly room bytes. */
static void op_dequeue(struct ctx *c, uint32_t room)
{
	uint8_t *buf = malloc(room ? room : 1);
	uint32_t n = room;
	IOReturn r;

	if (!buf)
		return;
	r = dequeue(c, buf, &n);
	if (!code_ok(r) || n > room || (r != kIOReturnSuccess && n != room))
		abort();
	if (r == kIOReturnSuccess && c->dq->head > c->qs)
		abort();
	free(buf);
}

/* A peek must point at an entry that lies inside the ring. */
static IODataQueueEntry *op_peek(struct ctx *c, uint32_t *entry_size)
{
	size_t es = 0;
	IODataQueueEntry *e = c->trusted ? _IODataQueuePeek(c->dq, c->qs, &es) :
					   IODataQueuePeek(c->dq);
	size_t off;

	if (!e)
		return NULL;
	off = (size_t)((uint8_t *)e - c->ring);
	if ((uint8_t *)e < c->ring || off > c->qs)
		abort();
	if (!c->trusted)
		es = rd32(e);
	if (off + 4 + es > c->qs)
		abort();
	*entry_size = (uint32_t)es;
	return e;
}

/* Peek, then dequeue into a buffer of exactly the size peeked. */
static void op_peek_dequeue(struct ctx *c)
{
	uint32_t es = 0;

	if (op_peek(c, &es))
		op_dequeue(c, es);
}

/* The user-side producer (it trusts the shared queueSize: mode 0). */
static void op_enqueue(struct ctx *c, uint32_t len)
{
	uint8_t *buf = malloc(len ? len : 1);
	uint32_t tail;
	IOReturn r;

	if (!buf)
		return;
	memset(buf, 0xe7, len);
	r = IODataQueueEnqueue(c->dq, buf, len);
	tail = c->dq->tail;
	if (r == kIOReturnSuccess || r == MACH_SEND_INVALID_DEST) {
		if (tail > c->qs || tail < len + 4 || rd32(c->ring + tail - len - 4) != len ||
		    memcmp(c->ring + tail - len, buf, len))
			abort();
	} else if (r != kIOReturnOverrun && r != kIOReturnUnderrun) {
		abort();
	}
	free(buf);
}

static void run_op(struct ctx *c, uint8_t op)
{
	uint32_t arg = op >> 3, n = 77;
	uint32_t es;

	switch (op & 7) {
	case 0:
		op_dequeue(c, arg * 9);
		break;
	case 1:
		if (!code_ok(dequeue(c, NULL, NULL)))
			abort();
		break;
	case 2:
		(void)op_peek(c, &es);
		break;
	case 3:
		(void)IODataQueueDataAvailable(c->dq);
		break;
	case 4:
		if (!c->trusted)
			op_enqueue(c, arg * 5);
		break;
	case 5:
		if (!c->trusted &&
		    IODataQueueSetNotificationPort(c->dq, arg & 1) != kIOReturnSuccess)
			abort();
		break;
	case 6:
		op_peek_dequeue(c);
		break;
	default:
		/* data NULL with a size: skipped, the size untouched */
		if (!code_ok(dequeue(c, NULL, &n)) || n != 77)
			abort();
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ctx c;
	size_t len, body;

	if (size < HEADER_LEN)
		return 0;
	c.qs = ((uint32_t)data[1] | (uint32_t)data[2] << 8) % (MAX_QS + 1);
	/* A trusted size of 0 means "use the shared one": not trusted. */
	c.trusted = (data[0] & 1) && c.qs;
	len = DATA_QUEUE_MEMORY_HEADER_SIZE + (size_t)c.qs + DATA_QUEUE_MEMORY_APPENDIX_SIZE;
	c.dq = calloc(1, len);
	if (!c.dq)
		return 0;
	c.ring = (uint8_t *)c.dq + DATA_QUEUE_MEMORY_HEADER_SIZE;
	c.dq->queueSize = c.trusted ? le32(data + 11) : c.qs;
	c.dq->head = le32(data + 3);
	c.dq->tail = le32(data + 7);
	body = size - HEADER_LEN;
	if (body > len - DATA_QUEUE_MEMORY_HEADER_SIZE)
		body = len - DATA_QUEUE_MEMORY_HEADER_SIZE;
	memcpy(c.ring, data + HEADER_LEN, body);

	for (int i = 0; i < N_OPS; i++)
		run_op(&c, data[15 + i]);
	free(c.dq);
	return 0;
}
