// SPDX-License-Identifier: MIT
/*
 * cf_runtime.c - the CF object model: reference counting, type IDs, the
 * polymorphic functions (CFEqual, CFHash, CFCopyDescription, CFShow), the
 * allocator constants and CFNull.
 */
#include "cf_internal.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- Allocators ----------------------------------------------------------- */

struct __CFAllocator {
	struct cf_base base;
	const char *name;
};

static void allocator_describe(CFTypeRef cf, struct cf_buf *b)
{
	cf_buf_printf(b, "{name = %s}", ((const struct __CFAllocator *)cf)->name);
}

static const struct cf_class cf_allocator_class = {
	.type_id = CF_TID_ALLOCATOR,
	.name = "CFAllocator",
	.describe = allocator_describe,
};

#define CF_ALLOCATOR(var, label)                                              \
	static struct __CFAllocator var = {                                   \
		.base = CF_BASE_STATIC(&cf_allocator_class, 0),               \
		.name = label,                                                \
	}

CF_ALLOCATOR(alloc_system, "kCFAllocatorSystemDefault");
CF_ALLOCATOR(alloc_malloc, "kCFAllocatorMalloc");
CF_ALLOCATOR(alloc_zone, "kCFAllocatorMallocZone");
CF_ALLOCATOR(alloc_null, "kCFAllocatorNull");
CF_ALLOCATOR(alloc_context, "kCFAllocatorUseContext");

IOK_EXPORT const CFAllocatorRef kCFAllocatorDefault = NULL;
IOK_EXPORT const CFAllocatorRef kCFAllocatorSystemDefault = &alloc_system;
IOK_EXPORT const CFAllocatorRef kCFAllocatorMalloc = &alloc_malloc;
IOK_EXPORT const CFAllocatorRef kCFAllocatorMallocZone = &alloc_zone;
IOK_EXPORT const CFAllocatorRef kCFAllocatorNull = &alloc_null;
IOK_EXPORT const CFAllocatorRef kCFAllocatorUseContext = &alloc_context;

IOK_EXPORT CFTypeID CFAllocatorGetTypeID(void)
{
	return CF_TID_ALLOCATOR;
}

IOK_EXPORT CFAllocatorRef CFAllocatorGetDefault(void)
{
	return kCFAllocatorSystemDefault;
}

IOK_EXPORT void *CFAllocatorAllocate(CFAllocatorRef allocator, CFIndex size, CFOptionFlags hint)
{
	if (allocator == kCFAllocatorNull || size <= 0)
		return NULL;
	return malloc((size_t)size);
}

IOK_EXPORT void *CFAllocatorReallocate(CFAllocatorRef allocator, void *ptr, CFIndex newsize,
				       CFOptionFlags hint)
{
	if (allocator == kCFAllocatorNull)
		return NULL;
	if (newsize <= 0) {
		free(ptr);
		return NULL;
	}
	return realloc(ptr, (size_t)newsize);
}

IOK_EXPORT void CFAllocatorDeallocate(CFAllocatorRef allocator, void *ptr)
{
	if (allocator != kCFAllocatorNull)
		free(ptr);
}

/* ---- CFNull ------------------------------------------------------------- */

struct __CFNull {
	struct cf_base base;
};

static void null_describe(CFTypeRef cf, struct cf_buf *b)
{
	cf_buf_puts(b, "{}");
}

static void null_format(CFTypeRef cf, struct cf_buf *b, unsigned indent, bool quoted)
{
	cf_buf_puts(b, "<null>");
}

static const struct cf_class cf_null_class = {
	.type_id = CF_TID_NULL,
	.name = "CFNull",
	.describe = null_describe,
	.format = null_format,
};

static struct __CFNull null_object = { .base = CF_BASE_STATIC(&cf_null_class, 0) };

IOK_EXPORT const CFNullRef kCFNull = &null_object;

IOK_EXPORT CFTypeID CFNullGetTypeID(void)
{
	return CF_TID_NULL;
}

