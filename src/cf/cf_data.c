// SPDX-License-Identifier: MIT
/*
 * cf_data.c - CFData and CFMutableData: a length-counted byte buffer.
 * Mutable data grows geometrically; CFDataCreateWithBytesNoCopy adopts the
 * caller's buffer.
 */
#include "cf_internal.h"

#include <stdlib.h>
#include <string.h>

struct __CFData {
	struct cf_base base;
	UInt8 *bytes;
	size_t len;
	size_t cap;
	bool borrowed;		/* bytes are not ours to free */
};

static struct __CFData *to_data(CFDataRef d)
{
	return (struct __CFData *)d;
}

static bool check_data(CFDataRef d, bool want_mutable, const char *func)
{
	if (!cf_is(d, &cf_data_class)) {
		cf_log_misuse(func, d ? "not a CFData" : "NULL data");
		return false;
	}
	if (want_mutable && !cf_is_mutable(d)) {
		cf_log_misuse(func, "attempt to mutate an immutable data");
		return false;
	}
	return true;
}

static bool range_ok(const struct __CFData *d, CFRange r)
{
	return r.location >= 0 && r.length >= 0 && (size_t)r.location <= d->len &&
	       (size_t)r.length <= d->len - (size_t)r.location;
}

/* ---- Class callbacks -------------------------------------------------------- */

static void data_finalize(CFTypeRef cf)
{
	if (!to_data(cf)->borrowed)
		free(to_data(cf)->bytes);
}

static Boolean data_equal(CFTypeRef a, CFTypeRef b)
{
	const struct __CFData *x = to_data(a), *y = to_data(b);

	return x->len == y->len && (!x->len || !memcmp(x->bytes, y->bytes, x->len));
}

static CFHashCode data_hash(CFTypeRef cf)
{
	const struct __CFData *d = to_data(cf);

	/* like Apple: the first 80 bytes are enough */
	return cf_hash_bytes(d->bytes, d->len < 80 ? d->len : 80) ^ d->len;
}

static void put_hex(struct cf_buf *b, const UInt8 *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		cf_buf_printf(b, "%02x", p[i]);
}

static void data_describe(CFTypeRef cf, struct cf_buf *b)
{
	const struct __CFData *d = to_data(cf);

	cf_buf_printf(b, "{length = %zu, capacity = %zu, bytes = 0x", d->len,
		      d->cap > d->len ? d->cap : d->len);
	if (d->len <= 24) {
		put_hex(b, d->bytes, d->len);
	} else {
		put_hex(b, d->bytes, 16);
		cf_buf_puts(b, " ... ");
		put_hex(b, d->bytes + d->len - 8, 8);
	}
	cf_buf_putc(b, '}');
}

/* NSData style: <00112233 44556677>. */
static void data_format(CFTypeRef cf, struct cf_buf *b, unsigned indent, bool quoted)
{
	const struct __CFData *d = to_data(cf);

	cf_buf_putc(b, '<');
	for (size_t i = 0; i < d->len; i++) {
		if (i && i % 4 == 0)
			cf_buf_putc(b, ' ');
		cf_buf_printf(b, "%02x", d->bytes[i]);
	}
	cf_buf_putc(b, '>');
}

const struct cf_class cf_data_class = {
	.type_id = CF_TID_DATA,
	.name = "CFData",
	.finalize = data_finalize,
	.equal = data_equal,
	.hash = data_hash,
	.describe = data_describe,
	.format = data_format,
};

IOK_EXPORT CFTypeID CFDataGetTypeID(void)
{
	return CF_TID_DATA;
}

/* ---- Creation -------------------------------------------------------------------- */

static struct __CFData *data_new(const UInt8 *bytes, size_t len, bool mutable_)
{
	struct __CFData *d;

	d = cf_object_alloc(&cf_data_class, sizeof(*d), mutable_ ? CF_FLAG_MUTABLE : 0);
	if (!d)
		return NULL;
	d->cap = len ? len : 1;
	d->bytes = malloc(d->cap);
	if (!d->bytes)
		goto fail;
	if (len)
		memcpy(d->bytes, bytes, len);
	d->len = len;
	return d;
fail:
	free(d);
	return NULL;
}

IOK_EXPORT CFDataRef CFDataCreate(CFAllocatorRef allocator, const UInt8 *bytes, CFIndex length)
{
	if (length < 0 || (!bytes && length)) {
		cf_log_misuse(__func__, "invalid bytes or length");
		return NULL;
	}
	return data_new(bytes, (size_t)length, false);
}

IOK_EXPORT CFDataRef CFDataCreateWithBytesNoCopy(CFAllocatorRef allocator, const UInt8 *bytes,
						 CFIndex length, CFAllocatorRef bytesDeallocator)
{
	struct __CFData *d;

	if (length < 0 || (!bytes && length)) {
		cf_log_misuse(__func__, "invalid bytes or length");
		return NULL;
	}
	d = cf_object_alloc(&cf_data_class, sizeof(*d), 0);
	if (!d)
		return NULL;
	d->bytes = (UInt8 *)bytes;
	d->len = d->cap = (size_t)length;
	d->borrowed = bytesDeallocator == kCFAllocatorNull;
	return d;
}

