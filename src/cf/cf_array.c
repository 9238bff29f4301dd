// SPDX-License-Identifier: MIT
/*
 * cf_array.c - CFArray and CFMutableArray: a growable vector of values
 * whose retain/release/equality come from the array's (copied) callbacks;
 * NULL callbacks mean raw pointers compared by identity.
 */
#include "cf_internal.h"

#include <stdlib.h>
#include <string.h>

struct __CFArray {
	struct cf_base base;
	CFArrayCallBacks cb;
	const void **values;
	size_t count;
	size_t cap;
};

IOK_EXPORT const CFArrayCallBacks kCFTypeArrayCallBacks = {
	.version = 0,
	.retain = cf_collection_retain,
	.release = cf_collection_release,
	.copyDescription = CFCopyDescription,
	.equal = CFEqual,
};

static struct __CFArray *to_array(CFArrayRef a)
{
	return (struct __CFArray *)a;
}

static bool check_array(CFArrayRef a, bool want_mutable, const char *func)
{
	if (!cf_is(a, &cf_array_class)) {
		cf_log_misuse(func, a ? "not a CFArray" : "NULL array");
		return false;
	}
	if (want_mutable && !cf_is_mutable(a)) {
		cf_log_misuse(func, "attempt to mutate an immutable array");
		return false;
	}
	return true;
}

static bool range_ok(const struct __CFArray *a, CFRange r, const char *func)
{
	if (r.location >= 0 && r.length >= 0 && (size_t)r.location <= a->count &&
	    (size_t)r.length <= a->count - (size_t)r.location)
		return true;
	cf_log_misuse(func, "range out of bounds");
	return false;
}

static const void *retain_value(const struct __CFArray *a, const void *v)
{
	return a->cb.retain ? a->cb.retain(NULL, v) : v;
}

static void release_value(const struct __CFArray *a, const void *v)
{
	if (a->cb.release)
		a->cb.release(NULL, v);
}

static bool values_equal(const struct __CFArray *a, const void *x, const void *y)
{
	return x == y || (a->cb.equal && a->cb.equal(x, y));
}

/* ---- Class callbacks -------------------------------------------------------- */

static void array_finalize(CFTypeRef cf)
{
	struct __CFArray *a = to_array(cf);

	for (size_t i = 0; i < a->count; i++)
		release_value(a, a->values[i]);
	free(a->values);
}

static Boolean array_equal(CFTypeRef x, CFTypeRef y)
{
	const struct __CFArray *a = to_array(x), *b = to_array(y);

	if (a->count != b->count)
		return false;
	for (size_t i = 0; i < a->count; i++)
		if (!values_equal(a, a->values[i], b->values[i]))
			return false;
	return true;
}

static CFHashCode array_hash(CFTypeRef cf)
{
	return to_array(cf)->count;
}

static void array_describe(CFTypeRef cf, struct cf_buf *b)
{
	const struct __CFArray *a = to_array(cf);

	cf_buf_printf(b, "{type = %s, count = %zu, values = (\n",
		      cf_is_mutable(cf) ? "mutable-small" : "immutable", a->count);
	for (size_t i = 0; i < a->count; i++) {
		cf_buf_printf(b, "\t%zu : ", i);
		cf_describe_callback(b, a->cb.copyDescription, a->values[i]);
		cf_buf_putc(b, '\n');
	}
	cf_buf_puts(b, ")}");
}

/* NSArray style: "(\n    a,\n    b\n)". */
static void array_format(CFTypeRef cf, struct cf_buf *b, unsigned indent, bool quoted)
{
	const struct __CFArray *a = to_array(cf);

	cf_buf_puts(b, "(\n");
	for (size_t i = 0; i < a->count; i++) {
		cf_format_indent(b, indent + 1);
		if (a->cb.copyDescription == CFCopyDescription)
			cf_format_append(b, a->values[i], indent + 1, true);
		else
			cf_describe_callback(b, a->cb.copyDescription, a->values[i]);
		cf_buf_puts(b, i + 1 < a->count ? ",\n" : "\n");
	}
	cf_format_indent(b, indent);
	cf_buf_putc(b, ')');
}

