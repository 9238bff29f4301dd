// SPDX-License-Identifier: MIT
/*
 * connect.c - connections: IOServiceOpen / IOServiceClose, the connection
 * helpers, setting properties, and IOConnectCallMethod with Apple's
 * transport rules (16 scalars each way; structures up to 4096 bytes
 * inband, larger ones out of line; output counts written back only when
 * the call succeeds, as a failed MIG routine leaves them).
 */
#include "libiokit.h"

#include <mach/mig_errors.h>
#include <stdlib.h>

IOK_EXPORT kern_return_t IOServiceOpen(io_service_t service, task_port_t owningTask,
				       uint32_t type, io_connect_t *connect)
{
	struct iok_rpc req = { .op = IOK_OP_SERVICE_OPEN, .obj = service, .type = type };
	struct iok_reply rep;
	IOReturn ret;

	if (!connect)
		return kIOReturnBadArgument;
	*connect = IO_OBJECT_NULL;
	if (owningTask != mach_task_self())
		return kIOReturnBadArgument;
	ret = iok_call(&req, &rep);
	if (ret == kIOReturnSuccess)
		*connect = rep.msg->obj2;
	iok_reply_free(&rep);
	return ret;
}

IOK_EXPORT kern_return_t IOServiceClose(io_connect_t connect)
{
	struct iok_rpc req = { .op = IOK_OP_SERVICE_CLOSE, .obj = connect };
	struct iok_reply rep;
	IOReturn ret = iok_call(&req, &rep);

	iok_reply_free(&rep);
	if (ret == kIOReturnSuccess)
		iok_unmap_connection(connect);   /* mappings die with the client */
	IOObjectRelease(connect);   /* always, as Apple's library does */
	return ret;
}

IOK_EXPORT kern_return_t IOConnectAddRef(io_connect_t connect)
{
	return IOObjectRetain(connect);
}

IOK_EXPORT kern_return_t IOConnectRelease(io_connect_t connect)
{
	return IOObjectRelease(connect);
}

IOK_EXPORT kern_return_t IOConnectGetService(io_connect_t connect, io_service_t *service)
{
	struct iok_rpc req = { .op = IOK_OP_CONNECT_GET_SERVICE, .obj = connect };
	struct iok_reply rep;
	IOReturn ret;

	if (!service)
		return kIOReturnBadArgument;
	ret = iok_call(&req, &rep);
	*service = ret == kIOReturnSuccess ? rep.msg->obj2 : IO_OBJECT_NULL;
	iok_reply_free(&rep);
	return ret;
}

/* io_registry_entry_set_properties / io_connect_set_properties. */
static kern_return_t set_properties(io_object_t obj, CFTypeRef properties)
{
	struct iok_rpc req = { .op = IOK_OP_ENTRY_SET_PROPERTIES, .obj = obj };
	struct iok_reply rep;
	uint8_t *buf;
	size_t len;
	IOReturn ret;

	if (!properties)
		return kIOReturnBadArgument;
	if (iok_cf_serialize(properties, &buf, &len))
		return kIOReturnUnsupported;
	req.data = buf;
	req.data_len = len;
	ret = iok_call(&req, &rep);
	iok_reply_free(&rep);
	iok_free(buf);
	return ret;
}

static kern_return_t set_property(io_object_t obj, CFStringRef key, CFTypeRef value)
{
	CFMutableDictionaryRef d;
	kern_return_t ret;

	if (!key || !value)
		return kIOReturnBadArgument;
	d = CFDictionaryCreateMutable(kCFAllocatorDefault, 1, &kCFTypeDictionaryKeyCallBacks,
				      &kCFTypeDictionaryValueCallBacks);
	if (!d)
		return kIOReturnNoMemory;
	CFDictionarySetValue(d, key, value);
	ret = set_properties(obj, d);
	CFRelease(d);
	return ret;
}

IOK_EXPORT kern_return_t IOConnectSetCFProperties(io_connect_t connect, CFTypeRef properties)
{
	return set_properties(connect, properties);
}

IOK_EXPORT kern_return_t IOConnectSetCFProperty(io_connect_t connect, CFStringRef propertyName,
						CFTypeRef property)
{
	return set_property(connect, propertyName, property);
}

IOK_EXPORT kern_return_t IORegistryEntrySetCFProperties(io_registry_entry_t entry,
							CFTypeRef properties)
{
	return set_properties(entry, properties);
}

IOK_EXPORT kern_return_t IORegistryEntrySetCFProperty(io_registry_entry_t entry,
						      CFStringRef propertyName, CFTypeRef property)
{
	return set_property(entry, propertyName, property);
}

/* ---- external methods ------------------------------------------------- */

#define OOL_ALIGN 64u

/* An async call's wake port (the host's name for it) and reference. */
struct async_arg {
	uint32_t wake_port;
	uint32_t count;
	uint64_t ref[IOK_WIRE_MAX_ASYNC_REFS];
};

