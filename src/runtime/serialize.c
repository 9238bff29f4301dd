// SPDX-License-Identifier: MIT
/*
 * serialize.c - Apple's binary property serialization (the format of
 * OSSerializeBinary / OSUnserializeBinary and IOCFSerialize's binary path).
 *
 * A stream is the signature D3 00 00 00 followed by objects.  Each object
 * is a native-endian 32-bit key (type in bits 24-30, a length or count in
 * the low 24 bits, bit 31 set on the last element of its container and on
 * the root) and a payload zero-padded to a multiple of 4 bytes.
 *
 * The decoder follows OSUnserializeBinary: a collection's children are read
 * until one carries the end flag (a count of 0 means no children, any other
 * count is only a size hint), and every object that is not a back-reference
 * gets the next index for back-references, dictionary keys included.  It
 * trusts nothing: every length is checked against the bytes that remain,
 * and it also refuses inputs whose back-references would make the tree,
 * written out in full, more than SER_MAX_EXPANSION times the input (a few
 * bytes of references could otherwise describe a tree of any size, which
 * every later walk, copy or re-serialization would pay for).
 *
 * The encoder writes dictionary keys as Symbols, every other string as a
 * String, exact counts, and no back-references.  Numbers are written as
 * two native-endian 32-bit words, low word first (the order xnu reads).
 */
#include "iok_os.h"
#include "iok_export.h"

#include <IOKit/driver/iok_object.h>

#define SER_END         0x80000000u
#define SER_TYPE_MASK   0x7f000000u
#define SER_DATA_MASK   0x00ffffffu

#define SER_DICTIONARY  0x01000000u
#define SER_ARRAY       0x02000000u
#define SER_SET         0x03000000u
#define SER_NUMBER      0x04000000u
#define SER_SYMBOL      0x08000000u
#define SER_STRING      0x09000000u
#define SER_DATA        0x0a000000u
#define SER_BOOLEAN     0x0b000000u
#define SER_OBJECT      0x0c000000u

/* Number widths that mark a float / double bit pattern. */
#define SER_FLOAT32     31u
#define SER_FLOAT64     63u

#define SER_MAX_EXPANSION 16u

static const uint8_t ser_signature[4] = { 0xd3, 0x00, 0x00, 0x00 };

/* n rounded up to a multiple of 4, for n < 2^24 + 8 (never overflows). */
static size_t pad4(size_t n)
{
	return (n + 3) & ~(size_t)3;
}

static uint64_t sat_add(uint64_t a, uint64_t b)
{
	uint64_t sum;

	return iok_add_overflow(a, b, &sum) ? UINT64_MAX : sum;
}

static bool has_nul(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!s[i])
			return true;
	return false;
}

/* ---- encoder ------------------------------------------------------------ */

struct wbuf {
	uint8_t *p;
	size_t len;
	size_t cap;
};

/* Appends n bytes of room to w and returns where they start. */
static uint8_t *wbuf_extend(struct wbuf *w, size_t n)
{
	size_t need, ncap;
	uint8_t *p;

	if (iok_add_overflow(w->len, n, &need))
		return NULL;
	if (need > w->cap) {
		ncap = w->cap ? w->cap : 256;
		while (ncap < need)
			if (iok_mul_overflow(ncap, (size_t)2, &ncap))
				return NULL;
		p = iok_realloc(w->p, ncap);
		if (!p)
			return NULL;
		w->p = p;
		w->cap = ncap;
	}
	p = w->p + w->len;
	w->len = need;
	return p;
}

static int put_u32(struct wbuf *w, uint32_t v)
{
	uint8_t *p = wbuf_extend(w, sizeof(v));

	if (!p)
		return -ENOMEM;
	memcpy(p, &v, sizeof(v));
	return 0;
}

static int put_key(struct wbuf *w, uint32_t type, size_t data, bool end)
{
	if (data > SER_DATA_MASK)
		return -EINVAL;
	return put_u32(w, type | (uint32_t)data | (end ? SER_END : 0));
}

/* Writes n bytes, then zeros up to the padded size of total (>= n) bytes. */
static int put_payload(struct wbuf *w, const void *bytes, size_t n, size_t total)
{
	size_t padded = pad4(total);
	uint8_t *p = wbuf_extend(w, padded);

	if (!p)
		return -ENOMEM;
	if (n)
		memcpy(p, bytes, n);
	memset(p + n, 0, padded - n);
	return 0;
}

static int encode(struct wbuf *w, const iok_object_t *obj, bool end, unsigned depth);

/* Keys become Symbols (with their NUL); values, and keys too long for a
 * Symbol's 24-bit length, become Strings. */
