// SPDX-License-Identifier: MIT
/*
 * TestDriver - the driver of the IOKit getting-started guide, on OpenIOKit.
 *
 * TestDriver attaches to IOResources.  Its custom newUserClient checks the
 * caller (when the TestRequirePrivilege property is true, only a caller
 * with the "root" privilege gets in) and creates a TestUserClient, which
 * dispatches commands through its sMethods table: performCalculation,
 * echoStruct, generateMessages, setEventInterval and getStatistics.  Each
 * user client owns a monitor queue (an IOSharedDataQueue of TestMessages)
 * that the client maps with IOConnectMapMemory64 and is woken for through
 * the port it registers with IOConnectSetNotificationPort; a timer on the
 * driver's work loop can feed the queue at an interval.  Everything that
 * touches a client's queue or timer runs inside the work loop's gate.
 *
 * The driver publishes TestActiveClients and TestTimersRunning so that
 * tests can see that closing or killing a client stops its timer.
 */
#include <IOKit/IOKitKeys.h>
#include <IOKit/IOMessage.h>
#include <IOKit/driver/iok_data_queue.h>
#include <IOKit/driver/iok_service.h>
#include <IOKit/driver/iok_user_client.h>
#include <IOKit/driver/iok_work_loop.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "TestDriverShared.h"

struct test_driver {
	iok_work_loop_t *work_loop;
	uint32_t active_clients;   /* gate */
	uint32_t timers_running;   /* gate */
};

struct test_user_client {
	iok_service_t *driver;     /* the provider */
	iok_data_queue_t *queue;   /* gate */
	iok_timer_t *timer;        /* gate */
	uint64_t interval_us;      /* gate */
	uint64_t next_sequence;    /* gate */
	uint64_t calls;            /* atomic */
	uint64_t queued;           /* gate */
	uint64_t dropped;          /* gate */
};

static struct test_driver *driver_of(iok_service_t *uc)
{
	struct test_user_client *c = iok_ivars(uc);

	return iok_ivars(c->driver);
}

static IOReturn gated_publish(void *owner, void *arg0, void *arg1, void *arg2, void *arg3)
{
	iok_service_t *driver = owner;
	struct test_driver *d = iok_ivars(driver);

	iok_service_set_number(driver, "TestActiveClients", d->active_clients, 32);
	iok_service_set_number(driver, "TestTimersRunning", d->timers_running, 32);
	return kIOReturnSuccess;
}

/* The counts are read and published inside the gate (which nests), so the
 * properties always end on the latest values. */
static void publish_counts(iok_service_t *driver)
{
	struct test_driver *d = iok_ivars(driver);

	iok_work_loop_run_action(d->work_loop, gated_publish, driver, NULL, NULL, NULL, NULL);
}

/* ---- the monitor queue (gate held) --------------------------------------- */

static void enqueue_message(struct test_user_client *c, uint32_t type, const char *what)
{
	TestMessage m;

	memset(&m, 0, sizeof(m));
	m.type = type;
	m.sequence = c->next_sequence;
	m.timestamp = iok_clock_uptime_ns();
	snprintf(m.text, sizeof(m.text), "%s %llu", what, (unsigned long long)m.sequence);
	if (c->queue && iok_data_queue_enqueue(c->queue, &m, sizeof(m))) {
		c->next_sequence++;
		c->queued++;
	} else {
		c->dropped++;
	}
}

static void timer_fired(void *owner, iok_timer_t *timer)
{
	struct test_user_client *c = owner;

	enqueue_message(c, kTestMessageTimer, "tick");
	if (c->interval_us)
		iok_timer_set_timeout_us(timer, c->interval_us);
}

/* ---- methods ------------------------------------------------------------- */

static IOReturn perform_calculation(iok_service_t *target, void *ref, IOExternalMethodArguments *a)
{
	a->scalarOutput[0] = a->scalarInput[0] + a->scalarInput[1];
	a->scalarOutput[1] = a->scalarInput[0] * a->scalarInput[1];
	return kIOReturnSuccess;
}

