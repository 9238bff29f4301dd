// SPDX-License-Identifier: MIT
/*
 * cf_string_const.c - __CFStringMakeConstantString, behind CFSTR(): one
 * immortal CFString per distinct C string, kept in a process-wide intern
 * table guarded by a reader/writer lock.  Lookups (the common case, since
 * CFSTR runs at every evaluation) only take the read lock.
 */
#include "cf_internal.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct intern_entry {
	CFHashCode hash;
	char *key;		/* the C string as given */
	CFStringRef str;
};

static pthread_rwlock_t intern_lock = PTHREAD_RWLOCK_INITIALIZER;
static struct intern_entry *intern_slots;
static size_t intern_cap;	/* power of two, or 0 */
static size_t intern_count;

static struct intern_entry *intern_find(const char *key, CFHashCode hash)
{
	size_t mask = intern_cap - 1;

	if (!intern_cap)
		return NULL;
	for (size_t i = hash & mask;; i = (i + 1) & mask) {
		struct intern_entry *e = &intern_slots[i];

		if (!e->key)
			return NULL;
		if (e->hash == hash && !strcmp(e->key, key))
			return e;
	}
}

static void intern_place(struct intern_entry *slots, size_t cap, const struct intern_entry *e)
{
	size_t i = e->hash & (cap - 1);

	while (slots[i].key)
		i = (i + 1) & (cap - 1);
	slots[i] = *e;
}

/* Keeps the load factor at or below 1/2. */
static bool intern_grow(void)
{
	size_t cap = intern_cap ? intern_cap * 2 : 64;
	struct intern_entry *slots;

	if ((intern_count + 1) * 2 <= intern_cap)
		return true;
	slots = calloc(cap, sizeof(*slots));
	if (!slots)
		return false;
	for (size_t i = 0; i < intern_cap; i++)
		if (intern_slots[i].key)
			intern_place(slots, cap, &intern_slots[i]);
	free(intern_slots);
	intern_slots = slots;
	intern_cap = cap;
	return true;
}

/* Bytes that are not UTF-8 are taken as Latin-1 so CFSTR never fails. */
static CFStringRef make_string(const char *cStr)
{
	CFStringRef s = CFStringCreateWithCString(NULL, cStr, kCFStringEncodingUTF8);

	if (!s)
		s = CFStringCreateWithCString(NULL, cStr, kCFStringEncodingISOLatin1);
	return s;
}

static CFStringRef intern_insert(const char *cStr, CFHashCode hash)
{
	struct intern_entry e = { .hash = hash };
	struct intern_entry *found = intern_find(cStr, hash);

	if (found)		/* another thread won the race */
		return found->str;
	if (!intern_grow())
		return NULL;
	e.key = strdup(cStr);
	e.str = make_string(cStr);
	if (!e.key || !e.str) {
		free(e.key);
		if (e.str)
			CFRelease(e.str);
		return NULL;
	}
	/* Not yet visible to anyone: no other thread can see the flag change. */
	((struct cf_base *)e.str)->flags |= CF_FLAG_IMMORTAL;
	intern_place(intern_slots, intern_cap, &e);
	intern_count++;
	return e.str;
}

IOK_EXPORT CFStringRef __CFStringMakeConstantString(const char *cStr)
{
	CFHashCode hash;
	struct intern_entry *e;
	CFStringRef s;

	if (!cStr)
		return NULL;
	hash = cf_hash_bytes(cStr, strlen(cStr));
	pthread_rwlock_rdlock(&intern_lock);
	e = intern_find(cStr, hash);
	s = e ? e->str : NULL;
	pthread_rwlock_unlock(&intern_lock);
	if (s)
		return s;
	pthread_rwlock_wrlock(&intern_lock);
	s = intern_insert(cStr, hash);
	pthread_rwlock_unlock(&intern_lock);
	return s;
}
