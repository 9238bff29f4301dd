// SPDX-License-Identifier: MIT
/*
 * test_ioreg.c - golden-output tests of the ioreg tool: a private iokitd
 * with SampleDriver, and the built ioreg binary run with many flag
 * combinations.  Registry ids, retain counts and busy times vary between
 * runs, so they are masked ("id 0x*", "retain *", no " (T ms)") before the
 * text is compared; properties come in CF dictionary order, so property
 * lines are checked one by one, with their exact tree prefix.  The value
 * printer (ioreg_out.c, linked in) is also checked on CF values the sample
 * registry does not hold: text-like data, nesting, clipping.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <plist/plist.h>

#include "host_harness.h"
#include "ioreg.h"

#ifndef IOREG_PATH
#error "IOREG_PATH must name the ioreg binary"
#endif

static pid_t host;

struct run {
	char *out;	/* stdout (and stderr with IOREG_ERR) */
	size_t len;
	int status;	/* exit status */
};

#define IOREG_OUT " 2>/dev/null"
#define IOREG_ERR " 2>&1"

/* Runs "env ioreg args redirect" in a shell; args are trusted literals. */
static struct run ioreg_env(const char *env, const char *args, const char *redirect)
{
	struct run r = { NULL, 0, -1 };
	char cmd[1024], buf[4096];
	FILE *p;
	size_t n;

	snprintf(cmd, sizeof(cmd), "%s '%s' %s%s", env, IOREG_PATH, args, redirect);
	p = popen(cmd, "r");
	assert_non_null(p);
	while ((n = fread(buf, 1, sizeof(buf), p)) > 0) {
		r.out = realloc(r.out, r.len + n + 1);
		assert_non_null(r.out);
		memcpy(r.out + r.len, buf, n);
		r.len += n;
	}
	if (!r.out)
		r.out = calloc(1, 1);
	assert_non_null(r.out);
	r.out[r.len] = '\0';
	n = (size_t)pclose(p);
	r.status = WIFEXITED((int)n) ? WEXITSTATUS((int)n) : -1;
	return r;
}

static struct run ioreg(const char *args)
{
	struct run r = ioreg_env("env -u TERM", args, IOREG_OUT);

	if (r.status != 0)
		fprintf(stderr, "ioreg %s exited %d:\n%s", args, r.status, r.out);
	assert_int_equal(r.status, 0);
	return r;
}

/* Skips the digits (hex: any hex digit) at p. */
static char *skip_digits(char *p, bool hex)
{
	while (hex ? isxdigit((unsigned char)*p) : isdigit((unsigned char)*p))
		p++;
	return p;
}

/*
 * Masks "id 0x<hex>" and "retain <n>" and drops " (<n> ms)", in place (the
 * text only shrinks, and each part is read before it is overwritten).
 */
static char *mask(char *s)
{
	char *in = s, *out = s, *end;

	while (*in) {
		if (!strncmp(in, "id 0x", 5) && isxdigit((unsigned char)in[5])) {
			in = skip_digits(in + 5, true);
			memcpy(out, "id 0x*", 6);
			out += 6;
		} else if (!strncmp(in, "retain ", 7) && isdigit((unsigned char)in[7])) {
			in = skip_digits(in + 7, false);
			memcpy(out, "retain *", 8);
			out += 8;
		} else if (!strncmp(in, " (", 2) && isdigit((unsigned char)in[2]) &&
			   !strncmp(end = skip_digits(in + 2, false), " ms)", 4)) {
			in = end + 4;
		} else {
			*out++ = *in++;
		}
	}
	*out = '\0';
	return s;
}

static void assert_golden(struct run *r, const char *expected)
{
	mask(r->out);
	if (strcmp(r->out, expected) != 0)
		fprintf(stderr, "expected:\n%s\ngot:\n%s\n", expected, r->out);
	assert_string_equal(r->out, expected);
}

