// SPDX-License-Identifier: MIT
/*
 * memory.c - memory descriptors: shareable buffers a driver can hand to a
 * client (clientMemoryForType), and wrappers over memory owned elsewhere
 * (a caller's out-of-line method argument).
 */
#include "runtime.h"

struct iok_memory {
	iok_object_t obj;
	iok_shmem_t *shm;   /* owned, or NULL for a wrapper */
	void *addr;
	size_t length;
};

static void memory_free(iok_object_t *obj)
{
	struct iok_memory *m = (struct iok_memory *)obj;

	iok_shmem_destroy(m->shm);
	iok_free(m);
}

static const struct iok_object_kind memory_kind = {
	.type = IOK_TYPE_MEMORY,
	.name = "IOMemoryDescriptor",
	.free = memory_free,
};

IOK_EXPORT iok_memory_t *iok_memory_create(size_t length)
{
	struct iok_memory *m = iok_zalloc(sizeof(*m));

	if (!m)
		return NULL;
	if (iok_shmem_create(length, &m->shm)) {
		iok_free(m);
		return NULL;
	}
	iok_object_init(&m->obj, &memory_kind);
	m->addr = iok_shmem_addr(m->shm);
	m->length = length;
	return m;
}

iok_memory_t *iok_memory_from_shmem(iok_shmem_t *shm)
{
	struct iok_memory *m = iok_zalloc(sizeof(*m));

	if (!m) {
		iok_shmem_destroy(shm);
		return NULL;
	}
	iok_object_init(&m->obj, &memory_kind);
	m->shm = shm;
	m->addr = iok_shmem_addr(shm);
	m->length = iok_shmem_size(shm);
	return m;
}

iok_memory_t *iok_memory_wrap(void *addr, size_t len)
{
	struct iok_memory *m = iok_zalloc(sizeof(*m));

	if (!m)
		return NULL;
	iok_object_init(&m->obj, &memory_kind);
	m->addr = addr;
	m->length = len;
	return m;
}

IOK_EXPORT iok_memory_t *iok_memory_retain(iok_memory_t *mem)
{
	if (mem)
		iok_retain(&mem->obj);
	return mem;
}

IOK_EXPORT void iok_memory_release(iok_memory_t *mem)
{
	if (mem)
		iok_release(&mem->obj);
}

IOK_EXPORT size_t iok_memory_length(const iok_memory_t *mem)
{
	return mem ? mem->length : 0;
}

IOK_EXPORT void *iok_memory_bytes(iok_memory_t *mem)
{
	return mem ? mem->addr : NULL;
}

iok_shmem_t *iok_memory_shmem(iok_memory_t *mem)
{
	return mem ? mem->shm : NULL;
}

IOK_EXPORT size_t iok_memory_read(iok_memory_t *mem, size_t offset, void *buf, size_t len)
{
	if (!mem || !buf || !len || offset >= mem->length)
		return 0;
	if (len > mem->length - offset)
		len = mem->length - offset;
	memcpy(buf, (const uint8_t *)mem->addr + offset, len);
	return len;
}

IOK_EXPORT size_t iok_memory_write(iok_memory_t *mem, size_t offset, const void *buf, size_t len)
{
	if (!mem || !buf || !len || offset >= mem->length)
		return 0;
	if (len > mem->length - offset)
		len = mem->length - offset;
	memcpy((uint8_t *)mem->addr + offset, buf, len);
	return len;
}
