// SPDX-License-Identifier: MIT
/*
 * ioreg - show the I/O Registry, like macOS's ioreg(8): the same flags and
 * the same text shape, through the public IOKitLib API only.
 *
 *   ioreg [-abfilrsStxy] [-c class] [-d depth] [-k key] [-n name]
 *         [-p plane] [-w width]
 *
 * Without -r the whole plane is printed as a tree from Root; properties are
 * shown for objects matching every given -c/-k/-n criterion (or for all
 * with -l).  With -r only the subtrees rooted at matching objects are
 * printed, each followed by a blank line (-t adds their ancestors).  -a
 * prints an XML property list instead of text.  For example:
 *
 *   ioreg -l                     every object with its properties
 *   ioreg -r -c SampleDriver     the subtree of each SampleDriver
 *   ioreg -r -n SampleNub@1 -x   one object, numbers and data in hex
 *   ioreg -d 2 -w 80             two levels, lines clipped to 80 columns
 *
 * A node line reads
 *   +-o Name@loc  <class C, id 0x..., registered, matched, active, busy 0, retain N>
 * (the state part only for IOServices, " (T ms)" after busy only for a
 * non-zero accumulated busy time).  Exit status 1 on a bad flag or when
 * the registry root cannot be obtained.
 */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <IOKit/IOKitLibPrivate.h>

#include "ioreg.h"

#define NS_PER_MS 1000000ull

struct walk {
	const struct ioreg_opts *o;
	/* bar[i]: column i draws "| " (a level that continues below). */
	unsigned char bar[IOREG_MAX_DEPTH + 2];
	/* Ancestors of the entry being searched, for -t. */
	io_registry_entry_t stack[IOREG_MAX_DEPTH];
};

static void usage(void)
{
	fprintf(stderr,
		"usage: ioreg [-abfilrtxy] [-c class] [-d depth] [-k key] [-n name] [-p plane] [-w width]\n"
		"where options are:\n"
		"\t-a print an XML property list instead of text\n"
		"\t-b show object names in bold\n"
		"\t-c show properties of objects of the given class\n"
		"\t-d limit the tree to the given depth\n"
		"\t-f smart formatting (accepted)\n"
		"\t-i show class inheritance\n"
		"\t-k show properties of objects with the given property key\n"
		"\t-l show properties of all objects\n"
		"\t-n show properties of objects with the given name[@location]\n"
		"\t-p walk the given plane (default IOService)\n"
		"\t-r show only the subtrees rooted at matching objects\n"
		"\t-t with -r, also show the ancestors of each subtree\n"
		"\t-w clip lines to the given width (0: unlimited)\n"
		"\t-x show numbers and data in hexadecimal\n"
		"\t-y with -c, ignore DriverKit classes (IOUserClasses)\n");
	exit(1);
}

void ioreg_error(const char *what)
{
	fflush(stdout);
	fprintf(stderr, "ioreg: error: %s.\n", what);
}

/* ---- matching (-c, -k, -n) --------------------------------------------- */

static bool string_equals(CFTypeRef s, const char *c)
{
	io_name_t buf;

	return s && CFGetTypeID(s) == CFStringGetTypeID() &&
	       CFStringGetCString(s, buf, sizeof(buf), kCFStringEncodingUTF8) &&
	       strcmp(buf, c) == 0;
}

/* A DriverKit object lists its user-space classes in IOUserClasses. */
static bool user_classes_contain(io_registry_entry_t e, const char *cls)
{
	CFTypeRef v = IORegistryEntryCreateCFProperty(e, CFSTR("IOUserClasses"),
						      kCFAllocatorDefault, 0);
	bool found = false;

	if (!v)
		return false;
	if (CFGetTypeID(v) == CFArrayGetTypeID()) {
		for (CFIndex i = 0; !found && i < CFArrayGetCount(v); i++)
			found = string_equals(CFArrayGetValueAtIndex(v, i), cls);
	}
	CFRelease(v);
	return found;
}

static bool class_matches(io_registry_entry_t e, const struct ioreg_opts *o)
{
	if (IOObjectConformsTo(e, o->class_buf))
		return true;
	return !o->no_user_classes && user_classes_contain(e, o->class_name);
}

