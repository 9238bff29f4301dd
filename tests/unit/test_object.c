// SPDX-License-Identifier: MIT
/*
 * test_object.c - the runtime's reference-counted property objects:
 * lifetimes, every container operation, type checks, equality and copy.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "iok_os.h"
#include <IOKit/driver/iok_object.h>

/* ---- a custom kind, to watch frees ---------------------------------------- */

static int custom_frees;

static void custom_free(iok_object_t *obj)
{
	custom_frees++;
	iok_free(obj);
}

static const struct iok_object_kind custom_kind = {
	.type = IOK_TYPE_OTHER, .name = "Custom", .free = custom_free,
};

static iok_object_t *custom_new(void)
{
	iok_object_t *obj = iok_malloc(sizeof(*obj));

	assert_non_null(obj);
	iok_object_init(obj, &custom_kind);
	return obj;
}

/* ---- header and lifetimes ---------------------------------------------------- */

static void test_header(void **state)
{
	iok_object_t *obj = custom_new();

	(void)state;
	custom_frees = 0;
	assert_int_equal(iok_retain_count(obj), 1);
	assert_int_equal(iok_type(obj), IOK_TYPE_OTHER);
	assert_ptr_equal(iok_retain(obj), obj);
	assert_int_equal(iok_retain_count(obj), 2);
	iok_release(obj);
	assert_int_equal(custom_frees, 0);
	iok_release(obj);
	assert_int_equal(custom_frees, 1);

	/* NULL-safe everywhere. */
	assert_null(iok_retain(NULL));
	iok_release(NULL);
	iok_object_init(NULL, &custom_kind);
	assert_int_equal(iok_retain_count(NULL), 0);
	assert_int_equal(iok_type(NULL), IOK_TYPE_NONE);
}

static void test_container_lifetimes(void **state)
{
	iok_object_t *obj = custom_new();
	iok_object_t *arr = iok_array_create(0);
	iok_object_t *dict = iok_dict_create(0);

	(void)state;
	custom_frees = 0;
	assert_int_equal(iok_array_append(arr, obj), 0);
	assert_int_equal(iok_array_append(arr, obj), 0);
	assert_int_equal(iok_dict_set(dict, "k", obj), 0);
	assert_int_equal(iok_retain_count(obj), 4);

	/* Removing from an array drops its reference. */
	assert_int_equal(iok_array_remove(arr, 0), 0);
	assert_int_equal(iok_retain_count(obj), 3);

	/* Replacing a dictionary value drops the old one. */
	assert_int_equal(iok_dict_set(dict, "k", iok_boolean(true)), 0);
	assert_int_equal(iok_retain_count(obj), 2);
	assert_int_equal(iok_dict_set(dict, "k", obj), 0);
	assert_int_equal(iok_retain_count(obj), 3);
	assert_int_equal(iok_dict_remove(dict, "k"), 0);
	assert_int_equal(iok_retain_count(obj), 2);
	assert_int_equal(iok_dict_set(dict, "k2", obj), 0);

	iok_release(obj);
	assert_int_equal(custom_frees, 0);
	iok_release(arr);
	assert_int_equal(custom_frees, 0);
	iok_release(dict);
	assert_int_equal(custom_frees, 1);
}

struct race {
	iok_object_t *obj;
	int rounds;
};

static void *race_thread(void *arg)
{
	struct race *r = arg;

	for (int i = 0; i < r->rounds; i++) {
		iok_retain(r->obj);
		iok_release(r->obj);
	}
	return NULL;
}

static void test_atomic_counts(void **state)
{
	struct race r = { .obj = custom_new(), .rounds = 100000 };
	pthread_t t[4];

	(void)state;
	custom_frees = 0;
	for (int i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&t[i], NULL, race_thread, &r), 0);
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	assert_int_equal(iok_retain_count(r.obj), 1);
	assert_int_equal(custom_frees, 0);
	iok_release(r.obj);
	assert_int_equal(custom_frees, 1);
}

