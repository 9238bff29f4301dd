// SPDX-License-Identifier: MIT
/*
 * test_cf_number.c - CFNumber (every CFNumberType, canonical types and
 * sizes, exact and lossy conversions, comparison across integer and float)
 * and CFBoolean.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <float.h>
#include <math.h>
#include <string.h>

#include <CoreFoundation/CoreFoundation.h>

int cft_run_number_tests(void);

static void test_type_constants(void **state)
{
	assert_int_equal(kCFNumberSInt8Type, 1);
	assert_int_equal(kCFNumberSInt16Type, 2);
	assert_int_equal(kCFNumberSInt32Type, 3);
	assert_int_equal(kCFNumberSInt64Type, 4);
	assert_int_equal(kCFNumberFloat32Type, 5);
	assert_int_equal(kCFNumberFloat64Type, 6);
	assert_int_equal(kCFNumberCharType, 7);
	assert_int_equal(kCFNumberShortType, 8);
	assert_int_equal(kCFNumberIntType, 9);
	assert_int_equal(kCFNumberLongType, 10);
	assert_int_equal(kCFNumberLongLongType, 11);
	assert_int_equal(kCFNumberFloatType, 12);
	assert_int_equal(kCFNumberDoubleType, 13);
	assert_int_equal(kCFNumberCFIndexType, 14);
	assert_int_equal(kCFNumberNSIntegerType, 15);
	assert_int_equal(kCFNumberCGFloatType, 16);
	assert_int_equal(kCFNumberMaxType, 16);
}

/* Creates a number of type t holding 42 from a buffer of the right C type. */
static CFNumberRef make42(CFNumberType t)
{
	union {
		int8_t i8; int16_t i16; int32_t i32; int64_t i64; float f; double d;
		char c; short s; int i; long l; long long ll; CFIndex idx;
	} u;

	memset(&u, 0, sizeof(u));
	switch (t) {
	case kCFNumberSInt8Type: u.i8 = 42; break;
	case kCFNumberSInt16Type: u.i16 = 42; break;
	case kCFNumberSInt32Type: u.i32 = 42; break;
	case kCFNumberSInt64Type: u.i64 = 42; break;
	case kCFNumberFloat32Type: u.f = 42; break;
	case kCFNumberFloat64Type: u.d = 42; break;
	case kCFNumberCharType: u.c = 42; break;
	case kCFNumberShortType: u.s = 42; break;
	case kCFNumberIntType: u.i = 42; break;
	case kCFNumberLongType: u.l = 42; break;
	case kCFNumberLongLongType: u.ll = 42; break;
	case kCFNumberFloatType: u.f = 42; break;
	case kCFNumberDoubleType: u.d = 42; break;
	case kCFNumberCFIndexType: u.idx = 42; break;
	case kCFNumberNSIntegerType: u.l = 42; break;
	case kCFNumberCGFloatType: u.d = 42; break;
	default: break;
	}
	return CFNumberCreate(NULL, t, &u);
}

static void test_every_type(void **state)
{
	static const struct {
		CFNumberType type, canon;
		CFIndex size;
		bool is_float;
	} cases[] = {
		{ kCFNumberSInt8Type, kCFNumberSInt8Type, 1, false },
		{ kCFNumberSInt16Type, kCFNumberSInt16Type, 2, false },
		{ kCFNumberSInt32Type, kCFNumberSInt32Type, 4, false },
		{ kCFNumberSInt64Type, kCFNumberSInt64Type, 8, false },
		{ kCFNumberFloat32Type, kCFNumberFloat32Type, 4, true },
		{ kCFNumberFloat64Type, kCFNumberFloat64Type, 8, true },
		{ kCFNumberCharType, kCFNumberSInt8Type, 1, false },
		{ kCFNumberShortType, kCFNumberSInt16Type, 2, false },
		{ kCFNumberIntType, kCFNumberSInt32Type, 4, false },
		{ kCFNumberLongType, kCFNumberSInt64Type, 8, false },
		{ kCFNumberLongLongType, kCFNumberSInt64Type, 8, false },
		{ kCFNumberFloatType, kCFNumberFloat32Type, 4, true },
		{ kCFNumberDoubleType, kCFNumberFloat64Type, 8, true },
		{ kCFNumberCFIndexType, kCFNumberSInt64Type, 8, false },
		{ kCFNumberNSIntegerType, kCFNumberSInt64Type, 8, false },
		{ kCFNumberCGFloatType, kCFNumberFloat64Type, 8, true },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		CFNumberRef n = make42(cases[i].type);
		SInt64 out = 0;
		double d = 0;

		assert_non_null(n);
		assert_int_equal(CFGetTypeID(n), CFNumberGetTypeID());
		assert_int_equal(CFNumberGetType(n), cases[i].canon);
		assert_int_equal(CFNumberGetByteSize(n), cases[i].size);
		assert_int_equal(CFNumberIsFloatType(n), cases[i].is_float);
		assert_true(CFNumberGetValue(n, kCFNumberSInt64Type, &out));
		assert_int_equal(out, 42);
		assert_true(CFNumberGetValue(n, kCFNumberDoubleType, &d));
		assert_true(d == 42.0);
		/* and back out as every type, exactly */
		for (CFNumberType t = 1; t <= kCFNumberMaxType; t++) {
			CFNumberRef ref = make42(t);
			char buf[16] = { 0 };
			CFNumberRef again;

			assert_true(CFNumberGetValue(n, t, buf));
			again = CFNumberCreate(NULL, t, buf);
			assert_true(CFEqual(again, ref));
			CFRelease(again);
			CFRelease(ref);
		}
		CFRelease(n);
	}
}

