// SPDX-License-Identifier: MIT
/* raw_client.c - the wire protocol without libiokit (see raw_client.h). */
#include "raw_client.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

int raw_connect(void)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	const char *path = getenv("IOKIT_SOCKET");
	int fd;

	if (!path || strlen(path) >= sizeof(sun.sun_path))
		return -1;
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	memcpy(sun.sun_path, path, strlen(path) + 1);
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun))) {
		close(fd);
		return -1;
	}
	/* A host that stops answering fails the test instead of hanging it. */
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &(struct timeval){ .tv_sec = 60 },
		   sizeof(struct timeval));
	return fd;
}

static ssize_t send_msg(int fd, struct iovec *iov, int n, int pass_fd)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(int))];
	} cbuf;
	struct msghdr mh = { .msg_iov = iov, .msg_iovlen = (size_t)n };
	ssize_t r;

	if (pass_fd >= 0) {
		struct cmsghdr *c;

		memset(&cbuf, 0, sizeof(cbuf));
		mh.msg_control = cbuf.buf;
		mh.msg_controllen = sizeof(cbuf.buf);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &pass_fd, sizeof(int));
	}
	do
		r = sendmsg(fd, &mh, MSG_NOSIGNAL);
	while (r < 0 && errno == EINTR);
	return r;
}

static ssize_t recv_msg(int fd, void *buf, size_t cap, int *got_fd)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(int))];
	} cbuf;
	struct iovec iov = { buf, cap };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = cbuf.buf, .msg_controllen = sizeof(cbuf.buf) };
	ssize_t r;

	*got_fd = -1;
	do
		r = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC);
	while (r < 0 && errno == EINTR);
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); r >= 0 && c; c = CMSG_NXTHDR(&mh, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
			memcpy(got_fd, CMSG_DATA(c), sizeof(int));
	return r;
}

static uint32_t next_seq;

int raw_rpc(int fd, const struct iok_wire_msg *m, const char *str, const void *data,
	    size_t data_len, int pass_fd, struct iok_wire_msg *reply, int *got_fd)
{
	struct iok_wire_msg req = *m;
	size_t str_len = str ? strlen(str) + 1 : 0;
	struct iovec iov[3] = { { &req, sizeof(req) }, { (void *)str, str_len },
				{ (void *)data, data_len } };
	struct iok_wire_msg *rep = reply ? reply : malloc(IOK_WIRE_MAX_MSG);
	int rfd = -1, ret;
	ssize_t n;

	if (got_fd)
		*got_fd = -1;
	if (!rep)
		return RAW_GONE;
	req.hdr.size = (uint32_t)(sizeof(req) + str_len + data_len);
	req.hdr.seq = __atomic_add_fetch(&next_seq, 1, __ATOMIC_RELAXED);
	req.str_len = (uint32_t)str_len;
	req.data_len = (uint32_t)data_len;
	ret = RAW_GONE;
	if (send_msg(fd, iov, 3, pass_fd) != (ssize_t)req.hdr.size)
		goto out;
	n = recv_msg(fd, rep, IOK_WIRE_MAX_MSG, &rfd);
	if (n < (ssize_t)sizeof(*rep) || rep->hdr.size != (uint32_t)n ||
	    rep->hdr.seq != req.hdr.seq || rep->hdr.op != req.hdr.op)
		goto out;
	ret = rep->hdr.result;
	if (got_fd) {
		*got_fd = rfd;
		rfd = -1;
	}
out:
	if (rfd >= 0)
		close(rfd);
	if (!reply)
		free(rep);
	return ret;
}

int raw_hello(int fd)
{
	struct iok_wire_msg m = { .hdr = { .op = IOK_OP_HELLO }, .value = IOK_WIRE_VERSION };

	return raw_rpc(fd, &m, NULL, NULL, 0, -1, NULL, NULL);
}

int raw_lookup(int fd, const char *path, uint32_t *obj)
{
	struct iok_wire_msg m = { .hdr = { .op = IOK_OP_ENTRY_FROM_PATH } };
	struct iok_wire_msg *rep = malloc(IOK_WIRE_MAX_MSG);
	int ret = rep ? raw_rpc(fd, &m, path, NULL, 0, -1, rep, NULL) : RAW_GONE;

	*obj = ret == 0 ? rep->obj : 0;
	free(rep);
	return ret;
}

int raw_open(int fd, uint32_t service, uint32_t type, uint32_t *conn)
{
	struct iok_wire_msg m = { .hdr = { .op = IOK_OP_SERVICE_OPEN }, .obj = service,
				  .type = type };
	struct iok_wire_msg *rep = malloc(IOK_WIRE_MAX_MSG);
	int ret = rep ? raw_rpc(fd, &m, NULL, NULL, 0, -1, rep, NULL) : RAW_GONE;

	*conn = ret == 0 ? rep->obj2 : 0;
	free(rep);
	return ret;
}

