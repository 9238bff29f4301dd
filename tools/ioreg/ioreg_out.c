// SPDX-License-Identifier: MIT
/*
 * ioreg_out.c - ioreg's text output: lines clipped to a width (a clipped
 * line keeps width - 1 characters and ends with '$'), bold escapes, and
 * CF values in ioreg's syntax.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ioreg.h"

static unsigned int out_width;	/* 0: unlimited */
static size_t out_col;		/* characters written on this line */
static bool out_clipped;
static const char *bold_on = "", *bold_off = "";

void ioreg_out_init(unsigned int width, bool bold)
{
	const char *term = getenv("TERM");

	out_width = width;
	out_col = 0;
	out_clipped = false;
	/* What termcap's md/me give on every terminal in use today. */
	if (bold && term && *term && strcmp(term, "dumb") != 0) {
		bold_on = "\033[1m";
		bold_off = "\033[0m";
	}
}

/* Writes n bytes, newlines turned into spaces (a clipped line is one line). */
static void write_flat(const char *s, size_t n)
{
	while (n) {
		const char *nl = memchr(s, '\n', n);
		size_t run = nl ? (size_t)(nl - s) : n;

		fwrite(s, 1, run, stdout);
		if (!nl)
			break;
		putchar(' ');
		s += run + 1;
		n -= run + 1;
	}
}

void ioreg_out_write(const char *s, size_t n)
{
	size_t room;

	if (!out_width) {
		fwrite(s, 1, n, stdout);
		return;
	}
	room = out_width - 1 > out_col ? out_width - 1 - out_col : 0;
	if (n > room) {
		n = room;
		out_clipped = true;
	}
	write_flat(s, n);
	out_col += n;
}

void ioreg_out_str(const char *s)
{
	ioreg_out_write(s, strlen(s));
}

void ioreg_out_fmt(const char *fmt, ...)
{
	char small[256], *big = NULL;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n < sizeof(small)) {
		ioreg_out_write(small, (size_t)n);
		return;
	}
	va_start(ap, fmt);
	n = vasprintf(&big, fmt, ap);
	va_end(ap);
	if (n >= 0) {
		ioreg_out_write(big, (size_t)n);
		free(big);
	}
}

void ioreg_out_endline(void)
{
	if (out_clipped)
		putchar('$');
	putchar('\n');
	out_col = 0;
	out_clipped = false;
}

void ioreg_out_bold(bool on)
{
	fputs(on ? bold_on : bold_off, stdout);
}

/* ---- values ----------------------------------------------------------- */

static bool hex_mode;

static void show_string(CFStringRef s)
{
	const char *p = CFStringGetCStringPtr(s, kCFStringEncodingUTF8);
	CFIndex size;
	char *buf;

	if (p) {
		ioreg_out_fmt("\"%s\"", p);
		return;
	}
	size = CFStringGetMaximumSizeForEncoding(CFStringGetLength(s), kCFStringEncodingUTF8) + 1;
	buf = size > 0 ? malloc((size_t)size) : NULL;
	if (buf && CFStringGetCString(s, buf, size, kCFStringEncodingUTF8))
		ioreg_out_fmt("\"%s\"", buf);
	free(buf);
}

static void show_number(CFNumberRef n)
{
	long long v = 0;

	/* Like ioreg: an integer as unsigned; a fraction prints nothing. */
	if (!CFNumberGetValue(n, kCFNumberLongLongType, &v))
		return;
	if (hex_mode)
		ioreg_out_fmt("0x%llx", (unsigned long long)v);
	else
		ioreg_out_fmt("%llu", (unsigned long long)v);
}

static bool is_normal_char(UInt8 c)
{
	return c >= 0x20 && c <= 0x7e;
}

/*
 * Data is shown as text when it is one or more NUL-separated strings (the
 * last NUL optional, no empty string) of printable ASCII, allowing high
 * (128..254) bytes as long as they are at most a quarter as many as the
 * plain ones; one byte alone is never text.
 */
static bool data_is_text(const UInt8 *p, CFIndex len)
{
	CFIndex i = 0, normal = 0, high = 0;

	if (len < 2)
		return false;
	while (i < len) {
		if (p[i] == 0)
			return false;
		for (; i < len && p[i]; i++) {
			if (is_normal_char(p[i]))
				normal++;
			else if (p[i] >= 128 && p[i] != 255)
				high++;
			else
				return false;
		}
		i++;	/* the terminating NUL, if any */
	}
	return normal && high <= normal / 4;
}

static void show_data_text(const UInt8 *p, CFIndex len)
{
	CFIndex i = 0, start;

	while (i < len) {
		start = i;
		while (i < len && p[i])
			i++;
		ioreg_out_str(start ? ",\"" : "\"");
		ioreg_out_write((const char *)p + start, (size_t)(i - start));
		ioreg_out_str("\"");
		i++;
	}
}

static void show_data(CFDataRef d)
{
	const UInt8 *p = CFDataGetBytePtr(d);
	CFIndex len = CFDataGetLength(d);

	ioreg_out_str("<");
	if (p && !hex_mode && data_is_text(p, len)) {
		show_data_text(p, len);
	} else {
		for (CFIndex i = 0; p && i < len; i++)
			ioreg_out_fmt("%02x", p[i]);
	}
	ioreg_out_str(">");
}

static void show_any(CFTypeRef v);

static void show_array(CFArrayRef a)
{
	CFIndex n = CFArrayGetCount(a);

	ioreg_out_str("(");
	for (CFIndex i = 0; i < n; i++) {
		if (i)
			ioreg_out_str(",");
		show_any(CFArrayGetValueAtIndex(a, i));
	}
	ioreg_out_str(")");
}

static void show_pair(const void *key, const void *value, void *ctx)
{
	bool *first = ctx;

	if (!*first)
		ioreg_out_str(",");
	*first = false;
	show_any(key);
	ioreg_out_str("=");
	show_any(value);
}

static void show_dictionary(CFDictionaryRef d)
{
	bool first = true;

	ioreg_out_str("{");
	CFDictionaryApplyFunction(d, show_pair, &first);
	ioreg_out_str("}");
}

static void show_any(CFTypeRef v)
{
	CFTypeID t = v ? CFGetTypeID(v) : 0;

	if (t && t == CFArrayGetTypeID())
		show_array(v);
	else if (t && t == CFBooleanGetTypeID())
		ioreg_out_str(CFBooleanGetValue(v) ? "Yes" : "No");
	else if (t && t == CFDataGetTypeID())
		show_data(v);
	else if (t && t == CFDictionaryGetTypeID())
		show_dictionary(v);
	else if (t && t == CFNumberGetTypeID())
		show_number(v);
	else if (t && t == CFStringGetTypeID())
		show_string(v);
	else   /* NULL, or a type ioreg does not print */
		ioreg_out_str("<unknown object>");
}

void ioreg_show_value(CFTypeRef value, bool hex)
{
	hex_mode = hex;
	show_any(value);
}
