/* SPDX-License-Identifier: MIT */
/*
 * IOKit/IOKitLib.h - the IOKit client API (Apple's names, types and
 * signatures).  Objects (services, iterators, connections) are
 * mach_port_t names valid only in the calling process; every object a call
 * returns holds one reference the caller drops with IOObjectRelease().
 *
 * In OpenIOKit the calls travel to a driver host (iokitd, on a Unix socket
 * named by $IOKIT_SOCKET) instead of the Mach kernel; the results and
 * return codes are Apple's.  A missing host gives kIOReturnNotResponding.
 *
 * Input name and path parameters are declared `const char *` where Apple
 * writes const io_name_t / const io_string_t: the adjusted parameter
 * type is the same, and gcc does not then warn that a string literal is
 * shorter than 128 bytes.
 */
#ifndef _IOKIT_IOKITLIB_H
#define _IOKIT_IOKITLIB_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <mach/mach_types.h>
#include <mach/mach_init.h>
#include <mach/mach.h>
#include <CoreFoundation/CFBase.h>
#include <CoreFoundation/CFDictionary.h>
#include <CoreFoundation/CFRunLoop.h>
#include <CoreFoundation/CoreFoundation.h>
#include <IOKit/IOTypes.h>
#include <IOKit/IOKitKeys.h>
#include <IOKit/OSMessageNotification.h>
#include <AvailabilityMacros.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The main port: MACH_PORT_NULL means "the default host". */
extern const mach_port_t kIOMainPortDefault;
extern const mach_port_t kIOMasterPortDefault;   /* deprecated alias */

kern_return_t IOMainPort(mach_port_t bootstrapPort, mach_port_t *mainPort);
kern_return_t IOMasterPort(mach_port_t bootstrapPort, mach_port_t *mainPort);

/*
 * Notification ports and callbacks.  A notification port receives
 * matching and interest notifications and async completions.  Linux
 * programs run its callbacks in one of three ways (docs/GUIDE.md):
 *  - poll IONotificationPortGetFileDescriptor() in their own event loop
 *    and call IONotificationPortDispatchPending() when it is readable;
 *  - IONotificationPortSetDispatchQueue() with any non-NULL queue value:
 *    a library thread then runs the callbacks as they arrive;
 *  - IONotificationPortGetRunLoopSource() with our CFRunLoop.
 * IODispatchCalloutFromMessage() decodes one received message, as on macOS.
 */
typedef struct IONotificationPort *IONotificationPortRef;
typedef struct dispatch_queue_s *dispatch_queue_t;

typedef void (*IOServiceMatchingCallback)(void *refcon, io_iterator_t iterator);
typedef void (*IOServiceInterestCallback)(void *refcon, io_service_t service,
					  uint32_t messageType, void *messageArgument);
typedef void (*IOAsyncCallback0)(void *refcon, IOReturn result);
typedef void (*IOAsyncCallback1)(void *refcon, IOReturn result, void *arg0);
typedef void (*IOAsyncCallback2)(void *refcon, IOReturn result, void *arg0, void *arg1);
typedef void (*IOAsyncCallback)(void *refcon, IOReturn result, void **args, uint32_t numArgs);

enum { kIOServiceInteractionAllowed = 0x00000001 };

IONotificationPortRef IONotificationPortCreate(mach_port_t mainPort);
void IONotificationPortDestroy(IONotificationPortRef notify);
mach_port_t IONotificationPortGetMachPort(IONotificationPortRef notify);
kern_return_t IONotificationPortSetImportanceReceiver(IONotificationPortRef notify);
void IONotificationPortSetDispatchQueue(IONotificationPortRef notify, dispatch_queue_t queue);
void IODispatchCalloutFromMessage(void *unused, mach_msg_header_t *msg, void *reference);
kern_return_t OSGetNotificationFromMessage(mach_msg_header_t *msg, uint32_t index, uint32_t *type,
					   uintptr_t *reference, void **content, vm_size_t *size);
kern_return_t IOCreateReceivePort(uint32_t msgType, mach_port_t *recvPort);

/* Options for registry iteration. */
enum {
	kIORegistryIterateRecursively = 0x00000001,
	kIORegistryIterateParents = 0x00000002
};

/*
 * Registry iterators: IOIteratorNext returns the children (or, with
 * kIORegistryIterateParents, the parents) of the entry the iterator was
 * made on - the root for IORegistryCreateIterator - in the plane; with
 * kIORegistryIterateRecursively, the whole subtree depth-first, each
 * entry once.  IORegistryIteratorEnterEntry makes the next calls iterate
 * the children of the entry last returned; IORegistryIteratorExitEntry
 * goes back up (kIOReturnNoDevice at the top).
 */
