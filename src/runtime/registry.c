// SPDX-License-Identifier: MIT
/*
 * registry.c - classes, service instances, properties and the IOService
 * plane: Root -> the platform device ("OpenIOKit") -> IOResources and
 * everything drivers attach.
 */
#include "runtime.h"
#include "regiter.h"

#include <IOKit/IOKitKeys.h>

/* ---- locking ---------------------------------------------------------- */

static iok_rwlock_t registry_lock;
static iok_mutex_t class_lock;
static bool runtime_ready;

void iok_registry_rdlock(void)
{
	iok_rwlock_rdlock(&registry_lock);
}

void iok_registry_wrlock(void)
{
	iok_rwlock_wrlock(&registry_lock);
}

void iok_registry_unlock(void)
{
	iok_rwlock_unlock(&registry_lock);
}

/* ---- classes ---------------------------------------------------------- */

#define IOK_MAX_CLASSES 256

struct class_slot {
	const iok_class_t *cls;
	uint32_t instances;
	const char *bundle;   /* NULL: the catalogue's (the driver's) */
};

static struct class_slot classes[IOK_MAX_CLASSES];
static size_t n_classes;

static const struct iok_class_ops no_ops;

iok_op_fn_t iok_class_find_op(const iok_class_t *cls, size_t off)
{
	for (; cls; cls = cls->super) {
		iok_op_fn_t fn;

		if (!cls->ops)
			continue;
		memcpy(&fn, (const char *)cls->ops + off, sizeof(fn));
		if (fn)
			return fn;
	}
	return NULL;
}

static struct class_slot *class_slot_locked(const char *name)
{
	for (size_t i = 0; i < n_classes; i++)
		if (strcmp(classes[i].cls->name, name) == 0)
			return &classes[i];
	return NULL;
}

int iok_class_register(const iok_class_t *cls)
{
	return iok_class_register_bundle(cls, NULL);
}

int iok_class_register_bundle(const iok_class_t *cls, const char *bundle)
{
	int ret = 0;

	if (!cls || !cls->name || !cls->name[0] || strlen(cls->name) >= 128)
		return -EINVAL;
	iok_mutex_lock(&class_lock);
	if (class_slot_locked(cls->name))
		ret = -EEXIST;
	else if (n_classes == IOK_MAX_CLASSES)
		ret = -ENOSPC;
	else
		classes[n_classes++] = (struct class_slot){ .cls = cls, .bundle = bundle };
	iok_mutex_unlock(&class_lock);
	return ret;
}

void iok_class_unregister(const iok_class_t *cls)
{
	iok_mutex_lock(&class_lock);
	for (size_t i = 0; i < n_classes; i++) {
		if (classes[i].cls == cls) {
			classes[i] = classes[--n_classes];
			break;
		}
	}
	iok_mutex_unlock(&class_lock);
}

const iok_class_t *iok_class_find(const char *name)
{
	const struct class_slot *slot;
	const iok_class_t *cls;

	if (!name)
		return NULL;
	iok_mutex_lock(&class_lock);
	slot = class_slot_locked(name);
	cls = slot ? slot->cls : NULL;
	iok_mutex_unlock(&class_lock);
	return cls;
}

bool iok_class_is_a(const iok_class_t *cls, const char *name)
{
	if (!name)
		return false;
	for (; cls; cls = cls->super)
		if (strcmp(cls->name, name) == 0)
			return true;
	return false;
}

static void class_count(const iok_class_t *cls, int delta)
{
	struct class_slot *slot;

	if (!cls)
		return;
	iok_mutex_lock(&class_lock);
	slot = class_slot_locked(cls->name);
	if (slot)
		slot->instances += (uint32_t)delta;
	iok_mutex_unlock(&class_lock);
}

uint32_t iok_class_instance_count(const char *name)
{
	const struct class_slot *slot;
	uint32_t n;

	iok_mutex_lock(&class_lock);
	slot = class_slot_locked(name);
	n = slot ? slot->instances : 0;
	iok_mutex_unlock(&class_lock);
	return n;
}

int iok_class_copy_superclass(const char *name, char *buf, size_t len)
{
	const struct class_slot *slot;
	int ret = -ENOENT;

	if (!name || !len)
		return -EINVAL;
	iok_mutex_lock(&class_lock);
	slot = class_slot_locked(name);
	if (slot && slot->cls->super) {
		snprintf(buf, len, "%s", slot->cls->super->name);
		ret = 0;
	}
	iok_mutex_unlock(&class_lock);
	return ret;
}

