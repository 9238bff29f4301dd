// SPDX-License-Identifier: MIT
/*
 * cf_string.c - CFString and CFMutableString.  Contents are stored as
 * NUL-terminated, validated UTF-8 together with their UTF-16 length, so
 * CFStringGetLength and the UTF-8 fast paths (CFStringGetCStringPtr) are
 * O(1); UTF-16 indexes are resolved by walking the bytes.
 */
#include "cf_internal.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct __CFString {
	struct cf_base base;
	char *bytes;		/* UTF-8, NUL-terminated at len */
	size_t len;
	size_t cap;		/* bytes allocated (>= len + 1) */
	CFIndex u16len;
	bool ascii;
	bool has_nul;
};

static const struct __CFString *to_str(CFStringRef s)
{
	return (const struct __CFString *)s;
}

/* Checks that s is a CFString (and mutable if asked); logs misuse. */
static bool check_string(CFTypeRef s, bool want_mutable, const char *func)
{
	if (!cf_is(s, &cf_string_class)) {
		cf_log_misuse(func, s ? "not a CFString" : "NULL string");
		return false;
	}
	if (want_mutable && !cf_is_mutable(s)) {
		cf_log_misuse(func, "attempt to mutate an immutable string");
		return false;
	}
	return true;
}

const char *cf_string_utf8(CFStringRef s, size_t *len)
{
	if (!cf_is(s, &cf_string_class))
		return NULL;
	*len = to_str(s)->len;
	return to_str(s)->bytes;
}

/* Takes ownership of bytes (valid UTF-8, NUL at len, cap bytes allocated). */
static CFStringRef string_new(char *bytes, size_t len, size_t cap, bool mutable_)
{
	struct cf_utf8_info info;
	struct __CFString *s;

	if (!cf_utf8_scan((const uint8_t *)bytes, len, &info))
		return NULL;
	s = cf_object_alloc(&cf_string_class, sizeof(*s), mutable_ ? CF_FLAG_MUTABLE : 0);
	if (!s)
		return NULL;
	s->bytes = bytes;
	s->len = len;
	s->cap = cap;
	s->u16len = info.u16len;
	s->ascii = info.ascii;
	s->has_nul = info.has_nul;
	return s;
}

CFStringRef cf_string_adopt(char *bytes, size_t len, bool mutable_)
{
	return string_new(bytes, len, len + 1, mutable_);
}

/* Turns a finished buffer into a string; frees the buffer on failure. */
static CFStringRef string_from_buf(struct cf_buf *b, bool mutable_)
{
	CFStringRef s;

	if (!b->p)
		cf_buf_reserve(b, 0);
	if (b->failed) {
		cf_buf_free(b);
		return NULL;
	}
	b->p[b->len] = '\0';
	s = string_new(b->p, b->len, b->cap, mutable_);
	if (!s)
		cf_buf_free(b);
	return s;
}

static CFStringRef string_decode(const uint8_t *bytes, size_t n, CFStringEncoding enc,
				 bool external)
{
	struct cf_buf b = CF_BUF_INIT;

	if (!cf_decode_append(&b, bytes, n, enc, external)) {
		cf_buf_free(&b);
		return NULL;
	}
	return string_from_buf(&b, false);
}

/* ---- Class callbacks -------------------------------------------------------- */

static void string_finalize(CFTypeRef cf)
{
	free(to_str(cf)->bytes);
}

static Boolean string_equal(CFTypeRef a, CFTypeRef b)
{
	const struct __CFString *x = to_str(a), *y = to_str(b);

	return x->len == y->len && !memcmp(x->bytes, y->bytes, x->len);
}

static CFHashCode string_hash(CFTypeRef cf)
{
	return cf_hash_bytes(to_str(cf)->bytes, to_str(cf)->len);
}

static void string_describe(CFTypeRef cf, struct cf_buf *b)
{
	cf_buf_puts(b, "{contents = \"");
	cf_buf_append(b, to_str(cf)->bytes, to_str(cf)->len);
	cf_buf_puts(b, "\"}");
}

/* Old-style plist rule: bare words need no quotes inside collections. */
static bool needs_quotes(const struct __CFString *s)
{
	if (!s->len)
		return true;
	for (size_t i = 0; i < s->len; i++) {
		unsigned char c = (unsigned char)s->bytes[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || strchr("_$./:-", c)) || !c)
			return true;
	}
	return false;
}

