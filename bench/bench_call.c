// SPDX-License-Identifier: MIT
/*
 * bench_call - the method-call path next to the raw mechanisms beneath it,
 * measured in one run on the same machine:
 *
 *   raw: socketpair ping-pong (in a loop and after 2 ms idle), futex
 *        ping-pong and a spinning shared-memory ping-pong between two
 *        processes, one 1 MiB memcpy, and a 1 MiB echo through shared
 *        memory between two processes (copy in, copy across, copy out:
 *        the data path of an out-of-line call without IOKit);
 *   OpenIOKit: IOConnectCallScalarMethod (1 scalar in, 1 out) in a tight
 *        loop and after the host has been idle, a 4 KiB struct call and a
 *        1 MiB struct call (echo), against a private iokitd; and the same
 *        four against an iokitd --isolate (the driver in a process of its
 *        own: one more hop per call), measured in a child process first
 *        (a program talks to one host).
 *
 * Prints medians and 99th percentiles (µs), the ratios the targets are
 * stated in, and writes the same as JSON (--json PATH).
 *
 *   bench_call [--json PATH] [--quick]
 */
#include <IOKit/IOKitLib.h>
#include <linux/futex.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench_util.h"
#include "host_harness.h"
#include "UCTestShared.h"

static size_t scale = 1;

static long futex(uint32_t *addr, int op, uint32_t val)
{
	return syscall(SYS_futex, addr, op, val, NULL, NULL, 0);
}

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#endif
}

/* ---- raw mechanisms ------------------------------------------------------ */

static void raw_socketpair(struct bench_series *s, size_t n, unsigned idle_us)
{
	int sv[2];
	uint64_t v = 0;
	pid_t child;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv))
		exit(1);
	child = fork();
	if (child == 0) {
		close(sv[0]);
		while (read(sv[1], &v, sizeof(v)) == sizeof(v))
			if (write(sv[1], &v, sizeof(v)) != sizeof(v))
				break;
		_exit(0);
	}
	close(sv[1]);
	for (size_t i = 0; i < n + 100; i++) {
		uint64_t t0;

		if (idle_us)
			usleep(idle_us);
		t0 = bench_now_ns();
		if (write(sv[0], &v, sizeof(v)) != sizeof(v) || read(sv[0], &v, sizeof(v)) != sizeof(v))
			exit(1);
		if (i >= 100 || (idle_us && i >= 3))
			bench_series_add(s, (double)(bench_now_ns() - t0));
	}
	close(sv[0]);
	waitpid(child, NULL, 0);
}

struct pingpong {
	uint32_t ping;
	uint32_t pad[15];
	uint32_t pong;
};

