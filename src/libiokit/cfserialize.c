// SPDX-License-Identifier: MIT
/*
 * cfserialize.c - IOCFSerialize / IOCFUnserialize: IOKit's two formats
 * for property trees, in CoreFoundation terms.
 *
 * Text (Apple's XML-like format, no prolog): <dict> of <key>/value pairs,
 * <array>, <set>, <string> and <key> with only <, > and & escaped,
 * <integer size="N">0x...</integer> (N from the number's type: 8, 16, 32,
 * else 64; a number with a fraction cannot be written), <data> in base64,
 * <true/> and <false/>.  A value object met more than once (by identity;
 * keys and booleans excepted) is written in full the first time with
 * ID="n" and then as <tag IDREF="n"/>.  A type with no tag becomes the
 * string "<string>typeID 0x.. not serializable</string>", as Apple's does.
 * The reader takes that format (and the kernel's): comments, <!...> and
 * <?...?> declarations and <plist> tags are skipped; integers are decimal
 * (optionally negative) or 0x with lowercase digits; sizes up to 32 give a
 * SInt32 number, larger a SInt64.  A <set> reads as a CFArray (this CF
 * subset has no CFSet).
 *
 * Binary (kIOCFSerializeToBinary): Apple's OSSerializeBinary stream as
 * IOKitUser writes it - 32-bit keys (type | length or count | last-in-
 * collection bit), payloads padded to 4 bytes, dictionary keys as symbols
 * (with their NUL), numbers as 8 bytes with width 8/16/32/64 (31 and 63
 * for float and double), every object numbered in order so that a later
 * occurrence of the same object (by identity) is a back-reference.
 */
#include "libiokit.h"

#include <IOKit/IOCFSerialize.h>
#include <IOKit/IOCFUnserialize.h>
#include <stdio.h>
#include <stdlib.h>

#define MAX_DEPTH 512

/* ---- helpers --------------------------------------------------------------- */

/* The UTF-8 bytes of s (all of them: a NUL character is a 0 byte) in *buf
 * (NUL-terminated, free it) and their length; false on failure. */
static bool utf8_of(CFStringRef s, char **buf, size_t *len)
{
	const char *p = CFStringGetCStringPtr(s, kCFStringEncodingUTF8);
	CFIndex n = CFStringGetLength(s);
	UniChar *u;
	size_t k = 0;

	if (p) {
		*len = strlen(p);
		*buf = malloc(*len + 1);
		if (!*buf)
			return false;
		memcpy(*buf, p, *len + 1);
		return true;
	}
	/* From UTF-16 (at most 3 bytes a unit; a pair makes 4 from 2). */
	u = malloc(((size_t)n + 1) * sizeof(*u));
	*buf = malloc(3 * (size_t)n + 1);
	if (!u || !*buf) {
		free(u);
		free(*buf);
		return false;
	}
	CFStringGetCharacters(s, CFRangeMake(0, n), u);
	for (CFIndex i = 0; i < n; i++) {
		uint32_t c = u[i];

		if (c >= 0xd800 && c < 0xdc00 && i + 1 < n && u[i + 1] >= 0xdc00 && u[i + 1] < 0xe000)
			c = 0x10000 + ((c - 0xd800) << 10) + (u[++i] - 0xdc00);
		else if (c >= 0xd800 && c < 0xe000)
			c = 0xfffd;   /* an unpaired surrogate */
		if (c < 0x80) {
			(*buf)[k++] = (char)c;
		} else if (c < 0x800) {
			(*buf)[k++] = (char)(0xc0 | c >> 6);
			(*buf)[k++] = (char)(0x80 | (c & 0x3f));
		} else if (c < 0x10000) {
			(*buf)[k++] = (char)(0xe0 | c >> 12);
			(*buf)[k++] = (char)(0x80 | ((c >> 6) & 0x3f));
			(*buf)[k++] = (char)(0x80 | (c & 0x3f));
		} else {
			(*buf)[k++] = (char)(0xf0 | c >> 18);
			(*buf)[k++] = (char)(0x80 | ((c >> 12) & 0x3f));
			(*buf)[k++] = (char)(0x80 | ((c >> 6) & 0x3f));
			(*buf)[k++] = (char)(0x80 | (c & 0x3f));
		}
	}
	(*buf)[k] = '\0';
	*len = k;
	free(u);
	return true;
}

/* ---- text writer ------------------------------------------------------------- */

struct seen {
	CFTypeRef obj;
	int times;
	int id;    /* -1 until written with ID= */
};

struct xml {
	CFMutableDataRef out;
	struct seen *v;
	size_t n, cap;
	int next_id;
};

static void put(struct xml *x, const char *s)
{
	CFDataAppendBytes(x->out, (const UInt8 *)s, (CFIndex)strlen(s));
}

static struct seen *find_seen(struct xml *x, CFTypeRef obj)
{
	for (size_t i = 0; i < x->n; i++)
		if (x->v[i].obj == obj)
			return &x->v[i];
	return NULL;
}

/* Only these types can be shared by ID (as in Apple's writer). */
static bool shareable(CFTypeRef obj)
{
	CFTypeID t = CFGetTypeID(obj);

	return t == CFDictionaryGetTypeID() || t == CFStringGetTypeID() ||
	       t == CFArrayGetTypeID() || t == CFNumberGetTypeID() || t == CFDataGetTypeID();
}

static bool note_seen(struct xml *x, CFTypeRef obj)
{
	struct seen *s;

	if (!shareable(obj))
		return true;
	s = find_seen(x, obj);
	if (s) {
		s->times++;
		return true;
	}
	if (x->n == x->cap) {
		size_t cap = x->cap ? 2 * x->cap : 32;
		struct seen *v = realloc(x->v, cap * sizeof(*v));

		if (!v)
			return false;
		x->v = v;
		x->cap = cap;
	}
	x->v[x->n++] = (struct seen){ obj, 1, -1 };
	return true;
}

