// SPDX-License-Identifier: MIT
/*
 * test_serialize.c - Apple's binary serialization: exact byte layout,
 * round trips of every property type, the decoder's acceptance of what
 * xnu accepts, its rejection of every malformed input, random mutations,
 * and allocation failures at every point (the allocator is wrapped with
 * the linker's --wrap, see object.cmake).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "iok_os.h"
#include <IOKit/driver/iok_object.h>

#define END   0x80000000u
#define DICT  0x01000000u
#define ARR   0x02000000u
#define SET   0x03000000u
#define NUM   0x04000000u
#define SYM   0x08000000u
#define STR   0x09000000u
#define DATA  0x0a000000u
#define BOOL  0x0b000000u
#define REF   0x0c000000u

/* ---- allocation failure injection ------------------------------------------ */

void *__real_iok_malloc(size_t size);
void *__real_iok_zalloc(size_t size);
void *__real_iok_realloc(void *ptr, size_t size);
void __real_iok_free(void *ptr);
void *__wrap_iok_malloc(size_t size);
void *__wrap_iok_zalloc(size_t size);
void *__wrap_iok_realloc(void *ptr, size_t size);
void __wrap_iok_free(void *ptr);

static long fail_countdown = -1;   /* fail the allocation this many from now */
static long live_allocs;

static bool fail_now(void)
{
	if (fail_countdown < 0)
		return false;
	return fail_countdown-- == 0;
}

void *__wrap_iok_malloc(size_t size)
{
	void *p = fail_now() ? NULL : __real_iok_malloc(size);

	live_allocs += p != NULL;
	return p;
}

void *__wrap_iok_zalloc(size_t size)
{
	void *p = fail_now() ? NULL : __real_iok_zalloc(size);

	live_allocs += p != NULL;
	return p;
}

void *__wrap_iok_realloc(void *ptr, size_t size)
{
	void *p = fail_now() ? NULL : __real_iok_realloc(ptr, size);

	live_allocs += p && !ptr;
	return p;
}

void __wrap_iok_free(void *ptr)
{
	live_allocs -= ptr != NULL;
	__real_iok_free(ptr);
}

/* ---- building streams by hand ---------------------------------------------- */

struct stream {
	uint8_t b[8192];
	size_t len;
};

static void s_init(struct stream *s)
{
	static const uint8_t sig[4] = { 0xd3, 0, 0, 0 };

	memcpy(s->b, sig, 4);
	s->len = 4;
}

static void s_u32(struct stream *s, uint32_t v)
{
	assert_true(s->len + 4 <= sizeof(s->b));
	memcpy(s->b + s->len, &v, 4);
	s->len += 4;
}

/* Payload bytes, zero-padded to 4. */
static void s_bytes(struct stream *s, const void *p, size_t n)
{
	size_t padded = (n + 3) & ~(size_t)3;

	assert_true(s->len + padded <= sizeof(s->b));
	memset(s->b + s->len, 0, padded);
	memcpy(s->b + s->len, p, n);
	s->len += padded;
}

static void s_sym(struct stream *s, const char *str, uint32_t end)
{
	s_u32(s, SYM | (uint32_t)(strlen(str) + 1) | end);
	s_bytes(s, str, strlen(str) + 1);
}

static void s_str(struct stream *s, const char *str, uint32_t end)
{
	s_u32(s, STR | (uint32_t)strlen(str) | end);
	s_bytes(s, str, strlen(str));
}

static void s_num(struct stream *s, uint64_t v, uint32_t width, uint32_t end)
{
	s_u32(s, NUM | width | end);
	s_u32(s, (uint32_t)v);
	s_u32(s, (uint32_t)(v >> 32));
}

static int decode(const struct stream *s, iok_object_t **out)
{
	return iok_unserialize(s->b, s->len, out);
}

static void expect_reject(const struct stream *s)
{
	iok_object_t *obj = (iok_object_t *)&obj;

	assert_int_equal(decode(s, &obj), -EINVAL);
	assert_null(obj);
}

static iok_object_t *expect_accept(const struct stream *s)
{
	iok_object_t *obj = NULL;

	assert_int_equal(decode(s, &obj), 0);
	assert_non_null(obj);
	return obj;
}

/* Serializes obj, unserializes the result, and checks it is equal. */
static void round_trip(const iok_object_t *obj)
{
	iok_object_t *back = NULL;
	uint8_t *buf = NULL;
	size_t len = 0;

	assert_int_equal(iok_serialize(obj, &buf, &len), 0);
	assert_non_null(buf);
	assert_true(len >= 8 && len % 4 == 0);
	assert_int_equal(iok_unserialize(buf, len, &back), 0);
	assert_true(iok_equal(obj, back));
	iok_release(back);
	iok_free(buf);
}

/* ---- layout --------------------------------------------------------------- */

