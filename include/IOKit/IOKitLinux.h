/* SPDX-License-Identifier: MIT */
/*
 * IOKit/IOKitLinux.h - OpenIOKit's Linux extensions (not in Apple's API).
 *
 * Every local Mach port has a pollable descriptor.  A program with its own
 * event loop (poll, epoll, ...) waits on it and, when it is readable:
 *  - for a data-queue notification port, drains the queue
 *    (IODataQueueDequeue until kIOReturnUnderrun) and calls
 *    IOMachPortClearWakeup(port);
 *  - for an IONotificationPort, calls IONotificationPortDispatchPending,
 *    which runs the callbacks of every message waiting.
 *
 * Drivers can be loaded into and unloaded from a running iokitd by the
 * host's own user or root (iokitctl, kextload's role).
 */
#ifndef _IOKIT_IOKITLINUX_H
#define _IOKIT_IOKITLINUX_H

#include <mach/port.h>
#include <mach/kern_return.h>
#include <CoreFoundation/CoreFoundation.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The pollable descriptor behind a local port (owned by the library: do
 * not close it), or -1 if port is not a local port. */
int IOMachPortGetFileDescriptor(mach_port_t port);
/* Consumes a pending wakeup, without blocking.  KERN_SUCCESS, or
 * KERN_INVALID_NAME. */
kern_return_t IOMachPortClearWakeup(mach_port_t port);

typedef struct IONotificationPort *IONotificationPortRef;
/* The notification port's pollable descriptor (the library's: do not
 * close it), or -1. */
int IONotificationPortGetFileDescriptor(IONotificationPortRef notify);
/* Runs the callbacks of every message pending on the port, without
 * waiting; returns how many, or -1 for a NULL port. */
int IONotificationPortDispatchPending(IONotificationPortRef notify);

/*
 * Driver modules in the running host.  Load: kIOReturnNotFound (cannot be
 * opened), kIOReturnExclusiveAccess (that bundle is loaded),
 * kIOReturnBadArgument (not a driver), kIOReturnNotPrivileged (caller is
 * neither root nor the host's user).  Unload terminates the driver's
 * services (their clients get kIOMessageServiceIsTerminated); its code
 * goes once the last instance is released.  The list is an array of
 * dictionaries: CFBundleIdentifier, CFBundleVersion, OSBundlePath,
 * OSBundleRetainCount (live instances), OSBundleStarted.
 */
kern_return_t IOKitLinuxLoadDriver(const char *path);
kern_return_t IOKitLinuxUnloadDriver(const char *bundleIdentifier);
CFArrayRef IOKitLinuxCopyLoadedDrivers(void);

#ifdef __cplusplus
}
#endif

#endif /* _IOKIT_IOKITLINUX_H */
