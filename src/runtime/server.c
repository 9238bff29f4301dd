// SPDX-License-Identifier: MIT
/*
 * server.c - answers the wire messages of iok_wire.h for one task.  Shared
 * by every host: iokitd feeds it what it reads from a client's socket, the
 * kernel module what it copies in from an ioctl.
 *
 * Nothing from the peer is trusted: the header must state the exact
 * received length, the variable areas must add up to it, strings must be
 * NUL-terminated within their stated length, object names must be valid in
 * this task and of the right kind.  A malformed field gets an error reply
 * (kIOReturnBadArgument, or kIOReturnUnsupported for an unknown op); only
 * a message without a readable header is refused outright.
 */
#include "runtime.h"
#include "regiter.h"
#include "iok_wire.h"

#include <mach/message.h>

#include <IOKit/IOKitKeys.h>
#include <IOKit/OSMessageNotification.h>

enum { kIORegistryIterateRecursively = 1, kIORegistryIterateParents = 2 };
#define kIOSetPropertiesMax (4096 * 1024)

/* A decoded request and the reply being built. */
struct call {
	iok_task_t *task;
	const struct iok_wire_msg *req;
	const char *str;        /* NUL-terminated or NULL */
	const uint8_t *data;
	size_t data_len;
	struct iok_wire_msg *rep;
	size_t cap;             /* bytes available for the reply */
	struct iok_reply_ool *ool;   /* NULL: the transport cannot send data out of line */
};

/* ---- reply helpers ----------------------------------------------------- */

static IOReturn reply_str(struct call *c, const char *s)
{
	size_t n = strlen(s) + 1;

	if (c->rep->data_len || n > IOK_WIRE_MAX_STR || sizeof(*c->rep) + n > c->cap)
		return kIOReturnNoSpace;
	memcpy(c->rep + 1, s, n);
	c->rep->str_len = (uint32_t)n;
	return kIOReturnSuccess;
}

static IOReturn reply_data(struct call *c, const void *p, size_t n)
{
	size_t off = sizeof(*c->rep) + c->rep->str_len;

	if (n > c->cap - off)
		return kIOReturnNoResources;
	memcpy((uint8_t *)c->rep + off, p, n);
	c->rep->data_len = (uint32_t)n;
	return kIOReturnSuccess;
}

/* The data area from buf (iok_malloc'd, consumed): inline, or out of line
 * when it does not fit in the message. */
static IOReturn reply_buffer(struct call *c, void *buf, size_t len)
{
	IOReturn ret = reply_data(c, buf, len);

	if (ret == kIOReturnNoResources && c->ool) {
		c->ool->data = buf;
		c->ool->len = len;
		c->rep->hdr.flags = IOK_WIRE_F_DATA_OOL;
		c->rep->value = len;
		return kIOReturnSuccess;
	}
	iok_free(buf);
	return ret;
}

/* A serialized object. */
static IOReturn reply_object(struct call *c, iok_object_t *obj)
{
	uint8_t *buf;
	size_t len;

	if (iok_serialize(obj, &buf, &len))
		return kIOReturnNoMemory;
	return reply_buffer(c, buf, len);
}

/* Names obj in the task and puts the name in *field. */
static IOReturn reply_name(struct call *c, iok_object_t *obj, uint32_t *field)
{
	*field = obj ? iok_task_name_object(c->task, obj) : 0;
	return (!obj || *field) ? kIOReturnSuccess : kIOReturnNoResources;
}

/* ---- argument helpers ---------------------------------------------------- */

/*
 * The object named by req->obj, retained, when its type is want (any type
 * for IOK_TYPE_NONE).  As on macOS, a name that does not exist fails in
 * IPC (MACH_SEND_INVALID_DEST) and a live name of the wrong kind fails
 * with kIOReturnBadArgument.
 */
static IOReturn lookup(struct call *c, iok_type_t want, iok_object_t **out)
{
	iok_object_t *obj = iok_task_lookup(c->task, c->req->obj);

	*out = NULL;
	if (!obj)
		return MACH_SEND_INVALID_DEST;
	if (want != IOK_TYPE_NONE && iok_type(obj) != want) {
		iok_release(obj);
		return kIOReturnBadArgument;
	}
	*out = obj;
	return kIOReturnSuccess;
}

static IOReturn lookup_entry(struct call *c, iok_service_t **out)
{
	iok_object_t *obj;
	IOReturn ret = lookup(c, IOK_TYPE_ENTRY, &obj);

	*out = iok_object_service(obj);
	return ret;
}

/* Is the plane argument the IOService plane (or empty)? */
static bool plane_ok(const char *plane)
{
	return !plane || !plane[0] || strcmp(plane, kIOServicePlane) == 0;
}

static iok_object_t *arg_unserialize(struct call *c)
{
	iok_object_t *obj = NULL;

	if (!c->data_len || iok_unserialize(c->data, c->data_len, &obj))
		return NULL;
	return obj;
}

/* ---- ops ---------------------------------------------------------------- */

static IOReturn op_hello(struct call *c)
{
	c->rep->value = IOK_WIRE_VERSION;
	c->rep->obj = (uint32_t)c->task->pid;
	return c->req->value == IOK_WIRE_VERSION ? kIOReturnSuccess : kIOReturnUnsupported;
}

static IOReturn op_object_release(struct call *c)
{
	return iok_task_mod_refs(c->task, c->req->obj, -1) ? KERN_INVALID_NAME : KERN_SUCCESS;
}

