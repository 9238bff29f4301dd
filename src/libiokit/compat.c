// SPDX-License-Identifier: MIT
/*
 * compat.c - the rest of Apple's public IOKitLib: registry iterators,
 * class facts, raw property bytes, the OpenFirmware helpers, and the calls
 * a Linux host has nothing behind (traps, authorization, the catalogue),
 * which answer with the codes docs/COMPATIBILITY.md lists.
 */
#include "libiokit.h"

#include <errno.h>
#include <stdlib.h>

/* One round trip; the reply's fixed fields in *out (may be NULL). */
static IOReturn call(const struct iok_rpc *req, struct iok_wire_msg *out)
{
	struct iok_reply rep;
	IOReturn ret = iok_call(req, &rep);

	if (out) {
		memset(out, 0, sizeof(*out));
		if (rep.msg)
			*out = *rep.msg;
	}
	iok_reply_free(&rep);
	return ret;
}

/* ---- registry iterators ----------------------------------------------- */

static kern_return_t create_iterator(io_registry_entry_t entry, bool root, const char *plane,
				     IOOptionBits options, io_iterator_t *iterator)
{
	struct iok_rpc req = { .op = IOK_OP_REGISTRY_CREATE_ITERATOR, .obj = entry,
			       .type = root ? 1 : 0, .options = options, .str = plane };
	struct iok_wire_msg m;
	IOReturn ret;

	if (!iterator)
		return kIOReturnBadArgument;
	ret = call(&req, &m);
	*iterator = ret == kIOReturnSuccess ? m.obj2 : IO_OBJECT_NULL;
	return ret;
}

IOK_EXPORT kern_return_t IORegistryCreateIterator(mach_port_t mainPort, const char *plane,
						  IOOptionBits options, io_iterator_t *iterator)
{
	if (!iok_main_port_ok(mainPort))
		return kIOReturnNotPrivileged;
	return create_iterator(IO_OBJECT_NULL, true, plane, options, iterator);
}

IOK_EXPORT kern_return_t IORegistryEntryCreateIterator(io_registry_entry_t entry,
						       const char *plane, IOOptionBits options,
						       io_iterator_t *iterator)
{
	return create_iterator(entry, false, plane, options, iterator);
}

IOK_EXPORT kern_return_t IORegistryIteratorEnterEntry(io_iterator_t iterator)
{
	struct iok_rpc req = { .op = IOK_OP_REGISTRY_ITERATOR_ENTER, .obj = iterator };

	return call(&req, NULL);
}

IOK_EXPORT kern_return_t IORegistryIteratorExitEntry(io_iterator_t iterator)
{
	struct iok_rpc req = { .op = IOK_OP_REGISTRY_ITERATOR_EXIT, .obj = iterator };

	return call(&req, NULL);
}

/* ---- classes ------------------------------------------------------------ */

static CFStringRef class_fact(uint16_t op, CFStringRef classname)
{
	struct iok_rpc req = { .op = op };
	struct iok_reply rep;
	CFStringRef out = NULL;
	io_name_t name;

	if (!classname || !CFStringGetCString(classname, name, sizeof(name), kCFStringEncodingUTF8))
		return NULL;
	req.str = name;
	if (iok_call(&req, &rep) == kIOReturnSuccess && rep.str)
		out = CFStringCreateWithCString(kCFAllocatorDefault, rep.str, kCFStringEncodingUTF8);
	iok_reply_free(&rep);
	return out;
}

IOK_EXPORT CFStringRef IOObjectCopySuperclassForClass(CFStringRef classname)
{
	return class_fact(IOK_OP_CLASS_GET_SUPERCLASS, classname);
}

IOK_EXPORT CFStringRef IOObjectCopyBundleIdentifierForClass(CFStringRef classname)
{
	return class_fact(IOK_OP_CLASS_GET_BUNDLE, classname);
}

/* ---- raw property bytes (io_registry_entry_get_property_bytes) ----------- */

