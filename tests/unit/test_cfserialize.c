// SPDX-License-Identifier: MIT
/*
 * test_cfserialize.c - IOCFSerialize's text (exact output, escapes, sizes,
 * ID/IDREF for shared objects, unserializable types) and binary (exact
 * bytes, back-references) formats, and IOCFUnserialize on Apple-style
 * input (prolog, comments, <plist>, sets, IDREF, base64 across lines) and
 * on malformed input (error strings, never a crash).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <IOKit/IOKitLib.h>
#include <IOKit/IOCFSerialize.h>
#include <IOKit/IOCFUnserialize.h>
#include <stdlib.h>
#include <string.h>

static CFNumberRef num(CFNumberType t, long long v)
{
	union {
		SInt8 i8;
		SInt16 i16;
		SInt32 i32;
		SInt64 i64;
	} u;

	switch (t) {
	case kCFNumberSInt8Type: u.i8 = (SInt8)v; break;
	case kCFNumberSInt16Type: u.i16 = (SInt16)v; break;
	case kCFNumberSInt32Type: u.i32 = (SInt32)v; break;
	default: u.i64 = v; break;
	}
	return CFNumberCreate(NULL, t, &u);
}

/* Appends and releases. */
static void add(CFMutableArrayRef a, CFTypeRef v)
{
	CFArrayAppendValue(a, v);
	CFRelease(v);
}

static void assert_text(CFTypeRef obj, const char *want)
{
	CFDataRef d = IOCFSerialize(obj, 0);

	assert_non_null(d);
	assert_int_equal(CFDataGetLength(d), strlen(want) + 1);
	assert_string_equal((const char *)CFDataGetBytePtr(d), want);
	CFRelease(d);
}

static void test_text_values(void **state)
{
	CFMutableArrayRef a = CFArrayCreateMutable(NULL, 0, &kCFTypeArrayCallBacks);
	static const UInt8 bytes[] = { 0, 1, 2, 3, 4 };

	add(a, CFStringCreateWithCString(NULL, "a<b&c>\xc3\xa9", kCFStringEncodingUTF8));
	add(a, num(kCFNumberSInt32Type, 42));
	add(a, num(kCFNumberSInt32Type, -1));
	add(a, num(kCFNumberSInt16Type, 300));
	add(a, num(kCFNumberSInt8Type, 7));
	add(a, num(kCFNumberSInt64Type, 1LL << 40));
	CFArrayAppendValue(a, kCFBooleanTrue);
	CFArrayAppendValue(a, kCFBooleanFalse);
	add(a, CFDataCreate(NULL, bytes, 4));
	add(a, CFDataCreate(NULL, bytes, 5));
	add(a, CFDataCreate(NULL, bytes, 0));
	add(a, CFArrayCreate(NULL, NULL, 0, &kCFTypeArrayCallBacks));
	assert_text(a, "<array><string>a&lt;b&amp;c&gt;\xc3\xa9</string>"
		       "<integer size=\"32\">0x2a</integer>"
		       "<integer size=\"32\">0xffffffffffffffff</integer>"
		       "<integer size=\"16\">0x12c</integer>"
		       "<integer size=\"8\">0x7</integer>"
		       "<integer size=\"64\">0x10000000000</integer>"
		       "<true/><false/><data>AAECAw==</data><data>AAECAwQ=</data><data></data>"
		       "<array></array></array>");
	CFRelease(a);
}

static void test_text_dictionary_and_sharing(void **state)
{
	CFMutableDictionaryRef d = CFDictionaryCreateMutable(NULL, 0, &kCFTypeDictionaryKeyCallBacks,
							     &kCFTypeDictionaryValueCallBacks);
	CFMutableArrayRef a = CFArrayCreateMutable(NULL, 0, &kCFTypeArrayCallBacks);
	CFStringRef s = CFStringCreateWithCString(NULL, "shared", kCFStringEncodingUTF8);

	CFDictionarySetValue(d, CFSTR("k<"), s);
	CFArrayAppendValue(a, d);
	CFArrayAppendValue(a, s);
	CFArrayAppendValue(a, d);
	CFArrayAppendValue(a, kCFBooleanTrue);
	CFArrayAppendValue(a, kCFBooleanTrue);
	/* Keys are never shared; booleans are written each time. */
	assert_text(a, "<array><dict ID=\"0\"><key>k&lt;</key><string ID=\"1\">shared</string>"
		       "</dict><string IDREF=\"1\"/><dict IDREF=\"0\"/><true/><true/></array>");
	CFRelease(a);
	CFRelease(d);
	CFRelease(s);
}

