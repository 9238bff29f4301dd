// SPDX-License-Identifier: MIT
/* test_workloop.c - work loops, timers and the command gate. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "runtime.h"
#include <IOKit/driver/iok_work_loop.h>
#include <unistd.h>

struct counter {
	int fired;
	int rearm;            /* re-arm this many more times */
	bool in_gate;
	bool release_self;
};

static void tick(void *owner, iok_timer_t *t)
{
	struct counter *c = owner;

	__atomic_add_fetch(&c->fired, 1, __ATOMIC_SEQ_CST);
	if (c->rearm-- > 0)
		iok_timer_set_timeout_us(t, 100);
	if (c->release_self)
		iok_timer_release(t);
}

static void wait_fired(struct counter *c, int n)
{
	for (int i = 0; i < 2000 && __atomic_load_n(&c->fired, __ATOMIC_SEQ_CST) < n; i++)
		usleep(1000);
}

static void test_one_shot_and_periodic(void **state)
{
	iok_work_loop_t *wl = iok_work_loop_create("test");
	struct counter once = { 0 }, periodic = { .rearm = 9 };
	iok_timer_t *a = iok_timer_create(wl, tick, &once), *b = iok_timer_create(wl, tick, &periodic);

	assert_int_equal(iok_timer_set_timeout_us(a, 1000), kIOReturnSuccess);
	assert_int_equal(iok_timer_set_timeout_us(b, 10), kIOReturnSuccess);
	wait_fired(&periodic, 10);
	wait_fired(&once, 1);
	usleep(5000);
	assert_int_equal(once.fired, 1);
	assert_int_equal(periodic.fired, 10);
	assert_int_equal(iok_timer_set_timeout_us(a, UINT64_MAX), kIOReturnBadArgument);
	iok_timer_release(a);
	iok_timer_release(b);
	iok_work_loop_release(wl);
}

static void test_cancel(void **state)
{
	iok_work_loop_t *wl = iok_work_loop_create("test");
	struct counter c = { 0 };
	iok_timer_t *t = iok_timer_create(wl, tick, &c);

	iok_timer_set_timeout_us(t, 20000);
	iok_timer_cancel(t);
	usleep(40000);
	assert_int_equal(c.fired, 0);
	iok_timer_release(t);
	iok_work_loop_release(wl);
}

static void test_release_from_own_action(void **state)
{
	iok_work_loop_t *wl = iok_work_loop_create("test");
	struct counter c = { .release_self = true };
	iok_timer_t *t = iok_timer_create(wl, tick, &c);

	iok_timer_set_timeout_us(t, 10);
	wait_fired(&c, 1);
	usleep(2000);
	assert_int_equal(c.fired, 1);
	iok_work_loop_release(wl);
}

static IOReturn release_in_gate(void *owner, void *arg0, void *a1, void *a2, void *a3)
{
	iok_work_loop_t *wl = owner;

	assert_true(iok_work_loop_in_gate(wl));
	/* A timer due right now: releasing it here must not deadlock with
	 * the loop, which needs the gate to fire it. */
	iok_timer_set_timeout_us(arg0, 0);
	usleep(2000);
	iok_timer_release(arg0);
	return kIOReturnSuccess;
}

static IOReturn nested(void *owner, void *arg0, void *a1, void *a2, void *a3)
{
	return iok_work_loop_run_action(owner, release_in_gate, owner, arg0, NULL, NULL, NULL);
}

static void test_gate_reentrant_and_release_under_gate(void **state)
{
	iok_work_loop_t *wl = iok_work_loop_create("test");
	struct counter c = { 0 };
	iok_timer_t *t = iok_timer_create(wl, tick, &c);

	assert_false(iok_work_loop_in_gate(wl));
	assert_int_equal(iok_work_loop_run_action(wl, nested, wl, t, NULL, NULL, NULL),
			 kIOReturnSuccess);
	assert_int_equal(c.fired, 0);
	iok_work_loop_release(wl);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_shot_and_periodic),
		cmocka_unit_test(test_cancel),
		cmocka_unit_test(test_release_from_own_action),
		cmocka_unit_test(test_gate_reentrant_and_release_under_gate),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
