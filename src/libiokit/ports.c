// SPDX-License-Identifier: MIT
/*
 * ports.c - local Mach ports (receive rights).  Two kinds:
 *
 *  - message ports (mach_port_allocate, IONotificationPortCreate): a
 *    SOCK_SEQPACKET socket pair.  The host gets the other end (once per
 *    connection, IOK_OP_PORT_REGISTER, or with IOConnectSetNotificationPort)
 *    and queues whole Mach-shaped messages on it without blocking: matching
 *    and interest notifications, async completions, data-queue wakeups.
 *  - signal ports (a port whose queue limit was set to one before first
 *    use, as IODataQueueAllocateNotificationPort does): an eventfd.  A send
 *    adds one to the counter, so wakeups coalesce exactly as with a queue
 *    limit of one; a receive waits for a non-zero counter and clears it.
 *    When the host drops its last hold on such a port it adds
 *    IOK_PORT_DEAD_MARK to the counter; a waiter seeing it learns that
 *    nobody will send again.
 *
 * Local names share the name space with the host's object names: theirs
 * have (name & 3) == 3, local ones (name & 3) == 1.
 */
#include "libiokit.h"
#include "vm.h"

#include <IOKit/IOKitLinux.h>
#include <mach/mach.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_LOCAL_PORTS 4096

struct local_port {
	int fd;              /* receive side (eventfd or socket); -1: free slot */
	int peer;            /* message ports: the host's end; -1: a signal port */
	uint32_t gen;        /* low byte of the name, (gen & 3) == 1 */
	uint32_t refs;       /* receive right + send rights made */
	uint32_t host_name;  /* the port's name in the host, 0: not registered */
	uint32_t host_fork;  /* iok_fork_generation() when registered */
	bool used;           /* handed to the host or received on */
};

static pthread_mutex_t ports_lock = PTHREAD_MUTEX_INITIALIZER;
static struct local_port ports[MAX_LOCAL_PORTS];
static uint32_t n_ports;

static bool is_local_name(mach_port_t name)
{
	return (name & 3) == 1 && (name >> 8) >= 1;
}

/* Slot of a live local name, or NULL.  ports_lock held. */
static struct local_port *lookup_locked(mach_port_t name)
{
	uint32_t i = (name >> 8) - 1;

	if (!is_local_name(name) || i >= n_ports || ports[i].fd < 0 ||
	    ports[i].gen != (name & 0xffu))
		return NULL;
	return &ports[i];
}

/* Reserved local names: the task, host and thread self ports, and the
 * main port, all below this index. */
#define FIRST_PORT_INDEX 16

/* The socket pair of a message port: ours non-blocking (we poll it), the
 * host's with room for a burst of notifications. */
static int message_pair(int sv[2])
{
	int sz = 1 << 20;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv))
		return -1;
	if (fcntl(sv[0], F_SETFL, O_NONBLOCK) ||
	    setsockopt(sv[1], SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz)) < 0) {
		close(sv[0]);
		close(sv[1]);
		return -1;
	}
	return 0;
}

static kern_return_t port_allocate(mach_port_name_t *name)
{
	uint32_t i;
	int sv[2];

	if (message_pair(sv))
		return KERN_RESOURCE_SHORTAGE;
	pthread_mutex_lock(&ports_lock);
	if (n_ports < FIRST_PORT_INDEX) {
		for (i = 0; i < FIRST_PORT_INDEX; i++)
			ports[i] = (struct local_port){ .fd = -1, .gen = 1 };
		n_ports = FIRST_PORT_INDEX;
	}
	for (i = FIRST_PORT_INDEX; i < n_ports && ports[i].fd >= 0; i++)
		;
	if (i == MAX_LOCAL_PORTS) {
		pthread_mutex_unlock(&ports_lock);
		close(sv[0]);
		close(sv[1]);
		return KERN_NO_SPACE;
	}
	if (i == n_ports)
		ports[n_ports++] = (struct local_port){ .fd = -1, .gen = 1 };
	ports[i].fd = sv[0];
	ports[i].peer = sv[1];
	ports[i].refs = 1;
	ports[i].host_name = 0;
	ports[i].used = false;
	*name = ((i + 1) << 8) | ports[i].gen;
	pthread_mutex_unlock(&ports_lock);
	return KERN_SUCCESS;
}

