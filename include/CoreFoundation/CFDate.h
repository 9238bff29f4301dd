/* SPDX-License-Identifier: MIT */
/*
 * CoreFoundation/CFDate.h - time as CoreFoundation counts it: seconds
 * (a double) relative to the absolute reference date, 1 Jan 2001 00:00:00
 * UTC.  OpenIOKit's subset has the types, the reference-date constants
 * and CFAbsoluteTimeGetCurrent (what run-loop timers need); there are no
 * CFDate objects.
 */
#ifndef __COREFOUNDATION_CFDATE__
#define __COREFOUNDATION_CFDATE__

#include <CoreFoundation/CFBase.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef double CFTimeInterval;
typedef CFTimeInterval CFAbsoluteTime;

/* Seconds from 1 Jan 1970 (and 1 Jan 1904) to the reference date. */
CF_EXPORT const CFTimeInterval kCFAbsoluteTimeIntervalSince1970;
CF_EXPORT const CFTimeInterval kCFAbsoluteTimeIntervalSince1904;

/* The current wall-clock time. */
CF_EXPORT CFAbsoluteTime CFAbsoluteTimeGetCurrent(void);

#ifdef __cplusplus
}
#endif

#endif /* __COREFOUNDATION_CFDATE__ */
