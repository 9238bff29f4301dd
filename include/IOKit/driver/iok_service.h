/* SPDX-License-Identifier: MIT */
/*
 * iok_service.h - the driver API: classes, services, the registry, and the
 * driver descriptor a driver module exports.
 *
 * IOKit is object-oriented; in C a class is a `struct iok_class`: a name,
 * its superclass, the size of the per-instance state the driver wants
 * ("ivars", zeroed, reached with iok_ivars()), and an ops table in which a
 * NULL entry means "inherit the superclass's".  The runtime allocates and
 * owns every instance.  A driver module describes its classes and its
 * personalities (matching dictionaries naming an IOClass) in one
 * `struct iok_driver` and exports it with IOK_DRIVER().
 *
 *	static bool sample_start(iok_service_t *self, iok_service_t *provider)
 *	{
 *		iok_service_set_string(self, "Greeting", "hello");
 *		return iok_service_register(self) == 0;
 *	}
 *	static const struct iok_class_ops sample_ops = { .start = sample_start };
 *	const iok_class_t SampleDriver = {
 *		.name = "SampleDriver", .super = &iok_class_IOService,
 *		.ops = &sample_ops,
 *	};
 *
 * Functions return 0 or a negative errno unless they return IOReturn.
 */
#ifndef IOK_SERVICE_H
#define IOK_SERVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <IOKit/IOReturn.h>
#include <IOKit/driver/iok_object.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct iok_service iok_service_t;
typedef struct iok_class iok_class_t;
typedef struct iok_task iok_task_t;
typedef struct iok_memory iok_memory_t;
typedef struct iok_port iok_port_t;
typedef struct IOExternalMethodArguments IOExternalMethodArguments;
typedef struct IOExternalMethodDispatch IOExternalMethodDispatch;

/*
 * Virtual methods.  Every entry may be NULL (inherit).  The base classes
 * provide Apple's defaults (documented per entry).
 */
struct iok_class_ops {
	/* Constructor and destructor: unlike the other entries these are not
	 * inherited but chained.  The runtime runs every class's init from the
	 * base class down (false from any fails instantiation) and every
	 * class's free from the most derived up; free releases what the
	 * class's own ivars hold (the runtime frees the ivars memory). */
	bool (*init)(iok_service_t *self, iok_object_t *properties);
	void (*free)(iok_service_t *self);
	/* probe: return self (default), or NULL to decline; may lower or
	 * raise *score. */
	iok_service_t *(*probe)(iok_service_t *self, iok_service_t *provider, int32_t *score);
	bool (*start)(iok_service_t *self, iok_service_t *provider);   /* default true */
	void (*stop)(iok_service_t *self, iok_service_t *provider);
	/* Family hook for matching keys the runtime does not know (default
	 * true).  IOResources implements IOResourceMatch here. */
	bool (*match_property_table)(iok_service_t *self, iok_object_t *table, int32_t *score);
	/* Default: instantiate the class named by the IOUserClientClass
	 * property, then init_with_task, attach, start (Apple's codes). */
	IOReturn (*new_user_client)(iok_service_t *self, iok_task_t *owning_task, void *security_id,
				    uint32_t type, iok_object_t *properties, iok_service_t **handler);
	IOReturn (*set_properties)(iok_service_t *self, iok_object_t *properties); /* kIOReturnUnsupported */
	IOReturn (*message)(iok_service_t *self, uint32_t type, iok_service_t *provider, void *argument);

	/* IOUserClient. */
	bool (*init_with_task)(iok_service_t *self, iok_task_t *owning_task, void *security_id,
			       uint32_t type, iok_object_t *properties);             /* default true */
	IOReturn (*client_close)(iok_service_t *self);                  /* kIOReturnUnsupported */
	IOReturn (*client_died)(iok_service_t *self);                   /* calls client_close */
	IOReturn (*external_method)(iok_service_t *self, uint32_t selector,
				    IOExternalMethodArguments *args,
				    const IOExternalMethodDispatch *dispatch,
				    iok_service_t *target, void *reference);
	IOReturn (*client_memory_for_type)(iok_service_t *self, uint32_t type, uint32_t *options,
					   iok_memory_t **memory);          /* kIOReturnUnsupported */
	/* port is NULL when the client unregisters; keep a reference with
	 * iok_port_retain to use it later. */
	IOReturn (*register_notification_port)(iok_service_t *self, iok_port_t *port, uint32_t type,
					       uint64_t refcon);             /* kIOReturnUnsupported */
	iok_service_t *(*get_service)(iok_service_t *self);             /* NULL */
};

struct iok_class {
	const char *name;
	const iok_class_t *super;
	size_t ivars_size;
	const struct iok_class_ops *ops;
};

/* The runtime's base classes. */
extern const iok_class_t iok_class_IORegistryEntry;
extern const iok_class_t iok_class_IOService;
extern const iok_class_t iok_class_IOResources;
extern const iok_class_t iok_class_IOUserClient;

/* Classes: registration by name (drivers' classes are registered when the
 * driver loads), lookup, and the is-a test. */