static void test_layout_dict(void **state)
{
	iok_object_t *d = iok_dict_create(0);
	struct stream want;
	uint8_t *buf;
	size_t len;

	(void)state;
	iok_dict_set_string(d, "a", "bc");
	iok_dict_set_number(d, "num", 0x1122334455667788ull, 64);
	iok_dict_set_bool(d, "t", true);
	s_init(&want);
	s_u32(&want, END | DICT | 3);
	s_u32(&want, SYM | 2);
	s_bytes(&want, "a", 2);
	s_u32(&want, STR | 2);
	s_bytes(&want, "bc", 2);
	s_u32(&want, SYM | 4);
	s_bytes(&want, "num", 4);
	s_u32(&want, NUM | 64);
	s_u32(&want, 0x55667788);
	s_u32(&want, 0x11223344);
	s_u32(&want, SYM | 2);
	s_bytes(&want, "t", 2);
	s_u32(&want, END | BOOL | 1);

	assert_int_equal(iok_serialize(d, &buf, &len), 0);
	assert_int_equal(len, want.len);
	assert_memory_equal(buf, want.b, len);
	/* Spot-check raw bytes on top of the helper. */
	assert_int_equal(buf[0], 0xd3);
	assert_int_equal(buf[1] | buf[2] | buf[3], 0);
	iok_free(buf);
	iok_release(d);
}

static void test_layout_array(void **state)
{
	iok_object_t *a = iok_array_create(0);
	iok_object_t *dat = iok_data_create("xyzzy", 5);
	iok_object_t *f = iok_number_create_float_bits(0x3f800000, 32);
	iok_object_t *g = iok_number_create_float_bits(0x4000000000000000ull, 64);
	iok_object_t *s = iok_string_create("");
	iok_object_t *e = iok_dict_create(0);
	struct stream want;
	uint8_t *buf;
	size_t len;

	(void)state;
	iok_array_append(a, dat);
	iok_array_append(a, f);
	iok_array_append(a, g);
	iok_array_append(a, s);
	iok_array_append(a, iok_boolean(false));
	iok_array_append(a, e);
	s_init(&want);
	s_u32(&want, END | ARR | 6);
	s_u32(&want, DATA | 5);
	s_bytes(&want, "xyzzy", 5);
	s_num(&want, 0x3f800000, 31, 0);
	s_num(&want, 0x4000000000000000ull, 63, 0);
	s_u32(&want, STR | 0);
	s_u32(&want, BOOL | 0);
	s_u32(&want, END | DICT | 0);

	assert_int_equal(iok_serialize(a, &buf, &len), 0);
	assert_int_equal(len, want.len);
	assert_memory_equal(buf, want.b, len);
	iok_free(buf);

	iok_object_t *objs[] = { a, dat, f, g, s, e };

	for (size_t i = 0; i < sizeof(objs) / sizeof(objs[0]); i++)
		iok_release(objs[i]);
}

static void test_layout_leaf_roots(void **state)
{
	iok_object_t *n = iok_number_create(7, 8);
	uint8_t *buf;
	size_t len;

	(void)state;
	assert_int_equal(iok_serialize(iok_boolean(true), &buf, &len), 0);
	assert_int_equal(len, 8);
	assert_memory_equal(buf, "\xd3\0\0\0", 4);
	uint32_t key;

	memcpy(&key, buf + 4, 4);
	assert_int_equal(key, END | BOOL | 1);
	iok_free(buf);

	assert_int_equal(iok_serialize(n, &buf, &len), 0);
	assert_int_equal(len, 16);
	memcpy(&key, buf + 4, 4);
	assert_int_equal(key, END | NUM | 8);
	iok_free(buf);
	iok_release(n);
}

/* ---- round trips ------------------------------------------------------------ */

static iok_object_t *rich_tree(void)
{
	iok_object_t *root = iok_dict_create(0);
	iok_object_t *arr = iok_array_create(0);
	iok_object_t *inner = iok_dict_create(0);
	iok_object_t *empty_a = iok_array_create(0), *empty_d = iok_dict_create(0);
	static const uint64_t values[] = { 0, 1, 0x7f, 0xff, 0xffff, 0xffffffffu, UINT64_MAX };
	static const unsigned widths[] = { 8, 16, 32, 64 };
	uint8_t blob[300];

	for (size_t i = 0; i < sizeof(blob); i++)
		blob[i] = (uint8_t)(i * 7);
	iok_dict_set_string(root, "IOProviderClass", "IOService");
	iok_dict_set_string(root, "", "empty key");
	iok_dict_set_string(root, "empty value", "");
	iok_dict_set_string(root, "utf8 \xc3\xa9\xe2\x82\xac", "\xf0\x9f\x98\x80");
	iok_dict_set_data(root, "blob", blob, sizeof(blob));
	iok_dict_set_data(root, "nodata", NULL, 0);
	iok_dict_set_bool(root, "yes", true);
	iok_dict_set_bool(root, "no", false);
	for (size_t w = 0; w < 4; w++) {
		for (size_t v = 0; v < sizeof(values) / sizeof(values[0]); v++) {
			iok_object_t *n = iok_number_create(values[v], widths[w]);

			iok_array_append(arr, n);
			iok_release(n);
		}
	}
	iok_object_t *f = iok_number_create_float_bits(0xbf800000, 32);
	iok_object_t *g = iok_number_create_float_bits(0x7ff8000000000001ull, 64);

	iok_array_append(arr, f);
	iok_array_append(arr, g);
	iok_array_append(arr, empty_a);
	iok_array_append(arr, empty_d);
	iok_dict_set(inner, "list", arr);
	iok_dict_set(root, "inner", inner);
	iok_dict_set(root, "trailing empty", empty_a);
	iok_release(f);
	iok_release(g);
	iok_release(arr);
	iok_release(inner);
	iok_release(empty_a);
	iok_release(empty_d);
	return root;
}