static void string_format(CFTypeRef cf, struct cf_buf *b, unsigned indent, bool quoted)
{
	const struct __CFString *s = to_str(cf);

	if (!quoted || !needs_quotes(s)) {
		cf_buf_append(b, s->bytes, s->len);
		return;
	}
	cf_buf_putc(b, '"');
	for (size_t i = 0; i < s->len; i++) {
		char c = s->bytes[i];

		if (c == '"' || c == '\\')
			cf_buf_putc(b, '\\');
		if (c == '\n')
			cf_buf_puts(b, "\\n");
		else
			cf_buf_putc(b, c);
	}
	cf_buf_putc(b, '"');
}

const struct cf_class cf_string_class = {
	.type_id = CF_TID_STRING,
	.name = "CFString",
	.finalize = string_finalize,
	.equal = string_equal,
	.hash = string_hash,
	.describe = string_describe,
	.format = string_format,
};

IOK_EXPORT CFTypeID CFStringGetTypeID(void)
{
	return CF_TID_STRING;
}

/* ---- Creation ------------------------------------------------------------------ */

IOK_EXPORT CFStringRef CFStringCreateWithCString(CFAllocatorRef alloc, const char *cStr,
						 CFStringEncoding encoding)
{
	if (!cStr)
		return NULL;
	return string_decode((const uint8_t *)cStr, strlen(cStr), encoding, false);
}

IOK_EXPORT CFStringRef CFStringCreateWithCStringNoCopy(CFAllocatorRef alloc, const char *cStr,
						       CFStringEncoding encoding,
						       CFAllocatorRef contentsDeallocator)
{
	CFStringRef s = CFStringCreateWithCString(alloc, cStr, encoding);

	if (s && contentsDeallocator != kCFAllocatorNull)
		free((void *)cStr);
	return s;
}

IOK_EXPORT CFStringRef CFStringCreateWithBytes(CFAllocatorRef alloc, const UInt8 *bytes,
					       CFIndex numBytes, CFStringEncoding encoding,
					       Boolean isExternalRepresentation)
{
	if (numBytes < 0)
		return NULL;
	return string_decode(bytes, (size_t)numBytes, encoding, isExternalRepresentation);
}

IOK_EXPORT CFStringRef CFStringCreateWithBytesNoCopy(CFAllocatorRef alloc, const UInt8 *bytes,
						     CFIndex numBytes, CFStringEncoding encoding,
						     Boolean isExternalRepresentation,
						     CFAllocatorRef contentsDeallocator)
{
	CFStringRef s = CFStringCreateWithBytes(alloc, bytes, numBytes, encoding,
						isExternalRepresentation);

	if (s && contentsDeallocator != kCFAllocatorNull)
		free((void *)bytes);
	return s;
}

IOK_EXPORT CFStringRef CFStringCreateWithCharacters(CFAllocatorRef alloc, const UniChar *chars,
						    CFIndex numChars)
{
	struct cf_buf b = CF_BUF_INIT;

	if (numChars < 0 || (!chars && numChars))
		return NULL;
	cf_buf_put_utf16(&b, chars, (size_t)numChars);
	return string_from_buf(&b, false);
}

static CFStringRef string_copy(CFStringRef s, bool mutable_)
{
	struct cf_buf b = CF_BUF_INIT;

	cf_buf_append(&b, to_str(s)->bytes, to_str(s)->len);
	return string_from_buf(&b, mutable_);
}

IOK_EXPORT CFStringRef CFStringCreateCopy(CFAllocatorRef alloc, CFStringRef theString)
{
	if (!check_string(theString, false, __func__))
		return NULL;
	if (!cf_is_mutable(theString))
		return CFRetain(theString);
	return string_copy(theString, false);
}

IOK_EXPORT CFMutableStringRef CFStringCreateMutable(CFAllocatorRef alloc, CFIndex maxLength)
{
	struct cf_buf b = CF_BUF_INIT;

	return (CFMutableStringRef)string_from_buf(&b, true);
}

