// SPDX-License-Identifier: MIT
/*
 * task.c - the per-client table of object names, shaped like a Mach IPC
 * space: a slot array (index + generation gives the name) and an
 * open-addressing hash from object to slot so that an object handed out
 * twice gets the same name with one more user reference.
 */
#include "runtime.h"

#include <mach/message.h>

struct iok_name_slot {
	iok_object_t *obj;     /* NULL when free */
	uint32_t urefs;
	uint32_t gen;          /* low byte of the name; (gen & 3) == 3 */
	uint32_t next_free;    /* index + 1 */
};

#define URefsMax 0xffffu

static void task_free(iok_object_t *obj)
{
	iok_task_t *t = (iok_task_t *)obj;

	iok_free(t->slots);
	iok_free(t->hash);
	iok_mutex_destroy(&t->lock);
	iok_free(t);
}

static const struct iok_object_kind task_kind = {
	.type = IOK_TYPE_OTHER,
	.name = "task",
	.free = task_free,
};

iok_task_t *iok_task_create(int32_t pid, uint32_t uid, uint32_t gid, const char *name)
{
	iok_task_t *t = iok_zalloc(sizeof(*t));

	if (!t)
		return NULL;
	iok_object_init(&t->obj, &task_kind);
	iok_mutex_init(&t->lock);
	t->pid = pid;
	t->uid = uid;
	t->gid = gid;
	snprintf(t->name, sizeof(t->name), "%s", name ? name : "");
	return t;
}

static uint32_t hash_ptr(const void *p, uint32_t cap)
{
	uint64_t x = (uint64_t)(uintptr_t)p;

	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	return (uint32_t)x & (cap - 1);
}

/* Position of obj in the hash, or of the empty bucket where it would go. */
static uint32_t hash_find(iok_task_t *t, const iok_object_t *obj)
{
	uint32_t i = hash_ptr(obj, t->hash_cap);

	while (t->hash[i] && t->slots[t->hash[i] - 1].obj != obj)
		i = (i + 1) & (t->hash_cap - 1);
	return i;
}

static int hash_grow(iok_task_t *t)
{
	uint32_t cap = t->hash_cap ? t->hash_cap * 2 : 64;
	uint32_t *old = t->hash, old_cap = t->hash_cap;

	t->hash = iok_zalloc(cap * sizeof(*t->hash));
	if (!t->hash) {
		t->hash = old;
		return -ENOMEM;
	}
	t->hash_cap = cap;
	for (uint32_t i = 0; i < old_cap; i++)
		if (old[i])
			t->hash[hash_find(t, t->slots[old[i] - 1].obj)] = old[i];
	iok_free(old);
	return 0;
}

/* Removes slot index from the hash (backward-shift deletion). */
static void hash_remove(iok_task_t *t, uint32_t index)
{
	uint32_t mask = t->hash_cap - 1;
	uint32_t i = hash_find(t, t->slots[index].obj), j = i;

	for (;;) {
		uint32_t home;

		t->hash[i] = 0;
		do {
			j = (j + 1) & mask;
			if (!t->hash[j])
				return;
			home = hash_ptr(t->slots[t->hash[j] - 1].obj, t->hash_cap);
		} while (i <= j ? (i < home && home <= j) : (i < home || home <= j));
		t->hash[i] = t->hash[j];
		i = j;
	}
}

static uint32_t slot_name(const iok_task_t *t, uint32_t index)
{
	return ((index + 1) << 8) | t->slots[index].gen;
}

static int slot_alloc(iok_task_t *t, uint32_t *index)
{
	if (t->free_head) {
		*index = t->free_head - 1;
		t->free_head = t->slots[*index].next_free;
		return 0;
	}
	if (t->n_slots == IOK_TASK_MAX_NAMES)
		return -ENOSPC;
	if (t->n_slots == t->cap) {
		uint32_t cap = t->cap ? t->cap * 2 : 32;
		struct iok_name_slot *s = iok_realloc(t->slots, cap * sizeof(*s));

		if (!s)
			return -ENOMEM;
		t->slots = s;
		t->cap = cap;
	}
	*index = t->n_slots++;
	t->slots[*index] = (struct iok_name_slot){ .gen = 3 };
	return 0;
}

uint32_t iok_task_name_object(iok_task_t *task, iok_object_t *obj)
{
	uint32_t index, h, name = 0;

	if (!obj)
		return 0;
	iok_mutex_lock(&task->lock);
	if (task->dead)
		goto out;
	if ((task->live + 1) * 2 > task->hash_cap && hash_grow(task))
		goto out;
	h = hash_find(task, obj);
	if (task->hash[h]) {
		index = task->hash[h] - 1;
		if (task->slots[index].urefs < URefsMax)
			task->slots[index].urefs++;
		name = slot_name(task, index);
		goto out;
	}
	if (slot_alloc(task, &index))
		goto out;
	task->slots[index].obj = iok_retain(obj);
	task->slots[index].urefs = 1;
	task->slots[index].next_free = 0;
	task->hash[h] = index + 1;
	task->live++;
	name = slot_name(task, index);
out:
	iok_mutex_unlock(&task->lock);
	return name;
}

