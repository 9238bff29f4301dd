// SPDX-License-Identifier: MIT
/*
 * proxy.c - iokitd --isolate's forwarding (see isolate.h): the
 * connections the host opens to a driver process for each user client, and
 * the ops of the proxies that forward opens, calls (through call channels),
 * mappings, notification ports and setProperties to it.  isolate.c keeps
 * the driver processes and the proxies' place in the registry.
 *
 * A driver process is trusted no more than a client: its replies are
 * copied out of shared memory and checked against the request before use.
 */
#include "proxy.h"
#include "isolate.h"
#include "iok_chan.h"
#include "iok_sys.h"
#include "iok_wire.h"

#include <IOKit/IOKitKeys.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

struct upstream;

#define PROXY_UC_TYPES_MAX 8

/* An object a proxy user client keeps per type (obj NULL: a free entry). */
struct typed_ref {
	uint32_t type;
	uint32_t options;   /* maps only */
	void *obj;
};

struct proxy_uc {
	struct upstream *up;
	/* The notification ports (iok_port_t) registered through us, held as
	 * the driver would hold them: a port let go of is marked dead for its
	 * waiter. */
	struct typed_ref ports[PROXY_UC_TYPES_MAX];
	/* The memory (iok_memory_t) last mapped per type (maps_lock): once
	 * the driver process is gone, clientMemoryForType still answers for
	 * it, as a terminated in-process user client does, so unmapping
	 * works. */
	struct typed_ref maps[PROXY_UC_TYPES_MAX];
};
static pthread_mutex_t maps_lock = PTHREAD_MUTEX_INITIALIZER;

static const struct iok_class_ops proxy_uc_ops;

/* ---- the connection to a driver process for one user client ------------ */

struct uchan {
	struct uchan *next;
	uint8_t *base;                /* IOK_CHAN_SIZE bytes, shared */
	struct iok_chan_ctl *ctl;
	uint32_t id;
	uint32_t seq;
	uint8_t *ool;
	size_t ool_size;
};

#define UPSTREAM_CHANNELS_MAX 64
#define UPSTREAM_PORTS_MAX 8

struct upstream {
	struct child *child;          /* a reference */
	pthread_mutex_t lock;         /* socket exchanges, seq, ports */
	int fd;
	uint32_t seq;
	uint32_t conn;                /* the connection's name over there */
	struct {
		uint64_t port_id;         /* ours (iok_port_id) */
		uint32_t name;            /* the driver process's */
	} ports[UPSTREAM_PORTS_MAX];
	uint32_t n_ports;

	pthread_mutex_t pool_lock;
	pthread_cond_t pool_cond;
	struct uchan *idle;
	uint32_t n_chans;
	bool broken;                  /* a channel failed: no more calls */
};

static int upstream_alive(void *ctx)
{
	return !child_dead(ctx);
}

/* One request and its reply over the socket (lock held).  The request is
 * m (with its str and data areas after it, sizes set).  The reply's
 * generic part lands in *rep, its string (at most str_cap bytes, ending
 * in a NUL) in str, its data area, unserialized, in *obj, and its
 * descriptor in *out_fd (when asked for, else closed). */
