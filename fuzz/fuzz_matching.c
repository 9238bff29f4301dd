// SPDX-License-Identifier: MIT
/*
 * fuzz_matching.c - matching-dictionary evaluation: the input is
 * unserialized and, when it is a dictionary, matched against every entry
 * of a small registry and used for getMatchingServices.
 */
#include <stdint.h>
#include <stdlib.h>

#include "runtime.h"
#include <IOKit/IOKitKeys.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static iok_service_t *nubs[3];

static void init_once(void)
{
	static bool done;

	if (done)
		return;
	done = true;
	if (iok_runtime_init())
		abort();
	for (int i = 0; i < 3; i++) {
		nubs[i] = iok_service_create("IOService", NULL);
		iok_service_set_name(nubs[i], i ? "child" : "parent");
		iok_service_set_string(nubs[i], "Color", i ? "red" : "blue");
		iok_service_set_number(nubs[i], "Size", (uint64_t)i, 32);
		iok_service_attach(nubs[i], i ? nubs[0] : iok_resources());
		iok_service_register(nubs[i]);
	}
}

static bool visit(iok_service_t *s, void *table)
{
	(void)s;
	(void)table;
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	iok_object_t *table = NULL, *found;

	init_once();
	if (iok_unserialize(data, size, &table))
		return 0;
	if (iok_type(table) == IOK_TYPE_DICTIONARY) {
		for (int i = 0; i < 3; i++) {
			iok_object_t *copy = iok_copy(table);

			iok_match_table(nubs[i], copy, true, NULL);
			iok_release(copy);
		}
		iok_match_table(iok_resources(), table, false, NULL);
		found = iok_copy_matching_services(table);
		iok_release(found);
		iok_registry_walk(visit, table);
	}
	iok_release(table);
	return 0;
}