IOK_EXPORT CFMutableStringRef CFStringCreateMutableCopy(CFAllocatorRef alloc, CFIndex maxLength,
							CFStringRef theString)
{
	if (!check_string(theString, false, __func__))
		return NULL;
	return (CFMutableStringRef)string_copy(theString, true);
}

/* Copies UTF-16 units [loc, loc + n) of s to out (out may be NULL to skip). */
static void copy_units(const struct __CFString *s, CFIndex loc, CFIndex n, UniChar *out)
{
	struct cf_u16_iter it;
	uint16_t unit;
	CFIndex i = 0;

	if (s->ascii) {
		for (CFIndex k = 0; k < n; k++)
			out[k] = (unsigned char)s->bytes[loc + k];
		return;
	}
	cf_u16_iter_init(&it, s->bytes, s->len);
	while (i < loc + n && cf_u16_iter_next(&it, &unit)) {
		if (i >= loc)
			out[i - loc] = unit;
		i++;
	}
}

static bool range_ok(const struct __CFString *s, CFRange r)
{
	return r.location >= 0 && r.length >= 0 && r.location <= s->u16len &&
	       r.length <= s->u16len - r.location;
}

IOK_EXPORT CFStringRef CFStringCreateWithSubstring(CFAllocatorRef alloc, CFStringRef str,
						   CFRange range)
{
	struct cf_buf b = CF_BUF_INIT;
	UniChar *units;

	if (!check_string(str, false, __func__))
		return NULL;
	if (!range_ok(to_str(str), range)) {
		cf_log_misuse(__func__, "range out of bounds");
		return NULL;
	}
	units = malloc(((size_t)range.length + 1) * sizeof(*units));
	if (!units)
		return NULL;
	copy_units(to_str(str), range.location, range.length, units);
	cf_buf_put_utf16(&b, units, (size_t)range.length);
	free(units);
	return string_from_buf(&b, false);
}

/* ---- Access -------------------------------------------------------------------- */

IOK_EXPORT CFIndex CFStringGetLength(CFStringRef theString)
{
	if (!check_string(theString, false, __func__))
		return 0;
	return to_str(theString)->u16len;
}

IOK_EXPORT UniChar CFStringGetCharacterAtIndex(CFStringRef theString, CFIndex idx)
{
	UniChar c = 0;

	if (!check_string(theString, false, __func__))
		return 0;
	if (!range_ok(to_str(theString), CFRangeMake(idx, 1))) {
		cf_log_misuse(__func__, "index out of bounds");
		return 0;
	}
	copy_units(to_str(theString), idx, 1, &c);
	return c;
}

IOK_EXPORT void CFStringGetCharacters(CFStringRef theString, CFRange range, UniChar *buffer)
{
	if (!check_string(theString, false, __func__))
		return;
	if (!range_ok(to_str(theString), range) || (!buffer && range.length)) {
		cf_log_misuse(__func__, "range out of bounds");
		return;
	}
	copy_units(to_str(theString), range.location, range.length, buffer);
}

/* Converts s to 8-bit encoding enc in buf; false if unrepresentable or too long. */
static bool get_cstring_8bit(const struct __CFString *s, char *buf, size_t size,
			     CFStringEncoding enc)
{
	const uint8_t *p = (const uint8_t *)s->bytes;
	size_t i = 0, o = 0;

	while (i < s->len) {
		uint32_t cp;
		size_t len = cf_utf8_next(p + i, s->len - i, &cp);
		int c = len ? cf_encode_8bit(cp, enc) : -1;

		if (c < 0 || (enc == kCFStringEncodingASCII && c > 0x7F) || o + 1 >= size)
			return false;
		buf[o++] = (char)c;
		i += len;
	}
	buf[o] = '\0';
	return true;
}

IOK_EXPORT Boolean CFStringGetCString(CFStringRef theString, char *buffer, CFIndex bufferSize,
				      CFStringEncoding encoding)
{
	const struct __CFString *s = to_str(theString);
	bool ok = false;

	if (!check_string(theString, false, __func__) || !buffer || bufferSize <= 0)
		return false;
	if (encoding == kCFStringEncodingUTF8) {
		ok = s->len < (size_t)bufferSize;
		if (ok)
			memcpy(buffer, s->bytes, s->len + 1);
	} else if (cf_encoding_is_8bit(encoding)) {
		ok = get_cstring_8bit(s, buffer, (size_t)bufferSize, encoding);
	}
	if (!ok)
		buffer[0] = '\0';
	return ok;
}

