#!/bin/sh
# SPDX-License-Identifier: MIT
# `make check`: every test of the project.
#   1. the default build (gcc): unit, end-to-end, header and install tests;
#   2. a clang build with AddressSanitizer + UndefinedBehaviorSanitizer,
#      which also builds the libFuzzer targets and runs each briefly.
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
fi
