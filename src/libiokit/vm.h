/* SPDX-License-Identifier: MIT */
/*
 * vm.h - memory libiokit hands to callers who free it, as on macOS, with
 * vm_deallocate / mach_vm_deallocate (vm.c), and the lookup of
 * IOConnectMapMemory mappings those calls need (map.c).
 */
#ifndef LIBIOKIT_VM_H
#define LIBIOKIT_VM_H

#include <stdbool.h>
#include <stddef.h>
#include <IOKit/IOKitLib.h>

/*
 * Zeroed, page-aligned memory of at least size bytes that the caller
 * releases with vm_deallocate(mach_task_self(), addr, size) (whole or in
 * part).  For out-parameters Apple documents as "vm_deallocate it", such
 * as the arrays of mach_port_names.  NULL on failure or size 0.
 */
void *iok_vm_allocate(size_t size);

/*
 * The IOConnectMapMemory mapping that contains addr: true, with its
 * connection, memory type, start and size (any of the outputs may be
 * NULL).
 */
bool iok_map_find(mach_vm_address_t addr, io_connect_t *conn, uint32_t *type,
		  mach_vm_address_t *start, mach_vm_size_t *size);

/*
 * Frees the range IOServiceClose left where a mapping at addr was (private
 * zero pages, see map.c), if size is 0 or its size: true if there was one.
 */
bool iok_map_free_retired(mach_vm_address_t addr, mach_vm_size_t size);

#endif /* LIBIOKIT_VM_H */
