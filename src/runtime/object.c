// SPDX-License-Identifier: MIT
/*
 * object.c - the reference-counted object header and the property objects
 * built on it: strings, numbers, the two booleans, data, arrays and
 * dictionaries with string keys (the libkern OSObject family, in C).
 *
 * Every accessor checks the kind of the object it is given, so a NULL or a
 * wrong object yields NULL, 0 or -EINVAL and never a crash.  Objects that
 * are not property objects (registry entries, iterators, ...) may be
 * stored in arrays and dictionaries; they compare by identity and are
 * shared, not copied, by iok_copy().
 *
 * This file is also built into the kernel module: it uses iok_os.h only.
 */
#include "iok_os.h"
#include "iok_export.h"

#include <IOKit/driver/iok_object.h>
#include "runtime.h"

/* The deepest container nesting that copy and equality walk. */
#define IOK_OBJECT_MAX_DEPTH IOK_SERIALIZE_MAX_DEPTH

/* ---- the object header ---------------------------------------------------- */

IOK_EXPORT void iok_object_init(iok_object_t *obj, const struct iok_object_kind *kind)
{
	if (!obj)
		return;
	obj->kind = kind;
	obj->flags = 0;
	iok_atomic_store(&obj->refcount, 1, IOK_RELAXED);
}

IOK_EXPORT iok_object_t *iok_retain(iok_object_t *obj)
{
	return iok_ref(obj);
}

bool iok_try_retain(iok_object_t *obj)
{
	uint32_t n;

	if (!obj)
		return false;
	if (obj->flags & IOK_OBJECT_IMMORTAL)
		return true;
	n = iok_atomic_load(&obj->refcount, IOK_RELAXED);
	do {
		if (n == 0)
			return false;   /* its free is running or about to */
	} while (!__atomic_compare_exchange_n(&obj->refcount, &n, n + 1, true, IOK_RELAXED,
					      IOK_RELAXED));
	return true;
}

IOK_EXPORT void iok_release(iok_object_t *obj)
{
	iok_unref(obj);
}

IOK_EXPORT uint32_t iok_retain_count(const iok_object_t *obj)
{
	if (!obj)
		return 0;
	if (obj->flags & IOK_OBJECT_IMMORTAL)
		return UINT32_MAX;
	return iok_atomic_load(&obj->refcount, IOK_RELAXED);
}

IOK_EXPORT iok_type_t iok_type(const iok_object_t *obj)
{
	if (!obj || !obj->kind)
		return IOK_TYPE_NONE;
	return obj->kind->type;
}

/* ---- object layouts and kinds ----------------------------------------------- */

struct iok_str {
	iok_object_t obj;
	size_t len;
	uint32_t hash;
	char s[];
};

struct iok_num {
	iok_object_t obj;
	uint64_t value;
	unsigned bits;
	bool is_float;
};

struct iok_bool {
	iok_object_t obj;
	bool value;
};

struct iok_dat {
	iok_object_t obj;
	size_t len;
	uint8_t bytes[];
};

struct iok_arr {
	iok_object_t obj;
	size_t count;
	size_t cap;
	iok_object_t **items;
};

struct dict_entry {
	struct iok_str *key;
	iok_object_t *value;
};

struct iok_dict {
	iok_object_t obj;
	size_t count;
	size_t cap;
	struct dict_entry *entries;
};

static void plain_free(iok_object_t *obj);
static void array_free(iok_object_t *obj);
static void dict_free(iok_object_t *obj);

