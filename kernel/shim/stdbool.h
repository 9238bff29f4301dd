/* SPDX-License-Identifier: MIT */
/* <stdbool.h> for the kernel build: bool, true and false are the kernel's. */
#ifndef IOK_SHIM_STDBOOL_H
#define IOK_SHIM_STDBOOL_H
#include <linux/types.h>
#include <linux/stddef.h>
#endif
