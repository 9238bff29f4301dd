// SPDX-License-Identifier: MIT
/*
 * os_user.c - the OS layer for user space (iokitd, libiokit, tests):
 * libc allocation, pthread locks, CLOCK_MONOTONIC, stderr logging.
 */
#include "iok_os.h"
#include "iok_wire.h"

#include <pthread.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <stdlib.h>
#include <time.h>
#include <fcntl.h>

_Static_assert(sizeof(pthread_mutex_t) <= sizeof(iok_mutex_t), "iok_mutex_t too small");
_Static_assert(sizeof(pthread_rwlock_t) <= sizeof(iok_rwlock_t), "iok_rwlock_t too small");
_Static_assert(sizeof(pthread_cond_t) <= sizeof(iok_cond_t), "iok_cond_t too small");

void *iok_malloc(size_t size)
{
	return malloc(size ? size : 1);
}

void *iok_zalloc(size_t size)
{
	return calloc(1, size ? size : 1);
}

void *iok_realloc(void *ptr, size_t size)
{
	return realloc(ptr, size ? size : 1);
}

void iok_free(void *ptr)
{
	free(ptr);
}

char *iok_strdup(const char *s)
{
	return s ? strdup(s) : NULL;
}

#define MUTEX(m)  ((pthread_mutex_t *)(void *)(m)->opaque)
#define RWLOCK(l) ((pthread_rwlock_t *)(void *)(l)->opaque)
#define COND(c)   ((pthread_cond_t *)(void *)(c)->opaque)

void iok_mutex_init(iok_mutex_t *m)
{
	pthread_mutex_init(MUTEX(m), NULL);
}

void iok_mutex_destroy(iok_mutex_t *m)
{
	pthread_mutex_destroy(MUTEX(m));
}

void iok_mutex_lock(iok_mutex_t *m)
{
	pthread_mutex_lock(MUTEX(m));
}

void iok_mutex_unlock(iok_mutex_t *m)
{
	pthread_mutex_unlock(MUTEX(m));
}

void iok_rwlock_init(iok_rwlock_t *l)
{
	pthread_rwlock_init(RWLOCK(l), NULL);
}

void iok_rwlock_destroy(iok_rwlock_t *l)
{
	pthread_rwlock_destroy(RWLOCK(l));
}

void iok_rwlock_rdlock(iok_rwlock_t *l)
{
	pthread_rwlock_rdlock(RWLOCK(l));
}

void iok_rwlock_wrlock(iok_rwlock_t *l)
{
	pthread_rwlock_wrlock(RWLOCK(l));
}

void iok_rwlock_unlock(iok_rwlock_t *l)
{
	pthread_rwlock_unlock(RWLOCK(l));
}

void iok_cond_init(iok_cond_t *c)
{
	pthread_condattr_t attr;

	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(COND(c), &attr);
	pthread_condattr_destroy(&attr);
}

void iok_cond_destroy(iok_cond_t *c)
{
	pthread_cond_destroy(COND(c));
}

void iok_cond_wait(iok_cond_t *c, iok_mutex_t *m)
{
	pthread_cond_wait(COND(c), MUTEX(m));
}

int iok_cond_timedwait(iok_cond_t *c, iok_mutex_t *m, uint64_t deadline_ns)
{
	struct timespec ts = {
		.tv_sec = (time_t)(deadline_ns / 1000000000u),
		.tv_nsec = (long)(deadline_ns % 1000000000u),
	};

	return -pthread_cond_timedwait(COND(c), MUTEX(m), &ts);
}

void iok_cond_broadcast(iok_cond_t *c)
{
	pthread_cond_broadcast(COND(c));
}

uintptr_t iok_thread_id(void)
{
	return (uintptr_t)pthread_self();
}

uint64_t iok_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int log_level = IOK_LOG_WARNING;

void iok_log_set_level(int level)
{
	log_level = level;
}

