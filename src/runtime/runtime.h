/* SPDX-License-Identifier: MIT */
/*
 * runtime.h - private structures of the driver runtime, shared by its
 * source files (registry, matching, tasks, user clients, the server).
 */
#ifndef IOK_RUNTIME_H
#define IOK_RUNTIME_H

#include "iok_os.h"
#include "iok_export.h"
#include "callgate.h"
#include <IOKit/driver/iok_object.h>
#include <IOKit/driver/iok_service.h>

/* Service state bits (registry lock). */
#define IOK_SVC_REGISTERED  0x1u   /* registerService was called */
#define IOK_SVC_MATCHED     0x2u   /* driver matching has run on it */
#define IOK_SVC_INACTIVE    0x4u   /* terminated */
#define IOK_SVC_STARTED     0x8u   /* start() succeeded */

struct iok_uc;

struct iok_service {
	iok_object_t obj;
	const iok_class_t *cls;
	uint64_t id;
	void *ivars;

	/* Protected by lock. */
	iok_mutex_t lock;
	char *name;          /* NULL: the class name */
	char *location;      /* NULL: none */
	iok_object_t *props; /* dictionary */

	/* Protected by the registry lock: the IOService plane and state. */
	iok_service_t *provider;      /* holds a reference */
	iok_service_t *first_child;   /* children hold references to us */
	iok_service_t *last_child;
	iok_service_t *next_sibling;
	iok_service_t *prev_sibling;
	uint32_t state;

	struct iok_uc *uc;   /* IOUserClient instances only */
	iok_service_t *open_client;   /* exclusive opener (weak), service lock */
};

/* User-client state (userclient.c). */
struct iok_uc {
	iok_task_t *task;        /* owning task (a reference), set by open */
	uint32_t type;
	/* Calls enter it (or lock it, if single-threaded); close, death,
	 * terminate, port and memory requests lock it. */
	struct iok_callgate callgate;
	uint32_t closed;         /* 0 -> 1 exactly once (atomic) */
	uint32_t terminated;     /* provider terminated: calls refused (atomic) */
	bool single_threaded;
	/* The class's externalMethod, found once (classes do not change). */
	IOReturn (*external_method)(iok_service_t *, uint32_t, IOExternalMethodArguments *,
				    const IOExternalMethodDispatch *, iok_service_t *, void *);
};

/* Header flag: the object is never freed and its count never changes. */
#define IOK_OBJECT_IMMORTAL 0x80000000u

/*
 * iok_retain / iok_release inline, for the runtime's call path (a method
 * call takes and drops one reference on its user client); the exported
 * functions are these.
 */
static inline iok_object_t *iok_ref(iok_object_t *obj)
{
	if (obj && !(obj->flags & IOK_OBJECT_IMMORTAL))
		iok_atomic_add(&obj->refcount, 1, IOK_RELAXED);
	return obj;
}

static inline void iok_unref(iok_object_t *obj)
{
	if (!obj || (obj->flags & IOK_OBJECT_IMMORTAL))
		return;
	if (iok_atomic_sub(&obj->refcount, 1, IOK_ACQ_REL) == 0 && obj->kind && obj->kind->free)
		obj->kind->free(obj);
}

/* A reference to an object found through a weak pointer (a list its free
 * function unlinks it from, under the list's lock): false when the last
 * reference is already gone. */
bool iok_try_retain(iok_object_t *obj);

/* The registry lock guards every plane link and state word.  Driver code
 * is never called with it held. */
void iok_registry_rdlock(void);
void iok_registry_wrlock(void);
void iok_registry_unlock(void);

/* Initialises the registry (Root, the platform device, IOResources).
 * Idempotent; returns 0 or -ENOMEM. */
int iok_runtime_init(void);
/* Tears everything down (tests). */
void iok_runtime_shutdown(void);

iok_service_t *iok_registry_root(void);  /* borrowed */

/* Registry-order walk of the IOService plane under the registry read
 * lock.  fn returns false to stop. */
typedef bool (*iok_walk_fn_t)(iok_service_t *s, void *ctx);
void iok_registry_walk(iok_walk_fn_t fn, void *ctx);

/* The op lookup: the first non-NULL entry at byte offset off of the ops
 * tables from cls up to the base class. */
typedef void (*iok_op_fn_t)(void);
iok_op_fn_t iok_class_find_op(const iok_class_t *cls, size_t off);
#define IOK_OP(cls, field) \
	((__typeof__(((struct iok_class_ops *)0)->field)) \
	 iok_class_find_op(cls, offsetof(struct iok_class_ops, field)))

/* Class registry.  Base classes are built in. */
int iok_class_register(const iok_class_t *cls);
/* The same for a class that belongs to bundle (kept, not copied), where
 * the catalogue does not know it (iokitd --isolate's proxies). */