static IOReturn echo_struct(iok_service_t *target, void *ref, IOExternalMethodArguments *a)
{
	const void *in = a->structureInputDescriptor ? iok_memory_bytes(a->structureInputDescriptor)
						     : a->structureInput;
	size_t in_len = a->structureInputDescriptor ? iok_memory_length(a->structureInputDescriptor)
						    : a->structureInputSize;

	if (a->structureOutputDescriptor) {
		size_t n = in_len < a->structureOutputDescriptorSize ? in_len
								     : a->structureOutputDescriptorSize;

		iok_memory_write(a->structureOutputDescriptor, 0, in, n);
		a->structureOutputDescriptorSize = (uint32_t)n;
	} else {
		size_t n = in_len < a->structureOutputSize ? in_len : a->structureOutputSize;

		if (n)
			memcpy(a->structureOutput, in, n);
		a->structureOutputSize = (uint32_t)n;
	}
	return kIOReturnSuccess;
}

static IOReturn gated_generate(void *owner, void *arg0, void *arg1, void *arg2, void *arg3)
{
	struct test_user_client *c = owner;
	const uint64_t n = *(const uint64_t *)arg0;
	uint64_t before = c->queued;

	for (uint64_t i = 0; i < n; i++)
		enqueue_message(c, kTestMessageGenerated, "message");
	*(uint64_t *)arg1 = c->queued - before;
	return kIOReturnSuccess;
}

static IOReturn generate_messages(iok_service_t *target, void *ref, IOExternalMethodArguments *a)
{
	struct test_user_client *c = iok_ivars(target);

	return iok_work_loop_run_action(driver_of(target)->work_loop, gated_generate, c,
					(void *)&a->scalarInput[0], &a->scalarOutput[0], NULL,
					NULL);
}

static IOReturn gated_set_interval(void *owner, void *arg0, void *arg1, void *arg2, void *arg3)
{
	iok_service_t *uc = owner;
	struct test_user_client *c = iok_ivars(uc);
	struct test_driver *d = driver_of(uc);
	uint64_t us = *(const uint64_t *)arg0;

	if (us && !c->timer) {
		c->timer = iok_timer_create(d->work_loop, timer_fired, c);
		if (!c->timer)
			return kIOReturnNoMemory;
		d->timers_running++;
	}
	c->interval_us = us;
	if (us)
		return iok_timer_set_timeout_us(c->timer, us);
	if (c->timer) {
		iok_timer_release(c->timer);
		c->timer = NULL;
		d->timers_running--;
	}
	publish_counts(c->driver);
	return kIOReturnSuccess;
}

static IOReturn set_event_interval(iok_service_t *target, void *ref, IOExternalMethodArguments *a)
{
	IOReturn ret = iok_work_loop_run_action(driver_of(target)->work_loop, gated_set_interval,
						target, (void *)&a->scalarInput[0], NULL, NULL,
						NULL);
	struct test_user_client *c = iok_ivars(target);

	publish_counts(c->driver);
	return ret;
}

static IOReturn gated_statistics(void *owner, void *arg0, void *arg1, void *arg2, void *arg3)
{
	struct test_user_client *c = owner;
	uint64_t *out = arg0;

	out[0] = __atomic_load_n(&c->calls, __ATOMIC_RELAXED);
	out[1] = c->queued;
	out[2] = c->dropped;
	return kIOReturnSuccess;
}

static IOReturn get_statistics(iok_service_t *target, void *ref, IOExternalMethodArguments *a)
{
	return iok_work_loop_run_action(driver_of(target)->work_loop, gated_statistics,
					iok_ivars(target), a->scalarOutput, NULL, NULL, NULL);
}

/* The guide's sMethods: the runtime checks every count before a method
 * runs, so the methods never re-check. */
static const IOExternalMethodDispatch2022 sMethods[kTestMethodCount] = {
	[kTestPerformCalculation] = { perform_calculation, 2, 0, 2, 0, false, NULL },
	[kTestEchoStruct] = { echo_struct, 0, kIOUCVariableStructureSize, 0,
			      kIOUCVariableStructureSize, false, NULL },
	[kTestGenerateMessages] = { generate_messages, 1, 0, 1, 0, false, NULL },
	[kTestSetEventInterval] = { set_event_interval, 1, 0, 0, 0, false, NULL },
	[kTestGetStatistics] = { get_statistics, 0, 0, 3, 0, false, NULL },
};

