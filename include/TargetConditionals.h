/* SPDX-License-Identifier: MIT */
/*
 * TargetConditionals.h - the TARGET_* switches of Apple's SDK.
 *
 * OpenIOKit lets code written for macOS build unchanged, so the target
 * reads as macOS (TARGET_OS_MAC and TARGET_OS_OSX are 1, the other
 * platforms 0).  TARGET_OS_LINUX is 0 too, as in Apple's header, so that
 * code choosing "the Mac path" takes it; a program that wants to know it
 * is really on Linux tests __linux__.  Every switch can be predefined on
 * the command line (-DTARGET_OS_LINUX=1).  The CPU and runtime switches
 * follow the compiler's target.
 */
#ifndef __TARGETCONDITIONALS__
#define __TARGETCONDITIONALS__

/* ---- operating system ------------------------------------------------ */

#ifndef TARGET_OS_MAC
#define TARGET_OS_MAC 1
#endif
#ifndef TARGET_OS_OSX
#define TARGET_OS_OSX 1
#endif
#ifndef TARGET_OS_IPHONE
#define TARGET_OS_IPHONE 0
#endif
#ifndef TARGET_OS_IOS
#define TARGET_OS_IOS 0
#endif
#ifndef TARGET_OS_WATCH
#define TARGET_OS_WATCH 0
#endif
#ifndef TARGET_OS_TV
#define TARGET_OS_TV 0
#endif
#ifndef TARGET_OS_VISION
#define TARGET_OS_VISION 0
#endif
#ifndef TARGET_OS_XR
#define TARGET_OS_XR 0
#endif
#ifndef TARGET_OS_MACCATALYST
#define TARGET_OS_MACCATALYST 0
#endif
#ifndef TARGET_OS_UIKITFORMAC
#define TARGET_OS_UIKITFORMAC 0
#endif
#ifndef TARGET_OS_SIMULATOR
#define TARGET_OS_SIMULATOR 0
#endif
#ifndef TARGET_OS_EMBEDDED
#define TARGET_OS_EMBEDDED 0
#endif
#ifndef TARGET_OS_RTKIT
#define TARGET_OS_RTKIT 0
#endif
#ifndef TARGET_OS_DRIVERKIT
#define TARGET_OS_DRIVERKIT 0
#endif
#ifndef TARGET_OS_BRIDGE
#define TARGET_OS_BRIDGE 0
#endif
#ifndef TARGET_OS_NANO
#define TARGET_OS_NANO 0
#endif
#ifndef TARGET_IPHONE_SIMULATOR
#define TARGET_IPHONE_SIMULATOR 0
#endif
#ifndef TARGET_OS_WIN32
#define TARGET_OS_WIN32 0
#endif
#ifndef TARGET_OS_WINDOWS
#define TARGET_OS_WINDOWS 0
#endif
#ifndef TARGET_OS_UNIX
#define TARGET_OS_UNIX 0
#endif
#ifndef TARGET_OS_LINUX
#define TARGET_OS_LINUX 0
#endif
#ifndef TARGET_OS_CYGWIN
#define TARGET_OS_CYGWIN 0
#endif
#ifndef TARGET_OS_WASI
#define TARGET_OS_WASI 0
#endif
#ifndef TARGET_ABI_USES_IOS_VALUES
#define TARGET_ABI_USES_IOS_VALUES 0
#endif

/* ---- processor -------------------------------------------------------- */

#if defined(__x86_64__)
#define TARGET_CPU_X86_64 1
#elif defined(__i386__)
#define TARGET_CPU_X86 1
#elif defined(__aarch64__)
#define TARGET_CPU_ARM64 1
#elif defined(__arm__)
#define TARGET_CPU_ARM 1
#elif defined(__powerpc64__)
#define TARGET_CPU_PPC64 1
#elif defined(__powerpc__)
#define TARGET_CPU_PPC 1
#elif defined(__mips__)
#define TARGET_CPU_MIPS 1
#elif defined(__sparc__)
#define TARGET_CPU_SPARC 1
#elif defined(__alpha__)
#define TARGET_CPU_ALPHA 1
#endif

#ifndef TARGET_CPU_PPC
#define TARGET_CPU_PPC 0
#endif
#ifndef TARGET_CPU_PPC64
#define TARGET_CPU_PPC64 0
#endif
#ifndef TARGET_CPU_68K
#define TARGET_CPU_68K 0
#endif
#ifndef TARGET_CPU_X86
#define TARGET_CPU_X86 0
#endif
#ifndef TARGET_CPU_X86_64
#define TARGET_CPU_X86_64 0
#endif
#ifndef TARGET_CPU_ARM
#define TARGET_CPU_ARM 0
#endif
#ifndef TARGET_CPU_ARM64
#define TARGET_CPU_ARM64 0
#endif
#ifndef TARGET_CPU_MIPS
#define TARGET_CPU_MIPS 0
#endif
#ifndef TARGET_CPU_SPARC
#define TARGET_CPU_SPARC 0
#endif
#ifndef TARGET_CPU_HPPA
#define TARGET_CPU_HPPA 0
#endif
#ifndef TARGET_CPU_ALPHA
#define TARGET_CPU_ALPHA 0
#endif

/* ---- runtime ---------------------------------------------------------- */

#define TARGET_RT_MAC_CFM 0
#define TARGET_RT_MAC_MACHO 1
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define TARGET_RT_LITTLE_ENDIAN 0
#define TARGET_RT_BIG_ENDIAN 1
#else
#define TARGET_RT_LITTLE_ENDIAN 1
#define TARGET_RT_BIG_ENDIAN 0
#endif
#if defined(__LP64__) || defined(_LP64)
#define TARGET_RT_64_BIT 1
#else
#define TARGET_RT_64_BIT 0
#endif

#endif /* __TARGETCONDITIONALS__ */
