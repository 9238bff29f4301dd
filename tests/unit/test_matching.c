// SPDX-License-Identifier: MIT
/*
 * test_matching.c - every matching key with positive and negative cases,
 * personality matching (categories, probe scores, probe and start
 * failures) and getMatchingServices, against the runtime in-process.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "runtime.h"
#include <IOKit/IOKitKeys.h>

/* ---- classes used by the tests ------------------------------------------ */

static const iok_class_t TBase = { .name = "TBase", .super = &iok_class_IOService };
static const iok_class_t TDerived = { .name = "TDerived", .super = &TBase };
static const iok_class_t TOther = { .name = "TOther", .super = &iok_class_IOService };

static int started_low, started_high, started_other_cat, started_fallback;

static bool low_start(iok_service_t *s, iok_service_t *p) { started_low++; return true; }
static bool high_start(iok_service_t *s, iok_service_t *p) { started_high++; return true; }
static bool other_start(iok_service_t *s, iok_service_t *p) { started_other_cat++; return true; }
static bool fail_start(iok_service_t *s, iok_service_t *p) { return false; }
static bool fallback_start(iok_service_t *s, iok_service_t *p) { started_fallback++; return true; }
static iok_service_t *decline_probe(iok_service_t *s, iok_service_t *p, int32_t *score)
{
	return NULL;
}

