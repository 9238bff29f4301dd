#!/bin/sh
# SPDX-License-Identifier: MIT
# `make fuzz [FUZZ_SECONDS=N]`: builds the fuzz targets with clang and runs
# each for N seconds (default 300), growing the seed corpora in fuzz/corpus.
set -eu
secs=${1:-300}
cmake -S . -B build-fuzz -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
	-DIOK_SANITIZE="address;undefined" -DIOK_FUZZ=ON >/dev/null
cmake --build build-fuzz -j "$(nproc)"
for t in build-fuzz/fuzz/fuzz_*; do
	[ -x "$t" ] || continue
	name=$(basename "$t")
	mkdir -p "fuzz/corpus/$name"
	echo "== $name ($secs s)"
	"$t" -max_total_time="$secs" -timeout=10 "fuzz/corpus/$name"
done