/* Number of lines of text equal to line. */
static int count_line(const char *text, const char *line)
{
	size_t n = strlen(line);
	int count = 0;

	for (const char *p = text; *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);

		if (len == n && !strncmp(p, line, n))
			count++;
		p += len + (nl ? 1 : 0);
	}
	return count;
}

static void assert_line(const char *text, const char *line)
{
	if (count_line(text, line) != 1)
		fprintf(stderr, "wanted once: [%s]\nin:\n%s\n", line, text);
	assert_int_equal(count_line(text, line), 1);
}

static void assert_no_substring(const char *text, const char *s)
{
	if (strstr(text, s))
		fprintf(stderr, "unexpected [%s] in:\n%s\n", s, text);
	assert_null(strstr(text, s));
}

static void release(struct run *r)
{
	free(r->out);
	r->out = NULL;
}

#define ROOT_LINE "+-o Root  <class IORegistryEntry, id 0x*, retain *>\n"
#define SVC ", registered, matched, active, busy 0, retain *>\n"
#define PE_LINE "  +-o OpenIOKit  <class IOPlatformExpertDevice, id 0x*" SVC
#define RES_LINE "    +-o IOResources  <class IOResources, id 0x*" SVC
#define DRV_LINE "      +-o SampleDriver  <class SampleDriver, id 0x*" SVC
#define NUB_LINE "        +-o SampleNub@1  <class SampleNub, id 0x*" SVC

static const char tree[] = ROOT_LINE PE_LINE RES_LINE DRV_LINE NUB_LINE;

/* ---- text ---------------------------------------------------------------- */

static void test_tree(void **state)
{
	struct run r = ioreg("");

	assert_golden(&r, tree);
	release(&r);
	/* -s, -S, -f, -i and -b (no terminal) change nothing here; -p
	 * IOService is the default plane; -d 0 and -w 0 mean unlimited. */
	r = ioreg("-s -S -f -i -b -p IOService -d 0 -w0");
	assert_golden(&r, tree);
	release(&r);
}

static void test_depth(void **state)
{
	struct run r = ioreg("-d 1");

	assert_golden(&r, ROOT_LINE);
	release(&r);
	r = ioreg("-d 2");
	assert_golden(&r, ROOT_LINE PE_LINE);
	release(&r);
	r = ioreg("-d4");
	assert_golden(&r, ROOT_LINE PE_LINE RES_LINE DRV_LINE);
	release(&r);
	/* A depth limit cuts the bar that would lead to hidden children. */
	r = ioreg("-l -d 4");
	mask(r.out);
	assert_line(r.out, "          {");
	assert_line(r.out, "            \"SampleCount\" = 42");
	assert_int_equal(count_line(r.out, "        | {"), 0);
	release(&r);
}

static void test_list(void **state)
{
	struct run r = ioreg("-l");

	mask(r.out);
	/* Tree lines are unchanged, in order. */
	assert_non_null(strstr(r.out, ROOT_LINE));
	assert_ptr_equal(strstr(r.out, ROOT_LINE), r.out);
	assert_true(strstr(r.out, PE_LINE) < strstr(r.out, RES_LINE));
	assert_true(strstr(r.out, RES_LINE) < strstr(r.out, DRV_LINE));
	assert_true(strstr(r.out, DRV_LINE) < strstr(r.out, NUB_LINE));
	/* Root's block hangs under its "o", the bar leads to its child. */
	assert_line(r.out, "  | {");
	assert_line(r.out, "  | }");
	assert_line(r.out, "  | ");
	/* SampleDriver (depth 3, has a child). */
	assert_line(r.out, "        |   \"Greeting\" = \"Hello from SampleDriver\"");
	assert_line(r.out, "        |   \"SampleCount\" = 42");
	assert_line(r.out, "        |   \"SampleReady\" = Yes");
	assert_line(r.out, "        |   \"SampleData\" = <deadbeef>");
	assert_line(r.out, "        |   \"SampleNames\" = (\"alpha\",\"beta\")");
	assert_line(r.out, "        |   \"IOMatchCategory\" = \"SampleDriver\"");
	assert_line(r.out, "        | {");
	assert_line(r.out, "        | }");
	/* SampleNub (depth 4, a leaf): no bars at all. */
	assert_line(r.out, "              \"compatible\" = \"org,sample-nub\"");
	assert_line(r.out, "            {");
	assert_line(r.out, "            }");
	assert_line(r.out, "            ");
	release(&r);
}

