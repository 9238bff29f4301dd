// SPDX-License-Identifier: MIT
/*
 * notify.c - notification ports and what arrives on them: matching and
 * interest notifications, async completions (IOKitLib.h), dispatched by
 * IODispatchCalloutFromMessage as on macOS.
 *
 * An IONotificationPort is a local message port (ports.c).  Its callbacks
 * run where the program chooses: from its own poll loop
 * (IONotificationPortGetFileDescriptor + IONotificationPortDispatchPending),
 * on a library thread (IONotificationPortSetDispatchQueue with any
 * non-NULL queue), or from a CFRunLoop (IONotificationPortGetRunLoopSource).
 */
#include "libiokit.h"
#include "cf_runloop.h"

#include <IOKit/IOKitLinux.h>
#include <IOKit/OSMessageNotification.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

/* Largest message the host sends (an async completion with 16 results). */
#define MAX_MSG 512

struct IONotificationPort {
	mach_port_t port;
	pthread_mutex_t lock;
	bool thread_running;
	pthread_t thread;
	int stop_fd;              /* eventfd that stops the thread */
	CFRunLoopSourceRef source;   /* the run-loop source, made on demand */
};

IOK_EXPORT IONotificationPortRef IONotificationPortCreate(mach_port_t mainPort)
{
	IONotificationPortRef n;

	if (!iok_main_port_ok(mainPort))
		return NULL;
	n = calloc(1, sizeof(*n));
	if (!n)
		return NULL;
	if (mach_port_allocate(mach_task_self(), MACH_PORT_RIGHT_RECEIVE, &n->port)) {
		free(n);
		return NULL;
	}
	pthread_mutex_init(&n->lock, NULL);
	n->stop_fd = -1;
	return n;
}

IOK_EXPORT mach_port_t IONotificationPortGetMachPort(IONotificationPortRef notify)
{
	return notify ? notify->port : MACH_PORT_NULL;
}

IOK_EXPORT kern_return_t IONotificationPortSetImportanceReceiver(IONotificationPortRef notify)
{
	return notify ? KERN_SUCCESS : KERN_INVALID_ARGUMENT;   /* no importance on Linux */
}

IOK_EXPORT int IONotificationPortGetFileDescriptor(IONotificationPortRef notify)
{
	return notify ? IOMachPortGetFileDescriptor(notify->port) : -1;
}

/* Receives one message without waiting: 1, or 0 when none is pending. */
static int receive_one(mach_port_t port, mach_msg_header_t *msg, size_t size)
{
	mach_msg_return_t r = mach_msg(msg, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0,
				       (mach_msg_size_t)size, port, 0, MACH_PORT_NULL);

	return r == MACH_MSG_SUCCESS ? 1 : r == MACH_RCV_TOO_LARGE ? 2 : 0;
}

IOK_EXPORT int IONotificationPortDispatchPending(IONotificationPortRef notify)
{
	union {
		mach_msg_header_t h;
		uint8_t bytes[MAX_MSG];
	} msg;
	int n = 0, r;

	if (!notify)
		return -1;
	while ((r = receive_one(notify->port, &msg.h, sizeof(msg))) > 0) {
		if (r == 1) {
			IODispatchCalloutFromMessage(NULL, &msg.h, NULL);
			n++;
		}
	}
	return n;
}

/* ---- the run-loop source ----------------------------------------------------- */

static void perform_pending(void *info)
{
	IONotificationPortDispatchPending(info);
}

/* One source per port, made on first request (the port keeps it; the
 * caller does not release it), as on macOS. */
IOK_EXPORT CFRunLoopSourceRef IONotificationPortGetRunLoopSource(IONotificationPortRef notify)
{
	CFRunLoopSourceRef src;

	if (!notify)
		return NULL;
	pthread_mutex_lock(&notify->lock);
	if (!notify->source)
		notify->source = iok_cf_runloop_source_create_fd(
			IOMachPortGetFileDescriptor(notify->port), perform_pending, notify);
	src = notify->source;
	pthread_mutex_unlock(&notify->lock);
	return src;
}

/* ---- the callback thread (IONotificationPortSetDispatchQueue) ------------ */