void iok_log(int level, const char *fmt, ...)
{
	va_list ap;

	if (level > log_level)
		return;
	va_start(ap, fmt);
	flockfile(stderr);
	fputs("iokit: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	funlockfile(stderr);
	va_end(ap);
}

struct iok_shmem {
	void *addr;
	size_t size;
	int fd;
};

int iok_shmem_create(size_t size, iok_shmem_t **out)
{
	long page = sysconf(_SC_PAGESIZE);
	iok_shmem_t *shm;
	size_t rounded;

	*out = NULL;
	if (!size || size > ((size_t)1 << 40) || page <= 0)
		return -EINVAL;
	rounded = (size + (size_t)page - 1) & ~((size_t)page - 1);
	shm = calloc(1, sizeof(*shm));
	if (!shm)
		return -ENOMEM;
	shm->fd = memfd_create("iokit-memory", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (shm->fd < 0)
		goto err_free;
	/* The size is fixed for life: a client cannot shrink it under us. */
	if (ftruncate(shm->fd, (off_t)rounded) ||
	    fcntl(shm->fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL))
		goto err_close;
	shm->addr = mmap(NULL, rounded, PROT_READ | PROT_WRITE, MAP_SHARED, shm->fd, 0);
	if (shm->addr == MAP_FAILED)
		goto err_close;
	shm->size = rounded;
	*out = shm;
	return 0;

err_close:
	close(shm->fd);
err_free:
	free(shm);
	return -ENOMEM;
}

int iok_shmem_adopt(int fd, iok_shmem_t **out)
{
	struct stat st;
	iok_shmem_t *shm;

	*out = NULL;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size <= 0) {
		close(fd);
		return -EINVAL;
	}
	shm = calloc(1, sizeof(*shm));
	if (!shm) {
		close(fd);
		return -ENOMEM;
	}
	shm->fd = fd;
	shm->size = (size_t)st.st_size;
	*out = shm;
	return 0;
}

void iok_shmem_destroy(iok_shmem_t *shm)
{
	if (!shm)
		return;
	if (shm->addr)
		munmap(shm->addr, shm->size);
	close(shm->fd);
	free(shm);
}

void *iok_shmem_addr(const iok_shmem_t *shm)
{
	return shm->addr;
}

size_t iok_shmem_size(const iok_shmem_t *shm)
{
	return shm->size;
}

int iok_shmem_fd(const iok_shmem_t *shm)
{
	return shm->fd;
}

struct iok_signal {
	int fd;
	bool is_socket;
};

/* Is fd an eventfd?  (A pipe, socket or file would let the client make
 * the host's writes block, or grow without bound.) */
static bool is_eventfd(int fd)
{
	char path[64], target[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, target, sizeof(target) - 1);
	if (n <= 0)
		return false;
	target[n] = '\0';
	return strcmp(target, "anon_inode:[eventfd]") == 0;
}

/*
 * The client shares the eventfd's open file description, so it can fill
 * the counter and clear O_NONBLOCK at any time; a write would then block
 * the driver thread that signals.  So the host writes only while the
 * description is non-blocking (it sets that here and checks it before
 * each write).  A client that clears the flag between the check and the
 * write can still block that one write: see docs/SECURITY.md.
 */
static bool is_seqpacket_socket(int fd)
{
	int type = 0;
	socklen_t len = sizeof(type);

	return getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) == 0 && type == SOCK_SEQPACKET;
}

static bool nonblocking(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	return fl >= 0 && (fl & O_NONBLOCK);
}

iok_signal_t *iok_signal_from_fd(int fd)
{
	iok_signal_t *sig;
	int fl = fcntl(fd, F_GETFL);
	bool sock = is_seqpacket_socket(fd);

	/* A message socket is written with MSG_DONTWAIT, whatever its flags;
	 * an eventfd only while non-blocking (see above). */
	if (fl < 0 || (!sock && (!is_eventfd(fd) || fcntl(fd, F_SETFL, fl | O_NONBLOCK))) ||
	    !(sig = malloc(sizeof(*sig)))) {
		close(fd);
		return NULL;
	}
	sig->fd = fd;
	sig->is_socket = sock;
	return sig;
}

int iok_signal_dup_fd(const iok_signal_t *sig)
{
	return sig ? fcntl(sig->fd, F_DUPFD_CLOEXEC, 0) : -1;
}

bool iok_signal_carries_messages(const iok_signal_t *sig)
{
	return sig && sig->is_socket;
}

int iok_signal_send_msg(iok_signal_t *sig, const void *msg, size_t len)
{
	ssize_t n;

	if (!sig->is_socket)
		return -ENOTSUP;
	do
		n = send(sig->fd, msg, len, MSG_DONTWAIT | MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n == (ssize_t)len)
		return 0;
	return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS) ? -EAGAIN
										  : -EPIPE;
}

int iok_signal_send(iok_signal_t *sig)
{
	uint64_t one = 1;
	ssize_t n;

	if (sig->is_socket) {
		int ret = iok_signal_send_msg(sig, &one, sizeof(one));

		/* A full queue already holds something that wakes the receiver. */
		return ret == -EAGAIN ? 0 : ret;
	}
	if (!nonblocking(sig->fd))
		return -EPIPE;   /* made blocking by the client: not signalled */
	do
		n = write(sig->fd, &one, sizeof(one));
	while (n < 0 && errno == EINTR);
	/* EAGAIN: the counter is full, a wakeup is already pending. */
	return n == (ssize_t)sizeof(one) || errno == EAGAIN ? 0 : -EPIPE;
}

void iok_signal_destroy(iok_signal_t *sig)
{
	uint64_t dead = IOK_PORT_DEAD_MARK;

	if (!sig)
		return;
	/* Tell a waiter that this port will not be signalled again (a
	 * message port's receiver keeps its own peer end: nothing to say). */
	if (!sig->is_socket && nonblocking(sig->fd) && write(sig->fd, &dead, sizeof(dead)) < 0)
		iok_log(IOK_LOG_DEBUG, "port: cannot mark dead: %s", strerror(errno));
	close(sig->fd);
	free(sig);
}

struct iok_thread {
	pthread_t th;
	void (*fn)(void *arg);
	void *arg;
};

static void *thread_main(void *p)
{
	iok_thread_t *t = p;

	t->fn(t->arg);
	return NULL;
}

int iok_thread_create(iok_thread_t **out, void (*fn)(void *arg), void *arg, const char *name)
{
	iok_thread_t *t = malloc(sizeof(*t));
	pthread_attr_t attr;
	int err;

	*out = NULL;
	if (!t)
		return -ENOMEM;
	t->fn = fn;
	t->arg = arg;
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 256 * 1024);
	err = pthread_create(&t->th, &attr, thread_main, t);
	pthread_attr_destroy(&attr);
	if (err) {
		free(t);
		return -err;
	}
	if (name) {
		char short_name[16];

		snprintf(short_name, sizeof(short_name), "%s", name);
		pthread_setname_np(t->th, short_name);
	}
	*out = t;
	return 0;
}

void iok_thread_join(iok_thread_t *t)
{
	if (!t)
		return;
	pthread_join(t->th, NULL);
	free(t);
}