IOK_EXPORT kern_return_t IORegistryEntryGetProperty(io_registry_entry_t entry,
						    const char *propertyName, char *buffer,
						    uint32_t *size)
{
	struct iok_rpc req = { .op = IOK_OP_ENTRY_GET_PROPERTY, .obj = entry,
			       .str = propertyName };
	struct iok_reply rep;
	iok_object_t *obj = NULL;
	const void *bytes = NULL;
	uint64_t num;
	size_t len = 0;
	IOReturn ret;

	if (!propertyName || !buffer || !size)
		return kIOReturnBadArgument;
	ret = iok_call(&req, &rep);
	if (ret == kIOReturnNotFound)
		ret = kIOReturnNoResources;   /* the kernel's code for "no such property" */
	if (ret == kIOReturnSuccess && iok_unserialize(rep.data, rep.data_len, &obj))
		ret = kIOReturnIPCError;
	iok_reply_free(&rep);
	if (ret != kIOReturnSuccess)
		return ret;
	switch (iok_type(obj)) {
	case IOK_TYPE_DATA:
		bytes = iok_data_bytes(obj);
		len = iok_data_length(obj);
		break;
	case IOK_TYPE_STRING:
		bytes = iok_string_cstr(obj);
		len = iok_string_length(obj) + 1;
		break;
	case IOK_TYPE_BOOLEAN:
		bytes = iok_boolean_value(obj) ? "Yes" : "No";
		len = strlen(bytes) + 1;
		break;
	case IOK_TYPE_NUMBER:
		/* The low bytes of the value, native (little-endian) order. */
		num = iok_number_value(obj);
		len = iok_number_bits(obj) / 8;
		if (len > sizeof(num))
			len = sizeof(num);
		bytes = &num;
		break;
	default:
		ret = kIOReturnBadArgument;
		break;
	}
	if (bytes) {
		if (*size < len) {
			ret = kIOReturnIPCError;
		} else {
			memcpy(buffer, bytes, len);
			*size = (uint32_t)len;
		}
	}
	iok_release(obj);
	return ret;
}

/* ---- OpenFirmware paths ------------------------------------------------- */

IOK_EXPORT CFMutableDictionaryRef IOOpenFirmwarePathMatching(mach_port_t mainPort,
							     uint32_t options,
							     const char *path)
{
	CFMutableDictionaryRef d;
	CFStringRef v;
	io_string_t buf;
	int n;

	if (!path)
		return NULL;
	n = snprintf(buf, sizeof(buf), "%s:%s", kIODeviceTreePlane, path);
	if (n < 0 || (size_t)n >= sizeof(buf))
		return NULL;
	v = CFStringCreateWithCString(kCFAllocatorDefault, buf, kCFStringEncodingMacRoman);
	if (!v)
		return NULL;
	d = CFDictionaryCreateMutable(kCFAllocatorDefault, 1, &kCFTypeDictionaryKeyCallBacks,
				      &kCFTypeDictionaryValueCallBacks);
	if (d)
		CFDictionarySetValue(d, CFSTR(kIOPathMatchKey), v);
	CFRelease(v);
	return d;
}

IOK_EXPORT kern_return_t IOServiceOFPathToBSDName(mach_port_t mainPort,
						  const char *openFirmwarePath,
						  io_name_t bsdName)
{
	io_iterator_t services = IO_OBJECT_NULL;
	io_service_t service;
	uint32_t len = sizeof(io_name_t);
	kern_return_t kr;

	if (!bsdName || !openFirmwarePath)
		return kIOReturnBadArgument;
	bsdName[0] = '\0';
	kr = IOServiceGetMatchingServices(mainPort,
					  IOOpenFirmwarePathMatching(mainPort, 0, openFirmwarePath),
					  &services);
	if (kr != KERN_SUCCESS)
		return kr;
	service = IOIteratorNext(services);
	if (service) {
		kr = IORegistryEntryGetProperty(service, kIOBSDNameKey, bsdName, &len);
		if (kr != KERN_SUCCESS)
			bsdName[0] = '\0';
		IOObjectRelease(service);
	} else {
		kr = KERN_FAILURE;
	}
	if (services)
		IOObjectRelease(services);
	return kr;
}

/* ---- what a Linux host does not provide ------------------------------------ */

/* kIOReturnSuccess when obj is a live name that conforms to class_name;
 * otherwise the code Apple's MIG layer or kernel would give. */
static IOReturn check_object(io_object_t obj, const char *class_name)
{
	io_name_t cls;
	IOReturn ret = IOObjectGetClass(obj, cls);

	if (ret != kIOReturnSuccess)
		return ret;
	return IOObjectConformsTo(obj, class_name) ? kIOReturnSuccess : kIOReturnBadArgument;
}

