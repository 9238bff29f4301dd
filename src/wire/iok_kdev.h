/* SPDX-License-Identifier: MIT */
/*
 * iok_kdev.h - the ioctl interface of /dev/iokit (iokit.ko), shared by the
 * module and libiokit's kernel transport.
 *
 * One ioctl, IOK_IOC_MSG, carries one request of iok_wire.h and brings
 * back its reply: the same messages as iokitd's socket.  Where the socket
 * passes a descriptor with a message (SCM_RIGHTS), the ioctl carries a
 * file descriptor number in `fd`:
 *
 *   IOK_OP_CONNECT_SET_PORT   in:  the notification port's eventfd, or -1
 *   IOK_OP_CONNECT_MAP        out: a memory file to mmap (offset 0, the
 *                                  reply's value bytes); read-only when
 *                                  the mapping is (kIOMapReadOnly)
 *   replies with IOK_WIRE_F_DATA_OOL  out: a read-only memory file holding
 *                                  the reply's data area (value bytes)
 *
 * Descriptors handed out are close-on-exec; the caller closes them.  The
 * out-of-line structures of IOK_OP_CONNECT_CALL live in the caller's own
 * memory: `ool` and `ool_size` give the buffer the request's offsets refer
 * to (the kernel copies the ranges in and out).  Calls do not use call
 * channels (IOK_OP_CHANNEL_* are refused).
 *
 * For IOK_OP_CONNECT_CALL rep_len and fd are not written back: the
 * reply's hdr.size is its length (at most rep_cap).
 *
 * IOK_IOC_CALL is the hot path for a method call without out-of-line
 * structures: its argument is the request itself (struct iok_wire_call
 * and its inband input, hdr.size bytes), and the reply is written over it
 * in place.  The buffer must hold the reply with the inband output the
 * request asks for (sizeof(struct iok_wire_call_reply) + struct_out_size
 * bytes).  Of the reply only the header and counts, the scalar_out_count
 * scalars and the struct_out_size bytes at their place are written.  A
 * request that is no call (op, or hdr.size out of range) fails with
 * EINVAL; everything else is answered as by IOK_IOC_MSG (out-of-line
 * arguments: kIOReturnIPCError).  It saves the envelope's copy and, for
 * scalars, any buffer of the module's own.
 *
 * Every size is checked by the kernel before use; req_len must equal the
 * request's hdr.size.  An ioctl fails (-1, errno) only when the request
 * cannot be answered at all (EFAULT, EINVAL for a request without a
 * readable header, ENOSPC for a reply larger than rep_cap, ENOMEM);
 * otherwise the reply's hdr.result carries the IOReturn.
 */
#ifndef IOK_KDEV_H
#define IOK_KDEV_H

#ifdef __KERNEL__
#include <linux/ioctl.h>
#include <linux/types.h>
#else
#include <stdint.h>
#include <sys/ioctl.h>
#endif

#include "iok_wire.h"

#define IOK_KDEV_NAME "iokit"
#define IOK_KDEV_PATH "/dev/iokit"

struct iok_kmsg {
	uint64_t req;        /* user address of the request */
	uint64_t rep;        /* user address of the reply buffer */
	uint64_t ool;        /* CONNECT_CALL: the out-of-line buffer, or 0 */
	uint64_t ool_size;
	uint32_t req_len;    /* bytes at req */
	uint32_t rep_cap;    /* bytes at rep */
	uint32_t rep_len;    /* out: the reply's length (not for calls) */
	int32_t fd;          /* in and out, see above; -1 for none */
};
_Static_assert(sizeof(struct iok_kmsg) == 48, "iok_kmsg");

/* 0xB4: no other driver's ioctls reach this device anyway. */
#define IOK_IOC_MAGIC 0xB4
#define IOK_IOC_MSG   _IOWR(IOK_IOC_MAGIC, 1, struct iok_kmsg)
/* Does nothing: the benchmark's baseline for a round trip into the module. */
#define IOK_IOC_NULL  _IO(IOK_IOC_MAGIC, 2)
#define IOK_IOC_CALL  _IOWR(IOK_IOC_MAGIC, 3, struct iok_wire_call)

/* The most the kernel copies for one call's out-of-line structures
 * (input plus output). */
#define IOK_KDEV_MAX_OOL (64u << 20)

#endif /* IOK_KDEV_H */
