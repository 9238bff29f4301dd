// SPDX-License-Identifier: MIT
/*
 * cf_format.c - the engine behind CFStringCreateWithFormat: printf
 * conversions plus CF's own (%@ object description, %S UniChar string,
 * %C UniChar, %D/%U/%O long), with positional arguments (%2$d).
 *
 * The format is walked twice with the same parser: the first walk learns
 * the type of every argument so that all of them can be fetched from the
 * va_list in order (which positional arguments need); the second renders.
 * Numeric conversions are handed to vsnprintf one at a time; everything
 * that produces text is rendered here so the result is always valid UTF-8.
 */
#include "cf_internal.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#define FMT_MAX_ARGS 1024

enum arg_kind {
	ARG_NONE,
	ARG_INT,
	ARG_LONG,
	ARG_LLONG,
	ARG_INTMAX,
	ARG_SIZE,
	ARG_PTRDIFF,
	ARG_DOUBLE,
	ARG_LDOUBLE,
	ARG_PTR,
	ARG_WINT,
};

union arg_val {
	int i;
	long l;
	long long ll;
	intmax_t im;
	size_t sz;
	ptrdiff_t pd;
	double d;
	long double ld;
	const void *p;
	wint_t wi;
};

#define FMT_INLINE_ARGS 16

struct fmt_args {
	unsigned char kind[FMT_MAX_ARGS];	/* enum arg_kind */
	union arg_val *val;	/* count entries: inline or malloc'ed */
	union arg_val inline_val[FMT_INLINE_ARGS];
	int count;		/* highest index used + 1 */
	int fetched;		/* arguments actually read */
};

struct fmt_spec {
	char flags[8];
	int width;		/* -1: none */
	int width_arg;		/* -1: none */
	int prec;		/* -1: none */
	int prec_arg;		/* -1: none */
	char len[3];		/* printf length modifier */
	char conv;		/* 0: malformed */
	int arg;		/* -1: takes no argument */
};

/* ---- Parsing ------------------------------------------------------------------ */

static int read_num(const char **pp, const char *end)
{
	const char *p = *pp;
	int n = 0;

	for (; p < end && *p >= '0' && *p <= '9'; p++)
		n = n > (INT_MAX - 9) / 10 ? INT_MAX : n * 10 + (*p - '0');
	*pp = p;
	return n;
}

/* "*" or "*m$": returns the argument index (FMT_MAX_ARGS if out of range). */
static int read_star(const char **pp, const char *end, int *next)
{
	const char *q = *pp;
	int n = read_num(&q, end);

	if (n > 0 && q < end && *q == '$') {
		*pp = q + 1;
		return n <= FMT_MAX_ARGS ? n - 1 : FMT_MAX_ARGS;
	}
	return *next < FMT_MAX_ARGS ? (*next)++ : FMT_MAX_ARGS;
}

static void parse_length(const char **pp, const char *end, struct fmt_spec *sp)
{
	const char *p = *pp;

	if (p < end && (*p == 'h' || *p == 'l') && p + 1 < end && p[1] == *p) {
		sp->len[0] = sp->len[1] = *p;
		p += 2;
	} else if (p < end && *p == 'q') {
		strcpy(sp->len, "ll");
		p++;
	} else if (p < end && strchr("hljztL", *p) && *p) {
		sp->len[0] = *p++;
	}
	*pp = p;
}

static enum arg_kind int_kind(const char *len)
{
	if (!strcmp(len, "l"))
		return ARG_LONG;
	if (!strcmp(len, "ll"))
		return ARG_LLONG;
	if (!strcmp(len, "j"))
		return ARG_INTMAX;
	if (!strcmp(len, "z"))
		return ARG_SIZE;
	if (!strcmp(len, "t"))
		return ARG_PTRDIFF;
	return ARG_INT;
}