/* Frees the slot; returns the host's name for the port (to be released
 * once the lock is dropped), or 0. */
static uint32_t port_free_locked(struct local_port *p)
{
	uint32_t host_name = p->host_fork == iok_fork_generation() ? p->host_name : 0;

	close(p->fd);
	if (p->peer >= 0)
		close(p->peer);
	p->fd = p->peer = -1;
	p->host_name = 0;
	p->refs = 0;
	p->gen = (p->gen + 4) & 0xffu;   /* keeps (gen & 3) == 1 */
	return host_name;
}

/* The host lets go of its end when its name for the port is released. */
static void iok_port_forget_host_name(uint32_t host_name)
{
	if (host_name)
		IOObjectRelease(host_name);
}

/* Runs fn(port) on a live local port with the lock held. */
static int with_port(mach_port_t name, int (*fn)(struct local_port *p, void *arg), void *arg)
{
	struct local_port *p;
	int ret = -1;

	pthread_mutex_lock(&ports_lock);
	p = lookup_locked(name);
	if (p)
		ret = fn(p, arg);
	pthread_mutex_unlock(&ports_lock);
	return ret;
}

static int dup_host_fd(struct local_port *p, void *arg)
{
	p->used = true;
	return fcntl(p->peer >= 0 ? p->peer : p->fd, F_DUPFD_CLOEXEC, 0);
}

int iok_port_dup_fd(mach_port_t name)
{
	return with_port(name, dup_host_fd, NULL);
}

static int dup_receive_fd(struct local_port *p, void *arg)
{
	p->used = true;
	return fcntl(p->fd, F_DUPFD_CLOEXEC, 0);
}

static int is_message_port(struct local_port *p, void *arg)
{
	return p->peer >= 0;
}

bool iok_port_is_message_port(mach_port_t name)
{
	return with_port(name, is_message_port, NULL) == 1;
}

static int signal_fd(struct local_port *p, void *arg)
{
	uint64_t one = 1;

	if (p->peer >= 0) {   /* a bare wakeup message; a full queue wakes anyway */
		ssize_t n = send(p->peer, &one, sizeof(one), MSG_DONTWAIT | MSG_NOSIGNAL);

		return n == (ssize_t)sizeof(one) || errno == EAGAIN ? 0 : -1;
	}
	return write(p->fd, &one, sizeof(one)) == (ssize_t)sizeof(one) || errno == EAGAIN ? 0 : -1;
}

/*
 * The port's name in the host (registering it there on first use in this
 * connection): 0 and *ret the reason when it cannot be had.  Only message
 * ports can be registered.
 */
struct host_name_arg {
	uint32_t name;
	int peer;
};

static int take_host_name(struct local_port *p, void *arg)
{
	struct host_name_arg *a = arg;

	if (p->peer < 0)
		return -2;
	p->used = true;
	if (p->host_name && p->host_fork == iok_fork_generation()) {
		a->name = p->host_name;
		return 0;
	}
	a->peer = fcntl(p->peer, F_DUPFD_CLOEXEC, 0);
	return a->peer >= 0 ? 1 : -1;
}

static int store_host_name(struct local_port *p, void *arg)
{
	struct host_name_arg *a = arg;

	if (p->host_name && p->host_fork == iok_fork_generation()) {
		/* Another thread registered it meanwhile: keep one. */
		uint32_t mine = a->name;

		a->name = p->host_name;
		return (int)mine;
	}
	p->host_name = a->name;
	p->host_fork = iok_fork_generation();
	return 0;
}

