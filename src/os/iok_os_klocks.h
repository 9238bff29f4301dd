/* SPDX-License-Identifier: MIT */
/*
 * iok_os_klocks.h - the kernel OS layer's lock operations, inline: every
 * method call takes a name table's mutex, and a call through os_kernel.c
 * for each lock operation would cost as much as the lock itself.
 * Included by iok_os.h in kernel builds only; initialisation stays in
 * os_kernel.c (it owns the lockdep classes).
 */
#ifndef IOK_OS_KLOCKS_H
#define IOK_OS_KLOCKS_H

#include <linux/build_bug.h>
#include <linux/mutex.h>
#include <linux/rwsem.h>

#define IOK_KMUTEX(m) ((struct mutex *)(void *)(m)->opaque)
/* The runtime unlocks both kinds with one call: remember which it took
 * (only one writer holds it at a time, and no reader then). */
struct iok_krw {
	struct rw_semaphore sem;
	bool writer;
};
#define IOK_KRW(l) ((struct iok_krw *)(void *)(l)->opaque)

static_assert(sizeof(struct mutex) <= sizeof(iok_mutex_t), "iok_mutex_t too small");
static_assert(sizeof(struct iok_krw) <= sizeof(iok_rwlock_t), "iok_rwlock_t too small");

static inline void iok_mutex_lock(iok_mutex_t *m)
{
	mutex_lock(IOK_KMUTEX(m));
}

static inline void iok_mutex_unlock(iok_mutex_t *m)
{
	mutex_unlock(IOK_KMUTEX(m));
}

static inline void iok_rwlock_rdlock(iok_rwlock_t *l)
{
	down_read(&IOK_KRW(l)->sem);
}

static inline void iok_rwlock_wrlock(iok_rwlock_t *l)
{
	down_write(&IOK_KRW(l)->sem);
	IOK_KRW(l)->writer = true;
}

static inline void iok_rwlock_unlock(iok_rwlock_t *l)
{
	struct iok_krw *rw = IOK_KRW(l);

	if (rw->writer) {
		rw->writer = false;
		up_write(&rw->sem);
	} else {
		up_read(&rw->sem);
	}
}

#endif /* IOK_OS_KLOCKS_H */
