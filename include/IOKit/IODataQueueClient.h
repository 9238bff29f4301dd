/* SPDX-License-Identifier: MIT */
/*
 * IOKit/IODataQueueClient.h - the client side of a shared data queue
 * (Apple's IODataQueueClient API): a program maps a driver's queue with
 * IOConnectMapMemory64, registers a notification port with
 * IOConnectSetNotificationPort, then drains the queue after each wakeup:
 *
 *	while (IODataQueueWaitForAvailableData(q, port) == kIOReturnSuccess)
 *		while (IODataQueueDataAvailable(q))
 *			IODataQueueDequeue(q, buf, &size);
 *
 * A queue has one producer and one consumer.  These functions use the
 * queueSize found in the shared header, as Apple's do.
 */
#ifndef _IOKIT_IODATAQUEUECLIENT_H
#define _IOKIT_IODATAQUEUECLIENT_H

#include <stdint.h>
#include <CoreFoundation/CFBase.h>
#include <IOKit/IOReturn.h>
#include <IOKit/IODataQueueShared.h>
#include <mach/message.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Is the queue non-empty (head != tail)?  FALSE for NULL. */
Boolean IODataQueueDataAvailable(IODataQueueMemory *dataQueue);

/*
 * The next entry, without consuming it, or NULL when the queue is empty
 * or its indices or the entry's size are out of bounds.  The entry may sit
 * at any byte offset: read its size with memcpy.
 */
IODataQueueEntry *IODataQueuePeek(IODataQueueMemory *dataQueue);

/*
 * Copies the next entry into data (at most *dataSize bytes), sets
 * *dataSize to its size and consumes it.  data NULL skips the entry.
 * kIOReturnBadArgument: dataQueue NULL, or data without dataSize;
 * kIOReturnUnderrun: empty; kIOReturnError: corrupt indices or size;
 * kIOReturnNoSpace: the entry is larger than *dataSize (it stays queued
 * and *dataSize is left unchanged: peek first to learn the size).
 */
IOReturn IODataQueueDequeue(IODataQueueMemory *dataQueue, void *data, uint32_t *dataSize);

/* Blocks until the port receives a notification; kIOReturnBadArgument
 * for a NULL queue or port.  Returns the receive result. */
IOReturn IODataQueueWaitForAvailableData(IODataQueueMemory *dataQueue,
					 mach_port_t notificationPort);

/* A receive port whose pending notifications coalesce into one, or
 * MACH_PORT_NULL. */
mach_port_t IODataQueueAllocateNotificationPort(void);

/*
 * Appends dataSize bytes (user-side producer).  kIOReturnOverrun when the
 * queue is full (a notification is attempted anyway) or dataSize is too
 * large; kIOReturnUnderrun for corrupt indices; kIOReturnBadArgument for
 * a NULL queue.  When the queue was empty before, the result is that of
 * the notification send (e.g. MACH_SEND_INVALID_DEST: the data is queued
 * all the same).
 */
IOReturn IODataQueueEnqueue(IODataQueueMemory *dataQueue, void *data, uint32_t dataSize);

/* Stores the port that IODataQueueEnqueue notifies into the appendix. */
IOReturn IODataQueueSetNotificationPort(IODataQueueMemory *dataQueue, mach_port_t notifyPort);

#ifdef __cplusplus
}
#endif

#endif /* _IOKIT_IODATAQUEUECLIENT_H */