/* The kind of argument a conversion consumes; rewrites %D/%U/%O. */
static enum arg_kind conv_kind(struct fmt_spec *sp)
{
	switch (sp->conv) {
	case 'D':
	case 'U':
	case 'O':
		sp->conv = (char)(sp->conv - 'A' + 'a');
		strcpy(sp->len, "l");
		return ARG_LONG;
	case 'd': case 'i': case 'o': case 'u': case 'x': case 'X':
		return int_kind(sp->len);
	case 'e': case 'E': case 'f': case 'F': case 'g': case 'G': case 'a': case 'A':
		return strcmp(sp->len, "L") ? ARG_DOUBLE : ARG_LDOUBLE;
	case 'c':
		return strcmp(sp->len, "l") ? ARG_INT : ARG_WINT;
	case 'C':
		return ARG_INT;
	case 's': case 'S': case 'p': case '@': case 'n':
		return ARG_PTR;
	default:
		return ARG_NONE;
	}
}

/*
 * Parses the conversion after a '%' at p; returns where parsing stopped.
 * A malformed or unknown conversion leaves sp->conv 0 and stops before the
 * offending character, which is then output literally.
 */
static const char *parse_spec(const char *p, const char *end, struct fmt_spec *sp, int *next,
			      enum arg_kind *kind)
{
	const char *q = p;
	int pos = -1, n, nflags = 0;

	memset(sp, 0, sizeof(*sp));
	sp->width = sp->width_arg = sp->prec = sp->prec_arg = sp->arg = -1;
	n = read_num(&q, end);
	if (n > 0 && q < end && *q == '$') {
		pos = n <= FMT_MAX_ARGS ? n - 1 : FMT_MAX_ARGS;
		p = q + 1;
	}
	while (p < end && *p && strchr("-+ #0'", *p)) {
		if (nflags < 6 && !memchr(sp->flags, *p, (size_t)nflags))
			sp->flags[nflags++] = *p;
		p++;
	}
	if (p < end && *p == '*') {
		p++;
		sp->width_arg = read_star(&p, end, next);
	} else if (p < end && *p >= '0' && *p <= '9') {
		sp->width = read_num(&p, end);
	}
	if (p < end && *p == '.') {
		p++;
		if (p < end && *p == '*') {
			p++;
			sp->prec_arg = read_star(&p, end, next);
		} else {
			sp->prec = read_num(&p, end);
		}
	}
	parse_length(&p, end, sp);
	if (p >= end)
		return p;
	sp->conv = *p;
	*kind = conv_kind(sp);
	if (*kind == ARG_NONE) {
		if (sp->conv != '%')
			sp->conv = 0;
		return sp->conv ? p + 1 : p;
	}
	if (pos < 0)
		pos = *next < FMT_MAX_ARGS ? (*next)++ : FMT_MAX_ARGS;
	if (pos >= FMT_MAX_ARGS || sp->width_arg >= FMT_MAX_ARGS || sp->prec_arg >= FMT_MAX_ARGS)
		sp->conv = 0;	/* too many arguments: left as text */
	sp->arg = pos;
	return sp->conv ? p + 1 : p;
}

/* ---- Argument collection -------------------------------------------------- */

static void note_arg(struct fmt_args *a, int idx, enum arg_kind k)
{
	if (idx < 0 || idx >= FMT_MAX_ARGS)
		return;
	if (a->kind[idx] == ARG_NONE)
		a->kind[idx] = (unsigned char)k;
	if (idx + 1 > a->count)
		a->count = idx + 1;
}

static void learn_args(const char *p, const char *end, struct fmt_args *a)
{
	int next = 0;

	while (p < end) {
		struct fmt_spec sp;
		enum arg_kind k = ARG_NONE;

		if (*p++ != '%')
			continue;
		p = parse_spec(p, end, &sp, &next, &k);
		if (!sp.conv || sp.conv == '%')
			continue;
		note_arg(a, sp.width_arg, ARG_INT);
		note_arg(a, sp.prec_arg, ARG_INT);
		note_arg(a, sp.arg, k);
	}
}

