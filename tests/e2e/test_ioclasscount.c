// SPDX-License-Identifier: MIT
/*
 * test_ioclasscount.c - the ioclasscount tool against a private iokitd
 * with SampleDriver: every class sorted by name, the counts of named
 * classes comma-separated in the order given, unknown classes, the
 * tracking options macOS keeps for DEVELOPMENT kernels, no host.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>

#include "host_harness.h"

#ifndef IOCLASSCOUNT_PATH
#error "IOCLASSCOUNT_PATH must name the ioclasscount binary"
#endif

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

struct run {
	char *out;
	int status;
};

/* Runs "prefix ioclasscount args" in a shell, stdout (and stderr) captured. */
static struct run run(const char *prefix, const char *args)
{
	struct run r = { NULL, -1 };
	char cmd[1024], buf[4096];
	size_t n, len = 0;
	FILE *p;
	int st;

	snprintf(cmd, sizeof(cmd), "%s '%s' %s 2>&1", prefix, IOCLASSCOUNT_PATH, args);
	p = popen(cmd, "r");
	assert_non_null(p);
	r.out = calloc(1, 1);
	while ((n = fread(buf, 1, sizeof(buf), p)) > 0) {
		r.out = realloc(r.out, len + n + 1);
		assert_non_null(r.out);
		memcpy(r.out + len, buf, n);
		len += n;
		r.out[len] = '\0';
	}
	st = pclose(p);
	r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	return r;
}

static void test_all_classes_sorted(void **state)
{
	struct run r = run("", "");
	char *line, *save = NULL, prev[128] = "";
	int lines = 0;

	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "SampleDriver = 1\n"));
	assert_non_null(strstr(r.out, "SampleNub = 1\n"));
	assert_non_null(strstr(r.out, "IOResources = 1\n"));
	/* IOService has no instances of its own: one per subclass in use. */
	assert_non_null(strstr(r.out, "IOService = "));
	for (line = strtok_r(r.out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *eq = strstr(line, " = ");

		assert_non_null(eq);
		*eq = '\0';
		assert_true(strcasecmp(prev, line) <= 0);
		snprintf(prev, sizeof(prev), "%s", line);
		lines++;
	}
	assert_true(lines >= 6);
	free(r.out);
}

static void test_named_classes(void **state)
{
	struct run r = run("", "SampleNub SampleDriver NoSuchClass");

	assert_int_equal(r.status, 0);
	assert_string_equal(r.out,
			    "SampleNub = 1, SampleDriver = 1, NoSuchClass = <no such class>\n");
	free(r.out);
}

static void test_tracking_unavailable(void **state)
{
	struct run r = run("", "--track");

	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.out, "not available"));
	free(r.out);
}

static void test_no_host(void **state)
{
	struct run r = run("IOKIT_SOCKET=/nonexistent/iokitd.sock", "");

	assert_int_equal(r.status, 71);   /* EX_OSERR */
	assert_non_null(strstr(r.out, "Can't get registry root"));
	free(r.out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_all_classes_sorted),
		cmocka_unit_test(test_named_classes),
		cmocka_unit_test(test_tracking_unavailable),
		cmocka_unit_test(test_no_host),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