IOK_EXPORT const char *CFStringGetCStringPtr(CFStringRef theString, CFStringEncoding encoding)
{
	const struct __CFString *s = to_str(theString);

	if (!check_string(theString, false, __func__) || s->has_nul)
		return NULL;
	if (encoding == kCFStringEncodingUTF8 || (s->ascii && cf_encoding_is_8bit(encoding)))
		return s->bytes;
	return NULL;
}

IOK_EXPORT CFIndex CFStringGetMaximumSizeForEncoding(CFIndex length, CFStringEncoding encoding)
{
	CFIndex factor, out;

	if (length < 0)
		return kCFNotFound;
	switch (encoding) {
	case kCFStringEncodingUTF8:
		factor = 3;	/* a surrogate pair (2 units) needs only 4 bytes */
		break;
	case kCFStringEncodingUTF16:
	case kCFStringEncodingUTF16BE:
	case kCFStringEncodingUTF16LE:
		factor = 2;
		break;
	case kCFStringEncodingUTF32:
	case kCFStringEncodingUTF32BE:
	case kCFStringEncodingUTF32LE:
		factor = 4;
		break;
	case kCFStringEncodingNonLossyASCII:
		factor = 6;	/* \uXXXX */
		break;
	default:
		factor = cf_encoding_is_8bit(encoding) ? 1 : 4;
		break;
	}
	if (__builtin_mul_overflow(length, factor, &out))
		return kCFNotFound;
	return out;
}

IOK_EXPORT CFStringEncoding CFStringGetSystemEncoding(void)
{
	return kCFStringEncodingUTF8;
}

IOK_EXPORT CFStringEncoding CFStringGetFastestEncoding(CFStringRef theString)
{
	return kCFStringEncodingUTF8;
}

IOK_EXPORT Boolean CFStringIsEncodingAvailable(CFStringEncoding encoding)
{
	return cf_encoding_supported(encoding);
}

IOK_EXPORT SInt32 CFStringGetIntValue(CFStringRef str)
{
	const char *p;
	bool neg = false;
	long long v = 0;

	if (!check_string(str, false, __func__))
		return 0;
	p = to_str(str)->bytes;
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	if (*p == '+' || *p == '-')
		neg = *p++ == '-';
	for (; *p >= '0' && *p <= '9'; p++) {
		v = v * 10 + (*p - '0');
		if (v > (long long)INT_MAX + 1)
			v = (long long)INT_MAX + 1;
	}
	if (neg)
		v = -v;
	if (v > INT_MAX)
		v = INT_MAX;
	return (SInt32)v;
}

/* ---- Comparison -------------------------------------------------------------- */

/* Orders two code points the way their UTF-16 forms compare. */
static int cmp_utf16_order(uint32_t a, uint32_t b)
{
	uint32_t ua = a < 0x10000 ? a : 0xD800 + ((a - 0x10000) >> 10);
	uint32_t ub = b < 0x10000 ? b : 0xD800 + ((b - 0x10000) >> 10);

	if (ua == ub)
		ua = a, ub = b;
	return ua < ub ? -1 : ua > ub;
}

struct cmp_cursor {
	const uint8_t *p;
	size_t n;
	size_t i;
};

static uint32_t cursor_next(struct cmp_cursor *c)
{
	uint32_t cp;
	size_t len = cf_utf8_next(c->p + c->i, c->n - c->i, &cp);

	c->i += len ? len : 1;
	return len ? cp : CF_REPLACEMENT_CHAR;
}

static bool is_digit(uint32_t c)
{
	return c >= '0' && c <= '9';
}

/* Compares the digit runs at a and b by numeric value; advances both. */
static int cmp_digit_runs(struct cmp_cursor *a, struct cmp_cursor *b)
{
	size_t sa, sb, la, lb;
	int r;

	while (a->i + 1 < a->n && a->p[a->i] == '0' && is_digit(a->p[a->i + 1]))
		a->i++;
	while (b->i + 1 < b->n && b->p[b->i] == '0' && is_digit(b->p[b->i + 1]))
		b->i++;
	for (sa = a->i; a->i < a->n && is_digit(a->p[a->i]); a->i++)
		;
	for (sb = b->i; b->i < b->n && is_digit(b->p[b->i]); b->i++)
		;
	la = a->i - sa;
	lb = b->i - sb;
	if (la != lb)
		return la < lb ? -1 : 1;
	r = memcmp(a->p + sa, b->p + sb, la);
	return r < 0 ? -1 : r > 0;
}

