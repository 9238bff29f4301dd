// SPDX-License-Identifier: MIT
/*
 * test_cf_dictionary.c - CFDictionary and CFMutableDictionary: the add /
 * set / replace / remove semantics, ownership through the kCFType and
 * copy-string callbacks, NULL callbacks (identity), custom hash and equal
 * callbacks (including a hash that always collides), growth, and a
 * randomized run checked against a plain reference table.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CoreFoundation/CoreFoundation.h>

void cft_assert_string(CFStringRef s, const char *utf8);
int cft_run_dictionary_tests(void);

static CFStringRef str(const char *s)
{
	return CFStringCreateWithCString(NULL, s, kCFStringEncodingUTF8);
}

static CFNumberRef num(int v)
{
	return CFNumberCreate(NULL, kCFNumberIntType, &v);
}

static CFMutableDictionaryRef new_typed(void)
{
	return CFDictionaryCreateMutable(NULL, 0, &kCFTypeDictionaryKeyCallBacks,
					 &kCFTypeDictionaryValueCallBacks);
}

static void test_basic_semantics(void **state)
{
	CFMutableDictionaryRef d = new_typed();
	CFStringRef key = str("IOProviderClass");
	CFNumberRef one = num(1), two = num(2);
	const void *v = NULL;

	assert_int_equal(CFGetTypeID(d), CFDictionaryGetTypeID());
	assert_int_equal(CFDictionaryGetCount(d), 0);
	assert_null(CFDictionaryGetValue(d, key));
	CFDictionaryAddValue(d, key, one);
	CFDictionaryAddValue(d, CFSTR("IOProviderClass"), two);	/* no replace */
	assert_int_equal(CFDictionaryGetCount(d), 1);
	/* an equal key object finds the entry */
	assert_ptr_equal(CFDictionaryGetValue(d, CFSTR("IOProviderClass")), one);
	CFDictionarySetValue(d, CFSTR("IOProviderClass"), two);		/* replaces */
	assert_ptr_equal(CFDictionaryGetValue(d, key), two);
	CFDictionaryReplaceValue(d, key, one);
	assert_ptr_equal(CFDictionaryGetValue(d, key), one);
	CFDictionaryReplaceValue(d, CFSTR("absent"), two);		/* only if present */
	assert_int_equal(CFDictionaryGetCount(d), 1);
	assert_false(CFDictionaryContainsKey(d, CFSTR("absent")));

	assert_true(CFDictionaryGetValueIfPresent(d, key, &v));
	assert_ptr_equal(v, one);
	assert_true(CFDictionaryGetValueIfPresent(d, key, NULL));
	assert_false(CFDictionaryGetValueIfPresent(d, CFSTR("absent"), &v));
	assert_true(CFDictionaryContainsKey(d, key));
	assert_true(CFDictionaryContainsValue(d, one));
	assert_false(CFDictionaryContainsValue(d, two));
	assert_int_equal(CFDictionaryGetCountOfKey(d, key), 1);
	assert_int_equal(CFDictionaryGetCountOfValue(d, one), 1);

	CFDictionaryRemoveValue(d, CFSTR("absent"));
	CFDictionaryRemoveValue(d, CFSTR("IOProviderClass"));
	assert_int_equal(CFDictionaryGetCount(d), 0);
	assert_null(CFDictionaryGetValue(d, key));
	CFRelease(d);
	CFRelease(key);
	CFRelease(one);
	CFRelease(two);
}

static void test_ownership(void **state)
{
	CFMutableDictionaryRef d = new_typed();
	CFStringRef k = str("k"), k2 = str("k");
	CFNumberRef v1 = num(1), v2 = num(2);

	CFDictionarySetValue(d, k, v1);
	assert_int_equal(CFGetRetainCount(k), 2);
	assert_int_equal(CFGetRetainCount(v1), 2);
	CFDictionarySetValue(d, k2, v2);	/* replaces the value, keeps the first key */
	assert_int_equal(CFGetRetainCount(v1), 1);
	assert_int_equal(CFGetRetainCount(v2), 2);
	assert_int_equal(CFGetRetainCount(k), 2);
	assert_int_equal(CFGetRetainCount(k2), 1);
	CFDictionarySetValue(d, k, v2);		/* same value again: still alive */
	assert_int_equal(CFGetRetainCount(v2), 2);
	CFDictionaryRemoveValue(d, k);
	assert_int_equal(CFGetRetainCount(k), 1);
	assert_int_equal(CFGetRetainCount(v2), 1);
	CFDictionarySetValue(d, k, v1);
	CFDictionarySetValue(d, v1, k);		/* any CF object can be a key */
	CFDictionaryRemoveAllValues(d);
	assert_int_equal(CFDictionaryGetCount(d), 0);
	assert_int_equal(CFGetRetainCount(k), 1);
	assert_int_equal(CFGetRetainCount(v1), 1);
	CFDictionarySetValue(d, k, v1);
	CFRelease(d);
	assert_int_equal(CFGetRetainCount(k), 1);
	assert_int_equal(CFGetRetainCount(v1), 1);
	CFRelease(k);
	CFRelease(k2);
	CFRelease(v1);
	CFRelease(v2);
}

