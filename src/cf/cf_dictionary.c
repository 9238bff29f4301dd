// SPDX-License-Identifier: MIT
/*
 * cf_dictionary.c - CFDictionary and CFMutableDictionary: an open-addressing
 * hash table (linear probing, backward-shift deletion, power-of-two size,
 * load factor at most 3/4) whose hashing, equality and ownership come from
 * the dictionary's (copied) key and value callbacks.  NULL callbacks mean
 * raw pointers hashed and compared by identity.
 */
#include "cf_internal.h"

#include <stdlib.h>
#include <string.h>

struct dict_slot {
	const void *key;
	const void *value;
	CFHashCode hash;
	bool used;
};

struct __CFDictionary {
	struct cf_base base;
	CFDictionaryKeyCallBacks kcb;
	CFDictionaryValueCallBacks vcb;
	struct dict_slot *slots;
	size_t cap;		/* power of two */
	size_t count;
};

static const void *copy_string_retain(CFAllocatorRef allocator, const void *value)
{
	if (cf_is(value, &cf_string_class))
		return CFStringCreateCopy(NULL, value);
	return cf_collection_retain(allocator, value);
}

IOK_EXPORT const CFDictionaryKeyCallBacks kCFTypeDictionaryKeyCallBacks = {
	.version = 0,
	.retain = cf_collection_retain,
	.release = cf_collection_release,
	.copyDescription = CFCopyDescription,
	.equal = CFEqual,
	.hash = CFHash,
};

IOK_EXPORT const CFDictionaryKeyCallBacks kCFCopyStringDictionaryKeyCallBacks = {
	.version = 0,
	.retain = copy_string_retain,
	.release = cf_collection_release,
	.copyDescription = CFCopyDescription,
	.equal = CFEqual,
	.hash = CFHash,
};

IOK_EXPORT const CFDictionaryValueCallBacks kCFTypeDictionaryValueCallBacks = {
	.version = 0,
	.retain = cf_collection_retain,
	.release = cf_collection_release,
	.copyDescription = CFCopyDescription,
	.equal = CFEqual,
};

static struct __CFDictionary *to_dict(CFDictionaryRef d)
{
	return (struct __CFDictionary *)d;
}

static bool check_dict(CFDictionaryRef d, bool want_mutable, const char *func)
{
	if (!cf_is(d, &cf_dictionary_class)) {
		cf_log_misuse(func, d ? "not a CFDictionary" : "NULL dictionary");
		return false;
	}
	if (want_mutable && !cf_is_mutable(d)) {
		cf_log_misuse(func, "attempt to mutate an immutable dictionary");
		return false;
	}
	return true;
}

/* ---- Callback helpers ------------------------------------------------------ */

static CFHashCode key_hash(const struct __CFDictionary *d, const void *key)
{
	if (!d->kcb.hash)
		return cf_hash_pointer(key);
	/* spread weak user hashes over the power-of-two table */
	return cf_hash_int64((int64_t)d->kcb.hash(key));
}

static bool key_equal(const struct __CFDictionary *d, const void *a, const void *b)
{
	return a == b || (d->kcb.equal && d->kcb.equal(a, b));
}

static bool value_equal(const struct __CFDictionary *d, const void *a, const void *b)
{
	return a == b || (d->vcb.equal && d->vcb.equal(a, b));
}

static const void *retain_key(const struct __CFDictionary *d, const void *k)
{
	return d->kcb.retain ? d->kcb.retain(NULL, k) : k;
}

static const void *retain_value(const struct __CFDictionary *d, const void *v)
{
	return d->vcb.retain ? d->vcb.retain(NULL, v) : v;
}

static void release_key(const struct __CFDictionary *d, const void *k)
{
	if (d->kcb.release)
		d->kcb.release(NULL, k);
}

static void release_value(const struct __CFDictionary *d, const void *v)
{
	if (d->vcb.release)
		d->vcb.release(NULL, v);
}

/* ---- Hash table ---------------------------------------------------------------- */