/* ---- Class table -------------------------------------------------------- */

static const struct cf_class *class_for_id(CFTypeID type_id)
{
	switch (type_id) {
	case CF_TID_ALLOCATOR:
		return &cf_allocator_class;
	case CF_TID_STRING:
		return &cf_string_class;
	case CF_TID_NULL:
		return &cf_null_class;
	case CF_TID_DICTIONARY:
		return &cf_dictionary_class;
	case CF_TID_ARRAY:
		return &cf_array_class;
	case CF_TID_DATA:
		return &cf_data_class;
	case CF_TID_BOOLEAN:
		return &cf_boolean_class;
	case CF_TID_NUMBER:
		return &cf_number_class;
	case CF_TID_RUNLOOP:
		return &cf_runloop_class;
	case CF_TID_RUNLOOP_SOURCE:
		return &cf_runloop_source_class;
	case CF_TID_RUNLOOP_TIMER:
		return &cf_runloop_timer_class;
	default:
		return NULL;
	}
}

void *cf_object_alloc(const struct cf_class *cls, size_t size, uint32_t flags)
{
	struct cf_base *obj = calloc(1, size);

	if (!obj)
		return NULL;
	obj->cls = cls;
	atomic_init(&obj->rc, 1);
	obj->flags = flags;
	return obj;
}

const void *cf_collection_retain(CFAllocatorRef allocator, const void *value)
{
	return value ? CFRetain(value) : NULL;
}

void cf_collection_release(CFAllocatorRef allocator, const void *value)
{
	CFRelease(value);
}

void cf_log_misuse(const char *func, const char *what)
{
	fprintf(stderr, "CoreFoundation: %s: %s\n", func, what);
}

/* ---- Hashing -------------------------------------------------------------- */

static uint64_t mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}

CFHashCode cf_hash_bytes(const void *p, size_t n)
{
	const uint8_t *s = p;
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < n; i++) {
		h ^= s[i];
		h *= 0x100000001b3ULL;
	}
	return (CFHashCode)mix64(h ^ n);
}

CFHashCode cf_hash_pointer(const void *p)
{
	return (CFHashCode)mix64((uint64_t)(uintptr_t)p);
}

CFHashCode cf_hash_int64(int64_t v)
{
	return (CFHashCode)mix64((uint64_t)v);
}

/* ---- Polymorphic functions ---------------------------------------------- */

IOK_EXPORT CFRange __CFRangeMake(CFIndex loc, CFIndex len)
{
	return CFRangeMake(loc, len);
}

IOK_EXPORT CFTypeID CFGetTypeID(CFTypeRef cf)
{
	if (!cf)
		return 0;	/* _kCFRuntimeNotATypeID */
	return cf_base_of(cf)->cls->type_id;
}

IOK_EXPORT CFStringRef CFCopyTypeIDDescription(CFTypeID type_id)
{
	const struct cf_class *cls = class_for_id(type_id);

	if (!cls)
		return NULL;
	return CFStringCreateWithCString(NULL, cls->name, kCFStringEncodingUTF8);
}

IOK_EXPORT CFTypeRef CFRetain(CFTypeRef cf)
{
	struct cf_base *b = (struct cf_base *)cf;

	if (!cf) {
		cf_log_misuse("CFRetain", "called with NULL");
		return NULL;
	}
	if (!(b->flags & CF_FLAG_IMMORTAL))
		atomic_fetch_add_explicit(&b->rc, 1, memory_order_relaxed);
	return cf;
}

IOK_EXPORT void CFRelease(CFTypeRef cf)
{
	struct cf_base *b = (struct cf_base *)cf;
	long old;

	if (!cf || (b->flags & CF_FLAG_IMMORTAL))
		return;
	old = atomic_fetch_sub_explicit(&b->rc, 1, memory_order_release);
	if (old > 1)
		return;
	if (old < 1) {
		cf_log_misuse("CFRelease", "object over-released");
		return;
	}
	atomic_thread_fence(memory_order_acquire);
	if (b->cls->finalize)
		b->cls->finalize(cf);
	free(b);
}

