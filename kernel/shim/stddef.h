/* SPDX-License-Identifier: MIT */
/* <stddef.h> for the kernel build. */
#ifndef IOK_SHIM_STDDEF_H
#define IOK_SHIM_STDDEF_H
#include <linux/types.h>
#include <linux/stddef.h>
#endif
