// SPDX-License-Identifier: MIT
/*
 * UCTestDriver - a driver for the connection tests.  Two services attach
 * to IOResources:
 *
 *   UCTestService (IOUserClientClass UCTestUserClient, default
 *   newUserClient): a 2022 dispatch table with every argument shape.  It
 *   counts clientClose and clientDied in its own properties "CloseCount"
 *   and "DiedCount".
 *
 *   UCPrivService: a custom newUserClient that refuses callers without
 *   the "root" privilege (kIOReturnNotPrivileged) and a user client that
 *   holds its provider open exclusively (a second open gets
 *   kIOReturnExclusiveAccess).
 */
#include <IOKit/IOKitKeys.h>
#include <IOKit/OSMessageNotification.h>
#include <IOKit/driver/iok_service.h>
#include <IOKit/driver/iok_port.h>
#include <IOKit/driver/iok_user_client.h>
#include <string.h>
#include <time.h>

#include "UCTestShared.h"

/* ---- the user client ----------------------------------------------------- */

struct uc_ivars {
	iok_service_t *provider;
	iok_memory_t *shared;
	iok_port_t *port;
	/* Async references held for kUCTestAsyncComplete; a slot's state
	 * (0 empty, 1 being written, 2 held) is atomic. */
	uint32_t held_state[UCTEST_ASYNC_SLOTS];
	OSAsyncReference64 held[UCTEST_ASYNC_SLOTS];
};

static void bump(iok_service_t *s, const char *key)
{
	iok_object_t *v = iok_service_copy_property(s, key);
	uint64_t n = v ? iok_number_value(v) : 0;

	iok_release(v);
	iok_service_set_number(s, key, n + 1, 32);
}

static IOReturn m_calculate(iok_service_t *t, void *ref, IOExternalMethodArguments *a)
{
	a->scalarOutput[0] = a->scalarInput[0] + a->scalarInput[1];
	a->scalarOutput[1] = a->scalarInput[0] * a->scalarInput[1];
	return kIOReturnSuccess;
}

static IOReturn m_echo(iok_service_t *t, void *ref, IOExternalMethodArguments *a)
{
	size_t in = a->structureInputDescriptor ? iok_memory_length(a->structureInputDescriptor)
						: a->structureInputSize;
	const void *src = a->structureInputDescriptor ? iok_memory_bytes(a->structureInputDescriptor)
						      : a->structureInput;

	if (a->structureOutputDescriptor) {
		size_t cap = a->structureOutputDescriptorSize;
		size_t n = in < cap ? in : cap;

		iok_memory_write(a->structureOutputDescriptor, 0, src, n);
		a->structureOutputDescriptorSize = (uint32_t)n;
	} else {
		size_t n = in < a->structureOutputSize ? in : a->structureOutputSize;

		if (n)
			memcpy(a->structureOutput, src, n);
		a->structureOutputSize = (uint32_t)n;
	}
	return kIOReturnSuccess;
}

static IOReturn m_fixed(iok_service_t *t, void *ref, IOExternalMethodArguments *a)
{
	const uint8_t *in = a->structureInput;
	uint8_t *out = a->structureOutput;

	for (int i = 0; i < UCTEST_FIXED_SIZE; i++)
		out[i] = (uint8_t)~in[i];
	return kIOReturnSuccess;
}

static IOReturn m_fail(iok_service_t *t, void *ref, IOExternalMethodArguments *a)
{
	a->scalarOutput[0] = 0xbad;
	return kIOReturnDeviceError;
}

static IOReturn m_entitled(iok_service_t *t, void *ref, IOExternalMethodArguments *a)
{
	return kIOReturnSuccess;
}

static IOReturn m_sleep(iok_service_t *t, void *ref, IOExternalMethodArguments *a)
{
	struct timespec ts = {
		.tv_sec = (time_t)(a->scalarInput[0] / 1000000),
		.tv_nsec = (long)(a->scalarInput[0] % 1000000) * 1000,
	};

	nanosleep(&ts, NULL);
	a->scalarOutput[0] = a->scalarInput[0];
	return kIOReturnSuccess;
}

