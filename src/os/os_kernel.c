// SPDX-License-Identifier: MIT
/*
 * os_kernel.c - the OS layer for iokit.ko: iok_os.h over kernel
 * primitives.  Memory comes from kvmalloc (with a small header that keeps
 * the size, so that realloc and the accounting need no help), locks are
 * mutexes and rw_semaphores, condition variables a wait queue with a
 * sequence number, threads kthreads, shareable memory vmalloc_user pages
 * (mapped into clients with remap_vmalloc_range), wakeup signals eventfds,
 * and logging printk.
 *
 * Waits use TASK_IDLE: they are not interruptible (the runtime has no
 * notion of a signal) and an idle work loop is not a hung task.
 */
#include "iok_os.h"
#include "iok_wire.h"
#include "iokit_kernel.h"

#include <linux/eventfd.h>
#include <linux/hrtimer.h>
#include <linux/kref.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/rwsem.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <linux/vmalloc.h>
#include <linux/wait.h>

/* Bytes the runtime holds (allocations and shareable memory), and the
 * kernel handles it holds (eventfd contexts, memory files, device files):
 * what the tests compare before and after a client goes away. */
atomic64_t iok_kstat_bytes = ATOMIC64_INIT(0);
atomic64_t iok_kstat_handles = ATOMIC64_INIT(0);

/* ---- memory ------------------------------------------------------------ */

/* Larger requests fail (nothing legitimate asks for as much). */
#define IOK_KMALLOC_MAX ((size_t)1 << 30)

struct alloc_hdr {
	size_t size;
	size_t pad;   /* keeps the payload 16-byte aligned */
};

void *iok_malloc(size_t size)
{
	struct alloc_hdr *h;

	if (size > IOK_KMALLOC_MAX)
		return NULL;
	h = kvmalloc(sizeof(*h) + size, GFP_KERNEL | __GFP_NOWARN);
	if (!h)
		return NULL;
	h->size = size;
	atomic64_add(size, &iok_kstat_bytes);
	return h + 1;
}

void *iok_zalloc(size_t size)
{
	void *p = iok_malloc(size);

	if (p)
		memset(p, 0, size);
	return p;
}

void iok_free(void *ptr)
{
	struct alloc_hdr *h;

	if (!ptr)
		return;
	h = (struct alloc_hdr *)ptr - 1;
	atomic64_sub(h->size, &iok_kstat_bytes);
	kvfree(h);
}

void *iok_realloc(void *ptr, size_t size)
{
	struct alloc_hdr *h;
	void *p;

	if (!ptr)
		return iok_malloc(size);
	h = (struct alloc_hdr *)ptr - 1;
	if (size <= h->size && size >= h->size / 2) {
		/* Shrinking a little: keep the block. */
		atomic64_sub(h->size - size, &iok_kstat_bytes);
		h->size = size;
		return ptr;
	}
	p = iok_malloc(size);
	if (!p)
		return NULL;
	memcpy(p, ptr, min(size, h->size));
	iok_free(ptr);
	return p;
}

char *iok_strdup(const char *s)
{
	size_t n;
	char *p;

	if (!s)
		return NULL;
	n = strlen(s) + 1;
	p = iok_malloc(n);
	if (p)
		memcpy(p, s, n);
	return p;
}

/* ---- locks -------------------------------------------------------------- */

/* Lock and unlock are inline (iok_os_klocks.h, IOK_KMUTEX / IOK_KRW). */

struct kcond {
	wait_queue_head_t wq;
	unsigned int seq;
};

#define COND(c)   ((struct kcond *)(void *)(c)->opaque)

static_assert(sizeof(struct kcond) <= sizeof(iok_cond_t), "iok_cond_t too small");

/*
 * Lock classes: every runtime mutex shares one, as lockdep would see a
 * single initialisation site anyway (only kernels built with lockdep use
 * them).
 */
static struct lock_class_key iok_mutex_key, iok_rwsem_key;

void iok_mutex_init(iok_mutex_t *m)
{
	__mutex_init(IOK_KMUTEX(m), "iok_mutex", &iok_mutex_key);
}

void iok_mutex_destroy(iok_mutex_t *m)
{
	mutex_destroy(IOK_KMUTEX(m));
}