static void test_round_trip_tree(void **state)
{
	iok_object_t *t = rich_tree();
	iok_object_t *back;
	uint8_t *buf, *buf2;
	size_t len, len2;

	(void)state;
	round_trip(t);
	/* The decoded tree keeps key order and widths, and re-encodes to the
	 * same bytes. */
	assert_int_equal(iok_serialize(t, &buf, &len), 0);
	assert_int_equal(iok_unserialize(buf, len, &back), 0);
	for (size_t i = 0; i < iok_dict_count(t); i++)
		assert_string_equal(iok_string_cstr(iok_dict_key_at(t, i)),
				    iok_string_cstr(iok_dict_key_at(back, i)));
	iok_object_t *list = iok_dict_get(iok_dict_get(back, "inner"), "list");

	assert_int_equal(iok_number_bits(iok_array_get(list, 0)), 8);
	assert_int_equal(iok_number_bits(iok_array_get(list, 27)), 64);
	assert_true(iok_number_value(iok_array_get(list, 27)) == UINT64_MAX);
	assert_true(iok_number_is_float(iok_array_get(list, 28)));
	assert_int_equal(iok_number_bits(iok_array_get(list, 28)), 32);
	assert_int_equal(iok_number_bits(iok_array_get(list, 29)), 64);
	assert_int_equal(iok_serialize(back, &buf2, &len2), 0);
	assert_int_equal(len, len2);
	assert_memory_equal(buf, buf2, len);
	iok_free(buf);
	iok_free(buf2);
	iok_release(back);
	iok_release(t);
}

static void test_round_trip_leaves(void **state)
{
	iok_object_t *leaves[] = {
		iok_string_create("root string"),
		iok_string_create(""),
		iok_number_create(UINT64_MAX, 64),
		iok_number_create(3, 16),
		iok_number_create_float_bits(1, 32),
		iok_data_create("\0\0\0\0\0", 5),
		iok_data_create(NULL, 0),
		iok_array_create(0),
		iok_dict_create(0),
	};

	(void)state;
	round_trip(iok_boolean(true));
	round_trip(iok_boolean(false));
	for (size_t i = 0; i < sizeof(leaves) / sizeof(leaves[0]); i++) {
		round_trip(leaves[i]);
		iok_release(leaves[i]);
	}
}

/* Nesting of exactly IOK_SERIALIZE_MAX_DEPTH containers works both ways;
 * one more is refused by the encoder. */
static void test_round_trip_depth(void **state)
{
	iok_object_t *root = iok_dict_create(0), *cur = root;
	uint8_t *buf = (uint8_t *)&buf;
	size_t len = 1;

	(void)state;
	for (int i = 1; i < IOK_SERIALIZE_MAX_DEPTH; i++) {
		iok_object_t *next = i % 2 ? iok_array_create(0) : iok_dict_create(0);

		if (iok_type(cur) == IOK_TYPE_ARRAY)
			iok_array_append(cur, next);
		else
			iok_dict_set(cur, "k", next);
		iok_release(next);
		cur = next;
	}
	iok_array_append(cur, iok_boolean(true));
	round_trip(root);

	iok_object_t *deeper = iok_array_create(0);

	iok_array_remove(cur, 0);
	iok_array_append(cur, deeper);
	assert_int_equal(iok_serialize(root, &buf, &len), -EINVAL);
	assert_null(buf);
	assert_int_equal(len, 0);
	iok_release(deeper);
	iok_release(root);
}

static void test_serialize_errors(void **state)
{
	iok_object_t *arr = iok_array_create(0);
	iok_object_t *other = iok_malloc(sizeof(*other));
	static const struct iok_object_kind other_kind = {
		.type = IOK_TYPE_ENTRY, .name = "entry", .free = NULL,
	};
	uint8_t *buf;
	size_t len;

	(void)state;
	iok_object_init(other, &other_kind);
	assert_int_equal(iok_serialize(NULL, &buf, &len), -EINVAL);
	assert_int_equal(iok_serialize(arr, NULL, &len), -EINVAL);
	assert_int_equal(iok_serialize(arr, &buf, NULL), -EINVAL);
	/* A non-property object anywhere in the tree. */
	assert_int_equal(iok_serialize(other, &buf, &len), -EINVAL);
	iok_array_append(arr, iok_boolean(true));
	iok_array_append(arr, other);
	assert_int_equal(iok_serialize(arr, &buf, &len), -EINVAL);
	assert_null(buf);
	iok_release(arr);
	iok_free(other);
}

/* ---- what the decoder accepts ------------------------------------------------- */

