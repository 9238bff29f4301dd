// SPDX-License-Identifier: MIT
/*
 * cf_encoding.c - UTF-8 validation and iteration, UTF-16 conversion, the
 * MacRoman and Windows-1252 tables, simple case folding, and decoding of
 * every supported CFStringEncoding into the UTF-8 that CFString stores.
 */
#include "cf_internal.h"

#include <string.h>

/* ---- UTF-8 ------------------------------------------------------------------ */

static bool is_cont(uint8_t c)
{
	return (c & 0xC0) == 0x80;
}

size_t cf_utf8_next(const uint8_t *p, size_t n, uint32_t *cp)
{
	uint8_t c = p[0];
	uint8_t lo = 0x80, hi = 0xBF;
	size_t len;
	uint32_t v;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xC2 && c <= 0xDF) {
		len = 2;
		v = c & 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		len = 3;
		v = c & 0x0F;
		if (c == 0xE0)
			lo = 0xA0;	/* no overlongs */
		else if (c == 0xED)
			hi = 0x9F;	/* no surrogates */
	} else if (c >= 0xF0 && c <= 0xF4) {
		len = 4;
		v = c & 0x07;
		if (c == 0xF0)
			lo = 0x90;	/* no overlongs */
		else if (c == 0xF4)
			hi = 0x8F;	/* nothing above U+10FFFF */
	} else {
		return 0;
	}
	if (n < len || p[1] < lo || p[1] > hi)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if (!is_cont(p[i]))
			return 0;
		v = (v << 6) | (p[i] & 0x3F);
	}
	*cp = v;
	return len;
}

