// SPDX-License-Identifier: MIT
/*
 * dataqueue.c - IOSharedDataQueue: the driver side of a shared data queue
 * (see iok_data_queue.h), with xnu's algorithm and memory ordering.
 *
 * The client maps the whole region and may rewrite any of it at any
 * moment.  The ring size used for every bound is the private copy taken
 * at creation; head, tail and each size word are read exactly once into
 * locals and checked (with overflow-safe comparisons) before any pointer
 * is formed from them.  A reader at head == size looks at the 4 bytes
 * after the ring: the appendix keeps that read inside the region.
 *
 * This file is also built into the kernel module: it uses iok_os.h only.
 */
#include "runtime.h"
#include "iok_dq_ring.h"

#include <IOKit/driver/iok_data_queue.h>

#define DQ_ENTRY_HEADER ((uint32_t)DATA_QUEUE_ENTRY_HEADER_SIZE)
#define DQ_MEMORY_HEADER ((uint32_t)DATA_QUEUE_MEMORY_HEADER_SIZE)
#define DQ_APPENDIX ((uint32_t)DATA_QUEUE_MEMORY_APPENDIX_SIZE)

struct iok_data_queue {
	iok_memory_t *mem;
	IODataQueueMemory *shared;   /* the host's mapping of mem */
	uint8_t *ring;               /* shared + 12 */
	uint32_t queue_size;         /* trusted ring size */

	iok_mutex_t port_lock;       /* guards port */
	iok_port_t *port;            /* a reference, or NULL */
};

/* ---- creation ------------------------------------------------------------- */

IOK_EXPORT iok_data_queue_t *iok_data_queue_with_capacity(uint32_t size)
{
	iok_data_queue_t *q;

	if (size > UINT32_MAX - DQ_MEMORY_HEADER - DQ_APPENDIX)
		return NULL;
	q = iok_zalloc(sizeof(*q));
	if (!q)
		return NULL;
	/* Zero-filled, so head and tail start at 0; rounded up to pages. */
	q->mem = iok_memory_create((size_t)DQ_MEMORY_HEADER + size + DQ_APPENDIX);
	if (!q->mem) {
		iok_free(q);
		return NULL;
	}
	q->shared = iok_memory_bytes(q->mem);
	q->ring = (uint8_t *)q->shared + DQ_MEMORY_HEADER;
	q->queue_size = size;
	/* The shared copy is for the client only; we use queue_size. */
	q->shared->queueSize = size;
	iok_dq_store_u32(q->ring + size + offsetof(IODataQueueAppendix, version), 0);
	iok_mutex_init(&q->port_lock);
	return q;
}

IOK_EXPORT iok_data_queue_t *iok_data_queue_with_entries(uint32_t n, uint32_t entry_size)
{
	if (entry_size > UINT32_MAX - DQ_ENTRY_HEADER || n > UINT32_MAX - 1 ||
	    entry_size + DQ_ENTRY_HEADER > UINT32_MAX / (n + 1))
		return NULL;
	return iok_data_queue_with_capacity((n + 1) * (entry_size + DQ_ENTRY_HEADER));
}

IOK_EXPORT void iok_data_queue_release(iok_data_queue_t *q)
{
	if (!q)
		return;
	iok_port_release(q->port);
	iok_memory_release(q->mem);
	iok_mutex_destroy(&q->port_lock);
	iok_free(q);
}

IOK_EXPORT iok_memory_t *iok_data_queue_memory(iok_data_queue_t *q)
{
	return q ? iok_memory_retain(q->mem) : NULL;
}

IOK_EXPORT uint32_t iok_data_queue_capacity(const iok_data_queue_t *q)
{
	return q ? q->queue_size : 0;
}

/* ---- notification --------------------------------------------------------- */

IOK_EXPORT void iok_data_queue_set_notification_port(iok_data_queue_t *q, iok_port_t *port)
{
	iok_port_t *old;

	if (!q)
		return;
	iok_port_retain(port);
	iok_mutex_lock(&q->port_lock);
	old = q->port;
	q->port = port;
	iok_mutex_unlock(&q->port_lock);
	iok_port_release(old);
}

