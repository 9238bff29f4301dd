// SPDX-License-Identifier: MIT
/*
 * test_cf_runloop.c - CFRunLoop: the four results of CFRunLoopRunInMode
 * (finished with nothing to wait for, timed out, stopped from another
 * thread, handled source), descriptor sources (pipes) with level-triggered
 * performs, version 0 sources signalled from another thread, modes and
 * the common set, invalidation, timers, one loop per thread.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include <CoreFoundation/CoreFoundation.h>

#include "cf_runloop.h"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* A pipe whose read end drives a descriptor source. */
struct piped {
	int fds[2];
	atomic_int performs;
	size_t drain;      /* bytes read per perform (0: all) */
	CFRunLoopSourceRef src;
};

static void piped_perform(void *info)
{
	struct piped *p = info;
	char buf[64];
	size_t want = p->drain ? p->drain : sizeof(buf);

	if (read(p->fds[0], buf, want) < 0)
		fail_msg("read: %s", strerror(errno));
	atomic_fetch_add(&p->performs, 1);
}

static void piped_open(struct piped *p, size_t drain)
{
	memset(p, 0, sizeof(*p));
	assert_int_equal(pipe2(p->fds, O_CLOEXEC | O_NONBLOCK), 0);
	p->drain = drain;
	p->src = iok_cf_runloop_source_create_fd(p->fds[0], piped_perform, p);
	assert_non_null(p->src);
}

static void piped_close(struct piped *p)
{
	CFRunLoopSourceInvalidate(p->src);
	CFRelease(p->src);
	close(p->fds[0]);
	close(p->fds[1]);
}

static void piped_write(struct piped *p, size_t n)
{
	assert_int_equal(write(p->fds[1], "xxxxxxxxxxxxxxxx", n), (ssize_t)n);
}

static void test_finished_without_sources(void **state)
{
	double t0 = now_s();

	assert_int_equal(CFRunLoopRunInMode(kCFRunLoopDefaultMode, 5.0, false),
			 kCFRunLoopRunFinished);
	assert_int_equal(CFRunLoopRunInMode(CFSTR("NoSuchMode"), 5.0, true),
			 kCFRunLoopRunFinished);
	CFRunLoopRun();   /* returns at once: nothing to wait for */
	assert_true(now_s() - t0 < 1.0);
}

static void test_timed_out(void **state)
{
	CFRunLoopRef rl = CFRunLoopGetCurrent();
	struct piped p;
	double t0;

	piped_open(&p, 0);
	CFRunLoopAddSource(rl, p.src, kCFRunLoopDefaultMode);
	t0 = now_s();
	assert_int_equal(CFRunLoopRunInMode(kCFRunLoopDefaultMode, 0.1, false),
			 kCFRunLoopRunTimedOut);
	assert_true(now_s() - t0 >= 0.09);
	/* 0 seconds: one pass. */
	assert_int_equal(CFRunLoopRunInMode(kCFRunLoopDefaultMode, 0, true),
			 kCFRunLoopRunTimedOut);
	assert_int_equal(atomic_load(&p.performs), 0);
	piped_close(&p);
}

static void test_handled_source(void **state)
{
	CFRunLoopRef rl = CFRunLoopGetCurrent();
	struct piped p;

	piped_open(&p, 0);
	CFRunLoopAddSource(rl, p.src, kCFRunLoopDefaultMode);
	assert_true(CFRunLoopContainsSource(rl, p.src, kCFRunLoopDefaultMode));
	piped_write(&p, 1);
	assert_int_equal(CFRunLoopRunInMode(kCFRunLoopDefaultMode, 5.0, true),
			 kCFRunLoopRunHandledSource);
	assert_int_equal(atomic_load(&p.performs), 1);
	/* Drained: nothing more to do. */
	assert_int_equal(CFRunLoopRunInMode(kCFRunLoopDefaultMode, 0.05, true),
			 kCFRunLoopRunTimedOut);
	assert_int_equal(atomic_load(&p.performs), 1);
	/* Without returnAfterSourceHandled the loop goes on until the time is up. */
	piped_write(&p, 1);
	assert_int_equal(CFRunLoopRunInMode(kCFRunLoopDefaultMode, 0.1, false),
			 kCFRunLoopRunTimedOut);
	assert_int_equal(atomic_load(&p.performs), 2);
	piped_close(&p);
}