static IOReturn rpc_locked(struct upstream *up, struct iok_wire_msg *m, int in_fd,
			   struct iok_wire_msg *rep, char *str, size_t str_cap,
			   iok_object_t **obj, int *out_fd)
{
	uint8_t *buf = malloc(IOK_WIRE_MAX_MSG);
	const struct iok_wire_msg *r = (const struct iok_wire_msg *)buf;
	size_t len = sizeof(*m) + m->str_len + m->data_len;
	IOReturn ret = kIOReturnIPCError;
	int fd = -1;
	ssize_t n;

	memset(rep, 0, sizeof(*rep));
	if (out_fd)
		*out_fd = -1;
	if (obj)
		*obj = NULL;
	if (!buf)
		return kIOReturnNoMemory;
	if (up->fd < 0 || child_dead(up->child)) {
		free(buf);
		return kIOReturnNotAttached;
	}
	m->hdr.size = (uint32_t)len;
	m->hdr.seq = ++up->seq;
	if (iok_send_fd(up->fd, &(struct iovec){ m, len }, 1, in_fd) != (ssize_t)len) {
		free(buf);
		return kIOReturnNotAttached;
	}
	n = iok_recv_fd(up->fd, buf, IOK_WIRE_MAX_MSG, &fd);
	if (n <= 0) {
		ret = kIOReturnNotAttached;
		goto out;
	}
	/* A driver process is checked like any peer; a data area too big for
	 * a message (sent out of line) is more than we ever ask for. */
	if ((size_t)n < sizeof(*r) || (size_t)n > IOK_WIRE_MAX_MSG || r->hdr.size != (uint32_t)n ||
	    r->hdr.seq != m->hdr.seq || r->hdr.op != m->hdr.op || r->hdr.flags ||
	    r->str_len > (size_t)n - sizeof(*r) || r->data_len != (size_t)n - sizeof(*r) - r->str_len)
		goto out;
	*rep = *r;
	if (str && str_cap) {
		size_t l = r->str_len < str_cap ? r->str_len : str_cap;

		memcpy(str, r + 1, l);
		str[l ? l - 1 : 0] = '\0';
	}
	if (obj && r->data_len &&
	    iok_unserialize((const uint8_t *)(r + 1) + r->str_len, r->data_len, obj))
		goto out;
	if (out_fd) {
		*out_fd = fd;
		fd = -1;
	}
	ret = r->hdr.result;
out:
	if (fd >= 0)
		close(fd);
	free(buf);
	return ret;
}

static IOReturn rpc(struct upstream *up, struct iok_wire_msg *m, int in_fd,
		    struct iok_wire_msg *rep, int *out_fd)
{
	IOReturn ret;

	pthread_mutex_lock(&up->lock);
	ret = rpc_locked(up, m, in_fd, rep, NULL, 0, NULL, out_fd);
	pthread_mutex_unlock(&up->lock);
	return ret;
}

/* An op whose request carries a property object (serialized in the data
 * area) about name obj; *out receives the reply's data, if asked for. */
static IOReturn rpc_object(struct upstream *up, uint16_t op, uint32_t obj,
			   const iok_object_t *data, struct iok_wire_msg *rep, iok_object_t **out)
{
	struct iok_wire_msg *m;
	uint8_t *ser = NULL;
	size_t len = 0;
	IOReturn ret;

	if (data && iok_serialize(data, &ser, &len))
		return kIOReturnNoMemory;
	if (len > IOK_WIRE_MAX_MSG - sizeof(*m)) {
		iok_free(ser);
		return kIOReturnMessageTooLarge;
	}
	m = calloc(1, sizeof(*m) + len);
	if (!m) {
		iok_free(ser);
		return kIOReturnNoMemory;
	}
	m->hdr.op = op;
	m->obj = obj;
	m->data_len = (uint32_t)len;
	if (len)
		memcpy(m + 1, ser, len);
	iok_free(ser);
	pthread_mutex_lock(&up->lock);
	ret = rpc_locked(up, m, -1, rep, NULL, 0, out, NULL);
	pthread_mutex_unlock(&up->lock);
	free(m);
	return ret;
}

static void upstream_free(struct upstream *up)
{
	struct uchan *ch, *next;

	if (!up)
		return;
	for (ch = up->idle; ch; ch = next) {
		next = ch->next;
		if (ch->ool)
			munmap(ch->ool, ch->ool_size);
		munmap(ch->base, IOK_CHAN_SIZE);
		free(ch);
	}
	if (up->fd >= 0)
		close(up->fd);   /* the driver process runs clientDied if not closed */
	child_put(up->child);
	pthread_mutex_destroy(&up->lock);
	pthread_mutex_destroy(&up->pool_lock);
	pthread_cond_destroy(&up->pool_cond);
	free(up);
}

