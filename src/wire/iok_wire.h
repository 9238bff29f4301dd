/* SPDX-License-Identifier: MIT */
/*
 * iok_wire.h - the messages between libiokit and a host (iokitd's Unix
 * socket, and later the ioctl of /dev/iokit).  One request, one reply.
 *
 * Every message starts with struct iok_wire_hdr; hdr.size is the whole
 * message.  Fields are fixed-width and naturally aligned, native-endian
 * (client and host share a machine).  Variable data follows the fixed part
 * and its length is stated in the fixed part: a receiver checks that
 * received bytes == hdr.size == sizeof(fixed part) + stated lengths before
 * it reads anything else.  Reserved fields must be zero.
 */
#ifndef IOK_WIRE_H
#define IOK_WIRE_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include <stdint.h>
#endif

#define IOK_WIRE_VERSION     1
/* Largest message in either direction (the socket is SOCK_SEQPACKET). */
#define IOK_WIRE_MAX_MSG     (64 * 1024)
/* Largest string argument, NUL included (io_string_t). */
#define IOK_WIRE_MAX_STR     512

enum iok_wire_op {
	IOK_OP_HELLO = 1,              /* value: client wire version -> host version */
	IOK_OP_OBJECT_RELEASE,         /* obj */
	IOK_OP_OBJECT_RETAIN,          /* obj */
	IOK_OP_OBJECT_GET_CLASS,       /* obj -> str */
	IOK_OP_OBJECT_CONFORMS_TO,     /* obj, str -> value (bool) */
	IOK_OP_OBJECT_GET_RETAIN_COUNT,/* obj -> value (kernel), options (user) */
	IOK_OP_GET_MATCHING_SERVICES,  /* data: serialized dict -> obj (iterator or 0) */
	IOK_OP_SERVICE_MATCH_TABLE,    /* obj, data: dict -> value (bool) */
	IOK_OP_ITERATOR_NEXT,          /* obj -> obj2 */
	IOK_OP_ITERATOR_RESET,         /* obj */
	IOK_OP_ITERATOR_IS_VALID,      /* obj -> value */
	IOK_OP_REGISTRY_GET_ROOT,      /* -> obj */
	IOK_OP_ENTRY_FROM_PATH,        /* str -> obj */
	IOK_OP_ENTRY_GET_NAME,         /* obj, str: plane -> str */
	IOK_OP_ENTRY_GET_LOCATION,     /* obj, str: plane -> str */
	IOK_OP_ENTRY_GET_PATH,         /* obj, str: plane -> str */
	IOK_OP_ENTRY_GET_ID,           /* obj -> value */
	IOK_OP_ENTRY_GET_PROPERTIES,   /* obj -> data: dict */
	IOK_OP_ENTRY_GET_PROPERTY,     /* obj, str: key, options: search flags -> data */
	IOK_OP_ENTRY_GET_CHILDREN,     /* obj, str: plane -> obj2 (iterator) */
	IOK_OP_ENTRY_GET_PARENTS,      /* obj, str: plane -> obj2 (iterator) */
	IOK_OP_ENTRY_IN_PLANE,         /* obj, str: plane -> value */
	IOK_OP_ENTRY_SET_PROPERTIES,   /* obj, data: serialized object */
	IOK_OP_SERVICE_GET_STATE,      /* obj -> value: state, options: busy, obj2: busy ms */
	IOK_OP_SERVICE_OPEN,           /* obj: service, type -> obj2: connection */
	IOK_OP_SERVICE_CLOSE,          /* obj: connection */
	IOK_OP_CONNECT_GET_SERVICE,    /* obj: connection -> obj2: service */
	IOK_OP_CONNECT_CALL,           /* struct iok_wire_call -> struct iok_wire_call_reply */
	IOK_OP_CHANNEL_OPEN,           /* fd: channel memory -> value: channel id */
	IOK_OP_CHANNEL_SET_OOL,        /* value: channel id, fd: out-of-line buffer */
	IOK_OP_CONNECT_SET_PORT,       /* obj: connection, type, value: refcon, fd: eventfd or none */
	IOK_OP_CONNECT_MAP,            /* obj, type, options -> value: size, options, fd */
	IOK_OP_CONNECT_UNMAP,          /* obj, type */
	IOK_OP_PORT_REGISTER,          /* fd: message socket -> obj: the port's name */
	IOK_OP_ADD_MATCHING_NOTIFICATION, /* obj2: port, str: type, options: ref count,
					   * data: 64-byte reference + dict -> obj: notifier */
	IOK_OP_ADD_INTEREST_NOTIFICATION, /* obj: service, obj2: port, str: type,
					   * options: ref count, data: 64-byte reference
					   * -> obj2: notifier */
	IOK_OP_WAIT_QUIET,             /* obj: entry, value: time-out ns (UINT64_MAX: none) */
	IOK_OP_DRIVER_LOAD,            /* str: module path */
	IOK_OP_DRIVER_UNLOAD,          /* str: bundle id -> value: instances still alive */
	IOK_OP_DRIVER_LIST,            /* -> data: array of dictionaries */
	IOK_OP_TASK_NAMES,             /* -> data: the caller's names, uint32_t each */
	IOK_OP_REGISTRY_CREATE_ITERATOR, /* obj: entry (type 1: the root), str: plane, options -> obj2 */
	IOK_OP_REGISTRY_ITERATOR_ENTER,  /* obj: registry iterator */
	IOK_OP_REGISTRY_ITERATOR_EXIT,   /* obj: registry iterator (kIOReturnNoDevice at the top) */
	IOK_OP_CLASS_GET_SUPERCLASS,     /* str: class name -> str */
	IOK_OP_CLASS_GET_BUNDLE,         /* str: class name -> str: bundle identifier */
	IOK_OP__COUNT
};

