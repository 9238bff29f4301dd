/* SPDX-License-Identifier: MIT */
/*
 * IOKit/IOCFUnserialize.h - IOKit's serialized property trees back to
 * CoreFoundation objects: the XML-like text IOCFSerialize writes (and the
 * kernel's OSSerialize), and the binary format.  On success *errorString
 * is set to NULL; on failure NULL is returned and *errorString (when
 * errorString is not NULL) is a new string saying what went wrong.
 */
#ifndef __IOKIT_IOCFUNSERIALIZE_H
#define __IOKIT_IOCFUNSERIALIZE_H

#include <stddef.h>
#include <CoreFoundation/CFBase.h>
#include <CoreFoundation/CFString.h>

#ifdef __cplusplus
extern "C" {
#endif

/* buffer: NUL-terminated text; options must be 0. */
CF_RETURNS_RETAINED
CFTypeRef IOCFUnserialize(const char *buffer, CFAllocatorRef allocator, CFOptionFlags options,
			  CFStringRef *errorString);

CF_RETURNS_RETAINED
CFTypeRef IOCFUnserializeBinary(const char *buffer, size_t bufferSize, CFAllocatorRef allocator,
				CFOptionFlags options, CFStringRef *errorString);

/* Binary when the buffer starts with a binary signature (or options has
 * kIOCFSerializeToBinary), text otherwise. */
CF_RETURNS_RETAINED
CFTypeRef IOCFUnserializeWithSize(const char *buffer, size_t bufferSize,
				  CFAllocatorRef allocator, CFOptionFlags options,
				  CFStringRef *errorString);

#ifdef __cplusplus
}
#endif

#endif /* __IOKIT_IOCFUNSERIALIZE_H */
