// SPDX-License-Identifier: MIT
/*
 * QueueBenchDriver - a producer for the data-queue benchmark.  A timer
 * action on the driver's work loop enqueues messages as fast as the queue
 * takes them (retrying while it is full), so the client consumes while
 * the driver produces, as a real device would.
 */
#include <IOKit/IOKitKeys.h>
#include <IOKit/driver/iok_data_queue.h>
#include <IOKit/driver/iok_service.h>
#include <IOKit/driver/iok_user_client.h>
#include <IOKit/driver/iok_work_loop.h>
#include <string.h>

#include "QueueBenchShared.h"

struct bench_uc {
	iok_work_loop_t *wl;
	iok_timer_t *timer;
	iok_data_queue_t *queue;
	iok_port_t *port;
	uint64_t count, size, produced;   /* produced: atomic */
	uint32_t stop;                     /* atomic */
	uint32_t running;                  /* atomic: a producer is under way */
	iok_timer_t *ping_timer;
	uint64_t pings_left, ping_us, ping_seq;   /* gate */
};

static void fill(uint8_t *m, uint64_t i, uint64_t size)
{
	uint64_t h = i * 0x9E3779B97F4A7C15ull;

	memcpy(m, &i, 8);
	memcpy(m + 8, &h, 8);
	memset(m + 16, (int)(i & 0xff), size - 16);
}

static void produce(void *owner, iok_timer_t *timer)
{
	struct bench_uc *b = owner;
	uint8_t msg[65536];

	for (uint64_t i = 0; i < b->count; i++) {
		fill(msg, i, b->size);
		while (!iok_data_queue_enqueue(b->queue, msg, (uint32_t)b->size))
			if (__atomic_load_n(&b->stop, __ATOMIC_RELAXED))
				return;
		__atomic_store_n(&b->produced, i + 1, __ATOMIC_RELEASE);
	}
	__atomic_store_n(&b->running, 0, __ATOMIC_RELEASE);
}

static IOReturn configure(iok_service_t *t, void *ref, IOExternalMethodArguments *a)
{
	struct bench_uc *b = iok_ivars(t);
	iok_data_queue_t *q;

	if (__atomic_load_n(&b->running, __ATOMIC_ACQUIRE))
		return kIOReturnBusy;
	q = iok_data_queue_with_capacity((uint32_t)a->scalarInput[0]);
	if (!q)
		return kIOReturnNoMemory;
	iok_data_queue_release(b->queue);
	b->queue = q;
	iok_data_queue_set_notification_port(q, b->port);
	return kIOReturnSuccess;
}

static IOReturn start(iok_service_t *t, void *ref, IOExternalMethodArguments *a)
{
	struct bench_uc *b = iok_ivars(t);

	if (!b->queue || a->scalarInput[1] < 16 || a->scalarInput[1] > 65536)
		return kIOReturnBadArgument;
	if (__atomic_exchange_n(&b->running, 1, __ATOMIC_ACQ_REL))
		return kIOReturnBusy;
	b->count = a->scalarInput[0];
	b->size = a->scalarInput[1];
	__atomic_store_n(&b->produced, 0, __ATOMIC_RELEASE);
	return iok_timer_set_timeout_us(b->timer, 0);
}

static IOReturn progress(iok_service_t *t, void *ref, IOExternalMethodArguments *a)
{
	struct bench_uc *b = iok_ivars(t);

	a->scalarOutput[0] = __atomic_load_n(&b->produced, __ATOMIC_ACQUIRE);
	return kIOReturnSuccess;
}

static void ping_fired(void *owner, iok_timer_t *timer)
{
	struct bench_uc *b = owner;
	uint8_t msg[64] = { 0 };
	uint64_t now = iok_clock_uptime_ns();

	memcpy(msg, &b->ping_seq, 8);
	memcpy(msg + 8, &now, 8);
	if (iok_data_queue_enqueue(b->queue, msg, sizeof(msg)))
		b->ping_seq++;
	if (--b->pings_left)
		iok_timer_set_timeout_us(timer, b->ping_us);
}

static IOReturn gated_ping(void *owner, void *arg0, void *arg1, void *arg2, void *arg3)
{
	struct bench_uc *b = owner;

	b->pings_left = *(const uint64_t *)arg0;
	b->ping_us = *(const uint64_t *)arg1;
	b->ping_seq = 0;
	return b->pings_left ? iok_timer_set_timeout_us(b->ping_timer, b->ping_us)
			     : kIOReturnSuccess;
}

