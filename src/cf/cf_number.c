// SPDX-License-Identifier: MIT
/*
 * cf_number.c - CFNumber and CFBoolean.  A number keeps its value as a
 * 64-bit integer or a double together with the canonical type it was
 * created with (SInt8/16/32/64, Float32, Float64), as Apple's does.
 * CFNumberGetValue converts to any type and reports whether the conversion
 * was exact, with Apple's results: integers narrow by truncation (8- and
 * 16-bit targets also accept values in the unsigned range), floats to
 * integers round toward zero and saturate, a NaN never converts exactly
 * between float widths.  NaN and the infinities are the shared objects.
 */
#include "cf_internal.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct __CFNumber {
	struct cf_base base;
	CFNumberType type;	/* canonical */
	union {
		int64_t i;
		double d;
	} v;
};

struct __CFBoolean {
	struct cf_base base;
	bool value;
};

static const struct __CFNumber *to_num(CFNumberRef n)
{
	return (const struct __CFNumber *)n;
}

/* The storage type Apple uses for each CFNumberType (LP64); 0 if invalid. */
static CFNumberType canonical_type(CFNumberType t)
{
	switch (t) {
	case kCFNumberSInt8Type:
	case kCFNumberCharType:
		return kCFNumberSInt8Type;
	case kCFNumberSInt16Type:
	case kCFNumberShortType:
		return kCFNumberSInt16Type;
	case kCFNumberSInt32Type:
	case kCFNumberIntType:
		return kCFNumberSInt32Type;
	case kCFNumberSInt64Type:
	case kCFNumberLongType:
	case kCFNumberLongLongType:
	case kCFNumberCFIndexType:
	case kCFNumberNSIntegerType:
		return kCFNumberSInt64Type;
	case kCFNumberFloat32Type:
	case kCFNumberFloatType:
		return kCFNumberFloat32Type;
	case kCFNumberFloat64Type:
	case kCFNumberDoubleType:
	case kCFNumberCGFloatType:
		return kCFNumberFloat64Type;
	default:
		return 0;
	}
}

static bool type_is_float(CFNumberType canon)
{
	return canon == kCFNumberFloat32Type || canon == kCFNumberFloat64Type;
}

static int int_bits(CFNumberType canon)
{
	switch (canon) {
	case kCFNumberSInt8Type:
		return 8;
	case kCFNumberSInt16Type:
		return 16;
	case kCFNumberSInt32Type:
		return 32;
	default:
		return 64;
	}
}

static const char *type_name(CFNumberType canon)
{
	switch (canon) {
	case kCFNumberSInt8Type:
		return "kCFNumberSInt8Type";
	case kCFNumberSInt16Type:
		return "kCFNumberSInt16Type";
	case kCFNumberSInt32Type:
		return "kCFNumberSInt32Type";
	case kCFNumberSInt64Type:
		return "kCFNumberSInt64Type";
	case kCFNumberFloat32Type:
		return "kCFNumberFloat32Type";
	default:
		return "kCFNumberFloat64Type";
	}
}

/* ---- Conversions ---------------------------------------------------------------- */

/* Sign-extends the low bits of v; 64 leaves it alone. */
static int64_t wrap_bits(int64_t v, int bits)
{
	uint64_t u = (uint64_t)v, sign;

	if (bits >= 64)
		return v;
	u &= (UINT64_C(1) << bits) - 1;
	sign = UINT64_C(1) << (bits - 1);
	return (int64_t)(u ^ sign) - (int64_t)sign;
}

/* Number to a signed integer of bits width; true if exact. */
static bool to_int(const struct __CFNumber *n, int bits, int64_t *out)
{
	double d, limit;

	if (!type_is_float(n->type)) {
		*out = wrap_bits(n->v.i, bits);
		/* Apple's accommodation for unsigned values kept in signed
		 * numbers: narrowing to 8 or 16 bits also counts as exact when
		 * the value fits the unsigned range (200 as SInt8 is -56, true). */
		if (bits < 32 && n->v.i >= 0 && (n->v.i >> bits) == 0)
			return true;
		return *out == n->v.i;
	}
	d = n->v.d;
	limit = (double)(UINT64_C(1) << (bits - 1));	/* 2^(bits-1), exact */
	if (isnan(d)) {
		*out = 0;
		return false;
	}
	if (d < -limit) {
		*out = bits >= 64 ? INT64_MIN : -(INT64_C(1) << (bits - 1));
		return false;
	}
	if (d >= limit) {
		*out = bits >= 64 ? INT64_MAX : (INT64_C(1) << (bits - 1)) - 1;
		return false;
	}
	*out = (int64_t)d;
	return (double)*out == d;
}

