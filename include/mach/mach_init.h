/* SPDX-License-Identifier: MIT */
/*
 * mach/mach_init.h - the calling task's own port.  As on macOS,
 * mach_task_self() reads the variable mach_task_self_; libiokit gives it a
 * fixed non-null name that stands for "this process".
 */
#ifndef _MACH_INIT_H_
#define _MACH_INIT_H_

#include <mach/mach_types.h>
#include <mach/vm_page_size.h>

#ifdef __cplusplus
extern "C" {
#endif

extern mach_port_t mach_task_self_;
#define mach_task_self() mach_task_self_
#define current_task()   mach_task_self()

mach_port_t mach_host_self(void);
mach_port_t mach_thread_self(void);

extern mach_port_t bootstrap_port;
extern vm_size_t vm_page_size;
extern vm_size_t vm_page_mask;
extern int vm_page_shift;

#ifdef __cplusplus
}
#endif

#endif /* _MACH_INIT_H_ */
