/* SPDX-License-Identifier: MIT */
/*
 * IOKit/IOCFSerialize.h - CoreFoundation property trees to the text IOKit
 * exchanges with the kernel (Apple's XML-like format: <dict>, <key>,
 * <string>, <integer size="32">0x2a</integer>, <data> in base64, <array>,
 * <true/>, ID/IDREF for shared objects), or with kIOCFSerializeToBinary to
 * Apple's binary format (OSSerializeBinary, signature 0xD3).
 */
#ifndef __IOKIT_IOCFSERIALIZE_H
#define __IOKIT_IOCFSERIALIZE_H

#include <CoreFoundation/CFBase.h>
#include <CoreFoundation/CFData.h>

#ifdef __cplusplus
extern "C" {
#endif

enum {
	kIOCFSerializeToBinary = 0x00000001
};

/* A new CFData (the text ends with a NUL byte), or NULL: no object, other
 * option bits, or a number with a fraction (text). */
CF_RETURNS_RETAINED
CFDataRef IOCFSerialize(CFTypeRef object, CFOptionFlags options);

#ifdef __cplusplus
}
#endif

#endif /* __IOKIT_IOCFSERIALIZE_H */
