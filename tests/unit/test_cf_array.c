// SPDX-License-Identifier: MIT
/*
 * test_cf_array.c - CFArray and CFMutableArray: ownership through
 * kCFTypeArrayCallBacks, NULL callbacks (raw pointers, identity) and custom
 * callbacks, every accessor and mutator, ranges, copies, sorting,
 * equality.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include <CoreFoundation/CoreFoundation.h>

void cft_assert_string(CFStringRef s, const char *utf8);
int cft_run_array_tests(void);

static CFStringRef str(const char *s)
{
	return CFStringCreateWithCString(NULL, s, kCFStringEncodingUTF8);
}

static CFArrayRef array_of(const char *const *items, CFIndex n)
{
	const void *v[16];
	CFArrayRef a;

	for (CFIndex i = 0; i < n; i++)
		v[i] = str(items[i]);
	a = CFArrayCreate(NULL, v, n, &kCFTypeArrayCallBacks);
	for (CFIndex i = 0; i < n; i++)
		CFRelease(v[i]);
	return a;
}

static void test_create_retains(void **state)
{
	CFStringRef a = str("a"), b = str("b");
	const void *vals[] = { a, b, a };
	CFArrayRef arr = CFArrayCreate(NULL, vals, 3, &kCFTypeArrayCallBacks);
	const void *out[3];

	assert_int_equal(CFGetTypeID(arr), CFArrayGetTypeID());
	assert_int_equal(CFArrayGetCount(arr), 3);
	assert_int_equal(CFGetRetainCount(a), 3);
	assert_int_equal(CFGetRetainCount(b), 2);
	assert_ptr_equal(CFArrayGetValueAtIndex(arr, 1), b);
	assert_null(CFArrayGetValueAtIndex(arr, 3));
	assert_null(CFArrayGetValueAtIndex(arr, -1));
	CFArrayGetValues(arr, CFRangeMake(0, 3), out);
	assert_memory_equal(out, vals, sizeof(vals));
	/* the callbacks were copied: the caller's struct may go away */
	CFRelease(arr);
	assert_int_equal(CFGetRetainCount(a), 1);
	assert_int_equal(CFGetRetainCount(b), 1);
	CFRelease(a);
	CFRelease(b);

	arr = CFArrayCreate(NULL, NULL, 0, &kCFTypeArrayCallBacks);
	assert_int_equal(CFArrayGetCount(arr), 0);
	CFRelease(arr);
	assert_null(CFArrayCreate(NULL, NULL, 2, &kCFTypeArrayCallBacks));
}

static void test_null_callbacks(void **state)
{
	CFStringRef s1 = str("same"), s2 = str("same");
	const void *vals[] = { (const void *)1, (const void *)2, s1, NULL };
	CFArrayRef raw = CFArrayCreate(NULL, vals, 4, NULL);
	CFArrayRef typed = CFArrayCreate(NULL, vals + 2, 1, &kCFTypeArrayCallBacks);
	CFRange all = CFRangeMake(0, 4);

	assert_int_equal(CFGetRetainCount(s1), 2);	/* only the typed array retained */
	assert_ptr_equal(CFArrayGetValueAtIndex(raw, 0), (const void *)1);
	assert_null(CFArrayGetValueAtIndex(raw, 3));
	/* identity vs CFEqual */
	assert_true(CFArrayContainsValue(raw, all, s1));
	assert_false(CFArrayContainsValue(raw, all, s2));
	assert_true(CFArrayContainsValue(typed, CFRangeMake(0, 1), s2));
	assert_int_equal(CFArrayGetFirstIndexOfValue(raw, all, (const void *)2), 1);
	assert_int_equal(CFArrayGetFirstIndexOfValue(raw, all, NULL), 3);
	CFRelease(raw);
	CFRelease(typed);
	assert_int_equal(CFGetRetainCount(s1), 1);
	CFRelease(s1);
	CFRelease(s2);
}

static int n_retain, n_release;

static const void *count_retain(CFAllocatorRef a, const void *v)
{
	n_retain++;
	return v;
}

static void count_release(CFAllocatorRef a, const void *v)
{
	n_release++;
}

static Boolean same_parity(const void *a, const void *b)
{
	return ((uintptr_t)a & 1) == ((uintptr_t)b & 1);
}