static IOReturn op_object_retain(struct call *c)
{
	int ret = iok_task_mod_refs(c->task, c->req->obj, +1);

	if (ret == -EOVERFLOW)
		return KERN_UREFS_OVERFLOW;
	return ret ? KERN_INVALID_NAME : KERN_SUCCESS;
}

static const char *class_name_of(iok_object_t *obj)
{
	iok_service_t *s = iok_object_service(obj);

	return s ? iok_service_class_name(s) : obj->kind->name;
}

static IOReturn op_object_get_class(struct call *c)
{
	iok_object_t *obj;
	IOReturn ret = lookup(c, IOK_TYPE_NONE, &obj);

	if (ret)
		return ret;
	ret = reply_str(c, class_name_of(obj));
	iok_release(obj);
	return ret;
}

static IOReturn op_object_conforms_to(struct call *c)
{
	iok_object_t *obj;
	iok_service_t *s;
	IOReturn ret = lookup(c, IOK_TYPE_NONE, &obj);

	if (ret)
		return ret;
	s = iok_object_service(obj);
	if (!c->str)
		ret = kIOReturnBadArgument;
	else
		c->rep->value = s ? iok_service_conforms_to(s, c->str)
				  : strcmp(obj->kind->name, c->str) == 0 ||
				    strcmp(c->str, "OSObject") == 0;
	iok_release(obj);
	return ret;
}

static IOReturn op_object_get_retain_count(struct call *c)
{
	iok_object_t *obj;
	IOReturn ret = lookup(c, IOK_TYPE_NONE, &obj);

	if (ret)
		return ret;
	/* Less the reference this lookup holds. */
	c->rep->value = iok_retain_count(obj) - 1;
	c->rep->options = iok_task_urefs(c->task, c->req->obj);
	iok_release(obj);
	return kIOReturnSuccess;
}

static IOReturn op_get_matching_services(struct call *c)
{
	iok_object_t *table = arg_unserialize(c);
	iok_object_t *found, *it = NULL;
	IOReturn ret;

	if (iok_type(table) != IOK_TYPE_DICTIONARY) {
		iok_release(table);
		return kIOReturnBadArgument;
	}
	found = iok_copy_matching_services(table);
	iok_release(table);
	if (!found)
		return kIOReturnNoMemory;
	if (iok_array_count(found) && !(it = iok_iterator_create(found))) {
		iok_release(found);
		return kIOReturnNoMemory;
	}
	ret = reply_name(c, it, &c->rep->obj);
	iok_release(it);
	iok_release(found);
	return ret;
}

static IOReturn op_service_match_table(struct call *c)
{
	iok_service_t *s;
	iok_object_t *table;
	IOReturn ret = lookup_entry(c, &s);

	if (ret)
		return ret;
	table = arg_unserialize(c);
	if (iok_type(table) == IOK_TYPE_DICTIONARY)
		c->rep->value = iok_match_table(s, table, false, NULL);
	else
		ret = kIOReturnBadArgument;
	iok_release(table);
	iok_service_release(s);
	return ret;
}

static IOReturn op_iterator_next(struct call *c)
{
	iok_object_t *it, *next;
	IOReturn ret = lookup(c, IOK_TYPE_ITERATOR, &it);

	if (ret)
		return ret;
	next = iok_iterator_next(it);
	ret = reply_name(c, next, &c->rep->obj2);
	iok_release(next);
	iok_release(it);
	return ret;
}

static IOReturn op_iterator_reset(struct call *c)
{
	iok_object_t *it;
	IOReturn ret = lookup(c, IOK_TYPE_ITERATOR, &it);

	if (ret)
		return ret;
	iok_iterator_reset(it);
	iok_release(it);
	return kIOReturnSuccess;
}

static IOReturn op_iterator_is_valid(struct call *c)
{
	iok_object_t *it;
	IOReturn ret = lookup(c, IOK_TYPE_ITERATOR, &it);

	c->rep->value = it != NULL;
	iok_release(it);
	return ret;
}

static IOReturn op_registry_get_root(struct call *c)
{
	return reply_name(c, iok_service_object(iok_registry_root()), &c->rep->obj);
}

static IOReturn op_entry_from_path(struct call *c)
{
	iok_service_t *s;
	IOReturn ret;

	if (!c->str)
		return kIOReturnBadArgument;
	s = iok_service_from_path(c->str);
	ret = reply_name(c, iok_service_object(s), &c->rep->obj);
	iok_service_release(s);
	return ret;
}

static IOReturn op_entry_get_name(struct call *c)
{
	iok_service_t *s;
	char name[128];
	IOReturn ret = lookup_entry(c, &s);

	if (ret)
		return ret;
	iok_service_get_name(s, name, sizeof(name));
	iok_service_release(s);
	return reply_str(c, name);
}

static IOReturn op_entry_get_location(struct call *c)
{
	iok_service_t *s;
	char loc[128];
	IOReturn ret = lookup_entry(c, &s);

	if (ret)
		return ret;
	iok_service_get_location(s, loc, sizeof(loc));
	iok_service_release(s);
	return loc[0] ? reply_str(c, loc) : kIOReturnNotFound;
}

