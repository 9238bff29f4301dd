/* SPDX-License-Identifier: MIT */
/*
 * iok_dq_ring.h - the ring arithmetic of Apple's IODataQueue, shared by the
 * driver side (src/runtime/dataqueue.c) and the client side
 * (src/libiokit/dataqueue_client.c), so that the bounds checks exist once.
 *
 * The ring is q bytes; an entry is a 4-byte size word and that many bytes
 * of payload, at any byte offset.  Callers pass values they read from
 * shared memory once; nothing here reads head or tail.
 */
#ifndef IOK_DQ_RING_H
#define IOK_DQ_RING_H

#ifdef __KERNEL__
#include <linux/string.h>
#include <linux/types.h>
#else
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#endif

#define IOK_DQ_ENTRY_HEADER 4u

/*
 * Size words sit at any byte offset.  The packed type makes such an
 * access legal; volatile makes it exactly one read (or write) of memory
 * the peer may change at any moment.
 */
struct iok_dq_unaligned_u32 {
	uint32_t v;
} __attribute__((packed, may_alias));

static inline uint32_t iok_dq_load_u32(const uint8_t *p)
{
	return ((const volatile struct iok_dq_unaligned_u32 *)p)->v;
}

static inline void iok_dq_store_u32(uint8_t *p, uint32_t v)
{
	((volatile struct iok_dq_unaligned_u32 *)p)->v = v;
}

/*
 * Where an entry of esize bytes goes: at tail if it fits before the end of
 * the ring (it may end exactly at q), else at 0 if that leaves head
 * strictly ahead of the new tail; false when the queue is full.  When
 * tail < head it must leave head strictly ahead too: tail never catches up
 * with head, since head == tail means empty.
 */
static inline bool iok_dq_place(uint32_t q, uint32_t head, uint32_t tail, uint32_t esize,
				uint32_t *offset)
{
	if (tail >= head) {
		if (esize <= UINT32_MAX - tail && tail + esize <= q) {
			*offset = tail;
			return true;
		}
		if (head > esize) {
			*offset = 0;
			return true;
		}
		return false;
	}
	if (head - tail > esize) {
		*offset = tail;
		return true;
	}
	return false;
}

/*
 * Writes an entry at offset.  After a wrap, the old tail also gets a
 * size-only marker when there is room for one, so that a reader arriving
 * there sees an entry that overruns the ring and wraps too.  (Order does
 * not matter: the entry is published by the release store of tail.)
 */
static inline void iok_dq_write_entry(uint8_t *ring, uint32_t q, uint32_t tail, uint32_t offset,
				      const void *data, uint32_t size)
{
	iok_dq_store_u32(ring + offset, size);
	if (offset != tail && q - tail >= IOK_DQ_ENTRY_HEADER)
		iok_dq_store_u32(ring + tail, size);
	if (size && data)
		memcpy(ring + offset + IOK_DQ_ENTRY_HEADER, data, size);
}

/* The entry at the head: its offset in the ring, payload size, and the
 * head that follows it. */
struct iok_dq_slot {
	uint32_t offset;
	uint32_t size;
	uint32_t next;
};

/*
 * Finds the entry a non-empty queue holds at head: at head, or at 0 when
 * from head on there is no room for its header or for its payload (the
 * producer wrapped).  false when head or a size word is out of bounds.
 * (Unlike xnu's kernel peek, the wrapped entry's size is always checked.)
 */
static inline bool iok_dq_locate(const uint8_t *ring, uint32_t q, uint32_t head,
				 struct iok_dq_slot *slot)
{
	uint32_t size;

	if (head > q)
		return false;
	/* head == q reads the first bytes of the appendix: still mapped. */
	size = iok_dq_load_u32(ring + head);
	if (head > UINT32_MAX - IOK_DQ_ENTRY_HEADER || head + IOK_DQ_ENTRY_HEADER > q ||
	    head + IOK_DQ_ENTRY_HEADER > UINT32_MAX - size || head + IOK_DQ_ENTRY_HEADER + size > q) {
		size = iok_dq_load_u32(ring);
		if (size > UINT32_MAX - IOK_DQ_ENTRY_HEADER || size + IOK_DQ_ENTRY_HEADER > q)
			return false;
		slot->offset = 0;
		slot->size = size;
		slot->next = size + IOK_DQ_ENTRY_HEADER;
		return true;
	}
	/* size was read once, so the test above bounds it: no re-check. */
	slot->offset = head;
	slot->size = size;
	slot->next = head + IOK_DQ_ENTRY_HEADER + size;
	return true;
}

#endif /* IOK_DQ_RING_H */