IOReturn iok_port_host_name(mach_port_t port, uint32_t *host_name)
{
	struct host_name_arg a = { 0, -1 };
	struct iok_rpc req = { .op = IOK_OP_PORT_REGISTER };
	struct iok_reply rep;
	IOReturn ret;
	int r = with_port(port, take_host_name, &a);

	*host_name = 0;
	if (r == -1)
		return MACH_SEND_INVALID_RIGHT;
	if (r == -2)
		return kIOReturnBadArgument;   /* a signal port carries no messages */
	if (r == 0) {
		*host_name = a.name;
		return kIOReturnSuccess;
	}
	ret = iok_call_fd(&req, a.peer, &rep);
	close(a.peer);
	if (ret == kIOReturnSuccess)
		a.name = rep.msg->obj;
	iok_reply_free(&rep);
	if (ret)
		return ret;
	r = with_port(port, store_host_name, &a);
	if (r < 0) {   /* the port was destroyed meanwhile */
		iok_port_forget_host_name(a.name);
		return MACH_SEND_INVALID_RIGHT;
	}
	if (r > 0)
		iok_port_forget_host_name((uint32_t)r);
	*host_name = a.name;
	return kIOReturnSuccess;
}

kern_return_t iok_port_signal(mach_port_t port)
{
	return with_port(port, signal_fd, NULL) == 0 ? KERN_SUCCESS : MACH_SEND_INVALID_DEST;
}

/*
 * Receiving.  A message port yields its next message (or a bare header for
 * a wakeup); a signal port a bare header once its counter is non-zero.
 * The wait polls a duplicate of the port's descriptor (so the name may be
 * destroyed while we sleep) together with the host's socket: a hang-up
 * there means nobody will ever send.
 */
struct take {
	mach_msg_header_t *msg;   /* NULL: a signal port's wakeup only */
	mach_msg_size_t size;     /* capacity of msg */
	ssize_t len;              /* bytes received */
	uint64_t value;           /* a signal port's counter */
};

/* One pending message or wakeup: 1 taken, 0 none, -1 no port, -2 too
 * large (the message is dropped, as Mach does without MACH_RCV_LARGE). */
static int try_take_fd(int fd, bool message, struct take *t)
{
	if (!message) {
		t->len = read(fd, &t->value, sizeof(t->value));
		return t->len == (ssize_t)sizeof(t->value) ? 1 : 0;
	}
	t->len = recv(fd, t->msg, t->size, MSG_DONTWAIT | MSG_TRUNC);
	if (t->len < 0)
		return 0;
	return t->len > (ssize_t)t->size ? -2 : 1;
}

static int try_take(struct local_port *p, void *arg)
{
	p->used = true;
	return try_take_fd(p->fd, p->peer >= 0, arg);
}

static mach_msg_return_t taken(const struct take *t)
{
	if (t->msg && t->len < (ssize_t)sizeof(mach_msg_header_t)) {
		/* A wakeup (data-queue notification): a bare header. */
		memset(t->msg, 0, sizeof(*t->msg));
		t->msg->msgh_size = sizeof(*t->msg);
		return MACH_MSG_SUCCESS;
	}
	if (!t->msg && t->value >= IOK_PORT_DEAD_MARK)
		return MACH_RCV_PORT_DIED;
	return MACH_MSG_SUCCESS;
}