/* ---- TestUserClient ----------------------------------------------------- */

static IOReturn uc_external_method(iok_service_t *self, uint32_t selector,
				   IOExternalMethodArguments *args,
				   const IOExternalMethodDispatch *dispatch, iok_service_t *target,
				   void *reference)
{
	struct test_user_client *c = iok_ivars(self);

	__atomic_add_fetch(&c->calls, 1, __ATOMIC_RELAXED);
	return iok_dispatch_external_method(self, selector, args, sMethods, kTestMethodCount,
					    self, NULL);
}

static IOReturn gated_open(void *owner, void *arg0, void *arg1, void *arg2, void *arg3)
{
	iok_service_t *uc = owner;
	struct test_user_client *c = iok_ivars(uc);

	c->queue = iok_data_queue_with_entries(kTestMonitorQueueEntries, sizeof(TestMessage));
	if (!c->queue)
		return kIOReturnNoMemory;
	driver_of(uc)->active_clients++;
	return kIOReturnSuccess;
}

static bool uc_start(iok_service_t *self, iok_service_t *provider)
{
	struct test_user_client *c = iok_ivars(self);
	IOReturn ret;

	c->driver = provider;
	ret = iok_work_loop_run_action(driver_of(self)->work_loop, gated_open, self, NULL, NULL,
				       NULL, NULL);
	publish_counts(provider);
	return ret == kIOReturnSuccess;
}

/* clientClose and clientDied: stop the timer, free the queue. */
static IOReturn gated_close(void *owner, void *arg0, void *arg1, void *arg2, void *arg3)
{
	iok_service_t *uc = owner;
	struct test_user_client *c = iok_ivars(uc);
	struct test_driver *d = driver_of(uc);

	if (c->timer) {
		iok_timer_release(c->timer);
		c->timer = NULL;
		d->timers_running--;
	}
	c->interval_us = 0;
	if (c->queue) {
		iok_data_queue_release(c->queue);
		c->queue = NULL;
		d->active_clients--;
	}
	return kIOReturnSuccess;
}

static IOReturn uc_client_close(iok_service_t *self)
{
	struct test_user_client *c = iok_ivars(self);

	iok_work_loop_run_action(driver_of(self)->work_loop, gated_close, self, NULL, NULL, NULL,
				 NULL);
	publish_counts(c->driver);
	return kIOReturnSuccess;
}

static IOReturn uc_client_died(iok_service_t *self)
{
	return uc_client_close(self);
}

/* The driver is going away (unloaded): the timer stream stops at once;
 * the queue stays mapped until the client closes. */
static IOReturn gated_stop_timer(void *owner, void *arg0, void *arg1, void *arg2, void *arg3)
{
	struct test_user_client *c = iok_ivars(owner);

	if (c->timer) {
		iok_timer_release(c->timer);
		c->timer = NULL;
		driver_of(owner)->timers_running--;
	}
	c->interval_us = 0;
	return kIOReturnSuccess;
}

static IOReturn uc_message(iok_service_t *self, uint32_t type, iok_service_t *provider,
			   void *argument)
{
	if (type != kIOMessageServiceIsTerminated)
		return kIOReturnUnsupported;
	return iok_work_loop_run_action(driver_of(self)->work_loop, gated_stop_timer, self, NULL,
					NULL, NULL, NULL);
}

static IOReturn gated_memory(void *owner, void *arg0, void *arg1, void *arg2, void *arg3)
{
	struct test_user_client *c = owner;
	iok_memory_t **memory = arg0;

	*memory = c->queue ? iok_data_queue_memory(c->queue) : NULL;
	return *memory ? kIOReturnSuccess : kIOReturnNotReady;
}

