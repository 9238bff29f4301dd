// SPDX-License-Identifier: MIT
/*
 * transport_kernel.c - the kernel transport: the same requests and replies
 * as the socket (conn.c) and the call channels (channel.c), carried by
 * ioctl on /dev/iokit (iokit.ko, see src/wire/iok_kdev.h).
 *
 * Chosen once per process: IOKIT_TRANSPORT=kernel or =socket decides; else
 * a program told a socket (IOKIT_SOCKET) uses it; else /dev/iokit is used
 * when it exists, the socket otherwise.  The public API and its results do
 * not depend on the choice.
 *
 * One descriptor per process, opened on first use (each open is a task in
 * the kernel: its own names and user clients, with the opener's
 * credentials).  As with the socket, a child made by fork() does not
 * inherit it and opens its own on first use.  Method calls go straight
 * through the ioctl from a per-thread buffer (IOK_IOC_CALL, answered in
 * place; IOK_IOC_MSG when out-of-line structures travel, from a
 * per-thread buffer the kernel copies).
 */
#include "libiokit.h"
#include "iok_kdev.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

static struct {
	pthread_mutex_t lock;   /* opening the device */
	uint32_t seq;           /* atomic */
} kconn = { PTHREAD_MUTEX_INITIALIZER, 0 };

static pthread_once_t choose_once = PTHREAD_ONCE_INIT;
static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;
int iok_transport;   /* IOK_TRANSPORT_*, see iok_kern_active() */
/* The device's descriptor once opened and greeted (atomic), else -1: set
 * under kconn.lock, read without it on the call path. */
int iok_kern_fd = -1;

static void choose(void)
{
	const char *t = getenv("IOKIT_TRANSPORT");
	bool kernel;

	if (t && strcmp(t, "kernel") == 0)
		kernel = true;
	else if ((t && strcmp(t, "socket") == 0) || getenv("IOKIT_SOCKET"))
		kernel = false;   /* asked for, or a socket named */
	else
		kernel = access(IOK_KDEV_PATH, F_OK) == 0;
	__atomic_store_n(&iok_transport, kernel ? IOK_TRANSPORT_KERNEL : IOK_TRANSPORT_SOCKET,
			 __ATOMIC_RELEASE);
}

bool iok_kern_choose(void)
{
	pthread_once(&choose_once, choose);
	return __atomic_load_n(&iok_transport, __ATOMIC_ACQUIRE) == IOK_TRANSPORT_KERNEL;
}

static void child_after_fork(void)
{
	pthread_mutex_init(&kconn.lock, NULL);
	if (iok_kern_fd >= 0)
		close(iok_kern_fd);
	iok_kern_fd = -1;
}

static void install_atfork(void)
{
	pthread_atfork(NULL, NULL, child_after_fork);
}

/* ioctl failures as IOReturns. */
IOReturn iok_kern_errno(int err)
{
	switch (err) {
	case ENOMEM:
		return kIOReturnNoMemory;
	case EBADF:
	case ENOTTY:
	case ENODEV:
		return kIOReturnNotResponding;
	default:
		return kIOReturnIPCError;
	}
}

static IOReturn exchange(int fd, const struct iok_rpc *req, int in_fd, struct iok_reply *rep,
			 int *out_fd);

/* The descriptor, opened (and greeted) on first use; -1 with *ret set
 * when the device cannot be reached. */