/*
 * Scalars are at most 16: a loop, not a call to memcpy through the PLT
 * (the empty asm keeps the compiler from turning the loop back into one).
 */
static inline void copy_scalars(uint64_t *restrict dst, const uint64_t *restrict src, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		dst[i] = src[i];
		__asm__ volatile("");
	}
}

/* Inline in each of the public calls below, so that each keeps only the
 * branches its own arguments can take. */
static inline __attribute__((always_inline)) IOReturn
call_method(mach_port_t connection, uint32_t selector, const uint64_t *input, uint32_t inputCnt,
	    const void *inputStruct, size_t inputStructCnt, uint64_t *output, uint32_t *outputCnt,
	    void *outputStruct, size_t *outputStructCnt, const struct async_arg *async)
{
	uint32_t scalar_cap = outputCnt ? (*outputCnt < 16 ? *outputCnt : 16) : 0;
	size_t struct_cap = outputStructCnt && outputStruct ? *outputStructCnt : 0;
	bool ool_call = inputStructCnt > IOK_WIRE_MAX_INBAND || struct_cap > IOK_WIRE_MAX_INBAND;
	bool in_place = !ool_call && iok_kern_active();
	const struct iok_wire_call_reply *r;
	struct iok_wire_call *m;
	struct iok_chan *ch = NULL;
	uint64_t in_off = 0, out_off = 0;
	uint8_t *ool = NULL;
	IOReturn ret;

	if (inputCnt > IOK_WIRE_MAX_SCALARS)
		return MIG_ARRAY_TOO_LARGE;
	if (inputCnt && !input)
		return kIOReturnBadArgument;
	if (inputStructCnt && !inputStruct)
		return kIOReturnBadArgument;
	if (outputStructCnt && *outputStructCnt == (size_t)kIOConnectMethodVarOutputSize)
		return kIOReturnUnsupported;   /* variable output: not yet */
	if (struct_cap > UINT32_MAX)
		return kIOReturnIPCError;      /* the kernel refuses such a range */
	if (in_place) {
		/* The kernel's in-place call: the request buffer is this
		 * thread's, and the reply comes back over it. */
		m = iok_kern_request();
		if (!m)
			return kIOReturnNoMemory;
	} else {
		ret = iok_chan_get(&ch);
		if (ret)
			return ret;
		if (ool_call) {
			size_t in = inputStructCnt > IOK_WIRE_MAX_INBAND ? inputStructCnt : 0;
			size_t out = struct_cap > IOK_WIRE_MAX_INBAND ? struct_cap : 0;

			if (in > SIZE_MAX / 2 || out > SIZE_MAX / 2)
				return kIOReturnNoMemory;
			out_off = (in + OOL_ALIGN - 1) & ~(uint64_t)(OOL_ALIGN - 1);
			ret = iok_chan_ool(ch, (size_t)out_off + out, &ool);
			if (ret)
				return ret;
		}
		m = iok_chan_request(ch);
	}
	/* Every field the host reads is written; the scalars and references
	 * past their counts are not read and keep this thread's earlier
	 * values. */
	m->hdr = (struct iok_wire_hdr){ .op = IOK_OP_CONNECT_CALL };
	m->conn = connection;
	m->selector = selector;
	m->scalar_in_count = inputCnt;
	m->scalar_out_count = scalar_cap;
	m->struct_in_size = m->struct_out_size = 0;
	m->ool_in_offset = m->ool_in_size = m->ool_out_offset = m->ool_out_size = 0;
	m->wake_port = m->async_ref_count = 0;
	copy_scalars(m->scalar_in, input, inputCnt);
	if (async && async->wake_port) {
		m->wake_port = async->wake_port;
		m->async_ref_count = async->count;
		memcpy(m->async_ref, async->ref, sizeof(m->async_ref));
	}
	if (inputStructCnt > IOK_WIRE_MAX_INBAND) {
		memcpy(ool + in_off, inputStruct, inputStructCnt);
		m->ool_in_offset = in_off;
		m->ool_in_size = inputStructCnt;
	} else if (inputStructCnt) {
		memcpy(m + 1, inputStruct, inputStructCnt);
		m->struct_in_size = (uint32_t)inputStructCnt;
	}
	if (struct_cap > IOK_WIRE_MAX_INBAND) {
		m->ool_out_offset = out_off;
		m->ool_out_size = struct_cap;
	} else {
		m->struct_out_size = (uint32_t)struct_cap;
	}
	m->hdr.size = (uint32_t)(sizeof(*m) + m->struct_in_size);
	ret = in_place ? iok_kern_call_in_place(m, &r) : iok_chan_call(ch, &r);
	if (ret)
		return ret;
	ret = r->hdr.result;
	if (ret != kIOReturnSuccess)
		return ret;
	/* The host caps these at our capacities; check anyway. */
	if (r->scalar_out_count > scalar_cap || r->struct_out_size > struct_cap ||
	    r->ool_out_size > struct_cap)
		return kIOReturnIPCError;
	if (outputCnt) {
		copy_scalars(output, r->scalar_out, r->scalar_out_count);
		*outputCnt = r->scalar_out_count;
	}
	if (outputStructCnt && struct_cap > IOK_WIRE_MAX_INBAND) {
		memcpy(outputStruct, ool + out_off, (size_t)r->ool_out_size);
		*outputStructCnt = (size_t)r->ool_out_size;
	} else if (outputStructCnt && outputStruct) {
		memcpy(outputStruct, r + 1, r->struct_out_size);
		*outputStructCnt = r->struct_out_size;
	}
	return kIOReturnSuccess;
}