static IOReturn uc_client_memory_for_type(iok_service_t *self, uint32_t type, uint32_t *options,
					  iok_memory_t **memory)
{
	if (type != kTestMonitorQueueMemoryType)
		return kIOReturnUnsupported;
	return iok_work_loop_run_action(driver_of(self)->work_loop, gated_memory, iok_ivars(self),
					memory, NULL, NULL, NULL);
}

static IOReturn gated_port(void *owner, void *arg0, void *arg1, void *arg2, void *arg3)
{
	struct test_user_client *c = owner;

	if (!c->queue)
		return kIOReturnNotReady;
	iok_data_queue_set_notification_port(c->queue, arg0);
	return kIOReturnSuccess;
}

static IOReturn uc_register_notification_port(iok_service_t *self, iok_port_t *port,
					      uint32_t type, uint64_t refcon)
{
	if (type != QUEUETYPE_MONITOR)
		return kIOReturnBadArgument;
	return iok_work_loop_run_action(driver_of(self)->work_loop, gated_port, iok_ivars(self),
					port, NULL, NULL, NULL);
}

static iok_service_t *uc_get_service(iok_service_t *self)
{
	return ((struct test_user_client *)iok_ivars(self))->driver;
}

static const struct iok_class_ops test_user_client_ops = {
	.start = uc_start,
	.external_method = uc_external_method,
	.client_close = uc_client_close,
	.client_died = uc_client_died,
	.message = uc_message,
	.client_memory_for_type = uc_client_memory_for_type,
	.register_notification_port = uc_register_notification_port,
	.get_service = uc_get_service,
};

static const iok_class_t TestUserClient = {
	.name = kTestUserClientClassName,
	.super = &iok_class_IOUserClient,
	.ivars_size = sizeof(struct test_user_client),
	.ops = &test_user_client_ops,
};

/* ---- TestDriver ---------------------------------------------------------- */

/* The guide's newUserClient: check the caller, then create the client. */
static IOReturn driver_new_user_client(iok_service_t *self, iok_task_t *owning_task,
				       void *security_id, uint32_t type, iok_object_t *properties,
				       iok_service_t **handler)
{
	IOReturn ret;

	*handler = NULL;
	if (iok_service_get_bool(self, kTestRequirePrivilegeKey)) {
		ret = iok_client_has_privilege(security_id, kIOClientPrivilegeAdministrator);
		if (ret != kIOReturnSuccess)
			return ret;
	}
	return iok_user_client_create(self, kTestUserClientClassName, owning_task, security_id,
				      type, properties, handler);
}

static bool driver_start(iok_service_t *self, iok_service_t *provider)
{
	struct test_driver *d = iok_ivars(self);
	const char *env = getenv("IOKIT_TEST_REQUIRE_PRIVILEGE");

	d->work_loop = iok_work_loop_create("TestDriver");
	if (!d->work_loop)
		return false;
	if (iok_service_set_string(self, kIOUserClientClassKey, kTestUserClientClassName) ||
	    iok_service_set_bool(self, kTestRequirePrivilegeKey, env && env[0] == '1'))
		return false;
	publish_counts(self);
	return iok_service_register(self) == 0;
}

static void driver_free(iok_service_t *self)
{
	struct test_driver *d = iok_ivars(self);

	iok_work_loop_release(d->work_loop);
}

static const struct iok_class_ops test_driver_ops = {
	.free = driver_free,
	.start = driver_start,
	.new_user_client = driver_new_user_client,
};

static const iok_class_t TestDriver = {
	.name = kTestDriverClassName,
	.super = &iok_class_IOService,
	.ivars_size = sizeof(struct test_driver),
	.ops = &test_driver_ops,
};

static iok_object_t *test_personalities(void)
{
	static const char *const names[] = { kTestDriverClassName, NULL };

	return iok_resource_personalities(names);
}

static const iok_class_t *const test_classes[] = { &TestDriver, &TestUserClient, NULL };

static const struct iok_driver test_driver = {
	.abi_version = IOK_DRIVER_ABI_VERSION,
	.bundle_id = "org.openiokit.TestDriver",
	.version = "1.0.0",
	.classes = test_classes,
	.personalities = test_personalities,
};

IOK_DRIVER(test_driver)
