/* SPDX-License-Identifier: MIT */
/*
 * iok_work_loop.h - IOWorkLoop, IOTimerEventSource and IOCommandGate in C.
 *
 * A work loop is a thread and a gate (a lock that its owner thread may
 * take again).  Event sources run their actions on the work loop's thread
 * with the gate held; iok_work_loop_run_action (IOCommandGate::runAction)
 * runs an action on the caller's thread with the gate held.  So a driver
 * that touches its state only from actions never races with itself.
 *
 *	wl = iok_work_loop_create("TestDriver");
 *	timer = iok_timer_create(wl, tick, self);
 *	iok_timer_set_timeout_us(timer, 1000);      // tick() in 1 ms, once
 *	...
 *	iok_timer_release(timer);                   // cancels; waits for tick()
 *	iok_work_loop_release(wl);
 */
#ifndef IOK_WORK_LOOP_H
#define IOK_WORK_LOOP_H

#include <stdint.h>
#include <IOKit/IOReturn.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct iok_work_loop iok_work_loop_t;
typedef struct iok_timer iok_timer_t;

typedef IOReturn (*iok_gate_action_fn_t)(void *owner, void *arg0, void *arg1, void *arg2,
					 void *arg3);
typedef void (*iok_timer_action_fn_t)(void *owner, iok_timer_t *timer);

/* A new work loop with its own thread, or NULL. */
iok_work_loop_t *iok_work_loop_create(const char *name);
/* Stops the thread (after the running action) and frees the loop.  Its
 * timers must have been released first. */
void iok_work_loop_release(iok_work_loop_t *wl);
/* Runs action(owner, args...) with the gate held, on the calling thread
 * (re-entrant on the work loop's own thread). */
IOReturn iok_work_loop_run_action(iok_work_loop_t *wl, iok_gate_action_fn_t action, void *owner,
				  void *arg0, void *arg1, void *arg2, void *arg3);
/* Is the caller on the work loop's thread or inside run_action? */
int iok_work_loop_in_gate(iok_work_loop_t *wl);

/* A one-shot timer whose action runs on the work loop with the gate held.
 * Re-arm it from the action for a periodic timer. */
iok_timer_t *iok_timer_create(iok_work_loop_t *wl, iok_timer_action_fn_t action, void *owner);
/* Arms (or re-arms) the timer to fire after us microseconds. */
IOReturn iok_timer_set_timeout_us(iok_timer_t *timer, uint64_t us);
/* Disarms; a firing already under way completes. */
void iok_timer_cancel(iok_timer_t *timer);
/* Cancels, waits for an action under way on another thread, frees. */
void iok_timer_release(iok_timer_t *timer);

#ifdef __cplusplus
}
#endif

#endif /* IOK_WORK_LOOP_H */
