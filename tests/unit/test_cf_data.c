// SPDX-License-Identifier: MIT
/*
 * test_cf_data.c - CFData and CFMutableData: creation, copies, byte access
 * and ranges, growth, length changes, replacement and deletion, the NoCopy
 * ownership rules, equality.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include <CoreFoundation/CoreFoundation.h>

int cft_run_data_tests(void);

static const UInt8 sample[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9 };

static void test_create(void **state)
{
	CFDataRef d = CFDataCreate(NULL, sample, sizeof(sample));
	CFDataRef empty = CFDataCreate(NULL, NULL, 0);
	UInt8 buf[4];

	assert_non_null(d);
	assert_int_equal(CFGetTypeID(d), CFDataGetTypeID());
	assert_int_equal(CFDataGetLength(d), 10);
	assert_memory_equal(CFDataGetBytePtr(d), sample, 10);
	assert_ptr_not_equal(CFDataGetBytePtr(d), sample);	/* copied */
	CFDataGetBytes(d, CFRangeMake(3, 4), buf);
	assert_memory_equal(buf, sample + 3, 4);
	memset(buf, 0xAA, sizeof(buf));
	CFDataGetBytes(d, CFRangeMake(8, 4), buf);	/* out of range: refused */
	assert_int_equal(buf[0], 0xAA);
	assert_non_null(empty);
	assert_int_equal(CFDataGetLength(empty), 0);
	assert_null(CFDataCreate(NULL, NULL, 5));
	assert_null(CFDataCreate(NULL, sample, -1));
	/* immutable data refuses to be written */
	assert_null(CFDataGetMutableBytePtr((CFMutableDataRef)d));
	CFDataAppendBytes((CFMutableDataRef)d, sample, 1);
	assert_int_equal(CFDataGetLength(d), 10);
	CFRelease(d);
	CFRelease(empty);
}

static void test_mutable(void **state)
{
	CFMutableDataRef m = CFDataCreateMutable(NULL, 0);
	UInt8 *p;

	assert_int_equal(CFDataGetLength(m), 0);
	CFDataAppendBytes(m, sample, 4);
	CFDataAppendBytes(m, sample + 4, 6);
	assert_int_equal(CFDataGetLength(m), 10);
	assert_memory_equal(CFDataGetBytePtr(m), sample, 10);
	p = CFDataGetMutableBytePtr(m);
	p[0] = 0xFF;
	assert_int_equal(CFDataGetBytePtr(m)[0], 0xFF);

	CFDataSetLength(m, 4);
	assert_int_equal(CFDataGetLength(m), 4);
	CFDataSetLength(m, 8);		/* grows zero-filled */
	assert_int_equal(CFDataGetLength(m), 8);
	for (int i = 4; i < 8; i++)
		assert_int_equal(CFDataGetBytePtr(m)[i], 0);
	CFDataIncreaseLength(m, 2);
	assert_int_equal(CFDataGetLength(m), 10);
	assert_int_equal(CFDataGetBytePtr(m)[9], 0);
	CFDataSetLength(m, 0);
	assert_int_equal(CFDataGetLength(m), 0);

	/* growth to a megabyte */
	for (int i = 0; i < 100000; i++)
		CFDataAppendBytes(m, sample, 10);
	assert_int_equal(CFDataGetLength(m), 1000000);
	assert_memory_equal(CFDataGetBytePtr(m) + 999990, sample, 10);
	CFRelease(m);
}

static void test_replace_delete(void **state)
{
	CFMutableDataRef m = CFDataCreateMutable(NULL, 0);
	const UInt8 abc[] = { 'a', 'b', 'c' };

	CFDataAppendBytes(m, sample, 10);
	CFDataReplaceBytes(m, CFRangeMake(2, 3), abc, 3);	/* same size */
	assert_memory_equal(CFDataGetBytePtr(m), "\0\1abc\5\6\7\10\11", 10);
	CFDataReplaceBytes(m, CFRangeMake(2, 3), abc, 1);	/* shrink */
	assert_memory_equal(CFDataGetBytePtr(m), "\0\1a\5\6\7\10\11", 8);
	CFDataReplaceBytes(m, CFRangeMake(0, 0), abc, 3);	/* insert */
	assert_memory_equal(CFDataGetBytePtr(m), "abc\0\1a\5\6\7\10\11", 11);
	CFDataDeleteBytes(m, CFRangeMake(3, 3));
	assert_memory_equal(CFDataGetBytePtr(m), "abc\5\6\7\10\11", 8);
	CFDataReplaceBytes(m, CFRangeMake(7, 5), abc, 3);	/* bad range: ignored */
	assert_int_equal(CFDataGetLength(m), 8);

	/* appending its own bytes (which may move when the buffer grows) */
	for (int i = 0; i < 6; i++)
		CFDataAppendBytes(m, CFDataGetBytePtr(m), CFDataGetLength(m));
	assert_int_equal(CFDataGetLength(m), 8 * 64);
	assert_memory_equal(CFDataGetBytePtr(m) + 8 * 63, "abc\5\6\7\10\11", 8);
	CFRelease(m);
}

static void test_copies_and_equality(void **state)
{
	CFDataRef d = CFDataCreate(NULL, sample, 10);
	CFDataRef c = CFDataCreateCopy(NULL, d);
	CFMutableDataRef m = CFDataCreateMutableCopy(NULL, 0, d);
	CFDataRef other = CFDataCreate(NULL, sample, 9);

	assert_ptr_not_equal(c, d);
	assert_true(CFEqual(d, c));
	assert_true(CFEqual(d, m));
	assert_int_equal(CFHash(d), CFHash(m));
	assert_false(CFEqual(d, other));
	CFDataGetMutableBytePtr(m)[0] = 0x55;
	assert_false(CFEqual(d, m));
	assert_int_equal(CFDataGetBytePtr(d)[0], 0);
	CFRelease(d);
	CFRelease(c);
	CFRelease(m);
	CFRelease(other);
}

static void test_no_copy(void **state)
{
	UInt8 stack[4] = { 9, 8, 7, 6 };
	UInt8 *heap = malloc(4);
	CFDataRef d;

	memcpy(heap, stack, 4);
	d = CFDataCreateWithBytesNoCopy(NULL, stack, 4, kCFAllocatorNull);
	assert_ptr_equal(CFDataGetBytePtr(d), stack);
	CFRelease(d);		/* must not free the stack buffer */
	d = CFDataCreateWithBytesNoCopy(NULL, heap, 4, kCFAllocatorDefault);
	assert_ptr_equal(CFDataGetBytePtr(d), heap);
	assert_memory_equal(CFDataGetBytePtr(d), stack, 4);
	CFRelease(d);		/* frees heap (ASan checks) */
}

int cft_run_data_tests(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create),
		cmocka_unit_test(test_mutable),
		cmocka_unit_test(test_replace_delete),
		cmocka_unit_test(test_copies_and_equality),
		cmocka_unit_test(test_no_copy),
	};

	return cmocka_run_group_tests_name("cf_data", tests, NULL, NULL);
}
