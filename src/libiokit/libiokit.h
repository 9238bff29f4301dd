/* SPDX-License-Identifier: MIT */
/* libiokit.h - private interfaces of the client library. */
#ifndef LIBIOKIT_H
#define LIBIOKIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <CoreFoundation/CoreFoundation.h>
#include <IOKit/IOKitLib.h>
#include <IOKit/IOKitLibPrivate.h>
#include <IOKit/driver/iok_object.h>

#include "iok_export.h"
#include "iok_os.h"
#include "iok_wire.h"
#include "iok_kdev.h"

#include <errno.h>
#include <sys/ioctl.h>

/* The main port name IOMainPort hands out (MACH_PORT_NULL works too). */
#define IOK_MAIN_PORT_NAME ((mach_port_t)0x0b01)

/* A request to the host: the fixed fields and the two variable areas. */
struct iok_rpc {
	uint16_t op;
	uint32_t obj;
	uint32_t obj2;
	uint32_t options;
	uint32_t type;
	uint64_t value;
	const char *str;         /* NULL: none */
	const void *data;
	size_t data_len;
};

/* The host's reply; release with iok_reply_free. */
struct iok_reply {
	struct iok_wire_msg *msg;  /* fixed fields (result in msg->hdr.result) */
	const char *str;           /* NUL-terminated, or NULL */
	const uint8_t *data;       /* inline, or the mapping below */
	size_t data_len;
	void *ool_map;             /* out-of-line data, mapped (data_len bytes) */
};

/*
 * Sends req and waits for the reply.  Returns the host's IOReturn, or
 * kIOReturnNotResponding when there is no host (or it went away),
 * kIOReturnNoMemory, kIOReturnIPCError for a reply that does not parse.
 * On any return rep must be freed.
 */
IOReturn iok_call(const struct iok_rpc *req, struct iok_reply *rep);
/* The same, passing descriptor fd (not consumed) with the request. */
IOReturn iok_call_fd(const struct iok_rpc *req, int fd, struct iok_reply *rep);
/* The same, and receiving a descriptor with the reply in *out_fd (-1 if
 * none; NULL: any is closed). */
IOReturn iok_call_fd2(const struct iok_rpc *req, int fd, struct iok_reply *rep, int *out_fd);
/* Unmaps every mapping made through connect (map.c). */
void iok_unmap_connection(io_connect_t connect);
/* Is the connection to the host up (no hang-up seen)? */
bool iok_conn_alive(void);
/* Counts forks (in the children); installs the fork handlers first. */
uint32_t iok_fork_generation(void);
void iok_conn_init_once(void);
/* A duplicate of the host socket (to watch for hang-up), or -1. */
int iok_conn_dup_fd(void);
/* Was a connection ever made (so that "not alive" means "lost")? */
bool iok_conn_was_up(void);

/* Local ports (ports.c).  A dup of the descriptor the host gets for a
 * local port (the eventfd, or a message port's host end; the caller
 * closes it), or -1. */
int iok_port_dup_fd(mach_port_t name);
kern_return_t iok_port_signal(mach_port_t port);
/* Does the local port carry messages (not a signal-only port)? */
bool iok_port_is_message_port(mach_port_t name);
/* The host's name for a local message port, registering it on first use
 * in this connection.  MACH_SEND_INVALID_RIGHT for a name that is not a
 * live local port, kIOReturnBadArgument for a signal-only port. */
IOReturn iok_port_host_name(mach_port_t port, uint32_t *host_name);

void iok_reply_free(struct iok_reply *rep);
/* For the transports: checks a reply's layout (and that it answers seq and
 * op) and fills rep's areas; returns the host's result or
 * kIOReturnIPCError.  Then maps an out-of-line data area passed as fd. */
IOReturn iok_reply_parse(struct iok_wire_msg *m, size_t n, uint32_t seq, uint16_t op,
			 struct iok_reply *rep);
IOReturn iok_reply_map_ool(struct iok_reply *rep, int fd);

/* Is port acceptable where Apple takes the main port? */
static inline int iok_main_port_ok(mach_port_t port)
{
	return port == MACH_PORT_NULL || port == IOK_MAIN_PORT_NAME;
}

/* CoreFoundation <-> runtime property objects (cf_bridge.c).  NULL when
 * a value has no counterpart (non-string key, unknown CF type). */
iok_object_t *iok_object_from_cf(CFTypeRef cf);
CFTypeRef iok_object_copy_cf(const iok_object_t *obj);

