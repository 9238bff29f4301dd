// SPDX-License-Identifier: MIT
/*
 * controller - the getting-started guide's controller program for
 * TestDriver, written against Apple's IOKitLib and IODataQueueClient API
 * only, as on macOS:
 *
 *   phase 1  discovery   IOServiceGetMatchingServices(IOServiceMatching("TestDriver"))
 *   phase 2  open        IOServiceOpen(service, mach_task_self(), 0, &connect)
 *   phase 3  commands    IOConnectCallScalarMethod / IOConnectCallStructMethod
 *   phase 4  close       IOServiceClose(connect)
 *
 * and a receive thread that allocates a notification port, registers it
 * (IOConnectSetNotificationPort), maps the monitor queue
 * (IOConnectMapMemory64) and loops on IODataQueueWaitForAvailableData /
 * IODataQueueDataAvailable / IODataQueueDequeue, handing each TestMessage
 * to a callback that checks the sequence numbers.  Before the close, the
 * receive thread is told to stop (a flag, then an empty Mach message to its
 * port to wake it) and joined: it unmaps the queue itself, while the
 * connection is open, and never reads memory that dies with the
 * connection.
 *
 *   controller calculate X Y
 *   controller echo TEXT | echo --size N
 *   controller generate N
 *   controller stream [--duration SECONDS] [--interval US]
 *   controller stats
 *   controller all [N]          every phase, a burst of N messages (default
 *                               10000), a short timer stream, statistics
 *   -q / --quiet                no line per message
 *
 * Exits 0 only if every step succeeded and every event arrived in order.
 */
#include <IOKit/IOKitLib.h>
#include <IOKit/IODataQueueClient.h>
#include <mach/mach.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "TestDriverShared.h"

static bool quiet;
static struct receiver *receiving;   /* stopped and joined before IOServiceClose */

/* ---- the receive thread ------------------------------------------------- */

struct receiver;
static bool receiver_wait(struct receiver *r, uint64_t count);

struct receiver {
	io_connect_t connect;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t changed;
	bool ready;             /* port registered and queue mapped */
	bool stop;              /* asked to end (lock) */
	mach_port_t port;       /* its notification port, once ready */
	IOReturn setup_error;
	uint64_t received;
	uint64_t next_sequence; /* what the callback expects next */
	uint64_t out_of_order;
};

/* The guide's callback: one TestMessage. */
static void message_received(struct receiver *r, const TestMessage *m)
{
	pthread_mutex_lock(&r->lock);
	if (m->sequence != r->next_sequence)
		r->out_of_order++;
	r->next_sequence = m->sequence + 1;
	r->received++;
	pthread_cond_broadcast(&r->changed);
	pthread_mutex_unlock(&r->lock);
	if (!quiet)
		printf("    event %-6llu %-9s \"%s\"\n", (unsigned long long)m->sequence,
		       m->type == kTestMessageTimer ? "timer" : "generated", m->text);
}

static bool stopping(struct receiver *r)
{
	bool stop;

	pthread_mutex_lock(&r->lock);
	stop = r->stop;
	pthread_mutex_unlock(&r->lock);
	return stop;
}

static void set_ready(struct receiver *r, mach_port_t port, IOReturn error)
{
	pthread_mutex_lock(&r->lock);
	r->ready = true;
	r->port = port;
	r->setup_error = error;
	pthread_cond_broadcast(&r->changed);
	pthread_mutex_unlock(&r->lock);
}

