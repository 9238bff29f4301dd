// SPDX-License-Identifier: MIT
/* sys.c - see iok_sys.h. */
#include "iok_sys.h"
#include "iok_chan.h"
#include "iok_os.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

ssize_t iok_send_fd(int sock, const struct iovec *iov, int iovcnt, int fd)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(int))];
	} cbuf;
	struct msghdr mh = { .msg_iov = (struct iovec *)iov, .msg_iovlen = (size_t)iovcnt };
	ssize_t n;

	if (fd >= 0) {
		struct cmsghdr *c;

		memset(&cbuf, 0, sizeof(cbuf));
		mh.msg_control = cbuf.buf;
		mh.msg_controllen = sizeof(cbuf.buf);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	do
		n = sendmsg(sock, &mh, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	return n;
}

ssize_t iok_recv_fd(int sock, void *buf, size_t max, int *fd)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(int) * 4)];
	} cbuf;
	struct iovec iov = { buf, max };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf.buf, .msg_controllen = sizeof(cbuf.buf),
	};
	ssize_t n;

	*fd = -1;
	do
		n = recvmsg(sock, &mh, MSG_TRUNC | MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); n >= 0 && c; c = CMSG_NXTHDR(&mh, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		for (size_t i = 0; i < (c->cmsg_len - CMSG_LEN(0)) / sizeof(int); i++) {
			int f;

			memcpy(&f, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
			if (*fd < 0)
				*fd = f;
			else
				close(f);   /* one descriptor per message, at most */
		}
	}
	if (n >= 0 && (mh.msg_flags & MSG_CTRUNC))
		n = (ssize_t)max + 1;
	return n;
}

long iok_futex_wait(uint32_t *addr, uint32_t val, const struct timespec *timeout)
{
	return syscall(SYS_futex, addr, FUTEX_WAIT, val, timeout, NULL, 0);
}

long iok_futex_wake(uint32_t *addr, int count)
{
	return syscall(SYS_futex, addr, FUTEX_WAKE, count, NULL, NULL, 0);
}

int iok_sealed_memfd(const char *name, size_t size, uint8_t **map)
{
	int fd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
	void *p;

	if (fd < 0)
		return -1;
	if (ftruncate(fd, (off_t)size) ||
	    fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL))
		goto err;
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		goto err;
	*map = p;
	return fd;
err:
	close(fd);
	return -1;
}

int iok_chan_ool_create(size_t need, size_t *size, uint8_t **map)
{
	size_t want = (size_t)1 << 16;

	while (want < need) {
		if (want >= ((size_t)1 << 36))
			return -1;
		want <<= 1;
	}
	*size = want;
	return iok_sealed_memfd("iokit-channel-ool", want, map);
}

int iok_chan_post(struct iok_chan_ctl *ctl, uint32_t seq)
{
	/* Pairs with the host's store of host_sleeping then load of req_seq. */
	__atomic_store_n(&ctl->req_seq, seq, __ATOMIC_SEQ_CST);
	if (!__atomic_load_n(&ctl->host_sleeping, __ATOMIC_SEQ_CST))
		return 0;
	iok_futex_wake(&ctl->req_seq, 1);
	return 1;
}

int iok_chan_wait(struct iok_chan_ctl *ctl, uint32_t seq, uint64_t spin_ns,
		  int (*alive)(void *ctx), void *ctx)
{
	uint64_t until = iok_now_ns() + spin_ns;

	while (__atomic_load_n(&ctl->rep_seq, __ATOMIC_ACQUIRE) != seq) {
		uint32_t cur;

		if (__atomic_load_n(&ctl->host_gone, __ATOMIC_ACQUIRE))
			return -EPIPE;
		if (iok_now_ns() < until) {
			for (int i = 0; i < 32; i++)
				iok_cpu_relax();
			continue;
		}
		/* Pairs with the host's store of rep_seq then load of
		 * client_sleeping. */
		__atomic_store_n(&ctl->client_sleeping, 1, __ATOMIC_SEQ_CST);
		cur = __atomic_load_n(&ctl->rep_seq, __ATOMIC_SEQ_CST);
		if (cur != seq) {
			struct timespec ts = { .tv_nsec = 100 * 1000 * 1000 };

			if (iok_futex_wait(&ctl->rep_seq, cur, &ts) && errno == ETIMEDOUT &&
			    !alive(ctx)) {
				__atomic_store_n(&ctl->client_sleeping, 0, __ATOMIC_RELAXED);
				return -ETIMEDOUT;
			}
		}
		__atomic_store_n(&ctl->client_sleeping, 0, __ATOMIC_RELAXED);
	}
	return 0;
}
