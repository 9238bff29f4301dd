// SPDX-License-Identifier: MIT
/*
 * ports.c - local Mach ports: receive rights that are eventfds.  A send
 * adds one to the counter without blocking (so wakeups coalesce as with a
 * queue limit of one); a receive waits for a non-zero counter and clears
 * it.  Local names share the name space with the host's object names:
 * theirs have (name & 3) == 3, local ones (name & 3) == 1.
 *
 * When the host drops its last hold on a port (the user client that held
 * it was closed) it adds IOK_PORT_DEAD_MARK to the counter; a waiter seeing
 * it learns that nobody will send again.
 */
#include "libiokit.h"

#include <IOKit/IOKitLinux.h>
#include <mach/mach.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <unistd.h>

#define MAX_LOCAL_PORTS 4096

struct local_port {
	int fd;              /* -1: free slot */
	uint32_t gen;        /* low byte of the name, (gen & 3) == 1 */
	uint32_t refs;       /* receive right + send rights made */
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

static kern_return_t port_allocate(mach_port_name_t *name)
{
	uint32_t i;
	int fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);

	if (fd < 0)
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
		close(fd);
		return KERN_NO_SPACE;
	}
	if (i == n_ports)
		ports[n_ports++] = (struct local_port){ .fd = -1, .gen = 1 };
	ports[i].fd = fd;
	ports[i].refs = 1;
	*name = ((i + 1) << 8) | ports[i].gen;
	pthread_mutex_unlock(&ports_lock);
	return KERN_SUCCESS;
}

static void port_free_locked(struct local_port *p)
{
	close(p->fd);
	p->fd = -1;
	p->refs = 0;
	p->gen = (p->gen + 4) & 0xffu;   /* keeps (gen & 3) == 1 */
}

/* Runs fn(fd) on a live local port with the lock held. */
static int with_port(mach_port_t name, int (*fn)(int fd, void *arg), void *arg)
{
	struct local_port *p;
	int ret = -1;

	pthread_mutex_lock(&ports_lock);
	p = lookup_locked(name);
	if (p)
		ret = fn(p->fd, arg);
	pthread_mutex_unlock(&ports_lock);
	return ret;
}

static int dup_fd(int fd, void *arg)
{
	return fcntl(fd, F_DUPFD_CLOEXEC, 0);
}

int iok_port_dup_fd(mach_port_t name)
{
	return with_port(name, dup_fd, NULL);
}

static int signal_fd(int fd, void *arg)
{
	uint64_t one = 1;

	return write(fd, &one, sizeof(one)) == (ssize_t)sizeof(one) || errno == EAGAIN ? 0 : -1;
}

kern_return_t iok_port_signal(mach_port_t port)
{
	return with_port(port, signal_fd, NULL) == 0 ? KERN_SUCCESS : MACH_SEND_INVALID_DEST;
}

/* Waits for a wakeup on port (a duplicate of its eventfd, so the name may
 * be destroyed while we sleep), blocking in one poll on the port and on
 * the host's socket: a hang-up there means nobody will ever signal. */
/* A wakeup that is already pending: 1 (value in *v), 0 none, -1 no port. */
static int try_take(int fd, void *arg)
{
	return read(fd, arg, sizeof(uint64_t)) == (ssize_t)sizeof(uint64_t) ? 1 : 0;
}

static mach_msg_return_t port_receive(mach_port_t port, int timeout_ms)
{
	mach_msg_return_t ret = MACH_MSG_SUCCESS;
	uint64_t pending, v;
	int got = with_port(port, try_take, &pending);
	struct pollfd p[2];

	/* A stream often finds its wakeup already there: one read, no sleep. */
	if (got < 0)
		return MACH_RCV_INVALID_NAME;
	if (got > 0)
		return pending >= IOK_PORT_DEAD_MARK ? MACH_RCV_PORT_DIED : MACH_MSG_SUCCESS;
	p[0] = (struct pollfd){ .fd = iok_port_dup_fd(port), .events = POLLIN };
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
		if ((p[0].revents & POLLIN) && read(p[0].fd, &v, sizeof(v)) == (ssize_t)sizeof(v)) {
			if (v >= IOK_PORT_DEAD_MARK)
				ret = MACH_RCV_PORT_DIED;
			break;
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
	pthread_mutex_lock(&ports_lock);
	p = lookup_locked(name);
	if (p)
		port_free_locked(p);
	pthread_mutex_unlock(&ports_lock);
	return p ? KERN_SUCCESS : KERN_INVALID_NAME;
}

IOK_EXPORT kern_return_t mach_port_mod_refs(ipc_space_t task, mach_port_name_t name,
					    mach_port_right_t right, mach_port_delta_t delta)
{
	struct local_port *p;
	kern_return_t ret = KERN_SUCCESS;

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
		port_free_locked(p);
	pthread_mutex_unlock(&ports_lock);
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
	bool live;

	if (!task_ok(task))
		return KERN_INVALID_TASK;
	pthread_mutex_lock(&ports_lock);
	live = lookup_locked(name) != NULL;
	pthread_mutex_unlock(&ports_lock);
	if (!live)
		return KERN_INVALID_NAME;
	/* An eventfd already coalesces: every queue limit behaves as one. */
	return flavor == MACH_PORT_LIMITS_INFO ? KERN_SUCCESS : KERN_INVALID_ARGUMENT;
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
		r = port_receive(rcv_name, option & MACH_RCV_TIMEOUT ? (int)timeout : -1);
		if (r != MACH_MSG_SUCCESS)
			return r;
		memset(msg, 0, sizeof(*msg));
		msg->msgh_size = sizeof(*msg);
		msg->msgh_local_port = rcv_name;
	}
	return MACH_MSG_SUCCESS;
}

/* ---- the Linux extensions ------------------------------------------------ */

static int fd_of(int fd, void *arg)
{
	return fd;
}

IOK_EXPORT int IOMachPortGetFileDescriptor(mach_port_t port)
{
	return with_port(port, fd_of, NULL);
}

static int clear_fd(int fd, void *arg)
{
	uint64_t v;

	return read(fd, &v, sizeof(v)) >= 0 || errno == EAGAIN ? 0 : -1;
}

IOK_EXPORT kern_return_t IOMachPortClearWakeup(mach_port_t port)
{
	return with_port(port, clear_fd, NULL) == 0 ? KERN_SUCCESS : KERN_INVALID_NAME;
}