static void test_invalid_arguments(void **state)
{
	int v = 1;
	CFNumberRef n = CFNumberCreate(NULL, kCFNumberIntType, &v);

	assert_null(CFNumberCreate(NULL, 0, &v));
	assert_null(CFNumberCreate(NULL, 17, &v));
	assert_null(CFNumberCreate(NULL, kCFNumberIntType, NULL));
	assert_false(CFNumberGetValue(n, 0, &v));
	assert_false(CFNumberGetValue(n, kCFNumberIntType, NULL));
	CFRelease(n);
}

static void test_integer_narrowing(void **state)
{
	SInt32 big = 300;
	SInt64 huge = (SInt64)1 << 40;
	SInt64 neg = -129;
	CFNumberRef n = CFNumberCreate(NULL, kCFNumberSInt32Type, &big);
	CFNumberRef h = CFNumberCreate(NULL, kCFNumberSInt64Type, &huge);
	CFNumberRef m = CFNumberCreate(NULL, kCFNumberSInt64Type, &neg);
	SInt8 i8;
	SInt16 i16;
	SInt32 i32;

	assert_false(CFNumberGetValue(n, kCFNumberSInt8Type, &i8));
	assert_int_equal(i8, 44);	/* truncated, as a C cast would */
	assert_true(CFNumberGetValue(n, kCFNumberSInt16Type, &i16));
	assert_int_equal(i16, 300);
	assert_false(CFNumberGetValue(h, kCFNumberSInt32Type, &i32));
	assert_int_equal(i32, 0);
	assert_false(CFNumberGetValue(m, kCFNumberCharType, &i8));
	assert_int_equal(i8, 127);
	assert_true(CFNumberGetValue(m, kCFNumberShortType, &i16));
	assert_int_equal(i16, -129);
	CFRelease(n);
	CFRelease(h);
	CFRelease(m);
}

static CFNumberRef dbl(double d)
{
	return CFNumberCreate(NULL, kCFNumberFloat64Type, &d);
}

static CFNumberRef i64(SInt64 v)
{
	return CFNumberCreate(NULL, kCFNumberSInt64Type, &v);
}

static void test_float_to_int(void **state)
{
	CFNumberRef n;
	SInt32 i32;
	SInt64 v;
	SInt8 i8;

	n = dbl(3.7);
	assert_false(CFNumberGetValue(n, kCFNumberSInt32Type, &i32));
	assert_int_equal(i32, 3);
	CFRelease(n);
	n = dbl(-3.7);
	assert_false(CFNumberGetValue(n, kCFNumberSInt32Type, &i32));
	assert_int_equal(i32, -3);
	CFRelease(n);
	n = dbl(3.0);
	assert_true(CFNumberGetValue(n, kCFNumberSInt32Type, &i32));
	assert_int_equal(i32, 3);
	CFRelease(n);
	n = dbl(1e20);
	assert_false(CFNumberGetValue(n, kCFNumberSInt64Type, &v));
	assert_int_equal(v, INT64_MAX);
	CFRelease(n);
	n = dbl(-1e20);
	assert_false(CFNumberGetValue(n, kCFNumberSInt64Type, &v));
	assert_int_equal(v, INT64_MIN);
	CFRelease(n);
	n = dbl(200.0);
	assert_false(CFNumberGetValue(n, kCFNumberSInt8Type, &i8));
	assert_int_equal(i8, 127);
	CFRelease(n);
	n = dbl(-128.0);
	assert_true(CFNumberGetValue(n, kCFNumberSInt8Type, &i8));
	assert_int_equal(i8, -128);
	CFRelease(n);
	n = dbl(NAN);
	assert_false(CFNumberGetValue(n, kCFNumberSInt32Type, &i32));
	assert_int_equal(i32, 0);
	CFRelease(n);
	assert_false(CFNumberGetValue(kCFNumberPositiveInfinity, kCFNumberSInt32Type, &i32));
	assert_int_equal(i32, INT32_MAX);
}

