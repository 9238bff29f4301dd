// SPDX-License-Identifier: MIT
/*
 * ioreg_archive.c - ioreg -a: the registry as an XML property list, built
 * with libplist.  Each object is a dictionary of its properties (when they
 * are shown) plus IORegistryEntryName, IORegistryEntryLocation (if any),
 * IORegistryEntryID, IOObjectClass, IOObjectInheritance (with -i),
 * IOObjectRetainCount and, for IOServices, IOServiceState,
 * IOServiceBusyState and IOServiceBusyTime; its children are an array in
 * IORegistryEntryChildren.  With -r the document is an array of subtrees
 * (nothing at all when no object matches).  Dictionary keys are written in
 * sorted order, as CoreFoundation writes them.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <plist/plist.h>

#include <IOKit/IOKitLibPrivate.h>

#include "ioreg.h"

struct archiver {
	const struct ioreg_opts *o;
	io_registry_entry_t stack[IOREG_MAX_DEPTH];
};

/* ---- CF values to plist nodes ------------------------------------------- */

static plist_t from_cf(CFTypeRef v);

static char *cf_string_dup(CFStringRef s)
{
	CFIndex size = CFStringGetMaximumSizeForEncoding(CFStringGetLength(s),
							 kCFStringEncodingUTF8) + 1;
	char *buf = size > 0 ? malloc((size_t)size) : NULL;

	if (buf && !CFStringGetCString(s, buf, size, kCFStringEncodingUTF8)) {
		free(buf);
		buf = NULL;
	}
	return buf;
}

static plist_t from_string(CFStringRef s)
{
	char *c = cf_string_dup(s);
	plist_t p = c ? plist_new_string(c) : NULL;

	free(c);
	return p;
}

static plist_t from_number(CFNumberRef n)
{
	long long v = 0;
	double d = 0;

	if (CFNumberIsFloatType(n)) {
		CFNumberGetValue(n, kCFNumberDoubleType, &d);
		return plist_new_real(d);
	}
	CFNumberGetValue(n, kCFNumberLongLongType, &v);
	/* libplist writes an 8-byte integer as signed, like CF does. */
	return plist_new_uint((uint64_t)v);
}

static plist_t from_array(CFArrayRef a)
{
	plist_t p = plist_new_array();

	for (CFIndex i = 0; p && i < CFArrayGetCount(a); i++) {
		plist_t item = from_cf(CFArrayGetValueAtIndex(a, i));

		if (item)
			plist_array_append_item(p, item);
	}
	return p;
}

static void add_pair(const void *key, const void *value, void *arg)
{
	plist_t dict = arg, item;
	char *k;

	if (!key || CFGetTypeID(key) != CFStringGetTypeID())
		return;
	k = cf_string_dup(key);
	item = k ? from_cf(value) : NULL;
	if (item)
		plist_dict_set_item(dict, k, item);
	free(k);
}

static plist_t from_dictionary(CFDictionaryRef d)
{
	plist_t p = plist_new_dict();

	if (p)
		CFDictionaryApplyFunction(d, add_pair, p);
	return p;
}

static plist_t from_data(CFDataRef d)
{
	const UInt8 *bytes = CFDataGetBytePtr(d);

	return plist_new_data(bytes ? (const char *)bytes : "",
			      bytes ? (uint64_t)CFDataGetLength(d) : 0);
}

/* NULL for types a property list cannot hold. */
static plist_t from_cf(CFTypeRef v)
{
	CFTypeID t;

	if (!v)
		return NULL;
	t = CFGetTypeID(v);
	if (t == CFStringGetTypeID())
		return from_string(v);
	if (t == CFNumberGetTypeID())
		return from_number(v);
	if (t == CFBooleanGetTypeID())
		return plist_new_bool(CFBooleanGetValue(v) ? 1 : 0);
	if (t == CFDataGetTypeID())
		return from_data(v);
	if (t == CFArrayGetTypeID())
		return from_array(v);
	if (t == CFDictionaryGetTypeID())
		return from_dictionary(v);
	return NULL;
}

/* ---- one object ---------------------------------------------------------- */