const struct cf_class cf_array_class = {
	.type_id = CF_TID_ARRAY,
	.name = "CFArray",
	.finalize = array_finalize,
	.equal = array_equal,
	.hash = array_hash,
	.describe = array_describe,
	.format = array_format,
};

IOK_EXPORT CFTypeID CFArrayGetTypeID(void)
{
	return CF_TID_ARRAY;
}

/* ---- Storage -------------------------------------------------------------------- */

static bool array_reserve(struct __CFArray *a, size_t n)
{
	size_t cap = a->cap ? a->cap : 4;
	const void **v;

	if (n <= a->cap)
		return true;
	while (cap < n) {
		if (__builtin_mul_overflow(cap, 2, &cap))
			return false;
	}
	if (cap > SIZE_MAX / sizeof(*v))
		return false;
	v = realloc(a->values, cap * sizeof(*v));
	if (!v)
		return false;
	a->values = v;
	a->cap = cap;
	return true;
}

static struct __CFArray *array_new(const CFArrayCallBacks *cb, size_t n, bool mutable_)
{
	struct __CFArray *a;

	a = cf_object_alloc(&cf_array_class, sizeof(*a), mutable_ ? CF_FLAG_MUTABLE : 0);
	if (!a)
		return NULL;
	if (cb)
		a->cb = *cb;
	if (!array_reserve(a, n ? n : 1)) {
		free(a);
		return NULL;
	}
	return a;
}

/* Inserts count values at idx (idx <= a->count), retaining them. */
static bool array_insert(struct __CFArray *a, size_t idx, const void **values, size_t count)
{
	if (count > SIZE_MAX - a->count || !array_reserve(a, a->count + count))
		return false;
	memmove(a->values + idx + count, a->values + idx, (a->count - idx) * sizeof(*a->values));
	for (size_t i = 0; i < count; i++)
		a->values[idx + i] = retain_value(a, values[i]);
	a->count += count;
	return true;
}

/* ---- Creation -------------------------------------------------------------------- */

IOK_EXPORT CFArrayRef CFArrayCreate(CFAllocatorRef allocator, const void **values,
				    CFIndex numValues, const CFArrayCallBacks *callBacks)
{
	struct __CFArray *a;

	if (numValues < 0 || (!values && numValues)) {
		cf_log_misuse(__func__, "invalid values or count");
		return NULL;
	}
	a = array_new(callBacks, (size_t)numValues, false);
	if (a && !array_insert(a, 0, values, (size_t)numValues)) {
		CFRelease(a);
		return NULL;
	}
	return a;
}

IOK_EXPORT CFMutableArrayRef CFArrayCreateMutable(CFAllocatorRef allocator, CFIndex capacity,
						  const CFArrayCallBacks *callBacks)
{
	/* capacity is only a hint: never preallocate much from it */
	return array_new(callBacks, capacity > 0 && capacity < 1024 ? (size_t)capacity : 0, true);
}

static struct __CFArray *array_copy(CFArrayRef theArray, bool mutable_, const char *func)
{
	const struct __CFArray *src = to_array(theArray);
	struct __CFArray *a;

	if (!check_array(theArray, false, func))
		return NULL;
	a = array_new(&src->cb, src->count, mutable_);
	if (a && !array_insert(a, 0, src->values, src->count)) {
		CFRelease(a);
		return NULL;
	}
	return a;
}

IOK_EXPORT CFArrayRef CFArrayCreateCopy(CFAllocatorRef allocator, CFArrayRef theArray)
{
	return array_copy(theArray, false, __func__);
}

IOK_EXPORT CFMutableArrayRef CFArrayCreateMutableCopy(CFAllocatorRef allocator, CFIndex capacity,
						      CFArrayRef theArray)
{
	return array_copy(theArray, true, __func__);
}

/* ---- Access -------------------------------------------------------------------- */

IOK_EXPORT CFIndex CFArrayGetCount(CFArrayRef theArray)
{
	if (!check_array(theArray, false, __func__))
		return 0;
	return (CFIndex)to_array(theArray)->count;
}