static int compare_utf8(const struct __CFString *x, const struct __CFString *y,
			CFStringCompareFlags flags)
{
	struct cmp_cursor a = { (const uint8_t *)x->bytes, x->len, 0 };
	struct cmp_cursor b = { (const uint8_t *)y->bytes, y->len, 0 };

	while (a.i < a.n && b.i < b.n) {
		uint32_t ca, cb;
		int r;

		if ((flags & kCFCompareNumerically) && is_digit(a.p[a.i]) && is_digit(b.p[b.i])) {
			r = cmp_digit_runs(&a, &b);
			if (r)
				return r;
			continue;
		}
		ca = cursor_next(&a);
		cb = cursor_next(&b);
		if (flags & kCFCompareCaseInsensitive) {
			ca = cf_fold_case(ca);
			cb = cf_fold_case(cb);
		}
		r = cmp_utf16_order(ca, cb);
		if (r)
			return r;
	}
	if (a.i < a.n)
		return 1;
	return b.i < b.n ? -1 : 0;
}

IOK_EXPORT CFComparisonResult CFStringCompare(CFStringRef theString1, CFStringRef theString2,
					      CFStringCompareFlags compareOptions)
{
	if (!check_string(theString1, false, __func__) ||
	    !check_string(theString2, false, __func__))
		return kCFCompareEqualTo;
	return compare_utf8(to_str(theString1), to_str(theString2), compareOptions);
}

IOK_EXPORT Boolean CFStringHasPrefix(CFStringRef theString, CFStringRef prefix)
{
	const struct __CFString *s = to_str(theString), *p = to_str(prefix);

	if (!check_string(theString, false, __func__) || !check_string(prefix, false, __func__))
		return false;
	/* As on macOS, the empty string is nobody's prefix. */
	return p->len && p->len <= s->len && !memcmp(s->bytes, p->bytes, p->len);
}

IOK_EXPORT Boolean CFStringHasSuffix(CFStringRef theString, CFStringRef suffix)
{
	const struct __CFString *s = to_str(theString), *p = to_str(suffix);

	if (!check_string(theString, false, __func__) || !check_string(suffix, false, __func__))
		return false;
	return p->len && p->len <= s->len && !memcmp(s->bytes + s->len - p->len, p->bytes, p->len);
}

/* ---- Mutation ------------------------------------------------------------------ */

/* Appends valid UTF-8 (which must not point into s) to a mutable string. */
static void append_utf8(struct __CFString *s, const char *p, size_t n)
{
	struct cf_utf8_info info;
	size_t need, cap;
	char *nb;

	if (!n || !cf_utf8_scan((const uint8_t *)p, n, &info))
		return;
	if (__builtin_add_overflow(s->len, n + 1, &need))
		return;
	if (need > s->cap) {
		cap = s->cap * 2 > need ? s->cap * 2 : need;
		nb = realloc(s->bytes, cap);
		if (!nb) {
			cf_log_misuse("CFStringAppend", "out of memory");
			return;
		}
		s->bytes = nb;
		s->cap = cap;
	}
	memcpy(s->bytes + s->len, p, n);
	s->len += n;
	s->bytes[s->len] = '\0';
	s->u16len += info.u16len;
	s->ascii = s->ascii && info.ascii;
	s->has_nul = s->has_nul || info.has_nul;
}

/* Appends a finished buffer's contents to a mutable string and frees it. */
static void append_buf(CFMutableStringRef m, struct cf_buf *b)
{
	if (!b->failed)
		append_utf8(m, b->p, b->len);
	cf_buf_free(b);
}

IOK_EXPORT void CFStringAppend(CFMutableStringRef theString, CFStringRef appendedString)
{
	struct cf_buf b = CF_BUF_INIT;

	if (!check_string(theString, true, __func__) ||
	    !check_string(appendedString, false, __func__))
		return;
	/* Copy first: appendedString may be theString itself. */
	cf_buf_append(&b, to_str(appendedString)->bytes, to_str(appendedString)->len);
	append_buf(theString, &b);
}