static bool key_matches(io_registry_entry_t e, const char *key)
{
	CFStringRef k = CFStringCreateWithCString(kCFAllocatorDefault, key, kCFStringEncodingUTF8);
	CFTypeRef v;

	if (!k)
		return false;
	v = IORegistryEntryCreateCFProperty(e, k, kCFAllocatorDefault, 0);
	CFRelease(k);
	if (!v)
		return false;
	CFRelease(v);
	return true;
}

/* "name", or "name@location" when the argument holds an '@'. */
static bool name_matches(io_registry_entry_t e, const struct ioreg_opts *o)
{
	io_name_t name, loc;
	char full[sizeof(name) + 1 + sizeof(loc)];

	if (IORegistryEntryGetNameInPlane(e, o->plane, name) != KERN_SUCCESS) {
		ioreg_error("can't obtain name");
		snprintf(name, sizeof(name), "<name error>");
	}
	if (!strchr(o->name, '@'))
		return strcmp(name, o->name) == 0;
	if (IORegistryEntryGetLocationInPlane(e, o->plane, loc) != KERN_SUCCESS)
		loc[0] = '\0';
	snprintf(full, sizeof(full), "%s@%s", name, loc);
	return strcmp(full, o->name) == 0;
}

bool ioreg_matches(io_registry_entry_t e, const struct ioreg_opts *o)
{
	bool any = false;

	if (o->class_name) {
		if (!class_matches(e, o))
			return false;
		any = true;
	}
	if (o->key) {
		if (!key_matches(e, o->key))
			return false;
		any = true;
	}
	if (o->name) {
		if (!name_matches(e, o))
			return false;
		any = true;
	}
	return any;
}

/* ---- node lines ---------------------------------------------------------- */

bool ioreg_is_service(io_registry_entry_t e)
{
	/* A whole io_name_t: the callee may read all of it. */
	static const io_name_t service = "IOService";

	return IOObjectConformsTo(e, service);
}

void ioreg_class_string(io_registry_entry_t e, const struct ioreg_opts *o, char *buf,
			size_t size)
{
	io_name_t cls;

	/*
	 * -i would print "Super:...:Class"; IOKitLib has no superclass call
	 * yet (IOObjectCopySuperclassForClass), so the chain is the class.
	 */
	if (IOObjectGetClass(e, cls) != KERN_SUCCESS) {
		ioreg_error("can't obtain class");
		snprintf(cls, sizeof(cls), "<class error>");
	}
	snprintf(buf, size, "%s", cls);
}

static void indent_node(const struct walk *w, unsigned int depth)
{
	for (unsigned int i = 0; i < depth; i++)
		ioreg_out_str(w->bar[i] ? "| " : "  ");
	ioreg_out_str("+-o ");
}

/* Property lines hang below the node: one column deeper than its "+-o". */
static void indent_body(const struct walk *w, unsigned int depth)
{
	for (unsigned int i = 0; i <= depth + 1; i++)
		ioreg_out_str(w->bar[i] ? "| " : "  ");
}

static void show_service_state(io_registry_entry_t e)
{
	uint64_t state = 0, busy_ns = 0;
	uint32_t busy = 0;

	if (IOServiceGetBusyStateAndTime(e, &state, &busy, &busy_ns) != KERN_SUCCESS) {
		ioreg_error("can't obtain state");
		state = busy_ns = 0;
		busy = 0;
	}
	ioreg_out_fmt(", %sregistered, %smatched, %sactive, busy %u",
		      state & kIOServiceRegisteredState ? "" : "!",
		      state & kIOServiceMatchedState ? "" : "!",
		      state & kIOServiceInactiveState ? "in" : "", busy);
	if (busy_ns)
		ioreg_out_fmt(" (%llu ms)", (unsigned long long)(busy_ns / NS_PER_MS));
}

