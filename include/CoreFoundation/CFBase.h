/* SPDX-License-Identifier: MIT */
/*
 * CoreFoundation/CFBase.h - the base of OpenIOKit's CoreFoundation subset:
 * MacTypes-style integers, CFIndex/CFRange, CFTypeRef, allocators and the
 * polymorphic functions every CF object answers to (retain, release,
 * equality, hashing, descriptions).  Names, types and values are Apple's
 * (LP64).
 */
#ifndef __COREFOUNDATION_CFBASE__
#define __COREFOUNDATION_CFBASE__

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdarg.h>

#include <TargetConditionals.h>
#include <Availability.h>
#include <os/availability.h>
#include <MacTypes.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Annotation macros (no-ops here) ---------------------------------- */

#ifndef CF_EXPORT
#define CF_EXPORT extern
#endif
#ifndef CF_INLINE
#define CF_INLINE static inline
#endif
#define CF_EXTERN_C_BEGIN
#define CF_EXTERN_C_END
#define CF_RETURNS_RETAINED
#define CF_RETURNS_NOT_RETAINED
#define CF_RELEASES_ARGUMENT
#define CF_CONSUMED
#define CF_NOESCAPE
#define CF_IMPLICIT_BRIDGING_ENABLED
#define CF_IMPLICIT_BRIDGING_DISABLED
#define CF_ASSUME_NONNULL_BEGIN
#define CF_ASSUME_NONNULL_END
#define CF_BRIDGED_TYPE(T)
#define CF_BRIDGED_MUTABLE_TYPE(T)
#define CF_RELATED_TYPE(T, C, I)
#define CF_SWIFT_NAME(N)
#define CF_REFINED_FOR_SWIFT
#define CF_AUTOMATED_REFCOUNT_UNAVAILABLE
#define CF_FORMAT_FUNCTION(F, A)
#define CF_FORMAT_ARGUMENT(A)
#define CF_AVAILABLE(mac, ios)
#define CF_AVAILABLE_MAC(mac)
#define CF_AVAILABLE_IOS(ios)
#define CF_DEPRECATED(a, b, c, d)
#define CF_DEPRECATED_MAC(a, b)
#define CF_ENUM_AVAILABLE(mac, ios)
#define CF_ENUM_DEPRECATED(a, b, c, d)
#ifndef API_AVAILABLE
#define API_AVAILABLE(...)
#endif
#ifndef API_DEPRECATED
#define API_DEPRECATED(...)
#endif
#ifndef API_UNAVAILABLE
#define API_UNAVAILABLE(...)
#endif

/* Nullability qualifiers are a clang extension; let other compilers skip them. */
#if !defined(__clang__)
#ifndef _Nullable
#define _Nullable
#endif
#ifndef _Nonnull
#define _Nonnull
#endif
#ifndef _Null_unspecified
#define _Null_unspecified
#endif
#endif

/*
 * CF_ENUM/CF_OPTIONS: "typedef CF_ENUM(CFIndex, Name) { ... };" declares
 * Name as the integer type plus an anonymous enum of its values, which is
 * valid C11 and C++.
 */
#define CF_ENUM(_type, _name) _type _name; enum
#define CF_OPTIONS(_type, _name) _type _name; enum
#define CF_CLOSED_ENUM(_type, _name) CF_ENUM(_type, _name)

#if !defined(TRUE)
#define TRUE 1
#endif
#if !defined(FALSE)
#define FALSE 0
#endif

/* ---- MacTypes ----------------------------------------------------------- */

/* UInt8 ... SInt64, Boolean, OSStatus, UniChar: <MacTypes.h>. */

/* ---- Base CF types ------------------------------------------------------ */

typedef unsigned long CFTypeID;
typedef unsigned long CFOptionFlags;
typedef unsigned long CFHashCode;
typedef signed long CFIndex;

typedef const void *CFTypeRef;
typedef CFTypeRef CFPropertyListRef;

typedef const struct __CFString *CFStringRef;
typedef struct __CFString *CFMutableStringRef;

typedef const struct __CFAllocator *CFAllocatorRef;
typedef const struct __CFNull *CFNullRef;

typedef CF_ENUM(CFIndex, CFComparisonResult) {
	kCFCompareLessThan = -1L,
	kCFCompareEqualTo = 0,
	kCFCompareGreaterThan = 1
};

typedef CFComparisonResult (*CFComparatorFunction)(const void *val1, const void *val2,
						    void *context);

static const CFIndex kCFNotFound = -1;

typedef struct {
	CFIndex location;
	CFIndex length;
} CFRange;

CF_INLINE CFRange CFRangeMake(CFIndex loc, CFIndex len)
{
	CFRange range;

	range.location = loc;
	range.length = len;
	return range;
}

CF_EXPORT CFRange __CFRangeMake(CFIndex loc, CFIndex len);

/* ---- CFNull -------------------------------------------------------------- */

CF_EXPORT CFTypeID CFNullGetTypeID(void);
CF_EXPORT const CFNullRef kCFNull;

/* ---- Allocators ------------------------------------------------------------
 * Every CF object in OpenIOKit lives in the C heap; the allocator argument of
 * the creation functions is accepted and otherwise ignored.  kCFAllocatorNull
 * keeps its meaning for the *NoCopy functions: the bytes are not freed.
 */

CF_EXPORT const CFAllocatorRef kCFAllocatorDefault;		/* NULL */
CF_EXPORT const CFAllocatorRef kCFAllocatorSystemDefault;
CF_EXPORT const CFAllocatorRef kCFAllocatorMalloc;
CF_EXPORT const CFAllocatorRef kCFAllocatorMallocZone;
CF_EXPORT const CFAllocatorRef kCFAllocatorNull;
CF_EXPORT const CFAllocatorRef kCFAllocatorUseContext;

CF_EXPORT CFTypeID CFAllocatorGetTypeID(void);
CF_EXPORT CFAllocatorRef CFAllocatorGetDefault(void);
CF_EXPORT void *CFAllocatorAllocate(CFAllocatorRef allocator, CFIndex size, CFOptionFlags hint);
CF_EXPORT void *CFAllocatorReallocate(CFAllocatorRef allocator, void *ptr, CFIndex newsize,
				      CFOptionFlags hint);
CF_EXPORT void CFAllocatorDeallocate(CFAllocatorRef allocator, void *ptr);

/* ---- Polymorphic functions -------------------------------------------- */

CF_EXPORT CFTypeID CFGetTypeID(CFTypeRef cf);
CF_EXPORT CFStringRef CFCopyTypeIDDescription(CFTypeID type_id);
CF_EXPORT CFTypeRef CFRetain(CFTypeRef cf);
CF_EXPORT void CFRelease(CFTypeRef cf);
CF_EXPORT CFTypeRef CFAutorelease(CFTypeRef arg);	/* no pool: returns arg */
CF_EXPORT CFTypeRef CFMakeCollectable(CFTypeRef cf);	/* returns cf */
CF_EXPORT CFIndex CFGetRetainCount(CFTypeRef cf);
CF_EXPORT Boolean CFEqual(CFTypeRef cf1, CFTypeRef cf2);
CF_EXPORT CFHashCode CFHash(CFTypeRef cf);
CF_EXPORT CFStringRef CFCopyDescription(CFTypeRef cf);
CF_EXPORT CFAllocatorRef CFGetAllocator(CFTypeRef cf);

#ifdef __cplusplus
}
#endif

#endif /* __COREFOUNDATION_CFBASE__ */
