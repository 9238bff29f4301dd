/* SPDX-License-Identifier: MIT */
/* IOKit/IOKitKeys.h - registry, matching and user-client key strings. */
#ifndef _IOKIT_IOKITKEYS_H
#define _IOKIT_IOKITKEYS_H

/* Planes and registry. */
#define kIOServicePlane                 "IOService"
#define kIOPowerPlane                   "IOPower"
#define kIODeviceTreePlane              "IODeviceTree"
#define kIOAudioPlane                   "IOAudio"
#define kIOFireWirePlane                "IOFireWire"
#define kIOUSBPlane                     "IOUSB"
#define kIORegistryPlanesKey            "IORegistryPlanes"
#define kIOCatalogueKey                 "IOCatalogue"
#define kIOServiceClass                 "IOService"
#define kIOResourcesClass               "IOResources"
#define kIOClassKey                     "IOClass"
#define kIOProbeScoreKey                "IOProbeScore"
#define kIOKitDebugKey                  "IOKitDebug"
#define kIOKitDiagnosticsKey            "IOKitDiagnostics"
#define kIORegistryEntryIDKey           "IORegistryEntryID"
#define kIORegistryEntryPropertyKeysKey "IORegistryEntryPropertyKeys"
#define kIOPathKey                      "IOPath"

/* Matching. */
#define kIOProviderClassKey             "IOProviderClass"
#define kIONameMatchKey                 "IONameMatch"
#define kIONameMatchedKey               "IONameMatched"
#define kIOPropertyMatchKey             "IOPropertyMatch"
#define kIOPropertyExistsMatchKey       "IOPropertyExistsMatch"
#define kIOPathMatchKey                 "IOPathMatch"
#define kIOLocationMatchKey             "IOLocationMatch"
#define kIOParentMatchKey               "IOParentMatch"
#define kIOResourceMatchKey             "IOResourceMatch"
#define kIOResourceMatchedKey           "IOResourceMatched"
#define kIOMatchedServiceCountKey       "IOMatchedServiceCountMatch"
#define kIOMatchCategoryKey             "IOMatchCategory"
#define kIODefaultMatchCategoryKey      "IODefaultMatchCategory"
#define kIOMatchDeferKey                "IOMatchDefer"
#define kIOUserClassKey                 "IOUserClass"
#define kIOUserClassesKey               "IOUserClasses"
#define kIOCompatibilityMatchKey        "IOCompatibilityMatch"
#define kIOCompatibilityPropertiesKey   "IOCompatibilityProperties"
#define kIOKitPersonalitiesKey          "IOKitPersonalities"

/* BSD. */
#define kIOBSDNameKey                   "BSD Name"
#define kIOBSDNamesKey                  "BSD Names"
#define kIOBSDMajorKey                  "BSD Major"
#define kIOBSDMinorKey                  "BSD Minor"
#define kIOBSDUnitKey                   "BSD Unit"

/* Notification types. */
#define kIOPublishNotification          "IOServicePublish"
#define kIOFirstPublishNotification     "IOServiceFirstPublish"
#define kIOMatchedNotification          "IOServiceMatched"
#define kIOFirstMatchNotification       "IOServiceFirstMatch"
#define kIOTerminatedNotification       "IOServiceTerminate"
#define kIOWillTerminateNotification    "IOServiceWillTerminate"

/* Interest types. */
#define kIOGeneralInterest              "IOGeneralInterest"
#define kIOBusyInterest                 "IOBusyInterest"
#define kIOAppPowerStateInterest        "IOAppPowerStateInterest"
#define kIOPriorityPowerStateInterest   "IOPriorityPowerStateInterest"
#define kIOPlatformDeviceMessageKey     "IOPlatformDeviceMessage"

/* User clients. */
#define kIOUserClientClassKey           "IOUserClientClass"
#define kIOUserClientCreatorKey         "IOUserClientCreator"
#define kIOUserClientSharedInstanceKey  "IOUserClientSharedInstance"
#define kIOUserClientCrossEndianKey     "IOUserClientCrossEndian"
#define kIOUserClientCrossEndianCompatibleKey "IOUserClientCrossEndianCompatible"
#define kIOUserClientEntitlementsKey    "IOUserClientEntitlements"
#define kIOUserClientDefaultLockingKey  "IOUserClientDefaultLocking"
#define kIOUserClientDefaultLockingSetPropertiesKey "IOUserClientDefaultLockingSetProperties"
#define kIOUserClientDefaultLockingSingleThreadExternalMethodKey "IOUserClientDefaultLockingSingleThreadExternalMethod"
#define kIORegistryEntryAllowableSetPropertiesKey "IORegistryEntryAllowableSetProperties"

/* Bundles. */
#define kIOBundleIdentifierKey          "CFBundleIdentifier"
#define kIOBundleVersionKey             "CFBundleVersion"
#define kIOBundleNameKey                "CFBundleName"

#endif /* _IOKIT_IOKITKEYS_H */