static mach_msg_return_t port_receive(mach_port_t port, mach_msg_header_t *msg,
				      mach_msg_size_t size, int timeout_ms)
{
	mach_msg_return_t ret = MACH_MSG_SUCCESS;
	bool message = iok_port_is_message_port(port);
	struct take t = { message ? msg : NULL, size, 0, 0 };
	int got = with_port(port, try_take, &t);
	struct pollfd p[2];

	/* A stream often finds its wakeup already there: one read, no sleep. */
	if (got == -1)
		return MACH_RCV_INVALID_NAME;
	if (got == -2)
		return MACH_RCV_TOO_LARGE;
	if (got > 0)
		return taken(&t);
	p[0] = (struct pollfd){ .fd = with_port(port, dup_receive_fd, NULL), .events = POLLIN };
	p[1] = (struct pollfd){ .fd = iok_conn_dup_fd(), .events = POLLRDHUP };

	if (p[0].fd < 0) {
		if (p[1].fd >= 0)
			close(p[1].fd);
		return MACH_RCV_INVALID_NAME;
	}
	for (;;) {
		int n = poll(p, p[1].fd >= 0 ? 2 : 1, timeout_ms);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = MACH_RCV_INVALID_NAME;
			break;
		}
		if (n == 0) {
			ret = MACH_RCV_TIMED_OUT;
			break;
		}
		if (p[0].revents & POLLIN) {
			got = try_take_fd(p[0].fd, message, &t);
			if (got == -2) {
				ret = MACH_RCV_TOO_LARGE;
				break;
			}
			if (got > 0) {
				ret = taken(&t);
				break;
			}
			continue;   /* another receiver took it */
		}
		if (p[1].revents & (POLLRDHUP | POLLHUP | POLLERR)) {
			ret = kIOReturnNotResponding;
			break;
		}
	}
	close(p[0].fd);
	if (p[1].fd >= 0)
		close(p[1].fd);
	return ret;
}

/* ---- the Mach calls ------------------------------------------------------ */

static bool task_ok(ipc_space_t task)
{
	return task == mach_task_self();
}

IOK_EXPORT kern_return_t mach_port_allocate(ipc_space_t task, mach_port_right_t right,
					    mach_port_name_t *name)
{
	if (!task_ok(task))
		return KERN_INVALID_TASK;
	if (!name)
		return KERN_INVALID_ARGUMENT;
	if (right != MACH_PORT_RIGHT_RECEIVE)
		return KERN_NOT_SUPPORTED;   /* port sets and dead names: not here */
	return port_allocate(name);
}

IOK_EXPORT kern_return_t mach_port_destroy(ipc_space_t task, mach_port_name_t name)
{
	struct local_port *p;

	if (!task_ok(task))
		return KERN_INVALID_TASK;
	if (!is_local_name(name)) {
		/* An IOKit object: drop every user reference. */
		uint32_t n = IOObjectGetUserRetainCount(name);

		if (!n)
			return KERN_INVALID_NAME;
		while (n--)
			IOObjectRelease(name);
		return KERN_SUCCESS;
	}
	uint32_t host_name = 0;

	pthread_mutex_lock(&ports_lock);
	p = lookup_locked(name);
	if (p)
		host_name = port_free_locked(p);
	pthread_mutex_unlock(&ports_lock);
	iok_port_forget_host_name(host_name);
	return p ? KERN_SUCCESS : KERN_INVALID_NAME;
}

IOK_EXPORT kern_return_t mach_port_mod_refs(ipc_space_t task, mach_port_name_t name,
					    mach_port_right_t right, mach_port_delta_t delta)
{
	struct local_port *p;
	kern_return_t ret = KERN_SUCCESS;
	uint32_t host_name = 0;

	if (!task_ok(task))
		return KERN_INVALID_TASK;
	if (!is_local_name(name)) {
		for (; delta > 0 && ret == KERN_SUCCESS; delta--)
			ret = IOObjectRetain(name);
		for (; delta < 0 && ret == KERN_SUCCESS; delta++)
			ret = IOObjectRelease(name);
		return ret;
	}
	pthread_mutex_lock(&ports_lock);
	p = lookup_locked(name);
	if (!p)
		ret = KERN_INVALID_NAME;
	else if (delta < 0 && (uint32_t)-delta > p->refs)
		ret = KERN_INVALID_VALUE;
	else if ((p->refs = (uint32_t)((int64_t)p->refs + delta)) == 0)
		host_name = port_free_locked(p);
	pthread_mutex_unlock(&ports_lock);
	iok_port_forget_host_name(host_name);
	return ret;
}

