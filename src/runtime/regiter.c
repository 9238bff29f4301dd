// SPDX-License-Identifier: MIT
/*
 * regiter.c - IORegistryIterator with the kernel's semantics: a stack of
 * levels ("cursors"), the bottom one on the root.  Reading a level the
 * first time snapshots the links (children, or parents) of the entry the
 * level stands on; each IOIteratorNext then moves to the next link.
 * Entering pushes a level on the entry last returned; exiting pops one.
 * A recursive iteration enters every entry it returns the first time it
 * sees it, and exits exhausted levels, so it walks the subtree depth
 * first, visiting each entry once.
 */
#include "regiter.h"

#include <IOKit/IOKitKeys.h>

enum { kIORegistryIterateRecursively = 1, kIORegistryIterateParents = 2 };

struct cursor {
	iok_service_t *entry;    /* retained: the level's entry, then the last link returned */
	iok_service_t **links;     /* snapshot, each retained */
	size_t n, pos;
	bool started;
	struct cursor *up;
};

struct regiter {
	iok_object_t obj;
	iok_mutex_t lock;
	iok_service_t *root;
	uint32_t options;
	struct cursor start;
	struct cursor *where;
	uint64_t *done;            /* ids of the entries returned (recursive) */
	size_t n_done, cap_done;
};

static void cursor_clear(struct cursor *c)
{
	for (size_t i = 0; i < c->n; i++)
		iok_service_release(c->links[i]);
	iok_free(c->links);
	c->links = NULL;
	c->n = c->pos = 0;
	iok_service_release(c->entry);
	c->entry = NULL;
}

/* Pops every level and puts the bottom one back on the root. */
static void regiter_rewind(struct regiter *it)
{
	while (it->where != &it->start) {
		struct cursor *gone = it->where;

		it->where = gone->up;
		cursor_clear(gone);
		iok_free(gone);
	}
	cursor_clear(&it->start);
	it->start.entry = iok_service_retain(it->root);
	it->start.started = false;
	it->n_done = 0;
}

static void regiter_free(iok_object_t *obj)
{
	struct regiter *it = (struct regiter *)obj;

	regiter_rewind(it);
	cursor_clear(&it->start);
	iok_service_release(it->root);
	iok_free(it->done);
	iok_mutex_destroy(&it->lock);
	iok_free(it);
}

static const struct iok_object_kind regiter_kind = {
	.type = IOK_TYPE_ITERATOR,
	.name = "IOUserIterator",
	.free = regiter_free,
};

bool iok_regiter_is(iok_object_t *obj)
{
	return obj && obj->kind == &regiter_kind;
}

iok_object_t *iok_regiter_create(iok_service_t *root, uint32_t options)
{
	struct regiter *it;

	if (!root)
		return NULL;
	it = iok_zalloc(sizeof(*it));
	if (!it)
		return NULL;
	iok_object_init(&it->obj, &regiter_kind);
	iok_mutex_init(&it->lock);
	it->root = iok_service_retain(root);
	it->options = options & (kIORegistryIterateRecursively | kIORegistryIterateParents);
	it->where = &it->start;
	it->start.entry = iok_service_retain(root);
	return &it->obj;
}

/* The links of s in the iteration's direction (a new array of retained
 * entries; *n = 0 and NULL when there are none or memory ran out). */
static iok_service_t **copy_links(struct regiter *it, iok_service_t *s, size_t *n)
{
	iok_service_t **out, *p;

	*n = 0;
	if (!s)
		return NULL;
	if (!(it->options & kIORegistryIterateParents))
		return iok_service_copy_children(s, n);
	p = iok_service_retain(iok_service_provider(s));
	if (!p)
		return NULL;
	out = iok_malloc(sizeof(*out));
	if (!out) {
		iok_service_release(p);
		return NULL;
	}
	out[0] = p;
	*n = 1;
	return out;
}

static iok_service_t *next_flat(struct regiter *it)
{
	struct cursor *c = it->where;
	iok_service_t *next = NULL;

	if (!c->started) {
		c->links = copy_links(it, c->entry, &c->n);
		c->pos = 0;
		c->started = true;
	}
	if (c->pos < c->n)
		next = iok_service_retain(c->links[c->pos++]);
	iok_service_release(c->entry);
	c->entry = next ? iok_service_retain(next) : NULL;
	return next;
}

static void enter_locked(struct regiter *it)
{
	struct cursor *c = iok_zalloc(sizeof(*c));

	if (!c)
		return;   /* no memory: the iteration stays on this level */
	c->entry = iok_service_retain(it->where->entry);
	c->up = it->where;
	it->where = c;
}

static bool exit_locked(struct regiter *it)
{
	struct cursor *gone = it->where;

	if (gone == &it->start) {
		/* Nothing above: the bottom level is spent. */
		cursor_clear(gone);
		gone->started = true;
		return false;
	}
	it->where = gone->up;
	cursor_clear(gone);
	iok_free(gone);
	return true;
}

/* Records id as returned; false if it was already. */
static bool mark_done(struct regiter *it, uint64_t id)
{
	for (size_t i = 0; i < it->n_done; i++)
		if (it->done[i] == id)
			return false;
	if (it->n_done == it->cap_done) {
		size_t cap = it->cap_done ? 2 * it->cap_done : 16;
		uint64_t *v = iok_realloc(it->done, cap * sizeof(*v));

		if (!v)
			return false;   /* no memory: do not descend */
		it->done = v;
		it->cap_done = cap;
	}
	it->done[it->n_done++] = id;
	return true;
}

iok_object_t *iok_regiter_next(iok_object_t *obj)
{
	struct regiter *it = (struct regiter *)obj;
	iok_service_t *next;

	if (!iok_regiter_is(obj))
		return NULL;
	iok_mutex_lock(&it->lock);
	if (!(it->options & kIORegistryIterateRecursively)) {
		next = next_flat(it);
	} else {
		do {
			next = next_flat(it);
		} while (!next && exit_locked(it));
		if (next && mark_done(it, iok_service_id(next)))
			enter_locked(it);
	}
	iok_mutex_unlock(&it->lock);
	return iok_service_object(next);
}

void iok_regiter_reset(iok_object_t *obj)
{
	struct regiter *it = (struct regiter *)obj;

	if (!iok_regiter_is(obj))
		return;
	iok_mutex_lock(&it->lock);
	regiter_rewind(it);
	iok_mutex_unlock(&it->lock);
}

void iok_regiter_enter(iok_object_t *obj)
{
	struct regiter *it = (struct regiter *)obj;

	if (!iok_regiter_is(obj))
		return;
	iok_mutex_lock(&it->lock);
	enter_locked(it);
	iok_mutex_unlock(&it->lock);
}

int iok_regiter_exit(iok_object_t *obj)
{
	struct regiter *it = (struct regiter *)obj;
	int ret = -ENOENT;

	if (!iok_regiter_is(obj))
		return -EINVAL;
	iok_mutex_lock(&it->lock);
	if (it->where != &it->start) {
		exit_locked(it);
		ret = 0;
	}
	iok_mutex_unlock(&it->lock);
	return ret;
}