static void test_level_triggered(void **state)
{
	CFRunLoopRef rl = CFRunLoopGetCurrent();
	struct piped p;

	piped_open(&p, 1);   /* one byte per perform */
	CFRunLoopAddSource(rl, p.src, kCFRunLoopDefaultMode);
	piped_write(&p, 3);
	for (int i = 1; i <= 3; i++) {
		assert_int_equal(CFRunLoopRunInMode(kCFRunLoopDefaultMode, 5.0, true),
				 kCFRunLoopRunHandledSource);
		assert_int_equal(atomic_load(&p.performs), i);
	}
	assert_int_equal(CFRunLoopRunInMode(kCFRunLoopDefaultMode, 0.02, true),
			 kCFRunLoopRunTimedOut);
	piped_close(&p);
}

struct stopper {
	CFRunLoopRef rl;
	atomic_bool done;
};

static void *stop_when_waiting(void *arg)
{
	struct stopper *s = arg;

	while (!CFRunLoopIsWaiting(s->rl))
		usleep(1000);
	CFRunLoopStop(s->rl);
	atomic_store(&s->done, true);
	return NULL;
}

static void test_stopped_from_other_thread(void **state)
{
	struct stopper s = { .rl = CFRunLoopGetCurrent() };
	struct piped p;
	pthread_t th;
	double t0 = now_s();

	piped_open(&p, 0);
	CFRunLoopAddSource(s.rl, p.src, kCFRunLoopDefaultMode);
	assert_int_equal(pthread_create(&th, NULL, stop_when_waiting, &s), 0);
	assert_int_equal(CFRunLoopRunInMode(kCFRunLoopDefaultMode, 30.0, false),
			 kCFRunLoopRunStopped);
	assert_true(now_s() - t0 < 20.0);
	pthread_join(th, NULL);
	assert_true(atomic_load(&s.done));
	/* A stop outside any run is not kept for the next one. */
	CFRunLoopStop(s.rl);
	assert_int_equal(CFRunLoopRunInMode(kCFRunLoopDefaultMode, 0.02, false),
			 kCFRunLoopRunTimedOut);
	piped_close(&p);
}

/* A version 0 source with counting callbacks. */
struct v0 {
	atomic_int performs, schedules, cancels, retains, releases;
	CFStringRef last_mode;
};

static const void *v0_retain(const void *info)
{
	atomic_fetch_add(&((struct v0 *)info)->retains, 1);
	return info;
}

static void v0_release(const void *info)
{
	atomic_fetch_add(&((struct v0 *)(uintptr_t)info)->releases, 1);
}

static void v0_schedule(void *info, CFRunLoopRef rl, CFStringRef mode)
{
	struct v0 *v = info;

	atomic_fetch_add(&v->schedules, 1);
	v->last_mode = mode;
}

static void v0_cancel(void *info, CFRunLoopRef rl, CFStringRef mode)
{
	atomic_fetch_add(&((struct v0 *)info)->cancels, 1);
}

static void v0_perform(void *info)
{
	atomic_fetch_add(&((struct v0 *)info)->performs, 1);
}

static CFRunLoopSourceRef v0_create(struct v0 *v, CFIndex order)
{
	CFRunLoopSourceContext ctx = {
		.version = 0, .info = v, .retain = v0_retain, .release = v0_release,
		.schedule = v0_schedule, .cancel = v0_cancel, .perform = v0_perform,
	};

	return CFRunLoopSourceCreate(kCFAllocatorDefault, order, &ctx);
}

struct signaller {
	CFRunLoopRef rl;
	CFRunLoopSourceRef src;
};

static void *signal_later(void *arg)
{
	struct signaller *s = arg;

	while (!CFRunLoopIsWaiting(s->rl))
		usleep(1000);
	CFRunLoopSourceSignal(s->src);
	CFRunLoopWakeUp(s->rl);
	return NULL;
}

