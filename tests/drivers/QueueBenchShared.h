/* SPDX-License-Identifier: MIT */
/* QueueBenchShared.h - the data-queue benchmark driver's interface. */
#ifndef QUEUEBENCH_SHARED_H
#define QUEUEBENCH_SHARED_H

enum {
	/* 3 scalars in: queue capacity in bytes (0 keeps the current), and
	 * reserved.  Makes a fresh queue (map it again afterwards). */
	kQueueBenchConfigure = 0,
	/* 2 scalars in: count, message size (>= 16).  Starts a producer on
	 * the driver's work loop that enqueues count messages, retrying while
	 * the queue is full.  Message i holds i in its first 8 bytes and
	 * (i * 0x9E3779B97F4A7C15) in the next 8; the rest is (i & 0xff). */
	kQueueBenchStart = 1,
	/* 1 scalar out: messages enqueued so far. */
	kQueueBenchProgress = 2,
	/* 2 scalars in: count, interval in µs.  A timer on the driver's work
	 * loop enqueues count 64-byte messages, one every interval, each
	 * stamped with the host's monotonic time (ns) in bytes 8..15 just
	 * before it is enqueued: the client measures its wakeup latency. */
	kQueueBenchPing = 3,
	kQueueBenchMethodCount
};

#define QUEUEBENCH_TYPE 7   /* notification type */

#endif /* QUEUEBENCH_SHARED_H */