/* A connection of its own to c's process, carrying task's credentials. */
static IOReturn upstream_connect(struct child *c, iok_task_t *task, struct upstream **out)
{
	struct iso_msg hello = { .op = ISO_CLIENT, .pid = task->pid, .uid = task->uid,
				 .gid = task->gid, .nstr = 1 };
	struct iovec iov[2] = { { &hello, sizeof(hello) }, { task->name, 0 } };
	struct upstream *up = calloc(1, sizeof(*up));
	int sv[2];
	ssize_t sent;

	*out = NULL;
	if (!up)
		return kIOReturnNoMemory;
	pthread_mutex_init(&up->lock, NULL);
	pthread_mutex_init(&up->pool_lock, NULL);
	pthread_cond_init(&up->pool_cond, NULL);
	up->child = child_get(c);
	up->fd = -1;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv)) {
		upstream_free(up);
		return kIOReturnNoResources;
	}
	up->fd = sv[0];
	hello.str_len = (uint32_t)strnlen(task->name, sizeof(task->name) - 1) + 1;
	iov[1].iov_len = hello.str_len;
	pthread_mutex_lock(&c->lock);   /* one sender on the client socket */
	sent = child_dead(c) ? -1 : iok_send_fd(c->clients, iov, 2, sv[1]);
	pthread_mutex_unlock(&c->lock);
	close(sv[1]);
	if (sent != (ssize_t)(sizeof(hello) + hello.str_len)) {
		upstream_free(up);
		return kIOReturnNotAttached;
	}
	*out = up;
	return kIOReturnSuccess;
}

/* The name, over there, of the service with registry ID id there. */
static IOReturn upstream_lookup(struct upstream *up, uint64_t id, uint32_t *svc)
{
	struct iok_wire_msg rep, m = { .hdr.op = IOK_OP_ITERATOR_NEXT };
	iok_object_t *table = iok_dict_create(1);
	IOReturn ret;

	*svc = 0;
	if (!table || iok_dict_set_number(table, kIORegistryEntryIDKey, id, 64)) {
		iok_release(table);
		return kIOReturnNoMemory;
	}
	ret = rpc_object(up, IOK_OP_GET_MATCHING_SERVICES, 0, table, &rep, NULL);
	iok_release(table);
	if (ret)
		return ret;
	if (!rep.obj)
		return kIOReturnNotAttached;   /* it went away meanwhile */
	m.obj = rep.obj;
	ret = rpc(up, &m, -1, &rep, NULL);
	*svc = rep.obj2;
	return ret ? ret : (*svc ? kIOReturnSuccess : kIOReturnNotAttached);
}

/*
 * Opens the service id of c for task with type, over a connection of its
 * own.  The driver process's answer (an exclusive-access or privilege
 * refusal, say) is returned unchanged.  uc_class receives the user
 * client's class name.
 */
static IOReturn upstream_open(struct child *c, iok_task_t *task, uint64_t id, uint32_t type,
			      struct upstream **out, char *uc_class, size_t cap)
{
	struct iok_wire_msg m, rep;
	struct upstream *up;
	uint32_t svc = 0;
	IOReturn ret = upstream_connect(c, task, &up);

	*out = NULL;
	if (ret)
		return ret;
	ret = upstream_lookup(up, id, &svc);
	if (!ret) {
		m = (struct iok_wire_msg){ .hdr.op = IOK_OP_SERVICE_OPEN, .obj = svc, .type = type };
		ret = rpc(up, &m, -1, &rep, NULL);
		up->conn = rep.obj2;
	}
	if (!ret) {
		m = (struct iok_wire_msg){ .hdr.op = IOK_OP_OBJECT_GET_CLASS, .obj = up->conn };
		pthread_mutex_lock(&up->lock);
		ret = rpc_locked(up, &m, -1, &rep, uc_class, cap, NULL, NULL);
		pthread_mutex_unlock(&up->lock);
		if (!ret && !uc_class[0])
			ret = kIOReturnIPCError;
	}
	if (ret) {
		upstream_free(up);
		return ret;
	}
	*out = up;
	return kIOReturnSuccess;
}