IOK_EXPORT const void *CFArrayGetValueAtIndex(CFArrayRef theArray, CFIndex idx)
{
	const struct __CFArray *a = to_array(theArray);

	if (!check_array(theArray, false, __func__))
		return NULL;
	if (idx < 0 || (size_t)idx >= a->count) {
		cf_log_misuse(__func__, "index out of bounds");
		return NULL;
	}
	return a->values[idx];
}

IOK_EXPORT void CFArrayGetValues(CFArrayRef theArray, CFRange range, const void **values)
{
	const struct __CFArray *a = to_array(theArray);

	if (!check_array(theArray, false, __func__) || !range_ok(a, range, __func__))
		return;
	if (range.length && values)
		memcpy(values, a->values + range.location, (size_t)range.length * sizeof(*values));
}

IOK_EXPORT void CFArrayApplyFunction(CFArrayRef theArray, CFRange range,
				     CFArrayApplierFunction applier, void *context)
{
	const struct __CFArray *a = to_array(theArray);

	if (!check_array(theArray, false, __func__) || !range_ok(a, range, __func__) || !applier)
		return;
	for (CFIndex i = range.location; i < range.location + range.length; i++)
		applier(a->values[i], context);
}

IOK_EXPORT CFIndex CFArrayGetFirstIndexOfValue(CFArrayRef theArray, CFRange range,
					       const void *value)
{
	const struct __CFArray *a = to_array(theArray);

	if (!check_array(theArray, false, __func__) || !range_ok(a, range, __func__))
		return kCFNotFound;
	for (CFIndex i = range.location; i < range.location + range.length; i++)
		if (values_equal(a, a->values[i], value))
			return i;
	return kCFNotFound;
}

IOK_EXPORT CFIndex CFArrayGetLastIndexOfValue(CFArrayRef theArray, CFRange range,
					      const void *value)
{
	const struct __CFArray *a = to_array(theArray);

	if (!check_array(theArray, false, __func__) || !range_ok(a, range, __func__))
		return kCFNotFound;
	for (CFIndex i = range.location + range.length - 1; i >= range.location; i--)
		if (values_equal(a, a->values[i], value))
			return i;
	return kCFNotFound;
}

IOK_EXPORT CFIndex CFArrayGetCountOfValue(CFArrayRef theArray, CFRange range, const void *value)
{
	const struct __CFArray *a = to_array(theArray);
	CFIndex n = 0;

	if (!check_array(theArray, false, __func__) || !range_ok(a, range, __func__))
		return 0;
	for (CFIndex i = range.location; i < range.location + range.length; i++)
		n += values_equal(a, a->values[i], value);
	return n;
}

IOK_EXPORT Boolean CFArrayContainsValue(CFArrayRef theArray, CFRange range, const void *value)
{
	return CFArrayGetFirstIndexOfValue(theArray, range, value) != kCFNotFound;
}

/* ---- Mutation ------------------------------------------------------------------- */

IOK_EXPORT void CFArrayInsertValueAtIndex(CFMutableArrayRef theArray, CFIndex idx,
					  const void *value)
{
	struct __CFArray *a = to_array(theArray);

	if (!check_array(theArray, true, __func__))
		return;
	if (idx < 0 || (size_t)idx > a->count) {
		cf_log_misuse(__func__, "index out of bounds");
		return;
	}
	if (!array_insert(a, (size_t)idx, &value, 1))
		cf_log_misuse(__func__, "out of memory");
}

IOK_EXPORT void CFArrayAppendValue(CFMutableArrayRef theArray, const void *value)
{
	if (!check_array(theArray, true, __func__))
		return;
	CFArrayInsertValueAtIndex(theArray, (CFIndex)to_array(theArray)->count, value);
}

IOK_EXPORT void CFArraySetValueAtIndex(CFMutableArrayRef theArray, CFIndex idx, const void *value)
{
	struct __CFArray *a = to_array(theArray);
	const void *old;

	if (!check_array(theArray, true, __func__))
		return;
	if (idx >= 0 && (size_t)idx == a->count) {
		CFArrayAppendValue(theArray, value);
		return;
	}
	if (idx < 0 || (size_t)idx > a->count) {
		cf_log_misuse(__func__, "index out of bounds");
		return;
	}
	old = a->values[idx];
	a->values[idx] = retain_value(a, value);
	release_value(a, old);
}

