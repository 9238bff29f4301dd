/* SPDX-License-Identifier: MIT */
/*
 * IOKit/IODataQueueShared.h - the memory layout of a shared data queue,
 * byte-compatible with Apple's IODataQueueMemory as user space sees it.
 *
 * The mapped region is a 12-byte header, then queueSize bytes of ring,
 * then an IODataQueueAppendix at byte offset 12 + queueSize (unaligned
 * when queueSize is not a multiple of 4).  head and tail are byte offsets
 * into the ring; head == tail means empty.  An entry is a native-endian
 * 32-bit size followed by exactly that many payload bytes, with no
 * alignment or padding, so entries may start at any byte offset.
 *
 * Every field lives in memory both sides can write: a reader must treat
 * all of them as hostile (see IODataQueueClient.h and the driver-side
 * IOKit/driver/iok_data_queue.h).
 */
#ifndef _IOKIT_IODATAQUEUESHARED_H
#define _IOKIT_IODATAQUEUESHARED_H

#include <stddef.h>
#include <CoreFoundation/CFBase.h>
#include <mach/message.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct _IODataQueueEntry {
	UInt32 size;
	UInt8 data[4];
} IODataQueueEntry;

typedef struct _IODataQueueMemory {
	UInt32 queueSize;
	volatile UInt32 head;
	volatile UInt32 tail;
	IODataQueueEntry queue[1];
} IODataQueueMemory;

/* Follows the ring.  version is 0; msgh is the user-space notification
 * header that IODataQueueSetNotificationPort fills (the host never reads
 * it). */
typedef struct _IODataQueueAppendix {
	UInt32 version;
	mach_msg_header_t msgh;
} IODataQueueAppendix;

#define DATA_QUEUE_ENTRY_HEADER_SIZE    (sizeof(IODataQueueEntry) - 4)
#define DATA_QUEUE_MEMORY_HEADER_SIZE   (sizeof(IODataQueueMemory) - sizeof(IODataQueueEntry))
#define DATA_QUEUE_MEMORY_APPENDIX_SIZE (sizeof(IODataQueueAppendix))

#ifdef __cplusplus
#define IOK_DQ_STATIC_ASSERT(expr, msg) static_assert(expr, msg)
#else
#define IOK_DQ_STATIC_ASSERT(expr, msg) _Static_assert(expr, msg)
#endif

IOK_DQ_STATIC_ASSERT(sizeof(IODataQueueEntry) == 8, "IODataQueueEntry is 8 bytes");
IOK_DQ_STATIC_ASSERT(offsetof(IODataQueueEntry, data) == 4, "entry payload at 4");
IOK_DQ_STATIC_ASSERT(offsetof(IODataQueueMemory, queueSize) == 0, "queueSize at 0");
IOK_DQ_STATIC_ASSERT(offsetof(IODataQueueMemory, head) == 4, "head at 4");
IOK_DQ_STATIC_ASSERT(offsetof(IODataQueueMemory, tail) == 8, "tail at 8");
IOK_DQ_STATIC_ASSERT(offsetof(IODataQueueMemory, queue) == 12, "ring at 12");
IOK_DQ_STATIC_ASSERT(sizeof(IODataQueueMemory) == 20, "IODataQueueMemory is 20 bytes");
IOK_DQ_STATIC_ASSERT(sizeof(mach_msg_header_t) == 24, "user-space mach_msg_header_t");
IOK_DQ_STATIC_ASSERT(offsetof(IODataQueueAppendix, msgh) == 4, "appendix header at 4");
IOK_DQ_STATIC_ASSERT(sizeof(IODataQueueAppendix) == 28, "IODataQueueAppendix is 28 bytes");
IOK_DQ_STATIC_ASSERT(DATA_QUEUE_ENTRY_HEADER_SIZE == 4, "entry header is 4 bytes");
IOK_DQ_STATIC_ASSERT(DATA_QUEUE_MEMORY_HEADER_SIZE == 12, "queue header is 12 bytes");
IOK_DQ_STATIC_ASSERT(DATA_QUEUE_MEMORY_APPENDIX_SIZE == 28, "appendix is 28 bytes");

#undef IOK_DQ_STATIC_ASSERT

#ifdef __cplusplus
}
#endif

#endif /* _IOKIT_IODATAQUEUESHARED_H */
