// SPDX-License-Identifier: MIT
/*
 * fuzz_cfunserialize.c - IOCFUnserializeWithSize (the text reader, and the
 * binary one behind a signature) on hostile input.  Whatever it accepts
 * must write again with IOCFSerialize (text, unless a number has a
 * fraction, and binary) and read back to an equal tree; whatever it
 * refuses must come with an error string and leave nothing behind.
 */
#include <stdint.h>
#include <stdlib.h>

#include <IOKit/IOCFSerialize.h>
#include <IOKit/IOCFUnserialize.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(bool ok)
{
	if (!ok)
		abort();
}

/* Does any string (key or value) in the tree hold a NUL character? */
static bool has_nul(CFTypeRef obj)
{
	CFTypeID t = CFGetTypeID(obj);

	if (t == CFStringGetTypeID()) {
		CFIndex max = CFStringGetMaximumSizeForEncoding(CFStringGetLength(obj),
								 kCFStringEncodingUTF8) + 1;
		char *buf = malloc((size_t)max);
		CFStringRef back;
		bool nul = true;

		if (buf && CFStringGetCString(obj, buf, max, kCFStringEncodingUTF8)) {
			back = CFStringCreateWithCString(NULL, buf, kCFStringEncodingUTF8);
			nul = !back || !CFEqual(back, obj);
			if (back)
				CFRelease(back);
		}
		free(buf);
		return nul;
	}
	if (t == CFArrayGetTypeID()) {
		for (CFIndex i = 0; i < CFArrayGetCount(obj); i++)
			if (has_nul(CFArrayGetValueAtIndex(obj, i)))
				return true;
	}
	if (t == CFDictionaryGetTypeID()) {
		CFIndex n = CFDictionaryGetCount(obj);
		const void **kv = calloc(2 * (size_t)n + 1, sizeof(*kv));
		bool nul = false;

		if (!kv)
			abort();   /* out of memory in the fuzzer itself */
		CFDictionaryGetKeysAndValues(obj, kv, kv + n);
		for (CFIndex i = 0; i < 2 * n && !nul; i++)
			nul = has_nul(kv[i]);
		free(kv);
		return nul;
	}
	return false;
}

static void round_trip(CFTypeRef obj, CFOptionFlags options)
{
	CFDataRef d = IOCFSerialize(obj, options);
	CFTypeRef back;

	if (!d) {
		check(options == 0);   /* text cannot hold a fraction */
		return;
	}
	back = IOCFUnserializeWithSize((const char *)CFDataGetBytePtr(d),
				       (size_t)CFDataGetLength(d), NULL, 0, NULL);
	check(back != NULL && CFEqual(back, obj));
	CFRelease(back);
	CFRelease(d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	CFStringRef err = NULL;
	CFTypeRef obj = IOCFUnserializeWithSize((const char *)data, size, NULL, 0, &err);

	if (!obj) {
		if (err)
			CFRelease(err);
		return 0;
	}
	check(err == NULL);
	if (!has_nul(obj))
		round_trip(obj, 0);
	round_trip(obj, kIOCFSerializeToBinary);
	CFRelease(obj);
	return 0;
}
