// SPDX-License-Identifier: MIT
/*
 * bench_load - one host under load, in one run:
 *
 *   connections held: N raw wire clients (default 1,000), each its own
 *        task with a user client open, all answering a call while held;
 *        the host's memory, descriptors and threads per connection;
 *   calls/s: C client processes (default 64) x T threads (default 4)
 *        calling FaultDriver's increment through their call channels for
 *        S seconds, every answer checked; the host's memory per client;
 *   events/s: C client processes each draining a TestDriver queue that
 *        it feeds, for S seconds, every event checked (sequence, content).
 *
 * Prints a table and writes the same as JSON (--json PATH).
 *
 *   bench_load [--connections N] [--clients C] [--threads T] [--seconds S]
 *              [--json PATH]
 */
#include <IOKit/IOKitLib.h>
#include <IOKit/IODataQueueClient.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench_util.h"
#include "host_harness.h"
#include "raw_client.h"
#include "FaultShared.h"
#include "TestDriverShared.h"

#define FAULT_PATH "IOService:/IOResources/" kFaultServiceClass

static pid_t host;
static int clients = 64, threads = 4;
static double seconds = 5;

static void die(const char *what)
{
	fprintf(stderr, "bench_load: %s\n", what);
	if (host > 0)
		iok_test_host_stop(host);
	exit(1);
}

static io_connect_t open_class(const char *cls)
{
	io_service_t s = IOServiceGetMatchingService(kIOMainPortDefault, IOServiceMatching(cls));
	io_connect_t c = IO_OBJECT_NULL;

	if (s && IOServiceOpen(s, mach_task_self(), 0, &c))
		c = IO_OBJECT_NULL;
	IOObjectRelease(s);
	return c;
}

/* ---- connections held ------------------------------------------------------ */

struct held {
	int n;
	double open_s;
	long rss_kib_per;
	double fds_per, threads_per;
};

static struct held connections(int n)
{
	int *fd = calloc((size_t)n, sizeof(*fd));
	uint32_t *conn = calloc((size_t)n, sizeof(*conn));
	int fds0, threads0, ok = 0;
	long rss0;
	uint64_t t0;
	struct held h = { 0 };

	if (!fd || !conn)
		die("no memory");
	/* Warm the host's allocator and thread cache with one connection. */
	{
		uint32_t c;
		int f = raw_connect_open(FAULT_PATH, kFaultOpenNormal, &c);

		if (f < 0)
			die("cannot connect");
		close(f);
		usleep(200000);
	}
	fds0 = iok_test_fd_count(host);
	threads0 = iok_test_thread_count(host);
	rss0 = iok_test_rss_kib(host);
	t0 = bench_now_ns();
	for (int i = 0; i < n; i++)
		if ((fd[i] = raw_connect_open(FAULT_PATH, kFaultOpenNormal, &conn[i])) < 0)
			die("a connection failed (descriptor limit?)");
	h.open_s = (double)(bench_now_ns() - t0) / 1e9;
	for (int i = 0; i < n; i++) {
		uint64_t in = (uint64_t)i, out = 0;
		uint32_t k = 1;

		ok += raw_call(fd[i], conn[i], kFaultIncrement, &in, 1, &out, &k, NULL, 0, NULL,
			       NULL) == 0 && out == in + 1;
	}
	if (ok != n)
		die("a held connection did not answer");
	h.n = n;
	h.rss_kib_per = (iok_test_rss_kib(host) - rss0) / n;
	h.fds_per = (double)(iok_test_fd_count(host) - fds0) / n;
	h.threads_per = (double)(iok_test_thread_count(host) - threads0) / n;
	for (int i = 0; i < n; i++)
		close(fd[i]);
	free(fd);
	free(conn);
	return h;
}

/* ---- calls/s ------------------------------------------------------------------ */

struct caller {
	io_connect_t conn;
	uint64_t id, calls, errors, until_ns;
};

static void *caller_main(void *arg)
{
	struct caller *c = arg;

	while (bench_now_ns() < c->until_ns) {
		for (int i = 0; i < 256; i++) {
			uint64_t x = c->id << 40 | c->calls, y = 0;
			uint32_t n = 1;

			if (IOConnectCallScalarMethod(c->conn, kFaultIncrement, &x, 1, &y, &n) ||
			    y != x + 1)
				c->errors++;
			c->calls++;
		}
	}
	return NULL;
}