static const struct iok_object_kind string_kind = {
	.type = IOK_TYPE_STRING, .name = "OSString", .free = plain_free,
};
static const struct iok_object_kind number_kind = {
	.type = IOK_TYPE_NUMBER, .name = "OSNumber", .free = plain_free,
};
static const struct iok_object_kind boolean_kind = {
	.type = IOK_TYPE_BOOLEAN, .name = "OSBoolean", .free = NULL,
};
static const struct iok_object_kind data_kind = {
	.type = IOK_TYPE_DATA, .name = "OSData", .free = plain_free,
};
static const struct iok_object_kind array_kind = {
	.type = IOK_TYPE_ARRAY, .name = "OSArray", .free = array_free,
};
static const struct iok_object_kind dict_kind = {
	.type = IOK_TYPE_DICTIONARY, .name = "OSDictionary", .free = dict_free,
};

/* Checked downcasts: NULL unless obj is of exactly that kind. */
#define DEFINE_CAST(fn, type, kind_var)					\
	static type *fn(const iok_object_t *obj)			\
	{								\
		if (!obj || obj->kind != &kind_var)			\
			return NULL;					\
		return (type *)(uintptr_t)obj;				\
	}

DEFINE_CAST(to_str, struct iok_str, string_kind)
DEFINE_CAST(to_num, struct iok_num, number_kind)
DEFINE_CAST(to_bool, struct iok_bool, boolean_kind)
DEFINE_CAST(to_dat, struct iok_dat, data_kind)
DEFINE_CAST(to_arr, struct iok_arr, array_kind)
DEFINE_CAST(to_dict, struct iok_dict, dict_kind)

static void plain_free(iok_object_t *obj)
{
	iok_free(obj);
}

/* Allocates a header-prefixed object of base + extra bytes. */
static void *object_alloc(size_t base, size_t extra, const struct iok_object_kind *kind)
{
	iok_object_t *obj;
	size_t size;

	if (iok_add_overflow(base, extra, &size))
		return NULL;
	obj = iok_zalloc(size);
	if (obj)
		iok_object_init(obj, kind);
	return obj;
}

/* ---- strings ------------------------------------------------------------ */

/* FNV-1a: a cheap filter that makes most key comparisons one compare. */
static uint32_t str_hash(const char *s, size_t len)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < len; i++) {
		h ^= (uint8_t)s[i];
		h *= 16777619u;
	}
	return h;
}

static bool has_nul(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!s[i])
			return true;
	return false;
}

IOK_EXPORT iok_object_t *iok_string_create_len(const char *s, size_t len)
{
	struct iok_str *str;
	size_t extra;

	if ((!s && len) || (s && has_nul(s, len)))
		return NULL;
	if (iok_add_overflow(len, (size_t)1, &extra))
		return NULL;
	str = object_alloc(sizeof(*str), extra, &string_kind);
	if (!str)
		return NULL;
	if (len)
		memcpy(str->s, s, len);
	str->s[len] = '\0';
	str->len = len;
	str->hash = str_hash(str->s, len);
	return &str->obj;
}

IOK_EXPORT iok_object_t *iok_string_create(const char *s)
{
	if (!s)
		return NULL;
	return iok_string_create_len(s, strlen(s));
}

IOK_EXPORT const char *iok_string_cstr(const iok_object_t *obj)
{
	struct iok_str *str = to_str(obj);

	return str ? str->s : NULL;
}

IOK_EXPORT size_t iok_string_length(const iok_object_t *obj)
{
	struct iok_str *str = to_str(obj);

	return str ? str->len : 0;
}

static bool str_matches(const struct iok_str *str, const char *s, size_t len, uint32_t hash)
{
	return str->hash == hash && str->len == len && memcmp(str->s, s, len) == 0;
}

/* ---- numbers ------------------------------------------------------------ */

static uint64_t width_mask(unsigned bits)
{
	return bits >= 64 ? UINT64_MAX : (UINT64_C(1) << bits) - 1;
}

static iok_object_t *number_new(uint64_t value, unsigned bits, bool is_float)
{
	struct iok_num *num = object_alloc(sizeof(*num), 0, &number_kind);

	if (!num)
		return NULL;
	num->value = value & width_mask(bits);
	num->bits = bits;
	num->is_float = is_float;
	return &num->obj;
}