/* Index of key's slot, or -1. */
static long table_find(const struct __CFDictionary *d, const void *key, CFHashCode hash)
{
	size_t mask = d->cap - 1;

	for (size_t i = hash & mask;; i = (i + 1) & mask) {
		const struct dict_slot *s = &d->slots[i];

		if (!s->used)
			return -1;
		if (s->hash == hash && key_equal(d, s->key, key))
			return (long)i;
	}
}

static void table_place(struct dict_slot *slots, size_t cap, const struct dict_slot *e)
{
	size_t i = e->hash & (cap - 1);

	while (slots[i].used)
		i = (i + 1) & (cap - 1);
	slots[i] = *e;
}

static bool table_resize(struct __CFDictionary *d, size_t cap)
{
	struct dict_slot *slots = calloc(cap, sizeof(*slots));

	if (!slots)
		return false;
	for (size_t i = 0; i < d->cap; i++)
		if (d->slots[i].used)
			table_place(slots, cap, &d->slots[i]);
	free(d->slots);
	d->slots = slots;
	d->cap = cap;
	return true;
}

/* Makes room for n entries within the 3/4 load factor. */
static bool table_reserve(struct __CFDictionary *d, size_t n)
{
	size_t cap = d->cap ? d->cap : 8;

	while (cap / 4 * 3 < n) {
		if (cap > SIZE_MAX / 2 / sizeof(struct dict_slot))
			return false;
		cap *= 2;
	}
	return cap == d->cap || table_resize(d, cap);
}

/* Empties slot i and shifts later members of its probe run back. */
static void table_delete(struct __CFDictionary *d, size_t i)
{
	size_t mask = d->cap - 1, j = i;

	d->slots[i].used = false;
	for (;;) {
		size_t k;

		j = (j + 1) & mask;
		if (!d->slots[j].used)
			break;
		k = d->slots[j].hash & mask;
		/* slot j may stay if its home k lies cyclically in (i, j] */
		if (i <= j ? (i < k && k <= j) : (i < k || k <= j))
			continue;
		d->slots[i] = d->slots[j];
		d->slots[j].used = false;
		i = j;
	}
	d->count--;
}

/* Adds a new pair (key known absent), retaining both. */
static bool table_add(struct __CFDictionary *d, const void *key, const void *value,
		      CFHashCode hash)
{
	struct dict_slot e = { .hash = hash, .used = true };

	if (!table_reserve(d, d->count + 1))
		return false;
	e.key = retain_key(d, key);
	e.value = retain_value(d, value);
	table_place(d->slots, d->cap, &e);
	d->count++;
	return true;
}

/* ---- Class callbacks -------------------------------------------------------- */

static void release_all(struct __CFDictionary *d)
{
	for (size_t i = 0; i < d->cap; i++) {
		struct dict_slot *s = &d->slots[i];

		if (!s->used)
			continue;
		s->used = false;
		release_key(d, s->key);
		release_value(d, s->value);
	}
	d->count = 0;
}

static void dict_finalize(CFTypeRef cf)
{
	release_all(to_dict(cf));
	free(to_dict(cf)->slots);
}

static Boolean dict_equal(CFTypeRef x, CFTypeRef y)
{
	const struct __CFDictionary *a = to_dict(x), *b = to_dict(y);

	if (a->count != b->count)
		return false;
	for (size_t i = 0; i < a->cap; i++) {
		const struct dict_slot *s = &a->slots[i];
		long j;

		if (!s->used)
			continue;
		j = table_find(b, s->key, key_hash(b, s->key));
		if (j < 0 || !value_equal(a, s->value, b->slots[j].value))
			return false;
	}
	return true;
}

static CFHashCode dict_hash(CFTypeRef cf)
{
	return to_dict(cf)->count;
}

