// SPDX-License-Identifier: MIT
/*
 * cf_bridge.c - converts between CoreFoundation objects (what programs
 * use) and the runtime's property objects (what the wire serializer and
 * the host use), so that one audited codec handles the bytes.
 */
#include "libiokit.h"

#include <stdlib.h>

#define MAX_DEPTH IOK_SERIALIZE_MAX_DEPTH

static iok_object_t *from_cf(CFTypeRef cf, unsigned depth);

static iok_object_t *string_from_cf(CFStringRef s)
{
	const char *p = CFStringGetCStringPtr(s, kCFStringEncodingUTF8);
	iok_object_t *out;
	CFIndex max;
	char *buf;

	if (p)
		return iok_string_create(p);
	max = CFStringGetMaximumSizeForEncoding(CFStringGetLength(s), kCFStringEncodingUTF8) + 1;
	buf = malloc((size_t)max);
	if (!buf)
		return NULL;
	out = CFStringGetCString(s, buf, max, kCFStringEncodingUTF8) ? iok_string_create(buf) : NULL;
	free(buf);
	return out;
}

static iok_object_t *number_from_cf(CFNumberRef n)
{
	if (CFNumberIsFloatType(n)) {
		if (CFNumberGetByteSize(n) <= 4) {
			float f;
			uint32_t bits;

			CFNumberGetValue(n, kCFNumberFloat32Type, &f);
			memcpy(&bits, &f, sizeof(bits));
			return iok_number_create_float_bits(bits, 32);
		} else {
			double d;
			uint64_t bits;

			CFNumberGetValue(n, kCFNumberFloat64Type, &d);
			memcpy(&bits, &d, sizeof(bits));
			return iok_number_create_float_bits(bits, 64);
		}
	}
	int64_t v = 0;
	CFIndex size = CFNumberGetByteSize(n);

	CFNumberGetValue(n, kCFNumberSInt64Type, &v);
	return iok_number_create((uint64_t)v, size >= 8 ? 64 : size >= 4 ? 32 : size >= 2 ? 16 : 8);
}

static iok_object_t *array_from_cf(CFArrayRef a, unsigned depth)
{
	CFIndex n = CFArrayGetCount(a);
	iok_object_t *out = iok_array_create((size_t)n);

	for (CFIndex i = 0; out && i < n; i++) {
		iok_object_t *e = from_cf(CFArrayGetValueAtIndex(a, i), depth + 1);

		if (!e || iok_array_append(out, e)) {
			iok_release(out);
			out = NULL;
		}
		iok_release(e);
	}
	return out;
}

static iok_object_t *dict_from_cf(CFDictionaryRef d, unsigned depth)
{
	CFIndex n = CFDictionaryGetCount(d);
	const void **keys = calloc((size_t)n + 1, sizeof(*keys));
	const void **vals = calloc((size_t)n + 1, sizeof(*vals));
	iok_object_t *out = keys && vals ? iok_dict_create((size_t)n) : NULL;

	if (out)
		CFDictionaryGetKeysAndValues(d, keys, vals);
	for (CFIndex i = 0; out && i < n; i++) {
		iok_object_t *k = NULL, *v = NULL;

		if (keys[i] && CFGetTypeID(keys[i]) == CFStringGetTypeID())
			k = string_from_cf(keys[i]);
		if (k)
			v = from_cf(vals[i], depth + 1);
		if (!k || !v || iok_dict_set_key(out, k, v)) {
			iok_release(out);
			out = NULL;
		}
		iok_release(k);
		iok_release(v);
	}
	free(keys);
	free(vals);
	return out;
}

static iok_object_t *from_cf(CFTypeRef cf, unsigned depth)
{
	CFTypeID t;

	if (!cf || depth > MAX_DEPTH)
		return NULL;
	t = CFGetTypeID(cf);
	if (t == CFStringGetTypeID())
		return string_from_cf(cf);
	if (t == CFNumberGetTypeID())
		return number_from_cf(cf);
	if (t == CFBooleanGetTypeID())
		return iok_boolean(CFBooleanGetValue(cf));
	if (t == CFDataGetTypeID())
		return iok_data_create(CFDataGetBytePtr(cf), (size_t)CFDataGetLength(cf));
	if (t == CFArrayGetTypeID())
		return array_from_cf(cf, depth);
	if (t == CFDictionaryGetTypeID())
		return dict_from_cf(cf, depth);
	return NULL;
}

iok_object_t *iok_object_from_cf(CFTypeRef cf)
{
	return from_cf(cf, 0);
}