static IOReturn m_scalars(iok_service_t *t, void *ref, IOExternalMethodArguments *a)
{
	uint32_t n = a->scalarInputCount < a->scalarOutputCount ? a->scalarInputCount
								 : a->scalarOutputCount;

	for (uint32_t i = 0; i < n; i++)
		a->scalarOutput[i] = ~a->scalarInput[i];
	a->scalarOutputCount = n;
	return kIOReturnSuccess;
}

static IOReturn m_shrink(iok_service_t *t, void *ref, IOExternalMethodArguments *a)
{
	/* Produces fewer bytes than the caller offered: the count says so. */
	if (a->structureOutputDescriptor) {
		iok_memory_write(a->structureOutputDescriptor, 0, "ool", 3);
		a->structureOutputDescriptorSize = 3;
	} else {
		memcpy(a->structureOutput, "in", 2);
		a->structureOutputSize = 2;
	}
	return kIOReturnSuccess;
}

static IOReturn m_increment(iok_service_t *t, void *ref, IOExternalMethodArguments *a)
{
	a->scalarOutput[0] = a->scalarInput[0] + 1;
	return kIOReturnSuccess;
}

static IOReturn m_async_hold(iok_service_t *t, void *ref, IOExternalMethodArguments *a)
{
	struct uc_ivars *iv = iok_ivars(t);
	uint64_t slot = a->scalarInput[0];
	uint32_t empty = 0;

	if (slot >= UCTEST_ASYNC_SLOTS || !a->asyncReference)
		return kIOReturnBadArgument;
	if (!__atomic_compare_exchange_n(&iv->held_state[slot], &empty, 1, false,
					 __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
		return kIOReturnBusy;
	memset(iv->held[slot], 0, sizeof(iv->held[slot]));
	memcpy(iv->held[slot], a->asyncReference,
	       a->asyncReferenceCount * sizeof(io_user_reference_t));
	__atomic_store_n(&iv->held_state[slot], 2, __ATOMIC_RELEASE);
	return kIOReturnSuccess;
}

static IOReturn m_async_complete(iok_service_t *t, void *ref, IOExternalMethodArguments *a)
{
	struct uc_ivars *iv = iok_ivars(t);
	uint64_t slot = a->scalarInput[0], n = a->scalarInput[2];
	io_user_reference_t args[kMaxAsyncArgs + 1];
	uint32_t held = 2;
	IOReturn ret;

	if (slot >= UCTEST_ASYNC_SLOTS || n > kMaxAsyncArgs + 1)
		return kIOReturnBadArgument;
	if (!__atomic_compare_exchange_n(&iv->held_state[slot], &held, 1, false,
					 __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
		return kIOReturnNotReady;
	for (uint64_t i = 0; i < n; i++)
		args[i] = slot * 100 + i;
	ret = iok_send_async_result64(iv->held[slot], (IOReturn)a->scalarInput[1], args,
				      (uint32_t)n);
	iok_release_async_reference64(iv->held[slot]);
	__atomic_store_n(&iv->held_state[slot], 0, __ATOMIC_RELEASE);
	return ret;
}

static const IOExternalMethodDispatch2022 uc_methods[kUCTestMethodCount] = {
	[kUCTestCalculate] = { m_calculate, 2, 0, 2, 0, false, NULL },
	[kUCTestEcho] = { m_echo, 0, kIOUCVariableStructureSize, 0, kIOUCVariableStructureSize,
			  false, NULL },
	[kUCTestFixed] = { m_fixed, 0, UCTEST_FIXED_SIZE, 0, UCTEST_FIXED_SIZE, false, NULL },
	[kUCTestNoFunction] = { NULL, 0, 0, 0, 0, false, NULL },
	[kUCTestFail] = { m_fail, 0, 0, 1, 0, false, NULL },
	[kUCTestEntitled] = { m_entitled, 0, 0, 0, 0, false, UCTEST_ENTITLEMENT },
	[kUCTestSleep] = { m_sleep, 1, 0, 1, 0, false, NULL },
	[kUCTestScalars] = { m_scalars, kIOUCVariableStructureSize, 0, kIOUCVariableStructureSize,
			     0, false, NULL },
	[kUCTestShrink] = { m_shrink, 0, 0, 0, kIOUCVariableStructureSize, false, NULL },
	[kUCTestIncrement] = { m_increment, 1, 0, 1, 0, false, NULL },
	[kUCTestAsyncHold] = { m_async_hold, 1, 0, 0, 0, true, NULL },
	[kUCTestAsyncComplete] = { m_async_complete, 3, 0, 0, 0, false, NULL },
};

static IOReturn uc_external_method(iok_service_t *self, uint32_t selector,
				   IOExternalMethodArguments *args,
				   const IOExternalMethodDispatch *dispatch, iok_service_t *target,
				   void *reference)
{
	return iok_dispatch_external_method(self, selector, args, uc_methods, kUCTestMethodCount,
					    self, NULL);
}

static bool uc_start(iok_service_t *self, iok_service_t *provider)
{
	struct uc_ivars *iv = iok_ivars(self);

	iv->provider = provider;
	return true;
}

static IOReturn uc_client_close(iok_service_t *self)
{
	struct uc_ivars *iv = iok_ivars(self);

	bump(iok_service_provider(self), "CloseCount");
	iok_port_release(iv->port);   /* the client's waits end */
	iv->port = NULL;
	return kIOReturnSuccess;
}

static IOReturn uc_client_died(iok_service_t *self)
{
	bump(iok_service_provider(self), "DiedCount");
	return kIOReturnSuccess;
}

static iok_service_t *uc_get_service(iok_service_t *self)
{
	return ((struct uc_ivars *)iok_ivars(self))->provider;
}

static IOReturn uc_client_memory_for_type(iok_service_t *self, uint32_t type, uint32_t *options,
					  iok_memory_t **memory)
{
	struct uc_ivars *iv = iok_ivars(self);

	if (type == kUCTestMemoryFailing)
		return kIOReturnNoResources;
	if (type != kUCTestMemoryShared && type != kUCTestMemoryReadOnly)
		return kIOReturnUnsupported;
	if (!iv->shared) {
		uint8_t *p;

		iv->shared = iok_memory_create(UCTEST_MEMORY_SIZE);
		if (!iv->shared)
			return kIOReturnNoMemory;
		p = iok_memory_bytes(iv->shared);
		for (size_t i = 0; i < UCTEST_MEMORY_SIZE; i++)
			p[i] = (uint8_t)i;
	}
	if (type == kUCTestMemoryReadOnly)
		*options |= 0x1000;   /* kIOMapReadOnly */
	*memory = iok_memory_retain(iv->shared);
	return kIOReturnSuccess;
}

static IOReturn uc_register_port(iok_service_t *self, iok_port_t *port, uint32_t type,
				 uint64_t refcon)
{
	struct uc_ivars *iv = iok_ivars(self);

	if (type != UCTEST_PORT_TYPE)
		return kIOReturnBadArgument;
	iok_port_release(iv->port);
	iv->port = iok_port_retain(port);
	return iok_port_send(port) ? kIOReturnNotAttached : kIOReturnSuccess;
}

static void uc_free(iok_service_t *self)
{
	struct uc_ivars *iv = iok_ivars(self);

	iok_memory_release(iv->shared);
	iok_port_release(iv->port);
}

static IOReturn uc_set_properties(iok_service_t *self, iok_object_t *props)
{
	iok_object_t *v = iok_dict_get(props, "UCTestSetting");

	if (!v || iok_dict_count(props) != 1)
		return kIOReturnBadArgument;
	return iok_service_set_property(self, "UCTestSetting", v) ? kIOReturnNoMemory
								  : kIOReturnSuccess;
}

static const struct iok_class_ops uc_ops = {
	.free = uc_free,
	.client_memory_for_type = uc_client_memory_for_type,
	.register_notification_port = uc_register_port,
	.start = uc_start,
	.external_method = uc_external_method,
	.client_close = uc_client_close,
	.client_died = uc_client_died,
	.get_service = uc_get_service,
	.set_properties = uc_set_properties,
};

static const iok_class_t UCTestUserClient = {
	.name = "UCTestUserClient",
	.super = &iok_class_IOUserClient,
	.ivars_size = sizeof(struct uc_ivars),
	.ops = &uc_ops,
};

/* ---- the services -------------------------------------------------------- */

/* A property larger than one message: its reply travels out of line. */
static bool set_big_blob(iok_service_t *self)
{
	static uint8_t blob[UCTEST_BIG_BLOB_SIZE];
	iok_object_t *d;
	bool ok;

	for (size_t i = 0; i < sizeof(blob); i++)
		blob[i] = (uint8_t)(i * 7);
	d = iok_data_create(blob, sizeof(blob));
	ok = d && !iok_service_set_property(self, "UCTestBigBlob", d);
	iok_release(d);
	return ok;
}

static bool svc_start(iok_service_t *self, iok_service_t *provider)
{
	return set_big_blob(self) && iok_service_set_string(self, kIOUserClientClassKey, "UCTestUserClient") == 0 &&
	       iok_service_set_number(self, "CloseCount", 0, 32) == 0 &&
	       iok_service_set_number(self, "DiedCount", 0, 32) == 0 &&
	       iok_service_register(self) == 0;
}

static const struct iok_class_ops svc_ops = { .start = svc_start };

static const iok_class_t UCTestService = {
	.name = "UCTestService",
	.super = &iok_class_IOService,
	.ops = &svc_ops,
};

/* UCPrivService's user client holds its provider open. */
static bool priv_uc_start(iok_service_t *self, iok_service_t *provider)
{
	return iok_service_open(provider, self) == kIOReturnSuccess;
}

static IOReturn priv_uc_client_close(iok_service_t *self)
{
	iok_service_close(iok_service_provider(self), self);
	return kIOReturnSuccess;
}

static const struct iok_class_ops priv_uc_ops = {
	.start = priv_uc_start,
	.client_close = priv_uc_client_close,
};

static const iok_class_t UCPrivUserClient = {
	.name = "UCPrivUserClient",
	.super = &iok_class_IOUserClient,
	.ops = &priv_uc_ops,
};

static IOReturn priv_new_user_client(iok_service_t *self, iok_task_t *task, void *security_id,
				     uint32_t type, iok_object_t *props, iok_service_t **handler)
{
	IOReturn ret = iok_client_has_privilege(security_id, kIOClientPrivilegeAdministrator);

	*handler = NULL;
	if (ret != kIOReturnSuccess)
		return ret;
	if (iok_service_is_open(self, NULL))
		return kIOReturnExclusiveAccess;
	return iok_user_client_create(self, "UCPrivUserClient", task, security_id, type, props,
				      handler);
}

static bool priv_start(iok_service_t *self, iok_service_t *provider)
{
	return iok_service_register(self) == 0;
}

static const struct iok_class_ops priv_ops = {
	.start = priv_start,
	.new_user_client = priv_new_user_client,
};

static const iok_class_t UCPrivService = {
	.name = "UCPrivService",
	.super = &iok_class_IOService,
	.ops = &priv_ops,
};

static iok_object_t *uc_personalities(void)
{
	static const char *const names[] = { "UCTestService", "UCPrivService", NULL };

	return iok_resource_personalities(names);
}

static const iok_class_t *const uc_classes[] = {
	&UCTestService, &UCTestUserClient, &UCPrivService, &UCPrivUserClient, NULL,
};

static const struct iok_driver uc_driver = {
	.abi_version = IOK_DRIVER_ABI_VERSION,
	.bundle_id = "org.openiokit.test.UCTestDriver",
	.version = "1.0.0",
	.classes = uc_classes,
	.personalities = uc_personalities,
};

IOK_DRIVER(uc_driver)
