// SPDX-License-Identifier: MIT
/*
 * userclient.c - IOUserClient: the object a service creates for each
 * connection.  Default newUserClient, the open checks of
 * is_io_service_open_extended, close and death (clientClose / clientDied
 * exactly once, never under a running call), external-method dispatch
 * with Apple's check order, privilege and exclusive open.
 */
#include "runtime.h"

#include <IOKit/IOKitKeys.h>

/* ---- the class ----------------------------------------------------------- */

static bool uc_init(iok_service_t *self, iok_object_t *properties)
{
	self->uc = iok_zalloc(sizeof(*self->uc));
	if (!self->uc)
		return false;
	iok_callgate_init(&self->uc->callgate);
	self->uc->external_method = IOK_OP(self->cls, external_method);
	return true;
}

static void uc_free(iok_service_t *self)
{
	if (!self->uc)
		return;
	if (self->uc->task)
		iok_release(&self->uc->task->obj);
	iok_callgate_destroy(&self->uc->callgate);
	iok_free(self->uc);
	self->uc = NULL;
}

static bool uc_init_with_task(iok_service_t *self, iok_task_t *task, void *security_id,
			      uint32_t type, iok_object_t *properties)
{
	return true;
}

static IOReturn uc_client_close(iok_service_t *self)
{
	return kIOReturnUnsupported;
}

static IOReturn uc_client_died(iok_service_t *self)
{
	IOReturn (*close)(iok_service_t *) = IOK_OP(self->cls, client_close);

	return close ? close(self) : kIOReturnUnsupported;
}

static IOReturn uc_external_method(iok_service_t *self, uint32_t selector,
				   IOExternalMethodArguments *args,
				   const IOExternalMethodDispatch *dispatch, iok_service_t *target,
				   void *reference)
{
	return iok_user_client_external_method(self, selector, args, dispatch, target, reference);
}

static IOReturn uc_client_memory_for_type(iok_service_t *self, uint32_t type, uint32_t *options,
					  iok_memory_t **memory)
{
	return kIOReturnUnsupported;
}

static IOReturn uc_register_notification_port(iok_service_t *self, iok_port_t *port,
					      uint32_t type, uint64_t refcon)
{
	return kIOReturnUnsupported;
}

static iok_service_t *uc_get_service(iok_service_t *self)
{
	return NULL;
}

static const struct iok_class_ops user_client_ops = {
	.init = uc_init,
	.free = uc_free,
	.init_with_task = uc_init_with_task,
	.client_close = uc_client_close,
	.client_died = uc_client_died,
	.external_method = uc_external_method,
	.client_memory_for_type = uc_client_memory_for_type,
	.register_notification_port = uc_register_notification_port,
	.get_service = uc_get_service,
};

IOK_EXPORT_DATA const iok_class_t iok_class_IOUserClient = {
	.name = "IOUserClient",
	.super = &iok_class_IOService,
	.ops = &user_client_ops,
};

/* ---- IOService::newUserClient, the default ------------------------------- */

IOK_EXPORT IOReturn iok_user_client_create(iok_service_t *provider, const char *class_name,
					   iok_task_t *task, void *security_id, uint32_t type,
					   iok_object_t *properties, iok_service_t **handler)
{
	bool (*init_with_task)(iok_service_t *, iok_task_t *, void *, uint32_t, iok_object_t *);
	bool (*start)(iok_service_t *, iok_service_t *);
	const iok_class_t *c = iok_class_find(class_name);
	iok_service_t *client;

	*handler = NULL;
	if (!c)
		return kIOReturnNoMemory;    /* the class cannot be instantiated */
	if (!iok_class_is_a(c, "IOUserClient"))
		return kIOReturnUnsupported;
	client = iok_service_create(c->name, NULL);
	if (!client)
		return kIOReturnNoMemory;
	init_with_task = IOK_OP(c, init_with_task);
	if (init_with_task && !init_with_task(client, task, security_id, type, properties)) {
		iok_service_release(client);
		return kIOReturnBadArgument;
	}
	if (iok_service_attach(client, provider)) {
		iok_service_release(client);
		return kIOReturnUnsupported;
	}
	start = IOK_OP(c, start);
	if (start && !start(client, provider)) {
		iok_service_detach(client);
		iok_service_release(client);
		return kIOReturnUnsupported;
	}
	*handler = client;
	return kIOReturnSuccess;
}

