// SPDX-License-Identifier: MIT
/*
 * terminate.c - IOService::terminate and driver unload.
 *
 * Termination runs in xnu's order, simplified to one pass:
 *  1. s and every entry below it become inactive at once (under the
 *     registry lock), so matching, opens and lookups stop finding them;
 *  2. top-down: kIOWillTerminateNotification, kIOMessageServiceIsTerminated
 *     to the clients' interest notifications and, for each entry whose
 *     provider is terminating, message(kIOMessageServiceIsTerminated);
 *  3. bottom-up: a user client waits out its calls in progress and refuses
 *     later ones (kIOReturnNotAttached) — it stays attached, with its
 *     memory, until its client closes it or dies; any other entry is
 *     stopped and detached, and kIOTerminatedNotification fires.
 * Nothing is freed here: objects go when their last reference does, and
 * a driver's code stays loaded while any instance of its classes lives.
 */
#include "runtime.h"

#include <IOKit/IOMessage.h>

static void collect_locked(iok_service_t *s, iok_service_t ***list, size_t *n, size_t *cap,
			   bool *oom)
{
	if (s->state & IOK_SVC_INACTIVE)
		return;
	if (*n == *cap) {
		size_t c = *cap ? *cap * 2 : 16;
		iok_service_t **grown = iok_realloc(*list, c * sizeof(**list));

		if (!grown) {
			*oom = true;
			return;
		}
		*list = grown;
		*cap = c;
	}
	s->state |= IOK_SVC_INACTIVE;
	(*list)[(*n)++] = iok_service_retain(s);
	for (iok_service_t *c = s->first_child; c; c = c->next_sibling)
		collect_locked(c, list, n, cap, oom);
}

static void quiesce_user_client(iok_service_t *uc)
{
	/* The exclusive side waits for every call in progress. */
	iok_callgate_lock(&uc->uc->callgate);
	iok_atomic_store(&uc->uc->terminated, 1, IOK_RELEASE);
	iok_callgate_unlock(&uc->uc->callgate);
}

static void stop_and_detach(iok_service_t *s)
{
	void (*stop)(iok_service_t *, iok_service_t *) = IOK_OP(s->cls, stop);
	iok_service_t *provider;
	bool started;

	iok_registry_wrlock();
	started = s->state & IOK_SVC_STARTED;
	s->state &= ~IOK_SVC_STARTED;
	provider = iok_service_retain(s->provider);
	iok_registry_unlock();
	if (started && stop)
		stop(s, provider);
	iok_service_release(provider);
	iok_notify_matching(s, IOK_NOTIFY_TERMINATED);
	iok_service_detach(s);
}

IOK_EXPORT int iok_service_terminate(iok_service_t *s)
{
	iok_service_t **list = NULL;
	size_t n = 0, cap = 0;
	bool oom = false;

	if (!s)
		return -EINVAL;
	iok_registry_wrlock();
	if (s->state & IOK_SVC_INACTIVE) {
		iok_registry_unlock();
		return -EALREADY;
	}
	collect_locked(s, &list, &n, &cap, &oom);
	iok_registry_unlock();
	if (oom)
		iok_log(IOK_LOG_ERR, "terminate: out of memory, part of %s stays attached",
			s->cls->name);

	for (size_t i = 0; i < n; i++) {
		iok_service_t *e = list[i];

		iok_notify_matching(e, IOK_NOTIFY_WILL_TERMINATE);
		iok_service_message_clients(e, kIOMessageServiceIsTerminated, 0);
		if (e != s) {
			IOReturn (*msg)(iok_service_t *, uint32_t, iok_service_t *, void *) =
				IOK_OP(e->cls, message);

			if (msg)
				msg(e, kIOMessageServiceIsTerminated, iok_service_provider(e), NULL);
		}
	}
	for (size_t i = n; i-- > 0;) {
		iok_service_t *e = list[i];

		if (e->uc)
			quiesce_user_client(e);
		else
			stop_and_detach(e);
		iok_service_release(e);
	}
	iok_free(list);
	return 0;
}

/* ---- driver unload ---------------------------------------------------------- */

static bool class_of_driver(const struct iok_driver *driver, const iok_class_t *cls)
{
	for (size_t i = 0; driver->classes && driver->classes[i]; i++)
		if (driver->classes[i] == cls)
			return true;
	return false;
}

struct driver_walk {
	const struct iok_driver *driver;
	iok_service_t **list;
	size_t n, cap;
};

static bool collect_driver_services(iok_service_t *s, void *arg)
{
	struct driver_walk *w = arg;

	if (s->uc || (s->state & IOK_SVC_INACTIVE) || !class_of_driver(w->driver, s->cls))
		return true;
	if (w->n == w->cap) {
		size_t c = w->cap ? w->cap * 2 : 8;
		iok_service_t **grown = iok_realloc(w->list, c * sizeof(*grown));

		if (!grown)
			return false;
		w->list = grown;
		w->cap = c;
	}
	w->list[w->n++] = iok_service_retain(s);
	return true;
}

uint32_t iok_driver_instance_count(const struct iok_driver *driver)
{
	uint32_t n = 0;

	for (size_t i = 0; driver->classes && driver->classes[i]; i++)
		n += iok_class_instance_count(driver->classes[i]->name);
	return n;
}

uint32_t iok_driver_unregister(const struct iok_driver *driver)
{
	struct driver_walk w = { driver, NULL, 0, 0 };

	iok_catalogue_remove(driver);
	iok_matching_wait_quiet(UINT64_MAX);
	iok_registry_walk(collect_driver_services, &w);
	for (size_t i = 0; i < w.n; i++) {
		iok_service_terminate(w.list[i]);
		iok_service_release(w.list[i]);
	}
	iok_free(w.list);
	return iok_driver_instance_count(driver);
}

void iok_driver_unregister_classes(const struct iok_driver *driver)
{
	for (size_t i = 0; driver->classes && driver->classes[i]; i++)
		iok_class_unregister(driver->classes[i]);
}
