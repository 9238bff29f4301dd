/* SPDX-License-Identifier: MIT */
/* mach/vm_prot.h - memory protections (Apple values). */
#ifndef _MACH_VM_PROT_H_
#define _MACH_VM_PROT_H_

#include <mach/vm_types.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef VM_PROT_ALL
#define VM_PROT_DEFAULT (VM_PROT_READ | VM_PROT_WRITE)
#define VM_PROT_ALL     (VM_PROT_READ | VM_PROT_WRITE | VM_PROT_EXECUTE)
#endif
#ifndef VM_PROT_NO_CHANGE
#define VM_PROT_NO_CHANGE ((vm_prot_t)0x08)
#endif
#ifndef VM_PROT_COPY
#define VM_PROT_COPY ((vm_prot_t)0x10)
#endif

#ifdef __cplusplus
}
#endif

#endif /* _MACH_VM_PROT_H_ */