static plist_t properties(io_registry_entry_t e)
{
	CFMutableDictionaryRef props = NULL;
	plist_t p = NULL;

	if (IORegistryEntryCreateCFProperties(e, &props, kCFAllocatorDefault, 0) != KERN_SUCCESS ||
	    !props) {
		ioreg_error("can't obtain properties");
		return NULL;
	}
	if (CFGetTypeID(props) == CFDictionaryGetTypeID())
		p = from_dictionary(props);
	CFRelease(props);
	return p;
}

static void set_service_state(plist_t dict, io_registry_entry_t e)
{
	uint64_t state = 0, busy_ns = 0;
	uint32_t busy = 0;

	if (IOServiceGetBusyStateAndTime(e, &state, &busy, &busy_ns) != KERN_SUCCESS) {
		ioreg_error("can't obtain state");
		state = busy_ns = 0;
		busy = 0;
	}
	plist_dict_set_item(dict, "IOServiceState", plist_new_uint(state));
	plist_dict_set_item(dict, "IOServiceBusyState", plist_new_uint(busy));
	plist_dict_set_item(dict, "IOServiceBusyTime", plist_new_uint(busy_ns));
}

static void set_identity(plist_t dict, io_registry_entry_t e, const struct ioreg_opts *o)
{
	io_name_t name, loc, cls;
	uint64_t id = 0;

	if (IORegistryEntryGetNameInPlane(e, o->plane, name) != KERN_SUCCESS) {
		ioreg_error("can't obtain name");
		snprintf(name, sizeof(name), "<name error>");
	}
	plist_dict_set_item(dict, "IORegistryEntryName", plist_new_string(name));
	if (IORegistryEntryGetLocationInPlane(e, o->plane, loc) == KERN_SUCCESS)
		plist_dict_set_item(dict, "IORegistryEntryLocation", plist_new_string(loc));
	if (IORegistryEntryGetRegistryEntryID(e, &id) != KERN_SUCCESS) {
		ioreg_error("can't obtain identifier");
		id = UINT64_MAX;
	}
	plist_dict_set_item(dict, "IORegistryEntryID", plist_new_uint(id));
	ioreg_class_string(e, o, cls, sizeof(cls));
	plist_dict_set_item(dict, "IOObjectClass", plist_new_string(cls));
	if (o->inheritance) {
		/* Root-most first; only the class itself until IOKitLib has
		 * IOObjectCopySuperclassForClass. */
		plist_t chain = plist_new_array();

		plist_array_append_item(chain, plist_new_string(cls));
		plist_dict_set_item(dict, "IOObjectInheritance", chain);
	}
	plist_dict_set_item(dict, "IOObjectRetainCount",
			    plist_new_uint(IOObjectGetKernelRetainCount(e)));
	if (ioreg_is_service(e))
		set_service_state(dict, e);
}

static plist_t archive_entry(io_registry_entry_t e, const struct ioreg_opts *o)
{
	plist_t dict = NULL;

	if (o->list || ioreg_matches(e, o))
		dict = properties(e);
	if (!dict)
		dict = plist_new_dict();
	if (dict)
		set_identity(dict, e, o);
	return dict;
}

/* ---- traversal ----------------------------------------------------------- */

/* e and its subtree down to absolute depth limit (0: all). */
static plist_t archive_scan(io_registry_entry_t e, unsigned int depth, unsigned int limit,
			   const struct ioreg_opts *o)
{
	io_iterator_t it = IO_OBJECT_NULL;
	io_registry_entry_t child;
	plist_t dict, kids = NULL;

	if (IORegistryEntryGetChildIterator(e, o->plane, &it) != KERN_SUCCESS) {
		ioreg_error("can't obtain children");
		return archive_entry(e, o);
	}
	dict = archive_entry(e, o);
	if ((limit == 0 || limit > depth + 1) && depth + 1 < IOREG_MAX_DEPTH) {
		while ((child = IOIteratorNext(it))) {
			plist_t sub = archive_scan(child, depth + 1, limit, o);

			if (!kids)
				kids = plist_new_array();
			if (sub)
				plist_array_append_item(kids, sub);
			IOObjectRelease(child);
		}
	}
	if (kids)
		plist_dict_set_item(dict, "IORegistryEntryChildren", kids);
	IOObjectRelease(it);
	return dict;
}

static unsigned int add_sat(unsigned int a, unsigned int b)
{
	return a > UINT_MAX - b ? UINT_MAX : a + b;
}

