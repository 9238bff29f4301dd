// SPDX-License-Identifier: MIT
/*
 * FaultDriver - a driver for the fault-injection, isolation and load
 * tests.  It keeps exact books of its user clients' lives in atomic
 * counters that any client reads with kFaultStats:
 *
 *   FaultService (IOUserClientClass FaultUserClient): echo, a slow echo
 *   (to kill a client in the middle of a call), a method that returns the
 *   error it is given, a port signal, shared memory; open types that make
 *   initWithTask slow or fail, or the user client's start fail.  Each
 *   user client must see exactly one of clientClose / clientDied before it
 *   is freed, and no call after it: anything else counts a violation.
 *   kFaultStats also reports the host's heap in use and its threads, so a
 *   test can see them come back after clients die.
 *
 *   FaultFailingService (IOProbeScore 100) and FaultFallbackService
 *   (score 0) share a match category: the first one's start fails, so
 *   matching must fall back to the second.
 */
#include <IOKit/IOKitKeys.h>
#include <IOKit/driver/iok_port.h>
#include <IOKit/driver/iok_service.h>
#include <IOKit/driver/iok_user_client.h>
#include <dirent.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "FaultShared.h"

/* The sanitizers' allocator statistics, when the host is built with one. */
extern size_t __sanitizer_get_current_allocated_bytes(void) __attribute__((weak));

static uint64_t opens, closes, died, violations, frees, failed_starts, calls;

static void count(uint64_t *c)
{
	__atomic_add_fetch(c, 1, __ATOMIC_SEQ_CST);
}

static uint64_t heap_bytes(void)
{
	struct mallinfo2 mi;

	if (__sanitizer_get_current_allocated_bytes)
		return __sanitizer_get_current_allocated_bytes();
	mi = mallinfo2();   /* every arena, and mmapped chunks */
	return (uint64_t)mi.uordblks + (uint64_t)mi.hblkhd;
}

static uint64_t thread_count(void)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	uint64_t n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

static void sleep_us(uint64_t us)
{
	struct timespec ts = { .tv_sec = (time_t)(us / 1000000),
			       .tv_nsec = (long)(us % 1000000) * 1000 };

	while (nanosleep(&ts, &ts))
		;
}

/* ---- the user client ------------------------------------------------------ */

struct fuc {
	uint32_t finished;   /* atomic: clientClose or clientDied ran */
	uint32_t type;       /* the open type, from initWithTask */
	bool started;
	iok_memory_t *shared;
	iok_port_t *port;
};

static struct fuc *fuc(iok_service_t *self)
{
	return iok_ivars(self);
}

/* Every method first checks that its client is still open. */
static void check_live(iok_service_t *self)
{
	count(&calls);
	if (__atomic_load_n(&fuc(self)->finished, __ATOMIC_SEQ_CST))
		count(&violations);
}

static IOReturn echo(IOExternalMethodArguments *a)
{
	size_t in = a->structureInputDescriptor ? iok_memory_length(a->structureInputDescriptor)
						: a->structureInputSize;
	const void *src = a->structureInputDescriptor ? iok_memory_bytes(a->structureInputDescriptor)
						      : a->structureInput;

	if (a->structureOutputDescriptor) {
		size_t cap = a->structureOutputDescriptorSize, n = in < cap ? in : cap;

		iok_memory_write(a->structureOutputDescriptor, 0, src, n);
		a->structureOutputDescriptorSize = (uint32_t)n;
	} else {
		size_t n = in < a->structureOutputSize ? in : a->structureOutputSize;

		if (n)
			memmove(a->structureOutput, src, n);
		a->structureOutputSize = (uint32_t)n;
	}
	return kIOReturnSuccess;
}

static IOReturn m_echo(iok_service_t *t, void *ref, IOExternalMethodArguments *a)
{
	check_live(t);
	return echo(a);
}

static IOReturn m_slow_echo(iok_service_t *t, void *ref, IOExternalMethodArguments *a)
{
	check_live(t);
	sleep_us(a->scalarInput[0] < 10000000 ? a->scalarInput[0] : 10000000);
	return echo(a);
}

static IOReturn m_crash(iok_service_t *t, void *ref, IOExternalMethodArguments *a)
{
	const char *ok = getenv("FAULT_DRIVER_MAY_CRASH");

	check_live(t);
	if (!ok || strcmp(ok, "1"))
		return kIOReturnNotPermitted;
	sleep_us(a->scalarInput[0] < 10000000 ? a->scalarInput[0] : 10000000);
	abort();
}

static IOReturn m_return(iok_service_t *t, void *ref, IOExternalMethodArguments *a)
{
	check_live(t);
	a->scalarOutput[0] = 0xfa17;   /* must not reach the caller on failure */
	return (IOReturn)a->scalarInput[0];
}

