/* SPDX-License-Identifier: MIT */
/*
 * mach/vm_param.h - PAGE_SIZE, PAGE_SHIFT, PAGE_MASK (Mach's meaning:
 * PAGE_MASK is PAGE_SIZE - 1).  On x86 they are constants (4096), as on
 * Intel macOS; elsewhere they read the vm_page_* variables, as on Apple
 * silicon, because Linux arm64 kernels use 4, 16 or 64 KiB pages.  A
 * definition made earlier (by the program) is kept.
 */
#ifndef _MACH_VM_PARAM_H_
#define _MACH_VM_PARAM_H_

#include <mach/vm_types.h>
#include <mach/vm_page_size.h>

#if defined(__x86_64__) || defined(__i386__)
#define I386_PGBYTES 4096
#define I386_PGSHIFT 12
#ifndef PAGE_SIZE
#define PAGE_SIZE  I386_PGBYTES
#endif
#ifndef PAGE_SHIFT
#define PAGE_SHIFT I386_PGSHIFT
#endif
#ifndef PAGE_MASK
#define PAGE_MASK  (PAGE_SIZE - 1)
#endif
#define PAGE_MAX_SHIFT 12
#define PAGE_MIN_SHIFT 12
#else
#ifndef PAGE_SIZE
#define PAGE_SIZE  vm_page_size
#endif
#ifndef PAGE_SHIFT
#define PAGE_SHIFT vm_page_shift
#endif
#ifndef PAGE_MASK
#define PAGE_MASK  vm_page_mask
#endif
#define PAGE_MAX_SHIFT 16
#define PAGE_MIN_SHIFT 12
#endif
#define PAGE_MAX_SIZE (1 << PAGE_MAX_SHIFT)
#define PAGE_MAX_MASK (PAGE_MAX_SIZE - 1)
#define PAGE_MIN_SIZE (1 << PAGE_MIN_SHIFT)
#define PAGE_MIN_MASK (PAGE_MIN_SIZE - 1)

#endif /* _MACH_VM_PARAM_H_ */