static void *receive_main(void *arg)
{
	struct receiver *r = arg;
	mach_port_t port = IODataQueueAllocateNotificationPort();
	mach_vm_address_t address = 0;
	mach_vm_size_t size = 0;
	IODataQueueMemory *queue;
	IOReturn ret;

	if (port == MACH_PORT_NULL) {
		set_ready(r, MACH_PORT_NULL, kIOReturnNoResources);
		return NULL;
	}
	ret = IOConnectSetNotificationPort(r->connect, QUEUETYPE_MONITOR, port, 0);
	if (ret == kIOReturnSuccess)
		ret = IOConnectMapMemory64(r->connect, kIODefaultMemoryType, mach_task_self(),
					   &address, &size, kIOMapAnywhere);
	set_ready(r, ret == kIOReturnSuccess ? port : MACH_PORT_NULL, ret);
	if (ret != kIOReturnSuccess) {
		mach_port_destroy(mach_task_self(), port);
		return NULL;
	}
	queue = (IODataQueueMemory *)(uintptr_t)address;
	/* Ends when told to (receiver_stop), or if the connection goes away
	 * under it: the port is then never signalled again, and the wait says
	 * so. */
	while (!stopping(r) && IODataQueueWaitForAvailableData(queue, port) == kIOReturnSuccess) {
		while (!stopping(r) && IODataQueueDataAvailable(queue)) {
			TestMessage m;
			uint32_t msize = sizeof(m);

			if (IODataQueueDequeue(queue, &m, &msize) != kIOReturnSuccess)
				break;
			message_received(r, &m);
		}
	}
	IOConnectUnmapMemory64(r->connect, kIODefaultMemoryType, mach_task_self(), address);
	mach_port_destroy(mach_task_self(), port);
	return NULL;
}

static IOReturn receiver_start(struct receiver *r, io_connect_t connect)
{
	memset(r, 0, sizeof(*r));
	r->connect = connect;
	pthread_mutex_init(&r->lock, NULL);
	pthread_cond_init(&r->changed, NULL);
	if (pthread_create(&r->thread, NULL, receive_main, r))
		return kIOReturnNoResources;
	receiving = r;
	pthread_mutex_lock(&r->lock);
	while (!r->ready)
		pthread_cond_wait(&r->changed, &r->lock);
	pthread_mutex_unlock(&r->lock);
	return r->setup_error;
}

/* Ends the receive thread: the flag, then an empty message to its port
 * (as a Mac program wakes a thread waiting on a port), then the join. */
static void receiver_stop(struct receiver *r)
{
	mach_msg_header_t wake = {
		.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_MAKE_SEND, 0),
		.msgh_size = sizeof(wake),
	};

	pthread_mutex_lock(&r->lock);
	r->stop = true;
	wake.msgh_remote_port = r->port;
	pthread_mutex_unlock(&r->lock);
	if (wake.msgh_remote_port != MACH_PORT_NULL)
		mach_msg(&wake, MACH_SEND_MSG, sizeof(wake), 0, MACH_PORT_NULL,
			 MACH_MSG_TIMEOUT_NONE, MACH_PORT_NULL);
	pthread_join(r->thread, NULL);
}

/* Waits (up to 10 s) until count messages in all have arrived. */
static bool receiver_wait(struct receiver *r, uint64_t count)
{
	struct timespec deadline;
	bool done;

	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += 10;
	pthread_mutex_lock(&r->lock);
	while (r->received < count &&
	       pthread_cond_timedwait(&r->changed, &r->lock, &deadline) == 0)
		;
	done = r->received >= count;
	pthread_mutex_unlock(&r->lock);
	return done;
}

/* ---- commands ------------------------------------------------------------ */

static bool ok(const char *what, IOReturn ret)
{
	if (ret == kIOReturnSuccess)
		return true;
	fprintf(stderr, "controller: %s failed: 0x%08x (%s)\n", what, (unsigned)ret,
		mach_error_string(ret));
	return false;
}

static bool calculate(io_connect_t c, uint64_t x, uint64_t y)
{
	uint64_t in[2] = { x, y }, out[2] = { 0, 0 };
	uint32_t n = 2;

	if (!ok("performCalculation", IOConnectCallScalarMethod(c, kTestPerformCalculation, in, 2,
								out, &n)))
		return false;
	printf("  performCalculation(%llu, %llu) = sum %llu, product %llu\n",
	       (unsigned long long)x, (unsigned long long)y, (unsigned long long)out[0],
	       (unsigned long long)out[1]);
	return out[0] == x + y && out[1] == x * y;
}

static bool echo(io_connect_t c, const char *text, size_t size)
{
	char *in = malloc(size + 1), *out = malloc(size + 1);
	size_t osize = size;
	bool good;

	for (size_t i = 0; i < size; i++)
		if (text)
			in[i] = text[i];
		else
			in[i] = "abcdefghijklmnopqrstuvwxyz"[i % 26];
	good = ok("echoStruct", IOConnectCallStructMethod(c, kTestEchoStruct, in, size, out, &osize)) &&
	       osize == size && memcmp(in, out, size) == 0;
	if (good && text) {
		out[osize] = '\0';
		printf("  echoStruct(\"%s\") = \"%s\"\n", text, out);
	} else if (good) {
		printf("  echoStruct of %zu bytes (%s): the same bytes came back\n", size,
		       size > 4096 ? "out of line" : "inband");
	}
	free(in);
	free(out);
	return good;
}

