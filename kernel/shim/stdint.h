/* SPDX-License-Identifier: MIT */
/* <stdint.h> for the kernel build: the kernel has the types, not the limits. */
#ifndef IOK_SHIM_STDINT_H
#define IOK_SHIM_STDINT_H
#include <linux/types.h>
#include <linux/limits.h>

typedef long intptr_t;

#ifndef UINT8_MAX
#define UINT8_MAX  U8_MAX
#define UINT16_MAX U16_MAX
#define UINT32_MAX U32_MAX
#define UINT64_MAX U64_MAX
#define INT8_MAX   S8_MAX
#define INT16_MAX  S16_MAX
#define INT32_MAX  S32_MAX
#define INT64_MAX  S64_MAX
#define INT8_MIN   S8_MIN
#define INT16_MIN  S16_MIN
#define INT32_MIN  S32_MIN
#define INT64_MIN  S64_MIN
#define UINTPTR_MAX ULONG_MAX
#endif
#ifndef UINT64_C
#define UINT64_C(c) c##ULL
#define INT64_C(c)  c##LL
#endif
#endif
