// SPDX-License-Identifier: MIT
/*
 * dataqueue_client.c - the client library's side of a shared data queue
 * (Apple's IODataQueueClient): peek, dequeue and the user-side enqueue
 * over a mapped IODataQueueMemory, with Apple's placement rules, memory
 * ordering, checks and return codes.
 *
 * The public functions use the queueSize stored in the shared header, as
 * Apple's do; Apple's private _IODataQueuePeek/_IODataQueueDequeue take a
 * size the caller trusts instead (0: use the shared one).  Every value
 * read from the mapping is read exactly once into a local and checked
 * before it is used, so a peer rewriting the mapping can make a call fail
 * but, given a correct size, never make it reach outside the mapping.
 *
 * IODataQueueWaitForAvailableData and IODataQueueAllocateNotificationPort
 * are about ports, not queue memory: they live in dataqueue_ports.c.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <IOKit/IODataQueueClient.h>

#include "iok_export.h"
#include "iok_dq_ring.h"

/* ports.c: wakes a local port; KERN_SUCCESS or MACH_SEND_INVALID_DEST. */
kern_return_t iok_port_signal(mach_port_t port);

/* Apple's private trusted-size entry points (IODataQueueClientPrivate.h). */
IODataQueueEntry *_IODataQueuePeek(IODataQueueMemory *dataQueue, uint64_t queueSize,
				   size_t *entrySize);
IOReturn _IODataQueueDequeue(IODataQueueMemory *dataQueue, uint64_t queueSize, void *data,
			     uint32_t *dataSize);

#define DQ_ENTRY_HEADER IOK_DQ_ENTRY_HEADER

static inline uint8_t *dq_ring(IODataQueueMemory *dq)
{
	return (uint8_t *)dq + DATA_QUEUE_MEMORY_HEADER_SIZE;
}

/* The ring size to work with: the caller's trusted one, else the shared
 * header's, read once.  (A trusted size is truncated to 32 bits, as
 * Apple's is.) */
static uint32_t dq_queue_size(IODataQueueMemory *dq, uint64_t trusted)
{
	if (trusted)
		return (uint32_t)trusted;
	return __atomic_load_n(&dq->queueSize, __ATOMIC_RELAXED);
}

/* Loads head (relaxed) and tail (acquire); true when they differ. */
static bool dq_load_indices(IODataQueueMemory *dq, uint32_t *head, uint32_t *tail)
{
	*head = __atomic_load_n(&dq->head, __ATOMIC_RELAXED);
	/* Pairs with the producer's release store of tail: the entry's
	 * bytes are visible once the tail that covers them is. */
	*tail = __atomic_load_n(&dq->tail, __ATOMIC_ACQUIRE);
	return *head != *tail;
}

static IODataQueueEntry *dq_peek(IODataQueueMemory *dq, uint64_t trusted, size_t *entry_size)
{
	struct iok_dq_slot slot;
	uint32_t head, tail;

	if (!dq || !dq_load_indices(dq, &head, &tail))
		return NULL;
	if (!iok_dq_locate(dq_ring(dq), dq_queue_size(dq, trusted), head, &slot))
		return NULL;
	if (entry_size)
		*entry_size = slot.size;
	return (IODataQueueEntry *)(void *)(dq_ring(dq) + slot.offset);
}

static IOReturn dq_dequeue(IODataQueueMemory *dq, uint64_t trusted, void *data,
			   uint32_t *data_size)
{
	struct iok_dq_slot slot;
	uint32_t head, tail;

	if (!dq || (data && !data_size))
		return kIOReturnBadArgument;
	if (!dq_load_indices(dq, &head, &tail))
		return kIOReturnUnderrun;
	if (!iok_dq_locate(dq_ring(dq), dq_queue_size(dq, trusted), head, &slot))
		return kIOReturnError;
	if (data) {
		if (slot.size > *data_size)
			return kIOReturnNoSpace;
		memcpy(data, dq_ring(dq) + slot.offset + DQ_ENTRY_HEADER, slot.size);
		*data_size = slot.size;
	}
	/* Pairs with the producer's acquire load of head: our reads of the
	 * slot are done before the producer may reuse it. */
	__atomic_store_n(&dq->head, slot.next, __ATOMIC_RELEASE);
	/*
	 * We emptied the queue.  Pairs with the fence after the producer's
	 * tail store: either it sees our head and notifies, or our next
	 * look at tail sees its entry.
	 */
	if (slot.next == tail)
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return kIOReturnSuccess;
}

IOK_EXPORT Boolean IODataQueueDataAvailable(IODataQueueMemory *dataQueue)
{
	return dataQueue && dataQueue->head != dataQueue->tail;
}

