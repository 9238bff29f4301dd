/* SPDX-License-Identifier: MIT */
/*
 * FaultShared.h - FaultDriver's selectors, open types and statistics,
 * shared with the fault-injection, isolation and load tests and
 * bench_load.
 */
#ifndef FAULT_SHARED_H
#define FAULT_SHARED_H

/* Selectors of FaultUserClient. */
enum {
	kFaultEcho,        /* any struct in (inband or out of line); the same bytes out */
	kFaultSlowEcho,    /* 1 scalar in (µs to sleep first), any struct in; echo */
	kFaultReturn,      /* 1 scalar in (an IOReturn), 1 out (written): returns the scalar */
	kFaultStats,       /* 0 in; kFaultStatCount scalars out (below) */
	kFaultSignal,      /* 1 scalar in (n): signals the registered port n times */
	kFaultIncrement,   /* 1 scalar in, 1 out: the input plus one */
	kFaultCrash,       /* 1 scalar in (µs to sleep first): the driver's process
			    * aborts -- only where $FAULT_DRIVER_MAY_CRASH is set
			    * (the iokitd --isolate test), else kIOReturnNotPermitted */
	kFaultMethodCount
};

/* The scalars kFaultStats returns (counts since the host started). */
enum {
	kFaultStatOpens,        /* user clients that started */
	kFaultStatCloses,       /* clientClose calls */
	kFaultStatDied,         /* clientDied calls */
	kFaultStatViolations,   /* a client closed or died twice, both, or neither
				 * before it was freed, or called after either */
	kFaultStatFrees,        /* started user clients freed */
	kFaultStatHeapBytes,    /* bytes the host's allocator has handed out (0 if unknown) */
	kFaultStatThreads,      /* the host's threads */
	kFaultStatFailedStarts, /* FaultFailingService starts (each fails) */
	kFaultStatCalls,        /* external method calls that reached a method */
	kFaultStatCount
};

/* IOServiceOpen types FaultService understands. */
enum {
	kFaultOpenNormal = 0,
	kFaultOpenSlow = 1,         /* initWithTask sleeps FAULT_SLOW_OPEN_US first */
	kFaultOpenInitFails = 2,    /* initWithTask returns false */
	kFaultOpenStartFails = 3,   /* the user client's start returns false */
};
#define FAULT_SLOW_OPEN_US 20000

/* clientMemoryForType: FAULT_MEMORY_SIZE shared bytes, byte i = i & 0xff. */
#define kFaultMemoryShared 1
#define FAULT_MEMORY_SIZE 16384
/* IOConnectSetNotificationPort type: the port is kept and signalled once. */
#define FAULT_PORT_TYPE 7

/* Class names. */
#define kFaultServiceClass "FaultService"
#define kFaultFailingServiceClass "FaultFailingService"     /* start fails (score 100) */
#define kFaultFallbackServiceClass "FaultFallbackService"   /* same category, score 0 */

#endif /* FAULT_SHARED_H */
