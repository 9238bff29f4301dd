// SPDX-License-Identifier: MIT
/*
 * iokitlib.c - IOKitLib's object, iterator, matching and registry calls,
 * with Apple's signatures, reference rules and return codes.
 */
#include "libiokit.h"

#include <stdio.h>
#include <stdlib.h>

IOK_EXPORT_DATA const mach_port_t kIOMainPortDefault = MACH_PORT_NULL;
IOK_EXPORT_DATA const mach_port_t kIOMasterPortDefault = MACH_PORT_NULL;

IOK_EXPORT kern_return_t IOMainPort(mach_port_t bootstrapPort, mach_port_t *mainPort)
{
	if (!mainPort)
		return kIOReturnBadArgument;
	*mainPort = IOK_MAIN_PORT_NAME;
	return KERN_SUCCESS;
}

IOK_EXPORT kern_return_t IOMasterPort(mach_port_t bootstrapPort, mach_port_t *mainPort)
{
	return IOMainPort(bootstrapPort, mainPort);
}

/* One round trip whose reply carries only a result and fixed fields. */
static IOReturn simple_call(const struct iok_rpc *req, struct iok_wire_msg *out)
{
	struct iok_reply rep;
	IOReturn ret;

	if (out)
		memset(out, 0, sizeof(*out));
	ret = iok_call(req, &rep);
	if (out && rep.msg)
		*out = *rep.msg;
	iok_reply_free(&rep);
	return ret;
}

/* Copies a string reply into a fixed buffer (io_name_t, io_string_t). */
static IOReturn string_call(const struct iok_rpc *req, char *buf, size_t len)
{
	struct iok_reply rep;
	IOReturn ret = iok_call(req, &rep);

	if (ret == kIOReturnSuccess) {
		if (!rep.str || strlen(rep.str) >= len)
			ret = kIOReturnIPCError;
		else
			memcpy(buf, rep.str, strlen(rep.str) + 1);
	}
	iok_reply_free(&rep);
	return ret;
}

/* ---- objects ------------------------------------------------------------ */

IOK_EXPORT kern_return_t IOObjectRelease(io_object_t object)
{
	struct iok_rpc req = { .op = IOK_OP_OBJECT_RELEASE, .obj = object };

	/* mach_port_deallocate: MACH_PORT_NULL and MACH_PORT_DEAD are no-ops. */
	if (!MACH_PORT_VALID(object))
		return KERN_SUCCESS;
	return simple_call(&req, NULL);
}

IOK_EXPORT kern_return_t IOObjectRetain(io_object_t object)
{
	struct iok_rpc req = { .op = IOK_OP_OBJECT_RETAIN, .obj = object };

	return simple_call(&req, NULL);
}

IOK_EXPORT kern_return_t IOObjectGetClass(io_object_t object, io_name_t className)
{
	struct iok_rpc req = { .op = IOK_OP_OBJECT_GET_CLASS, .obj = object };

	if (!className)
		return kIOReturnBadArgument;
	return string_call(&req, className, sizeof(io_name_t));
}

IOK_EXPORT CFStringRef IOObjectCopyClass(io_object_t object)
{
	io_name_t name;

	if (IOObjectGetClass(object, name) != kIOReturnSuccess)
		return NULL;
	return CFStringCreateWithCString(kCFAllocatorDefault, name, kCFStringEncodingUTF8);
}

IOK_EXPORT boolean_t IOObjectConformsTo(io_object_t object, const char *className)
{
	struct iok_rpc req = { .op = IOK_OP_OBJECT_CONFORMS_TO, .obj = object, .str = className };
	struct iok_wire_msg m;

	if (!className || simple_call(&req, &m) != kIOReturnSuccess)
		return FALSE;
	return m.value != 0;
}

IOK_EXPORT boolean_t IOObjectIsEqualTo(io_object_t object, io_object_t anObject)
{
	return object == anObject;
}