static IOReturn m_stats(iok_service_t *t, void *ref, IOExternalMethodArguments *a)
{
	uint64_t *o = a->scalarOutput;

	check_live(t);
	o[kFaultStatOpens] = __atomic_load_n(&opens, __ATOMIC_SEQ_CST);
	o[kFaultStatCloses] = __atomic_load_n(&closes, __ATOMIC_SEQ_CST);
	o[kFaultStatDied] = __atomic_load_n(&died, __ATOMIC_SEQ_CST);
	o[kFaultStatViolations] = __atomic_load_n(&violations, __ATOMIC_SEQ_CST);
	o[kFaultStatFrees] = __atomic_load_n(&frees, __ATOMIC_SEQ_CST);
	o[kFaultStatHeapBytes] = heap_bytes();
	o[kFaultStatThreads] = thread_count();
	o[kFaultStatFailedStarts] = __atomic_load_n(&failed_starts, __ATOMIC_SEQ_CST);
	o[kFaultStatCalls] = __atomic_load_n(&calls, __ATOMIC_SEQ_CST);
	return kIOReturnSuccess;
}

static IOReturn m_signal(iok_service_t *t, void *ref, IOExternalMethodArguments *a)
{
	struct fuc *u = fuc(t);

	check_live(t);
	if (!u->port)
		return kIOReturnNotReady;
	for (uint64_t i = 0; i < a->scalarInput[0] && i < 1000000; i++)
		(void)iok_port_send(u->port);
	return kIOReturnSuccess;
}

static IOReturn m_increment(iok_service_t *t, void *ref, IOExternalMethodArguments *a)
{
	check_live(t);
	a->scalarOutput[0] = a->scalarInput[0] + 1;
	return kIOReturnSuccess;
}

static const IOExternalMethodDispatch2022 methods[kFaultMethodCount] = {
	[kFaultEcho] = { m_echo, 0, kIOUCVariableStructureSize, 0, kIOUCVariableStructureSize,
			 false, NULL },
	[kFaultSlowEcho] = { m_slow_echo, 1, kIOUCVariableStructureSize, 0,
			     kIOUCVariableStructureSize, false, NULL },
	[kFaultReturn] = { m_return, 1, 0, 1, 0, false, NULL },
	[kFaultCrash] = { m_crash, 1, 0, 0, 0, false, NULL },
	[kFaultStats] = { m_stats, 0, 0, kFaultStatCount, 0, false, NULL },
	[kFaultSignal] = { m_signal, 1, 0, 0, 0, false, NULL },
	[kFaultIncrement] = { m_increment, 1, 0, 1, 0, false, NULL },
};

static IOReturn fuc_external_method(iok_service_t *self, uint32_t selector,
				    IOExternalMethodArguments *args,
				    const IOExternalMethodDispatch *dispatch, iok_service_t *target,
				    void *reference)
{
	return iok_dispatch_external_method(self, selector, args, methods, kFaultMethodCount, self,
					    NULL);
}

static bool fuc_init_with_task(iok_service_t *self, iok_task_t *task, void *security_id,
			       uint32_t type, iok_object_t *properties)
{
	fuc(self)->type = type;
	if (type == kFaultOpenSlow)
		sleep_us(FAULT_SLOW_OPEN_US);
	return type != kFaultOpenInitFails;
}

static bool fuc_start(iok_service_t *self, iok_service_t *provider)
{
	if (fuc(self)->type == kFaultOpenStartFails)
		return false;
	fuc(self)->started = true;
	count(&opens);
	return true;
}

static void finish(iok_service_t *self, uint64_t *counter)
{
	struct fuc *u = fuc(self);

	count(counter);
	if (__atomic_exchange_n(&u->finished, 1, __ATOMIC_SEQ_CST))
		count(&violations);
	iok_port_release(u->port);   /* a waiting client learns that it is over */
	u->port = NULL;
}

static IOReturn fuc_client_close(iok_service_t *self)
{
	finish(self, &closes);
	return kIOReturnSuccess;
}

static IOReturn fuc_client_died(iok_service_t *self)
{
	finish(self, &died);
	return kIOReturnSuccess;
}

static void fuc_free(iok_service_t *self)
{
	struct fuc *u = fuc(self);

	if (u->started) {
		count(&frees);
		if (!__atomic_load_n(&u->finished, __ATOMIC_SEQ_CST))
			count(&violations);
	}
	iok_memory_release(u->shared);
	iok_port_release(u->port);
}