kern_return_t IORegistryCreateIterator(mach_port_t mainPort, const char *plane,
				       IOOptionBits options, io_iterator_t *iterator);
kern_return_t IORegistryEntryCreateIterator(io_registry_entry_t entry, const char *plane,
					    IOOptionBits options, io_iterator_t *iterator);
kern_return_t IORegistryIteratorEnterEntry(io_iterator_t iterator);
kern_return_t IORegistryIteratorExitEntry(io_iterator_t iterator);

/* Objects. */
kern_return_t IOObjectRelease(io_object_t object);
kern_return_t IOObjectRetain(io_object_t object);
kern_return_t IOObjectGetClass(io_object_t object, io_name_t className);
CFStringRef IOObjectCopyClass(io_object_t object);
boolean_t IOObjectConformsTo(io_object_t object, const char *className);
/* The superclass and the driver bundle of a class known to the host
 * (new strings, or NULL).  Built-in classes belong to "__kernel__". */
CFStringRef IOObjectCopySuperclassForClass(CFStringRef classname);
CFStringRef IOObjectCopyBundleIdentifierForClass(CFStringRef classname);
boolean_t IOObjectIsEqualTo(io_object_t object, io_object_t anObject);
uint32_t IOObjectGetKernelRetainCount(io_object_t object);
uint32_t IOObjectGetUserRetainCount(io_object_t object);
uint32_t IOObjectGetRetainCount(io_object_t object);

/* Iterators. */
io_object_t IOIteratorNext(io_iterator_t iterator);
void IOIteratorReset(io_iterator_t iterator);
boolean_t IOIteratorIsValid(io_iterator_t iterator);

/* Services.  The matching dictionary is consumed (released) on every path. */
io_service_t IOServiceGetMatchingService(mach_port_t mainPort, CFDictionaryRef matching);
kern_return_t IOServiceGetMatchingServices(mach_port_t mainPort, CFDictionaryRef matching,
					   io_iterator_t *existing);
kern_return_t IOServiceMatchPropertyTable(io_service_t service, CFDictionaryRef matching,
					  boolean_t *matches);

/* Matching notifications (kIOPublishNotification, kIOFirstPublishNotification,
 * kIOMatchedNotification, kIOFirstMatchNotification, kIOTerminatedNotification):
 * drain *notification with IOIteratorNext to arm it. */
kern_return_t IOServiceAddMatchingNotification(IONotificationPortRef notifyPort,
					       const char *notificationType,
					       CFDictionaryRef matching,
					       IOServiceMatchingCallback callback, void *refCon,
					       io_iterator_t *notification);
kern_return_t IOServiceAddNotification(mach_port_t mainPort, const char *notificationType,
				       CFDictionaryRef matching, mach_port_t wakePort,
				       uintptr_t reference, io_iterator_t *notification);
/* Interest notifications (kIOGeneralInterest): messages such as
 * kIOMessageServiceIsTerminated. */
kern_return_t IOServiceAddInterestNotification(IONotificationPortRef notifyPort,
					       io_service_t service, const char *interestType,
					       IOServiceInterestCallback callback, void *refCon,
					       io_object_t *notification);
kern_return_t IOServiceGetBusyState(io_service_t service, uint32_t *busyState);
kern_return_t IOServiceWaitQuiet(io_service_t service, mach_timespec_t *waitTime);
kern_return_t IOKitGetBusyState(mach_port_t mainPort, uint32_t *busyState);
kern_return_t IOKitWaitQuiet(mach_port_t mainPort, mach_timespec_t *waitTime);

/* Matching dictionaries (each a new mutable dictionary, or NULL). */
CFMutableDictionaryRef IOServiceMatching(const char *name);
CFMutableDictionaryRef IOServiceNameMatching(const char *name);
CFMutableDictionaryRef IOBSDNameMatching(mach_port_t mainPort, uint32_t options, const char *bsdName);
CFMutableDictionaryRef IORegistryEntryIDMatching(uint64_t entryID);

/* Registry. */
io_registry_entry_t IORegistryGetRootEntry(mach_port_t mainPort);
io_registry_entry_t IORegistryEntryFromPath(mach_port_t mainPort, const char *path);
io_registry_entry_t IORegistryEntryCopyFromPath(mach_port_t mainPort, CFStringRef path);
kern_return_t IORegistryEntryGetName(io_registry_entry_t entry, io_name_t name);
kern_return_t IORegistryEntryGetNameInPlane(io_registry_entry_t entry, const char *plane,
					    io_name_t name);