static void test_version0_source(void **state)
{
	CFRunLoopRef rl = CFRunLoopGetCurrent();
	struct v0 v = { 0 };
	CFRunLoopSourceRef src = v0_create(&v, 0);
	CFRunLoopSourceContext got;
	struct signaller s = { rl, src };
	pthread_t th;

	assert_non_null(src);
	assert_int_equal(CFGetTypeID(src), CFRunLoopSourceGetTypeID());
	assert_int_equal(atomic_load(&v.retains), 1);
	CFRunLoopSourceGetContext(src, &got);
	assert_ptr_equal(got.info, &v);
	assert_true(CFRunLoopSourceIsValid(src));
	CFRunLoopAddSource(rl, src, kCFRunLoopDefaultMode);
	assert_int_equal(atomic_load(&v.schedules), 1);
	assert_true(CFEqual(v.last_mode, kCFRunLoopDefaultMode));
	/* Not signalled: never performed. */
	assert_int_equal(CFRunLoopRunInMode(kCFRunLoopDefaultMode, 0.02, true),
			 kCFRunLoopRunTimedOut);
	assert_int_equal(atomic_load(&v.performs), 0);
	/* Signalled here: performed once. */
	CFRunLoopSourceSignal(src);
	assert_int_equal(CFRunLoopRunInMode(kCFRunLoopDefaultMode, 5.0, true),
			 kCFRunLoopRunHandledSource);
	assert_int_equal(atomic_load(&v.performs), 1);
	/* Signalled from another thread while the loop waits. */
	assert_int_equal(pthread_create(&th, NULL, signal_later, &s), 0);
	assert_int_equal(CFRunLoopRunInMode(kCFRunLoopDefaultMode, 30.0, true),
			 kCFRunLoopRunHandledSource);
	pthread_join(th, NULL);
	assert_int_equal(atomic_load(&v.performs), 2);
	CFRunLoopRemoveSource(rl, src, kCFRunLoopDefaultMode);
	assert_int_equal(atomic_load(&v.cancels), 1);
	assert_false(CFRunLoopContainsSource(rl, src, kCFRunLoopDefaultMode));
	assert_int_equal(CFRunLoopRunInMode(kCFRunLoopDefaultMode, 1.0, false),
			 kCFRunLoopRunFinished);
	CFRelease(src);
	assert_int_equal(atomic_load(&v.releases), 1);
	/* Only version 0 contexts. */
	{
		CFRunLoopSourceContext bad = { .version = 1 };

		assert_null(CFRunLoopSourceCreate(NULL, 0, &bad));
	}
}

static void test_order(void **state)
{
	CFRunLoopRef rl = CFRunLoopGetCurrent();
	struct v0 a = { 0 }, b = { 0 };
	CFRunLoopSourceRef sa = v0_create(&a, 2), sb = v0_create(&b, 1);

	CFRunLoopAddSource(rl, sa, kCFRunLoopDefaultMode);
	CFRunLoopAddSource(rl, sb, kCFRunLoopDefaultMode);
	CFRunLoopSourceSignal(sa);
	CFRunLoopSourceSignal(sb);
	/* returnAfterSourceHandled: one at a time, lowest order first. */
	assert_int_equal(CFRunLoopRunInMode(kCFRunLoopDefaultMode, 1.0, true),
			 kCFRunLoopRunHandledSource);
	assert_int_equal(atomic_load(&b.performs), 1);
	assert_int_equal(atomic_load(&a.performs), 0);
	assert_int_equal(CFRunLoopRunInMode(kCFRunLoopDefaultMode, 1.0, true),
			 kCFRunLoopRunHandledSource);
	assert_int_equal(atomic_load(&a.performs), 1);
	assert_int_equal(CFRunLoopSourceGetOrder(sa), 2);
	CFRunLoopSourceInvalidate(sa);
	CFRunLoopSourceInvalidate(sb);
	assert_int_equal(atomic_load(&a.cancels), 1);
	assert_false(CFRunLoopSourceIsValid(sa));
	assert_false(CFRunLoopContainsSource(rl, sa, kCFRunLoopDefaultMode));
	CFRelease(sa);
	CFRelease(sb);
}