static bool class_is_builtin(const iok_class_t *cls);

int iok_class_copy_bundle(const char *name, char *buf, size_t len)
{
	const iok_class_t *cls = iok_class_find(name);
	const struct class_slot *slot;
	const char *bundle = NULL;

	if (!cls || !len)
		return -ENOENT;
	iok_mutex_lock(&class_lock);
	slot = class_slot_locked(name);
	if (slot && slot->cls == cls)
		bundle = slot->bundle;
	iok_mutex_unlock(&class_lock);
	if (bundle) {
		snprintf(buf, len, "%s", bundle);
		return 0;
	}
	if (class_is_builtin(cls)) {
		snprintf(buf, len, "%s", "__kernel__");
		return 0;
	}
	return iok_catalogue_class_bundle(cls, buf, len);
}

/* OSMetaClass's count: own instances, plus one for each direct subclass
 * that has any (counted the same way).  class_lock held. */
static uint32_t class_count_locked(size_t i, unsigned depth)
{
	uint32_t n = classes[i].instances;

	if (depth > 64)
		return n;
	for (size_t j = 0; j < n_classes; j++)
		if (classes[j].cls->super == classes[i].cls && class_count_locked(j, depth + 1))
			n++;
	return n;
}

iok_object_t *iok_registry_copy_diagnostics(void)
{
	iok_object_t *diag = iok_dict_create(6), *counts = iok_dict_create(IOK_MAX_CLASSES);
	int err = !diag || !counts;

	iok_mutex_lock(&class_lock);
	for (size_t i = 0; !err && i < n_classes; i++)
		err = iok_dict_set_number(counts, classes[i].cls->name, class_count_locked(i, 0),
					  32);
	iok_mutex_unlock(&class_lock);
	/* Allocation totals are not tracked: the keys are there, at zero. */
	if (!err)
		err = iok_dict_set_number(diag, "Instance allocation", 0, 64) ||
		      iok_dict_set_number(diag, "Container allocation", 0, 64) ||
		      iok_dict_set_number(diag, "IOMalloc allocation", 0, 64) ||
		      iok_dict_set_number(diag, "Pageable allocation", 0, 64) ||
		      iok_dict_set(diag, "Classes", counts);
	iok_release(counts);
	if (err) {
		iok_release(diag);
		return NULL;
	}
	return diag;
}

/* ---- base classes ----------------------------------------------------- */

static bool base_start(iok_service_t *self, iok_service_t *provider)
{
	return true;
}

static void base_stop(iok_service_t *self, iok_service_t *provider)
{
}

static iok_service_t *base_probe(iok_service_t *self, iok_service_t *provider, int32_t *score)
{
	return self;
}

static bool base_match_property_table(iok_service_t *self, iok_object_t *table, int32_t *score)
{
	return true;
}

static IOReturn base_set_properties(iok_service_t *self, iok_object_t *properties)
{
	return kIOReturnUnsupported;
}

static IOReturn base_message(iok_service_t *self, uint32_t type, iok_service_t *provider,
			     void *argument)
{
	return kIOReturnUnsupported;
}

IOReturn iok_service_default_new_user_client(iok_service_t *self, iok_task_t *task,
					     void *security_id, uint32_t type,
					     iok_object_t *properties, iok_service_t **handler);

static const struct iok_class_ops service_ops = {
	.new_user_client = iok_service_default_new_user_client,
	.probe = base_probe,
	.start = base_start,
	.stop = base_stop,
	.match_property_table = base_match_property_table,
	.set_properties = base_set_properties,
	.message = base_message,
};

IOK_EXPORT_DATA const iok_class_t iok_class_IORegistryEntry = {
	.name = "IORegistryEntry",
	.ops = &no_ops,
};

IOK_EXPORT_DATA const iok_class_t iok_class_IOService = {
	.name = "IOService",
	.super = &iok_class_IORegistryEntry,
	.ops = &service_ops,
};

static const iok_class_t platform_device_class = {
	.name = "IOPlatformExpertDevice",
	.super = &iok_class_IOService,
};