int iok_class_register_bundle(const iok_class_t *cls, const char *bundle);
void iok_class_unregister(const iok_class_t *cls);
/* Instance counts per class, for diagnostics. */
uint32_t iok_class_instance_count(const char *name);

/* Service helpers. */
bool iok_service_is_user_client(const iok_service_t *s);
uint32_t iok_service_state(iok_service_t *s);
/* Path in the IOService plane ("IOService:/A/B@1").  -ENAMETOOLONG. */
int iok_service_get_path(iok_service_t *s, char *buf, size_t len);
/* Looks up a path.  Returns a new reference or NULL. */
iok_service_t *iok_service_from_path(const char *path);
/* Snapshot of children / provider as an array of services (references
 * held by the array entries). */
iok_service_t **iok_service_copy_children(iok_service_t *s, size_t *count);

/* Matching (matching.c). */
bool iok_match_table(iok_service_t *s, iok_object_t *table, bool changes_ok, int32_t *score);
void iok_matching_enqueue(iok_service_t *s);
void iok_matching_init(void);
void iok_matching_drain(void);
bool iok_matching_busy(void);
/* The personality catalogue. */
int iok_catalogue_add(const struct iok_driver *driver, iok_object_t *personalities);
void iok_catalogue_reset(void);

/* IOService::getMatchingServices: a new array of the registered, matched,
 * active services that match table (references in the array). */
iok_object_t *iok_copy_matching_services(iok_object_t *table);

/* Entries as objects: an iok_object_t * for a service and back. */
static inline iok_object_t *iok_service_object(iok_service_t *s)
{
	return s ? &s->obj : NULL;
}
extern const struct iok_object_kind iok_service_kind;

static inline iok_service_t *iok_object_service(iok_object_t *obj)   /* NULL if not an entry */
{
	return obj && obj->kind == &iok_service_kind ? (iok_service_t *)obj : NULL;
}


/* ---- tasks: one per client process connection (task.c) ---------------- */

/*
 * A task is the host's view of a client: its credentials and its table of
 * object names.  Names are per task (a name means nothing in another
 * task); one object has one name per task, and each time the object is
 * handed out again its user-reference count on that name goes up, as with
 * Mach send rights.  Names look like Mach names: (index + 1) << 8 | gen,
 * with (gen & 3) == 3.
 */
#define IOK_TASK_MAX_NAMES 65536

struct iok_task {
	iok_object_t obj;
	int32_t pid;
	uint32_t uid;
	uint32_t gid;
	char name[64];

	iok_mutex_t lock;
	struct iok_name_slot *slots;
	uint32_t n_slots;     /* slots in use or freed */
	uint32_t cap;
	uint32_t free_head;   /* index + 1 of the first free slot, 0 if none */
	uint32_t live;
	uint32_t *hash;       /* object -> index + 1, open addressing */
	uint32_t hash_cap;
	bool dead;            /* destroyed: names no new object */

	/* User clients this task opened and has not closed (references). */
	iok_service_t **clients;
	uint32_t n_clients;
	uint32_t clients_cap;
};

iok_task_t *iok_task_create(int32_t pid, uint32_t uid, uint32_t gid, const char *name);
/* Drops every name of the task, then the creator's reference. */
void iok_task_destroy(iok_task_t *task);
/* Names obj in task (new name or +1 uref).  Returns the name, or 0 when
 * the table is full or memory ran out. */
uint32_t iok_task_name_object(iok_task_t *task, iok_object_t *obj);
/* The object a name denotes, retained; NULL if the name is not valid. */
iok_object_t *iok_task_lookup(iok_task_t *task, uint32_t name);
/* The user client a name denotes (*out, a reference): kIOReturnSuccess,
 * MACH_SEND_INVALID_DEST for a name that is not valid, or
 * kIOReturnBadArgument for one that names something else. */
IOReturn iok_task_lookup_client(iok_task_t *task, uint32_t name, iok_service_t **out);
/* Adds delta (+1/-1) user references; at zero the name is freed.
 * Returns 0, or -ENOENT for an invalid name, -EOVERFLOW. */
int iok_task_mod_refs(iok_task_t *task, uint32_t name, int delta);
uint32_t iok_task_urefs(iok_task_t *task, uint32_t name);
uint32_t iok_task_name_count(iok_task_t *task);
/* The task's live names (iok_free), *count of them; NULL without memory. */
uint32_t *iok_task_copy_names(iok_task_t *task, uint32_t *count);

/* ---- user clients (userclient.c) -------------------------------------- */

#include <IOKit/driver/iok_user_client.h>

/* IOService's default newUserClient (IOUserClientClass). */
IOReturn iok_service_default_new_user_client(iok_service_t *self, iok_task_t *task,
					     void *security_id, uint32_t type,
					     iok_object_t *properties, iok_service_t **handler);
