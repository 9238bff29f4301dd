// SPDX-License-Identifier: MIT
/*
 * host.c - iokitd's driver loader and socket server.
 *
 * Each client connection is a task with its own name table, served by its
 * own thread: a slow or stalled client blocks only itself.  The caller's
 * pid, uid and gid come from SO_PEERCRED, its name from /proc/PID/comm.
 */
#include "host.h"
#include "iok_sys.h"
#include "channel.h"
#include "iok_wire.h"
#include "runtime.h"

#include <dirent.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

/* ---- drivers ------------------------------------------------------------ */

static int so_filter(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return n > 3 && strcmp(d->d_name + n - 3, ".so") == 0;
}

int host_load_driver_dir(const char *dir)
{
	struct dirent **list;
	char path[4096];
	int n = scandir(dir, &list, so_filter, alphasort), ret = 0;

	if (n < 0)
		return errno == ENOENT ? 0 : -errno;
	for (int i = 0; i < n; i++) {
		if (!ret && snprintf(path, sizeof(path), "%s/%s", dir, list[i]->d_name) <
				    (int)sizeof(path))
			ret = host_load_driver(path);
		free(list[i]);
	}
	free(list);
	return ret;
}

/* ---- clients ------------------------------------------------------------ */

struct client {
	int fd;
	iok_task_t *task;
	struct channel_set channels;
	struct client *next, **pprev;   /* live clients, clients_lock */
};

/* The connected clients, so that a stopping host can end them. */
static pthread_mutex_t clients_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t clients_gone = PTHREAD_COND_INITIALIZER;
static struct client *clients;

static void clients_add(struct client *cl)
{
	pthread_mutex_lock(&clients_lock);
	cl->next = clients;
	cl->pprev = &clients;
	if (clients)
		clients->pprev = &cl->next;
	clients = cl;
	pthread_mutex_unlock(&clients_lock);
}

static void clients_remove(struct client *cl)
{
	pthread_mutex_lock(&clients_lock);
	*cl->pprev = cl->next;
	if (cl->next)
		cl->next->pprev = cl->pprev;
	pthread_cond_broadcast(&clients_gone);
	pthread_mutex_unlock(&clients_lock);
}

/*
 * A stopping host hangs up on every client and gives their threads up to
 * timeout_s seconds to run clientDied, stop their channels and release
 * their names, so that it exits with nothing of theirs left running.
 */
void host_end_clients(int timeout_s)
{
	struct timespec deadline;

	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += timeout_s;
	pthread_mutex_lock(&clients_lock);
	for (struct client *cl = clients; cl; cl = cl->next)
		shutdown(cl->fd, SHUT_RDWR);
	while (clients && pthread_cond_timedwait(&clients_gone, &clients_lock, &deadline) == 0)
		;
	if (clients)
		iok_log(IOK_LOG_WARNING, "stopping with clients still busy");
	pthread_mutex_unlock(&clients_lock);
}

static void proc_name(pid_t pid, char *buf, size_t len)
{
	char path[64];
	ssize_t n;
	int fd;

	snprintf(buf, len, "unknown");
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n <= 0)
		return;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
}

/* A sealed memfd holding a reply's out-of-line data, or -1. */
static int ool_fd(const struct iok_reply_ool *ool)
{
	iok_shmem_t *shm;
	int fd;

	if (iok_shmem_create(ool->len, &shm))
		return -1;
	memcpy(iok_shmem_addr(shm), ool->data, ool->len);
	fd = fcntl(iok_shmem_fd(shm), F_DUPFD_CLOEXEC, 0);
	iok_shmem_destroy(shm);
	return fd;
}

static bool is_fd_op(uint16_t op)
{
	return op == IOK_OP_CHANNEL_OPEN || op == IOK_OP_CHANNEL_SET_OOL ||
	       op == IOK_OP_CONNECT_SET_PORT || op == IOK_OP_CONNECT_MAP ||
	       op == IOK_OP_CONNECT_UNMAP || op == IOK_OP_PORT_REGISTER;
}

/* A descriptor the client may map: read-only memory goes out through a
 * read-only open file description, so that PROT_WRITE cannot be had. */
static int shareable_fd(iok_memory_t *mem, bool read_only)
{
	char path[64];

	if (!read_only)
		return fcntl(iok_shmem_fd(iok_memory_shmem(mem)), F_DUPFD_CLOEXEC, 0);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", iok_shmem_fd(iok_memory_shmem(mem)));
	return open(path, O_RDONLY | O_CLOEXEC);
}

/* A client's message port (a SOCK_SEQPACKET socket end; fd consumed),
 * named in its task for notifications and async calls. */
