// SPDX-License-Identifier: MIT
/*
 * vm.c - vm_deallocate / mach_vm_deallocate and vm_region_64 /
 * mach_vm_region on the calling task.
 *
 * Deallocation frees what libiokit handed out (iok_vm_allocate: whole or
 * in part, page-granular) and unmaps a whole IOConnectMapMemory mapping
 * (through IOConnectUnmapMemory64, so that the connection forgets it), or
 * the zero pages such a mapping left when its connection was closed.
 * Anything else is the program's own memory, which Linux programs free
 * with free()/munmap(): such a range gives KERN_INVALID_ADDRESS and is
 * left alone, where macOS would unmap it.  A zero size succeeds, as on
 * macOS.
 *
 * mach_vm_region reads /proc/self/maps: the region containing the address
 * or the first one above it, with Linux's region boundaries (which, like
 * Mach's, merge neighbours of the same kind).
 */
#include "libiokit.h"
#include "vm.h"

#include <mach/mach_vm.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

_Static_assert(sizeof(uintptr_t) == sizeof(mach_vm_address_t), "LP64: addresses fit a pointer");

/* Regions handed out, disjoint, page-aligned. */
struct vm_block {
	uintptr_t start, end;
};

static pthread_mutex_t vm_lock = PTHREAD_MUTEX_INITIALIZER;
static struct vm_block *blocks;
static size_t n_blocks, cap_blocks;

static uintptr_t page_size(void)
{
	long ps = sysconf(_SC_PAGESIZE);

	return ps > 0 ? (uintptr_t)ps : 4096;
}

/* blocks[] has room for one more; vm_lock held. */
static bool reserve_locked(void)
{
	struct vm_block *v;
	size_t cap;

	if (n_blocks < cap_blocks)
		return true;
	cap = cap_blocks ? 2 * cap_blocks : 16;
	v = realloc(blocks, cap * sizeof(*v));
	if (!v)
		return false;
	blocks = v;
	cap_blocks = cap;
	return true;
}

void *iok_vm_allocate(size_t size)
{
	uintptr_t ps = page_size(), len;
	void *p;

	if (!size || size > SIZE_MAX - ps)
		return NULL;
	len = (size + ps - 1) & ~(ps - 1);
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	pthread_mutex_lock(&vm_lock);
	if (!reserve_locked()) {
		pthread_mutex_unlock(&vm_lock);
		munmap(p, len);
		return NULL;
	}
	blocks[n_blocks++] = (struct vm_block){ (uintptr_t)p, (uintptr_t)p + len };
	pthread_mutex_unlock(&vm_lock);
	return p;
}

/* Is [start, end) made only of handed-out blocks?  vm_lock held. */
static bool covered_locked(uintptr_t start, uintptr_t end)
{
	uintptr_t total = 0;

	for (size_t i = 0; i < n_blocks; i++) {
		uintptr_t a = blocks[i].start > start ? blocks[i].start : start;
		uintptr_t b = blocks[i].end < end ? blocks[i].end : end;

		if (a < b)
			total += b - a;
	}
	return total == end - start;
}

/* Unmaps [start, end), trimming or splitting the blocks it cuts.
 * vm_lock held; false (nothing done) if a split finds no memory. */
static bool release_locked(uintptr_t start, uintptr_t end)
{
	size_t splits = 0;

	for (size_t i = 0; i < n_blocks; i++)
		splits += blocks[i].start < start && blocks[i].end > end;
	for (size_t k = 0; k < splits; k++)
		if (!reserve_locked())
			return false;
	for (size_t i = n_blocks; i-- > 0;) {
		struct vm_block *b = &blocks[i];

		if (b->end <= start || b->start >= end)
			continue;
		if (b->start < start && b->end > end) {
			/* Cut out of the middle: two blocks remain. */
			blocks[n_blocks++] = (struct vm_block){ end, b->end };
			b = &blocks[i];
			b->end = start;
		} else if (b->start < start) {
			b->end = start;
		} else if (b->end > end) {
			b->start = end;
		} else {
			blocks[i] = blocks[--n_blocks];
		}
	}
	munmap((void *)start, end - start);
	return true;
}

/* The range [address, address + size) rounded out to pages; false if it
 * wraps. */
static bool page_range(mach_vm_address_t address, mach_vm_size_t size, uintptr_t *start,
		       uintptr_t *end)
{
	uintptr_t ps = page_size();

	if (size > UINTPTR_MAX - address || address + size > UINTPTR_MAX - (ps - 1))
		return false;
	*start = (uintptr_t)address & ~(ps - 1);
	*end = ((uintptr_t)(address + size) + ps - 1) & ~(ps - 1);
	return true;
}

IOK_EXPORT kern_return_t mach_vm_deallocate(vm_map_t target, mach_vm_address_t address,
					    mach_vm_size_t size)
{
	mach_vm_address_t map_start;
	mach_vm_size_t map_size;
	io_connect_t conn;
	uint32_t type;
	uintptr_t start, end, pstart, pend;
	kern_return_t ret;

	if (target != mach_task_self())
		return MACH_SEND_INVALID_DEST;
	if (size == 0)
		return KERN_SUCCESS;
	if (!page_range(address, size, &start, &end))
		return KERN_INVALID_ARGUMENT;

	/* A whole IOConnectMapMemory mapping goes through the connection. */
	if (iok_map_find(start, &conn, &type, &map_start, &map_size) ||
	    iok_map_find(end - 1, &conn, &type, &map_start, &map_size)) {
		if (!page_range(map_start, map_size, &pstart, &pend) || pstart != start ||
		    pend != end)
			return KERN_NOT_SUPPORTED;   /* part of a mapping */
		ret = IOConnectUnmapMemory64(conn, type, mach_task_self(), map_start);
		return ret == kIOReturnSuccess ? KERN_SUCCESS : ret;
	}

	/* What a closed connection's mapping left (map.c). */
	if (iok_map_free_retired(start, end - start))
		return KERN_SUCCESS;

	pthread_mutex_lock(&vm_lock);
	if (!covered_locked(start, end))
		ret = KERN_INVALID_ADDRESS;
	else
		ret = release_locked(start, end) ? KERN_SUCCESS : KERN_RESOURCE_SHORTAGE;
	pthread_mutex_unlock(&vm_lock);
	return ret;
}

