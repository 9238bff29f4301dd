/* SPDX-License-Identifier: MIT */
/*
 * mach/vm_page_size.h - the page size of this system (set by libiokit at
 * load time from sysconf(_SC_PAGESIZE)) and the rounding macros built on
 * it.  The macros assume a power-of-two page size.
 */
#ifndef _VM_PAGE_SIZE_H_
#define _VM_PAGE_SIZE_H_

#include <mach/vm_types.h>

#ifdef __cplusplus
extern "C" {
#endif

extern vm_size_t vm_page_size;
extern vm_size_t vm_page_mask;
extern int vm_page_shift;

#define trunc_page(x)   ((x) & (~(vm_page_size - 1)))
#define round_page(x)   trunc_page((x) + (vm_page_size - 1))

#define mach_vm_trunc_page(x) ((mach_vm_offset_t)(x) & ~((signed)vm_page_mask))
#define mach_vm_round_page(x) (((mach_vm_offset_t)(x) + vm_page_mask) & ~((signed)vm_page_mask))

#ifdef __cplusplus
}
#endif

#endif /* _VM_PAGE_SIZE_H_ */