IOK_EXPORT iok_object_t *iok_number_create(uint64_t value, unsigned bits)
{
	if (bits != 8 && bits != 16 && bits != 32 && bits != 64)
		return NULL;
	return number_new(value, bits, false);
}

IOK_EXPORT iok_object_t *iok_number_create_float_bits(uint64_t bits_pattern, unsigned bits)
{
	if (bits != 32 && bits != 64)
		return NULL;
	return number_new(bits_pattern, bits, true);
}

IOK_EXPORT uint64_t iok_number_value(const iok_object_t *obj)
{
	struct iok_num *num = to_num(obj);

	return num ? num->value : 0;
}

IOK_EXPORT unsigned iok_number_bits(const iok_object_t *obj)
{
	struct iok_num *num = to_num(obj);

	return num ? num->bits : 0;
}

IOK_EXPORT bool iok_number_is_float(const iok_object_t *obj)
{
	struct iok_num *num = to_num(obj);

	return num && num->is_float;
}

/* ---- booleans ----------------------------------------------------------- */

static struct iok_bool bool_false = {
	.obj = { .kind = &boolean_kind, .refcount = 1, .flags = IOK_OBJECT_IMMORTAL },
	.value = false,
};
static struct iok_bool bool_true = {
	.obj = { .kind = &boolean_kind, .refcount = 1, .flags = IOK_OBJECT_IMMORTAL },
	.value = true,
};

IOK_EXPORT iok_object_t *iok_boolean(bool value)
{
	return value ? &bool_true.obj : &bool_false.obj;
}

IOK_EXPORT bool iok_boolean_value(const iok_object_t *obj)
{
	struct iok_bool *b = to_bool(obj);

	return b && b->value;
}

/* ---- data --------------------------------------------------------------- */

IOK_EXPORT iok_object_t *iok_data_create(const void *bytes, size_t len)
{
	struct iok_dat *dat;

	if (!bytes && len)
		return NULL;
	dat = object_alloc(sizeof(*dat), len, &data_kind);
	if (!dat)
		return NULL;
	if (len)
		memcpy(dat->bytes, bytes, len);
	dat->len = len;
	return &dat->obj;
}

IOK_EXPORT const void *iok_data_bytes(const iok_object_t *obj)
{
	struct iok_dat *dat = to_dat(obj);

	return dat ? dat->bytes : NULL;
}

IOK_EXPORT size_t iok_data_length(const iok_object_t *obj)
{
	struct iok_dat *dat = to_dat(obj);

	return dat ? dat->len : 0;
}

/* ---- growable storage ------------------------------------------------------ */

/* Grows *slots (of elem-byte elements, *cap of them) to hold need. */
static int grow(void **slots, size_t *cap, size_t need, size_t elem)
{
	size_t ncap = *cap ? *cap : 4;
	size_t bytes;
	void *p;

	if (need <= *cap)
		return 0;
	while (ncap < need)
		if (iok_mul_overflow(ncap, (size_t)2, &ncap))
			return -ENOMEM;
	if (iok_mul_overflow(ncap, elem, &bytes))
		return -ENOMEM;
	p = iok_realloc(*slots, bytes);
	if (!p)
		return -ENOMEM;
	*slots = p;
	*cap = ncap;
	return 0;
}

/* ---- arrays ------------------------------------------------------------- */

static void array_free(iok_object_t *obj)
{
	struct iok_arr *arr = to_arr(obj);

	for (size_t i = 0; i < arr->count; i++)
		iok_release(arr->items[i]);
	iok_free(arr->items);
	iok_free(arr);
}

IOK_EXPORT iok_object_t *iok_array_create(size_t capacity)
{
	struct iok_arr *arr = object_alloc(sizeof(*arr), 0, &array_kind);
	void *items = NULL;

	if (!arr)
		return NULL;
	if (capacity && grow(&items, &arr->cap, capacity, sizeof(*arr->items))) {
		iok_free(arr);
		return NULL;
	}
	arr->items = items;
	return &arr->obj;
}

