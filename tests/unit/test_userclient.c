// SPDX-License-Identifier: MIT
/*
 * test_userclient.c - IOService's default newUserClient with Apple's code
 * for each failure, the open checks (creator, default locking,
 * entitlements), clientClose exactly once, clientDied for what a task did
 * not close, and exclusive open.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "runtime.h"
#include <IOKit/IOKitKeys.h>

static int closes, deaths;

static bool init_fails(iok_service_t *s, iok_task_t *t, void *sec, uint32_t type,
		       iok_object_t *props)
{
	return false;
}

static bool start_fails(iok_service_t *s, iok_service_t *p)
{
	return false;
}

static IOReturn count_close(iok_service_t *s)
{
	closes++;
	return kIOReturnSuccess;
}

static IOReturn count_died(iok_service_t *s)
{
	deaths++;
	return kIOReturnSuccess;
}

static const struct iok_class_ops bad_init_ops = { .init_with_task = init_fails };
static const struct iok_class_ops bad_start_ops = { .start = start_fails };
static const struct iok_class_ops good_ops = { .client_close = count_close,
					       .client_died = count_died };

static const iok_class_t UCBadInit = { .name = "UCBadInit", .super = &iok_class_IOUserClient,
				       .ops = &bad_init_ops };
static const iok_class_t UCBadStart = { .name = "UCBadStart", .super = &iok_class_IOUserClient,
					.ops = &bad_start_ops };
static const iok_class_t UCGood = { .name = "UCGood", .super = &iok_class_IOUserClient,
				    .ops = &good_ops };
static const iok_class_t NotAUserClient = { .name = "NotAUserClient",
					    .super = &iok_class_IOService };

static const iok_class_t *const classes[] = { &UCBadInit, &UCBadStart, &UCGood, &NotAUserClient,
					      NULL };

static const struct iok_driver driver = {
	.abi_version = IOK_DRIVER_ABI_VERSION,
	.bundle_id = "org.openiokit.test.userclient",
	.classes = classes,
};

static iok_task_t *task;

static int setup(void **state)
{
	assert_int_equal(iok_runtime_init(), 0);
	assert_int_equal(iok_driver_register(&driver), 0);
	task = iok_task_create(4242, 1000, 1000, "tester");
	return task ? 0 : -1;
}

static int teardown(void **state)
{
	iok_task_destroy(task);
	iok_runtime_shutdown();
	return 0;
}

static iok_service_t *provider(const char *uc_class)
{
	iok_service_t *s = iok_service_create("IOService", NULL);

	assert_non_null(s);
	if (uc_class)
		iok_service_set_string(s, kIOUserClientClassKey, uc_class);
	assert_int_equal(iok_service_attach(s, iok_resources()), 0);
	return s;
}

static IOReturn try_open(const char *uc_class)
{
	iok_service_t *s = provider(uc_class), *uc = NULL;
	IOReturn ret = iok_user_client_open(task, s, 0, &uc);

	if (uc) {
		iok_user_client_close(uc);
		iok_service_release(uc);
	}
	iok_service_detach(s);
	iok_service_release(s);
	return ret;
}

static void test_default_new_user_client_codes(void **state)
{
	assert_int_equal(try_open(NULL), kIOReturnUnsupported);          /* no IOUserClientClass */
	assert_int_equal(try_open("NoSuchClass"), kIOReturnNoMemory);    /* cannot instantiate */
	assert_int_equal(try_open("NotAUserClient"), kIOReturnUnsupported);
	assert_int_equal(try_open("UCBadInit"), kIOReturnBadArgument);   /* initWithTask false */
	assert_int_equal(try_open("UCBadStart"), kIOReturnUnsupported);  /* start false */
	assert_int_equal(try_open("UCGood"), kIOReturnSuccess);
}

