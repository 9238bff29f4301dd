/* SPDX-License-Identifier: MIT */
/* IOKit/IOTypes.h - basic IOKit types for user space, as on macOS (LP64). */
#ifndef __IOKIT_IOTYPES_H
#define __IOKIT_IOTYPES_H

#include <stdint.h>
#include <stdbool.h>
#include <inttypes.h>
#include <libkern/OSTypes.h>
#include <mach/boolean.h>
#include <mach/port.h>
#include <mach/vm_types.h>
#include <device/device_types.h>
#include <IOKit/IOReturn.h>
#include <IOKit/IOMapTypes.h>

#ifndef NULL
#ifdef __cplusplus
#define NULL 0
#else
#define NULL ((void *)0)
#endif
#endif

#ifdef __cplusplus
extern "C" {
#endif

typedef UInt32 IOOptionBits;
typedef SInt32 IOFixed;
typedef UInt32 IOVersion;
typedef UInt32 IOItemCount;
typedef UInt32 IOCacheMode;
typedef UInt32 IOByteCount32;
typedef UInt64 IOByteCount64;
typedef UInt32 IOPhysicalAddress32;
typedef UInt64 IOPhysicalAddress64;
typedef UInt32 IOPhysicalLength32;
typedef UInt64 IOPhysicalLength64;

#if !defined(__arm__) && !defined(__i386__)
typedef mach_vm_address_t IOVirtualAddress;
#else
typedef vm_address_t IOVirtualAddress;
#endif

/*
 * As in Apple's user-space headers: byte counts and physical addresses are
 * 32-bit on x86 (x86_64 included) and 64-bit on 64-bit ARM.
 */
#if !defined(__arm__) && !defined(__i386__) && !defined(__x86_64__) && \
	!(defined(__aarch64__) && !defined(__LP64__))
typedef IOByteCount64 IOByteCount;
#define PRIIOByteCount PRIu64
#else
typedef IOByteCount32 IOByteCount;
#define PRIIOByteCount PRIu32
#endif

typedef IOVirtualAddress IOLogicalAddress;

#if !defined(__arm__) && !defined(__i386__) && !defined(__x86_64__)
typedef IOPhysicalAddress64 IOPhysicalAddress;
typedef IOPhysicalLength64 IOPhysicalLength;
#define IOPhysical32(hi, lo) ((UInt64)(lo) + ((UInt64)(hi) << 32))
#define IOPhysSize 64
#else
typedef IOPhysicalAddress32 IOPhysicalAddress;
typedef IOPhysicalLength32 IOPhysicalLength;
#define IOPhysical32(hi, lo) (lo)
#define IOPhysSize 32
#endif

typedef uint64_t IOAddressRangeAddress;

typedef struct {
	IOPhysicalAddress address;
	IOByteCount length;
} IOPhysicalRange;

typedef struct {
	IOVirtualAddress address;
	IOByteCount length;
} IOVirtualRange;

#if !defined(__arm__) && !defined(__i386__)
typedef IOVirtualRange IOAddressRange;
#else
typedef struct {
	mach_vm_address_t address;
	mach_vm_size_t length;
} IOAddressRange;
#endif

typedef unsigned int IOAlignment;

typedef struct {
	int value;
	const char *name;
} IONamedValue;

typedef io_object_t io_connect_t;
typedef io_object_t io_enumerator_t;
typedef io_object_t io_ident_t;
typedef io_object_t io_iterator_t;
typedef io_object_t io_registry_entry_t;
typedef io_object_t io_service_t;
typedef io_object_t uext_object_t;

#define IO_OBJECT_NULL ((io_object_t) 0)

/* Durations (as in IOKit: scale factors for AbsoluteTime helpers). */
enum {
	kNanosecondScale = 1,
	kMicrosecondScale = 1000,
	kMillisecondScale = 1000 * 1000,
	kSecondScale = 1000 * 1000 * 1000,
	kTickScale = (kSecondScale / 100)
};

enum {
	kIOConnectMethodVarOutputSize = -3
};

/* Bus stall limits a driver may request (IOService::setBusStall...). */
enum {
	kIOMaxBusStall40usec = 40000,
	kIOMaxBusStall30usec = 30000,
	kIOMaxBusStall25usec = 25000,
	kIOMaxBusStall20usec = 20000,
	kIOMaxBusStall10usec = 10000,
	kIOMaxBusStall5usec = 5000,
	kIOMaxBusStallNone = 0
};

#ifdef __cplusplus
}
#endif

#endif /* __IOKIT_IOTYPES_H */