static void test_booleans(void **state)
{
	iok_object_t *t = iok_boolean(true), *f = iok_boolean(false);
	uint32_t count = iok_retain_count(t);

	(void)state;
	assert_non_null(t);
	assert_non_null(f);
	assert_ptr_not_equal(t, f);
	assert_ptr_equal(iok_boolean(true), t);
	assert_int_equal(iok_type(t), IOK_TYPE_BOOLEAN);
	assert_true(iok_boolean_value(t));
	assert_false(iok_boolean_value(f));
	assert_true(count > 1000);
	for (int i = 0; i < 10; i++)
		iok_release(t);
	iok_retain(t);
	assert_int_equal(iok_retain_count(t), count);
	assert_true(iok_boolean_value(t));
	assert_false(iok_boolean_value(NULL));
}

/* ---- leaves --------------------------------------------------------------- */

static void test_strings(void **state)
{
	iok_object_t *s = iok_string_create("hello");
	iok_object_t *e = iok_string_create("");
	iok_object_t *l = iok_string_create_len("abcdef", 3);

	(void)state;
	assert_int_equal(iok_type(s), IOK_TYPE_STRING);
	assert_string_equal(iok_string_cstr(s), "hello");
	assert_int_equal(iok_string_length(s), 5);
	assert_string_equal(iok_string_cstr(e), "");
	assert_int_equal(iok_string_length(e), 0);
	assert_string_equal(iok_string_cstr(l), "abc");
	assert_int_equal(iok_string_length(l), 3);

	/* Embedded NUL, NULL input. */
	assert_null(iok_string_create_len("a\0b", 3));
	assert_null(iok_string_create(NULL));
	assert_null(iok_string_create_len(NULL, 1));
	iok_object_t *z = iok_string_create_len(NULL, 0);

	assert_string_equal(iok_string_cstr(z), "");
	iok_release(z);

	iok_release(s);
	iok_release(e);
	iok_release(l);
}

static void test_numbers(void **state)
{
	static const unsigned widths[] = { 8, 16, 32, 64 };

	(void)state;
	for (size_t i = 0; i < 4; i++) {
		iok_object_t *n = iok_number_create(UINT64_MAX, widths[i]);
		uint64_t mask = widths[i] == 64 ? UINT64_MAX : (UINT64_C(1) << widths[i]) - 1;

		assert_int_equal(iok_type(n), IOK_TYPE_NUMBER);
		assert_int_equal(iok_number_bits(n), widths[i]);
		assert_true(iok_number_value(n) == mask);
		assert_false(iok_number_is_float(n));
		iok_release(n);
	}
	iok_object_t *n = iok_number_create(0x1234, 8);

	assert_int_equal(iok_number_value(n), 0x34);
	iok_release(n);

	/* Only 8, 16, 32 and 64 bits. */
	assert_null(iok_number_create(1, 0));
	assert_null(iok_number_create(1, 7));
	assert_null(iok_number_create(1, 31));
	assert_null(iok_number_create(1, 128));

	iok_object_t *f = iok_number_create_float_bits(0xffffffff3f800000ull, 32);
	iok_object_t *d = iok_number_create_float_bits(0x3ff0000000000000ull, 64);

	assert_true(iok_number_is_float(f));
	assert_int_equal(iok_number_bits(f), 32);
	assert_true(iok_number_value(f) == 0x3f800000u);
	assert_true(iok_number_is_float(d));
	assert_int_equal(iok_number_bits(d), 64);
	assert_true(iok_number_value(d) == 0x3ff0000000000000ull);
	assert_null(iok_number_create_float_bits(0, 16));
	assert_null(iok_number_create_float_bits(0, 63));
	iok_release(f);
	iok_release(d);
}

static void test_data(void **state)
{
	uint8_t bytes[5] = { 1, 2, 0, 4, 5 };
	iok_object_t *d = iok_data_create(bytes, sizeof(bytes));
	iok_object_t *e = iok_data_create(NULL, 0);

	(void)state;
	assert_int_equal(iok_type(d), IOK_TYPE_DATA);
	assert_int_equal(iok_data_length(d), 5);
	bytes[0] = 9;   /* the object has its own copy */
	assert_memory_equal(iok_data_bytes(d), "\1\2\0\4\5", 5);
	assert_int_equal(iok_data_length(e), 0);
	assert_non_null(iok_data_bytes(e));
	assert_null(iok_data_create(NULL, 1));
	iok_release(d);
	iok_release(e);
}