static void test_text_special_cases(void **state)
{
	double frac = 1.5, whole = 2.0;
	CFNumberRef f = CFNumberCreate(NULL, kCFNumberFloat64Type, &frac);
	CFNumberRef w = CFNumberCreate(NULL, kCFNumberFloat64Type, &whole);
	CFMutableArrayRef a = CFArrayCreateMutable(NULL, 0, &kCFTypeArrayCallBacks);

	/* A fraction cannot be written as an integer: no output. */
	assert_null(IOCFSerialize(f, 0));
	assert_text(w, "<integer size=\"64\">0x2</integer>");
	/* A type with no tag, as Apple's writer puts it. */
	CFArrayAppendValue(a, kCFNull);
	assert_text(a, "<array><string>&lt;string&gt;typeID 0x10 not serializable"
		       "&lt;/string&gt;</string></array>");
	assert_null(IOCFSerialize(NULL, 0));
	assert_null(IOCFSerialize(w, 2));
	CFRelease(a);
	CFRelease(f);
	CFRelease(w);
}

static void test_binary_bytes(void **state)
{
	const void *k = CFSTR("a");
	CFNumberRef one = num(kCFNumberSInt32Type, 1);
	CFDictionaryRef d = CFDictionaryCreate(NULL, &k, (const void **)&one, 1,
					       &kCFTypeDictionaryKeyCallBacks,
					       &kCFTypeDictionaryValueCallBacks);
	static const uint32_t want[] = {
		0x000000d3, 0x81000001, 0x08000002, 0x00000061, 0x84000020, 1, 0,
	};
	CFStringRef s = CFSTR("xy");
	const void *two[] = { s, s };
	CFArrayRef a = CFArrayCreate(NULL, two, 2, &kCFTypeArrayCallBacks);
	static const uint32_t want_a[] = {
		0x000000d3, 0x82000002, 0x09000002, 0x00007978, 0x8c000001,
	};
	CFDataRef bin = IOCFSerialize(d, kIOCFSerializeToBinary);
	CFTypeRef back;

	assert_non_null(bin);
	assert_int_equal(CFDataGetLength(bin), sizeof(want));
	assert_memory_equal(CFDataGetBytePtr(bin), want, sizeof(want));
	back = IOCFUnserializeWithSize((const char *)CFDataGetBytePtr(bin),
				       (size_t)CFDataGetLength(bin), NULL, 0, NULL);
	assert_non_null(back);
	assert_true(CFEqual(back, d));
	CFRelease(back);
	CFRelease(bin);
	/* The second occurrence of an object is a back-reference. */
	bin = IOCFSerialize(a, kIOCFSerializeToBinary | 0x100);
	assert_non_null(bin);
	assert_int_equal(CFDataGetLength(bin), sizeof(want_a));
	assert_memory_equal(CFDataGetBytePtr(bin), want_a, sizeof(want_a));
	back = IOCFUnserializeBinary((const char *)CFDataGetBytePtr(bin),
				     (size_t)CFDataGetLength(bin), NULL, 0, NULL);
	assert_non_null(back);
	assert_true(CFEqual(back, a));
	CFRelease(back);
	CFRelease(bin);
	CFRelease(a);
	CFRelease(d);
	CFRelease(one);
}