static int encode_string(struct wbuf *w, const iok_object_t *obj, bool end, bool as_key)
{
	const char *s = iok_string_cstr(obj);
	size_t len = iok_string_length(obj);
	int ret;

	if (!s)
		return -EINVAL;
	if (as_key && len < SER_DATA_MASK) {
		ret = put_key(w, SER_SYMBOL, len + 1, end);
		return ret ? ret : put_payload(w, s, len, len + 1);
	}
	ret = put_key(w, SER_STRING, len, end);
	return ret ? ret : put_payload(w, s, len, len);
}

static int encode_number(struct wbuf *w, const iok_object_t *obj, bool end)
{
	uint64_t value = iok_number_value(obj);
	unsigned bits = iok_number_bits(obj);
	uint32_t words[2] = { (uint32_t)value, (uint32_t)(value >> 32) };
	int ret;

	if (!bits)
		return -EINVAL;
	if (iok_number_is_float(obj))
		bits = bits == 32 ? SER_FLOAT32 : SER_FLOAT64;
	ret = put_key(w, SER_NUMBER, bits, end);
	return ret ? ret : put_payload(w, words, sizeof(words), sizeof(words));
}

static int encode_data(struct wbuf *w, const iok_object_t *obj, bool end)
{
	const void *bytes = iok_data_bytes(obj);
	size_t len = iok_data_length(obj);
	int ret;

	if (!bytes)
		return -EINVAL;
	ret = put_key(w, SER_DATA, len, end);
	return ret ? ret : put_payload(w, bytes, len, len);
}

static int encode_array(struct wbuf *w, const iok_object_t *obj, bool end, unsigned depth)
{
	size_t n = iok_array_count(obj);
	int ret;

	ret = put_key(w, SER_ARRAY, n, end);
	for (size_t i = 0; !ret && i < n; i++)
		ret = encode(w, iok_array_get(obj, i), i + 1 == n, depth);
	return ret;
}

static int encode_dict(struct wbuf *w, const iok_object_t *obj, bool end, unsigned depth)
{
	size_t n = iok_dict_count(obj);
	int ret;

	ret = put_key(w, SER_DICTIONARY, n, end);
	for (size_t i = 0; !ret && i < n; i++) {
		ret = encode_string(w, iok_dict_key_at(obj, i), false, true);
		if (!ret)
			ret = encode(w, iok_dict_value_at(obj, i), i + 1 == n, depth);
	}
	return ret;
}

/* depth is the number of containers around obj. */
static int encode(struct wbuf *w, const iok_object_t *obj, bool end, unsigned depth)
{
	switch (iok_type(obj)) {
	case IOK_TYPE_STRING:
		return encode_string(w, obj, end, false);
	case IOK_TYPE_NUMBER:
		return encode_number(w, obj, end);
	case IOK_TYPE_DATA:
		return encode_data(w, obj, end);
	case IOK_TYPE_BOOLEAN:
		return put_key(w, SER_BOOLEAN, iok_boolean_value(obj) ? 1 : 0, end);
	case IOK_TYPE_ARRAY:
		if (depth >= IOK_SERIALIZE_MAX_DEPTH)
			return -EINVAL;
		return encode_array(w, obj, end, depth + 1);
	case IOK_TYPE_DICTIONARY:
		if (depth >= IOK_SERIALIZE_MAX_DEPTH)
			return -EINVAL;
		return encode_dict(w, obj, end, depth + 1);
	default:
		return -EINVAL;
	}
}

IOK_EXPORT int iok_serialize(const iok_object_t *obj, uint8_t **out, size_t *out_len)
{
	struct wbuf w = { 0 };
	uint8_t *sig;
	int ret;

	if (!out || !out_len)
		return -EINVAL;
	*out = NULL;
	*out_len = 0;
	if (!obj)
		return -EINVAL;
	sig = wbuf_extend(&w, sizeof(ser_signature));
	if (!sig)
		return -ENOMEM;
	memcpy(sig, ser_signature, sizeof(ser_signature));
	ret = encode(&w, obj, true, 0);
	if (ret) {
		iok_free(w.p);
		return ret;
	}
	*out = w.p;
	*out_len = w.len;
	return 0;
}

/* ---- decoder ------------------------------------------------------------ */

/* Every object read that is not a back-reference, by index. */
struct entry {
	iok_object_t *obj;      /* the table holds a reference */
	uint64_t weight;        /* its size written out without back-references */
	uint32_t height;        /* container levels it spans (0 for a leaf) */
	bool open;              /* a collection whose children are still coming */
};

/* An open collection. */
struct frame {
	iok_object_t *coll;
	iok_object_t *key;      /* pending dictionary key (held by the table) */
	size_t entry;           /* the collection's table index */
	uint64_t weight;
	uint32_t height;        /* height of its tallest child */
	bool ending;            /* a child carried the end flag */
};