/* Reply flag: the data area did not fit in the message; it comes as a
 * sealed memfd of `value` bytes passed with the reply. */
#define IOK_WIRE_F_DATA_OOL 0x1

struct iok_wire_hdr {
	uint32_t size;    /* whole message, this header included */
	uint16_t op;      /* enum iok_wire_op */
	uint16_t flags;   /* requests: zero; replies: IOK_WIRE_F_* */
	uint32_t seq;     /* chosen by the client, echoed in the reply */
	int32_t result;   /* replies: an IOReturn; requests: zero */
};
_Static_assert(sizeof(struct iok_wire_hdr) == 16, "iok_wire_hdr");

/*
 * The generic message, used by every op above in both directions: object
 * names, a value, and up to two variable areas, a string (str_len bytes
 * including its terminating NUL, or 0 for none) followed by data.
 */
struct iok_wire_msg {
	struct iok_wire_hdr hdr;
	uint32_t obj;
	uint32_t obj2;
	uint32_t options;
	uint32_t type;
	uint64_t value;
	uint32_t str_len;
	uint32_t data_len;
	/* uint8_t str[str_len]; uint8_t data[data_len]; */
};
_Static_assert(sizeof(struct iok_wire_msg) == 48, "iok_wire_msg");

/*
 * A notification port is an eventfd.  When the host lets go of a port for
 * good it adds this to the counter, so that a waiter learns that nobody
 * will signal it again.
 */
#define IOK_PORT_DEAD_MARK (1ull << 62)

/*
 * An external method call (IOConnectCallMethod).  Scalars and inband
 * structures travel in the message; out-of-line structures (more than
 * 4096 bytes) live in the caller's out-of-line buffer, shared with the
 * host through its call channel, at the offsets given.
 */
#define IOK_WIRE_MAX_SCALARS 16
#define IOK_WIRE_MAX_INBAND 4096
#define IOK_WIRE_MAX_ASYNC_REFS 8

struct iok_wire_call {
	struct iok_wire_hdr hdr;
	uint32_t conn;              /* connection name */
	uint32_t selector;
	uint32_t scalar_in_count;   /* <= 16 */
	uint32_t scalar_out_count;  /* caller's capacity, <= 16 */
	uint32_t struct_in_size;    /* inband input bytes that follow, <= 4096 */
	uint32_t struct_out_size;   /* inband output capacity, <= 4096 */
	uint64_t ool_in_offset;     /* in the out-of-line buffer */
	uint64_t ool_in_size;       /* 0, or > 4096 */
	uint64_t ool_out_offset;
	uint64_t ool_out_size;      /* 0, or > 4096 and <= UINT32_MAX */
	uint32_t wake_port;         /* async calls: the client's wake port */
	uint32_t async_ref_count;   /* <= 8 */
	uint64_t async_ref[IOK_WIRE_MAX_ASYNC_REFS];
	uint64_t scalar_in[IOK_WIRE_MAX_SCALARS];
	/* uint8_t struct_in[struct_in_size]; */
};
_Static_assert(sizeof(struct iok_wire_call) == 16 + 24 + 32 + 8 + 64 + 128, "iok_wire_call");

struct iok_wire_call_reply {
	struct iok_wire_hdr hdr;    /* result: the method's IOReturn */
	uint32_t scalar_out_count;
	uint32_t struct_out_size;   /* inband output bytes that follow */
	uint64_t ool_out_size;      /* out-of-line bytes produced */
	uint64_t scalar_out[IOK_WIRE_MAX_SCALARS];
	/* uint8_t struct_out[struct_out_size]; */
};
_Static_assert(sizeof(struct iok_wire_call_reply) == 16 + 16 + 128, "iok_wire_call_reply");

#endif /* IOK_WIRE_H */
