// SPDX-License-Identifier: MIT
/*
 * test_server.c - the wire server against malformed and hostile messages,
 * and the name-table rules (per-task names, one name per object, user
 * references).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "runtime.h"
#include "iok_wire.h"
#include <mach/message.h>
#include <IOKit/IOKitKeys.h>

static iok_task_t *task;
static uint8_t reply_buf[IOK_WIRE_MAX_MSG];
static struct iok_wire_msg *rep = (struct iok_wire_msg *)reply_buf;

static int setup(void **state)
{
	assert_int_equal(iok_runtime_init(), 0);
	task = iok_task_create(1234, 1000, 1000, "test");
	assert_non_null(task);
	return 0;
}

static int teardown(void **state)
{
	iok_task_destroy(task);
	iok_runtime_shutdown();
	return 0;
}

/* Builds and sends a generic message; returns the handler's result. */
static long send_msg(iok_task_t *t, uint16_t op, uint32_t obj, const char *str,
		     const void *data, size_t data_len)
{
	uint8_t buf[IOK_WIRE_MAX_MSG];
	struct iok_wire_msg *m = (struct iok_wire_msg *)buf;
	size_t sl = str ? strlen(str) + 1 : 0;

	memset(m, 0, sizeof(*m));
	m->hdr.op = op;
	m->hdr.seq = 7;
	m->obj = obj;
	m->str_len = (uint32_t)sl;
	m->data_len = (uint32_t)data_len;
	if (sl)
		memcpy(m + 1, str, sl);
	if (data_len)
		memcpy(buf + sizeof(*m) + sl, data, data_len);
	m->hdr.size = (uint32_t)(sizeof(*m) + sl + data_len);
	return iok_server_handle(t, buf, m->hdr.size, reply_buf, sizeof(reply_buf), NULL);
}

static IOReturn result_of(long n)
{
	assert_true(n >= (long)sizeof(struct iok_wire_msg));
	assert_int_equal(rep->hdr.size, n);
	assert_int_equal(rep->hdr.seq, 7);
	return rep->hdr.result;
}

static uint32_t root_name(iok_task_t *t)
{
	assert_int_equal(result_of(send_msg(t, IOK_OP_REGISTRY_GET_ROOT, 0, NULL, NULL, 0)),
			 kIOReturnSuccess);
	assert_int_not_equal(rep->obj, 0);
	return rep->obj;
}

static void test_unreadable_header_is_refused(void **state)
{
	struct iok_wire_msg m = { .hdr = { .op = IOK_OP_HELLO } };

	assert_int_equal(iok_server_handle(task, &m, 3, reply_buf, sizeof(reply_buf), NULL), -EPROTO);
	m.hdr.size = sizeof(m) + 1;   /* says more than was received */
	assert_int_equal(iok_server_handle(task, &m, sizeof(m), reply_buf, sizeof(reply_buf), NULL),
			 -EPROTO);
	m.hdr.size = sizeof(m) - 1;
	assert_int_equal(iok_server_handle(task, &m, sizeof(m), reply_buf, sizeof(reply_buf), NULL),
			 -EPROTO);
}

static void test_unknown_op(void **state)
{
	assert_int_equal(result_of(send_msg(task, IOK_OP__COUNT, 0, NULL, NULL, 0)),
			 kIOReturnUnsupported);
	assert_int_equal(result_of(send_msg(task, 0xffff, 0, NULL, NULL, 0)), kIOReturnUnsupported);
	assert_int_equal(result_of(send_msg(task, 0, 0, NULL, NULL, 0)), kIOReturnUnsupported);
}