IOK_EXPORT kern_return_t mach_port_deallocate(ipc_space_t task, mach_port_name_t name)
{
	if (!task_ok(task))
		return KERN_INVALID_TASK;
	if (!is_local_name(name))
		return IOObjectRelease(name);
	return mach_port_mod_refs(task, name, MACH_PORT_RIGHT_SEND, -1);
}

IOK_EXPORT kern_return_t mach_port_insert_right(ipc_space_t task, mach_port_name_t name,
						mach_port_t poly, mach_msg_type_name_t polyPoly)
{
	if (!task_ok(task))
		return KERN_INVALID_TASK;
	if (name != poly || (polyPoly != MACH_MSG_TYPE_MAKE_SEND &&
			     polyPoly != MACH_MSG_TYPE_COPY_SEND))
		return KERN_INVALID_VALUE;
	return mach_port_mod_refs(task, name, MACH_PORT_RIGHT_SEND, 1);
}

IOK_EXPORT kern_return_t mach_port_get_refs(ipc_space_t task, mach_port_name_t name,
					    mach_port_right_t right, mach_port_urefs_t *refs)
{
	struct local_port *p;

	if (!task_ok(task))
		return KERN_INVALID_TASK;
	if (!refs)
		return KERN_INVALID_ARGUMENT;
	if (!is_local_name(name)) {
		*refs = IOObjectGetUserRetainCount(name);
		return *refs ? KERN_SUCCESS : KERN_INVALID_NAME;
	}
	pthread_mutex_lock(&ports_lock);
	p = lookup_locked(name);
	*refs = p ? p->refs : 0;
	pthread_mutex_unlock(&ports_lock);
	return p ? KERN_SUCCESS : KERN_INVALID_NAME;
}

IOK_EXPORT kern_return_t mach_port_set_attributes(ipc_space_t task, mach_port_name_t name,
						  mach_port_flavor_t flavor,
						  mach_port_info_t port_info,
						  natural_t port_infoCnt)
{
	struct local_port *p;
	kern_return_t ret = KERN_SUCCESS;

	if (!task_ok(task))
		return KERN_INVALID_TASK;
	if (flavor != MACH_PORT_LIMITS_INFO)
		return KERN_INVALID_ARGUMENT;
	if (!port_info || port_infoCnt < MACH_PORT_LIMITS_INFO_COUNT)
		return MIG_ARRAY_TOO_LARGE;
	pthread_mutex_lock(&ports_lock);
	p = lookup_locked(name);
	if (!p) {
		ret = KERN_INVALID_NAME;
	} else if (((mach_port_limits_t *)port_info)->mpl_qlimit == 1 && p->peer >= 0 &&
		   !p->used) {
		/* A queue limit of one, before first use: the port becomes an
		 * eventfd, whose counter coalesces wakeups exactly so. */
		int fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);

		if (fd < 0) {
			ret = KERN_RESOURCE_SHORTAGE;
		} else {
			close(p->fd);
			close(p->peer);
			p->fd = fd;
			p->peer = -1;
		}
	}
	/* Other limits: a message port's queue is bounded by its socket. */
	pthread_mutex_unlock(&ports_lock);
	return ret;
}

/*
 * mach_port_names: the local ports (receive rights, with a send right
 * too when one was made) and every name the host gave this process
 * (send rights).  The arrays come from anonymous memory the caller
 * returns with vm_deallocate (or munmap), as with Mach's out-of-line
 * arrays.
 */
static void *alloc_array(size_t n)
{
	return iok_vm_allocate(n ? n * sizeof(uint32_t) : sizeof(uint32_t));
}

static void free_array(void *p, size_t n)
{
	if (p)
		vm_deallocate(mach_task_self(), (vm_address_t)p,
			      n ? n * sizeof(uint32_t) : sizeof(uint32_t));
}