static void *dispatch_thread(void *arg)
{
	IONotificationPortRef notify = arg;
	struct pollfd p[2] = {
		{ .fd = IOMachPortGetFileDescriptor(notify->port), .events = POLLIN },
		{ .fd = notify->stop_fd, .events = POLLIN },
	};

	for (;;) {
		if (poll(p, 2, -1) < 0 && errno != EINTR)
			break;
		if (p[1].revents)
			break;
		if (p[0].revents & POLLIN)
			IONotificationPortDispatchPending(notify);
	}
	return NULL;
}

static void stop_thread(IONotificationPortRef notify)
{
	uint64_t one = 1;
	pthread_t th;
	bool running;

	pthread_mutex_lock(&notify->lock);
	running = notify->thread_running;
	th = notify->thread;
	notify->thread_running = false;
	pthread_mutex_unlock(&notify->lock);
	if (!running)
		return;
	if (write(notify->stop_fd, &one, sizeof(one)) < 0)
		abort();   /* an eventfd write of 1 cannot fail */
	if (pthread_equal(th, pthread_self()))
		pthread_detach(th);   /* stopped from one of its own callbacks */
	else
		pthread_join(th, NULL);
	close(notify->stop_fd);
	notify->stop_fd = -1;
}

/*
 * There is no libdispatch here: any non-NULL queue means "run the
 * callbacks on a thread of the library's, one at a time" (a serial
 * queue's guarantee); NULL stops that thread.
 */
IOK_EXPORT void IONotificationPortSetDispatchQueue(IONotificationPortRef notify,
						   dispatch_queue_t queue)
{
	if (!notify)
		return;
	stop_thread(notify);
	if (!queue)
		return;
	pthread_mutex_lock(&notify->lock);
	notify->stop_fd = eventfd(0, EFD_CLOEXEC);
	if (notify->stop_fd >= 0 &&
	    pthread_create(&notify->thread, NULL, dispatch_thread, notify) == 0) {
		notify->thread_running = true;
	} else if (notify->stop_fd >= 0) {
		close(notify->stop_fd);
		notify->stop_fd = -1;
	}
	pthread_mutex_unlock(&notify->lock);
}

IOK_EXPORT void IONotificationPortDestroy(IONotificationPortRef notify)
{
	if (!notify)
		return;
	stop_thread(notify);
	if (notify->source) {
		CFRunLoopSourceInvalidate(notify->source);
		CFRelease(notify->source);
	}
	mach_port_destroy(mach_task_self(), notify->port);
	pthread_mutex_destroy(&notify->lock);
	free(notify);
}

/* ---- decoding (IODispatchCalloutFromMessage) ------------------------------ */

/* The parts of a notification message, checked against its size. */
struct parsed {
	uint32_t type;
	uint64_t ref[kOSAsyncRef64Count];
	const uint8_t *content;
	size_t content_len;
	mach_port_t service;     /* interest: the port descriptor's name */
};

static bool parse(const mach_msg_header_t *msg, struct parsed *p)
{
	const uint8_t *base = (const uint8_t *)msg;
	size_t size = msg->msgh_size, off = sizeof(*msg);
	OSNotificationHeader64 h;

	memset(p, 0, sizeof(*p));
	if (msg->msgh_id != kOSNotificationMessageID || size < off || size > 64 * 1024)
		return false;
	if (msg->msgh_bits & MACH_MSGH_BITS_COMPLEX) {
		mach_msg_body_t body;
		mach_msg_port_descriptor_t d;

		if (size < off + sizeof(body))
			return false;
		memcpy(&body, base + off, sizeof(body));
		off += sizeof(body);
		if (body.msgh_descriptor_count < 1 || body.msgh_descriptor_count > 16 ||
		    size < off + body.msgh_descriptor_count * sizeof(d))
			return false;
		memcpy(&d, base + off, sizeof(d));
		p->service = d.name;
		off += body.msgh_descriptor_count * sizeof(d);
	}
	if (size < off + sizeof(h))
		return false;
	memcpy(&h, base + off, sizeof(h));
	off += sizeof(h);
	p->type = h.type & kIOKitNoticationTypeMask;
	memcpy(p->ref, h.reference, sizeof(p->ref));
	p->content = base + off;
	p->content_len = size - off;
	return true;
}