static IOReturn op_entry_get_path(struct call *c)
{
	iok_service_t *s;
	char path[IOK_WIRE_MAX_STR];
	IOReturn ret = lookup_entry(c, &s);
	int err;

	if (ret)
		return ret;
	if (!c->str || !c->str[0] || !plane_ok(c->str)) {
		iok_service_release(s);
		return kIOReturnBadArgument;
	}
	err = iok_service_get_path(s, path, sizeof(path));
	iok_service_release(s);
	return err ? kIOReturnBadArgument : reply_str(c, path);
}

static IOReturn op_entry_get_id(struct call *c)
{
	iok_service_t *s;
	IOReturn ret = lookup_entry(c, &s);

	if (ret)
		return ret;
	c->rep->value = iok_service_id(s);
	iok_service_release(s);
	return kIOReturnSuccess;
}

static IOReturn op_entry_get_properties(struct call *c)
{
	iok_service_t *s;
	iok_object_t *props;
	IOReturn ret = lookup_entry(c, &s);

	if (ret)
		return ret;
	props = iok_service_copy_properties(s);
	iok_service_release(s);
	if (!props)
		return kIOReturnNoMemory;
	ret = reply_object(c, props);
	iok_release(props);
	return ret;
}

/* Depth-first search of key below s (children) or above it (providers). */
static iok_object_t *search_property(iok_service_t *s, const char *key, uint32_t options,
				     unsigned depth)
{
	iok_object_t *v = iok_service_copy_property(s, key);
	iok_service_t **kids;
	size_t n;

	if (v || !(options & kIORegistryIterateRecursively) || depth > 64)
		return v;
	if (options & kIORegistryIterateParents) {
		iok_service_t *p = iok_service_retain(iok_service_provider(s));

		v = p ? search_property(p, key, options, depth + 1) : NULL;
		iok_service_release(p);
		return v;
	}
	kids = iok_service_copy_children(s, &n);
	for (size_t i = 0; i < n; i++) {
		if (!v)
			v = search_property(kids[i], key, options, depth + 1);
		iok_service_release(kids[i]);
	}
	iok_free(kids);
	return v;
}

static IOReturn op_entry_get_property(struct call *c)
{
	iok_service_t *s;
	iok_object_t *v;
	IOReturn ret = lookup_entry(c, &s);

	if (ret)
		return ret;
	if (!c->str) {
		iok_service_release(s);
		return kIOReturnBadArgument;
	}
	v = search_property(s, c->str, c->req->options, 0);
	iok_service_release(s);
	if (!v)
		return kIOReturnNotFound;
	ret = reply_object(c, v);
	iok_release(v);
	return ret;
}

static IOReturn reply_iterator(struct call *c, iok_object_t *array)
{
	iok_object_t *it = array ? iok_iterator_create(array) : NULL;
	IOReturn ret = it ? reply_name(c, it, &c->rep->obj2) : kIOReturnNoMemory;

	iok_release(it);
	return ret;
}

static IOReturn op_entry_get_children(struct call *c)
{
	iok_service_t *s;
	iok_object_t *array = iok_array_create(4);
	iok_service_t **kids = NULL;
	size_t n = 0;
	IOReturn ret = lookup_entry(c, &s);

	if (ret)
		goto out;
	if (!plane_ok(c->str)) {
		ret = kIOReturnBadArgument;
		goto out;
	}
	kids = iok_service_copy_children(s, &n);
	for (size_t i = 0; i < n; i++) {
		if (array && iok_array_append(array, iok_service_object(kids[i]))) {
			iok_release(array);
			array = NULL;
		}
		iok_service_release(kids[i]);
	}
	ret = reply_iterator(c, array);
out:
	iok_free(kids);
	iok_release(array);
	iok_service_release(s);
	return ret;
}

static IOReturn op_entry_get_parents(struct call *c)
{
	iok_service_t *s, *p;
	iok_object_t *array = iok_array_create(1);
	IOReturn ret = lookup_entry(c, &s);

	if (ret)
		goto out;
	if (!plane_ok(c->str)) {
		ret = kIOReturnBadArgument;
		goto out;
	}
	p = iok_service_provider(s);
	if (p && array && iok_array_append(array, iok_service_object(p))) {
		iok_release(array);
		array = NULL;
	}
	ret = reply_iterator(c, array);
out:
	iok_release(array);
	iok_service_release(s);
	return ret;
}

static IOReturn op_entry_in_plane(struct call *c)
{
	iok_service_t *s;
	IOReturn ret = lookup_entry(c, &s);

	if (ret)
		return ret;
	c->rep->value = c->str && strcmp(c->str, kIOServicePlane) == 0 &&
			(s == iok_registry_root() || iok_service_provider(s));
	iok_service_release(s);
	return kIOReturnSuccess;
}

static IOReturn op_entry_set_properties(struct call *c)
{
	iok_service_t *s;
	IOReturn (*set)(iok_service_t *, iok_object_t *);
	iok_object_t *props;
	IOReturn ret = lookup_entry(c, &s);

	if (ret)
		return ret;
	if (c->data_len > kIOSetPropertiesMax) {
		iok_service_release(s);
		return kIOReturnMessageTooLarge;
	}
	props = arg_unserialize(c);
	set = IOK_OP(s->cls, set_properties);
	if (!props)
		ret = kIOReturnBadArgument;
	else
		ret = set ? set(s, props) : kIOReturnUnsupported;
	iok_release(props);
	iok_service_release(s);
	return ret;
}