static void test_accept_apple_forms(void **state)
{
	struct stream s;
	iok_object_t *o;

	(void)state;
	/* A Set decodes as an array. */
	s_init(&s);
	s_u32(&s, END | SET | 2);
	s_num(&s, 1, 32, 0);
	s_num(&s, 2, 32, END);
	o = expect_accept(&s);
	assert_int_equal(iok_type(o), IOK_TYPE_ARRAY);
	assert_int_equal(iok_array_count(o), 2);
	iok_release(o);

	/* A String as a key, a Symbol as a value. */
	s_init(&s);
	s_u32(&s, END | DICT | 1);
	s_str(&s, "key", 0);
	s_sym(&s, "val", END);
	o = expect_accept(&s);
	assert_string_equal(iok_string_cstr(iok_dict_get(o, "key")), "val");
	iok_release(o);

	/* The count is only a hint: the end flag closes the collection. */
	s_init(&s);
	s_u32(&s, END | DICT | 0xffffff);
	s_sym(&s, "k", 0);
	s_u32(&s, END | BOOL | 1);
	o = expect_accept(&s);
	assert_int_equal(iok_dict_count(o), 1);
	iok_release(o);
	s_init(&s);
	s_u32(&s, END | ARR | 1);
	s_num(&s, 1, 8, 0);
	s_num(&s, 2, 8, 0);
	s_num(&s, 3, 8, END);
	o = expect_accept(&s);
	assert_int_equal(iok_array_count(o), 3);
	iok_release(o);

	/* A repeated key replaces the value in place. */
	s_init(&s);
	s_u32(&s, END | DICT | 3);
	s_sym(&s, "a", 0);
	s_num(&s, 1, 32, 0);
	s_sym(&s, "b", 0);
	s_num(&s, 2, 32, 0);
	s_sym(&s, "a", 0);
	s_num(&s, 3, 32, END);
	o = expect_accept(&s);
	assert_int_equal(iok_dict_count(o), 2);
	assert_string_equal(iok_string_cstr(iok_dict_key_at(o, 0)), "a");
	assert_int_equal(iok_number_value(iok_dict_get(o, "a")), 3);
	iok_release(o);

	/* An empty key; values masked to their width; a root leaf. */
	s_init(&s);
	s_u32(&s, END | DICT | 1);
	s_sym(&s, "", 0);
	s_num(&s, 0x1ff, 8, END);
	o = expect_accept(&s);
	assert_int_equal(iok_number_value(iok_dict_get(o, "")), 0xff);
	iok_release(o);
	s_init(&s);
	s_str(&s, "alone", END);
	o = expect_accept(&s);
	assert_string_equal(iok_string_cstr(o), "alone");
	iok_release(o);

	/* The last child of a collection that is itself a last child closes
	 * both; an empty collection's end flag closes its parent. */
	s_init(&s);
	s_u32(&s, END | ARR | 2);
	s_num(&s, 1, 8, 0);
	s_u32(&s, END | ARR | 1);
	s_u32(&s, END | ARR | 1);
	s_u32(&s, END | DICT | 0);
	o = expect_accept(&s);
	assert_int_equal(iok_array_count(o), 2);
	assert_int_equal(iok_type(iok_array_get(iok_array_get(iok_array_get(o, 1), 0), 0)),
			 IOK_TYPE_DICTIONARY);
	iok_release(o);
}

/* Back-references: keys take an index, references do not. */
static void test_accept_references(void **state)
{
	struct stream s;
	iok_object_t *o;

	(void)state;
	/* 0 dict, 1 "k1", 2 "v1", 3 "k2", (ref 2), 4 "k3" (ref to key 1) */
	s_init(&s);
	s_u32(&s, END | DICT | 3);
	s_sym(&s, "k1", 0);
	s_str(&s, "v1", 0);
	s_sym(&s, "k2", 0);
	s_u32(&s, REF | 2);
	s_sym(&s, "k3", 0);
	s_u32(&s, END | REF | 1);
	o = expect_accept(&s);
	assert_ptr_equal(iok_dict_get(o, "k1"), iok_dict_get(o, "k2"));
	assert_string_equal(iok_string_cstr(iok_dict_get(o, "k3")), "k1");
	iok_release(o);

	/* A reference as a key, and a reference to a closed collection. */
	s_init(&s);
	s_u32(&s, END | ARR | 3);
	s_u32(&s, DICT | 1);          /* 1 */
	s_sym(&s, "name", 0);         /* 2 */
	s_num(&s, 5, 32, END);        /* 3 */
	s_u32(&s, DICT | 1);          /* 4 */
	s_u32(&s, REF | 2);
	s_u32(&s, END | REF | 1);
	s_u32(&s, END | REF | 4);
	o = expect_accept(&s);
	assert_int_equal(iok_array_count(o), 3);
	assert_ptr_equal(iok_array_get(o, 2), iok_array_get(o, 1));
	assert_int_equal(iok_number_value(iok_dict_get(iok_dict_get(iok_array_get(o, 1), "name"), "name")), 5);
	round_trip(o);
	iok_release(o);

	/* References do not take an index: here index 2 does not exist. */
	s_init(&s);
	s_u32(&s, END | ARR | 3);
	s_str(&s, "x", 0);
	s_u32(&s, REF | 1);
	s_u32(&s, END | REF | 2);
	expect_reject(&s);

	/* A boolean can be referenced. */
	s_init(&s);
	s_u32(&s, END | ARR | 2);
	s_u32(&s, BOOL | 1);
	s_u32(&s, END | REF | 1);
	o = expect_accept(&s);
	assert_ptr_equal(iok_array_get(o, 1), iok_boolean(true));
	iok_release(o);
}

