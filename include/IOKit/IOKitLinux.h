/* SPDX-License-Identifier: MIT */
/*
 * IOKit/IOKitLinux.h - OpenIOKit's Linux extensions (not in Apple's API).
 *
 * A notification port is an eventfd behind a mach_port_t name.  A program
 * with its own event loop (poll, epoll, ...) waits on the descriptor and,
 * when it is readable, drains the data queue (IODataQueueDequeue until
 * kIOReturnUnderrun) and calls IOMachPortClearWakeup(port).
 */
#ifndef _IOKIT_IOKITLINUX_H
#define _IOKIT_IOKITLINUX_H

#include <mach/port.h>
#include <mach/kern_return.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The pollable descriptor behind a local port (owned by the library: do
 * not close it), or -1 if port is not a local port. */
int IOMachPortGetFileDescriptor(mach_port_t port);
/* Consumes a pending wakeup, without blocking.  KERN_SUCCESS, or
 * KERN_INVALID_NAME. */
kern_return_t IOMachPortClearWakeup(mach_port_t port);

#ifdef __cplusplus
}
#endif

#endif /* _IOKIT_IOKITLINUX_H */
