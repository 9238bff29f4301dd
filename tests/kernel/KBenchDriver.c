// SPDX-License-Identifier: MIT
/*
 * KBenchDriver - the in-kernel benchmark's driver (kbenchdriver.ko only).
 *
 * KBenchService's user client has a 1 MiB data queue (memory type 0,
 * notification type 7) and two methods:
 *   0 Increment: 1 scalar in, 1 out (the input plus one): a method call's
 *     round trip;
 *   1 Produce: 2 scalars in (count, size 16..1024): enqueues count
 *     messages in the calling thread, waiting while the queue is full, as
 *     bench_queue's producer does (message i holds i, i * 0x9E3779B97F4A7C15,
 *     then (i & 0xff) bytes).
 */
#include <IOKit/IOKitKeys.h>
#include <IOKit/driver/iok_data_queue.h>
#include <IOKit/driver/iok_service.h>
#include <IOKit/driver/iok_user_client.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <string.h>

#define KBENCH_QUEUE_TYPE 7
#define KBENCH_MAX_MESSAGE 1024

struct kbench_uc {
	iok_data_queue_t *queue;
	uint8_t msg[KBENCH_MAX_MESSAGE];
};

static void fill(uint8_t *m, uint64_t i, uint64_t size)
{
	uint64_t h = i * 0x9E3779B97F4A7C15ull;

	memcpy(m, &i, 8);
	memcpy(m + 8, &h, 8);
	memset(m + 16, (int)(i & 0xff), size - 16);
}

static IOReturn increment(iok_service_t *t, void *ref, IOExternalMethodArguments *a)
{
	a->scalarOutput[0] = a->scalarInput[0] + 1;
	return kIOReturnSuccess;
}

static IOReturn produce(iok_service_t *t, void *ref, IOExternalMethodArguments *a)
{
	struct kbench_uc *b = iok_ivars(t);
	uint64_t n = a->scalarInput[0], size = a->scalarInput[1];

	if (size < 16 || size > KBENCH_MAX_MESSAGE)
		return kIOReturnBadArgument;
	for (uint64_t i = 0; i < n; i++) {
		fill(b->msg, i, size);
		while (!iok_data_queue_enqueue(b->queue, b->msg, (uint32_t)size)) {
			if (fatal_signal_pending(current))
				return kIOReturnAborted;
			cond_resched();
			cpu_relax();
		}
	}
	return kIOReturnSuccess;
}

static const IOExternalMethodDispatch2022 methods[] = {
	{ increment, 1, 0, 1, 0, false, NULL },
	{ produce, 2, 0, 0, 0, false, NULL },
};

static IOReturn external_method(iok_service_t *self, uint32_t sel, IOExternalMethodArguments *args,
				const IOExternalMethodDispatch *d, iok_service_t *target, void *ref)
{
	return iok_dispatch_external_method(self, sel, args, methods, 2, self, NULL);
}

static bool uc_start(iok_service_t *self, iok_service_t *provider)
{
	struct kbench_uc *b = iok_ivars(self);

	b->queue = iok_data_queue_with_capacity(1 << 20);
	return b->queue != NULL;
}

static void uc_free(iok_service_t *self)
{
	struct kbench_uc *b = iok_ivars(self);

	iok_data_queue_release(b->queue);
}

static IOReturn client_close(iok_service_t *self)
{
	struct kbench_uc *b = iok_ivars(self);

	iok_data_queue_set_notification_port(b->queue, NULL);
	return kIOReturnSuccess;
}

static IOReturn memory_for_type(iok_service_t *self, uint32_t type, uint32_t *options,
				iok_memory_t **memory)
{
	struct kbench_uc *b = iok_ivars(self);

	if (type != 0)
		return kIOReturnBadArgument;
	*memory = iok_data_queue_memory(b->queue);
	return kIOReturnSuccess;
}

static IOReturn register_port(iok_service_t *self, iok_port_t *port, uint32_t type, uint64_t ref)
{
	struct kbench_uc *b = iok_ivars(self);

	if (type != KBENCH_QUEUE_TYPE)
		return kIOReturnBadArgument;
	iok_data_queue_set_notification_port(b->queue, port);
	return kIOReturnSuccess;
}

static const struct iok_class_ops uc_ops = {
	.free = uc_free,
	.start = uc_start,
	.external_method = external_method,
	.client_close = client_close,
	.client_died = client_close,
	.client_memory_for_type = memory_for_type,
	.register_notification_port = register_port,
};

static const iok_class_t KBenchUserClient = {
	.name = "KBenchUserClient",
	.super = &iok_class_IOUserClient,
	.ivars_size = sizeof(struct kbench_uc),
	.ops = &uc_ops,
};

static bool svc_start(iok_service_t *self, iok_service_t *provider)
{
	return iok_service_set_string(self, kIOUserClientClassKey, "KBenchUserClient") == 0 &&
	       iok_service_register(self) == 0;
}

static const struct iok_class_ops svc_ops = { .start = svc_start };

static const iok_class_t KBenchService = {
	.name = "KBenchService",
	.super = &iok_class_IOService,
	.ops = &svc_ops,
};

static iok_object_t *personalities(void)
{
	static const char *const names[] = { "KBenchService", NULL };

	return iok_resource_personalities(names);
}

static const iok_class_t *const classes[] = { &KBenchService, &KBenchUserClient, NULL };

static const struct iok_driver driver = {
	.abi_version = IOK_DRIVER_ABI_VERSION,
	.bundle_id = "org.openiokit.test.KBenchDriver",
	.version = "1.0.0",
	.classes = classes,
	.personalities = personalities,
};

IOK_DRIVER(driver)