/* Records every value of the tree (not dictionary keys). */
static bool scan(struct xml *x, CFTypeRef obj, unsigned depth)
{
	CFTypeID t = CFGetTypeID(obj);
	bool ok = depth < MAX_DEPTH && note_seen(x, obj);

	if (ok && t == CFDictionaryGetTypeID()) {
		CFIndex n = CFDictionaryGetCount(obj);
		const void **vals = calloc((size_t)n + 1, sizeof(*vals));

		if (!vals)
			return false;
		CFDictionaryGetKeysAndValues(obj, NULL, vals);
		for (CFIndex i = 0; ok && i < n; i++)
			ok = scan(x, vals[i], depth + 1);
		free(vals);
	} else if (ok && t == CFArrayGetTypeID()) {
		for (CFIndex i = 0; ok && i < CFArrayGetCount(obj); i++)
			ok = scan(x, CFArrayGetValueAtIndex(obj, i), depth + 1);
	}
	return ok;
}

static const char *tag_of(CFTypeRef obj)
{
	CFTypeID t = CFGetTypeID(obj);

	if (t == CFStringGetTypeID())
		return "string";
	if (t == CFNumberGetTypeID())
		return "integer";
	if (t == CFDataGetTypeID())
		return "data";
	if (t == CFDictionaryGetTypeID())
		return "dict";
	return "array";
}

/* Writes <tag IDREF="n"/> for an object already written with an ID. */
static bool written_before(struct xml *x, CFTypeRef obj)
{
	struct seen *s = find_seen(x, obj);
	char buf[64];

	if (!s || s->id < 0)
		return false;
	snprintf(buf, sizeof(buf), "<%s IDREF=\"%d\"/>", tag_of(obj), s->id);
	put(x, buf);
	return true;
}

static void start_tag(struct xml *x, CFTypeRef obj, const char *attrs)
{
	struct seen *s = find_seen(x, obj);
	char buf[128];

	if (s && s->times > 1 && s->id < 0) {
		s->id = x->next_id++;
		snprintf(buf, sizeof(buf), "<%s ID=\"%d\"%s%s>", tag_of(obj), s->id,
			 attrs ? " " : "", attrs ? attrs : "");
	} else {
		snprintf(buf, sizeof(buf), "<%s%s%s>", tag_of(obj), attrs ? " " : "",
			 attrs ? attrs : "");
	}
	put(x, buf);
}

static void end_tag(struct xml *x, CFTypeRef obj)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "</%s>", tag_of(obj));
	put(x, buf);
}

static bool put_escaped(struct xml *x, CFStringRef s)
{
	char *buf;
	size_t len, from = 0;

	if (!utf8_of(s, &buf, &len))
		return false;
	for (size_t i = 0; i < len; i++) {
		const char *rep = buf[i] == '<' ? "&lt;" : buf[i] == '>' ? "&gt;"
				: buf[i] == '&' ? "&amp;" : NULL;

		if (!rep)
			continue;
		CFDataAppendBytes(x->out, (const UInt8 *)buf + from, (CFIndex)(i - from));
		put(x, rep);
		from = i + 1;
	}
	CFDataAppendBytes(x->out, (const UInt8 *)buf + from, (CFIndex)(len - from));
	free(buf);
	return true;
}

static bool write_string(struct xml *x, CFStringRef s)
{
	if (written_before(x, s))
		return true;
	start_tag(x, s, NULL);
	if (!put_escaped(x, s))
		return false;
	end_tag(x, s);
	return true;
}

static bool write_number(struct xml *x, CFNumberRef n)
{
	long long v;
	char buf[40];
	int size;

	if (written_before(x, n))
		return true;
	if (!CFNumberGetValue(n, kCFNumberLongLongType, &v))
		return false;
	switch (CFNumberGetType(n)) {
	case kCFNumberSInt8Type:
	case kCFNumberCharType:
		size = 8;
		break;
	case kCFNumberSInt16Type:
	case kCFNumberShortType:
		size = 16;
		break;
	case kCFNumberSInt32Type:
	case kCFNumberIntType:
		size = 32;
		break;
	default:
		size = 64;
		break;
	}
	snprintf(buf, sizeof(buf), "size=\"%d\"", size);
	start_tag(x, n, buf);
	snprintf(buf, sizeof(buf), "0x%llx", (unsigned long long)v);
	put(x, buf);
	end_tag(x, n);
	return true;
}

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static void write_data(struct xml *x, CFDataRef d)
{
	const UInt8 *p = CFDataGetBytePtr(d);
	CFIndex n = CFDataGetLength(d);
	char quad[4];

	if (written_before(x, d))
		return;
	start_tag(x, d, NULL);
	for (CFIndex i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16;
		CFIndex left = n - i;

		if (left > 1)
			v |= (uint32_t)p[i + 1] << 8;
		if (left > 2)
			v |= p[i + 2];
		quad[0] = b64[(v >> 18) & 63];
		quad[1] = b64[(v >> 12) & 63];
		quad[2] = '=';
		quad[3] = '=';
		if (left > 1)
			quad[2] = b64[(v >> 6) & 63];
		if (left > 2)
			quad[3] = b64[v & 63];
		CFDataAppendBytes(x->out, (const UInt8 *)quad, 4);
	}
	end_tag(x, d);
}

static bool write_obj(struct xml *x, CFTypeRef obj, unsigned depth);