/* IOResources: every published resource is a property; IOResourceMatch
 * names resources that must all be present. */
static bool resources_has(iok_service_t *self, iok_object_t *name)
{
	iok_object_t *v;

	if (iok_type(name) != IOK_TYPE_STRING)
		return false;
	v = iok_service_copy_property(self, iok_string_cstr(name));
	iok_release(v);
	return v != NULL;
}

static bool resources_match_property_table(iok_service_t *self, iok_object_t *table,
					   int32_t *score)
{
	iok_object_t *want = iok_dict_get(table, kIOResourceMatchKey);

	if (!want)
		return true;
	if (iok_type(want) == IOK_TYPE_ARRAY) {
		for (size_t i = 0; i < iok_array_count(want); i++)
			if (!resources_has(self, iok_array_get(want, i)))
				return false;
		return true;
	}
	return resources_has(self, want);
}

static IOReturn resources_new_user_client(iok_service_t *self, iok_task_t *task, void *sec,
					  uint32_t type, iok_object_t *props,
					  iok_service_t **handler)
{
	return kIOReturnUnsupported;
}

static const struct iok_class_ops resources_ops = {
	.match_property_table = resources_match_property_table,
	.new_user_client = resources_new_user_client,
};

IOK_EXPORT_DATA const iok_class_t iok_class_IOResources = {
	.name = "IOResources",
	.super = &iok_class_IOService,
	.ops = &resources_ops,
};

static bool class_is_builtin(const iok_class_t *cls)
{
	return cls == &iok_class_IORegistryEntry || cls == &iok_class_IOService ||
	       cls == &platform_device_class || cls == &iok_class_IOResources ||
	       cls == &iok_class_IOUserClient;
}

/* ---- instances -------------------------------------------------------- */

static uint64_t next_entry_id = 0x100000100ull;
static iok_service_t *root_entry;
static iok_service_t *platform_entry;
static iok_service_t *resources_entry;

static void service_free(iok_object_t *obj)
{
	iok_service_t *s = (iok_service_t *)obj;
	const iok_class_t *cls;

	for (cls = s->cls; cls; cls = cls->super)
		if (cls->ops && cls->ops->free)
			cls->ops->free(s);
	class_count(s->cls, -1);
	iok_release(s->props);
	iok_free(s->name);
	iok_free(s->location);
	iok_free(s->ivars);
	iok_mutex_destroy(&s->lock);
	iok_free(s);
}

const struct iok_object_kind iok_service_kind = {
	.type = IOK_TYPE_ENTRY,
	.name = "IORegistryEntry",
	.free = service_free,
};

/* Runs the init chain from the base class down. */
static bool run_init_chain(const iok_class_t *cls, iok_service_t *s, iok_object_t *props)
{
	if (!cls)
		return true;
	if (!run_init_chain(cls->super, s, props))
		return false;
	return !(cls->ops && cls->ops->init) || cls->ops->init(s, props);
}

static iok_service_t *service_alloc(const iok_class_t *cls, iok_object_t *props)
{
	iok_service_t *s = iok_zalloc(sizeof(*s));

	if (!s)
		return NULL;
	iok_object_init(&s->obj, &iok_service_kind);
	iok_mutex_init(&s->lock);
	s->cls = cls;
	s->id = iok_atomic_add(&next_entry_id, 1, IOK_RELAXED) - 1;
	s->props = props ? iok_copy(props) : iok_dict_create(8);
	if (cls->ivars_size)
		s->ivars = iok_zalloc(cls->ivars_size);
	class_count(cls, +1);
	if (!s->props || (cls->ivars_size && !s->ivars)) {
		iok_release(&s->obj);
		return NULL;
	}
	return s;
}

IOK_EXPORT iok_service_t *iok_service_create(const char *class_name, iok_object_t *properties)
{
	const iok_class_t *cls = iok_class_find(class_name);
	iok_service_t *s;

	if (!cls || !iok_class_is_a(cls, "IOService"))
		return NULL;
	if (properties && iok_type(properties) != IOK_TYPE_DICTIONARY)
		return NULL;
	s = service_alloc(cls, properties);
	if (s && !run_init_chain(cls, s, s->props)) {
		iok_release(&s->obj);
		return NULL;
	}
	return s;
}