IOReturn iok_service_default_new_user_client(iok_service_t *self, iok_task_t *task,
					     void *security_id, uint32_t type,
					     iok_object_t *properties, iok_service_t **handler)
{
	iok_object_t *cls = iok_service_copy_property(self, kIOUserClientClassKey);
	IOReturn ret;

	*handler = NULL;
	if (iok_type(cls) != IOK_TYPE_STRING) {
		iok_release(cls);
		return kIOReturnUnsupported;
	}
	ret = iok_user_client_create(self, iok_string_cstr(cls), task, security_id, type,
				     properties, handler);
	iok_release(cls);
	return ret;
}

/* ---- entitlements ---------------------------------------------------------- */

static char *granted_entitlements;   /* ",a,b," or NULL */

void iok_runtime_set_entitlements(const char *csv)
{
	size_t n = csv ? strlen(csv) : 0;
	char *s = n ? iok_malloc(n + 3) : NULL;

	if (s)
		snprintf(s, n + 3, ",%s,", csv);
	iok_free(granted_entitlements);
	granted_entitlements = s;
}

IOK_EXPORT bool iok_task_has_entitlement(const iok_task_t *task, const char *name)
{
	char key[160];
	int n;

	if (!task || !name || !granted_entitlements)
		return false;
	n = snprintf(key, sizeof(key), ",%s,", name);
	return n > 0 && (size_t)n < sizeof(key) && strstr(granted_entitlements, key);
}

IOK_EXPORT int32_t iok_task_pid(const iok_task_t *task)
{
	return task ? task->pid : 0;
}

IOK_EXPORT uint32_t iok_task_uid(const iok_task_t *task)
{
	return task ? task->uid : (uint32_t)-1;
}

IOK_EXPORT iok_task_t *iok_user_client_task(iok_service_t *uc)
{
	return uc && uc->uc ? uc->uc->task : NULL;
}

IOK_EXPORT uint32_t iok_user_client_type(iok_service_t *uc)
{
	return uc && uc->uc ? uc->uc->type : 0;
}

/* The security token given to newUserClient is the task. */
IOK_EXPORT IOReturn iok_client_has_privilege(void *security_token, const char *privilege)
{
	const iok_task_t *task = security_token;

	if (!task || !privilege)
		return kIOReturnBadArgument;
	if (strcmp(privilege, kIOClientPrivilegeAdministrator) == 0)
		return task->uid == 0 ? kIOReturnSuccess : kIOReturnNotPrivileged;
	return kIOReturnUnsupported;
}

/* ---- open -------------------------------------------------------------------- */

static bool has_property(iok_service_t *s, const char *key)
{
	iok_object_t *v = iok_service_copy_property(s, key);

	iok_release(v);
	return v != NULL;
}

/* IOUserClientEntitlements: false or absent allows; a string names the
 * entitlement the caller needs. */
static bool entitlements_allow(iok_service_t *uc, iok_task_t *task)
{
	iok_object_t *v = iok_service_copy_property(uc, kIOUserClientEntitlementsKey);
	bool ok = true;

	if (iok_type(v) == IOK_TYPE_STRING)
		ok = iok_task_has_entitlement(task, iok_string_cstr(v));
	iok_release(v);
	return ok;
}

static int task_add_client(iok_task_t *task, iok_service_t *uc)
{
	int ret = 0;

	iok_mutex_lock(&task->lock);
	if (task->n_clients == task->clients_cap) {
		uint32_t cap = task->clients_cap ? task->clients_cap * 2 : 8;
		iok_service_t **c = iok_realloc(task->clients, cap * sizeof(*c));

		if (!c) {
			ret = -ENOMEM;
			goto out;
		}
		task->clients = c;
		task->clients_cap = cap;
	}
	task->clients[task->n_clients++] = iok_service_retain(uc);
out:
	iok_mutex_unlock(&task->lock);
	return ret;
}

/* Removes uc from its task's list; returns whether it was there. */
static bool task_remove_client(iok_task_t *task, iok_service_t *uc)
{
	bool found = false;

	iok_mutex_lock(&task->lock);
	for (uint32_t i = 0; i < task->n_clients; i++) {
		if (task->clients[i] == uc) {
			task->clients[i] = task->clients[--task->n_clients];
			found = true;
			break;
		}
	}
	iok_mutex_unlock(&task->lock);
	if (found)
		iok_service_release(uc);
	return found;
}

