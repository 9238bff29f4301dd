# SPDX-License-Identifier: MIT
# Unit tests of the CoreFoundation subset (src/cf).
find_package(Threads REQUIRED)

iok_unit_test(test_cf
	SOURCES
		${CMAKE_CURRENT_SOURCE_DIR}/unit/test_cf.c
		${CMAKE_CURRENT_SOURCE_DIR}/unit/test_cf_string.c
		${CMAKE_CURRENT_SOURCE_DIR}/unit/test_cf_format.c
		${CMAKE_CURRENT_SOURCE_DIR}/unit/test_cf_number.c
		${CMAKE_CURRENT_SOURCE_DIR}/unit/test_cf_data.c
		${CMAKE_CURRENT_SOURCE_DIR}/unit/test_cf_array.c
		${CMAKE_CURRENT_SOURCE_DIR}/unit/test_cf_dictionary.c
	LIBS iok_cf iok_os Threads::Threads m)

# CFRunLoop: pipes as descriptor sources, timeouts, stops from other threads.
iok_unit_test(test_cf_runloop
	SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_cf_runloop.c
	LIBS iok_cf iok_os Threads::Threads m)
target_include_directories(test_cf_runloop PRIVATE ${PROJECT_SOURCE_DIR}/src/cf)
target_compile_definitions(test_cf_runloop PRIVATE _GNU_SOURCE)

# Each CoreFoundation header must compile on its own, as C11 and as C++17,
# with strict warnings.  Generated one-line sources, built with test_cf.
set(_cf_headers CFBase CFString CFNumber CFData CFArray CFDictionary CFDate CFRunLoop CoreFoundation)
set(_cf_hdr_sources)
foreach(h ${_cf_headers})
	set(_c ${CMAKE_CURRENT_BINARY_DIR}/cf_header_${h}.c)
	set(_cxx ${CMAKE_CURRENT_BINARY_DIR}/cf_header_${h}.cpp)
	file(CONFIGURE OUTPUT ${_c}
		CONTENT "#include <CoreFoundation/${h}.h>\nint cf_header_${h}_c(void);\nint cf_header_${h}_c(void) { return (int)sizeof(CFIndex); }\n")
	file(CONFIGURE OUTPUT ${_cxx}
		CONTENT "#include <CoreFoundation/${h}.h>\nint cf_header_${h}_cxx();\nint cf_header_${h}_cxx() { return (int)sizeof(CFIndex); }\n")
	list(APPEND _cf_hdr_sources ${_c} ${_cxx})
endforeach()
add_library(test_cf_headers OBJECT ${_cf_hdr_sources})
target_include_directories(test_cf_headers PRIVATE ${PROJECT_SOURCE_DIR}/include)
target_compile_options(test_cf_headers PRIVATE -Wall -Wextra -Werror -pedantic-errors)
add_dependencies(test_cf test_cf_headers)

# CFSTR and the API used from C++, run by test_cf (test_cxx_usage).
set(_cf_cxx_use ${CMAKE_CURRENT_BINARY_DIR}/cf_cxx_usage.cpp)
file(CONFIGURE OUTPUT ${_cf_cxx_use} CONTENT [=[
#include <CoreFoundation/CoreFoundation.h>
extern "C" int cft_cxx_usage(void);
extern "C" int cft_cxx_usage(void)
{
	CFStringRef s = CFSTR("c++");
	CFMutableDictionaryRef d = CFDictionaryCreateMutable(kCFAllocatorDefault, 0,
		&kCFTypeDictionaryKeyCallBacks, &kCFTypeDictionaryValueCallBacks);
	SInt32 v = 1;
	CFNumberRef n = CFNumberCreate(kCFAllocatorDefault, kCFNumberSInt32Type, &v);
	CFDictionarySetValue(d, s, n);
	CFComparisonResult r = CFStringCompare(s, CFSTR("c"), kCFCompareCaseInsensitive);
	int ok = CFDictionaryGetValue(d, CFSTR("c++")) == n && r == kCFCompareGreaterThan &&
		 CFBooleanGetValue(kCFBooleanTrue) && CFStringGetLength(s) == 3 &&
		 CFRangeMake(1, 2).length == 2 && kCFNotFound == -1;
	CFRelease(n);
	CFRelease(d);
	return ok;
}
]=])
target_sources(test_cf PRIVATE ${_cf_cxx_use})
