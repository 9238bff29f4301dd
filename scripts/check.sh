#!/bin/sh
# SPDX-License-Identifier: MIT
# `make check`: every test of the project.
#   1. the default build (gcc): unit, end-to-end, header and install tests;
#   2. a clang build with AddressSanitizer + UndefinedBehaviorSanitizer,
#      which also builds the libFuzzer targets and runs each briefly;
#   3. a clang build with ThreadSanitizer running every test (the hosts the
#      end-to-end tests start are instrumented too: a report fails the test
#      through the host's exit status);
#   4. the kernel host: iokit.ko and the driver modules built against the
#      packaged kernel headers, the end-to-end suite run against them in the
#      packaged kernel booted under QEMU (tests/kernel/run.sh; skipped with
#      a message when the kernel packages are not installed).
# Exits non-zero if anything fails.
set -eu
BUILD=${1:-build}
JOBS=$(nproc 2>/dev/null || echo 2)

echo "== tests (gcc, $BUILD)"
ctest --test-dir "$BUILD" --output-on-failure -j "$JOBS"

if command -v clang >/dev/null 2>&1; then
	echo "== tests (clang, AddressSanitizer + UndefinedBehaviorSanitizer, build-asan)"
	cmake -S . -B build-asan -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
		-DIOK_SANITIZE="address;undefined" -DIOK_FUZZ=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null
	cmake --build build-asan -j "$JOBS"
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		ctest --test-dir build-asan --output-on-failure -j "$JOBS"

	echo "== tests (clang, ThreadSanitizer, build-tsan)"
	cmake -S . -B build-tsan -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
		-DIOK_SANITIZE=thread -DCMAKE_BUILD_TYPE=Debug >/dev/null
	cmake --build build-tsan -j "$JOBS"
	TSAN_OPTIONS=second_deadlock_stack=1 \
		ctest --test-dir build-tsan --output-on-failure -j "$JOBS" -E headers
fi

echo "== kernel: iokit.ko in a booted kernel under QEMU (tests/kernel/run.sh)"
kernel_rc=0
sh tests/kernel/run.sh "$BUILD" || kernel_rc=$?
if [ "$kernel_rc" -eq 77 ]; then
	echo "== kernel stage skipped (packages missing; see above)"
elif [ "$kernel_rc" -ne 0 ]; then
	echo "== kernel stage FAILED"
	exit "$kernel_rc"
fi
