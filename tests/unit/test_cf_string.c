// SPDX-License-Identifier: MIT
/*
 * test_cf_string.c - CFString: creation in every supported encoding (with
 * the MacRoman, Latin-1 and Windows-1252 tables checked byte by byte),
 * conversion back, UTF-16 lengths and characters, comparison, prefixes and
 * suffixes, and CFMutableString.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include <CoreFoundation/CoreFoundation.h>

void cft_assert_string(CFStringRef s, const char *utf8);
int cft_run_string_tests(void);

static CFStringRef utf8(const char *s)
{
	return CFStringCreateWithCString(NULL, s, kCFStringEncodingUTF8);
}

/* ---- Creation ------------------------------------------------------------------ */

static void test_create_utf8(void **state)
{
	/* "héllo € 😀" */
	CFStringRef s = utf8("h\xC3\xA9llo \xE2\x82\xAC \xF0\x9F\x98\x80");
	UniChar chars[10];

	assert_non_null(s);
	/* h é l l o ␠ € ␠ + a surrogate pair */
	assert_int_equal(CFStringGetLength(s), 10);
	CFStringGetCharacters(s, CFRangeMake(0, 10), chars);
	assert_int_equal(chars[1], 0x00E9);
	assert_int_equal(chars[6], 0x20AC);
	assert_int_equal(chars[8], 0xD83D);
	assert_int_equal(chars[9], 0xDE00);
	assert_int_equal(CFStringGetCharacterAtIndex(s, 9), 0xDE00);
	cft_assert_string(s, "h\xC3\xA9llo \xE2\x82\xAC \xF0\x9F\x98\x80");
	CFRelease(s);

	s = utf8("");
	assert_non_null(s);
	assert_int_equal(CFStringGetLength(s), 0);
	CFRelease(s);
	assert_null(CFStringCreateWithCString(NULL, NULL, kCFStringEncodingUTF8));
}

