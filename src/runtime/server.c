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
#include "iok_wire.h"

#include <IOKit/IOKitKeys.h>

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

static IOReturn reply_object(struct call *c, iok_object_t *obj)
{
	uint8_t *buf;
	size_t len;
	IOReturn ret;

	if (iok_serialize(obj, &buf, &len))
		return kIOReturnNoMemory;
	ret = reply_data(c, buf, len);
	iok_free(buf);
	return ret;
}

/* Names obj in the task and puts the name in *field. */
static IOReturn reply_name(struct call *c, iok_object_t *obj, uint32_t *field)
{
	*field = obj ? iok_task_name_object(c->task, obj) : 0;
	return (!obj || *field) ? kIOReturnSuccess : kIOReturnNoResources;
}

/* ---- argument helpers ---------------------------------------------------- */

/* The object named by req->obj, retained, if its type is want (or any
 * type for IOK_TYPE_NONE). */
static iok_object_t *arg_object(struct call *c, iok_type_t want)
{
	iok_object_t *obj = iok_task_lookup(c->task, c->req->obj);

	if (obj && want != IOK_TYPE_NONE && iok_type(obj) != want) {
		iok_release(obj);
		return NULL;
	}
	return obj;
}

/* The entry named by req->obj, retained. */
static iok_service_t *arg_entry(struct call *c)
{
	return iok_object_service(arg_object(c, IOK_TYPE_ENTRY));
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
	iok_object_t *obj = arg_object(c, IOK_TYPE_NONE);
	IOReturn ret;

	if (!obj)
		return kIOReturnBadArgument;
	ret = reply_str(c, class_name_of(obj));
	iok_release(obj);
	return ret;
}

static IOReturn op_object_conforms_to(struct call *c)
{
	iok_object_t *obj = arg_object(c, IOK_TYPE_NONE);
	iok_service_t *s = iok_object_service(obj);

	if (!obj || !c->str)
		goto bad;
	c->rep->value = s ? iok_service_conforms_to(s, c->str)
			  : strcmp(obj->kind->name, c->str) == 0 ||
			    strcmp(c->str, "OSObject") == 0;
	iok_release(obj);
	return kIOReturnSuccess;
bad:
	iok_release(obj);
	return kIOReturnBadArgument;
}

static IOReturn op_object_get_retain_count(struct call *c)
{
	iok_object_t *obj = arg_object(c, IOK_TYPE_NONE);

	if (!obj)
		return kIOReturnBadArgument;
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
	iok_service_t *s = arg_entry(c);
	iok_object_t *table = arg_unserialize(c);
	IOReturn ret = kIOReturnBadArgument;

	if (s && iok_type(table) == IOK_TYPE_DICTIONARY) {
		c->rep->value = iok_match_table(s, table, false, NULL);
		ret = kIOReturnSuccess;
	}
	iok_release(table);
	iok_service_release(s);
	return ret;
}

static IOReturn op_iterator_next(struct call *c)
{
	iok_object_t *it = arg_object(c, IOK_TYPE_ITERATOR);
	iok_object_t *next;
	IOReturn ret;

	if (!it)
		return kIOReturnBadArgument;
	next = iok_iterator_next(it);
	ret = reply_name(c, next, &c->rep->obj2);
	iok_release(next);
	iok_release(it);
	return ret;
}

static IOReturn op_iterator_reset(struct call *c)
{
	iok_object_t *it = arg_object(c, IOK_TYPE_ITERATOR);

	if (!it)
		return kIOReturnBadArgument;
	iok_iterator_reset(it);
	iok_release(it);
	return kIOReturnSuccess;
}

static IOReturn op_iterator_is_valid(struct call *c)
{
	iok_object_t *it = arg_object(c, IOK_TYPE_ITERATOR);

	c->rep->value = it != NULL;
	iok_release(it);
	return it ? kIOReturnSuccess : kIOReturnBadArgument;
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
	iok_service_t *s = arg_entry(c);
	char name[128];

	if (!s)
		return kIOReturnBadArgument;
	iok_service_get_name(s, name, sizeof(name));
	iok_service_release(s);
	return reply_str(c, name);
}

