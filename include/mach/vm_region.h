/* SPDX-License-Identifier: MIT */
/*
 * mach/vm_region.h - what mach_vm_region() reports about a region: the
 * basic-info flavors, with Apple's numbers and layouts.
 */
#ifndef _MACH_VM_REGION_H_
#define _MACH_VM_REGION_H_

#include <stdint.h>
#include <mach/boolean.h>
#include <mach/vm_types.h>
#include <mach/vm_prot.h>
#include <mach/vm_inherit.h>
#include <mach/vm_behavior.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef _MACH_MSG_TYPE_NUMBER_T_
#define _MACH_MSG_TYPE_NUMBER_T_
typedef natural_t mach_msg_type_number_t;
#endif
typedef unsigned long long memory_object_offset_t;

/* Apple's layouts: 4-byte packing. */
#pragma pack(push, 4)

#define VM_REGION_INFO_MAX (1024)
typedef int *vm_region_info_t;
typedef int *vm_region_info_64_t;
typedef int *vm_region_recurse_info_t;
typedef int *vm_region_recurse_info_64_t;
typedef int vm_region_flavor_t;
typedef int vm_region_info_data_t[VM_REGION_INFO_MAX];

#define VM_REGION_BASIC_INFO_64 9
struct vm_region_basic_info_64 {
	vm_prot_t protection;
	vm_prot_t max_protection;
	vm_inherit_t inheritance;
	boolean_t shared;
	boolean_t reserved;
	memory_object_offset_t offset;
	vm_behavior_t behavior;
	unsigned short user_wired_count;
};
typedef struct vm_region_basic_info_64 *vm_region_basic_info_64_t;
typedef struct vm_region_basic_info_64 vm_region_basic_info_data_64_t;
#define VM_REGION_BASIC_INFO_COUNT_64 \
	((mach_msg_type_number_t)(sizeof(vm_region_basic_info_data_64_t) / sizeof(int)))

/* The legacy flavor: the offset is only 32 bits. */
#define VM_REGION_BASIC_INFO 10
struct vm_region_basic_info {
	vm_prot_t protection;
	vm_prot_t max_protection;
	vm_inherit_t inheritance;
	boolean_t shared;
	boolean_t reserved;
	uint32_t offset;
	vm_behavior_t behavior;
	unsigned short user_wired_count;
};
typedef struct vm_region_basic_info *vm_region_basic_info_t;
typedef struct vm_region_basic_info vm_region_basic_info_data_t;
#define VM_REGION_BASIC_INFO_COUNT \
	((mach_msg_type_number_t)(sizeof(vm_region_basic_info_data_t) / sizeof(int)))

#pragma pack(pop)

#define SM_COW             1
#define SM_PRIVATE         2
#define SM_EMPTY           3
#define SM_SHARED          4
#define SM_TRUESHARED      5
#define SM_PRIVATE_ALIASED 6
#define SM_SHARED_ALIASED  7
#define SM_LARGE_PAGE      8

#ifdef __cplusplus
}
#endif

#endif /* _MACH_VM_REGION_H_ */