static void test_open_properties_and_close_once(void **state)
{
	iok_service_t *s = provider("UCGood"), *uc = NULL;
	iok_object_t *v;

	closes = deaths = 0;
	assert_int_equal(iok_user_client_open(task, s, 7, &uc), kIOReturnSuccess);
	assert_ptr_equal(iok_service_provider(uc), s);
	assert_int_equal(iok_user_client_type(uc), 7);
	assert_ptr_equal(iok_user_client_task(uc), task);
	v = iok_service_copy_property(uc, kIOUserClientCreatorKey);
	assert_string_equal(iok_string_cstr(v), "pid 4242, tester");
	iok_release(v);
	assert_true(iok_service_get_bool(uc, kIOUserClientDefaultLockingKey));
	assert_int_equal(iok_user_client_close(uc), kIOReturnSuccess);
	assert_int_equal(iok_user_client_close(uc), kIOReturnSuccess);
	assert_int_equal(closes, 1);
	assert_null(iok_service_provider(uc));   /* out of the registry */
	iok_service_release(uc);
	assert_int_equal(iok_user_client_close(s), kIOReturnBadArgument);   /* not a user client */
	iok_service_detach(s);
	iok_service_release(s);
}

static void test_entitlements(void **state)
{
	iok_service_t *s = provider("UCGood"), *uc = NULL;

	/* Whole names from the host's comma-separated list, nothing else. */
	iok_runtime_set_entitlements("org.example.a,org.example.b");
	assert_true(iok_task_has_entitlement(task, "org.example.b"));
	assert_false(iok_task_has_entitlement(task, "org.example"));
	assert_false(iok_task_has_entitlement(task, "b"));
	iok_runtime_set_entitlements(NULL);
	assert_false(iok_task_has_entitlement(task, "org.example.a"));
	assert_int_equal(iok_user_client_open(task, s, 0, &uc), kIOReturnSuccess);
	iok_user_client_close(uc);
	iok_service_release(uc);
	iok_service_detach(s);
	iok_service_release(s);
}

static void test_died_for_unclosed_clients(void **state)
{
	iok_task_t *t = iok_task_create(99, 0, 0, "victim");
	iok_service_t *s = provider("UCGood"), *a = NULL, *b = NULL;

	closes = deaths = 0;
	assert_int_equal(iok_user_client_open(t, s, 0, &a), kIOReturnSuccess);
	assert_int_equal(iok_user_client_open(t, s, 0, &b), kIOReturnSuccess);
	iok_user_client_close(a);
	iok_task_destroy(t);   /* b was not closed */
	assert_int_equal(closes, 1);
	assert_int_equal(deaths, 1);
	iok_service_release(a);
	iok_service_release(b);
	iok_service_detach(s);
	iok_service_release(s);
}

static void test_exclusive_open_and_privilege(void **state)
{
	iok_service_t *s = provider(NULL), *a = provider(NULL), *b = provider(NULL);
	iok_task_t *root = iok_task_create(1, 0, 0, "root");

	assert_int_equal(iok_service_open(s, a), kIOReturnSuccess);
	assert_int_equal(iok_service_open(s, a), kIOReturnSuccess);   /* the holder again */
	assert_int_equal(iok_service_open(s, b), kIOReturnExclusiveAccess);
	assert_true(iok_service_is_open(s, a));
	iok_service_close(s, b);   /* not the holder: no effect */
	assert_true(iok_service_is_open(s, NULL));
	iok_service_close(s, a);
	assert_int_equal(iok_service_open(s, b), kIOReturnSuccess);
	iok_service_close(s, b);

	assert_int_equal(iok_client_has_privilege(root, kIOClientPrivilegeAdministrator),
			 kIOReturnSuccess);
	assert_int_equal(iok_client_has_privilege(task, kIOClientPrivilegeAdministrator),
			 kIOReturnNotPrivileged);
	assert_int_equal(iok_client_has_privilege(task, "no-such-privilege"), kIOReturnUnsupported);
	iok_task_destroy(root);
	for (int i = 0; i < 3; i++) {
		iok_service_t *x = i == 0 ? s : i == 1 ? a : b;

		iok_service_detach(x);
		iok_service_release(x);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_new_user_client_codes),
		cmocka_unit_test(test_open_properties_and_close_once),
		cmocka_unit_test(test_entitlements),
		cmocka_unit_test(test_died_for_unclosed_clients),
		cmocka_unit_test(test_exclusive_open_and_privilege),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
