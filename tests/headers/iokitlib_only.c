// SPDX-License-Identifier: MIT
/*
 * iokitlib_only.c - client code in macOS style that includes nothing but
 * <IOKit/IOKitLib.h> and uses what such code takes for granted: CFSTR and
 * the run loop, the deployment-target and TARGET_OS_* macros, MacTypes,
 * the deprecated main-port names, Mach error macros and strings, async
 * reference types and indexes, page-size macros, mapping options and
 * registry keys.  Built as C11 and C++17 (iokitlib_only.cpp) with warnings
 * as errors, and run: exit status 0 when every value is Apple's.
 */
#include <IOKit/IOKitLib.h>

/* A program choosing between the legacy and the modern call takes the
 * modern one. */
#if MAC_OS_X_VERSION_MIN_REQUIRED > MAC_OS_X_VERSION_10_4
#define IOK_TEST_MODERN 1
#else
#error "the deployment target reads as Mac OS X 10.4 or older"
#endif
#if MAC_OS_X_VERSION_MIN_REQUIRED < MAC_OS_VERSION_12_0
#error "kIOMainPortDefault exists from macOS 12: the target must be at least that"
#endif
#if MAC_OS_X_VERSION_MAX_ALLOWED < MAC_OS_X_VERSION_MIN_REQUIRED
#error "MAX_ALLOWED below MIN_REQUIRED"
#endif
#if MAC_OS_X_VERSION_10_4 != 1040 || MAC_OS_X_VERSION_10_9 != 1090 || \
	MAC_OS_X_VERSION_10_10 != 101000 || MAC_OS_X_VERSION_10_15 != 101500 || \
	MAC_OS_VERSION_11_0 != 110000 || MAC_OS_VERSION_14_0 != 140000
#error "version numbers differ from Apple's"
#endif
#if !TARGET_OS_MAC || !TARGET_OS_OSX || TARGET_OS_IPHONE || TARGET_OS_IOS || \
	TARGET_OS_SIMULATOR || !TARGET_RT_64_BIT
#error "the target does not read as 64-bit macOS"
#endif
#if defined(__x86_64__) && !TARGET_CPU_X86_64
#error "TARGET_CPU_X86_64"
#endif
#if defined(__aarch64__) && !TARGET_CPU_ARM64
#error "TARGET_CPU_ARM64"
#endif

#if IOK_TEST_MODERN
#define MAIN_PORT kIOMainPortDefault
#else
#define MAIN_PORT kIOMasterPortDefault
#endif

#ifdef __cplusplus
#define IOK_STATIC_ASSERT(c, m) static_assert(c, m)
#else
#define IOK_STATIC_ASSERT(c, m) _Static_assert(c, m)
#endif

IOK_STATIC_ASSERT(sizeof(UInt8) == 1 && sizeof(SInt8) == 1, "8-bit types");
IOK_STATIC_ASSERT(sizeof(UInt16) == 2 && sizeof(SInt16) == 2, "16-bit types");
IOK_STATIC_ASSERT(sizeof(UInt32) == 4 && sizeof(SInt32) == 4, "32-bit types");
IOK_STATIC_ASSERT(sizeof(UInt64) == 8 && sizeof(SInt64) == 8, "64-bit types");
IOK_STATIC_ASSERT(sizeof(Boolean) == 1 && sizeof(OSStatus) == 4, "Boolean, OSStatus");
IOK_STATIC_ASSERT(sizeof(io_string_t) == 512 && sizeof(io_name_t) == 128, "names");
IOK_STATIC_ASSERT(sizeof(io_struct_inband_t) == 4096, "io_struct_inband_t");
IOK_STATIC_ASSERT(sizeof(io_async_ref64_t) == 64 && sizeof(OSAsyncReference64) == 64,
		  "async references");
IOK_STATIC_ASSERT(kIOAsyncCalloutFuncIndex == 1 && kIOAsyncCalloutRefconIndex == 2 &&
		  kIOAsyncCalloutCount == 3, "async indexes");
IOK_STATIC_ASSERT(kIOMapDefaultCache == 0 && kIOMapInhibitCache == 0x100 &&
		  kIOMapWriteThruCache == 0x200 && kIOMapCopybackCache == 0x300 &&
		  kIOMapWriteCombineCache == 0x400 && kIOMapCacheMask == 0xf00 &&
		  kIOMapReadOnly == 0x1000 && kIOMapAnywhere == 1, "map options");
IOK_STATIC_ASSERT(err_get_system(kIOReturnNoDevice) == 0x38 && err_get_sub(kIOReturnNoDevice) == 0 &&
		  err_get_code(kIOReturnNoDevice) == 0x2c0, "err_get_*");
IOK_STATIC_ASSERT(err_system(0x38) == sys_iokit && err_sub(1) == sub_iokit_usb, "err_*");
IOK_STATIC_ASSERT(PAGE_MASK == PAGE_SIZE - 1 || !TARGET_CPU_X86_64, "PAGE_MASK");

