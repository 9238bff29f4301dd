/* SPDX-License-Identifier: MIT */
/*
 * CoreFoundation/CFRunLoop.h - run loops: one per thread, waiting for
 * their sources (and timers) and calling them back on that thread.
 *
 * OpenIOKit's run loop waits with epoll: a notification port's run-loop
 * source (IONotificationPortGetRunLoopSource) is readable-descriptor
 * driven; a source made with CFRunLoopSourceCreate (version 0 context) is
 * performed after CFRunLoopSourceSignal, once the loop is woken
 * (CFRunLoopWakeUp) or next looks.  Timers fire from the loop too.
 * Version 1 (Mach port) sources and observers are not provided.
 * kCFRunLoopCommonModes stands for every mode in the loop's common set
 * (kCFRunLoopDefaultMode and those added with CFRunLoopAddCommonMode).
 */
#ifndef __COREFOUNDATION_CFRUNLOOP__
#define __COREFOUNDATION_CFRUNLOOP__ 1

#include <CoreFoundation/CFBase.h>
#include <CoreFoundation/CFArray.h>
#include <CoreFoundation/CFDate.h>
#include <CoreFoundation/CFString.h>
#include <mach/port.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct __CFRunLoop *CFRunLoopRef;
typedef struct __CFRunLoopSource *CFRunLoopSourceRef;
typedef struct __CFRunLoopObserver *CFRunLoopObserverRef;
typedef struct __CFRunLoopTimer *CFRunLoopTimerRef;

/* Why CFRunLoopRunInMode returned. */
enum {
	kCFRunLoopRunFinished = 1,       /* the mode has no sources or timers */
	kCFRunLoopRunStopped = 2,        /* CFRunLoopStop */
	kCFRunLoopRunTimedOut = 3,       /* seconds elapsed */
	kCFRunLoopRunHandledSource = 4   /* returnAfterSourceHandled and one was */
};

typedef CF_OPTIONS(CFOptionFlags, CFRunLoopActivity) {
	kCFRunLoopEntry = (1UL << 0),
	kCFRunLoopBeforeTimers = (1UL << 1),
	kCFRunLoopBeforeSources = (1UL << 2),
	kCFRunLoopBeforeWaiting = (1UL << 5),
	kCFRunLoopAfterWaiting = (1UL << 6),
	kCFRunLoopExit = (1UL << 7),
	kCFRunLoopAllActivities = 0x0FFFFFFFU
};

CF_EXPORT const CFStringRef kCFRunLoopDefaultMode;
CF_EXPORT const CFStringRef kCFRunLoopCommonModes;

CF_EXPORT CFTypeID CFRunLoopGetTypeID(void);
/* The calling thread's loop (made on first use, released at thread exit). */
CF_EXPORT CFRunLoopRef CFRunLoopGetCurrent(void);
/* The main thread's loop, from any thread. */
CF_EXPORT CFRunLoopRef CFRunLoopGetMain(void);
/* The mode the loop is running in (a new reference), or NULL. */
CF_EXPORT CFStringRef CFRunLoopCopyCurrentMode(CFRunLoopRef rl);
/* The modes the loop knows (a new array of strings). */
CF_EXPORT CFArrayRef CFRunLoopCopyAllModes(CFRunLoopRef rl);
CF_EXPORT void CFRunLoopAddCommonMode(CFRunLoopRef rl, CFStringRef mode);
/* The earliest fire date of the mode's timers, or 0 if none. */
CF_EXPORT CFAbsoluteTime CFRunLoopGetNextTimerFireDate(CFRunLoopRef rl, CFStringRef mode);

/* Runs the current thread's loop in the default mode until it is stopped
 * or has nothing left to wait for. */
CF_EXPORT void CFRunLoopRun(void);
/* Runs the current thread's loop in mode for up to seconds (0: one pass);
 * returns one of kCFRunLoopRun*. */
CF_EXPORT SInt32 CFRunLoopRunInMode(CFStringRef mode, CFTimeInterval seconds,
				    Boolean returnAfterSourceHandled);
CF_EXPORT Boolean CFRunLoopIsWaiting(CFRunLoopRef rl);
/* Any thread: makes a waiting loop look at its sources again. */
CF_EXPORT void CFRunLoopWakeUp(CFRunLoopRef rl);
/* Any thread: makes the innermost running CFRunLoopRunInMode of rl return
 * kCFRunLoopRunStopped. */
CF_EXPORT void CFRunLoopStop(CFRunLoopRef rl);

CF_EXPORT Boolean CFRunLoopContainsSource(CFRunLoopRef rl, CFRunLoopSourceRef source,
					  CFStringRef mode);
/* The loop retains the source while it holds it. */
CF_EXPORT void CFRunLoopAddSource(CFRunLoopRef rl, CFRunLoopSourceRef source, CFStringRef mode);
CF_EXPORT void CFRunLoopRemoveSource(CFRunLoopRef rl, CFRunLoopSourceRef source,
				     CFStringRef mode);

