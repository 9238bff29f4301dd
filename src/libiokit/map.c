// SPDX-License-Identifier: MIT
/*
 * map.c - IOConnectMapMemory64 / IOConnectUnmapMemory64 and
 * IOConnectSetNotificationPort.  The host hands over the driver's memory as
 * a sealed memfd; the library maps it and remembers the mapping so that
 * it dies with its connection, as a user client's mappings do on macOS.
 *
 * At IOServiceClose the driver's memory goes at once, but the range stays
 * readable: it is replaced, in one step, by private zero pages ("retired").
 * A thread still reading it (a receive loop that the close is about to
 * end, the usual way to stop one) reads an empty queue instead of
 * faulting.  A retired range costs address space only; it is freed by
 * IOConnectUnmapMemory64 or vm_deallocate on it, or when RETIRED_MAX later
 * ranges have been retired.
 */
#include "libiokit.h"
#include "vm.h"

#include <mach/message.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

struct mapping {
	struct mapping *next;
	io_connect_t conn;
	uint32_t type;
	int prot;
	mach_vm_address_t addr;
	mach_vm_size_t size;
};

#define RETIRED_MAX 32

static pthread_mutex_t maps_lock = PTHREAD_MUTEX_INITIALIZER;
static struct mapping *maps;
static struct {
	mach_vm_address_t addr;
	mach_vm_size_t size;   /* 0: a free slot */
} retired[RETIRED_MAX];     /* maps_lock */
static unsigned retired_next;   /* the slot replaced next (the oldest) */

static IOReturn fd_call(const struct iok_rpc *req, int fd, struct iok_wire_msg *out, int *out_fd)
{
	struct iok_reply rep;
	IOReturn ret;

	memset(out, 0, sizeof(*out));
	ret = iok_call_fd2(req, fd, &rep, out_fd);
	if (rep.msg)
		*out = *rep.msg;
	iok_reply_free(&rep);
	return ret;
}

IOK_EXPORT kern_return_t IOConnectSetNotificationPort(io_connect_t connect, uint32_t type,
						      mach_port_t port, uintptr_t reference)
{
	struct iok_rpc req = { .op = IOK_OP_CONNECT_SET_PORT, .obj = connect, .type = type,
			       .value = reference };
	struct iok_wire_msg m;
	int fd = -1;
	IOReturn ret;

	if (port != MACH_PORT_NULL) {
		fd = iok_port_dup_fd(port);
		if (fd < 0)
			return MACH_SEND_INVALID_RIGHT;
	}
	ret = fd_call(&req, fd, &m, NULL);
	if (fd >= 0)
		close(fd);
	return ret;
}

IOK_EXPORT kern_return_t IOConnectMapMemory64(io_connect_t connect, uint32_t memoryType,
					      task_port_t intoTask, mach_vm_address_t *atAddress,
					      mach_vm_size_t *ofSize, IOOptionBits options)
{
	struct iok_rpc req = { .op = IOK_OP_CONNECT_MAP, .obj = connect, .type = memoryType,
			       .options = options & kIOMapUserOptionsMask };
	struct mapping *rec;
	struct iok_wire_msg m;
	int fd = -1, prot, flags = MAP_SHARED;
	void *hint = NULL, *p;
	IOReturn ret;

	if (intoTask != mach_task_self() || !atAddress || !ofSize)
		return kIOReturnBadArgument;
	ret = fd_call(&req, -1, &m, &fd);
	if (ret != kIOReturnSuccess)
		return ret;
	if (fd < 0 || !m.value || m.value > SIZE_MAX) {
		if (fd >= 0)
			close(fd);
		return kIOReturnIPCError;
	}
	prot = PROT_READ | (m.options & kIOMapReadOnly ? 0 : PROT_WRITE);
	if (!(options & kIOMapAnywhere)) {
		hint = (void *)(uintptr_t)*atAddress;
		flags |= MAP_FIXED_NOREPLACE;
	}
	p = mmap(hint, (size_t)m.value, prot, flags, fd, 0);
	close(fd);
	if (p == MAP_FAILED || (hint && p != hint)) {
		if (p != MAP_FAILED)
			munmap(p, (size_t)m.value);
		return kIOReturnBadArgument;   /* Apple's code for a failed mapping */
	}
	rec = malloc(sizeof(*rec));
	if (!rec) {
		munmap(p, (size_t)m.value);
		return kIOReturnNoMemory;
	}
	*rec = (struct mapping){ NULL, connect, memoryType, prot, (uintptr_t)p, m.value };
	pthread_mutex_lock(&maps_lock);
	rec->next = maps;
	maps = rec;
	pthread_mutex_unlock(&maps_lock);
	*atAddress = rec->addr;
	*ofSize = rec->size;
	return kIOReturnSuccess;
}

/* Takes the record for (connect, type, addr) out of the list. */
static struct mapping *take_mapping(io_connect_t connect, uint32_t type, mach_vm_address_t addr)
{
	struct mapping **pp, *found = NULL;