/* ---- what the decoder rejects ------------------------------------------------- */

static void test_reject_arguments(void **state)
{
	iok_object_t *o = NULL;
	struct stream s;

	(void)state;
	s_init(&s);
	s_u32(&s, END | BOOL | 1);
	assert_int_equal(decode(&s, &o), 0);
	assert_ptr_equal(o, iok_boolean(true));
	assert_int_equal(iok_unserialize(s.b, s.len, NULL), -EINVAL);
	o = (iok_object_t *)&o;
	assert_int_equal(iok_unserialize(NULL, s.len, &o), -EINVAL);
	assert_null(o);
	for (size_t len = 0; len < 4; len++)
		assert_int_equal(iok_unserialize(s.b, len, &o), -EINVAL);
}

static void test_reject_signature(void **state)
{
	static const uint8_t sigs[][4] = {
		{ 0xd4, 0, 0, 0 },    /* the indexed variant */
		{ 0xd3, 0, 0, 1 },
		{ 0xd3, 1, 0, 0 },
		{ 0, 0, 0, 0xd3 },
		{ '<', '?', 'x', 'm' },
	};
	struct stream s;

	(void)state;
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		s_init(&s);
		s_u32(&s, END | BOOL | 1);
		memcpy(s.b, sigs[i], 4);
		expect_reject(&s);
	}
	/* The signature alone: no root. */
	s_init(&s);
	expect_reject(&s);
}

/* Every proper prefix of a valid stream is truncated. */
static void test_reject_truncation(void **state)
{
	iok_object_t *t = rich_tree();
	iok_object_t *o = NULL;
	uint8_t *buf;
	size_t len;

	(void)state;
	assert_int_equal(iok_serialize(t, &buf, &len), 0);
	for (size_t n = 0; n < len; n++) {
		assert_int_equal(iok_unserialize(buf, n, &o), -EINVAL);
		assert_null(o);
	}
	iok_free(buf);
	iok_release(t);
}

static void test_reject_lengths(void **state)
{
	struct stream s;

	(void)state;
	/* Lengths far beyond the input. */
	static const uint32_t types[] = { SYM, STR, DATA };

	for (size_t i = 0; i < 3; i++) {
		for (uint32_t n = 5; n < 0x1000000; n = n * 3 + 1) {
			s_init(&s);
			s_u32(&s, END | types[i] | n);
			s_u32(&s, 0x61616161);
			expect_reject(&s);
		}
		s_init(&s);
		s_u32(&s, END | types[i] | 0xffffff);
		expect_reject(&s);
	}
	/* A number's payload cut short. */
	s_init(&s);
	s_u32(&s, END | NUM | 32);
	s_u32(&s, 1);
	expect_reject(&s);
	/* A huge count with nothing behind it: a capped hint, then truncation. */
	s_init(&s);
	s_u32(&s, END | ARR | 0xffffff);
	expect_reject(&s);
	s_init(&s);
	s_u32(&s, END | DICT | 0xffffff);
	expect_reject(&s);
	/* A collection that never ends. */
	s_init(&s);
	s_u32(&s, END | ARR | 2);
	s_num(&s, 1, 32, 0);
	s_num(&s, 2, 32, 0);
	expect_reject(&s);
}

static void test_reject_types(void **state)
{
	static const uint32_t bad[] = { 0x00, 0x05, 0x06, 0x07, 0x0d, 0x0e, 0x10, 0x40, 0x7f };
	struct stream s;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		s_init(&s);
		s_u32(&s, END | bad[i] << 24);
		s_u32(&s, 0);
		s_u32(&s, 0);
		expect_reject(&s);
		/* Also as a child. */
		s_init(&s);
		s_u32(&s, END | ARR | 1);
		s_u32(&s, END | bad[i] << 24);
		expect_reject(&s);
	}
	/* A boolean with bits other than bit 0. */
	s_init(&s);
	s_u32(&s, END | BOOL | 2);
	expect_reject(&s);
}

