/* SPDX-License-Identifier: MIT */
/*
 * mach/mach_vm.h - the mach_vm_* calls on the calling task's address
 * space that OpenIOKit provides (64-bit addresses and sizes).
 *
 * mach_vm_deallocate frees memory libiokit handed out (and unmaps a whole
 * IOConnectMapMemory mapping); other memory gives KERN_INVALID_ADDRESS.
 * mach_vm_region describes the region at or after an address, read from
 * /proc/self/maps.  Only the calling task (mach_task_self()) can be named.
 */
#ifndef _MACH_MACH_VM_H_
#define _MACH_MACH_VM_H_

#include <mach/mach_types.h>
#include <mach/vm_region.h>
#include <mach/vm_map.h>

#ifdef __cplusplus
extern "C" {
#endif

kern_return_t mach_vm_deallocate(vm_map_t target, mach_vm_address_t address, mach_vm_size_t size);
kern_return_t mach_vm_region(vm_map_t target_task, mach_vm_address_t *address,
			     mach_vm_size_t *size, vm_region_flavor_t flavor,
			     vm_region_info_t info, mach_msg_type_number_t *infoCnt,
			     mach_port_t *object_name);

#ifdef __cplusplus
}
#endif

#endif /* _MACH_MACH_VM_H_ */