static void test_bad_layouts(void **state)
{
	uint8_t buf[256];
	struct iok_wire_msg *m = (struct iok_wire_msg *)buf;
	uint32_t root = root_name(task);

	/* Shorter than the generic message. */
	memset(buf, 0, sizeof(buf));
	m->hdr.op = IOK_OP_ENTRY_GET_ID;
	m->hdr.seq = 7;
	m->hdr.size = 20;
	assert_int_equal(result_of(iok_server_handle(task, buf, 20, reply_buf, sizeof(reply_buf), NULL)),
			 kIOReturnBadArgument);

	/* Areas that do not add up to the size. */
	memset(buf, 0, sizeof(buf));
	m->hdr.op = IOK_OP_ENTRY_GET_NAME;
	m->hdr.seq = 7;
	m->obj = root;
	m->str_len = 100;
	m->hdr.size = sizeof(*m) + 10;
	assert_int_equal(result_of(iok_server_handle(task, buf, m->hdr.size, reply_buf,
						     sizeof(reply_buf), NULL)), kIOReturnBadArgument);
	m->str_len = 0xffffffff;
	assert_int_equal(result_of(iok_server_handle(task, buf, m->hdr.size, reply_buf,
						     sizeof(reply_buf), NULL)), kIOReturnBadArgument);
	m->str_len = 4;
	m->data_len = 0xfffffffa;   /* wraps with str_len */
	assert_int_equal(result_of(iok_server_handle(task, buf, m->hdr.size, reply_buf,
						     sizeof(reply_buf), NULL)), kIOReturnBadArgument);

	/* A string without its NUL, or with an embedded one. */
	m->str_len = 10;
	m->data_len = 0;
	memcpy(m + 1, "IOServiceX", 10);
	assert_int_equal(result_of(iok_server_handle(task, buf, m->hdr.size, reply_buf,
						     sizeof(reply_buf), NULL)), kIOReturnBadArgument);
	memcpy(m + 1, "IOS\0rvice", 10);
	assert_int_equal(result_of(iok_server_handle(task, buf, m->hdr.size, reply_buf,
						     sizeof(reply_buf), NULL)), kIOReturnBadArgument);

	/* Non-zero flags or result in a request. */
	memset(buf, 0, sizeof(buf));
	m->hdr.op = IOK_OP_ENTRY_GET_ID;
	m->hdr.seq = 7;
	m->obj = root;
	m->hdr.flags = 1;
	m->hdr.size = sizeof(*m);
	assert_int_equal(result_of(iok_server_handle(task, buf, sizeof(*m), reply_buf,
						     sizeof(reply_buf), NULL)), kIOReturnBadArgument);
	iok_task_mod_refs(task, root, -1);
}

static void test_bad_names(void **state)
{
	uint32_t root = root_name(task);
	uint32_t it;

	/* Names that do not exist fail in IPC, as Mach sends to them do. */
	assert_int_equal(result_of(send_msg(task, IOK_OP_ENTRY_GET_ID, 0, NULL, NULL, 0)),
			 MACH_SEND_INVALID_DEST);
	assert_int_equal(result_of(send_msg(task, IOK_OP_ENTRY_GET_ID, 0xdeadbeef, NULL, NULL, 0)),
			 MACH_SEND_INVALID_DEST);
	assert_int_equal(result_of(send_msg(task, IOK_OP_ENTRY_GET_ID, root ^ 4, NULL, NULL, 0)),
			 MACH_SEND_INVALID_DEST);   /* right slot, stale generation */
	/* An entry is not an iterator and vice versa. */
	assert_int_equal(result_of(send_msg(task, IOK_OP_ITERATOR_NEXT, root, NULL, NULL, 0)),
			 kIOReturnBadArgument);
	assert_int_equal(result_of(send_msg(task, IOK_OP_ENTRY_GET_CHILDREN, root, "IOService",
					    NULL, 0)), kIOReturnSuccess);
	it = rep->obj2;
	assert_int_equal(result_of(send_msg(task, IOK_OP_ENTRY_GET_ID, it, NULL, NULL, 0)),
			 kIOReturnBadArgument);
	assert_int_equal(result_of(send_msg(task, IOK_OP_OBJECT_RELEASE, it, NULL, NULL, 0)),
			 KERN_SUCCESS);
	assert_int_equal(result_of(send_msg(task, IOK_OP_OBJECT_RELEASE, it, NULL, NULL, 0)),
			 KERN_INVALID_NAME);
	assert_int_equal(result_of(send_msg(task, IOK_OP_OBJECT_RELEASE, root, NULL, NULL, 0)),
			 KERN_SUCCESS);
}

