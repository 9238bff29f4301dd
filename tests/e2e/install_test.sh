#!/bin/sh
# SPDX-License-Identifier: MIT
#   install_test.sh BUILD_DIR SOURCE_DIR CC
set -eu
build=$1 src=$2 cc=$3
tmp=$(mktemp -d /tmp/iok-install-XXXXXX)
host=""
cleanup() {
	[ -n "$host" ] && kill "$host" 2>/dev/null && wait "$host" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
prefix="$tmp/prefix"
# The installed iokitd looks in the configured prefix for drivers; point it
# at the scratch prefix explicitly.
cmake --install "$build" --prefix "$prefix" >/dev/null
libdir=$(ls -d "$prefix"/lib*/pkgconfig | head -n 1)
export PKG_CONFIG_PATH="$libdir"
# The .pc file carries the configured prefix; rewrite it for the scratch one.
sed -i "s|^prefix=.*|prefix=$prefix|; s|^libdir=.*|libdir=$(dirname "$libdir")|; s|^includedir=.*|includedir=$prefix/include|" "$libdir/iokit.pc"
"$cc" -std=c11 -Wall -Wextra -Werror -o "$tmp/discover" "$src/examples/discover/discover.c" \
	$(pkg-config --cflags --libs iokit)
export IOKIT_SOCKET="$tmp/iokitd.sock"
LD_LIBRARY_PATH="$(dirname "$libdir")" "$prefix/bin/iokitd" --no-default-drivers \
	--drivers "$(dirname "$libdir")/openiokit/drivers" &
host=$!
i=0
until [ -S "$IOKIT_SOCKET" ]; do
	i=$((i + 1)); [ $i -le 200 ] || { echo "iokitd did not start"; exit 1; }
	sleep 0.05
done
out=$("$tmp/discover" SampleDriver)
echo "$out"
echo "$out" | grep -q "^found SampleDriver, registry ID 0x1"
# The guide's C++ client compiles against the installed headers as they are.
"${CXX:-c++}" -std=c++17 -Wall -Wextra -Werror -fsyntax-only -I"$src/tests/e2e" \
	$(pkg-config --cflags iokit) -I"$prefix/include/TestDriver" "$src/tests/e2e/compat_cpp.cpp"
# The installed controller runs its four phases against the installed host.
LD_LIBRARY_PATH="$(dirname "$libdir")" "$prefix/bin/controller" -q all 5000
kill "$host"; wait "$host"; host=""
echo "3 passed, 0 failed"
