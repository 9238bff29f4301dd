// SPDX-License-Identifier: MIT
/*
 * iterator.c - IOUserIterator: a position over a snapshot of objects.
 * Snapshots never go stale, so an iterator stays valid.
 */
#include "runtime.h"
#include "regiter.h"

struct iok_iterator {
	iok_object_t obj;
	iok_mutex_t lock;
	iok_object_t *array;
	size_t pos;
};

static void iterator_free(iok_object_t *obj)
{
	struct iok_iterator *it = (struct iok_iterator *)obj;

	iok_release(it->array);
	iok_mutex_destroy(&it->lock);
	iok_free(it);
}

static const struct iok_object_kind iterator_kind = {
	.type = IOK_TYPE_ITERATOR,
	.name = "IOUserIterator",
	.free = iterator_free,
};

iok_object_t *iok_iterator_create(iok_object_t *array)
{
	struct iok_iterator *it;

	if (iok_type(array) != IOK_TYPE_ARRAY)
		return NULL;
	it = iok_zalloc(sizeof(*it));
	if (!it)
		return NULL;
	iok_object_init(&it->obj, &iterator_kind);
	iok_mutex_init(&it->lock);
	it->array = iok_retain(array);
	return &it->obj;
}

iok_object_t *iok_iterator_next(iok_object_t *obj)
{
	struct iok_iterator *it = (struct iok_iterator *)obj;
	iok_object_t *next = NULL;

	if (iok_is_notifier(obj))
		return iok_notifier_next(obj);
	if (iok_regiter_is(obj))
		return iok_regiter_next(obj);
	if (iok_type(obj) != IOK_TYPE_ITERATOR)
		return NULL;
	iok_mutex_lock(&it->lock);
	if (it->pos < iok_array_count(it->array))
		next = iok_retain(iok_array_get(it->array, it->pos++));
	iok_mutex_unlock(&it->lock);
	return next;
}

void iok_iterator_reset(iok_object_t *obj)
{
	struct iok_iterator *it = (struct iok_iterator *)obj;

	if (iok_regiter_is(obj)) {
		iok_regiter_reset(obj);
		return;
	}
	if (iok_type(obj) != IOK_TYPE_ITERATOR || iok_is_notifier(obj))
		return;
	iok_mutex_lock(&it->lock);
	it->pos = 0;
	iok_mutex_unlock(&it->lock);
}