IOK_EXPORT void CFArrayRemoveValueAtIndex(CFMutableArrayRef theArray, CFIndex idx)
{
	struct __CFArray *a = to_array(theArray);
	const void *old;

	if (!check_array(theArray, true, __func__))
		return;
	if (idx < 0 || (size_t)idx >= a->count) {
		cf_log_misuse(__func__, "index out of bounds");
		return;
	}
	old = a->values[idx];
	memmove(a->values + idx, a->values + idx + 1,
		(a->count - (size_t)idx - 1) * sizeof(*a->values));
	a->count--;
	release_value(a, old);
}

IOK_EXPORT void CFArrayRemoveAllValues(CFMutableArrayRef theArray)
{
	struct __CFArray *a = to_array(theArray);

	if (!check_array(theArray, true, __func__))
		return;
	while (a->count) {
		a->count--;
		release_value(a, a->values[a->count]);
	}
}

IOK_EXPORT void CFArrayExchangeValuesAtIndices(CFMutableArrayRef theArray, CFIndex idx1,
					       CFIndex idx2)
{
	struct __CFArray *a = to_array(theArray);
	const void *tmp;

	if (!check_array(theArray, true, __func__))
		return;
	if (idx1 < 0 || idx2 < 0 || (size_t)idx1 >= a->count || (size_t)idx2 >= a->count) {
		cf_log_misuse(__func__, "index out of bounds");
		return;
	}
	tmp = a->values[idx1];
	a->values[idx1] = a->values[idx2];
	a->values[idx2] = tmp;
}

IOK_EXPORT void CFArrayAppendArray(CFMutableArrayRef theArray, CFArrayRef otherArray,
				   CFRange otherRange)
{
	struct __CFArray *a = to_array(theArray);
	const struct __CFArray *o = to_array(otherArray);
	const void **tmp;
	size_t n;

	if (!check_array(theArray, true, __func__) || !check_array(otherArray, false, __func__) ||
	    !range_ok(o, otherRange, __func__))
		return;
	/* copy first: otherArray may be theArray */
	n = (size_t)otherRange.length;
	tmp = malloc((n ? n : 1) * sizeof(*tmp));
	if (!tmp)
		return;
	if (n)
		memcpy(tmp, o->values + otherRange.location, n * sizeof(*tmp));
	if (!array_insert(a, a->count, tmp, n))
		cf_log_misuse(__func__, "out of memory");
	free(tmp);
}

struct sort_ctx {
	CFComparatorFunction cmp;
	void *context;
};

/* Stable merge sort of v[0..n) using tmp[0..n) as scratch. */
static void merge_sort(const void **v, const void **tmp, size_t n, const struct sort_ctx *s)
{
	size_t mid = n / 2, i = 0, j = mid, k = 0;

	if (n < 2)
		return;
	merge_sort(v, tmp, mid, s);
	merge_sort(v + mid, tmp, n - mid, s);
	while (i < mid && j < n) {
		if (s->cmp(v[j], v[i], s->context) < 0)
			tmp[k++] = v[j++];
		else
			tmp[k++] = v[i++];
	}
	while (i < mid)
		tmp[k++] = v[i++];
	while (j < n)
		tmp[k++] = v[j++];
	memcpy(v, tmp, n * sizeof(*v));
}

IOK_EXPORT void CFArraySortValues(CFMutableArrayRef theArray, CFRange range,
				  CFComparatorFunction comparator, void *context)
{
	struct __CFArray *a = to_array(theArray);
	struct sort_ctx s = { comparator, context };
	const void **tmp;

	if (!check_array(theArray, true, __func__) || !range_ok(a, range, __func__) ||
	    !comparator || range.length < 2)
		return;
	tmp = malloc((size_t)range.length * sizeof(*tmp));
	if (!tmp) {
		cf_log_misuse(__func__, "out of memory");
		return;
	}
	merge_sort(a->values + range.location, tmp, (size_t)range.length, &s);
	free(tmp);
}