struct reader {
	const uint8_t *buf;
	size_t len;
	size_t pos;
	uint64_t max_weight;
	struct entry *table;
	size_t count;
	size_t cap;
	struct frame *stack;    /* IOK_SERIALIZE_MAX_DEPTH frames */
	unsigned depth;
	iok_object_t *root;
	bool done;
};

/* What one object of the stream turned out to be. */
struct item {
	iok_object_t *obj;      /* held by the table */
	size_t entry;
	uint64_t weight;
	uint32_t height;
	bool opens;             /* a collection whose children follow */
};

/* Takes n payload bytes and their padding: NULL if the input is short. */
static const uint8_t *take(struct reader *r, size_t n)
{
	const uint8_t *p;
	size_t padded = pad4(n);

	if (padded > r->len - r->pos)
		return NULL;
	p = r->buf + r->pos;
	r->pos += padded;
	return p;
}

/* Hands a new object (obj, or NULL when its allocation failed) to the table. */
static int add_entry(struct reader *r, iok_object_t *obj, struct item *it)
{
	struct entry *e;

	if (!obj)
		return -ENOMEM;
	if (r->count == r->cap) {
		size_t ncap = r->cap ? r->cap * 2 : 16;
		size_t bytes;

		if (iok_mul_overflow(ncap, sizeof(*e), &bytes))
			goto nomem;
		e = iok_realloc(r->table, bytes);
		if (!e)
			goto nomem;
		r->table = e;
		r->cap = ncap;
	}
	e = &r->table[r->count];
	e->obj = obj;
	e->weight = it->weight;
	e->height = it->height;
	e->open = it->opens;
	it->obj = obj;
	it->entry = r->count++;
	return 0;
nomem:
	iok_release(obj);
	return -ENOMEM;
}

static int read_collection(struct reader *r, uint32_t type, size_t n, struct item *it)
{
	size_t room = r->len - r->pos;
	iok_object_t *obj;

	it->opens = n != 0;
	it->height = 1;
	it->weight = 4;
	/* Each pair takes at least 8 bytes, each element 4. */
	if (type == SER_DICTIONARY)
		obj = iok_dict_create(n < room / 8 ? n : room / 8);
	else
		obj = iok_array_create(n < room / 4 ? n : room / 4);
	return add_entry(r, obj, it);
}

static int read_number(struct reader *r, size_t width, struct item *it)
{
	const uint8_t *p = take(r, 8);
	uint32_t words[2];
	uint64_t value;
	iok_object_t *obj;

	if (!p)
		return -EINVAL;
	memcpy(words, p, sizeof(words));
	value = (uint64_t)words[1] << 32 | words[0];
	switch (width) {
	case 8: case 16: case 32: case 64:
		obj = iok_number_create(value, (unsigned)width);
		break;
	case SER_FLOAT32:
		obj = iok_number_create_float_bits(value, 32);
		break;
	case SER_FLOAT64:
		obj = iok_number_create_float_bits(value, 64);
		break;
	default:
		return -EINVAL;
	}
	it->weight = 12;
	return add_entry(r, obj, it);
}

/* A Symbol's length counts its NUL; a String's does not.  Neither may
 * contain a NUL of its own. */
static int read_string(struct reader *r, size_t n, bool symbol, struct item *it)
{
	const char *p = (const char *)take(r, n);
	size_t len = n;

	if (!p)
		return -EINVAL;
	if (symbol) {
		if (!n || p[n - 1])
			return -EINVAL;
		len = n - 1;
	}
	if (has_nul(p, len))
		return -EINVAL;
	it->weight = 4 + pad4(len + 1);
	return add_entry(r, iok_string_create_len(p, len), it);
}

static int read_data(struct reader *r, size_t n, struct item *it)
{
	const uint8_t *p = take(r, n);

	if (!p)
		return -EINVAL;
	it->weight = 4 + pad4(n);
	return add_entry(r, iok_data_create(p, n), it);
}

/* A back-reference: an earlier object that is complete (not an open
 * collection, which would make a cycle). */
static int read_ref(struct reader *r, size_t index, struct item *it)
{
	const struct entry *e;

	if (index >= r->count)
		return -EINVAL;
	e = &r->table[index];
	if (e->open)
		return -EINVAL;
	it->obj = e->obj;
	it->entry = index;
	it->weight = e->weight;
	it->height = e->height;
	return 0;
}

