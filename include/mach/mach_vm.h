/* SPDX-License-Identifier: MIT */
/* mach/mach_vm.h - see mach/vm_map.h. */
#ifndef _MACH_MACH_VM_H_
#define _MACH_MACH_VM_H_
#include <mach/vm_map.h>
#endif