static IOReturn ping(iok_service_t *t, void *ref, IOExternalMethodArguments *a)
{
	struct bench_uc *b = iok_ivars(t);

	if (!b->queue || __atomic_load_n(&b->running, __ATOMIC_ACQUIRE))
		return kIOReturnBusy;
	return iok_work_loop_run_action(b->wl, gated_ping, b, (void *)&a->scalarInput[0],
					(void *)&a->scalarInput[1], NULL, NULL);
}

static const IOExternalMethodDispatch2022 methods[kQueueBenchMethodCount] = {
	[kQueueBenchConfigure] = { configure, 3, 0, 0, 0, false, NULL },
	[kQueueBenchStart] = { start, 2, 0, 0, 0, false, NULL },
	[kQueueBenchProgress] = { progress, 0, 0, 1, 0, false, NULL },
	[kQueueBenchPing] = { ping, 2, 0, 0, 0, false, NULL },
};

static IOReturn external_method(iok_service_t *self, uint32_t sel, IOExternalMethodArguments *args,
				const IOExternalMethodDispatch *d, iok_service_t *target, void *ref)
{
	return iok_dispatch_external_method(self, sel, args, methods, kQueueBenchMethodCount, self,
					    NULL);
}

static bool uc_start(iok_service_t *self, iok_service_t *provider)
{
	struct bench_uc *b = iok_ivars(self);

	b->wl = iok_work_loop_create("QueueBench");
	b->timer = b->wl ? iok_timer_create(b->wl, produce, b) : NULL;
	b->ping_timer = b->wl ? iok_timer_create(b->wl, ping_fired, b) : NULL;
	b->queue = iok_data_queue_with_capacity(1 << 20);
	return b->timer && b->ping_timer && b->queue;
}

static IOReturn client_close(iok_service_t *self)
{
	struct bench_uc *b = iok_ivars(self);

	__atomic_store_n(&b->stop, 1, __ATOMIC_RELAXED);
	iok_timer_release(b->timer);
	b->timer = NULL;
	iok_timer_release(b->ping_timer);
	b->ping_timer = NULL;
	iok_work_loop_release(b->wl);
	b->wl = NULL;
	iok_data_queue_release(b->queue);
	b->queue = NULL;
	iok_port_release(b->port);
	b->port = NULL;
	return kIOReturnSuccess;
}

static IOReturn memory_for_type(iok_service_t *self, uint32_t type, uint32_t *options,
				iok_memory_t **memory)
{
	struct bench_uc *b = iok_ivars(self);

	*memory = b->queue ? iok_data_queue_memory(b->queue) : NULL;
	return *memory ? kIOReturnSuccess : kIOReturnNotReady;
}

static IOReturn register_port(iok_service_t *self, iok_port_t *port, uint32_t type, uint64_t ref)
{
	struct bench_uc *b = iok_ivars(self);

	if (type != QUEUEBENCH_TYPE)
		return kIOReturnBadArgument;
	iok_port_release(b->port);
	b->port = iok_port_retain(port);
	iok_data_queue_set_notification_port(b->queue, port);
	return kIOReturnSuccess;
}

static const struct iok_class_ops uc_ops = {
	.start = uc_start,
	.external_method = external_method,
	.client_close = client_close,
	.client_memory_for_type = memory_for_type,
	.register_notification_port = register_port,
};

static const iok_class_t QueueBenchUserClient = {
	.name = "QueueBenchUserClient",
	.super = &iok_class_IOUserClient,
	.ivars_size = sizeof(struct bench_uc),
	.ops = &uc_ops,
};

static bool svc_start(iok_service_t *self, iok_service_t *provider)
{
	return iok_service_set_string(self, kIOUserClientClassKey, "QueueBenchUserClient") == 0 &&
	       iok_service_register(self) == 0;
}

static const struct iok_class_ops svc_ops = { .start = svc_start };

static const iok_class_t QueueBenchService = {
	.name = "QueueBenchService",
	.super = &iok_class_IOService,
	.ops = &svc_ops,
};

static iok_object_t *personalities(void)
{
	static const char *const names[] = { "QueueBenchService", NULL };

	return iok_resource_personalities(names);
}

static const iok_class_t *const classes[] = { &QueueBenchService, &QueueBenchUserClient, NULL };

static const struct iok_driver driver = {
	.abi_version = IOK_DRIVER_ABI_VERSION,
	.bundle_id = "org.openiokit.test.QueueBenchDriver",
	.version = "1.0.0",
	.classes = classes,
	.personalities = personalities,
};

IOK_DRIVER(driver)