static void test_remove_last_reference_to_key(void **state)
{
	CFMutableDictionaryRef d = new_typed();
	CFStringRef k = str("transient");
	const void *stored = NULL;

	CFDictionarySetValue(d, k, kCFBooleanTrue);
	CFRelease(k);			/* the dictionary holds the only reference */
	CFDictionaryGetKeysAndValues(d, &stored, NULL);
	CFDictionaryRemoveValue(d, stored);	/* the key dies only after removal */
	assert_int_equal(CFDictionaryGetCount(d), 0);
	CFRelease(d);
}

static void test_copy_string_keys(void **state)
{
	CFMutableDictionaryRef d = CFDictionaryCreateMutable(NULL, 0,
		&kCFCopyStringDictionaryKeyCallBacks, &kCFTypeDictionaryValueCallBacks);
	CFMutableStringRef mk = CFStringCreateMutable(NULL, 0);
	CFStringRef ik = str("immutable");
	const void *keys[2];

	CFStringAppendCString(mk, "name", kCFStringEncodingUTF8);
	CFDictionarySetValue(d, mk, kCFBooleanTrue);
	CFDictionarySetValue(d, ik, kCFBooleanFalse);
	/* the mutable key was copied, so changing it does not disturb the table */
	CFStringAppendCString(mk, "-changed", kCFStringEncodingUTF8);
	assert_ptr_equal(CFDictionaryGetValue(d, CFSTR("name")), kCFBooleanTrue);
	assert_null(CFDictionaryGetValue(d, mk));
	assert_int_equal(CFGetRetainCount(mk), 1);
	/* an immutable key is just retained */
	assert_int_equal(CFGetRetainCount(ik), 2);
	CFDictionaryGetKeysAndValues(d, keys, NULL);
	assert_true(keys[0] != mk && keys[1] != mk);
	CFRelease(d);
	assert_int_equal(CFGetRetainCount(ik), 1);
	CFRelease(mk);
	CFRelease(ik);
}

static void test_null_callbacks(void **state)
{
	CFMutableDictionaryRef d = CFDictionaryCreateMutable(NULL, 0, NULL, NULL);
	CFStringRef a = str("same"), b = str("same");

	CFDictionarySetValue(d, a, (const void *)1);
	assert_int_equal(CFGetRetainCount(a), 1);		/* not retained */
	assert_ptr_equal(CFDictionaryGetValue(d, a), (const void *)1);
	assert_null(CFDictionaryGetValue(d, b));		/* identity, not CFEqual */
	CFDictionarySetValue(d, b, (const void *)2);
	assert_int_equal(CFDictionaryGetCount(d), 2);
	/* NULL is a valid raw key and value */
	CFDictionarySetValue(d, NULL, (const void *)3);
	CFDictionarySetValue(d, (const void *)4, NULL);
	assert_ptr_equal(CFDictionaryGetValue(d, NULL), (const void *)3);
	assert_true(CFDictionaryContainsKey(d, (const void *)4));
	assert_true(CFDictionaryContainsValue(d, NULL));
	assert_int_equal(CFDictionaryGetCount(d), 4);
	CFRelease(d);
	CFRelease(a);
	CFRelease(b);
}

static CFHashCode constant_hash(const void *v)
{
	return 7;
}

static Boolean int_equal(const void *a, const void *b)
{
	return (uintptr_t)a == (uintptr_t)b;
}

