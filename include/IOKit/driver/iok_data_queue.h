/* SPDX-License-Identifier: MIT */
/*
 * iok_data_queue.h - IOSharedDataQueue for drivers: a queue of
 * variable-size entries in memory a client maps (IODataQueueShared.h
 * layout), with a notification port woken when the queue turns non-empty.
 *
 * A driver creates the queue, returns iok_data_queue_memory() from
 * client_memory_for_type, stores the port it gets in
 * register_notification_port with iok_data_queue_set_notification_port,
 * and calls iok_data_queue_enqueue; the client drains it with
 * IODataQueueDequeue.
 *
 * The queue trusts nothing in the shared memory: it keeps the ring size
 * and the port privately, and reads head, tail and entry sizes once per
 * operation and checks them, so a client that rewrites the mapping can
 * make operations fail but never make them touch memory outside it.
 *
 * One producer and one consumer may run concurrently (no locking between
 * them); several producers (or consumers) must serialise themselves.
 * Enqueue takes a mutex to reach the port when it notifies: call it from
 * thread context.
 */
#ifndef IOK_DATA_QUEUE_H
#define IOK_DATA_QUEUE_H

#include <stdbool.h>
#include <stdint.h>
#include <IOKit/IODataQueueShared.h>
#include <IOKit/driver/iok_port.h>
#include <IOKit/driver/iok_user_client.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct iok_data_queue iok_data_queue_t;

/*
 * A queue with a ring of size bytes (IODataQueue::withCapacity); the
 * mapping is 12 + size + 28 bytes.  NULL when size is too large or memory
 * ran out.
 */
iok_data_queue_t *iok_data_queue_with_capacity(uint32_t size);
/* Room for n entries of entry_size bytes, plus one: a ring of
 * (n + 1) * (entry_size + 4) bytes (IODataQueue::withEntries).  NULL when
 * that overflows. */
iok_data_queue_t *iok_data_queue_with_entries(uint32_t n, uint32_t entry_size);
/* Frees the queue; drops its memory and port references.  NULL-safe. */
void iok_data_queue_release(iok_data_queue_t *q);

/*
 * Appends size bytes.  false when the queue is full, size is too large or
 * the shared indices are corrupt.  Wakes the port when the queue was
 * empty just before the entry became visible.
 */
bool iok_data_queue_enqueue(iok_data_queue_t *q, const void *data, uint32_t size);
/*
 * Removes the next entry, copying it to data when data is not NULL (then
 * *size is the room in data on input, the entry's size on output).  false
 * when empty, corrupt, or the entry is larger than *size (it is then left
 * in the queue and *size is unchanged).
 */
bool iok_data_queue_dequeue(iok_data_queue_t *q, void *data, uint32_t *size);
/*
 * The next entry in the shared memory, or NULL (empty or corrupt).  It
 * may sit at any byte offset (read it with memcpy), and the client can
 * rewrite it at any time: copy it out and check it before use.
 */
IODataQueueEntry *iok_data_queue_peek(iok_data_queue_t *q);

/* The queue's memory descriptor: a new reference the caller releases. */
iok_memory_t *iok_data_queue_memory(iok_data_queue_t *q);
/* Sets the port woken on data (retained; the previous one is released).
 * NULL clears it. */
void iok_data_queue_set_notification_port(iok_data_queue_t *q, iok_port_t *port);
/* The ring size (the trusted one, whatever the shared header says). */
uint32_t iok_data_queue_capacity(const iok_data_queue_t *q);

#ifdef __cplusplus
}
#endif

#endif /* IOK_DATA_QUEUE_H */
