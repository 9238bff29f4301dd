// SPDX-License-Identifier: MIT
/*
 * port.c - notification ports held by the host (see iok_port.h).
 *
 * Live ports are also listed by id: a driver keeps an async reference as
 * plain numbers, so a completion finds its port through the id, and finds
 * nothing once the client released the port or went away.
 */
#include "runtime.h"

#include <IOKit/driver/iok_port.h>

struct iok_port {
	iok_object_t obj;
	iok_signal_t *sig;
	uint64_t id;
	struct iok_port *next;   /* the id list, under ports_lock */
};

static iok_mutex_t ports_lock;
static bool ports_ready;
static struct iok_port *ports;
static uint64_t next_id = 1;

/* From iok_runtime_init, before any concurrency (and again, harmlessly,
 * from single-threaded unit tests that make ports without a runtime). */
void iok_ports_init(void)
{
	if (!ports_ready) {
		iok_mutex_init(&ports_lock);
		ports_ready = true;
	}
}

static void port_free(iok_object_t *obj)
{
	struct iok_port *p = (struct iok_port *)obj, **pp;

	iok_mutex_lock(&ports_lock);
	for (pp = &ports; *pp; pp = &(*pp)->next)
		if (*pp == p) {
			*pp = p->next;
			break;
		}
	iok_mutex_unlock(&ports_lock);
	iok_signal_destroy(p->sig);
	iok_free(p);
}

static const struct iok_object_kind port_kind = {
	.type = IOK_TYPE_OTHER,
	.name = "IOMachPort",
	.free = port_free,
};

iok_port_t *iok_port_create(iok_signal_t *sig)
{
	struct iok_port *p;

	if (!sig)
		return NULL;
	p = iok_zalloc(sizeof(*p));
	if (!p) {
		iok_signal_destroy(sig);
		return NULL;
	}
	iok_object_init(&p->obj, &port_kind);
	p->sig = sig;
	iok_ports_init();
	iok_mutex_lock(&ports_lock);
	p->id = next_id++;
	p->next = ports;
	ports = p;
	iok_mutex_unlock(&ports_lock);
	return p;
}

uint64_t iok_port_id(const iok_port_t *port)
{
	return port ? port->id : 0;
}

iok_port_t *iok_port_from_id(uint64_t id)
{
	struct iok_port *p;

	if (!id)
		return NULL;
	iok_mutex_lock(&ports_lock);
	for (p = ports; p && p->id != id; p = p->next)
		;
	if (p && !iok_try_retain(&p->obj))
		p = NULL;
	iok_mutex_unlock(&ports_lock);
	return p;
}

iok_port_t *iok_port_from_object(iok_object_t *obj)
{
	return obj && obj->kind == &port_kind ? (iok_port_t *)obj : NULL;
}

iok_object_t *iok_port_object(iok_port_t *port)
{
	return port ? &port->obj : NULL;
}

int iok_port_send_msg(iok_port_t *port, const void *msg, size_t len)
{
	return port ? iok_signal_send_msg(port->sig, msg, len) : -EPIPE;
}

bool iok_port_carries_messages(const iok_port_t *port)
{
	return port && iok_signal_carries_messages(port->sig);
}

IOK_EXPORT iok_port_t *iok_port_retain(iok_port_t *port)
{
	if (port)
		iok_retain(&port->obj);
	return port;
}

IOK_EXPORT void iok_port_release(iok_port_t *port)
{
	if (port)
		iok_release(&port->obj);
}

IOK_EXPORT int iok_port_send(iok_port_t *port)
{
	return port ? iok_signal_send(port->sig) : -EPIPE;
}

iok_signal_t *iok_port_get_signal(iok_port_t *port)
{
	return port ? port->sig : NULL;
}