/* Reads the arguments in order; stops at a gap whose type is unknown. */
static void fetch_args(struct fmt_args *a, va_list ap)
{
	for (int i = 0; i < a->count; i++) {
		union arg_val *v = &a->val[i];

		switch (a->kind[i]) {
		case ARG_INT: v->i = va_arg(ap, int); break;
		case ARG_LONG: v->l = va_arg(ap, long); break;
		case ARG_LLONG: v->ll = va_arg(ap, long long); break;
		case ARG_INTMAX: v->im = va_arg(ap, intmax_t); break;
		case ARG_SIZE: v->sz = va_arg(ap, size_t); break;
		case ARG_PTRDIFF: v->pd = va_arg(ap, ptrdiff_t); break;
		case ARG_DOUBLE: v->d = va_arg(ap, double); break;
		case ARG_LDOUBLE: v->ld = va_arg(ap, long double); break;
		case ARG_PTR: v->p = va_arg(ap, const void *); break;
		case ARG_WINT: v->wi = va_arg(ap, wint_t); break;
		default: return;
		}
		a->fetched = i + 1;
	}
}

/* ---- Rendering ------------------------------------------------------------------ */

struct resolved {
	size_t width;
	int prec;		/* -1: none */
	bool left;
};

static bool have_arg(const struct fmt_args *a, int idx)
{
	return idx >= 0 && idx < a->fetched;
}

static struct resolved resolve(const struct fmt_spec *sp, const struct fmt_args *a)
{
	struct resolved r = { 0, sp->prec, strchr(sp->flags, '-') != NULL };
	long w = sp->width > 0 ? sp->width : 0;

	if (sp->width_arg >= 0) {
		w = have_arg(a, sp->width_arg) ? a->val[sp->width_arg].i : 0;
		if (w < 0) {
			r.left = true;
			w = -w;
		}
	}
	if (sp->prec_arg >= 0) {
		r.prec = have_arg(a, sp->prec_arg) ? a->val[sp->prec_arg].i : -1;
		if (r.prec < 0)
			r.prec = -1;
	}
	r.width = (size_t)w;
	return r;
}

static size_t count_chars(const char *s, size_t n)
{
	size_t chars = 0;

	for (size_t i = 0; i < n; i++)
		chars += ((unsigned char)s[i] & 0xC0) != 0x80;
	return chars;
}

/* Byte length of the first max_chars characters of UTF-8 s[0..n). */
static size_t prefix_chars(const char *s, size_t n, size_t max_chars)
{
	size_t i = 0, chars = 0;

	for (; i < n; i++) {
		if (((unsigned char)s[i] & 0xC0) != 0x80 && chars++ == max_chars)
			break;
	}
	return i;
}

static void put_padded(struct cf_buf *b, const char *s, size_t n, const struct resolved *r)
{
	size_t chars = count_chars(s, n);
	size_t pad = r->width > chars ? r->width - chars : 0;

	if (!r->left)
		cf_buf_pad(b, ' ', pad);
	cf_buf_append(b, s, n);
	if (r->left)
		cf_buf_pad(b, ' ', pad);
}

/* Appends text t (valid UTF-8), cut to prec characters, padded to width. */
static void put_text(struct cf_buf *b, struct cf_buf *t, const struct resolved *r)
{
	size_t n = t->failed ? 0 : t->len;

	if (r->prec >= 0)
		n = prefix_chars(t->p, n, (size_t)r->prec);
	if (t->failed)
		b->failed = true;
	put_padded(b, t->p ? t->p : "", n, r);
	cf_buf_free(t);
}