static int kfd(IOReturn *ret)
{
	/* Once up, the descriptor stays (until a fork, in the child). */
	int fd = __atomic_load_n(&iok_kern_fd, __ATOMIC_ACQUIRE);

	if (fd >= 0) {
		*ret = kIOReturnSuccess;
		return fd;
	}
	pthread_once(&atfork_once, install_atfork);
	pthread_mutex_lock(&kconn.lock);
	fd = iok_kern_fd;
	if (fd < 0) {
		struct iok_rpc hello = { .op = IOK_OP_HELLO, .value = IOK_WIRE_VERSION };
		struct iok_reply rep = { 0 };

		fd = open(IOK_KDEV_PATH, O_RDWR | O_CLOEXEC);
		if (fd < 0) {
			pthread_mutex_unlock(&kconn.lock);
			*ret = kIOReturnNotResponding;
			return -1;
		}
		*ret = exchange(fd, &hello, -1, &rep, NULL);
		iok_reply_free(&rep);
		if (*ret != kIOReturnSuccess) {
			close(fd);
			pthread_mutex_unlock(&kconn.lock);
			return -1;
		}
		__atomic_store_n(&iok_kern_fd, fd, __ATOMIC_RELEASE);
	}
	pthread_mutex_unlock(&kconn.lock);
	*ret = kIOReturnSuccess;
	return fd;
}

static IOReturn exchange(int fd, const struct iok_rpc *req, int in_fd, struct iok_reply *rep,
			 int *out_fd)
{
	size_t str_len = req->str ? strlen(req->str) + 1 : 0;
	size_t total = sizeof(struct iok_wire_msg) + str_len + req->data_len;
	struct iok_wire_msg *m;
	struct iok_kmsg km;
	IOReturn ret;
	int got_fd;

	if (str_len > IOK_WIRE_MAX_STR)
		return kIOReturnBadArgument;
	if (total > IOK_WIRE_MAX_MSG)
		return kIOReturnMessageTooLarge;
	m = malloc(total);
	rep->msg = malloc(IOK_WIRE_MAX_MSG);
	if (!m || !rep->msg) {
		free(m);
		return kIOReturnNoMemory;
	}
	*m = (struct iok_wire_msg){
		.hdr = { .size = (uint32_t)total, .op = req->op,
			 .seq = __atomic_add_fetch(&kconn.seq, 1, __ATOMIC_RELAXED) },
		.obj = req->obj, .obj2 = req->obj2, .options = req->options,
		.type = req->type, .value = req->value,
		.str_len = (uint32_t)str_len, .data_len = (uint32_t)req->data_len,
	};
	if (str_len)
		memcpy(m + 1, req->str, str_len);
	if (req->data_len)
		memcpy((uint8_t *)(m + 1) + str_len, req->data, req->data_len);
	km = (struct iok_kmsg){
		.req = (uintptr_t)m, .req_len = (uint32_t)total,
		.rep = (uintptr_t)rep->msg, .rep_cap = IOK_WIRE_MAX_MSG, .fd = in_fd,
	};
	if (ioctl(fd, IOK_IOC_MSG, &km) < 0) {
		ret = iok_kern_errno(errno);
		free(m);
		return ret;
	}
	got_fd = km.fd;
	ret = iok_reply_parse(rep->msg, km.rep_len, m->hdr.seq, req->op, rep);
	free(m);
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
}

IOReturn iok_kern_call_fd2(const struct iok_rpc *req, int fd, struct iok_reply *rep, int *out_fd)
{
	IOReturn ret;
	int kf;

	if (out_fd)
		*out_fd = -1;
	*rep = (struct iok_reply){ 0 };
	kf = kfd(&ret);
	if (kf < 0)
		return ret;
	ret = exchange(kf, req, fd, rep, out_fd);
	if (ret != kIOReturnSuccess && out_fd && *out_fd >= 0) {
		close(*out_fd);
		*out_fd = -1;
	}
	return ret;
}

bool iok_kern_alive(void)
{
	bool up;

	pthread_mutex_lock(&kconn.lock);
	up = iok_kern_fd >= 0;   /* the module cannot go while we hold it */
	pthread_mutex_unlock(&kconn.lock);
	return up;
}

/* ---- method calls ---------------------------------------------------------- */

/* The calling thread's buffers (the kernel transport's "channel"). */
struct kchan {
	uint8_t *ool;
	size_t ool_size;
	/* The request and the reply, each with its inband structure. */
	uint8_t req[IOK_KERN_REQ_CAP] __attribute__((aligned(16)));
	uint8_t rep[sizeof(struct iok_wire_call_reply) + IOK_WIRE_MAX_INBAND]
		__attribute__((aligned(16)));
};