static IOReturn register_port(struct client *cl, int fd, uint32_t *name)
{
	int type = 0;
	socklen_t len = sizeof(type);
	iok_port_t *port;

	if (fd < 0)
		return kIOReturnBadArgument;
	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) || type != SOCK_SEQPACKET) {
		close(fd);
		return kIOReturnBadArgument;
	}
	port = iok_port_create(iok_signal_from_fd(fd));
	if (!port)
		return kIOReturnNoMemory;
	*name = iok_task_name_object(cl->task, iok_port_object(port));
	iok_port_release(port);
	return *name ? kIOReturnSuccess : kIOReturnNoResources;
}

/*
 * The ops that carry a descriptor (in the request: channels, notification
 * ports; in the reply: mapped memory).  *out_fd receives a descriptor to
 * send with the reply.  fd is consumed.
 */
static long handle_fd_op(struct client *cl, const struct iok_wire_msg *m, size_t len, int fd,
			 struct iok_wire_msg *rep, int *out_fd)
{
	IOReturn ret = kIOReturnBadArgument;
	uint32_t id = 0, options = 0;
	iok_memory_t *mem = NULL;
	iok_port_t *port = NULL;

	*out_fd = -1;
	memset(rep, 0, sizeof(*rep));
	rep->hdr.op = m->hdr.op;
	rep->hdr.seq = m->hdr.seq;
	if (len != sizeof(*m) || m->hdr.size != len || m->str_len || m->data_len ||
	    m->hdr.flags || m->hdr.result)
		goto out;
	switch (m->hdr.op) {
	case IOK_OP_CHANNEL_OPEN:
		if (fd < 0)
			break;
		ret = channel_open(&cl->channels, cl->task, fd, &id);
		fd = -1;
		rep->value = id;
		break;
	case IOK_OP_CHANNEL_SET_OOL:
		if (fd < 0)
			break;
		ret = channel_set_ool(&cl->channels, (uint32_t)m->value, fd);
		fd = -1;
		break;
	case IOK_OP_CONNECT_SET_PORT:
		if (fd >= 0) {
			port = iok_port_create(iok_signal_from_fd(fd));
			fd = -1;
			if (!port) {
				ret = kIOReturnNoMemory;
				break;
			}
		}
		ret = iok_server_set_port(cl->task, m->obj, port, m->type, m->value);
		iok_port_release(port);
		break;
	case IOK_OP_CONNECT_MAP:
		ret = iok_server_map(cl->task, m->obj, m->type, m->options, &mem, &options);
		if (ret)
			break;
		*out_fd = shareable_fd(mem, options & 0x1000u /* kIOMapReadOnly */);
		ret = *out_fd >= 0 ? kIOReturnSuccess : kIOReturnNoResources;
		rep->value = iok_memory_length(mem);
		rep->options = options;
		iok_memory_release(mem);
		break;
	case IOK_OP_CONNECT_UNMAP:
		ret = iok_server_unmap(cl->task, m->obj, m->type);
		break;
	case IOK_OP_PORT_REGISTER:
		ret = register_port(cl, fd, &rep->obj);
		fd = -1;
		break;
	}
out:
	if (fd >= 0)
		close(fd);
	rep->hdr.result = ret;
	rep->hdr.size = sizeof(*rep);
	return sizeof(*rep);
}

static void *client_thread(void *arg)
{
	struct client *cl = arg;
	/* The reply buffer is cleared once: what a call's reply leaves
	 * unwritten is this client's own earlier data (iok_server_call). */
	uint8_t *req = malloc(IOK_WIRE_MAX_MSG), *rep = calloc(1, IOK_WIRE_MAX_MSG);

	while (req && rep) {
		struct iok_reply_ool ool = { NULL, 0 };
		int fd, out_fd = -1;
		ssize_t n = iok_recv_fd(cl->fd, req, IOK_WIRE_MAX_MSG, &fd);
		bool sent;
		const struct iok_wire_hdr *h = (const struct iok_wire_hdr *)req;
		long len;

		if (n <= 0 || n > IOK_WIRE_MAX_MSG) {
			if (fd >= 0)
				close(fd);
			if (n > IOK_WIRE_MAX_MSG)
				iok_log(IOK_LOG_WARNING, "pid %d: oversized message, dropping client",
					cl->task->pid);
			break;
		}
		if ((size_t)n >= sizeof(*h) && is_fd_op(h->op)) {
			len = handle_fd_op(cl, (const struct iok_wire_msg *)req, (size_t)n, fd,
					   (struct iok_wire_msg *)rep, &out_fd);
		} else {
			if (fd >= 0)
				close(fd);   /* no other op takes a descriptor */
			len = iok_server_handle(cl->task, req, (size_t)n, rep, IOK_WIRE_MAX_MSG,
						&ool);
			if (len > 0 && ool.data)
				out_fd = ool_fd(&ool);
		}
		if (len < 0) {
			iok_log(IOK_LOG_WARNING, "pid %d: malformed message, dropping client",
				cl->task->pid);
			break;
		}
		if (ool.data && out_fd < 0) {   /* no memory for it: fail the reply */
			struct iok_wire_msg *m = (struct iok_wire_msg *)rep;

			m->hdr.flags = 0;
			m->hdr.result = kIOReturnNoMemory;
			m->value = 0;
		}
		iok_free(ool.data);
		sent = iok_send_fd(cl->fd, &(struct iovec){ rep, (size_t)len }, 1, out_fd) == len;
		if (out_fd >= 0)
			close(out_fd);
		if (!sent)
			break;
	}
	free(req);
	free(rep);
	iok_log(IOK_LOG_DEBUG, "pid %d: disconnected", cl->task->pid);
	channel_set_destroy(&cl->channels);
	iok_task_destroy(cl->task);
	host_reap_modules();   /* the last instance of an unloaded driver may be gone */
	/* Last: a stopping host waits for this (and may shut the socket down
	 * until then, so it is closed only after). */
	clients_remove(cl);
	close(cl->fd);
	free(cl);
	return NULL;
}

