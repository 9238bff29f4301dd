// SPDX-License-Identifier: MIT
/*
 * test_dispatch.c - the external-method checks of facts §2.3 and §2.4,
 * applied directly: every check field, variable sizes, out-of-line sizes,
 * the async flag, entitlements, a NULL table and a NULL function.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "runtime.h"

static int called;

static IOReturn fn(iok_service_t *t, void *ref, IOExternalMethodArguments *a)
{
	called++;
	return kIOReturnSuccess;
}

#define V kIOUCVariableStructureSize

static const IOExternalMethodDispatch2022 table[] = {
	{ fn, 1, 8, 2, 16, false, NULL },
	{ fn, V, V, V, V, true, NULL },
	{ NULL, 0, 0, 0, 0, false, NULL },
	{ fn, 0, 0, 0, 0, false, "org.example.entitled" },
};

static IOExternalMethodArguments args(uint32_t sin, uint32_t in, uint32_t sout, uint32_t out)
{
	static uint64_t scalars[16];
	static uint8_t buf[64];
	IOExternalMethodArguments a;

	memset(&a, 0, sizeof(a));
	a.version = kIOExternalMethodArgumentsCurrentVersion;
	a.scalarInput = scalars;
	a.scalarInputCount = sin;
	a.structureInput = buf;
	a.structureInputSize = in;
	a.scalarOutput = scalars;
	a.scalarOutputCount = sout;
	a.structureOutput = buf;
	a.structureOutputSize = out;
	return a;
}

static IOReturn run(uint32_t sel, IOExternalMethodArguments a)
{
	return iok_dispatch_external_method(NULL, sel, &a, table, 4, NULL, NULL);
}

static void test_each_check(void **state)
{
	called = 0;
	assert_int_equal(run(0, args(1, 8, 2, 16)), kIOReturnSuccess);
	assert_int_equal(called, 1);
	assert_int_equal(run(0, args(0, 8, 2, 16)), kIOReturnBadArgument);
	assert_int_equal(run(0, args(1, 7, 2, 16)), kIOReturnBadArgument);
	assert_int_equal(run(0, args(1, 8, 3, 16)), kIOReturnBadArgument);
	assert_int_equal(run(0, args(1, 8, 2, 17)), kIOReturnBadArgument);   /* larger fails too */
	assert_int_equal(called, 1);   /* never reached the method */
	assert_int_equal(run(1, args(16, 64, 0, 0)), kIOReturnSuccess);
	assert_int_equal(run(4, args(0, 0, 0, 0)), kIOReturnBadArgument);     /* selector */
	assert_int_equal(run(0xffffffff, args(0, 0, 0, 0)), kIOReturnBadArgument);
	assert_int_equal(run(2, args(0, 0, 0, 0)), kIOReturnNoCompletion);
}

static void test_descriptor_sizes(void **state)
{
	IOExternalMethodArguments a = args(1, 0, 2, 0);
	iok_memory_t *in = iok_memory_wrap((void *)"12345678", 8);
	uint8_t out_buf[16];
	iok_memory_t *out = iok_memory_wrap(out_buf, 16);

	/* The descriptor's length stands for the structure size. */
	a.structureInputDescriptor = in;
	a.structureOutputDescriptor = out;
	a.structureOutputDescriptorSize = 16;
	assert_int_equal(run(0, a), kIOReturnSuccess);
	iok_memory_release(out);
	out = iok_memory_wrap(out_buf, 15);
	a.structureOutputDescriptor = out;
	assert_int_equal(run(0, a), kIOReturnBadArgument);
	iok_memory_release(in);
	iok_memory_release(out);
}

/* A descriptor of 4 GiB + 8 bytes is not an 8-byte structure (the
 * out-of-line buffer of a call channel may be that large). */
static void test_descriptor_sizes_beyond_32_bits(void **state)
{
	IOExternalMethodArguments a = args(1, 0, 2, 16);
	static uint8_t byte;
	iok_memory_t *in = iok_memory_wrap(&byte, ((size_t)1 << 32) + 8);
	iok_memory_t *out = iok_memory_wrap(&byte, ((size_t)1 << 32) + 16);

	called = 0;
	a.structureInputDescriptor = in;
	assert_int_equal(run(0, a), kIOReturnBadArgument);
	a = args(1, 8, 2, 0);
	a.structureOutputDescriptor = out;
	a.structureOutputDescriptorSize = 16;
	assert_int_equal(run(0, a), kIOReturnBadArgument);
	assert_int_equal(called, 0);
	iok_memory_release(in);
	iok_memory_release(out);
}

static void test_async_and_entitlement(void **state)
{
	IOExternalMethodArguments a = args(1, 8, 2, 16);
	uint64_t ref[8] = { 0 };

	a.asyncWakePort = 0x1234;
	a.asyncReference = ref;
	a.asyncReferenceCount = 1;
	assert_int_equal(run(0, a), kIOReturnBadArgument);   /* row does not allow async */
	a = args(3, 0, 0, 0);
	a.asyncWakePort = 0x1234;
	assert_int_equal(run(1, a), kIOReturnSuccess);
	/* No task, no entitlement. */
	assert_int_equal(run(3, args(0, 0, 0, 0)), kIOReturnNotPrivileged);
}

static void test_null_table_and_legacy(void **state)
{
	IOExternalMethodArguments a = args(0, 0, 0, 0);
	IOExternalMethodDispatch d = { fn, 0, 0, 0, 0 };

	assert_int_equal(iok_dispatch_external_method(NULL, 0, &a, NULL, 0, NULL, NULL),
			 kIOReturnError);
	assert_int_equal(iok_user_client_external_method(NULL, 0, &a, &d, NULL, NULL),
			 kIOReturnSuccess);
	d.checkScalarInputCount = 1;
	assert_int_equal(iok_user_client_external_method(NULL, 0, &a, &d, NULL, NULL),
			 kIOReturnBadArgument);
	d.function = NULL;
	d.checkScalarInputCount = 0;
	assert_int_equal(iok_user_client_external_method(NULL, 0, &a, &d, NULL, NULL),
			 kIOReturnNoCompletion);
	/* No row chosen: the legacy tables, which OpenIOKit does not have. */
	assert_int_equal(iok_user_client_external_method(NULL, 0, &a, NULL, NULL, NULL),
			 kIOReturnUnsupported);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_each_check),
		cmocka_unit_test(test_descriptor_sizes),
		cmocka_unit_test(test_descriptor_sizes_beyond_32_bits),
		cmocka_unit_test(test_async_and_entitlement),
		cmocka_unit_test(test_null_table_and_legacy),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