CF_EXPORT Boolean CFRunLoopContainsTimer(CFRunLoopRef rl, CFRunLoopTimerRef timer,
					 CFStringRef mode);
CF_EXPORT void CFRunLoopAddTimer(CFRunLoopRef rl, CFRunLoopTimerRef timer, CFStringRef mode);
CF_EXPORT void CFRunLoopRemoveTimer(CFRunLoopRef rl, CFRunLoopTimerRef timer, CFStringRef mode);

typedef struct {
	CFIndex version;
	void *info;
	const void *(*retain)(const void *info);
	void (*release)(const void *info);
	CFStringRef (*copyDescription)(const void *info);
	Boolean (*equal)(const void *info1, const void *info2);
	CFHashCode (*hash)(const void *info);
	void (*schedule)(void *info, CFRunLoopRef rl, CFStringRef mode);
	void (*cancel)(void *info, CFRunLoopRef rl, CFStringRef mode);
	void (*perform)(void *info);
} CFRunLoopSourceContext;

typedef struct {
	CFIndex version;
	void *info;
	const void *(*retain)(const void *info);
	void (*release)(const void *info);
	CFStringRef (*copyDescription)(const void *info);
	Boolean (*equal)(const void *info1, const void *info2);
	CFHashCode (*hash)(const void *info);
	mach_port_t (*getPort)(void *info);
	void *(*perform)(void *msg, CFIndex size, CFAllocatorRef allocator, void *info);
} CFRunLoopSourceContext1;

CF_EXPORT CFTypeID CFRunLoopSourceGetTypeID(void);
/* context->version must be 0 (NULL is returned otherwise). */
CF_EXPORT CFRunLoopSourceRef CFRunLoopSourceCreate(CFAllocatorRef allocator, CFIndex order,
						   CFRunLoopSourceContext *context);
CF_EXPORT CFIndex CFRunLoopSourceGetOrder(CFRunLoopSourceRef source);
/* Removes the source from every loop and mode; it never fires again. */
CF_EXPORT void CFRunLoopSourceInvalidate(CFRunLoopSourceRef source);
CF_EXPORT Boolean CFRunLoopSourceIsValid(CFRunLoopSourceRef source);
CF_EXPORT void CFRunLoopSourceGetContext(CFRunLoopSourceRef source,
					 CFRunLoopSourceContext *context);
/* Marks the source ready: a loop running a mode that holds it calls its
 * perform once.  Call CFRunLoopWakeUp for a loop that may be waiting. */
CF_EXPORT void CFRunLoopSourceSignal(CFRunLoopSourceRef source);

typedef struct {
	CFIndex version;
	void *info;
	const void *(*retain)(const void *info);
	void (*release)(const void *info);
	CFStringRef (*copyDescription)(const void *info);
} CFRunLoopTimerContext;

typedef void (*CFRunLoopTimerCallBack)(CFRunLoopTimerRef timer, void *info);

CF_EXPORT CFTypeID CFRunLoopTimerGetTypeID(void);
/* interval 0: fires once, then is invalidated.  A timer may be in one
 * loop (in several modes). */
CF_EXPORT CFRunLoopTimerRef CFRunLoopTimerCreate(CFAllocatorRef allocator,
						 CFAbsoluteTime fireDate,
						 CFTimeInterval interval, CFOptionFlags flags,
						 CFIndex order, CFRunLoopTimerCallBack callout,
						 CFRunLoopTimerContext *context);
CF_EXPORT CFAbsoluteTime CFRunLoopTimerGetNextFireDate(CFRunLoopTimerRef timer);
CF_EXPORT void CFRunLoopTimerSetNextFireDate(CFRunLoopTimerRef timer, CFAbsoluteTime fireDate);
CF_EXPORT CFTimeInterval CFRunLoopTimerGetInterval(CFRunLoopTimerRef timer);
CF_EXPORT Boolean CFRunLoopTimerDoesRepeat(CFRunLoopTimerRef timer);
CF_EXPORT CFIndex CFRunLoopTimerGetOrder(CFRunLoopTimerRef timer);
CF_EXPORT void CFRunLoopTimerInvalidate(CFRunLoopTimerRef timer);
CF_EXPORT Boolean CFRunLoopTimerIsValid(CFRunLoopTimerRef timer);
CF_EXPORT void CFRunLoopTimerGetContext(CFRunLoopTimerRef timer, CFRunLoopTimerContext *context);
CF_EXPORT CFTimeInterval CFRunLoopTimerGetTolerance(CFRunLoopTimerRef timer);
CF_EXPORT void CFRunLoopTimerSetTolerance(CFRunLoopTimerRef timer, CFTimeInterval tolerance);

#ifdef __cplusplus
}
#endif

#endif /* __COREFOUNDATION_CFRUNLOOP__ */