/* Every accessor given the wrong kind of object (or NULL) fails softly. */
static void test_type_checks(void **state)
{
	iok_object_t *s = iok_string_create("x");
	iok_object_t *n = iok_number_create(1, 32);
	iok_object_t *arr = iok_array_create(1);
	iok_object_t *dict = iok_dict_create(1);
	iok_object_t *other = custom_new();
	iok_object_t *objs[] = { NULL, s, n, arr, dict, other, iok_boolean(true) };

	(void)state;
	for (size_t i = 0; i < sizeof(objs) / sizeof(objs[0]); i++) {
		iok_object_t *o = objs[i];

		if (o != s) {
			assert_null(iok_string_cstr(o));
			assert_int_equal(iok_string_length(o), 0);
			assert_int_equal(iok_dict_set_key(dict, o, n), -EINVAL);
		}
		if (o != n) {
			assert_int_equal(iok_number_value(o), 0);
			assert_int_equal(iok_number_bits(o), 0);
			assert_false(iok_number_is_float(o));
		}
		if (o != objs[6])
			assert_false(iok_boolean_value(o));
		assert_null(iok_data_bytes(o));
		assert_int_equal(iok_data_length(o), 0);
		if (o != arr) {
			assert_int_equal(iok_array_append(o, s), -EINVAL);
			assert_int_equal(iok_array_count(o), 0);
			assert_null(iok_array_get(o, 0));
			assert_int_equal(iok_array_remove(o, 0), -EINVAL);
		}
		if (o != dict) {
			assert_int_equal(iok_dict_set(o, "k", s), -EINVAL);
			assert_int_equal(iok_dict_set_key(o, s, s), -EINVAL);
			assert_null(iok_dict_get(o, "k"));
			assert_int_equal(iok_dict_remove(o, "k"), -EINVAL);
			assert_int_equal(iok_dict_count(o), 0);
			assert_null(iok_dict_key_at(o, 0));
			assert_null(iok_dict_value_at(o, 0));
			assert_int_equal(iok_dict_set_string(o, "k", "v"), -EINVAL);
			assert_int_equal(iok_dict_set_number(o, "k", 1, 32), -EINVAL);
			assert_int_equal(iok_dict_set_bool(o, "k", true), -EINVAL);
			assert_int_equal(iok_dict_set_data(o, "k", "v", 1), -EINVAL);
		}
	}
	/* NULL values and keys. */
	assert_int_equal(iok_array_append(arr, NULL), -EINVAL);
	assert_int_equal(iok_dict_set(dict, "k", NULL), -EINVAL);
	assert_int_equal(iok_dict_set(dict, NULL, s), -EINVAL);
	assert_int_equal(iok_dict_set_key(dict, NULL, s), -EINVAL);
	assert_int_equal(iok_dict_set_key(dict, s, NULL), -EINVAL);
	assert_null(iok_dict_get(dict, NULL));
	assert_int_equal(iok_dict_remove(dict, NULL), -EINVAL);
	assert_int_equal(iok_dict_set_string(dict, "k", NULL), -EINVAL);
	assert_int_equal(iok_dict_set_string(dict, NULL, "v"), -EINVAL);
	assert_int_equal(iok_dict_set_number(dict, "k", 1, 12), -EINVAL);
	assert_int_equal(iok_dict_set_data(dict, "k", NULL, 3), -EINVAL);
	assert_int_equal(iok_dict_count(dict), 0);
	assert_int_equal(iok_array_count(arr), 0);

	/* A container cannot hold itself. */
	assert_int_equal(iok_array_append(arr, arr), -EINVAL);
	assert_int_equal(iok_dict_set(dict, "self", dict), -EINVAL);

	iok_release(s);
	iok_release(n);
	iok_release(arr);
	iok_release(dict);
	iok_release(other);
}

/* ---- arrays --------------------------------------------------------------- */

static iok_object_t *num(uint64_t v)
{
	iok_object_t *n = iok_number_create(v, 32);

	assert_non_null(n);
	return n;
}

