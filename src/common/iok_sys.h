/* SPDX-License-Identifier: MIT */
/*
 * iok_sys.h - Linux plumbing shared by iokitd and libiokit: messages that
 * carry a descriptor (SCM_RIGHTS), futexes on shared memory, and a
 * spin-loop pause.  User space only.
 */
#ifndef IOK_SYS_H
#define IOK_SYS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <time.h>

/*
 * Sends the iovecs as one message, with descriptor fd when fd >= 0.
 * Retries on EINTR; returns the bytes sent or -1.
 */
ssize_t iok_send_fd(int sock, const struct iovec *iov, int iovcnt, int fd);

/*
 * Receives one message into buf (max bytes) and at most one descriptor
 * (*fd, else -1; any further ones are closed; close-on-exec).  Returns the
 * message's full length even when it was longer than max (MSG_TRUNC), or
 * 0 / -1 as recvmsg does.  A cut-off control message counts as a message
 * longer than max.
 */
ssize_t iok_recv_fd(int sock, void *buf, size_t max, int *fd);

/* FUTEX_WAIT / FUTEX_WAKE on a word in memory shared between processes. */
long iok_futex_wait(uint32_t *addr, uint32_t val, const struct timespec *timeout);
long iok_futex_wake(uint32_t *addr, int count);

/* A memfd of size bytes sealed against resizing and mapped shared (*map);
 * returns the descriptor (close-on-exec) or -1. */
int iok_sealed_memfd(const char *name, size_t size, uint8_t **map);

/* A new out-of-line buffer for a call channel of at least need bytes (a
 * power of two from 64 KiB up to the host's limit, 64 GiB): a sealed memfd
 * (returned, or -1) mapped at *map, *size bytes. */
int iok_chan_ool_create(size_t need, size_t *size, uint8_t **map);

/*
 * The caller's side of a call channel (src/wire/iok_chan.h), for libiokit
 * and for iokitd's calls into an isolated driver's process.
 * iok_chan_post publishes request seq (never 0) and returns whether the
 * host was asleep (and has been woken).  iok_chan_wait waits for the reply
 * to seq: spins for spin_ns, then sleeps, asking alive(ctx) after every
 * 100 ms asleep.  Returns 0, -EPIPE when the host gave the channel up, or
 * -ETIMEDOUT when alive said the host is gone.
 */
struct iok_chan_ctl;
int iok_chan_post(struct iok_chan_ctl *ctl, uint32_t seq);
int iok_chan_wait(struct iok_chan_ctl *ctl, uint32_t seq, uint64_t spin_ns,
		  int (*alive)(void *ctx), void *ctx);

static inline void iok_cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#else
	__asm__ __volatile__("" ::: "memory");
#endif
}

#endif /* IOK_SYS_H */
