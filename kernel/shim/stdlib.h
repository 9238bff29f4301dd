/* SPDX-License-Identifier: MIT */
/*
 * <stdlib.h> for the kernel build.  getenv() reads the "environment" the
 * iokit module was given (its env= parameter, "NAME=value,NAME=value"),
 * which plays the role of iokitd's environment for drivers.
 */
#ifndef IOK_SHIM_STDLIB_H
#define IOK_SHIM_STDLIB_H
#include <linux/types.h>

const char *iok_kernel_getenv(const char *name);
#define getenv(name) ((char *)iok_kernel_getenv(name))
#endif