static void test_array_ops(void **state)
{
	iok_object_t *arr = iok_array_create(2);

	(void)state;
	assert_int_equal(iok_type(arr), IOK_TYPE_ARRAY);
	assert_int_equal(iok_array_count(arr), 0);
	assert_null(iok_array_get(arr, 0));
	for (uint64_t i = 0; i < 1000; i++) {
		iok_object_t *n = num(i);

		assert_int_equal(iok_array_append(arr, n), 0);
		iok_release(n);
	}
	assert_int_equal(iok_array_count(arr), 1000);
	for (size_t i = 0; i < 1000; i++)
		assert_int_equal(iok_number_value(iok_array_get(arr, i)), i);
	assert_null(iok_array_get(arr, 1000));

	/* Remove first, middle and last; order is kept. */
	assert_int_equal(iok_array_remove(arr, 0), 0);
	assert_int_equal(iok_array_remove(arr, 500), 0);
	assert_int_equal(iok_array_remove(arr, 997), 0);
	assert_int_equal(iok_array_remove(arr, 997), -EINVAL);
	assert_int_equal(iok_array_count(arr), 997);
	assert_int_equal(iok_number_value(iok_array_get(arr, 0)), 1);
	assert_int_equal(iok_number_value(iok_array_get(arr, 499)), 500);
	assert_int_equal(iok_number_value(iok_array_get(arr, 500)), 502);
	assert_int_equal(iok_number_value(iok_array_get(arr, 996)), 998);
	while (iok_array_count(arr))
		assert_int_equal(iok_array_remove(arr, iok_array_count(arr) - 1), 0);
	assert_int_equal(iok_array_remove(arr, 0), -EINVAL);
	iok_release(arr);

	/* A zero-capacity array grows too; an absurd capacity fails. */
	arr = iok_array_create(0);
	assert_int_equal(iok_array_append(arr, iok_boolean(true)), 0);
	assert_ptr_equal(iok_array_get(arr, 0), iok_boolean(true));
	iok_release(arr);
	assert_null(iok_array_create(SIZE_MAX / 2));
}

/* ---- dictionaries ----------------------------------------------------------- */

static void test_dict_ops(void **state)
{
	iok_object_t *dict = iok_dict_create(1);
	iok_object_t *v1 = iok_string_create("one");
	iok_object_t *v2 = iok_string_create("two");

	(void)state;
	assert_int_equal(iok_type(dict), IOK_TYPE_DICTIONARY);
	assert_int_equal(iok_dict_set(dict, "a", v1), 0);
	assert_int_equal(iok_dict_set(dict, "b", v2), 0);
	assert_int_equal(iok_dict_set(dict, "", v2), 0);
	assert_int_equal(iok_dict_count(dict), 3);
	assert_ptr_equal(iok_dict_get(dict, "a"), v1);
	assert_ptr_equal(iok_dict_get(dict, "b"), v2);
	assert_ptr_equal(iok_dict_get(dict, ""), v2);
	assert_null(iok_dict_get(dict, "c"));
	assert_null(iok_dict_get(dict, "aa"));

	/* Replacing keeps the position and the count. */
	assert_int_equal(iok_dict_set(dict, "a", v2), 0);
	assert_int_equal(iok_dict_count(dict), 3);
	assert_string_equal(iok_string_cstr(iok_dict_key_at(dict, 0)), "a");
	assert_ptr_equal(iok_dict_value_at(dict, 0), v2);
	assert_string_equal(iok_string_cstr(iok_dict_key_at(dict, 1)), "b");
	assert_string_equal(iok_string_cstr(iok_dict_key_at(dict, 2)), "");
	assert_null(iok_dict_key_at(dict, 3));
	assert_null(iok_dict_value_at(dict, 3));

	/* Removing keeps the order of the rest. */
	assert_int_equal(iok_dict_remove(dict, "b"), 0);
	assert_int_equal(iok_dict_remove(dict, "b"), -ENOENT);
	assert_int_equal(iok_dict_count(dict), 2);
	assert_string_equal(iok_string_cstr(iok_dict_key_at(dict, 0)), "a");
	assert_string_equal(iok_string_cstr(iok_dict_key_at(dict, 1)), "");

	/* set_key shares the key object; an equal key replaces in place. */
	iok_object_t *k = iok_string_create("key");

	assert_int_equal(iok_dict_set_key(dict, k, v1), 0);
	assert_ptr_equal(iok_dict_key_at(dict, 2), k);
	assert_int_equal(iok_retain_count(k), 2);
	iok_object_t *k2 = iok_string_create("key");

	assert_int_equal(iok_dict_set_key(dict, k2, v2), 0);
	assert_int_equal(iok_dict_count(dict), 3);
	assert_ptr_equal(iok_dict_key_at(dict, 2), k);
	assert_ptr_equal(iok_dict_get(dict, "key"), v2);
	assert_int_equal(iok_retain_count(k2), 1);
	iok_release(k);
	iok_release(k2);

	iok_release(v1);
	iok_release(v2);
	iok_release(dict);
}