/* Every key collides: exercises probing and backward-shift deletion. */
static void test_colliding_hash(void **state)
{
	CFDictionaryKeyCallBacks kcb = { 0, NULL, NULL, NULL, int_equal, constant_hash };
	CFMutableDictionaryRef d = CFDictionaryCreateMutable(NULL, 0, &kcb, NULL);

	for (uintptr_t i = 1; i <= 200; i++)
		CFDictionarySetValue(d, (const void *)i, (const void *)(i * 10));
	for (uintptr_t i = 1; i <= 200; i += 2)
		CFDictionaryRemoveValue(d, (const void *)i);
	assert_int_equal(CFDictionaryGetCount(d), 100);
	for (uintptr_t i = 1; i <= 200; i++) {
		const void *v = NULL;
		bool present = CFDictionaryGetValueIfPresent(d, (const void *)i, &v);

		assert_int_equal(present, i % 2 == 0);
		if (present)
			assert_int_equal((uintptr_t)v, i * 10);
	}
	CFRelease(d);
}

static void test_growth_with_numbers(void **state)
{
	CFMutableDictionaryRef d = new_typed();
	const int n = 20000;

	for (int i = 0; i < n; i++) {
		CFNumberRef k = num(i);
		CFStringRef v = CFStringCreateWithFormat(NULL, NULL, CFSTR("v%d"), i);

		CFDictionaryAddValue(d, k, v);
		CFRelease(k);
		CFRelease(v);
	}
	assert_int_equal(CFDictionaryGetCount(d), n);
	for (int i = 0; i < n; i += 3) {
		double dk = i;	/* a double key equal to the integer finds it */
		CFNumberRef k = CFNumberCreate(NULL, kCFNumberDoubleType, &dk);

		CFDictionaryRemoveValue(d, k);
		CFRelease(k);
	}
	for (int i = 0; i < n; i++) {
		CFNumberRef k = num(i);
		CFStringRef v = CFDictionaryGetValue(d, k);

		if (i % 3 == 0) {
			assert_null(v);
		} else {
			char want[16];

			snprintf(want, sizeof(want), "v%d", i);
			cft_assert_string(v, want);
		}
		CFRelease(k);
	}
	CFRelease(d);
}

/* Random operations checked against a direct-mapped reference table. */
static void test_randomized_against_reference(void **state)
{
	enum { KEYS = 512, OPS = 50000 };
	static uintptr_t ref[KEYS];	/* 0: absent */
	CFMutableDictionaryRef d = CFDictionaryCreateMutable(NULL, 0, NULL, NULL);
	unsigned seed = 12345;
	CFIndex count = 0;

	memset(ref, 0, sizeof(ref));
	for (int op = 0; op < OPS; op++) {
		uintptr_t key, val;

		seed = seed * 1103515245u + 12345u;
		key = (seed >> 8) % KEYS;
		val = op + 1;
		switch ((seed >> 20) % 4) {
		case 0:
		case 1:
			count += !ref[key];
			ref[key] = val;
			CFDictionarySetValue(d, (const void *)(key << 4), (const void *)val);
			break;
		case 2:
			count -= !!ref[key];
			ref[key] = 0;
			CFDictionaryRemoveValue(d, (const void *)(key << 4));
			break;
		default:
			if (!ref[key]) {
				count++;
				ref[key] = val;
			}
			CFDictionaryAddValue(d, (const void *)(key << 4), (const void *)val);
			break;
		}
		assert_int_equal(CFDictionaryGetCount(d), count);
	}
	for (uintptr_t k = 0; k < KEYS; k++)
		assert_int_equal((uintptr_t)CFDictionaryGetValue(d, (const void *)(k << 4)),
				 ref[k]);
	CFRelease(d);
}

static void sum_applier(const void *key, const void *value, void *ctx)
{
	SInt32 v = 0;

	CFNumberGetValue(value, kCFNumberSInt32Type, &v);
	*(SInt32 *)ctx += v;
}

static void test_keys_values_apply(void **state)
{
	CFMutableDictionaryRef d = new_typed();
	const void *keys[5], *vals[5];
	SInt32 sum = 0;

	for (int i = 1; i <= 5; i++) {
		CFStringRef k = CFStringCreateWithFormat(NULL, NULL, CFSTR("key%d"), i);
		CFNumberRef v = num(i);

		CFDictionarySetValue(d, k, v);
		CFRelease(k);
		CFRelease(v);
	}
	CFDictionaryGetKeysAndValues(d, keys, vals);
	for (int i = 0; i < 5; i++)	/* pairs line up */
		assert_ptr_equal(CFDictionaryGetValue(d, keys[i]), vals[i]);
	CFDictionaryGetKeysAndValues(d, NULL, vals);
	CFDictionaryApplyFunction(d, sum_applier, &sum);
	assert_int_equal(sum, 15);
	CFRelease(d);
}