/* IOService.h's getState() bits, as ioreg prints them. */
enum {
	kIOServiceInactiveState = 0x1,
	kIOServiceRegisteredState = 0x2,
	kIOServiceMatchedState = 0x4,
	kIOServiceFirstPublishState = 0x8,
	kIOServiceFirstMatchState = 0x10,
};

static IOReturn op_service_get_state(struct call *c)
{
	iok_service_t *s;
	uint32_t st;
	IOReturn ret = lookup_entry(c, &s);

	if (ret)
		return ret;
	if (!iok_service_conforms_to(s, "IOService")) {
		iok_service_release(s);
		return kIOReturnBadArgument;
	}
	st = iok_service_state(s);
	c->rep->value = (st & IOK_SVC_INACTIVE ? kIOServiceInactiveState : 0) |
			(st & IOK_SVC_REGISTERED ? kIOServiceRegisteredState |
							   kIOServiceFirstPublishState : 0) |
			(st & IOK_SVC_MATCHED ? kIOServiceMatchedState |
							kIOServiceFirstMatchState : 0);
	c->rep->options = iok_matching_busy() ? 1 : 0;   /* busy count */
	c->rep->obj2 = 0;      /* accumulated busy time, ms */
	iok_service_release(s);
	return kIOReturnSuccess;
}

/* ---- connections -------------------------------------------------------- */

static IOReturn op_service_open(struct call *c)
{
	iok_service_t *s, *uc;
	IOReturn ret = lookup_entry(c, &s);

	if (ret)
		return ret;
	ret = iok_user_client_open(c->task, s, c->req->type, &uc);
	iok_service_release(s);
	if (ret)
		return ret;
	ret = reply_name(c, iok_service_object(uc), &c->rep->obj2);
	if (ret)
		iok_user_client_close(uc);
	iok_service_release(uc);
	return ret;
}

/* The user client named by req->obj, retained. */
static IOReturn lookup_client(struct call *c, iok_service_t **out)
{
	IOReturn ret = lookup_entry(c, out);

	if (ret == kIOReturnSuccess && !(*out)->uc) {
		iok_service_release(*out);
		*out = NULL;
		ret = kIOReturnBadArgument;
	}
	return ret;
}

static IOReturn op_service_close(struct call *c)
{
	iok_service_t *uc;
	IOReturn ret = lookup_client(c, &uc);

	if (ret)
		return ret;
	ret = iok_user_client_close(uc);
	iok_service_release(uc);
	return ret;
}

static IOReturn op_connect_get_service(struct call *c)
{
	iok_service_t *(*get)(iok_service_t *);
	iok_service_t *uc, *s;
	IOReturn ret = lookup_client(c, &uc);

	if (ret)
		return ret;
	get = IOK_OP(uc->cls, get_service);
	s = get ? get(uc) : NULL;
	ret = s ? reply_name(c, iok_service_object(s), &c->rep->obj2) : kIOReturnUnsupported;
	iok_service_release(uc);
	return ret;
}

/* ---- notifications --------------------------------------------------------- */

/* The message port named by name, retained. */
static IOReturn lookup_port(struct call *c, uint32_t name, iok_port_t **out)
{
	iok_object_t *obj = iok_task_lookup(c->task, name);

	*out = iok_port_from_object(obj);
	if (!*out) {
		iok_release(obj);
		return obj ? kIOReturnBadArgument : MACH_SEND_INVALID_RIGHT;
	}
	return kIOReturnSuccess;
}

/* The reference array that starts the data area. */
static IOReturn arg_reference(struct call *c, uint64_t ref[kOSAsyncRef64Count])
{
	if (c->data_len < kOSAsyncRef64Size || c->req->options < 1 ||
	    c->req->options > kOSAsyncRef64Count || !c->str)
		return kIOReturnBadArgument;
	memcpy(ref, c->data, kOSAsyncRef64Size);
	return kIOReturnSuccess;
}

static IOReturn op_add_matching_notification(struct call *c)
{
	uint64_t ref[kOSAsyncRef64Count];
	iok_object_t *table = NULL, *notifier;
	iok_port_t *port;
	IOReturn ret = arg_reference(c, ref);

	if (ret)
		return ret;
	if (iok_unserialize(c->data + kOSAsyncRef64Size, c->data_len - kOSAsyncRef64Size, &table))
		return kIOReturnBadArgument;
	ret = lookup_port(c, c->req->obj2, &port);
	if (!ret) {
		ret = iok_notify_add_matching(c->task, c->str, table, port, ref, c->req->options,
					      &notifier);
		iok_port_release(port);
	}
	iok_release(table);
	if (ret)
		return ret;
	ret = reply_name(c, notifier, &c->rep->obj);
	iok_release(notifier);
	return ret;
}

static IOReturn op_add_interest_notification(struct call *c)
{
	uint64_t ref[kOSAsyncRef64Count];
	iok_object_t *notifier;
	iok_service_t *s;
	iok_port_t *port;
	IOReturn ret = arg_reference(c, ref);

	if (ret || c->data_len != kOSAsyncRef64Size)
		return kIOReturnBadArgument;
	ret = lookup_entry(c, &s);
	if (ret)
		return ret;
	if (!iok_service_conforms_to(s, "IOService")) {
		iok_service_release(s);
		return kIOReturnBadArgument;
	}
	ret = lookup_port(c, c->req->obj2, &port);
	if (!ret) {
		ret = iok_notify_add_interest(c->task, s, c->str, port, ref, c->req->options,
					      &notifier);
		iok_port_release(port);
	}
	iok_service_release(s);
	if (ret)
		return ret;
	ret = reply_name(c, notifier, &c->rep->obj2);
	iok_release(notifier);
	return ret;
}