/* Slot index of a valid name, or -1.  Task lock held. */
static long lookup_locked(iok_task_t *task, uint32_t name)
{
	uint32_t index = (name >> 8) - 1;

	if ((name >> 8) == 0 || index >= task->n_slots)
		return -1;
	if (!task->slots[index].obj || task->slots[index].gen != (name & 0xffu))
		return -1;
	return (long)index;
}

iok_object_t *iok_task_lookup(iok_task_t *task, uint32_t name)
{
	iok_object_t *obj = NULL;
	long i;

	iok_mutex_lock(&task->lock);
	i = lookup_locked(task, name);
	if (i >= 0)
		obj = iok_ref(task->slots[i].obj);
	iok_mutex_unlock(&task->lock);
	return obj;
}

IOReturn iok_task_lookup_client(iok_task_t *task, uint32_t name, iok_service_t **out)
{
	iok_service_t *uc = NULL;
	IOReturn ret = MACH_SEND_INVALID_DEST;
	long i;

	iok_mutex_lock(&task->lock);
	i = lookup_locked(task, name);
	if (i >= 0) {
		uc = iok_object_service(task->slots[i].obj);
		if (uc && uc->uc) {
			iok_ref(&uc->obj);
			ret = kIOReturnSuccess;
		} else {
			uc = NULL;
			ret = kIOReturnBadArgument;
		}
	}
	iok_mutex_unlock(&task->lock);
	*out = uc;
	return ret;
}

int iok_task_mod_refs(iok_task_t *task, uint32_t name, int delta)
{
	iok_object_t *dead = NULL;
	struct iok_name_slot *slot;
	long i;
	int ret = 0;

	iok_mutex_lock(&task->lock);
	i = lookup_locked(task, name);
	if (i < 0) {
		ret = -ENOENT;
		goto out;
	}
	slot = &task->slots[i];
	if (delta > 0) {
		if (slot->urefs >= URefsMax)
			ret = -EOVERFLOW;
		else
			slot->urefs++;
		goto out;
	}
	if (--slot->urefs)
		goto out;
	hash_remove(task, (uint32_t)i);
	dead = slot->obj;
	slot->obj = NULL;
	slot->gen = (slot->gen + 4) & 0xffu;   /* keeps (gen & 3) == 3 */
	slot->next_free = task->free_head;
	task->free_head = (uint32_t)i + 1;
	task->live--;
out:
	iok_mutex_unlock(&task->lock);
	iok_release(dead);   /* outside the lock: may run a free chain */
	return ret;
}

uint32_t iok_task_urefs(iok_task_t *task, uint32_t name)
{
	uint32_t n = 0;
	long i;

	iok_mutex_lock(&task->lock);
	i = lookup_locked(task, name);
	if (i >= 0)
		n = task->slots[i].urefs;
	iok_mutex_unlock(&task->lock);
	return n;
}

uint32_t iok_task_name_count(iok_task_t *task)
{
	uint32_t n;

	iok_mutex_lock(&task->lock);
	n = task->live;
	iok_mutex_unlock(&task->lock);
	return n;
}

uint32_t *iok_task_copy_names(iok_task_t *task, uint32_t *count)
{
	uint32_t *names, n = 0;

	iok_mutex_lock(&task->lock);
	names = iok_malloc((task->live ? task->live : 1) * sizeof(*names));
	for (uint32_t i = 0; names && i < task->n_slots && n < task->live; i++)
		if (task->slots[i].obj)
			names[n++] = slot_name(task, i);
	iok_mutex_unlock(&task->lock);
	*count = names ? n : 0;
	return names;
}

void iok_task_destroy(iok_task_t *task)
{
	if (!task)
		return;
	/* clientDied first, while the names still keep every client alive. */
	iok_task_clients_died(task);
	iok_mutex_lock(&task->lock);
	task->dead = true;
	for (uint32_t i = 0; i < task->n_slots; i++) {
		iok_object_t *obj = task->slots[i].obj;

		task->slots[i].obj = NULL;
		if (obj) {
			iok_mutex_unlock(&task->lock);
			iok_release(obj);
			iok_mutex_lock(&task->lock);
		}
	}
	task->live = 0;
	task->free_head = 0;
	task->n_slots = 0;
	if (task->hash)
		memset(task->hash, 0, task->hash_cap * sizeof(*task->hash));
	iok_mutex_unlock(&task->lock);
	iok_release(&task->obj);
}