	pthread_mutex_lock(&maps_lock);
	for (pp = &maps; *pp; pp = &(*pp)->next) {
		if ((*pp)->conn == connect && (*pp)->type == type && (*pp)->addr == addr) {
			found = *pp;
			*pp = found->next;
			break;
		}
	}
	pthread_mutex_unlock(&maps_lock);
	return found;
}

IOK_EXPORT kern_return_t IOConnectUnmapMemory64(io_connect_t connect, uint32_t memoryType,
						task_port_t fromTask, mach_vm_address_t atAddress)
{
	struct iok_rpc req = { .op = IOK_OP_CONNECT_UNMAP, .obj = connect, .type = memoryType };
	struct iok_wire_msg m;
	struct mapping *rec;
	IOReturn ret;

	if (fromTask != mach_task_self())
		return kIOReturnBadArgument;
	ret = fd_call(&req, -1, &m, NULL);
	if (ret != kIOReturnSuccess) {
		/* clientMemoryForType's own error, or a closed connection's:
		 * the range such a connection left is freed all the same. */
		iok_map_free_retired(atAddress, 0);
		return ret;
	}
	rec = take_mapping(connect, memoryType, atAddress);
	if (!rec)
		return kIOReturnBadArgument;
	munmap((void *)(uintptr_t)rec->addr, (size_t)rec->size);
	free(rec);
	return kIOReturnSuccess;
}

bool iok_map_find(mach_vm_address_t addr, io_connect_t *conn, uint32_t *type,
		  mach_vm_address_t *start, mach_vm_size_t *size)
{
	struct mapping *r;

	pthread_mutex_lock(&maps_lock);
	for (r = maps; r; r = r->next)
		if (addr >= r->addr && addr - r->addr < r->size)
			break;
	if (r) {
		if (conn)
			*conn = r->conn;
		if (type)
			*type = r->type;
		if (start)
			*start = r->addr;
		if (size)
			*size = r->size;
	}
	pthread_mutex_unlock(&maps_lock);
	return r != NULL;
}

/* Replaces the mapping with private zero pages and remembers the range,
 * freeing the oldest remembered one when all slots are taken. */
static void retire(const struct mapping *r)
{
	mach_vm_size_t size = (r->size + vm_page_mask) & ~(mach_vm_size_t)vm_page_mask;
	void *p = mmap((void *)(uintptr_t)r->addr, (size_t)size, r->prot,
		       MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	mach_vm_address_t old_addr;
	mach_vm_size_t old_size;

	if (p == MAP_FAILED) {
		munmap((void *)(uintptr_t)r->addr, (size_t)size);
		return;
	}
	pthread_mutex_lock(&maps_lock);
	old_addr = retired[retired_next].addr;
	old_size = retired[retired_next].size;
	retired[retired_next].addr = r->addr;
	retired[retired_next].size = size;
	retired_next = (retired_next + 1) % RETIRED_MAX;
	pthread_mutex_unlock(&maps_lock);
	if (old_size)
		munmap((void *)(uintptr_t)old_addr, (size_t)old_size);
}

bool iok_map_free_retired(mach_vm_address_t addr, mach_vm_size_t size)
{
	mach_vm_size_t found = 0;

	pthread_mutex_lock(&maps_lock);
	for (unsigned i = 0; i < RETIRED_MAX; i++) {
		if (retired[i].size && retired[i].addr == addr && (!size || retired[i].size == size)) {
			found = retired[i].size;
			retired[i].size = 0;
			break;
		}
	}
	pthread_mutex_unlock(&maps_lock);
	if (found)
		munmap((void *)(uintptr_t)addr, (size_t)found);
	return found != 0;
}

void iok_unmap_connection(io_connect_t connect)
{
	struct mapping **pp, *dead = NULL;

	pthread_mutex_lock(&maps_lock);
	for (pp = &maps; *pp;) {
		struct mapping *r = *pp;

		if (r->conn == connect) {
			*pp = r->next;
			r->next = dead;
			dead = r;
		} else {
			pp = &r->next;
		}
	}
	pthread_mutex_unlock(&maps_lock);
	while (dead) {
		struct mapping *r = dead;

		dead = r->next;
		retire(r);
		free(r);
	}
}

IOK_EXPORT kern_return_t IOConnectMapMemory(io_connect_t connect, uint32_t memoryType,
					    task_port_t intoTask, mach_vm_address_t *atAddress,
					    mach_vm_size_t *ofSize, IOOptionBits options)
{
	return IOConnectMapMemory64(connect, memoryType, intoTask, atAddress, ofSize, options);
}

IOK_EXPORT kern_return_t IOConnectUnmapMemory(io_connect_t connect, uint32_t memoryType,
					      task_port_t fromTask, mach_vm_address_t atAddress)
{
	return IOConnectUnmapMemory64(connect, memoryType, fromTask, atAddress);
}
