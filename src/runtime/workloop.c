// SPDX-License-Identifier: MIT
/*
 * workloop.c - IOWorkLoop, IOTimerEventSource and IOCommandGate (see
 * iok_work_loop.h).  One lock guards the loop's state; the gate is a
 * separate, re-entrant ownership (owner thread + depth) waited for on the
 * same condition variable.
 */
#include "runtime.h"

#include <IOKit/driver/iok_work_loop.h>

struct iok_timer {
	iok_work_loop_t *wl;
	iok_timer_action_fn_t action;
	void *owner;
	uint64_t deadline;        /* monotonic ns; 0 = disarmed */
	bool firing;
	bool release_pending;     /* released from inside its own action */
	struct iok_timer *next;
};

struct iok_work_loop {
	iok_mutex_t lock;
	iok_cond_t cond;
	uintptr_t gate_owner;
	unsigned gate_depth;
	struct iok_timer *timers;
	bool stop;
	iok_thread_t *thread;
	uintptr_t thread_id;
};

static void gate_enter(iok_work_loop_t *wl)
{
	uintptr_t me = iok_thread_id();

	iok_mutex_lock(&wl->lock);
	while (wl->gate_depth && wl->gate_owner != me)
		iok_cond_wait(&wl->cond, &wl->lock);
	wl->gate_owner = me;
	wl->gate_depth++;
	iok_mutex_unlock(&wl->lock);
}

static void gate_leave(iok_work_loop_t *wl)
{
	iok_mutex_lock(&wl->lock);
	if (--wl->gate_depth == 0) {
		wl->gate_owner = 0;
		iok_cond_broadcast(&wl->cond);
	}
	iok_mutex_unlock(&wl->lock);
}

/* The armed timer with the earliest deadline.  Lock held. */
static struct iok_timer *next_timer_locked(iok_work_loop_t *wl)
{
	struct iok_timer *best = NULL;

	for (struct iok_timer *t = wl->timers; t; t = t->next)
		if (t->deadline && (!best || t->deadline < best->deadline))
			best = t;
	return best;
}

static bool timer_listed_locked(iok_work_loop_t *wl, struct iok_timer *t)
{
	for (struct iok_timer *x = wl->timers; x; x = x->next)
		if (x == t)
			return true;
	return false;
}

/*
 * The loop takes the gate before it fires a timer and checks again, under
 * the lock, that the timer is still attached and due: so `firing` is only
 * ever set while the loop holds the gate, and a thread that holds the gate
 * (and releases or cancels the timer) never waits for a firing that waits
 * for the gate.
 */
static void loop_main(void *arg)
{
	iok_work_loop_t *wl = arg;

	iok_mutex_lock(&wl->lock);
	wl->thread_id = iok_thread_id();
	iok_cond_broadcast(&wl->cond);
	while (!wl->stop) {
		struct iok_timer *t = next_timer_locked(wl);

		if (!t) {
			iok_cond_wait(&wl->cond, &wl->lock);
			continue;
		}
		if (t->deadline > iok_now_ns()) {
			iok_cond_timedwait(&wl->cond, &wl->lock, t->deadline);
			continue;
		}
		iok_mutex_unlock(&wl->lock);
		gate_enter(wl);
		iok_mutex_lock(&wl->lock);
		if (timer_listed_locked(wl, t) && t->deadline && t->deadline <= iok_now_ns()) {
			t->deadline = 0;
			t->firing = true;
			iok_mutex_unlock(&wl->lock);
			t->action(t->owner, t);
			iok_mutex_lock(&wl->lock);
			t->firing = false;
			if (t->release_pending)
				iok_free(t);
			iok_cond_broadcast(&wl->cond);
		}
		iok_mutex_unlock(&wl->lock);
		gate_leave(wl);
		iok_mutex_lock(&wl->lock);
	}
	iok_mutex_unlock(&wl->lock);
}