static bool generate(io_connect_t c, uint64_t n, uint64_t *queued)
{
	uint32_t cnt = 1;

	if (!ok("generateMessages", IOConnectCallScalarMethod(c, kTestGenerateMessages, &n, 1, queued,
							      &cnt)))
		return false;
	printf("  generateMessages(%llu): %llu queued\n", (unsigned long long)n,
	       (unsigned long long)*queued);
	return true;
}

static bool statistics(io_connect_t c, uint64_t out[3])
{
	uint32_t n = 3;

	if (!ok("getStatistics", IOConnectCallScalarMethod(c, kTestGetStatistics, NULL, 0, out, &n)))
		return false;
	printf("  statistics: %llu calls served, %llu messages queued, %llu dropped (queue full)\n",
	       (unsigned long long)out[0], (unsigned long long)out[1], (unsigned long long)out[2]);
	return true;
}

static bool set_interval(io_connect_t c, uint64_t us)
{
	return ok("setEventInterval", IOConnectCallScalarMethod(c, kTestSetEventInterval, &us, 1,
								NULL, NULL));
}

/* Generates n messages in batches the queue can hold, waiting for each
 * batch to be received, so that none is dropped. */
static bool burst(io_connect_t c, struct receiver *r, uint64_t n)
{
	uint64_t base = r->received, sent = 0, queued;
	bool was_quiet = quiet;

	quiet = true;
	while (sent < n) {
		uint64_t batch = n - sent < kTestMonitorQueueEntries / 2 ? n - sent
									 : kTestMonitorQueueEntries / 2;
		uint32_t cnt = 1;

		if (IOConnectCallScalarMethod(c, kTestGenerateMessages, &batch, 1, &queued, &cnt) ||
		    queued != batch)
			break;
		sent += batch;
		if (!receiver_wait(r, base + sent))
			break;
	}
	quiet = was_quiet;
	printf("  burst: %llu messages generated, %llu received, %llu out of order\n",
	       (unsigned long long)sent, (unsigned long long)(r->received - base),
	       (unsigned long long)r->out_of_order);
	return sent == n && r->received == base + n && r->out_of_order == 0;
}

/* ---- the phases ----------------------------------------------------------- */

static io_service_t discover(void)
{
	io_iterator_t iter = IO_OBJECT_NULL;
	io_service_t service;
	io_name_t name;
	uint64_t id = 0;

	printf("phase 1: discovery\n");
	if (!ok("IOServiceGetMatchingServices",
		IOServiceGetMatchingServices(kIOMainPortDefault,
					     IOServiceMatching(kTestDriverClassName), &iter)))
		return IO_OBJECT_NULL;
	service = iter ? IOIteratorNext(iter) : IO_OBJECT_NULL;
	if (iter)
		IOObjectRelease(iter);
	if (!service) {
		fprintf(stderr, "controller: no %s service\n", kTestDriverClassName);
		return IO_OBJECT_NULL;
	}
	IORegistryEntryGetName(service, name);
	IORegistryEntryGetRegistryEntryID(service, &id);
	printf("  found %s, registry ID 0x%llx\n", name, (unsigned long long)id);
	return service;
}

static void usage(void)
{
	fprintf(stderr, "usage: controller [-q] calculate X Y | echo TEXT | echo --size N |\n"
			"                  generate N | stream [--duration S] [--interval US] |\n"
			"                  stats | all [N]\n");
}

static struct receiver r;