static void test_hex(void **state)
{
	struct run r = ioreg("-l -x");

	assert_line(r.out, "        |   \"SampleCount\" = 0x2a");
	assert_line(r.out, "        |   \"SampleData\" = <deadbeef>");
	assert_line(r.out, "        |   \"SampleReady\" = Yes");
	/* Printable data and strings stay as they are... */
	assert_line(r.out, "        |   \"Greeting\" = \"Hello from SampleDriver\"");
	/* ...and ids are hex in any case. */
	assert_non_null(strstr(r.out, "<class SampleDriver, id 0x"));
	assert_no_substring(r.out, "\"SampleCount\" = 42");
	release(&r);
}

static void test_class_without_r(void **state)
{
	struct run r = ioreg("-c SampleDriver");

	mask(r.out);
	/* The whole tree, properties only for the match. */
	assert_non_null(strstr(r.out, ROOT_LINE PE_LINE RES_LINE DRV_LINE "        | {\n"));
	assert_line(r.out, "        |   \"SampleCount\" = 42");
	assert_non_null(strstr(r.out, "        | }\n        | \n" NUB_LINE));
	assert_no_substring(r.out, "compatible");
	assert_int_equal(count_line(r.out, "  | {"), 0);
	release(&r);
}

/* Checks the -r output of the SampleDriver subtree rooted at column 0. */
static void check_driver_subtree(char *out)
{
	mask(out);
	assert_ptr_equal(strstr(out, "+-o SampleDriver  <class SampleDriver, id 0x*" SVC "  | {\n"),
			 out);
	assert_line(out, "  |   \"Greeting\" = \"Hello from SampleDriver\"");
	assert_line(out, "  |   \"SampleNames\" = (\"alpha\",\"beta\")");
	/* Its child follows; the subtree ends with a blank line. */
	assert_non_null(strstr(out, "  | }\n  | \n  +-o SampleNub@1  <class SampleNub, id 0x*" SVC
				    "\n"));
	assert_int_equal(out[strlen(out) - 1], '\n');
	assert_int_equal(out[strlen(out) - 2], '\n');
	assert_no_substring(out, "Root");
	assert_no_substring(out, "compatible");
}

static void test_root_by_class_key_name(void **state)
{
	struct run r = ioreg("-r -c SampleDriver");

	check_driver_subtree(r.out);
	release(&r);
	r = ioreg("-r -k SampleCount");
	check_driver_subtree(r.out);
	release(&r);
	r = ioreg("-r -n SampleDriver");
	check_driver_subtree(r.out);
	release(&r);
	/* All criteria must hold. */
	r = ioreg("-r -n SampleDriver -c SampleDriver -k Greeting");
	check_driver_subtree(r.out);
	release(&r);
	r = ioreg("-r -n SampleDriver -c IOResources");
	assert_string_equal(r.out, "");
	release(&r);
}

static void test_root_nub(void **state)
{
	static const char nub[] = "+-o SampleNub@1  <class SampleNub, id 0x*" SVC "    {\n";
	struct run r = ioreg("-r -n SampleNub@1");

	mask(r.out);
	assert_ptr_equal(strstr(r.out, nub), r.out);
	assert_line(r.out, "      \"compatible\" = \"org,sample-nub\"");
	assert_non_null(strstr(r.out, "\n    }\n    \n\n"));
	release(&r);
	/* Without '@' only the name is compared. */
	r = ioreg("-r -n SampleNub");
	mask(r.out);
	assert_ptr_equal(strstr(r.out, nub), r.out);
	release(&r);
	r = ioreg("-r -n SampleNub@2");
	assert_string_equal(r.out, "");
	release(&r);
	/* Names compare whole. */
	r = ioreg("-r -n Sample");
	assert_string_equal(r.out, "");
	release(&r);
	r = ioreg("-r -n SampleNub@");
	assert_string_equal(r.out, "");
	release(&r);
	r = ioreg("-r -k NoSuchKey");
	assert_string_equal(r.out, "");
	release(&r);
	/* -r without criteria matches nothing. */
	r = ioreg("-r");
	assert_string_equal(r.out, "");
	release(&r);
}

