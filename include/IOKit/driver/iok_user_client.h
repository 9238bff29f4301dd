/* SPDX-License-Identifier: MIT */
/*
 * iok_user_client.h - user clients: the object a service creates for each
 * connection (IOServiceOpen), external-method dispatch with Apple's types
 * and checks, privilege, exclusive open, and memory descriptors.
 *
 * A user-client class has iok_class_IOUserClient as an ancestor and
 * implements external_method.  The usual shape, as on macOS:
 *
 *	static const IOExternalMethodDispatch2022 sMethods[kNumMethods] = {
 *		[kMySelector] = { my_method, 2, 0, 2, 0, false, NULL },
 *	};
 *	static IOReturn my_external_method(iok_service_t *self, uint32_t sel,
 *			IOExternalMethodArguments *args,
 *			const IOExternalMethodDispatch *d, iok_service_t *t, void *r)
 *	{
 *		return iok_dispatch_external_method(self, sel, args, sMethods,
 *						    kNumMethods, self, NULL);
 *	}
 *
 * The runtime checks every count and size before the method runs; a
 * method never re-checks them.
 */
#ifndef IOK_USER_CLIENT_H
#define IOK_USER_CLIENT_H

#include <IOKit/driver/iok_service.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef uint64_t io_user_reference_t;

#define kIOExternalMethodArgumentsCurrentVersion 2
#define kIOUCVariableStructureSize 0xffffffffU
#define kIOExternalMethodScalarInputCountMax 16
#define kIOExternalMethodScalarOutputCountMax 16
#define kIOUserClientInbandMax 4096

/* Apple's IOExternalMethodArguments, same field names and order (the
 * descriptors are iok_memory_t here). */
struct IOExternalMethodArguments {
	uint32_t version;
	uint32_t selector;
	uint32_t asyncWakePort;
	io_user_reference_t *asyncReference;
	uint32_t asyncReferenceCount;
	const uint64_t *scalarInput;
	uint32_t scalarInputCount;
	const void *structureInput;
	uint32_t structureInputSize;
	iok_memory_t *structureInputDescriptor;
	uint64_t *scalarOutput;
	uint32_t scalarOutputCount;
	void *structureOutput;
	uint32_t structureOutputSize;
	iok_memory_t *structureOutputDescriptor;
	uint32_t structureOutputDescriptorSize;
	uint32_t __reservedA;
	iok_object_t **structureVariableOutputData;
	uint32_t __reserved[30];
};

typedef IOReturn (*IOExternalMethodAction)(iok_service_t *target, void *reference,
					   IOExternalMethodArguments *arguments);

struct IOExternalMethodDispatch {
	IOExternalMethodAction function;
	uint32_t checkScalarInputCount;
	uint32_t checkStructureInputSize;
	uint32_t checkScalarOutputCount;
	uint32_t checkStructureOutputSize;
};

typedef struct IOExternalMethodDispatch2022 {
	IOExternalMethodAction function;
	uint32_t checkScalarInputCount;
	uint32_t checkStructureInputSize;
	uint32_t checkScalarOutputCount;
	uint32_t checkStructureOutputSize;
	uint8_t allowAsync;
	const char *checkEntitlement;
} IOExternalMethodDispatch2022;

/*
 * IOUserClient::externalMethod with a chosen row (§2.3): the four count
 * checks (exact equality unless kIOUCVariableStructureSize), each failing
 * with kIOReturnBadArgument, then function(target, reference, args), or
 * kIOReturnNoCompletion when the row has no function.  A NULL dispatch is
 * the legacy path, which OpenIOKit does not have: kIOReturnUnsupported
 * (kIOReturnIPCError when an out-of-line descriptor is present).
 */
IOReturn iok_user_client_external_method(iok_service_t *self, uint32_t selector,
					 IOExternalMethodArguments *args,
					 const IOExternalMethodDispatch *dispatch,
					 iok_service_t *target, void *reference);

/*
 * IOUserClient2022::dispatchExternalMethod (§2.4): NULL table ->
 * kIOReturnError; selector >= count -> kIOReturnBadArgument; the four
 * checks; an async call to a row without allowAsync ->
 * kIOReturnBadArgument; checkEntitlement the caller lacks ->
 * kIOReturnNotPrivileged; then the function or kIOReturnNoCompletion.
 */
IOReturn iok_dispatch_external_method(iok_service_t *self, uint32_t selector,
				      IOExternalMethodArguments *args,
				      const IOExternalMethodDispatch2022 *table, uint32_t count,
				      iok_service_t *target, void *reference);

