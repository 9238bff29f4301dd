// SPDX-License-Identifier: MIT
/*
 * test_cf.c - the CoreFoundation subset's runtime (retain/release, type
 * IDs, CFEqual/CFHash, descriptions, CFShow, CFSTR interning, thread
 * safety) and the test driver that runs the other test_cf_*.c groups.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <CoreFoundation/CoreFoundation.h>

/* Shared helpers (also used by the other test_cf_*.c files). */
void cft_assert_string(CFStringRef s, const char *utf8);
char *cft_capture_stderr(void (*fn)(const void *), const void *arg);

/* Generated C++ translation unit (tests/unit/cf.cmake): 1 if all went well. */
int cft_cxx_usage(void);

/* Groups in the other files. */
int cft_run_string_tests(void);
int cft_run_format_tests(void);
int cft_run_number_tests(void);
int cft_run_data_tests(void);
int cft_run_array_tests(void);
int cft_run_dictionary_tests(void);

void cft_assert_string(CFStringRef s, const char *utf8)
{
	CFIndex max;
	char *buf;

	assert_non_null(s);
	assert_int_equal(CFGetTypeID(s), CFStringGetTypeID());
	max = CFStringGetMaximumSizeForEncoding(CFStringGetLength(s), kCFStringEncodingUTF8) + 1;
	buf = malloc((size_t)max);
	assert_non_null(buf);
	assert_true(CFStringGetCString(s, buf, max, kCFStringEncodingUTF8));
	assert_string_equal(buf, utf8);
	free(buf);
}

/* Runs fn(arg) with stderr redirected to a file; returns what it wrote. */
char *cft_capture_stderr(void (*fn)(const void *), const void *arg)
{
	FILE *tmp = tmpfile();
	int saved;
	long len;
	char *out;

	assert_non_null(tmp);
	fflush(stderr);
	saved = dup(STDERR_FILENO);
	assert_true(saved >= 0);
	assert_true(dup2(fileno(tmp), STDERR_FILENO) >= 0);
	fn(arg);
	fflush(stderr);
	assert_true(dup2(saved, STDERR_FILENO) >= 0);
	close(saved);
	len = ftell(tmp);
	if (len < 0)
		len = lseek(fileno(tmp), 0, SEEK_END);
	out = calloc(1, (size_t)len + 1);
	assert_non_null(out);
	rewind(tmp);
	assert_int_equal(fread(out, 1, (size_t)len, tmp), (size_t)len);
	fclose(tmp);
	return out;
}

/* ---- Type IDs ------------------------------------------------------------------ */

static void test_type_ids(void **state)
{
	CFTypeID ids[] = {
		CFStringGetTypeID(), CFNumberGetTypeID(), CFBooleanGetTypeID(),
		CFDataGetTypeID(), CFArrayGetTypeID(), CFDictionaryGetTypeID(),
		CFNullGetTypeID(), CFAllocatorGetTypeID(),
	};
	size_t n = sizeof(ids) / sizeof(ids[0]);

	for (size_t i = 0; i < n; i++) {
		assert_true(ids[i] != 0);
		for (size_t j = i + 1; j < n; j++)
			assert_true(ids[i] != ids[j]);
	}
	/* stable across calls */
	assert_int_equal(CFStringGetTypeID(), ids[0]);
	assert_int_equal(CFGetTypeID(CFSTR("x")), CFStringGetTypeID());
	assert_int_equal(CFGetTypeID(kCFBooleanTrue), CFBooleanGetTypeID());
	assert_int_equal(CFGetTypeID(kCFNull), CFNullGetTypeID());
	assert_int_equal(CFGetTypeID(kCFAllocatorSystemDefault), CFAllocatorGetTypeID());
	assert_int_equal(CFGetTypeID(NULL), 0);
}

