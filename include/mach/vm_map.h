/* SPDX-License-Identifier: MIT */
/* mach/vm_map.h, mach/mach_vm.h - deallocating memory the library hands out. */
#ifndef _MACH_VM_MAP_H_
#define _MACH_VM_MAP_H_

#include <mach/mach_types.h>

#ifdef __cplusplus
extern "C" {
#endif

kern_return_t vm_deallocate(vm_map_t target_task, vm_address_t address, vm_size_t size);
kern_return_t mach_vm_deallocate(vm_map_t target, mach_vm_address_t address, mach_vm_size_t size);

#ifdef __cplusplus
}
#endif

#endif /* _MACH_VM_MAP_H_ */