/* sendDataAvailableNotification: never blocks; a wakeup already pending
 * absorbs this one, and a port nobody receives on any more is ignored. */
static void dq_notify(iok_data_queue_t *q)
{
	iok_mutex_lock(&q->port_lock);
	if (q->port)
		(void)iok_port_send(q->port);
	iok_mutex_unlock(&q->port_lock);
}

/* ---- enqueue -------------------------------------------------------------- */

IOK_EXPORT bool iok_data_queue_enqueue(iok_data_queue_t *q, const void *data, uint32_t size)
{
	uint32_t head, tail, offset, esize;

	if (!q || (!data && size))
		return false;
	tail = iok_atomic_load(&q->shared->tail, IOK_RELAXED);
	/* Pairs with the consumer's release store of head: it is done
	 * reading the bytes we may now overwrite. */
	head = iok_atomic_load(&q->shared->head, IOK_ACQUIRE);

	if (size > UINT32_MAX - DQ_ENTRY_HEADER)
		return false;
	if (q->queue_size < tail || q->queue_size < head)
		return false;
	esize = size + DQ_ENTRY_HEADER;
	if (!iok_dq_place(q->queue_size, head, tail, esize, &offset))
		return false;
	iok_dq_write_entry(q->ring, q->queue_size, tail, offset, data, size);

	/* Pairs with the consumer's acquire load of tail: publishes the entry. */
	iok_atomic_store(&q->shared->tail, offset + esize, IOK_RELEASE);
	if (tail != head) {
		/*
		 * Pairs with the fence in dequeue after the store of a head
		 * that empties the queue: either the consumer sees our tail,
		 * or we see its head here and notify.
		 */
		iok_atomic_fence(IOK_SEQ_CST);
		head = iok_atomic_load(&q->shared->head, IOK_RELAXED);
	}
	if (tail == head)
		dq_notify(q);
	return true;
}

/* ---- dequeue and peek ----------------------------------------------------- */

static bool dq_locate(const iok_data_queue_t *q, uint32_t head, struct iok_dq_slot *slot)
{
	return iok_dq_locate(q->ring, q->queue_size, head, slot);
}

/* Loads head (relaxed) and tail (acquire) and locates the head entry;
 * false when the queue is empty or corrupt. */
static bool dq_head_entry(const iok_data_queue_t *q, struct iok_dq_slot *slot, uint32_t *tail)
{
	uint32_t head = iok_atomic_load(&q->shared->head, IOK_RELAXED);

	/* Pairs with the producer's release store of tail: the entry's bytes
	 * are visible once the tail that covers them is. */
	*tail = iok_atomic_load(&q->shared->tail, IOK_ACQUIRE);
	if (head == *tail)
		return false;
	return dq_locate(q, head, slot);
}

IOK_EXPORT bool iok_data_queue_dequeue(iok_data_queue_t *q, void *data, uint32_t *size)
{
	struct iok_dq_slot slot;
	uint32_t tail;

	if (!q || (data && !size))
		return false;
	if (!dq_head_entry(q, &slot, &tail))
		return false;
	if (data) {
		if (slot.size > *size)
			return false;
		memcpy(data, q->ring + slot.offset + DQ_ENTRY_HEADER, slot.size);
		*size = slot.size;
	}
	/* Pairs with the producer's acquire load of head: our reads of the
	 * slot are done before the producer may reuse it. */
	iok_atomic_store(&q->shared->head, slot.next, IOK_RELEASE);
	/*
	 * We emptied the queue.  Pairs with the fence after the producer's
	 * tail store: either it sees our head and notifies, or our next look
	 * at tail sees its entry.
	 */
	if (slot.next == tail)
		iok_atomic_fence(IOK_SEQ_CST);
	return true;
}

IOK_EXPORT IODataQueueEntry *iok_data_queue_peek(iok_data_queue_t *q)
{
	struct iok_dq_slot slot;
	uint32_t tail;

	if (!q || !dq_head_entry(q, &slot, &tail))
		return NULL;
	return (IODataQueueEntry *)(void *)(q->ring + slot.offset);
}
