// SPDX-License-Identifier: MIT
/*
 * notify.c - what the host tells clients without being asked: matching
 * notifications (IOServiceAddMatchingNotification), interest notifications
 * (IOServiceAddInterestNotification) and async completions
 * (sendAsyncResult64), as Mach-shaped messages queued on the client's
 * message port (OSMessageNotification.h).
 *
 * A matching notifier is the iterator the client got back: services that
 * fire it collect in its pending set (at most 1024), and one message
 * ("ping") goes out when the set turns non-empty while the notifier is
 * armed; draining it with IOIteratorNext re-arms it (xnu's
 * IOServiceUserNotification, LIFO order included).  Every message carries
 * one more user reference on the notifier's name (and an interest message
 * one on the service's), which the client's dispatcher drops again.
 *
 * Notifiers are listed weakly: the list never keeps one alive; its free
 * function unlinks it, and walkers take references with iok_try_retain.
 * A notifier holds its task, its port and (interest) its service.  Sends
 * never block: a client that does not read its port loses messages, as a
 * Mach port whose queue is full does.
 */
#include "runtime.h"

#include <IOKit/IOKitKeys.h>
#include <IOKit/OSMessageNotification.h>
#include <mach/message.h>

#define MAX_PENDING 1024

enum notifier_kind {
	NOTIFY_PUBLISH,          /* kIOPublishNotification, kIOFirstPublishNotification */
	NOTIFY_MATCHED,          /* kIOMatchedNotification, kIOFirstMatchNotification */
	NOTIFY_WILL_TERMINATE,   /* kIOWillTerminateNotification */
	NOTIFY_TERMINATED,       /* kIOTerminatedNotification */
	NOTIFY_INTEREST,         /* IOServiceAddInterestNotification */
};

struct iok_notifier {
	iok_object_t obj;
	struct iok_notifier *next;   /* notifiers list, list_lock */
	enum notifier_kind kind;
	bool general_interest;       /* interest: kIOGeneralInterest (others never fire) */
	iok_task_t *task;
	iok_port_t *port;
	iok_object_t *table;         /* matching */
	iok_service_t *service;      /* interest */
	uint64_t ref[kOSAsyncRef64Count];

	iok_mutex_t lock;
	iok_object_t *pending;       /* services */
	bool armed;
};

static iok_mutex_t list_lock;
static struct iok_notifier *notifiers;

void iok_notify_init(void)
{
	iok_mutex_init(&list_lock);
}

static void notifier_free(iok_object_t *obj)
{
	struct iok_notifier *n = (struct iok_notifier *)obj, **pp;

	iok_mutex_lock(&list_lock);
	for (pp = &notifiers; *pp; pp = &(*pp)->next)
		if (*pp == n) {
			*pp = n->next;
			break;
		}
	iok_mutex_unlock(&list_lock);
	iok_release(n->pending);
	iok_release(n->table);
	iok_service_release(n->service);
	iok_port_release(n->port);
	iok_release(&n->task->obj);
	iok_mutex_destroy(&n->lock);
	iok_free(n);
}

/* A matching notifier is an iterator to the client; an interest one is a
 * plain object it can only release. */
static const struct iok_object_kind matching_kind = {
	.type = IOK_TYPE_ITERATOR,
	.name = "IOServiceUserNotification",
	.free = notifier_free,
};

static const struct iok_object_kind interest_kind = {
	.type = IOK_TYPE_OTHER,
	.name = "IOServiceMessageUserNotification",
	.free = notifier_free,
};

bool iok_is_notifier(const iok_object_t *obj)
{
	return obj && obj->kind == &matching_kind;
}

static struct iok_notifier *notifier_create(const struct iok_object_kind *okind,
					    enum notifier_kind kind, iok_task_t *task,
					    iok_port_t *port, const uint64_t *ref, uint32_t ref_count)
{
	struct iok_notifier *n = iok_zalloc(sizeof(*n));

	if (!n)
		return NULL;
	n->pending = iok_array_create(4);
	if (!n->pending) {
		iok_free(n);
		return NULL;
	}
	iok_object_init(&n->obj, okind);
	iok_mutex_init(&n->lock);
	n->kind = kind;
	n->task = task;
	iok_retain(&task->obj);
	n->port = iok_port_retain(port);
	for (uint32_t i = 0; i < ref_count && i < kOSAsyncRef64Count; i++)
		n->ref[i] = ref[i];
	n->ref[kIOAsyncReservedIndex] = 0;
	n->armed = true;
	return n;
}

static void notifier_link(struct iok_notifier *n)
{
	iok_mutex_lock(&list_lock);
	n->next = notifiers;
	notifiers = n;
	iok_mutex_unlock(&list_lock);
}

