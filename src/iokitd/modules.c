// SPDX-License-Identifier: MIT
/*
 * modules.c - iokitd's driver modules: loading at start-up and at run time
 * (iokitctl load / unload / list, kextload's role).
 *
 * Unloading terminates the driver's services at once; its code stays
 * mapped until the last instance of its classes is freed (clients keep
 * terminated user clients until they close them), and is then dlclose'd
 * by the next module operation or client disconnect that finds it idle.
 */
#include "host.h"
#include "isolate.h"
#include "runtime.h"

#include <IOKit/IOKitKeys.h>
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct module {
	struct module *next;
	void *dl;
	const struct iok_driver *drv;
	char *path;
	bool unloading;   /* terminated, waiting for its instances to go */
};

static pthread_mutex_t modules_lock = PTHREAD_MUTEX_INITIALIZER;
static struct module *modules;

/* Forgets modules whose unload finished.  modules_lock held. */
static void reap_locked(void)
{
	struct module **pp = &modules;

	while (*pp) {
		struct module *m = *pp;

		if (m->unloading && iok_driver_instance_count(m->drv) == 0) {
			*pp = m->next;
			iok_driver_unregister_classes(m->drv);
			iok_log(IOK_LOG_INFO, "unloaded %s", m->drv->bundle_id);
			dlclose(m->dl);
			free(m->path);
			free(m);
		} else {
			pp = &m->next;
		}
	}
}

void host_reap_modules(void)
{
	pthread_mutex_lock(&modules_lock);
	reap_locked();
	pthread_mutex_unlock(&modules_lock);
}

static struct module *find_locked(const char *bundle_id)
{
	for (struct module *m = modules; m; m = m->next)
		if (!strcmp(m->drv->bundle_id, bundle_id))
			return m;
	return NULL;
}

/* Loads path; 0 or a negative errno (the reason is logged). */
static int load_locked(const char *path, const struct iok_driver **out)
{
	const struct iok_driver *(*entry)(void);
	const struct iok_driver *drv;
	struct module *m;
	void *dl;
	int ret;

	reap_locked();
	dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!dl) {
		iok_log(IOK_LOG_ERR, "cannot load %s: %s", path, dlerror());
		return -ENOENT;
	}
	*(void **)&entry = dlsym(dl, IOK_DRIVER_ENTRY_SYMBOL);
	drv = entry ? entry() : NULL;
	if (!drv || !drv->bundle_id) {
		iok_log(IOK_LOG_ERR, "%s has no %s", path, IOK_DRIVER_ENTRY_SYMBOL);
		dlclose(dl);
		return -EINVAL;
	}
	if (find_locked(drv->bundle_id)) {
		iok_log(IOK_LOG_ERR, "%s: %s is already loaded%s", path, drv->bundle_id,
			find_locked(drv->bundle_id)->unloading ? " (still unloading)" : "");
		dlclose(dl);
		return -EEXIST;
	}
	m = calloc(1, sizeof(*m));
	if (!m || !(m->path = strdup(path))) {
		free(m);
		dlclose(dl);
		return -ENOMEM;
	}
	m->dl = dl;
	m->drv = drv;
	/* Listed before matching starts its services, so that an unload
	 * racing with this load finds it. */
	m->next = modules;
	modules = m;
	ret = iok_driver_register(drv);
	if (ret) {
		iok_log(IOK_LOG_ERR, "%s: driver %s refused (%s)", path, drv->bundle_id,
			strerror(-ret));
		modules = m->next;
		dlclose(dl);
		free(m->path);
		free(m);
		return ret;
	}
	iok_log(IOK_LOG_INFO, "loaded %s %s from %s", drv->bundle_id,
		drv->version ? drv->version : "", path);
	if (out)
		*out = drv;
	return 0;
}

int host_load_driver_ex(const char *path, const struct iok_driver **driver)
{
	int ret;

	pthread_mutex_lock(&modules_lock);
	ret = load_locked(path, driver);
	pthread_mutex_unlock(&modules_lock);
	if (ret)
		fprintf(stderr, "iokitd: cannot load driver %s (%s)\n", path, strerror(-ret));
	return ret;
}

int host_load_driver(const char *path)
{
	if (isolate_enabled()) {
		IOReturn ret = isolate_load(path);

		if (ret)
			fprintf(stderr, "iokitd: cannot load driver %s in a process of its own (0x%x)\n",
				path, (unsigned)ret);
		return ret ? -EINVAL : 0;
	}
	return host_load_driver_ex(path, NULL);
}

static IOReturn module_load(const char *path)
{
	int ret;

	if (isolate_enabled())
		return isolate_load(path);
	pthread_mutex_lock(&modules_lock);
	ret = load_locked(path, NULL);
	pthread_mutex_unlock(&modules_lock);
	switch (ret) {
	case 0:
		return kIOReturnSuccess;
	case -ENOENT:
		return kIOReturnNotFound;
	case -EEXIST:
		return kIOReturnExclusiveAccess;
	case -ENOMEM:
		return kIOReturnNoMemory;
	default:
		return kIOReturnBadArgument;
	}
}

static IOReturn module_unload(const char *bundle_id, uint32_t *remaining)
{
	struct module *m;

	if (isolate_enabled())
		return isolate_unload(bundle_id, remaining);
	pthread_mutex_lock(&modules_lock);
	m = find_locked(bundle_id);
	if (!m || m->unloading) {
		pthread_mutex_unlock(&modules_lock);
		return kIOReturnNotFound;
	}
	m->unloading = true;
	/* Terminating runs driver code (stop, clientClose, messages): the
	 * lock keeps the module mapped meanwhile and loads of it out. */
	*remaining = iok_driver_unregister(m->drv);
	iok_log(IOK_LOG_INFO, "unloading %s: %u instances still held", bundle_id, *remaining);
	reap_locked();
	pthread_mutex_unlock(&modules_lock);
	return kIOReturnSuccess;
}

static iok_object_t *module_info(const struct module *m)
{
	iok_object_t *d = iok_dict_create(6);

	if (!d || iok_dict_set_string(d, kIOBundleIdentifierKey, m->drv->bundle_id) ||
	    iok_dict_set_string(d, "CFBundleVersion", m->drv->version ? m->drv->version : "") ||
	    iok_dict_set_string(d, "OSBundlePath", m->path) ||
	    iok_dict_set_number(d, "OSBundleRetainCount", iok_driver_instance_count(m->drv), 32) ||
	    iok_dict_set_bool(d, "OSBundleStarted", !m->unloading)) {
		iok_release(d);
		return NULL;
	}
	return d;
}

static iok_object_t *module_list(void)
{
	iok_object_t *list;

	if (isolate_enabled())
		return isolate_list();
	list = iok_array_create(8);
	pthread_mutex_lock(&modules_lock);
	reap_locked();
	for (struct module *m = modules; list && m; m = m->next) {
		iok_object_t *d = module_info(m);

		if (!d || iok_array_append(list, d)) {
			iok_release(list);
			list = NULL;
		}
		iok_release(d);
	}
	pthread_mutex_unlock(&modules_lock);
	return list;
}

static const struct iok_driver_host module_host = {
	.load = module_load,
	.unload = module_unload,
	.list = module_list,
};

void host_enable_module_ops(uint32_t admin_uid)
{
	iok_server_set_driver_host(&module_host, admin_uid);
}