size_t cf_utf8_encode(uint32_t cp, char out[4])
{
	if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		cp = CF_REPLACEMENT_CHAR;
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xC0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xE0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	out[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

bool cf_utf8_scan(const uint8_t *p, size_t n, struct cf_utf8_info *info)
{
	size_t i = 0;

	info->u16len = 0;
	info->ascii = true;
	info->has_nul = false;
	while (i < n) {
		uint32_t cp;
		size_t len;

		if (p[i] < 0x80) {
			if (!p[i])
				info->has_nul = true;
			info->u16len++;
			i++;
			continue;
		}
		len = cf_utf8_next(p + i, n - i, &cp);
		if (!len)
			return false;
		info->ascii = false;
		info->u16len += cp >= 0x10000 ? 2 : 1;
		i += len;
	}
	return true;
}

void cf_utf8_sanitize(struct cf_buf *b, const uint8_t *p, size_t n)
{
	size_t i = 0;

	while (i < n) {
		uint32_t cp;
		size_t len = cf_utf8_next(p + i, n - i, &cp);

		if (len) {
			cf_buf_append(b, p + i, len);
			i += len;
		} else {
			cf_buf_put_cp(b, CF_REPLACEMENT_CHAR);
			i++;
		}
	}
}

/* ---- UTF-16 ------------------------------------------------------------------ */

void cf_u16_iter_init(struct cf_u16_iter *it, const char *p, size_t n)
{
	it->p = (const uint8_t *)p;
	it->n = n;
	it->pos = 0;
	it->pending = 0;
}

bool cf_u16_iter_next(struct cf_u16_iter *it, uint16_t *unit)
{
	uint32_t cp;
	size_t len;

	if (it->pending) {
		*unit = it->pending;
		it->pending = 0;
		return true;
	}
	if (it->pos >= it->n)
		return false;
	len = cf_utf8_next(it->p + it->pos, it->n - it->pos, &cp);
	if (!len) {		/* cannot happen for a CFString's contents */
		len = 1;
		cp = CF_REPLACEMENT_CHAR;
	}
	it->pos += len;
	if (cp < 0x10000) {
		*unit = (uint16_t)cp;
		return true;
	}
	cp -= 0x10000;
	*unit = (uint16_t)(0xD800 | (cp >> 10));
	it->pending = (uint16_t)(0xDC00 | (cp & 0x3FF));
	return true;
}

static bool is_high_surrogate(uint32_t u)
{
	return u >= 0xD800 && u <= 0xDBFF;
}

static bool is_low_surrogate(uint32_t u)
{
	return u >= 0xDC00 && u <= 0xDFFF;
}

void cf_buf_put_utf16(struct cf_buf *b, const UniChar *chars, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint32_t u = chars[i];

		if (is_high_surrogate(u) && i + 1 < n && is_low_surrogate(chars[i + 1])) {
			u = 0x10000 + ((u - 0xD800) << 10) + (chars[i + 1] - 0xDC00u);
			i++;
		} else if (is_high_surrogate(u) || is_low_surrogate(u)) {
			u = CF_REPLACEMENT_CHAR;
		}
		cf_buf_put_cp(b, u);
	}
}

/*
 * Strict UTF-16 decoding (for CFStringCreateWithBytes): unpaired
 * surrogates make the bytes invalid.
 */
static bool decode_utf16(struct cf_buf *b, const uint8_t *p, size_t n, bool big_endian)
{
	if (n % 2)
		return false;
	for (size_t i = 0; i < n; i += 2) {
		uint32_t u = big_endian ? (uint32_t)(p[i] << 8 | p[i + 1])
					: (uint32_t)(p[i + 1] << 8 | p[i]);

		if (is_high_surrogate(u)) {
			uint32_t lo;

			if (i + 3 >= n)
				return false;
			lo = big_endian ? (uint32_t)(p[i + 2] << 8 | p[i + 3])
					: (uint32_t)(p[i + 3] << 8 | p[i + 2]);
			if (!is_low_surrogate(lo))
				return false;
			u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
			i += 2;
		} else if (is_low_surrogate(u)) {
			return false;
		}
		cf_buf_put_cp(b, u);
	}
	return !b->failed;
}

/* ---- 8-bit tables ------------------------------------------------------------ */

/* Mac OS Roman, bytes 0x80..0xFF (the modern table: 0xDB is the euro sign). */
static const uint16_t mac_roman_high[128] = {
	/* 0x80 */ 0x00C4, 0x00C5, 0x00C7, 0x00C9, 0x00D1, 0x00D6, 0x00DC, 0x00E1,
	/* 0x88 */ 0x00E0, 0x00E2, 0x00E4, 0x00E3, 0x00E5, 0x00E7, 0x00E9, 0x00E8,
	/* 0x90 */ 0x00EA, 0x00EB, 0x00ED, 0x00EC, 0x00EE, 0x00EF, 0x00F1, 0x00F3,
	/* 0x98 */ 0x00F2, 0x00F4, 0x00F6, 0x00F5, 0x00FA, 0x00F9, 0x00FB, 0x00FC,
	/* 0xA0 */ 0x2020, 0x00B0, 0x00A2, 0x00A3, 0x00A7, 0x2022, 0x00B6, 0x00DF,
	/* 0xA8 */ 0x00AE, 0x00A9, 0x2122, 0x00B4, 0x00A8, 0x2260, 0x00C6, 0x00D8,
	/* 0xB0 */ 0x221E, 0x00B1, 0x2264, 0x2265, 0x00A5, 0x00B5, 0x2202, 0x2211,
	/* 0xB8 */ 0x220F, 0x03C0, 0x222B, 0x00AA, 0x00BA, 0x03A9, 0x00E6, 0x00F8,
	/* 0xC0 */ 0x00BF, 0x00A1, 0x00AC, 0x221A, 0x0192, 0x2248, 0x2206, 0x00AB,
	/* 0xC8 */ 0x00BB, 0x2026, 0x00A0, 0x00C0, 0x00C3, 0x00D5, 0x0152, 0x0153,
	/* 0xD0 */ 0x2013, 0x2014, 0x201C, 0x201D, 0x2018, 0x2019, 0x00F7, 0x25CA,
	/* 0xD8 */ 0x00FF, 0x0178, 0x2044, 0x20AC, 0x2039, 0x203A, 0xFB01, 0xFB02,
	/* 0xE0 */ 0x2021, 0x00B7, 0x201A, 0x201E, 0x2030, 0x00C2, 0x00CA, 0x00C1,
	/* 0xE8 */ 0x00CB, 0x00C8, 0x00CD, 0x00CE, 0x00CF, 0x00CC, 0x00D3, 0x00D4,
	/* 0xF0 */ 0xF8FF, 0x00D2, 0x00DA, 0x00DB, 0x00D9, 0x0131, 0x02C6, 0x02DC,
	/* 0xF8 */ 0x00AF, 0x02D8, 0x02D9, 0x02DA, 0x00B8, 0x02DD, 0x02DB, 0x02C7,
};

/* Windows-1252, bytes 0x80..0x9F (0 = unassigned); 0xA0..0xFF are Latin-1. */
static const uint16_t cp1252_c1[32] = {
	/* 0x80 */ 0x20AC, 0x0000, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
	/* 0x88 */ 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x0000, 0x017D, 0x0000,
	/* 0x90 */ 0x0000, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
	/* 0x98 */ 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x0000, 0x017E, 0x0178,
};

/* Code point of byte c in an 8-bit encoding; -1 if unassigned. */
static int32_t decode_8bit(uint8_t c, CFStringEncoding enc)
{
	if (c < 0x80)
		return c;
	switch (enc) {
	case kCFStringEncodingMacRoman:
		return mac_roman_high[c - 0x80];
	case kCFStringEncodingISOLatin1:
		return c;
	case kCFStringEncodingWindowsLatin1:
		if (c >= 0xA0)
			return c;
		return cp1252_c1[c - 0x80] ? cp1252_c1[c - 0x80] : -1;
	default:		/* ASCII */
		return -1;
	}
}

int cf_encode_8bit(uint32_t cp, CFStringEncoding enc)
{
	if (cp < 0x80)
		return (int)cp;
	switch (enc) {
	case kCFStringEncodingISOLatin1:
		return cp <= 0xFF ? (int)cp : -1;
	case kCFStringEncodingWindowsLatin1:
		if (cp >= 0xA0 && cp <= 0xFF)
			return (int)cp;
		for (int i = 0; i < 32; i++)
			if (cp1252_c1[i] && cp1252_c1[i] == cp)
				return 0x80 + i;
		return -1;
	case kCFStringEncodingMacRoman:
		for (int i = 0; i < 128; i++)
			if (mac_roman_high[i] == cp)
				return 0x80 + i;
		return -1;
	default:
		return -1;
	}
}

bool cf_encoding_is_8bit(CFStringEncoding enc)
{
	switch (enc) {
	case kCFStringEncodingASCII:
	case kCFStringEncodingMacRoman:
	case kCFStringEncodingISOLatin1:
	case kCFStringEncodingWindowsLatin1:
		return true;
	default:
		return false;
	}
}

bool cf_encoding_is_ascii_superset(CFStringEncoding enc)
{
	return cf_encoding_is_8bit(enc) || enc == kCFStringEncodingUTF8;
}

bool cf_encoding_supported(CFStringEncoding enc)
{
	switch (enc) {
	case kCFStringEncodingUTF8:
	case kCFStringEncodingUTF16:
	case kCFStringEncodingUTF16BE:
	case kCFStringEncodingUTF16LE:
		return true;
	default:
		return cf_encoding_is_8bit(enc);
	}
}

/* ---- Decoding into UTF-8 ----------------------------------------------------- */

static bool decode_8bit_run(struct cf_buf *b, const uint8_t *p, size_t n, CFStringEncoding enc)
{
	size_t i = 0;

	while (i < n) {
		size_t run = i;
		int32_t cp;

		while (run < n && p[run] < 0x80)
			run++;
		cf_buf_append(b, p + i, run - i);
		if (run == n)
			break;
		cp = decode_8bit(p[run], enc);
		if (cp < 0)
			return false;
		cf_buf_put_cp(b, (uint32_t)cp);
		i = run + 1;
	}
	return !b->failed;
}

static bool decode_utf8(struct cf_buf *b, const uint8_t *p, size_t n, bool external)
{
	struct cf_utf8_info info;

	if (external && n >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF) {
		p += 3;
		n -= 3;
	}
	if (!cf_utf8_scan(p, n, &info))
		return false;
	cf_buf_append(b, p, n);
	return !b->failed;
}

static bool host_is_big_endian(void)
{
	const uint16_t probe = 0x0102;
	uint8_t first;

	memcpy(&first, &probe, 1);
	return first == 0x01;
}

/* kCFStringEncodingUTF16: a BOM picks the byte order and is dropped. */
static bool decode_utf16_bom(struct cf_buf *b, const uint8_t *p, size_t n)
{
	if (n >= 2 && p[0] == 0xFE && p[1] == 0xFF)
		return decode_utf16(b, p + 2, n - 2, true);
	if (n >= 2 && p[0] == 0xFF && p[1] == 0xFE)
		return decode_utf16(b, p + 2, n - 2, false);
	return decode_utf16(b, p, n, host_is_big_endian());
}

bool cf_decode_append(struct cf_buf *b, const uint8_t *bytes, size_t n, CFStringEncoding enc,
		      bool external)
{
	if (!bytes && n)
		return false;
	if (!cf_buf_reserve(b, n))
		return false;
	switch (enc) {
	case kCFStringEncodingUTF8:
		return decode_utf8(b, bytes, n, external);
	case kCFStringEncodingUTF16:
		return decode_utf16_bom(b, bytes, n);
	case kCFStringEncodingUTF16BE:
		return decode_utf16(b, bytes, n, true);
	case kCFStringEncodingUTF16LE:
		return decode_utf16(b, bytes, n, false);
	default:
		if (!cf_encoding_is_8bit(enc))
			return false;
		return decode_8bit_run(b, bytes, n, enc);
	}
}

/* ---- Case folding -------------------------------------------------------------- */

/* Folds a code point in a block where upper/lower case alternate. */
static uint32_t fold_pair(uint32_t cp, bool upper_is_even)
{
	bool even = (cp & 1) == 0;

	return even == upper_is_even ? cp + 1 : cp;
}

static uint32_t fold_latin(uint32_t cp)
{
	if (cp >= 'A' && cp <= 'Z')
		return cp + 0x20;
	if (cp >= 0xC0 && cp <= 0xDE && cp != 0xD7)
		return cp + 0x20;
	if (cp == 0xB5)
		return 0x3BC;			/* micro sign -> mu */
	if ((cp >= 0x100 && cp <= 0x12F) || (cp >= 0x132 && cp <= 0x137) ||
	    (cp >= 0x14A && cp <= 0x177))
		return fold_pair(cp, true);
	if ((cp >= 0x139 && cp <= 0x148) || (cp >= 0x179 && cp <= 0x17E))
		return fold_pair(cp, false);
	if (cp == 0x178)
		return 0xFF;
	if (cp == 0x17F)
		return 's';
	return cp;
}

static uint32_t fold_greek_cyrillic(uint32_t cp)
{
	if ((cp >= 0x391 && cp <= 0x3A1) || (cp >= 0x3A3 && cp <= 0x3AB))
		return cp + 0x20;
	if (cp == 0x386)
		return 0x3AC;
	if (cp >= 0x388 && cp <= 0x38A)
		return cp + 0x25;
	if (cp == 0x38C)
		return 0x3CC;
	if (cp == 0x38E || cp == 0x38F)
		return cp + 0x3F;
	if (cp == 0x3C2)
		return 0x3C3;			/* final sigma */
	if (cp >= 0x400 && cp <= 0x40F)
		return cp + 0x50;
	if (cp >= 0x410 && cp <= 0x42F)
		return cp + 0x20;
	if ((cp >= 0x460 && cp <= 0x481) || (cp >= 0x48A && cp <= 0x4BF) ||
	    (cp >= 0x4D0 && cp <= 0x52F))
		return fold_pair(cp, true);
	if (cp == 0x4C0)
		return 0x4CF;
	if (cp >= 0x4C1 && cp <= 0x4CE)
		return fold_pair(cp, false);
	if (cp >= 0x531 && cp <= 0x556)
		return cp + 0x30;
	return cp;
}

uint32_t cf_fold_case(uint32_t cp)
{
	if (cp < 0x80)
		return cp >= 'A' && cp <= 'Z' ? cp + 0x20 : cp;
	if (cp < 0x180)
		return fold_latin(cp);
	if (cp >= 0x370 && cp < 0x560)
		return fold_greek_cyrillic(cp);
	if ((cp >= 0x1E00 && cp <= 0x1E95) || (cp >= 0x1EA0 && cp <= 0x1EFF))
		return fold_pair(cp, true);
	if (cp == 0x1E9E)
		return 0xDF;			/* capital sharp s */
	if (cp >= 0xFF21 && cp <= 0xFF3A)
		return cp + 0x20;		/* fullwidth Latin */
	return cp;
}