static void async_callout(const struct parsed *p)
{
	void *refcon = (void *)(uintptr_t)p->ref[kIOAsyncCalloutRefconIndex];
	uintptr_t fn = (uintptr_t)p->ref[kIOAsyncCalloutFuncIndex];
	void *args[kMaxAsyncArgs];
	uint32_t n;
	IOReturn result;

	if (!fn || p->content_len < sizeof(IOAsyncCompletionContent))
		return;
	memcpy(&result, p->content, sizeof(result));
	n = (uint32_t)((p->content_len - sizeof(IOAsyncCompletionContent)) / sizeof(uint64_t));
	if (n > kMaxAsyncArgs)
		n = kMaxAsyncArgs;
	for (uint32_t i = 0; i < n; i++) {
		uint64_t v;

		memcpy(&v, p->content + sizeof(IOAsyncCompletionContent) + i * sizeof(v), sizeof(v));
		args[i] = (void *)(uintptr_t)v;
	}
	switch (n) {
	case 0:
		((IOAsyncCallback0)fn)(refcon, result);
		break;
	case 1:
		((IOAsyncCallback1)fn)(refcon, result, args[0]);
		break;
	case 2:
		((IOAsyncCallback2)fn)(refcon, result, args[0], args[1]);
		break;
	default:
		((IOAsyncCallback)fn)(refcon, result, args, n);
		break;
	}
}

IOK_EXPORT void IODispatchCalloutFromMessage(void *unused, mach_msg_header_t *msg,
					     void *reference)
{
	mach_port_t notifier;
	struct parsed p;
	bool live = true;

	(void)unused;
	(void)reference;
	if (!msg || !parse(msg, &p))
		return;
	notifier = msg->msgh_remote_port;
	/* The message holds one reference on the notifier: fewer than two
	 * means the program already released it, so it wants no callback. */
	if (notifier != MACH_PORT_NULL)
		live = IOObjectGetUserRetainCount(notifier) >= 2;
	if (live) {
		void *refcon = (void *)(uintptr_t)p.ref[kIOMatchingCalloutRefconIndex];
		uintptr_t fn = (uintptr_t)p.ref[kIOMatchingCalloutFuncIndex];

		switch (p.type) {
		case kIOAsyncCompletionNotificationType:
			async_callout(&p);
			break;
		case kIOServiceMessageNotificationType:
			if (fn && p.content_len >= sizeof(IOServiceInterestContent64)) {
				IOServiceInterestContent64 c;

				memcpy(&c, p.content, sizeof(c));
				((IOServiceInterestCallback)fn)(
					refcon, p.service, c.messageType,
					(void *)(uintptr_t)c.messageArgument[0]);
			}
			break;
		case kIOServicePublishNotificationType:
		case kIOServiceMatchedNotificationType:
		case kIOServiceTerminatedNotificationType:
			if (fn)
				((IOServiceMatchingCallback)fn)(refcon, notifier);
			break;
		default:
			break;
		}
	}
	if (notifier != MACH_PORT_NULL)
		IOObjectRelease(notifier);
	if (p.service != MACH_PORT_NULL)
		IOObjectRelease(p.service);
}

IOK_EXPORT kern_return_t OSGetNotificationFromMessage(mach_msg_header_t *msg, uint32_t index,
						      uint32_t *type, uintptr_t *reference,
						      void **content, vm_size_t *size)
{
	struct parsed p;

	if (!msg || !parse(msg, &p))
		return kIOReturnBadArgument;
	if (index != 0)
		return kIOReturnNotFound;   /* one notification per message */
	if (type)
		*type = p.type;
	if (reference)
		*reference = (uintptr_t)p.ref[0];
	if (size)
		*size = p.content_len;
	if (content)
		*content = p.content_len ? (void *)(uintptr_t)p.content : NULL;
	return kIOReturnSuccess;
}

