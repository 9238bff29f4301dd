/* SPDX-License-Identifier: MIT */
/*
 * callgate.h - a user client's call gate: a reader-writer lock whose shared
 * side (every external method call) is one atomic add to enter and one to
 * leave, inline, and whose exclusive side (close and death, terminate,
 * registerNotificationPort, clientMemoryForType, single-threaded calls)
 * waits for the calls inside to leave and keeps new ones out.
 *
 * state counts the callers inside; IOK_CALLGATE_SHUT is set while a holder of
 * the exclusive side waits or works.  A caller that finds the gate shut
 * steps back out and waits on the condition.  The slow paths meet under
 * the mutex, so no wakeup is lost: the last caller to leave a shut gate
 * broadcasts under it, and the exclusive holder looks at the count under
 * it before waiting.
 *
 * The kernel's rw_semaphore and pthread_rwlock_t do the same with a call
 * and more work per side; on the call path that was most of the locking
 * cost (docs/KERNEL.md, "Speed").
 */
#ifndef IOK_CALLGATE_H
#define IOK_CALLGATE_H

#include "iok_os.h"

#define IOK_CALLGATE_SHUT 0x80000000u

struct iok_callgate {
	uint32_t state;     /* callers inside | IOK_CALLGATE_SHUT (atomic) */
	bool held;          /* the exclusive side is taken (lock) */
	iok_mutex_t lock;   /* the exclusive side and both slow paths */
	iok_cond_t cond;    /* count drained to zero; exclusive side released */
};

void iok_callgate_init(struct iok_callgate *g);
void iok_callgate_destroy(struct iok_callgate *g);
/* Exclusive side: waits until no caller is inside and none can enter. */
void iok_callgate_lock(struct iok_callgate *g);
void iok_callgate_unlock(struct iok_callgate *g);

void iok_callgate_enter_slow(struct iok_callgate *g);
void iok_callgate_wake(struct iok_callgate *g);

/* Shared side (a call): never inside while the exclusive side is held. */
static inline void iok_callgate_enter(struct iok_callgate *g)
{
	if (iok_atomic_add(&g->state, 1, IOK_ACQUIRE) & IOK_CALLGATE_SHUT)
		iok_callgate_enter_slow(g);
}

static inline void iok_callgate_leave(struct iok_callgate *g)
{
	if (iok_atomic_sub(&g->state, 1, IOK_RELEASE) == IOK_CALLGATE_SHUT)
		iok_callgate_wake(g);   /* the last one out of a shut gate */
}

#endif /* IOK_CALLGATE_H */
