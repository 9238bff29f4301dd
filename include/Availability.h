/* SPDX-License-Identifier: MIT */
/*
 * Availability.h - the availability annotations of Apple's SDK
 * (__OSX_AVAILABLE_STARTING, __API_AVAILABLE, ...).  They mark which
 * release introduced or deprecated a declaration; on Linux there is no
 * weak linking against older systems, so they expand to nothing and code
 * that carries them compiles unchanged.  The deployment target numbers
 * are those of <AvailabilityMacros.h>.
 */
#ifndef __AVAILABILITY__
#define __AVAILABILITY__

#include <AvailabilityVersions.h>

#ifndef __MAC_OS_X_VERSION_MIN_REQUIRED
#define __MAC_OS_X_VERSION_MIN_REQUIRED __MAC_14_0
#endif
#ifndef __MAC_OS_X_VERSION_MAX_ALLOWED
#define __MAC_OS_X_VERSION_MAX_ALLOWED __MAC_15_0
#endif

#define __OSX_AVAILABLE_STARTING(_osx, _ios)
#define __OSX_AVAILABLE_BUT_DEPRECATED(_osxIntro, _osxDep, _iosIntro, _iosDep)
#define __OSX_AVAILABLE_BUT_DEPRECATED_MSG(_osxIntro, _osxDep, _iosIntro, _iosDep, _msg)
#define __OSX_AVAILABLE(_vers)
#define __OSX_DEPRECATED(_start, _dep, _msg)
#define __OSX_UNAVAILABLE
#define __OSX_EXTENSION_UNAVAILABLE(_msg)
#define __IOS_AVAILABLE(_vers)
#define __IOS_DEPRECATED(_start, _dep, _msg)
#define __IOS_PROHIBITED
#define __IOS_UNAVAILABLE
#define __IOS_EXTENSION_UNAVAILABLE(_msg)
#define __TVOS_AVAILABLE(_vers)
#define __TVOS_DEPRECATED(_start, _dep, _msg)
#define __TVOS_PROHIBITED
#define __TVOS_UNAVAILABLE
#define __WATCHOS_AVAILABLE(_vers)
#define __WATCHOS_DEPRECATED(_start, _dep, _msg)
#define __WATCHOS_PROHIBITED
#define __WATCHOS_UNAVAILABLE
#define __MAC_AVAILABLE(_vers)
#define __IPHONE_AVAILABLE(_vers)
#define __DRIVERKIT_AVAILABLE(_vers)

#define __API_AVAILABLE(...)
#define __API_AVAILABLE_BEGIN(...)
#define __API_AVAILABLE_END
#define __API_DEPRECATED(...)
#define __API_DEPRECATED_WITH_REPLACEMENT(...)
#define __API_DEPRECATED_BEGIN(...)
#define __API_DEPRECATED_END
#define __API_DEPRECATED_WITH_REPLACEMENT_BEGIN(...)
#define __API_DEPRECATED_WITH_REPLACEMENT_END
#define __API_UNAVAILABLE(...)
#define __API_UNAVAILABLE_BEGIN(...)
#define __API_UNAVAILABLE_END
#define __SPI_AVAILABLE(...)
#define __SPI_DEPRECATED(...)
#define __SPI_DEPRECATED_WITH_REPLACEMENT(...)
#define __SPI_UNAVAILABLE(...)

#endif /* __AVAILABILITY__ */
