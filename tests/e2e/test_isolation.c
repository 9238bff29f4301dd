// SPDX-License-Identifier: MIT
/*
 * test_isolation.c - isolation and privilege:
 *
 *   object names are per client: a client that tries every name of the
 *   first 64 slots (all generations) reaches nothing of another's, with
 *   any op (get class, call, map, set port, unmap, close, release); a
 *   name value another client holds means, at most, the caller's own
 *   object; a forked child inherits none of its parent's names;
 *   the socket is created owner-only (0600) and owned by the host's user;
 *   a second host refuses to take over a live host's socket;
 *   a host run as an unprivileged user serves the sample drivers, and a
 *   driver that requires privilege refuses non-root callers.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <IOKit/IOKitLib.h>
#include <IOKit/IODataQueueClient.h>
#include <mach/mach.h>
#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "host_harness.h"
#include "raw_client.h"
#include "FaultShared.h"
#include "TestDriverShared.h"

#define FAULT_PATH "IOService:/IOResources/" kFaultServiceClass
#define NOBODY 65534

static pid_t host;

static int setup(void **state)
{
	static const char *const drivers[] = { "FaultDriver.so", "SampleDriver.so",
					       "TestDriver.so", NULL };

	host = iok_test_host_start(drivers);
	return host > 0 ? 0 : -1;
}

static int teardown(void **state)
{
	return iok_test_host_stop(host);
}

static int op_on(int fd, uint16_t op, uint32_t name)
{
	struct iok_wire_msg m = { .hdr = { .op = op }, .obj = name, .type = kFaultMemoryShared };

	return raw_rpc(fd, &m, NULL, NULL, 0, -1, NULL, NULL);
}

static uint64_t entry_id(int fd, uint32_t name, int *ret)
{
	struct iok_wire_msg m = { .hdr = { .op = IOK_OP_ENTRY_GET_ID }, .obj = name };
	struct iok_wire_msg *rep = malloc(IOK_WIRE_MAX_MSG);
	uint64_t id;

	*ret = raw_rpc(fd, &m, NULL, NULL, 0, -1, rep, NULL);
	id = rep->value;
	free(rep);
	return id;
}

static uint64_t stat_of(int fd, uint32_t conn, int which)
{
	uint64_t s[kFaultStatCount];
	uint32_t n = kFaultStatCount;

	assert_int_equal(raw_call(fd, conn, kFaultStats, NULL, 0, s, &n, NULL, 0, NULL, NULL), 0);
	return s[which];
}

/* B, holding no names, tries every name of the first 64 slots. */
static void test_names_are_per_client(void **state)
{
	uint32_t conn_a, conn_b;
	int a = raw_connect_open(FAULT_PATH, kFaultOpenNormal, &conn_a);
	int b = raw_connect(), ret;
	static const uint16_t ops[] = { IOK_OP_OBJECT_GET_CLASS, IOK_OP_SERVICE_CLOSE,
					IOK_OP_CONNECT_MAP, IOK_OP_CONNECT_UNMAP,
					IOK_OP_CONNECT_SET_PORT, IOK_OP_OBJECT_RELEASE,
					IOK_OP_OBJECT_RETAIN, IOK_OP_ENTRY_GET_ID };
	uint64_t closes0, id_a, id_b;
	int slots = iok_test_rounds(64);

	assert_true(a >= 0 && b >= 0);
	assert_int_equal(raw_hello(b), 0);
	closes0 = stat_of(a, conn_a, kFaultStatCloses);
	for (uint32_t index = 0; index < (uint32_t)slots; index++) {
		for (uint32_t gen = 3; gen < 256; gen += 4) {
			uint32_t name = (index + 1) << 8 | gen;
			uint64_t in = 1, out;
			uint32_t n = 1;

			/* Release and retain fail as mach_port_mod_refs does. */
			for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
				assert_int_equal(op_on(b, ops[i], name),
						 ops[i] == IOK_OP_OBJECT_RELEASE ||
								 ops[i] == IOK_OP_OBJECT_RETAIN
							 ? KERN_INVALID_NAME
							 : MACH_SEND_INVALID_DEST);
			assert_int_equal(raw_call(b, name, kFaultIncrement, &in, 1, &out, &n, NULL,
						  0, NULL, NULL), MACH_SEND_INVALID_DEST);
		}
	}
	/* A's client was not touched, and still answers A. */
	assert_int_equal(stat_of(a, conn_a, kFaultStatCloses), closes0);
	/* Now B has objects of its own: A's name value, in B, is at most one
	 * of B's (a different registry entry), never A's client. */
	{
		uint32_t svc;

		assert_int_equal(raw_lookup(b, FAULT_PATH, &svc), 0);
		assert_int_equal(raw_open(b, svc, kFaultOpenNormal, &conn_b), 0);
	}
	id_a = entry_id(a, conn_a, &ret);
	assert_int_equal(ret, 0);
	id_b = entry_id(b, conn_a, &ret);
	assert_true(ret == MACH_SEND_INVALID_DEST || (ret == 0 && id_b != id_a));
	/* Closing that value in B closes B's own client, if it names it. */
	ret = op_on(b, IOK_OP_SERVICE_CLOSE, conn_a);
	if (conn_a == conn_b)
		assert_int_equal(ret, 0);
	else
		assert_true(ret == MACH_SEND_INVALID_DEST || ret == kIOReturnBadArgument);
	{
		uint64_t in = 5, out = 0;
		uint32_t n = 1;

		assert_int_equal(raw_call(a, conn_a, kFaultIncrement, &in, 1, &out, &n, NULL, 0,
					  NULL, NULL), 0);
		assert_true(out == 6);
	}
	assert_int_equal(stat_of(a, conn_a, kFaultStatCloses), closes0 + (conn_a == conn_b));
	close(b);
	close(a);
}