/* IOServiceWaitQuiet / IOKitWaitQuiet: matching runs for every entry in
 * one queue, so an entry is quiet when the queue is. */
static IOReturn op_wait_quiet(struct call *c)
{
	iok_service_t *s;
	IOReturn ret = lookup_entry(c, &s);

	if (ret)
		return ret;
	iok_service_release(s);
	return iok_matching_wait_quiet(c->req->value) ? kIOReturnTimeout : kIOReturnSuccess;
}

/* ---- driver management (iokitctl) ----------------------------------------- */

static const struct iok_driver_host *driver_host;
static uint32_t driver_admin_uid;

void iok_server_set_driver_host(const struct iok_driver_host *host, uint32_t admin_uid)
{
	driver_host = host;
	driver_admin_uid = admin_uid;
}

/* Loading and unloading code is for the host's own user and root. */
static IOReturn driver_admin(struct call *c)
{
	if (!driver_host)
		return kIOReturnUnsupported;
	if (c->task->uid != 0 && c->task->uid != driver_admin_uid)
		return kIOReturnNotPrivileged;
	return kIOReturnSuccess;
}

static IOReturn op_driver_load(struct call *c)
{
	IOReturn ret = driver_admin(c);

	if (ret)
		return ret;
	return c->str && c->str[0] ? driver_host->load(c->str) : kIOReturnBadArgument;
}

static IOReturn op_driver_unload(struct call *c)
{
	uint32_t remaining = 0;
	IOReturn ret = driver_admin(c);

	if (ret)
		return ret;
	if (!c->str || !c->str[0])
		return kIOReturnBadArgument;
	ret = driver_host->unload(c->str, &remaining);
	c->rep->value = remaining;
	return ret;
}

static IOReturn op_driver_list(struct call *c)
{
	iok_object_t *list;
	IOReturn ret;

	if (!driver_host)
		return kIOReturnUnsupported;
	list = driver_host->list();
	if (!list)
		return kIOReturnNoMemory;
	ret = reply_object(c, list);
	iok_release(list);
	return ret;
}

/* mach_port_names: the names this task holds. */
static IOReturn op_task_names(struct call *c)
{
	uint32_t n, *names = iok_task_copy_names(c->task, &n);

	if (!names)
		return kIOReturnNoMemory;
	return reply_buffer(c, names, (size_t)n * sizeof(*names));
}

/* ---- registry iterators and class facts ------------------------------- */

static IOReturn op_registry_create_iterator(struct call *c)
{
	iok_service_t *s;
	iok_object_t *it;
	IOReturn ret;

	if (c->req->type == 1)
		s = iok_service_retain(iok_registry_root());
	else if ((ret = lookup_entry(c, &s)))
		return ret;
	/* The IOService plane is the only one. */
	if (!c->str || strcmp(c->str, kIOServicePlane) != 0) {
		iok_service_release(s);
		return kIOReturnBadArgument;
	}
	it = iok_regiter_create(s, c->req->options);
	iok_service_release(s);
	ret = it ? reply_name(c, it, &c->rep->obj2) : kIOReturnNoMemory;
	iok_release(it);
	return ret;
}

static IOReturn lookup_regiter(struct call *c, iok_object_t **out)
{
	IOReturn ret = lookup(c, IOK_TYPE_NONE, out);

	if (ret == kIOReturnSuccess && !iok_regiter_is(*out)) {
		iok_release(*out);
		*out = NULL;
		ret = kIOReturnBadArgument;
	}
	return ret;
}

static IOReturn op_registry_iterator_enter(struct call *c)
{
	iok_object_t *it;
	IOReturn ret = lookup_regiter(c, &it);

	if (ret)
		return ret;
	iok_regiter_enter(it);
	iok_release(it);
	return kIOReturnSuccess;
}

static IOReturn op_registry_iterator_exit(struct call *c)
{
	iok_object_t *it;
	IOReturn ret = lookup_regiter(c, &it);

	if (ret)
		return ret;
	ret = iok_regiter_exit(it) ? kIOReturnNoDevice : kIOReturnSuccess;
	iok_release(it);
	return ret;
}

static IOReturn op_class_get_superclass(struct call *c)
{
	char name[128];

	if (!c->str)
		return kIOReturnBadArgument;
	if (iok_class_copy_superclass(c->str, name, sizeof(name)))
		return kIOReturnNotFound;
	return reply_str(c, name);
}

static IOReturn op_class_get_bundle(struct call *c)
{
	char name[128];

	if (!c->str)
		return kIOReturnBadArgument;
	if (iok_class_copy_bundle(c->str, name, sizeof(name)))
		return kIOReturnNotFound;
	return reply_str(c, name);
}

typedef IOReturn (*op_fn_t)(struct call *c);

