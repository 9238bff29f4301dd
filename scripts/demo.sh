#!/bin/sh
# SPDX-License-Identifier: MIT
# `make demo`: starts iokitd with the sample drivers on a private socket,
# discovers a service from a second process, shows the registry, and stops
# the host it started.  Exits non-zero if any step fails.
set -eu
BUILD=${1:-build}
dir=$(mktemp -d /tmp/iokit-demo-XXXXXX)
export IOKIT_SOCKET="$dir/iokitd.sock"
host=""
cleanup() {
	[ -n "$host" ] && kill "$host" 2>/dev/null && wait "$host" 2>/dev/null
	rm -rf "$dir"
}
trap cleanup EXIT

echo "== starting iokitd on $IOKIT_SOCKET"
"$BUILD/src/iokitd/iokitd" --no-default-drivers --drivers "$BUILD/drivers" &
host=$!
i=0
until [ -S "$IOKIT_SOCKET" ]; do
	i=$((i + 1)); [ $i -le 100 ] || { echo "demo: iokitd did not start"; exit 1; }
	sleep 0.05
done

echo "== phase 1: discovery (IOServiceGetMatchingService from another process)"
"$BUILD/examples/discover" SampleDriver

if [ -x "$BUILD/tools/ioreg/ioreg" ]; then
	echo "== ioreg -l -r -c SampleDriver"
	"$BUILD/tools/ioreg/ioreg" -l -r -c SampleDriver
	echo "== ioreg"
	"$BUILD/tools/ioreg/ioreg"
fi
echo "== stopping iokitd (pid $host)"
kill "$host"; wait "$host"; host=""
echo "demo: OK"
