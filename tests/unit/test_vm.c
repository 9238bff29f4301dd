// SPDX-License-Identifier: MIT
/*
 * test_vm.c - memory libiokit hands out (iok_vm_allocate) and its release
 * with vm_deallocate / mach_vm_deallocate, whole or in part, checked with
 * mach_vm_region; memory the library did not hand out is refused.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <IOKit/IOKitLib.h>
#include <mach/mach_vm.h>
#include <stdlib.h>
#include <string.h>

#include "vm.h"

/* Is the page at addr mapped? */
static bool mapped(uintptr_t addr)
{
	mach_vm_address_t a = addr;
	mach_vm_size_t s;
	vm_region_basic_info_data_64_t info;
	mach_msg_type_number_t n = VM_REGION_BASIC_INFO_COUNT_64;

	if (mach_vm_region(mach_task_self(), &a, &s, VM_REGION_BASIC_INFO_64,
			   (vm_region_info_t)&info, &n, NULL) != KERN_SUCCESS)
		return false;
	return a <= addr;
}

static void test_allocate_and_free(void **state)
{
	uintptr_t ps = vm_page_size;
	uint8_t *p = iok_vm_allocate(3 * ps - 5);
	mach_vm_address_t a;
	mach_vm_size_t s;
	vm_region_basic_info_data_64_t info;
	mach_msg_type_number_t n = VM_REGION_BASIC_INFO_COUNT_64;

	assert_non_null(p);
	assert_int_equal((uintptr_t)p % ps, 0);
	assert_int_equal(p[0] | p[3 * ps - 6], 0);   /* zeroed */
	memset(p, 0x5a, 3 * ps);
	a = (uintptr_t)p;
	assert_int_equal(mach_vm_region(mach_task_self(), &a, &s, VM_REGION_BASIC_INFO_64,
					(vm_region_info_t)&info, &n, NULL), KERN_SUCCESS);
	assert_true(a <= (uintptr_t)p);
	assert_int_equal(info.protection, VM_PROT_READ | VM_PROT_WRITE);
	assert_false(info.shared);
	/* The middle page (an unaligned range rounds out to it). */
	assert_int_equal(vm_deallocate(mach_task_self(), (vm_address_t)(p + ps + 10), 20),
			 KERN_SUCCESS);
	assert_true(mapped((uintptr_t)p));
	assert_false(mapped((uintptr_t)p + ps));
	assert_true(mapped((uintptr_t)p + 2 * ps));
	assert_int_equal(p[2 * ps], 0x5a);
	/* Gone already: not the library's any more. */
	assert_int_equal(vm_deallocate(mach_task_self(), (vm_address_t)(p + ps), ps),
			 KERN_INVALID_ADDRESS);
	/* A range reaching outside the allocation is refused, nothing freed. */
	assert_int_equal(mach_vm_deallocate(mach_task_self(), (uintptr_t)p, 2 * ps),
			 KERN_INVALID_ADDRESS);
	assert_true(mapped((uintptr_t)p));
	assert_int_equal(mach_vm_deallocate(mach_task_self(), (uintptr_t)p, ps), KERN_SUCCESS);
	assert_int_equal(mach_vm_deallocate(mach_task_self(), (uintptr_t)p + 2 * ps, ps),
			 KERN_SUCCESS);
	assert_int_equal(mach_vm_deallocate(mach_task_self(), (uintptr_t)p, 0), KERN_SUCCESS);
	assert_null(iok_vm_allocate(0));
}

static void test_foreign_memory(void **state)
{
	char *heap = malloc(64);
	int local = 0;

	assert_int_equal(vm_deallocate(mach_task_self(), (vm_address_t)heap, 64),
			 KERN_INVALID_ADDRESS);
	assert_int_equal(vm_deallocate(mach_task_self(), (vm_address_t)&local, sizeof(local)),
			 KERN_INVALID_ADDRESS);
	assert_int_equal(mach_vm_deallocate(mach_task_self(), ~(mach_vm_address_t)0 - 10, 100),
			 KERN_INVALID_ARGUMENT);
	assert_int_equal(vm_deallocate(0x4444, (vm_address_t)heap, 64), MACH_SEND_INVALID_DEST);
	heap[63] = 1;   /* still ours */
	free(heap);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_allocate_and_free),
		cmocka_unit_test(test_foreign_memory),
	};

	return cmocka_run_group_tests_name("vm", tests, NULL, NULL);
}