static const op_fn_t ops[IOK_OP__COUNT] = {
	[IOK_OP_HELLO] = op_hello,
	[IOK_OP_OBJECT_RELEASE] = op_object_release,
	[IOK_OP_OBJECT_RETAIN] = op_object_retain,
	[IOK_OP_OBJECT_GET_CLASS] = op_object_get_class,
	[IOK_OP_OBJECT_CONFORMS_TO] = op_object_conforms_to,
	[IOK_OP_OBJECT_GET_RETAIN_COUNT] = op_object_get_retain_count,
	[IOK_OP_GET_MATCHING_SERVICES] = op_get_matching_services,
	[IOK_OP_SERVICE_MATCH_TABLE] = op_service_match_table,
	[IOK_OP_ITERATOR_NEXT] = op_iterator_next,
	[IOK_OP_ITERATOR_RESET] = op_iterator_reset,
	[IOK_OP_ITERATOR_IS_VALID] = op_iterator_is_valid,
	[IOK_OP_REGISTRY_GET_ROOT] = op_registry_get_root,
	[IOK_OP_ENTRY_FROM_PATH] = op_entry_from_path,
	[IOK_OP_ENTRY_GET_NAME] = op_entry_get_name,
	[IOK_OP_ENTRY_GET_LOCATION] = op_entry_get_location,
	[IOK_OP_ENTRY_GET_PATH] = op_entry_get_path,
	[IOK_OP_ENTRY_GET_ID] = op_entry_get_id,
	[IOK_OP_ENTRY_GET_PROPERTIES] = op_entry_get_properties,
	[IOK_OP_ENTRY_GET_PROPERTY] = op_entry_get_property,
	[IOK_OP_ENTRY_GET_CHILDREN] = op_entry_get_children,
	[IOK_OP_ENTRY_GET_PARENTS] = op_entry_get_parents,
	[IOK_OP_ENTRY_IN_PLANE] = op_entry_in_plane,
	[IOK_OP_ENTRY_SET_PROPERTIES] = op_entry_set_properties,
	[IOK_OP_SERVICE_GET_STATE] = op_service_get_state,
	[IOK_OP_SERVICE_OPEN] = op_service_open,
	[IOK_OP_SERVICE_CLOSE] = op_service_close,
	[IOK_OP_CONNECT_GET_SERVICE] = op_connect_get_service,
	[IOK_OP_ADD_MATCHING_NOTIFICATION] = op_add_matching_notification,
	[IOK_OP_ADD_INTEREST_NOTIFICATION] = op_add_interest_notification,
	[IOK_OP_WAIT_QUIET] = op_wait_quiet,
	[IOK_OP_DRIVER_LOAD] = op_driver_load,
	[IOK_OP_DRIVER_UNLOAD] = op_driver_unload,
	[IOK_OP_DRIVER_LIST] = op_driver_list,
	[IOK_OP_TASK_NAMES] = op_task_names,
	[IOK_OP_REGISTRY_CREATE_ITERATOR] = op_registry_create_iterator,
	[IOK_OP_REGISTRY_ITERATOR_ENTER] = op_registry_iterator_enter,
	[IOK_OP_REGISTRY_ITERATOR_EXIT] = op_registry_iterator_exit,
	[IOK_OP_CLASS_GET_SUPERCLASS] = op_class_get_superclass,
	[IOK_OP_CLASS_GET_BUNDLE] = op_class_get_bundle,
};

/* Validates the generic message layout; fills c's argument fields. */
static IOReturn decode(struct call *c, const struct iok_wire_msg *m, size_t len)
{
	const char *areas = (const char *)(m + 1);

	if (len < sizeof(*m))
		return kIOReturnBadArgument;
	if (m->hdr.flags || m->hdr.result)
		return kIOReturnBadArgument;
	if (m->str_len > len - sizeof(*m) || m->data_len != len - sizeof(*m) - m->str_len)
		return kIOReturnBadArgument;
	if (m->str_len) {
		if (m->str_len > IOK_WIRE_MAX_STR || areas[m->str_len - 1] != '\0' ||
		    memchr(areas, '\0', m->str_len) != areas + m->str_len - 1)
			return kIOReturnBadArgument;
		c->str = areas;
	}
	c->data = (const uint8_t *)areas + m->str_len;
	c->data_len = m->data_len;
	return kIOReturnSuccess;
}

/* ---- external method calls --------------------------------------------- */

/* A region [off, off + size) inside the out-of-line buffer? */
static bool ool_fits(const struct iok_ool *ool, uint64_t off, uint64_t size)
{
	return ool && ool->base && off <= ool->size && size <= ool->size - off;
}

/* Transport rules of is_io_connect_method (§2.2). */
static IOReturn call_limits(const struct iok_wire_call *m, size_t len, const struct iok_ool *ool)
{
	if (len < sizeof(*m) || m->hdr.flags || m->hdr.result)
		return kIOReturnBadArgument;
	if (m->scalar_in_count > IOK_WIRE_MAX_SCALARS || m->scalar_out_count > IOK_WIRE_MAX_SCALARS ||
	    m->struct_in_size > IOK_WIRE_MAX_INBAND || m->struct_out_size > IOK_WIRE_MAX_INBAND ||
	    m->async_ref_count > IOK_WIRE_MAX_ASYNC_REFS)
		return kIOReturnBadArgument;
	if (len != sizeof(*m) + m->struct_in_size)
		return kIOReturnBadArgument;
	if (m->ool_in_size && (m->ool_in_size <= IOK_WIRE_MAX_INBAND || m->struct_in_size ||
			       !ool_fits(ool, m->ool_in_offset, m->ool_in_size)))
		return kIOReturnIPCError;
	if (m->ool_out_size && (m->ool_out_size <= IOK_WIRE_MAX_INBAND ||
				m->ool_out_size > UINT32_MAX || m->struct_out_size ||
				!ool_fits(ool, m->ool_out_offset, m->ool_out_size)))
		return kIOReturnIPCError;
	if (m->wake_port && m->async_ref_count < 1)
		return kIOReturnBadArgument;
	return kIOReturnSuccess;
}