static void test_dict_conveniences(void **state)
{
	iok_object_t *dict = iok_dict_create(0);

	(void)state;
	assert_int_equal(iok_dict_set_string(dict, "s", "str"), 0);
	assert_int_equal(iok_dict_set_number(dict, "n", 0x1ff, 8), 0);
	assert_int_equal(iok_dict_set_bool(dict, "t", true), 0);
	assert_int_equal(iok_dict_set_bool(dict, "f", false), 0);
	assert_int_equal(iok_dict_set_data(dict, "d", "\0\1", 2), 0);
	assert_int_equal(iok_dict_set_data(dict, "e", NULL, 0), 0);
	assert_int_equal(iok_dict_count(dict), 6);
	assert_string_equal(iok_string_cstr(iok_dict_get(dict, "s")), "str");
	assert_int_equal(iok_number_value(iok_dict_get(dict, "n")), 0xff);
	assert_int_equal(iok_number_bits(iok_dict_get(dict, "n")), 8);
	assert_ptr_equal(iok_dict_get(dict, "t"), iok_boolean(true));
	assert_ptr_equal(iok_dict_get(dict, "f"), iok_boolean(false));
	assert_memory_equal(iok_data_bytes(iok_dict_get(dict, "d")), "\0\1", 2);
	assert_int_equal(iok_data_length(iok_dict_get(dict, "e")), 0);
	/* The created values are owned by the dictionary alone. */
	assert_int_equal(iok_retain_count(iok_dict_get(dict, "s")), 1);
	assert_int_equal(iok_dict_set_string(dict, "s", "again"), 0);
	assert_string_equal(iok_string_cstr(iok_dict_get(dict, "s")), "again");
	assert_string_equal(iok_string_cstr(iok_dict_key_at(dict, 0)), "s");
	iok_release(dict);
}

static void test_dict_many_keys(void **state)
{
	iok_object_t *dict = iok_dict_create(0);
	char key[32];

	(void)state;
	for (int i = 0; i < 2000; i++) {
		snprintf(key, sizeof(key), "key%d", i);
		assert_int_equal(iok_dict_set_number(dict, key, (uint64_t)i, 32), 0);
	}
	for (int i = 0; i < 2000; i += 2) {
		snprintf(key, sizeof(key), "key%d", i);
		assert_int_equal(iok_dict_set_number(dict, key, (uint64_t)i * 10, 32), 0);
	}
	assert_int_equal(iok_dict_count(dict), 2000);
	for (int i = 0; i < 2000; i++) {
		snprintf(key, sizeof(key), "key%d", i);
		assert_int_equal(iok_number_value(iok_dict_get(dict, key)),
				 i % 2 ? (uint64_t)i : (uint64_t)i * 10);
		assert_string_equal(iok_string_cstr(iok_dict_key_at(dict, (size_t)i)), key);
	}
	for (int i = 0; i < 2000; i += 3) {
		snprintf(key, sizeof(key), "key%d", i);
		assert_int_equal(iok_dict_remove(dict, key), 0);
	}
	assert_int_equal(iok_dict_count(dict), 2000 - 667);
	assert_null(iok_dict_get(dict, "key0"));
	assert_non_null(iok_dict_get(dict, "key1"));
	iok_release(dict);
}

