#!/bin/sh
# SPDX-License-Identifier: MIT
# Compiles every public header alone as C11, C17 and C++17 (warnings are
# errors), then every header after IOKitLib.h and before it, then all of
# them in one translation unit in sorted and in reverse order, so that no
# header depends on what another happened to include first.  With USAGE
# (a client source that includes only IOKitLib.h), that source too, as C11,
# C17 and C++17.
#   check_headers.sh CC CXX INCLUDE_DIR [USAGE]
set -eu
cc=$1 cxx=$2 inc=$3 usage=${4:-}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
flags="-Wall -Wextra -Werror -fsyntax-only -I$inc"
fail=0 n=0

check() { # lang std file...
	lang=$1 std=$2; shift 2
	src="$tmp/t.$lang"
	: > "$src"
	for h in "$@"; do echo "#include <$h>" >> "$src"; done
	echo "int iok_header_test_anchor;" >> "$src"
	if [ "$lang" = c ]; then comp=$cc; else comp=$cxx; fi
	if ! $comp -std=$std $flags -x $( [ "$lang" = c ] && echo c || echo c++ ) "$src" 2> "$tmp/err"; then
		echo "FAIL ($std): $*"; sed 's/^/    /' "$tmp/err" | head -20
		fail=$((fail + 1))
	fi
	n=$((n + 1))
}

headers=$(cd "$inc" && find . -name '*.h' | sed 's|^\./||' | sort)
for h in $headers; do
	check c c11 "$h"
	check c c17 "$h"
	check cpp c++17 "$h"
	check c c11 IOKit/IOKitLib.h "$h"
	check cpp c++17 "$h" IOKit/IOKitLib.h
done
# shellcheck disable=SC2086
check c c11 $headers
# shellcheck disable=SC2086
check cpp c++17 $headers
reversed=$(printf '%s\n' $headers | sort -r)
# shellcheck disable=SC2086
check c c17 $reversed
# shellcheck disable=SC2086
check cpp c++17 $reversed

if [ -n "$usage" ]; then
	for std in c11 c17 c++17; do
		if [ "$std" = c++17 ]; then comp=$cxx lang=c++; else comp=$cc lang=c; fi
		if ! $comp -std=$std $flags -pedantic-errors -x $lang "$usage" 2> "$tmp/err"; then
			echo "FAIL ($std): $usage"; sed 's/^/    /' "$tmp/err" | head -20
			fail=$((fail + 1))
		fi
		n=$((n + 1))
	done
fi
echo "$((n - fail)) passed, $fail failed"
[ "$fail" -eq 0 ]