/* Runs clientClose or clientDied once, waiting for calls in progress, then
 * releases what the client held and takes it out of the registry. */
static void finish_client(iok_service_t *uc, bool died)
{
	IOReturn (*fn)(iok_service_t *);
	iok_service_t *provider;
	uint32_t expected = 0;

	if (!__atomic_compare_exchange_n(&uc->uc->closed, &expected, 1, false, IOK_ACQ_REL,
					 IOK_ACQUIRE))
		return;
	iok_callgate_lock(&uc->uc->callgate);
	fn = died ? IOK_OP(uc->cls, client_died) : IOK_OP(uc->cls, client_close);
	if (fn)
		fn(uc);
	iok_callgate_unlock(&uc->uc->callgate);
	provider = iok_service_provider(uc);
	if (provider)
		iok_service_close(provider, uc);
	iok_registry_wrlock();
	uc->state |= IOK_SVC_INACTIVE;
	iok_registry_unlock();
	iok_service_detach(uc);
}

IOReturn iok_user_client_open(iok_task_t *task, iok_service_t *service, uint32_t type,
			      iok_service_t **out)
{
	IOReturn (*new_uc)(iok_service_t *, iok_task_t *, void *, uint32_t, iok_object_t *,
			   iok_service_t **);
	iok_service_t *uc = NULL;
	char creator[96];
	IOReturn ret;

	*out = NULL;
	if (!iok_service_conforms_to(service, "IOService"))
		return kIOReturnBadArgument;
	new_uc = IOK_OP(service->cls, new_user_client);
	ret = new_uc(service, task, task, type, NULL, &uc);
	if (ret != kIOReturnSuccess) {
		iok_service_release(uc);
		return ret;
	}
	if (!uc || !uc->uc) {
		if (uc) {
			iok_service_detach(uc);
			iok_service_release(uc);
		}
		return kIOReturnError;
	}
	snprintf(creator, sizeof(creator), "pid %d, %s", (int)task->pid, task->name);
	iok_service_set_string(uc, kIOUserClientCreatorKey, creator);
	if (!has_property(uc, kIOUserClientDefaultLockingKey) &&
	    !has_property(uc, kIOUserClientDefaultLockingSetPropertiesKey) &&
	    !has_property(uc, kIOUserClientDefaultLockingSingleThreadExternalMethodKey))
		iok_service_set_bool(uc, kIOUserClientDefaultLockingKey, true);
	uc->uc->single_threaded =
		iok_service_get_bool(uc, kIOUserClientDefaultLockingSingleThreadExternalMethodKey);
	uc->uc->type = type;
	uc->uc->task = (iok_task_t *)iok_retain(&task->obj);
	if (!entitlements_allow(uc, task)) {
		ret = kIOReturnNotPrivileged;
		goto err_close;
	}
	if (task_add_client(task, uc)) {
		ret = kIOReturnNoMemory;
		goto err_close;
	}
	*out = uc;
	return kIOReturnSuccess;

err_close:
	finish_client(uc, false);
	iok_service_release(uc);
	return ret;
}

IOReturn iok_user_client_close(iok_service_t *uc)
{
	if (!uc || !uc->uc)
		return kIOReturnBadArgument;
	finish_client(uc, false);
	if (uc->uc->task)
		task_remove_client(uc->uc->task, uc);
	return kIOReturnSuccess;
}

void iok_task_clients_died(iok_task_t *task)
{
	for (;;) {
		iok_service_t *uc = NULL;

		iok_mutex_lock(&task->lock);
		if (task->n_clients)
			uc = task->clients[--task->n_clients];
		iok_mutex_unlock(&task->lock);
		if (!uc)
			break;
		finish_client(uc, true);
		iok_service_release(uc);
	}
	iok_free(task->clients);
	task->clients = NULL;
	task->clients_cap = 0;
}

/* ---- dispatch checks (§2.3, §2.4) ---------------------------------------- */

/* Structure sizes in 64 bits: a descriptor may be longer than 4 GiB, and
 * must not pass a check by its length's low 32 bits. */