/* ---- equality and copy ------------------------------------------------------ */

static iok_object_t *sample_tree(void)
{
	iok_object_t *root = iok_dict_create(0);
	iok_object_t *arr = iok_array_create(0);
	iok_object_t *inner = iok_dict_create(0);
	iok_object_t *s = iok_string_create("leaf");

	assert_int_equal(iok_dict_set_string(root, "name", "tree"), 0);
	assert_int_equal(iok_dict_set_number(root, "size", 42, 64), 0);
	assert_int_equal(iok_dict_set_data(inner, "blob", "abc", 3), 0);
	assert_int_equal(iok_dict_set_bool(inner, "on", true), 0);
	assert_int_equal(iok_array_append(arr, s), 0);
	assert_int_equal(iok_array_append(arr, inner), 0);
	assert_int_equal(iok_dict_set(root, "list", arr), 0);
	iok_release(s);
	iok_release(inner);
	iok_release(arr);
	return root;
}

static void test_equal(void **state)
{
	iok_object_t *a = sample_tree(), *b = sample_tree();
	iok_object_t *n8 = iok_number_create(5, 8), *n64 = iok_number_create(5, 64);
	iok_object_t *n6 = iok_number_create(6, 8);
	iok_object_t *f1 = iok_number_create_float_bits(5, 32);
	iok_object_t *f2 = iok_number_create_float_bits(5, 32);
	iok_object_t *f3 = iok_number_create_float_bits(5, 64);
	iok_object_t *s1 = iok_string_create("ab"), *s2 = iok_string_create("ab");
	iok_object_t *s3 = iok_string_create("abc");
	iok_object_t *d1 = iok_data_create("ab", 2), *d2 = iok_data_create("ab", 2);
	iok_object_t *o1 = custom_new(), *o2 = custom_new();

	(void)state;
	assert_true(iok_equal(a, b));
	assert_true(iok_equal(NULL, NULL));
	assert_false(iok_equal(a, NULL));
	assert_false(iok_equal(NULL, a));

	/* Numbers by value whatever the width; floats by their bits only. */
	assert_true(iok_equal(n8, n64));
	assert_false(iok_equal(n8, n6));
	assert_false(iok_equal(n8, f1));
	assert_false(iok_equal(f1, n8));
	assert_true(iok_equal(f1, f2));
	assert_false(iok_equal(f1, f3));

	assert_true(iok_equal(s1, s2));
	assert_false(iok_equal(s1, s3));
	assert_false(iok_equal(s1, d1));   /* same bytes, other type */
	assert_true(iok_equal(d1, d2));
	assert_true(iok_equal(iok_boolean(true), iok_boolean(true)));
	assert_false(iok_equal(iok_boolean(true), iok_boolean(false)));
	assert_true(iok_equal(o1, o1));
	assert_false(iok_equal(o1, o2));

	/* Dictionaries ignore order; arrays do not. */
	iok_object_t *x = iok_dict_create(0), *y = iok_dict_create(0);

	iok_dict_set_number(x, "1", 1, 32);
	iok_dict_set_number(x, "2", 2, 32);
	iok_dict_set_number(y, "2", 2, 16);
	iok_dict_set_number(y, "1", 1, 8);
	assert_true(iok_equal(x, y));
	iok_dict_set_number(y, "1", 3, 8);
	assert_false(iok_equal(x, y));
	iok_dict_remove(y, "1");
	assert_false(iok_equal(x, y));
	iok_dict_set_number(y, "3", 1, 8);
	assert_false(iok_equal(x, y));

	iok_object_t *p = iok_array_create(0), *q = iok_array_create(0);

	iok_array_append(p, s1);
	iok_array_append(p, s3);
	iok_array_append(q, s3);
	iok_array_append(q, s1);
	assert_false(iok_equal(p, q));
	iok_array_remove(q, 0);
	iok_array_append(q, s3);
	assert_true(iok_equal(p, q));
	iok_array_append(q, s3);
	assert_false(iok_equal(p, q));
	assert_false(iok_equal(p, x));

	/* A change deep inside shows. */
	iok_object_t *inner = iok_array_get(iok_dict_get(b, "list"), 1);

	iok_dict_set_bool(inner, "on", false);
	assert_false(iok_equal(a, b));

	iok_object_t *objs[] = { a, b, n8, n64, n6, f1, f2, f3, s1, s2, s3, d1, d2,
				 o1, o2, x, y, p, q };

	for (size_t i = 0; i < sizeof(objs) / sizeof(objs[0]); i++)
		iok_release(objs[i]);
}