IOK_EXPORT iok_service_t *iok_service_retain(iok_service_t *s)
{
	if (s)
		iok_retain(&s->obj);
	return s;
}

IOK_EXPORT void iok_service_release(iok_service_t *s)
{
	if (s)
		iok_release(&s->obj);
}

IOK_EXPORT const iok_class_t *iok_service_class(const iok_service_t *s)
{
	return s ? s->cls : NULL;
}

IOK_EXPORT const char *iok_service_class_name(const iok_service_t *s)
{
	return s ? s->cls->name : "";
}

IOK_EXPORT bool iok_service_conforms_to(const iok_service_t *s, const char *class_name)
{
	return s && iok_class_is_a(s->cls, class_name);
}

IOK_EXPORT uint64_t iok_service_id(const iok_service_t *s)
{
	return s ? s->id : 0;
}

IOK_EXPORT void *iok_ivars(iok_service_t *s)
{
	return s ? s->ivars : NULL;
}

bool iok_service_is_user_client(const iok_service_t *s)
{
	return iok_service_conforms_to(s, "IOUserClient");
}

uint32_t iok_service_state(iok_service_t *s)
{
	uint32_t state;

	iok_registry_rdlock();
	state = s->state;
	iok_registry_unlock();
	return state;
}

/* ---- names and properties --------------------------------------------- */

static int set_string_field(iok_service_t *s, char **field, const char *value)
{
	char *copy = NULL;

	if (value && strlen(value) >= 128)
		return -EINVAL;
	if (value && !(copy = iok_strdup(value)))
		return -ENOMEM;
	iok_mutex_lock(&s->lock);
	iok_free(*field);
	*field = copy;
	iok_mutex_unlock(&s->lock);
	return 0;
}

IOK_EXPORT int iok_service_set_name(iok_service_t *s, const char *name)
{
	return s ? set_string_field(s, &s->name, name) : -EINVAL;
}

IOK_EXPORT int iok_service_set_location(iok_service_t *s, const char *location)
{
	return s ? set_string_field(s, &s->location, location) : -EINVAL;
}

IOK_EXPORT void iok_service_get_name(iok_service_t *s, char *buf, size_t len)
{
	if (!len)
		return;
	iok_mutex_lock(&s->lock);
	snprintf(buf, len, "%s", s->name ? s->name : s->cls->name);
	iok_mutex_unlock(&s->lock);
}

IOK_EXPORT void iok_service_get_location(iok_service_t *s, char *buf, size_t len)
{
	if (!len)
		return;
	iok_mutex_lock(&s->lock);
	snprintf(buf, len, "%s", s->location ? s->location : "");
	iok_mutex_unlock(&s->lock);
}

/* The root's IOKitDiagnostics is made when asked for, so it is live. */
static void root_add_diagnostics(iok_object_t *props)
{
	iok_object_t *diag = iok_registry_copy_diagnostics();

	if (diag)
		iok_dict_set(props, kIOKitDiagnosticsKey, diag);
	iok_release(diag);
}

IOK_EXPORT iok_object_t *iok_service_copy_property(iok_service_t *s, const char *key)
{
	iok_object_t *v;

	if (!s || !key)
		return NULL;
	if (s == root_entry && strcmp(key, kIOKitDiagnosticsKey) == 0)
		return iok_registry_copy_diagnostics();
	iok_mutex_lock(&s->lock);
	v = iok_retain(iok_dict_get(s->props, key));
	iok_mutex_unlock(&s->lock);
	return v;
}

IOK_EXPORT iok_object_t *iok_service_copy_properties(iok_service_t *s)
{
	iok_object_t *copy;

	if (!s)
		return NULL;
	iok_mutex_lock(&s->lock);
	copy = iok_copy(s->props);
	iok_mutex_unlock(&s->lock);
	if (copy && s == root_entry)
		root_add_diagnostics(copy);
	return copy;
}

IOK_EXPORT int iok_service_set_property(iok_service_t *s, const char *key, iok_object_t *value)
{
	int ret;

	if (!s || !key || !value)
		return -EINVAL;
	iok_mutex_lock(&s->lock);
	ret = iok_dict_set(s->props, key, value);
	iok_mutex_unlock(&s->lock);
	if (!ret)
		iok_observe(s, IOK_OBSERVE_PROPERTIES);
	return ret;
}