static void test_invalid_utf8_rejected(void **state)
{
	const char *bad[] = {
		"\xC3\x28",		/* bad continuation */
		"\xC0\xAF",		/* overlong */
		"\xE0\x80\xAF",		/* overlong */
		"\xED\xA0\x80",		/* surrogate */
		"\xF4\x90\x80\x80",	/* above U+10FFFF */
		"\xF5\x80\x80\x80",
		"\xE2\x82",		/* truncated */
		"\x80",			/* lone continuation */
		"\xFF",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_null(utf8(bad[i]));
}

/* Random bytes: whatever is accepted round-trips through UTF-8 and UTF-16. */
static void test_random_utf8_consistency(void **state)
{
	static const UInt8 pool[] = { 'a', 0x00, 0x7F, 0x80, 0xBF, 0xC2, 0xDF, 0xE0, 0xED,
				      0xEF, 0xF0, 0xF4, 0xF5, 0xA0, 0x9F, 0x90, 0x8F };
	unsigned seed = 42, accepted = 0;

	for (int round = 0; round < 20000; round++) {
		UInt8 bytes[8];
		UniChar units[8];
		char back[32];
		CFIndex n, len;
		CFStringRef s, again;

		seed = seed * 1103515245u + 12345u;
		n = 1 + (CFIndex)((seed >> 16) % 6);
		for (CFIndex i = 0; i < n; i++) {
			seed = seed * 1103515245u + 12345u;
			bytes[i] = pool[(seed >> 16) % sizeof(pool)];
		}
		s = CFStringCreateWithBytes(NULL, bytes, n, kCFStringEncodingUTF8, false);
		if (!s)
			continue;
		accepted++;
		len = CFStringGetLength(s);
		assert_true(len >= 1 && len <= n);
		assert_true(CFStringGetCString(s, back, sizeof(back), kCFStringEncodingUTF8));
		if (!memchr(bytes, 0, (size_t)n))
			assert_memory_equal(back, bytes, (size_t)n);
		CFStringGetCharacters(s, CFRangeMake(0, len), units);
		again = CFStringCreateWithCharacters(NULL, units, len);
		assert_true(CFEqual(s, again));
		CFRelease(again);
		CFRelease(s);
	}
	assert_true(accepted > 1000);
}

static void test_ascii(void **state)
{
	CFStringRef s = CFStringCreateWithCString(NULL, "plain", kCFStringEncodingASCII);
	char buf[8];

	cft_assert_string(s, "plain");
	assert_true(CFStringGetCString(s, buf, sizeof(buf), kCFStringEncodingASCII));
	assert_string_equal(buf, "plain");
	CFRelease(s);
	assert_null(CFStringCreateWithCString(NULL, "caf\xE9", kCFStringEncodingASCII));
	assert_null(CFStringCreateWithCString(NULL, "caf\xC3\xA9", kCFStringEncodingASCII));

	s = utf8("caf\xC3\xA9");
	assert_false(CFStringGetCString(s, buf, sizeof(buf), kCFStringEncodingASCII));
	CFRelease(s);
}

static void test_latin1(void **state)
{
	CFStringRef s = CFStringCreateWithCString(NULL, "caf\xE9 \xA9\xFF",
						  kCFStringEncodingISOLatin1);
	char buf[16];

	cft_assert_string(s, "caf\xC3\xA9 \xC2\xA9\xC3\xBF");
	assert_int_equal(CFStringGetLength(s), 7);
	assert_true(CFStringGetCString(s, buf, sizeof(buf), kCFStringEncodingISOLatin1));
	assert_string_equal(buf, "caf\xE9 \xA9\xFF");
	CFRelease(s);

	/* the euro sign has no Latin-1 byte */
	s = utf8("\xE2\x82\xAC");
	assert_false(CFStringGetCString(s, buf, sizeof(buf), kCFStringEncodingISOLatin1));
	CFRelease(s);
}

static void test_macroman_table(void **state)
{
	struct {
		unsigned char byte;
		const char *utf8;
	} cases[] = {
		{ 0x80, "\xC3\x84" },		/* Ä */
		{ 0x8E, "\xC3\xA9" },		/* é */
		{ 0xA5, "\xE2\x80\xA2" },	/* • */
		{ 0xAA, "\xE2\x84\xA2" },	/* ™ */
		{ 0xB9, "\xCF\x80" },		/* π */
		{ 0xCA, "\xC2\xA0" },		/* no-break space */
		{ 0xD2, "\xE2\x80\x9C" },	/* “ */
		{ 0xDB, "\xE2\x82\xAC" },	/* € */
		{ 0xDE, "\xEF\xAC\x81" },	/* ﬁ */
		{ 0xF0, "\xEF\xA3\xBF" },	/* Apple logo (U+F8FF) */
		{ 0xFF, "\xCB\x87" },		/* ˇ */
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char in[2] = { (char)cases[i].byte, 0 };
		CFStringRef s = CFStringCreateWithCString(NULL, in, kCFStringEncodingMacRoman);
		char back[4];

		cft_assert_string(s, cases[i].utf8);
		assert_true(CFStringGetCString(s, back, sizeof(back), kCFStringEncodingMacRoman));
		assert_int_equal((unsigned char)back[0], cases[i].byte);
		CFRelease(s);
	}
}

/* Every byte 1..255 of an 8-bit encoding survives a round trip. */
static void round_trip_all_bytes(CFStringEncoding enc, const char *skip)
{
	char in[256], out[256];
	size_t n = 0;
	CFStringRef s;

	for (int c = 1; c < 256; c++)
		if (!strchr(skip, c))
			in[n++] = (char)c;
	in[n] = '\0';
	s = CFStringCreateWithCString(NULL, in, enc);
	assert_non_null(s);
	assert_int_equal(CFStringGetLength(s), (CFIndex)n);
	assert_true(CFStringGetCString(s, out, sizeof(out), enc));
	assert_memory_equal(in, out, n + 1);
	CFRelease(s);
}

static void test_8bit_round_trips(void **state)
{
	CFStringRef s;

	round_trip_all_bytes(kCFStringEncodingMacRoman, "");
	round_trip_all_bytes(kCFStringEncodingISOLatin1, "");
	round_trip_all_bytes(kCFStringEncodingWindowsLatin1, "\x81\x8D\x8F\x90\x9D");
	/* unassigned Windows-1252 bytes are invalid */
	assert_null(CFStringCreateWithCString(NULL, "\x81", kCFStringEncodingWindowsLatin1));
	s = CFStringCreateWithCString(NULL, "\x80", kCFStringEncodingWindowsLatin1);
	cft_assert_string(s, "\xE2\x82\xAC");
	CFRelease(s);
	/* MacRoman and Latin-1 disagree above 0x7F */
	s = CFStringCreateWithCString(NULL, "\xE9", kCFStringEncodingMacRoman);
	cft_assert_string(s, "\xC3\x88");	/* È */
	CFRelease(s);
}

static void test_create_with_bytes(void **state)
{
	const UInt8 nul[] = { 'a', 0, 'b' };
	const UInt8 bom8[] = { 0xEF, 0xBB, 0xBF, 'h', 'i' };
	const UInt8 be[] = { 0x00, 'h', 0x00, 0xE9, 0xD8, 0x3D, 0xDE, 0x00 };
	const UInt8 le[] = { 'h', 0x00, 0xE9, 0x00, 0x3D, 0xD8, 0x00, 0xDE };
	const UInt8 bom_le[] = { 0xFF, 0xFE, 'h', 0x00 };
	const UInt8 lone[] = { 0xD8, 0x3D, 0x00, 'x' };
	CFStringRef s;
	char buf[8];

	s = CFStringCreateWithBytes(NULL, nul, 3, kCFStringEncodingUTF8, false);
	assert_int_equal(CFStringGetLength(s), 3);
	assert_null(CFStringGetCStringPtr(s, kCFStringEncodingUTF8));
	assert_int_equal(CFStringGetCharacterAtIndex(s, 1), 0);
	CFRelease(s);

	s = CFStringCreateWithBytes(NULL, bom8, 5, kCFStringEncodingUTF8, true);
	cft_assert_string(s, "hi");
	CFRelease(s);
	s = CFStringCreateWithBytes(NULL, bom8, 5, kCFStringEncodingUTF8, false);
	assert_int_equal(CFStringGetLength(s), 3);	/* U+FEFF kept */
	CFRelease(s);

	s = CFStringCreateWithBytes(NULL, be, sizeof(be), kCFStringEncodingUTF16BE, false);
	cft_assert_string(s, "h\xC3\xA9\xF0\x9F\x98\x80");
	assert_int_equal(CFStringGetLength(s), 4);
	CFRelease(s);
	s = CFStringCreateWithBytes(NULL, le, sizeof(le), kCFStringEncodingUTF16LE, false);
	cft_assert_string(s, "h\xC3\xA9\xF0\x9F\x98\x80");
	CFRelease(s);
	s = CFStringCreateWithBytes(NULL, bom_le, sizeof(bom_le), kCFStringEncodingUTF16, true);
	cft_assert_string(s, "h");
	CFRelease(s);
	assert_null(CFStringCreateWithBytes(NULL, lone, sizeof(lone), kCFStringEncodingUTF16BE,
					    false));
	assert_null(CFStringCreateWithBytes(NULL, be, 3, kCFStringEncodingUTF16BE, false));
	assert_null(CFStringCreateWithBytes(NULL, be, 2, 0x7777, false));
	assert_null(CFStringCreateWithBytes(NULL, be, -1, kCFStringEncodingUTF8, false));

	s = CFStringCreateWithBytes(NULL, (const UInt8 *)"\x8E", 1, kCFStringEncodingMacRoman,
				    false);
	assert_true(CFStringGetCString(s, buf, sizeof(buf), kCFStringEncodingUTF8));
	assert_string_equal(buf, "\xC3\xA9");
	CFRelease(s);
}

static void test_no_copy_variants(void **state)
{
	char *heap = strdup("owned");
	UInt8 *bytes = malloc(3);
	CFStringRef s;

	memcpy(bytes, "xyz", 3);
	/* default deallocator: the string takes the buffer (ASan checks the free) */
	s = CFStringCreateWithCStringNoCopy(NULL, heap, kCFStringEncodingUTF8, kCFAllocatorDefault);
	cft_assert_string(s, "owned");
	CFRelease(s);
	s = CFStringCreateWithBytesNoCopy(NULL, bytes, 3, kCFStringEncodingUTF8, false, NULL);
	cft_assert_string(s, "xyz");
	CFRelease(s);
	/* kCFAllocatorNull: the caller keeps it */
	s = CFStringCreateWithCStringNoCopy(NULL, "static", kCFStringEncodingUTF8,
					    kCFAllocatorNull);
	cft_assert_string(s, "static");
	CFRelease(s);
}

static void test_characters(void **state)
{
	const UniChar chars[] = { 'a', 0xE9, 0xD83D, 0xDE00, 'z' };
	const UniChar lone[] = { 'a', 0xDC00 };
	CFStringRef s = CFStringCreateWithCharacters(NULL, chars, 5);
	CFStringRef sub;
	UniChar out[5];

	cft_assert_string(s, "a\xC3\xA9\xF0\x9F\x98\x80z");
	assert_int_equal(CFStringGetLength(s), 5);
	CFStringGetCharacters(s, CFRangeMake(1, 3), out);
	assert_int_equal(out[0], 0xE9);
	assert_int_equal(out[1], 0xD83D);
	assert_int_equal(out[2], 0xDE00);

	sub = CFStringCreateWithSubstring(NULL, s, CFRangeMake(1, 3));
	cft_assert_string(sub, "\xC3\xA9\xF0\x9F\x98\x80");
	CFRelease(sub);
	sub = CFStringCreateWithSubstring(NULL, s, CFRangeMake(5, 0));
	cft_assert_string(sub, "");
	CFRelease(sub);
	assert_null(CFStringCreateWithSubstring(NULL, s, CFRangeMake(4, 2)));
	CFRelease(s);

	s = CFStringCreateWithCharacters(NULL, lone, 2);
	cft_assert_string(s, "a\xEF\xBF\xBD");	/* unpaired surrogate -> U+FFFD */
	CFRelease(s);
}

/* ---- Getting C strings ------------------------------------------------------- */

static void test_get_cstring_sizes(void **state)
{
	CFStringRef s = utf8("caf\xC3\xA9");	/* 5 bytes in UTF-8, 4 in Latin-1 */
	char buf[8];

	assert_false(CFStringGetCString(s, buf, 5, kCFStringEncodingUTF8));
	assert_string_equal(buf, "");
	assert_true(CFStringGetCString(s, buf, 6, kCFStringEncodingUTF8));
	assert_string_equal(buf, "caf\xC3\xA9");
	assert_false(CFStringGetCString(s, buf, 4, kCFStringEncodingISOLatin1));
	assert_true(CFStringGetCString(s, buf, 5, kCFStringEncodingISOLatin1));
	assert_string_equal(buf, "caf\xE9");
	assert_true(CFStringGetCString(s, buf, 5, kCFStringEncodingMacRoman));
	assert_string_equal(buf, "caf\x8E");
	assert_false(CFStringGetCString(s, buf, 0, kCFStringEncodingUTF8));
	assert_false(CFStringGetCString(s, NULL, 8, kCFStringEncodingUTF8));
	assert_false(CFStringGetCString(s, buf, sizeof(buf), kCFStringEncodingUTF16));
	CFRelease(s);
}

static void test_get_cstring_ptr(void **state)
{
	CFStringRef ascii = utf8("plain");
	CFStringRef accented = utf8("caf\xC3\xA9");

	assert_string_equal(CFStringGetCStringPtr(ascii, kCFStringEncodingUTF8), "plain");
	assert_string_equal(CFStringGetCStringPtr(ascii, kCFStringEncodingMacRoman), "plain");
	assert_string_equal(CFStringGetCStringPtr(ascii, kCFStringEncodingASCII), "plain");
	assert_null(CFStringGetCStringPtr(ascii, kCFStringEncodingUTF16));
	assert_string_equal(CFStringGetCStringPtr(accented, kCFStringEncodingUTF8),
			    "caf\xC3\xA9");
	assert_null(CFStringGetCStringPtr(accented, kCFStringEncodingMacRoman));
	assert_null(CFStringGetCStringPtr(accented, kCFStringEncodingISOLatin1));
	assert_string_equal(CFStringGetCStringPtr(CFSTR("k"), kCFStringEncodingMacRoman), "k");
	CFRelease(ascii);
	CFRelease(accented);
}

static void test_maximum_size(void **state)
{
	assert_int_equal(CFStringGetMaximumSizeForEncoding(10, kCFStringEncodingUTF8), 30);
	assert_int_equal(CFStringGetMaximumSizeForEncoding(10, kCFStringEncodingMacRoman), 10);
	assert_int_equal(CFStringGetMaximumSizeForEncoding(10, kCFStringEncodingASCII), 10);
	assert_int_equal(CFStringGetMaximumSizeForEncoding(10, kCFStringEncodingISOLatin1), 10);
	assert_int_equal(CFStringGetMaximumSizeForEncoding(10, kCFStringEncodingUTF16), 20);
	assert_int_equal(CFStringGetMaximumSizeForEncoding(0, kCFStringEncodingUTF8), 0);
	assert_int_equal(CFStringGetMaximumSizeForEncoding(LONG_MAX / 2, kCFStringEncodingUTF8),
			 kCFNotFound);
	assert_true(CFStringIsEncodingAvailable(kCFStringEncodingMacRoman));
	assert_false(CFStringIsEncodingAvailable(0x7777));
	assert_int_equal(CFStringGetSystemEncoding(), kCFStringEncodingUTF8);
}

static void test_constants(void **state)
{
	assert_int_equal(kCFStringEncodingMacRoman, 0);
	assert_int_equal(kCFStringEncodingASCII, 0x0600);
	assert_int_equal(kCFStringEncodingUTF8, 0x08000100);
	assert_int_equal(kCFStringEncodingISOLatin1, 0x0201);
	assert_int_equal(kCFStringEncodingWindowsLatin1, 0x0500);
	assert_int_equal(kCFStringEncodingUTF16, 0x0100);
	assert_int_equal(kCFStringEncodingInvalidId, 0xffffffffU);
	assert_int_equal(kCFNotFound, -1);
	assert_int_equal(kCFCompareLessThan, -1);
	assert_int_equal(kCFCompareEqualTo, 0);
	assert_int_equal(kCFCompareGreaterThan, 1);
	assert_int_equal(kCFCompareCaseInsensitive, 1);
	assert_int_equal(kCFCompareNumerically, 64);
	assert_int_equal(sizeof(CFIndex), sizeof(long));
	assert_int_equal(sizeof(Boolean), 1);
	assert_int_equal(sizeof(UniChar), 2);
	assert_int_equal(sizeof(UInt32), 4);
	assert_int_equal(sizeof(SInt64), 8);
	assert_int_equal(CFRangeMake(3, 4).location, 3);
	assert_int_equal(CFRangeMake(3, 4).length, 4);
}

/* ---- Comparison ----------------------------------------------------------------- */

static CFComparisonResult cmp(const char *a, const char *b, CFStringCompareFlags flags)
{
	CFStringRef x = utf8(a), y = utf8(b);
	CFComparisonResult r;

	assert_non_null(x);
	assert_non_null(y);
	r = CFStringCompare(x, y, flags);
	CFRelease(x);
	CFRelease(y);
	return r;
}

static void test_compare(void **state)
{
	assert_int_equal(cmp("abc", "abd", 0), kCFCompareLessThan);
	assert_int_equal(cmp("abd", "abc", 0), kCFCompareGreaterThan);
	assert_int_equal(cmp("abc", "abc", 0), kCFCompareEqualTo);
	assert_int_equal(cmp("a", "ab", 0), kCFCompareLessThan);
	assert_int_equal(cmp("", "a", 0), kCFCompareLessThan);
	assert_int_equal(cmp("B", "a", 0), kCFCompareLessThan);
	assert_int_equal(cmp("HeLLo", "hello", 0), kCFCompareLessThan);
	assert_int_equal(cmp("HeLLo", "hello", kCFCompareCaseInsensitive), kCFCompareEqualTo);
	assert_int_equal(cmp("B", "a", kCFCompareCaseInsensitive), kCFCompareGreaterThan);
	/* beyond ASCII: Latin-1, Latin Extended-A, Greek, Cyrillic */
	assert_int_equal(cmp("\xC3\x84" "BC", "\xC3\xA4" "bc", kCFCompareCaseInsensitive),
			 kCFCompareEqualTo);
	assert_int_equal(cmp("\xC5\x81\xC3\x93\xC4\x86", "\xC5\x82\xC3\xB3\xC4\x87",
			     kCFCompareCaseInsensitive), kCFCompareEqualTo);
	assert_int_equal(cmp("\xCE\xA3\xCE\x91", "\xCF\x83\xCE\xB1", kCFCompareCaseInsensitive),
			 kCFCompareEqualTo);
	assert_int_equal(cmp("\xD0\x96\xD0\x81", "\xD0\xB6\xD1\x91", kCFCompareCaseInsensitive),
			 kCFCompareEqualTo);
	/* UTF-16 order, as on macOS: U+FF5E sorts after U+1F600 (D83D DE00) */
	assert_int_equal(cmp("\xEF\xBD\x9E", "\xF0\x9F\x98\x80", 0), kCFCompareGreaterThan);
	/* numeric option */
	assert_int_equal(cmp("file9", "file10", 0), kCFCompareGreaterThan);
	assert_int_equal(cmp("file9", "file10", kCFCompareNumerically), kCFCompareLessThan);
	assert_int_equal(cmp("v1.10", "v1.9", kCFCompareNumerically), kCFCompareGreaterThan);
	assert_int_equal(cmp("a007", "a7", kCFCompareNumerically), kCFCompareEqualTo);
	assert_int_equal(cmp("A10", "a9", kCFCompareNumerically | kCFCompareCaseInsensitive),
			 kCFCompareGreaterThan);
}

static void test_prefix_suffix(void **state)
{
	CFStringRef s = utf8("IOService:/AppleACPI");

	assert_true(CFStringHasPrefix(s, CFSTR("IOService")));
	assert_true(CFStringHasPrefix(s, s));
	assert_false(CFStringHasPrefix(s, CFSTR("IOServices")));
	assert_false(CFStringHasPrefix(s, CFSTR("ioservice")));
	assert_true(CFStringHasSuffix(s, CFSTR("ACPI")));
	assert_false(CFStringHasSuffix(s, CFSTR("ACP")));
	assert_false(CFStringHasSuffix(CFSTR("x"), s));
	/* the empty string is nobody's prefix or suffix (as on macOS) */
	assert_false(CFStringHasPrefix(s, CFSTR("")));
	assert_false(CFStringHasSuffix(s, CFSTR("")));
	CFRelease(s);
}

static void test_int_value(void **state)
{
	assert_int_equal(CFStringGetIntValue(CFSTR("42")), 42);
	assert_int_equal(CFStringGetIntValue(CFSTR("  -17abc")), -17);
	assert_int_equal(CFStringGetIntValue(CFSTR("abc")), 0);
	assert_int_equal(CFStringGetIntValue(CFSTR("99999999999")), 2147483647);
	assert_int_equal(CFStringGetIntValue(CFSTR("-99999999999")), -2147483647 - 1);
}

/* ---- Copies and mutable strings ---------------------------------------------- */

static void test_copies(void **state)
{
	CFStringRef s = utf8("immutable");
	CFMutableStringRef m = CFStringCreateMutableCopy(NULL, 0, s);
	CFStringRef c;

	c = CFStringCreateCopy(NULL, s);
	assert_ptr_equal(c, s);		/* immutable: the same object, retained */
	assert_int_equal(CFGetRetainCount(s), 2);
	CFRelease(c);

	CFStringAppendCString(m, "!", kCFStringEncodingUTF8);
	c = CFStringCreateCopy(NULL, m);
	assert_ptr_not_equal(c, m);
	cft_assert_string(c, "immutable!");
	CFStringAppendCString(m, "?", kCFStringEncodingUTF8);
	cft_assert_string(c, "immutable!");	/* the copy does not follow */
	cft_assert_string(m, "immutable!?");
	assert_true(CFEqual(s, CFSTR("immutable")));
	CFRelease(c);
	CFRelease(m);
	CFRelease(s);
}

static void test_mutable(void **state)
{
	CFMutableStringRef m = CFStringCreateMutable(NULL, 0);
	CFStringRef before;
	char *big;

	assert_non_null(m);
	assert_int_equal(CFGetTypeID(m), CFStringGetTypeID());
	assert_int_equal(CFStringGetLength(m), 0);
	CFStringAppendCString(m, "abc", kCFStringEncodingUTF8);
	CFStringAppend(m, CFSTR("def"));
	CFStringAppendCString(m, "\xE9", kCFStringEncodingISOLatin1);
	cft_assert_string(m, "abcdef\xC3\xA9");
	assert_int_equal(CFStringGetLength(m), 7);
	assert_null(CFStringGetCStringPtr(m, kCFStringEncodingMacRoman));
	CFStringAppend(m, m);	/* appending itself */
	cft_assert_string(m, "abcdef\xC3\xA9" "abcdef\xC3\xA9");
	assert_int_equal(CFStringGetLength(m), 14);

	/* invalid input appends nothing */
	CFStringAppendCString(m, "\xFF", kCFStringEncodingUTF8);
	CFStringAppendCString(m, "\x80", kCFStringEncodingASCII);
	assert_int_equal(CFStringGetLength(m), 14);

	const UniChar pair[] = { 0xD83D, 0xDE00 };

	CFStringAppendCharacters(m, pair, 2);
	assert_int_equal(CFStringGetLength(m), 16);
	assert_true(CFStringHasSuffix(m, CFSTR("\xF0\x9F\x98\x80")));

	/* growth */
	big = malloc(10001);
	memset(big, 'x', 10000);
	big[10000] = 0;
	for (int i = 0; i < 10; i++)
		CFStringAppendCString(m, big, kCFStringEncodingASCII);
	assert_int_equal(CFStringGetLength(m), 16 + 100000);
	free(big);

	/* equal to an immutable string with the same contents */
	CFStringRef imm = CFStringCreateCopy(NULL, m);

	assert_true(CFEqual(m, imm));
	assert_int_equal(CFHash(m), CFHash(imm));
	CFRelease(imm);

	/* mutating an immutable string is refused, not fatal */
	before = utf8("fixed");
	CFStringAppend((CFMutableStringRef)before, CFSTR("x"));
	cft_assert_string(before, "fixed");
	CFRelease(before);
	CFRelease(m);
}

int cft_run_string_tests(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_utf8),
		cmocka_unit_test(test_invalid_utf8_rejected),
		cmocka_unit_test(test_random_utf8_consistency),
		cmocka_unit_test(test_ascii),
		cmocka_unit_test(test_latin1),
		cmocka_unit_test(test_macroman_table),
		cmocka_unit_test(test_8bit_round_trips),
		cmocka_unit_test(test_create_with_bytes),
		cmocka_unit_test(test_no_copy_variants),
		cmocka_unit_test(test_characters),
		cmocka_unit_test(test_get_cstring_sizes),
		cmocka_unit_test(test_get_cstring_ptr),
		cmocka_unit_test(test_maximum_size),
		cmocka_unit_test(test_constants),
		cmocka_unit_test(test_compare),
		cmocka_unit_test(test_prefix_suffix),
		cmocka_unit_test(test_int_value),
		cmocka_unit_test(test_copies),
		cmocka_unit_test(test_mutable),
	};

	return cmocka_run_group_tests_name("cf_string", tests, NULL, NULL);
}