static CFTypeRef sample_tree(void)
{
	CFMutableDictionaryRef d = CFDictionaryCreateMutable(NULL, 0, &kCFTypeDictionaryKeyCallBacks,
							     &kCFTypeDictionaryValueCallBacks);
	CFMutableArrayRef a = CFArrayCreateMutable(NULL, 0, &kCFTypeArrayCallBacks);
	static const UInt8 bytes[] = { 0xde, 0xad, 0xbe, 0xef, 0 };
	CFDataRef data = CFDataCreate(NULL, bytes, sizeof(bytes));
	CFNumberRef n = num(kCFNumberSInt64Type, -123456789012LL);

	add(a, CFStringCreateWithCString(NULL, "x & y", kCFStringEncodingUTF8));
	add(a, num(kCFNumberSInt32Type, 7));
	CFArrayAppendValue(a, kCFBooleanFalse);
	CFDictionarySetValue(d, CFSTR("Array"), a);
	CFDictionarySetValue(d, CFSTR("Data"), data);
	CFDictionarySetValue(d, CFSTR("Number"), n);
	CFDictionarySetValue(d, CFSTR("Again"), n);
	CFDictionarySetValue(d, CFSTR("Yes"), kCFBooleanTrue);
	CFRelease(a);
	CFRelease(data);
	CFRelease(n);
	return d;
}

static void test_round_trips(void **state)
{
	CFTypeRef tree = sample_tree();
	CFOptionFlags opts[] = { 0, kIOCFSerializeToBinary };

	for (size_t i = 0; i < 2; i++) {
		CFDataRef d = IOCFSerialize(tree, opts[i]);
		CFStringRef err = CFSTR("unset");
		CFTypeRef back;

		assert_non_null(d);
		back = IOCFUnserializeWithSize((const char *)CFDataGetBytePtr(d),
					       (size_t)CFDataGetLength(d), NULL, 0, &err);
		assert_non_null(back);
		assert_null(err);
		assert_true(CFEqual(back, tree));
		CFRelease(back);
		if (!opts[i]) {
			back = IOCFUnserialize((const char *)CFDataGetBytePtr(d), NULL, 0, NULL);
			assert_true(CFEqual(back, tree));
			CFRelease(back);
		}
		CFRelease(d);
	}
	CFRelease(tree);
}

static void test_unserialize_apple_input(void **state)
{
	static const char text[] =
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" "
		"\"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n"
		"<plist version=\"1.0\">\n"
		"<dict>\n"
		"\t<key>Neg</key><integer size=\"32\">-5</integer>\n"
		"\t<!-- a comment, <dict> inside is ignored -->\n"
		"\t<key>Arr</key><array ID=\"1\"><string>x &lt; y</string><string/></array>\n"
		"\t<key>Ref</key><array IDREF=\"1\"/>\n"
		"\t<key>Set</key><set><integer>0x10</integer></set>\n"
		"\t<key>Big</key><integer>0xffffffffff</integer>\n"
		"\t<key>Data</key><data>\n\tAAEC\n\tAw==\n\t</data>\n"
		"\t<key>Empty</key><dict/>\n"
		"\t<key>T</key><true/>\n"
		"</dict>\n"
		"</plist>\n";
	CFStringRef err = NULL;
	CFDictionaryRef d = IOCFUnserialize(text, NULL, 0, &err);
	CFArrayRef arr;
	CFTypeRef v;
	SInt32 i32;
	SInt64 i64;

	assert_non_null(d);
	assert_null(err);
	assert_int_equal(CFDictionaryGetCount(d), 8);
	assert_true(CFNumberGetValue(CFDictionaryGetValue(d, CFSTR("Neg")), kCFNumberSInt32Type,
				     &i32));
	assert_int_equal(i32, -5);
	arr = CFDictionaryGetValue(d, CFSTR("Arr"));
	assert_int_equal(CFArrayGetCount(arr), 2);
	assert_true(CFEqual(CFArrayGetValueAtIndex(arr, 0), CFSTR("x < y")));
	assert_true(CFEqual(CFArrayGetValueAtIndex(arr, 1), CFSTR("")));
	assert_ptr_equal(CFDictionaryGetValue(d, CFSTR("Ref")), arr);   /* the same object */
	v = CFDictionaryGetValue(d, CFSTR("Set"));
	assert_int_equal(CFGetTypeID(v), CFArrayGetTypeID());
	assert_true(CFNumberGetValue(CFArrayGetValueAtIndex(v, 0), kCFNumberSInt32Type, &i32));
	assert_int_equal(i32, 16);
	v = CFDictionaryGetValue(d, CFSTR("Big"));
	assert_int_equal(CFNumberGetType(v), kCFNumberSInt64Type);
	assert_true(CFNumberGetValue(v, kCFNumberSInt64Type, &i64));
	assert_int_equal(i64, 0xffffffffffLL);
	v = CFDictionaryGetValue(d, CFSTR("Data"));
	assert_int_equal(CFDataGetLength(v), 4);
	assert_memory_equal(CFDataGetBytePtr(v), "\0\1\2\3", 4);
	assert_int_equal(CFDictionaryGetCount(CFDictionaryGetValue(d, CFSTR("Empty"))), 0);
	assert_ptr_equal(CFDictionaryGetValue(d, CFSTR("T")), kCFBooleanTrue);
	CFRelease(d);
}