IOK_EXPORT kern_return_t IOConnectCallMethod(mach_port_t connection, uint32_t selector,
					     const uint64_t *input, uint32_t inputCnt,
					     const void *inputStruct, size_t inputStructCnt,
					     uint64_t *output, uint32_t *outputCnt,
					     void *outputStruct, size_t *outputStructCnt)
{
	return call_method(connection, selector, input, inputCnt, inputStruct, inputStructCnt,
			   output, outputCnt, outputStruct, outputStructCnt, NULL);
}

IOK_EXPORT kern_return_t IOConnectCallScalarMethod(mach_port_t connection, uint32_t selector,
						   const uint64_t *input, uint32_t inputCnt,
						   uint64_t *output, uint32_t *outputCnt)
{
	return call_method(connection, selector, input, inputCnt, NULL, 0, output, outputCnt,
			   NULL, NULL, NULL);
}

IOK_EXPORT kern_return_t IOConnectCallStructMethod(mach_port_t connection, uint32_t selector,
						   const void *inputStruct, size_t inputStructCnt,
						   void *outputStruct, size_t *outputStructCnt)
{
	return call_method(connection, selector, NULL, 0, inputStruct, inputStructCnt, NULL, NULL,
			   outputStruct, outputStructCnt, NULL);
}

/*
 * Async calls (§2.5): a NULL reference with a count of 0 becomes one zero
 * element; the kernel then refuses a count below 1 (kIOReturnBadArgument)
 * and MIG one above 8.  The wake port must be a message port of ours
 * (IONotificationPortGetMachPort, mach_port_allocate); MACH_PORT_NULL
 * makes an ordinary call.
 */
static IOReturn async_setup(mach_port_t wake_port, const uint64_t *reference,
			    uint32_t referenceCnt, struct async_arg *a)
{
	memset(a, 0, sizeof(*a));
	if (!reference && referenceCnt == 0)
		referenceCnt = 1;   /* the library's one zero element */
	else if (!reference)
		return kIOReturnBadArgument;
	if (referenceCnt > IOK_WIRE_MAX_ASYNC_REFS)
		return MIG_ARRAY_TOO_LARGE;
	if (referenceCnt < 1)
		return kIOReturnBadArgument;
	a->count = referenceCnt;
	if (reference)
		memcpy(a->ref, reference, referenceCnt * sizeof(uint64_t));
	if (wake_port == MACH_PORT_NULL)
		return kIOReturnSuccess;
	return iok_port_host_name(wake_port, &a->wake_port);
}

IOK_EXPORT kern_return_t IOConnectCallAsyncMethod(mach_port_t connection, uint32_t selector,
						  mach_port_t wake_port, uint64_t *reference,
						  uint32_t referenceCnt, const uint64_t *input,
						  uint32_t inputCnt, const void *inputStruct,
						  size_t inputStructCnt, uint64_t *output,
						  uint32_t *outputCnt, void *outputStruct,
						  size_t *outputStructCnt)
{
	struct async_arg a;
	IOReturn ret = async_setup(wake_port, reference, referenceCnt, &a);

	if (ret)
		return ret;
	return call_method(connection, selector, input, inputCnt, inputStruct, inputStructCnt,
			   output, outputCnt, outputStruct, outputStructCnt, &a);
}

IOK_EXPORT kern_return_t IOConnectCallAsyncScalarMethod(mach_port_t connection, uint32_t selector,
							mach_port_t wake_port, uint64_t *reference,
							uint32_t referenceCnt, const uint64_t *input,
							uint32_t inputCnt, uint64_t *output,
							uint32_t *outputCnt)
{
	return IOConnectCallAsyncMethod(connection, selector, wake_port, reference, referenceCnt,
					input, inputCnt, NULL, 0, output, outputCnt, NULL, NULL);
}

IOK_EXPORT kern_return_t IOConnectCallAsyncStructMethod(mach_port_t connection, uint32_t selector,
							mach_port_t wake_port, uint64_t *reference,
							uint32_t referenceCnt, const void *inputStruct,
							size_t inputStructCnt, void *outputStruct,
							size_t *outputStructCnt)
{
	return IOConnectCallAsyncMethod(connection, selector, wake_port, reference, referenceCnt,
					NULL, 0, inputStruct, inputStructCnt, NULL, NULL,
					outputStruct, outputStructCnt);
}