/* A child: waits for go, calls for `seconds`, writes {calls, errors}. */
static int call_client(int id, int ready_w, int go_r, int res_w)
{
	io_connect_t c = open_class(kFaultServiceClass);
	struct caller w[64];
	pthread_t th[64];
	uint64_t out[2] = { 0, 0 };
	char go;

	if (!c)
		return 2;
	for (int i = 0; i < threads; i++) {   /* the process's connection and first channel */
		uint64_t x = 1, y;
		uint32_t n = 1;

		w[i] = (struct caller){ .conn = c, .id = (uint64_t)(id * threads + i) };
		if (i == 0 && IOConnectCallScalarMethod(c, kFaultIncrement, &x, 1, &y, &n))
			return 3;
	}
	if (write(ready_w, "r", 1) != 1 || read(go_r, &go, 1) != 1)
		return 4;
	for (int i = 0; i < threads; i++) {
		w[i].until_ns = bench_now_ns() + (uint64_t)(seconds * 1e9);
		pthread_create(&th[i], NULL, caller_main, &w[i]);
	}
	for (int i = 0; i < threads; i++) {
		pthread_join(th[i], NULL);
		out[0] += w[i].calls;
		out[1] += w[i].errors;
	}
	IOServiceClose(c);
	return write(res_w, out, sizeof(out)) == sizeof(out) ? 0 : 5;
}

/* ---- events/s ----------------------------------------------------------------- */

struct stream {
	IODataQueueMemory *q;
	mach_port_t port;
	uint64_t received, bad;
	int stop;
};

static void *receive_main(void *arg)
{
	struct stream *st = arg;

	while (!__atomic_load_n(&st->stop, __ATOMIC_ACQUIRE) &&
	       IODataQueueWaitForAvailableData(st->q, st->port) == kIOReturnSuccess) {
		TestMessage m;
		uint32_t n = sizeof(m);

		while (IODataQueueDequeue(st->q, &m, &n) == kIOReturnSuccess) {
			if (n != sizeof(m) || m.sequence != st->received || m.text[39])
				st->bad++;
			__atomic_add_fetch(&st->received, 1, __ATOMIC_RELEASE);
			n = sizeof(m);
		}
	}
	return NULL;
}

/* A child: feeds and drains its queue for `seconds`; writes {events
 * received, bad + lost}. */
static int event_client(int ready_w, int go_r, int res_w)
{
	struct stream st = { 0 };
	io_connect_t c = open_class(kTestDriverClassName);
	mach_vm_address_t addr = 0;
	mach_vm_size_t size = 0;
	uint64_t until, s[3], out[2];
	uint32_t n = 3;
	pthread_t th;
	char go;

	st.port = IODataQueueAllocateNotificationPort();
	if (!c || !st.port || IOConnectSetNotificationPort(c, QUEUETYPE_MONITOR, st.port, 0) ||
	    IOConnectMapMemory64(c, kIODefaultMemoryType, mach_task_self(), &addr, &size,
				 kIOMapAnywhere))
		return 2;
	st.q = (IODataQueueMemory *)(uintptr_t)addr;
	if (write(ready_w, "r", 1) != 1 || read(go_r, &go, 1) != 1)
		return 4;
	pthread_create(&th, NULL, receive_main, &st);
	until = bench_now_ns() + (uint64_t)(seconds * 1e9);
	while (bench_now_ns() < until) {
		uint64_t batch = 512, queued = 0;
		uint32_t k = 1;

		if (IOConnectCallScalarMethod(c, kTestGenerateMessages, &batch, 1, &queued, &k))
			return 5;
		if (queued < batch)   /* the queue is full: let the reader run */
			sched_yield();
	}
	if (IOConnectCallScalarMethod(c, kTestGetStatistics, NULL, 0, s, &n))
		return 6;
	for (int i = 0; i < 2000 && __atomic_load_n(&st.received, __ATOMIC_ACQUIRE) != s[1]; i++)
		usleep(1000);
	__atomic_store_n(&st.stop, 1, __ATOMIC_RELEASE);
	IOServiceClose(c);
	pthread_join(th, NULL);
	out[0] = st.received;
	out[1] = st.bad + (s[1] - st.received);
	return write(res_w, out, sizeof(out)) == sizeof(out) ? 0 : 7;
}

/* Runs `clients` children of kind (0 calls, 1 events); sums their two
 * numbers; *rss_kib: the host's RSS while they were all connected. */