static void test_modes(void **state)
{
	CFRunLoopRef rl = CFRunLoopGetCurrent();
	CFStringRef custom = CFSTR("TestCustomMode");
	struct piped p;
	CFArrayRef modes;

	piped_open(&p, 0);
	CFRunLoopAddSource(rl, p.src, custom);
	assert_false(CFRunLoopContainsSource(rl, p.src, kCFRunLoopDefaultMode));
	assert_true(CFRunLoopContainsSource(rl, p.src, custom));
	modes = CFRunLoopCopyAllModes(rl);
	assert_true(CFArrayContainsValue(modes, CFRangeMake(0, CFArrayGetCount(modes)), custom));
	CFRelease(modes);
	piped_write(&p, 1);
	/* The default mode holds nothing. */
	assert_int_equal(CFRunLoopRunInMode(kCFRunLoopDefaultMode, 0.05, true),
			 kCFRunLoopRunFinished);
	assert_int_equal(CFRunLoopRunInMode(custom, 5.0, true), kCFRunLoopRunHandledSource);
	assert_int_equal(atomic_load(&p.performs), 1);

	/* A descriptor reported while its mode is not running is not lost. */
	{
		struct piped q;

		piped_open(&q, 0);
		CFRunLoopAddSource(rl, q.src, kCFRunLoopDefaultMode);
		piped_write(&p, 1);
		assert_int_equal(CFRunLoopRunInMode(kCFRunLoopDefaultMode, 0.05, true),
				 kCFRunLoopRunTimedOut);
		assert_int_equal(atomic_load(&p.performs), 1);
		assert_int_equal(CFRunLoopRunInMode(custom, 5.0, true),
				 kCFRunLoopRunHandledSource);
		assert_int_equal(atomic_load(&p.performs), 2);
		piped_close(&q);
	}
	CFRunLoopRemoveSource(rl, p.src, custom);
	assert_int_equal(CFRunLoopRunInMode(custom, 1.0, true), kCFRunLoopRunFinished);
	piped_close(&p);
}

static void test_common_modes(void **state)
{
	CFRunLoopRef rl = CFRunLoopGetCurrent();
	CFStringRef extra = CFSTR("TestCommonExtraMode");
	struct v0 v = { 0 };
	CFRunLoopSourceRef src = v0_create(&v, 0);

	CFRunLoopAddSource(rl, src, kCFRunLoopCommonModes);
	assert_true(CFRunLoopContainsSource(rl, src, kCFRunLoopCommonModes));
	assert_true(CFRunLoopContainsSource(rl, src, kCFRunLoopDefaultMode));
	assert_false(CFRunLoopContainsSource(rl, src, extra));
	CFRunLoopSourceSignal(src);
	assert_int_equal(CFRunLoopRunInMode(kCFRunLoopDefaultMode, 1.0, true),
			 kCFRunLoopRunHandledSource);
	/* A mode added to the common set gets the common items. */
	assert_int_equal(CFRunLoopRunInMode(extra, 0.02, true), kCFRunLoopRunFinished);
	CFRunLoopAddCommonMode(rl, extra);
	assert_true(CFRunLoopContainsSource(rl, src, extra));
	assert_int_equal(atomic_load(&v.schedules), 2);
	CFRunLoopSourceSignal(src);
	assert_int_equal(CFRunLoopRunInMode(extra, 1.0, true), kCFRunLoopRunHandledSource);
	assert_int_equal(atomic_load(&v.performs), 2);
	CFRunLoopRemoveSource(rl, src, kCFRunLoopCommonModes);
	assert_false(CFRunLoopContainsSource(rl, src, kCFRunLoopDefaultMode));
	assert_int_equal(atomic_load(&v.cancels), 2);
	CFRelease(src);
}

static void stop_in_perform(void *info)
{
	CFRunLoopStop(CFRunLoopGetCurrent());
	*(int *)info += 1;
}

static void test_run_until_stopped(void **state)
{
	int n = 0;
	CFRunLoopSourceContext ctx = { .version = 0, .info = &n, .perform = stop_in_perform };
	CFRunLoopSourceRef src = CFRunLoopSourceCreate(NULL, 0, &ctx);

	CFRunLoopAddSource(CFRunLoopGetCurrent(), src, kCFRunLoopDefaultMode);
	CFRunLoopSourceSignal(src);
	CFRunLoopRun();   /* returns: stopped by the perform */
	assert_int_equal(n, 1);
	CFRunLoopSourceInvalidate(src);
	CFRelease(src);
}

/* Nested runs: a perform runs another mode; a stop ends the inner run only. */
struct nest {
	CFRunLoopSourceRef inner_src;
	SInt32 inner_result;
};