static void show_header(const struct walk *w, io_registry_entry_t e, unsigned int depth)
{
	const struct ioreg_opts *o = w->o;
	io_name_t name, loc;
	char cls[512];
	uint64_t id = 0;

	if (IORegistryEntryGetNameInPlane(e, o->plane, name) != KERN_SUCCESS) {
		ioreg_error("can't obtain name");
		snprintf(name, sizeof(name), "<name error>");
	}
	indent_node(w, depth);
	if (o->bold)
		ioreg_out_bold(true);
	ioreg_out_str(name);
	if (o->bold)
		ioreg_out_bold(false);
	if (IORegistryEntryGetLocationInPlane(e, o->plane, loc) == KERN_SUCCESS)
		ioreg_out_fmt("@%s", loc);
	ioreg_class_string(e, o, cls, sizeof(cls));
	ioreg_out_fmt("  <class %s", cls);
	if (IORegistryEntryGetRegistryEntryID(e, &id) == KERN_SUCCESS)
		ioreg_out_fmt(", id 0x%llx", (unsigned long long)id);
	if (ioreg_is_service(e))
		show_service_state(e);
	ioreg_out_fmt(", retain %u>", IOObjectGetKernelRetainCount(e));
	ioreg_out_endline();
}

struct item_ctx {
	const struct walk *w;
	unsigned int depth;
};

static void show_item(const void *key, const void *value, void *arg)
{
	const struct item_ctx *c = arg;

	indent_body(c->w, c->depth);
	ioreg_out_str("  ");
	ioreg_show_value(key, c->w->o->hex);
	ioreg_out_str(" = ");
	ioreg_show_value(value, c->w->o->hex);
	ioreg_out_endline();
}

static void show_properties(const struct walk *w, io_registry_entry_t e, unsigned int depth)
{
	struct item_ctx c = { w, depth };
	CFMutableDictionaryRef props = NULL;

	indent_body(w, depth);
	ioreg_out_str("{");
	ioreg_out_endline();
	if (IORegistryEntryCreateCFProperties(e, &props, kCFAllocatorDefault, 0) != KERN_SUCCESS ||
	    !props) {
		ioreg_error("can't obtain properties");
	} else {
		if (CFGetTypeID(props) == CFDictionaryGetTypeID())
			CFDictionaryApplyFunction(props, show_item, &c);
		CFRelease(props);
	}
	indent_body(w, depth);
	ioreg_out_str("}");
	ioreg_out_endline();
	indent_body(w, depth);
	ioreg_out_endline();
}

static void show(const struct walk *w, io_registry_entry_t e, unsigned int depth)
{
	show_header(w, e, depth);
	if (w->o->list || ioreg_matches(e, w->o))
		show_properties(w, e, depth);
}

/* ---- traversal ----------------------------------------------------------- */

static bool may_descend(unsigned int limit, unsigned int depth)
{
	return (limit == 0 || limit > depth + 1) && depth + 1 < IOREG_MAX_DEPTH;
}

/* Prints e at depth and its subtree down to absolute depth limit (0: all). */
static void scan(struct walk *w, io_registry_entry_t e, bool more_siblings, unsigned int depth,
		 unsigned int limit)
{
	io_iterator_t it = IO_OBJECT_NULL;
	io_registry_entry_t child, next;
	bool descend = may_descend(limit, depth);

	if (IORegistryEntryGetChildIterator(e, w->o->plane, &it) != KERN_SUCCESS) {
		ioreg_error("can't obtain children");
		return;
	}
	next = IOIteratorNext(it);
	w->bar[depth] = more_siblings;
	w->bar[depth + 1] = descend && next;
	show(w, e, depth);
	while (descend && next) {
		child = next;
		next = IOIteratorNext(it);
		scan(w, child, next != IO_OBJECT_NULL, depth + 1, limit);
		IOObjectRelease(child);
	}
	if (next)
		IOObjectRelease(next);
	IOObjectRelease(it);
}

static unsigned int add_sat(unsigned int a, unsigned int b)
{
	return a > UINT_MAX - b ? UINT_MAX : a + b;
}

static void print_subtree(struct walk *w, io_registry_entry_t e, unsigned int depth)
{
	const struct ioreg_opts *o = w->o;

	memset(w->bar, 0, sizeof(w->bar));
	if (!o->tree) {
		scan(w, e, false, 0, o->depth);
		return;
	}
	for (unsigned int i = 0; i < depth; i++) {
		w->bar[i] = 0;
		w->bar[i + 1] = 1;
		show(w, w->stack[i], i);
	}
	memset(w->bar, 0, sizeof(w->bar));
	scan(w, e, false, depth, o->depth ? add_sat(o->depth, depth) : 0);
}