IOK_EXPORT kern_return_t vm_deallocate(vm_map_t target_task, vm_address_t address,
				       vm_size_t size)
{
	return mach_vm_deallocate(target_task, address, size);
}

/* ---- regions ------------------------------------------------------------ */

struct region {
	uintptr_t start, end;
	char perms[5];
	unsigned long long offset;
};

/* The first region of /proc/self/maps ending above addr. */
static bool find_region(uintptr_t addr, struct region *out)
{
	FILE *f = fopen("/proc/self/maps", "re");
	char line[512];
	bool found = false;

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		unsigned long start, end;
		unsigned long long offset;
		char perms[5];

		/* The kernel writes these fields: a line that does not parse is
		 * skipped, and nothing else is taken from it. */
		if (sscanf(line, "%lx-%lx %4s %llx", &start, &end, perms, &offset) != 4) // NOLINT(cert-err34-c)
			continue;
		if (end > addr) {
			*out = (struct region){ start, end, { 0 }, offset };
			memcpy(out->perms, perms, sizeof(perms));
			found = true;
		}
		/* A line longer than the buffer: skip its rest. */
		while (!strchr(line, '\n') && fgets(line, sizeof(line), f))
			;
	}
	fclose(f);
	return found;
}

IOK_EXPORT kern_return_t mach_vm_region(vm_map_t target_task, mach_vm_address_t *address,
					mach_vm_size_t *size, vm_region_flavor_t flavor,
					vm_region_info_t info, mach_msg_type_number_t *infoCnt,
					mach_port_t *object_name)
{
	struct vm_region_basic_info_64 b;
	struct region r;
	vm_prot_t prot;
	bool shared;

	if (target_task != mach_task_self())
		return MACH_SEND_INVALID_DEST;
	if (!address || !size || !info || !infoCnt)
		return KERN_INVALID_ARGUMENT;
	switch (flavor) {
	case VM_REGION_BASIC_INFO_64:
		if (*infoCnt < VM_REGION_BASIC_INFO_COUNT_64)
			return KERN_INVALID_ARGUMENT;
		break;
	case VM_REGION_BASIC_INFO:
		if (*infoCnt < VM_REGION_BASIC_INFO_COUNT)
			return KERN_INVALID_ARGUMENT;
		break;
	case 11: /* VM_REGION_EXTENDED_INFO (legacy) */
	case 12: /* VM_REGION_TOP_INFO */
	case 13: /* VM_REGION_EXTENDED_INFO */
		return KERN_NOT_SUPPORTED;
	default:
		return KERN_INVALID_ARGUMENT;
	}
	if (!find_region((uintptr_t)*address, &r))
		return KERN_INVALID_ADDRESS;

	prot = (r.perms[0] == 'r' ? VM_PROT_READ : 0) | (r.perms[1] == 'w' ? VM_PROT_WRITE : 0) |
	       (r.perms[2] == 'x' ? VM_PROT_EXECUTE : 0);
	shared = r.perms[3] == 's';
	memset(&b, 0, sizeof(b));
	b.protection = prot;
	/* Linux does not report the ceiling: a private mapping may be given
	 * any access, a shared one (IOKit memory) keeps what it was given. */
	b.max_protection = shared ? prot : VM_PROT_ALL;
	b.inheritance = shared ? VM_INHERIT_SHARE : VM_INHERIT_COPY;
	b.shared = shared;
	b.reserved = FALSE;
	b.offset = r.offset;
	b.behavior = VM_BEHAVIOR_DEFAULT;
	b.user_wired_count = 0;
	if (flavor == VM_REGION_BASIC_INFO_64) {
		memcpy(info, &b, sizeof(b));
		*infoCnt = VM_REGION_BASIC_INFO_COUNT_64;
	} else {
		struct vm_region_basic_info old = {
			.protection = b.protection, .max_protection = b.max_protection,
			.inheritance = b.inheritance, .shared = b.shared, .reserved = FALSE,
			.offset = (uint32_t)b.offset, .behavior = b.behavior,
			.user_wired_count = 0,
		};

		memcpy(info, &old, sizeof(old));
		*infoCnt = VM_REGION_BASIC_INFO_COUNT;
	}
	*address = r.start;
	*size = r.end - r.start;
	if (object_name)
		*object_name = MACH_PORT_NULL;
	return KERN_SUCCESS;
}

IOK_EXPORT kern_return_t vm_region_64(vm_map_t target_task, vm_address_t *address,
				      vm_size_t *size, vm_region_flavor_t flavor,
				      vm_region_info_t info, mach_msg_type_number_t *infoCnt,
				      mach_port_t *object_name)
{
	mach_vm_address_t a;
	mach_vm_size_t s;
	kern_return_t ret;

	if (!address || !size)
		return KERN_INVALID_ARGUMENT;
	a = *address;
	ret = mach_vm_region(target_task, &a, &s, flavor, info, infoCnt, object_name);
	if (ret == KERN_SUCCESS) {
		*address = (vm_address_t)a;
		*size = (vm_size_t)s;
	}
	return ret;
}
