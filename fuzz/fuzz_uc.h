/* SPDX-License-Identifier: MIT */
/*
 * fuzz_uc.h - the user client the call-path fuzz targets drive
 * (fuzz_dispatch, fuzz_channel, fuzz_host): a 2022 dispatch table with
 * every argument shape, an async row, a granted and a refused
 * entitlement, a row without a function, a legacy IOExternalMethodDispatch
 * path, shared memory and a notification port.
 *
 * Every method first checks that what reached it satisfies its row (a
 * count or size the row fixes is exactly that; an async call only where
 * the row allows it; never the refused entitlement) and aborts otherwise,
 * then reads every input byte and writes every output byte the arguments
 * promise, so that a bound the checks got wrong is an AddressSanitizer
 * report.  Inputs steer the result: a failure, lowered counts, or counts
 * raised beyond the caller's capacity (a misbehaving driver the server
 * must clamp).
 */
#ifndef FUZZ_UC_H
#define FUZZ_UC_H

#include <stdlib.h>
#include <string.h>

#include "runtime.h"
#include <IOKit/IOKitKeys.h>
#include <IOKit/driver/iok_port.h>

#define V kIOUCVariableStructureSize

struct fuzz_row {
	uint32_t scalar_in, struct_in, scalar_out, struct_out;
	bool async;
};

static const struct fuzz_row fuzz_rows[] = {
	{ 2, 0, 2, 0, false },      /* 0: fixed scalars */
	{ V, V, V, V, true },       /* 1: anything, async allowed */
	{ 0, 16, 0, 16, false },    /* 2: fixed inband structures */
	{ 0, 0, 0, 0, false },      /* 3: no function */
	{ 0, 0, 0, 0, false },      /* 4: entitlement granted */
	{ 0, 0, 0, 0, false },      /* 5: entitlement refused: never runs */
	{ 1, V, 1, V, false },      /* 6: mixed */
	{ 0, 8192, 0, 8192, false },/* 7: fixed out-of-line structures */
};
#define FUZZ_ROWS (sizeof(fuzz_rows) / sizeof(fuzz_rows[0]))
#define FUZZ_LEGACY_BASE 16      /* selectors 16..18: the legacy path */

static volatile uint64_t fuzz_sink;

static void fuzz_check(bool ok)
{
	if (!ok)
		abort();
}

static uint64_t fuzz_struct_in_len(const IOExternalMethodArguments *a)
{
	return a->structureInputDescriptor ? iok_memory_length(a->structureInputDescriptor)
					   : a->structureInputSize;
}

static uint64_t fuzz_struct_out_len(const IOExternalMethodArguments *a)
{
	return a->structureOutputDescriptor ? iok_memory_length(a->structureOutputDescriptor)
					    : a->structureOutputSize;
}

static IOReturn fuzz_method(const struct fuzz_row *row, IOExternalMethodArguments *a)
{
	uint64_t sum = 0, in0, in1;
	const uint8_t *src;
	uint8_t *dst;

	/* What the dispatch checks promise. */
	fuzz_check(row->scalar_in == V || a->scalarInputCount == row->scalar_in);
	fuzz_check(row->scalar_out == V || a->scalarOutputCount == row->scalar_out);
	fuzz_check(row->struct_in == V || fuzz_struct_in_len(a) == row->struct_in);
	fuzz_check(row->struct_out == V || fuzz_struct_out_len(a) == row->struct_out);
	fuzz_check(row->async || !a->asyncWakePort);
	/* What the transport promises. */
	fuzz_check(a->scalarInputCount <= 16 && a->scalarOutputCount <= 16);
	fuzz_check(a->asyncReferenceCount <= 8);
	fuzz_check(!a->structureInputDescriptor || !a->structureInputSize);
	fuzz_check(!a->structureOutputDescriptor ||
		   a->structureOutputDescriptorSize == iok_memory_length(a->structureOutputDescriptor));
	/* Touch every byte we were promised. */
	for (uint32_t i = 0; i < a->scalarInputCount; i++)
		sum += a->scalarInput[i];
	for (uint32_t i = 0; i < a->asyncReferenceCount; i++)
		sum += a->asyncReference[i];
	src = a->structureInputDescriptor ? iok_memory_bytes(a->structureInputDescriptor)
					  : a->structureInput;
	for (uint64_t i = 0; i < fuzz_struct_in_len(a); i++)
		sum += src[i];
	for (uint32_t i = 0; i < a->scalarOutputCount; i++)
		a->scalarOutput[i] = sum + i;
	dst = a->structureOutputDescriptor ? iok_memory_bytes(a->structureOutputDescriptor)
					   : a->structureOutput;
	if (fuzz_struct_out_len(a))
		memset(dst, (int)(sum & 0xff), fuzz_struct_out_len(a));
	fuzz_sink = sum;
	/* Steer the outcome. */
	in0 = a->scalarInputCount > 0 ? a->scalarInput[0] : 1;
	in1 = a->scalarInputCount > 1 ? a->scalarInput[1] : 0;
	if ((in0 & 7) == 0)
		return kIOReturnDeviceError;
	if (in1 & 1) {   /* produced less */
		a->scalarOutputCount /= 2;
		a->structureOutputSize /= 2;
		a->structureOutputDescriptorSize /= 2;
	}
	if (in1 & 2) {   /* claims more than the caller offered */
		a->scalarOutputCount = 0xffffffffu;
		a->structureOutputSize = 0xffffffffu;
		a->structureOutputDescriptorSize = 0xffffffffu;
	}
	return kIOReturnSuccess;
}

