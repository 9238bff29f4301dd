/* SPDX-License-Identifier: MIT */
/*
 * iok_object.h - reference-counted objects of the driver runtime, and the
 * property containers built on them (the libkern OSDictionary / OSArray /
 * OSString / OSNumber / OSBoolean / OSData family, in C).
 *
 * Every object starts with a reference count of 1 owned by its creator.
 * iok_retain() adds one, iok_release() drops one and frees the object when
 * the count reaches zero.  Accessors that return an object ("get") return a
 * borrowed reference; functions named create/copy return an owned one.
 *
 * Containers are not internally locked (as in libkern): the owner of a
 * property table serialises access to it.  Reference counts are atomic.
 *
 * Dictionary keys are strings; dictionaries keep insertion order.  Sets in
 * serialized input are decoded as arrays.
 */
#ifndef IOK_OBJECT_H
#define IOK_OBJECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct iok_object iok_object_t;

typedef enum iok_type {
	IOK_TYPE_NONE = 0,
	IOK_TYPE_DICTIONARY,
	IOK_TYPE_ARRAY,
	IOK_TYPE_NUMBER,
	IOK_TYPE_STRING,
	IOK_TYPE_DATA,
	IOK_TYPE_BOOLEAN,
	/* Non-property objects of the runtime (not serializable). */
	IOK_TYPE_ENTRY,     /* registry entry, service, user client */
	IOK_TYPE_ITERATOR,
	IOK_TYPE_MEMORY,    /* memory descriptor */
	IOK_TYPE_OTHER,
} iok_type_t;

/* Describes one kind of object: how to free it. */
struct iok_object_kind {
	iok_type_t type;
	const char *name;
	void (*free)(iok_object_t *obj);
};

/* The header every runtime object starts with.  Use the functions below;
 * the fields are public only so that other runtime objects can embed it. */
struct iok_object {
	const struct iok_object_kind *kind;
	uint32_t refcount;
	uint32_t flags;
};

/* Initialises an embedded header with a count of 1. */
void iok_object_init(iok_object_t *obj, const struct iok_object_kind *kind);

iok_object_t *iok_retain(iok_object_t *obj);   /* NULL-safe; returns obj */
void iok_release(iok_object_t *obj);           /* NULL-safe */
uint32_t iok_retain_count(const iok_object_t *obj);
iok_type_t iok_type(const iok_object_t *obj);  /* IOK_TYPE_NONE for NULL */

/* Deep equality of property objects (numbers compare by value). */
bool iok_equal(const iok_object_t *a, const iok_object_t *b);

/* Deep copy of a property tree (containers copied, leaves shared). */
iok_object_t *iok_copy(const iok_object_t *obj);

/* Strings (UTF-8, NUL-terminated, may not contain NUL). */
iok_object_t *iok_string_create(const char *s);
iok_object_t *iok_string_create_len(const char *s, size_t len);
const char *iok_string_cstr(const iok_object_t *str);   /* NULL if not a string */
size_t iok_string_length(const iok_object_t *str);

/* Numbers: an unsigned 64-bit value and its width in bits (8, 16, 32, 64).
 * Floating-point numbers keep their IEEE bit pattern (width 32 or 64 with
 * is_float set); the runtime never does floating-point arithmetic. */
iok_object_t *iok_number_create(uint64_t value, unsigned bits);
iok_object_t *iok_number_create_float_bits(uint64_t bits_pattern, unsigned bits);
uint64_t iok_number_value(const iok_object_t *num);     /* 0 if not a number */
unsigned iok_number_bits(const iok_object_t *num);
bool iok_number_is_float(const iok_object_t *num);

/* Booleans are two shared immortal objects. */
iok_object_t *iok_boolean(bool value);                  /* borrowed, never freed */
bool iok_boolean_value(const iok_object_t *b);

/* Data (bytes, may be empty). */
iok_object_t *iok_data_create(const void *bytes, size_t len);
const void *iok_data_bytes(const iok_object_t *data);
size_t iok_data_length(const iok_object_t *data);

/* Arrays.  Append/set retain the value. */
iok_object_t *iok_array_create(size_t capacity);
int iok_array_append(iok_object_t *array, iok_object_t *value);  /* 0, -ENOMEM, -EINVAL */
size_t iok_array_count(const iok_object_t *array);
iok_object_t *iok_array_get(const iok_object_t *array, size_t index);
int iok_array_remove(iok_object_t *array, size_t index);

/* Dictionaries with string keys.  Set retains the value and replaces an
 * existing value for the same key in place (order is kept). */
iok_object_t *iok_dict_create(size_t capacity);
int iok_dict_set(iok_object_t *dict, const char *key, iok_object_t *value);
int iok_dict_set_key(iok_object_t *dict, iok_object_t *key, iok_object_t *value);
iok_object_t *iok_dict_get(const iok_object_t *dict, const char *key);
int iok_dict_remove(iok_object_t *dict, const char *key);   /* 0 or -ENOENT */
size_t iok_dict_count(const iok_object_t *dict);
iok_object_t *iok_dict_key_at(const iok_object_t *dict, size_t index);   /* string */
iok_object_t *iok_dict_value_at(const iok_object_t *dict, size_t index);

/* Convenience setters: create, set, release.  Return 0 or -ENOMEM. */
int iok_dict_set_string(iok_object_t *dict, const char *key, const char *value);
int iok_dict_set_number(iok_object_t *dict, const char *key, uint64_t value, unsigned bits);
int iok_dict_set_bool(iok_object_t *dict, const char *key, bool value);
int iok_dict_set_data(iok_object_t *dict, const char *key, const void *bytes, size_t len);

/*
 * Apple's binary serialization (OSSerializeBinary: signature 0xD3, 32-bit
 * keys of type | length | end-of-collection flag, payloads padded to 4).
 * iok_serialize allocates *out (free with iok_free) and returns 0, -ENOMEM,
 * or -EINVAL for a non-property object in the tree.  iok_unserialize never
 * trusts its input: it returns 0 with *out set (a new reference), or -EINVAL
 * for anything malformed (bad signature, truncated, bad lengths, bad
 * back-reference, non-string key, nesting deeper than IOK_SERIALIZE_MAX_DEPTH,
 * trailing bytes) or -ENOMEM.
 */
#define IOK_SERIALIZE_MAX_DEPTH 64
int iok_serialize(const iok_object_t *obj, uint8_t **out, size_t *out_len);
int iok_unserialize(const void *buf, size_t len, iok_object_t **out);

#ifdef __cplusplus
}
#endif

#endif /* IOK_OBJECT_H */
