// SPDX-License-Identifier: MIT
/*
 * cf_runloop.c - CFRunLoop, CFRunLoopSource (version 0, and the
 * descriptor-driven sources of cf_runloop.h) and CFRunLoopTimer.
 *
 * One loop per thread (the main thread's is also reachable from any
 * thread).  A loop waits in epoll_wait on its wake-up eventfd and on the
 * descriptors of its descriptor sources, registered once per loop with
 * EPOLLONESHOT: a descriptor reported while its source is not in the mode
 * being run stays disarmed until a run of a mode holding it re-arms it,
 * so a loop never spins on a descriptor it may not service; after its
 * perform the descriptor is re-armed, which re-checks readiness (level
 * triggered).  Timers bound the wait.
 *
 * One lock guards the tables of every loop and the state of every source
 * and timer; no callout (perform, timer, schedule, cancel, context
 * retain/release) ever runs under it.  The termination rules of
 * CFRunLoopRunInMode are Apple's: handled-source (when asked), then
 * timed-out, then stopped, then finished (the mode holds nothing).
 */
#include "cf_internal.h"
#include "cf_runloop.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static pthread_mutex_t rl_lock = PTHREAD_MUTEX_INITIALIZER;

struct __CFRunLoopSource {
	struct cf_base base;
	CFIndex order;
	CFRunLoopSourceContext ctx;
	void (*fd_perform)(void *info);   /* descriptor sources */
	void *fd_info;
	atomic_bool signaled;
	atomic_bool valid;
	int fd;                           /* our duplicate, or -1 (rl_lock) */
};

struct __CFRunLoopTimer {
	struct cf_base base;
	CFIndex order;
	CFRunLoopTimerCallBack callout;
	CFRunLoopTimerContext ctx;
	atomic_bool valid;
	/* rl_lock: */
	CFAbsoluteTime fire;
	CFTimeInterval interval;
	CFTimeInterval tolerance;
	CFRunLoopRef loop;                /* the loop holding it (weak), or NULL */
	uint64_t reset_seq;               /* bumped by CFRunLoopTimerSetNextFireDate */
};

/* A source or timer in one mode of a loop. */
struct rl_item {
	CFTypeRef obj;                    /* retained */
	CFStringRef mode;                 /* retained; kCFRunLoopCommonModes: the common set */
	bool timer;
};

/* A descriptor source in the loop's epoll set, once however many modes. */
struct rl_watch {
	CFRunLoopSourceRef src;           /* retained */
	uint64_t id;                      /* epoll data; 0 is the wake-up eventfd */
	unsigned uses;                    /* items naming src */
	bool armed;
};

/* One CFRunLoopRunInMode in progress. */
struct rl_frame {
	CFStringRef mode;
	bool stopped;
	struct rl_frame *outer;
};

struct __CFRunLoop {
	struct cf_base base;
	int epfd;
	int wakefd;
	atomic_bool waiting;
	/* rl_lock: */
	struct rl_item *items;
	size_t n_items, cap_items;
	struct rl_watch *watches;
	size_t n_watches, cap_watches;
	CFMutableArrayRef modes;          /* every mode named so far */
	CFMutableArrayRef common;         /* the common set */
	struct rl_frame *frame;           /* innermost run */
};

/* Every live loop (weak), for CFRunLoopSourceInvalidate.  rl_lock. */
static CFRunLoopRef *all_loops;
static size_t n_all_loops, cap_all_loops;
static CFRunLoopRef main_loop;
static uint64_t next_watch_id = 1;

/* ---- deferred work: what must run after rl_lock is dropped ---------------- */

enum { DEFER_RELEASE, DEFER_SCHEDULE, DEFER_CANCEL };

struct rl_action {
	int kind;
	CFTypeRef obj;          /* released after the action */
	CFRunLoopRef rl;        /* schedule / cancel: retained */
	CFStringRef mode;       /* schedule / cancel: retained */
};

struct rl_defer {
	struct rl_action *v;
	size_t n, cap;
};

/* Records an action; takes the references it is given. */
static void defer_push(struct rl_defer *d, int kind, CFTypeRef obj, CFRunLoopRef rl,
		       CFStringRef mode)
{
	if (d->n == d->cap) {
		size_t cap = d->cap ? 2 * d->cap : 8;
		struct rl_action *v = realloc(d->v, cap * sizeof(*v));

		if (!v) {
			/* Out of memory: the object leaks rather than being freed
			 * under the lock. */
			cf_log_misuse("CFRunLoop", "out of memory (an object leaks)");
			return;
		}
		d->v = v;
		d->cap = cap;
	}
	d->v[d->n++] = (struct rl_action){ kind, obj, rl, mode };
}

static void defer_run(struct rl_defer *d)
{
	for (size_t i = 0; i < d->n; i++) {
		struct rl_action *a = &d->v[i];
		const struct __CFRunLoopSource *s = a->obj;

		if (a->kind == DEFER_SCHEDULE && s->ctx.schedule)
			s->ctx.schedule(s->ctx.info, a->rl, a->mode);
		else if (a->kind == DEFER_CANCEL && s->ctx.cancel)
			s->ctx.cancel(s->ctx.info, a->rl, a->mode);
		if (a->rl)
			CFRelease(a->rl);
		if (a->mode)
			CFRelease(a->mode);
		CFRelease(a->obj);
	}
	free(d->v);
	*d = (struct rl_defer){ NULL, 0, 0 };
}

/* ---- time ----------------------------------------------------------------- */

IOK_EXPORT const CFTimeInterval kCFAbsoluteTimeIntervalSince1970 = 978307200.0;
IOK_EXPORT const CFTimeInterval kCFAbsoluteTimeIntervalSince1904 = 3061152000.0;

IOK_EXPORT CFAbsoluteTime CFAbsoluteTimeGetCurrent(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec - kCFAbsoluteTimeIntervalSince1970 + (double)ts.tv_nsec * 1e-9;
}

static double mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* ---- classes ---------------------------------------------------------------- */

static void loop_finalize(CFTypeRef cf);
static void source_finalize(CFTypeRef cf);
static void timer_finalize(CFTypeRef cf);