static bool run(io_connect_t c, int argc, char **argv)
{
	const char *cmd = argv[0];
	uint64_t stats[3] = { 0 }, queued = 0;
	bool good = true;

	if (!strcmp(cmd, "calculate") && argc == 3)
		return calculate(c, strtoull(argv[1], NULL, 0), strtoull(argv[2], NULL, 0));
	if (!strcmp(cmd, "echo") && argc == 3 && !strcmp(argv[1], "--size"))
		return echo(c, NULL, strtoull(argv[2], NULL, 0));
	if (!strcmp(cmd, "echo") && argc == 2)
		return echo(c, argv[1], strlen(argv[1]));
	if (!strcmp(cmd, "stats") && argc == 1)
		return statistics(c, stats);
	if (!strcmp(cmd, "generate") && argc == 2) {
		uint64_t n = strtoull(argv[1], NULL, 0);

		if (!ok("receive thread", receiver_start(&r, c)))
			return false;
		good = generate(c, n, &queued) && receiver_wait(&r, queued);
		printf("  received %llu events, %llu out of order\n",
		       (unsigned long long)r.received, (unsigned long long)r.out_of_order);
		return good && r.out_of_order == 0;
	}
	if (!strcmp(cmd, "stream")) {
		double seconds = 1;
		uint64_t us = 1000;

		for (int i = 1; i + 1 < argc; i += 2) {
			if (!strcmp(argv[i], "--duration"))
				seconds = strtod(argv[i + 1], NULL);
			else if (!strcmp(argv[i], "--interval"))
				us = strtoull(argv[i + 1], NULL, 0);
		}
		if (!ok("receive thread", receiver_start(&r, c)) || !set_interval(c, us))
			return false;
		printf("  streaming timer events every %llu us for %.1f s\n", (unsigned long long)us,
		       seconds);
		usleep((useconds_t)(seconds * 1e6));
		good = set_interval(c, 0) && statistics(c, stats) && receiver_wait(&r, stats[1]);
		printf("  received %llu events, %llu out of order\n",
		       (unsigned long long)r.received, (unsigned long long)r.out_of_order);
		return good && r.out_of_order == 0;
	}
	if (!strcmp(cmd, "all")) {
		uint64_t n = argc > 1 ? strtoull(argv[1], NULL, 0) : 10000;
		bool was_quiet = quiet;

		good = calculate(c, 6, 7) && calculate(c, UINT64_MAX, 2) &&
		       echo(c, "hello, driver", 13) && echo(c, NULL, 4096) &&
		       echo(c, NULL, 1 << 20);
		if (!good || !ok("receive thread", receiver_start(&r, c)))
			return false;
		quiet = true;
		good = generate(c, 5, &queued) && receiver_wait(&r, 5);
		quiet = was_quiet;
		good = good && burst(c, &r, n) && set_interval(c, 500);
		usleep(200000);
		good = good && set_interval(c, 0) && statistics(c, stats) &&
		       receiver_wait(&r, stats[1]);
		printf("  timer stream: %llu events in all, %llu out of order, %llu dropped\n",
		       (unsigned long long)r.received, (unsigned long long)r.out_of_order,
		       (unsigned long long)stats[2]);
		return good && r.out_of_order == 0 && stats[2] == 0 && r.received == stats[1];
	}
	usage();
	return false;
}

int main(int argc, char **argv)
{
	io_service_t service;
	io_connect_t connect = IO_OBJECT_NULL;
	bool good;
	int a = 1;

	if (a < argc && (!strcmp(argv[a], "-q") || !strcmp(argv[a], "--quiet"))) {
		quiet = true;
		a++;
	}
	if (a >= argc) {
		usage();
		return 2;
	}
	service = discover();
	if (!service)
		return 1;
	printf("phase 2: open\n");
	if (!ok("IOServiceOpen", IOServiceOpen(service, mach_task_self(), 0, &connect))) {
		IOObjectRelease(service);
		return 1;
	}
	printf("  connection 0x%x to %s\n", connect, kTestDriverClassName);
	printf("phase 3: commands\n");
	setvbuf(stdout, NULL, _IOLBF, 0);
	good = run(connect, argc - a, argv + a);
	printf("phase 4: close\n");
	/* The receive thread first: the queue's memory dies with the
	 * connection, and the thread must not be reading it then. */
	if (receiving) {
		receiver_stop(receiving);
		printf("  receive thread finished: %llu events\n",
		       (unsigned long long)receiving->received);
	}
	good = ok("IOServiceClose", IOServiceClose(connect)) && good;
	IOObjectRelease(service);
	printf("controller: %s\n", good ? "OK" : "FAILED");
	return good ? 0 : 1;
}
