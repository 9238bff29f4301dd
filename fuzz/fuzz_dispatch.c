// SPDX-License-Identifier: MIT
/*
 * fuzz_dispatch.c - an external method call from the moment its bytes
 * arrive: the call decoder (iok_server_call: the transport limits, the
 * out-of-line regions of a call channel's buffer) and the dispatch checks
 * of IOExternalMethodDispatch2022 and the legacy table, down to methods
 * that verify what reached them (fuzz_uc.h).
 *
 * The input is a sequence of records, each a 2-byte little-endian word
 * then, for a message, that many bytes:
 *	word & 0x8000: an event, (word & 3): 0 close the user client,
 *	               1 open a new one, 2 drop its name, 3 nothing;
 *	otherwise:     a request of (word & 0x7fff) bytes.  Its size field is
 *	               set to its length, and a conn field below 0x10000 is
 *	               replaced by the current user client's name, so that
 *	               most requests reach the dispatch checks.
 * The caller's out-of-line buffer is 64 KiB of heap, exactly, as a call
 * channel's would be mapped.  Every reply is checked: nothing beyond the
 * caller's capacities, nothing at all on failure.
 */
#include <stdint.h>
#include <stdlib.h>

#include "fuzz_uc.h"
#include "iok_wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define OOL_SIZE (64 * 1024)
#define REPLY_CAP (sizeof(struct iok_wire_call_reply) + IOK_WIRE_MAX_INBAND)

static void check_reply(const uint8_t *req, size_t len, long n, const uint8_t *reply)
{
	const struct iok_wire_call_reply *r = (const void *)reply;
	struct iok_wire_call m;

	if (len < sizeof(struct iok_wire_hdr)) {
		fuzz_check(n < 0);
		return;
	}
	fuzz_check(n >= (long)sizeof(*r) && (size_t)n <= REPLY_CAP);
	fuzz_check((size_t)n == sizeof(*r) + r->struct_out_size && r->hdr.size == (uint32_t)n);
	if (r->hdr.result != kIOReturnSuccess) {
		/* No outputs travel back (the scalars past the count are not
		 * part of the reply). */
		fuzz_check(!r->scalar_out_count && !r->struct_out_size && !r->ool_out_size);
		return;
	}
	fuzz_check(len >= sizeof(m));
	memcpy(&m, req, sizeof(m));
	fuzz_check(r->scalar_out_count <= m.scalar_out_count && m.scalar_out_count <= 16);
	fuzz_check(r->struct_out_size <= m.struct_out_size && m.struct_out_size <= 4096);
	fuzz_check(r->ool_out_size <= m.ool_out_size);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t *ool;
	static uint8_t reply[REPLY_CAP];
	iok_task_t *task;
	iok_service_t *uc;
	uint32_t name;

	if (!ool) {
		ool = malloc(OOL_SIZE);
		if (!ool)
			abort();
	}
	fuzz_service();
	task = iok_task_create(1, 1000, 1000, "fuzz");
	name = fuzz_open(task, &uc);
	for (size_t i = 0; i < OOL_SIZE; i++)
		ool[i] = (uint8_t)i;
	while (size >= 2) {
		size_t word = (size_t)data[0] | (size_t)data[1] << 8, len;
		uint8_t *req;
		long n;

		data += 2;
		size -= 2;
		if (word & 0x8000) {
			switch (word & 3) {
			case 0:
				iok_user_client_close(uc);
				break;
			case 1:
				iok_user_client_close(uc);
				iok_service_release(uc);
				name = fuzz_open(task, &uc);
				break;
			case 2:
				iok_task_mod_refs(task, name, -1);
				break;
			}
			continue;
		}
		len = word < size ? word : size;
		req = malloc(len ? len : 1);   /* exactly len: reads beyond are caught */
		if (!req)
			abort();
		memcpy(req, data, len);
		data += len;
		size -= len;
		if (len >= sizeof(struct iok_wire_hdr))
			((struct iok_wire_hdr *)req)->size = (uint32_t)len;
		if (len >= offsetof(struct iok_wire_call, selector)) {
			struct iok_wire_call *c = (struct iok_wire_call *)req;

			if (c->conn < 0x10000)
				c->conn = name;
		}
		n = iok_server_call(task, req, len, &(struct iok_ool){ ool, OOL_SIZE }, reply,
				    sizeof(reply));
		check_reply(req, len, n, reply);
		free(req);
	}
	iok_user_client_close(uc);
	iok_service_release(uc);
	iok_task_destroy(task);
	return 0;
}
