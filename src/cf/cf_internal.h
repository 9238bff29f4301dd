/* SPDX-License-Identifier: MIT */
/*
 * cf_internal.h - private plumbing of the CoreFoundation subset: the object
 * header every CF object starts with, the per-type class table, a growable
 * byte buffer used to build strings, and the UTF-8 / legacy-encoding
 * helpers shared by CFString and the formatter.
 */
#ifndef IOK_CF_INTERNAL_H
#define IOK_CF_INTERNAL_H

#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <CoreFoundation/CoreFoundation.h>

#include "iok_export.h"

/* Type IDs: distinct, stable, and the values macOS has long used. */
enum {
	CF_TID_ALLOCATOR = 2,
	CF_TID_STRING = 7,
	CF_TID_NULL = 16,
	CF_TID_DICTIONARY = 18,
	CF_TID_ARRAY = 19,
	CF_TID_DATA = 20,
	CF_TID_BOOLEAN = 21,
	CF_TID_NUMBER = 22,
	CF_TID_RUNLOOP = 43,
	CF_TID_RUNLOOP_SOURCE = 44,
	CF_TID_RUNLOOP_TIMER = 46,
	CF_TID_COUNT
};

struct cf_buf;

/* What a type contributes to the polymorphic functions. */
struct cf_class {
	CFTypeID type_id;
	const char *name;
	/* Frees what the object owns (not the object itself); may be NULL. */
	void (*finalize)(CFTypeRef cf);
	/* Called only for two objects of this type; NULL means identity. */
	Boolean (*equal)(CFTypeRef a, CFTypeRef b);
	/* NULL means a hash of the address. */
	CFHashCode (*hash)(CFTypeRef cf);
	/* Appends what follows "<Name 0x.. [0x..]>" in CFCopyDescription. */
	void (*describe)(CFTypeRef cf, struct cf_buf *b);
	/*
	 * Appends the text %@ shows (NULL: the CFCopyDescription text).
	 * indent is the nesting depth inside collections, quoted asks strings
	 * to quote themselves when needed (inside collections).
	 */
	void (*format)(CFTypeRef cf, struct cf_buf *b, unsigned indent, bool quoted);
};

/* Object flags. */
#define CF_FLAG_IMMORTAL 0x1u	/* static or interned: never freed */
#define CF_FLAG_MUTABLE 0x2u

/* The header at the start of every CF object. */
struct cf_base {
	const struct cf_class *cls;
	atomic_long rc;
	uint32_t flags;
};

#define CF_BASE_STATIC(klass, extra_flags)                                   \
	{ .cls = (klass), .rc = 1, .flags = CF_FLAG_IMMORTAL | (extra_flags) }

extern const struct cf_class cf_string_class;
extern const struct cf_class cf_number_class;
extern const struct cf_class cf_boolean_class;
extern const struct cf_class cf_data_class;
extern const struct cf_class cf_array_class;
extern const struct cf_class cf_dictionary_class;
extern const struct cf_class cf_runloop_class;
extern const struct cf_class cf_runloop_source_class;
extern const struct cf_class cf_runloop_timer_class;

/* Allocates a zeroed object of size bytes with one reference. */
void *cf_object_alloc(const struct cf_class *cls, size_t size, uint32_t flags);

static inline const struct cf_base *cf_base_of(CFTypeRef cf)
{
	return (const struct cf_base *)cf;
}

/* True when cf is a live object of class cls (NULL-safe). */
static inline bool cf_is(CFTypeRef cf, const struct cf_class *cls)
{
	return cf && cf_base_of(cf)->cls == cls;
}

static inline bool cf_is_mutable(CFTypeRef cf)
{
	return cf_base_of(cf)->flags & CF_FLAG_MUTABLE;
}

/* The retain/release callbacks of the kCFType... collection callbacks. */
const void *cf_collection_retain(CFAllocatorRef allocator, const void *value);
void cf_collection_release(CFAllocatorRef allocator, const void *value);

/* Reports misuse (wrong type, immutable target, bad range) on stderr. */
void cf_log_misuse(const char *func, const char *what);

/* Hashing helpers. */
CFHashCode cf_hash_bytes(const void *p, size_t n);
CFHashCode cf_hash_pointer(const void *p);
CFHashCode cf_hash_int64(int64_t v);

/* ---- Growable byte buffer ---------------------------------------------------
 * Appends never fail loudly: an allocation failure marks the buffer failed
 * and later appends do nothing; the owner checks b->failed at the end.  The
 * contents are always NUL-terminated once anything was appended.
 */
struct cf_buf {
	char *p;
	size_t len;
	size_t cap;
	bool failed;
};

#define CF_BUF_INIT { NULL, 0, 0, false }