static bool write_dict(struct xml *x, CFDictionaryRef d, unsigned depth)
{
	CFIndex n = CFDictionaryGetCount(d);
	const void **keys, **vals;
	bool ok = true;

	if (written_before(x, d))
		return true;
	keys = calloc(2 * (size_t)n + 1, sizeof(*keys));
	if (!keys)
		return false;
	vals = keys + n;
	CFDictionaryGetKeysAndValues(d, keys, vals);
	start_tag(x, d, NULL);
	for (CFIndex i = 0; ok && i < n; i++) {
		ok = CFGetTypeID(keys[i]) == CFStringGetTypeID();
		if (ok) {
			put(x, "<key>");
			ok = put_escaped(x, keys[i]);
			put(x, "</key>");
		}
		ok = ok && write_obj(x, vals[i], depth + 1);
	}
	free(keys);
	end_tag(x, d);
	return ok;
}

static bool write_array(struct xml *x, CFArrayRef a, unsigned depth)
{
	bool ok = true;

	if (written_before(x, a))
		return true;
	start_tag(x, a, NULL);
	for (CFIndex i = 0; ok && i < CFArrayGetCount(a); i++)
		ok = write_obj(x, CFArrayGetValueAtIndex(a, i), depth + 1);
	end_tag(x, a);
	return ok;
}

static bool write_obj(struct xml *x, CFTypeRef obj, unsigned depth)
{
	CFTypeID t;

	if (!obj || depth >= MAX_DEPTH)
		return false;
	t = CFGetTypeID(obj);
	if (t == CFDictionaryGetTypeID())
		return write_dict(x, obj, depth);
	if (t == CFStringGetTypeID())
		return write_string(x, obj);
	if (t == CFArrayGetTypeID())
		return write_array(x, obj, depth);
	if (t == CFNumberGetTypeID())
		return write_number(x, obj);
	if (t == CFDataGetTypeID()) {
		write_data(x, obj);
		return true;
	}
	if (t == CFBooleanGetTypeID()) {
		put(x, CFBooleanGetValue(obj) ? "<true/>" : "<false/>");
		return true;
	} else {
		CFStringRef s = CFStringCreateWithFormat(
			kCFAllocatorDefault, NULL,
			CFSTR("<string>typeID 0x%x not serializable</string>"), (int)t);
		bool ok = s && write_string(x, s);

		if (s)
			CFRelease(s);
		return ok;
	}
}

static CFDataRef serialize_text(CFTypeRef object)
{
	struct xml x = { CFDataCreateMutable(kCFAllocatorDefault, 0), NULL, 0, 0, 0 };
	bool ok = x.out && scan(&x, object, 0) && write_obj(&x, object, 0);

	if (ok)
		CFDataAppendBytes(x.out, (const UInt8 *)"", 1);
	free(x.v);
	if (!ok && x.out) {
		CFRelease(x.out);
		x.out = NULL;
	}
	return x.out;
}

/* ---- binary writer -------------------------------------------------------------- */

enum {
	kOSSerializeDictionary = 0x01000000U,
	kOSSerializeArray = 0x02000000U,
	kOSSerializeSet = 0x03000000U,
	kOSSerializeNumber = 0x04000000U,
	kOSSerializeSymbol = 0x08000000U,
	kOSSerializeString = 0x09000000U,
	kOSSerializeData = 0x0a000000U,
	kOSSerializeBoolean = 0x0b000000U,
	kOSSerializeObject = 0x0c000000U,
	kOSSerializeDataMask = 0x00ffffffU,
	kOSSerializeEndCollection = 0x80000000U,
};

struct bin {
	CFMutableDataRef out;
	CFTypeRef *objs;        /* in serialization order: index = back-reference tag */
	size_t n, cap;
	bool end;               /* the next object is the last of its collection */
};

static void bin_pad(struct bin *b, size_t size)
{
	static const UInt8 zero[4];

	if (size & 3)
		CFDataAppendBytes(b->out, zero, (CFIndex)(4 - (size & 3)));
}

static bool bin_object(struct bin *b, CFTypeRef obj, uint32_t key, const void *bits, size_t size,
		       size_t zero)
{
	static const UInt8 nul[1];

	if (b->n == b->cap) {
		size_t cap = b->cap ? 2 * b->cap : 32;
		CFTypeRef *v = realloc(b->objs, cap * sizeof(*v));

		if (!v)
			return false;
		b->objs = v;
		b->cap = cap;
	}
	b->objs[b->n++] = obj;
	if (b->end) {
		b->end = false;
		key |= kOSSerializeEndCollection;
	}
	CFDataAppendBytes(b->out, (const UInt8 *)&key, sizeof(key));
	if (size > zero)
		CFDataAppendBytes(b->out, bits, (CFIndex)(size - zero));
	if (zero)
		CFDataAppendBytes(b->out, nul, 1);
	bin_pad(b, size);
	return true;
}

static bool bin_obj(struct bin *b, CFTypeRef obj, bool is_key, unsigned depth);

struct bin_apply {
	struct bin *b;
	CFIndex index, count;
	unsigned depth;
	bool ok;
};

static void bin_dict_pair(const void *key, const void *value, void *ctx)
{
	struct bin_apply *a = ctx;

	a->index++;
	a->ok = a->ok && bin_obj(a->b, key, true, a->depth);
	a->b->end = a->index == a->count;
	a->ok = a->ok && bin_obj(a->b, value, false, a->depth);
}

static void bin_array_value(const void *value, void *ctx)
{
	struct bin_apply *a = ctx;

	a->index++;
	a->b->end = a->index == a->count;
	a->ok = a->ok && bin_obj(a->b, value, false, a->depth);
}