static void run_clients(int kind, uint64_t sum[2], long *rss_kib)
{
	int ready[2], go[2], res[2];
	pid_t *pid = calloc((size_t)clients, sizeof(*pid));
	char c;

	if (!pid || pipe(ready) || pipe(go) || pipe(res))
		die("pipe");
	for (int i = 0; i < clients; i++) {
		pid[i] = fork();
		if (pid[i] < 0)
			die("fork");
		if (pid[i] == 0) {
			close(ready[0]);
			close(go[1]);
			close(res[0]);
			_exit(kind == 0 ? call_client(i, ready[1], go[0], res[1])
					: event_client(ready[1], go[0], res[1]));
		}
	}
	close(ready[1]);
	close(go[0]);
	close(res[1]);
	for (int i = 0; i < clients; i++)
		if (read(ready[0], &c, 1) != 1)
			die("a client failed to start");
	*rss_kib = iok_test_rss_kib(host);
	for (int i = 0; i < clients; i++)
		if (write(go[1], "g", 1) != 1)
			die("go");
	for (int i = 0; i < clients; i++) {
		int status;

		waitpid(pid[i], &status, 0);
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			die("a client failed a check");
	}
	sum[0] = sum[1] = 0;
	for (;;) {
		uint64_t r[2];

		if (read(res[0], r, sizeof(r)) != sizeof(r))
			break;
		sum[0] += r[0];
		sum[1] += r[1];
	}
	close(ready[0]);
	close(go[1]);
	close(res[0]);
	free(pid);
}

int main(int argc, char **argv)
{
	static const char *const drivers[] = { "FaultDriver.so", "TestDriver.so", NULL };
	const char *json = NULL;
	int n = 1000;
	struct held h;
	uint64_t calls[2], events[2];
	long rss0, rss_calls, rss_events;
	FILE *f;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--connections") && i + 1 < argc)
			n = (int)strtol(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--clients") && i + 1 < argc)
			clients = (int)strtol(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--threads") && i + 1 < argc)
			threads = (int)strtol(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--seconds") && i + 1 < argc)
			seconds = strtod(argv[++i], NULL);
		else if (!strcmp(argv[i], "--json") && i + 1 < argc)
			json = argv[++i];
		else {
			fprintf(stderr, "usage: bench_load [--connections N] [--clients C] "
					"[--threads T] [--seconds S] [--json PATH]\n");
			return 2;
		}
	}
	if (n < 1 || clients < 1 || threads < 1 || threads > 64 || seconds <= 0)
		die("bad arguments");
	iok_test_raise_fd_limit();
	host = iok_test_host_start(drivers);
	if (host <= 0)
		die("cannot start iokitd");
	h = connections(n);
	usleep(300000);
	rss0 = iok_test_rss_kib(host);
	run_clients(0, calls, &rss_calls);
	if (calls[1])
		die("wrong answers");
	run_clients(1, events, &rss_events);
	if (events[1])
		die("events lost or wrong");
	if (iok_test_host_stop(host))
		die("the host did not exit cleanly");
	host = 0;

	printf("bench_load: one iokitd (FaultDriver, TestDriver), %ld CPUs\n\n",
	       sysconf(_SC_NPROCESSORS_ONLN));
	printf("  %-58s %14s\n", "measure", "value");
	printf("  %-58s %14d\n", "connections held at once (each with a user client open)", h.n);
	printf("  %-58s %14.2f\n", "  time to connect + open them all, s", h.open_s);
	printf("  %-58s %14ld\n", "  host RSS per held connection, KiB", h.rss_kib_per);
	printf("  %-58s %14.2f\n", "  host descriptors per held connection", h.fds_per);
	printf("  %-58s %14.2f\n", "  host threads per held connection", h.threads_per);
	printf("  %-58s %14.0f\n", "calls/s, every answer checked", (double)calls[0] / seconds);
	{
		char cxt[32];

		snprintf(cxt, sizeof(cxt), "%d x %d", clients, threads);
		printf("  %-58s %14s\n", "  client processes x threads", cxt);
	}
	printf("  %-58s %14ld\n", "  host RSS per client process (a client, one channel), KiB",
	       (rss_calls - rss0) / clients);
	printf("  %-58s %14.0f\n", "events/s received, every event checked",
	       (double)events[0] / seconds);
	printf("  %-58s %14d\n", "  client processes, each with its own queue", clients);
	if (json && (f = fopen(json, "w"))) {
		fprintf(f, "{\"connections\": %d, \"connect_open_s\": %.3f, "
			   "\"rss_kib_per_connection\": %ld, \"fds_per_connection\": %.2f, "
			   "\"threads_per_connection\": %.2f, \"calls_per_s\": %.0f, "
			   "\"clients\": %d, \"threads\": %d, \"rss_kib_per_client\": %ld, "
			   "\"events_per_s\": %.0f, \"seconds\": %.1f}\n",
			h.n, h.open_s, h.rss_kib_per, h.fds_per, h.threads_per,
			(double)calls[0] / seconds, clients, threads, (rss_calls - rss0) / clients,
			(double)events[0] / seconds, seconds);
		fclose(f);
	}
	(void)rss_events;
	return 0;
}
