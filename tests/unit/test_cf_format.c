// SPDX-License-Identifier: MIT
/*
 * test_cf_format.c - CFStringCreateWithFormat: printf conversions (checked
 * against snprintf), %@ for every CF type (strings bare, collections in the
 * NSDictionary/NSArray style), %S/%C, positional arguments, width and
 * precision, malformed formats, and CFStringAppendFormat.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include <CoreFoundation/CoreFoundation.h>

void cft_assert_string(CFStringRef s, const char *utf8);
int cft_run_format_tests(void);

/* Formats with CF and compares with the expected UTF-8 text. */
static void expect_format(const char *expect, CFStringRef fmt, ...)
{
	CFStringRef s;
	va_list ap;

	va_start(ap, fmt);
	s = CFStringCreateWithFormatAndArguments(NULL, NULL, fmt, ap);
	va_end(ap);
	cft_assert_string(s, expect);
	CFRelease(s);
}

static void test_printf_conversions(void **state)
{
	char expect[256];

	expect_format("42 -7 abc", CFSTR("%d %i %s"), 42, -7, "abc");
	expect_format("ff FF 17 4294967295", CFSTR("%x %X %o %u"), 255, 255, 15, -1);
	expect_format("9223372036854775807 18446744073709551615 12 34",
		      CFSTR("%lld %llu %zu %td"), (long long)INT64_MAX, (unsigned long long)-1,
		      (size_t)12, (ptrdiff_t)34);
	expect_format("-5 7 9", CFSTR("%ld %qd %jd"), -5L, 7LL, (intmax_t)9);
	expect_format("44 -1", CFSTR("%hhd %hd"), 300, 65535);
	expect_format("123 456 777", CFSTR("%D %U %O"), 123L, 456UL, 511L);
	expect_format("100%", CFSTR("%d%%"), 100);
	expect_format("x", CFSTR("%c"), 'x');
	/* odd length modifiers never make vsnprintf read the wrong type */
	expect_format("2.500000 7", CFSTR("%lf %Ld"), 2.5, 7);
	expect_format("1.5", CFSTR("%llg"), 1.5);

	snprintf(expect, sizeof(expect), "%f %e %g %E %G %a %.3f %10.2e %-8g|",
		 3.14159, 31415.9, 0.0001, 2.5, 1e20, 1.0, 2.0 / 3.0, 12345.678, 1.5);
	expect_format(expect, CFSTR("%f %e %g %E %G %a %.3f %10.2e %-8g|"),
		      3.14159, 31415.9, 0.0001, 2.5, 1e20, 1.0, 2.0 / 3.0, 12345.678, 1.5);
	snprintf(expect, sizeof(expect), "%Lf", (long double)1.25);
	expect_format(expect, CFSTR("%Lf"), (long double)1.25);
}

static void test_width_precision(void **state)
{
	expect_format("[   42][42   ][00042][+42][ 42]", CFSTR("[%5d][%-5d][%05d][%+d][% d]"),
		      42, 42, 42, 42, 42);
	expect_format("[  3.1][abc][   ab]", CFSTR("[%5.1f][%.3s][%5.2s]"), 3.14159, "abcdef",
		      "abc");
	expect_format("[   42][42   ][3.14]", CFSTR("[%*d][%*d][%.*f]"), 5, 42, -5, 42, 2, 3.14159);
	expect_format("[0x1f]", CFSTR("[%#x]"), 31);
	expect_format("[1234567]", CFSTR("[%'d]"), 1234567);	/* "C" locale: no grouping */
}

static void test_positional(void **state)
{
	expect_format("world hello", CFSTR("%2$s %1$s"), "hello", "world");
	expect_format("b a b", CFSTR("%2$@ %1$@ %2$@"), CFSTR("a"), CFSTR("b"));
	expect_format("3.50 7", CFSTR("%2$.2f %1$d"), 7, 3.5);
	expect_format("[   x]", CFSTR("[%2$*1$s]"), 4, "x");
	/* more arguments than the formatter keeps inline */
	expect_format("1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 s 2.5",
		      CFSTR("%d %d %d %d %d %d %d %d %d %d %d %d %d %d %d %d %d %d %d %d %@ %.1f"),
		      1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20,
		      CFSTR("s"), 2.5);
}

static void test_object_conversion(void **state)
{
	SInt32 i = 42;
	double d = 3.5;
	float f = 0.1f;
	CFNumberRef ni = CFNumberCreate(NULL, kCFNumberSInt32Type, &i);
	CFNumberRef nd = CFNumberCreate(NULL, kCFNumberDoubleType, &d);
	CFNumberRef nf = CFNumberCreate(NULL, kCFNumberFloatType, &f);
	CFStringRef s = CFStringCreateWithCString(NULL, "str", kCFStringEncodingUTF8);

	expect_format("str", CFSTR("%@"), s);
	expect_format("<str>", CFSTR("<%@>"), CFSTR("str"));
	expect_format("42 3.5 0.1", CFSTR("%@ %@ %@"), ni, nd, nf);
	expect_format("1 0", CFSTR("%@ %@"), kCFBooleanTrue, kCFBooleanFalse);
	expect_format("(null)", CFSTR("%@"), (void *)NULL);
	expect_format("<null>", CFSTR("%@"), kCFNull);
	expect_format("[  str][str  ][st]", CFSTR("[%5@][%-5@][%.2@]"), s, s, s);
	CFRelease(ni);
	CFRelease(nd);
	CFRelease(nf);
	CFRelease(s);
}