static void test_root_depth_and_nesting(void **state)
{
	struct run r = ioreg("-r -n IOResources -d 1");

	mask(r.out);
	assert_ptr_equal(strstr(r.out, "+-o IOResources  <class IOResources, id 0x*" SVC "    {\n"),
			 r.out);
	assert_no_substring(r.out, "SampleDriver  <");
	assert_non_null(strstr(r.out, "    }\n    \n\n"));
	release(&r);
	/* Every IOService matches; nested matches are not printed again. */
	r = ioreg("-r -c IOService");
	mask(r.out);
	assert_ptr_equal(strstr(r.out, "+-o OpenIOKit  <"), r.out);
	assert_int_equal(count_line(r.out, "+-o OpenIOKit  <class IOPlatformExpertDevice, id 0x*"
				    ", registered, matched, active, busy 0, retain *>"), 1);
	assert_int_equal(count_line(r.out, "    +-o SampleDriver  <class SampleDriver, id 0x*"
				    ", registered, matched, active, busy 0, retain *>"), 1);
	assert_int_equal(count_line(r.out, ""), 1);
	release(&r);
	/* With a depth limit, matches below the printed levels start anew. */
	r = ioreg("-r -c IOService -d 2");
	mask(r.out);
	assert_int_equal(count_line(r.out, ""), 2);
	assert_int_equal(count_line(r.out, "+-o OpenIOKit  <class IOPlatformExpertDevice, id 0x*"
				    ", registered, matched, active, busy 0, retain *>"), 1);
	assert_int_equal(count_line(r.out, "+-o SampleDriver  <class SampleDriver, id 0x*"
				    ", registered, matched, active, busy 0, retain *>"), 1);
	assert_int_equal(count_line(r.out, "  +-o SampleNub@1  <class SampleNub, id 0x*"
				    ", registered, matched, active, busy 0, retain *>"), 1);
	release(&r);
}

static void test_tree_ancestors(void **state)
{
	struct run r = ioreg("-r -t -n SampleNub@1");

	mask(r.out);
	/* Ancestors in their own columns, then the match at its depth. */
	assert_ptr_equal(strstr(r.out, tree), r.out);
	assert_non_null(strstr(r.out, NUB_LINE "            {\n"));
	assert_line(r.out, "              \"compatible\" = \"org,sample-nub\"");
	assert_no_substring(r.out, "Greeting");
	release(&r);
	/* With -l the ancestors' blocks hang on a bar to the next level. */
	r = ioreg("-r -t -l -c SampleDriver");
	mask(r.out);
	assert_non_null(strstr(r.out, ROOT_LINE "  | {\n"));
	assert_non_null(strstr(r.out, PE_LINE "    | {\n"));
	assert_non_null(strstr(r.out, DRV_LINE "        | {\n"));
	assert_line(r.out, "              \"compatible\" = \"org,sample-nub\"");
	release(&r);
}

static void check_width(const char *out, size_t width)
{
	for (const char *p = out; *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);

		assert_true(len <= width);
		if (len == width)
			assert_int_equal(p[len - 1], '$');
		p += len + (nl ? 1 : 0);
	}
}