static void nested_perform(void *info)
{
	struct nest *n = info;

	CFRunLoopSourceSignal(n->inner_src);
	n->inner_result = CFRunLoopRunInMode(CFSTR("TestInnerMode"), 5.0, false);
}

static void test_nested_run(void **state)
{
	CFRunLoopRef rl = CFRunLoopGetCurrent();
	struct nest n = { 0 };
	int stops = 0;
	CFRunLoopSourceContext inner = { .version = 0, .info = &stops,
					 .perform = stop_in_perform };
	CFRunLoopSourceContext outer = { .version = 0, .info = &n, .perform = nested_perform };
	CFRunLoopSourceRef si, so;
	CFStringRef mode;

	si = CFRunLoopSourceCreate(NULL, 0, &inner);
	so = CFRunLoopSourceCreate(NULL, 0, &outer);
	n.inner_src = si;
	CFRunLoopAddSource(rl, si, CFSTR("TestInnerMode"));
	CFRunLoopAddSource(rl, so, kCFRunLoopDefaultMode);
	CFRunLoopSourceSignal(so);
	assert_null(CFRunLoopCopyCurrentMode(rl));
	assert_int_equal(CFRunLoopRunInMode(kCFRunLoopDefaultMode, 5.0, true),
			 kCFRunLoopRunHandledSource);
	assert_int_equal(n.inner_result, kCFRunLoopRunStopped);
	assert_int_equal(stops, 1);
	mode = CFRunLoopCopyCurrentMode(rl);
	assert_null(mode);
	CFRunLoopSourceInvalidate(si);
	CFRunLoopSourceInvalidate(so);
	CFRelease(si);
	CFRelease(so);
}

static void count_timer(CFRunLoopTimerRef t, void *info)
{
	*(int *)info += 1;
}

static void stop_after_three(CFRunLoopTimerRef t, void *info)
{
	if (++*(int *)info == 3)
		CFRunLoopStop(CFRunLoopGetCurrent());
}

static void test_timers(void **state)
{
	CFRunLoopRef rl = CFRunLoopGetCurrent();
	int once = 0, rep = 0;
	CFRunLoopTimerContext c1 = { .info = &once }, c2 = { .info = &rep };
	CFRunLoopTimerRef t1, t2;
	double t0 = now_s();

	t1 = CFRunLoopTimerCreate(NULL, CFAbsoluteTimeGetCurrent() + 0.03, 0, 0, 0, count_timer,
				  &c1);
	assert_non_null(t1);
	assert_false(CFRunLoopTimerDoesRepeat(t1));
	CFRunLoopAddTimer(rl, t1, kCFRunLoopDefaultMode);
	assert_true(CFRunLoopContainsTimer(rl, t1, kCFRunLoopDefaultMode));
	assert_true(CFRunLoopGetNextTimerFireDate(rl, kCFRunLoopDefaultMode) > 0);
	/* The one-shot timer fires, is invalidated, and the mode is empty. */
	assert_int_equal(CFRunLoopRunInMode(kCFRunLoopDefaultMode, 10.0, false),
			 kCFRunLoopRunFinished);
	assert_int_equal(once, 1);
	assert_true(now_s() - t0 >= 0.025);
	assert_false(CFRunLoopTimerIsValid(t1));
	assert_false(CFRunLoopContainsTimer(rl, t1, kCFRunLoopDefaultMode));
	CFRelease(t1);

	t2 = CFRunLoopTimerCreate(NULL, CFAbsoluteTimeGetCurrent() + 0.01, 0.01, 0, 0,
				  stop_after_three, &c2);
	assert_true(CFRunLoopTimerDoesRepeat(t2));
	assert_true(CFRunLoopTimerGetInterval(t2) == 0.01);
	CFRunLoopAddTimer(rl, t2, kCFRunLoopCommonModes);
	assert_int_equal(CFRunLoopRunInMode(kCFRunLoopDefaultMode, 10.0, false),
			 kCFRunLoopRunStopped);
	assert_int_equal(rep, 3);
	assert_true(CFRunLoopTimerIsValid(t2));
	assert_true(CFRunLoopTimerGetNextFireDate(t2) > CFAbsoluteTimeGetCurrent() - 0.01);
	CFRunLoopTimerInvalidate(t2);
	assert_int_equal(CFRunLoopRunInMode(kCFRunLoopDefaultMode, 1.0, false),
			 kCFRunLoopRunFinished);
	CFRelease(t2);
}