/* IOServiceOpen: newUserClient, then Apple's checks; *out is a new
 * reference.  Returns Apple's codes. */
IOReturn iok_user_client_open(iok_task_t *task, iok_service_t *service, uint32_t type,
			      iok_service_t **out);
/* IOServiceClose: clientClose at most once; always succeeds for a user
 * client (kIOReturnBadArgument for anything else). */
IOReturn iok_user_client_close(iok_service_t *uc);
/* An external method call on a user client (uc->uc set); args is fully
 * built and checked for transport limits.  kIOReturnNotAttached once the
 * client is closed.  Inline: it is the middle of every call. */
static inline IOReturn iok_user_client_call(iok_service_t *uc, IOExternalMethodArguments *args)
{
	struct iok_uc *u = uc->uc;
	bool excl = u->single_threaded;
	IOReturn ret;

	if (excl)
		iok_callgate_lock(&u->callgate);
	else
		iok_callgate_enter(&u->callgate);
	if (iok_atomic_load(&u->closed, IOK_ACQUIRE) || iok_atomic_load(&u->terminated, IOK_ACQUIRE))
		ret = kIOReturnNotAttached;
	else
		ret = u->external_method(uc, args->selector, args, NULL, NULL, NULL);
	if (excl)
		iok_callgate_unlock(&u->callgate);
	else
		iok_callgate_leave(&u->callgate);
	return ret;
}
/* The task is gone: clientDied for every client it did not close. */
void iok_task_clients_died(iok_task_t *task);
/* Entitlements the host grants (comma-separated names), see docs. */
void iok_runtime_set_entitlements(const char *csv);

/* Memory descriptors (memory.c).  Wraps memory owned by someone else
 * (an out-of-line argument): no copy, not freed by the descriptor. */
iok_memory_t *iok_memory_wrap(void *addr, size_t len);
iok_shmem_t *iok_memory_shmem(iok_memory_t *mem);   /* NULL for wrapped */
/* A descriptor owning shm (taken over), whose bytes the host does not
 * touch (memory of an isolated driver's process, passed through). */
iok_memory_t *iok_memory_from_shmem(iok_shmem_t *shm);

/* Notification ports (port.c): takes ownership of sig.  Every port has
 * an id, never reused, that an async reference carries in its element 0
 * (kIOAsyncReservedIndex), so that a completion for a port that is gone
 * finds nothing instead of freed memory. */
#include <IOKit/driver/iok_port.h>
void iok_ports_init(void);
iok_port_t *iok_port_create(iok_signal_t *sig);
uint64_t iok_port_id(const iok_port_t *port);
iok_port_t *iok_port_from_id(uint64_t id);          /* a reference, or NULL */
iok_port_t *iok_port_from_object(iok_object_t *obj); /* NULL if not a port */
iok_object_t *iok_port_object(iok_port_t *port);
iok_signal_t *iok_port_get_signal(iok_port_t *port);   /* borrowed */
/* Queues a message (never blocks): 0, -EAGAIN (queue full, dropped),
 * -EPIPE, -ENOTSUP (a signal-only port). */
int iok_port_send_msg(iok_port_t *port, const void *msg, size_t len);
bool iok_port_carries_messages(const iok_port_t *port);

/* ---- notifications (notify.c) and termination (terminate.c) ----------- */

enum iok_notify_event {
	IOK_NOTIFY_PUBLISHED,       /* registerService */
	IOK_NOTIFY_MATCHED,         /* driver matching has run on it */
	IOK_NOTIFY_WILL_TERMINATE,  /* terminate, before stop */
	IOK_NOTIFY_TERMINATED,      /* terminate, after stop */
};
void iok_notify_init(void);
/* Fires the matching notifiers of event that match s. */
void iok_notify_matching(iok_service_t *s, enum iok_notify_event event);
/* A new matching notifier (an iterator) of type (kIOFirstMatchNotification,
 * ...) for table, sending to port with the client's async reference. */
IOReturn iok_notify_add_matching(iok_task_t *task, const char *type, iok_object_t *table,
				 iok_port_t *port, const uint64_t *ref, uint32_t ref_count,
				 iok_object_t **out);
IOReturn iok_notify_add_interest(iok_task_t *task, iok_service_t *service, const char *type,
				 iok_port_t *port, const uint64_t *ref, uint32_t ref_count,
				 iok_object_t **out);
bool iok_is_notifier(const iok_object_t *obj);
/* IOIteratorNext on a matching notifier: the newest pending service, or
 * NULL (which arms it). */
iok_object_t *iok_notifier_next(iok_object_t *obj);

/*
 * An observer of the registry (iokitd's driver processes under --isolate
 * report their services to the host this way).  Called without runtime
 * locks held: once when a service is first matched (visible to clients),
 * when it is about to terminate, and after each change to its properties.
 * Set once, before drivers load.
 */
