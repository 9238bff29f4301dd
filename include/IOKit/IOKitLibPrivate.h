/* SPDX-License-Identifier: MIT */
/*
 * IOKit/IOKitLibPrivate.h - calls Apple keeps out of the public header but
 * that tools such as ioreg use, with Apple's prototypes and values.
 */
#ifndef _IOKIT_IOKITLIBPRIVATE_H
#define _IOKIT_IOKITLIBPRIVATE_H

#include <IOKit/IOKitLib.h>

#ifdef __cplusplus
extern "C" {
#endif

/* IOService::getState() bits. */
enum {
	kIOServiceInactiveState = 0x00000001,
	kIOServiceRegisteredState = 0x00000002,
	kIOServiceMatchedState = 0x00000004,
	kIOServiceFirstPublishState = 0x00000008,
	kIOServiceFirstMatchState = 0x00000010
};

kern_return_t IOServiceGetState(io_service_t service, uint64_t *state);
kern_return_t IOServiceGetBusyStateAndTime(io_service_t service, uint64_t *state,
					   uint32_t *busy_state, uint64_t *accumulated_busy_time);

#ifdef __cplusplus
}
#endif

#endif /* _IOKIT_IOKITLIBPRIVATE_H */