static bool bin_number(struct bin *b, CFNumberRef n)
{
	union {
		long long i;
		double d;
	} v = { 0 };
	CFNumberType t = CFNumberGetType(n);
	uint32_t width;

	switch (t) {
	case kCFNumberFloat32Type:
	case kCFNumberFloatType:
		width = 31;
		break;
	case kCFNumberFloat64Type:
	case kCFNumberDoubleType:
	case kCFNumberCGFloatType:
		width = 63;
		break;
	case kCFNumberSInt8Type:
	case kCFNumberCharType:
		width = 8;
		break;
	case kCFNumberSInt16Type:
	case kCFNumberShortType:
		width = 16;
		break;
	case kCFNumberSInt32Type:
	case kCFNumberIntType:
		width = 32;
		break;
	default:
		width = 64;
		break;
	}
	if (width == 31 || width == 63) {
		if (!CFNumberGetValue(n, kCFNumberDoubleType, &v.d))
			return false;
	} else if (!CFNumberGetValue(n, kCFNumberLongLongType, &v.i)) {
		return false;
	}
	return bin_object(b, n, kOSSerializeNumber | width, &v, sizeof(v), 0);
}

static bool bin_obj(struct bin *b, CFTypeRef obj, bool is_key, unsigned depth)
{
	CFTypeID t;

	if (!obj || depth >= MAX_DEPTH)
		return false;
	/* A back-reference to an object already written (never to the root,
	 * whose number is 0, as in Apple's writer). */
	for (size_t i = 1; i < b->n; i++) {
		if (b->objs[i] == obj) {
			uint32_t key = kOSSerializeObject | (uint32_t)(i & kOSSerializeDataMask);

			if (b->end) {
				b->end = false;
				key |= kOSSerializeEndCollection;
			}
			CFDataAppendBytes(b->out, (const UInt8 *)&key, sizeof(key));
			return true;
		}
	}
	t = CFGetTypeID(obj);
	if (t == CFDictionaryGetTypeID() || t == CFArrayGetTypeID()) {
		bool dict = t == CFDictionaryGetTypeID();
		CFIndex count = dict ? CFDictionaryGetCount(obj) : CFArrayGetCount(obj);
		struct bin_apply a = { b, 0, count, depth + 1, true };

		if ((size_t)count > kOSSerializeDataMask ||
		    !bin_object(b, obj, (dict ? kOSSerializeDictionary : kOSSerializeArray) |
					(uint32_t)count, NULL, 0, 0))
			return false;
		if (dict)
			CFDictionaryApplyFunction(obj, bin_dict_pair, &a);
		else
			CFArrayApplyFunction(obj, CFRangeMake(0, count), bin_array_value, &a);
		return a.ok;
	}
	if (t == CFNumberGetTypeID())
		return bin_number(b, obj);
	if (t == CFBooleanGetTypeID())
		return bin_object(b, obj, kOSSerializeBoolean | (obj == kCFBooleanTrue), NULL, 0, 0);
	if (t == CFStringGetTypeID()) {
		char *buf;
		size_t len;
		bool ok;

		if (!utf8_of(obj, &buf, &len))
			return false;
		if (is_key)
			ok = len + 1 <= kOSSerializeDataMask &&
			     bin_object(b, obj, kOSSerializeSymbol | (uint32_t)(len + 1), buf,
					len + 1, 1);
		else
			ok = len <= kOSSerializeDataMask &&
			     bin_object(b, obj, kOSSerializeString | (uint32_t)len, buf, len, 0);
		free(buf);
		return ok;
	}
	if (t == CFDataGetTypeID()) {
		size_t len = (size_t)CFDataGetLength(obj);

		return len <= kOSSerializeDataMask &&
		       bin_object(b, obj, kOSSerializeData | (uint32_t)len, CFDataGetBytePtr(obj),
				  len, 0);
	} else {
		CFStringRef s = CFStringCreateWithFormat(
			kCFAllocatorDefault, NULL,
			CFSTR("<string>typeID 0x%x not serializable</string>"), (int)t);
		bool ok = s && bin_obj(b, s, false, depth);

		if (s)
			CFRelease(s);
		return ok;
	}
}

static CFDataRef serialize_binary(CFTypeRef object)
{
	static const UInt8 signature[4] = { 0xd3, 0, 0, 0 };
	struct bin b = { CFDataCreateMutable(kCFAllocatorDefault, 0), NULL, 0, 0, true };
	bool ok = b.out != NULL;

	if (ok) {
		CFDataAppendBytes(b.out, signature, sizeof(signature));
		ok = bin_obj(&b, object, false, 0);
	}
	free(b.objs);
	if (!ok && b.out) {
		CFRelease(b.out);
		b.out = NULL;
	}
	return b.out;
}

IOK_EXPORT CFDataRef IOCFSerialize(CFTypeRef object, CFOptionFlags options)
{
	if (!object)
		return NULL;
	if (options & kIOCFSerializeToBinary)
		return serialize_binary(object);
	if (options)
		return NULL;
	return serialize_text(object);
}

/* ---- text reader ------------------------------------------------------------- */

enum { TAG_BAD, TAG_START, TAG_END, TAG_EMPTY, TAG_EOF };

#define TAG_MAX 32
#define ATTR_MAX 32

struct tag {
	int kind;
	char name[TAG_MAX];
	int nattr;
	char attr[ATTR_MAX][TAG_MAX];
	char value[ATTR_MAX][TAG_MAX];
};

struct idref {
	long id;
	CFTypeRef obj;   /* retained */
};

struct reader {
	const char *p;
	int line;
	const char *error;
	struct idref *ids;
	size_t n_ids, cap_ids;
};

static bool is_space(int c)
{
	return c == ' ' || c == '\t';
}

