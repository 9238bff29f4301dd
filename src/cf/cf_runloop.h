/* SPDX-License-Identifier: MIT */
/*
 * cf_runloop.h - private entry points of the CFRunLoop implementation for
 * the rest of libiokit (not installed, not exported).
 */
#ifndef IOK_CF_RUNLOOP_H
#define IOK_CF_RUNLOOP_H

#include <CoreFoundation/CFRunLoop.h>

/*
 * A new run-loop source (one reference, the caller's) driven by a
 * descriptor: once the source is in a loop, in a mode the loop runs, the
 * loop calls perform(info) on its own thread whenever fd is readable.
 * Readiness is level-triggered: perform should drain what it can; if fd
 * is still readable afterwards, perform runs again on the next pass.
 * fd stays the caller's: the source keeps its own duplicate, closed when
 * the source is invalidated or freed.  NULL on failure (bad fd, no
 * memory).  CFRunLoopSourceSignal works on such a source too.
 */
CFRunLoopSourceRef iok_cf_runloop_source_create_fd(int fd, void (*perform)(void *info),
						   void *info);

#endif /* IOK_CF_RUNLOOP_H */