int host_add_client(int fd, int32_t pid, uint32_t uid, uint32_t gid, const char *name)
{
	pthread_attr_t attr;
	pthread_t th;
	struct client *cl = malloc(sizeof(*cl));

	if (!cl) {
		close(fd);
		return -ENOMEM;
	}
	cl->fd = fd;
	channel_set_init(&cl->channels);
	cl->task = iok_task_create(pid, uid, gid, name);
	if (!cl->task)
		goto err_free;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 256 * 1024);
	clients_add(cl);
	if (pthread_create(&th, &attr, client_thread, cl)) {
		pthread_attr_destroy(&attr);
		clients_remove(cl);
		iok_task_destroy(cl->task);
		goto err_free;
	}
	pthread_attr_destroy(&attr);
	iok_log(IOK_LOG_DEBUG, "pid %d (%s) uid %u connected", (int)pid, name, uid);
	return 0;

err_free:
	free(cl);
	close(fd);
	return -ENOMEM;
}

static void accept_client(int lfd)
{
	struct ucred cred;
	socklen_t clen = sizeof(cred);
	char name[64];
	int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);

	if (fd < 0) {
		/* Out of descriptors or memory: the connection stays in the
		 * backlog and the socket readable; wait instead of spinning. */
		if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM)
			usleep(10000);
		return;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &clen)) {
		close(fd);
		return;
	}
	proc_name(cred.pid, name, sizeof(name));
	host_add_client(fd, cred.pid, cred.uid, cred.gid, name);
}

/* Binds path, replacing a stale socket but never a live host's. */
static int listen_on(const char *path, unsigned mode)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	mode_t old;

	if (fd < 0)
		return -errno;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0) {
		fprintf(stderr, "iokitd: a host is already serving %s\n", path);
		close(fd);
		return -EADDRINUSE;
	}
	unlink(path);
	/* Owner-only: the host serves the user that runs it. */
	old = umask(077);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) || listen(fd, 128)) {
		int err = -errno;

		umask(old);
		fprintf(stderr, "iokitd: cannot listen on %s: %s\n", path, strerror(-err));
		close(fd);
		return err;
	}
	umask(old);
	if (chmod(path, mode)) {
		close(fd);
		return -errno;
	}
	return fd;
}

static void stop_signals(sigset_t *mask)
{
	sigemptyset(mask);
	sigaddset(mask, SIGTERM);
	sigaddset(mask, SIGINT);
	sigaddset(mask, SIGHUP);
}

void host_block_signals(void)
{
	sigset_t mask;

	signal(SIGPIPE, SIG_IGN);
	stop_signals(&mask);
	pthread_sigmask(SIG_BLOCK, &mask, NULL);   /* inherited by every thread */
}

int host_serve(const char *path, unsigned mode)
{
	sigset_t mask;
	int lfd, sfd;

	stop_signals(&mask);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC);
	lfd = listen_on(path, mode);
	if (lfd < 0 || sfd < 0) {
		if (sfd >= 0)
			close(sfd);
		return lfd < 0 ? lfd : -errno;
	}
	iok_log(IOK_LOG_INFO, "serving on %s", path);
	for (;;) {
		struct pollfd p[2] = { { .fd = lfd, .events = POLLIN }, { .fd = sfd, .events = POLLIN } };

		if (poll(p, 2, -1) < 0 && errno != EINTR)
			break;
		if (p[1].revents)
			break;
		if (p[0].revents & POLLIN)
			accept_client(lfd);
	}
	close(lfd);
	close(sfd);
	unlink(path);
	host_end_clients(5);
	return 0;
}