static void test_type_id_description(void **state)
{
	struct {
		CFTypeID id;
		const char *name;
	} cases[] = {
		{ CFStringGetTypeID(), "CFString" },
		{ CFNumberGetTypeID(), "CFNumber" },
		{ CFBooleanGetTypeID(), "CFBoolean" },
		{ CFDataGetTypeID(), "CFData" },
		{ CFArrayGetTypeID(), "CFArray" },
		{ CFDictionaryGetTypeID(), "CFDictionary" },
		{ CFNullGetTypeID(), "CFNull" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		CFStringRef s = CFCopyTypeIDDescription(cases[i].id);

		cft_assert_string(s, cases[i].name);
		CFRelease(s);
	}
	assert_null(CFCopyTypeIDDescription(12345));
}

/* ---- Reference counting ------------------------------------------------------ */

static void test_retain_release(void **state)
{
	CFStringRef s = CFStringCreateWithCString(NULL, "counted", kCFStringEncodingUTF8);

	assert_int_equal(CFGetRetainCount(s), 1);
	assert_ptr_equal(CFRetain(s), s);
	assert_int_equal(CFGetRetainCount(s), 2);
	CFRelease(s);
	assert_int_equal(CFGetRetainCount(s), 1);
	CFRelease(s);		/* freed: ASan would catch a leak or double free */
}

static void test_release_null_is_harmless(void **state)
{
	CFRelease(NULL);
	assert_int_equal(CFGetRetainCount(NULL), 0);
}

static void test_immortal_objects(void **state)
{
	CFTypeRef objs[] = { CFSTR("immortal"), kCFBooleanTrue, kCFBooleanFalse, kCFNull,
			     kCFNumberNaN, kCFAllocatorSystemDefault };

	for (size_t i = 0; i < sizeof(objs) / sizeof(objs[0]); i++) {
		for (int k = 0; k < 10; k++)
			CFRelease(objs[i]);
		CFRetain(objs[i]);
		assert_true(CFGetRetainCount(objs[i]) > 1000000);
		assert_int_not_equal(CFGetTypeID(objs[i]), 0);
	}
	assert_null(kCFAllocatorDefault);
	assert_ptr_equal(CFAllocatorGetDefault(), kCFAllocatorSystemDefault);
}

static void test_allocator_functions(void **state)
{
	void *p = CFAllocatorAllocate(kCFAllocatorDefault, 16, 0);

	assert_non_null(p);
	memset(p, 1, 16);
	p = CFAllocatorReallocate(kCFAllocatorDefault, p, 64, 0);
	assert_non_null(p);
	CFAllocatorDeallocate(kCFAllocatorDefault, p);
	assert_null(CFAllocatorAllocate(kCFAllocatorNull, 16, 0));
}

/* ---- Equality, hashing -------------------------------------------------------- */

static void test_equal_and_hash(void **state)
{
	CFStringRef a = CFStringCreateWithCString(NULL, "same", kCFStringEncodingUTF8);
	CFStringRef b = CFStringCreateWithCString(NULL, "same", kCFStringEncodingASCII);
	int i = 1;
	double d = 1.0;
	CFNumberRef ni = CFNumberCreate(NULL, kCFNumberIntType, &i);
	CFNumberRef nd = CFNumberCreate(NULL, kCFNumberDoubleType, &d);

	assert_ptr_not_equal(a, b);
	assert_true(CFEqual(a, b));
	assert_true(CFEqual(a, CFSTR("same")));
	assert_int_equal(CFHash(a), CFHash(b));
	assert_int_equal(CFHash(a), CFHash(CFSTR("same")));
	assert_false(CFEqual(a, CFSTR("other")));
	assert_true(CFEqual(ni, nd));
	assert_int_equal(CFHash(ni), CFHash(nd));
	assert_false(CFEqual(a, ni));
	assert_false(CFEqual(kCFBooleanTrue, ni));
	assert_false(CFEqual(kCFBooleanTrue, kCFBooleanFalse));
	assert_true(CFEqual(kCFBooleanTrue, kCFBooleanTrue));
	assert_false(CFEqual(a, NULL));
	assert_int_equal(CFHash(NULL), 0);
	CFRelease(a);
	CFRelease(b);
	CFRelease(ni);
	CFRelease(nd);
}

/* ---- Descriptions -------------------------------------------------------------- */

static void assert_described_as(CFTypeRef cf, const char *prefix, const char *suffix)
{
	CFStringRef d = CFCopyDescription(cf);
	const char *p = CFStringGetCStringPtr(d, kCFStringEncodingUTF8);
	size_t len, slen = strlen(suffix);

	assert_non_null(p);
	len = strlen(p);
	if (strncmp(p, prefix, strlen(prefix)) || len < slen || strcmp(p + len - slen, suffix))
		fail_msg("description \"%s\" lacks \"%s\"...\"%s\"", p, prefix, suffix);
	CFRelease(d);
}

static void assert_description_has(CFTypeRef cf, const char *part)
{
	CFStringRef d = CFCopyDescription(cf);
	const char *p = CFStringGetCStringPtr(d, kCFStringEncodingUTF8);

	assert_non_null(p);
	if (!strstr(p, part))
		fail_msg("description \"%s\" lacks \"%s\"", p, part);
	CFRelease(d);
}

static void test_descriptions(void **state)
{
	CFStringRef s = CFStringCreateWithCString(NULL, "abc", kCFStringEncodingUTF8);
	SInt32 v = 42;
	CFNumberRef n = CFNumberCreate(NULL, kCFNumberSInt32Type, &v);
	const UInt8 bytes[] = { 0xde, 0xad, 0xbe, 0xef };
	CFDataRef data = CFDataCreate(NULL, bytes, 4);
	CFMutableDictionaryRef dict = CFDictionaryCreateMutable(NULL, 0,
		&kCFTypeDictionaryKeyCallBacks, &kCFTypeDictionaryValueCallBacks);
	CFArrayRef arr = CFArrayCreate(NULL, (const void **)&s, 1, &kCFTypeArrayCallBacks);
	CFStringRef d;

	CFDictionarySetValue(dict, CFSTR("key"), n);
	assert_described_as(s, "<CFString 0x", "]>{contents = \"abc\"}");
	assert_described_as(n, "<CFNumber 0x", "]>{value = +42, type = kCFNumberSInt32Type}");
	assert_described_as(kCFBooleanTrue, "<CFBoolean 0x", "]>{value = true}");
	assert_described_as(kCFBooleanFalse, "<CFBoolean 0x", "]>{value = false}");
	assert_described_as(data, "<CFData 0x", "]>{length = 4, capacity = 4, bytes = 0xdeadbeef}");
	assert_description_has(dict,
			       "]>{type = mutable dict, count = 1,\nentries =>\n\t0 : <CFString");
	assert_description_has(dict, "{contents = \"key\"} = <CFNumber 0x");
	assert_described_as(dict, "<CFDictionary 0x",
			    "{value = +42, type = kCFNumberSInt32Type}\n}");
	assert_described_as(arr, "<CFArray 0x", "{contents = \"abc\"}\n)}");
	assert_described_as(kCFNull, "<CFNull 0x", "]>{}");
	assert_null(CFCopyDescription(NULL));

	/* the bracketed address is the allocator's */
	d = CFCopyDescription(s);
	{
		char expect[128];

		snprintf(expect, sizeof(expect), "<CFString %p [%p]>{contents = \"abc\"}",
			 (const void *)s, (const void *)kCFAllocatorSystemDefault);
		cft_assert_string(d, expect);
	}
	CFRelease(d);
	CFRelease(s);
	CFRelease(n);
	CFRelease(data);
	CFRelease(dict);
	CFRelease(arr);
}

static void show(const void *obj)
{
	CFShow(obj);
}

static void test_cfshow(void **state)
{
	CFStringRef s = CFStringCreateWithCString(NULL, "h\xC3\xA9llo", kCFStringEncodingUTF8);
	SInt32 v = 7;
	CFNumberRef n = CFNumberCreate(NULL, kCFNumberSInt32Type, &v);
	char *out;

	/* strings print their contents */
	out = cft_capture_stderr(show, s);
	assert_string_equal(out, "h\xC3\xA9llo\n");
	free(out);
	out = cft_capture_stderr(show, CFSTR("const"));
	assert_string_equal(out, "const\n");
	free(out);
	/* other objects print their description */
	out = cft_capture_stderr(show, n);
	assert_non_null(strstr(out, "<CFNumber 0x"));
	assert_non_null(strstr(out, "{value = +7, type = kCFNumberSInt32Type}\n"));
	free(out);
	out = cft_capture_stderr(show, NULL);
	assert_string_equal(out, "(null)\n");
	free(out);
	CFRelease(s);
	CFRelease(n);
}

/* ---- CFSTR ---------------------------------------------------------------------- */

static void test_cfstr_interning(void **state)
{
	CFStringRef a = CFSTR("interned");
	CFStringRef b = CFSTR("interned");
	char dyn[] = { 'i', 'n', 't', 'e', 'r', 'n', 'e', 'd', 0 };

	assert_ptr_equal(a, b);
	assert_ptr_equal(a, __CFStringMakeConstantString(dyn));
	assert_ptr_not_equal(a, CFSTR("other"));
	cft_assert_string(a, "interned");
	cft_assert_string(CFSTR(""), "");
	assert_int_equal(CFStringGetLength(CFSTR("")), 0);
	/* not valid UTF-8: read as Latin-1 rather than failing */
	cft_assert_string(CFSTR("caf\xE9"), "caf\xC3\xA9");
	/* CFStringCreateCopy of a constant gives the constant back */
	assert_ptr_equal(CFStringCreateCopy(NULL, a), a);
}

/* ---- Threads ------------------------------------------------------------------- */

#define N_THREADS 8
#define N_ROUNDS 20000

static void *retain_release_worker(void *arg)
{
	for (int i = 0; i < N_ROUNDS; i++) {
		CFRetain(arg);
		CFRetain(arg);
		CFRelease(arg);
		CFRelease(arg);
	}
	return NULL;
}

static void test_threaded_retain_release(void **state)
{
	CFStringRef s = CFStringCreateWithCString(NULL, "shared", kCFStringEncodingUTF8);
	pthread_t t[N_THREADS];

	for (int i = 0; i < N_THREADS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, retain_release_worker, (void *)s), 0);
	for (int i = 0; i < N_THREADS; i++)
		pthread_join(t[i], NULL);
	assert_int_equal(CFGetRetainCount(s), 1);
	CFRelease(s);
}