static pthread_key_t kchan_key;
static pthread_once_t kchan_once = PTHREAD_ONCE_INIT;
static IOK_TLS struct kchan *my_kchan;
IOK_TLS struct iok_wire_call *iok_kern_req;   /* my_kchan->req, once made */

static void kchan_destroy(void *arg)
{
	struct kchan *ch = arg;

	if (ch) {
		free(ch->ool);
		free(ch);
	}
}

static void kchan_key_init(void)
{
	pthread_key_create(&kchan_key, kchan_destroy);
}

IOReturn iok_kern_chan_get(struct iok_chan **out)
{
	struct kchan *ch = my_kchan;

	if (!ch) {
		pthread_once(&kchan_once, kchan_key_init);
		ch = calloc(1, sizeof(*ch));
		if (!ch)
			return kIOReturnNoMemory;
		my_kchan = ch;
		iok_kern_req = (struct iok_wire_call *)(void *)ch->req;
		pthread_setspecific(kchan_key, ch);
	}
	*out = (struct iok_chan *)(void *)ch;
	return kIOReturnSuccess;
}

struct iok_wire_call *iok_kern_request_new(void)
{
	struct iok_chan *ch;

	return iok_kern_chan_get(&ch) ? NULL : iok_kern_chan_request(ch);
}

struct iok_wire_call *iok_kern_chan_request(struct iok_chan *chan)
{
	return (struct iok_wire_call *)(void *)((struct kchan *)(void *)chan)->req;
}

IOReturn iok_kern_chan_ool(struct iok_chan *chan, size_t size, uint8_t **base)
{
	struct kchan *ch = (struct kchan *)(void *)chan;
	size_t want = 1u << 16;
	uint8_t *p;

	if (size <= ch->ool_size) {
		*base = ch->ool;
		return kIOReturnSuccess;
	}
	while (want < size) {
		if (want > ((size_t)1 << 40))
			return kIOReturnNoMemory;
		want <<= 1;
	}
	p = malloc(want);
	if (!p)
		return kIOReturnNoMemory;
	free(ch->ool);
	ch->ool = p;
	ch->ool_size = want;
	*base = p;
	return kIOReturnSuccess;
}

IOReturn iok_kern_call_first(struct iok_wire_call *m, const struct iok_wire_call_reply **reply)
{
	IOReturn ret;
	int fd = kfd(&ret);

	*reply = (const struct iok_wire_call_reply *)(const void *)m;
	if (fd < 0)
		return ret;
	if (ioctl(fd, IOK_IOC_CALL, m) < 0)
		return iok_kern_errno(errno);
	return iok_kern_check_reply(*reply, IOK_KERN_REQ_CAP);
}

IOReturn iok_kern_chan_call(struct iok_chan *chan, const struct iok_wire_call_reply **reply)
{
	struct kchan *ch = (struct kchan *)(void *)chan;
	const struct iok_wire_call *m = (const struct iok_wire_call *)(void *)ch->req;
	struct iok_kmsg km = {
		.req = (uintptr_t)ch->req, .req_len = m->hdr.size,
		.rep = (uintptr_t)ch->rep, .rep_cap = sizeof(ch->rep),
		.ool = (uintptr_t)ch->ool, .ool_size = ch->ool_size, .fd = -1,
	};
	IOReturn ret;
	int fd = kfd(&ret);

	/* Only calls with out-of-line structures come here (see
	 * call_method); the kernel copies the buffer they name. */
	if (fd < 0)
		return ret;
	if (ioctl(fd, IOK_IOC_MSG, &km) < 0)
		return iok_kern_errno(errno);
	*reply = (const struct iok_wire_call_reply *)(const void *)ch->rep;
	return iok_kern_check_reply(*reply, sizeof(ch->rep));
}