static uint32_t retain_counts(io_object_t object, bool user)
{
	struct iok_rpc req = { .op = IOK_OP_OBJECT_GET_RETAIN_COUNT, .obj = object };
	struct iok_wire_msg m;

	if (simple_call(&req, &m) != kIOReturnSuccess)
		return 0;
	return user ? m.options : (uint32_t)m.value;
}

IOK_EXPORT uint32_t IOObjectGetKernelRetainCount(io_object_t object)
{
	return retain_counts(object, false);
}

IOK_EXPORT uint32_t IOObjectGetRetainCount(io_object_t object)
{
	return retain_counts(object, false);
}

IOK_EXPORT uint32_t IOObjectGetUserRetainCount(io_object_t object)
{
	return retain_counts(object, true);
}

/* ---- iterators ------------------------------------------------------------ */

IOK_EXPORT io_object_t IOIteratorNext(io_iterator_t iterator)
{
	struct iok_rpc req = { .op = IOK_OP_ITERATOR_NEXT, .obj = iterator };
	struct iok_wire_msg m;

	if (simple_call(&req, &m) != kIOReturnSuccess)
		return IO_OBJECT_NULL;
	return m.obj2;
}

IOK_EXPORT void IOIteratorReset(io_iterator_t iterator)
{
	struct iok_rpc req = { .op = IOK_OP_ITERATOR_RESET, .obj = iterator };

	simple_call(&req, NULL);
}

IOK_EXPORT boolean_t IOIteratorIsValid(io_iterator_t iterator)
{
	struct iok_rpc req = { .op = IOK_OP_ITERATOR_IS_VALID, .obj = iterator };
	struct iok_wire_msg m;

	return simple_call(&req, &m) == kIOReturnSuccess && m.value;
}

/* ---- matching ------------------------------------------------------------ */

/* Serializes matching and releases it (Apple consumes the reference on
 * every path once the dictionary is non-NULL). */
static IOReturn take_matching(CFDictionaryRef matching, uint8_t **buf, size_t *len)
{
	int err = iok_cf_serialize(matching, buf, len);

	CFRelease(matching);
	return err ? kIOReturnUnsupported : kIOReturnSuccess;
}

IOK_EXPORT kern_return_t IOServiceGetMatchingServices(mach_port_t mainPort,
						      CFDictionaryRef matching,
						      io_iterator_t *existing)
{
	struct iok_rpc req = { .op = IOK_OP_GET_MATCHING_SERVICES };
	struct iok_wire_msg m;
	uint8_t *buf;
	size_t len;
	IOReturn ret;

	if (!matching)
		return kIOReturnBadArgument;
	ret = take_matching(matching, &buf, &len);
	if (ret)
		return ret;
	if (!existing || !iok_main_port_ok(mainPort)) {
		iok_free(buf);
		return existing ? kIOReturnNotPrivileged : kIOReturnBadArgument;
	}
	req.data = buf;
	req.data_len = len;
	ret = simple_call(&req, &m);
	iok_free(buf);
	*existing = ret == kIOReturnSuccess ? m.obj : IO_OBJECT_NULL;
	return ret;
}

IOK_EXPORT io_service_t IOServiceGetMatchingService(mach_port_t mainPort,
						    CFDictionaryRef matching)
{
	io_iterator_t it = IO_OBJECT_NULL;
	io_service_t s;

	if (IOServiceGetMatchingServices(mainPort, matching, &it) != kIOReturnSuccess || !it)
		return IO_OBJECT_NULL;
	s = IOIteratorNext(it);
	IOObjectRelease(it);
	return s;
}

IOK_EXPORT kern_return_t IOServiceMatchPropertyTable(io_service_t service,
						     CFDictionaryRef matching,
						     boolean_t *matches)
{
	struct iok_rpc req = { .op = IOK_OP_SERVICE_MATCH_TABLE, .obj = service };
	struct iok_wire_msg m;
	uint8_t *buf;
	size_t len;
	IOReturn ret;

	if (!matching || !matches)
		return kIOReturnBadArgument;
	if (iok_cf_serialize(matching, &buf, &len))
		return kIOReturnUnsupported;
	req.data = buf;
	req.data_len = len;
	ret = simple_call(&req, &m);
	iok_free(buf);
	if (ret == kIOReturnSuccess)
		*matches = m.value != 0;
	return ret;
}