static void loop_describe(CFTypeRef cf, struct cf_buf *b)
{
	CFRunLoopRef rl = (CFRunLoopRef)cf;

	cf_buf_printf(b, "{wakeup port = 0x%x, waiting = %s}", (unsigned)rl->wakefd,
		      atomic_load(&rl->waiting) ? "true" : "false");
}

static void source_describe(CFTypeRef cf, struct cf_buf *b)
{
	CFRunLoopSourceRef s = (CFRunLoopSourceRef)cf;

	cf_buf_printf(b, "{signalled = %s, valid = %s, order = %ld, context = ",
		      atomic_load(&s->signaled) ? "Yes" : "No",
		      atomic_load(&s->valid) ? "Yes" : "No", (long)s->order);
	if (s->fd_perform)
		cf_buf_printf(b, "<descriptor source>{info = %p, callout = %p}}", s->fd_info,
			      (void *)(uintptr_t)s->fd_perform);
	else
		cf_buf_printf(b, "<CFRunLoopSource context>{version = %ld, info = %p, "
			      "callout = %p}}", (long)s->ctx.version, s->ctx.info,
			      (void *)(uintptr_t)s->ctx.perform);
}

static void timer_describe(CFTypeRef cf, struct cf_buf *b)
{
	CFRunLoopTimerRef t = (CFRunLoopTimerRef)cf;
	CFAbsoluteTime fire;
	CFTimeInterval interval, tolerance;

	pthread_mutex_lock(&rl_lock);
	fire = t->fire;
	interval = t->interval;
	tolerance = t->tolerance;
	pthread_mutex_unlock(&rl_lock);
	cf_buf_printf(b, "{valid = %s, firing = No, interval = %g, tolerance = %g, "
		      "next fire date = %.6f, callout = %p, context = <CFRunLoopTimer "
		      "context %p>}", atomic_load(&t->valid) ? "Yes" : "No", interval,
		      tolerance, fire, (void *)(uintptr_t)t->callout, t->ctx.info);
}

const struct cf_class cf_runloop_class = {
	.type_id = CF_TID_RUNLOOP,
	.name = "CFRunLoop",
	.finalize = loop_finalize,
	.describe = loop_describe,
};

const struct cf_class cf_runloop_source_class = {
	.type_id = CF_TID_RUNLOOP_SOURCE,
	.name = "CFRunLoopSource",
	.finalize = source_finalize,
	.describe = source_describe,
};

const struct cf_class cf_runloop_timer_class = {
	.type_id = CF_TID_RUNLOOP_TIMER,
	.name = "CFRunLoopTimer",
	.finalize = timer_finalize,
	.describe = timer_describe,
};

IOK_EXPORT CFTypeID CFRunLoopGetTypeID(void)
{
	return CF_TID_RUNLOOP;
}

IOK_EXPORT CFTypeID CFRunLoopSourceGetTypeID(void)
{
	return CF_TID_RUNLOOP_SOURCE;
}

IOK_EXPORT CFTypeID CFRunLoopTimerGetTypeID(void)
{
	return CF_TID_RUNLOOP_TIMER;
}

/* ---- tables (rl_lock held) ---------------------------------------------------- */

static bool array_has_string(CFArrayRef a, CFStringRef s)
{
	return CFArrayContainsValue(a, CFRangeMake(0, CFArrayGetCount(a)), s);
}

static bool is_common_name(CFStringRef mode)
{
	return CFEqual(mode, kCFRunLoopCommonModes);
}

/* Does an item registered under item_mode belong to mode? */
static bool mode_covers(CFRunLoopRef rl, CFStringRef item_mode, CFStringRef mode)
{
	if (CFEqual(item_mode, mode))
		return true;
	return is_common_name(item_mode) && array_has_string(rl->common, mode);
}

static bool item_live(const struct rl_item *it)
{
	if (it->timer)
		return atomic_load(&((CFRunLoopTimerRef)it->obj)->valid);
	return atomic_load(&((CFRunLoopSourceRef)it->obj)->valid);
}

static bool obj_in_mode(CFRunLoopRef rl, CFTypeRef obj, CFStringRef mode)
{
	for (size_t i = 0; i < rl->n_items; i++)
		if (rl->items[i].obj == obj && mode_covers(rl, rl->items[i].mode, mode))
			return true;
	return false;
}

static bool mode_empty(CFRunLoopRef rl, CFStringRef mode)
{
	for (size_t i = 0; i < rl->n_items; i++)
		if (item_live(&rl->items[i]) && mode_covers(rl, rl->items[i].mode, mode))
			return false;
	return true;
}

static ssize_t find_item(CFRunLoopRef rl, CFTypeRef obj, CFStringRef mode)
{
	for (size_t i = 0; i < rl->n_items; i++)
		if (rl->items[i].obj == obj && CFEqual(rl->items[i].mode, mode))
			return (ssize_t)i;
	return -1;
}

static struct rl_watch *find_watch(CFRunLoopRef rl, CFRunLoopSourceRef src)
{
	for (size_t i = 0; i < rl->n_watches; i++)
		if (rl->watches[i].src == src)
			return &rl->watches[i];
	return NULL;
}

static void note_mode(CFRunLoopRef rl, CFStringRef mode)
{
	if (!is_common_name(mode) && !array_has_string(rl->modes, mode))
		CFArrayAppendValue(rl->modes, mode);
}

static void arm(CFRunLoopRef rl, struct rl_watch *w, int op)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLONESHOT, .data.u64 = w->id };

	if (w->src->fd >= 0 && epoll_ctl(rl->epfd, op, w->src->fd, &ev) == 0)
		w->armed = true;
}

/* Schedules (or cancels) a source in the concrete modes mode stands for. */
static void defer_callbacks(struct rl_defer *d, int kind, CFRunLoopRef rl,
			    CFRunLoopSourceRef src, CFStringRef mode)
{
	if ((kind == DEFER_SCHEDULE && !src->ctx.schedule) ||
	    (kind == DEFER_CANCEL && !src->ctx.cancel))
		return;
	if (!is_common_name(mode)) {
		defer_push(d, kind, CFRetain(src), (CFRunLoopRef)CFRetain(rl), CFRetain(mode));
		return;
	}
	for (CFIndex i = 0; i < CFArrayGetCount(rl->common); i++)
		defer_push(d, kind, CFRetain(src), (CFRunLoopRef)CFRetain(rl),
			   CFRetain(CFArrayGetValueAtIndex(rl->common, i)));
}