static void test_custom_callbacks(void **state)
{
	CFArrayCallBacks cb = { 0, count_retain, count_release, NULL, same_parity };
	CFMutableArrayRef m = CFArrayCreateMutable(NULL, 0, &cb);
	CFArrayRef copy;
	CFStringRef desc;

	n_retain = n_release = 0;
	CFArrayAppendValue(m, (const void *)2);
	CFArrayAppendValue(m, (const void *)3);
	CFArraySetValueAtIndex(m, 0, (const void *)4);
	assert_int_equal(n_retain, 3);
	assert_int_equal(n_release, 1);
	/* equality through the callback: any odd value matches index 1 */
	assert_int_equal(CFArrayGetFirstIndexOfValue(m, CFRangeMake(0, 2), (const void *)7), 1);
	copy = CFArrayCreateCopy(NULL, m);	/* keeps the callbacks */
	assert_int_equal(n_retain, 5);
	CFRelease(copy);
	assert_int_equal(n_release, 3);
	/* values without a copyDescription show as pointers */
	desc = CFCopyDescription(m);
	assert_non_null(strstr(CFStringGetCStringPtr(desc, kCFStringEncodingUTF8), "0 : <0x4>"));
	CFRelease(desc);
	CFRelease(m);
	assert_int_equal(n_release, 5);
}

static void test_mutation(void **state)
{
	CFMutableArrayRef m = CFArrayCreateMutable(NULL, 0, &kCFTypeArrayCallBacks);
	CFStringRef a = CFSTR("a"), b = CFSTR("b"), c = CFSTR("c"), d = CFSTR("d");

	CFArrayAppendValue(m, b);
	CFArrayInsertValueAtIndex(m, 0, a);		/* a b */
	CFArrayInsertValueAtIndex(m, 2, d);		/* a b d */
	CFArrayInsertValueAtIndex(m, 2, c);		/* a b c d */
	CFArrayInsertValueAtIndex(m, 9, c);		/* refused */
	assert_int_equal(CFArrayGetCount(m), 4);
	for (int i = 0; i < 4; i++)
		assert_ptr_equal(CFArrayGetValueAtIndex(m, i), ((CFStringRef[]){ a, b, c, d })[i]);
	CFArraySetValueAtIndex(m, 4, a);		/* at count: appends */
	assert_int_equal(CFArrayGetCount(m), 5);
	CFArraySetValueAtIndex(m, 0, d);		/* d b c d a */
	assert_int_equal(CFArrayGetFirstIndexOfValue(m, CFRangeMake(0, 5), d), 0);
	assert_int_equal(CFArrayGetLastIndexOfValue(m, CFRangeMake(0, 5), d), 3);
	assert_int_equal(CFArrayGetFirstIndexOfValue(m, CFRangeMake(1, 2), d), kCFNotFound);
	assert_int_equal(CFArrayGetCountOfValue(m, CFRangeMake(0, 5), d), 2);
	assert_false(CFArrayContainsValue(m, CFRangeMake(0, 5), CFSTR("zz")));
	CFArrayRemoveValueAtIndex(m, 0);		/* b c d a */
	CFArrayRemoveValueAtIndex(m, 3);		/* b c d */
	CFArrayRemoveValueAtIndex(m, 3);		/* refused */
	assert_int_equal(CFArrayGetCount(m), 3);
	assert_ptr_equal(CFArrayGetValueAtIndex(m, 0), b);
	assert_ptr_equal(CFArrayGetValueAtIndex(m, 2), d);
	CFArrayExchangeValuesAtIndices(m, 0, 2);	/* d c b */
	assert_ptr_equal(CFArrayGetValueAtIndex(m, 0), d);
	CFArrayAppendArray(m, m, CFRangeMake(1, 2));	/* d c b c b */
	assert_int_equal(CFArrayGetCount(m), 5);
	assert_ptr_equal(CFArrayGetValueAtIndex(m, 4), b);
	CFArrayRemoveAllValues(m);
	assert_int_equal(CFArrayGetCount(m), 0);
	CFArrayAppendValue(m, a);
	assert_int_equal(CFArrayGetCount(m), 1);
	CFRelease(m);

	/* immutable arrays refuse changes */
	CFArrayRef imm = CFArrayCreate(NULL, (const void **)&a, 1, &kCFTypeArrayCallBacks);

	CFArrayAppendValue((CFMutableArrayRef)imm, b);
	CFArrayRemoveAllValues((CFMutableArrayRef)imm);
	assert_int_equal(CFArrayGetCount(imm), 1);
	CFRelease(imm);
}