static void upstream_close(struct upstream *up)
{
	struct iok_wire_msg m = { .hdr.op = IOK_OP_SERVICE_CLOSE, .obj = up->conn }, rep;

	if (up->conn)
		rpc(up, &m, -1, &rep, NULL);
}

/* Copies the properties of name obj over there onto self. */
static void mirror_properties(struct upstream *up, uint32_t obj, iok_service_t *self)
{
	struct iok_wire_msg rep;
	iok_object_t *props = NULL;

	if (rpc_object(up, IOK_OP_ENTRY_GET_PROPERTIES, obj, NULL, &rep, &props) == 0 &&
	    iok_type(props) == IOK_TYPE_DICTIONARY)
		for (size_t i = 0; i < iok_dict_count(props); i++)
			iok_service_set_property(self, iok_string_cstr(iok_dict_key_at(props, i)),
						 iok_dict_value_at(props, i));
	iok_release(props);
}

/* A channel for one call: an idle one, or a new one. */
static IOReturn chan_take(struct upstream *up, struct uchan **out)
{
	struct iok_wire_msg m = { .hdr.op = IOK_OP_CHANNEL_OPEN }, rep;
	struct uchan *ch;
	IOReturn ret;
	int fd;

	pthread_mutex_lock(&up->pool_lock);
	while (!up->idle && up->n_chans >= UPSTREAM_CHANNELS_MAX && !up->broken)
		pthread_cond_wait(&up->pool_cond, &up->pool_lock);
	if (up->broken) {
		pthread_mutex_unlock(&up->pool_lock);
		return kIOReturnNotAttached;
	}
	if ((ch = up->idle)) {
		up->idle = ch->next;
		pthread_mutex_unlock(&up->pool_lock);
		*out = ch;
		return kIOReturnSuccess;
	}
	up->n_chans++;
	pthread_mutex_unlock(&up->pool_lock);
	ch = calloc(1, sizeof(*ch));
	fd = ch ? iok_sealed_memfd("iokit-channel", IOK_CHAN_SIZE, &ch->base) : -1;
	if (fd < 0) {
		ret = kIOReturnNoMemory;
		goto err;
	}
	ch->ctl = (struct iok_chan_ctl *)ch->base;
	ch->ctl->magic = IOK_CHAN_MAGIC;
	ch->ctl->version = IOK_CHAN_VERSION;
	ret = rpc(up, &m, fd, &rep, NULL);
	close(fd);
	if (ret) {
		munmap(ch->base, IOK_CHAN_SIZE);
		goto err;
	}
	ch->id = (uint32_t)rep.value;
	*out = ch;
	return kIOReturnSuccess;
err:
	free(ch);
	pthread_mutex_lock(&up->pool_lock);
	up->n_chans--;
	pthread_cond_signal(&up->pool_cond);
	pthread_mutex_unlock(&up->pool_lock);
	return ret;
}

static void chan_give(struct upstream *up, struct uchan *ch)
{
	pthread_mutex_lock(&up->pool_lock);
	ch->next = up->idle;
	up->idle = ch;
	pthread_cond_signal(&up->pool_cond);
	pthread_mutex_unlock(&up->pool_lock);
}

/* Makes the channel's out-of-line buffer at least size bytes. */
static IOReturn chan_ool(struct upstream *up, struct uchan *ch, size_t size)
{
	struct iok_wire_msg m = { .hdr.op = IOK_OP_CHANNEL_SET_OOL }, rep;
	size_t want = 0;
	uint8_t *map;
	IOReturn ret;
	int fd;

	if (size <= ch->ool_size)
		return kIOReturnSuccess;
	fd = iok_chan_ool_create(size, &want, &map);
	if (fd < 0)
		return kIOReturnNoMemory;
	m.value = ch->id;
	ret = rpc(up, &m, fd, &rep, NULL);
	close(fd);
	if (ret) {
		munmap(map, want);
		return ret;
	}
	if (ch->ool)
		munmap(ch->ool, ch->ool_size);
	ch->ool = map;
	ch->ool_size = want;
	return kIOReturnSuccess;
}

