// SPDX-License-Identifier: MIT
/*
 * channel.c - serves call channels: one thread per channel that spins
 * briefly after each call and then sleeps on the channel's futex, so an
 * idle channel costs no CPU.  Requests are copied out of the shared page
 * before they are decoded (the client may rewrite it at any moment), and
 * every memfd a client passes must be sealed against shrinking so that it
 * cannot make the host fault.
 */
#include "channel.h"
#include "iok_chan.h"
#include "iok_sys.h"

#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct channel {
	struct channel *next;
	struct channel_set *set;
	uint32_t id;
	iok_task_t *task;
	uint8_t *base;               /* IOK_CHAN_SIZE bytes, shared */
	struct iok_chan_ctl *ctl;
	pthread_mutex_t call_lock;   /* held across a call: guards ool */
	uint8_t *ool;
	size_t ool_size;
	uint32_t stop;               /* host-private */
	pthread_t thread;
};

/* Maps a client memfd after checking it cannot shrink; min bytes at
 * least.  Returns the mapping and its size, or NULL. */
static uint8_t *map_sealed(int fd, size_t min, size_t *size)
{
	struct stat st;
	int seals = fcntl(fd, F_GET_SEALS);
	void *p;

	if (seals < 0 || !(seals & F_SEAL_SHRINK) || fstat(fd, &st) || st.st_size < 0 ||
	    (uint64_t)st.st_size < min || (uint64_t)st.st_size > ((uint64_t)1 << 36))
		return NULL;
	p = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return NULL;
	*size = (size_t)st.st_size;
	return p;
}

/* Waits for a request after last; returns its sequence number, or 0 when
 * the channel must stop. */
static uint32_t wait_request(struct channel *ch, uint32_t last, uint64_t spin_ns)
{
	uint64_t until = iok_now_ns() + spin_ns;
	uint32_t seq;

	for (;;) {
		if (__atomic_load_n(&ch->stop, __ATOMIC_ACQUIRE) ||
		    __atomic_load_n(&ch->ctl->closed, __ATOMIC_ACQUIRE))
			return 0;
		seq = __atomic_load_n(&ch->ctl->req_seq, __ATOMIC_ACQUIRE);
		if (seq != last)
			return seq ? seq : 0;
		if (iok_now_ns() < until) {
			for (int i = 0; i < 64; i++)
				iok_cpu_relax();
			continue;
		}
		/* Pairs with the client's store of req_seq then load of
		 * host_sleeping: one of us sees the other. */
		__atomic_store_n(&ch->ctl->host_sleeping, 1, __ATOMIC_SEQ_CST);
		if (__atomic_load_n(&ch->ctl->req_seq, __ATOMIC_SEQ_CST) == last &&
		    !__atomic_load_n(&ch->stop, __ATOMIC_ACQUIRE)) {
			struct timespec ts = { .tv_sec = 1 };

			iok_futex_wait(&ch->ctl->req_seq, last, &ts);
		}
		__atomic_store_n(&ch->ctl->host_sleeping, 0, __ATOMIC_RELAXED);
		until = iok_now_ns() + spin_ns;
	}
}

static void channel_free(struct channel *ch)
{
	if (ch->ool)
		munmap(ch->ool, ch->ool_size);
	munmap(ch->base, IOK_CHAN_SIZE);
	pthread_mutex_destroy(&ch->call_lock);
	iok_release(&ch->task->obj);
	free(ch);
}

/* A channel whose client closed it (or broke the protocol) leaves its
 * set, so that it no longer counts against CHANNELS_PER_CLIENT_MAX and its
 * memory goes now rather than when the client disconnects.  If
 * channel_set_destroy has already taken the list, it joins and frees us. */
static void retire(struct channel *ch)
{
	struct channel_set *set = ch->set;
	struct channel **pp;
	bool mine = false;

	pthread_mutex_lock(&set->lock);
	for (pp = &set->list; *pp; pp = &(*pp)->next) {
		if (*pp == ch) {
			*pp = ch->next;
			set->count--;
			mine = true;
			break;
		}
	}
	pthread_mutex_unlock(&set->lock);
	if (mine) {
		pthread_detach(pthread_self());
		channel_free(ch);
	}
}

/* How long a channel thread spins for the next request: 0 means the
 * default (IOK_CHAN_HOST_SPIN_NS, longer after big requests). */
static uint64_t fixed_spin_ns;

void channel_set_spin(uint64_t ns)
{
	__atomic_store_n(&fixed_spin_ns, ns, __ATOMIC_RELAXED);
}