/* A forked child has a task of its own: the parent's names mean nothing
 * there. */
static void test_child_inherits_no_names(void **state)
{
	io_service_t s = IOServiceGetMatchingService(kIOMainPortDefault,
						     IOServiceMatching(kFaultServiceClass));
	io_connect_t c = IO_OBJECT_NULL;
	int status;
	pid_t pid;

	assert_int_not_equal(s, IO_OBJECT_NULL);
	assert_int_equal(IOServiceOpen(s, mach_task_self(), 0, &c), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		uint64_t in = 1, out;
		uint32_t n = 1;
		mach_vm_address_t addr = 0;
		mach_vm_size_t size = 0;

		if (IOConnectCallScalarMethod(c, kFaultIncrement, &in, 1, &out, &n) !=
		    MACH_SEND_INVALID_DEST)
			_exit(1);
		if (IOConnectMapMemory64(c, kFaultMemoryShared, mach_task_self(), &addr, &size,
					 kIOMapAnywhere) != MACH_SEND_INVALID_DEST)
			_exit(2);
		if (IOServiceClose(c) != MACH_SEND_INVALID_DEST)
			_exit(3);
		if (IOObjectRelease(s) != KERN_INVALID_NAME)
			_exit(4);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		print_error("child: status 0x%x\n", status);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	{
		uint64_t in = 1, out = 0;
		uint32_t n = 1;

		assert_int_equal(IOConnectCallScalarMethod(c, kFaultIncrement, &in, 1, &out, &n), 0);
		assert_true(out == 2);
	}
	IOServiceClose(c);
	IOObjectRelease(s);
}

/* ---- the socket -------------------------------------------------------------- */

static void test_socket_owner_only(void **state)
{
	struct stat st;
	int status;
	pid_t pid;

	assert_int_equal(stat(iok_test_host_socket(), &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(st.st_uid, getuid());
	if (getuid() != 0)
		return;   /* as root: another user cannot connect */
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int fd;

		if (setgroups(0, NULL) || setgid(NOBODY) || setuid(NOBODY))
			_exit(3);
		fd = raw_connect();
		_exit(fd < 0 && errno == EACCES ? 0 : 1);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* A second host on a live host's socket refuses to start, and the first
 * keeps serving. */
static void test_socket_not_taken_over(void **state)
{
	int status, fd;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		execl(IOKITD_PATH, IOKITD_PATH, "--no-default-drivers", "--socket",
		      iok_test_host_socket(), (char *)NULL);
		_exit(127);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) != 0 && WEXITSTATUS(status) != 127);
	fd = raw_connect();
	assert_true(fd >= 0);
	assert_int_equal(raw_hello(fd), 0);
	close(fd);
}

/* ---- privilege --------------------------------------------------------------- */

/* Run as root: a host started as an unprivileged user serves the sample
 * drivers to a client of that user.  (Run as another user, every test of
 * the suite already shows it.) */
static void test_host_without_root(void **state)
{
	int status;
	pid_t pid;

	if (getuid() != 0)
		skip();
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		static const char *const drivers[] = { "SampleDriver.so", "TestDriver.so", NULL };
		io_service_t s;
		io_connect_t c;
		uint64_t in[2] = { 6, 7 }, out[2];
		uint32_t n = 2;
		pid_t h;
		int ret = 0;

		if (setgroups(0, NULL) || setgid(NOBODY) || setuid(NOBODY))
			_exit(3);
		if (access(IOKITD_PATH, X_OK))
			_exit(4);   /* the build folder is not readable by nobody */
		h = iok_test_host_start(drivers);
		if (h <= 0)
			_exit(5);
		s = IOServiceGetMatchingService(kIOMainPortDefault, IOServiceMatching("SampleDriver"));
		if (!s)
			ret = 6;
		IOObjectRelease(s);
		s = IOServiceGetMatchingService(kIOMainPortDefault,
						IOServiceMatching(kTestDriverClassName));
		if (!ret && (!s || IOServiceOpen(s, mach_task_self(), 0, &c)))
			ret = 7;
		if (!ret && (IOConnectCallScalarMethod(c, kTestPerformCalculation, in, 2, out, &n) ||
			     out[0] != 13 || out[1] != 42))
			ret = 8;
		if (!ret)
			IOServiceClose(c);
		IOObjectRelease(s);
		if (iok_test_host_stop(h))
			ret = ret ? ret : 9;
		_exit(ret);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 4) {
		/* The build lives in a folder "nobody" cannot enter (a private
		 * temporary clone): the test cannot run here. */
		print_message("build folder not accessible to nobody: skipped\n");
		skip();
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		print_error("unprivileged host: status 0x%x\n", status);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names_are_per_client),
		cmocka_unit_test(test_child_inherits_no_names),
		cmocka_unit_test(test_socket_owner_only),
		cmocka_unit_test(test_socket_not_taken_over),
		cmocka_unit_test(test_host_without_root),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
