/* SPDX-License-Identifier: MIT */
/* iok_paths.h - where the host's socket lives (shared by iokitd and libiokit). */
#ifndef IOK_PATHS_H
#define IOK_PATHS_H

#include <stdbool.h>
#include <stddef.h>

/*
 * The socket path: $IOKIT_SOCKET if set, else $XDG_RUNTIME_DIR/iokitd.sock,
 * else /tmp/iokitd-<uid>.sock.  *shared (may be NULL) tells the last case:
 * a folder every local user can write, where another user may have bound
 * the name first.  Returns 0, or -ENAMETOOLONG when it does not fit in len
 * bytes (or in a sockaddr_un).
 */
int iok_socket_path(char *buf, size_t len, bool *shared);

#endif /* IOK_PATHS_H */
