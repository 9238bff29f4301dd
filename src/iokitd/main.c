// SPDX-License-Identifier: MIT
/*
 * iokitd - the user-space IOKit host.  Loads driver modules, runs
 * matching, and serves clients (libiokit) on a Unix SOCK_SEQPACKET socket.
 *
 *	iokitd [--socket PATH] [--socket-mode MODE] [--drivers DIR]
 *	       [--no-default-drivers] [--isolate] [--verbose] [DRIVER.so ...]
 *
 * The socket path defaults to $IOKIT_SOCKET, then $XDG_RUNTIME_DIR/
 * iokitd.sock, then /tmp/iokitd-<uid>.sock.  Drivers named on the command
 * line are loaded first, then those in the drivers folder (the installed
 * one unless --drivers or --no-default-drivers says otherwise).  The
 * socket is owner-only (0600) unless --socket-mode gives an octal mode.
 * With --isolate every driver runs in a process of its own (isolate.h);
 * --driver-process is how the host starts those processes.
 */
#include "host.h"
#include "iok_os.h"
#include "iok_paths.h"
#include "isolate.h"
#include "runtime.h"

#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

static void usage(FILE *f)
{
	fprintf(f, "usage: iokitd [--socket PATH] [--socket-mode MODE] [--drivers DIR]\n"
		   "              [--no-default-drivers] [--isolate] [--verbose] [DRIVER.so ...]\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "socket-mode", required_argument, NULL, 'm' },
		{ "drivers", required_argument, NULL, 'd' },
		{ "no-default-drivers", no_argument, NULL, 'n' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "isolate", no_argument, NULL, 'i' },
		{ "driver-process", no_argument, NULL, 'D' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *socket_path = NULL, *driver_dir = IOK_DRIVER_DIR;
	char path[PATH_MAX], *end;
	unsigned mode = 0600;
	bool isolate = false, verbose = false, driver_process = false;
	int c;

	while ((c = getopt_long(argc, argv, "s:m:d:nvh", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			socket_path = optarg;
			break;
		case 'm':
			mode = (unsigned)strtoul(optarg, &end, 8);
			if (*end || mode > 0777) {
				usage(stderr);
				return 2;
			}
			break;
		case 'd':
			driver_dir = optarg;
			break;
		case 'n':
			driver_dir = NULL;
			break;
		case 'v':
			iok_log_set_level(IOK_LOG_DEBUG);
			verbose = true;
			break;
		case 'i':
			isolate = true;
			break;
		case 'D':
			driver_process = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (!socket_path) {
		if (iok_socket_path(path, sizeof(path), NULL)) {
			fprintf(stderr, "iokitd: socket path too long\n");
			return 1;
		}
		socket_path = path;
	}
	host_block_signals();
	{
		/* Each client holds a descriptor or more: as many as allowed. */
		struct rlimit rl;

		if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
			rl.rlim_cur = rl.rlim_max;
			setrlimit(RLIMIT_NOFILE, &rl);
		}
	}
	/* Entitlements the host grants its clients (there is no code
	 * signing on Linux): a comma-separated list, see docs/SECURITY.md. */
	iok_runtime_set_entitlements(getenv("IOKIT_ENTITLEMENTS"));
	if (iok_runtime_init()) {
		fprintf(stderr, "iokitd: cannot initialise the runtime\n");
		return 1;
	}
	if (driver_process) {
		if (optind != argc - 1) {
			usage(stderr);
			return 2;
		}
		return driverproc_main(argv[optind]);
	}
	if (isolate) {
		char exe[PATH_MAX];
		ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

		if (n <= 0) {
			fprintf(stderr, "iokitd: --isolate: cannot find my own program\n");
			return 1;
		}
		exe[n] = '\0';
		isolate_enable(exe, verbose);
	}
	for (int i = optind; i < argc; i++)
		if (host_load_driver(argv[i]))
			return 1;
	if (driver_dir && host_load_driver_dir(driver_dir))
		return 1;
	host_enable_module_ops((uint32_t)geteuid());
	c = host_serve(socket_path, mode) ? 1 : 0;
	if (isolate_stop_all())
		c = 1;
	return c;
}