int raw_close(int fd, uint32_t conn)
{
	struct iok_wire_msg m = { .hdr = { .op = IOK_OP_SERVICE_CLOSE }, .obj = conn };

	return raw_rpc(fd, &m, NULL, NULL, 0, -1, NULL, NULL);
}

int raw_release(int fd, uint32_t obj)
{
	struct iok_wire_msg m = { .hdr = { .op = IOK_OP_OBJECT_RELEASE }, .obj = obj };

	return raw_rpc(fd, &m, NULL, NULL, 0, -1, NULL, NULL);
}

static size_t build_call(struct iok_wire_call *c, uint32_t conn, uint32_t selector,
			 const uint64_t *in, uint32_t nin, uint32_t nout, const void *sin,
			 uint32_t sin_len, uint32_t sout_cap)
{
	memset(c, 0, sizeof(*c));
	c->hdr.op = IOK_OP_CONNECT_CALL;
	c->hdr.seq = __atomic_add_fetch(&next_seq, 1, __ATOMIC_RELAXED);
	c->conn = conn;
	c->selector = selector;
	c->scalar_in_count = nin;
	c->scalar_out_count = nout;
	c->struct_in_size = sin_len;
	c->struct_out_size = sout_cap;
	if (nin)
		memcpy(c->scalar_in, in, nin * sizeof(*in));
	if (sin_len)
		memcpy(c + 1, sin, sin_len);
	c->hdr.size = (uint32_t)(sizeof(*c) + sin_len);
	return c->hdr.size;
}

int raw_call_send(int fd, uint32_t conn, uint32_t selector, const uint64_t *in, uint32_t nin,
		  const void *sin, uint32_t sin_len)
{
	uint8_t *buf = malloc(sizeof(struct iok_wire_call) + IOK_WIRE_MAX_INBAND);
	struct iovec iov;
	int ret = -1;

	if (!buf || nin > IOK_WIRE_MAX_SCALARS || sin_len > IOK_WIRE_MAX_INBAND)
		goto out;
	iov.iov_base = buf;
	iov.iov_len = build_call((struct iok_wire_call *)buf, conn, selector, in, nin, 0, sin,
				 sin_len, 0);
	ret = send_msg(fd, &iov, 1, -1) == (ssize_t)iov.iov_len ? 0 : -1;
out:
	free(buf);
	return ret;
}

int raw_call(int fd, uint32_t conn, uint32_t selector, const uint64_t *in, uint32_t nin,
	     uint64_t *out, uint32_t *nout, const void *sin, uint32_t sin_len, void *sout,
	     uint32_t *sout_len)
{
	uint8_t *req = malloc(sizeof(struct iok_wire_call) + IOK_WIRE_MAX_INBAND);
	uint8_t *rep = malloc(IOK_WIRE_MAX_MSG);
	const struct iok_wire_call_reply *r = (const void *)rep;
	uint32_t want_out = nout ? *nout : 0, want_sout = sout_len ? *sout_len : 0;
	struct iovec iov;
	int ret = RAW_GONE, rfd;
	ssize_t n;

	if (!req || !rep || nin > IOK_WIRE_MAX_SCALARS || sin_len > IOK_WIRE_MAX_INBAND ||
	    want_out > IOK_WIRE_MAX_SCALARS || want_sout > IOK_WIRE_MAX_INBAND)
		goto out;
	iov.iov_base = req;
	iov.iov_len = build_call((struct iok_wire_call *)req, conn, selector, in, nin, want_out,
				 sin, sin_len, want_sout);
	if (send_msg(fd, &iov, 1, -1) != (ssize_t)iov.iov_len)
		goto out;
	n = recv_msg(fd, rep, IOK_WIRE_MAX_MSG, &rfd);
	if (rfd >= 0)
		close(rfd);
	if (n < (ssize_t)sizeof(*r) || r->hdr.size != (uint32_t)n ||
	    r->hdr.seq != ((struct iok_wire_call *)req)->hdr.seq ||
	    r->scalar_out_count > want_out || r->struct_out_size > want_sout ||
	    (size_t)n != sizeof(*r) + r->struct_out_size)
		goto out;
	ret = r->hdr.result;
	if (ret == 0) {
		if (nout) {
			if (r->scalar_out_count)
				memcpy(out, r->scalar_out, r->scalar_out_count * sizeof(*out));
			*nout = r->scalar_out_count;
		}
		if (sout_len) {
			if (r->struct_out_size)
				memcpy(sout, r + 1, r->struct_out_size);
			*sout_len = r->struct_out_size;
		}
	}
out:
	free(req);
	free(rep);
	return ret;
}

int raw_connect_open(const char *path, uint32_t type, uint32_t *conn)
{
	uint32_t svc = 0;
	int fd = raw_connect();

	if (fd < 0)
		return -1;
	if (raw_hello(fd) || raw_lookup(fd, path, &svc) || !svc || raw_open(fd, svc, type, conn) ||
	    raw_release(fd, svc)) {
		close(fd);
		return -1;
	}
	return fd;
}
