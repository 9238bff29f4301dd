// SPDX-License-Identifier: MIT
/*
 * conn.c - the connection to the host: one SOCK_SEQPACKET socket per
 * process, opened on first use, one request in flight at a time.
 *
 * Names handed out by the host belong to this connection (the host's task
 * for this process).  If the host goes away those names are gone with it,
 * so the library does not reconnect once a connection was lost: every
 * later call returns kIOReturnNotResponding.  Until a first connection
 * succeeds, each call tries again, so a program may start before its host.
 * A child made by fork() does not inherit the connection: like a forked
 * macOS process, which inherits no port rights, it starts with an empty
 * name space and opens its own connection (its own task) on first use.
 */
#include "libiokit.h"
#include "iok_paths.h"
#include "iok_sys.h"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

enum conn_state { CONN_NEW, CONN_UP, CONN_LOST };

static struct {
	pthread_mutex_t lock;
	enum conn_state state;
	int fd;
	uint32_t seq;
} conn = { PTHREAD_MUTEX_INITIALIZER, CONN_NEW, -1, 0 };

static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;

/* Bumped in every child after fork: state made before it is the parent's. */
static uint32_t fork_generation;

uint32_t iok_fork_generation(void)
{
	return __atomic_load_n(&fork_generation, __ATOMIC_RELAXED);
}

static void conn_child_after_fork(void)
{
	__atomic_add_fetch(&fork_generation, 1, __ATOMIC_RELAXED);
	if (conn.fd >= 0)
		close(conn.fd);
	conn.fd = -1;
	if (conn.state == CONN_UP)
		conn.state = CONN_NEW;
	/* The forking thread locked it (conn_prepare_fork) and is this
	 * thread in the child: unlock rather than re-initialise a locked
	 * mutex (undefined, and ThreadSanitizer reports a double lock). */
	pthread_mutex_unlock(&conn.lock);
}

static void conn_prepare_fork(void)
{
	pthread_mutex_lock(&conn.lock);
}

static void conn_parent_after_fork(void)
{
	pthread_mutex_unlock(&conn.lock);
}

static void install_atfork(void)
{
	pthread_atfork(conn_prepare_fork, conn_parent_after_fork, conn_child_after_fork);
}

static void conn_lost_locked(void)
{
	if (conn.fd >= 0)
		close(conn.fd);
	conn.fd = -1;
	conn.state = CONN_LOST;
}

static IOReturn exchange_locked(const struct iok_rpc *req, int fd, struct iok_reply *rep,
			       int *out_fd);

/*
 * The /tmp fallback name can be bound by any local user first: talk only to
 * a host run by this user or by root (SO_PEERCRED: the credentials of the
 * process that made the listening socket).
 */
static bool peer_trusted(int fd)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) || len != sizeof(cred))
		return false;
	return cred.uid == getuid() || cred.uid == 0;
}

static IOReturn connect_locked(void)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct iok_rpc hello = { .op = IOK_OP_HELLO, .value = IOK_WIRE_VERSION };
	struct iok_reply rep = { 0 };
	IOReturn ret;
	bool shared;
	int fd;

	if (iok_socket_path(sun.sun_path, sizeof(sun.sun_path), &shared))
		return kIOReturnNotResponding;
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return kIOReturnNoResources;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun))) {
		close(fd);
		return kIOReturnNotResponding;
	}
	if (shared && !peer_trusted(fd)) {
		close(fd);
		return kIOReturnNotPrivileged;
	}
	conn.fd = fd;
	conn.state = CONN_UP;
	ret = exchange_locked(&hello, -1, &rep, NULL);
	iok_reply_free(&rep);
	if (ret != kIOReturnSuccess) {
		conn_lost_locked();
		conn.state = CONN_NEW;   /* a host of another version: try later */
	}
	return ret;
}

/* Checks the reply's layout before anything reads it. */
IOReturn iok_reply_parse(struct iok_wire_msg *m, size_t n, uint32_t seq, uint16_t op,
			 struct iok_reply *rep)
{
	const char *areas = (const char *)(m + 1);

	if (n < sizeof(*m) || m->hdr.size != n || m->hdr.seq != seq || m->hdr.op != op)
		return kIOReturnIPCError;
	if (m->str_len > n - sizeof(*m) || m->data_len != n - sizeof(*m) - m->str_len)
		return kIOReturnIPCError;
	if (m->str_len && (areas[m->str_len - 1] != '\0' || m->str_len > IOK_WIRE_MAX_STR))
		return kIOReturnIPCError;
	rep->str = m->str_len ? areas : NULL;
	rep->data = (const uint8_t *)areas + m->str_len;
	rep->data_len = m->data_len;
	return m->hdr.result;
}