IOK_EXPORT kern_return_t IOCreateReceivePort(uint32_t msgType, mach_port_t *recvPort)
{
	if (!recvPort)
		return kIOReturnBadArgument;
	if (msgType != kOSNotificationMessageID && msgType != kOSAsyncCompleteMessageID)
		return kIOReturnBadArgument;
	return mach_port_allocate(mach_task_self(), MACH_PORT_RIGHT_RECEIVE, recvPort);
}

/* ---- adding notifications ----------------------------------------------- */

static IOReturn add_notification(struct iok_rpc *req, mach_port_t port, const uint64_t *ref,
				 uint32_t ref_count, const uint8_t *dict, size_t dict_len,
				 uint32_t *out, bool out_in_obj2)
{
	uint8_t *data = malloc(kOSAsyncRef64Size + dict_len);
	struct iok_reply rep;
	uint32_t host_port;
	IOReturn ret;

	if (!data)
		return kIOReturnNoMemory;
	ret = iok_port_host_name(port, &host_port);
	if (ret) {
		free(data);
		return ret;
	}
	memset(data, 0, kOSAsyncRef64Size);
	memcpy(data, ref, ref_count * sizeof(uint64_t));
	if (dict_len)
		memcpy(data + kOSAsyncRef64Size, dict, dict_len);
	req->obj2 = host_port;
	req->options = ref_count;
	req->data = data;
	req->data_len = kOSAsyncRef64Size + dict_len;
	ret = iok_call(req, &rep);
	if (ret == kIOReturnSuccess)
		*out = out_in_obj2 ? rep.msg->obj2 : rep.msg->obj;
	iok_reply_free(&rep);
	free(data);
	return ret;
}

static IOReturn add_matching(mach_port_t port, const char *type, CFDictionaryRef matching,
			     const uint64_t ref[3], io_iterator_t *notification)
{
	struct iok_rpc req = { .op = IOK_OP_ADD_MATCHING_NOTIFICATION, .str = type };
	uint8_t *dict = NULL;
	size_t len = 0;
	IOReturn ret;

	if (!matching)
		return kIOReturnBadArgument;
	ret = iok_cf_serialize(matching, &dict, &len) ? kIOReturnUnsupported : kIOReturnSuccess;
	CFRelease(matching);   /* consumed on every path */
	if (!ret && (!type || !notification))
		ret = kIOReturnBadArgument;
	if (!ret)
		ret = add_notification(&req, port, ref, 3, dict, len, notification, false);
	iok_free(dict);
	return ret;
}

IOK_EXPORT kern_return_t IOServiceAddMatchingNotification(IONotificationPortRef notifyPort,
							  const char *notificationType,
							  CFDictionaryRef matching,
							  IOServiceMatchingCallback callback,
							  void *refCon,
							  io_iterator_t *notification)
{
	const uint64_t ref[3] = { 0, (uint64_t)(uintptr_t)callback, (uint64_t)(uintptr_t)refCon };

	if (!notifyPort) {
		if (matching)
			CFRelease(matching);
		return kIOReturnBadArgument;
	}
	return add_matching(notifyPort->port, notificationType, matching, ref, notification);
}

IOK_EXPORT kern_return_t IOServiceAddNotification(mach_port_t mainPort,
						  const char *notificationType,
						  CFDictionaryRef matching, mach_port_t wakePort,
						  uintptr_t reference, io_iterator_t *notification)
{
	const uint64_t ref[3] = { 0, 0, reference };

	if (!iok_main_port_ok(mainPort)) {
		if (matching)
			CFRelease(matching);
		return kIOReturnNotPrivileged;
	}
	return add_matching(wakePort, notificationType, matching, ref, notification);
}

IOK_EXPORT kern_return_t IOServiceAddInterestNotification(IONotificationPortRef notifyPort,
							  io_service_t service,
							  const char *interestType,
							  IOServiceInterestCallback callback,
							  void *refCon, io_object_t *notification)
{
	struct iok_rpc req = { .op = IOK_OP_ADD_INTEREST_NOTIFICATION, .obj = service,
			       .str = interestType };
	const uint64_t ref[4] = { 0, (uint64_t)(uintptr_t)callback, (uint64_t)(uintptr_t)refCon,
				  service };

	if (!notifyPort || !interestType || !notification)
		return kIOReturnBadArgument;
	return add_notification(&req, notifyPort->port, ref, 4, NULL, 0, notification, true);
}