static void test_names_are_per_task_and_counted(void **state)
{
	iok_task_t *other = iok_task_create(99, 1001, 1001, "other");
	uint32_t a = root_name(task), b = root_name(task);

	assert_int_equal(a, b);                      /* one name per object */
	assert_int_equal(iok_task_urefs(task, a), 2);
	/* The other task's table does not know this name. */
	assert_int_equal(result_of(send_msg(other, IOK_OP_ENTRY_GET_ID, a, NULL, NULL, 0)),
			 MACH_SEND_INVALID_DEST);
	assert_int_equal(result_of(send_msg(task, IOK_OP_OBJECT_RELEASE, a, NULL, NULL, 0)), 0);
	assert_int_equal(result_of(send_msg(task, IOK_OP_ENTRY_GET_ID, a, NULL, NULL, 0)), 0);
	assert_int_equal(result_of(send_msg(task, IOK_OP_OBJECT_RELEASE, a, NULL, NULL, 0)), 0);
	assert_int_equal(result_of(send_msg(task, IOK_OP_ENTRY_GET_ID, a, NULL, NULL, 0)),
			 MACH_SEND_INVALID_DEST);
	/* A name that came back after release is a new name. */
	assert_int_not_equal(root_name(task), a);
	iok_task_destroy(other);
}

static void test_matching_needs_a_dictionary(void **state)
{
	static const uint8_t garbage[] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	iok_object_t *arr = iok_array_create(0), *dict = iok_dict_create(1);
	uint8_t *buf;
	size_t len;

	assert_int_equal(result_of(send_msg(task, IOK_OP_GET_MATCHING_SERVICES, 0, NULL, garbage,
					    sizeof(garbage))), kIOReturnBadArgument);
	assert_int_equal(result_of(send_msg(task, IOK_OP_GET_MATCHING_SERVICES, 0, NULL, NULL, 0)),
			 kIOReturnBadArgument);
	assert_int_equal(iok_serialize(arr, &buf, &len), 0);
	assert_int_equal(result_of(send_msg(task, IOK_OP_GET_MATCHING_SERVICES, 0, NULL, buf, len)),
			 kIOReturnBadArgument);
	iok_free(buf);

	/* No match: success and a null iterator. */
	iok_dict_set_string(dict, kIOProviderClassKey, "NoSuchClass");
	assert_int_equal(iok_serialize(dict, &buf, &len), 0);
	assert_int_equal(result_of(send_msg(task, IOK_OP_GET_MATCHING_SERVICES, 0, NULL, buf, len)),
			 kIOReturnSuccess);
	assert_int_equal(rep->obj, 0);
	iok_free(buf);

	/* IOResources is found. */
	iok_dict_set_string(dict, kIOProviderClassKey, kIOResourcesClass);
	assert_int_equal(iok_serialize(dict, &buf, &len), 0);
	assert_int_equal(result_of(send_msg(task, IOK_OP_GET_MATCHING_SERVICES, 0, NULL, buf, len)),
			 kIOReturnSuccess);
	assert_int_not_equal(rep->obj, 0);
	iok_free(buf);
	iok_release(arr);
	iok_release(dict);
}

static void test_random_messages_never_crash(void **state)
{
	uint8_t buf[512];
	uint32_t seed = 12345;

	for (int i = 0; i < 20000; i++) {
		size_t len = 16 + (seed % (sizeof(buf) - 16));

		for (size_t j = 0; j < len; j++) {
			seed = seed * 1103515245u + 12345u;
			buf[j] = (uint8_t)(seed >> 16);
		}
		((struct iok_wire_hdr *)buf)->size = (uint32_t)len;
		((struct iok_wire_hdr *)buf)->op = (uint16_t)(seed % (IOK_OP__COUNT + 2));
		if (i & 1) {
			((struct iok_wire_hdr *)buf)->flags = 0;
			((struct iok_wire_hdr *)buf)->result = 0;
		}
		assert_true(iok_server_handle(task, buf, len, reply_buf, sizeof(reply_buf), NULL) > 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unreadable_header_is_refused),
		cmocka_unit_test(test_unknown_op),
		cmocka_unit_test(test_bad_layouts),
		cmocka_unit_test(test_bad_names),
		cmocka_unit_test(test_names_are_per_task_and_counted),
		cmocka_unit_test(test_matching_needs_a_dictionary),
		cmocka_unit_test(test_random_messages_never_crash),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