IOK_EXPORT void CFStringAppendCharacters(CFMutableStringRef theString, const UniChar *chars,
					 CFIndex numChars)
{
	struct cf_buf b = CF_BUF_INIT;

	if (!check_string(theString, true, __func__) || numChars <= 0 || !chars)
		return;
	cf_buf_put_utf16(&b, chars, (size_t)numChars);
	append_buf(theString, &b);
}

IOK_EXPORT void CFStringAppendCString(CFMutableStringRef theString, const char *cStr,
				      CFStringEncoding encoding)
{
	struct cf_buf b = CF_BUF_INIT;

	if (!check_string(theString, true, __func__) || !cStr)
		return;
	if (!cf_decode_append(&b, (const uint8_t *)cStr, strlen(cStr), encoding, false)) {
		cf_log_misuse(__func__, "bytes invalid in the given encoding");
		cf_buf_free(&b);
		return;
	}
	append_buf(theString, &b);
}

IOK_EXPORT void CFStringAppendFormatAndArguments(CFMutableStringRef theString,
						 CFDictionaryRef formatOptions, CFStringRef format,
						 va_list arguments)
{
	struct cf_buf b = CF_BUF_INIT;

	if (!check_string(theString, true, __func__) || !check_string(format, false, __func__))
		return;
	cf_format_into(&b, format, arguments);
	append_buf(theString, &b);
}

IOK_EXPORT void CFStringAppendFormat(CFMutableStringRef theString, CFDictionaryRef formatOptions,
				     CFStringRef format, ...)
{
	va_list ap;

	va_start(ap, format);
	CFStringAppendFormatAndArguments(theString, formatOptions, format, ap);
	va_end(ap);
}

IOK_EXPORT CFStringRef CFStringCreateWithFormatAndArguments(CFAllocatorRef alloc,
							    CFDictionaryRef formatOptions,
							    CFStringRef format, va_list arguments)
{
	struct cf_buf b = CF_BUF_INIT;

	if (!check_string(format, false, __func__))
		return NULL;
	cf_format_into(&b, format, arguments);
	return string_from_buf(&b, false);
}

IOK_EXPORT CFStringRef CFStringCreateWithFormat(CFAllocatorRef alloc,
						CFDictionaryRef formatOptions,
						CFStringRef format, ...)
{
	CFStringRef s;
	va_list ap;

	va_start(ap, format);
	s = CFStringCreateWithFormatAndArguments(alloc, formatOptions, format, ap);
	va_end(ap);
	return s;
}

IOK_EXPORT void CFShowStr(CFStringRef str)
{
	const struct __CFString *s = to_str(str);

	if (!cf_is(str, &cf_string_class)) {
		fprintf(stderr, "This is not a string\n");
		return;
	}
	fprintf(stderr, "Length %ld\nIsEightBit %d\nIsMutable %d\nIsImmortal %d\n"
		"Contents \"%s\"\n\n", (long)s->u16len, s->ascii, cf_is_mutable(str) ? 1 : 0,
		(s->base.flags & CF_FLAG_IMMORTAL) ? 1 : 0, s->bytes);
}

/* ---- Immortal strings other parts of the subset export -------------------- */

#define CF_STATIC_ASCII_STRING(var, text)                                     \
	static struct __CFString var = {                                      \
		.base = CF_BASE_STATIC(&cf_string_class, 0),                  \
		.bytes = (char *)(text),                                      \
		.len = sizeof(text) - 1,                                      \
		.cap = sizeof(text),                                          \
		.u16len = sizeof(text) - 1,                                   \
		.ascii = true,                                                \
	}

CF_STATIC_ASCII_STRING(runloop_default_mode, "kCFRunLoopDefaultMode");
CF_STATIC_ASCII_STRING(runloop_common_modes, "kCFRunLoopCommonModes");

IOK_EXPORT const CFStringRef kCFRunLoopDefaultMode = &runloop_default_mode;
IOK_EXPORT const CFStringRef kCFRunLoopCommonModes = &runloop_common_modes;