static void test_width(void **state)
{
	struct run r = ioreg("-w 40");

	check_width(r.out, 40);
	/* 39 characters of the line, then '$'. */
	assert_line(r.out, "  +-o OpenIOKit  <class IOPlatformExper$");
	assert_line(r.out, "      +-o SampleDriver  <class SampleDr$");
	release(&r);
	r = ioreg("-l -w 31");
	check_width(r.out, 31);
	/* A line of width - 1 characters is whole, one of width is clipped. */
	assert_line(r.out, "        |   \"SampleCount\" = 42");
	assert_line(r.out, "        |   \"SampleReady\" = Ye$");
	assert_line(r.out, "        |   \"Greeting\" = \"Hell$");
	release(&r);
	r = ioreg("-l -w 30");
	check_width(r.out, 30);
	assert_line(r.out, "        |   \"SampleCount\" = 4$");
	release(&r);
	r = ioreg("-l -w0");
	assert_no_substring(r.out, "$\n");
	assert_line(r.out, "        |   \"Greeting\" = \"Hello from SampleDriver\"");
	release(&r);
}

static void test_bold(void **state)
{
	struct run r = ioreg_env("TERM=xterm", "-b -d 1", IOREG_OUT);

	assert_int_equal(r.status, 0);
	assert_ptr_equal(strstr(r.out, "+-o \033[1mRoot\033[0m  <class IORegistryEntry, id 0x"),
			 r.out);
	release(&r);
	/* Escapes do not count against the width. */
	r = ioreg_env("TERM=xterm", "-b -d 1 -w 20", IOREG_OUT);
	assert_string_equal(r.out, "+-o \033[1mRoot\033[0m  <class IO$\n");
	release(&r);
}

/* ---- errors -------------------------------------------------------------- */

static void test_bad_usage(void **state)
{
	static const char *const bad[] = { "-Q", "-c", "-d", "-d x", "-w -3", "-l -z" };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct run r = ioreg_env("", bad[i], IOREG_ERR);

		assert_int_equal(r.status, 1);
		assert_ptr_equal(strstr(r.out, "usage: ioreg"), r.out);
		assert_no_substring(r.out, "+-o");
		release(&r);
	}
}

static void test_no_host(void **state)
{
	struct run r = ioreg_env("IOKIT_SOCKET=/tmp/iok-no-such-dir/none.sock", "-l", IOREG_ERR);

	assert_int_equal(r.status, 1);
	assert_string_equal(r.out, "ioreg: error: can't obtain I/O Kit's root service.\n");
	release(&r);
}

/* ---- value syntax (ioreg_out.c) ----------------------------------------- */

