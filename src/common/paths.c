// SPDX-License-Identifier: MIT
/* paths.c - the host socket's default location. */
#include "iok_paths.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/un.h>
#include <unistd.h>

int iok_socket_path(char *buf, size_t len, bool *shared)
{
	const char *env = getenv("IOKIT_SOCKET");
	const char *run = getenv("XDG_RUNTIME_DIR");
	struct sockaddr_un sun;
	int n;

	if (env && env[0])
		n = snprintf(buf, len, "%s", env);
	else if (run && run[0])
		n = snprintf(buf, len, "%s/iokitd.sock", run);
	else
		n = snprintf(buf, len, "/tmp/iokitd-%u.sock", (unsigned)getuid());
	if (shared)
		*shared = !(env && env[0]) && !(run && run[0]);
	if (n < 0 || (size_t)n >= len || (size_t)n >= sizeof(sun.sun_path))
		return -ENAMETOOLONG;
	return 0;
}
