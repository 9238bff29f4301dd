// SPDX-License-Identifier: MIT
/* host_harness.c - start and stop a private iokitd for a test. */
#include "host_harness.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <dirent.h>
#include <ctype.h>
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

static char tmpdir[64];
static char sock[96];

const char *iok_test_host_socket(void)
{
	return sock;
}

/* ---- the kernel host -------------------------------------------------------
 *
 * With IOKIT_TEST_KERNEL=1 (the kernel test's guest) the host is iokit.ko:
 * "starting" it (re)loads the named drivers as modules from $IOKIT_KMOD_DIR
 * (TestDriver.so -> testdriver.ko) with the environment and entitlements
 * iokitd would have had, and the tests talk to /dev/iokit.  The host's
 * descriptors and memory are the module's handles and KiB in use.
 */
#define KERNEL_HOST_PID ((pid_t)0x7ffffffe)

static int kernel_mode(void)
{
	const char *k = getenv("IOKIT_TEST_KERNEL");

	return k && k[0] == '1';
}

static int write_param(const char *name, const char *value)
{
	char path[128];
	int fd, ok;

	snprintf(path, sizeof(path), "/sys/module/iokit/parameters/%s", name);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ok = write(fd, value[0] ? value : "\n", value[0] ? strlen(value) : 1) >= 0;
	close(fd);
	return ok ? 0 : -1;
}

static long read_param(const char *name)
{
	char path[128], buf[32] = "";
	long v = -1;
	int fd;

	snprintf(path, sizeof(path), "/sys/module/iokit/parameters/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		if (read(fd, buf, sizeof(buf) - 1) > 0)
			v = strtol(buf, NULL, 10);
		close(fd);
	}
	return v;
}

static pid_t kernel_host_start(const char *const *drivers)
{
	const char *dir = getenv("IOKIT_KMOD_DIR"), *v;
	char env[256] = "";

	v = getenv("IOKIT_TEST_REQUIRE_PRIVILEGE");
	if (v)
		snprintf(env, sizeof(env), "IOKIT_TEST_REQUIRE_PRIVILEGE=%s", v);
	v = getenv("IOKIT_ENTITLEMENTS");
	if (write_param("env", env) || write_param("entitlements", v ? v : "")) {
		fprintf(stderr, "harness: cannot configure iokit.ko: %s\n", strerror(errno));
		return -1;
	}
	for (int i = 0; drivers && drivers[i]; i++) {
		char name[64], path[512];
		size_t n = 0;
		int fd;

		for (const char *p = drivers[i]; *p && *p != '.' && n < sizeof(name) - 1; p++)
			name[n++] = (char)tolower((unsigned char)*p);
		name[n] = '\0';
		if (syscall(SYS_delete_module, name, O_NONBLOCK) && errno != ENOENT) {
			fprintf(stderr, "harness: cannot unload %s: %s\n", name, strerror(errno));
			return -1;
		}
		snprintf(path, sizeof(path), "%s/%s.ko", dir ? dir : "/lib/iokit", name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0 || syscall(SYS_finit_module, fd, "", 0)) {
			fprintf(stderr, "harness: cannot load %s: %s\n", path, strerror(errno));
			if (fd >= 0)
				close(fd);
			return -1;
		}
		close(fd);
	}
	setenv("IOKIT_TRANSPORT", "kernel", 1);
	return KERNEL_HOST_PID;
}

static int can_connect(void)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0), ok;

	memcpy(sun.sun_path, sock, sizeof(sock) < sizeof(sun.sun_path) ? sizeof(sock) : sizeof(sun.sun_path) - 1);
	ok = fd >= 0 && connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0;
	if (fd >= 0)
		close(fd);
	return ok;
}

pid_t iok_test_host_start(const char *const *drivers)
{
	return iok_test_host_start_ex(drivers, NULL);
}