static void test_reject_keys(void **state)
{
	struct stream s;

	(void)state;
	/* Number, data, boolean, array, dictionary, reference to a number. */
	for (int kind = 0; kind < 7; kind++) {
		s_init(&s);
		s_u32(&s, END | ARR | 2);
		s_num(&s, 9, 32, 0);                  /* index 1 */
		s_u32(&s, END | DICT | 1);
		switch (kind) {
		case 0:
			s_num(&s, 1, 32, 0);
			break;
		case 1:
			s_u32(&s, DATA | 1);
			s_bytes(&s, "k", 1);
			break;
		case 2:
			s_u32(&s, BOOL | 1);
			break;
		case 3:
			s_u32(&s, ARR | 0);
			break;
		case 4:
			s_u32(&s, DICT | 1);
			s_sym(&s, "k", 0);
			s_num(&s, 1, 32, END);
			break;
		case 5:
			s_u32(&s, REF | 1);
			break;
		case 6:
			s_u32(&s, DICT | 0);
			break;
		}
		s_str(&s, "value", END);
		expect_reject(&s);
	}
	/* A dictionary that ends on a key. */
	s_init(&s);
	s_u32(&s, END | DICT | 1);
	s_sym(&s, "k", 0);
	s_str(&s, "v", 0);
	s_sym(&s, "dangling", END);
	expect_reject(&s);
	s_init(&s);
	s_u32(&s, END | DICT | 1);
	s_sym(&s, "k", END);
	expect_reject(&s);
	/* ... and the same once more in a nested dictionary. */
	s_init(&s);
	s_u32(&s, END | ARR | 1);
	s_u32(&s, END | DICT | 1);
	s_str(&s, "k", END);
	expect_reject(&s);
}

static void test_reject_strings(void **state)
{
	struct stream s;

	(void)state;
	/* Symbol without its NUL, of length 0, with an embedded NUL. */
	s_init(&s);
	s_u32(&s, END | DICT | 1);
	s_u32(&s, SYM | 2);
	s_bytes(&s, "ab", 2);
	s_str(&s, "v", END);
	expect_reject(&s);
	s_init(&s);
	s_u32(&s, END | DICT | 1);
	s_u32(&s, SYM | 0);
	s_str(&s, "v", END);
	expect_reject(&s);
	s_init(&s);
	s_u32(&s, END | DICT | 1);
	s_u32(&s, SYM | 4);
	s_bytes(&s, "a\0b", 4);
	s_str(&s, "v", END);
	expect_reject(&s);
	/* The same for a Symbol at the root. */
	s_init(&s);
	s_u32(&s, END | SYM | 3);
	s_bytes(&s, "abc", 3);
	expect_reject(&s);
	/* Strings with an embedded or a trailing NUL. */
	s_init(&s);
	s_u32(&s, END | STR | 3);
	s_bytes(&s, "a\0b", 3);
	expect_reject(&s);
	s_init(&s);
	s_u32(&s, END | STR | 2);
	s_bytes(&s, "a", 2);
	expect_reject(&s);
	/* A String key with a NUL. */
	s_init(&s);
	s_u32(&s, END | DICT | 1);
	s_u32(&s, STR | 2);
	s_bytes(&s, "k", 2);
	s_str(&s, "v", END);
	expect_reject(&s);
}

static void test_reject_number_widths(void **state)
{
	static const uint32_t bad[] = { 0, 1, 7, 9, 12, 15, 24, 30, 33, 48, 62, 65, 128, 0xffffff };
	struct stream s;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		s_init(&s);
		s_num(&s, 1, bad[i], END);
		expect_reject(&s);
	}
}

static void test_reject_references(void **state)
{
	struct stream s;

	(void)state;
	/* As the root, past the end of the table, far out of range. */
	s_init(&s);
	s_u32(&s, END | REF | 0);
	expect_reject(&s);
	s_init(&s);
	s_u32(&s, END | ARR | 2);
	s_num(&s, 1, 32, 0);
	s_u32(&s, END | REF | 2);
	expect_reject(&s);
	s_init(&s);
	s_u32(&s, END | ARR | 1);
	s_u32(&s, END | REF | 0xffffff);
	expect_reject(&s);
	/* To the root, which is still open (a cycle). */
	s_init(&s);
	s_u32(&s, END | ARR | 1);
	s_u32(&s, END | REF | 0);
	expect_reject(&s);
	/* To an enclosing collection that is still open. */
	s_init(&s);
	s_u32(&s, END | DICT | 1);
	s_sym(&s, "a", 0);
	s_u32(&s, END | ARR | 2);         /* index 2 */
	s_num(&s, 1, 32, 0);
	s_u32(&s, END | REF | 2);
	expect_reject(&s);
	/* The same reference after the collection closed is fine. */
	s_init(&s);
	s_u32(&s, END | DICT | 2);
	s_sym(&s, "a", 0);
	s_u32(&s, ARR | 1);               /* index 2 */
	s_num(&s, 1, 32, END);
	s_sym(&s, "b", 0);
	s_u32(&s, END | REF | 2);
	iok_object_t *o = expect_accept(&s);

	assert_ptr_equal(iok_dict_get(o, "a"), iok_dict_get(o, "b"));
	iok_release(o);
}

