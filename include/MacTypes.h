/* SPDX-License-Identifier: MIT */
/*
 * MacTypes.h - the basic Mac types of Apple's SDK that IOKit and
 * CoreFoundation code uses: fixed-width integers (UInt8 ... SInt64),
 * Boolean, OSErr / OSStatus, four-character codes, byte counts, Pascal
 * strings.  Names and sizes are Apple's (LP64).  The QuickDraw types
 * (Point, Rect, ...), `wide` and `nil` are left out: nothing here needs
 * them and their names are common in Linux programs.
 */
#ifndef __MACTYPES__
#define __MACTYPES__

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef NULL
#ifdef __cplusplus
#define NULL 0
#else
#define NULL ((void *)0)
#endif
#endif

typedef unsigned char UInt8;
typedef signed char SInt8;
typedef unsigned short UInt16;
typedef signed short SInt16;
typedef unsigned int UInt32;
typedef signed int SInt32;
/*
 * On macOS uint64_t is unsigned long long, the same type as UInt64, and
 * code passes UInt64 * where IOKit takes uint64_t *.  On LP64 Linux
 * uint64_t is unsigned long: defining UInt64 as uint64_t keeps the two
 * interchangeable, as they are on macOS.
 */
typedef uint64_t UInt64;
typedef int64_t SInt64;

typedef struct UnsignedWide {
	UInt32 lo;
	UInt32 hi;
} UnsignedWide;

typedef SInt32 Fixed;
typedef Fixed *FixedPtr;
typedef SInt32 Fract;
typedef Fract *FractPtr;
typedef UInt32 UnsignedFixed;
typedef short ShortFixed;

typedef float Float32;
typedef double Float64;

typedef char *Ptr;
typedef Ptr *Handle;
typedef long Size;

typedef SInt16 OSErr;
typedef SInt32 OSStatus;
typedef void *LogicalAddress;
typedef const void *ConstLogicalAddress;
typedef void *PhysicalAddress;
typedef UInt8 *BytePtr;
typedef unsigned long ByteCount;
typedef unsigned long ByteOffset;
typedef SInt32 Duration;
typedef UnsignedWide AbsoluteTime;
typedef UInt32 OptionBits;
typedef unsigned long ItemCount;
typedef UInt32 PBVersion;
typedef SInt16 ScriptCode;
typedef SInt16 LangCode;
typedef SInt16 RegionCode;
typedef UInt32 FourCharCode;
typedef FourCharCode OSType;
typedef FourCharCode ResType;
typedef OSType *OSTypePtr;
typedef ResType *ResTypePtr;

typedef unsigned char Boolean;

typedef long (*ProcPtr)(void);
typedef ProcPtr *ProcHandle;

typedef UInt32 UnicodeScalarValue;
typedef UInt32 UTF32Char;
typedef UInt16 UniChar;
typedef UInt16 UTF16Char;
typedef UInt8 UTF8Char;
typedef UniChar *UniCharPtr;
typedef unsigned long UniCharCount;
typedef UniCharCount *UniCharCountPtr;

typedef unsigned char Str255[256];
typedef unsigned char Str63[64];
typedef unsigned char Str32[33];
typedef unsigned char Str31[32];
typedef unsigned char Str27[28];
typedef unsigned char Str15[16];
typedef unsigned char *StringPtr;
typedef StringPtr *StringHandle;
typedef const unsigned char *ConstStringPtr;
typedef const unsigned char *ConstStr255Param;
typedef const unsigned char *ConstStr63Param;
typedef const unsigned char *ConstStr32Param;
typedef const unsigned char *ConstStr31Param;
typedef const unsigned char *ConstStr27Param;
typedef const unsigned char *ConstStr15Param;

typedef UInt8 Byte;
typedef SInt8 SignedByte;

typedef struct NumVersion {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	UInt8 majorRev;
	UInt8 minorAndBugRev;
	UInt8 stage;
	UInt8 nonRelRev;
#else
	UInt8 nonRelRev;
	UInt8 stage;
	UInt8 minorAndBugRev;
	UInt8 majorRev;
#endif
} NumVersion;

enum {
	noErr = 0
};

enum {
	kNilOptions = 0
};

#define kInvalidID 0

enum {
	kVariableLengthArray = 1
};

enum {
	kUnknownType = 0x3F3F3F3F /* '????' */
};

#ifdef __cplusplus
}
#endif

#endif /* __MACTYPES__ */
