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

static inline void iok_cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#else
	__asm__ __volatile__("" ::: "memory");
#endif
}

#endif /* IOK_SYS_H */
