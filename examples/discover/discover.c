// SPDX-License-Identifier: MIT
/* discover - find a service by class name; print its name and registry ID.
 *   cc discover.c $(pkg-config --cflags --libs iokit) && ./a.out SampleDriver */
#include <IOKit/IOKitLib.h>
#include <stdio.h>

int main(int argc, char **argv)
{
	const char *cls = argc > 1 ? argv[1] : "SampleDriver";
	io_service_t s = IOServiceGetMatchingService(kIOMainPortDefault, IOServiceMatching(cls));
	io_name_t name;
	uint64_t id;

	if (!s || IORegistryEntryGetName(s, name) || IORegistryEntryGetRegistryEntryID(s, &id))
		return fprintf(stderr, "no %s service found\n", cls), 1;
	printf("found %s, registry ID 0x%llx\n", name, (unsigned long long)id);
	IOObjectRelease(s);
	return 0;
}
