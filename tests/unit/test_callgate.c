// SPDX-License-Identifier: MIT
/* test_callgate.c - a user client's call gate: calls share it, the
 * exclusive side waits for them and keeps them out. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "callgate.h"
#include <pthread.h>
#include <unistd.h>

static struct iok_callgate gate;
static int inside;          /* callers between enter and leave */
static int held;            /* exclusive holders */
static int violations;
static int stop;

static int load(int *p)
{
	return __atomic_load_n(p, __ATOMIC_SEQ_CST);
}

static void add(int *p, int v)
{
	__atomic_add_fetch(p, v, __ATOMIC_SEQ_CST);
}

static int setup(void **state)
{
	iok_callgate_init(&gate);
	inside = held = violations = stop = 0;
	return 0;
}

static int teardown(void **state)
{
	iok_callgate_destroy(&gate);
	return 0;
}

static void *caller(void *arg)
{
	long n = (long)arg;

	for (long i = 0; i < n; i++) {
		iok_callgate_enter(&gate);
		add(&inside, 1);
		if (load(&held))
			add(&violations, 1);
		add(&inside, -1);
		iok_callgate_leave(&gate);
	}
	return NULL;
}

static void *locker(void *arg)
{
	long n = (long)arg;

	for (long i = 0; i < n; i++) {
		iok_callgate_lock(&gate);
		add(&held, 1);
		if (load(&inside) || load(&held) != 1)
			add(&violations, 1);
		add(&held, -1);
		iok_callgate_unlock(&gate);
	}
	return NULL;
}

/* Four callers and two exclusive holders at once: never a caller inside
 * while the gate is held, never two holders. */
static void test_exclusion(void **state)
{
	pthread_t t[6];

	for (int i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&t[i], NULL, caller, (void *)20000L), 0);
	for (int i = 4; i < 6; i++)
		assert_int_equal(pthread_create(&t[i], NULL, locker, (void *)2000L), 0);
	for (int i = 0; i < 6; i++)
		pthread_join(t[i], NULL);
	assert_int_equal(violations, 0);
	assert_int_equal(__atomic_load_n(&gate.state, __ATOMIC_SEQ_CST), 0);
}

static void *lock_once(void *arg)
{
	iok_callgate_lock(&gate);
	add(&held, 1);
	return NULL;
}

static void *enter_once(void *arg)
{
	iok_callgate_enter(&gate);
	add(&inside, 1);
	return NULL;
}

/* The exclusive side waits for a call in progress. */
static void test_lock_waits_for_calls(void **state)
{
	pthread_t t;

	iok_callgate_enter(&gate);
	iok_callgate_enter(&gate);
	assert_int_equal(pthread_create(&t, NULL, lock_once, NULL), 0);
	usleep(50000);
	assert_int_equal(load(&held), 0);
	iok_callgate_leave(&gate);
	usleep(20000);
	assert_int_equal(load(&held), 0);   /* one call still inside */
	iok_callgate_leave(&gate);
	pthread_join(t, NULL);
	assert_int_equal(load(&held), 1);
	iok_callgate_unlock(&gate);
	assert_int_equal(__atomic_load_n(&gate.state, __ATOMIC_SEQ_CST), 0);
}

/* With the gate held here, fn (in a thread) does not get through until it
 * is released; then it has (*done is 1). */
static void waits_for_unlock(void *(*fn)(void *), int *done)
{
	pthread_t t;

	iok_callgate_lock(&gate);
	assert_int_equal(pthread_create(&t, NULL, fn, NULL), 0);
	usleep(50000);
	assert_int_equal(load(done), 0);
	iok_callgate_unlock(&gate);
	pthread_join(t, NULL);
	assert_int_equal(load(done), 1);
}

/* A call waits while the gate is held, and goes in once it is released. */
static void test_call_waits_for_lock(void **state)
{
	waits_for_unlock(enter_once, &inside);
	iok_callgate_leave(&gate);
	assert_int_equal(__atomic_load_n(&gate.state, __ATOMIC_SEQ_CST), 0);
}

/* A second exclusive holder waits for the first. */
static void test_lock_waits_for_lock(void **state)
{
	waits_for_unlock(lock_once, &held);
	iok_callgate_unlock(&gate);
	assert_int_equal(__atomic_load_n(&gate.state, __ATOMIC_SEQ_CST), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_exclusion, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lock_waits_for_calls, setup, teardown),
		cmocka_unit_test_setup_teardown(test_call_waits_for_lock, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lock_waits_for_lock, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
