/* SPDX-License-Identifier: MIT */
/* mach/mach_types.h - task, host and thread port types. */
#ifndef _MACH_MACH_TYPES_H_
#define _MACH_MACH_TYPES_H_

#include <mach/port.h>
#include <mach/kern_return.h>

typedef mach_port_t task_t;
typedef mach_port_t task_port_t;
typedef mach_port_t thread_t;
typedef mach_port_t thread_port_t;
typedef mach_port_t host_t;
typedef mach_port_t host_priv_t;
typedef mach_port_t ipc_space_t;
typedef mach_port_t vm_map_t;
typedef mach_port_t vm_task_entry_t;

#define TASK_NULL   ((task_t) 0)
#define THREAD_NULL ((thread_t) 0)
#define HOST_NULL   ((host_t) 0)

typedef struct mach_timespec {
	unsigned int tv_sec;
	int tv_nsec;
} mach_timespec_t;

#endif /* _MACH_MACH_TYPES_H_ */