IOK_EXPORT int iok_service_remove_property(iok_service_t *s, const char *key)
{
	int ret;

	if (!s || !key)
		return -EINVAL;
	iok_mutex_lock(&s->lock);
	ret = iok_dict_remove(s->props, key);
	iok_mutex_unlock(&s->lock);
	if (!ret)
		iok_observe(s, IOK_OBSERVE_PROPERTIES);
	return ret;
}

/* Creates value with make, stores it, drops the creation reference. */
static int set_new(iok_service_t *s, const char *key, iok_object_t *value)
{
	int ret;

	if (!value)
		return -ENOMEM;
	ret = iok_service_set_property(s, key, value);
	iok_release(value);
	return ret;
}

IOK_EXPORT int iok_service_set_string(iok_service_t *s, const char *key, const char *value)
{
	return set_new(s, key, iok_string_create(value));
}

IOK_EXPORT int iok_service_set_number(iok_service_t *s, const char *key, uint64_t value,
				      unsigned bits)
{
	return set_new(s, key, iok_number_create(value, bits));
}

IOK_EXPORT int iok_service_set_bool(iok_service_t *s, const char *key, bool value)
{
	return iok_service_set_property(s, key, iok_boolean(value));
}

IOK_EXPORT bool iok_service_get_bool(iok_service_t *s, const char *key)
{
	iok_object_t *v = iok_service_copy_property(s, key);
	bool b = iok_type(v) == IOK_TYPE_BOOLEAN && iok_boolean_value(v);

	iok_release(v);
	return b;
}

/* ---- the IOService plane ---------------------------------------------- */

IOK_EXPORT iok_service_t *iok_service_provider(iok_service_t *s)
{
	iok_service_t *p;

	if (!s)
		return NULL;
	iok_registry_rdlock();
	p = s->provider;
	iok_registry_unlock();
	return p;
}

IOK_EXPORT bool iok_service_is_inactive(iok_service_t *s)
{
	return !s || (iok_service_state(s) & IOK_SVC_INACTIVE);
}

static void link_child_locked(iok_service_t *parent, iok_service_t *child)
{
	child->provider = iok_service_retain(parent);
	child->prev_sibling = parent->last_child;
	child->next_sibling = NULL;
	if (parent->last_child)
		parent->last_child->next_sibling = child;
	else
		parent->first_child = child;
	parent->last_child = child;
	iok_service_retain(child);   /* the plane's reference */
}

IOK_EXPORT int iok_service_attach(iok_service_t *s, iok_service_t *provider)
{
	int ret = 0;

	if (!s || !provider || s == provider)
		return -EINVAL;
	iok_registry_wrlock();
	if (s->provider)
		ret = -EBUSY;
	else if (provider->state & IOK_SVC_INACTIVE)
		ret = -ENODEV;
	else
		link_child_locked(provider, s);
	iok_registry_unlock();
	return ret;
}

IOK_EXPORT void iok_service_detach(iok_service_t *s)
{
	iok_service_t *parent;

	iok_registry_wrlock();
	parent = s->provider;
	if (!parent) {
		iok_registry_unlock();
		return;
	}
	if (s->prev_sibling)
		s->prev_sibling->next_sibling = s->next_sibling;
	else
		parent->first_child = s->next_sibling;
	if (s->next_sibling)
		s->next_sibling->prev_sibling = s->prev_sibling;
	else
		parent->last_child = s->prev_sibling;
	s->provider = NULL;
	s->next_sibling = s->prev_sibling = NULL;
	iok_registry_unlock();
	iok_service_release(parent);
	iok_service_release(s);   /* the plane's reference */
}

iok_service_t **iok_service_copy_children(iok_service_t *s, size_t *count)
{
	iok_service_t **out = NULL, *c;
	size_t n = 0, i = 0;

	iok_registry_rdlock();
	for (c = s->first_child; c; c = c->next_sibling)
		n++;
	if (n && (out = iok_malloc(n * sizeof(*out)))) {
		for (c = s->first_child; c; c = c->next_sibling)
			out[i++] = iok_service_retain(c);
	}
	iok_registry_unlock();
	*count = out ? n : 0;
	return out;
}