IOK_EXPORT int iok_array_append(iok_object_t *array, iok_object_t *value)
{
	struct iok_arr *arr = to_arr(array);
	void *items;
	int ret;

	if (!arr || !value || value == array)
		return -EINVAL;
	items = arr->items;
	ret = grow(&items, &arr->cap, arr->count + 1, sizeof(*arr->items));
	arr->items = items;
	if (ret)
		return ret;
	arr->items[arr->count++] = iok_retain(value);
	return 0;
}

IOK_EXPORT size_t iok_array_count(const iok_object_t *array)
{
	struct iok_arr *arr = to_arr(array);

	return arr ? arr->count : 0;
}

IOK_EXPORT iok_object_t *iok_array_get(const iok_object_t *array, size_t index)
{
	struct iok_arr *arr = to_arr(array);

	if (!arr || index >= arr->count)
		return NULL;
	return arr->items[index];
}

/* Removes and releases element index: 0, or -EINVAL (not an array or out of range). */
IOK_EXPORT int iok_array_remove(iok_object_t *array, size_t index)
{
	struct iok_arr *arr = to_arr(array);
	iok_object_t *gone;

	if (!arr || index >= arr->count)
		return -EINVAL;
	gone = arr->items[index];
	for (size_t i = index + 1; i < arr->count; i++)
		arr->items[i - 1] = arr->items[i];
	arr->count--;
	iok_release(gone);
	return 0;
}

/* ---- dictionaries ------------------------------------------------------- */

static void dict_free(iok_object_t *obj)
{
	struct iok_dict *d = to_dict(obj);

	for (size_t i = 0; i < d->count; i++) {
		iok_release(&d->entries[i].key->obj);
		iok_release(d->entries[i].value);
	}
	iok_free(d->entries);
	iok_free(d);
}

/* The index of the entry with this key, or d->count. */
static size_t dict_find(const struct iok_dict *d, const char *s, size_t len, uint32_t hash)
{
	size_t i;

	for (i = 0; i < d->count; i++)
		if (str_matches(d->entries[i].key, s, len, hash))
			break;
	return i;
}

static size_t dict_find_cstr(const struct iok_dict *d, const char *key)
{
	size_t len = strlen(key);

	return dict_find(d, key, len, str_hash(key, len));
}

/* Appends a new entry, retaining key and value (the key must be new). */
static int dict_append(struct iok_dict *d, struct iok_str *key, iok_object_t *value)
{
	void *entries = d->entries;
	int ret;

	ret = grow(&entries, &d->cap, d->count + 1, sizeof(*d->entries));
	d->entries = entries;
	if (ret)
		return ret;
	iok_retain(&key->obj);
	d->entries[d->count].key = key;
	d->entries[d->count].value = iok_retain(value);
	d->count++;
	return 0;
}

static void dict_replace(struct iok_dict *d, size_t i, iok_object_t *value)
{
	iok_object_t *old = d->entries[i].value;

	d->entries[i].value = iok_retain(value);
	iok_release(old);
}

IOK_EXPORT iok_object_t *iok_dict_create(size_t capacity)
{
	struct iok_dict *d = object_alloc(sizeof(*d), 0, &dict_kind);
	void *entries = NULL;

	if (!d)
		return NULL;
	if (capacity && grow(&entries, &d->cap, capacity, sizeof(*d->entries))) {
		iok_free(d);
		return NULL;
	}
	d->entries = entries;
	return &d->obj;
}

IOK_EXPORT int iok_dict_set(iok_object_t *dict, const char *key, iok_object_t *value)
{
	struct iok_dict *d = to_dict(dict);
	iok_object_t *k;
	size_t i;
	int ret;

	if (!d || !key || !value || value == dict)
		return -EINVAL;
	i = dict_find_cstr(d, key);
	if (i < d->count) {
		dict_replace(d, i, value);
		return 0;
	}
	k = iok_string_create(key);
	if (!k)
		return -ENOMEM;
	ret = dict_append(d, to_str(k), value);
	iok_release(k);
	return ret;
}