static void dict_describe(CFTypeRef cf, struct cf_buf *b)
{
	const struct __CFDictionary *d = to_dict(cf);
	size_t n = 0;

	cf_buf_printf(b, "{type = %s dict, count = %zu,\nentries =>\n",
		      cf_is_mutable(cf) ? "mutable" : "immutable", d->count);
	for (size_t i = 0; i < d->cap; i++) {
		if (!d->slots[i].used)
			continue;
		cf_buf_printf(b, "\t%zu : ", n++);
		cf_describe_callback(b, d->kcb.copyDescription, d->slots[i].key);
		cf_buf_puts(b, " = ");
		cf_describe_callback(b, d->vcb.copyDescription, d->slots[i].value);
		cf_buf_putc(b, '\n');
	}
	cf_buf_putc(b, '}');
}

static int cmp_string_slots(const void *x, const void *y)
{
	const struct dict_slot *a = *(const struct dict_slot *const *)x;
	const struct dict_slot *b = *(const struct dict_slot *const *)y;

	return (int)CFStringCompare(a->key, b->key, 0);
}

/* The pairs in display order: sorted when every key is a CFString. */
static const struct dict_slot **sorted_slots(const struct __CFDictionary *d, size_t *count)
{
	const struct dict_slot **v = malloc((d->count ? d->count : 1) * sizeof(*v));
	bool all_strings = true;
	size_t n = 0;

	if (!v)
		return NULL;
	for (size_t i = 0; i < d->cap; i++) {
		if (!d->slots[i].used)
			continue;
		v[n++] = &d->slots[i];
		all_strings = all_strings && cf_is(d->slots[i].key, &cf_string_class);
	}
	if (all_strings && n > 1)
		qsort(v, n, sizeof(*v), cmp_string_slots);
	*count = n;
	return v;
}

static void format_item(struct cf_buf *b, CFStringRef (*copy)(const void *), const void *v,
			unsigned indent)
{
	if (copy == CFCopyDescription)
		cf_format_append(b, v, indent, true);
	else
		cf_describe_callback(b, copy, v);
}

/* NSDictionary style: "{\n    key = value;\n}". */
static void dict_format(CFTypeRef cf, struct cf_buf *b, unsigned indent, bool quoted)
{
	const struct __CFDictionary *d = to_dict(cf);
	size_t n = 0;
	const struct dict_slot **v = sorted_slots(d, &n);

	if (!v) {
		b->failed = true;
		return;
	}
	cf_buf_puts(b, "{\n");
	for (size_t i = 0; i < n; i++) {
		cf_format_indent(b, indent + 1);
		format_item(b, d->kcb.copyDescription, v[i]->key, indent + 1);
		cf_buf_puts(b, " = ");
		format_item(b, d->vcb.copyDescription, v[i]->value, indent + 1);
		cf_buf_puts(b, ";\n");
	}
	cf_format_indent(b, indent);
	cf_buf_putc(b, '}');
	free(v);
}

const struct cf_class cf_dictionary_class = {
	.type_id = CF_TID_DICTIONARY,
	.name = "CFDictionary",
	.finalize = dict_finalize,
	.equal = dict_equal,
	.hash = dict_hash,
	.describe = dict_describe,
	.format = dict_format,
};

IOK_EXPORT CFTypeID CFDictionaryGetTypeID(void)
{
	return CF_TID_DICTIONARY;
}

/* ---- Creation -------------------------------------------------------------------- */

static struct __CFDictionary *dict_new(const CFDictionaryKeyCallBacks *kcb,
				       const CFDictionaryValueCallBacks *vcb, size_t n,
				       bool mutable_)
{
	struct __CFDictionary *d;

	d = cf_object_alloc(&cf_dictionary_class, sizeof(*d), mutable_ ? CF_FLAG_MUTABLE : 0);
	if (!d)
		return NULL;
	if (kcb)
		d->kcb = *kcb;
	if (vcb)
		d->vcb = *vcb;
	if (!table_reserve(d, n)) {
		free(d);
		return NULL;
	}
	return d;
}

/* Adds key/value unless key is present (CFDictionaryAddValue semantics). */
static bool dict_add(struct __CFDictionary *d, const void *key, const void *value)
{
	CFHashCode hash = key_hash(d, key);

	if (table_find(d, key, hash) >= 0)
		return true;
	return table_add(d, key, value, hash);
}