/*
 * -r: prints the subtree of every match.  An entry already shown as part of
 * an earlier match (depth < shown_below) is not printed again.
 */
static void search(struct walk *w, io_registry_entry_t e, unsigned int shown_below,
		   unsigned int depth)
{
	const struct ioreg_opts *o = w->o;
	io_iterator_t it = IO_OBJECT_NULL;
	io_registry_entry_t child;

	if (depth >= shown_below && ioreg_matches(e, o)) {
		shown_below = o->depth ? add_sat(depth, o->depth) : UINT_MAX;
		print_subtree(w, e, depth);
		ioreg_out_endline();
	}
	w->stack[depth] = e;
	if (depth + 1 >= IOREG_MAX_DEPTH)
		return;
	if (IORegistryEntryGetChildIterator(e, o->plane, &it) != KERN_SUCCESS) {
		ioreg_error("can't obtain children");
		return;
	}
	while ((child = IOIteratorNext(it))) {
		search(w, child, shown_below, depth + 1);
		IOObjectRelease(child);
	}
	IOObjectRelease(it);
}

/* ---- command line -------------------------------------------------------- */

static unsigned int parse_count(const char *s)
{
	char *end;
	unsigned long v;

	if (*s < '0' || *s > '9')
		usage();
	v = strtoul(s, &end, 10);
	if (*end || v > UINT_MAX)
		usage();
	return (unsigned int)v;
}

static void copy_name(char *dst, const char *src)
{
	if (strlen(src) >= sizeof(io_name_t)) {
		fprintf(stderr, "ioreg: argument too long: %s\n", src);
		exit(1);
	}
	snprintf(dst, sizeof(io_name_t), "%s", src);
}

static unsigned int terminal_width(void)
{
	struct winsize ws;

	if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0)
		return ws.ws_col;
	return 0;
}

static void parse_args(int argc, char **argv, struct ioreg_opts *o)
{
	int c;

	memset(o, 0, sizeof(*o));
	snprintf(o->plane, sizeof(o->plane), "%s", kIOServicePlane);
	o->width = terminal_width();
	/* '+': stop at the first operand, as BSD getopt does. */
	while ((c = getopt(argc, argv, "+:abc:d:fik:ln:p:rsStw:xy")) != -1) {
		switch (c) {
		case 'a':
			o->archive = true;
			break;
		case 'b':
			o->bold = true;
			break;
		case 'c':
			copy_name(o->class_buf, optarg);
			o->class_name = o->class_buf;
			break;
		case 'd':
			o->depth = parse_count(optarg);
			break;
		case 'f':
			o->format = true;
			break;
		case 'i':
			o->inheritance = true;
			break;
		case 'k':
			o->key = optarg;
			break;
		case 'l':
			o->list = true;
			break;
		case 'n':
			o->name = optarg;
			break;
		case 'p':
			copy_name(o->plane, optarg);
			break;
		case 'r':
			o->root = true;
			break;
		case 's':
		case 'S':
			break;
		case 't':
			o->tree = true;
			break;
		case 'w':
			o->width = parse_count(optarg);
			break;
		case 'x':
			o->hex = true;
			break;
		case 'y':
			o->no_user_classes = true;
			break;
		default:
			usage();
		}
	}
}

int main(int argc, char **argv)
{
	static struct walk w;
	static struct ioreg_opts o;   /* w keeps a pointer to it */
	io_registry_entry_t root;
	int ret = 0;

	parse_args(argc, argv, &o);
	ioreg_out_init(o.archive ? 0 : o.width, o.bold);
	root = IORegistryGetRootEntry(kIOMainPortDefault);
	if (!root) {
		ioreg_error("can't obtain I/O Kit's root service");
		return 1;
	}
	w.o = &o;
	if (o.archive)
		ret = ioreg_archive(root, &o);
	else if (o.root)
		search(&w, root, 0, 0);
	else
		scan(&w, root, false, 0, o.depth);
	IOObjectRelease(root);
	if (fflush(stdout) != 0)
		ret = 1;
	return ret;
}
