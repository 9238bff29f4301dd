/* SPDX-License-Identifier: MIT */
/* libkern/OSTypes.h - the basic types for user space: those of <MacTypes.h>. */
#ifndef _OS_OSTYPES_H
#define _OS_OSTYPES_H

#include <MacTypes.h>

#endif /* _OS_OSTYPES_H */
