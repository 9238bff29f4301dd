// SPDX-License-Identifier: MIT
/*
 * userclient.c - IOUserClient: the per-connection object a service creates
 * for a client (newUserClient), its defaults, and external-method dispatch.
 */
#include "runtime.h"

static IOReturn uc_client_close(iok_service_t *self)
{
	return kIOReturnUnsupported;
}

static const struct iok_class_ops user_client_ops = {
	.client_close = uc_client_close,
};

IOK_EXPORT_DATA const iok_class_t iok_class_IOUserClient = {
	.name = "IOUserClient",
	.super = &iok_class_IOService,
	.ops = &user_client_ops,
};