IOK_EXPORT CFDictionaryRef CFDictionaryCreate(CFAllocatorRef allocator, const void **keys,
					      const void **values, CFIndex numValues,
					      const CFDictionaryKeyCallBacks *keyCallBacks,
					      const CFDictionaryValueCallBacks *valueCallBacks)
{
	struct __CFDictionary *d;

	if (numValues < 0 || (numValues && (!keys || !values))) {
		cf_log_misuse(__func__, "invalid keys, values or count");
		return NULL;
	}
	d = dict_new(keyCallBacks, valueCallBacks, (size_t)numValues, false);
	for (CFIndex i = 0; d && i < numValues; i++) {
		if (!dict_add(d, keys[i], values[i])) {
			CFRelease(d);
			d = NULL;
		}
	}
	return d;
}

IOK_EXPORT CFMutableDictionaryRef CFDictionaryCreateMutable(
	CFAllocatorRef allocator, CFIndex capacity, const CFDictionaryKeyCallBacks *keyCallBacks,
	const CFDictionaryValueCallBacks *valueCallBacks)
{
	/* capacity is only a hint: never preallocate much from it */
	return dict_new(keyCallBacks, valueCallBacks,
			capacity > 0 && capacity < 1024 ? (size_t)capacity : 0, true);
}

static struct __CFDictionary *dict_copy(CFDictionaryRef theDict, bool mutable_, const char *func)
{
	const struct __CFDictionary *src = to_dict(theDict);
	struct __CFDictionary *d;

	if (!check_dict(theDict, false, func))
		return NULL;
	d = dict_new(&src->kcb, &src->vcb, src->count, mutable_);
	for (size_t i = 0; d && i < src->cap; i++) {
		const struct dict_slot *s = &src->slots[i];

		if (s->used && !table_add(d, s->key, s->value, s->hash)) {
			CFRelease(d);
			d = NULL;
		}
	}
	return d;
}

IOK_EXPORT CFDictionaryRef CFDictionaryCreateCopy(CFAllocatorRef allocator, CFDictionaryRef theDict)
{
	return dict_copy(theDict, false, __func__);
}

IOK_EXPORT CFMutableDictionaryRef CFDictionaryCreateMutableCopy(CFAllocatorRef allocator,
								CFIndex capacity,
								CFDictionaryRef theDict)
{
	return dict_copy(theDict, true, __func__);
}

/* ---- Access -------------------------------------------------------------------- */

/* The slot holding key, or NULL. */
static const struct dict_slot *lookup(CFDictionaryRef theDict, const void *key, const char *func)
{
	const struct __CFDictionary *d = to_dict(theDict);
	long i;

	if (!check_dict(theDict, false, func) || !d->count)
		return NULL;
	i = table_find(d, key, key_hash(d, key));
	return i < 0 ? NULL : &d->slots[i];
}

IOK_EXPORT CFIndex CFDictionaryGetCount(CFDictionaryRef theDict)
{
	if (!check_dict(theDict, false, __func__))
		return 0;
	return (CFIndex)to_dict(theDict)->count;
}

IOK_EXPORT const void *CFDictionaryGetValue(CFDictionaryRef theDict, const void *key)
{
	const struct dict_slot *s = lookup(theDict, key, __func__);

	return s ? s->value : NULL;
}

IOK_EXPORT Boolean CFDictionaryGetValueIfPresent(CFDictionaryRef theDict, const void *key,
						 const void **value)
{
	const struct dict_slot *s = lookup(theDict, key, __func__);

	if (s && value)
		*value = s->value;
	return s != NULL;
}

IOK_EXPORT Boolean CFDictionaryContainsKey(CFDictionaryRef theDict, const void *key)
{
	return lookup(theDict, key, __func__) != NULL;
}

IOK_EXPORT CFIndex CFDictionaryGetCountOfKey(CFDictionaryRef theDict, const void *key)
{
	return lookup(theDict, key, __func__) != NULL;
}