bool cf_buf_reserve(struct cf_buf *b, size_t extra);
void cf_buf_append(struct cf_buf *b, const void *data, size_t n);
void cf_buf_putc(struct cf_buf *b, char c);
void cf_buf_puts(struct cf_buf *b, const char *s);
void cf_buf_pad(struct cf_buf *b, char c, size_t n);
void cf_buf_put_cp(struct cf_buf *b, uint32_t cp);
void cf_buf_printf(struct cf_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void cf_buf_vprintf(struct cf_buf *b, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
void cf_buf_free(struct cf_buf *b);
/* Makes an immutable CFString of the (valid UTF-8) contents; frees b. */
CFStringRef cf_buf_to_string(struct cf_buf *b);

/* ---- Descriptions ------------------------------------------------------- */

/* Appends CFCopyDescription(cf) ("(null)" for NULL). */
void cf_describe_append(struct cf_buf *b, CFTypeRef cf);
/* Appends "<Name 0x.. [0x..]>". */
void cf_describe_header(struct cf_buf *b, CFTypeRef cf);
/* Appends the %@ text of cf. */
void cf_format_append(struct cf_buf *b, CFTypeRef cf, unsigned indent, bool quoted);
void cf_format_indent(struct cf_buf *b, unsigned indent);
/* Appends a value's description through a container's copyDescription callback. */
void cf_describe_callback(struct cf_buf *b, CFStringRef (*copy)(const void *), const void *v);

/* ---- Unicode helpers ------------------------------------------------------ */

#define CF_REPLACEMENT_CHAR 0xFFFDu

/*
 * Decodes one UTF-8 sequence at p (n > 0 bytes available): returns its
 * length and the code point, or 0 if the sequence is malformed (overlong,
 * surrogate, beyond U+10FFFF, truncated).
 */
size_t cf_utf8_next(const uint8_t *p, size_t n, uint32_t *cp);
size_t cf_utf8_encode(uint32_t cp, char out[4]);

/* Facts about a UTF-8 byte run, filled in by cf_utf8_scan. */
struct cf_utf8_info {
	CFIndex u16len;	/* UTF-16 code units */
	bool ascii;	/* every byte < 0x80 */
	bool has_nul;	/* contains U+0000 */
};

/* Validates p[0..n) as UTF-8; true and *info on success. */
bool cf_utf8_scan(const uint8_t *p, size_t n, struct cf_utf8_info *info);
/* Appends p[0..n) with malformed sequences replaced by U+FFFD. */
void cf_utf8_sanitize(struct cf_buf *b, const uint8_t *p, size_t n);

/* Walks a valid UTF-8 string one UTF-16 code unit at a time. */
struct cf_u16_iter {
	const uint8_t *p;
	size_t n;
	size_t pos;
	uint16_t pending;	/* low surrogate still to deliver, or 0 */
};

void cf_u16_iter_init(struct cf_u16_iter *it, const char *p, size_t n);
bool cf_u16_iter_next(struct cf_u16_iter *it, uint16_t *unit);

/* Appends the UTF-16 units as UTF-8 (unpaired surrogates become U+FFFD). */
void cf_buf_put_utf16(struct cf_buf *b, const UniChar *chars, size_t n);

/* Simple (one-to-one) Unicode case folding for the common scripts. */
uint32_t cf_fold_case(uint32_t cp);

/* ---- Encodings ---------------------------------------------------------- */

/* True for the encodings that map one byte to one character. */
bool cf_encoding_is_8bit(CFStringEncoding enc);
/* True for the 8-bit encodings whose lower half is ASCII (all of ours). */
bool cf_encoding_is_ascii_superset(CFStringEncoding enc);
bool cf_encoding_supported(CFStringEncoding enc);

/*
 * Appends bytes[0..n) in encoding enc to b as UTF-8.  false if the bytes
 * are invalid in that encoding or the encoding is unsupported.  external
 * lets a byte order mark pick/confirm the byte order and drops it.
 */
bool cf_decode_append(struct cf_buf *b, const uint8_t *bytes, size_t n, CFStringEncoding enc,
		      bool external);

/* Maps a code point to a byte of 8-bit encoding enc; -1 if unrepresentable. */
int cf_encode_8bit(uint32_t cp, CFStringEncoding enc);

/* ---- String internals used by the formatter and descriptions ------------ */

const char *cf_string_utf8(CFStringRef s, size_t *len);
/* Makes a string owning bytes (valid UTF-8, NUL-terminated at len). */
CFStringRef cf_string_adopt(char *bytes, size_t len, bool mutable_);
/* Appends the formatted text to a mutable string. */
void cf_format_into(struct cf_buf *out, CFStringRef format, va_list ap);

#endif /* IOK_CF_INTERNAL_H */
