// SPDX-License-Identifier: MIT
/*
 * iokitctl - drivers in a running iokitd ($IOKIT_SOCKET):
 *
 *	iokitctl load DRIVER.so      load a driver module and run matching
 *	iokitctl unload BUNDLE-ID    terminate its services; its code goes
 *	                             once clients have released them
 *	iokitctl list                name, version, live instances, state
 *	                             and path of each loaded driver
 *
 * Exit status 0 on success, 1 on an IOKit error (printed), 2 on bad usage.
 */
#include <IOKit/IOKitLib.h>
#include <IOKit/IOKitLinux.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
	fprintf(f, "usage: iokitctl load DRIVER.so\n"
		   "       iokitctl unload BUNDLE-ID\n"
		   "       iokitctl list\n");
}

static const char *str(CFDictionaryRef d, const char *key, char *buf, size_t len)
{
	CFStringRef k = CFStringCreateWithCString(NULL, key, kCFStringEncodingUTF8);
	CFTypeRef v = k ? CFDictionaryGetValue(d, k) : NULL;

	if (k)
		CFRelease(k);
	if (!v || CFGetTypeID(v) != CFStringGetTypeID() ||
	    !CFStringGetCString(v, buf, (CFIndex)len, kCFStringEncodingUTF8))
		snprintf(buf, len, "-");
	return buf;
}

static long long num(CFDictionaryRef d, const char *key)
{
	CFStringRef k = CFStringCreateWithCString(NULL, key, kCFStringEncodingUTF8);
	CFTypeRef v = k ? CFDictionaryGetValue(d, k) : NULL;
	long long n = -1;

	if (k)
		CFRelease(k);
	if (v && CFGetTypeID(v) == CFNumberGetTypeID())
		CFNumberGetValue(v, kCFNumberLongLongType, &n);
	return n;
}

static bool flag(CFDictionaryRef d, const char *key)
{
	CFStringRef k = CFStringCreateWithCString(NULL, key, kCFStringEncodingUTF8);
	CFTypeRef v = k ? CFDictionaryGetValue(d, k) : NULL;

	if (k)
		CFRelease(k);
	return v && CFGetTypeID(v) == CFBooleanGetTypeID() && CFBooleanGetValue(v);
}

static int list(void)
{
	CFArrayRef drivers = IOKitLinuxCopyLoadedDrivers();
	char id[256], version[64], path[PATH_MAX];

	if (!drivers) {
		fprintf(stderr, "iokitctl: cannot list the host's drivers\n");
		return 1;
	}
	printf("%-4s %-40s %-10s %5s %-9s %s\n", "Index", "Name", "Version", "Refs", "State",
	       "Path");
	for (CFIndex i = 0; i < CFArrayGetCount(drivers); i++) {
		CFDictionaryRef d = CFArrayGetValueAtIndex(drivers, i);

		printf("%-5ld %-40s %-10s %5lld %-9s %s\n", (long)i + 1,
		       str(d, "CFBundleIdentifier", id, sizeof(id)),
		       str(d, "CFBundleVersion", version, sizeof(version)),
		       num(d, "OSBundleRetainCount"),
		       flag(d, "OSBundleStarted") ? "started" : "unloading",
		       str(d, "OSBundlePath", path, sizeof(path)));
	}
	CFRelease(drivers);
	return 0;
}

static int report(const char *what, const char *arg, kern_return_t kr)
{
	if (kr == KERN_SUCCESS)
		return 0;
	fprintf(stderr, "iokitctl: %s %s: %s (0x%x)\n", what, arg, mach_error_string(kr),
		(unsigned)kr);
	return 1;
}

int main(int argc, char **argv)
{
	char path[PATH_MAX];

	if (argc == 2 && !strcmp(argv[1], "list"))
		return list();
	if (argc == 3 && !strcmp(argv[1], "load")) {
		/* The host resolves paths from its own directory: send an
		 * absolute one. */
		if (!realpath(argv[2], path)) {
			perror(argv[2]);
			return 1;
		}
		return report("load", path, IOKitLinuxLoadDriver(path));
	}
	if (argc == 3 && !strcmp(argv[1], "unload"))
		return report("unload", argv[2], IOKitLinuxUnloadDriver(argv[2]));
	if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		usage(stdout);
		return 0;
	}
	usage(stderr);
	return 2;
}
