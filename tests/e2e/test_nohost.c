// SPDX-License-Identifier: MIT
/*
 * test_nohost.c - without a host, and after the host dies, every call
 * returns an IOReturn error promptly (no hang, no crash); a socket another
 * user bound at the shared /tmp name is not taken for the host.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <IOKit/IOKitLib.h>
#include <errno.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "host_harness.h"

static void test_missing_host(void **state)
{
	io_iterator_t it = 99;
	io_name_t name;

	setenv("IOKIT_SOCKET", "/tmp/iok-no-such-dir/none.sock", 1);
	assert_int_equal(IOServiceGetMatchingServices(kIOMainPortDefault,
						      IOServiceMatching("IOService"), &it),
			 kIOReturnNotResponding);
	assert_int_equal(it, IO_OBJECT_NULL);
	assert_int_equal(IORegistryGetRootEntry(kIOMainPortDefault), IO_OBJECT_NULL);
	assert_int_equal(IORegistryEntryGetName(0x103, name), kIOReturnNotResponding);
}

static void test_host_dies(void **state)
{
	static const char *const drivers[] = { "SampleDriver.so", NULL };
	pid_t host = iok_test_host_start(drivers);
	io_registry_entry_t root;
	io_name_t name;

	assert_true(host > 0);
	root = IORegistryGetRootEntry(kIOMainPortDefault);
	assert_int_not_equal(root, IO_OBJECT_NULL);
	assert_int_equal(iok_test_host_stop(host), 0);
	assert_int_equal(IORegistryEntryGetName(root, name), kIOReturnNotResponding);
	assert_int_equal(IOObjectRelease(root), kIOReturnNotResponding);
}

#define CLIENT_UID 65534u     /* nobody */
#define SQUATTER_UID 65533u   /* another user */

static void become(uid_t uid)
{
	if (setgroups(0, NULL) || setgid(uid) || setuid(uid))
		_exit(2);
}

/* True when path is free: absent, or a socket nobody listens on (removed). */
static bool path_free(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd, rc;

	if (access(path, F_OK))
		return true;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	rc = connect(fd, (struct sockaddr *)&sun, sizeof(sun));
	close(fd);
	return rc && errno == ECONNREFUSED && unlink(path) == 0;
}

/*
 * Without $IOKIT_SOCKET and $XDG_RUNTIME_DIR a client looks in /tmp, where
 * another user may have bound the name first: libiokit refuses a host that
 * is neither the client's user nor root (kIOReturnNotPrivileged) instead of
 * talking to it.
 */
static void test_squatted_tmp_socket(void **state)
{
	char path[64];
	int ready[2], st;
	pid_t squatter, client;
	char b;

	if (getuid() != 0) {
		print_message("not root: no second user to squat with; skipped\n");
		skip();
	}
	snprintf(path, sizeof(path), "/tmp/iokitd-%u.sock", CLIENT_UID);
	if (!path_free(path)) {
		print_message("%s is in use: skipped\n", path);
		skip();
	}
	assert_int_equal(pipe(ready), 0);
	squatter = fork();
	assert_true(squatter >= 0);
	if (squatter == 0) {
		struct sockaddr_un sun = { .sun_family = AF_UNIX };
		int fd;

		close(ready[0]);
		become(SQUATTER_UID);
		snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
		fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
		/* Open to everyone, as a squatter would make it. */
		if (fd < 0 || bind(fd, (struct sockaddr *)&sun, sizeof(sun)) || chmod(path, 0777) ||
		    listen(fd, 4) || write(ready[1], "r", 1) != 1)
			_exit(3);
		for (;;) {
			int c = accept(fd, NULL, NULL);   /* answers nothing */

			if (c >= 0)
				close(c);
		}
	}
	close(ready[1]);
	assert_int_equal(read(ready[0], &b, 1), 1);
	close(ready[0]);
	client = fork();
	assert_true(client >= 0);
	if (client == 0) {
		io_iterator_t it;

		become(CLIENT_UID);
		unsetenv("IOKIT_SOCKET");
		unsetenv("XDG_RUNTIME_DIR");
		setenv("IOKIT_TRANSPORT", "socket", 1);
		_exit(IOServiceGetMatchingServices(kIOMainPortDefault, IOServiceMatching("IOService"),
						   &it) == kIOReturnNotPrivileged ? 0 : 1);
	}
	assert_int_equal(waitpid(client, &st, 0), client);
	kill(squatter, SIGKILL);
	waitpid(squatter, NULL, 0);
	unlink(path);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_squatted_tmp_socket),
		cmocka_unit_test(test_missing_host),
		cmocka_unit_test(test_host_dies),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