/* Declarations carrying the availability macros, as Apple's headers do. */
extern int iok_test_modern_call(void) AVAILABLE_MAC_OS_X_VERSION_10_5_AND_LATER;
extern int iok_test_old_call(void) DEPRECATED_ATTRIBUTE;
extern int iok_test_api(void) API_AVAILABLE(macos(10.15)) API_UNAVAILABLE(ios);
extern int iok_test_osx(void) __OSX_AVAILABLE_STARTING(__MAC_10_6, __IPHONE_4_3);

static int failures;

#define CHECK(c)                                                               \
	do {                                                                   \
		if (!(c)) {                                                    \
			fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__, #c); \
			failures++;                                            \
		}                                                              \
	} while (0)

static void async_done(void *refcon, IOReturn result, void **args, uint32_t numArgs)
{
	(void)refcon;
	(void)result;
	(void)args;
	(void)numArgs;
}

int main(void)
{
	CFStringRef s = CFSTR("IOService");
	CFRunLoopRef rl = CFRunLoopGetCurrent();
	mach_port_t main_port = MACH_PORT_NULL;
	io_async_ref64_t ref;
	OSAsyncReference64 ref2;
	IOAsyncCallback callback = async_done;
	IOAsyncCallback0 cb0 = NULL;
	IOAsyncCallback1 cb1 = NULL;
	IOAsyncCallback2 cb2 = NULL;
	io_string_t path;
	io_struct_inband_t inband;
	UInt32 u32 = 0xffffffffU;
	SInt64 s64 = -1;
	Boolean yes = TRUE;
	OSStatus status = noErr;
	char name[64];

	CHECK(CFStringGetLength(s) == 9);
	CHECK(CFStringGetCString(s, name, sizeof(name), kCFStringEncodingUTF8));
	CHECK(strcmp(name, kIOServicePlane) == 0);
	CHECK(rl != NULL && rl == CFRunLoopGetMain());
	CHECK(CFRunLoopRunInMode(kCFRunLoopDefaultMode, 0, true) == kCFRunLoopRunFinished);
	CHECK(IOMasterPort(MACH_PORT_NULL, &main_port) == KERN_SUCCESS && main_port != MACH_PORT_NULL);
	CHECK(IOMainPort(bootstrap_port, &main_port) == KERN_SUCCESS);
	CHECK(kIOMasterPortDefault == MACH_PORT_NULL && MAIN_PORT == MACH_PORT_NULL);
	CHECK(mach_task_self() == mach_task_self_ && mach_task_self() != MACH_PORT_NULL);
	CHECK(strstr(mach_error_string(kIOReturnNoDevice), "no such device") != NULL);
	CHECK(strcmp(mach_error_string(KERN_SUCCESS), "(os/kern) successful") == 0);
	CHECK(err_get_code(kIOReturnNotResponding) == 0x2ed);
	CHECK((unsigned)kIOReturnBadArgument == 0xe00002c2U);
	memset(ref, 0, sizeof(ref));
	ref[kIOAsyncCalloutFuncIndex] = (io_user_reference_t)(uintptr_t)callback;
	ref[kIOAsyncCalloutRefconIndex] = (io_user_reference_t)(uintptr_t)&failures;
	memcpy(ref2, ref, sizeof(ref2));
	CHECK(ref2[kIOAsyncCalloutFuncIndex] == ref[kIOAsyncCalloutFuncIndex]);
	CHECK(cb0 == NULL && cb1 == NULL && cb2 == NULL);
	snprintf(path, sizeof(path), "%s:/", kIOServicePlane);
	CHECK(strlen(path) == 11);
	memset(inband, 0, sizeof(inband));
	CHECK(PAGE_SIZE >= 4096 && (PAGE_SIZE & PAGE_MASK) == 0);
	CHECK(vm_page_size >= 4096 && (vm_page_size & (vm_page_size - 1)) == 0);
	CHECK(!TARGET_CPU_X86_64 || vm_page_size == PAGE_SIZE);
	CHECK(round_page(1) == vm_page_size && trunc_page(vm_page_size + 1) == vm_page_size);
	CHECK(u32 == 4294967295U && s64 < 0 && yes && status == 0);
	CHECK(strcmp(kIOKitDiagnosticsKey, "IOKitDiagnostics") == 0);
	CHECK(strcmp(kIOFirstMatchNotification, "IOServiceFirstMatch") == 0);
	CHECK(strcmp(kIOTerminatedNotification, "IOServiceTerminate") == 0);
	CHECK(strcmp(kIOGeneralInterest, "IOGeneralInterest") == 0);
	CHECK(kIORegistryIterateRecursively == 1 && kIORegistryIterateParents == 2);
	return failures ? 1 : 0;
}