kern_return_t IORegistryEntryGetLocationInPlane(io_registry_entry_t entry, const char *plane,
						io_name_t location);
kern_return_t IORegistryEntryGetPath(io_registry_entry_t entry, const char *plane,
				     io_string_t path);
CFStringRef IORegistryEntryCopyPath(io_registry_entry_t entry, const char *plane);
kern_return_t IORegistryEntryGetRegistryEntryID(io_registry_entry_t entry, uint64_t *entryID);
kern_return_t IORegistryEntryCreateCFProperties(io_registry_entry_t entry,
						CFMutableDictionaryRef *properties,
						CFAllocatorRef allocator, IOOptionBits options);
CFTypeRef IORegistryEntryCreateCFProperty(io_registry_entry_t entry, CFStringRef key,
					  CFAllocatorRef allocator, IOOptionBits options);
CFTypeRef IORegistryEntrySearchCFProperty(io_registry_entry_t entry, const char *plane,
					  CFStringRef key, CFAllocatorRef allocator,
					  IOOptionBits options);
kern_return_t IORegistryEntryGetChildIterator(io_registry_entry_t entry, const char *plane,
					      io_iterator_t *iterator);
kern_return_t IORegistryEntryGetChildEntry(io_registry_entry_t entry, const char *plane,
					   io_registry_entry_t *child);
kern_return_t IORegistryEntryGetParentIterator(io_registry_entry_t entry, const char *plane,
					       io_iterator_t *iterator);
kern_return_t IORegistryEntryGetParentEntry(io_registry_entry_t entry, const char *plane,
					    io_registry_entry_t *parent);
boolean_t IORegistryEntryInPlane(io_registry_entry_t entry, const char *plane);

/* Connections. */
kern_return_t IOServiceOpen(io_service_t service, task_port_t owningTask, uint32_t type,
			    io_connect_t *connect);
kern_return_t IOServiceClose(io_connect_t connect);
kern_return_t IOConnectAddRef(io_connect_t connect);
kern_return_t IOConnectRelease(io_connect_t connect);
kern_return_t IOConnectGetService(io_connect_t connect, io_service_t *service);
kern_return_t IOConnectSetCFProperties(io_connect_t connect, CFTypeRef properties);
kern_return_t IOConnectSetCFProperty(io_connect_t connect, CFStringRef propertyName,
				     CFTypeRef property);
kern_return_t IORegistryEntrySetCFProperties(io_registry_entry_t entry, CFTypeRef properties);
kern_return_t IORegistryEntrySetCFProperty(io_registry_entry_t entry, CFStringRef propertyName,
					   CFTypeRef property);

/* Memory and notifications.  The caller chooses only kIOMapAnywhere and
 * the cache bits; read-only and the rest come from the driver. */
kern_return_t IOConnectSetNotificationPort(io_connect_t connect, uint32_t type, mach_port_t port,
					   uintptr_t reference);
kern_return_t IOConnectMapMemory64(io_connect_t connect, uint32_t memoryType,
				   task_port_t intoTask, mach_vm_address_t *atAddress,
				   mach_vm_size_t *ofSize, IOOptionBits options);
kern_return_t IOConnectUnmapMemory64(io_connect_t connect, uint32_t memoryType,
				     task_port_t fromTask, mach_vm_address_t atAddress);
/* On LP64 the old names take the same mach_vm types. */
kern_return_t IOConnectMapMemory(io_connect_t connect, uint32_t memoryType, task_port_t intoTask,
				 mach_vm_address_t *atAddress, mach_vm_size_t *ofSize,
				 IOOptionBits options);
kern_return_t IOConnectUnmapMemory(io_connect_t connect, uint32_t memoryType,
				   task_port_t fromTask, mach_vm_address_t atAddress);

/* External methods.  Up to 16 scalars each way; structures over 4096
 * bytes travel out of line.  On failure the output counts are left as
 * they were. */
kern_return_t IOConnectCallMethod(mach_port_t connection, uint32_t selector,
				  const uint64_t *input, uint32_t inputCnt,
				  const void *inputStruct, size_t inputStructCnt,
				  uint64_t *output, uint32_t *outputCnt,
				  void *outputStruct, size_t *outputStructCnt);
kern_return_t IOConnectCallScalarMethod(mach_port_t connection, uint32_t selector,
					const uint64_t *input, uint32_t inputCnt,
					uint64_t *output, uint32_t *outputCnt);
kern_return_t IOConnectCallStructMethod(mach_port_t connection, uint32_t selector,
					const void *inputStruct, size_t inputStructCnt,
					void *outputStruct, size_t *outputStructCnt);

