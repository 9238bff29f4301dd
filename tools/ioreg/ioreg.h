/* SPDX-License-Identifier: MIT */
/* ioreg.h - what the parts of the ioreg tool share. */
#ifndef IOREG_H
#define IOREG_H

#include <stdbool.h>
#include <stddef.h>

#include <CoreFoundation/CoreFoundation.h>
#include <IOKit/IOKitLib.h>

/* Deepest registry level walked; deeper entries are not shown. */
#define IOREG_MAX_DEPTH 512

struct ioreg_opts {
	bool archive;		/* -a: XML property list */
	bool bold;		/* -b */
	bool format;		/* -f (accepted; values print as usual) */
	bool hex;		/* -x */
	bool inheritance;	/* -i */
	bool list;		/* -l */
	bool root;		/* -r */
	bool tree;		/* -t */
	bool no_user_classes;	/* -y */
	const char *class_name;	/* -c, or NULL */
	const char *key;	/* -k, or NULL */
	const char *name;	/* -n, or NULL */
	io_name_t class_buf;	/* -c argument, NUL-terminated in io_name_t */
	io_name_t plane;	/* -p, default kIOServicePlane */
	unsigned int depth;	/* -d: levels per printed subtree, 0 = unlimited */
	unsigned int width;	/* -w: line width, 0 = unlimited */
};

/* ioreg.c */
bool ioreg_matches(io_registry_entry_t entry, const struct ioreg_opts *o);
void ioreg_error(const char *what);
bool ioreg_is_service(io_registry_entry_t entry);
/* Class as shown in the node line: "Class", or the -i chain. */
void ioreg_class_string(io_registry_entry_t entry, const struct ioreg_opts *o,
			char *buf, size_t size);

/* ioreg_out.c - line output, clipped to a width. */
void ioreg_out_init(unsigned int width, bool bold);
void ioreg_out_write(const char *s, size_t n);
void ioreg_out_str(const char *s);
void ioreg_out_fmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void ioreg_out_endline(void);
/* Bold on/off escapes: never clipped, never counted (like termcap output). */
void ioreg_out_bold(bool on);
/* A CF value in ioreg's syntax: "s", 42, Yes, <beef>, (a,b), {"k"=v}. */
void ioreg_show_value(CFTypeRef value, bool hex);

/* ioreg_archive.c - the -a output; returns the exit status. */
int ioreg_archive(io_registry_entry_t root, const struct ioreg_opts *o);

#endif /* IOREG_H */