IOK_EXPORT kern_return_t mach_port_names(ipc_space_t task, mach_port_name_array_t *names,
					 natural_t *namesCnt, mach_port_type_array_t *types,
					 natural_t *typesCnt)
{
	struct iok_rpc req = { .op = IOK_OP_TASK_NAMES };
	struct iok_reply rep;
	size_t n_host = 0, n = 0, cap;
	mach_port_name_t *nm;
	mach_port_type_t *ty;

	if (!task_ok(task))
		return KERN_INVALID_TASK;
	if (!names || !namesCnt || !types || !typesCnt)
		return KERN_INVALID_ARGUMENT;
	/* Host names exist only once a connection was made: do not make one. */
	memset(&rep, 0, sizeof(rep));
	if (iok_conn_was_up() && iok_call(&req, &rep) == kIOReturnSuccess)
		n_host = rep.data_len / sizeof(uint32_t);
	pthread_mutex_lock(&ports_lock);
	cap = n_host + n_ports;
	nm = alloc_array(cap);
	ty = alloc_array(cap);
	if (!nm || !ty) {
		pthread_mutex_unlock(&ports_lock);
		iok_reply_free(&rep);
		free_array(nm, cap);
		free_array(ty, cap);
		return KERN_RESOURCE_SHORTAGE;
	}
	for (uint32_t i = FIRST_PORT_INDEX; i < n_ports; i++) {
		if (ports[i].fd < 0)
			continue;
		nm[n] = ((i + 1) << 8) | ports[i].gen;
		ty[n++] = ports[i].refs > 1 ? MACH_PORT_TYPE_SEND_RECEIVE : MACH_PORT_TYPE_RECEIVE;
	}
	pthread_mutex_unlock(&ports_lock);
	for (size_t i = 0; i < n_host; i++) {
		memcpy(&nm[n], rep.data + i * sizeof(uint32_t), sizeof(uint32_t));
		ty[n++] = MACH_PORT_TYPE_SEND;
	}
	iok_reply_free(&rep);
	*names = nm;
	*types = ty;
	*namesCnt = *typesCnt = (natural_t)n;
	return KERN_SUCCESS;
}

IOK_EXPORT mach_msg_return_t mach_msg(mach_msg_header_t *msg, mach_msg_option_t option,
				      mach_msg_size_t send_size, mach_msg_size_t rcv_size,
				      mach_port_name_t rcv_name, mach_msg_timeout_t timeout,
				      mach_port_name_t notify)
{
	if (!msg)
		return MACH_SEND_INVALID_DATA;
	if (option & MACH_SEND_MSG) {
		if (iok_port_signal(msg->msgh_remote_port) != KERN_SUCCESS)
			return MACH_SEND_INVALID_DEST;
	}
	if (option & MACH_RCV_MSG) {
		mach_msg_return_t r;

		if (rcv_size < sizeof(*msg))
			return MACH_RCV_TOO_LARGE;
		r = port_receive(rcv_name, msg, rcv_size,
				 option & MACH_RCV_TIMEOUT ? (int)timeout : -1);
		if (r != MACH_MSG_SUCCESS)
			return r;
		msg->msgh_local_port = rcv_name;
		if (!iok_port_is_message_port(rcv_name)) {
			memset(msg, 0, sizeof(*msg));
			msg->msgh_size = sizeof(*msg);
			msg->msgh_local_port = rcv_name;
		}
	}
	return MACH_MSG_SUCCESS;
}

/* ---- the Linux extensions ------------------------------------------------ */

static int fd_of(struct local_port *p, void *arg)
{
	return p->fd;
}

IOK_EXPORT int IOMachPortGetFileDescriptor(mach_port_t port)
{
	return with_port(port, fd_of, NULL);
}

/* A message port keeps its messages: only a signal port is cleared. */
static int clear_fd(struct local_port *p, void *arg)
{
	uint64_t v;

	if (p->peer >= 0)
		return 0;
	return read(p->fd, &v, sizeof(v)) >= 0 || errno == EAGAIN ? 0 : -1;
}

IOK_EXPORT kern_return_t IOMachPortClearWakeup(mach_port_t port)
{
	return with_port(port, clear_fd, NULL) == 0 ? KERN_SUCCESS : KERN_INVALID_NAME;
}
