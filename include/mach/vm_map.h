/* SPDX-License-Identifier: MIT */
/*
 * mach/vm_map.h - the vm_* calls on the calling task's address space that
 * OpenIOKit provides (pointer-sized addresses); see mach/mach_vm.h.
 */
#ifndef _MACH_VM_MAP_H_
#define _MACH_VM_MAP_H_

#include <mach/mach_types.h>
#include <mach/vm_region.h>

#ifdef __cplusplus
extern "C" {
#endif

kern_return_t vm_deallocate(vm_map_t target_task, vm_address_t address, vm_size_t size);
kern_return_t mach_vm_deallocate(vm_map_t target, mach_vm_address_t address, mach_vm_size_t size);
kern_return_t vm_region_64(vm_map_t target_task, vm_address_t *address, vm_size_t *size,
			   vm_region_flavor_t flavor, vm_region_info_t info,
			   mach_msg_type_number_t *infoCnt, mach_port_t *object_name);

#ifdef __cplusplus
}
#endif

#endif /* _MACH_VM_MAP_H_ */