enum iok_observe_event {
	IOK_OBSERVE_PUBLISHED,
	IOK_OBSERVE_TERMINATING,
	IOK_OBSERVE_PROPERTIES,
};
typedef void (*iok_observer_fn)(iok_service_t *s, enum iok_observe_event event);
void iok_runtime_set_observer(iok_observer_fn fn);
void iok_observe(iok_service_t *s, enum iok_observe_event event);

/* Waits until no matching is in progress or queued: 0 or -ETIMEDOUT.
 * timeout_ns UINT64_MAX waits for ever. */
int iok_matching_wait_quiet(uint64_t timeout_ns);

/* Driver unload: the driver's personalities leave the catalogue and its
 * services are terminated.  Returns how many instances of its classes
 * are still alive (held by clients); at 0 its classes can go. */
uint32_t iok_driver_unregister(const struct iok_driver *driver);
uint32_t iok_driver_instance_count(const struct iok_driver *driver);
void iok_driver_unregister_classes(const struct iok_driver *driver);
void iok_catalogue_remove(const struct iok_driver *driver);

/* ---- iterators (iterator.c) ------------------------------------------- */

/* An iterator over a snapshot array of objects (held by the iterator). */
iok_object_t *iok_iterator_create(iok_object_t *array);
/* Next object (retained) or NULL at the end. */
iok_object_t *iok_iterator_next(iok_object_t *it);
void iok_iterator_reset(iok_object_t *it);

/* ---- the message server (server.c) ------------------------------------ */

/*
 * Handles one request of task.  req/len is exactly what was received.
 * Writes the reply into reply (cap bytes, at least IOK_WIRE_MAX_MSG) and
 * returns its length, or -EPROTO when the message cannot be answered at all
 * (no readable header): the transport then drops the client.  With ool
 * non-NULL, a data area too large for the message is left in *ool and the
 * reply says so (IOK_WIRE_F_DATA_OOL); without, such a reply fails with
 * kIOReturnNoResources.
 */
/* A reply's data area that did not fit in the message (the transport
 * sends it out of line); data is freed by the caller with iok_free. */
struct iok_reply_ool {
	void *data;
	size_t len;
};

long iok_server_handle(iok_task_t *task, const void *req, size_t len, void *reply, size_t cap,
		       struct iok_reply_ool *ool);

/* What a host does to load and unload driver modules (iokitd: dlopen).
 * load returns Apple-style codes; unload reports how many instances of
 * the driver's classes are still alive (its code stays until they go);
 * list returns a new array of dictionaries (iokitctl list). */
struct iok_driver_host {
	IOReturn (*load)(const char *path);
	IOReturn (*unload)(const char *bundle_id, uint32_t *remaining);
	iok_object_t *(*list)(void);
};
/* Only root and admin_uid (the host's own user) may load or unload. */
void iok_server_set_driver_host(const struct iok_driver_host *host, uint32_t admin_uid);

/* IOConnectSetNotificationPort: registerNotificationPort under the
 * client's exclusive lock.  port may be NULL. */
IOReturn iok_server_set_port(iok_task_t *task, uint32_t conn, iok_port_t *port, uint32_t type,
			     uint64_t refcon);
/* IOConnectMapMemory64: clientMemoryForType; *mem is a new reference to
 * an owning descriptor the transport hands to the client, *options the
 * final options (driver bits above 0xfff, the caller's below). */
IOReturn iok_server_map(iok_task_t *task, uint32_t conn, uint32_t type, uint32_t user_options,
			iok_memory_t **mem, uint32_t *options);
/* IOConnectUnmapMemory64's host part: clientMemoryForType must still
 * succeed for the type (its error is returned unchanged). */
IOReturn iok_server_unmap(iok_task_t *task, uint32_t conn, uint32_t type);

/* The caller's out-of-line buffer as the host maps it (a call channel's). */
struct iok_ool {
	uint8_t *base;
	size_t size;
};

/*
 * Handles one IOK_OP_CONNECT_CALL (struct iok_wire_call, already copied
 * into private memory: the method reads its scalars and inband structure
 * in place).  ool is the caller's out-of-line buffer, or NULL when the
 * transport has none (then out-of-line arguments fail with
 * kIOReturnIPCError).  cap must hold the reply with the request's inband
 * output.  Returns the reply length or -EPROTO.
 *
 * Of the reply, only the header, the counts, the first scalar_out_count
 * scalars and the struct_out_size bytes that follow are written: a
 * transport sends no more than those, or clears its buffer once so that
 * the rest is never another caller's data.
 */
long iok_server_call(iok_task_t *task, const void *req, size_t len, const struct iok_ool *ool,
		     void *reply, size_t cap);

#endif /* IOK_RUNTIME_H */
