#!/bin/sh
# SPDX-License-Identifier: MIT
# `make demo`: starts iokitd with the project's drivers (SampleDriver and
# the guide's TestDriver) on a private socket, shows the registry, runs the
# guide's controller through its four phases with a burst of events and a
# timer stream, and stops the host it started.  Exits non-zero if any step
# fails or any event is lost or out of order.
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

echo "== discovery from another process"
"$BUILD/examples/discover" SampleDriver

echo "== ioreg"
"$BUILD/tools/ioreg/ioreg"

echo "== the guide's controller: four phases, a burst of 10000 events, a timer stream"
"$BUILD/examples/controller" -q all 10000

echo "== ioreg -l -r -c TestDriver (the user client is gone again)"
"$BUILD/tools/ioreg/ioreg" -l -r -c TestDriver
echo "== stopping iokitd (pid $host)"
kill "$host"; wait "$host"; host=""
echo "demo: OK"
