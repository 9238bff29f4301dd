// SPDX-License-Identifier: MIT
/*
 * ioclasscount - instance counts of the classes the I/O Kit host knows,
 * as macOS's ioclasscount(8) prints them: from the "Classes" dictionary of
 * the registry root's IOKitDiagnostics property.  A count includes one for
 * each direct subclass that has instances.
 *
 *	ioclasscount                 every class, one "Name = count" a line,
 *	                             sorted by name (case-insensitive)
 *	ioclasscount NAME ...        "Name = count, Name = count" in the order
 *	                             given; "<no such class>" for unknown names
 *
 * The allocation-tracking options of macOS (--track, --leaks, --maps,
 * --reset, --start, --stop, ...) need a DEVELOPMENT kernel there and have
 * no counterpart here: they fail with exit status 1.
 */
#include <IOKit/IOKitLib.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EX_OK 0
#define EX_OSERR 71

static int compare_names(const void *a, const void *b)
{
	return (int)CFStringCompare(*(CFStringRef const *)a, *(CFStringRef const *)b,
				    kCFCompareCaseInsensitive);
}

/* Prints "name = count" and then a newline or ", ". */
static void print_count(CFDictionaryRef classes, CFStringRef name, bool last)
{
	CFIndex max = CFStringGetMaximumSizeForEncoding(CFStringGetLength(name),
							 kCFStringEncodingUTF8) + 1;
	char *buf = malloc((size_t)max);
	CFTypeRef num = CFDictionaryGetValue(classes, name);
	SInt32 n = 0;

	printf("%s = ", buf && CFStringGetCString(name, buf, max, kCFStringEncodingUTF8) ? buf
											 : "??");
	if (!num)
		printf("<no such class>");
	else if (CFGetTypeID(num) == CFNumberGetTypeID() &&
		 CFNumberGetValue(num, kCFNumberSInt32Type, &n))
		printf("%lu", (unsigned long)n);
	else
		printf("?? (error reading/converting value)");
	printf(last ? "\n" : ", ");
	free(buf);
}

static void usage(void)
{
	fprintf(stderr, "usage: ioclasscount [classname] [...]\n");
}

int main(int argc, char **argv)
{
	static const struct option tracking[] = {
		{ "track", no_argument, NULL, 't' },   { "reset", no_argument, NULL, 't' },
		{ "start", no_argument, NULL, 't' },   { "stop", no_argument, NULL, 't' },
		{ "leaks", no_argument, NULL, 't' },   { "exclude", no_argument, NULL, 't' },
		{ "ignore", required_argument, NULL, 't' },
		{ "perfdata", required_argument, NULL, 't' },
		{ "perfdata-name", required_argument, NULL, 't' },
		{ "site", required_argument, NULL, 't' },
		{ "maps", required_argument, NULL, 't' },
		{ "size", required_argument, NULL, 't' },
		{ "tag", required_argument, NULL, 't' },
		{ "zsize", required_argument, NULL, 't' },
		{ "capsize", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	io_registry_entry_t root;
	CFMutableDictionaryRef props = NULL;
	CFTypeRef diag, classes;
	int c, result = EX_OSERR;

	while ((c = getopt_long(argc, argv, "", tracking, NULL)) != -1) {
		if (c == 't') {
			fprintf(stderr, "ioclasscount: allocation tracking is not available "
					"(no DEVELOPMENT kernel on this host)\n");
			return 1;
		}
		usage();
		return 1;
	}

	root = IORegistryGetRootEntry(kIOMainPortDefault);
	if (!root) {
		fprintf(stderr, "Error: Can't get registry root.\n");
		return EX_OSERR;
	}
	if (IORegistryEntryCreateCFProperties(root, &props, kCFAllocatorDefault, kNilOptions) !=
	    KERN_SUCCESS) {
		fprintf(stderr, "Error: Can't read registry root properties.\n");
		goto out;
	}
	diag = CFDictionaryGetValue(props, CFSTR(kIOKitDiagnosticsKey));
	if (!diag) {
		fprintf(stderr, "Error: Allocation information missing.\n");
		goto out;
	}
	if (CFGetTypeID(diag) != CFDictionaryGetTypeID()) {
		fprintf(stderr, "Error: Allocation information not a dictionary.\n");
		goto out;
	}
	classes = CFDictionaryGetValue(diag, CFSTR("Classes"));
	if (!classes) {
		fprintf(stderr, "Error: Class information missing.\n");
		goto out;
	}
	if (CFGetTypeID(classes) != CFDictionaryGetTypeID()) {
		fprintf(stderr, "Error: Class information not a dictionary.\n");
		goto out;
	}

	if (optind >= argc) {
		CFIndex n = CFDictionaryGetCount(classes);
		CFStringRef *names = calloc(n ? (size_t)n : 1, sizeof(*names));

		if (!names) {
			fprintf(stderr, "Memory allocation failure.\n");
			goto out;
		}
		CFDictionaryGetKeysAndValues(classes, (const void **)names, NULL);
		qsort(names, (size_t)n, sizeof(*names), compare_names);
		for (CFIndex i = 0; i < n; i++)
			print_count(classes, names[i], true);
		free(names);
	} else {
		for (int i = optind; i < argc; i++) {
			CFStringRef name = CFStringCreateWithCString(kCFAllocatorDefault, argv[i],
								     kCFStringEncodingUTF8);

			if (!name) {
				fprintf(stderr, "Error: Can't create CFString for '%s'.\n", argv[i]);
				goto out;
			}
			print_count(classes, name, i + 1 == argc);
			CFRelease(name);
		}
	}
	result = EX_OK;
out:
	if (props)
		CFRelease(props);
	IOObjectRelease(root);
	return result;
}