static IOReturn fuc_client_memory_for_type(iok_service_t *self, uint32_t type, uint32_t *options,
					   iok_memory_t **memory)
{
	struct fuc *u = fuc(self);

	if (type != kFaultMemoryShared)
		return kIOReturnUnsupported;
	if (!u->shared) {
		uint8_t *p;

		u->shared = iok_memory_create(FAULT_MEMORY_SIZE);
		if (!u->shared)
			return kIOReturnNoMemory;
		p = iok_memory_bytes(u->shared);
		for (size_t i = 0; i < FAULT_MEMORY_SIZE; i++)
			p[i] = (uint8_t)i;
	}
	*memory = iok_memory_retain(u->shared);
	return kIOReturnSuccess;
}

static IOReturn fuc_register_port(iok_service_t *self, iok_port_t *port, uint32_t type,
				  uint64_t refcon)
{
	struct fuc *u = fuc(self);

	if (type != FAULT_PORT_TYPE)
		return kIOReturnBadArgument;
	iok_port_release(u->port);
	u->port = iok_port_retain(port);
	if (port)
		(void)iok_port_send(port);
	return kIOReturnSuccess;
}

static iok_service_t *fuc_get_service(iok_service_t *self)
{
	return iok_service_provider(self);
}

static const struct iok_class_ops fuc_ops = {
	.free = fuc_free,
	.init_with_task = fuc_init_with_task,
	.start = fuc_start,
	.client_close = fuc_client_close,
	.client_died = fuc_client_died,
	.external_method = fuc_external_method,
	.client_memory_for_type = fuc_client_memory_for_type,
	.register_notification_port = fuc_register_port,
	.get_service = fuc_get_service,
};

static const iok_class_t FaultUserClient = {
	.name = "FaultUserClient",
	.super = &iok_class_IOUserClient,
	.ivars_size = sizeof(struct fuc),
	.ops = &fuc_ops,
};

/* ---- the services ----------------------------------------------------------- */

static bool svc_start(iok_service_t *self, iok_service_t *provider)
{
	return iok_service_set_string(self, kIOUserClientClassKey, "FaultUserClient") == 0 &&
	       iok_service_register(self) == 0;
}

static const struct iok_class_ops svc_ops = { .start = svc_start };

static const iok_class_t FaultService = {
	.name = kFaultServiceClass,
	.super = &iok_class_IOService,
	.ops = &svc_ops,
};

static bool failing_start(iok_service_t *self, iok_service_t *provider)
{
	count(&failed_starts);
	return false;
}

static const struct iok_class_ops failing_ops = { .start = failing_start };

static const iok_class_t FaultFailingService = {
	.name = kFaultFailingServiceClass,
	.super = &iok_class_IOService,
	.ops = &failing_ops,
};

static bool fallback_start(iok_service_t *self, iok_service_t *provider)
{
	return iok_service_register(self) == 0;
}

static const struct iok_class_ops fallback_ops = { .start = fallback_start };

static const iok_class_t FaultFallbackService = {
	.name = kFaultFallbackServiceClass,
	.super = &iok_class_IOService,
	.ops = &fallback_ops,
};

static iok_object_t *personality(const char *cls, const char *category, uint32_t score)
{
	iok_object_t *p = iok_dict_create(6);

	if (!p || iok_dict_set_string(p, kIOClassKey, cls) ||
	    iok_dict_set_string(p, kIOProviderClassKey, kIOResourcesClass) ||
	    iok_dict_set_string(p, kIOResourceMatchKey, "IOKit") ||
	    iok_dict_set_string(p, kIOMatchCategoryKey, category) ||
	    iok_dict_set_number(p, kIOProbeScoreKey, score, 32)) {
		iok_release(p);
		return NULL;
	}
	return p;
}

static iok_object_t *fault_personalities(void)
{
	iok_object_t *list = iok_array_create(3);
	iok_object_t *p[3] = {
		personality(kFaultServiceClass, kFaultServiceClass, 0),
		personality(kFaultFailingServiceClass, "FaultStartCategory", 100),
		personality(kFaultFallbackServiceClass, "FaultStartCategory", 0),
	};

	for (int i = 0; i < 3; i++) {
		if (list && (!p[i] || iok_array_append(list, p[i]))) {
			iok_release(list);
			list = NULL;
		}
		iok_release(p[i]);
	}
	return list;
}

static const iok_class_t *const fault_classes[] = {
	&FaultService, &FaultUserClient, &FaultFailingService, &FaultFallbackService, NULL,
};

static const struct iok_driver fault_driver = {
	.abi_version = IOK_DRIVER_ABI_VERSION,
	.bundle_id = "org.openiokit.test.FaultDriver",
	.version = "1.0.0",
	.classes = fault_classes,
	.personalities = fault_personalities,
};

IOK_DRIVER(fault_driver)
