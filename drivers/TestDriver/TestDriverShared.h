/* SPDX-License-Identifier: MIT */
/*
 * TestDriverShared.h - what a client needs to talk to TestDriver, the
 * getting-started guide's driver: its class name, the selectors of its
 * user client, the monitor queue's notification type and the message it
 * carries.  Installed with the project.
 */
#ifndef TESTDRIVER_SHARED_H
#define TESTDRIVER_SHARED_H

#include <stdint.h>

#define kTestDriverClassName      "TestDriver"
#define kTestUserClientClassName  "TestUserClient"
/* When true, newUserClient refuses callers without the "root" privilege. */
#define kTestRequirePrivilegeKey  "TestRequirePrivilege"

/* The notification type of the monitor queue (IOConnectSetNotificationPort)
 * and the memory type that maps it (IOConnectMapMemory64). */
#define QUEUETYPE_MONITOR         1
#define kTestMonitorQueueMemoryType 0   /* kIODefaultMemoryType */

/* Entries the monitor queue holds before it reports full. */
#define kTestMonitorQueueEntries  4096

enum {
	/* 2 scalars in (x, y); 2 out (x + y, x * y), wrapping 64-bit. */
	kTestPerformCalculation = 0,
	/* Any structure in; the same bytes out (inband or out of line). */
	kTestEchoStruct = 1,
	/* 1 scalar in (n); 1 out: how many TestMessages were queued. */
	kTestGenerateMessages = 2,
	/* 1 scalar in: interval in µs between timer messages, 0 stops. */
	kTestSetEventInterval = 3,
	/* 3 scalars out: calls served, messages queued, messages dropped
	 * because the queue was full. */
	kTestGetStatistics = 4,
	kTestMethodCount
};

/* Message types. */
enum {
	kTestMessageGenerated = 1,   /* from kTestGenerateMessages */
	kTestMessageTimer = 2,       /* from the event timer */
};

/* One event in the monitor queue (fixed size, 64 bytes). */
typedef struct TestMessage {
	uint32_t type;
	uint32_t reserved;
	uint64_t sequence;    /* consecutive per user client, from 0 */
	uint64_t timestamp;   /* ns, CLOCK_MONOTONIC of the host */
	char text[40];        /* NUL-terminated */
} TestMessage;

#ifdef __cplusplus
static_assert(sizeof(TestMessage) == 64, "TestMessage");
#else
_Static_assert(sizeof(TestMessage) == 64, "TestMessage");
#endif

#endif /* TESTDRIVER_SHARED_H */
