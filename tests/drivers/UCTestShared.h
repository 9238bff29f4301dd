/* SPDX-License-Identifier: MIT */
/* UCTestShared.h - selectors of UCTestDriver, shared with the tests. */
#ifndef UCTEST_SHARED_H
#define UCTEST_SHARED_H

enum {
	kUCTestCalculate,    /* 2 scalars in, 2 out: sum, product */
	kUCTestEcho,         /* any struct in, same bytes out (inband or OOL) */
	kUCTestFixed,        /* exactly UCTEST_FIXED_SIZE in and out: bytes inverted */
	kUCTestNoFunction,   /* a row without a function */
	kUCTestFail,         /* returns kIOReturnDeviceError after writing an output */
	kUCTestEntitled,     /* needs UCTEST_ENTITLEMENT */
	kUCTestSleep,        /* 1 scalar in (µs), 1 out */
	kUCTestScalars,      /* any scalar counts: outputs are the inputs inverted */
	kUCTestShrink,       /* any struct out: produces 2 bytes inband, 3 out of line */
	kUCTestIncrement,    /* 1 scalar in, 1 out: the input plus one (the benchmark's call) */
	kUCTestAsyncHold,    /* async only: 1 scalar in (slot < UCTEST_ASYNC_SLOTS): keeps the
			      * reference for kUCTestAsyncComplete */
	kUCTestAsyncComplete,/* 3 scalars in: slot, result, argument count; sends the held
			      * reference's completion with arguments slot*100 + i; returns
			      * what sendAsyncResult64 returned */
	kUCTestMethodCount
};

#define UCTEST_FIXED_SIZE 16
#define UCTEST_ASYNC_SLOTS 64
#define UCTEST_BIG_BLOB_SIZE (300 * 1024)   /* property "UCTestBigBlob" of UCTestService */

/* Memory types of clientMemoryForType. */
enum {
	kUCTestMemoryShared = 1,    /* 8192 bytes, byte i = i & 0xff, writable */
	kUCTestMemoryReadOnly = 2,  /* the same bytes, mapped read-only by the driver's choice */
	kUCTestMemoryFailing = 3,   /* the driver returns kIOReturnNoResources */
};
#define UCTEST_MEMORY_SIZE 8192
#define UCTEST_PORT_TYPE 9          /* notification type: the port is signalled at once */
#define UCTEST_ENTITLEMENT "org.openiokit.test.entitled"

#endif /* UCTEST_SHARED_H */
