/* SPDX-License-Identifier: MIT */
/* mach/mach.h - the Mach subset OpenIOKit provides. */
#ifndef _MACH_H_
#define _MACH_H_

#include <mach/boolean.h>
#include <mach/kern_return.h>
#include <mach/error.h>
#include <mach/mach_error.h>
#include <mach/vm_types.h>
#include <mach/port.h>
#include <mach/message.h>
#include <mach/mach_types.h>
#include <mach/mach_init.h>
#include <mach/mach_port.h>
#include <mach/vm_map.h>
#include <mach/mach_vm.h>
#include <mach/vm_param.h>
#include <mach/mig_errors.h>

#endif /* _MACH_H_ */
