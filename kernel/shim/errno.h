/* SPDX-License-Identifier: MIT */
/* <errno.h> for the kernel build: the codes only (there is no errno). */
#ifndef IOK_SHIM_ERRNO_H
#define IOK_SHIM_ERRNO_H
#include <linux/errno.h>
#endif