const iok_class_t *iok_class_find(const char *name);
bool iok_class_is_a(const iok_class_t *cls, const char *name);

/* Services: identity. */
const iok_class_t *iok_service_class(const iok_service_t *s);
const char *iok_service_class_name(const iok_service_t *s);
bool iok_service_conforms_to(const iok_service_t *s, const char *class_name);
uint64_t iok_service_id(const iok_service_t *s);
void *iok_ivars(iok_service_t *s);
iok_service_t *iok_service_retain(iok_service_t *s);
void iok_service_release(iok_service_t *s);

/* Names and locations (copied into the caller's buffer of len bytes). */
int iok_service_set_name(iok_service_t *s, const char *name);
int iok_service_set_location(iok_service_t *s, const char *location);
void iok_service_get_name(iok_service_t *s, char *buf, size_t len);
void iok_service_get_location(iok_service_t *s, char *buf, size_t len);

/* Properties.  copy returns a new reference or NULL. */
iok_object_t *iok_service_copy_property(iok_service_t *s, const char *key);
iok_object_t *iok_service_copy_properties(iok_service_t *s);
int iok_service_set_property(iok_service_t *s, const char *key, iok_object_t *value);
int iok_service_remove_property(iok_service_t *s, const char *key);
int iok_service_set_string(iok_service_t *s, const char *key, const char *value);
int iok_service_set_number(iok_service_t *s, const char *key, uint64_t value, unsigned bits);
int iok_service_set_bool(iok_service_t *s, const char *key, bool value);
bool iok_service_get_bool(iok_service_t *s, const char *key);

/* The IOService plane.  provider is borrowed (valid while s is). */
iok_service_t *iok_service_provider(iok_service_t *s);
bool iok_service_is_inactive(iok_service_t *s);

/* Instantiate a class (not attached).  Returns a new reference or NULL. */
iok_service_t *iok_service_create(const char *class_name, iok_object_t *properties);
int iok_service_attach(iok_service_t *s, iok_service_t *provider);
void iok_service_detach(iok_service_t *s);

/* registerService: publish s and run driver matching on it.  Matching of
 * nested registrations runs before the outermost call returns. */
int iok_service_register(iok_service_t *s);

/*
 * IOService::terminate: s and everything attached below it become
 * inactive; interested clients get kIOMessageServiceIsTerminated and the
 * clients of a terminated provider message(kIOMessageServiceIsTerminated);
 * then, children first, each is stopped (a user client once its calls in
 * progress are done; later calls fail with kIOReturnNotAttached) and
 * detached, and kIOTerminatedNotification fires.  Returns 0, or -EALREADY
 * when s was already inactive.
 */
int iok_service_terminate(iok_service_t *s);
/* IOService::messageClients for the client side: sends type/argument to
 * every kIOGeneralInterest notification on s. */
IOReturn iok_service_message_clients(iok_service_t *s, uint32_t type, uint64_t argument);

/* IOResources: publish a resource (value NULL means the string
 * "IOService", as Apple's default) and re-run matching. */
int iok_publish_resource(const char *key, iok_object_t *value);
iok_service_t *iok_resources(void);   /* borrowed */

/* Monotonic time in nanoseconds (mach_absolute_time's role). */
uint64_t iok_clock_uptime_ns(void);

/* Superclass calls, for ops that extend rather than replace. */
bool iok_super_start(const iok_class_t *cls, iok_service_t *self, iok_service_t *provider);
void iok_super_stop(const iok_class_t *cls, iok_service_t *self, iok_service_t *provider);

/*
 * Personalities for hardware-less drivers: for each class name, a
 * dictionary { IOClass: name, IOProviderClass: IOResources,
 * IOResourceMatch: IOKit, IOMatchCategory: name }.  Returns a new array
 * (class_names is NULL-terminated), or NULL.
 */
iok_object_t *iok_resource_personalities(const char *const *class_names);

/* The driver descriptor. */
#define IOK_DRIVER_ABI_VERSION 1

struct iok_driver {
	uint32_t abi_version;                 /* IOK_DRIVER_ABI_VERSION */
	const char *bundle_id;                /* "org.openiokit.TestDriver" */
	const char *version;                  /* "1.0.0" */
	const iok_class_t *const *classes;    /* NULL-terminated */
	/* Builds the personalities: a new array of dictionaries. */
	iok_object_t *(*personalities)(void);
};

/* Registers a driver (classes, then personalities, then matching).
 * Returns 0, -EEXIST for a bundle already loaded, -EINVAL, -ENOMEM. */
int iok_driver_register(const struct iok_driver *driver);

#define IOK_DRIVER_ENTRY_SYMBOL "iok_driver_entry"
#ifndef __KERNEL__
/* In a user-space driver module: the host dlopen()s the module and calls
 * iok_driver_entry() to get its descriptor. */
#define IOK_DRIVER(desc) \
	__attribute__((visibility("default"))) const struct iok_driver *iok_driver_entry(void); \
	const struct iok_driver *iok_driver_entry(void) { return &(desc); }
#endif

#ifdef __cplusplus
}
#endif

#endif /* IOK_SERVICE_H */
