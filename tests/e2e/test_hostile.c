// SPDX-License-Identifier: MIT
/*
 * test_hostile.c - a client that speaks garbage on the host's socket:
 * truncated, oversized and malformed messages, and a socket closed half
 * way.  Each such connection gets an error reply or is dropped, and a
 * well-behaved client is served throughout.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <IOKit/IOKitLib.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "host_harness.h"
#include "iok_wire.h"

static pid_t host;

static int setup(void **state)
{
	static const char *const drivers[] = { "SampleDriver.so", NULL };

	host = iok_test_host_start(drivers);
	return host > 0 ? 0 : -1;
}

static int teardown(void **state)
{
	return iok_test_host_stop(host);
}

static int raw_connect(void)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	strncpy(sun.sun_path, iok_test_host_socket(), sizeof(sun.sun_path) - 1);
	assert_int_equal(connect(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	return fd;
}

/* The well-behaved client still finds its service. */
static void still_served(void)
{
	io_service_t s = IOServiceGetMatchingService(kIOMainPortDefault,
						     IOServiceMatching("SampleDriver"));

	assert_int_not_equal(s, IO_OBJECT_NULL);
	IOObjectRelease(s);
}

/* Returns the reply's result, or 1 when the host closed the connection. */
static int exchange(int fd, const void *msg, size_t len)
{
	static uint8_t buf[IOK_WIRE_MAX_MSG];
	ssize_t n;

	if (send(fd, msg, len, MSG_NOSIGNAL) != (ssize_t)len)
		return 1;
	n = recv(fd, buf, sizeof(buf), 0);
	if (n <= 0)
		return 1;
	assert_true((size_t)n >= sizeof(struct iok_wire_msg));
	return ((struct iok_wire_msg *)buf)->hdr.result;
}

static void test_garbage(void **state)
{
	uint8_t junk[3] = { 1, 2, 3 };
	struct iok_wire_msg m = { .hdr = { .size = sizeof(m), .op = 0x7777, .seq = 1 } };
	int fd;

	still_served();
	fd = raw_connect();
	/* An unknown op gets an error reply and the connection stays. */
	assert_int_equal(exchange(fd, &m, sizeof(m)), kIOReturnUnsupported);
	/* A lying size field in a full header also gets a reply. */
	m.hdr.op = IOK_OP_ENTRY_GET_ID;
	m.str_len = 1000;
	assert_int_equal(exchange(fd, &m, sizeof(m)), kIOReturnBadArgument);
	/* Three bytes: no header at all, the connection ends. */
	assert_int_equal(exchange(fd, junk, sizeof(junk)), 1);
	close(fd);
	still_served();
}

static void test_oversized(void **state)
{
	size_t len = IOK_WIRE_MAX_MSG + 4096;
	uint8_t *big = calloc(1, len);
	int fd = raw_connect();
	int sz = (int)(len * 2);

	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	((struct iok_wire_hdr *)big)->size = (uint32_t)len;
	((struct iok_wire_hdr *)big)->op = IOK_OP_HELLO;
	assert_int_equal(exchange(fd, big, len), 1);   /* dropped */
	close(fd);
	free(big);
	still_served();
}

static void test_half_message_and_many_drops(void **state)
{
	int fds0 = iok_test_fd_baseline(host);

	for (int i = 0; i < 200; i++) {
		int fd = raw_connect();
		struct iok_wire_msg m = { .hdr = { .size = sizeof(m) + 100, .op = IOK_OP_HELLO } };

		/* Says 148 bytes, sends 48, then goes away. */
		if (send(fd, &m, sizeof(m), MSG_NOSIGNAL) < 0)
			fail();
		close(fd);
	}
	still_served();
	/* The host accepts in order: once a new connection is answered, all
	 * 200 have been accepted, so the count can only fall from here (a
	 * slow host, under valgrind, still had some in its backlog). */
	{
		struct iok_wire_msg hello = {
			.hdr = { .size = sizeof(hello), .op = IOK_OP_HELLO, .seq = 1 },
			.value = IOK_WIRE_VERSION,
		};
		int fd = raw_connect();

		assert_int_equal(exchange(fd, &hello, sizeof(hello)), kIOReturnSuccess);
		close(fd);
	}
	for (int i = 0; i < 1000 && iok_test_fd_count(host) != fds0; i++)
		usleep(10000);
	assert_int_equal(iok_test_fd_count(host), fds0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_oversized),
		cmocka_unit_test(test_half_message_and_many_drops),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