/* The driver process's name for our port (registered there once). */
static IOReturn upstream_port(struct upstream *up, uint32_t wake_port_name, iok_task_t *task,
			      uint32_t *name)
{
	iok_object_t *obj = iok_task_lookup(task, wake_port_name);
	iok_port_t *port = iok_port_from_object(obj);
	struct iok_wire_msg m = { .hdr.op = IOK_OP_PORT_REGISTER }, rep;
	IOReturn ret = kIOReturnSuccess;
	uint64_t id;
	int fd;

	if (!port) {
		iok_release(obj);
		return kIOReturnBadArgument;
	}
	id = iok_port_id(port);
	pthread_mutex_lock(&up->lock);
	for (uint32_t i = 0; i < up->n_ports; i++) {
		if (up->ports[i].port_id == id) {
			*name = up->ports[i].name;
			goto out;
		}
	}
	if (up->n_ports == UPSTREAM_PORTS_MAX) {
		ret = kIOReturnNoResources;
		goto out;
	}
	fd = iok_signal_dup_fd(iok_port_get_signal(port));
	if (fd < 0) {
		ret = kIOReturnNoResources;
		goto out;
	}
	ret = rpc_locked(up, &m, fd, &rep, NULL, 0, NULL, NULL);
	close(fd);
	if (!ret) {
		up->ports[up->n_ports].port_id = id;
		up->ports[up->n_ports++].name = rep.obj;
		*name = rep.obj;
	}
out:
	pthread_mutex_unlock(&up->lock);
	iok_release(obj);
	return ret;
}

/* Forwards one external method call through a channel. */
static IOReturn upstream_call(struct upstream *up, iok_service_t *uc, uint32_t selector,
			      IOExternalMethodArguments *args)
{
	size_t in_len = args->structureInputDescriptor ?
				iok_memory_length(args->structureInputDescriptor) : 0;
	size_t out_len = args->structureOutputDescriptor ? args->structureOutputDescriptorSize : 0;
	size_t out_off = (in_len + 63) & ~(size_t)63;
	/* Kept here: the request in the channel is memory the driver process
	 * can rewrite before it answers. */
	uint32_t out_cap = args->structureOutput ? args->structureOutputSize : 0;
	struct iok_wire_call_reply r;
	struct iok_wire_call *m;
	const uint8_t *rep;
	struct uchan *ch;
	uint32_t wake = 0, seq;
	IOReturn ret;

	if (args->asyncWakePort) {
		ret = upstream_port(up, args->asyncWakePort, iok_user_client_task(uc), &wake);
		if (ret)
			return ret;
	}
	ret = chan_take(up, &ch);
	if (ret)
		return ret;
	if (in_len + out_len) {
		ret = chan_ool(up, ch, out_off + out_len);
		if (ret)
			goto out;
		if (in_len)
			iok_memory_read(args->structureInputDescriptor, 0, ch->ool, in_len);
	}
	m = (struct iok_wire_call *)(ch->base + IOK_CHAN_REQ_OFF);
	memset(m, 0, sizeof(*m));
	m->hdr.op = IOK_OP_CONNECT_CALL;
	m->conn = up->conn;
	m->selector = selector;
	m->scalar_in_count = args->scalarInputCount;
	if (args->scalarInputCount)
		memcpy(m->scalar_in, args->scalarInput, args->scalarInputCount * sizeof(uint64_t));
	m->scalar_out_count = args->scalarOutputCount;
	m->struct_in_size = args->structureInput ? args->structureInputSize : 0;
	if (m->struct_in_size)
		memcpy(m + 1, args->structureInput, m->struct_in_size);
	m->struct_out_size = out_cap;
	m->ool_in_size = in_len;
	m->ool_out_offset = out_off;
	m->ool_out_size = out_len;
	if (wake) {
		m->wake_port = wake;
		m->async_ref_count = args->asyncReferenceCount;
		if (args->asyncReferenceCount)
			memcpy(m->async_ref, args->asyncReference,
			       args->asyncReferenceCount * sizeof(uint64_t));
	}
	m->hdr.size = (uint32_t)(sizeof(*m) + m->struct_in_size);
	seq = ++ch->seq ? ch->seq : ++ch->seq;
	/* Sleep at once: the client spins for this answer and the driver
	 * process works on it; a third spinner would starve one of them on a
	 * small machine (measured: bench_call's --isolate rows). */
	iok_chan_post(ch->ctl, seq);
	if (iok_chan_wait(ch->ctl, seq, 0, upstream_alive, up->child)) {
		ret = kIOReturnNotAttached;   /* the driver process went away */
		pthread_mutex_lock(&up->pool_lock);
		up->broken = true;
		pthread_cond_broadcast(&up->pool_cond);
		pthread_mutex_unlock(&up->pool_lock);
		goto out;
	}
	/* The reply is in memory the driver process shares: copy, then check. */
	rep = ch->base + IOK_CHAN_REP_OFF;
	memcpy(&r, rep, sizeof(r));
	if (r.hdr.size < sizeof(r) || r.hdr.size > IOK_CHAN_REP_MAX ||
	    r.scalar_out_count > args->scalarOutputCount ||
	    r.struct_out_size > out_cap || r.ool_out_size > out_len ||
	    r.hdr.size != sizeof(r) + r.struct_out_size) {
		ret = kIOReturnIPCError;
		goto out;
	}
	if (r.scalar_out_count)
		memcpy(args->scalarOutput, r.scalar_out, r.scalar_out_count * sizeof(uint64_t));
	args->scalarOutputCount = r.scalar_out_count;
	if (args->structureOutput && r.struct_out_size)
		memcpy(args->structureOutput, rep + sizeof(r), r.struct_out_size);
	args->structureOutputSize = r.struct_out_size;
	if (out_len) {
		iok_memory_write(args->structureOutputDescriptor, 0, ch->ool + out_off,
				 (size_t)r.ool_out_size);
		args->structureOutputDescriptorSize = (uint32_t)r.ool_out_size;
	}
	ret = r.hdr.result;
out:
	chan_give(up, ch);
	return ret;
}

