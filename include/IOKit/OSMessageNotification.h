/* SPDX-License-Identifier: MIT */
/*
 * IOKit/OSMessageNotification.h - the messages IOKit sends to a client's
 * port: matching and interest notifications and async completions
 * (Apple's names, values and layouts).
 *
 * In OpenIOKit a message arrives on the socket behind a notification port
 * (IONotificationPortGetMachPort) laid out as on macOS: a mach_msg_header_t
 * (msgh_id kOSNotificationMessageID), for interest notifications a body
 * and one port descriptor naming the service, then an
 * OSNotificationHeader64 and its content.  IODispatchCalloutFromMessage
 * decodes it.
 */
#ifndef _IOKIT_OSMESSAGENOTIFICATION_H
#define _IOKIT_OSMESSAGENOTIFICATION_H

#include <stdint.h>
#include <mach/message.h>
#include <device/device_types.h>
#include <IOKit/IOReturn.h>

#ifdef __cplusplus
extern "C" {
#endif

enum {
	kFirstIOKitNotificationType = 100,
	kIOServicePublishNotificationType = 100,
	kIOServiceMatchedNotificationType = 101,
	kIOServiceTerminatedNotificationType = 102,
	kIOAsyncCompletionNotificationType = 150,
	kIOServiceMessageNotificationType = 160,
	kLastIOKitNotificationType = 199,

	/* Bits 30-31 of a type adjust the content size (kernel detail). */
	kIOKitNoticationTypeMask = 0x00000FFF,
	kIOKitNoticationTypeSizeAdjShift = 30,
	kIOKitNoticationMsgSizeMask = 3
};

enum {
	kOSNotificationMessageID = 53,
	kOSAsyncCompleteMessageID = 57
};

enum {
	kOSAsyncRefCount = 8,
	kOSAsyncRefSize = 32
};
typedef natural_t OSAsyncReference[kOSAsyncRefCount];

enum {
	kOSAsyncRef64Count = 8,
	kOSAsyncRef64Size = kOSAsyncRef64Count * ((int)sizeof(io_user_reference_t))
};
typedef io_user_reference_t OSAsyncReference64[kOSAsyncRef64Count];

/* Up to 16 result arguments in an async completion. */
enum { kMaxAsyncArgs = 16 };

/* Indexes in an async reference array. */
enum {
	kIOAsyncReservedIndex = 0,
	kIOAsyncReservedCount,

	kIOAsyncCalloutFuncIndex = kIOAsyncReservedCount,
	kIOAsyncCalloutRefconIndex,
	kIOAsyncCalloutCount,

	kIOMatchingCalloutFuncIndex = kIOAsyncReservedCount,
	kIOMatchingCalloutRefconIndex,
	kIOMatchingCalloutCount,

	kIOInterestCalloutFuncIndex = kIOAsyncReservedCount,
	kIOInterestCalloutRefconIndex,
	kIOInterestCalloutServiceIndex,
	kIOInterestCalloutCount
};

/* Flag bits the kernel keeps in reference[kIOAsyncReservedIndex]. */
enum {
	kIOUCAsync0Flags = 3ULL,
	kIOUCAsync64Flag = 1ULL,
	kIOUCAsyncErrorLoggedFlag = 2ULL
};

/* The fixed part of every notification.  size is the content's size. */
struct OSNotificationHeader {
	mach_msg_size_t size;
	natural_t type;
	OSAsyncReference reference;
};
typedef struct OSNotificationHeader OSNotificationHeader;

struct OSNotificationHeader64 {
	mach_msg_size_t size;
	natural_t type;
	OSAsyncReference64 reference;
	/* unsigned char content[size]; */
};
typedef struct OSNotificationHeader64 OSNotificationHeader64;

struct IOServiceInterestContent64 {
	natural_t messageType;
	io_user_reference_t messageArgument[1];
};
typedef struct IOServiceInterestContent64 IOServiceInterestContent64;

/* Followed by the result arguments, packed io_user_reference_t values. */
struct IOAsyncCompletionContent {
	IOReturn result;
};
typedef struct IOAsyncCompletionContent IOAsyncCompletionContent;

#ifdef __cplusplus
}
#endif

#endif /* _IOKIT_OSMESSAGENOTIFICATION_H */