/* A one-entry mutable dictionary { key: value }; value is released. */
static CFMutableDictionaryRef one_entry_dict(const char *key, CFTypeRef value)
{
	CFMutableDictionaryRef d = NULL;
	CFStringRef k;

	if (!value)
		return NULL;
	k = CFStringCreateWithCString(kCFAllocatorDefault, key, kCFStringEncodingUTF8);
	if (k)
		d = CFDictionaryCreateMutable(kCFAllocatorDefault, 0,
					      &kCFTypeDictionaryKeyCallBacks,
					      &kCFTypeDictionaryValueCallBacks);
	if (d)
		CFDictionarySetValue(d, k, value);
	if (k)
		CFRelease(k);
	CFRelease(value);
	return d;
}

static CFMutableDictionaryRef string_matching(const char *key, const char *name)
{
	if (!name)
		return NULL;
	return one_entry_dict(key, CFStringCreateWithCString(kCFAllocatorDefault, name,
							     kCFStringEncodingMacRoman));
}

IOK_EXPORT CFMutableDictionaryRef IOServiceMatching(const char *name)
{
	return string_matching(kIOProviderClassKey, name);
}

IOK_EXPORT CFMutableDictionaryRef IOServiceNameMatching(const char *name)
{
	return string_matching(kIONameMatchKey, name);
}

IOK_EXPORT CFMutableDictionaryRef IOBSDNameMatching(mach_port_t mainPort, uint32_t options,
						    const char *bsdName)
{
	return string_matching(kIOBSDNameKey, bsdName);
}

IOK_EXPORT CFMutableDictionaryRef IORegistryEntryIDMatching(uint64_t entryID)
{
	int64_t id = (int64_t)entryID;

	return one_entry_dict(kIORegistryEntryIDKey,
			      CFNumberCreate(kCFAllocatorDefault, kCFNumberSInt64Type, &id));
}

/* ---- the registry ---------------------------------------------------------- */

IOK_EXPORT io_registry_entry_t IORegistryGetRootEntry(mach_port_t mainPort)
{
	struct iok_rpc req = { .op = IOK_OP_REGISTRY_GET_ROOT };
	struct iok_wire_msg m;

	if (!iok_main_port_ok(mainPort) || simple_call(&req, &m) != kIOReturnSuccess)
		return IO_OBJECT_NULL;
	return m.obj;
}

IOK_EXPORT io_registry_entry_t IORegistryEntryFromPath(mach_port_t mainPort,
						       const char *path)
{
	struct iok_rpc req = { .op = IOK_OP_ENTRY_FROM_PATH, .str = path };
	struct iok_wire_msg m;

	if (!path || !iok_main_port_ok(mainPort) || strnlen(path, sizeof(io_string_t)) ==
							    sizeof(io_string_t))
		return IO_OBJECT_NULL;
	if (simple_call(&req, &m) != kIOReturnSuccess)
		return IO_OBJECT_NULL;
	return m.obj;
}

IOK_EXPORT io_registry_entry_t IORegistryEntryCopyFromPath(mach_port_t mainPort,
							   CFStringRef path)
{
	io_string_t buf;

	if (!path || !CFStringGetCString(path, buf, sizeof(buf), kCFStringEncodingUTF8))
		return IO_OBJECT_NULL;
	return IORegistryEntryFromPath(mainPort, buf);
}

IOK_EXPORT kern_return_t IORegistryEntryGetName(io_registry_entry_t entry, io_name_t name)
{
	return IORegistryEntryGetNameInPlane(entry, NULL, name);
}