static void test_object_collections(void **state)
{
	SInt32 two = 2;
	CFNumberRef n = CFNumberCreate(NULL, kCFNumberSInt32Type, &two);
	const UInt8 bytes[] = { 1, 2, 3, 4, 5 };
	CFDataRef data = CFDataCreate(NULL, bytes, 5);
	const void *inner_vals[] = { CFSTR("a") };
	CFArrayRef inner = CFArrayCreate(NULL, inner_vals, 1, &kCFTypeArrayCallBacks);
	const void *outer_vals[] = { n, inner, CFSTR("two words") };
	CFArrayRef outer = CFArrayCreate(NULL, outer_vals, 3, &kCFTypeArrayCallBacks);
	CFMutableDictionaryRef dict = CFDictionaryCreateMutable(NULL, 0,
		&kCFTypeDictionaryKeyCallBacks, &kCFTypeDictionaryValueCallBacks);
	CFArrayRef empty = CFArrayCreate(NULL, NULL, 0, &kCFTypeArrayCallBacks);

	expect_format("<01020304 05>", CFSTR("%@"), data);
	expect_format("(\n    2,\n    (\n        a\n    ),\n    \"two words\"\n)",
		      CFSTR("%@"), outer);
	expect_format("(\n)", CFSTR("%@"), empty);

	CFDictionarySetValue(dict, CFSTR("b"), n);
	CFDictionarySetValue(dict, CFSTR("a"), CFSTR("x y"));
	CFDictionarySetValue(dict, CFSTR("IOClass"), CFSTR("IOService"));
	CFDictionarySetValue(dict, CFSTR("list"), inner);
	expect_format("{\n    IOClass = IOService;\n    a = \"x y\";\n    b = 2;\n"
		      "    list = (\n        a\n    );\n}",
		      CFSTR("%@"), dict);
	CFRelease(n);
	CFRelease(data);
	CFRelease(inner);
	CFRelease(outer);
	CFRelease(dict);
	CFRelease(empty);
}

static void test_unicode_conversions(void **state)
{
	const UniChar chars[] = { 'h', 0xE9, 0xD83D, 0xDE00, 0 };
	const wchar_t wide[] = { L'w', 0x20AC, 0 };

	expect_format("h\xC3\xA9\xF0\x9F\x98\x80", CFSTR("%S"), chars);
	expect_format("h\xC3\xA9", CFSTR("%.2S"), chars);
	expect_format("\xC3\xA9|\xE2\x82\xAC", CFSTR("%C|%C"), (int)0xE9, (int)0x20AC);
	expect_format("w\xE2\x82\xAC \xE2\x82\xAC", CFSTR("%ls %lc"), wide, (wint_t)0x20AC);
	/* UTF-8 arguments pass through; other bytes are read as Latin-1 */
	expect_format("caf\xC3\xA9", CFSTR("%s"), "caf\xC3\xA9");
	expect_format("\xC3\xA9t\xC3\xA9", CFSTR("%s"), "\xE9t\xE9");
	expect_format("\xC3\xA9", CFSTR("%c"), 0xE9);
	/* a byte precision never splits a character */
	expect_format("caf", CFSTR("%.4s"), "caf\xC3\xA9");
	/* width counts characters */
	expect_format("  \xC3\xA9", CFSTR("%3s"), "\xC3\xA9");
	/* non-ASCII text in the format itself */
	expect_format("\xE2\x86\x92 1", CFSTR("\xE2\x86\x92 %d"), 1);
}

static void test_pointers_and_null(void **state)
{
	char expect[64];
	int x;

	expect_format("0x0", CFSTR("%p"), (void *)NULL);
	snprintf(expect, sizeof(expect), "%p", (void *)&x);
	expect_format(expect, CFSTR("%p"), (void *)&x);
	expect_format("(null)", CFSTR("%s"), (void *)NULL);
	expect_format("(null)", CFSTR("%S"), (void *)NULL);
}

static void test_malformed(void **state)
{
	int n = 0;

	expect_format("50%", CFSTR("50%"));
	expect_format("a %k b", CFSTR("a %k b"));
	expect_format("%5", CFSTR("%5"));
	expect_format("x", CFSTR("x%n"), &n);	/* %n is ignored */
	expect_format("plain", CFSTR("plain"));
	expect_format("", CFSTR(""));
}

static void test_long_output(void **state)
{
	char *big = malloc(20001);
	CFStringRef s;

	memset(big, 'y', 20000);
	big[20000] = 0;
	s = CFStringCreateWithFormat(NULL, NULL, CFSTR("<%s|%s>"), big, big);
	assert_int_equal(CFStringGetLength(s), 40003);
	CFRelease(s);
	free(big);
	s = CFStringCreateWithFormat(NULL, NULL, CFSTR("%5000d"), 1);
	assert_int_equal(CFStringGetLength(s), 5000);
	CFRelease(s);
}

static void test_append_format(void **state)
{
	CFMutableStringRef m = CFStringCreateMutable(NULL, 0);

	CFStringAppendFormat(m, NULL, CFSTR("%d-"), 1);
	CFStringAppendFormat(m, NULL, CFSTR("%@-"), CFSTR("two"));
	CFStringAppendFormat(m, NULL, CFSTR("%.1f"), 3.0);
	cft_assert_string(m, "1-two-3.0");
	CFRelease(m);
}

int cft_run_format_tests(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_printf_conversions),
		cmocka_unit_test(test_width_precision),
		cmocka_unit_test(test_positional),
		cmocka_unit_test(test_object_conversion),
		cmocka_unit_test(test_object_collections),
		cmocka_unit_test(test_unicode_conversions),
		cmocka_unit_test(test_pointers_and_null),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_long_output),
		cmocka_unit_test(test_append_format),
	};

	return cmocka_run_group_tests_name("cf_format", tests, NULL, NULL);
}
