/* SPDX-License-Identifier: MIT */
/*
 * isolate.h - iokitd --isolate: every driver module runs in a process of
 * its own (a "driver process", iokitd started again with
 * --driver-process), so that a driver that crashes takes only its own
 * services down.  docs/ARCHITECTURE.md, "Driver isolation".
 *
 * The host keeps the registry clients see.  Each service a driver process
 * publishes appears in it as a proxy of the same class names, name,
 * location and properties; opening a proxy opens the real service in the
 * driver process over a connection of its own (carrying the client's
 * credentials), and the proxy user client forwards calls through call
 * channels, maps through the driver process's memory files, and
 * notification ports as descriptors.  When a driver process exits or
 * dies, its proxies are terminated as an unloaded driver's services are.
 *
 * The host and a driver process talk over two SOCK_SEQPACKET socket
 * pairs: on the report socket (the driver process's descriptor 3) the
 * driver process reports and the host answers each report with an
 * ISO_ACK once it has applied it, so that a property a driver sets during
 * a call is visible in the host's registry before the call returns; on
 * the client socket (descriptor 4) the host hands over connections.  The
 * host hanging up the client socket tells the driver process to end.
 */
#ifndef IOKITD_ISOLATE_H
#define IOKITD_ISOLATE_H

#include <stdbool.h>
#include <stdint.h>
#include "runtime.h"

enum iso_op {
	/* driver process -> host */
	ISO_CLAIM = 1,   /* strings: bundle id, version: before the driver
			  * registers; the ack's result refuses a bundle that
			  * another driver process holds (-EEXIST) */
	ISO_READY,       /* result: 0 or -errno: the driver is loaded */
	ISO_PUBLISH,     /* id, provider; strings: name, location, class names
			  * (most derived first, up to an IOService base);
			  * data: properties (OSSerializeBinary) */
	ISO_PROPS,       /* id; data: the properties now */
	ISO_TERMINATE,   /* id: the service is terminating */
	/* host -> driver process */
	ISO_ACK,         /* on the report socket: the report was applied
			  * (result: ISO_CLAIM's answer) */
	ISO_CLIENT,      /* pid, uid, gid; strings: process name; with the
			  * client connection's socket */
};

struct iso_msg {
	uint32_t op;
	uint32_t nstr;       /* NUL-terminated strings in the string area */
	uint64_t id;         /* the service's registry ID in the driver process */
	uint64_t provider;
	int32_t pid;
	uint32_t uid;
	uint32_t gid;
	int32_t result;
	uint32_t str_len;
	uint32_t data_len;
	uint64_t fd_data_len;  /* data too big for a message: in a sealed memfd
				* of at least this size sent with it */
	/* char str[str_len]; uint8_t data[data_len]; */
};
#define ISO_FD_DATA_MAX (64u << 20)

/* Control messages stay well under the socket's send buffer. */
#define ISO_MSG_MAX (96u * 1024u)

/* The host side (isolate.c). */
void isolate_enable(const char *self_exe, bool verbose);
bool isolate_enabled(void);
/* Starts a driver process for the module at path and waits until it has
 * loaded it (its services are published by then).  Apple-style codes:
 * kIOReturnNotFound (cannot load), kIOReturnExclusiveAccess (that bundle
 * is loaded), kIOReturnNoResources / kIOReturnNoMemory. */
IOReturn isolate_load(const char *path);
/* Stops the driver process of bundle_id: its services terminate. */
IOReturn isolate_unload(const char *bundle_id, uint32_t *remaining);
/* iokitctl list's dictionaries, one per driver process. */
iok_object_t *isolate_list(void);
/* Stops every driver process (host shutdown).  Returns how many driver
 * processes, once loaded, exited with a failure status (0: none). */
int isolate_stop_all(void);

/* A driver process's channel threads spin this long for the next call:
 * long enough for a caller in a loop, short enough to leave the CPU to
 * the host and the client on a small machine. */
#define ISO_CHANNEL_SPIN_NS 10000u

#define ISO_REPORT_FD 3
#define ISO_CLIENT_FD 4

/* The driver process (driverproc.c): loads path, reports to the host on
 * ISO_REPORT_FD, and serves the client connections the host hands it on
 * ISO_CLIENT_FD until the host hangs up.  Returns the exit status. */
int driverproc_main(const char *path);

#endif /* IOKITD_ISOLATE_H */
