/* SPDX-License-Identifier: MIT */
/* IOKit/IOKitKeys.h - registry, matching and user-client key strings. */
#ifndef _IOKIT_IOKITKEYS_H
#define _IOKIT_IOKITKEYS_H

#ifdef __cplusplus
extern "C" {
#endif

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
#define kIOKitBuildVersionKey           "IOKitBuildVersion"
#define kIOKitDiagnosticsKey            "IOKitDiagnostics"
#define kIORegistryEntryIDKey           "IORegistryEntryID"
#define kIORegistryEntryPropertyKeysKey "IORegistryEntryPropertyKeys"
#define kIOPathKey                      "IOPath"
#define kIORegistryEntryDefaultLockingSetPropertiesKey "IORegistryEntryDefaultLockingSetProperties"
#define kIOSupportedPropertiesKey       "IOSupportedProperties"
#define kIOUserServicePropertiesKey     "IOUserServiceProperties"
#define kIOMapperIDKey                  "IOMapperID"
#define kIOAllCPUInitializedKey         "IOAllCPUInitialized"
#define kIOCFPlugInTypesKey             "IOCFPlugInTypes"

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
#define kIOMatchedPersonalityKey        "IOMatchedPersonality"
#define kIORematchPersonalityKey        "IORematchPersonality"
#define kIORematchCountKey              "IORematchCount"
#define kIODEXTMatchCountKey            "IODEXTMatchCount"

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
#define kIOUserClientMessageAppSuspendedKey "IOUserClientMessageAppSuspended"
#define kIOUserServerCDHashKey          "IOUserServerCDHash"
#define kIOUserUserClientKey            "IOUserUserClient"
#define kIOUserServerOneProcessKey      "IOUserServerOneProcess"
#define kIOUserServerPreserveUserspaceRebootKey "IOUserServerPreserveUserspaceReboot"
#define kIOServiceDEXTEntitlementsKey   "IOServiceDEXTEntitlements"

/* DriverKit entitlements (names only: no code signing here). */
#define kIODriverKitEntitlementKey      "com.apple.developer.driverkit"
#define kIODriverKitUserClientEntitlementsKey "com.apple.developer.driverkit.userclient-access"
#define kIODriverKitRequiredEntitlementsKey "com.apple.private.driverkit.driver-access"
#define kIODriverKitTestDriverEntitlementKey "com.apple.private.driverkit.test-driver"
#define kIODriverKitUserClientEntitlementAllowAnyKey "com.apple.developer.driverkit.allow-any-userclient-access"
#define kIODriverKitUserClientEntitlementAdministratorKey "com.apple.developer.driverkit.administrator"
#define kIODriverKitUserClientEntitlementCommunicatesWithDriversKey "com.apple.developer.driverkit.communicates-with-drivers"
#define kIODriverKitUserClientEntitlementAllowThirdPartyUserClientsKey "com.apple.developer.driverkit.allow-third-party-userclients"
#define kIODriverKitUSBTransportEntitlementKey "com.apple.developer.driverkit.transport.usb"
#define kIODriverKitHIDTransportEntitlementKey "com.apple.developer.driverkit.transport.hid"
#define kIODriverKitHIDFamilyDeviceEntitlementKey "com.apple.developer.driverkit.family.hid.device"
#define kIODriverKitHIDFamilyEventServiceEntitlementKey "com.apple.developer.driverkit.family.hid.eventservice"
#define kIODriverKitTransportBuiltinEntitlementKey "com.apple.developer.driverkit.builtin"
#define kIONVRAMReadAccessKey           "com.apple.private.iokit.nvram-read-access"
#define kIONVRAMWriteAccessKey          "com.apple.private.iokit.nvram-write-access"
#define kIOResourcesSetPropertyKey      "com.apple.private.iokit.ioresources.setproperty"
#define kIONVRAMSystemAllowKey          "com.apple.private.iokit.system-nvram-allow"

/* Storage-style limits a family publishes. */
#define kIOCommandPoolSizeKey           "IOCommandPoolSize"
#define kIOMaximumPriorityCountKey      "IOMaximumPriorityCount"
#define kIOMaximumBlockCountReadKey     "IOMaximumBlockCountRead"
#define kIOMaximumBlockCountWriteKey    "IOMaximumBlockCountWrite"
#define kIOMaximumByteCountReadKey      "IOMaximumByteCountRead"
#define kIOMaximumByteCountWriteKey     "IOMaximumByteCountWrite"
#define kIOMaximumSegmentCountReadKey   "IOMaximumSegmentCountRead"
#define kIOMaximumSegmentCountWriteKey  "IOMaximumSegmentCountWrite"
#define kIOMaximumSegmentByteCountReadKey "IOMaximumSegmentByteCountRead"
#define kIOMaximumSegmentByteCountWriteKey "IOMaximumSegmentByteCountWrite"
#define kIOMinimumSegmentAlignmentByteCountKey "IOMinimumSegmentAlignmentByteCount"
#define kIOMaximumSegmentAddressableBitCountKey "IOMaximumSegmentAddressableBitCount"
#define kIOMinimumSaturationByteCountKey "IOMinimumSaturationByteCount"
#define kIOMaximumSwapWriteKey          "IOMaximumSwapWrite"

/* Icons and badges. */
#define kIOIconKey                      "IOIcon"
#define kIOBundleResourceFileKey        "IOBundleResourceFile"
#define kIOBusBadgeKey                  "IOBusBadge"
#define kIODeviceIconKey                "IODeviceIcon"

/* Platform and boot. */
#define kIOPlatformSerialNumberKey      "IOPlatformSerialNumber"
#define kIOPlatformUUIDKey              "IOPlatformUUID"
#define kIONVRAMBootArgsKey             "boot-args"
#define kIONVRAMDeletePropertyKey       "IONVRAM-DELETE-PROPERTY"
#define kIONVRAMSyncNowPropertyKey      "IONVRAM-SYNCNOW-PROPERTY"
#define kIONVRAMActivateCSRConfigPropertyKey "IONVRAM-ARMCSR-PROPERTY"
#define kIODTNVRAMPanicInfoKey          "aapl,panic-info"
#define kIONVRAMDeletePropertyKeyWRet   "IONVRAM-DELETEWRET-PROPERTY"
#define kIOBootDeviceKey                "IOBootDevice"
#define kIOBootDevicePathKey            "IOBootDevicePath"
#define kIOBootDeviceSizeKey            "IOBootDeviceSize"
#define kOSBuildVersionKey              "OS Build Version"

/* State notifications and system state (names only). */
#define kIOStateNotificationItemCreateKey "com.apple.iokit.statenotification.create"
#define kIOStateNotificationItemSetKey  "com.apple.iokit.statenotification.set"
#define kIOStateNotificationItemCopyKey "com.apple.iokit.statenotification.copy"
#define kIOStateNotificationNameKey     "com.apple.iokit.statenotification.name"
#define kIOStateNotificationEntitlementSetKey "com.apple.iokit.statenotification.entitlement-set"
#define kIOStateNotificationEntitlementGetKey "com.apple.iokit.statenotification.entitlement-get"
#define kIOSystemStateClamshellKey      "com.apple.iokit.pm.clamshell"
#define kIOSystemStateSleepDescriptionKey "com.apple.iokit.pm.sleepdescription"
#define kIOSystemStateSleepDescriptionReasonKey "com.apple.iokit.pm.sleepreason"
#define kIOSystemStateSleepDescriptionHibernateStateKey "com.apple.iokit.pm.hibernatestate"
enum {
	kIOSystemStateSleepDescriptionHibernateStateInactive = 0,
	kIOSystemStateSleepDescriptionHibernateStateHibernating = 1,
	kIOSystemStateSleepDescriptionHibernateStateWakingFromHibernate = 2
};
#define kIOSystemStateWakeDescriptionKey "com.apple.iokit.pm.wakedescription"
#define kIOSystemStateWakeDescriptionWakeReasonKey "com.apple.iokit.pm.wakereason"
#define kIOSystemStateWakeDescriptionContinuousTimeOffsetKey "com.apple.iokit.pm.wakedescription.continuous-time-offset"
#define kIOSystemStateHaltDescriptionKey "com.apple.iokit.pm.haltdescription"
#define kIOSystemStateHaltDescriptionHaltStateKey "com.apple.iokit.pm.haltstate"
#define kIOSystemStatePowerSourceDescriptionKey "com.apple.iokit.pm.powersourcedescription"
#define kIOSystemStatePowerSourceDescriptionACAttachedKey "com.apple.iokit.pm.acattached"

/* Bundles. */
#define kIOBundleIdentifierKey          "CFBundleIdentifier"
#define kIOBundleVersionKey             "CFBundleVersion"
#define kIOBundleNameKey                "CFBundleName"

#ifdef __cplusplus
}
#endif

#endif /* _IOKIT_IOKITKEYS_H */