IOK_EXPORT kern_return_t IORegistryEntryGetNameInPlane(io_registry_entry_t entry,
						       const char *plane, io_name_t name)
{
	struct iok_rpc req = { .op = IOK_OP_ENTRY_GET_NAME, .obj = entry, .str = plane ? plane : "" };

	if (!name)
		return kIOReturnBadArgument;
	return string_call(&req, name, sizeof(io_name_t));
}

IOK_EXPORT kern_return_t IORegistryEntryGetLocationInPlane(io_registry_entry_t entry,
							   const char *plane,
							   io_name_t location)
{
	struct iok_rpc req = { .op = IOK_OP_ENTRY_GET_LOCATION, .obj = entry,
			       .str = plane ? plane : "" };

	if (!location)
		return kIOReturnBadArgument;
	return string_call(&req, location, sizeof(io_name_t));
}

IOK_EXPORT kern_return_t IORegistryEntryGetPath(io_registry_entry_t entry,
						const char *plane, io_string_t path)
{
	struct iok_rpc req = { .op = IOK_OP_ENTRY_GET_PATH, .obj = entry, .str = plane };

	if (!path || !plane)
		return kIOReturnBadArgument;
	return string_call(&req, path, sizeof(io_string_t));
}

IOK_EXPORT CFStringRef IORegistryEntryCopyPath(io_registry_entry_t entry, const char *plane)
{
	io_string_t path;

	if (IORegistryEntryGetPath(entry, plane, path) != kIOReturnSuccess)
		return NULL;
	return CFStringCreateWithCString(kCFAllocatorDefault, path, kCFStringEncodingUTF8);
}

IOK_EXPORT kern_return_t IORegistryEntryGetRegistryEntryID(io_registry_entry_t entry,
							   uint64_t *entryID)
{
	struct iok_rpc req = { .op = IOK_OP_ENTRY_GET_ID, .obj = entry };
	struct iok_wire_msg m;
	IOReturn ret;

	if (!entryID)
		return kIOReturnBadArgument;
	ret = simple_call(&req, &m);
	*entryID = ret == kIOReturnSuccess ? m.value : 0;
	return ret;
}

IOK_EXPORT kern_return_t IORegistryEntryCreateCFProperties(io_registry_entry_t entry,
							   CFMutableDictionaryRef *properties,
							   CFAllocatorRef allocator,
							   IOOptionBits options)
{
	struct iok_rpc req = { .op = IOK_OP_ENTRY_GET_PROPERTIES, .obj = entry };
	struct iok_reply rep;
	CFTypeRef props = NULL;
	IOReturn ret;

	if (!properties)
		return kIOReturnBadArgument;
	*properties = NULL;
	ret = iok_call(&req, &rep);
	if (ret == kIOReturnSuccess) {
		props = iok_cf_unserialize(rep.data, rep.data_len);
		if (!props || CFGetTypeID(props) != CFDictionaryGetTypeID()) {
			if (props)
				CFRelease(props);
			ret = kIOReturnInternalError;
		} else {
			*properties = (CFMutableDictionaryRef)props;
		}
	}
	iok_reply_free(&rep);
	return ret;
}

IOK_EXPORT CFTypeRef IORegistryEntrySearchCFProperty(io_registry_entry_t entry,
						     const char *plane, CFStringRef key,
						     CFAllocatorRef allocator, IOOptionBits options)
{
	struct iok_rpc req = { .op = IOK_OP_ENTRY_GET_PROPERTY, .obj = entry, .options = options };
	struct iok_reply rep;
	CFTypeRef value = NULL;
	char name[IOK_WIRE_MAX_STR];

	if (!key || !CFStringGetCString(key, name, sizeof(name), kCFStringEncodingUTF8))
		return NULL;
	req.str = name;
	if (iok_call(&req, &rep) == kIOReturnSuccess)
		value = iok_cf_unserialize(rep.data, rep.data_len);
	iok_reply_free(&rep);
	return value;
}