static uint64_t input_struct_size(const IOExternalMethodArguments *a)
{
	return a->structureInputDescriptor ? iok_memory_length(a->structureInputDescriptor)
					   : a->structureInputSize;
}

static uint64_t output_struct_size(const IOExternalMethodArguments *a)
{
	return a->structureOutputDescriptor ? iok_memory_length(a->structureOutputDescriptor)
					    : a->structureOutputSize;
}

/* Inline: it is on every call's path, twice expanded. */
static inline __attribute__((always_inline)) bool
counts_ok(const IOExternalMethodArguments *a, uint32_t scalar_in, uint32_t struct_in,
	  uint32_t scalar_out, uint32_t struct_out)
{
	if (scalar_in != kIOUCVariableStructureSize && scalar_in != a->scalarInputCount)
		return false;
	if (struct_in != kIOUCVariableStructureSize && struct_in != input_struct_size(a))
		return false;
	if (scalar_out != kIOUCVariableStructureSize && scalar_out != a->scalarOutputCount)
		return false;
	if (struct_out != kIOUCVariableStructureSize && struct_out != output_struct_size(a))
		return false;
	return true;
}

IOK_EXPORT IOReturn iok_user_client_external_method(iok_service_t *self, uint32_t selector,
						    IOExternalMethodArguments *args,
						    const IOExternalMethodDispatch *d,
						    iok_service_t *target, void *reference)
{
	if (!d) {
		/* The legacy IOExternalMethod tables are not supported. */
		if (args->structureInputDescriptor || args->structureOutputDescriptor)
			return kIOReturnIPCError;
		return kIOReturnUnsupported;
	}
	if (!counts_ok(args, d->checkScalarInputCount, d->checkStructureInputSize,
		       d->checkScalarOutputCount, d->checkStructureOutputSize))
		return kIOReturnBadArgument;
	if (!d->function)
		return kIOReturnNoCompletion;
	return d->function(target, reference, args);
}

IOK_EXPORT IOReturn iok_dispatch_external_method(iok_service_t *self, uint32_t selector,
						 IOExternalMethodArguments *args,
						 const IOExternalMethodDispatch2022 *table,
						 uint32_t count, iok_service_t *target,
						 void *reference)
{
	const IOExternalMethodDispatch2022 *d;

	if (!table)
		return kIOReturnError;
	if (selector >= count)
		return kIOReturnBadArgument;
	d = &table[selector];
	if (!counts_ok(args, d->checkScalarInputCount, d->checkStructureInputSize,
		       d->checkScalarOutputCount, d->checkStructureOutputSize))
		return kIOReturnBadArgument;
	if (args->asyncWakePort && !d->allowAsync)
		return kIOReturnBadArgument;
	if (d->checkEntitlement &&
	    !iok_task_has_entitlement(iok_user_client_task(self), d->checkEntitlement))
		return kIOReturnNotPrivileged;
	if (!d->function)
		return kIOReturnNoCompletion;
	return d->function(target, reference, args);
}

/* ---- exclusive open ----------------------------------------------------------- */

IOK_EXPORT IOReturn iok_service_open(iok_service_t *provider, iok_service_t *client)
{
	IOReturn ret = kIOReturnSuccess;

	if (!provider || !client)
		return kIOReturnBadArgument;
	if (iok_service_is_inactive(provider))
		return kIOReturnNotAttached;
	iok_mutex_lock(&provider->lock);
	if (provider->open_client && provider->open_client != client)
		ret = kIOReturnExclusiveAccess;
	else
		provider->open_client = client;
	iok_mutex_unlock(&provider->lock);
	return ret;
}

IOK_EXPORT void iok_service_close(iok_service_t *provider, iok_service_t *client)
{
	if (!provider)
		return;
	iok_mutex_lock(&provider->lock);
	if (provider->open_client == client)
		provider->open_client = NULL;
	iok_mutex_unlock(&provider->lock);
}

IOK_EXPORT bool iok_service_is_open(iok_service_t *provider, iok_service_t *client)
{
	bool open;

	if (!provider)
		return false;
	iok_mutex_lock(&provider->lock);
	open = client ? provider->open_client == client : provider->open_client != NULL;
	iok_mutex_unlock(&provider->lock);
	return open;
}