static void test_replace_releases(void **state)
{
	CFMutableArrayRef m = CFArrayCreateMutable(NULL, 0, &kCFTypeArrayCallBacks);
	CFStringRef s = str("only");

	CFArrayAppendValue(m, s);
	CFArraySetValueAtIndex(m, 0, s);	/* replacing with itself must not free it */
	assert_int_equal(CFGetRetainCount(s), 2);
	cft_assert_string(CFArrayGetValueAtIndex(m, 0), "only");
	CFArrayRemoveValueAtIndex(m, 0);
	assert_int_equal(CFGetRetainCount(s), 1);
	for (int i = 0; i < 1000; i++)
		CFArrayAppendValue(m, s);
	assert_int_equal(CFGetRetainCount(s), 1001);
	CFRelease(m);
	assert_int_equal(CFGetRetainCount(s), 1);
	CFRelease(s);
}

static void count_applier(const void *value, void *context)
{
	CFIndex *total = context;

	*total += CFStringGetLength(value);
}

static void test_apply_and_ranges(void **state)
{
	static const char *const items[] = { "a", "bb", "ccc", "dddd" };
	CFArrayRef arr = array_of(items, 4);
	CFIndex total = 0;

	CFArrayApplyFunction(arr, CFRangeMake(0, 4), count_applier, &total);
	assert_int_equal(total, 10);
	total = 0;
	CFArrayApplyFunction(arr, CFRangeMake(1, 2), count_applier, &total);
	assert_int_equal(total, 5);
	total = 0;
	CFArrayApplyFunction(arr, CFRangeMake(3, 2), count_applier, &total);	/* bad range */
	assert_int_equal(total, 0);
	assert_int_equal(CFArrayGetFirstIndexOfValue(arr, CFRangeMake(0, 4), CFSTR("ccc")), 2);
	CFRelease(arr);
}

static CFComparisonResult by_length(const void *a, const void *b, void *ctx)
{
	CFIndex la = CFStringGetLength(a), lb = CFStringGetLength(b);

	(*(int *)ctx)++;
	return la < lb ? kCFCompareLessThan : la > lb ? kCFCompareGreaterThan : kCFCompareEqualTo;
}

static void test_sort_is_stable(void **state)
{
	static const char *const items[] = { "ccc", "b1", "a", "b2", "dddd", "b3", "a2" };
	CFArrayRef src = array_of(items, 7);
	CFMutableArrayRef m = CFArrayCreateMutableCopy(NULL, 0, src);
	static const char *const want[] = { "a", "b1", "b2", "b3", "a2", "ccc", "dddd" };
	int calls = 0;

	CFArraySortValues(m, CFRangeMake(0, 7), by_length, &calls);
	assert_true(calls > 0);
	for (int i = 0; i < 7; i++)
		cft_assert_string(CFArrayGetValueAtIndex(m, i), want[i]);
	/* the source is untouched */
	cft_assert_string(CFArrayGetValueAtIndex(src, 0), "ccc");
	CFRelease(src);
	CFRelease(m);
}

static void test_copies_and_equality(void **state)
{
	static const char *const items[] = { "x", "y" };
	CFArrayRef a = array_of(items, 2), b = array_of(items, 2);
	CFArrayRef c = CFArrayCreateCopy(NULL, a);
	CFMutableArrayRef m = CFArrayCreateMutableCopy(NULL, 0, a);

	assert_true(CFEqual(a, b));
	assert_true(CFEqual(a, c));
	assert_true(CFEqual(a, m));
	assert_int_equal(CFHash(a), CFHash(m));
	CFArrayAppendValue(m, CFSTR("z"));
	assert_false(CFEqual(a, m));
	assert_int_equal(CFArrayGetCount(a), 2);
	CFArrayRemoveValueAtIndex(m, 2);
	CFArraySetValueAtIndex(m, 1, CFSTR("Y"));
	assert_false(CFEqual(a, m));
	CFRelease(a);
	CFRelease(b);
	CFRelease(c);
	CFRelease(m);
}

int cft_run_array_tests(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_retains),
		cmocka_unit_test(test_null_callbacks),
		cmocka_unit_test(test_custom_callbacks),
		cmocka_unit_test(test_mutation),
		cmocka_unit_test(test_replace_releases),
		cmocka_unit_test(test_apply_and_ranges),
		cmocka_unit_test(test_sort_is_stable),
		cmocka_unit_test(test_copies_and_equality),
	};

	return cmocka_run_group_tests_name("cf_array", tests, NULL, NULL);
}