static void test_int_to_float(void **state)
{
	CFNumberRef n;
	double d;
	float f;

	n = i64((SInt64)1 << 53);
	assert_true(CFNumberGetValue(n, kCFNumberFloat64Type, &d));
	assert_true(d == 9007199254740992.0);
	CFRelease(n);
	n = i64(((SInt64)1 << 53) + 1);
	assert_false(CFNumberGetValue(n, kCFNumberFloat64Type, &d));
	assert_true(d == 9007199254740992.0);
	CFRelease(n);
	n = i64(INT64_MAX);
	assert_false(CFNumberGetValue(n, kCFNumberFloat64Type, &d));
	CFRelease(n);
	n = i64(INT64_MIN);
	assert_true(CFNumberGetValue(n, kCFNumberFloat64Type, &d));
	CFRelease(n);
	n = i64(16777216);
	assert_true(CFNumberGetValue(n, kCFNumberFloat32Type, &f));
	CFRelease(n);
	n = i64(16777217);
	assert_false(CFNumberGetValue(n, kCFNumberFloat32Type, &f));
	assert_true(f == 16777216.0f);
	CFRelease(n);
}

static void test_float_widths(void **state)
{
	float f = 0.1f;
	CFNumberRef nf = CFNumberCreate(NULL, kCFNumberFloat32Type, &f);
	CFNumberRef n;
	double d;
	float g;

	assert_true(CFNumberGetValue(nf, kCFNumberFloat64Type, &d));
	assert_true(d == (double)0.1f);
	assert_true(CFNumberGetValue(nf, kCFNumberFloat32Type, &g));
	assert_true(g == 0.1f);
	CFRelease(nf);
	n = dbl(0.1);
	assert_false(CFNumberGetValue(n, kCFNumberFloat32Type, &g));
	assert_true(g == 0.1f);
	CFRelease(n);
	n = dbl(0.5);
	assert_true(CFNumberGetValue(n, kCFNumberFloat32Type, &g));
	CFRelease(n);
	n = dbl(1e300);
	assert_false(CFNumberGetValue(n, kCFNumberFloat32Type, &g));
	assert_true(isinf(g));
	CFRelease(n);
	/* Apple: a NaN does not survive a width change exactly. */
	assert_false(CFNumberGetValue(kCFNumberNaN, kCFNumberFloat32Type, &g));
	assert_true(isnan(g));
	assert_true(CFNumberGetValue(kCFNumberNegativeInfinity, kCFNumberFloat64Type, &d));
	assert_true(isinf(d) && d < 0);
}

static void test_compare(void **state)
{
	CFNumberRef one = i64(1), two = i64(2), onef = dbl(1.0), onehalf = dbl(1.5);
	CFNumberRef maxi = i64(INT64_MAX), two63 = dbl(9223372036854775808.0);
	CFNumberRef mini = i64(INT64_MIN), mtwo63 = dbl(-9223372036854775808.0);
	CFNumberRef nan = kCFNumberNaN, zero = dbl(0.0), negzero = dbl(-0.0);

	assert_int_equal(CFNumberCompare(one, two, NULL), kCFCompareLessThan);
	assert_int_equal(CFNumberCompare(two, one, NULL), kCFCompareGreaterThan);
	assert_int_equal(CFNumberCompare(one, onef, NULL), kCFCompareEqualTo);
	assert_int_equal(CFNumberCompare(one, onehalf, NULL), kCFCompareLessThan);
	assert_int_equal(CFNumberCompare(two, onehalf, NULL), kCFCompareGreaterThan);
	assert_int_equal(CFNumberCompare(onehalf, one, NULL), kCFCompareGreaterThan);
	/* exact even where a double cannot hold the integer */
	assert_int_equal(CFNumberCompare(maxi, two63, NULL), kCFCompareLessThan);
	assert_int_equal(CFNumberCompare(mini, mtwo63, NULL), kCFCompareEqualTo);
	assert_int_equal(CFNumberCompare(nan, zero, NULL), kCFCompareLessThan);
	assert_int_equal(CFNumberCompare(zero, nan, NULL), kCFCompareGreaterThan);
	assert_int_equal(CFNumberCompare(nan, nan, NULL), kCFCompareEqualTo);
	assert_int_equal(CFNumberCompare(nan, one, NULL), kCFCompareLessThan);
	assert_int_equal(CFNumberCompare(zero, negzero, NULL), kCFCompareEqualTo);
	assert_true(CFEqual(zero, negzero));
	assert_int_equal(CFHash(zero), CFHash(negzero));
	assert_true(CFEqual(mini, mtwo63));
	assert_int_equal(CFHash(mini), CFHash(mtwo63));
	assert_false(CFEqual(maxi, two63));
	assert_int_equal(CFNumberCompare(kCFNumberNegativeInfinity, mini, NULL),
			 kCFCompareLessThan);
	CFRelease(one);
	CFRelease(two);
	CFRelease(onef);
	CFRelease(onehalf);
	CFRelease(maxi);
	CFRelease(two63);
	CFRelease(mini);
	CFRelease(mtwo63);
	CFRelease(zero);
	CFRelease(negzero);
}

