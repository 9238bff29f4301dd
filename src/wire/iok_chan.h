/* SPDX-License-Identifier: MIT */
/*
 * iok_chan.h - the call channel: a shared-memory mailbox, one per client
 * thread, that carries external method calls without a socket message.
 *
 * The client writes a struct iok_wire_call into the request area and
 * bumps req_seq; a host thread that spins briefly, then sleeps on req_seq
 * (a futex), copies the request out of shared memory, runs it, writes the
 * reply and sets rep_seq = req_seq; the client spins briefly, then sleeps
 * on rep_seq.  Each side raises its *_sleeping flag before it sleeps and
 * the other side wakes it only when the flag is up (both with sequentially
 * consistent accesses, so a wakeup is never missed and an idle mailbox
 * costs no system call on a hot path).
 *
 * The memory is a sealed memfd of IOK_CHAN_SIZE bytes the client creates
 * and passes with IOK_OP_CHANNEL_OPEN; the host checks the seals so the
 * client cannot shrink it under the host.  Everything in it is written by
 * the client at will: the host reads each field once into private memory
 * before using it.
 */
#ifndef IOK_CHAN_H
#define IOK_CHAN_H

#include <stdint.h>
#include "iok_wire.h"

#define IOK_CHAN_MAGIC    0x434b4f49u   /* "IOKC" */
#define IOK_CHAN_VERSION  1
#define IOK_CHAN_SIZE     16384u
#define IOK_CHAN_REQ_OFF  256u
#define IOK_CHAN_REQ_MAX  (8192u - IOK_CHAN_REQ_OFF)
#define IOK_CHAN_REP_OFF  8192u
#define IOK_CHAN_REP_MAX  8192u

_Static_assert(sizeof(struct iok_wire_call) + IOK_WIRE_MAX_INBAND <= IOK_CHAN_REQ_MAX, "req area");
_Static_assert(sizeof(struct iok_wire_call_reply) + IOK_WIRE_MAX_INBAND <= IOK_CHAN_REP_MAX,
	       "rep area");

struct iok_chan_ctl {
	uint32_t magic;
	uint32_t version;
	uint32_t closed;            /* client: no more requests */
	uint32_t host_gone;         /* host: this channel is no longer served */
	uint32_t pad0[12];
	/* Client -> host. */
	uint32_t req_seq;           /* futex the host sleeps on */
	uint32_t host_sleeping;
	uint32_t pad1[14];
	/* Host -> client. */
	uint32_t rep_seq;           /* futex the client sleeps on */
	uint32_t client_sleeping;
	uint32_t pad2[14];
};
_Static_assert(sizeof(struct iok_chan_ctl) <= IOK_CHAN_REQ_OFF, "ctl");

/* How long each side spins before sleeping, in nanoseconds. */
#define IOK_CHAN_HOST_SPIN_NS    50000u
#define IOK_CHAN_CLIENT_SPIN_NS  20000u

#endif /* IOK_CHAN_H */