/*
 * The body of IOService::newUserClient once the class is chosen, for a
 * driver's own new_user_client (after its security check): instantiates
 * class_name, runs init_with_task, attaches it to provider and starts it,
 * with Apple's code for each failure (cannot instantiate ->
 * kIOReturnNoMemory, not an IOUserClient or attach/start failing ->
 * kIOReturnUnsupported, init_with_task false -> kIOReturnBadArgument).
 * *handler receives the new user client (a reference the open consumes).
 */
IOReturn iok_user_client_create(iok_service_t *provider, const char *class_name,
				iok_task_t *owning_task, void *security_id, uint32_t type,
				iok_object_t *properties, iok_service_t **handler);

/*
 * Async completions (IOUserClient::setAsyncReference64 /
 * sendAsyncResult64 / releaseAsyncReference64).  An async external method
 * receives args->asyncReference (args->asyncReferenceCount values, the
 * client's, with element kIOAsyncReservedIndex naming its wake port); a
 * driver copies the whole OSAsyncReference64 (8 values) and later sends
 * the result with up to kMaxAsyncArgs (16) arguments:
 * kIOReturnMessageTooLarge beyond that.  A completion for a client that
 * went away (or released its port) is dropped and returns success; one
 * that finds the client's queue full returns kIOReturnNoResources.
 */
IOReturn iok_send_async_result64(const io_user_reference_t *reference, IOReturn result,
				 const io_user_reference_t *args, uint32_t numArgs);
void iok_set_async_reference64(io_user_reference_t *reference, iok_port_t *port,
			       uint64_t callback, uint64_t refcon);
void iok_release_async_reference64(io_user_reference_t *reference);

/* Privilege names (IOUserClient.h). */
#define kIOClientPrivilegeAdministrator "root"
#define kIOClientPrivilegeLocalUser "local"
#define kIOClientPrivilegeForeground "foreground"

/*
 * clientHasPrivilege(securityToken, name): securityToken is the security
 * ID passed to new_user_client / init_with_task.  "root" succeeds exactly
 * when the caller's uid is 0 (refusal: kIOReturnNotPrivileged).  Other
 * names ("local", "foreground", ...) have no Linux meaning here and give
 * kIOReturnUnsupported, as unknown names do on macOS.
 */
IOReturn iok_client_has_privilege(void *security_token, const char *privilege);

/* The calling task's identity (for logging and policy). */
int32_t iok_task_pid(const iok_task_t *task);
uint32_t iok_task_uid(const iok_task_t *task);
/* Has the task the boolean entitlement name?  Linux has no code signing:
 * the host grants the entitlements listed (comma-separated) in its own
 * $IOKIT_ENTITLEMENTS to every client (docs/SECURITY.md). */
bool iok_task_has_entitlement(const iok_task_t *task, const char *name);

/* The user client's owning task and connection type. */
iok_task_t *iok_user_client_task(iok_service_t *uc);
uint32_t iok_user_client_type(iok_service_t *uc);

/*
 * Exclusive open of a provider, IOService::open/close: open fails with
 * kIOReturnExclusiveAccess while another client holds it, and with
 * kIOReturnNotAttached once the provider is inactive.  A client holding
 * the provider when it closes or dies is closed automatically.
 */
IOReturn iok_service_open(iok_service_t *provider, iok_service_t *client);
void iok_service_close(iok_service_t *provider, iok_service_t *client);
bool iok_service_is_open(iok_service_t *provider, iok_service_t *client);

/*
 * Memory descriptors.  A buffer descriptor owns shareable memory (a
 * memfd in iokitd, pages in the kernel) that clientMemoryForType can hand
 * to a client; an out-of-line method argument arrives as a descriptor over
 * the caller's shared buffer.  Contents of memory a client can map are
 * shared with that client: read them once into private memory before
 * validating.
 */
iok_memory_t *iok_memory_create(size_t length);       /* zero-filled */
iok_memory_t *iok_memory_retain(iok_memory_t *mem);
void iok_memory_release(iok_memory_t *mem);
size_t iok_memory_length(const iok_memory_t *mem);
void *iok_memory_bytes(iok_memory_t *mem);            /* the host's mapping */
size_t iok_memory_read(iok_memory_t *mem, size_t offset, void *buf, size_t len);
size_t iok_memory_write(iok_memory_t *mem, size_t offset, const void *buf, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* IOK_USER_CLIENT_H */
