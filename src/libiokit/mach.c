// SPDX-License-Identifier: MIT
/*
 * mach.c - the Mach names client code uses around IOKit: the task's own
 * port, page-size variables, and error strings.
 */
#include "libiokit.h"

#include <mach/mach.h>
#include <unistd.h>

/* A fixed name that stands for "this process" (a local special name). */
IOK_EXPORT_DATA mach_port_t mach_task_self_ = 0x0101;
IOK_EXPORT_DATA mach_port_t bootstrap_port = MACH_PORT_NULL;
IOK_EXPORT_DATA vm_size_t vm_page_size = 4096;
IOK_EXPORT_DATA vm_size_t vm_page_mask = 4095;
IOK_EXPORT_DATA int vm_page_shift = 12;

__attribute__((constructor)) static void mach_init_page_size(void)
{
	long ps = sysconf(_SC_PAGESIZE);

	if (ps > 0 && (ps & (ps - 1)) == 0) {
		vm_page_size = (vm_size_t)ps;
		vm_page_mask = (vm_size_t)ps - 1;
		vm_page_shift = __builtin_ctzl((unsigned long)ps);
	}
}

IOK_EXPORT mach_port_t mach_host_self(void)
{
	return 0x0201;
}

IOK_EXPORT mach_port_t mach_thread_self(void)
{
	return 0x0301;
}

struct err_text {
	mach_error_t code;
	const char *text;
};

static const struct err_text iokit_texts[] = {
	{ kIOReturnError, "(iokit/common) general error" },
	{ kIOReturnNoMemory, "(iokit/common) memory allocation error" },
	{ kIOReturnNoResources, "(iokit/common) resource shortage" },
	{ kIOReturnIPCError, "(iokit/common) Mach IPC failure" },
	{ kIOReturnNoDevice, "(iokit/common) no such device" },
	{ kIOReturnNotPrivileged, "(iokit/common) privilege violation" },
	{ kIOReturnBadArgument, "(iokit/common) invalid argument" },
	{ kIOReturnLockedRead, "(iokit/common) device is read locked" },
	{ kIOReturnLockedWrite, "(iokit/common) device is write locked" },
	{ kIOReturnExclusiveAccess, "(iokit/common) device is exclusive access" },
	{ kIOReturnBadMessageID, "(iokit/common) bad IPC message ID" },
	{ kIOReturnUnsupported, "(iokit/common) unsupported function" },
	{ kIOReturnVMError, "(iokit/common) virtual memory error" },
	{ kIOReturnInternalError, "(iokit/common) internal driver error" },
	{ kIOReturnIOError, "(iokit/common) I/O error" },
	{ kIOReturnCannotLock, "(iokit/common) cannot acquire lock" },
	{ kIOReturnNotOpen, "(iokit/common) device not open" },
	{ kIOReturnNotReadable, "(iokit/common) device not readable" },
	{ kIOReturnNotWritable, "(iokit/common) device not writeable" },
	{ kIOReturnNotAligned, "(iokit/common) alignment error" },
	{ kIOReturnBadMedia, "(iokit/common) media error" },
	{ kIOReturnStillOpen, "(iokit/common) device(s) still open" },
	{ kIOReturnRLDError, "(iokit/common) rld failure" },
	{ kIOReturnDMAError, "(iokit/common) DMA failure" },
	{ kIOReturnBusy, "(iokit/common) device busy" },
	{ kIOReturnTimeout, "(iokit/common) I/O timeout" },
	{ kIOReturnOffline, "(iokit/common) device offline" },
	{ kIOReturnNotReady, "(iokit/common) not ready" },
	{ kIOReturnNotAttached, "(iokit/common) device/channel is not attached" },
	{ kIOReturnNoChannels, "(iokit/common) no DMA channels available" },
	{ kIOReturnNoSpace, "(iokit/common) no space for data" },
	{ kIOReturnPortExists, "(iokit/common) port already exists" },
	{ kIOReturnCannotWire, "(iokit/common) cannot wire physical memory" },
	{ kIOReturnNoInterrupt, "(iokit/common) no interrupt attached" },
	{ kIOReturnNoFrames, "(iokit/common) no DMA frames enqueued" },
	{ kIOReturnMessageTooLarge, "(iokit/common) oversized msg received on interrupt port" },
	{ kIOReturnNotPermitted, "(iokit/common) not permitted" },
	{ kIOReturnNoPower, "(iokit/common) no power to device" },
	{ kIOReturnNoMedia, "(iokit/common) media not present" },
	{ kIOReturnUnformattedMedia, "(iokit/common) media not formatted" },
	{ kIOReturnUnsupportedMode, "(iokit/common) no such mode" },
	{ kIOReturnUnderrun, "(iokit/common) data underrun" },
	{ kIOReturnOverrun, "(iokit/common) data overrun" },
	{ kIOReturnDeviceError, "(iokit/common) the device is not working properly" },
	{ kIOReturnNoCompletion, "(iokit/common) a completion routine is required" },
	{ kIOReturnAborted, "(iokit/common) operation aborted" },
	{ kIOReturnNoBandwidth, "(iokit/common) bus bandwidth would be exceeded" },
	{ kIOReturnNotResponding, "(iokit/common) device not responding" },
	{ kIOReturnIsoTooOld, "(iokit/common) I/O too old" },
	{ kIOReturnIsoTooNew, "(iokit/common) I/O too new" },
	{ kIOReturnNotFound, "(iokit/common) data was not found" },
	{ kIOReturnInvalid, "(iokit/common) unanticipated driver error" },
};