static bool int64_fits_double(int64_t i, double d)
{
	return d >= -9223372036854775808.0 && d < 9223372036854775808.0 && (int64_t)d == i;
}

static bool to_double(const struct __CFNumber *n, double *out)
{
	if (type_is_float(n->type)) {
		*out = n->v.d;
		/* A float widened to a double converts back unless it is a NaN,
		 * which never compares equal (Apple's test). */
		return n->type == kCFNumberFloat64Type || !isnan(n->v.d);
	}
	*out = (double)n->v.i;
	return int64_fits_double(n->v.i, *out);
}

static float narrow_float(double d)
{
	if (d > FLT_MAX)
		return INFINITY;
	if (d < -FLT_MAX)
		return -INFINITY;
	return (float)d;
}

static bool to_float(const struct __CFNumber *n, float *out)
{
	if (type_is_float(n->type)) {
		*out = narrow_float(n->v.d);
		/* A float is copied as is; a double must survive the round trip
		 * (never true for a NaN, as in Apple's conversion). */
		return n->type == kCFNumberFloat32Type || (double)*out == n->v.d;
	}
	*out = (float)n->v.i;
	return int64_fits_double(n->v.i, (double)*out);
}

/* Reads *valuePtr of type canon into n. */
static void load_value(struct __CFNumber *n, CFNumberType type, const void *p)
{
	switch (type) {
	case kCFNumberSInt8Type: { int8_t v; memcpy(&v, p, sizeof(v)); n->v.i = v; break; }
	case kCFNumberCharType: { signed char v; memcpy(&v, p, sizeof(v)); n->v.i = v; break; }
	case kCFNumberSInt16Type: { int16_t v; memcpy(&v, p, sizeof(v)); n->v.i = v; break; }
	case kCFNumberShortType: { short v; memcpy(&v, p, sizeof(v)); n->v.i = v; break; }
	case kCFNumberSInt32Type: { int32_t v; memcpy(&v, p, sizeof(v)); n->v.i = v; break; }
	case kCFNumberIntType: { int v; memcpy(&v, p, sizeof(v)); n->v.i = v; break; }
	case kCFNumberSInt64Type: { int64_t v; memcpy(&v, p, sizeof(v)); n->v.i = v; break; }
	case kCFNumberLongType:
	case kCFNumberCFIndexType:
	case kCFNumberNSIntegerType: { long v; memcpy(&v, p, sizeof(v)); n->v.i = v; break; }
	case kCFNumberLongLongType: { long long v; memcpy(&v, p, sizeof(v)); n->v.i = v; break; }
	case kCFNumberFloat32Type:
	case kCFNumberFloatType: { float v; memcpy(&v, p, sizeof(v)); n->v.d = v; break; }
	default: { double v; memcpy(&v, p, sizeof(v)); n->v.d = v; break; }
	}
}

/* Stores an integer of the requested canonical width at p. */
static void store_int(CFNumberType canon, int64_t v, void *p)
{
	switch (canon) {
	case kCFNumberSInt8Type: { int8_t x = (int8_t)v; memcpy(p, &x, sizeof(x)); break; }
	case kCFNumberSInt16Type: { int16_t x = (int16_t)v; memcpy(p, &x, sizeof(x)); break; }
	case kCFNumberSInt32Type: { int32_t x = (int32_t)v; memcpy(p, &x, sizeof(x)); break; }
	default: memcpy(p, &v, sizeof(v)); break;
	}
}

/* ---- Class callbacks -------------------------------------------------------- */

static int sign_of(double x)
{
	return x < 0 ? -1 : x > 0;
}

/* Exact comparison of an integer and a double; NaN sorts first. */
static int cmp_int_double(int64_t i, double d)
{
	int64_t t;

	if (isnan(d))
		return 1;
	if (d >= 9223372036854775808.0)
		return -1;
	if (d < -9223372036854775808.0)
		return 1;
	t = (int64_t)d;
	if (i != t)
		return i < t ? -1 : 1;
	return -sign_of(d - (double)t);
}

static int cmp_double(double a, double b)
{
	if (isnan(a) || isnan(b))
		return isnan(a) && isnan(b) ? 0 : isnan(a) ? -1 : 1;
	return a < b ? -1 : a > b;
}