/* Maps a reply's out-of-line data (a memfd of msg->value bytes). */
IOReturn iok_reply_map_ool(struct iok_reply *rep, int fd)
{
	uint64_t len = rep->msg->value;
	void *p;

	if (fd < 0 || rep->data_len || !len || len > ((uint64_t)1 << 32))
		return kIOReturnIPCError;
	p = mmap(NULL, (size_t)len, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return kIOReturnNoMemory;
	rep->ool_map = p;
	rep->data = p;
	rep->data_len = (size_t)len;
	return kIOReturnSuccess;
}

static IOReturn exchange_locked(const struct iok_rpc *req, int fd, struct iok_reply *rep,
				int *out_fd)
{
	size_t str_len = req->str ? strlen(req->str) + 1 : 0;
	struct iok_wire_msg m = {
		.hdr = { .op = req->op, .seq = ++conn.seq },
		.obj = req->obj, .obj2 = req->obj2, .options = req->options,
		.type = req->type, .value = req->value,
		.str_len = (uint32_t)str_len, .data_len = (uint32_t)req->data_len,
	};
	struct iovec iov[3] = {
		{ &m, sizeof(m) },
		{ (void *)req->str, str_len },
		{ (void *)req->data, req->data_len },
	};
	size_t total = sizeof(m) + str_len + req->data_len;
	IOReturn ret;
	int got_fd;
	ssize_t n;

	if (str_len > IOK_WIRE_MAX_STR)
		return kIOReturnBadArgument;
	if (total > IOK_WIRE_MAX_MSG)
		return kIOReturnMessageTooLarge;
	m.hdr.size = (uint32_t)total;
	rep->msg = malloc(IOK_WIRE_MAX_MSG);
	if (!rep->msg)
		return kIOReturnNoMemory;
	n = iok_send_fd(conn.fd, iov, 3, fd);
	if (n != (ssize_t)total)
		goto lost;
	n = iok_recv_fd(conn.fd, rep->msg, IOK_WIRE_MAX_MSG, &got_fd);
	if (n <= 0 || n > IOK_WIRE_MAX_MSG) {
		if (got_fd >= 0)
			close(got_fd);
		goto lost;
	}
	ret = iok_reply_parse(rep->msg, (size_t)n, m.hdr.seq, req->op, rep);
	if (rep->msg->hdr.flags & IOK_WIRE_F_DATA_OOL) {
		ret = ret == kIOReturnSuccess ? iok_reply_map_ool(rep, got_fd) : ret;
		if (got_fd >= 0)
			close(got_fd);
		got_fd = -1;
	}
	if (got_fd >= 0) {
		if (out_fd)
			*out_fd = got_fd;
		else
			close(got_fd);
	}
	return ret;
lost:
	conn_lost_locked();
	return kIOReturnNotResponding;
}

IOReturn iok_call(const struct iok_rpc *req, struct iok_reply *rep)
{
	return iok_call_fd(req, -1, rep);
}

IOReturn iok_call_fd(const struct iok_rpc *req, int fd, struct iok_reply *rep)
{
	return iok_call_fd2(req, fd, rep, NULL);
}

void iok_conn_init_once(void)
{
	pthread_once(&atfork_once, install_atfork);
}

IOReturn iok_call_fd2(const struct iok_rpc *req, int fd, struct iok_reply *rep, int *out_fd)
{
	IOReturn ret;

	if (iok_kern_active())
		return iok_kern_call_fd2(req, fd, rep, out_fd);
	if (out_fd)
		*out_fd = -1;
	*rep = (struct iok_reply){ 0 };
	pthread_once(&atfork_once, install_atfork);
	pthread_mutex_lock(&conn.lock);
	if (conn.state == CONN_NEW && (ret = connect_locked()) != kIOReturnSuccess)
		goto out;
	if (conn.state != CONN_UP) {
		ret = kIOReturnNotResponding;
		goto out;
	}
	ret = exchange_locked(req, fd, rep, out_fd);
	if (ret != kIOReturnSuccess && out_fd && *out_fd >= 0) {
		close(*out_fd);
		*out_fd = -1;
	}
out:
	pthread_mutex_unlock(&conn.lock);
	return ret;
}

void iok_reply_free(struct iok_reply *rep)
{
	if (rep->ool_map)
		munmap(rep->ool_map, rep->data_len);
	free(rep->msg);
	*rep = (struct iok_reply){ 0 };
}

bool iok_conn_alive(void)
{
	struct pollfd p;
	bool alive;

	if (iok_kern_active())
		return iok_kern_alive();
	pthread_mutex_lock(&conn.lock);
	p = (struct pollfd){ .fd = conn.fd, .events = POLLRDHUP };
	alive = conn.state == CONN_UP && poll(&p, 1, 0) >= 0 &&
		!(p.revents & (POLLRDHUP | POLLHUP | POLLERR | POLLNVAL));
	pthread_mutex_unlock(&conn.lock);
	return alive;
}

bool iok_conn_was_up(void)
{
	bool up;

	if (iok_kern_active())
		return iok_kern_alive();
	pthread_mutex_lock(&conn.lock);
	up = conn.state != CONN_NEW;
	pthread_mutex_unlock(&conn.lock);
	return up;
}

int iok_conn_dup_fd(void)
{
	int fd = -1;

	pthread_mutex_lock(&conn.lock);
	if (conn.state == CONN_UP)
		fd = fcntl(conn.fd, F_DUPFD_CLOEXEC, 0);
	pthread_mutex_unlock(&conn.lock);
	return fd;
}
