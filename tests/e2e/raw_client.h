/* SPDX-License-Identifier: MIT */
/*
 * raw_client.h - a client that speaks the wire protocol itself on its own
 * socket, without libiokit: one process can hold many connections (each
 * is a task of its own in the host), and can send what libiokit never
 * would.  Used by the fault, isolation and load tests and bench_load.
 */
#ifndef IOK_RAW_CLIENT_H
#define IOK_RAW_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "iok_wire.h"

/* raw_rpc's result when the host closed the connection (or the reply
 * does not parse); IOReturn values are negative or zero. */
#define RAW_GONE 1

/* A new connection to the test host's socket (IOKIT_SOCKET), or -1.  A
 * reply that takes more than 60 s counts as the host gone. */
int raw_connect(void);

/*
 * Sends a generic message (op and fields from *m; str and data appended)
 * with descriptor pass_fd (-1: none) and waits for the reply, left in
 * *reply when not NULL (IOK_WIRE_MAX_MSG bytes).  A descriptor that comes
 * with the reply is put in *got_fd when not NULL, else closed.  Returns
 * the reply's result, or RAW_GONE.
 */
int raw_rpc(int fd, const struct iok_wire_msg *m, const char *str, const void *data,
	    size_t data_len, int pass_fd, struct iok_wire_msg *reply, int *got_fd);

/* HELLO with this wire version. */
int raw_hello(int fd);
/* IORegistryEntryFromPath: *obj (0 when not found). */
int raw_lookup(int fd, const char *path, uint32_t *obj);
/* IOServiceOpen: *conn. */
int raw_open(int fd, uint32_t service, uint32_t type, uint32_t *conn);
/* IOServiceClose. */
int raw_close(int fd, uint32_t conn);
/* IOObjectRelease. */
int raw_release(int fd, uint32_t obj);

/*
 * IOConnectCallMethod over the socket (inband only): scalars and a
 * structure each way.  *nout and *sout_len are capacities in, produced
 * counts out (untouched on failure).
 */
int raw_call(int fd, uint32_t conn, uint32_t selector, const uint64_t *in, uint32_t nin,
	     uint64_t *out, uint32_t *nout, const void *sin, uint32_t sin_len, void *sout,
	     uint32_t *sout_len);
/* Sends a call without waiting for the reply (0 or -1). */
int raw_call_send(int fd, uint32_t conn, uint32_t selector, const uint64_t *in, uint32_t nin,
		  const void *sin, uint32_t sin_len);

/* Opens a connection, says hello, looks up path and opens it with type:
 * the socket (or -1) and *conn. */
int raw_connect_open(const char *path, uint32_t type, uint32_t *conn);

#endif /* IOK_RAW_CLIENT_H */