static bool add_item(CFRunLoopRef rl, CFTypeRef obj, CFStringRef mode, bool timer)
{
	CFStringRef copy;

	if (find_item(rl, obj, mode) >= 0)
		return false;
	if (rl->n_items == rl->cap_items) {
		size_t cap = rl->cap_items ? 2 * rl->cap_items : 8;
		struct rl_item *v = realloc(rl->items, cap * sizeof(*v));

		if (!v)
			return false;
		rl->items = v;
		rl->cap_items = cap;
	}
	copy = CFStringCreateCopy(NULL, mode);
	if (!copy)
		return false;
	if (!timer && ((CFRunLoopSourceRef)obj)->fd >= 0) {
		CFRunLoopSourceRef src = (CFRunLoopSourceRef)obj;
		struct rl_watch *w = find_watch(rl, src);

		if (!w) {
			if (rl->n_watches == rl->cap_watches) {
				size_t cap = rl->cap_watches ? 2 * rl->cap_watches : 4;
				struct rl_watch *v = realloc(rl->watches, cap * sizeof(*v));

				if (!v) {
					CFRelease(copy);
					return false;
				}
				rl->watches = v;
				rl->cap_watches = cap;
			}
			w = &rl->watches[rl->n_watches];
			*w = (struct rl_watch){ .src = src, .id = next_watch_id++ };
			arm(rl, w, EPOLL_CTL_ADD);
			if (!w->armed) {
				CFRelease(copy);
				return false;
			}
			CFRetain(src);
			rl->n_watches++;
		}
		w->uses++;
	}
	rl->items[rl->n_items++] = (struct rl_item){ CFRetain(obj), copy, timer };
	note_mode(rl, mode);
	return true;
}

/* Takes item i out; its references go to d. */
static void remove_item(CFRunLoopRef rl, size_t i, struct rl_defer *d)
{
	struct rl_item it = rl->items[i];

	rl->items[i] = rl->items[--rl->n_items];
	if (!it.timer) {
		CFRunLoopSourceRef src = (CFRunLoopSourceRef)it.obj;
		struct rl_watch *w = find_watch(rl, src);

		defer_callbacks(d, DEFER_CANCEL, rl, src, it.mode);
		if (w && --w->uses == 0) {
			if (src->fd >= 0)
				epoll_ctl(rl->epfd, EPOLL_CTL_DEL, src->fd, NULL);
			defer_push(d, DEFER_RELEASE, src, NULL, NULL);
			*w = rl->watches[--rl->n_watches];
		}
	}
	defer_push(d, DEFER_RELEASE, it.obj, NULL, NULL);
	defer_push(d, DEFER_RELEASE, it.mode, NULL, NULL);
}

/* Removes every item of obj from rl. */
static void remove_all_of(CFRunLoopRef rl, CFTypeRef obj, struct rl_defer *d)
{
	for (size_t i = rl->n_items; i-- > 0;)
		if (rl->items[i].obj == obj)
			remove_item(rl, i, d);
}

/* ---- loops -------------------------------------------------------------------- */

static CFRunLoopRef loop_create(void)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = 0 };
	CFRunLoopRef rl = cf_object_alloc(&cf_runloop_class, sizeof(*rl), 0);

	if (!rl)
		return NULL;
	rl->epfd = epoll_create1(EPOLL_CLOEXEC);
	rl->wakefd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	rl->modes = CFArrayCreateMutable(NULL, 0, &kCFTypeArrayCallBacks);
	rl->common = CFArrayCreateMutable(NULL, 0, &kCFTypeArrayCallBacks);
	if (rl->epfd < 0 || rl->wakefd < 0 || !rl->modes || !rl->common ||
	    epoll_ctl(rl->epfd, EPOLL_CTL_ADD, rl->wakefd, &ev) < 0)
		goto fail;
	CFArrayAppendValue(rl->modes, kCFRunLoopDefaultMode);
	CFArrayAppendValue(rl->common, kCFRunLoopDefaultMode);
	pthread_mutex_lock(&rl_lock);
	if (n_all_loops == cap_all_loops) {
		size_t cap = cap_all_loops ? 2 * cap_all_loops : 8;
		CFRunLoopRef *v = realloc(all_loops, cap * sizeof(*v));

		if (!v) {
			pthread_mutex_unlock(&rl_lock);
			goto fail;
		}
		all_loops = v;
		cap_all_loops = cap;
	}
	all_loops[n_all_loops++] = rl;
	pthread_mutex_unlock(&rl_lock);
	return rl;

fail:
	if (rl->epfd >= 0)
		close(rl->epfd);
	if (rl->wakefd >= 0)
		close(rl->wakefd);
	rl->epfd = rl->wakefd = -1;
	if (rl->modes)
		CFRelease(rl->modes);
	if (rl->common)
		CFRelease(rl->common);
	rl->modes = rl->common = NULL;
	free(rl);
	return NULL;
}

static void loop_finalize(CFTypeRef cf)
{
	CFRunLoopRef rl = (CFRunLoopRef)cf;
	struct rl_item *items;
	size_t n_items;

	/* Out of the global list first: nobody else reaches it afterwards. */
	pthread_mutex_lock(&rl_lock);
	for (size_t i = 0; i < n_all_loops; i++) {
		if (all_loops[i] == rl) {
			all_loops[i] = all_loops[--n_all_loops];
			break;
		}
	}
	for (size_t i = 0; i < rl->n_items; i++) {
		CFRunLoopTimerRef t = (CFRunLoopTimerRef)rl->items[i].obj;

		if (rl->items[i].timer && t->loop == rl)
			t->loop = NULL;
	}
	items = rl->items;
	n_items = rl->n_items;
	rl->items = NULL;
	rl->n_items = rl->cap_items = 0;
	pthread_mutex_unlock(&rl_lock);

	/* The cancel callouts see the loop going away (not retainable any more). */
	for (size_t i = 0; i < n_items; i++) {
		CFRunLoopSourceRef src = (CFRunLoopSourceRef)items[i].obj;

		if (!items[i].timer && src->ctx.cancel) {
			if (!is_common_name(items[i].mode)) {
				src->ctx.cancel(src->ctx.info, rl, items[i].mode);
			} else {
				for (CFIndex m = 0; m < CFArrayGetCount(rl->common); m++)
					src->ctx.cancel(src->ctx.info, rl,
							CFArrayGetValueAtIndex(rl->common, m));
			}
		}
		CFRelease(items[i].obj);
		CFRelease(items[i].mode);
	}
	for (size_t i = 0; i < rl->n_watches; i++)
		CFRelease(rl->watches[i].src);
	free(items);
	free(rl->watches);
	CFRelease(rl->modes);
	CFRelease(rl->common);
	close(rl->epfd);
	close(rl->wakefd);
}

