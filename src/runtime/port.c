// SPDX-License-Identifier: MIT
/* port.c - notification ports held by the host (see iok_port.h). */
#include "runtime.h"

#include <IOKit/driver/iok_port.h>

struct iok_port {
	iok_object_t obj;
	iok_signal_t *sig;
};

static void port_free(iok_object_t *obj)
{
	struct iok_port *p = (struct iok_port *)obj;

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
	return p;
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