static void assert_error(const char *text, const char *want)
{
	CFStringRef err = NULL;
	char buf[128];

	assert_null(IOCFUnserialize(text, NULL, 0, &err));
	assert_non_null(err);
	assert_true(CFStringGetCString(err, buf, sizeof(buf), kCFStringEncodingUTF8));
	assert_string_equal(buf, want);
	CFRelease(err);
}

static void test_unserialize_errors(void **state)
{
	char *deep;

	assert_error("", "IOCFUnserialize: unexpected end of buffer near line 1");
	assert_error("<dict><key>a</key></dict>", "IOCFUnserialize: syntax error near line 1");
	assert_error("\n\n<array IDREF=\"3\"/>",
		     "IOCFUnserialize: forward reference detected near line 3");
	assert_error("<integer>0xZ</integer>", "IOCFUnserialize: syntax error near line 1");
	assert_error("<string>a &bogus; b</string>", "IOCFUnserialize: syntax error near line 1");
	assert_error("<array><string>x</string>", "IOCFUnserialize: syntax error near line 1");
	assert_error("<true>", "IOCFUnserialize: syntax error near line 1");
	assert_error("<frob/>", "IOCFUnserialize: syntax error near line 1");
	assert_error("text", "IOCFUnserialize: syntax error near line 1");
	assert_error("<string IDX=\"1\">a</string>", "IOCFUnserialize: syntax error near line 1");
	assert_null(IOCFUnserialize("<true/>", NULL, 1, NULL));
	assert_null(IOCFUnserialize(NULL, NULL, 0, NULL));
	/* Nesting beyond the limit fails instead of exhausting the stack. */
	deep = malloc(7 * 4000 + 1);
	assert_non_null(deep);
	for (int i = 0; i < 4000; i++)
		memcpy(deep + 7 * i, "<array>", 7);
	deep[7 * 4000] = '\0';
	assert_null(IOCFUnserialize(deep, NULL, 0, NULL));
	free(deep);
	/* Without a NUL inside the size, and too short to be anything. */
	assert_null(IOCFUnserializeWithSize("<tr", 3, NULL, 0, NULL));
	{
		CFTypeRef t = IOCFUnserializeWithSize("<true/>garbage", 7, NULL, 0, NULL);

		assert_ptr_equal(t, kCFBooleanTrue);
		CFRelease(t);
	}
	assert_null(IOCFUnserializeBinary("\xd3\0\0\0\xff\xff\xff\xff", 8, NULL, 0, NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_values),
		cmocka_unit_test(test_text_dictionary_and_sharing),
		cmocka_unit_test(test_text_special_cases),
		cmocka_unit_test(test_binary_bytes),
		cmocka_unit_test(test_round_trips),
		cmocka_unit_test(test_unserialize_apple_input),
		cmocka_unit_test(test_unserialize_errors),
	};

	return cmocka_run_group_tests_name("iocfserialize", tests, NULL, NULL);
}