IOK_EXPORT CFDataRef CFDataCreateCopy(CFAllocatorRef allocator, CFDataRef theData)
{
	if (!check_data(theData, false, __func__))
		return NULL;
	return data_new(to_data(theData)->bytes, to_data(theData)->len, false);
}

IOK_EXPORT CFMutableDataRef CFDataCreateMutable(CFAllocatorRef allocator, CFIndex capacity)
{
	return data_new(NULL, 0, true);
}

IOK_EXPORT CFMutableDataRef CFDataCreateMutableCopy(CFAllocatorRef allocator, CFIndex capacity,
						    CFDataRef theData)
{
	if (!check_data(theData, false, __func__))
		return NULL;
	return data_new(to_data(theData)->bytes, to_data(theData)->len, true);
}

/* ---- Access -------------------------------------------------------------------- */

IOK_EXPORT CFIndex CFDataGetLength(CFDataRef theData)
{
	if (!check_data(theData, false, __func__))
		return 0;
	return (CFIndex)to_data(theData)->len;
}

IOK_EXPORT const UInt8 *CFDataGetBytePtr(CFDataRef theData)
{
	if (!check_data(theData, false, __func__))
		return NULL;
	return to_data(theData)->bytes;
}

IOK_EXPORT UInt8 *CFDataGetMutableBytePtr(CFMutableDataRef theData)
{
	if (!check_data(theData, true, __func__))
		return NULL;
	return to_data(theData)->bytes;
}

IOK_EXPORT void CFDataGetBytes(CFDataRef theData, CFRange range, UInt8 *buffer)
{
	if (!check_data(theData, false, __func__))
		return;
	if (!range_ok(to_data(theData), range) || (!buffer && range.length)) {
		cf_log_misuse(__func__, "range out of bounds");
		return;
	}
	if (range.length)
		memcpy(buffer, to_data(theData)->bytes + range.location, (size_t)range.length);
}

/* ---- Mutation ------------------------------------------------------------------- */

static bool data_reserve(struct __CFData *d, size_t len)
{
	size_t cap = d->cap;
	UInt8 *p;

	if (len <= d->cap)
		return true;
	while (cap < len) {
		if (__builtin_mul_overflow(cap, 2, &cap))
			return false;
	}
	p = realloc(d->bytes, cap);
	if (!p)
		return false;
	d->bytes = p;
	d->cap = cap;
	return true;
}

IOK_EXPORT void CFDataSetLength(CFMutableDataRef theData, CFIndex length)
{
	struct __CFData *d = to_data(theData);

	if (!check_data(theData, true, __func__))
		return;
	if (length < 0 || !data_reserve(d, (size_t)length)) {
		cf_log_misuse(__func__, "invalid length or out of memory");
		return;
	}
	if ((size_t)length > d->len)
		memset(d->bytes + d->len, 0, (size_t)length - d->len);
	d->len = (size_t)length;
}

IOK_EXPORT void CFDataIncreaseLength(CFMutableDataRef theData, CFIndex extraLength)
{
	CFIndex len;

	if (!check_data(theData, true, __func__))
		return;
	if (extraLength < 0 ||
	    __builtin_add_overflow((CFIndex)to_data(theData)->len, extraLength, &len)) {
		cf_log_misuse(__func__, "invalid length");
		return;
	}
	CFDataSetLength(theData, len);
}

IOK_EXPORT void CFDataReplaceBytes(CFMutableDataRef theData, CFRange range, const UInt8 *newBytes,
				   CFIndex newLength)
{
	struct __CFData *d = to_data(theData);
	size_t tail, len;

	if (!check_data(theData, true, __func__))
		return;
	if (!range_ok(d, range) || newLength < 0 || (!newBytes && newLength)) {
		cf_log_misuse(__func__, "range out of bounds");
		return;
	}
	tail = d->len - (size_t)range.location - (size_t)range.length;
	len = d->len - (size_t)range.length + (size_t)newLength;
	if (newLength && (uintptr_t)newBytes >= (uintptr_t)d->bytes &&
	    (uintptr_t)newBytes < (uintptr_t)d->bytes + d->cap) {
		/* replacing with our own bytes: work from a copy */
		UInt8 *copy = malloc((size_t)newLength);

		if (!copy)
			return;
		memcpy(copy, newBytes, (size_t)newLength);
		CFDataReplaceBytes(theData, range, copy, newLength);
		free(copy);
		return;
	}
	if (!data_reserve(d, len)) {
		cf_log_misuse(__func__, "out of memory");
		return;
	}
	memmove(d->bytes + range.location + newLength, d->bytes + range.location + range.length,
		tail);
	if (newLength)
		memcpy(d->bytes + range.location, newBytes, (size_t)newLength);
	d->len = len;
}

IOK_EXPORT void CFDataAppendBytes(CFMutableDataRef theData, const UInt8 *bytes, CFIndex length)
{
	if (!check_data(theData, true, __func__))
		return;
	CFDataReplaceBytes(theData, CFRangeMake((CFIndex)to_data(theData)->len, 0), bytes, length);
}

IOK_EXPORT void CFDataDeleteBytes(CFMutableDataRef theData, CFRange range)
{
	CFDataReplaceBytes(theData, range, NULL, 0);
}