/* Async methods: wake_port is a notification port's Mach port; reference
 * holds 1..8 values ([kIOAsyncCalloutFuncIndex] the IOAsyncCallback,
 * [kIOAsyncCalloutRefconIndex] its refcon); the driver completes later
 * and the callback runs from the port's dispatch. */
kern_return_t IOConnectCallAsyncMethod(mach_port_t connection, uint32_t selector,
				       mach_port_t wake_port, uint64_t *reference,
				       uint32_t referenceCnt, const uint64_t *input,
				       uint32_t inputCnt, const void *inputStruct,
				       size_t inputStructCnt, uint64_t *output,
				       uint32_t *outputCnt, void *outputStruct,
				       size_t *outputStructCnt);
kern_return_t IOConnectCallAsyncScalarMethod(mach_port_t connection, uint32_t selector,
					     mach_port_t wake_port, uint64_t *reference,
					     uint32_t referenceCnt, const uint64_t *input,
					     uint32_t inputCnt, uint64_t *output,
					     uint32_t *outputCnt);
kern_return_t IOConnectCallAsyncStructMethod(mach_port_t connection, uint32_t selector,
					     mach_port_t wake_port, uint64_t *reference,
					     uint32_t referenceCnt, const void *inputStruct,
					     size_t inputStructCnt, void *outputStruct,
					     size_t *outputStructCnt);

/*
 * The rest of Apple's public IOKitLib.  Those a Linux host cannot serve
 * answer as documented in docs/COMPATIBILITY.md (mostly
 * kIOReturnUnsupported), so that code calling them builds and runs.
 */
CFRunLoopSourceRef IONotificationPortGetRunLoopSource(IONotificationPortRef notify);
kern_return_t IOServiceRequestProbe(io_service_t service, uint32_t options);
kern_return_t IOServiceAuthorize(io_service_t service, uint32_t options);
int IOServiceOpenAsFileDescriptor(io_service_t service, int oflag);
kern_return_t IOConnectAddClient(io_connect_t connect, io_connect_t client);
kern_return_t IOConnectTrap0(io_connect_t connect, uint32_t index);
kern_return_t IOConnectTrap1(io_connect_t connect, uint32_t index, uintptr_t p1);
kern_return_t IOConnectTrap2(io_connect_t connect, uint32_t index, uintptr_t p1, uintptr_t p2);
kern_return_t IOConnectTrap3(io_connect_t connect, uint32_t index, uintptr_t p1, uintptr_t p2,
			     uintptr_t p3);
kern_return_t IOConnectTrap4(io_connect_t connect, uint32_t index, uintptr_t p1, uintptr_t p2,
			     uintptr_t p3, uintptr_t p4);
kern_return_t IOConnectTrap5(io_connect_t connect, uint32_t index, uintptr_t p1, uintptr_t p2,
			     uintptr_t p3, uintptr_t p4, uintptr_t p5);
kern_return_t IOConnectTrap6(io_connect_t connect, uint32_t index, uintptr_t p1, uintptr_t p2,
			     uintptr_t p3, uintptr_t p4, uintptr_t p5, uintptr_t p6);
/* The raw bytes of a property (data; a string with its NUL; a number's
 * bytes, native order; a boolean as "Yes"/"No"); *size: in, the buffer's
 * size; out, the bytes written.  buffer is Apple's io_struct_inband_t
 * (same adjusted type; a smaller buffer with a matching *size is fine). */
kern_return_t IORegistryEntryGetProperty(io_registry_entry_t entry, const char *propertyName,
					 char *buffer, uint32_t *size);
CFMutableDictionaryRef IOOpenFirmwarePathMatching(mach_port_t mainPort, uint32_t options,
						  const char *path);
kern_return_t IOServiceOFPathToBSDName(mach_port_t mainPort, const char *openFirmwarePath,
				       io_name_t bsdName);
kern_return_t IOCatalogueSendData(mach_port_t mainPort, uint32_t flag, const char *buffer,
				  uint32_t size);
kern_return_t IOCatalogueTerminate(mach_port_t mainPort, uint32_t flag, io_name_t description);
kern_return_t IOCatalogueGetData(mach_port_t mainPort, uint32_t flag, char **buffer,
				 uint32_t *size);
kern_return_t IOCatalogueModuleLoaded(mach_port_t mainPort, io_name_t name);
kern_return_t IOCatalogueReset(mach_port_t mainPort, uint32_t flag);

#ifdef __cplusplus
}
#endif

#endif /* _IOKIT_IOKITLIB_H */
