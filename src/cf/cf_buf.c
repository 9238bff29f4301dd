// SPDX-License-Identifier: MIT
/*
 * cf_buf.c - a growable, always NUL-terminated byte buffer with a sticky
 * failure flag, used to build string contents and descriptions.
 */
#include "cf_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool cf_buf_reserve(struct cf_buf *b, size_t extra)
{
	size_t need, cap;
	char *p;

	if (b->failed)
		return false;
	if (__builtin_add_overflow(b->len, extra, &need) || need == SIZE_MAX)
		goto fail;
	need++;			/* the terminating NUL */
	if (need <= b->cap)
		return true;
	cap = b->cap ? b->cap : 32;
	while (cap < need) {
		if (__builtin_mul_overflow(cap, 2, &cap))
			goto fail;
	}
	p = realloc(b->p, cap);
	if (!p)
		goto fail;
	b->p = p;
	b->cap = cap;
	return true;
fail:
	b->failed = true;
	return false;
}

void cf_buf_append(struct cf_buf *b, const void *data, size_t n)
{
	if (!cf_buf_reserve(b, n))
		return;
	if (n)
		memcpy(b->p + b->len, data, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void cf_buf_putc(struct cf_buf *b, char c)
{
	cf_buf_append(b, &c, 1);
}

void cf_buf_puts(struct cf_buf *b, const char *s)
{
	cf_buf_append(b, s, strlen(s));
}

void cf_buf_pad(struct cf_buf *b, char c, size_t n)
{
	if (!cf_buf_reserve(b, n))
		return;
	memset(b->p + b->len, c, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void cf_buf_put_cp(struct cf_buf *b, uint32_t cp)
{
	char tmp[4];

	cf_buf_append(b, tmp, cf_utf8_encode(cp, tmp));
}

void cf_buf_vprintf(struct cf_buf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	char small[128];
	int n;

	va_copy(ap2, ap);
	n = vsnprintf(small, sizeof(small), fmt, ap2);
	va_end(ap2);
	if (n < 0) {
		b->failed = true;
		return;
	}
	if ((size_t)n < sizeof(small)) {
		cf_buf_append(b, small, (size_t)n);
		return;
	}
	if (!cf_buf_reserve(b, (size_t)n))
		return;
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
}

void cf_buf_printf(struct cf_buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cf_buf_vprintf(b, fmt, ap);
	va_end(ap);
}

void cf_buf_free(struct cf_buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = 0;
	b->cap = 0;
}

CFStringRef cf_buf_to_string(struct cf_buf *b)
{
	CFStringRef s;

	if (!b->failed && !b->p)
		cf_buf_reserve(b, 0);
	if (b->failed || !b->p) {
		cf_buf_free(b);
		return NULL;
	}
	b->p[b->len] = '\0';
	s = cf_string_adopt(b->p, b->len, false);
	if (!s)
		free(b->p);
	b->p = NULL;
	b->len = 0;
	b->cap = 0;
	return s;
}
