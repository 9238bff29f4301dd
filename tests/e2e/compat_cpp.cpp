// SPDX-License-Identifier: MIT
/*
 * compat_cpp.cpp - client code in the style of macOS sample code, compiled
 * as C++17 with -Wall -Wextra -Werror against OpenIOKit's headers, without
 * edits: a class wrapping the connection with member functions, IOKitLib,
 * IODataQueueClient and the Mach calls of the guide (mach_task_self,
 * mach_port_destroy, mach_vm_address_t, vm_size_t, UInt32,
 * kIOMainPortDefault, kIODefaultMemoryType, kIOMapAnywhere).  Runs against
 * a private iokitd with TestDriver; exits 0 when every step worked.
 */
#include <IOKit/IOKitLib.h>
#include <IOKit/IODataQueueClient.h>
#include <mach/mach.h>
#include <cstdio>
#include <cstring>

#include "host_harness.h"
#include "TestDriverShared.h"

class TestDriverConnection {
public:
	TestDriverConnection() : mService(IO_OBJECT_NULL), mConnect(IO_OBJECT_NULL),
				 mPort(MACH_PORT_NULL), mQueue(nullptr), mAddress(0) {}
	~TestDriverConnection() { Close(); }

	bool Open()
	{
		io_iterator_t iterator = IO_OBJECT_NULL;
		kern_return_t kr = IOServiceGetMatchingServices(kIOMainPortDefault,
								IOServiceMatching(kTestDriverClassName),
								&iterator);

		if (kr != KERN_SUCCESS || !iterator)
			return false;
		mService = IOIteratorNext(iterator);
		IOObjectRelease(iterator);
		return mService && IOServiceOpen(mService, mach_task_self(), 0, &mConnect) == KERN_SUCCESS;
	}

	bool PerformCalculation(UInt64 x, UInt64 y, UInt64 *sum, UInt64 *product)
	{
		uint64_t input[2] = { x, y }, output[2];
		UInt32 outputCount = 2;

		if (IOConnectCallScalarMethod(mConnect, kTestPerformCalculation, input, 2, output,
					      &outputCount) != kIOReturnSuccess)
			return false;
		*sum = output[0];
		*product = output[1];
		return outputCount == 2;
	}

	bool MapQueue()
	{
		mach_vm_size_t size = 0;

		mPort = IODataQueueAllocateNotificationPort();
		if (mPort == MACH_PORT_NULL ||
		    IOConnectSetNotificationPort(mConnect, QUEUETYPE_MONITOR, mPort, 0) != KERN_SUCCESS)
			return false;
		if (IOConnectMapMemory(mConnect, kIODefaultMemoryType, mach_task_self(), &mAddress,
				       &size, kIOMapAnywhere) != KERN_SUCCESS)
			return false;
		mQueue = reinterpret_cast<IODataQueueMemory *>(mAddress);
		vm_size_t pageSize = vm_page_size;
		return size >= pageSize / 64;
	}

	int ReceiveGenerated(UInt64 count)
	{
		UInt64 queued = 0;
		UInt32 outputCount = 1;
		int received = 0;

		if (IOConnectCallScalarMethod(mConnect, kTestGenerateMessages, &count, 1, &queued,
					      &outputCount) != KERN_SUCCESS)
			return -1;
		while (received < (int)queued &&
		       IODataQueueWaitForAvailableData(mQueue, mPort) == kIOReturnSuccess) {
			while (IODataQueueDataAvailable(mQueue)) {
				TestMessage message;
				UInt32 size = sizeof(message);

				if (IODataQueueDequeue(mQueue, &message, &size) != kIOReturnSuccess ||
				    message.sequence != (UInt64)received)
					return -1;
				received++;
			}
		}
		return received;
	}

	void Close()
	{
		if (mAddress)
			IOConnectUnmapMemory(mConnect, kIODefaultMemoryType, mach_task_self(), mAddress);
		if (mPort != MACH_PORT_NULL)
			mach_port_destroy(mach_task_self(), mPort);
		if (mConnect)
			IOServiceClose(mConnect);
		if (mService)
			IOObjectRelease(mService);
		mAddress = 0;
		mPort = MACH_PORT_NULL;
		mConnect = IO_OBJECT_NULL;
		mService = IO_OBJECT_NULL;
	}

private:
	io_service_t mService;
	io_connect_t mConnect;
	mach_port_t mPort;
	IODataQueueMemory *mQueue;
	mach_vm_address_t mAddress;
};

int main()
{
	static const char *const drivers[] = { "TestDriver.so", nullptr };
	pid_t host = iok_test_host_start(drivers);
	UInt64 sum = 0, product = 0;
	int received, failed = 0;

	if (host < 0)
		return 1;
	{
		TestDriverConnection connection;

		if (!connection.Open() || !connection.PerformCalculation(6, 7, &sum, &product) ||
		    sum != 13 || product != 42 || !connection.MapQueue())
			failed = 1;
		received = failed ? -1 : connection.ReceiveGenerated(100);
		if (received != 100)
			failed = 1;
	}
	if (iok_test_host_stop(host))
		failed = 1;
	std::printf("%d passed, %d failed\n", 1 - failed, failed);
	return failed;
}