static int number_cmp(const struct __CFNumber *a, const struct __CFNumber *b)
{
	bool fa = type_is_float(a->type), fb = type_is_float(b->type);

	if (!fa && !fb)
		return a->v.i < b->v.i ? -1 : a->v.i > b->v.i;
	if (fa && fb)
		return cmp_double(a->v.d, b->v.d);
	if (!fa)
		return cmp_int_double(a->v.i, b->v.d);
	return -cmp_int_double(b->v.i, a->v.d);
}

static Boolean number_equal(CFTypeRef a, CFTypeRef b)
{
	return number_cmp(a, b) == 0;
}

/* Equal numbers hash alike: integral doubles hash as integers. */
static CFHashCode number_hash(CFTypeRef cf)
{
	const struct __CFNumber *n = to_num(cf);
	double d = n->v.d;
	int64_t t;

	if (!type_is_float(n->type))
		return cf_hash_int64(n->v.i);
	if (isnan(d))
		return cf_hash_int64(INT64_MIN);
	if (d >= -9223372036854775808.0 && d < 9223372036854775808.0) {
		t = (int64_t)d;
		if ((double)t == d)
			return cf_hash_int64(t);
	}
	return cf_hash_bytes(&d, sizeof(d));
}

static void number_describe(CFTypeRef cf, struct cf_buf *b)
{
	const struct __CFNumber *n = to_num(cf);

	if (!type_is_float(n->type))
		cf_buf_printf(b, "{value = %+lld", (long long)n->v.i);
	else if (n->v.d > -1e16 && n->v.d < 1e16)
		cf_buf_printf(b, "{value = %+.20f", n->v.d);
	else
		cf_buf_printf(b, "{value = %+.17e", n->v.d);
	cf_buf_printf(b, ", type = %s}", type_name(n->type));
}

/* Shortest text that reads back as the same value. */
static void put_shortest(struct cf_buf *b, double d, bool single)
{
	char tmp[64];

	for (int prec = 1; prec <= 17; prec++) {
		snprintf(tmp, sizeof(tmp), "%.*g", prec, d);
		if (single ? (float)strtod(tmp, NULL) == (float)d : strtod(tmp, NULL) == d)
			break;
	}
	cf_buf_puts(b, tmp);
}

static void number_format(CFTypeRef cf, struct cf_buf *b, unsigned indent, bool quoted)
{
	const struct __CFNumber *n = to_num(cf);

	if (!type_is_float(n->type))
		cf_buf_printf(b, "%lld", (long long)n->v.i);
	else if (isnan(n->v.d))
		cf_buf_puts(b, "nan");
	else if (n->v.d == INFINITY || n->v.d == -INFINITY)
		cf_buf_puts(b, n->v.d > 0 ? "inf" : "-inf");
	else
		put_shortest(b, n->v.d, n->type == kCFNumberFloat32Type);
}

const struct cf_class cf_number_class = {
	.type_id = CF_TID_NUMBER,
	.name = "CFNumber",
	.equal = number_equal,
	.hash = number_hash,
	.describe = number_describe,
	.format = number_format,
};

/* ---- CFNumber API ----------------------------------------------------------- */

#define CF_NUMBER_STATIC(var, value)                                          \
	static struct __CFNumber var = {                                      \
		.base = CF_BASE_STATIC(&cf_number_class, 0),                  \
		.type = kCFNumberFloat64Type,                                 \
		.v.d = (value),                                               \
	}

CF_NUMBER_STATIC(number_pos_inf, INFINITY);
CF_NUMBER_STATIC(number_neg_inf, -INFINITY);
CF_NUMBER_STATIC(number_nan, NAN);

IOK_EXPORT const CFNumberRef kCFNumberPositiveInfinity = &number_pos_inf;
IOK_EXPORT const CFNumberRef kCFNumberNegativeInfinity = &number_neg_inf;
IOK_EXPORT const CFNumberRef kCFNumberNaN = &number_nan;

IOK_EXPORT CFTypeID CFNumberGetTypeID(void)
{
	return CF_TID_NUMBER;
}

static bool check_number(CFNumberRef n, const char *func)
{
	if (cf_is(n, &cf_number_class))
		return true;
	cf_log_misuse(func, n ? "not a CFNumber" : "NULL number");
	return false;
}