IOK_EXPORT CFIndex CFDictionaryGetCountOfValue(CFDictionaryRef theDict, const void *value)
{
	const struct __CFDictionary *d = to_dict(theDict);
	CFIndex n = 0;

	if (!check_dict(theDict, false, __func__))
		return 0;
	for (size_t i = 0; i < d->cap; i++)
		n += d->slots[i].used && value_equal(d, d->slots[i].value, value);
	return n;
}

IOK_EXPORT Boolean CFDictionaryContainsValue(CFDictionaryRef theDict, const void *value)
{
	return CFDictionaryGetCountOfValue(theDict, value) > 0;
}

IOK_EXPORT void CFDictionaryGetKeysAndValues(CFDictionaryRef theDict, const void **keys,
					     const void **values)
{
	const struct __CFDictionary *d = to_dict(theDict);
	size_t n = 0;

	if (!check_dict(theDict, false, __func__))
		return;
	for (size_t i = 0; i < d->cap; i++) {
		if (!d->slots[i].used)
			continue;
		if (keys)
			keys[n] = d->slots[i].key;
		if (values)
			values[n] = d->slots[i].value;
		n++;
	}
}

IOK_EXPORT void CFDictionaryApplyFunction(CFDictionaryRef theDict,
					  CFDictionaryApplierFunction applier, void *context)
{
	const struct __CFDictionary *d = to_dict(theDict);

	if (!check_dict(theDict, false, __func__) || !applier)
		return;
	for (size_t i = 0; i < d->cap; i++)
		if (d->slots[i].used)
			applier(d->slots[i].key, d->slots[i].value, context);
}

/* ---- Mutation ------------------------------------------------------------------- */

IOK_EXPORT void CFDictionaryAddValue(CFMutableDictionaryRef theDict, const void *key,
				     const void *value)
{
	if (!check_dict(theDict, true, __func__))
		return;
	if (!dict_add(to_dict(theDict), key, value))
		cf_log_misuse(__func__, "out of memory");
}

/* Replaces the value in slot s, retaining the new one before releasing the old. */
static void slot_replace(struct __CFDictionary *d, struct dict_slot *s, const void *value)
{
	const void *old = s->value;

	s->value = retain_value(d, value);
	release_value(d, old);
}

IOK_EXPORT void CFDictionarySetValue(CFMutableDictionaryRef theDict, const void *key,
				     const void *value)
{
	struct __CFDictionary *d = to_dict(theDict);
	CFHashCode hash;
	long i;

	if (!check_dict(theDict, true, __func__))
		return;
	hash = key_hash(d, key);
	i = table_find(d, key, hash);
	if (i >= 0)
		slot_replace(d, &d->slots[i], value);
	else if (!table_add(d, key, value, hash))
		cf_log_misuse(__func__, "out of memory");
}

IOK_EXPORT void CFDictionaryReplaceValue(CFMutableDictionaryRef theDict, const void *key,
					 const void *value)
{
	struct __CFDictionary *d = to_dict(theDict);
	long i;

	if (!check_dict(theDict, true, __func__))
		return;
	i = table_find(d, key, key_hash(d, key));
	if (i >= 0)
		slot_replace(d, &d->slots[i], value);
}

IOK_EXPORT void CFDictionaryRemoveValue(CFMutableDictionaryRef theDict, const void *key)
{
	struct __CFDictionary *d = to_dict(theDict);
	const void *k, *v;
	long i;

	if (!check_dict(theDict, true, __func__))
		return;
	i = table_find(d, key, key_hash(d, key));
	if (i < 0)
		return;
	k = d->slots[i].key;
	v = d->slots[i].value;
	table_delete(d, (size_t)i);
	/* release last: key may be what the caller passed in */
	release_key(d, k);
	release_value(d, v);
}

IOK_EXPORT void CFDictionaryRemoveAllValues(CFMutableDictionaryRef theDict)
{
	if (!check_dict(theDict, true, __func__))
		return;
	release_all(to_dict(theDict));
}
