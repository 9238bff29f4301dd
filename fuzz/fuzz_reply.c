// SPDX-License-Identifier: MIT
/*
 * fuzz_reply.c - the client side: what libiokit makes of a property reply
 * from its host (iok_cf_unserialize: the binary decoder, then the
 * conversion to CoreFoundation objects), for a client that reached a
 * hostile or broken host.  Whatever converts must describe itself,
 * serialize again, and decode to an equal tree.
 */
#include <stdint.h>
#include <stdlib.h>

#include "libiokit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	CFTypeRef cf = iok_cf_unserialize(data, size), back;
	CFStringRef desc;
	uint8_t *buf;
	size_t len;

	if (!cf)
		return 0;
	desc = CFCopyDescription(cf);
	if (desc)
		CFRelease(desc);
	if (iok_cf_serialize(cf, &buf, &len) == 0) {
		back = iok_cf_unserialize(buf, len);
		if (!back || !CFEqual(cf, back))
			abort();
		CFRelease(back);
		iok_free(buf);
	}
	CFRelease(cf);
	return 0;
}