static void test_booleans(void **state)
{
	assert_non_null(kCFBooleanTrue);
	assert_non_null(kCFBooleanFalse);
	assert_ptr_not_equal(kCFBooleanTrue, kCFBooleanFalse);
	assert_true(CFBooleanGetValue(kCFBooleanTrue));
	assert_false(CFBooleanGetValue(kCFBooleanFalse));
	assert_int_equal(CFGetTypeID(kCFBooleanTrue), CFBooleanGetTypeID());
	assert_int_equal(CFGetTypeID(kCFBooleanFalse), CFBooleanGetTypeID());
	assert_int_not_equal(CFBooleanGetTypeID(), CFNumberGetTypeID());
	assert_int_not_equal(CFHash(kCFBooleanTrue), CFHash(kCFBooleanFalse));
	assert_false(CFBooleanGetValue((CFBooleanRef)CFSTR("true")));
}

/* Apple's CFNumberGetValue results where plain exactness would differ. */
static void test_apple_lossy_results(void **state)
{
	CFNumberRef n;
	float f = NAN, g;
	double d;
	SInt8 i8;
	SInt16 i16;
	SInt32 i32;

	/* Small unsigned values in signed numbers: 8- and 16-bit targets. */
	n = i64(200);
	assert_true(CFNumberGetValue(n, kCFNumberSInt8Type, &i8));
	assert_int_equal(i8, -56);
	CFRelease(n);
	n = i64(65535);
	assert_true(CFNumberGetValue(n, kCFNumberSInt16Type, &i16));
	assert_int_equal(i16, -1);
	assert_false(CFNumberGetValue(n, kCFNumberSInt8Type, &i8));
	CFRelease(n);
	n = i64(256);
	assert_false(CFNumberGetValue(n, kCFNumberSInt8Type, &i8));
	assert_int_equal(i8, 0);
	CFRelease(n);
	/* ...but not 32 bits. */
	n = i64(0xffffffffLL);
	assert_false(CFNumberGetValue(n, kCFNumberSInt32Type, &i32));
	CFRelease(n);
	/* NaN and infinities are the shared objects; a NaN changing width is
	 * not exact, an infinity is. */
	n = CFNumberCreate(NULL, kCFNumberFloat32Type, &f);
	assert_ptr_equal(n, kCFNumberNaN);
	assert_int_equal(CFNumberGetType(n), kCFNumberFloat64Type);
	assert_true(CFNumberGetValue(n, kCFNumberFloat64Type, &d));
	assert_true(isnan(d));
	d = -INFINITY;
	n = CFNumberCreate(NULL, kCFNumberDoubleType, &d);
	assert_ptr_equal(n, kCFNumberNegativeInfinity);
	assert_true(CFNumberGetValue(n, kCFNumberFloat32Type, &g));
	assert_true(isinf(g) && g < 0);
	f = 0.25f;
	n = CFNumberCreate(NULL, kCFNumberFloat32Type, &f);
	assert_true(CFNumberGetValue(n, kCFNumberFloat64Type, &d));
	assert_true(d == 0.25);
	CFRelease(n);
}

int cft_run_number_tests(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_type_constants),
		cmocka_unit_test(test_every_type),
		cmocka_unit_test(test_invalid_arguments),
		cmocka_unit_test(test_integer_narrowing),
		cmocka_unit_test(test_float_to_int),
		cmocka_unit_test(test_int_to_float),
		cmocka_unit_test(test_float_widths),
		cmocka_unit_test(test_apple_lossy_results),
		cmocka_unit_test(test_compare),
		cmocka_unit_test(test_booleans),
	};

	return cmocka_run_group_tests_name("cf_number", tests, NULL, NULL);
}