static void test_reject_depth(void **state)
{
	struct stream s;
	iok_object_t *o;

	(void)state;
	/* MAX_DEPTH nested arrays are fine, one more is not (empty or not). */
	for (int extra = 0; extra < 3; extra++) {
		int levels = IOK_SERIALIZE_MAX_DEPTH + (extra ? 1 : 0);

		s_init(&s);
		for (int i = 0; i < levels - 1; i++)
			s_u32(&s, END | ARR | 1);
		if (extra == 2)
			s_u32(&s, END | ARR | 0);
		else
			s_u32(&s, END | DICT | 0);
		if (extra) {
			expect_reject(&s);
		} else {
			o = expect_accept(&s);
			round_trip(o);
			iok_release(o);
		}
	}
	/* Depth reached through a reference to a closed collection. */
	s_init(&s);
	s_u32(&s, END | ARR | 2);
	s_u32(&s, ARR | 1);                  /* index 1: three levels deep */
	s_u32(&s, END | ARR | 1);
	s_u32(&s, END | ARR | 0);
	for (int i = 0; i < IOK_SERIALIZE_MAX_DEPTH - 3; i++)
		s_u32(&s, END | ARR | 1);
	s_u32(&s, END | REF | 1);
	expect_reject(&s);
	/* One level shallower, it fits. */
	s.len = 4;
	s_u32(&s, END | ARR | 2);
	s_u32(&s, ARR | 1);
	s_u32(&s, END | ARR | 1);
	s_u32(&s, END | ARR | 0);
	for (int i = 0; i < IOK_SERIALIZE_MAX_DEPTH - 4; i++)
		s_u32(&s, END | ARR | 1);
	s_u32(&s, END | REF | 1);
	o = expect_accept(&s);
	round_trip(o);
	iok_release(o);
}

static void test_reject_trailing_and_root(void **state)
{
	struct stream s;

	(void)state;
	s_init(&s);
	s_u32(&s, END | BOOL | 1);
	s_u32(&s, 0);
	expect_reject(&s);
	s_init(&s);
	s_u32(&s, END | BOOL | 1);
	s.b[s.len++] = 0;
	expect_reject(&s);
	s_init(&s);
	s_u32(&s, END | ARR | 1);
	s_num(&s, 1, 32, END);
	s_u32(&s, END | BOOL | 1);         /* a second root */
	expect_reject(&s);
	/* A root without the end flag. */
	s_init(&s);
	s_u32(&s, BOOL | 1);
	expect_reject(&s);
	s_init(&s);
	s_u32(&s, BOOL | 1);
	s_u32(&s, END | BOOL | 1);
	expect_reject(&s);
	s_init(&s);
	s_u32(&s, ARR | 1);
	s_num(&s, 1, 32, END);
	expect_reject(&s);
}

/* References that would describe an enormous tree in a few bytes. */
static void test_reject_expansion(void **state)
{
	static const uint32_t levels[] = { 3, 39 };
	struct stream s;

	(void)state;
	/* Each array holds two references to the previous one: a tree of
	 * 2^levels strings.  A few levels are fine, many are not. */
	for (size_t l = 0; l < 2; l++) {
		uint32_t index = 1;

		s_init(&s);
		s_u32(&s, END | ARR | 40);
		s_u32(&s, ARR | 1);                  /* index 1 */
		s_str(&s, "0123456789abcdef", END);  /* index 2 */
		for (uint32_t i = 0; i < levels[l]; i++) {
			s_u32(&s, ARR | 2 | (i + 1 == levels[l] ? END : 0));
			s_u32(&s, REF | index);
			s_u32(&s, END | REF | index);
			index = 3 + i;
		}
		if (l) {
			expect_reject(&s);
		} else {
			iok_object_t *o = expect_accept(&s);

			round_trip(o);
			iok_release(o);
		}
	}
}

/* ---- robustness ------------------------------------------------------------- */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint32_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 16);
}

static void mutate(uint8_t *buf, size_t *len, size_t cap)
{
	static const uint32_t types[] = { DICT, ARR, SET, NUM, SYM, STR, DATA, BOOL, REF, 0x0d000000 };
	size_t n = *len;
	size_t at = n ? rng() % n : 0;
	uint32_t key;

	switch (rng() % 8) {
	case 0:
		buf[at] ^= (uint8_t)(1u << (rng() % 8));
		break;
	case 1:
		buf[at] = (uint8_t)rng();
		break;
	case 2:     /* a plausible key at a word boundary */
		at &= ~(size_t)3;
		key = types[rng() % 10] | (rng() % 2 ? END : 0) | (rng() % 4 ? rng() % 70 : rng() & 0xffffff);
		if (at + 4 <= n)
			memcpy(buf + at, &key, 4);
		break;
	case 3:
		*len = at;
		break;
	case 4:     /* duplicate a word */
		at &= ~(size_t)3;
		if (n + 4 <= cap && at + 4 <= n) {
			memmove(buf + at + 4, buf + at, n - at);
			*len = n + 4;
		}
		break;
	case 5:     /* delete a word */
		at &= ~(size_t)3;
		if (at + 4 <= n) {
			memmove(buf + at, buf + at + 4, n - at - 4);
			*len = n - 4;
		}
		break;
	case 6:     /* toggle an end flag */
		at &= ~(size_t)3;
		if (at + 4 <= n)
			buf[at + 3] ^= 0x80;
		break;
	default:    /* a small back-reference */
		at &= ~(size_t)3;
		key = REF | (rng() % 2 ? END : 0) | rng() % 40;
		if (at + 4 <= n)
			memcpy(buf + at, &key, 4);
		break;
	}
}