/* References to the listed notifiers that want(n, ctx); *count of them. */
static struct iok_notifier **snapshot(bool (*want)(struct iok_notifier *n, void *ctx), void *ctx,
				      size_t *count)
{
	struct iok_notifier **out = NULL, *n;
	size_t cap = 0, k = 0;

	iok_mutex_lock(&list_lock);
	for (n = notifiers; n; n = n->next) {
		if (!want(n, ctx))
			continue;
		if (k == cap) {
			size_t c = cap ? cap * 2 : 8;
			struct iok_notifier **grown = iok_realloc(out, c * sizeof(*out));

			if (!grown)
				break;
			out = grown;
			cap = c;
		}
		if (iok_try_retain(&n->obj))
			out[k++] = n;
	}
	iok_mutex_unlock(&list_lock);
	*count = k;
	return out;
}

/* ---- messages ------------------------------------------------------------ */

/*
 * Queues msg on n's port.  The message names the notifier in the task
 * (msgh_remote_port, +1 user reference) and, for interest messages, the
 * service in its port descriptor (+1); both come back if it cannot go.
 */
static void send_named(struct iok_notifier *n, uint8_t *msg, size_t len, iok_service_t *service,
		       size_t descriptor_off)
{
	mach_msg_header_t h;
	uint32_t svc_name = 0;

	memcpy(&h, msg, sizeof(h));
	h.msgh_remote_port = iok_task_name_object(n->task, &n->obj);
	if (!h.msgh_remote_port)
		return;   /* the task is going away */
	if (service) {
		svc_name = iok_task_name_object(n->task, iok_service_object(service));
		if (!svc_name) {
			iok_task_mod_refs(n->task, h.msgh_remote_port, -1);
			return;
		}
		memcpy(msg + descriptor_off, &svc_name, sizeof(svc_name));
	}
	memcpy(msg, &h, sizeof(h));
	if (iok_port_send_msg(n->port, msg, len)) {
		iok_task_mod_refs(n->task, h.msgh_remote_port, -1);
		if (svc_name)
			iok_task_mod_refs(n->task, svc_name, -1);
	}
}

static uint32_t message_type(enum notifier_kind k)
{
	switch (k) {
	case NOTIFY_PUBLISH:
		return kIOServicePublishNotificationType;
	case NOTIFY_MATCHED:
		return kIOServiceMatchedNotificationType;
	case NOTIFY_INTEREST:
		return kIOServiceMessageNotificationType;
	default:
		return kIOServiceTerminatedNotificationType;
	}
}

static void send_ping(struct iok_notifier *n)
{
	struct {
		mach_msg_header_t h;
		OSNotificationHeader64 n;
	} msg;

	memset(&msg, 0, sizeof(msg));
	msg.h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, MACH_MSG_TYPE_MOVE_SEND);
	msg.h.msgh_size = sizeof(msg);
	msg.h.msgh_id = kOSNotificationMessageID;
	msg.n.size = 0;
	msg.n.type = message_type(n->kind);
	memcpy(msg.n.reference, n->ref, sizeof(msg.n.reference));
	send_named(n, (uint8_t *)&msg, sizeof(msg), NULL, 0);
}

/* Adds s to n's pending set; pings when it turns non-empty while armed. */
static void notifier_add(struct iok_notifier *n, iok_service_t *s)
{
	bool ping = false;
	size_t count;

	iok_mutex_lock(&n->lock);
	count = iok_array_count(n->pending);
	for (size_t i = 0; i < count; i++)
		if (iok_array_get(n->pending, i) == iok_service_object(s))
			goto out;   /* already pending (a first-match race) */
	if (count < MAX_PENDING && !iok_array_append(n->pending, iok_service_object(s))) {
		ping = n->armed && count == 0;
		if (ping)
			n->armed = false;
	}
out:
	iok_mutex_unlock(&n->lock);
	if (ping)
		send_ping(n);
}

iok_object_t *iok_notifier_next(iok_object_t *obj)
{
	struct iok_notifier *n = (struct iok_notifier *)obj;
	iok_object_t *next = NULL;
	size_t count;

	if (!iok_is_notifier(obj))
		return NULL;
	iok_mutex_lock(&n->lock);
	count = iok_array_count(n->pending);
	if (count) {
		next = iok_retain(iok_array_get(n->pending, count - 1));
		iok_array_remove(n->pending, count - 1);
	} else {
		n->armed = true;
	}
	iok_mutex_unlock(&n->lock);
	return next;
}

/* ---- matching notifications --------------------------------------------- */

struct fire_ctx {
	enum notifier_kind kind;
	iok_service_t *service;
};

