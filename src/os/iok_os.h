/* SPDX-License-Identifier: MIT */
/*
 * iok_os.h - the one narrow layer through which the driver runtime reaches
 * the operating system.  Everything under src/runtime/ uses only this
 * header, <stdint.h>/<stddef.h>/<stdbool.h>, and the string functions the
 * Linux kernel also provides (memcpy, memset, memcmp, strlen, strcmp,
 * strncmp, snprintf).  os_user.c implements it for iokitd; a kernel module
 * implements the same functions with kmalloc, mutexes and printk.
 *
 * Conventions: functions return 0 or a negative errno; allocation failure
 * is reported, never fatal.
 */
#ifndef IOK_OS_H
#define IOK_OS_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __KERNEL__
#include <linux/errno.h>
#include <linux/string.h>
#else
#include <errno.h>
#include <stdio.h>
#include <string.h>
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* Memory.  iok_zalloc returns zeroed memory.  iok_free(NULL) is a no-op. */
void *iok_malloc(size_t size);
void *iok_zalloc(size_t size);
void *iok_realloc(void *ptr, size_t size);
void iok_free(void *ptr);
char *iok_strdup(const char *s);

/* Overflow-checked arithmetic: true when the result does not fit. */
#define iok_add_overflow(a, b, res) __builtin_add_overflow(a, b, res)
#define iok_mul_overflow(a, b, res) __builtin_mul_overflow(a, b, res)

/*
 * A local the code fills before reading, left out of the compiler's
 * automatic initialisation (the kernel is built with every stack variable
 * zeroed at entry, CONFIG_INIT_STACK_ALL_ZERO): only for buffers on a hot
 * path whose every byte read is written first.
 */
#if defined(__has_attribute)
#if __has_attribute(uninitialized)
#define IOK_NOINIT __attribute__((uninitialized))
#endif
#endif
#ifndef IOK_NOINIT
#define IOK_NOINIT
#endif

/* Atomics (gcc/clang builtins: usable in user space and in the kernel). */
#define iok_atomic_load(p, order)       __atomic_load_n(p, order)
#define iok_atomic_store(p, v, order)   __atomic_store_n(p, v, order)
#define iok_atomic_add(p, v, order)     __atomic_add_fetch(p, v, order)
#define iok_atomic_sub(p, v, order)     __atomic_sub_fetch(p, v, order)
#define iok_atomic_fence(order)         __atomic_thread_fence(order)
#define IOK_RELAXED __ATOMIC_RELAXED
#define IOK_ACQUIRE __ATOMIC_ACQUIRE
#define IOK_RELEASE __ATOMIC_RELEASE
#define IOK_ACQ_REL __ATOMIC_ACQ_REL
#define IOK_SEQ_CST __ATOMIC_SEQ_CST

/* Locks.  Opaque storage big enough for a pthread mutex / rwlock or a
 * kernel mutex / rw_semaphore. */
typedef struct iok_mutex { _Alignas(8) unsigned char opaque[64]; } iok_mutex_t;
typedef struct iok_rwlock { _Alignas(8) unsigned char opaque[64]; } iok_rwlock_t;
typedef struct iok_cond { _Alignas(8) unsigned char opaque[64]; } iok_cond_t;

void iok_mutex_init(iok_mutex_t *m);
void iok_mutex_destroy(iok_mutex_t *m);
void iok_rwlock_init(iok_rwlock_t *l);
void iok_rwlock_destroy(iok_rwlock_t *l);
#ifdef __KERNEL__
#include "iok_os_klocks.h"   /* lock and unlock, inline */
#else
void iok_mutex_lock(iok_mutex_t *m);
void iok_mutex_unlock(iok_mutex_t *m);
void iok_rwlock_rdlock(iok_rwlock_t *l);
void iok_rwlock_wrlock(iok_rwlock_t *l);
void iok_rwlock_unlock(iok_rwlock_t *l);
#endif
void iok_cond_init(iok_cond_t *c);
void iok_cond_destroy(iok_cond_t *c);
void iok_cond_wait(iok_cond_t *c, iok_mutex_t *m);
/* Waits until the absolute monotonic time deadline_ns; -ETIMEDOUT then. */
int iok_cond_timedwait(iok_cond_t *c, iok_mutex_t *m, uint64_t deadline_ns);
void iok_cond_broadcast(iok_cond_t *c);

/* Threads (pthreads; kthreads in a module). */
typedef struct iok_thread iok_thread_t;
int iok_thread_create(iok_thread_t **out, void (*fn)(void *arg), void *arg, const char *name);
void iok_thread_join(iok_thread_t *t);   /* waits, then frees */

/* An identifier of the calling thread (pthread_self, current). */
uintptr_t iok_thread_id(void);

/* Monotonic clock in nanoseconds. */
uint64_t iok_now_ns(void);

/*
 * Shareable memory: zero-filled pages that the host can hand to a client
 * to map (a memfd in user space, kernel pages in a module).
 */
typedef struct iok_shmem iok_shmem_t;
int iok_shmem_create(size_t size, iok_shmem_t **out);   /* 0, -ENOMEM, -EINVAL */
void iok_shmem_destroy(iok_shmem_t *shm);
void *iok_shmem_addr(const iok_shmem_t *shm);
size_t iok_shmem_size(const iok_shmem_t *shm);
#ifndef __KERNEL__
/* The memfd behind it (owned by the shmem; dup it to pass it on). */
int iok_shmem_fd(const iok_shmem_t *shm);
/* Takes over fd, a memory file another process made, only to pass it on:
 * not mapped here (iok_shmem_addr is NULL).  0, -EINVAL, -ENOMEM. */
int iok_shmem_adopt(int fd, iok_shmem_t **out);
#endif

/*
 * A client's port as the host holds it.  A signal-only port is an eventfd
 * (user space and kernel): iok_signal_send adds one without blocking (a
 * full counter means a wakeup is already pending).  A message port (a
 * SOCK_SEQPACKET socket in user space) also carries whole messages:
 * iok_signal_send then queues an 8-byte wakeup message, and
 * iok_signal_send_msg a message of the caller's.  Neither ever blocks.
 */
typedef struct iok_signal iok_signal_t;
#ifndef __KERNEL__
/* Takes ownership of fd: an eventfd or a message socket. */
iok_signal_t *iok_signal_from_fd(int fd);
/* A new descriptor for the same port (close-on-exec), or -1. */
int iok_signal_dup_fd(const iok_signal_t *sig);
#endif
/* Returns 0 or -EPIPE once nobody can receive. */
int iok_signal_send(iok_signal_t *sig);
/* Returns 0, -EAGAIN when the receiver's queue is full (the message is
 * dropped), -EPIPE once nobody can receive, -ENOTSUP for a signal-only
 * port. */
int iok_signal_send_msg(iok_signal_t *sig, const void *msg, size_t len);
bool iok_signal_carries_messages(const iok_signal_t *sig);
void iok_signal_destroy(iok_signal_t *sig);

/* Logging.  Levels follow syslog: 3 error, 4 warning, 6 info, 7 debug. */
enum { IOK_LOG_ERR = 3, IOK_LOG_WARNING = 4, IOK_LOG_INFO = 6, IOK_LOG_DEBUG = 7 };
void iok_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void iok_log_set_level(int level);

#ifdef __cplusplus
}
#endif

#endif /* IOK_OS_H */