static void *channel_thread(void *arg)
{
	struct channel *ch = arg;
	uint8_t *req = malloc(IOK_CHAN_REQ_MAX);
	uint8_t *rep = calloc(1, IOK_CHAN_REP_MAX);   /* cleared once, see iok_server_call */
	uint32_t last = 0, seq;   /* the client numbers its requests from 1 */
	uint64_t fixed = __atomic_load_n(&fixed_spin_ns, __ATOMIC_RELAXED);
	uint64_t spin_ns = fixed ? fixed : IOK_CHAN_HOST_SPIN_NS;

	while (req && rep && (seq = wait_request(ch, last, spin_ns))) {
		struct iok_ool ool;
		uint32_t size;
		long n;

		last = seq;
		size = __atomic_load_n(&((struct iok_wire_hdr *)(ch->base + IOK_CHAN_REQ_OFF))->size,
				       __ATOMIC_RELAXED);
		if (size < sizeof(struct iok_wire_hdr) || size > IOK_CHAN_REQ_MAX)
			break;   /* a protocol violation ends the channel */
		memcpy(req, ch->base + IOK_CHAN_REQ_OFF, size);
		((struct iok_wire_hdr *)req)->size = size;   /* the value we checked */
		if (((struct iok_wire_hdr *)req)->op != IOK_OP_CONNECT_CALL)
			break;
		/* The caller copies out-of-line data in and out between calls:
		 * wait for the next one about as long as that takes (a
		 * nanosecond per 8 bytes, at most a millisecond) before
		 * sleeping. */
		{
			const struct iok_wire_call *m = (const struct iok_wire_call *)req;
			uint64_t bytes = m->ool_in_size / 8 + m->ool_out_size / 8;

			spin_ns = fixed ? fixed : IOK_CHAN_HOST_SPIN_NS + (bytes < 1000000 ? bytes : 1000000);
		}
		pthread_mutex_lock(&ch->call_lock);
		ool = (struct iok_ool){ ch->ool, ch->ool_size };
		n = iok_server_call(ch->task, req, size, &ool, rep, IOK_CHAN_REP_MAX);
		pthread_mutex_unlock(&ch->call_lock);
		if (n < 0)
			break;
		memcpy(ch->base + IOK_CHAN_REP_OFF, rep, (size_t)n);
		/* Pairs with the client's store of client_sleeping then load
		 * of rep_seq. */
		__atomic_store_n(&ch->ctl->rep_seq, seq, __ATOMIC_SEQ_CST);
		if (__atomic_load_n(&ch->ctl->client_sleeping, __ATOMIC_SEQ_CST))
			iok_futex_wake(&ch->ctl->rep_seq, 1);
	}
	/* Tell a client that may be waiting that nobody will answer. */
	__atomic_store_n(&ch->ctl->host_gone, 1, __ATOMIC_SEQ_CST);
	__atomic_add_fetch(&ch->ctl->rep_seq, 1, __ATOMIC_SEQ_CST);
	iok_futex_wake(&ch->ctl->rep_seq, 1);
	free(req);
	free(rep);
	retire(ch);
	return NULL;
}

void channel_set_init(struct channel_set *set)
{
	pthread_mutex_init(&set->lock, NULL);
	set->list = NULL;
	set->next_id = 1;
	set->count = 0;
}

IOReturn channel_open(struct channel_set *set, iok_task_t *task, int fd, uint32_t *id)
{
	struct channel *ch = calloc(1, sizeof(*ch));
	pthread_attr_t attr;
	size_t size = 0;

	if (!ch) {
		close(fd);
		return kIOReturnNoMemory;
	}
	ch->base = map_sealed(fd, IOK_CHAN_SIZE, &size);
	close(fd);
	if (!ch->base || size != IOK_CHAN_SIZE) {
		if (ch->base)
			munmap(ch->base, size);
		free(ch);
		return kIOReturnBadArgument;
	}
	ch->ctl = (struct iok_chan_ctl *)ch->base;
	if (ch->ctl->magic != IOK_CHAN_MAGIC || ch->ctl->version != IOK_CHAN_VERSION) {
		munmap(ch->base, size);
		free(ch);
		return kIOReturnBadArgument;
	}
	pthread_mutex_init(&ch->call_lock, NULL);
	ch->task = (iok_task_t *)iok_retain(&task->obj);

	pthread_mutex_lock(&set->lock);
	if (set->count >= CHANNELS_PER_CLIENT_MAX) {
		pthread_mutex_unlock(&set->lock);
		channel_free(ch);
		return kIOReturnNoResources;
	}
	ch->id = set->next_id++;
	ch->set = set;
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 256 * 1024);
	if (pthread_create(&ch->thread, &attr, channel_thread, ch)) {
		pthread_attr_destroy(&attr);
		pthread_mutex_unlock(&set->lock);
		channel_free(ch);
		return kIOReturnNoResources;
	}
	pthread_attr_destroy(&attr);
	ch->next = set->list;
	set->list = ch;
	set->count++;
	*id = ch->id;
	pthread_mutex_unlock(&set->lock);
	return kIOReturnSuccess;
}

IOReturn channel_set_ool(struct channel_set *set, uint32_t id, int fd)
{
	struct channel *ch;
	size_t size = 0;
	uint8_t *ool = map_sealed(fd, 1, &size);
	IOReturn ret = kIOReturnBadArgument;

	close(fd);
	if (!ool)
		return kIOReturnBadArgument;
	pthread_mutex_lock(&set->lock);
	for (ch = set->list; ch; ch = ch->next) {
		if (ch->id != id)
			continue;
		pthread_mutex_lock(&ch->call_lock);
		if (ch->ool)
			munmap(ch->ool, ch->ool_size);
		ch->ool = ool;
		ch->ool_size = size;
		ool = NULL;
		pthread_mutex_unlock(&ch->call_lock);
		ret = kIOReturnSuccess;
		break;
	}
	pthread_mutex_unlock(&set->lock);
	if (ool)
		munmap(ool, size);
	return ret;
}

void channel_set_destroy(struct channel_set *set)
{
	struct channel *ch, *next;

	pthread_mutex_lock(&set->lock);
	ch = set->list;
	set->list = NULL;
	set->count = 0;
	pthread_mutex_unlock(&set->lock);
	for (; ch; ch = next) {
		next = ch->next;
		__atomic_store_n(&ch->stop, 1, __ATOMIC_SEQ_CST);
		iok_futex_wake(&ch->ctl->req_seq, 1);
		pthread_join(ch->thread, NULL);
		channel_free(ch);
	}
	pthread_mutex_destroy(&set->lock);
}
