#!/bin/sh
# SPDX-License-Identifier: MIT
# `make check`: every test of the project.
#   1. the default build (gcc): unit, end-to-end (fault injection, load with
#      1,000 connections and a 20 s soak, isolation), header and install
#      tests, and every fuzz corpus replayed;
#   2. valgrind: the end-to-end tests and the corpus replays again on that
#      build, test programs and hosts under memcheck with leak checking
#      (loops scaled down: memcheck is ~30x slower);
#   3. clang-tidy and cppcheck over every C file (.clang-tidy,
#      .cppcheck-suppressions): any finding fails;
#   4. a clang build with AddressSanitizer + UndefinedBehaviorSanitizer,
#      which also builds the libFuzzer targets and runs each briefly;
#   5. a clang build with ThreadSanitizer running every test (the hosts the
#      end-to-end tests start are instrumented too: a report fails the test
#      through the host's exit status);
#   6. the kernel host: iokit.ko and the driver modules built against the
#      packaged kernel headers, the end-to-end suite run against them in the
#      packaged kernel booted under QEMU (tests/kernel/run.sh; skipped with
#      a message when the kernel packages are not installed).
# Prints the time of each stage.  Exits non-zero if anything fails.
set -eu
BUILD=${1:-build}
JOBS=$(nproc 2>/dev/null || echo 2)
T0=$(date +%s)
STAGE_T=$T0
IN_STAGE=0

stage() {
	now=$(date +%s)
	[ "$IN_STAGE" -eq 1 ] && echo "== ($((now - STAGE_T)) s)"
	IN_STAGE=1
	STAGE_T=$now
	echo "== $*"
}

stage "tests (gcc, $BUILD)"
ctest --test-dir "$BUILD" --output-on-failure -j "$JOBS"

if command -v valgrind >/dev/null 2>&1; then
	stage "end-to-end tests and corpus replays under valgrind memcheck ($BUILD)"
	IOK_VALGRIND=1 IOK_TEST_SCALE=10 IOK_LOAD_CONNECTIONS=200 IOK_SOAK_SECONDS=8 \
		ctest --test-dir "$BUILD" --output-on-failure -j "$JOBS" -L "e2e|fuzz-replay" \
		-E e2e_install --timeout 900
fi

if command -v clang-tidy >/dev/null 2>&1; then
	stage "clang-tidy (.clang-tidy)"
	cmake -S . -B build-tidy -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
		-DCMAKE_EXPORT_COMPILE_COMMANDS=ON -DIOK_FUZZ=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null
	tidy=$(command -v run-clang-tidy || command -v run-clang-tidy-14)
	"$tidy" -p build-tidy -j "$JOBS" -quiet "$(pwd)/(src|drivers|tools|examples|tests|fuzz|bench)/" \
		>build-tidy/clang-tidy.log 2>&1 || {
		grep -E "(warning|error): " build-tidy/clang-tidy.log | sort -u
		echo "clang-tidy: findings (full log: build-tidy/clang-tidy.log)"
		exit 1
	}
fi
if command -v cppcheck >/dev/null 2>&1; then
	stage "cppcheck (.cppcheck-suppressions)"
	[ -f build-tidy/compile_commands.json ] ||
		cmake -S . -B build-tidy -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
			-DCMAKE_EXPORT_COMPILE_COMMANDS=ON -DIOK_FUZZ=ON >/dev/null
	cppcheck --project=build-tidy/compile_commands.json --std=c11 -q -j "$JOBS" \
		--enable=warning,performance,portability --inline-suppr \
		--suppressions-list=.cppcheck-suppressions --error-exitcode=1
fi

if command -v clang >/dev/null 2>&1; then
	stage "tests (clang, AddressSanitizer + UndefinedBehaviorSanitizer, build-asan; fuzz targets)"
	cmake -S . -B build-asan -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
		-DIOK_SANITIZE="address;undefined" -DIOK_FUZZ=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null
	cmake --build build-asan -j "$JOBS"
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	IOK_SOAK_SECONDS=8 \
		ctest --test-dir build-asan --output-on-failure -j "$JOBS"

	stage "tests (clang, ThreadSanitizer, build-tsan)"
	cmake -S . -B build-tsan -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
		-DIOK_SANITIZE=thread -DCMAKE_BUILD_TYPE=Debug >/dev/null
	cmake --build build-tsan -j "$JOBS"
	TSAN_OPTIONS=second_deadlock_stack=1 IOK_TEST_SCALE=50 IOK_SOAK_SECONDS=8 \
		ctest --test-dir build-tsan --output-on-failure -j "$JOBS" -E headers
fi

stage "kernel: iokit.ko in a booted kernel under QEMU (tests/kernel/run.sh)"
kernel_rc=0
sh tests/kernel/run.sh "$BUILD" || kernel_rc=$?
if [ "$kernel_rc" -eq 77 ]; then
	echo "== kernel stage skipped (packages missing; see above)"
elif [ "$kernel_rc" -ne 0 ]; then
	echo "== kernel stage FAILED"
	exit "$kernel_rc"
fi

stage "done"
echo "== make check: $(( $(date +%s) - T0 )) s in all"