/* The matched subtree; with -t wrapped in its ancestors, root first. */
static plist_t archive_match(struct archiver *a, io_registry_entry_t e, unsigned int depth)
{
	const struct ioreg_opts *o = a->o;
	plist_t dict;

	if (!o->tree)
		return archive_scan(e, 0, o->depth, o);
	dict = archive_scan(e, depth, o->depth ? add_sat(o->depth, depth) : 0, o);
	for (unsigned int i = depth; i > 0; i--) {
		plist_t parent = archive_entry(a->stack[i - 1], o), kids = plist_new_array();

		plist_array_append_item(kids, dict);
		plist_dict_set_item(parent, "IORegistryEntryChildren", kids);
		dict = parent;
	}
	return dict;
}

static void archive_search(struct archiver *a, plist_t out, io_registry_entry_t e,
			   unsigned int shown_below, unsigned int depth)
{
	const struct ioreg_opts *o = a->o;
	io_iterator_t it = IO_OBJECT_NULL;
	io_registry_entry_t child;

	if (depth >= shown_below && ioreg_matches(e, o)) {
		shown_below = o->depth ? add_sat(depth, o->depth) : UINT_MAX;
		plist_array_append_item(out, archive_match(a, e, depth));
	}
	a->stack[depth] = e;
	if (depth + 1 >= IOREG_MAX_DEPTH)
		return;
	if (IORegistryEntryGetChildIterator(e, o->plane, &it) != KERN_SUCCESS) {
		ioreg_error("can't obtain children");
		return;
	}
	while ((child = IOIteratorNext(it))) {
		archive_search(a, out, child, shown_below, depth + 1);
		IOObjectRelease(child);
	}
	IOObjectRelease(it);
}

/* ---- output -------------------------------------------------------------- */

static int compare_keys(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

/* A deep copy of p whose dictionaries hold their keys in sorted order. */
static plist_t sorted_copy(plist_t p)
{
	plist_t copy;

	switch (plist_get_node_type(p)) {
	case PLIST_ARRAY: {
		uint32_t n = plist_array_get_size(p);

		copy = plist_new_array();
		for (uint32_t i = 0; i < n; i++)
			plist_array_append_item(copy, sorted_copy(plist_array_get_item(p, i)));
		return copy;
	}
	case PLIST_DICT: {
		uint32_t n = plist_dict_get_size(p), got = 0;
		char **keys = calloc(n ? n : 1, sizeof(*keys));
		plist_dict_iter iter = NULL;
		plist_t val;

		copy = plist_new_dict();
		if (!keys)
			return copy;
		plist_dict_new_iter(p, &iter);
		while (iter && got < n) {
			char *k = NULL;

			plist_dict_next_item(p, iter, &k, &val);
			if (!k)
				break;
			keys[got++] = k;
		}
		free(iter);
		qsort(keys, got, sizeof(*keys), compare_keys);
		for (uint32_t i = 0; i < got; i++) {
			plist_dict_set_item(copy, keys[i], sorted_copy(plist_dict_get_item(p, keys[i])));
			free(keys[i]);
		}
		free(keys);
		return copy;
	}
	default:
		return plist_copy(p);
	}
}

static int print_xml(plist_t doc)
{
	plist_t sorted = sorted_copy(doc);
	char *xml = NULL;
	uint32_t len = 0;
	int ret = 0;

	plist_to_xml(sorted, &xml, &len);
	if (!xml) {
		ioreg_error("can't create XML");
		ret = 1;
	} else if (fwrite(xml, 1, len, stdout) != len) {
		ret = 1;
	}
	plist_to_xml_free(xml);
	plist_free(sorted);
	return ret;
}

int ioreg_archive(io_registry_entry_t root, const struct ioreg_opts *o)
{
	static struct archiver a;
	plist_t doc;
	int ret = 0;

	a.o = o;
	if (o->root) {
		doc = plist_new_array();
		archive_search(&a, doc, root, 0, 0);
		if (plist_array_get_size(doc) == 0) {
			plist_free(doc);
			return 0;
		}
	} else {
		doc = archive_scan(root, 0, o->depth, o);
	}
	if (doc)
		ret = print_xml(doc);
	plist_free(doc);
	return ret;
}