static IOReturn op_entry_get_location(struct call *c)
{
	iok_service_t *s = arg_entry(c);
	char loc[128];

	if (!s)
		return kIOReturnBadArgument;
	iok_service_get_location(s, loc, sizeof(loc));
	iok_service_release(s);
	return loc[0] ? reply_str(c, loc) : kIOReturnNotFound;
}

static IOReturn op_entry_get_path(struct call *c)
{
	iok_service_t *s = arg_entry(c);
	char path[IOK_WIRE_MAX_STR];
	int err;

	if (!s || !c->str || !c->str[0] || !plane_ok(c->str)) {
		iok_service_release(s);
		return kIOReturnBadArgument;
	}
	err = iok_service_get_path(s, path, sizeof(path));
	iok_service_release(s);
	return err ? kIOReturnBadArgument : reply_str(c, path);
}

static IOReturn op_entry_get_id(struct call *c)
{
	iok_service_t *s = arg_entry(c);

	if (!s)
		return kIOReturnBadArgument;
	c->rep->value = iok_service_id(s);
	iok_service_release(s);
	return kIOReturnSuccess;
}

static IOReturn op_entry_get_properties(struct call *c)
{
	iok_service_t *s = arg_entry(c);
	iok_object_t *props;
	IOReturn ret;

	if (!s)
		return kIOReturnBadArgument;
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
	iok_service_t *s = arg_entry(c);
	iok_object_t *v;
	IOReturn ret;

	if (!s || !c->str) {
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
	iok_service_t *s = arg_entry(c);
	iok_object_t *array = iok_array_create(4);
	iok_service_t **kids = NULL;
	size_t n = 0;
	IOReturn ret;

	if (!s || !plane_ok(c->str)) {
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
	iok_service_t *s = arg_entry(c);
	iok_object_t *array = iok_array_create(1);
	iok_service_t *p;
	IOReturn ret;

	if (!s || !plane_ok(c->str)) {
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
	iok_service_t *s = arg_entry(c);

	if (!s)
		return kIOReturnBadArgument;
	c->rep->value = c->str && strcmp(c->str, kIOServicePlane) == 0 &&
			(s == iok_registry_root() || iok_service_provider(s));
	iok_service_release(s);
	return kIOReturnSuccess;
}

static IOReturn op_entry_set_properties(struct call *c)
{
	iok_service_t *s = arg_entry(c);
	IOReturn (*set)(iok_service_t *, iok_object_t *);
	iok_object_t *props;
	IOReturn ret;

	if (!s)
		return kIOReturnBadArgument;
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

long iok_server_handle(iok_task_t *task, const void *req, size_t len, void *reply, size_t cap)
{
	const struct iok_wire_hdr *h = req;
	struct iok_wire_msg *rep = reply;
	struct call c = { .task = task, .req = req, .rep = rep, .cap = cap };
	IOReturn ret;

	if (len < sizeof(*h) || h->size != len || cap < IOK_WIRE_MAX_MSG)
		return -EPROTO;
	memset(rep, 0, sizeof(*rep));
	rep->hdr.op = h->op;
	rep->hdr.seq = h->seq;
	if (h->op >= IOK_OP__COUNT || !ops[h->op])
		ret = kIOReturnUnsupported;
	else if ((ret = decode(&c, req, len)) == kIOReturnSuccess)
		ret = ops[h->op](&c);
	if (ret != kIOReturnSuccess)
		rep->str_len = rep->data_len = 0;
	rep->hdr.result = ret;
	rep->hdr.size = (uint32_t)(sizeof(*rep) + rep->str_len + rep->data_len);
	return rep->hdr.size;
}