static bool wants_kind(struct iok_notifier *n, void *ctx)
{
	return n->obj.kind == &matching_kind && n->kind == ((struct fire_ctx *)ctx)->kind;
}

static iok_observer_fn observer;

void iok_runtime_set_observer(iok_observer_fn fn)
{
	__atomic_store_n(&observer, fn, __ATOMIC_RELEASE);
}

void iok_observe(iok_service_t *s, enum iok_observe_event event)
{
	iok_observer_fn fn = __atomic_load_n(&observer, __ATOMIC_ACQUIRE);

	if (fn)
		fn(s, event);
}

void iok_notify_matching(iok_service_t *s, enum iok_notify_event event)
{
	static const enum notifier_kind kinds[] = {
		[IOK_NOTIFY_PUBLISHED] = NOTIFY_PUBLISH,
		[IOK_NOTIFY_MATCHED] = NOTIFY_MATCHED,
		[IOK_NOTIFY_WILL_TERMINATE] = NOTIFY_WILL_TERMINATE,
		[IOK_NOTIFY_TERMINATED] = NOTIFY_TERMINATED,
	};
	struct fire_ctx ctx = { kinds[event], s };
	struct iok_notifier **list;
	size_t count;

	if (event == IOK_NOTIFY_MATCHED)
		iok_observe(s, IOK_OBSERVE_PUBLISHED);
	else if (event == IOK_NOTIFY_WILL_TERMINATE)
		iok_observe(s, IOK_OBSERVE_TERMINATING);
	if (iok_service_is_user_client(s))
		return;   /* Apple's user clients are never registered */
	list = snapshot(wants_kind, &ctx, &count);
	for (size_t i = 0; i < count; i++) {
		/* Terminated services no longer match their path or location
		 * reliably; the class and properties still do. */
		if (iok_match_table(s, list[i]->table, false, NULL))
			notifier_add(list[i], s);
		iok_release(&list[i]->obj);
	}
	iok_free(list);
}

IOReturn iok_notify_add_matching(iok_task_t *task, const char *type, iok_object_t *table,
				 iok_port_t *port, const uint64_t *ref, uint32_t ref_count,
				 iok_object_t **out)
{
	struct iok_notifier *n;
	enum notifier_kind kind;
	bool first = false;

	*out = NULL;
	if (!strcmp(type, kIOPublishNotification)) {
		kind = NOTIFY_PUBLISH;
	} else if (!strcmp(type, kIOFirstPublishNotification)) {
		kind = NOTIFY_PUBLISH;
		first = true;
	} else if (!strcmp(type, kIOMatchedNotification)) {
		kind = NOTIFY_MATCHED;
	} else if (!strcmp(type, kIOFirstMatchNotification)) {
		kind = NOTIFY_MATCHED;
		first = true;
	} else if (!strcmp(type, kIOTerminatedNotification)) {
		kind = NOTIFY_TERMINATED;
	} else if (!strcmp(type, kIOWillTerminateNotification)) {
		kind = NOTIFY_WILL_TERMINATE;
	} else {
		return kIOReturnUnsupported;
	}
	if (iok_type(table) != IOK_TYPE_DICTIONARY)
		return kIOReturnBadArgument;
	if (!iok_port_carries_messages(port))
		return kIOReturnBadArgument;
	n = notifier_create(&matching_kind, kind, task, port, ref, ref_count);
	if (!n)
		return kIOReturnNoMemory;
	n->table = iok_retain(table);
	/* Listed first, then the services already there: one that registers
	 * in between is found twice and kept once. */
	notifier_link(n);
	if (first) {
		iok_object_t *existing = iok_copy_matching_services(table);

		for (size_t i = 0; i < iok_array_count(existing); i++)
			notifier_add(n, iok_object_service(iok_array_get(existing, i)));
		iok_release(existing);
	}
	*out = &n->obj;
	return kIOReturnSuccess;
}

/* ---- interest notifications ---------------------------------------------- */

IOReturn iok_notify_add_interest(iok_task_t *task, iok_service_t *service, const char *type,
				 iok_port_t *port, const uint64_t *ref, uint32_t ref_count,
				 iok_object_t **out)
{
	struct iok_notifier *n;
	bool general = !strcmp(type, kIOGeneralInterest);

	*out = NULL;
	if (!general && strcmp(type, kIOBusyInterest) && strcmp(type, kIOAppPowerStateInterest) &&
	    strcmp(type, kIOPriorityPowerStateInterest))
		return kIOReturnBadArgument;
	if (!iok_port_carries_messages(port))
		return kIOReturnBadArgument;
	n = notifier_create(&interest_kind, NOTIFY_INTEREST, task, port, ref, ref_count);
	if (!n)
		return kIOReturnNoMemory;
	n->general_interest = general;
	n->service = iok_service_retain(service);
	notifier_link(n);
	*out = &n->obj;
	return kIOReturnSuccess;
}