static void *loop_of_thread(void *arg)
{
	CFRunLoopRef *out = arg;

	out[0] = CFRunLoopGetCurrent();
	out[1] = CFRunLoopGetMain();
	assert_ptr_equal(CFRunLoopGetCurrent(), out[0]);
	/* Nothing to wait for in this thread's loop. */
	assert_int_equal(CFRunLoopRunInMode(kCFRunLoopDefaultMode, 1.0, false),
			 kCFRunLoopRunFinished);
	return NULL;
}

static void test_loop_per_thread(void **state)
{
	CFRunLoopRef mine = CFRunLoopGetCurrent(), theirs[2];
	pthread_t th;
	CFStringRef desc;

	assert_non_null(mine);
	assert_ptr_equal(mine, CFRunLoopGetMain());
	assert_int_equal(CFGetTypeID(mine), CFRunLoopGetTypeID());
	assert_int_equal(pthread_create(&th, NULL, loop_of_thread, theirs), 0);
	pthread_join(th, NULL);
	assert_ptr_not_equal(theirs[0], mine);
	assert_ptr_equal(theirs[1], mine);
	desc = CFCopyDescription(mine);
	assert_non_null(desc);
	assert_true(CFStringHasPrefix(desc, CFSTR("<CFRunLoop 0x")));
	CFRelease(desc);
}

/* A notification port is an eventfd: wakeups coalesce, perform drains. */
static void eventfd_perform(void *info)
{
	int *fd = info;
	uint64_t v;

	if (read(fd[0], &v, sizeof(v)) == sizeof(v))
		fd[1] += (int)v;
}

static void *signal_eventfd(void *arg)
{
	int *fd = arg;
	uint64_t one = 1;

	for (int i = 0; i < 3; i++)
		if (write(fd[0], &one, sizeof(one)) != sizeof(one))
			fail_msg("eventfd write");
	return NULL;
}

static void test_eventfd_source(void **state)
{
	int fd[2] = { eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK), 0 };
	CFRunLoopSourceRef src;
	pthread_t th;

	assert_true(fd[0] >= 0);
	src = iok_cf_runloop_source_create_fd(fd[0], eventfd_perform, fd);
	assert_non_null(src);
	CFRunLoopAddSource(CFRunLoopGetCurrent(), src, kCFRunLoopCommonModes);
	assert_int_equal(pthread_create(&th, NULL, signal_eventfd, fd), 0);
	pthread_join(th, NULL);
	assert_int_equal(CFRunLoopRunInMode(kCFRunLoopDefaultMode, 5.0, true),
			 kCFRunLoopRunHandledSource);
	assert_int_equal(fd[1], 3);   /* three signals, one perform */
	assert_int_equal(CFRunLoopRunInMode(kCFRunLoopDefaultMode, 0.02, true),
			 kCFRunLoopRunTimedOut);
	/* The source keeps its own descriptor: closing ours is harmless. */
	CFRunLoopSourceInvalidate(src);
	CFRelease(src);
	close(fd[0]);
}

static void test_absolute_time(void **state)
{
	CFAbsoluteTime t = CFAbsoluteTimeGetCurrent();

	assert_true(kCFAbsoluteTimeIntervalSince1970 == 978307200.0);
	/* After 2020 (631152000 s after 2001) and before 2101. */
	assert_true(t > 600000000.0 && t < 3155760000.0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_finished_without_sources),
		cmocka_unit_test(test_timed_out),
		cmocka_unit_test(test_handled_source),
		cmocka_unit_test(test_level_triggered),
		cmocka_unit_test(test_stopped_from_other_thread),
		cmocka_unit_test(test_version0_source),
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_modes),
		cmocka_unit_test(test_common_modes),
		cmocka_unit_test(test_run_until_stopped),
		cmocka_unit_test(test_nested_run),
		cmocka_unit_test(test_timers),
		cmocka_unit_test(test_loop_per_thread),
		cmocka_unit_test(test_eventfd_source),
		cmocka_unit_test(test_absolute_time),
	};

	return cmocka_run_group_tests_name("cf_runloop", tests, NULL, NULL);
}