static bool walk_locked(iok_service_t *s, iok_walk_fn_t fn, void *ctx)
{
	if (!fn(s, ctx))
		return false;
	for (iok_service_t *c = s->first_child; c; c = c->next_sibling)
		if (!walk_locked(c, fn, ctx))
			return false;
	return true;
}

void iok_registry_walk(iok_walk_fn_t fn, void *ctx)
{
	iok_registry_rdlock();
	if (root_entry)
		walk_locked(root_entry, fn, ctx);
	iok_registry_unlock();
}

iok_service_t *iok_registry_root(void)
{
	return root_entry;
}

IOK_EXPORT iok_service_t *iok_resources(void)
{
	return resources_entry;
}

/* ---- paths ------------------------------------------------------------ */

#define IOK_PLANE_PREFIX "IOService:"

/* Appends "/name[@location]" of s and its ancestors below the platform
 * device (the plane's "/"), outermost first.  Registry lock held. */
static int append_path_locked(iok_service_t *s, char *buf, size_t len, size_t *pos)
{
	char name[128], loc[128];
	int n;

	if (s == platform_entry || s == root_entry || !s)
		return 0;
	if (append_path_locked(s->provider, buf, len, pos))
		return -ENAMETOOLONG;
	iok_service_get_name(s, name, sizeof(name));
	iok_service_get_location(s, loc, sizeof(loc));
	n = snprintf(buf + *pos, len - *pos, "/%s%s%s", name, loc[0] ? "@" : "", loc);
	if (n < 0 || (size_t)n >= len - *pos)
		return -ENAMETOOLONG;
	*pos += (size_t)n;
	return 0;
}

int iok_service_get_path(iok_service_t *s, char *buf, size_t len)
{
	size_t pos;
	int ret;

	if (len <= sizeof(IOK_PLANE_PREFIX))
		return -ENAMETOOLONG;
	memcpy(buf, IOK_PLANE_PREFIX, sizeof(IOK_PLANE_PREFIX));
	pos = sizeof(IOK_PLANE_PREFIX) - 1;
	iok_registry_rdlock();
	ret = append_path_locked(s, buf, len, &pos);
	iok_registry_unlock();
	if (!ret && pos == sizeof(IOK_PLANE_PREFIX) - 1) {
		if (pos + 2 > len)
			return -ENAMETOOLONG;
		buf[pos++] = '/';
		buf[pos] = '\0';
	}
	return ret;
}

/* Does component (len bytes, "name" or "name@loc") name child c? */
static bool component_matches(iok_service_t *c, const char *comp, size_t len)
{
	char name[128], loc[128], full[258];
	int n;

	iok_service_get_name(c, name, sizeof(name));
	iok_service_get_location(c, loc, sizeof(loc));
	if (memchr(comp, '@', len))
		n = snprintf(full, sizeof(full), "%s@%s", name, loc);
	else
		n = snprintf(full, sizeof(full), "%s", name);
	return n >= 0 && (size_t)n == len && memcmp(full, comp, len) == 0;
}

iok_service_t *iok_service_from_path(const char *path)
{
	const char *p;
	iok_service_t *cur, *c;

	if (!path || strncmp(path, IOK_PLANE_PREFIX, sizeof(IOK_PLANE_PREFIX) - 1) != 0)
		return NULL;
	p = path + sizeof(IOK_PLANE_PREFIX) - 1;
	if (*p != '/')
		return NULL;
	iok_registry_rdlock();
	cur = platform_entry;
	while (cur && *p == '/') {
		const char *comp = ++p;
		size_t len;

		while (*p && *p != '/')
			p++;
		len = (size_t)(p - comp);
		if (!len)
			break;   /* trailing slash */
		for (c = cur->first_child; c; c = c->next_sibling)
			if (component_matches(c, comp, len))
				break;
		cur = c;
	}
	if (cur && *p)
		cur = NULL;
	iok_service_retain(cur);
	iok_registry_unlock();
	return cur;
}

/* ---- registration and resources ---------------------------------------- */

IOK_EXPORT int iok_service_register(iok_service_t *s)
{
	bool first;

	if (!s)
		return -EINVAL;
	iok_registry_wrlock();
	if (s->state & IOK_SVC_INACTIVE) {
		iok_registry_unlock();
		return -ENODEV;
	}
	first = !(s->state & IOK_SVC_REGISTERED);
	s->state |= IOK_SVC_REGISTERED;
	iok_registry_unlock();
	if (first)
		iok_notify_matching(s, IOK_NOTIFY_PUBLISHED);
	iok_matching_enqueue(s);
	iok_matching_drain();
	return 0;
}

