// SPDX-License-Identifier: MIT
/*
 * iokit_drivers.c - driver modules.  A driver module registers its
 * descriptor when it loads (iok_driver_register: classes, personalities,
 * matching) and unregisters when it unloads: its personalities leave the
 * catalogue, its services are stopped and detached (children first), and
 * its classes are unregistered once no instance of them is left.
 *
 * A driver's code must stay loaded while a client can reach one of its
 * objects.  Clients hold names of services, iterators over them and user
 * clients, all of which lead to driver code; so while any client has the
 * device open every driver module is pinned (rmmod fails with EBUSY), the
 * way macOS refuses to unload a kext whose classes have instances.  Once
 * the last client has closed the device, only the registry holds the
 * driver's objects, and unloading terminates them.
 */
#include <linux/delay.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/slab.h>

#include "iokit_kernel.h"
#include "iokit_private.h"
#include "runtime.h"

DEFINE_MUTEX(iok_clients_lock);
unsigned int iok_open_files;

struct kdriver {
	struct list_head link;
	const struct iok_driver *driver;
	struct module *owner;
	bool pinned;   /* a reference held for the open files */
};

static LIST_HEAD(drivers);

static void pin(struct kdriver *d)
{
	/* A module being unloaded cannot be pinned (and is leaving). */
	d->pinned = try_module_get(d->owner);
}

static void unpin(struct kdriver *d)
{
	if (d->pinned)
		module_put(d->owner);
	d->pinned = false;
}

void iok_clients_opened(void)
{
	struct kdriver *d;

	mutex_lock(&iok_clients_lock);
	if (iok_open_files++ == 0)
		list_for_each_entry(d, &drivers, link)
			pin(d);
	mutex_unlock(&iok_clients_lock);
}

void iok_clients_closed(void)
{
	struct kdriver *d;

	mutex_lock(&iok_clients_lock);
	if (--iok_open_files == 0)
		list_for_each_entry(d, &drivers, link)
			unpin(d);
	mutex_unlock(&iok_clients_lock);
}

int iok_kernel_driver_load(const struct iok_driver *driver, struct module *owner)
{
	struct kdriver *d = kzalloc(sizeof(*d), GFP_KERNEL);
	int ret;

	if (!d)
		return -ENOMEM;
	d->driver = driver;
	d->owner = owner;
	mutex_lock(&iok_clients_lock);
	ret = iok_driver_register(driver);
	if (ret) {
		mutex_unlock(&iok_clients_lock);
		kfree(d);
		pr_err("iokit: driver %s refused (%d)\n",
		       driver && driver->bundle_id ? driver->bundle_id : "?", ret);
		return ret;
	}
	list_add_tail(&d->link, &drivers);
	if (iok_open_files)
		pin(d);
	mutex_unlock(&iok_clients_lock);
	pr_info("iokit: loaded %s %s\n", driver->bundle_id, driver->version ? driver->version : "");
	return 0;
}
EXPORT_SYMBOL(iok_kernel_driver_load);

static bool class_of_driver(const iok_class_t *cls, const struct iok_driver *driver)
{
	for (size_t i = 0; driver->classes && driver->classes[i]; i++)
		if (driver->classes[i] == cls)
			return true;
	return false;
}

struct collect {
	const struct iok_driver *driver;
	iok_service_t **list;
	size_t n, cap;
};

static bool collect_service(iok_service_t *s, void *arg)
{
	struct collect *c = arg;

	if (!class_of_driver(s->cls, c->driver))
		return true;
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 16;
		iok_service_t **l = krealloc_array(c->list, cap, sizeof(*l), GFP_KERNEL);

		if (!l)
			return false;
		c->list = l;
		c->cap = cap;
	}
	c->list[c->n++] = iok_service_retain(s);
	return true;
}

/* Stops and detaches s and everything below it, children first. */
static void terminate(iok_service_t *s)
{
	void (*stop)(iok_service_t *, iok_service_t *);
	iok_service_t **kids, *provider;
	size_t n;
	bool started;

	kids = iok_service_copy_children(s, &n);
	for (size_t i = 0; i < n; i++) {
		terminate(kids[i]);
		iok_service_release(kids[i]);
	}
	iok_free(kids);
	iok_registry_wrlock();
	started = s->state & IOK_SVC_STARTED;
	s->state = (s->state | IOK_SVC_INACTIVE) & ~IOK_SVC_STARTED;
	iok_registry_unlock();
	provider = iok_service_provider(s);
	stop = IOK_OP(s->cls, stop);
	if (started && provider && stop)
		stop(s, provider);
	iok_service_detach(s);
}

static uint32_t instances(const struct iok_driver *driver)
{
	uint32_t n = 0;

	for (size_t i = 0; driver->classes && driver->classes[i]; i++)
		n += iok_class_instance_count(driver->classes[i]->name);
	return n;
}

void iok_kernel_driver_unload(const struct iok_driver *driver)
{
	struct collect c = { .driver = driver };
	struct kdriver *d, *found = NULL;
	unsigned int waited = 0;

	mutex_lock(&iok_clients_lock);
	list_for_each_entry(d, &drivers, link) {
		if (d->driver == driver) {
			found = d;
			break;
		}
	}
	if (!found) {
		mutex_unlock(&iok_clients_lock);
		return;
	}
	list_del(&found->link);
	unpin(found);
	/* The catalogue without this driver's personalities. */
	iok_catalogue_reset();
	list_for_each_entry(d, &drivers, link) {
		iok_object_t *p = d->driver->personalities ? d->driver->personalities() : NULL;

		if (p && iok_catalogue_add(d->driver, p))
			pr_err("iokit: %s: personalities lost\n", d->driver->bundle_id);
		iok_release(p);
	}
	mutex_unlock(&iok_clients_lock);

	iok_registry_walk(collect_service, &c);
	for (size_t i = 0; i < c.n; i++) {
		if (!iok_service_is_inactive(c.list[i]))
			terminate(c.list[i]);
		iok_service_release(c.list[i]);
	}
	kfree(c.list);
	/* Our code runs until the last instance is freed. */
	while (instances(driver)) {
		if (++waited % 1000 == 0)
			pr_warn("iokit: %s: waiting for %u instances to go\n", driver->bundle_id,
				instances(driver));
		msleep(10);
	}
	for (size_t i = 0; driver->classes && driver->classes[i]; i++)
		iok_class_unregister(driver->classes[i]);
	kfree(found);
	pr_info("iokit: unloaded %s\n", driver->bundle_id);
}
EXPORT_SYMBOL(iok_kernel_driver_unload);
