// SPDX-License-Identifier: MIT
/*
 * fuzz_channel.c - iokitd's call channel (src/iokitd/channel.c, compiled
 * in) fed through its shared page: the memory checks at open, the
 * request read out of shared memory (a size field the client chose, an
 * op, the call behind it), the out-of-line buffer, and control words the
 * client may rewrite at will.
 *
 * The input starts with one byte of set-up flags:
 *	bit 0: the next 8 bytes are the page's magic and version (else valid)
 *	bit 1: no F_SEAL_SHRINK on the page's memfd (the open must fail)
 *	bit 2: an out-of-line buffer of (next 2 bytes, little-endian) * 16
 *	       bytes, sealed unless bit 3
 * then records, each a 2-byte little-endian word and, for a request, that
 * many bytes:
 *	word & 0x8000: an event, (word >> 8) & 3: 0 the client closes the
 *	               channel (ctl->closed), 1 store the next 4 bytes in the
 *	               control word (word & 0x3f), 2 a new out-of-line buffer
 *	               of (word & 0xff) * 64 bytes, 3 nothing;
 *	otherwise:     (word & 0x7fff) bytes written at the request area (the
 *	               size field is the client's, a conn field below 0x10000
 *	               becomes the user client's name), then the sequence
 *	               number bumped and the host woken; the harness waits for
 *	               the reply or for the host to give the channel up, and a
 *	               host that does neither within 5 s is a bug.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz_uc.h"
#include "channel.h"
#include "iok_chan.h"
#include "iok_sys.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int memfd(size_t size, bool seal)
{
	int fd = memfd_create("fuzz", MFD_CLOEXEC | MFD_ALLOW_SEALING);

	if (fd < 0 || ftruncate(fd, (off_t)size) ||
	    (seal && fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK)))
		abort();
	return fd;
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Waits for the reply to seq or the host giving up; false when it gave up. */
static bool wait_reply(struct iok_chan_ctl *ctl, uint32_t seq)
{
	uint64_t until = iok_now_ns() + 5000000000ull;

	for (;;) {
		if (__atomic_load_n(&ctl->host_gone, __ATOMIC_ACQUIRE))
			return false;
		if (__atomic_load_n(&ctl->rep_seq, __ATOMIC_ACQUIRE) == seq)
			return true;
		if (iok_now_ns() > until)
			abort();   /* neither an answer nor an end: a hung channel */
		usleep(20);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct channel_set set;
	struct iok_chan_ctl *ctl;
	iok_service_t *uc;
	iok_task_t *task;
	uint32_t name, id = 0, seq = 0, magic = IOK_CHAN_MAGIC, version = IOK_CHAN_VERSION;
	uint8_t flags, *page;
	int fd;
	IOReturn ret;

	if (size < 1)
		return 0;
	flags = data[0];
	data++;
	size--;
	if (flags & 1) {
		if (size < 8)
			return 0;
		magic = le32(data);
		version = le32(data + 4);
		data += 8;
		size -= 8;
	}
	fuzz_service();
	task = iok_task_create(1, 1000, 1000, "fuzz");
	name = fuzz_open(task, &uc);
	channel_set_init(&set);
	fd = memfd(IOK_CHAN_SIZE, !(flags & 2));
	page = mmap(NULL, IOK_CHAN_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (page == MAP_FAILED)
		abort();
	ctl = (struct iok_chan_ctl *)page;
	ctl->magic = magic;
	ctl->version = version;
	ret = channel_open(&set, task, fd, &id);   /* takes fd */
	fuzz_check((ret == kIOReturnSuccess) ==
		   (!(flags & 2) && magic == IOK_CHAN_MAGIC && version == IOK_CHAN_VERSION));
	if (ret == kIOReturnSuccess && (flags & 4) && size >= 2) {
		size_t len = ((size_t)data[0] | (size_t)data[1] << 8) * 16;

		data += 2;
		size -= 2;
		ret = channel_set_ool(&set, id, memfd(len, !(flags & 8)));
		fuzz_check((ret == kIOReturnSuccess) == (len > 0 && !(flags & 8)));
		ret = kIOReturnSuccess;
	}
	while (ret == kIOReturnSuccess && size >= 2) {
		size_t word = (size_t)data[0] | (size_t)data[1] << 8, len;

		data += 2;
		size -= 2;
		if (word & 0x8000) {
			switch ((word >> 8) & 3) {
			case 0:
				__atomic_store_n(&ctl->closed, 1, __ATOMIC_SEQ_CST);
				iok_futex_wake(&ctl->req_seq, 1);
				break;
			case 1:
				if (size >= 4) {
					__atomic_store_n((uint32_t *)page + (word & 0x3f), le32(data),
							 __ATOMIC_SEQ_CST);
					data += 4;
					size -= 4;
					iok_futex_wake(&ctl->req_seq, 1);
				}
				break;
			case 2:
				channel_set_ool(&set, id, memfd((word & 0xff) * 64 + 1, true));
				break;
			}
			continue;
		}
		len = word < size ? word : size;
		if (len > IOK_CHAN_REQ_MAX)   /* the reply area is the host's to write */
			len = IOK_CHAN_REQ_MAX;
		memcpy(page + IOK_CHAN_REQ_OFF, data, len);
		data += len;
		size -= len;
		if (len >= offsetof(struct iok_wire_call, selector)) {
			struct iok_wire_call *c = (struct iok_wire_call *)(page + IOK_CHAN_REQ_OFF);

			if (c->conn < 0x10000)
				c->conn = name;
		}
		seq = __atomic_load_n(&ctl->req_seq, __ATOMIC_RELAXED) + 1;
		__atomic_store_n(&ctl->req_seq, seq, __ATOMIC_SEQ_CST);
		if (__atomic_load_n(&ctl->host_sleeping, __ATOMIC_SEQ_CST))
			iok_futex_wake(&ctl->req_seq, 1);
		if (!wait_reply(ctl, seq))
			break;
		/* The reply the host wrote stays inside the reply area. */
		fuzz_check(((struct iok_wire_hdr *)(page + IOK_CHAN_REP_OFF))->size <=
			   IOK_CHAN_REP_MAX);
	}
	channel_set_destroy(&set);
	munmap(page, IOK_CHAN_SIZE);
	iok_user_client_close(uc);
	iok_service_release(uc);
	iok_task_destroy(task);
	return 0;
}