IOK_EXPORT int iok_dict_set_key(iok_object_t *dict, iok_object_t *key, iok_object_t *value)
{
	struct iok_dict *d = to_dict(dict);
	struct iok_str *k = to_str(key);
	size_t i;

	if (!d || !k || !value || value == dict)
		return -EINVAL;
	i = dict_find(d, k->s, k->len, k->hash);
	if (i < d->count) {
		dict_replace(d, i, value);
		return 0;
	}
	return dict_append(d, k, value);
}

IOK_EXPORT iok_object_t *iok_dict_get(const iok_object_t *dict, const char *key)
{
	struct iok_dict *d = to_dict(dict);
	size_t i;

	if (!d || !key)
		return NULL;
	i = dict_find_cstr(d, key);
	return i < d->count ? d->entries[i].value : NULL;
}

IOK_EXPORT int iok_dict_remove(iok_object_t *dict, const char *key)
{
	struct iok_dict *d = to_dict(dict);
	struct dict_entry gone;
	size_t i;

	if (!d || !key)
		return -EINVAL;
	i = dict_find_cstr(d, key);
	if (i == d->count)
		return -ENOENT;
	gone = d->entries[i];
	for (i++; i < d->count; i++)
		d->entries[i - 1] = d->entries[i];
	d->count--;
	iok_release(&gone.key->obj);
	iok_release(gone.value);
	return 0;
}

IOK_EXPORT size_t iok_dict_count(const iok_object_t *dict)
{
	struct iok_dict *d = to_dict(dict);

	return d ? d->count : 0;
}

IOK_EXPORT iok_object_t *iok_dict_key_at(const iok_object_t *dict, size_t index)
{
	struct iok_dict *d = to_dict(dict);

	if (!d || index >= d->count)
		return NULL;
	return &d->entries[index].key->obj;
}

IOK_EXPORT iok_object_t *iok_dict_value_at(const iok_object_t *dict, size_t index)
{
	struct iok_dict *d = to_dict(dict);

	if (!d || index >= d->count)
		return NULL;
	return d->entries[index].value;
}

/* Sets key to a new object made by the caller; consumes value. */
static int dict_set_new(iok_object_t *dict, const char *key, iok_object_t *value)
{
	int ret;

	if (!value)
		return -ENOMEM;
	ret = iok_dict_set(dict, key, value);
	iok_release(value);
	return ret;
}

IOK_EXPORT int iok_dict_set_string(iok_object_t *dict, const char *key, const char *value)
{
	if (!to_dict(dict) || !key || !value)
		return -EINVAL;
	return dict_set_new(dict, key, iok_string_create(value));
}

IOK_EXPORT int iok_dict_set_number(iok_object_t *dict, const char *key, uint64_t value, unsigned bits)
{
	if (!to_dict(dict) || !key)
		return -EINVAL;
	if (bits != 8 && bits != 16 && bits != 32 && bits != 64)
		return -EINVAL;
	return dict_set_new(dict, key, iok_number_create(value, bits));
}

IOK_EXPORT int iok_dict_set_bool(iok_object_t *dict, const char *key, bool value)
{
	return iok_dict_set(dict, key, iok_boolean(value));
}

IOK_EXPORT int iok_dict_set_data(iok_object_t *dict, const char *key, const void *bytes, size_t len)
{
	if (!to_dict(dict) || !key || (!bytes && len))
		return -EINVAL;
	return dict_set_new(dict, key, iok_data_create(bytes, len));
}

/* ---- equality ----------------------------------------------------------- */

static bool equal_at(const iok_object_t *a, const iok_object_t *b, unsigned depth);

