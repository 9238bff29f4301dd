// SPDX-License-Identifier: MIT
/*
 * callgate.c - the call gate's slow paths and exclusive side (callgate.h).
 */
#include "callgate.h"

void iok_callgate_init(struct iok_callgate *g)
{
	g->state = 0;
	g->held = false;
	iok_mutex_init(&g->lock);
	iok_cond_init(&g->cond);
}

void iok_callgate_destroy(struct iok_callgate *g)
{
	iok_cond_destroy(&g->cond);
	iok_mutex_destroy(&g->lock);
}

void iok_callgate_wake(struct iok_callgate *g)
{
	iok_mutex_lock(&g->lock);
	iok_cond_broadcast(&g->cond);
	iok_mutex_unlock(&g->lock);
}

/* Entered a shut gate: step back out, wait until it opens, try again. */
void iok_callgate_enter_slow(struct iok_callgate *g)
{
	for (;;) {
		iok_callgate_leave(g);
		iok_mutex_lock(&g->lock);
		while (iok_atomic_load(&g->state, IOK_ACQUIRE) & IOK_CALLGATE_SHUT)
			iok_cond_wait(&g->cond, &g->lock);
		iok_mutex_unlock(&g->lock);
		if (!(iok_atomic_add(&g->state, 1, IOK_ACQUIRE) & IOK_CALLGATE_SHUT))
			return;
	}
}

void iok_callgate_lock(struct iok_callgate *g)
{
	iok_mutex_lock(&g->lock);
	while (g->held)   /* another exclusive holder, waiting or working */
		iok_cond_wait(&g->cond, &g->lock);
	g->held = true;
	__atomic_fetch_or(&g->state, IOK_CALLGATE_SHUT, IOK_ACQ_REL);
	while (iok_atomic_load(&g->state, IOK_ACQUIRE) != IOK_CALLGATE_SHUT)
		iok_cond_wait(&g->cond, &g->lock);
	iok_mutex_unlock(&g->lock);
}

void iok_callgate_unlock(struct iok_callgate *g)
{
	iok_mutex_lock(&g->lock);
	g->held = false;
	__atomic_fetch_and(&g->state, ~IOK_CALLGATE_SHUT, IOK_RELEASE);
	iok_cond_broadcast(&g->cond);
	iok_mutex_unlock(&g->lock);
}