static void *intern_worker(void *arg)
{
	CFStringRef *out = arg;
	char name[32];

	for (int i = 0; i < 200; i++) {
		snprintf(name, sizeof(name), "thread-key-%d", i);
		out[i] = __CFStringMakeConstantString(name);
	}
	return NULL;
}

static void test_threaded_interning(void **state)
{
	static CFStringRef results[N_THREADS][200];
	pthread_t t[N_THREADS];

	for (int i = 0; i < N_THREADS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, intern_worker, results[i]), 0);
	for (int i = 0; i < N_THREADS; i++)
		pthread_join(t[i], NULL);
	for (int k = 0; k < 200; k++) {
		char name[32];

		snprintf(name, sizeof(name), "thread-key-%d", k);
		assert_non_null(results[0][k]);
		for (int i = 1; i < N_THREADS; i++)
			assert_ptr_equal(results[i][k], results[0][k]);
		assert_ptr_equal(__CFStringMakeConstantString(name), results[0][k]);
	}
}

static void test_cxx_usage(void **state)
{
	assert_int_equal(cft_cxx_usage(), 1);
}

static int run_runtime_tests(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_type_ids),
		cmocka_unit_test(test_type_id_description),
		cmocka_unit_test(test_retain_release),
		cmocka_unit_test(test_release_null_is_harmless),
		cmocka_unit_test(test_immortal_objects),
		cmocka_unit_test(test_allocator_functions),
		cmocka_unit_test(test_equal_and_hash),
		cmocka_unit_test(test_descriptions),
		cmocka_unit_test(test_cfshow),
		cmocka_unit_test(test_cfstr_interning),
		cmocka_unit_test(test_threaded_retain_release),
		cmocka_unit_test(test_threaded_interning),
		cmocka_unit_test(test_cxx_usage),
	};

	return cmocka_run_group_tests_name("cf_runtime", tests, NULL, NULL);
}

int main(void)
{
	int failed = 0;

	failed += run_runtime_tests();
	failed += cft_run_string_tests();
	failed += cft_run_format_tests();
	failed += cft_run_number_tests();
	failed += cft_run_data_tests();
	failed += cft_run_array_tests();
	failed += cft_run_dictionary_tests();
	return failed ? 1 : 0;
}