IOK_EXPORT CFTypeRef CFAutorelease(CFTypeRef arg)
{
	return arg;
}

IOK_EXPORT CFTypeRef CFMakeCollectable(CFTypeRef cf)
{
	return cf;
}

IOK_EXPORT CFIndex CFGetRetainCount(CFTypeRef cf)
{
	const struct cf_base *b = cf_base_of(cf);

	if (!cf)
		return 0;
	if (b->flags & CF_FLAG_IMMORTAL)
		return LONG_MAX;
	return atomic_load_explicit(&b->rc, memory_order_relaxed);
}

IOK_EXPORT Boolean CFEqual(CFTypeRef cf1, CFTypeRef cf2)
{
	const struct cf_class *cls;

	if (cf1 == cf2)
		return true;
	if (!cf1 || !cf2)
		return false;
	cls = cf_base_of(cf1)->cls;
	if (cls != cf_base_of(cf2)->cls || !cls->equal)
		return false;
	return cls->equal(cf1, cf2);
}

IOK_EXPORT CFHashCode CFHash(CFTypeRef cf)
{
	const struct cf_class *cls;

	if (!cf)
		return 0;
	cls = cf_base_of(cf)->cls;
	return cls->hash ? cls->hash(cf) : cf_hash_pointer(cf);
}

IOK_EXPORT CFAllocatorRef CFGetAllocator(CFTypeRef cf)
{
	return cf ? kCFAllocatorSystemDefault : NULL;
}

/* ---- Descriptions --------------------------------------------------------- */

void cf_describe_header(struct cf_buf *b, CFTypeRef cf)
{
	cf_buf_printf(b, "<%s %p [%p]>", cf_base_of(cf)->cls->name, cf,
		      (const void *)kCFAllocatorSystemDefault);
}

void cf_describe_append(struct cf_buf *b, CFTypeRef cf)
{
	const struct cf_class *cls;

	if (!cf) {
		cf_buf_puts(b, "(null)");
		return;
	}
	cls = cf_base_of(cf)->cls;
	cf_describe_header(b, cf);
	if (cls->describe)
		cls->describe(cf, b);
}

void cf_format_append(struct cf_buf *b, CFTypeRef cf, unsigned indent, bool quoted)
{
	const struct cf_class *cls;

	if (!cf) {
		cf_buf_puts(b, "(null)");
		return;
	}
	cls = cf_base_of(cf)->cls;
	if (cls->format)
		cls->format(cf, b, indent, quoted);
	else
		cf_describe_append(b, cf);
}

void cf_format_indent(struct cf_buf *b, unsigned indent)
{
	cf_buf_pad(b, ' ', 4 * (size_t)indent);
}

void cf_describe_callback(struct cf_buf *b, CFStringRef (*copy)(const void *), const void *v)
{
	CFStringRef desc = copy ? copy(v) : NULL;
	const char *p;
	size_t len;

	if (!desc) {
		cf_buf_printf(b, "<%p>", v);
		return;
	}
	p = cf_string_utf8(desc, &len);
	if (p)
		cf_buf_append(b, p, len);
	else
		cf_describe_append(b, desc);
	CFRelease(desc);
}

IOK_EXPORT CFStringRef CFCopyDescription(CFTypeRef cf)
{
	struct cf_buf b = CF_BUF_INIT;

	if (!cf)
		return NULL;
	cf_describe_append(&b, cf);
	return cf_buf_to_string(&b);
}

IOK_EXPORT void CFShow(CFTypeRef obj)
{
	struct cf_buf b = CF_BUF_INIT;

	if (cf_is(obj, &cf_string_class))
		cf_format_append(&b, obj, 0, false);
	else
		cf_describe_append(&b, obj);
	cf_buf_putc(&b, '\n');
	if (!b.failed)
		fwrite(b.p, 1, b.len, stderr);
	fflush(stderr);
	cf_buf_free(&b);
}