static pthread_key_t tls_key;
static pthread_once_t tls_once = PTHREAD_ONCE_INIT;

static void tls_release(void *p)
{
	CFRelease(p);
}

static void tls_init(void)
{
	pthread_key_create(&tls_key, tls_release);
}

static bool is_main_thread(void)
{
	return (pid_t)syscall(SYS_gettid) == getpid();
}

IOK_EXPORT CFRunLoopRef CFRunLoopGetMain(void)
{
	CFRunLoopRef rl;

	pthread_mutex_lock(&rl_lock);
	rl = main_loop;
	pthread_mutex_unlock(&rl_lock);
	if (rl)
		return rl;
	rl = loop_create();
	if (!rl)
		return NULL;
	pthread_mutex_lock(&rl_lock);
	if (!main_loop) {
		main_loop = rl;   /* lives as long as the process */
		rl = NULL;
	}
	pthread_mutex_unlock(&rl_lock);
	if (rl)
		CFRelease(rl);
	pthread_mutex_lock(&rl_lock);
	rl = main_loop;
	pthread_mutex_unlock(&rl_lock);
	return rl;
}

IOK_EXPORT CFRunLoopRef CFRunLoopGetCurrent(void)
{
	CFRunLoopRef rl;

	if (is_main_thread())
		return CFRunLoopGetMain();
	pthread_once(&tls_once, tls_init);
	rl = pthread_getspecific(tls_key);
	if (!rl) {
		rl = loop_create();
		if (rl && pthread_setspecific(tls_key, rl)) {
			CFRelease(rl);
			rl = NULL;
		}
	}
	return rl;
}

static bool check(CFTypeRef cf, const struct cf_class *cls, const char *func)
{
	if (cf_is(cf, cls))
		return true;
	cf_log_misuse(func, cf ? "wrong type of object" : "NULL argument");
	return false;
}

IOK_EXPORT CFStringRef CFRunLoopCopyCurrentMode(CFRunLoopRef rl)
{
	CFStringRef mode = NULL;

	if (!check(rl, &cf_runloop_class, __func__))
		return NULL;
	pthread_mutex_lock(&rl_lock);
	if (rl->frame)
		mode = CFRetain(rl->frame->mode);
	pthread_mutex_unlock(&rl_lock);
	return mode;
}

IOK_EXPORT CFArrayRef CFRunLoopCopyAllModes(CFRunLoopRef rl)
{
	CFArrayRef copy;

	if (!check(rl, &cf_runloop_class, __func__))
		return NULL;
	pthread_mutex_lock(&rl_lock);
	copy = CFArrayCreateCopy(NULL, rl->modes);
	pthread_mutex_unlock(&rl_lock);
	return copy;
}

IOK_EXPORT void CFRunLoopAddCommonMode(CFRunLoopRef rl, CFStringRef mode)
{
	struct rl_defer d = { NULL, 0, 0 };
	CFStringRef copy;

	if (!check(rl, &cf_runloop_class, __func__) || !check(mode, &cf_string_class, __func__) ||
	    is_common_name(mode))
		return;
	copy = CFStringCreateCopy(NULL, mode);
	if (!copy)
		return;
	pthread_mutex_lock(&rl_lock);
	if (!array_has_string(rl->common, copy)) {
		CFArrayAppendValue(rl->common, copy);
		note_mode(rl, copy);
		/* The common items are now scheduled in this mode too. */
		for (size_t i = 0; i < rl->n_items; i++) {
			CFRunLoopSourceRef src = (CFRunLoopSourceRef)rl->items[i].obj;

			if (!rl->items[i].timer && is_common_name(rl->items[i].mode) &&
			    src->ctx.schedule)
				defer_push(&d, DEFER_SCHEDULE, CFRetain(src),
					   (CFRunLoopRef)CFRetain(rl), CFRetain(copy));
		}
	}
	pthread_mutex_unlock(&rl_lock);
	CFRelease(copy);
	defer_run(&d);
}

IOK_EXPORT Boolean CFRunLoopIsWaiting(CFRunLoopRef rl)
{
	return check(rl, &cf_runloop_class, __func__) && atomic_load(&rl->waiting);
}