IOK_EXPORT IODataQueueEntry *IODataQueuePeek(IODataQueueMemory *dataQueue)
{
	return dq_peek(dataQueue, 0, NULL);
}

IOK_EXPORT IODataQueueEntry *_IODataQueuePeek(IODataQueueMemory *dataQueue, uint64_t queueSize,
					      size_t *entrySize)
{
	return dq_peek(dataQueue, queueSize, entrySize);
}

IOK_EXPORT IOReturn IODataQueueDequeue(IODataQueueMemory *dataQueue, void *data,
				       uint32_t *dataSize)
{
	return dq_dequeue(dataQueue, 0, data, dataSize);
}

IOK_EXPORT IOReturn _IODataQueueDequeue(IODataQueueMemory *dataQueue, uint64_t queueSize,
					void *data, uint32_t *dataSize)
{
	return dq_dequeue(dataQueue, queueSize, data, dataSize);
}

/* ---- the user-side producer ---------------------------------------------- */

/* The appendix of a queue whose ring is q bytes. */
static uint8_t *dq_appendix(IODataQueueMemory *dq, uint32_t q)
{
	return dq_ring(dq) + q;
}

#define DQ_MSGH_FIELD(field) \
	(offsetof(IODataQueueAppendix, msgh) + offsetof(mach_msg_header_t, field))

/*
 * Wakes the port named in the appendix, if any.  Returns the send result:
 * success when no port is set, MACH_SEND_INVALID_DEST for a name that is
 * not a local port.  Sends never block and coalesce.
 */
static IOReturn dq_send_notification(IODataQueueMemory *dq, uint32_t q)
{
	mach_port_t port = iok_dq_load_u32(dq_appendix(dq, q) + DQ_MSGH_FIELD(msgh_remote_port));

	if (port == MACH_PORT_NULL)
		return kIOReturnSuccess;
	return iok_port_signal(port);
}

IOK_EXPORT IOReturn IODataQueueEnqueue(IODataQueueMemory *dataQueue, void *data,
				       uint32_t dataSize)
{
	uint32_t q, head, tail, offset, esize;

	if (!dataQueue)
		return kIOReturnBadArgument;
	q = dq_queue_size(dataQueue, 0);
	tail = __atomic_load_n(&dataQueue->tail, __ATOMIC_RELAXED);
	/* Pairs with the consumer's release store of head: it is done
	 * reading the bytes we may now overwrite. */
	head = __atomic_load_n(&dataQueue->head, __ATOMIC_ACQUIRE);

	if (dataSize > UINT32_MAX - DQ_ENTRY_HEADER)
		return kIOReturnOverrun;
	if (q < tail || q < head)
		return kIOReturnUnderrun;
	esize = dataSize + DQ_ENTRY_HEADER;
	if (!iok_dq_place(q, head, tail, esize, &offset)) {
		/* Full: poke a consumer that may have stalled. */
		(void)dq_send_notification(dataQueue, q);
		return kIOReturnOverrun;
	}
	iok_dq_write_entry(dq_ring(dataQueue), q, tail, offset, data, dataSize);

	/* Pairs with the consumer's acquire load of tail: publishes the entry. */
	__atomic_store_n(&dataQueue->tail, offset + esize, __ATOMIC_RELEASE);
	if (tail != head) {
		/*
		 * Pairs with the fence in dequeue after the store of a head
		 * that empties the queue: either the consumer sees our tail,
		 * or we see its head here and notify.
		 */
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		head = __atomic_load_n(&dataQueue->head, __ATOMIC_RELAXED);
	}
	if (tail == head)
		return dq_send_notification(dataQueue, q);
	return kIOReturnSuccess;
}

IOK_EXPORT IOReturn IODataQueueSetNotificationPort(IODataQueueMemory *dataQueue,
						   mach_port_t notifyPort)
{
	uint8_t *appendix;

	if (!dataQueue)
		return kIOReturnBadArgument;
	appendix = dq_appendix(dataQueue, dq_queue_size(dataQueue, 0));
	iok_dq_store_u32(appendix + DQ_MSGH_FIELD(msgh_bits),
		     MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, 0));
	iok_dq_store_u32(appendix + DQ_MSGH_FIELD(msgh_size), sizeof(mach_msg_header_t));
	iok_dq_store_u32(appendix + DQ_MSGH_FIELD(msgh_remote_port), notifyPort);
	iok_dq_store_u32(appendix + DQ_MSGH_FIELD(msgh_local_port), MACH_PORT_NULL);
	iok_dq_store_u32(appendix + DQ_MSGH_FIELD(msgh_id), 0);
	return kIOReturnSuccess;
}