static void test_random_mutations(void **state)
{
	iok_object_t *t = rich_tree();
	uint8_t *base, work[4096];
	size_t base_len;
	int accepted = 0;

	(void)state;
	assert_int_equal(iok_serialize(t, &base, &base_len), 0);
	assert_true(base_len + 64 <= sizeof(work));
	for (int iter = 0; iter < 20000; iter++) {
		size_t len = base_len;
		int rounds = 1 + (int)(rng() % 4);
		iok_object_t *o = NULL, *back = NULL;
		uint8_t *buf;
		size_t blen;

		memcpy(work, base, base_len);
		for (int r = 0; r < rounds; r++)
			mutate(work, &len, sizeof(work));
		if (iok_unserialize(work, len, &o)) {
			assert_null(o);
			continue;
		}
		accepted++;
		assert_int_equal(iok_serialize(o, &buf, &blen), 0);
		assert_int_equal(iok_unserialize(buf, blen, &back), 0);
		assert_true(iok_equal(o, back));
		iok_free(buf);
		iok_release(back);
		iok_release(o);
	}
	assert_true(accepted > 0);
	iok_free(base);
	iok_release(t);
}

/* Every allocation of a decode, an encode and a copy fails in turn: the
 * result is -ENOMEM (or NULL) and nothing leaks. */
static void test_allocation_failures(void **state)
{
	long start = live_allocs;
	iok_object_t *t = rich_tree();
	uint8_t *buf;
	size_t len;
	long base;
	bool done;

	(void)state;
	assert_int_equal(iok_serialize(t, &buf, &len), 0);
	base = live_allocs;
	done = false;
	for (long n = 0; !done; n++) {
		iok_object_t *o = NULL;
		int ret;

		fail_countdown = n;
		ret = iok_unserialize(buf, len, &o);
		done = fail_countdown >= 0;
		fail_countdown = -1;
		if (ret) {
			assert_false(done);
			assert_int_equal(ret, -ENOMEM);
			assert_null(o);
		} else {
			assert_true(iok_equal(o, t));
			iok_release(o);
		}
		assert_int_equal(live_allocs, base);
	}

	done = false;
	for (long n = 0; !done; n++) {
		uint8_t *out = NULL;
		size_t out_len = 0;
		int ret;

		fail_countdown = n;
		ret = iok_serialize(t, &out, &out_len);
		done = fail_countdown >= 0;
		fail_countdown = -1;
		if (ret) {
			assert_int_equal(ret, -ENOMEM);
			assert_null(out);
		} else {
			assert_int_equal(out_len, len);
			iok_free(out);
		}
		assert_int_equal(live_allocs, base);
	}

	done = false;
	for (long n = 0; !done; n++) {
		iok_object_t *c;

		fail_countdown = n;
		c = iok_copy(t);
		done = fail_countdown >= 0;
		fail_countdown = -1;
		if (c) {
			assert_true(iok_equal(c, t));
			iok_release(c);
		}
		assert_int_equal(live_allocs, base);
	}

	/* Setters under failure leave the dictionary as it was. */
	iok_object_t *d = iok_dict_create(0);

	for (int i = 0; i < 50; i++) {
		char key[16];

		snprintf(key, sizeof(key), "k%d", i);
		fail_countdown = 0;
		assert_int_equal(iok_dict_set_string(d, key, "v"), -ENOMEM);
		fail_countdown = -1;
		assert_null(iok_dict_get(d, key));
		assert_int_equal(iok_dict_set_string(d, key, "v"), 0);
	}
	assert_int_equal(iok_dict_count(d), 50);
	iok_release(d);

	iok_free(buf);
	iok_release(t);
	assert_int_equal(live_allocs, start);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout_dict),
		cmocka_unit_test(test_layout_array),
		cmocka_unit_test(test_layout_leaf_roots),
		cmocka_unit_test(test_round_trip_tree),
		cmocka_unit_test(test_round_trip_leaves),
		cmocka_unit_test(test_round_trip_depth),
		cmocka_unit_test(test_serialize_errors),
		cmocka_unit_test(test_accept_apple_forms),
		cmocka_unit_test(test_accept_references),
		cmocka_unit_test(test_reject_arguments),
		cmocka_unit_test(test_reject_signature),
		cmocka_unit_test(test_reject_truncation),
		cmocka_unit_test(test_reject_lengths),
		cmocka_unit_test(test_reject_types),
		cmocka_unit_test(test_reject_keys),
		cmocka_unit_test(test_reject_strings),
		cmocka_unit_test(test_reject_number_widths),
		cmocka_unit_test(test_reject_references),
		cmocka_unit_test(test_reject_depth),
		cmocka_unit_test(test_reject_trailing_and_root),
		cmocka_unit_test(test_reject_expansion),
		cmocka_unit_test(test_random_mutations),
		cmocka_unit_test(test_allocation_failures),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