IOK_EXPORT CFNumberRef CFNumberCreate(CFAllocatorRef allocator, CFNumberType theType,
				      const void *valuePtr)
{
	CFNumberType canon = canonical_type(theType);
	struct __CFNumber *n;

	if (!canon || !valuePtr) {
		cf_log_misuse(__func__, canon ? "NULL valuePtr" : "invalid number type");
		return NULL;
	}
	n = cf_object_alloc(&cf_number_class, sizeof(*n), 0);
	if (!n)
		return NULL;
	n->type = canon;
	load_value(n, theType, valuePtr);
	/* As Apple's: NaN and the infinities are the shared (double) objects. */
	if (type_is_float(canon) && (isnan(n->v.d) || isinf(n->v.d))) {
		CFNumberRef shared = isnan(n->v.d) ? kCFNumberNaN
				   : n->v.d > 0 ? kCFNumberPositiveInfinity
						: kCFNumberNegativeInfinity;

		free(n);
		return shared;
	}
	return n;
}

IOK_EXPORT CFNumberType CFNumberGetType(CFNumberRef number)
{
	if (!check_number(number, __func__))
		return 0;
	return to_num(number)->type;
}

IOK_EXPORT CFIndex CFNumberGetByteSize(CFNumberRef number)
{
	CFNumberType t;

	if (!check_number(number, __func__))
		return 0;
	t = to_num(number)->type;
	if (t == kCFNumberFloat32Type)
		return 4;
	if (t == kCFNumberFloat64Type)
		return 8;
	return int_bits(t) / 8;
}

IOK_EXPORT Boolean CFNumberIsFloatType(CFNumberRef number)
{
	if (!check_number(number, __func__))
		return false;
	return type_is_float(to_num(number)->type);
}

IOK_EXPORT Boolean CFNumberGetValue(CFNumberRef number, CFNumberType theType, void *valuePtr)
{
	CFNumberType canon = canonical_type(theType);
	const struct __CFNumber *n = to_num(number);
	bool exact;

	if (!check_number(number, __func__) || !canon || !valuePtr)
		return false;
	if (canon == kCFNumberFloat32Type) {
		float f;

		exact = to_float(n, &f);
		memcpy(valuePtr, &f, sizeof(f));
	} else if (canon == kCFNumberFloat64Type) {
		double d;

		exact = to_double(n, &d);
		memcpy(valuePtr, &d, sizeof(d));
	} else {
		int64_t v;

		exact = to_int(n, int_bits(canon), &v);
		store_int(canon, v, valuePtr);
	}
	return exact;
}

IOK_EXPORT CFComparisonResult CFNumberCompare(CFNumberRef number, CFNumberRef otherNumber,
					      void *context)
{
	if (!check_number(number, __func__) || !check_number(otherNumber, __func__))
		return kCFCompareEqualTo;
	return number_cmp(to_num(number), to_num(otherNumber));
}

/* ---- CFBoolean ---------------------------------------------------------------- */

static void boolean_describe(CFTypeRef cf, struct cf_buf *b)
{
	bool value = ((const struct __CFBoolean *)cf)->value;

	cf_buf_printf(b, "{value = %s}", value ? "true" : "false");
}

static CFHashCode boolean_hash(CFTypeRef cf)
{
	return ((const struct __CFBoolean *)cf)->value ? 1 : 0;
}

static void boolean_format(CFTypeRef cf, struct cf_buf *b, unsigned indent, bool quoted)
{
	cf_buf_putc(b, ((const struct __CFBoolean *)cf)->value ? '1' : '0');
}

const struct cf_class cf_boolean_class = {
	.type_id = CF_TID_BOOLEAN,
	.name = "CFBoolean",
	.hash = boolean_hash,
	.describe = boolean_describe,
	.format = boolean_format,
};

static struct __CFBoolean boolean_true = {
	.base = CF_BASE_STATIC(&cf_boolean_class, 0),
	.value = true,
};

static struct __CFBoolean boolean_false = {
	.base = CF_BASE_STATIC(&cf_boolean_class, 0),
	.value = false,
};

IOK_EXPORT const CFBooleanRef kCFBooleanTrue = &boolean_true;
IOK_EXPORT const CFBooleanRef kCFBooleanFalse = &boolean_false;

IOK_EXPORT CFTypeID CFBooleanGetTypeID(void)
{
	return CF_TID_BOOLEAN;
}

IOK_EXPORT Boolean CFBooleanGetValue(CFBooleanRef boolean)
{
	if (!cf_is(boolean, &cf_boolean_class)) {
		cf_log_misuse(__func__, "not a CFBoolean");
		return false;
	}
	return ((const struct __CFBoolean *)boolean)->value;
}
