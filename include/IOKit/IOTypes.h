/* SPDX-License-Identifier: MIT */
/* IOKit/IOTypes.h - basic IOKit types for user space, as on macOS (LP64). */
#ifndef __IOKIT_IOTYPES_H
#define __IOKIT_IOTYPES_H

#include <stdint.h>
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

typedef uint32_t IOOptionBits;
typedef int32_t IOFixed;
typedef uint32_t IOVersion;
typedef uint32_t IOItemCount;
typedef uint32_t IOCacheMode;
typedef uint32_t IOByteCount32;
typedef uint64_t IOByteCount64;
typedef uint32_t IOPhysicalAddress32;
typedef uint64_t IOPhysicalAddress64;
typedef uint32_t IOPhysicalLength32;
typedef uint64_t IOPhysicalLength64;
typedef mach_vm_address_t IOVirtualAddress;
typedef IOVirtualAddress IOLogicalAddress;
typedef uint64_t IOPhysicalAddress;
typedef uint64_t IOPhysicalLength;
typedef uint64_t IOByteCount;
typedef uint64_t IOAddressRangeAddress;
typedef unsigned int IOAlignment;

typedef struct {
	IOPhysicalAddress address;
	IOByteCount length;
} IOPhysicalRange;

typedef struct {
	IOVirtualAddress address;
	IOByteCount length;
} IOVirtualRange;

typedef struct {
	mach_vm_address_t address;
	mach_vm_size_t length;
} IOAddressRange;

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

#ifdef __cplusplus
}
#endif

#endif /* __IOKIT_IOTYPES_H */