IOK_EXPORT int iok_publish_resource(const char *key, iok_object_t *value)
{
	iok_object_t *v = value ? iok_retain(value) : iok_string_create("IOService");
	int ret;

	if (!v)
		return -ENOMEM;
	ret = iok_service_set_property(resources_entry, key, v);
	iok_release(v);
	return ret ? ret : iok_service_register(resources_entry);
}

IOK_EXPORT uint64_t iok_clock_uptime_ns(void)
{
	return iok_now_ns();
}

IOK_EXPORT bool iok_super_start(const iok_class_t *cls, iok_service_t *self,
				iok_service_t *provider)
{
	bool (*fn)(iok_service_t *, iok_service_t *) = IOK_OP(cls->super, start);

	return fn ? fn(self, provider) : true;
}

IOK_EXPORT void iok_super_stop(const iok_class_t *cls, iok_service_t *self,
			       iok_service_t *provider)
{
	void (*fn)(iok_service_t *, iok_service_t *) = IOK_OP(cls->super, stop);

	if (fn)
		fn(self, provider);
}

/* ---- set-up ----------------------------------------------------------- */

static iok_service_t *make_builtin(const iok_class_t *cls, const char *name)
{
	iok_service_t *s = service_alloc(cls, NULL);

	if (s && name && iok_service_set_name(s, name)) {
		iok_service_release(s);
		s = NULL;
	}
	return s;
}

static int root_set_planes(iok_service_t *root)
{
	iok_object_t *planes = iok_dict_create(1);
	int ret;

	if (!planes)
		return -ENOMEM;
	ret = iok_dict_set_string(planes, kIOServicePlane, kIOServicePlane);
	if (!ret)
		ret = iok_service_set_property(root, kIORegistryPlanesKey, planes);
	iok_release(planes);
	return ret;
}

int iok_runtime_init(void)
{
	static const iok_class_t *const builtin[] = {
		&iok_class_IORegistryEntry, &iok_class_IOService, &platform_device_class,
		&iok_class_IOResources, &iok_class_IOUserClient,
	};

	if (runtime_ready)
		return 0;
	iok_rwlock_init(&registry_lock);
	iok_mutex_init(&class_lock);
	iok_matching_init();
	iok_notify_init();
	iok_ports_init();
	for (size_t i = 0; i < sizeof(builtin) / sizeof(builtin[0]); i++)
		iok_class_register(builtin[i]);

	root_entry = make_builtin(&iok_class_IORegistryEntry, "Root");
	platform_entry = make_builtin(&platform_device_class, "OpenIOKit");
	resources_entry = make_builtin(&iok_class_IOResources, NULL);
	if (!root_entry || !platform_entry || !resources_entry || root_set_planes(root_entry))
		goto err_free;
	runtime_ready = true;
	iok_registry_wrlock();
	link_child_locked(root_entry, platform_entry);
	link_child_locked(platform_entry, resources_entry);
	platform_entry->state |= IOK_SVC_REGISTERED | IOK_SVC_MATCHED | IOK_SVC_STARTED;
	iok_registry_unlock();
	return iok_publish_resource("IOKit", NULL);

err_free:
	iok_service_release(resources_entry);
	iok_service_release(platform_entry);
	iok_service_release(root_entry);
	resources_entry = platform_entry = root_entry = NULL;
	return -ENOMEM;
}

/* Detaches every entry below s, children first. */
static void detach_subtree(iok_service_t *s)
{
	size_t n;
	iok_service_t **kids = iok_service_copy_children(s, &n);

	for (size_t i = 0; i < n; i++) {
		detach_subtree(kids[i]);
		iok_service_detach(kids[i]);
		iok_service_release(kids[i]);
	}
	iok_free(kids);
}

void iok_runtime_shutdown(void)
{
	if (!runtime_ready)
		return;
	detach_subtree(root_entry);
	iok_service_release(resources_entry);
	iok_service_release(platform_entry);
	iok_service_release(root_entry);
	resources_entry = platform_entry = root_entry = NULL;
	iok_catalogue_reset();
	n_classes = 0;
	runtime_ready = false;
}