IOK_EXPORT CFTypeRef IORegistryEntryCreateCFProperty(io_registry_entry_t entry, CFStringRef key,
						     CFAllocatorRef allocator,
						     IOOptionBits options)
{
	return IORegistryEntrySearchCFProperty(entry, NULL, key, allocator, 0);
}

static kern_return_t relation_iterator(uint16_t op, io_registry_entry_t entry,
				       const char *plane, io_iterator_t *iterator)
{
	struct iok_rpc req = { .op = op, .obj = entry, .str = plane };
	struct iok_wire_msg m;
	IOReturn ret;

	if (!iterator || !plane)
		return kIOReturnBadArgument;
	ret = simple_call(&req, &m);
	*iterator = ret == kIOReturnSuccess ? m.obj2 : IO_OBJECT_NULL;
	return ret;
}

IOK_EXPORT kern_return_t IORegistryEntryGetChildIterator(io_registry_entry_t entry,
							 const char *plane,
							 io_iterator_t *iterator)
{
	return relation_iterator(IOK_OP_ENTRY_GET_CHILDREN, entry, plane, iterator);
}

IOK_EXPORT kern_return_t IORegistryEntryGetParentIterator(io_registry_entry_t entry,
							  const char *plane,
							  io_iterator_t *iterator)
{
	return relation_iterator(IOK_OP_ENTRY_GET_PARENTS, entry, plane, iterator);
}

/* The first entry of a relation, or kIOReturnNoDevice. */
static kern_return_t first_of(uint16_t op, io_registry_entry_t entry, const char *plane,
			      io_registry_entry_t *out)
{
	io_iterator_t it;
	kern_return_t ret;

	if (!out)
		return kIOReturnBadArgument;
	*out = IO_OBJECT_NULL;
	ret = relation_iterator(op, entry, plane, &it);
	if (ret != kIOReturnSuccess)
		return ret;
	*out = IOIteratorNext(it);
	IOObjectRelease(it);
	return *out ? kIOReturnSuccess : kIOReturnNoDevice;
}

IOK_EXPORT kern_return_t IORegistryEntryGetChildEntry(io_registry_entry_t entry,
						      const char *plane,
						      io_registry_entry_t *child)
{
	return first_of(IOK_OP_ENTRY_GET_CHILDREN, entry, plane, child);
}

IOK_EXPORT kern_return_t IORegistryEntryGetParentEntry(io_registry_entry_t entry,
						       const char *plane,
						       io_registry_entry_t *parent)
{
	return first_of(IOK_OP_ENTRY_GET_PARENTS, entry, plane, parent);
}

IOK_EXPORT boolean_t IORegistryEntryInPlane(io_registry_entry_t entry, const char *plane)
{
	struct iok_rpc req = { .op = IOK_OP_ENTRY_IN_PLANE, .obj = entry, .str = plane };
	struct iok_wire_msg m;

	if (!plane)
		return FALSE;
	return simple_call(&req, &m) == kIOReturnSuccess && m.value;
}

/* ---- service state (IOKitLibPrivate.h) ------------------------------------ */

IOK_EXPORT kern_return_t IOServiceGetBusyStateAndTime(io_service_t service, uint64_t *state,
						      uint32_t *busy_state,
						      uint64_t *accumulated_busy_time)
{
	struct iok_rpc req = { .op = IOK_OP_SERVICE_GET_STATE, .obj = service };
	struct iok_wire_msg m;
	IOReturn ret = simple_call(&req, &m);

	if (ret != kIOReturnSuccess)
		return ret;
	if (state)
		*state = m.value;
	if (busy_state)
		*busy_state = m.options;
	if (accumulated_busy_time)
		*accumulated_busy_time = (uint64_t)m.obj2 * 1000000u;   /* ns */
	return kIOReturnSuccess;
}

IOK_EXPORT kern_return_t IOServiceGetState(io_service_t service, uint64_t *state)
{
	return IOServiceGetBusyStateAndTime(service, state, NULL, NULL);
}