#define DRIVER_CLASS(var, cname, field, fn) \
	static const struct iok_class_ops var##_ops = { .field = fn }; \
	static const iok_class_t var = { .name = cname, .super = &iok_class_IOService, \
					 .ops = &var##_ops }

DRIVER_CLASS(DLow, "DLow", start, low_start);
DRIVER_CLASS(DHigh, "DHigh", start, high_start);
DRIVER_CLASS(DOtherCat, "DOtherCat", start, other_start);
DRIVER_CLASS(DFailStart, "DFailStart", start, fail_start);
DRIVER_CLASS(DDecline, "DDecline", probe, decline_probe);
DRIVER_CLASS(DFallback, "DFallback", start, fallback_start);

static const iok_class_t *const test_classes[] = {
	&TBase, &TDerived, &TOther, &DLow, &DHigh, &DOtherCat, &DFailStart, &DDecline,
	&DFallback, NULL,
};

static iok_object_t *personality(const char *cls, const char *provider, const char *category,
				 int score)
{
	iok_object_t *p = iok_dict_create(4);

	iok_dict_set_string(p, kIOClassKey, cls);
	iok_dict_set_string(p, kIOProviderClassKey, provider);
	if (category)
		iok_dict_set_string(p, kIOMatchCategoryKey, category);
	if (score)
		iok_dict_set_number(p, kIOProbeScoreKey, (uint64_t)score, 32);
	return p;
}

/* Personalities: on TBase nubs named "prio", DLow (score 10) and DHigh
 * (score 20) compete in one category while DOtherCat takes another; on
 * nubs named "fallback", DFailStart (score 30) and DDecline (score 40)
 * lose to DFallback (score 1). */
static iok_object_t *test_personalities(void)
{
	iok_object_t *list = iok_array_create(6);
	iok_object_t *p[] = {
		personality("DLow", "TBase", "prio", 10),
		personality("DHigh", "TBase", "prio", 20),
		personality("DOtherCat", "TBase", "other", 0),
		personality("DFailStart", "TBase", "fb", 30),
		personality("DDecline", "TBase", "fb", 40),
		personality("DFallback", "TBase", "fb", 1),
	};

	for (size_t i = 0; i < 6; i++) {
		iok_dict_set_string(p[i], kIONameMatchKey, i < 3 ? "prio" : "fallback");
		iok_array_append(list, p[i]);
		iok_release(p[i]);
	}
	return list;
}

static const struct iok_driver test_driver = {
	.abi_version = IOK_DRIVER_ABI_VERSION,
	.bundle_id = "org.openiokit.test.matching",
	.version = "1",
	.classes = test_classes,
	.personalities = test_personalities,
};

/* A registered nub under IOResources. */
static iok_service_t *nub(const char *cls, const char *name, const char *loc)
{
	iok_service_t *s = iok_service_create(cls, NULL);

	assert_non_null(s);
	if (name)
		assert_int_equal(iok_service_set_name(s, name), 0);
	if (loc)
		assert_int_equal(iok_service_set_location(s, loc), 0);
	assert_int_equal(iok_service_attach(s, iok_resources()), 0);
	assert_int_equal(iok_service_register(s), 0);
	return s;
}

static int setup(void **state)
{
	assert_int_equal(iok_runtime_init(), 0);
	assert_int_equal(iok_driver_register(&test_driver), 0);
	return 0;
}

static int teardown(void **state)
{
	iok_runtime_shutdown();
	return 0;
}

/* Table helpers: a dictionary with one key. */
static iok_object_t *table_str(const char *key, const char *value)
{
	iok_object_t *t = iok_dict_create(1);

	iok_dict_set_string(t, key, value);
	return t;
}

static iok_object_t *table_obj(const char *key, iok_object_t *value)
{
	iok_object_t *t = iok_dict_create(1);

	iok_dict_set(t, key, value);
	iok_release(value);
	return t;
}

static bool matches(iok_service_t *s, iok_object_t *table)
{
	bool m = iok_match_table(s, table, false, NULL);

	iok_release(table);
	return m;
}

static iok_object_t *strings(const char *a, const char *b)
{
	iok_object_t *arr = iok_array_create(2), *x = iok_string_create(a), *y = iok_string_create(b);

	iok_array_append(arr, x);
	iok_array_append(arr, y);
	iok_release(x);
	iok_release(y);
	return arr;
}

/* ---- the keys -------------------------------------------------------------- */

static void test_provider_class_is_a(void **state)
{
	iok_service_t *s = nub("TDerived", "d", NULL);

	assert_true(matches(s, table_str(kIOProviderClassKey, "TDerived")));
	assert_true(matches(s, table_str(kIOProviderClassKey, "TBase")));
	assert_true(matches(s, table_str(kIOProviderClassKey, "IOService")));
	assert_false(matches(s, table_str(kIOProviderClassKey, "TOther")));
	assert_false(matches(s, table_obj(kIOProviderClassKey, iok_number_create(1, 32))));
	iok_service_release(s);
}

static void test_name_match(void **state)
{
	iok_service_t *s = nub("TOther", "widget", NULL);
	iok_object_t *t;

	assert_true(matches(s, table_str(kIONameMatchKey, "widget")));
	assert_false(matches(s, table_str(kIONameMatchKey, "gadget")));
	assert_true(matches(s, table_obj(kIONameMatchKey, strings("gadget", "widget"))));
	assert_false(matches(s, table_obj(kIONameMatchKey, strings("gadget", "gizmo"))));
	/* With changes allowed, the matched name is written back. */
	t = table_obj(kIONameMatchKey, strings("gadget", "widget"));
	assert_true(iok_match_table(s, t, true, NULL));
	assert_string_equal(iok_string_cstr(iok_dict_get(t, kIONameMatchedKey)), "widget");
	iok_release(t);
	iok_service_release(s);
}

static void test_property_match(void **state)
{
	iok_service_t *s = nub("TOther", "props", NULL);
	iok_object_t *want = iok_dict_create(2), *other = iok_dict_create(1), *list;

	iok_service_set_string(s, "Color", "blue");
	iok_service_set_number(s, "Size", 3, 32);
	iok_dict_set_string(want, "Color", "blue");
	iok_dict_set_number(want, "Size", 3, 64);   /* numbers compare by value */
	assert_true(matches(s, table_obj(kIOPropertyMatchKey, iok_retain(want))));
	iok_dict_set_string(other, "Color", "red");
	assert_false(matches(s, table_obj(kIOPropertyMatchKey, iok_retain(other))));
	list = iok_array_create(2);
	iok_array_append(list, other);
	iok_array_append(list, want);
	assert_true(matches(s, table_obj(kIOPropertyMatchKey, list)));
	iok_dict_set_string(want, "Missing", "x");
	assert_false(matches(s, table_obj(kIOPropertyMatchKey, iok_retain(want))));
	iok_release(want);
	iok_release(other);
	iok_service_release(s);
}

static void test_property_exists_match(void **state)
{
	iok_service_t *s = nub("TOther", "exists", NULL);

	iok_service_set_bool(s, "HasFeature", true);
	assert_true(matches(s, table_str(kIOPropertyExistsMatchKey, "HasFeature")));
	assert_false(matches(s, table_str(kIOPropertyExistsMatchKey, "NoFeature")));
	assert_true(matches(s, table_obj(kIOPropertyExistsMatchKey, strings("No", "HasFeature"))));
	assert_false(matches(s, table_obj(kIOPropertyExistsMatchKey, strings("No", "Nope"))));
	iok_service_release(s);
}

static void test_resource_match(void **state)
{
	iok_service_t *r = iok_resources();

	assert_true(matches(r, table_str(kIOResourceMatchKey, "IOKit")));
	assert_false(matches(r, table_str(kIOResourceMatchKey, "NoSuchResource")));
	assert_int_equal(iok_publish_resource("TestResource", NULL), 0);
	assert_true(matches(r, table_obj(kIOResourceMatchKey, strings("IOKit", "TestResource"))));
	assert_false(matches(r, table_obj(kIOResourceMatchKey, strings("IOKit", "Absent"))));
}

static void test_parent_match(void **state)
{
	iok_service_t *parent = nub("TOther", "parent", NULL);
	iok_service_t *child = iok_service_create("TOther", NULL);
	iok_object_t *inner;

	iok_service_set_string(parent, "Vendor", "acme");
	assert_int_equal(iok_service_attach(child, parent), 0);
	assert_int_equal(iok_service_register(child), 0);

	inner = table_str("Vendor", "acme");
	assert_true(matches(child, table_obj(kIOParentMatchKey, table_obj(kIOPropertyMatchKey, inner))));
	/* The service itself counts as the first "parent". */
	assert_true(matches(parent, table_obj(kIOParentMatchKey, table_str(kIONameMatchKey, "parent"))));
	assert_false(matches(child, table_obj(kIOParentMatchKey, table_str(kIONameMatchKey, "nobody"))));
	assert_false(matches(child, table_str(kIOParentMatchKey, "not a dictionary")));
	iok_service_release(child);
	iok_service_release(parent);
}

/* IOParentMatch inside IOParentMatch tries every provider at every level:
 * a table nested k deep over a provider chain h long costs C(h + k, k)
 * matches, beyond any bound for a deep registry (found by fuzz_matching as
 * a timeout).  Nesting beyond IOK_PARENT_MATCH_MAX does not match, and the
 * evaluation ends at once. */
static void test_nested_parent_match_is_bounded(void **state)
{
	enum { CHAIN = 12 };
	iok_service_t *chain[CHAIN];
	iok_object_t *t = table_str(kIONameMatchKey, "nobody");
	uint64_t t0;

	chain[0] = nub("TOther", "top", NULL);
	for (int i = 1; i < CHAIN; i++) {
		chain[i] = iok_service_create("TOther", NULL);
		assert_int_equal(iok_service_attach(chain[i], chain[i - 1]), 0);
	}
	for (int i = 0; i < 40; i++)
		t = table_obj(kIOParentMatchKey, t);
	t0 = iok_now_ns();
	assert_false(matches(chain[CHAIN - 1], t));
	assert_true(iok_now_ns() - t0 < 1000000000ull);
	/* A shallow nesting still matches as before. */
	t = table_obj(kIOParentMatchKey, table_obj(kIOParentMatchKey, table_str(kIONameMatchKey, "top")));
	assert_true(matches(chain[CHAIN - 1], t));
	for (int i = CHAIN - 1; i > 0; i--) {
		iok_service_detach(chain[i]);
		iok_service_release(chain[i]);
	}
	iok_service_release(chain[0]);
}

static void test_entry_id_and_location(void **state)
{
	iok_service_t *s = nub("TOther", "loc", "3");

	assert_true(matches(s, table_obj(kIORegistryEntryIDKey, iok_number_create(iok_service_id(s), 64))));
	assert_false(matches(s, table_obj(kIORegistryEntryIDKey, iok_number_create(iok_service_id(s) + 1, 64))));
	assert_true(matches(s, table_str(kIOLocationMatchKey, "3")));
	assert_false(matches(s, table_str(kIOLocationMatchKey, "4")));
	iok_service_release(s);
}

static void test_path_match(void **state)
{
	iok_service_t *s = nub("TOther", "pathy", "7");
	char path[512];

	assert_int_equal(iok_service_get_path(s, path, sizeof(path)), 0);
	assert_string_equal(path, "IOService:/IOResources/pathy@7");
	assert_true(matches(s, table_str(kIOPathMatchKey, path)));
	assert_false(matches(s, table_str(kIOPathMatchKey, "IOService:/IOResources/other")));
	iok_service_release(s);
}

static void test_bsd_and_unknown_keys(void **state)
{
	iok_service_t *s = nub("TOther", "disk", NULL);

	iok_service_set_string(s, kIOBSDNameKey, "disk0");
	assert_true(matches(s, table_str(kIOBSDNameKey, "disk0")));
	assert_false(matches(s, table_str(kIOBSDNameKey, "disk1")));
	/* IOService's default family hook accepts keys it does not know. */
	assert_true(matches(s, table_str("SomeFamilyKey", "x")));
	iok_service_release(s);
}

static void test_keys_are_anded(void **state)
{
	iok_service_t *s = nub("TDerived", "both", NULL);
	iok_object_t *t = table_str(kIOProviderClassKey, "TBase");

	iok_dict_set_string(t, kIONameMatchKey, "both");
	assert_true(iok_match_table(s, t, false, NULL));
	iok_dict_set_string(t, kIONameMatchKey, "neither");
	assert_false(iok_match_table(s, t, false, NULL));
	iok_release(t);
	iok_service_release(s);
}

/* ---- personalities ---------------------------------------------------------- */

static iok_service_t *child_of_class(iok_service_t *s, const char *cls)
{
	size_t n;
	iok_service_t **kids = iok_service_copy_children(s, &n), *found = NULL;

	for (size_t i = 0; i < n; i++) {
		if (!found && iok_service_conforms_to(kids[i], cls))
			found = iok_service_retain(kids[i]);
		iok_service_release(kids[i]);
	}
	iok_free(kids);
	return found;
}

static void test_probe_score_and_categories(void **state)
{
	iok_service_t *s = nub("TBase", "prio", NULL), *high, *cnt;
	iok_object_t *cat;

	assert_int_equal(started_high, 1);
	assert_int_equal(started_low, 0);
	assert_int_equal(started_other_cat, 1);
	high = child_of_class(s, "DHigh");
	assert_non_null(high);
	cat = iok_service_copy_property(high, kIOMatchCategoryKey);
	assert_string_equal(iok_string_cstr(cat), "prio");
	iok_release(cat);
	assert_null(child_of_class(s, "DLow"));
	/* Two clients with categories: IOMatchedServiceCountMatch sees 2. */
	assert_true(matches(s, table_obj(kIOMatchedServiceCountKey, iok_number_create(2, 32))));
	assert_false(matches(s, table_obj(kIOMatchedServiceCountKey, iok_number_create(1, 32))));
	/* Registering again does not start a second driver per category. */
	assert_int_equal(iok_service_register(s), 0);
	assert_int_equal(started_high, 1);
	cnt = child_of_class(s, "DOtherCat");
	assert_non_null(cnt);
	iok_service_release(cnt);
	iok_service_release(high);
	iok_service_release(s);
}

static void test_probe_decline_and_start_failure(void **state)
{
	iok_service_t *s = nub("TBase", "fallback", NULL), *fb;

	assert_int_equal(started_fallback, 1);
	fb = child_of_class(s, "DFallback");
	assert_non_null(fb);
	assert_null(child_of_class(s, "DFailStart"));
	assert_null(child_of_class(s, "DDecline"));
	iok_service_release(fb);
	iok_service_release(s);
}

static void test_get_matching_services(void **state)
{
	iok_service_t *reg = nub("TOther", "listed", NULL);
	iok_service_t *unreg = iok_service_create("TOther", NULL);
	iok_object_t *t = table_str(kIONameMatchKey, "listed"), *found;

	iok_service_set_name(unreg, "listed");
	assert_int_equal(iok_service_attach(unreg, iok_resources()), 0);
	found = iok_copy_matching_services(t);
	assert_int_equal(iok_array_count(found), 1);   /* the unregistered one is not */
	assert_ptr_equal(iok_array_get(found, 0), iok_service_object(reg));
	iok_release(found);
	iok_release(t);

	t = table_str(kIOProviderClassKey, "NoSuchClass");
	found = iok_copy_matching_services(t);
	assert_int_equal(iok_array_count(found), 0);
	iok_release(found);
	iok_release(t);
	iok_service_release(unreg);
	iok_service_release(reg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_provider_class_is_a),
		cmocka_unit_test(test_nested_parent_match_is_bounded),
		cmocka_unit_test(test_name_match),
		cmocka_unit_test(test_property_match),
		cmocka_unit_test(test_property_exists_match),
		cmocka_unit_test(test_resource_match),
		cmocka_unit_test(test_parent_match),
		cmocka_unit_test(test_entry_id_and_location),
		cmocka_unit_test(test_path_match),
		cmocka_unit_test(test_bsd_and_unknown_keys),
		cmocka_unit_test(test_keys_are_anded),
		cmocka_unit_test(test_probe_score_and_categories),
		cmocka_unit_test(test_probe_decline_and_start_failure),
		cmocka_unit_test(test_get_matching_services),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