/*
 * Clears the method's arguments word by word, in straight-line code: the
 * compiler's own clearing of a struct this size is a string instruction,
 * whose start-up costs more than the 31 stores on every call.
 */
typedef uint64_t __attribute__((may_alias)) any_word_t;

static inline void clear_args(IOExternalMethodArguments *a)
{
	any_word_t *w = (any_word_t *)(void *)a;

	_Static_assert(sizeof(*a) % sizeof(uint64_t) == 0, "IOExternalMethodArguments size");
#pragma GCC unroll 32
	for (size_t i = 0; i < sizeof(*a) / sizeof(uint64_t); i++)
		w[i] = 0;
}

long iok_server_call(iok_task_t *task, const void *req, size_t len, const struct iok_ool *ool,
		     void *reply, size_t cap)
{
	const struct iok_wire_call *m = req;
	uint64_t async_ref[IOK_WIRE_MAX_ASYNC_REFS] IOK_NOINIT;   /* read only for async calls */
	IOExternalMethodArguments args IOK_NOINIT;                /* clear_args() */
	struct iok_wire_call_reply *r = reply;
	iok_memory_t *in_desc = NULL, *out_desc = NULL;
	iok_service_t *uc = NULL;
	IOReturn ret;

	if (len < sizeof(struct iok_wire_hdr) || m->hdr.size != len || cap < sizeof(*r))
		return -EPROTO;
	/* Only the header, the counts and the scalars counted are written:
	 * the transport sends no more of the reply than that. */
	r->hdr = (struct iok_wire_hdr){ .op = m->hdr.op, .seq = m->hdr.seq };
	r->scalar_out_count = r->struct_out_size = 0;
	r->ool_out_size = 0;
	ret = call_limits(m, len, ool);
	if (ret)
		goto out;
	if (cap < sizeof(*r) + m->struct_out_size)
		return -EPROTO;   /* the transport's buffer, not the caller's fault */
	ret = iok_task_lookup_client(task, m->conn, &uc);
	if (ret)
		goto out;
	if (m->wake_port) {
		/* Element 0 names the wake port for sendAsyncResult64, by an id
		 * that finds nothing once the port is gone. */
		iok_object_t *pobj = iok_task_lookup(task, m->wake_port);
		iok_port_t *port = iok_port_from_object(pobj);

		if (!port || !iok_port_carries_messages(port)) {
			iok_release(pobj);
			ret = pobj ? kIOReturnBadArgument : MACH_SEND_INVALID_RIGHT;
			goto out;
		}
		memcpy(async_ref, m->async_ref, sizeof(async_ref));
		async_ref[kIOAsyncReservedIndex] = 0;
		iok_set_async_reference64(async_ref, port, async_ref[kIOAsyncCalloutFuncIndex],
					  async_ref[kIOAsyncCalloutRefconIndex]);
		iok_release(pobj);
	}
	/* What the method may leave unwritten goes back as zeros. */
	for (uint32_t i = 0; i < m->scalar_out_count; i++)
		r->scalar_out[i] = 0;
	if (m->struct_out_size)
		memset(r + 1, 0, m->struct_out_size);
	/* The request is the transport's private copy: the method reads its
	 * scalars and inband structure where they are. */
	clear_args(&args);
	args.version = kIOExternalMethodArgumentsCurrentVersion;
	args.selector = m->selector;
	args.asyncWakePort = m->wake_port;
	args.asyncReference = m->wake_port ? async_ref : NULL;
	args.asyncReferenceCount = m->wake_port ? m->async_ref_count : 0;
	args.scalarInput = m->scalar_in;
	args.scalarInputCount = m->scalar_in_count;
	args.structureInput = m->struct_in_size ? (const void *)(m + 1) : NULL;
	args.structureInputSize = m->struct_in_size;
	args.scalarOutput = r->scalar_out;
	args.scalarOutputCount = m->scalar_out_count;
	args.structureOutput = m->struct_out_size ? (void *)(r + 1) : NULL;
	args.structureOutputSize = m->struct_out_size;
	if (m->ool_in_size) {
		in_desc = iok_memory_wrap(ool->base + m->ool_in_offset, m->ool_in_size);
		if (!in_desc) {
			ret = kIOReturnNoMemory;
			goto out;
		}
		args.structureInputDescriptor = in_desc;
	}
	if (m->ool_out_size) {
		out_desc = iok_memory_wrap(ool->base + m->ool_out_offset, m->ool_out_size);
		if (!out_desc) {
			ret = kIOReturnNoMemory;
			goto out;
		}
		args.structureOutputDescriptor = out_desc;
		args.structureOutputDescriptorSize = (uint32_t)m->ool_out_size;
	}
	ret = iok_user_client_call(uc, &args);
	if (ret == kIOReturnSuccess) {
		/* A method reports what it produced by lowering the counts;
		 * never more than the caller's capacity goes back.  As a failed
		 * MIG routine, a failure sends no outputs back: the caller's
		 * buffers and counts stay as they were. */
		r->scalar_out_count = args.scalarOutputCount < m->scalar_out_count ?
					      args.scalarOutputCount : m->scalar_out_count;
		r->struct_out_size = args.structureOutputSize < m->struct_out_size ?
					     args.structureOutputSize : m->struct_out_size;
		r->ool_out_size = args.structureOutputDescriptorSize < m->ool_out_size ?
					  args.structureOutputDescriptorSize : m->ool_out_size;
	}
out:
	if (in_desc || out_desc) {
		iok_memory_release(in_desc);
		iok_memory_release(out_desc);
	}
	if (uc)
		iok_unref(&uc->obj);
	r->hdr.result = ret;
	r->hdr.size = (uint32_t)(sizeof(*r) + r->struct_out_size);
	return r->hdr.size;
}