static const char *const kern_texts[] = {
	"(os/kern) successful",
	"(os/kern) invalid address",
	"(os/kern) protection failure",
	"(os/kern) no space available",
	"(os/kern) invalid argument",
	"(os/kern) failure",
	"(os/kern) resource shortage",
	"(os/kern) not receiver",
	"(os/kern) no access",
	"(os/kern) memory failure",
	"(os/kern) memory error",
	"(os/kern) already in set",
	"(os/kern) not in set",
	"(os/kern) name exists",
	"(os/kern) aborted",
	"(os/kern) invalid name",
	"(os/kern) invalid task",
	"(os/kern) invalid right",
	"(os/kern) invalid value",
	"(os/kern) urefs overflow",
	"(os/kern) invalid capability",
	"(os/kern) right exists",
	"(os/kern) invalid host",
	"(os/kern) memory present",
};

IOK_EXPORT const char *mach_error_string(mach_error_t error_value)
{
	if (error_value >= 0 && (size_t)error_value < sizeof(kern_texts) / sizeof(kern_texts[0]))
		return kern_texts[error_value];
	for (size_t i = 0; i < sizeof(iokit_texts) / sizeof(iokit_texts[0]); i++)
		if (iokit_texts[i].code == error_value)
			return iokit_texts[i].text;
	switch (error_value) {
	case KERN_NOT_SUPPORTED:
		return "(os/kern) service not supported";
	case KERN_OPERATION_TIMED_OUT:
		return "(os/kern) operation timed out";
	case MACH_SEND_INVALID_DEST:
		return "(ipc/send) invalid destination port";
	case MACH_SEND_TIMED_OUT:
		return "(ipc/send) timed out";
	case MACH_RCV_TIMED_OUT:
		return "(ipc/rcv) timed out";
	case MACH_RCV_INVALID_NAME:
		return "(ipc/rcv) invalid name";
	case MACH_RCV_PORT_DIED:
		return "(ipc/rcv) port died";
	}
	return "unknown error code";
}

IOK_EXPORT const char *mach_error_type(mach_error_t error_value)
{
	/* Unsigned: no right shift of a negative value. */
	if (err_get_system((uint32_t)error_value) == err_get_system((uint32_t)sys_iokit))
		return "(iokit/common)";
	if (err_get_system((uint32_t)error_value) == 0)
		return "(os/kern)";
	return "(unknown/unknown)";
}