static int read_item(struct reader *r, uint32_t key, struct item *it)
{
	size_t n = key & SER_DATA_MASK;

	memset(it, 0, sizeof(*it));
	switch (key & SER_TYPE_MASK) {
	case SER_DICTIONARY:
		return read_collection(r, SER_DICTIONARY, n, it);
	case SER_ARRAY:
	case SER_SET:
		return read_collection(r, SER_ARRAY, n, it);
	case SER_NUMBER:
		return read_number(r, n, it);
	case SER_SYMBOL:
		return read_string(r, n, true, it);
	case SER_STRING:
		return read_string(r, n, false, it);
	case SER_DATA:
		return read_data(r, n, it);
	case SER_BOOLEAN:
		if (n > 1)
			return -EINVAL;
		it->weight = 4;
		return add_entry(r, iok_boolean(n), it);
	case SER_OBJECT:
		return read_ref(r, n, it);
	default:
		return -EINVAL;
	}
}

/* Adds a finished child's size to its parent. */
static int account(struct reader *r, struct frame *f, uint64_t weight, uint32_t height)
{
	f->weight = sat_add(f->weight, weight);
	if (height > f->height)
		f->height = height;
	return f->weight > r->max_weight ? -EINVAL : 0;
}

static void push(struct reader *r, const struct item *it)
{
	struct frame *f = &r->stack[r->depth++];

	memset(f, 0, sizeof(*f));
	f->coll = it->obj;
	f->entry = it->entry;
	f->weight = 4;
}

/* Closes the innermost collection, and every enclosing one whose last
 * child it was. */
static int close_frames(struct reader *r)
{
	for (;;) {
		struct frame *f = &r->stack[--r->depth];
		struct entry *e = &r->table[f->entry];
		int ret;

		if (f->key || f->weight > r->max_weight)
			return -EINVAL;
		e->open = false;
		e->weight = f->weight;
		e->height = f->height + 1;
		if (!r->depth) {
			r->done = true;
			return 0;
		}
		f = &r->stack[r->depth - 1];
		ret = account(r, f, e->weight, e->height);
		if (ret || !f->ending)
			return ret;
	}
}

/* Puts what was just read where it belongs: root, key, or value. */
static int place(struct reader *r, const struct item *it, bool end)
{
	struct frame *f;
	bool is_dict;
	int ret;

	if (!r->depth) {
		if (!end)
			return -EINVAL;
		r->root = it->obj;
		if (it->opens)
			push(r, it);
		else
			r->done = true;
		return 0;
	}
	f = &r->stack[r->depth - 1];
	is_dict = iok_type(f->coll) == IOK_TYPE_DICTIONARY;
	if (is_dict && !f->key) {
		if (end || iok_type(it->obj) != IOK_TYPE_STRING)
			return -EINVAL;
		f->key = it->obj;
		return account(r, f, it->weight, 0);
	}
	if (r->depth + it->height > IOK_SERIALIZE_MAX_DEPTH)
		return -EINVAL;
	if (is_dict)
		ret = iok_dict_set_key(f->coll, f->key, it->obj);
	else
		ret = iok_array_append(f->coll, it->obj);
	f->key = NULL;
	if (ret)
		return ret;
	if (end)
		f->ending = true;
	if (it->opens) {
		push(r, it);
		return 0;
	}
	ret = account(r, f, it->weight, it->height);
	if (ret || !end)
		return ret;
	return close_frames(r);
}

static int read_one(struct reader *r)
{
	struct item it;
	uint32_t key;
	int ret;

	if (r->len - r->pos < sizeof(key))
		return -EINVAL;
	memcpy(&key, r->buf + r->pos, sizeof(key));
	r->pos += sizeof(key);
	ret = read_item(r, key, &it);
	return ret ? ret : place(r, &it, key & SER_END);
}

IOK_EXPORT int iok_unserialize(const void *buf, size_t len, iok_object_t **out)
{
	struct reader r = { 0 };
	int ret;

	if (!out)
		return -EINVAL;
	*out = NULL;
	if (!buf || len < sizeof(ser_signature) ||
	    memcmp(buf, ser_signature, sizeof(ser_signature)))
		return -EINVAL;
	r.buf = buf;
	r.len = len;
	r.pos = sizeof(ser_signature);
	if (iok_mul_overflow((uint64_t)len, (uint64_t)SER_MAX_EXPANSION, &r.max_weight))
		r.max_weight = UINT64_MAX;
	r.stack = iok_zalloc(IOK_SERIALIZE_MAX_DEPTH * sizeof(*r.stack));
	if (!r.stack)
		return -ENOMEM;

	do {
		ret = read_one(&r);
	} while (!ret && !r.done);
	if (!ret && r.pos != r.len)
		ret = -EINVAL;
	if (!ret)
		*out = iok_retain(r.root);

	for (size_t i = 0; i < r.count; i++)
		iok_release(r.table[i].obj);
	iok_free(r.table);
	iok_free(r.stack);
	return ret;
}
