/* SPDX-License-Identifier: MIT */
/* device/device_types.h - the fixed-size IOKit IPC types (Apple values, LP64 user space). */
#ifndef _DEVICE_DEVICE_TYPES_H_
#define _DEVICE_DEVICE_TYPES_H_

#include <stdint.h>
#include <mach/port.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Out-of-line array of characters. */
typedef char *io_buf_ptr_t;

typedef char io_name_t[128];
typedef char io_string_t[512];
typedef char io_string_inband_t[4096];
typedef char io_struct_inband_t[4096];
typedef uint64_t io_user_scalar_t;
typedef uint64_t io_user_reference_t;
typedef io_user_scalar_t io_scalar_inband_t[16];
typedef io_user_reference_t io_async_ref_t[8];
typedef io_user_scalar_t io_scalar_inband64_t[16];
typedef io_user_reference_t io_async_ref64_t[8];

#ifndef __IOKIT_PORTS_DEFINED__
#define __IOKIT_PORTS_DEFINED__
typedef mach_port_t io_object_t;
#endif

#ifdef __cplusplus
}
#endif

#endif /* _DEVICE_DEVICE_TYPES_H_ */