#define FUZZ_METHOD(n)                                                                   \
	static IOReturn fuzz_m##n(iok_service_t *t, void *ref, IOExternalMethodArguments *a) \
	{                                                                                \
		return fuzz_method(&fuzz_rows[n], a);                                     \
	}
FUZZ_METHOD(0)
FUZZ_METHOD(1)
FUZZ_METHOD(2)
FUZZ_METHOD(4)
FUZZ_METHOD(6)
FUZZ_METHOD(7)

static IOReturn fuzz_m5(iok_service_t *t, void *ref, IOExternalMethodArguments *a)
{
	abort();   /* the refused entitlement let a call through */
}

static const IOExternalMethodDispatch2022 fuzz_table[FUZZ_ROWS] = {
	{ fuzz_m0, 2, 0, 2, 0, false, NULL },
	{ fuzz_m1, V, V, V, V, true, NULL },
	{ fuzz_m2, 0, 16, 0, 16, false, NULL },
	{ NULL, 0, 0, 0, 0, false, NULL },
	{ fuzz_m4, 0, 0, 0, 0, false, "org.openiokit.fuzz.granted" },
	{ fuzz_m5, 0, 0, 0, 0, false, "org.openiokit.fuzz.refused" },
	{ fuzz_m6, 1, V, 1, V, false, NULL },
	{ fuzz_m7, 0, 8192, 0, 8192, false, NULL },
};

static IOReturn fuzz_legacy(iok_service_t *t, void *ref, IOExternalMethodArguments *a)
{
	static const struct fuzz_row row = { 1, V, 1, V, true };   /* no async flag */

	return fuzz_method(&row, a);
}

static const IOExternalMethodDispatch fuzz_legacy_table[] = {
	{ fuzz_legacy, 1, V, 1, V },
	{ NULL, 0, 0, 0, 0 },
	{ fuzz_legacy, 1, 0, 1, 0 },
};

struct fuzz_uc_ivars {
	iok_memory_t *shared;
	iok_port_t *port;
};

static IOReturn fuzz_uc_external_method(iok_service_t *self, uint32_t selector,
					IOExternalMethodArguments *args,
					const IOExternalMethodDispatch *dispatch,
					iok_service_t *target, void *reference)
{
	if (selector >= FUZZ_LEGACY_BASE) {
		uint32_t i = selector - FUZZ_LEGACY_BASE;

		return iok_user_client_external_method(self, selector, args,
						       i < 3 ? &fuzz_legacy_table[i] : NULL, self,
						       NULL);
	}
	return iok_dispatch_external_method(self, selector, args, fuzz_table, FUZZ_ROWS, self, NULL);
}

static IOReturn fuzz_uc_memory(iok_service_t *self, uint32_t type, uint32_t *options,
			       iok_memory_t **memory)
{
	struct fuzz_uc_ivars *iv = iok_ivars(self);

	if (type != 1 && type != 2)
		return kIOReturnUnsupported;
	if (!iv->shared && !(iv->shared = iok_memory_create(8192)))
		return kIOReturnNoMemory;
	if (type == 2)
		*options |= 0x1000;   /* read-only */
	*memory = iok_memory_retain(iv->shared);
	return kIOReturnSuccess;
}

static IOReturn fuzz_uc_port(iok_service_t *self, iok_port_t *port, uint32_t type, uint64_t refcon)
{
	struct fuzz_uc_ivars *iv = iok_ivars(self);

	if (type != 7)
		return kIOReturnBadArgument;
	iok_port_release(iv->port);
	iv->port = iok_port_retain(port);
	if (port)
		(void)iok_port_send(port);
	return kIOReturnSuccess;
}

static IOReturn fuzz_uc_close(iok_service_t *self)
{
	struct fuzz_uc_ivars *iv = iok_ivars(self);

	iok_port_release(iv->port);
	iv->port = NULL;
	return kIOReturnSuccess;
}

static void fuzz_uc_free(iok_service_t *self)
{
	struct fuzz_uc_ivars *iv = iok_ivars(self);

	iok_memory_release(iv->shared);
	iok_port_release(iv->port);
}

static const struct iok_class_ops fuzz_uc_ops = {
	.free = fuzz_uc_free,
	.external_method = fuzz_uc_external_method,
	.client_memory_for_type = fuzz_uc_memory,
	.register_notification_port = fuzz_uc_port,
	.client_close = fuzz_uc_close,
};

static const iok_class_t fuzz_uc_class = {
	.name = "FuzzUserClient",
	.super = &iok_class_IOUserClient,
	.ivars_size = sizeof(struct fuzz_uc_ivars),
	.ops = &fuzz_uc_ops,
};

/* The service clients open (once per process). */
static iok_service_t *fuzz_service(void)
{
	static iok_service_t *s;

	if (s)
		return s;
	iok_runtime_set_entitlements("org.openiokit.fuzz.granted");
	if (iok_runtime_init() || iok_class_register(&fuzz_uc_class))
		abort();
	s = iok_service_create("IOService", NULL);
	if (!s || iok_service_set_name(s, "FuzzService") ||
	    iok_service_set_string(s, kIOUserClientClassKey, "FuzzUserClient") ||
	    iok_service_attach(s, iok_resources()) || iok_service_register(s))
		abort();
	return s;
}

/* Opens a user client for task and names it there; returns the name. */
static uint32_t fuzz_open(iok_task_t *task, iok_service_t **uc)
{
	uint32_t name;

	if (iok_user_client_open(task, fuzz_service(), 0, uc) != kIOReturnSuccess)
		abort();
	name = iok_task_name_object(task, iok_service_object(*uc));
	if (!name)
		abort();
	return name;
}

#endif /* FUZZ_UC_H */
