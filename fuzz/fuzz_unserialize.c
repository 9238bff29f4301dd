// SPDX-License-Identifier: MIT
/*
 * fuzz_unserialize.c - the binary property decoder on hostile input.
 * Whatever it accepts must serialize again, decode to an equal tree,
 * re-encode to the same bytes, and survive a deep copy; whatever it
 * refuses must leave nothing behind (-EINVAL or -ENOMEM, no object).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "iok_os.h"
#include <IOKit/driver/iok_object.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(bool ok)
{
	if (!ok)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	iok_object_t *obj = NULL, *back = NULL, *copy;
	uint8_t *buf, *buf2;
	size_t len, len2;
	int ret;

	ret = iok_unserialize(data, size, &obj);
	if (ret) {
		check(!obj && (ret == -EINVAL || ret == -ENOMEM));
		return 0;
	}
	check(obj != NULL);

	check(iok_serialize(obj, &buf, &len) == 0);
	check(iok_unserialize(buf, len, &back) == 0);
	check(iok_equal(obj, back) && iok_equal(back, obj));

	/* The encoder's output is canonical: encoding it again is a no-op. */
	check(iok_serialize(back, &buf2, &len2) == 0);
	check(len == len2 && memcmp(buf, buf2, len) == 0);

	copy = iok_copy(obj);
	check(copy && iok_equal(copy, obj));

	iok_release(copy);
	iok_free(buf2);
	iok_free(buf);
	iok_release(back);
	iok_release(obj);
	return 0;
}