IOK_EXPORT void CFRunLoopWakeUp(CFRunLoopRef rl)
{
	uint64_t one = 1;

	if (!check(rl, &cf_runloop_class, __func__))
		return;
	/* A full counter (EAGAIN) is a pending wake-up already. */
	if (write(rl->wakefd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		cf_log_misuse(__func__, "cannot signal the loop");
}

IOK_EXPORT void CFRunLoopStop(CFRunLoopRef rl)
{
	if (!check(rl, &cf_runloop_class, __func__))
		return;
	pthread_mutex_lock(&rl_lock);
	if (rl->frame)
		rl->frame->stopped = true;
	pthread_mutex_unlock(&rl_lock);
	CFRunLoopWakeUp(rl);
}

/* ---- adding and removing ------------------------------------------------------ */

IOK_EXPORT Boolean CFRunLoopContainsSource(CFRunLoopRef rl, CFRunLoopSourceRef source,
					   CFStringRef mode)
{
	bool found;

	if (!check(rl, &cf_runloop_class, __func__) ||
	    !check(source, &cf_runloop_source_class, __func__) || !mode)
		return false;
	pthread_mutex_lock(&rl_lock);
	found = is_common_name(mode) ? find_item(rl, source, mode) >= 0
				     : obj_in_mode(rl, source, mode);
	pthread_mutex_unlock(&rl_lock);
	return found;
}

IOK_EXPORT void CFRunLoopAddSource(CFRunLoopRef rl, CFRunLoopSourceRef source, CFStringRef mode)
{
	struct rl_defer d = { NULL, 0, 0 };

	if (!check(rl, &cf_runloop_class, __func__) ||
	    !check(source, &cf_runloop_source_class, __func__) ||
	    !check(mode, &cf_string_class, __func__))
		return;
	pthread_mutex_lock(&rl_lock);
	if (atomic_load(&source->valid) && add_item(rl, source, mode, false))
		defer_callbacks(&d, DEFER_SCHEDULE, rl, source, mode);
	pthread_mutex_unlock(&rl_lock);
	defer_run(&d);
	/* A loop waiting in this mode must now watch the source too. */
	CFRunLoopWakeUp(rl);
}

IOK_EXPORT void CFRunLoopRemoveSource(CFRunLoopRef rl, CFRunLoopSourceRef source,
				      CFStringRef mode)
{
	struct rl_defer d = { NULL, 0, 0 };
	ssize_t i;

	if (!check(rl, &cf_runloop_class, __func__) ||
	    !check(source, &cf_runloop_source_class, __func__) || !mode)
		return;
	pthread_mutex_lock(&rl_lock);
	i = find_item(rl, source, mode);
	if (i >= 0)
		remove_item(rl, (size_t)i, &d);
	pthread_mutex_unlock(&rl_lock);
	defer_run(&d);
}

IOK_EXPORT Boolean CFRunLoopContainsTimer(CFRunLoopRef rl, CFRunLoopTimerRef timer,
					  CFStringRef mode)
{
	bool found;

	if (!check(rl, &cf_runloop_class, __func__) ||
	    !check(timer, &cf_runloop_timer_class, __func__) || !mode)
		return false;
	pthread_mutex_lock(&rl_lock);
	found = is_common_name(mode) ? find_item(rl, timer, mode) >= 0
				     : obj_in_mode(rl, timer, mode);
	pthread_mutex_unlock(&rl_lock);
	return found;
}

IOK_EXPORT void CFRunLoopAddTimer(CFRunLoopRef rl, CFRunLoopTimerRef timer, CFStringRef mode)
{
	bool added = false, elsewhere = false;

	if (!check(rl, &cf_runloop_class, __func__) ||
	    !check(timer, &cf_runloop_timer_class, __func__) ||
	    !check(mode, &cf_string_class, __func__))
		return;
	pthread_mutex_lock(&rl_lock);
	elsewhere = timer->loop && timer->loop != rl;
	if (atomic_load(&timer->valid) && !elsewhere) {
		added = add_item(rl, timer, mode, true);
		if (added)
			timer->loop = rl;
	}
	pthread_mutex_unlock(&rl_lock);
	if (added)
		CFRunLoopWakeUp(rl);
	else if (elsewhere)
		cf_log_misuse(__func__, "a timer can be in one run loop only");
}

IOK_EXPORT void CFRunLoopRemoveTimer(CFRunLoopRef rl, CFRunLoopTimerRef timer, CFStringRef mode)
{
	struct rl_defer d = { NULL, 0, 0 };
	ssize_t i;

	if (!check(rl, &cf_runloop_class, __func__) ||
	    !check(timer, &cf_runloop_timer_class, __func__) || !mode)
		return;
	pthread_mutex_lock(&rl_lock);
	i = find_item(rl, timer, mode);
	if (i >= 0) {
		bool still_in = false;

		remove_item(rl, (size_t)i, &d);
		for (size_t j = 0; j < rl->n_items; j++)
			still_in |= rl->items[j].obj == (CFTypeRef)timer;
		if (!still_in)
			timer->loop = NULL;
	}
	pthread_mutex_unlock(&rl_lock);
	defer_run(&d);
}

IOK_EXPORT CFAbsoluteTime CFRunLoopGetNextTimerFireDate(CFRunLoopRef rl, CFStringRef mode)
{
	CFAbsoluteTime next = 0;

	if (!check(rl, &cf_runloop_class, __func__) || !mode)
		return 0;
	pthread_mutex_lock(&rl_lock);
	for (size_t i = 0; i < rl->n_items; i++) {
		struct rl_item *it = &rl->items[i];
		CFRunLoopTimerRef t = (CFRunLoopTimerRef)it->obj;

		if (it->timer && atomic_load(&t->valid) && mode_covers(rl, it->mode, mode) &&
		    (next == 0 || t->fire < next))
			next = t->fire;
	}
	pthread_mutex_unlock(&rl_lock);
	return next;
}

/* ---- running ------------------------------------------------------------------ */

/* A growable list of retained objects taken out under the lock. */
struct rl_batch {
	CFTypeRef *v;
	size_t n, cap;
};

static void batch_add(struct rl_batch *b, CFTypeRef obj)
{
	if (b->n == b->cap) {
		size_t cap = b->cap ? 2 * b->cap : 8;
		CFTypeRef *v = realloc(b->v, cap * sizeof(*v));

		if (!v)
			return;   /* this round skips it; the next one retries */
		b->v = v;
		b->cap = cap;
	}
	b->v[b->n++] = CFRetain(obj);
}

static void batch_release(struct rl_batch *b)
{
	for (size_t i = 0; i < b->n; i++)
		CFRelease(b->v[i]);
	free(b->v);
	*b = (struct rl_batch){ NULL, 0, 0 };
}

static int by_order(const void *a, const void *b)
{
	CFIndex x = (*(CFRunLoopSourceRef const *)a)->order;
	CFIndex y = (*(CFRunLoopSourceRef const *)b)->order;

	return x < y ? -1 : x > y;
}

static void perform_source(CFRunLoopSourceRef src)
{
	if (src->fd_perform)
		src->fd_perform(src->fd_info);
	else if (src->ctx.perform)
		src->ctx.perform(src->ctx.info);
}

/* Performs the signalled sources of mode (one only if just_one); true if
 * any ran. */
static bool do_signaled(CFRunLoopRef rl, CFStringRef mode, bool just_one)
{
	struct rl_batch b = { NULL, 0, 0 };
	bool handled = false;

	pthread_mutex_lock(&rl_lock);
	for (size_t i = 0; i < rl->n_items; i++) {
		struct rl_item *it = &rl->items[i];
		CFRunLoopSourceRef src = (CFRunLoopSourceRef)it->obj;
		bool dup = false;

		if (it->timer || !atomic_load(&src->signaled) || !mode_covers(rl, it->mode, mode))
			continue;
		for (size_t j = 0; j < b.n; j++)
			dup |= b.v[j] == (CFTypeRef)src;
		if (!dup)
			batch_add(&b, src);
	}
	pthread_mutex_unlock(&rl_lock);
	if (b.n > 1)
		qsort(b.v, b.n, sizeof(*b.v), by_order);
	for (size_t i = 0; i < b.n; i++) {
		CFRunLoopSourceRef src = (CFRunLoopSourceRef)b.v[i];

		if (!atomic_exchange(&src->signaled, false) || !atomic_load(&src->valid))
			continue;
		perform_source(src);
		handled = true;
		if (just_one)
			break;
	}
	batch_release(&b);
	return handled;
}

static int by_fire(const void *a, const void *b)
{
	CFAbsoluteTime x = (*(CFRunLoopTimerRef const *)a)->fire;
	CFAbsoluteTime y = (*(CFRunLoopTimerRef const *)b)->fire;

	return x < y ? -1 : x > y;
}

static void timer_invalidate_locked(CFRunLoopTimerRef t, struct rl_defer *d)
{
	CFRunLoopRef rl = t->loop;

	atomic_store(&t->valid, false);
	t->loop = NULL;
	if (rl)
		remove_all_of(rl, t, d);
}

/* Fires the due timers of mode. */
static void do_timers(CFRunLoopRef rl, CFStringRef mode)
{
	struct rl_batch b = { NULL, 0, 0 };
	uint64_t *seq;
	CFAbsoluteTime now = CFAbsoluteTimeGetCurrent();

	pthread_mutex_lock(&rl_lock);
	for (size_t i = 0; i < rl->n_items; i++) {
		struct rl_item *it = &rl->items[i];
		CFRunLoopTimerRef t = (CFRunLoopTimerRef)it->obj;
		bool dup = false;

		if (!it->timer || !atomic_load(&t->valid) || t->fire > now ||
		    !mode_covers(rl, it->mode, mode))
			continue;
		for (size_t j = 0; j < b.n; j++)
			dup |= b.v[j] == (CFTypeRef)t;
		if (!dup)
			batch_add(&b, t);
	}
	if (b.n > 1)
		qsort(b.v, b.n, sizeof(*b.v), by_fire);
	seq = calloc(b.n ? b.n : 1, sizeof(*seq));
	for (size_t i = 0; seq && i < b.n; i++)
		seq[i] = ((CFRunLoopTimerRef)b.v[i])->reset_seq;
	pthread_mutex_unlock(&rl_lock);
	for (size_t i = 0; seq && i < b.n; i++) {
		CFRunLoopTimerRef t = (CFRunLoopTimerRef)b.v[i];
		struct rl_defer d = { NULL, 0, 0 };

		if (!atomic_load(&t->valid))
			continue;
		t->callout(t, t->ctx.info);
		pthread_mutex_lock(&rl_lock);
		if (atomic_load(&t->valid) && t->reset_seq == seq[i]) {
			if (t->interval > 0) {
				CFAbsoluteTime now2 = CFAbsoluteTimeGetCurrent();

				t->fire += t->interval;
				if (t->fire <= now2)
					t->fire += t->interval * ceil((now2 - t->fire) / t->interval);
				if (t->fire <= now2)
					t->fire = now2 + t->interval;
			} else {
				timer_invalidate_locked(t, &d);
			}
		}
		pthread_mutex_unlock(&rl_lock);
		defer_run(&d);
	}
	free(seq);
	batch_release(&b);
}

/* Seconds until the earliest timer of mode (HUGE_VAL if none). */
static double timer_wait(CFRunLoopRef rl, CFStringRef mode)
{
	double wait = HUGE_VAL;
	CFAbsoluteTime now = CFAbsoluteTimeGetCurrent();

	for (size_t i = 0; i < rl->n_items; i++) {
		struct rl_item *it = &rl->items[i];
		CFRunLoopTimerRef t = (CFRunLoopTimerRef)it->obj;

		if (it->timer && atomic_load(&t->valid) && mode_covers(rl, it->mode, mode) &&
		    t->fire - now < wait)
			wait = t->fire - now;
	}
	return wait;
}

/* Re-arms the disarmed descriptors of the sources mode holds. */
static void rearm_mode(CFRunLoopRef rl, CFStringRef mode)
{
	for (size_t i = 0; i < rl->n_watches; i++) {
		struct rl_watch *w = &rl->watches[i];

		if (!w->armed && atomic_load(&w->src->valid) && obj_in_mode(rl, w->src, mode))
			arm(rl, w, EPOLL_CTL_MOD);
	}
}

static int to_ms(double seconds)
{
	if (seconds <= 0)
		return 0;
	if (seconds >= INT_MAX / 1000.0)
		return -1;
	return (int)ceil(seconds * 1000.0);
}

/* Waits up to timeout_ms and performs the descriptor sources that became
 * readable; true if any ran. */
static bool wait_and_perform(CFRunLoopRef rl, CFStringRef mode, int timeout_ms)
{
	struct epoll_event ev[32];
	struct rl_batch b = { NULL, 0, 0 };
	bool handled = false;
	int n;

	if (timeout_ms != 0)
		atomic_store(&rl->waiting, true);
	n = epoll_wait(rl->epfd, ev, 32, timeout_ms);
	atomic_store(&rl->waiting, false);
	if (n <= 0)
		return false;
	pthread_mutex_lock(&rl_lock);
	for (int i = 0; i < n; i++) {
		if (ev[i].data.u64 == 0) {
			uint64_t v;

			if (read(rl->wakefd, &v, sizeof(v)) < 0) {
				/* nothing pending: another pass took it */
			}
			continue;
		}
		for (size_t j = 0; j < rl->n_watches; j++) {
			struct rl_watch *w = &rl->watches[j];

			if (w->id != ev[i].data.u64)
				continue;
			w->armed = false;
			if (atomic_load(&w->src->valid) && obj_in_mode(rl, w->src, mode))
				batch_add(&b, w->src);
			break;
		}
	}
	pthread_mutex_unlock(&rl_lock);
	if (b.n > 1)
		qsort(b.v, b.n, sizeof(*b.v), by_order);
	for (size_t i = 0; i < b.n; i++) {
		CFRunLoopSourceRef src = (CFRunLoopSourceRef)b.v[i];

		if (!atomic_load(&src->valid))
			continue;
		atomic_store(&src->signaled, false);
		perform_source(src);
		handled = true;
	}
	pthread_mutex_lock(&rl_lock);
	for (size_t i = 0; i < b.n; i++) {
		struct rl_watch *w = find_watch(rl, (CFRunLoopSourceRef)b.v[i]);

		if (w && !w->armed && atomic_load(&w->src->valid))
			arm(rl, w, EPOLL_CTL_MOD);
	}
	pthread_mutex_unlock(&rl_lock);
	batch_release(&b);
	return handled;
}

IOK_EXPORT SInt32 CFRunLoopRunInMode(CFStringRef mode, CFTimeInterval seconds,
				     Boolean returnAfterSourceHandled)
{
	CFRunLoopRef rl = CFRunLoopGetCurrent();
	struct rl_frame frame = { 0 };
	double deadline, wait;
	SInt32 result = 0;

	if (!rl || !check(mode, &cf_string_class, __func__))
		return kCFRunLoopRunFinished;
	frame.mode = CFStringCreateCopy(NULL, mode);
	if (!frame.mode)
		return kCFRunLoopRunFinished;
	pthread_mutex_lock(&rl_lock);
	if (mode_empty(rl, frame.mode)) {
		pthread_mutex_unlock(&rl_lock);
		CFRelease(frame.mode);
		return kCFRunLoopRunFinished;
	}
	note_mode(rl, frame.mode);
	frame.outer = rl->frame;
	rl->frame = &frame;
	pthread_mutex_unlock(&rl_lock);

	deadline = isnan(seconds) || seconds <= 0 ? mono_now()
		 : seconds >= 1e9 ? HUGE_VAL : mono_now() + seconds;
	while (!result) {
		bool handled, stopped, empty;

		do_timers(rl, frame.mode);
		handled = do_signaled(rl, frame.mode, returnAfterSourceHandled);
		pthread_mutex_lock(&rl_lock);
		rearm_mode(rl, frame.mode);
		wait = timer_wait(rl, frame.mode);
		stopped = frame.stopped;
		pthread_mutex_unlock(&rl_lock);
		if (deadline - mono_now() < wait)
			wait = deadline - mono_now();
		if (handled || stopped)
			wait = 0;
		handled |= wait_and_perform(rl, frame.mode, to_ms(wait));
		do_timers(rl, frame.mode);

		pthread_mutex_lock(&rl_lock);
		stopped = frame.stopped;
		empty = mode_empty(rl, frame.mode);
		pthread_mutex_unlock(&rl_lock);
		if (handled && returnAfterSourceHandled)
			result = kCFRunLoopRunHandledSource;
		else if (mono_now() >= deadline)
			result = kCFRunLoopRunTimedOut;
		else if (stopped)
			result = kCFRunLoopRunStopped;
		else if (empty)
			result = kCFRunLoopRunFinished;
	}

	pthread_mutex_lock(&rl_lock);
	rl->frame = frame.outer;
	pthread_mutex_unlock(&rl_lock);
	CFRelease(frame.mode);
	return result;
}

IOK_EXPORT void CFRunLoopRun(void)
{
	SInt32 r;

	do {
		r = CFRunLoopRunInMode(kCFRunLoopDefaultMode, 1.0e10, false);
	} while (r != kCFRunLoopRunStopped && r != kCFRunLoopRunFinished);
}

/* ---- sources ------------------------------------------------------------------ */

static void source_finalize(CFTypeRef cf)
{
	CFRunLoopSourceRef s = (CFRunLoopSourceRef)cf;

	if (s->fd >= 0)
		close(s->fd);
	if (s->ctx.release)
		s->ctx.release(s->ctx.info);
}

IOK_EXPORT CFRunLoopSourceRef CFRunLoopSourceCreate(CFAllocatorRef allocator, CFIndex order,
						    CFRunLoopSourceContext *context)
{
	CFRunLoopSourceRef s;

	if (!context || context->version != 0) {
		cf_log_misuse(__func__, context ? "only version 0 contexts are supported"
						: "NULL context");
		return NULL;
	}
	s = cf_object_alloc(&cf_runloop_source_class, sizeof(*s), 0);
	if (!s)
		return NULL;
	s->order = order;
	s->ctx = *context;
	s->fd = -1;
	atomic_init(&s->signaled, false);
	atomic_init(&s->valid, true);
	if (s->ctx.retain)
		s->ctx.info = (void *)s->ctx.retain(s->ctx.info);
	return s;
}

CFRunLoopSourceRef iok_cf_runloop_source_create_fd(int fd, void (*perform)(void *info),
						   void *info)
{
	CFRunLoopSourceRef s;
	int dup;

	if (fd < 0 || !perform)
		return NULL;
	dup = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	if (dup < 0)
		return NULL;
	s = cf_object_alloc(&cf_runloop_source_class, sizeof(*s), 0);
	if (!s) {
		close(dup);
		return NULL;
	}
	s->fd = dup;
	s->fd_perform = perform;
	s->fd_info = info;
	atomic_init(&s->signaled, false);
	atomic_init(&s->valid, true);
	return s;
}

IOK_EXPORT CFIndex CFRunLoopSourceGetOrder(CFRunLoopSourceRef source)
{
	return check(source, &cf_runloop_source_class, __func__) ? source->order : 0;
}

IOK_EXPORT void CFRunLoopSourceInvalidate(CFRunLoopSourceRef source)
{
	struct rl_defer d = { NULL, 0, 0 };

	if (!check(source, &cf_runloop_source_class, __func__))
		return;
	CFRetain(source);
	pthread_mutex_lock(&rl_lock);
	if (atomic_exchange(&source->valid, false)) {
		for (size_t i = 0; i < n_all_loops; i++)
			remove_all_of(all_loops[i], source, &d);
		if (source->fd >= 0) {
			close(source->fd);
			source->fd = -1;
		}
	}
	pthread_mutex_unlock(&rl_lock);
	defer_run(&d);
	CFRelease(source);
}

IOK_EXPORT Boolean CFRunLoopSourceIsValid(CFRunLoopSourceRef source)
{
	return check(source, &cf_runloop_source_class, __func__) && atomic_load(&source->valid);
}

IOK_EXPORT void CFRunLoopSourceGetContext(CFRunLoopSourceRef source,
					  CFRunLoopSourceContext *context)
{
	if (!check(source, &cf_runloop_source_class, __func__) || !context)
		return;
	*context = source->ctx;
	if (source->fd_perform)
		context->info = source->fd_info;
}

IOK_EXPORT void CFRunLoopSourceSignal(CFRunLoopSourceRef source)
{
	if (check(source, &cf_runloop_source_class, __func__) && atomic_load(&source->valid))
		atomic_store(&source->signaled, true);
}

/* ---- timers ------------------------------------------------------------------- */

static void timer_finalize(CFTypeRef cf)
{
	CFRunLoopTimerRef t = (CFRunLoopTimerRef)cf;

	if (t->ctx.release)
		t->ctx.release(t->ctx.info);
}

IOK_EXPORT CFRunLoopTimerRef CFRunLoopTimerCreate(CFAllocatorRef allocator,
						  CFAbsoluteTime fireDate,
						  CFTimeInterval interval, CFOptionFlags flags,
						  CFIndex order, CFRunLoopTimerCallBack callout,
						  CFRunLoopTimerContext *context)
{
	CFRunLoopTimerRef t;

	if (!callout) {
		cf_log_misuse(__func__, "NULL callout");
		return NULL;
	}
	t = cf_object_alloc(&cf_runloop_timer_class, sizeof(*t), 0);
	if (!t)
		return NULL;
	t->order = order;
	t->callout = callout;
	if (context)
		t->ctx = *context;
	if (t->ctx.retain)
		t->ctx.info = (void *)t->ctx.retain(t->ctx.info);
	t->fire = fireDate;
	t->interval = interval > 0 ? interval : 0;
	atomic_init(&t->valid, true);
	return t;
}

IOK_EXPORT CFAbsoluteTime CFRunLoopTimerGetNextFireDate(CFRunLoopTimerRef timer)
{
	CFAbsoluteTime fire;

	if (!check(timer, &cf_runloop_timer_class, __func__))
		return 0;
	pthread_mutex_lock(&rl_lock);
	fire = timer->fire;
	pthread_mutex_unlock(&rl_lock);
	return fire;
}

IOK_EXPORT void CFRunLoopTimerSetNextFireDate(CFRunLoopTimerRef timer, CFAbsoluteTime fireDate)
{
	CFRunLoopRef rl;

	if (!check(timer, &cf_runloop_timer_class, __func__))
		return;
	pthread_mutex_lock(&rl_lock);
	timer->fire = fireDate;
	timer->reset_seq++;
	rl = timer->loop ? (CFRunLoopRef)CFRetain(timer->loop) : NULL;
	pthread_mutex_unlock(&rl_lock);
	if (rl) {
		CFRunLoopWakeUp(rl);
		CFRelease(rl);
	}
}

IOK_EXPORT CFTimeInterval CFRunLoopTimerGetInterval(CFRunLoopTimerRef timer)
{
	return check(timer, &cf_runloop_timer_class, __func__) ? timer->interval : 0;
}

IOK_EXPORT Boolean CFRunLoopTimerDoesRepeat(CFRunLoopTimerRef timer)
{
	return check(timer, &cf_runloop_timer_class, __func__) && timer->interval > 0;
}

IOK_EXPORT CFIndex CFRunLoopTimerGetOrder(CFRunLoopTimerRef timer)
{
	return check(timer, &cf_runloop_timer_class, __func__) ? timer->order : 0;
}

IOK_EXPORT void CFRunLoopTimerInvalidate(CFRunLoopTimerRef timer)
{
	struct rl_defer d = { NULL, 0, 0 };

	if (!check(timer, &cf_runloop_timer_class, __func__))
		return;
	CFRetain(timer);
	pthread_mutex_lock(&rl_lock);
	if (atomic_load(&timer->valid))
		timer_invalidate_locked(timer, &d);
	pthread_mutex_unlock(&rl_lock);
	defer_run(&d);
	CFRelease(timer);
}

IOK_EXPORT Boolean CFRunLoopTimerIsValid(CFRunLoopTimerRef timer)
{
	return check(timer, &cf_runloop_timer_class, __func__) && atomic_load(&timer->valid);
}

IOK_EXPORT void CFRunLoopTimerGetContext(CFRunLoopTimerRef timer, CFRunLoopTimerContext *context)
{
	if (check(timer, &cf_runloop_timer_class, __func__) && context)
		*context = timer->ctx;
}

IOK_EXPORT CFTimeInterval CFRunLoopTimerGetTolerance(CFRunLoopTimerRef timer)
{
	CFTimeInterval tol;

	if (!check(timer, &cf_runloop_timer_class, __func__))
		return 0;
	pthread_mutex_lock(&rl_lock);
	tol = timer->tolerance;
	pthread_mutex_unlock(&rl_lock);
	return tol;
}

IOK_EXPORT void CFRunLoopTimerSetTolerance(CFRunLoopTimerRef timer, CFTimeInterval tolerance)
{
	if (!check(timer, &cf_runloop_timer_class, __func__))
		return;
	pthread_mutex_lock(&rl_lock);
	timer->tolerance = tolerance > 0 ? tolerance : 0;
	pthread_mutex_unlock(&rl_lock);
}