/* %s: a C string in UTF-8; bytes that are not UTF-8 are read as Latin-1. */
static void render_cstring(struct cf_buf *b, const char *s, const struct resolved *r)
{
	struct cf_buf t = CF_BUF_INIT;
	struct cf_utf8_info info;
	size_t n;

	if (!s)
		s = "(null)";
	n = r->prec >= 0 ? strnlen(s, (size_t)r->prec) : strlen(s);
	if (r->prec >= 0) {
		/* a byte limit may cut a character: drop its partial bytes */
		for (size_t cut = 0; cut < 4 && cut < n; cut++) {
			if (cf_utf8_scan((const uint8_t *)s, n - cut, &info)) {
				n -= cut;
				break;
			}
		}
	}
	if (!cf_decode_append(&t, (const uint8_t *)s, n, kCFStringEncodingUTF8, false)) {
		cf_buf_free(&t);
		cf_decode_append(&t, (const uint8_t *)s, n, kCFStringEncodingISOLatin1, false);
	}
	put_padded(b, t.p ? t.p : "", t.failed ? 0 : t.len, r);
	if (t.failed)
		b->failed = true;
	cf_buf_free(&t);
}

/* %S: a NUL-terminated UniChar string; precision counts UTF-16 units. */
static void render_unichars(struct cf_buf *b, const UniChar *s, const struct resolved *r)
{
	struct cf_buf t = CF_BUF_INIT;
	struct resolved nr = *r;
	size_t n = 0;

	if (!s) {
		render_cstring(b, NULL, r);
		return;
	}
	while (s[n] && (r->prec < 0 || n < (size_t)r->prec))
		n++;
	cf_buf_put_utf16(&t, s, n);
	nr.prec = -1;
	put_text(b, &t, &nr);
}

/* %ls: a wchar_t (UTF-32 on Linux) string. */
static void render_wide(struct cf_buf *b, const wchar_t *s, const struct resolved *r)
{
	struct cf_buf t = CF_BUF_INIT;

	if (!s) {
		render_cstring(b, NULL, r);
		return;
	}
	for (; *s; s++)
		cf_buf_put_cp(&t, (uint32_t)*s);
	put_text(b, &t, r);
}

static void render_char(struct cf_buf *b, uint32_t cp, const struct resolved *r)
{
	struct cf_buf t = CF_BUF_INIT;
	struct resolved nr = *r;

	cf_buf_put_cp(&t, cp);
	nr.prec = -1;
	put_text(b, &t, &nr);
}

static void render_object(struct cf_buf *b, CFTypeRef obj, const struct resolved *r)
{
	struct cf_buf t = CF_BUF_INIT;

	cf_format_append(&t, obj, 0, false);
	put_text(b, &t, r);
}

static void render_pointer(struct cf_buf *b, const void *p, const struct resolved *r)
{
	char tmp[2 + 2 * sizeof(void *) + 1];
	int n = snprintf(tmp, sizeof(tmp), "0x%lx", (unsigned long)(uintptr_t)p);

	put_padded(b, tmp, n > 0 ? (size_t)n : 0, r);
}

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
/* fmt is built from a parsed, checked conversion that matches kind. */
static void put_number(struct cf_buf *b, const char *fmt, enum arg_kind kind,
		       const union arg_val *v)
{
	switch (kind) {
	case ARG_INT: cf_buf_printf(b, fmt, v->i); break;
	case ARG_LONG: cf_buf_printf(b, fmt, v->l); break;
	case ARG_LLONG: cf_buf_printf(b, fmt, v->ll); break;
	case ARG_INTMAX: cf_buf_printf(b, fmt, v->im); break;
	case ARG_SIZE: cf_buf_printf(b, fmt, v->sz); break;
	case ARG_PTRDIFF: cf_buf_printf(b, fmt, v->pd); break;
	case ARG_DOUBLE: cf_buf_printf(b, fmt, v->d); break;
	case ARG_LDOUBLE: cf_buf_printf(b, fmt, v->ld); break;
	default: break;
	}
}
#pragma GCC diagnostic pop

/* The length modifier that makes vsnprintf read exactly kind. */
static const char *length_for(enum arg_kind kind, const char *parsed)
{
	switch (kind) {
	case ARG_INT:
		return !strcmp(parsed, "h") || !strcmp(parsed, "hh") ? parsed : "";
	case ARG_LONG:
		return "l";
	case ARG_LLONG:
		return "ll";
	case ARG_INTMAX:
		return "j";
	case ARG_SIZE:
		return "z";
	case ARG_PTRDIFF:
		return "t";
	case ARG_LDOUBLE:
		return "L";
	default:
		return "";
	}
}

