// SPDX-License-Identifier: MIT
/*
 * fuzz_server.c - the host's message decoder and every op behind it.  The
 * input is a sequence of messages, each a 2-byte length then that many
 * bytes, all sent by one task, so that names returned by early messages
 * (the fuzzer learns them from the small name space) reach later ops.
 */
#include <stdint.h>
#include <stdlib.h>

#include "runtime.h"
#include "iok_wire.h"
#include <IOKit/IOKitKeys.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t reply[IOK_WIRE_MAX_MSG];

static void init_once(void)
{
	static bool done;
	iok_service_t *s;

	if (done)
		return;
	done = true;
	if (iok_runtime_init())
		abort();
	s = iok_service_create("IOService", NULL);
	iok_service_set_name(s, "FuzzNub");
	iok_service_set_location(s, "1");
	iok_service_set_string(s, "Key", "value");
	iok_service_attach(s, iok_resources());
	iok_service_register(s);
	iok_service_release(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	iok_task_t *task;

	init_once();
	task = iok_task_create(1, 1000, 1000, "fuzz");
	while (size >= 2) {
		size_t len = (size_t)data[0] | (size_t)data[1] << 8;
		uint8_t msg[IOK_WIRE_MAX_MSG];
		long n;

		data += 2;
		size -= 2;
		if (len > size)
			len = size;
		memcpy(msg, data, len);
		if (len >= sizeof(struct iok_wire_hdr))   /* let most reach the ops */
			((struct iok_wire_hdr *)msg)->size = (uint32_t)len;
		struct iok_reply_ool ool;

		n = iok_server_handle(task, msg, len, reply, sizeof(reply), &ool);
		if (ool.data && !(((struct iok_wire_msg *)reply)->hdr.flags & IOK_WIRE_F_DATA_OOL))
			abort();
		iok_free(ool.data);
		if (n >= 0 && (n < (long)sizeof(struct iok_wire_msg) || n > IOK_WIRE_MAX_MSG ||
			       ((struct iok_wire_msg *)reply)->hdr.size != (uint32_t)n))
			abort();
		data += len;
		size -= len;
	}
	iok_task_destroy(task);
	return 0;
}