/* What ioreg prints for value (consumed) on a line of the given width. */
static char *shown(CFTypeRef value, bool hex, unsigned int width)
{
	static char buf[512];
	FILE *f = tmpfile();
	size_t n;
	int saved;

	assert_non_null(value);
	assert_non_null(f);
	fflush(stdout);
	saved = dup(STDOUT_FILENO);
	assert_true(saved >= 0);
	assert_true(dup2(fileno(f), STDOUT_FILENO) >= 0);
	ioreg_out_init(width, false);
	ioreg_show_value(value, hex);
	ioreg_out_endline();
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	rewind(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	CFRelease(value);
	return buf;
}

static CFTypeRef data(const char *bytes, CFIndex len)
{
	return CFDataCreate(NULL, (const UInt8 *)bytes, len);
}

static CFTypeRef string(const char *s)
{
	return CFStringCreateWithCString(NULL, s, kCFStringEncodingUTF8);
}

static CFTypeRef number(long long v)
{
	return CFNumberCreate(NULL, kCFNumberLongLongType, &v);
}

static void test_value_scalars(void **state)
{
	int32_t minus_one = -1;

	assert_string_equal(shown(string("a b"), false, 0), "\"a b\"\n");
	assert_string_equal(shown(number(42), false, 0), "42\n");
	assert_string_equal(shown(number(42), true, 0), "0x2a\n");
	/* Numbers print unsigned, 64 bits wide. */
	assert_string_equal(shown(CFNumberCreate(NULL, kCFNumberSInt32Type, &minus_one), false, 0),
			    "18446744073709551615\n");
	assert_string_equal(shown(number(-1), true, 0), "0xffffffffffffffff\n");
	assert_string_equal(shown(CFRetain(kCFBooleanTrue), false, 0), "Yes\n");
	assert_string_equal(shown(CFRetain(kCFBooleanFalse), false, 0), "No\n");
}

static void test_value_data(void **state)
{
	/* One or more NUL-separated printable strings print as text... */
	assert_string_equal(shown(data("ab", 2), false, 0), "<\"ab\">\n");
	assert_string_equal(shown(data("abc\0", 4), false, 0), "<\"abc\">\n");
	assert_string_equal(shown(data("abc\0de\0f", 9), false, 0), "<\"abc\",\"de\",\"f\">\n");
	/* ...with a few high bytes: at most one per four plain ones. */
	assert_string_equal(shown(data("abcd\xe9", 5), false, 0), "<\"abcd\xe9\">\n");
	assert_string_equal(shown(data("abc\xe9", 4), false, 0), "<616263e9>\n");
	/* Not text: one byte, empty strings, control bytes, 0xff, -x. */
	assert_string_equal(shown(data("a", 1), false, 0), "<61>\n");
	assert_string_equal(shown(data("ab\0\0", 4), false, 0), "<61620000>\n");
	assert_string_equal(shown(data("\0ab", 3), false, 0), "<006162>\n");
	assert_string_equal(shown(data("a\nb", 3), false, 0), "<610a62>\n");
	assert_string_equal(shown(data("abcd\xff", 5), false, 0), "<61626364ff>\n");
	assert_string_equal(shown(data("\xde\xad\xbe\xef", 4), false, 0), "<deadbeef>\n");
	assert_string_equal(shown(data("ab", 2), true, 0), "<6162>\n");
	assert_string_equal(shown(data("", 0), false, 0), "<>\n");
}

static void test_value_collections(void **state)
{
	const void *inner_keys[] = { string("k") }, *inner_vals[] = { data("\x01", 1) };
	CFTypeRef inner = CFDictionaryCreate(NULL, inner_keys, inner_vals, 1,
					     &kCFTypeDictionaryKeyCallBacks,
					     &kCFTypeDictionaryValueCallBacks);
	const void *items[] = { string("a"), number(1), kCFBooleanTrue, inner };
	CFTypeRef list = CFArrayCreate(NULL, items, 4, &kCFTypeArrayCallBacks);

	CFRelease(inner_keys[0]);
	CFRelease(inner_vals[0]);
	CFRelease(items[0]);
	CFRelease(items[1]);
	CFRelease(inner);
	assert_string_equal(shown(CFRetain(list), false, 0), "(\"a\",1,Yes,{\"k\"=<01>})\n");
	assert_string_equal(shown(CFRetain(list), true, 0), "(\"a\",0x1,Yes,{\"k\"=<01>})\n");
	/* Clipped inside a nested value. */
	assert_string_equal(shown(list, false, 12), "(\"a\",1,Yes,$\n");
	assert_string_equal(shown(CFArrayCreate(NULL, NULL, 0, &kCFTypeArrayCallBacks), false, 0),
			    "()\n");
	assert_string_equal(shown(CFDictionaryCreate(NULL, NULL, NULL, 0,
						     &kCFTypeDictionaryKeyCallBacks,
						     &kCFTypeDictionaryValueCallBacks), false, 0),
			    "{}\n");
}

static void test_value_newlines(void **state)
{
	/* Unclipped output keeps a newline; a clipped line stays one line. */
	assert_string_equal(shown(string("a\nb"), false, 0), "\"a\nb\"\n");
	assert_string_equal(shown(string("a\nb"), false, 10), "\"a b\"\n");
	assert_string_equal(shown(string("a\nbcdefgh"), false, 8), "\"a bcde$\n");
}

/* ---- -a ------------------------------------------------------------------ */

static plist_t parse(const struct run *r)
{
	plist_t p = NULL;

	assert_ptr_equal(strstr(r->out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"), r->out);
	plist_from_xml(r->out, (uint32_t)r->len, &p);
	assert_non_null(p);
	return p;
}

static const char *str(plist_t dict, const char *key)
{
	static char buf[256];
	plist_t v = plist_dict_get_item(dict, key);
	char *s = NULL;

	assert_non_null(v);
	assert_int_equal(plist_get_node_type(v), PLIST_STRING);
	plist_get_string_val(v, &s);
	assert_non_null(s);
	snprintf(buf, sizeof(buf), "%s", s);
	free(s);
	return buf;
}

static uint64_t uint_of(plist_t dict, const char *key)
{
	plist_t v = plist_dict_get_item(dict, key);
	uint64_t u = 0;

	assert_non_null(v);
	assert_int_equal(plist_get_node_type(v), PLIST_UINT);
	plist_get_uint_val(v, &u);
	return u;
}

/* The only child of dict (which must have exactly one). */
static plist_t only_child(plist_t dict)
{
	plist_t kids = plist_dict_get_item(dict, "IORegistryEntryChildren");

	assert_non_null(kids);
	assert_int_equal(plist_get_node_type(kids), PLIST_ARRAY);
	assert_int_equal(plist_array_get_size(kids), 1);
	return plist_array_get_item(kids, 0);
}

static void check_identity(plist_t d, const char *name, const char *cls, bool service)
{
	assert_int_equal(plist_get_node_type(d), PLIST_DICT);
	assert_string_equal(str(d, "IORegistryEntryName"), name);
	assert_string_equal(str(d, "IOObjectClass"), cls);
	assert_true(uint_of(d, "IORegistryEntryID") >= 0x100000000ull);
	assert_true(uint_of(d, "IOObjectRetainCount") > 0);
	if (service) {
		/* registered | matched, not inactive */
		assert_int_equal(uint_of(d, "IOServiceState") & 7, 6);
		assert_int_equal(uint_of(d, "IOServiceBusyState"), 0);
		(void)uint_of(d, "IOServiceBusyTime");
	} else {
		assert_null(plist_dict_get_item(d, "IOServiceState"));
	}
}

static void check_driver_props(plist_t d)
{
	plist_t v = plist_dict_get_item(d, "SampleData");
	char *bytes = NULL;
	uint64_t len = 0;
	uint8_t yes = 0;

	assert_string_equal(str(d, "Greeting"), "Hello from SampleDriver");
	assert_int_equal(uint_of(d, "SampleCount"), 42);
	assert_non_null(v);
	plist_get_data_val(v, &bytes, &len);
	assert_int_equal(len, 4);
	assert_memory_equal(bytes, "\xde\xad\xbe\xef", 4);
	free(bytes);
	v = plist_dict_get_item(d, "SampleReady");
	assert_int_equal(plist_get_node_type(v), PLIST_BOOLEAN);
	plist_get_bool_val(v, &yes);
	assert_true(yes);
	v = plist_dict_get_item(d, "SampleNames");
	assert_int_equal(plist_get_node_type(v), PLIST_ARRAY);
	assert_int_equal(plist_array_get_size(v), 2);
	assert_null(plist_dict_get_item(d, "IORegistryEntryLocation"));
}

static void test_archive_tree(void **state)
{
	struct run r = ioreg("-a");
	plist_t root = parse(&r), pe, res, drv, nub;

	check_identity(root, "Root", "IORegistryEntry", false);
	pe = only_child(root);
	check_identity(pe, "OpenIOKit", "IOPlatformExpertDevice", true);
	res = only_child(pe);
	check_identity(res, "IOResources", "IOResources", true);
	drv = only_child(res);
	check_identity(drv, "SampleDriver", "SampleDriver", true);
	assert_null(plist_dict_get_item(drv, "Greeting"));	/* no -l */
	nub = only_child(drv);
	check_identity(nub, "SampleNub", "SampleNub", true);
	assert_string_equal(str(nub, "IORegistryEntryLocation"), "1");
	assert_null(plist_dict_get_item(nub, "IORegistryEntryChildren"));
	/* Keys are written sorted, as CoreFoundation does. */
	assert_true(strstr(r.out, "<key>IOObjectClass</key>") <
		    strstr(r.out, "<key>IORegistryEntryName</key>"));
	assert_true(strstr(r.out, "<key>IORegistryEntryChildren</key>") <
		    strstr(r.out, "<key>IORegistryEntryID</key>"));
	plist_free(root);
	release(&r);

	r = ioreg("-a -l -d 4");
	root = parse(&r);
	drv = only_child(only_child(only_child(root)));
	check_driver_props(drv);
	assert_null(plist_dict_get_item(drv, "IORegistryEntryChildren"));
	assert_non_null(plist_dict_get_item(root, "IORegistryPlanes"));
	plist_free(root);
	release(&r);
}

static void test_archive_root(void **state)
{
	struct run r = ioreg("-a -r -c SampleDriver");
	plist_t doc = parse(&r), drv;

	assert_int_equal(plist_get_node_type(doc), PLIST_ARRAY);
	assert_int_equal(plist_array_get_size(doc), 1);
	drv = plist_array_get_item(doc, 0);
	check_identity(drv, "SampleDriver", "SampleDriver", true);
	check_driver_props(drv);
	check_identity(only_child(drv), "SampleNub", "SampleNub", true);
	plist_free(doc);
	release(&r);

	/* -t wraps each match in its ancestors, root first. */
	r = ioreg("-a -r -t -n SampleNub@1");
	doc = parse(&r);
	assert_int_equal(plist_array_get_size(doc), 1);
	drv = only_child(only_child(only_child(plist_array_get_item(doc, 0))));
	check_identity(drv, "SampleDriver", "SampleDriver", true);
	assert_null(plist_dict_get_item(drv, "Greeting"));
	assert_string_equal(str(only_child(drv), "compatible"), "org,sample-nub");
	plist_free(doc);
	release(&r);

	/* One subtree per match when nesting is cut by -d. */
	r = ioreg("-a -r -c IOService -d 2");
	doc = parse(&r);
	assert_int_equal(plist_array_get_size(doc), 2);
	assert_string_equal(str(plist_array_get_item(doc, 0), "IORegistryEntryName"), "OpenIOKit");
	drv = plist_array_get_item(doc, 1);
	check_identity(drv, "SampleDriver", "SampleDriver", true);
	check_identity(only_child(drv), "SampleNub", "SampleNub", true);
	plist_free(doc);
	release(&r);

	r = ioreg("-a -r -n NoSuchName");
	assert_string_equal(r.out, "");
	release(&r);
}

static int setup(void **state)
{
	static const char *const drivers[] = { "SampleDriver.so", NULL };

	host = iok_test_host_start(drivers);
	return host > 0 ? 0 : -1;
}

static int teardown(void **state)
{
	return iok_test_host_stop(host);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tree),
		cmocka_unit_test(test_depth),
		cmocka_unit_test(test_list),
		cmocka_unit_test(test_hex),
		cmocka_unit_test(test_class_without_r),
		cmocka_unit_test(test_root_by_class_key_name),
		cmocka_unit_test(test_root_nub),
		cmocka_unit_test(test_root_depth_and_nesting),
		cmocka_unit_test(test_tree_ancestors),
		cmocka_unit_test(test_width),
		cmocka_unit_test(test_bold),
		cmocka_unit_test(test_bad_usage),
		cmocka_unit_test(test_no_host),
		cmocka_unit_test(test_archive_tree),
		cmocka_unit_test(test_archive_root),
		cmocka_unit_test(test_value_scalars),
		cmocka_unit_test(test_value_data),
		cmocka_unit_test(test_value_collections),
		cmocka_unit_test(test_value_newlines),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