static bool is_alpha(int c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static bool is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static bool is_name_char(int c)
{
	return is_alpha(c) || is_digit(c) || c == '-';
}

/* Reads one tag at r->p ('<' expected); comments, declarations and
 * processing instructions give TAG_EOF-free "ignore" by recursion. */
static int read_tag(struct reader *r, struct tag *t)
{
	const char *p = r->p;
	int len = 0, kind = TAG_START;

	t->nattr = 0;
	t->name[0] = '\0';
	if (*p != '<')
		return TAG_BAD;
	p++;
	if (*p == '!') {
		bool comment = p[1] == '-' && p[2] == '-';

		if (!comment && !is_alpha(p[1]))
			return TAG_BAD;
		p += comment ? 3 : 2;
		for (; *p; p++) {
			if (*p == '\n')
				r->line++;
			if (comment ? (p[0] == '-' && p[1] == '-' && p[2] == '>') : *p == '>') {
				r->p = p + (comment ? 3 : 1);
				return -1;   /* ignore */
			}
		}
		return TAG_BAD;
	}
	if (*p == '?') {
		for (p++; *p; p++) {
			if (*p == '\n')
				r->line++;
			if (p[0] == '?' && p[1] == '>') {
				r->p = p + 2;
				return -1;
			}
		}
		return TAG_BAD;
	}
	if (*p == '/') {
		kind = TAG_END;
		p++;
	}
	if (!is_alpha(*p))
		return TAG_BAD;
	while (is_name_char(*p)) {
		if (len >= TAG_MAX - 1)
			return TAG_BAD;
		t->name[len++] = *p++;
	}
	t->name[len] = '\0';
	while (*p != '>' && *p != '/') {
		int a = t->nattr;

		if (a >= ATTR_MAX)
			return TAG_BAD;
		while (is_space(*p))
			p++;
		len = 0;
		while (is_name_char(*p)) {
			if (len >= TAG_MAX - 1)
				return TAG_BAD;
			t->attr[a][len++] = *p++;
		}
		t->attr[a][len] = '\0';
		while (is_space(*p))
			p++;
		if (*p++ != '=')
			return TAG_BAD;
		while (is_space(*p))
			p++;
		if (*p++ != '"')
			return TAG_BAD;
		len = 0;
		while (*p != '"') {
			if (!*p || len >= TAG_MAX - 1)
				return TAG_BAD;
			t->value[a][len++] = *p++;
		}
		t->value[a][len] = '\0';
		p++;
		t->nattr++;
	}
	if (*p == '/') {
		kind = TAG_EMPTY;
		p++;
	}
	if (*p != '>')
		return TAG_BAD;
	r->p = p + 1;
	return kind;
}

/* The next meaningful tag: skips blanks, comments, declarations and
 * <plist> tags. */
static int next_tag(struct reader *r, struct tag *t)
{
	for (;;) {
		int kind;

		while (is_space(*r->p) || *r->p == '\n') {
			if (*r->p == '\n')
				r->line++;
			r->p++;
		}
		if (!*r->p)
			return TAG_EOF;
		kind = read_tag(r, t);
		if (kind < 0)
			continue;
		if (kind != TAG_BAD && strcmp(t->name, "plist") == 0)
			continue;
		t->kind = kind;
		return kind;
	}
}

/* Text up to the next '<', with &lt; &gt; &amp; decoded; NULL on a bad
 * entity or the end of the buffer. */
static char *read_text(struct reader *r)
{
	const char *start = r->p, *p;
	size_t n = 0;
	char *out;

	for (p = start; *p && *p != '<'; p++)
		if (*p == '\n')
			r->line++;
	if (*p != '<')
		return NULL;
	out = malloc((size_t)(p - start) + 1);
	if (!out)
		return NULL;
	for (const char *q = start; q < p; q++) {
		if (*q != '&') {
			out[n++] = *q;
		} else if (p - q >= 4 && !strncmp(q, "&lt;", 4)) {
			out[n++] = '<';
			q += 3;
		} else if (p - q >= 4 && !strncmp(q, "&gt;", 4)) {
			out[n++] = '>';
			q += 3;
		} else if (p - q >= 5 && !strncmp(q, "&amp;", 5)) {
			out[n++] = '&';
			q += 4;
		} else {
			free(out);
			return NULL;
		}
	}
	out[n] = '\0';
	r->p = p;
	return out;
}

static bool expect_end(struct reader *r, const char *name)
{
	struct tag t;

	return read_tag(r, &t) == TAG_END && strcmp(t.name, name) == 0;
}

static CFStringRef make_string(const char *s)
{
	CFStringRef str = CFStringCreateWithCString(kCFAllocatorDefault, s, kCFStringEncodingUTF8);

	return str ? str : CFStringCreateWithCString(kCFAllocatorDefault, s,
						     kCFStringEncodingMacRoman);
}

static signed char b64_value(int c)
{
	if (c >= 'A' && c <= 'Z')
		return (signed char)(c - 'A');
	if (c >= 'a' && c <= 'z')
		return (signed char)(c - 'a' + 26);
	if (is_digit(c))
		return (signed char)(c - '0' + 52);
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	if (c == '=')
		return 0;
	return -1;
}

/* base64 up to the next '<' (other characters ignored, as Apple's reader
 * does); NULL at the end of the buffer. */
static CFDataRef read_data(struct reader *r)
{
	CFMutableDataRef d = CFDataCreateMutable(kCFAllocatorDefault, 0);
	uint32_t acc = 0;
	int count = 0, pad = 0;

	if (!d)
		return NULL;
	for (; *r->p != '<'; r->p++) {
		int c = *r->p & 0x7f;
		signed char v;

		if (!*r->p) {
			CFRelease(d);
			return NULL;
		}
		if (c == '\n')
			r->line++;
		pad = c == '=' ? pad + 1 : 0;
		v = b64_value(c);
		if (v < 0)
			continue;
		acc = (acc << 6) | (uint32_t)v;
		if (++count % 4 == 0) {
			UInt8 out[3] = { (UInt8)(acc >> 16), (UInt8)(acc >> 8), (UInt8)acc };

			CFDataAppendBytes(d, out, pad >= 2 ? 1 : pad == 1 ? 2 : 3);
		}
	}
	return d;
}

/* Decimal (optionally negative) or 0x with lowercase hex digits. */
static long long read_number(struct reader *r)
{
	unsigned long long n = 0;
	const char *p = r->p;
	bool neg = false;

	if (p[0] == '0' && p[1] == 'x') {
		for (p += 2; is_digit(*p) || (*p >= 'a' && *p <= 'f'); p++)
			n = n * 16 + (unsigned)(is_digit(*p) ? *p - '0' : *p - 'a' + 10);
	} else {
		if (*p == '-') {
			neg = true;
			p++;
		}
		for (; is_digit(*p); p++)
			n = n * 10 + (unsigned)(*p - '0');
		if (neg)
			n = 0 - n;
	}
	r->p = p;
	return (long long)n;
}

static void remember(struct reader *r, long id, CFTypeRef obj)
{
	for (size_t i = 0; i < r->n_ids; i++) {
		if (r->ids[i].id == id) {
			CFRelease(r->ids[i].obj);
			r->ids[i].obj = CFRetain(obj);
			return;
		}
	}
	if (r->n_ids == r->cap_ids) {
		size_t cap = r->cap_ids ? 2 * r->cap_ids : 16;
		struct idref *v = realloc(r->ids, cap * sizeof(*v));

		if (!v)
			return;
		r->ids = v;
		r->cap_ids = cap;
	}
	r->ids[r->n_ids++] = (struct idref){ id, CFRetain(obj) };
}

static CFTypeRef syntax_error(struct reader *r)
{
	if (!r->error)
		r->error = "syntax error";
	return NULL;
}

static CFTypeRef read_object(struct reader *r, struct tag *t, unsigned depth);

/* Elements of an array (or set) up to its end tag. */
static CFTypeRef read_array(struct reader *r, const char *name, unsigned depth)
{
	CFMutableArrayRef a = CFArrayCreateMutable(kCFAllocatorDefault, 0, &kCFTypeArrayCallBacks);
	struct tag t;

	while (a) {
		CFTypeRef v;
		int kind = next_tag(r, &t);

		if (kind == TAG_END && strcmp(t.name, name) == 0)
			return a;
		if (kind != TAG_START && kind != TAG_EMPTY)
			break;
		v = read_object(r, &t, depth + 1);
		if (!v)
			break;
		CFArrayAppendValue(a, v);
		CFRelease(v);
	}
	if (a)
		CFRelease(a);
	return syntax_error(r);
}

static CFTypeRef read_dict(struct reader *r, unsigned depth)
{
	CFMutableDictionaryRef d = CFDictionaryCreateMutable(kCFAllocatorDefault, 0,
							     &kCFTypeDictionaryKeyCallBacks,
							     &kCFTypeDictionaryValueCallBacks);
	struct tag t;

	while (d) {
		CFStringRef key;
		CFTypeRef v;
		char *text;
		int kind = next_tag(r, &t);

		if (kind == TAG_END && strcmp(t.name, "dict") == 0)
			return d;
		if (kind != TAG_START || strcmp(t.name, "key") != 0)
			break;
		text = read_text(r);
		if (!text)
			break;
		key = make_string(text);
		free(text);
		if (!key)
			break;
		if (!expect_end(r, "key")) {
			CFRelease(key);
			break;
		}
		kind = next_tag(r, &t);
		v = kind == TAG_START || kind == TAG_EMPTY ? read_object(r, &t, depth + 1) : NULL;
		if (v)
			CFDictionarySetValue(d, key, v);
		CFRelease(key);
		if (!v)
			break;
		CFRelease(v);
	}
	if (d)
		CFRelease(d);
	return syntax_error(r);
}

static CFTypeRef read_object(struct reader *r, struct tag *t, unsigned depth)
{
	bool empty = t->kind == TAG_EMPTY;
	long id = -1;
	CFTypeRef obj = NULL;

	if (depth >= MAX_DEPTH)
		return syntax_error(r);
	for (int i = 0; i < t->nattr; i++) {
		if (strncmp(t->attr[i], "ID", 2) != 0)
			continue;
		if (strcmp(t->attr[i], "IDREF") == 0) {
			long want = strtol(t->value[i], NULL, 0);

			if (!empty)
				return syntax_error(r);
			for (size_t k = 0; k < r->n_ids; k++)
				if (r->ids[k].id == want)
					return CFRetain(r->ids[k].obj);
			r->error = "forward reference detected";
			return NULL;
		}
		if (strcmp(t->attr[i], "ID") != 0)
			return syntax_error(r);
		id = strtol(t->value[i], NULL, 0);
	}

	if (!strcmp(t->name, "dict")) {
		obj = empty ? CFDictionaryCreateMutable(kCFAllocatorDefault, 0,
							&kCFTypeDictionaryKeyCallBacks,
							&kCFTypeDictionaryValueCallBacks)
			    : read_dict(r, depth);
	} else if (!strcmp(t->name, "array") || !strcmp(t->name, "set")) {
		obj = empty ? CFArrayCreateMutable(kCFAllocatorDefault, 0, &kCFTypeArrayCallBacks)
			    : read_array(r, t->name, depth);
	} else if (!strcmp(t->name, "string")) {
		char *text = empty ? NULL : read_text(r);

		if (empty)
			obj = CFStringCreateWithCString(kCFAllocatorDefault, "",
							kCFStringEncodingUTF8);
		else if (text && expect_end(r, "string"))
			obj = make_string(text);
		free(text);
	} else if (!strcmp(t->name, "data")) {
		obj = empty ? CFDataCreate(kCFAllocatorDefault, NULL, 0) : read_data(r);
		if (obj && !empty && !expect_end(r, "data")) {
			CFRelease(obj);
			obj = NULL;
		}
	} else if (!strcmp(t->name, "integer")) {
		unsigned long size = 64;
		long long v = 0;

		for (int i = 0; i < t->nattr; i++)
			if (!strcmp(t->attr[i], "size"))
				size = strtoul(t->value[i], NULL, 0);
		if (!empty) {
			v = read_number(r);
			if (!expect_end(r, "integer"))
				return syntax_error(r);
		}
		if (size <= 32) {
			SInt32 v32 = (SInt32)(uint32_t)(unsigned long long)v;

			obj = CFNumberCreate(kCFAllocatorDefault, kCFNumberSInt32Type, &v32);
		} else {
			SInt64 v64 = v;

			obj = CFNumberCreate(kCFAllocatorDefault, kCFNumberSInt64Type, &v64);
		}
	} else if (empty && !strcmp(t->name, "true")) {
		obj = CFRetain(kCFBooleanTrue);
	} else if (empty && !strcmp(t->name, "false")) {
		obj = CFRetain(kCFBooleanFalse);
	}
	if (!obj)
		return syntax_error(r);
	if (id >= 0)
		remember(r, id, obj);
	return obj;
}

static void set_error(CFStringRef *errorString, const char *what, int line)
{
	if (errorString)
		*errorString = CFStringCreateWithFormat(kCFAllocatorDefault, NULL,
							CFSTR("IOCFUnserialize: %s near line %d"),
							what, line);
}

IOK_EXPORT CFTypeRef IOCFUnserialize(const char *buffer, CFAllocatorRef allocator,
				     CFOptionFlags options, CFStringRef *errorString)
{
	struct reader r = { buffer, 1, NULL, NULL, 0, 0 };
	CFTypeRef obj = NULL;
	struct tag t;
	int kind;

	if (errorString)
		*errorString = NULL;
	if (!buffer || options)
		return NULL;
	kind = next_tag(&r, &t);
	if (kind == TAG_EOF)
		r.error = "unexpected end of buffer";
	else if (kind != TAG_START && kind != TAG_EMPTY)
		r.error = "syntax error";
	else
		obj = read_object(&r, &t, 0);
	for (size_t i = 0; i < r.n_ids; i++)
		CFRelease(r.ids[i].obj);
	free(r.ids);
	if (!obj)
		set_error(errorString, r.error ? r.error : "syntax error", r.line);
	return obj;
}

/* ---- binary reader and the dispatcher ------------------------------------------ */

/*
 * Reads the stream into CF objects as Apple's IOCFUnserializeBinary does:
 * every object (back-references excepted) is numbered in order; a
 * non-empty collection becomes the parent of what follows until an object
 * carrying the last-in-collection bit closes it; a dictionary takes
 * alternately a key (a string or symbol) and a value; the root must carry
 * that bit too.  Width 31 and 63 numbers hold a double (the 31 one is made
 * a float).  Anything out of bounds or out of place fails the whole read,
 * and so does a back-reference to a collection still being filled (Apple's
 * would build a cycle).
 */
struct breader {
	const uint8_t *p;
	size_t size, pos;
	CFTypeRef *objs;            /* one reference each */
	size_t n_objs, cap_objs;
	CFTypeRef *stack;           /* enclosing parents (borrowed from objs) */
	size_t n_stack, cap_stack;
	CFTypeRef *path;            /* the collections still being filled, outermost first */
	size_t n_path, cap_path;
};

static bool take_words(struct breader *r, size_t bytes, const uint8_t **out)
{
	size_t padded = (bytes + 3) & ~(size_t)3;

	if (padded < bytes || padded > r->size - r->pos)
		return false;
	*out = r->p + r->pos;
	r->pos += padded;
	return true;
}

static bool push_ptr(CFTypeRef **v, size_t *n, size_t *cap, CFTypeRef obj)
{
	if (*n == *cap) {
		size_t c = *cap ? 2 * *cap : 32;
		CFTypeRef *nv = realloc(*v, c * sizeof(*nv));

		if (!nv)
			return false;
		*v = nv;
		*cap = c;
	}
	(*v)[(*n)++] = obj;
	return true;
}

static CFTypeRef read_binary(const uint8_t *buf, size_t size)
{
	struct breader r = { buf, size, 4, NULL, 0, 0, NULL, 0, 0, NULL, 0, 0 };
	CFTypeRef result = NULL, parent = NULL, key = NULL;
	bool ok = size >= 4 && buf[0] == 0xd3 && buf[1] == 0 && buf[2] == 0 && buf[3] == 0;
	bool done = false;

	while (ok) {
		const uint8_t *payload;
		uint32_t word, len;
		bool end, is_ref = false, collection = false;
		CFTypeRef o = NULL;

		if (!take_words(&r, 4, &payload)) {
			ok = false;   /* ran out before the root was closed */
			break;
		}
		memcpy(&word, payload, 4);
		len = word & kOSSerializeDataMask;
		end = (word & kOSSerializeEndCollection) != 0;
		switch (word & 0x7f000000U) {
		case kOSSerializeDictionary:
			o = CFDictionaryCreateMutable(kCFAllocatorDefault, 0,
						      &kCFTypeDictionaryKeyCallBacks,
						      &kCFTypeDictionaryValueCallBacks);
			collection = len != 0;
			break;
		case kOSSerializeArray:
		case kOSSerializeSet:
			o = CFArrayCreateMutable(kCFAllocatorDefault, 0, &kCFTypeArrayCallBacks);
			collection = len != 0;
			break;
		case kOSSerializeObject:
			if (len < r.n_objs)
				o = r.objs[len];
			/* Never a collection still being filled: that would be a
			 * cycle. */
			for (size_t i = 0; o && i < r.n_path; i++)
				if (r.path[i] == o)
					o = NULL;
			is_ref = true;
			break;
		case kOSSerializeNumber: {
			uint64_t bits;

			if (!take_words(&r, 8, &payload))
				break;
			memcpy(&bits, payload, 8);
			if (len == 31 || len == 63) {
				double d;

				memcpy(&d, &bits, sizeof(d));
				if (len == 31) {
					float f = (float)d;

					o = CFNumberCreate(kCFAllocatorDefault, kCFNumberFloat32Type, &f);
				} else {
					o = CFNumberCreate(kCFAllocatorDefault, kCFNumberFloat64Type, &d);
				}
			} else if (len <= 32) {
				SInt32 v = (SInt32)(uint32_t)bits;

				o = CFNumberCreate(kCFAllocatorDefault, kCFNumberSInt32Type, &v);
			} else {
				SInt64 v = (SInt64)bits;

				o = CFNumberCreate(kCFAllocatorDefault, kCFNumberSInt64Type, &v);
			}
			break;
		}
		case kOSSerializeSymbol:
		case kOSSerializeString: {
			bool symbol = (word & 0x7f000000U) == kOSSerializeSymbol;
			uint32_t n = len;

			if (!take_words(&r, len, &payload) || (symbol && (len < 1 || payload[len - 1])))
				break;
			if (symbol)
				n--;
			o = CFStringCreateWithBytes(kCFAllocatorDefault, payload, n,
						    kCFStringEncodingUTF8, false);
			if (!o)
				o = CFStringCreateWithBytes(kCFAllocatorDefault, payload, n,
							    kCFStringEncodingMacRoman, false);
			break;
		}
		case kOSSerializeData:
			if (take_words(&r, len, &payload))
				o = CFDataCreate(kCFAllocatorDefault, payload, len);
			break;
		case kOSSerializeBoolean:
			o = CFRetain(len ? kCFBooleanTrue : kCFBooleanFalse);
			break;
		default:
			break;
		}
		if (!o) {
			ok = false;
			break;
		}
		if (!is_ref && !push_ptr(&r.objs, &r.n_objs, &r.cap_objs, o)) {
			CFRelease(o);
			ok = false;
			break;
		}

		/* Attach to the current parent (or make it the root). */
		if (!parent) {
			if (result)
				ok = false;
			else
				result = o;
		} else if (CFGetTypeID(parent) == CFDictionaryGetTypeID()) {
			if (key) {
				if (o != parent)
					CFDictionarySetValue((CFMutableDictionaryRef)parent, key, o);
				key = NULL;
			} else {
				ok = CFGetTypeID(o) == CFStringGetTypeID();
				key = o;
			}
		} else {
			CFArrayAppendValue((CFMutableArrayRef)parent, o);
		}
		if (!ok)
			break;

		if (collection) {
			if (!end) {
				if (r.n_stack >= MAX_DEPTH ||
				    !push_ptr(&r.stack, &r.n_stack, &r.cap_stack, parent)) {
					ok = false;
					break;
				}
			}
			if (!push_ptr(&r.path, &r.n_path, &r.cap_path, o)) {
				ok = false;
				break;
			}
			parent = o;
			key = NULL;
			end = false;
		}
		if (end) {
			if (!r.n_stack) {
				done = true;   /* the root is complete; what follows is ignored */
				break;
			}
			parent = r.stack[--r.n_stack];
			key = NULL;
			/* Everything opened inside parent is complete now. */
			while (r.n_path && r.path[r.n_path - 1] != parent)
				r.n_path--;
		}
	}
	ok = ok && done && result;
	for (size_t i = ok ? 1 : 0; i < r.n_objs; i++)
		CFRelease(r.objs[i]);
	free(r.objs);
	free(r.stack);
	free(r.path);
	return ok ? result : NULL;
}

IOK_EXPORT CFTypeRef IOCFUnserializeBinary(const char *buffer, size_t bufferSize,
					   CFAllocatorRef allocator, CFOptionFlags options,
					   CFStringRef *errorString)
{
	CFTypeRef obj;

	if (errorString)
		*errorString = NULL;
	if (!buffer)
		return NULL;
	obj = read_binary((const uint8_t *)buffer, bufferSize);
	if (!obj && errorString)
		*errorString = CFStringCreateWithCString(kCFAllocatorDefault,
							 "IOCFUnserializeBinary: malformed data",
							 kCFStringEncodingUTF8);
	return obj;
}

IOK_EXPORT CFTypeRef IOCFUnserializeWithSize(const char *buffer, size_t bufferSize,
					     CFAllocatorRef allocator, CFOptionFlags options,
					     CFStringRef *errorString)
{
	const unsigned char *b = (const unsigned char *)buffer;
	CFTypeRef obj;
	char *text;

	if (errorString)
		*errorString = NULL;
	if (!buffer || bufferSize < 4)
		return NULL;
	if ((options & kIOCFSerializeToBinary) || (b[0] == 0xd3 && b[1] == 0) || b[0] == 0xd4)
		return IOCFUnserializeBinary(buffer, bufferSize, allocator, options, errorString);
	/* The text need not be NUL-terminated within bufferSize. */
	text = malloc(bufferSize + 1);
	if (!text)
		return NULL;
	memcpy(text, buffer, bufferSize);
	text[bufferSize] = '\0';
	obj = IOCFUnserialize(text, allocator, options, errorString);
	free(text);
	return obj;
}