/* ---- the proxies' ops ------------------------------------------------------ */

static void proxy_svc_free(iok_service_t *self)
{
	struct proxy_svc *p = iok_ivars(self);

	/* Every dynamic class of a chain has these ops: run once. */
	child_put(p->child);
	p->child = NULL;
}

static IOReturn proxy_new_user_client(iok_service_t *self, iok_task_t *task, void *security_id,
				      uint32_t type, iok_object_t *properties,
				      iok_service_t **handler)
{
	struct proxy_svc *p = iok_ivars(self);
	char uc_class[128];
	const iok_class_t *cls;
	struct upstream *up;
	IOReturn ret;

	*handler = NULL;
	if (!p->child)
		return kIOReturnNotAttached;
	ret = upstream_open(p->child, task, p->id, type, &up, uc_class, sizeof(uc_class));
	if (ret)
		return ret;
	cls = proxy_uc_class(uc_class, p->child->bundle);
	ret = cls ? iok_user_client_create(self, cls->name, task, security_id, type, properties,
					   handler) :
		    kIOReturnNoMemory;
	if (ret) {
		upstream_close(up);
		upstream_free(up);
		return ret;
	}
	((struct proxy_uc *)iok_ivars(*handler))->up = up;
	mirror_properties(up, up->conn, *handler);
	return kIOReturnSuccess;
}

static void proxy_uc_free(iok_service_t *self)
{
	struct proxy_uc *p = iok_ivars(self);

	upstream_free(p->up);
	p->up = NULL;
	for (int i = 0; i < PROXY_UC_TYPES_MAX; i++) {
		iok_port_release(p->ports[i].obj);
		p->ports[i].obj = NULL;
		iok_memory_release(p->maps[i].obj);
		p->maps[i].obj = NULL;
	}
}