void iok_rwlock_init(iok_rwlock_t *l)
{
	__init_rwsem(&IOK_KRW(l)->sem, "iok_rwlock", &iok_rwsem_key);
	IOK_KRW(l)->writer = false;
}

void iok_rwlock_destroy(iok_rwlock_t *l)
{
}

void iok_cond_init(iok_cond_t *c)
{
	init_waitqueue_head(&COND(c)->wq);
	COND(c)->seq = 0;
}

void iok_cond_destroy(iok_cond_t *c)
{
}

/*
 * Waits for a broadcast after the caller's last look under m.  The waiter
 * is on the queue before m is released, so a broadcast made after that
 * (with or without m) wakes it.
 */
static int cond_wait(struct kcond *k, iok_mutex_t *m, const ktime_t *deadline)
{
	unsigned int seq = READ_ONCE(k->seq);
	DEFINE_WAIT(wait);
	int ret = 0;

	prepare_to_wait(&k->wq, &wait, TASK_IDLE);
	mutex_unlock(IOK_KMUTEX(m));
	if (READ_ONCE(k->seq) == seq) {
		if (deadline) {
			ktime_t expires = *deadline;

			schedule_hrtimeout_range(&expires, 0, HRTIMER_MODE_ABS);
		} else {
			schedule();
		}
	}
	finish_wait(&k->wq, &wait);
	mutex_lock(IOK_KMUTEX(m));
	if (deadline && READ_ONCE(k->seq) == seq && ktime_get() >= *deadline)
		ret = -ETIMEDOUT;
	return ret;
}

void iok_cond_wait(iok_cond_t *c, iok_mutex_t *m)
{
	cond_wait(COND(c), m, NULL);
}

int iok_cond_timedwait(iok_cond_t *c, iok_mutex_t *m, uint64_t deadline_ns)
{
	ktime_t deadline = ns_to_ktime(min_t(u64, deadline_ns, KTIME_MAX));

	if (ktime_get() >= deadline)
		return -ETIMEDOUT;
	return cond_wait(COND(c), m, &deadline);
}

void iok_cond_broadcast(iok_cond_t *c)
{
	struct kcond *k = COND(c);

	WRITE_ONCE(k->seq, k->seq + 1);
	wake_up_all(&k->wq);
}

/* ---- threads and time ----------------------------------------------------- */

struct iok_thread {
	struct task_struct *task;
	void (*fn)(void *arg);
	void *arg;
	struct completion done;
};

static int thread_main(void *p)
{
	struct iok_thread *t = p;

	t->fn(t->arg);
	/* Leaves without returning into module text that may be gone. */
	kthread_complete_and_exit(&t->done, 0);
}

int iok_thread_create(iok_thread_t **out, void (*fn)(void *arg), void *arg, const char *name)
{
	struct iok_thread *t = kzalloc(sizeof(*t), GFP_KERNEL);

	*out = NULL;
	if (!t)
		return -ENOMEM;
	t->fn = fn;
	t->arg = arg;
	init_completion(&t->done);
	t->task = kthread_run(thread_main, t, "iok-%s", name ? name : "thread");
	if (IS_ERR(t->task)) {
		int err = PTR_ERR(t->task);

		kfree(t);
		return err;
	}
	*out = t;
	return 0;
}

void iok_thread_join(iok_thread_t *t)
{
	if (!t)
		return;
	wait_for_completion(&t->done);
	kfree(t);
}

uintptr_t iok_thread_id(void)
{
	return (uintptr_t)current;
}

uint64_t iok_now_ns(void)
{
	return ktime_get_ns();
}

/* ---- logging ---------------------------------------------------------------- */

static int log_level = IOK_LOG_WARNING;

void iok_log_set_level(int level)
{
	log_level = level;
}

void iok_log(int level, const char *fmt, ...)
{
	struct va_format vaf;
	va_list ap;

	if (level > log_level)
		return;
	va_start(ap, fmt);
	vaf.fmt = fmt;
	vaf.va = &ap;
	switch (level) {
	case IOK_LOG_ERR:
		printk(KERN_ERR "iokit: %pV\n", &vaf);
		break;
	case IOK_LOG_WARNING:
		printk(KERN_WARNING "iokit: %pV\n", &vaf);
		break;
	case IOK_LOG_INFO:
		printk(KERN_INFO "iokit: %pV\n", &vaf);
		break;
	default:
		printk(KERN_DEBUG "iokit: %pV\n", &vaf);
		break;
	}
	va_end(ap);
}