static void render_number(struct cf_buf *b, const struct fmt_spec *sp, const struct resolved *r,
			  enum arg_kind kind, const union arg_val *v)
{
	const char *len = length_for(kind, sp->len);
	char fmt[64];
	char flags[8];
	size_t nf = 0;

	for (const char *f = sp->flags; *f; f++)
		if (*f != '-')
			flags[nf++] = *f;
	flags[nf] = '\0';
	if (r->prec >= 0)
		snprintf(fmt, sizeof(fmt), "%%%s%s%zu.%d%s%c", r->left ? "-" : "", flags, r->width,
			 r->prec, len, sp->conv);
	else
		snprintf(fmt, sizeof(fmt), "%%%s%s%zu%s%c", r->left ? "-" : "", flags, r->width,
			 len, sp->conv);
	put_number(b, fmt, kind, v);
}

static void render_spec(struct cf_buf *b, const struct fmt_spec *sp, const struct fmt_args *a)
{
	struct resolved r = resolve(sp, a);
	const union arg_val *v;

	if (!have_arg(a, sp->arg))
		return;
	v = &a->val[sp->arg];
	switch (sp->conv) {
	case '@':
		render_object(b, v->p, &r);
		break;
	case 's':
		if (!strcmp(sp->len, "l"))
			render_wide(b, v->p, &r);
		else
			render_cstring(b, v->p, &r);
		break;
	case 'S':
		render_unichars(b, v->p, &r);
		break;
	case 'c':
		render_char(b, !strcmp(sp->len, "l") ? (uint32_t)v->wi : (unsigned char)v->i, &r);
		break;
	case 'C':
		render_char(b, (UniChar)v->i, &r);
		break;
	case 'p':
		render_pointer(b, v->p, &r);
		break;
	case 'n':
		break;		/* deliberately unsupported */
	default:
		render_number(b, sp, &r, (enum arg_kind)a->kind[sp->arg], v);
		break;
	}
}

static void render_all(struct cf_buf *b, const char *p, const char *end,
		       const struct fmt_args *a)
{
	int next = 0;

	while (p < end) {
		const char *pct = memchr(p, '%', (size_t)(end - p));
		struct fmt_spec sp;
		enum arg_kind k = ARG_NONE;
		const char *after;

		if (!pct) {
			cf_buf_append(b, p, (size_t)(end - p));
			return;
		}
		cf_buf_append(b, p, (size_t)(pct - p));
		after = parse_spec(pct + 1, end, &sp, &next, &k);
		if (sp.conv == '%')
			cf_buf_putc(b, '%');
		else if (sp.conv)
			render_spec(b, &sp, a);
		else
			cf_buf_append(b, pct, (size_t)(after - pct));	/* malformed: as is */
		p = after;
	}
}

void cf_format_into(struct cf_buf *out, CFStringRef format, va_list ap)
{
	struct fmt_args a = { .count = 0 };
	struct cf_buf raw = CF_BUF_INIT;
	size_t len;
	const char *p = cf_string_utf8(format, &len);

	if (!p) {
		out->failed = true;
		return;
	}
	learn_args(p, p + len, &a);
	a.val = a.inline_val;
	if (a.count > FMT_INLINE_ARGS) {
		a.val = calloc((size_t)a.count, sizeof(*a.val));
		if (!a.val) {
			out->failed = true;
			return;
		}
	}
	fetch_args(&a, ap);
	render_all(&raw, p, p + len, &a);
	if (a.val != a.inline_val)
		free(a.val);
	if (raw.failed) {
		out->failed = true;
	} else if (raw.len) {
		/* numeric output is ASCII; the rest was built valid, but be sure */
		cf_utf8_sanitize(out, (const uint8_t *)raw.p, raw.len);
	}
	cf_buf_free(&raw);
}
