/* SPDX-License-Identifier: MIT */
/* <string.h> for the kernel build. */
#ifndef IOK_SHIM_STRING_H
#define IOK_SHIM_STRING_H
#include <linux/string.h>
#endif