static void test_create_copy_equality(void **state)
{
	const void *keys[] = { CFSTR("a"), CFSTR("b"), CFSTR("a") };
	const void *vals[] = { CFSTR("1"), CFSTR("2"), CFSTR("3") };
	CFDictionaryRef d = CFDictionaryCreate(NULL, keys, vals, 3,
		&kCFTypeDictionaryKeyCallBacks, &kCFTypeDictionaryValueCallBacks);
	CFDictionaryRef c;
	CFMutableDictionaryRef m;

	/* a repeated key keeps its first value */
	assert_int_equal(CFDictionaryGetCount(d), 2);
	cft_assert_string(CFDictionaryGetValue(d, CFSTR("a")), "1");
	/* immutable: mutators refuse */
	CFDictionarySetValue((CFMutableDictionaryRef)d, CFSTR("c"), CFSTR("x"));
	assert_int_equal(CFDictionaryGetCount(d), 2);

	c = CFDictionaryCreateCopy(NULL, d);
	m = CFDictionaryCreateMutableCopy(NULL, 0, d);
	assert_ptr_not_equal(c, d);
	assert_true(CFEqual(d, c));
	assert_true(CFEqual(d, m));
	assert_int_equal(CFHash(d), CFHash(m));
	/* insertion order does not matter */
	CFDictionaryRemoveValue(m, CFSTR("a"));
	CFDictionarySetValue(m, CFSTR("a"), CFSTR("1"));
	assert_true(CFEqual(d, m));
	CFDictionarySetValue(m, CFSTR("a"), CFSTR("other"));
	assert_false(CFEqual(d, m));
	CFDictionaryRemoveValue(m, CFSTR("a"));
	assert_false(CFEqual(d, m));
	assert_int_equal(CFDictionaryGetCount(c), 2);
	CFRelease(d);
	CFRelease(c);
	CFRelease(m);

	d = CFDictionaryCreate(NULL, NULL, NULL, 0, NULL, NULL);
	assert_int_equal(CFDictionaryGetCount(d), 0);
	assert_null(CFDictionaryGetValue(d, CFSTR("a")));
	CFRelease(d);
	assert_null(CFDictionaryCreate(NULL, NULL, vals, 1, NULL, NULL));
}

static void test_nested(void **state)
{
	CFMutableDictionaryRef outer = new_typed();
	CFMutableDictionaryRef inner = new_typed();
	CFMutableArrayRef arr = CFArrayCreateMutable(NULL, 0, &kCFTypeArrayCallBacks);

	CFDictionarySetValue(inner, CFSTR("IOPropertyMatch"), kCFBooleanTrue);
	CFArrayAppendValue(arr, inner);
	CFDictionarySetValue(outer, CFSTR("list"), arr);
	CFDictionarySetValue(outer, CFSTR("dict"), inner);
	CFRelease(inner);
	CFRelease(arr);
	arr = (CFMutableArrayRef)CFDictionaryGetValue(outer, CFSTR("list"));
	inner = (CFMutableDictionaryRef)CFArrayGetValueAtIndex(arr, 0);
	assert_ptr_equal(CFDictionaryGetValue(inner, CFSTR("IOPropertyMatch")), kCFBooleanTrue);
	assert_int_equal(CFGetRetainCount(inner), 2);
	CFRelease(outer);	/* everything goes (ASan checks) */
}

int cft_run_dictionary_tests(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basic_semantics),
		cmocka_unit_test(test_ownership),
		cmocka_unit_test(test_remove_last_reference_to_key),
		cmocka_unit_test(test_copy_string_keys),
		cmocka_unit_test(test_null_callbacks),
		cmocka_unit_test(test_colliding_hash),
		cmocka_unit_test(test_growth_with_numbers),
		cmocka_unit_test(test_randomized_against_reference),
		cmocka_unit_test(test_keys_values_apply),
		cmocka_unit_test(test_create_copy_equality),
		cmocka_unit_test(test_nested),
	};

	return cmocka_run_group_tests_name("cf_dictionary", tests, NULL, NULL);
}