pid_t iok_test_host_start_ex(const char *const *drivers, const char *const *extra)
{
	const char *isolate = getenv("IOK_TEST_ISOLATE");
	char *argv[48];
	char paths[16][512];
	int argc = 0, n = 0;
	pid_t pid;

	if (kernel_mode())
		return kernel_host_start(drivers);
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/iok-test-XXXXXX");
	if (!mkdtemp(tmpdir))
		return -1;
	/* Traversable, so that the socket's own mode decides who connects
	 * (tests run clients under other uids with --socket-mode). */
	chmod(tmpdir, 0711);
	snprintf(sock, sizeof(sock), "%s/iokitd.sock", tmpdir);
	setenv("IOKIT_SOCKET", sock, 1);
	setenv("IOKIT_TRANSPORT", "socket", 1);   /* even where /dev/iokit exists */
	if (iok_test_valgrind()) {
		/* The host under memcheck: any error or definite leak makes its
		 * exit status 99, which iok_test_host_stop returns. */
		argv[argc++] = (char *)"valgrind";
		argv[argc++] = (char *)"--quiet";
		argv[argc++] = (char *)"--error-exitcode=99";
		argv[argc++] = (char *)"--leak-check=full";
		argv[argc++] = (char *)"--errors-for-leak-kinds=definite,indirect";
		argv[argc++] = (char *)"--show-leak-kinds=definite,indirect";
		argv[argc++] = (char *)"--max-threads=3000";
	}
	argv[argc++] = (char *)IOKITD_PATH;
	argv[argc++] = (char *)"--no-default-drivers";
	argv[argc++] = (char *)"--socket";
	argv[argc++] = sock;
	for (int i = 0; extra && extra[i] && argc < 20; i++)
		argv[argc++] = (char *)extra[i];
	if (isolate && strcmp(isolate, "0"))
		argv[argc++] = (char *)"--isolate";   /* the suite again, drivers isolated */
	for (; drivers && drivers[n] && n < 16; n++) {
		/* A test-only driver first: a stale copy of one left in the
		 * product folder by an older build must not shadow it. */
		snprintf(paths[n], sizeof(paths[n]), "%s/../test-drivers/%s", IOK_TEST_DRIVER_DIR,
			 drivers[n]);
		if (access(paths[n], R_OK))
			snprintf(paths[n], sizeof(paths[n]), "%s/%s", IOK_TEST_DRIVER_DIR, drivers[n]);
		argv[argc++] = paths[n];
	}
	argv[argc] = NULL;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		execvp(argv[0], argv);
		_exit(127);
	}
	for (int i = 0; i < (iok_test_valgrind() ? 6000 : 500); i++) {   /* 5 s, 60 under valgrind */
		int status;

		if (can_connect())
			return pid;
		if (waitpid(pid, &status, WNOHANG) == pid) {
			fprintf(stderr, "harness: iokitd exited early (status %d)\n", status);
			return -1;
		}
		usleep(10000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	return -1;
}

static int host_failure;

/* cmocka (1.1) does not count a failed group teardown in its exit status:
 * a host that exited badly (a sanitizer or memcheck report, a crash) makes
 * the test program's exit status 97 here. */
static void fail_if_a_host_failed(void)
{
	if (host_failure) {
		fprintf(stderr, "harness: a host exited with status %d\n", host_failure);
		_exit(97);
	}
}

int iok_test_host_stop(pid_t pid)
{
	static bool registered;
	int status = -1, ret;

	if (pid == KERNEL_HOST_PID)
		return 0;   /* the drivers stay: this process's clients pin them */
	if (pid <= 0)
		return -1;
	kill(pid, SIGTERM);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	unlink(sock);
	rmdir(tmpdir);
	ret = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	if (ret && !host_failure) {
		host_failure = ret;
		if (!registered)
			atexit(fail_if_a_host_failed);
		registered = true;
	}
	return ret;
}

bool iok_test_valgrind(void)
{
	const char *v = getenv("IOK_VALGRIND");

	return v && *v && strcmp(v, "0") != 0;
}

int iok_test_rounds(int n)
{
	const char *v = getenv("IOK_TEST_SCALE");
	long pct = v ? strtol(v, NULL, 10) : 100;
	long r = (long)n * (pct > 0 ? pct : 100) / 100;

	return r < 1 ? 1 : (int)r;
}

/* Counts the lines of /proc/PID/FILE (containing what, if not NULL). */
static int count_lines(pid_t pid, const char *file, const char *what)
{
	char path[64], line[1024];
	FILE *f;
	int n = 0;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!what || strstr(line, what))
			n++;
	fclose(f);
	return n;
}

int iok_test_map_count(pid_t pid, const char *what)
{
	return count_lines(pid, "maps", what);
}

int iok_test_thread_count(pid_t pid)
{
	char path[64], line[256];
	FILE *f;
	int n = -1;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Threads: %d", &n) == 1)
			break;
	fclose(f);
	return n;
}

void iok_test_raise_fd_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

int iok_test_fd_count(pid_t pid)
{
	char path[64];
	struct dirent *d;
	DIR *dir;
	int n = 0;

	if (pid == KERNEL_HOST_PID)
		return (int)read_param("handles");
	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	dir = opendir(path);
	if (!dir)
		return -1;
	while ((d = readdir(dir)))
		if (d->d_name[0] != '.')
			n++;
	closedir(dir);
	return n;
}

int iok_test_fd_baseline(pid_t pid)
{
	int last = iok_test_fd_count(pid), same = 0;

	for (int i = 0; i < 150 && same < 3; i++) {
		int now;

		usleep(20000);
		now = iok_test_fd_count(pid);
		same = now == last ? same + 1 : 0;
		last = now;
	}
	return last;
}

long iok_test_rss_kib(pid_t pid)
{
	char path[64], line[256];
	long kib = -1;
	FILE *f;

	if (pid == KERNEL_HOST_PID)
		return read_param("memory_kib");
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %ld kB", &kib) == 1)
			break;
	fclose(f);
	return kib;
}
