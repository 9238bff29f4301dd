/* SPDX-License-Identifier: MIT */
/* host.h - iokitd's pieces: driver loading and the socket server. */
#ifndef IOKITD_HOST_H
#define IOKITD_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct iok_driver;

/* Blocks the stop signals in the calling thread (and so in every thread
 * created after it, drivers' included); host_serve takes them through a
 * signalfd.  Call before anything creates a thread. */
void host_block_signals(void);

/* Loads one driver module (a shared object exporting iok_driver_entry). */
int host_load_driver(const char *path);
/* Lets clients of the host's own user (and root) load and unload drivers
 * (iokitctl). */
void host_enable_module_ops(uint32_t admin_uid);
/* dlcloses unloaded drivers whose last instance is gone. */
void host_reap_modules(void);
/* Loads every *.so in dir, in name order.  A missing dir is not an error. */
int host_load_driver_dir(const char *dir);

/* Serves a connected client socket (fd consumed) as a task with these
 * credentials.  0 or -ENOMEM. */
int host_add_client(int fd, int32_t pid, uint32_t uid, uint32_t gid, const char *name);
/* Hangs up on every client and waits up to timeout_s seconds for their
 * threads to finish. */
void host_end_clients(int timeout_s);
/* Loads a driver and returns its descriptor (*driver may be NULL). */
int host_load_driver_ex(const char *path, const struct iok_driver **driver);

/* Serves clients on the Unix socket at path (created with mode) until
 * SIGTERM/SIGINT/SIGHUP. */
int host_serve(const char *path, unsigned mode);

#endif /* IOKITD_HOST_H */