static CFTypeRef number_to_cf(const iok_object_t *n)
{
	uint64_t v = iok_number_value(n);
	unsigned bits = iok_number_bits(n);

	if (iok_number_is_float(n)) {
		if (bits == 32) {
			uint32_t b = (uint32_t)v;
			float f;

			memcpy(&f, &b, sizeof(f));
			return CFNumberCreate(NULL, kCFNumberFloat32Type, &f);
		}
		double d;

		memcpy(&d, &v, sizeof(d));
		return CFNumberCreate(NULL, kCFNumberFloat64Type, &d);
	}
	switch (bits) {
	case 8: {
		int8_t x = (int8_t)v;
		return CFNumberCreate(NULL, kCFNumberSInt8Type, &x);
	}
	case 16: {
		int16_t x = (int16_t)v;
		return CFNumberCreate(NULL, kCFNumberSInt16Type, &x);
	}
	case 32: {
		int32_t x = (int32_t)v;
		return CFNumberCreate(NULL, kCFNumberSInt32Type, &x);
	}
	default: {
		int64_t x = (int64_t)v;
		return CFNumberCreate(NULL, kCFNumberSInt64Type, &x);
	}
	}
}

static CFTypeRef to_cf(const iok_object_t *obj, unsigned depth);

static CFTypeRef array_to_cf(const iok_object_t *a, unsigned depth)
{
	size_t n = iok_array_count(a);
	CFMutableArrayRef out = CFArrayCreateMutable(NULL, (CFIndex)n, &kCFTypeArrayCallBacks);

	for (size_t i = 0; out && i < n; i++) {
		CFTypeRef e = to_cf(iok_array_get(a, i), depth + 1);

		if (!e) {
			CFRelease(out);
			return NULL;
		}
		CFArrayAppendValue(out, e);
		CFRelease(e);
	}
	return out;
}

static CFTypeRef dict_to_cf(const iok_object_t *d, unsigned depth)
{
	size_t n = iok_dict_count(d);
	CFMutableDictionaryRef out = CFDictionaryCreateMutable(NULL, (CFIndex)n,
							       &kCFTypeDictionaryKeyCallBacks,
							       &kCFTypeDictionaryValueCallBacks);

	for (size_t i = 0; out && i < n; i++) {
		CFStringRef k = CFStringCreateWithCString(NULL, iok_string_cstr(iok_dict_key_at(d, i)),
							  kCFStringEncodingUTF8);
		CFTypeRef v = to_cf(iok_dict_value_at(d, i), depth + 1);

		if (k && v)
			CFDictionarySetValue(out, k, v);
		if (k)
			CFRelease(k);
		if (v)
			CFRelease(v);
		if (!k || !v) {
			CFRelease(out);
			return NULL;
		}
	}
	return out;
}

static CFTypeRef to_cf(const iok_object_t *obj, unsigned depth)
{
	if (depth > MAX_DEPTH)
		return NULL;
	switch (iok_type(obj)) {
	case IOK_TYPE_STRING:
		return CFStringCreateWithCString(NULL, iok_string_cstr(obj), kCFStringEncodingUTF8);
	case IOK_TYPE_NUMBER:
		return number_to_cf(obj);
	case IOK_TYPE_BOOLEAN:
		return CFRetain(iok_boolean_value(obj) ? kCFBooleanTrue : kCFBooleanFalse);
	case IOK_TYPE_DATA:
		return CFDataCreate(NULL, iok_data_bytes(obj), (CFIndex)iok_data_length(obj));
	case IOK_TYPE_ARRAY:
		return array_to_cf(obj, depth);
	case IOK_TYPE_DICTIONARY:
		return dict_to_cf(obj, depth);
	default:
		return NULL;
	}
}

CFTypeRef iok_object_copy_cf(const iok_object_t *obj)
{
	return to_cf(obj, 0);
}

int iok_cf_serialize(CFTypeRef cf, uint8_t **out, size_t *len)
{
	iok_object_t *obj = iok_object_from_cf(cf);
	int ret;

	if (!obj)
		return -EINVAL;
	ret = iok_serialize(obj, out, len);
	iok_release(obj);
	return ret;
}

CFTypeRef iok_cf_unserialize(const void *buf, size_t len)
{
	iok_object_t *obj = NULL;
	CFTypeRef cf;

	if (iok_unserialize(buf, len, &obj))
		return NULL;
	cf = iok_object_copy_cf(obj);
	iok_release(obj);
	return cf;
}