static bool wants_interest(struct iok_notifier *n, void *ctx)
{
	return n->kind == NOTIFY_INTEREST && n->general_interest &&
	       n->service == ((struct fire_ctx *)ctx)->service;
}

IOK_EXPORT IOReturn iok_service_message_clients(iok_service_t *s, uint32_t type, uint64_t argument)
{
	struct fire_ctx ctx = { NOTIFY_INTEREST, s };
	struct iok_notifier **list;
	size_t count;
	struct {
		mach_msg_header_t h;
		mach_msg_body_t body;
		mach_msg_port_descriptor_t port;
		OSNotificationHeader64 n;
		IOServiceInterestContent64 content;
	} __attribute__((packed)) msg;

	if (!s)
		return kIOReturnBadArgument;
	list = snapshot(wants_interest, &ctx, &count);
	for (size_t i = 0; i < count; i++) {
		memset(&msg, 0, sizeof(msg));
		msg.h.msgh_bits = MACH_MSGH_BITS_COMPLEX |
				  MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, MACH_MSG_TYPE_MOVE_SEND);
		msg.h.msgh_size = sizeof(msg);
		msg.h.msgh_id = kOSNotificationMessageID;
		msg.body.msgh_descriptor_count = 1;
		msg.port.disposition = MACH_MSG_TYPE_MOVE_SEND;
		msg.port.type = MACH_MSG_PORT_DESCRIPTOR;
		msg.n.size = sizeof(msg.content);
		msg.n.type = kIOServiceMessageNotificationType;
		memcpy(msg.n.reference, list[i]->ref, sizeof(msg.n.reference));
		msg.content.messageType = type;
		msg.content.messageArgument[0] = argument;
		send_named(list[i], (uint8_t *)&msg, sizeof(msg), s,
			   offsetof(__typeof__(msg), port) + offsetof(mach_msg_port_descriptor_t, name));
		iok_release(&list[i]->obj);
	}
	iok_free(list);
	return kIOReturnSuccess;
}

/* ---- async completions --------------------------------------------------- */

IOK_EXPORT void iok_set_async_reference64(io_user_reference_t *reference, iok_port_t *port,
					  uint64_t callback, uint64_t refcon)
{
	reference[kIOAsyncReservedIndex] =
		(reference[kIOAsyncReservedIndex] & kIOUCAsync0Flags) |
		(iok_port_id(port) << 2) | kIOUCAsync64Flag;
	reference[kIOAsyncCalloutFuncIndex] = callback;
	reference[kIOAsyncCalloutRefconIndex] = refcon;
}

IOK_EXPORT IOReturn iok_send_async_result64(const io_user_reference_t *reference, IOReturn result,
					    const io_user_reference_t *args, uint32_t numArgs)
{
	struct {
		mach_msg_header_t h;
		OSNotificationHeader64 n;
		IOAsyncCompletionContent content;
		io_user_reference_t args[kMaxAsyncArgs];
	} __attribute__((packed)) msg;
	iok_port_t *port;
	size_t len;
	int ret;

	if (!reference)
		return kIOReturnBadArgument;
	if (numArgs > kMaxAsyncArgs)
		return kIOReturnMessageTooLarge;
	port = iok_port_from_id(reference[kIOAsyncReservedIndex] >> 2);
	if (!port)
		return kIOReturnSuccess;   /* nobody listens any more: dropped */
	len = offsetof(__typeof__(msg), args) + numArgs * sizeof(io_user_reference_t);
	memset(&msg, 0, sizeof(msg));
	msg.h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, 0);
	msg.h.msgh_size = (mach_msg_size_t)len;
	msg.h.msgh_id = kOSNotificationMessageID;
	msg.n.size = (mach_msg_size_t)(sizeof(msg.content) + numArgs * sizeof(io_user_reference_t));
	msg.n.type = kIOAsyncCompletionNotificationType;
	memcpy(msg.n.reference, reference, sizeof(msg.n.reference));
	msg.n.reference[kIOAsyncReservedIndex] = 0;
	msg.content.result = result;
	if (numArgs)
		memcpy(msg.args, args, numArgs * sizeof(io_user_reference_t));
	ret = iok_port_send_msg(port, &msg, len);
	iok_port_release(port);
	if (ret == -EAGAIN)
		return kIOReturnNoResources;
	return kIOReturnSuccess;   /* a receiver that is gone is no error of the driver's */
}

IOK_EXPORT void iok_release_async_reference64(io_user_reference_t *reference)
{
	if (reference)
		reference[kIOAsyncReservedIndex] &= kIOUCAsync0Flags;
}