IOK_EXPORT kern_return_t IOServiceRequestProbe(io_service_t service, uint32_t options)
{
	IOReturn ret = check_object(service, kIOServiceClass);

	/* IOService::requestProbe's default; drivers here cannot override it. */
	return ret ? ret : kIOReturnUnsupported;
}

IOK_EXPORT kern_return_t IOServiceAuthorize(io_service_t service, uint32_t options)
{
	IOReturn ret = check_object(service, kIOServiceClass);

	/* No authorization agent: the user-approval step of macOS. */
	return ret ? ret : kIOReturnUnsupported;
}

IOK_EXPORT int IOServiceOpenAsFileDescriptor(io_service_t service, int oflag)
{
	errno = check_object(service, kIOServiceClass) ? EINVAL : ENOTSUP;
	return -1;
}

IOK_EXPORT kern_return_t IOConnectAddClient(io_connect_t connect, io_connect_t client)
{
	IOReturn ret = check_object(connect, "IOUserClient");

	if (!ret)
		ret = check_object(client, "IOUserClient");
	/* IOUserClient::connectClient's default. */
	return ret ? ret : kIOReturnUnsupported;
}

/* Traps: the driver API has no trap table, so no index is ever served. */
static kern_return_t trap(io_connect_t connect, uint32_t index)
{
	IOReturn ret = check_object(connect, "IOUserClient");

	return ret ? kIOReturnBadArgument : kIOReturnUnsupported;
}

IOK_EXPORT kern_return_t IOConnectTrap0(io_connect_t connect, uint32_t index)
{
	return trap(connect, index);
}

IOK_EXPORT kern_return_t IOConnectTrap1(io_connect_t connect, uint32_t index, uintptr_t p1)
{
	return trap(connect, index);
}

IOK_EXPORT kern_return_t IOConnectTrap2(io_connect_t connect, uint32_t index, uintptr_t p1,
					uintptr_t p2)
{
	return trap(connect, index);
}

IOK_EXPORT kern_return_t IOConnectTrap3(io_connect_t connect, uint32_t index, uintptr_t p1,
					uintptr_t p2, uintptr_t p3)
{
	return trap(connect, index);
}

IOK_EXPORT kern_return_t IOConnectTrap4(io_connect_t connect, uint32_t index, uintptr_t p1,
					uintptr_t p2, uintptr_t p3, uintptr_t p4)
{
	return trap(connect, index);
}

IOK_EXPORT kern_return_t IOConnectTrap5(io_connect_t connect, uint32_t index, uintptr_t p1,
					uintptr_t p2, uintptr_t p3, uintptr_t p4, uintptr_t p5)
{
	return trap(connect, index);
}

IOK_EXPORT kern_return_t IOConnectTrap6(io_connect_t connect, uint32_t index, uintptr_t p1,
					uintptr_t p2, uintptr_t p3, uintptr_t p4, uintptr_t p5,
					uintptr_t p6)
{
	return trap(connect, index);
}

/* The driver catalogue is the host's (its --drivers); clients cannot
 * change or read it. */
IOK_EXPORT kern_return_t IOCatalogueSendData(mach_port_t mainPort, uint32_t flag,
					     const char *buffer, uint32_t size)
{
	return iok_main_port_ok(mainPort) ? kIOReturnUnsupported : kIOReturnNotPrivileged;
}

IOK_EXPORT kern_return_t IOCatalogueTerminate(mach_port_t mainPort, uint32_t flag,
					      io_name_t description)
{
	return iok_main_port_ok(mainPort) ? kIOReturnUnsupported : kIOReturnNotPrivileged;
}

IOK_EXPORT kern_return_t IOCatalogueGetData(mach_port_t mainPort, uint32_t flag, char **buffer,
					    uint32_t *size)
{
	return iok_main_port_ok(mainPort) ? kIOReturnUnsupported : kIOReturnNotPrivileged;
}

IOK_EXPORT kern_return_t IOCatalogueModuleLoaded(mach_port_t mainPort, io_name_t name)
{
	return iok_main_port_ok(mainPort) ? kIOReturnUnsupported : kIOReturnNotPrivileged;
}

IOK_EXPORT kern_return_t IOCatalogueReset(mach_port_t mainPort, uint32_t flag)
{
	return iok_main_port_ok(mainPort) ? kIOReturnUnsupported : kIOReturnNotPrivileged;
}
