/* SPDX-License-Identifier: MIT */
/* <stdio.h> for the kernel build: snprintf and vsnprintf only. */
#ifndef IOK_SHIM_STDIO_H
#define IOK_SHIM_STDIO_H
#include <linux/kernel.h>
#endif
