/* SPDX-License-Identifier: MIT */
/* mach/mach_error.h - mach_error_string and mach_error_type (see mach/error.h). */
#ifndef _MACH_ERROR_
#define _MACH_ERROR_

#include <mach/error.h>

#endif /* _MACH_ERROR_ */
