// SPDX-License-Identifier: MIT
/*
 * channel.c - the calling thread's call channel (the client side of
 * src/wire/iok_chan.h).  Created on a thread's first method call, handed
 * to the host over the socket as a sealed memfd, closed when the thread
 * exits.  Out-of-line structures go through a second sealed memfd that
 * grows as needed.
 */
#include "libiokit.h"
#include "iok_chan.h"
#include "iok_os.h"
#include "iok_sys.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

struct iok_chan {
	uint8_t *base;
	struct iok_chan_ctl *ctl;
	uint32_t id;
	uint32_t seq;
	uint32_t fork_gen;   /* a channel does not survive fork */
	bool broken;
	uint64_t avg_ns;     /* recent service time of this channel */
	uint8_t *ool;
	size_t ool_size;
};

static pthread_key_t chan_key;
static pthread_once_t chan_once = PTHREAD_ONCE_INIT;
static IOK_TLS struct iok_chan *my_chan;

static void chan_destroy(void *arg)
{
	struct iok_chan *ch = arg;

	if (!ch)
		return;
	if (ch->fork_gen == iok_fork_generation()) {
		__atomic_store_n(&ch->ctl->closed, 1, __ATOMIC_SEQ_CST);
		__atomic_add_fetch(&ch->ctl->req_seq, 1, __ATOMIC_SEQ_CST);
		iok_futex_wake(&ch->ctl->req_seq, 1);
	}
	if (ch->ool)
		munmap(ch->ool, ch->ool_size);
	munmap(ch->base, IOK_CHAN_SIZE);
	free(ch);
}

static void chan_key_init(void)
{
	pthread_key_create(&chan_key, chan_destroy);
}

/* Sends op with fd over the socket; returns the IOReturn and value. */
static IOReturn send_fd_op(uint16_t op, uint64_t value, int fd, uint64_t *out)
{
	struct iok_rpc req = { .op = op, .value = value };
	struct iok_reply rep;
	IOReturn ret = iok_call_fd(&req, fd, &rep);

	if (ret == kIOReturnSuccess && out)
		*out = rep.msg->value;
	iok_reply_free(&rep);
	return ret;
}

IOReturn iok_chan_get(struct iok_chan **out)
{
	struct iok_chan *ch = my_chan;
	uint64_t id = 0;
	IOReturn ret;
	int fd;

	if (iok_kern_active())
		return iok_kern_chan_get(out);
	if (ch && ch->fork_gen == iok_fork_generation()) {
		if (ch->broken)
			return kIOReturnNotResponding;   /* the host dropped it */
		*out = ch;
		return kIOReturnSuccess;
	}
	if (ch) {
		/* Inherited across fork: the parent's, not ours. */
		pthread_setspecific(chan_key, NULL);
		chan_destroy(ch);
		my_chan = NULL;
	}
	pthread_once(&chan_once, chan_key_init);
	iok_conn_init_once();
	ch = calloc(1, sizeof(*ch));
	if (!ch)
		return kIOReturnNoMemory;
	fd = iok_sealed_memfd("iokit-channel", IOK_CHAN_SIZE, &ch->base);
	if (fd < 0) {
		free(ch);
		return kIOReturnNoResources;
	}
	ch->ctl = (struct iok_chan_ctl *)ch->base;
	ch->ctl->magic = IOK_CHAN_MAGIC;
	ch->ctl->version = IOK_CHAN_VERSION;
	ch->fork_gen = iok_fork_generation();
	ret = send_fd_op(IOK_OP_CHANNEL_OPEN, 0, fd, &id);
	close(fd);
	if (ret != kIOReturnSuccess) {
		munmap(ch->base, IOK_CHAN_SIZE);
		free(ch);
		return ret;
	}
	ch->id = (uint32_t)id;
	my_chan = ch;
	pthread_setspecific(chan_key, ch);
	*out = ch;
	return kIOReturnSuccess;
}

struct iok_wire_call *iok_chan_request(struct iok_chan *ch)
{
	if (iok_kern_active())
		return iok_kern_chan_request(ch);
	return (struct iok_wire_call *)(ch->base + IOK_CHAN_REQ_OFF);
}

IOReturn iok_chan_ool(struct iok_chan *ch, size_t size, uint8_t **base)
{
	size_t want = 0;
	uint8_t *map;
	IOReturn ret;
	int fd;

	if (iok_kern_active())
		return iok_kern_chan_ool(ch, size, base);
	if (size <= ch->ool_size) {
		*base = ch->ool;
		return kIOReturnSuccess;
	}
	fd = iok_chan_ool_create(size, &want, &map);
	if (fd < 0)
		return kIOReturnNoMemory;
	ret = send_fd_op(IOK_OP_CHANNEL_SET_OOL, ch->id, fd, NULL);
	close(fd);
	if (ret != kIOReturnSuccess) {
		munmap(map, want);
		return ret;
	}
	if (ch->ool)
		munmap(ch->ool, ch->ool_size);
	ch->ool = map;
	ch->ool_size = want;
	*base = map;
	return kIOReturnSuccess;
}

static int conn_alive(void *ctx)
{
	(void)ctx;
	return iok_conn_alive();
}

/* Waits for the reply to seq (spinning first, longer for bigger requests,
 * whose calls take longer), checking that the host is still there every
 * 100 ms asleep. */
static IOReturn wait_reply(struct iok_chan *ch, uint32_t seq, uint64_t spin_ns)
{
	if (iok_chan_wait(ch->ctl, seq, spin_ns, conn_alive, NULL)) {
		ch->broken = true;
		return kIOReturnNotResponding;
	}
	return kIOReturnSuccess;
}

static IOReturn chan_call(struct iok_chan *ch, const struct iok_wire_call_reply **reply)
{
	const struct iok_wire_call *req = iok_chan_request(ch);
	uint64_t bytes = req->ool_in_size + req->ool_out_size;
	uint32_t seq = ++ch->seq;
	bool woke_host;
	IOReturn ret;

	if (!seq)
		seq = ++ch->seq;   /* 0 means "no request" to the host */
	woke_host = iok_chan_post(ch->ctl, seq);
	/*
	 * Spin for about as long as this channel's calls have been taking
	 * (twice the recent average, at least IOK_CHAN_CLIENT_SPIN_NS and at
	 * most a millisecond), plus about a microsecond per 16 KiB moved:
	 * sleeping costs a wakeup, spinning past the answer costs a core.
	 */
	uint64_t spin = 2 * ch->avg_ns;
	uint64_t t0 = iok_now_ns();

	if (spin < IOK_CHAN_CLIENT_SPIN_NS)
		spin = IOK_CHAN_CLIENT_SPIN_NS;
	if (spin > 1000000)
		spin = 1000000;
	/*
	 * A host that was asleep needs a wakeup: sleep at once instead of
	 * spinning, so that the scheduler may run it on this CPU (as with a
	 * blocking socket) rather than wake another, idle one.
	 */
	ret = wait_reply(ch, seq, woke_host ? 0 : spin + bytes / 16);
	if (ret)
		return ret;
	if (!woke_host)
		ch->avg_ns = (ch->avg_ns * 7 + (iok_now_ns() - t0)) / 8;
	*reply = (const struct iok_wire_call_reply *)(ch->base + IOK_CHAN_REP_OFF);
	return kIOReturnSuccess;
}

IOReturn iok_chan_call(struct iok_chan *ch, const struct iok_wire_call_reply **reply)
{
	if (iok_kern_active())
		return iok_kern_chan_call(ch, reply);
	return chan_call(ch, reply);
}