IOK_EXPORT iok_work_loop_t *iok_work_loop_create(const char *name)
{
	iok_work_loop_t *wl = iok_zalloc(sizeof(*wl));

	if (!wl)
		return NULL;
	iok_mutex_init(&wl->lock);
	iok_cond_init(&wl->cond);
	if (iok_thread_create(&wl->thread, loop_main, wl, name ? name : "IOWorkLoop")) {
		iok_cond_destroy(&wl->cond);
		iok_mutex_destroy(&wl->lock);
		iok_free(wl);
		return NULL;
	}
	iok_mutex_lock(&wl->lock);
	while (!wl->thread_id)
		iok_cond_wait(&wl->cond, &wl->lock);
	iok_mutex_unlock(&wl->lock);
	return wl;
}

IOK_EXPORT void iok_work_loop_release(iok_work_loop_t *wl)
{
	if (!wl)
		return;
	iok_mutex_lock(&wl->lock);
	wl->stop = true;
	iok_cond_broadcast(&wl->cond);
	iok_mutex_unlock(&wl->lock);
	iok_thread_join(wl->thread);
	if (wl->timers)
		iok_log(IOK_LOG_WARNING, "work loop released with timers attached");
	iok_cond_destroy(&wl->cond);
	iok_mutex_destroy(&wl->lock);
	iok_free(wl);
}

IOK_EXPORT IOReturn iok_work_loop_run_action(iok_work_loop_t *wl, iok_gate_action_fn_t action,
					     void *owner, void *arg0, void *arg1, void *arg2,
					     void *arg3)
{
	IOReturn ret;

	if (!wl || !action)
		return kIOReturnBadArgument;
	gate_enter(wl);
	ret = action(owner, arg0, arg1, arg2, arg3);
	gate_leave(wl);
	return ret;
}

IOK_EXPORT int iok_work_loop_in_gate(iok_work_loop_t *wl)
{
	int in;

	iok_mutex_lock(&wl->lock);
	in = wl->gate_depth && wl->gate_owner == iok_thread_id();
	iok_mutex_unlock(&wl->lock);
	return in;
}

IOK_EXPORT iok_timer_t *iok_timer_create(iok_work_loop_t *wl, iok_timer_action_fn_t action,
					 void *owner)
{
	iok_timer_t *t;

	if (!wl || !action)
		return NULL;
	t = iok_zalloc(sizeof(*t));
	if (!t)
		return NULL;
	t->wl = wl;
	t->action = action;
	t->owner = owner;
	iok_mutex_lock(&wl->lock);
	t->next = wl->timers;
	wl->timers = t;
	iok_mutex_unlock(&wl->lock);
	return t;
}

IOK_EXPORT IOReturn iok_timer_set_timeout_us(iok_timer_t *t, uint64_t us)
{
	uint64_t ns;

	if (!t || iok_mul_overflow(us, 1000u, &ns) || iok_add_overflow(ns, iok_now_ns(), &ns))
		return kIOReturnBadArgument;
	iok_mutex_lock(&t->wl->lock);
	t->deadline = ns ? ns : 1;
	iok_cond_broadcast(&t->wl->cond);
	iok_mutex_unlock(&t->wl->lock);
	return kIOReturnSuccess;
}

IOK_EXPORT void iok_timer_cancel(iok_timer_t *t)
{
	if (!t)
		return;
	iok_mutex_lock(&t->wl->lock);
	t->deadline = 0;
	iok_mutex_unlock(&t->wl->lock);
}

IOK_EXPORT void iok_timer_release(iok_timer_t *t)
{
	iok_work_loop_t *wl;
	struct iok_timer **pp;

	if (!t)
		return;
	wl = t->wl;
	iok_mutex_lock(&wl->lock);
	t->deadline = 0;
	for (pp = &wl->timers; *pp; pp = &(*pp)->next) {
		if (*pp == t) {
			*pp = t->next;
			break;
		}
	}
	if (t->firing && wl->thread_id == iok_thread_id()) {
		/* From inside its own action: the loop frees it afterwards. */
		t->release_pending = true;
		iok_mutex_unlock(&wl->lock);
		return;
	}
	while (t->firing)
		iok_cond_wait(&wl->cond, &wl->lock);
	iok_mutex_unlock(&wl->lock);
	iok_free(t);
}