/* Serializes a CF property tree in Apple's binary format (free with
 * iok_free).  Returns 0 or -EINVAL/-ENOMEM. */
int iok_cf_serialize(CFTypeRef cf, uint8_t **out, size_t *len);
/* Unserializes a host reply into a new CF object, or NULL. */
CFTypeRef iok_cf_unserialize(const void *buf, size_t len);

/*
 * The calling thread's call channel (channel.c).  iok_chan_call sends the
 * request built at iok_chan_request() (hdr.size set) and waits for the
 * reply, returned in *reply (valid until the next call on this thread).
 */
struct iok_chan;
IOReturn iok_chan_get(struct iok_chan **out);
struct iok_wire_call *iok_chan_request(struct iok_chan *ch);
/* Makes the out-of-line buffer at least size bytes; returns its base. */
IOReturn iok_chan_ool(struct iok_chan *ch, size_t size, uint8_t **base);
IOReturn iok_chan_call(struct iok_chan *ch, const struct iok_wire_call_reply **reply);

/* Per-thread state on the call path: initial-exec, so that reaching it
 * costs no call into the dynamic loader (a pointer's worth of the static
 * TLS surplus glibc keeps for libraries). */
#define IOK_TLS __thread __attribute__((tls_model("initial-exec")))

/*
 * The kernel transport (transport_kernel.c): when iok_kern_active(), the
 * calls above and the call channel go through /dev/iokit instead.  The
 * choice is made once per process (iok_kern_choose); after that asking is
 * one load.
 */
enum { IOK_TRANSPORT_UNCHOSEN, IOK_TRANSPORT_SOCKET, IOK_TRANSPORT_KERNEL };
extern int iok_transport;
bool iok_kern_choose(void);

static inline bool iok_kern_active(void)
{
	int t = __atomic_load_n(&iok_transport, __ATOMIC_ACQUIRE);

	return t == IOK_TRANSPORT_UNCHOSEN ? iok_kern_choose() : t == IOK_TRANSPORT_KERNEL;
}
IOReturn iok_kern_call_fd2(const struct iok_rpc *req, int fd, struct iok_reply *rep, int *out_fd);
bool iok_kern_alive(void);
IOReturn iok_kern_chan_get(struct iok_chan **out);
struct iok_wire_call *iok_kern_chan_request(struct iok_chan *ch);
IOReturn iok_kern_chan_ool(struct iok_chan *ch, size_t size, uint8_t **base);
IOReturn iok_kern_chan_call(struct iok_chan *ch, const struct iok_wire_call_reply **reply);

/*
 * The method call's hot path on the kernel transport, without the channel
 * layer: the calling thread's request buffer (NULL without memory), and
 * the in-place call (IOK_IOC_CALL) on a request without out-of-line
 * structures, whose reply comes back over it.
 */
extern IOK_TLS struct iok_wire_call *iok_kern_req;
struct iok_wire_call *iok_kern_request_new(void);
#define IOK_KERN_REQ_CAP (sizeof(struct iok_wire_call) + IOK_WIRE_MAX_INBAND)
extern int iok_kern_fd;   /* the device's descriptor once open, else -1 */
IOReturn iok_kern_call_first(struct iok_wire_call *m, const struct iok_wire_call_reply **reply);
IOReturn iok_kern_errno(int err);

/* Calls get no reply length back: the reply's own size, checked. */
static inline IOReturn iok_kern_check_reply(const struct iok_wire_call_reply *r, size_t cap)
{
	if (r->hdr.size < sizeof(*r) || r->hdr.size > cap ||
	    r->hdr.size != sizeof(*r) + r->struct_out_size || r->hdr.op != IOK_OP_CONNECT_CALL)
		return kIOReturnIPCError;
	return kIOReturnSuccess;
}

static inline IOReturn iok_kern_call_in_place(struct iok_wire_call *m,
					      const struct iok_wire_call_reply **reply)
{
	int fd = __atomic_load_n(&iok_kern_fd, __ATOMIC_ACQUIRE);

	*reply = (const struct iok_wire_call_reply *)(const void *)m;   /* answered over it */
	if (fd < 0)
		return iok_kern_call_first(m, reply);   /* opens the device */
	if (ioctl(fd, IOK_IOC_CALL, m) < 0)
		return iok_kern_errno(errno);
	return iok_kern_check_reply(*reply, IOK_KERN_REQ_CAP);
}

static inline struct iok_wire_call *iok_kern_request(void)
{
	struct iok_wire_call *m = iok_kern_req;

	return m ? m : iok_kern_request_new();
}

#endif /* LIBIOKIT_H */
