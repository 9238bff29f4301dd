// SPDX-License-Identifier: MIT
/*
 * dataqueue_ports.c - the two IODataQueueClient calls that are about ports
 * rather than queue memory: allocating a notification port (a local port
 * whose wakeups coalesce) and waiting on it.
 */
#include "libiokit.h"

#include <IOKit/IODataQueueClient.h>
#include <mach/mach.h>

IOK_EXPORT mach_port_t IODataQueueAllocateNotificationPort(void)
{
	mach_port_limits_t limits = { .mpl_qlimit = 1 };
	mach_port_t port = MACH_PORT_NULL;

	if (mach_port_allocate(mach_task_self(), MACH_PORT_RIGHT_RECEIVE, &port))
		return MACH_PORT_NULL;
	if (mach_port_set_attributes(mach_task_self(), port, MACH_PORT_LIMITS_INFO,
				     (mach_port_info_t)&limits, MACH_PORT_LIMITS_INFO_COUNT)) {
		mach_port_destroy(mach_task_self(), port);
		return MACH_PORT_NULL;
	}
	return port;
}

IOK_EXPORT IOReturn IODataQueueWaitForAvailableData(IODataQueueMemory *dataQueue,
						    mach_port_t notificationPort)
{
	mach_msg_header_t msg;

	if (!dataQueue || !MACH_PORT_VALID(notificationPort))
		return kIOReturnBadArgument;
	return mach_msg(&msg, MACH_RCV_MSG, 0, sizeof(msg) + sizeof(mach_msg_trailer_t),
			notificationPort, MACH_MSG_TIMEOUT_NONE, MACH_PORT_NULL);
}