static bool number_equal(const struct iok_num *a, const struct iok_num *b)
{
	if (a->is_float || b->is_float)
		return a->is_float && b->is_float && a->bits == b->bits && a->value == b->value;
	return a->value == b->value;
}

static bool array_equal(const struct iok_arr *a, const struct iok_arr *b, unsigned depth)
{
	if (a->count != b->count)
		return false;
	for (size_t i = 0; i < a->count; i++)
		if (!equal_at(a->items[i], b->items[i], depth))
			return false;
	return true;
}

static bool dict_equal(const struct iok_dict *a, const struct iok_dict *b, unsigned depth)
{
	if (a->count != b->count)
		return false;
	for (size_t i = 0; i < a->count; i++) {
		const struct iok_str *k = a->entries[i].key;
		size_t j = dict_find(b, k->s, k->len, k->hash);

		if (j == b->count || !equal_at(a->entries[i].value, b->entries[j].value, depth))
			return false;
	}
	return true;
}

static bool equal_at(const iok_object_t *a, const iok_object_t *b, unsigned depth)
{
	if (a == b)
		return true;
	if (!a || !b || a->kind != b->kind)
		return false;
	if (a->kind == &string_kind) {
		const struct iok_str *sa = to_str(a), *sb = to_str(b);

		return str_matches(sa, sb->s, sb->len, sb->hash);
	}
	if (a->kind == &number_kind)
		return number_equal(to_num(a), to_num(b));
	if (a->kind == &data_kind) {
		const struct iok_dat *da = to_dat(a), *db = to_dat(b);

		return da->len == db->len && memcmp(da->bytes, db->bytes, da->len) == 0;
	}
	if (depth >= IOK_OBJECT_MAX_DEPTH)
		return false;
	if (a->kind == &array_kind)
		return array_equal(to_arr(a), to_arr(b), depth + 1);
	if (a->kind == &dict_kind)
		return dict_equal(to_dict(a), to_dict(b), depth + 1);
	/* The two booleans, and non-property objects: identity only. */
	return false;
}

IOK_EXPORT bool iok_equal(const iok_object_t *a, const iok_object_t *b)
{
	return equal_at(a, b, 0);
}

/* ---- copying ------------------------------------------------------------ */

static iok_object_t *copy_at(const iok_object_t *obj, unsigned depth);

static iok_object_t *array_copy(const struct iok_arr *src, unsigned depth)
{
	iok_object_t *out = iok_array_create(src->count);

	if (!out)
		return NULL;
	for (size_t i = 0; i < src->count; i++) {
		iok_object_t *item = copy_at(src->items[i], depth);
		int ret = item ? iok_array_append(out, item) : -ENOMEM;

		iok_release(item);
		if (ret)
			goto fail;
	}
	return out;
fail:
	iok_release(out);
	return NULL;
}

static iok_object_t *dict_copy(const struct iok_dict *src, unsigned depth)
{
	iok_object_t *out = iok_dict_create(src->count);

	if (!out)
		return NULL;
	for (size_t i = 0; i < src->count; i++) {
		iok_object_t *value = copy_at(src->entries[i].value, depth);
		int ret = value ? dict_append(to_dict(out), src->entries[i].key, value) : -ENOMEM;

		iok_release(value);
		if (ret)
			goto fail;
	}
	return out;
fail:
	iok_release(out);
	return NULL;
}

static iok_object_t *copy_at(const iok_object_t *obj, unsigned depth)
{
	const struct iok_arr *arr = to_arr(obj);
	const struct iok_dict *d = to_dict(obj);

	if (!arr && !d)
		return iok_retain((iok_object_t *)(uintptr_t)obj);
	if (depth >= IOK_OBJECT_MAX_DEPTH)
		return NULL;
	return arr ? array_copy(arr, depth + 1) : dict_copy(d, depth + 1);
}

IOK_EXPORT iok_object_t *iok_copy(const iok_object_t *obj)
{
	return copy_at(obj, 0);
}