/* ---- busy state and quiet ------------------------------------------------ */

IOK_EXPORT kern_return_t IOServiceGetBusyState(io_service_t service, uint32_t *busyState)
{
	if (!busyState)
		return kIOReturnBadArgument;
	return IOServiceGetBusyStateAndTime(service, NULL, busyState, NULL);
}

/* IOService::getServiceRoot: the IOService plane's "/" entry. */
static io_registry_entry_t service_root(void)
{
	return IORegistryEntryFromPath(kIOMainPortDefault, kIOServicePlane ":/");
}

IOK_EXPORT kern_return_t IOKitGetBusyState(mach_port_t mainPort, uint32_t *busyState)
{
	io_registry_entry_t root;
	kern_return_t ret;

	if (!busyState)
		return kIOReturnBadArgument;
	if (!iok_main_port_ok(mainPort))
		return kIOReturnNotPrivileged;
	root = service_root();
	if (!root)
		return kIOReturnNotResponding;
	ret = IOServiceGetBusyState(root, busyState);
	IOObjectRelease(root);
	return ret;
}

/* Apple's kernel takes sec * 1e9 + nsec as an unsigned 64-bit count, so
 * { 0, -1 } (and NULL) wait for ever. */
static uint64_t wait_ns(const mach_timespec_t *t)
{
	if (!t)
		return UINT64_MAX;
	return (uint64_t)t->tv_sec * 1000000000ull + (uint64_t)(int64_t)t->tv_nsec;
}

/* A request whose reply carries nothing but its result. */
static IOReturn result_call(const struct iok_rpc *req)
{
	struct iok_reply rep;
	IOReturn ret = iok_call(req, &rep);

	iok_reply_free(&rep);
	return ret;
}

IOK_EXPORT kern_return_t IOServiceWaitQuiet(io_service_t service, mach_timespec_t *waitTime)
{
	struct iok_rpc req = { .op = IOK_OP_WAIT_QUIET, .obj = service, .value = wait_ns(waitTime) };

	return result_call(&req);
}

IOK_EXPORT kern_return_t IOKitWaitQuiet(mach_port_t mainPort, mach_timespec_t *waitTime)
{
	io_registry_entry_t root;
	kern_return_t ret;

	if (!iok_main_port_ok(mainPort))
		return kIOReturnNotPrivileged;
	root = service_root();
	if (!root)
		return kIOReturnNotResponding;
	ret = IOServiceWaitQuiet(root, waitTime);
	IOObjectRelease(root);
	return ret;
}

/* ---- driver modules (IOKitLinux.h) ---------------------------------------- */

static IOReturn driver_op(uint16_t op, const char *arg)
{
	struct iok_rpc req = { .op = op, .str = arg };

	if (!arg || !arg[0] || strlen(arg) >= IOK_WIRE_MAX_STR)
		return kIOReturnBadArgument;
	return result_call(&req);
}

IOK_EXPORT kern_return_t IOKitLinuxLoadDriver(const char *path)
{
	return driver_op(IOK_OP_DRIVER_LOAD, path);
}

IOK_EXPORT kern_return_t IOKitLinuxUnloadDriver(const char *bundleIdentifier)
{
	return driver_op(IOK_OP_DRIVER_UNLOAD, bundleIdentifier);
}

IOK_EXPORT CFArrayRef IOKitLinuxCopyLoadedDrivers(void)
{
	struct iok_rpc req = { .op = IOK_OP_DRIVER_LIST };
	struct iok_reply rep;
	CFTypeRef list = NULL;

	if (iok_call(&req, &rep) == kIOReturnSuccess)
		list = iok_cf_unserialize(rep.data, rep.data_len);
	iok_reply_free(&rep);
	if (list && CFGetTypeID(list) != CFArrayGetTypeID()) {
		CFRelease(list);
		list = NULL;
	}
	return list;
}