/* The entry of t that holds type, else the first free one, else -1. */
static int typed_slot(const struct typed_ref *t, uint32_t type)
{
	int slot = -1;

	for (int i = 0; i < PROXY_UC_TYPES_MAX; i++) {
		if (t[i].obj && t[i].type == type)
			return i;
		if (!t[i].obj && slot < 0)
			slot = i;
	}
	return slot;
}

/* Remembers (mem NULL: looks up) the memory of type.  Returns the
 * remembered memory, retained, or NULL. */
static iok_memory_t *map_cache(struct proxy_uc *p, uint32_t type, iok_memory_t *mem,
			       uint32_t *options)
{
	iok_memory_t *found = NULL;
	int slot;

	pthread_mutex_lock(&maps_lock);
	slot = typed_slot(p->maps, type);
	if (mem && slot >= 0) {
		iok_memory_release(p->maps[slot].obj);
		p->maps[slot].type = type;
		p->maps[slot].options = *options;
		p->maps[slot].obj = iok_memory_retain(mem);
	} else if (!mem && slot >= 0 && p->maps[slot].obj) {
		found = iok_memory_retain(p->maps[slot].obj);
		*options = p->maps[slot].options;
	}
	pthread_mutex_unlock(&maps_lock);
	return found;
}

/* Keeps port as the one registered for type (NULL: none).  Runs under
 * the user client's exclusive lock. */
static IOReturn keep_port(struct proxy_uc *p, uint32_t type, iok_port_t *port)
{
	int slot = typed_slot(p->ports, type);

	if (slot < 0)
		return port ? kIOReturnNoResources : kIOReturnSuccess;
	iok_port_release(p->ports[slot].obj);
	p->ports[slot].type = type;
	p->ports[slot].obj = port ? iok_port_retain(port) : NULL;
	return kIOReturnSuccess;
}

static IOReturn proxy_uc_close(iok_service_t *self)
{
	struct proxy_uc *p = iok_ivars(self);

	if (p->up)
		upstream_close(p->up);
	return kIOReturnSuccess;
}

static IOReturn proxy_uc_died(iok_service_t *self)
{
	struct proxy_uc *p = iok_ivars(self);

	if (!p->up)
		return kIOReturnSuccess;
	/* Hanging up is what makes the driver process run clientDied. */
	pthread_mutex_lock(&p->up->lock);
	if (p->up->fd >= 0)
		shutdown(p->up->fd, SHUT_RDWR);
	pthread_mutex_unlock(&p->up->lock);
	return kIOReturnSuccess;
}

static IOReturn proxy_uc_external_method(iok_service_t *self, uint32_t selector,
					 IOExternalMethodArguments *args,
					 const IOExternalMethodDispatch *dispatch,
					 iok_service_t *target, void *reference)
{
	struct proxy_uc *p = iok_ivars(self);

	(void)dispatch;
	(void)target;
	(void)reference;
	if (!p->up)
		return kIOReturnNotAttached;
	return upstream_call(p->up, self, selector, args);
}

static IOReturn proxy_uc_memory(iok_service_t *self, uint32_t type, uint32_t *options,
				iok_memory_t **memory)
{
	struct proxy_uc *p = iok_ivars(self);
	struct iok_wire_msg m = { .hdr.op = IOK_OP_CONNECT_MAP, .type = type }, rep;
	iok_shmem_t *shm;
	IOReturn ret;
	int fd = -1;

	*memory = NULL;
	if (!p->up)
		return kIOReturnNotAttached;
	m.obj = p->up->conn;
	m.options = *options;
	ret = rpc(p->up, &m, -1, &rep, &fd);
	if (!ret && fd < 0)
		ret = kIOReturnIPCError;
	if (ret == kIOReturnNotAttached && (*memory = map_cache(p, type, NULL, options)))
		return kIOReturnSuccess;
	if (ret) {
		if (fd >= 0)
			close(fd);
		/* A failed map says kIOReturnBadArgument whatever the driver
		 * said; unmap reports the driver's own answer (which
		 * IOConnectUnmapMemory returns unchanged). */
		if (ret == kIOReturnBadArgument) {
			m = (struct iok_wire_msg){ .hdr.op = IOK_OP_CONNECT_UNMAP, .type = type,
						   .obj = p->up->conn };
			ret = rpc(p->up, &m, -1, &rep, NULL);
			if (!ret)
				ret = kIOReturnBadArgument;
		}
		return ret;
	}
	if (iok_shmem_adopt(fd, &shm) || iok_shmem_size(shm) < rep.value)
		return kIOReturnIPCError;
	*memory = iok_memory_from_shmem(shm);
	if (!*memory)
		return kIOReturnNoMemory;
	/* The driver's own option bits (cache mode, read-only) come back. */
	*options = rep.options & ~0xfffu;
	map_cache(p, type, *memory, options);
	return kIOReturnSuccess;
}