long iok_server_handle(iok_task_t *task, const void *req, size_t len, void *reply, size_t cap,
		       struct iok_reply_ool *ool)
{
	const struct iok_wire_hdr *h = req;
	struct iok_wire_msg *rep = reply;
	struct call c = { .task = task, .req = req, .rep = rep, .cap = cap, .ool = ool };
	IOReturn ret;

	if (ool)
		*ool = (struct iok_reply_ool){ NULL, 0 };
	if (len < sizeof(*h) || h->size != len || cap < IOK_WIRE_MAX_MSG)
		return -EPROTO;
	if (h->op == IOK_OP_CONNECT_CALL)
		return iok_server_call(task, req, len, NULL, reply, cap);
	memset(rep, 0, sizeof(*rep));
	rep->hdr.op = h->op;
	rep->hdr.seq = h->seq;
	if (h->op >= IOK_OP__COUNT || !ops[h->op])
		ret = kIOReturnUnsupported;
	else if ((ret = decode(&c, req, len)) == kIOReturnSuccess)
		ret = ops[h->op](&c);
	if (ret != kIOReturnSuccess) {
		rep->str_len = rep->data_len = 0;
		rep->hdr.flags = 0;
		if (ool) {
			iok_free(ool->data);
			*ool = (struct iok_reply_ool){ NULL, 0 };
		}
	}
	rep->hdr.result = ret;
	rep->hdr.size = (uint32_t)(sizeof(*rep) + rep->str_len + rep->data_len);
	return rep->hdr.size;
}

/* ---- ports and memory (the transports carry the descriptors) ------------- */

IOReturn iok_server_set_port(iok_task_t *task, uint32_t conn, iok_port_t *port, uint32_t type,
			     uint64_t refcon)
{
	IOReturn (*reg)(iok_service_t *, iok_port_t *, uint32_t, uint64_t);
	iok_service_t *uc;
	IOReturn ret = iok_task_lookup_client(task, conn, &uc);

	if (ret)
		return ret;
	iok_callgate_lock(&uc->uc->callgate);
	if (iok_atomic_load(&uc->uc->closed, IOK_ACQUIRE)) {
		ret = kIOReturnNotAttached;
	} else {
		reg = IOK_OP(uc->cls, register_notification_port);
		ret = reg(uc, port, type, refcon);
	}
	iok_callgate_unlock(&uc->uc->callgate);
	iok_service_release(uc);
	return ret;
}

/* clientMemoryForType under the client's exclusive lock. */
static IOReturn client_memory(iok_service_t *uc, uint32_t type, uint32_t *options,
			      iok_memory_t **mem)
{
	IOReturn (*fn)(iok_service_t *, uint32_t, uint32_t *, iok_memory_t **);
	IOReturn ret;

	*options = 0;
	*mem = NULL;
	iok_callgate_lock(&uc->uc->callgate);
	if (iok_atomic_load(&uc->uc->closed, IOK_ACQUIRE)) {
		ret = kIOReturnNotAttached;
	} else {
		fn = IOK_OP(uc->cls, client_memory_for_type);
		ret = fn(uc, type, options, mem);
	}
	iok_callgate_unlock(&uc->uc->callgate);
	if (ret != kIOReturnSuccess) {
		iok_memory_release(*mem);
		*mem = NULL;
	}
	return ret;
}

IOReturn iok_server_map(iok_task_t *task, uint32_t conn, uint32_t type, uint32_t user_options,
			iok_memory_t **mem, uint32_t *options)
{
	iok_service_t *uc;
	uint32_t driver_options;
	IOReturn ret = iok_task_lookup_client(task, conn, &uc);

	*mem = NULL;
	if (ret)
		return ret;
	ret = client_memory(uc, type, &driver_options, mem);
	iok_service_release(uc);
	/* Apple maps every failure to kIOReturnBadArgument here; only memory
	 * the host can share (not a wrapper) can be mapped. */
	if (ret != kIOReturnSuccess || !*mem || !iok_memory_shmem(*mem)) {
		iok_memory_release(*mem);
		*mem = NULL;
		return kIOReturnBadArgument;
	}
	*options = (driver_options & ~0xfffu) | (user_options & 0xfffu);
	return kIOReturnSuccess;
}

IOReturn iok_server_unmap(iok_task_t *task, uint32_t conn, uint32_t type)
{
	iok_service_t *uc;
	iok_memory_t *mem;
	uint32_t options;
	IOReturn ret = iok_task_lookup_client(task, conn, &uc);

	if (ret)
		return ret;
	ret = client_memory(uc, type, &options, &mem);
	iok_memory_release(mem);
	iok_service_release(uc);
	return ret;
}