static void test_copy(void **state)
{
	iok_object_t *a = sample_tree();
	iok_object_t *c = iok_copy(a);
	iok_object_t *list_a = iok_dict_get(a, "list"), *list_c = iok_dict_get(c, "list");
	iok_object_t *other = custom_new();

	(void)state;
	assert_non_null(c);
	assert_ptr_not_equal(a, c);
	assert_true(iok_equal(a, c));
	assert_int_equal(iok_retain_count(c), 1);
	/* Containers are new, leaves shared, order kept. */
	assert_ptr_not_equal(list_a, list_c);
	assert_ptr_not_equal(iok_array_get(list_a, 1), iok_array_get(list_c, 1));
	assert_ptr_equal(iok_array_get(list_a, 0), iok_array_get(list_c, 0));
	assert_ptr_equal(iok_dict_get(a, "name"), iok_dict_get(c, "name"));
	for (size_t i = 0; i < iok_dict_count(a); i++)
		assert_string_equal(iok_string_cstr(iok_dict_key_at(a, i)),
				    iok_string_cstr(iok_dict_key_at(c, i)));

	/* Changing the copy leaves the original alone. */
	iok_dict_set_bool(iok_array_get(list_c, 1), "on", false);
	iok_array_append(list_c, other);
	assert_false(iok_equal(a, c));
	assert_ptr_equal(iok_dict_get(iok_array_get(list_a, 1), "on"), iok_boolean(true));
	assert_int_equal(iok_array_count(list_a), 2);

	/* A copied tree holding a non-property object shares it. */
	iok_object_t *c2 = iok_copy(c);

	assert_ptr_equal(iok_array_get(iok_dict_get(c2, "list"), 2), other);
	assert_true(iok_equal(c, c2));

	/* Leaves are returned retained. */
	iok_object_t *s = iok_string_create("s");
	iok_object_t *sc = iok_copy(s);

	assert_ptr_equal(s, sc);
	assert_int_equal(iok_retain_count(s), 2);
	assert_null(iok_copy(NULL));
	assert_ptr_equal(iok_copy(iok_boolean(false)), iok_boolean(false));

	iok_release(s);
	iok_release(sc);
	iok_release(other);
	iok_release(a);
	iok_release(c);
	iok_release(c2);
}

/* Copy and equality stop at IOK_SERIALIZE_MAX_DEPTH nested containers. */
static void test_depth_limits(void **state)
{
	iok_object_t *root = iok_array_create(0), *cur = root;

	(void)state;
	for (int i = 1; i < IOK_SERIALIZE_MAX_DEPTH; i++) {
		iok_object_t *next = iok_array_create(0);

		assert_int_equal(iok_array_append(cur, next), 0);
		iok_release(next);
		cur = next;
	}
	iok_object_t *c = iok_copy(root);

	assert_non_null(c);
	assert_true(iok_equal(root, c));

	iok_object_t *deeper = iok_array_create(0);

	assert_int_equal(iok_array_append(cur, deeper), 0);
	iok_release(deeper);
	assert_null(iok_copy(root));
	iok_release(c);
	iok_release(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header),
		cmocka_unit_test(test_container_lifetimes),
		cmocka_unit_test(test_atomic_counts),
		cmocka_unit_test(test_booleans),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_data),
		cmocka_unit_test(test_type_checks),
		cmocka_unit_test(test_array_ops),
		cmocka_unit_test(test_dict_ops),
		cmocka_unit_test(test_dict_conveniences),
		cmocka_unit_test(test_dict_many_keys),
		cmocka_unit_test(test_equal),
		cmocka_unit_test(test_copy),
		cmocka_unit_test(test_depth_limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
