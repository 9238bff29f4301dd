/* SPDX-License-Identifier: MIT */
/* <stdarg.h> for the kernel build. */
#ifndef IOK_SHIM_STDARG_H
#define IOK_SHIM_STDARG_H
#include <linux/stdarg.h>
#endif