/* Two processes handing a counter back and forth; futex or pure spin. */
static void raw_shared(struct bench_series *s, size_t n, bool use_futex)
{
	struct pingpong *pp = mmap(NULL, sizeof(*pp), PROT_READ | PROT_WRITE,
				   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	pid_t child;

	if (pp == MAP_FAILED)
		exit(1);
	memset(pp, 0, sizeof(*pp));
	child = fork();
	if (child == 0) {
		for (uint32_t want = 1; want <= n + 100; want++) {
			while (__atomic_load_n(&pp->ping, __ATOMIC_ACQUIRE) != want) {
				if (use_futex)
					futex(&pp->ping, FUTEX_WAIT, want - 1);
				else
					cpu_relax();
			}
			__atomic_store_n(&pp->pong, want, __ATOMIC_RELEASE);
			if (use_futex)
				futex(&pp->pong, FUTEX_WAKE, 1);
		}
		_exit(0);
	}
	for (uint32_t i = 1; i <= n + 100; i++) {
		uint64_t t0 = bench_now_ns();

		__atomic_store_n(&pp->ping, i, __ATOMIC_RELEASE);
		if (use_futex)
			futex(&pp->ping, FUTEX_WAKE, 1);
		while (__atomic_load_n(&pp->pong, __ATOMIC_ACQUIRE) != i) {
			if (use_futex)
				futex(&pp->pong, FUTEX_WAIT, i - 1);
			else
				cpu_relax();
		}
		if (i > 100)
			bench_series_add(s, (double)(bench_now_ns() - t0));
	}
	waitpid(child, NULL, 0);
	munmap(pp, sizeof(*pp));
}

static void raw_memcpy(struct bench_series *s, size_t n, size_t bytes)
{
	char *a = malloc(bytes), *b = malloc(bytes);

	memset(a, 1, bytes);
	memset(b, 2, bytes);
	for (size_t i = 0; i < n + 5; i++) {
		uint64_t t0 = bench_now_ns();

		memcpy(i & 1 ? a : b, i & 1 ? b : a, bytes);
		__asm__ __volatile__("" ::: "memory");
		if (i >= 5)
			bench_series_add(s, (double)(bench_now_ns() - t0));
	}
	free(a);
	free(b);
}

/* A 1 MiB echo through shared memory between two processes: the parent
 * copies its buffer in, the child copies it across, the parent copies the
 * result out; hand-offs by spinning. */
static void raw_shm_echo(struct bench_series *s, size_t n, size_t bytes)
{
	struct pingpong *pp = mmap(NULL, sizeof(*pp) + 2 * bytes, PROT_READ | PROT_WRITE,
				   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	char *shm = (char *)(pp + 1), *in = malloc(bytes), *out = malloc(bytes);
	pid_t child;

	if (pp == MAP_FAILED || !in || !out)
		exit(1);
	memset(pp, 0, sizeof(*pp) + 2 * bytes);
	memset(in, 7, bytes);
	child = fork();
	if (child == 0) {
		for (uint32_t want = 1; want <= n + 5; want++) {
			while (__atomic_load_n(&pp->ping, __ATOMIC_ACQUIRE) != want)
				cpu_relax();
			memcpy(shm + bytes, shm, bytes);
			__atomic_store_n(&pp->pong, want, __ATOMIC_RELEASE);
		}
		_exit(0);
	}
	for (uint32_t i = 1; i <= n + 5; i++) {
		uint64_t t0 = bench_now_ns();

		memcpy(shm, in, bytes);
		__atomic_store_n(&pp->ping, i, __ATOMIC_RELEASE);
		while (__atomic_load_n(&pp->pong, __ATOMIC_ACQUIRE) != i)
			cpu_relax();
		memcpy(out, shm + bytes, bytes);
		if (i > 5)
			bench_series_add(s, (double)(bench_now_ns() - t0));
	}
	waitpid(child, NULL, 0);
	munmap(pp, sizeof(*pp) + 2 * bytes);
	free(in);
	free(out);
}

/* ---- OpenIOKit calls -------------------------------------------------------- */

static void call_scalar(io_connect_t c, struct bench_series *s, size_t n, unsigned idle_us)
{
	for (size_t i = 0; i < n + 100; i++) {
		uint64_t in = i, out = 0;
		uint32_t cnt = 1;
		uint64_t t0;

		if (idle_us)
			usleep(idle_us);
		t0 = bench_now_ns();
		if (IOConnectCallScalarMethod(c, kUCTestIncrement, &in, 1, &out, &cnt) || out != i + 1)
			exit(2);
		if (i >= 100 || (idle_us && i >= 3))
			bench_series_add(s, (double)(bench_now_ns() - t0));
	}
}

static void call_struct(io_connect_t c, struct bench_series *s, size_t n, size_t bytes)
{
	char *in = malloc(bytes), *out = malloc(bytes);

	memset(in, 0x5a, bytes);
	for (size_t i = 0; i < n + 10; i++) {
		size_t osz = bytes;
		uint64_t t0 = bench_now_ns();

		if (IOConnectCallStructMethod(c, kUCTestEcho, in, bytes, out, &osz) || osz != bytes)
			exit(3);
		if (i >= 10)
			bench_series_add(s, (double)(bench_now_ns() - t0));
	}
	if (memcmp(in, out, bytes))
		exit(4);
	free(in);
	free(out);
}

/* The four OpenIOKit measurements against host's driver (UCTestService). */
static int measure_calls(struct bench_series *call, struct bench_series *idle,
			 struct bench_series *s4k, struct bench_series *s1m)
{
	io_service_t svc = IOServiceGetMatchingService(kIOMainPortDefault,
						       IOServiceMatching("UCTestService"));
	io_connect_t conn;

	if (!svc || IOServiceOpen(svc, mach_task_self(), 0, &conn))
		return -1;
	call_scalar(conn, call, call->cap, 0);
	call_scalar(conn, idle, idle->cap, 2000);
	call_struct(conn, s4k, s4k->cap, 4096);
	call_struct(conn, s1m, s1m->cap, 1 << 20);
	IOServiceClose(conn);
	IOObjectRelease(svc);
	return 0;
}

static void init_calls(struct bench_series *c, const char *const names[4])
{
	bench_series_init(&c[0], names[0], 200000 / scale);
	bench_series_init(&c[1], names[1], 300 / scale);
	bench_series_init(&c[2], names[2], 20000 / scale);
	bench_series_init(&c[3], names[3], 400 / scale);
}

/*
 * The calls against iokitd --isolate, in a child process with a host of
 * its own; medians and p99s come back through a pipe into iso[4] (names
 * and capacities set, no samples).  0 or -1.
 */
static int measure_isolated(const char *const *drivers, struct bench_series iso[4])
{
	static const char *const extra[] = { "--isolate", NULL };
	double r[8] = { 0 };
	int p[2], status = 0;
	pid_t pid;

	if (pipe(p))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		pid_t host = iok_test_host_start_ex(drivers, extra);
		int ok = host > 0 && measure_calls(&iso[0], &iso[1], &iso[2], &iso[3]) == 0;

		for (int i = 0; ok && i < 4; i++) {
			bench_series_finish(&iso[i]);
			r[2 * i] = iso[i].median;
			r[2 * i + 1] = iso[i].p99;
		}
		if (host > 0)
			iok_test_host_stop(host);
		_exit(ok && write(p[1], r, sizeof(r)) == (ssize_t)sizeof(r) ? 0 : 1);
	}
	close(p[1]);
	if (read(p[0], r, sizeof(r)) != (ssize_t)sizeof(r))
		r[0] = 0;
	close(p[0]);
	waitpid(pid, &status, 0);
	if (!r[0] || !WIFEXITED(status) || WEXITSTATUS(status))
		return -1;
	for (int i = 0; i < 4; i++) {
		iso[i].n = iso[i].cap;
		iso[i].median = r[2 * i];
		iso[i].p99 = r[2 * i + 1];
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const char *const drivers[] = { "UCTestDriver.so", NULL };
	const char *json = NULL;
	static const char *const iso_names[4] = {
		"IOConnectCallScalarMethod 1->1 (loop), --isolate",
		"IOConnectCallScalarMethod after 2 ms idle, --isolate",
		"IOConnectCallStructMethod 4 KiB echo, --isolate",
		"IOConnectCallStructMethod 1 MiB echo, --isolate",
	};
	struct bench_series sp, spi, fx, spin, mc, shm, call, idle, s4k, s1m, iso[4];
	pid_t host;
	FILE *f;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json") && i + 1 < argc)
			json = argv[++i];
		else if (!strcmp(argv[i], "--quick"))
			scale = 10;
	}
	init_calls(iso, iso_names);
	if (measure_isolated(drivers, iso)) {
		fprintf(stderr, "bench_call: the --isolate measurement failed\n");
		return 1;
	}
	host = iok_test_host_start(drivers);
	if (host < 0)
		return 1;

	bench_series_init(&sp, "raw socketpair round trip", 20000 / scale);
	bench_series_init(&spi, "raw socketpair round trip after 2 ms idle", 300 / scale);
	bench_series_init(&fx, "raw futex ping-pong", 20000 / scale);
	bench_series_init(&spin, "raw spinning shared-memory ping-pong", 200000 / scale);
	bench_series_init(&mc, "raw memcpy 1 MiB", 400 / scale);
	bench_series_init(&shm, "raw shared-memory 1 MiB echo, 2 processes", 400 / scale);
	{
		static const char *const names[4] = {
			"IOConnectCallScalarMethod 1->1 (loop)",
			"IOConnectCallScalarMethod after 2 ms idle",
			"IOConnectCallStructMethod 4 KiB echo",
			"IOConnectCallStructMethod 1 MiB echo",
		};
		struct bench_series c[4];

		init_calls(c, names);
		call = c[0];
		idle = c[1];
		s4k = c[2];
		s1m = c[3];
	}

	raw_socketpair(&sp, sp.cap, 0);
	raw_socketpair(&spi, spi.cap, 2000);
	raw_shared(&fx, fx.cap, true);
	raw_shared(&spin, spin.cap, false);
	raw_memcpy(&mc, mc.cap, 1 << 20);
	raw_shm_echo(&shm, shm.cap, 1 << 20);
	if (measure_calls(&call, &idle, &s4k, &s1m))
		return 1;

	struct bench_series *all[] = { &sp,  &spi, &fx,	 &spin,	 &mc,	  &shm,	   &call,
				       &idle, &s4k, &s1m, &iso[0], &iso[1], &iso[2], &iso[3] };
	const size_t n_all = sizeof(all) / sizeof(all[0]);

	for (size_t i = 0; i < n_all - 4; i++)   /* the isolated four came finished */
		bench_series_finish(all[i]);

	double r_loop = call.median / sp.median;
	double r_idle = idle.median / sp.median;
	double r_idle_fair = idle.median / spi.median;
	double budget_1m = call.median + 3 * mc.median;

	printf("\nbench_call: medians and 99th percentiles in microseconds\n");
	printf("  %-44s %12s %12s\n", "measurement", "median", "p99");
	for (size_t i = 0; i < n_all; i++)
		bench_print_row(all[i]);
	printf("\ntargets (ratios from this run):\n");
	printf("  (a) loop call / socketpair        = %5.3f  (target <= 0.20)  %s\n", r_loop,
	       r_loop <= 0.20 ? "met" : "MISSED");
	printf("  (a) idle call / socketpair        = %5.3f  (target <= 1.20)  %s\n", r_idle,
	       r_idle <= 1.20 ? "met" : "MISSED");
	printf("      idle call / idle socketpair   = %5.3f  (both after 2 ms idle)\n", r_idle_fair);
	printf("  (c) 1 MiB call / (small + 3 memcpy) = %5.3f  (target <= 1.00)  %s\n",
	       s1m.median / budget_1m, s1m.median <= budget_1m ? "met" : "MISSED");
	printf("      1 MiB call / raw 2-process 1 MiB echo = %5.3f  (same copies, no IOKit)\n",
	       s1m.median / shm.median);
	printf("  for reference: loop call / spinning ping-pong = %.2f, futex ping-pong / socketpair = %.2f\n",
	       call.median / spin.median, fx.median / sp.median);
	printf("  --isolate / default: loop call %.2f, idle call %.2f, 4 KiB %.2f, 1 MiB %.2f"
	       " (extra per loop call: %.2f us)\n",
	       iso[0].median / call.median, iso[1].median / idle.median,
	       iso[2].median / s4k.median, iso[3].median / s1m.median,
	       (iso[0].median - call.median) / 1000.0);

	if (json && (f = fopen(json, "w"))) {
		fprintf(f, "{\n  \"unit\": \"ns\",\n  \"series\": [\n");
		for (size_t i = 0; i < n_all; i++)
			fprintf(f, "    {\"name\": \"%s\", \"samples\": %zu, \"median\": %.1f, \"p99\": %.1f}%s\n",
				all[i]->name, all[i]->n, all[i]->median, all[i]->p99,
				i + 1 < n_all ? "," : "");
		fprintf(f, "  ],\n  \"ratios\": {\"loop_over_socketpair\": %.4f, "
			   "\"idle_over_socketpair\": %.4f, \"idle_over_idle_socketpair\": %.4f, "
			   "\"mib_over_budget\": %.4f, \"mib_over_raw_echo\": %.4f, "
			   "\"isolate_over_default_loop\": %.4f}\n}\n",
			r_loop, r_idle, r_idle_fair, s1m.median / budget_1m, s1m.median / shm.median,
			iso[0].median / call.median);
		fclose(f);
	}
	for (size_t i = 0; i < n_all; i++)
		bench_series_free(all[i]);
	iok_test_host_stop(host);
	return 0;
}