/* ---- shareable memory --------------------------------------------------------- */

/*
 * Zeroed vmalloc_user pages.  The shmem is reference-counted: the driver's
 * descriptor holds one reference, each memory file handed to a client
 * another, so pages a client still maps outlive the driver's descriptor.
 */
struct iok_shmem {
	struct kref ref;
	void *addr;
	size_t size;
};

/* The most one shareable buffer may hold. */
#define IOK_SHMEM_MAX ((size_t)1 << 30)

int iok_shmem_create(size_t size, iok_shmem_t **out)
{
	iok_shmem_t *shm;

	*out = NULL;
	if (!size || size > IOK_SHMEM_MAX)
		return -EINVAL;
	shm = kzalloc(sizeof(*shm), GFP_KERNEL);
	if (!shm)
		return -ENOMEM;
	shm->size = PAGE_ALIGN(size);
	shm->addr = vmalloc_user(shm->size);
	if (!shm->addr) {
		kfree(shm);
		return -ENOMEM;
	}
	kref_init(&shm->ref);
	atomic64_add(shm->size, &iok_kstat_bytes);
	*out = shm;
	return 0;
}

static void shmem_free(struct kref *ref)
{
	iok_shmem_t *shm = container_of(ref, iok_shmem_t, ref);

	atomic64_sub(shm->size, &iok_kstat_bytes);
	vfree(shm->addr);
	kfree(shm);
}

void iok_shmem_destroy(iok_shmem_t *shm)
{
	if (shm)
		kref_put(&shm->ref, shmem_free);
}

void *iok_shmem_addr(const iok_shmem_t *shm)
{
	return shm->addr;
}

size_t iok_shmem_size(const iok_shmem_t *shm)
{
	return shm->size;
}

iok_shmem_t *iok_kshmem_get(iok_shmem_t *shm)
{
	kref_get(&shm->ref);
	return shm;
}

int iok_kshmem_mmap(iok_shmem_t *shm, struct vm_area_struct *vma)
{
	unsigned long len = vma->vm_end - vma->vm_start;

	if (vma->vm_pgoff > (shm->size >> PAGE_SHIFT) ||
	    len > shm->size - (vma->vm_pgoff << PAGE_SHIFT))
		return -EINVAL;
	/* Sets VM_DONTEXPAND: mremap cannot grow the mapping past the pages. */
	return remap_vmalloc_range(vma, shm->addr, vma->vm_pgoff);
}

/* ---- wakeup signals --------------------------------------------------------------- */

struct iok_signal {
	struct eventfd_ctx *ctx;
};

iok_signal_t *iok_signal_from_eventfd(int fd)
{
	struct eventfd_ctx *ctx = eventfd_ctx_fdget(fd);
	iok_signal_t *sig;

	if (IS_ERR(ctx))
		return NULL;
	sig = kzalloc(sizeof(*sig), GFP_KERNEL);
	if (!sig) {
		eventfd_ctx_put(ctx);
		return NULL;
	}
	sig->ctx = ctx;
	atomic64_inc(&iok_kstat_handles);
	return sig;
}

int iok_signal_send(iok_signal_t *sig)
{
	/* Never blocks: a full counter means a wakeup is pending already. */
	eventfd_signal(sig->ctx, 1);
	return 0;
}

/* Ports in the kernel are eventfds: signals only.  Matching and interest
 * notifications and async completions need a message port (docs/KERNEL.md). */
int iok_signal_send_msg(iok_signal_t *sig, const void *msg, size_t len)
{
	return -EOPNOTSUPP;   /* ENOTSUP in user space */
}

bool iok_signal_carries_messages(const iok_signal_t *sig)
{
	return false;
}

void iok_signal_destroy(iok_signal_t *sig)
{
	if (!sig)
		return;
	/* Tell a waiter that this port will not be signalled again. */
	eventfd_signal(sig->ctx, IOK_PORT_DEAD_MARK);
	eventfd_ctx_put(sig->ctx);
	atomic64_dec(&iok_kstat_handles);
	kfree(sig);
}