static IOReturn proxy_uc_set_port(iok_service_t *self, iok_port_t *port, uint32_t type,
				  uint64_t refcon)
{
	struct proxy_uc *p = iok_ivars(self);
	struct iok_wire_msg m = { .hdr.op = IOK_OP_CONNECT_SET_PORT, .type = type, .value = refcon },
			    rep;
	IOReturn ret;
	int fd = -1;

	if (!p->up)
		return kIOReturnNotAttached;
	if (port && (fd = iok_signal_dup_fd(iok_port_get_signal(port))) < 0)
		return kIOReturnNoResources;
	m.obj = p->up->conn;
	ret = rpc(p->up, &m, fd, &rep, NULL);
	if (fd >= 0)
		close(fd);
	return ret ? ret : keep_port(p, type, port);
}

/* IORegistryEntrySetCFProperties on a proxy: the driver's setProperties
 * over a connection with the host's own credentials (the call has no
 * caller), its property changes coming back as reports. */
static IOReturn proxy_svc_set_properties(iok_service_t *self, iok_object_t *properties)
{
	struct proxy_svc *p = iok_ivars(self);
	iok_task_t *host_task;
	struct upstream *up;
	struct iok_wire_msg rep;
	uint32_t svc;
	IOReturn ret;

	if (!p->child)
		return kIOReturnNotAttached;
	host_task = iok_task_create(getpid(), geteuid(), getegid(), "iokitd");
	if (!host_task)
		return kIOReturnNoMemory;
	ret = upstream_connect(p->child, host_task, &up);
	iok_task_destroy(host_task);
	if (ret)
		return ret;
	ret = upstream_lookup(up, p->id, &svc);
	if (!ret)
		ret = rpc_object(up, IOK_OP_ENTRY_SET_PROPERTIES, svc, properties, &rep, NULL);
	upstream_free(up);
	return ret;
}

static IOReturn proxy_uc_set_properties(iok_service_t *self, iok_object_t *properties)
{
	struct proxy_uc *p = iok_ivars(self);
	struct iok_wire_msg rep;
	IOReturn ret;

	if (!p->up)
		return kIOReturnNotAttached;
	ret = rpc_object(p->up, IOK_OP_ENTRY_SET_PROPERTIES, p->up->conn, properties, &rep, NULL);
	if (!ret)
		mirror_properties(p->up, p->up->conn, self);
	return ret;
}

static iok_service_t *proxy_uc_get_service(iok_service_t *self)
{
	return iok_service_provider(self);
}

const struct iok_class_ops proxy_svc_ops = {
	.free = proxy_svc_free,
	.new_user_client = proxy_new_user_client,
	.set_properties = proxy_svc_set_properties,
};

static const struct iok_class_ops proxy_uc_ops = {
	.free = proxy_uc_free,
	.client_close = proxy_uc_close,
	.client_died = proxy_uc_died,
	.external_method = proxy_uc_external_method,
	.client_memory_for_type = proxy_uc_memory,
	.register_notification_port = proxy_uc_set_port,
	.set_properties = proxy_uc_set_properties,
	.get_service = proxy_uc_get_service,
};

const iok_class_t *proxy_uc_class(const char *name, const char *bundle)
{
	return proxy_class(&name, 1, &iok_class_IOUserClient, &proxy_uc_ops, sizeof(struct proxy_uc),
			   bundle);
}
