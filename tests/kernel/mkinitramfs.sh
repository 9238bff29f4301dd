#!/bin/sh
# SPDX-License-Identifier: MIT
# Packs the kernel test's initramfs: busybox, /init (guest-init.sh), the
# modules, the test programs with the shared libraries they load, and
# /tests/list.
#   mkinitramfs.sh OUT.cpio.gz KO_DIR LIST_FILE PROGRAM...
# Programs are copied into /tests; their libraries (from ldd) keep their
# paths, the dynamic loader included.
set -eu
out=$1 kodir=$2 list=$3
shift 3
here=$(cd "$(dirname "$0")" && pwd)
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
chmod 755 "$stage"
mkdir -p "$stage/bin" "$stage/lib/iokit" "$stage/tests" "$stage/tests/lib" "$stage/proc" "$stage/sys" \
	"$stage/dev" "$stage/tmp" "$stage/etc"
cp /bin/busybox "$stage/bin/busybox"
cp "$here/guest-init.sh" "$stage/init"
chmod 755 "$stage/init"
cp "$kodir"/*.ko "$stage/lib/iokit/"
cp "$list" "$stage/tests/list"
echo "root:x:0:0:root:/tmp:/bin/sh" > "$stage/etc/passwd"
echo "nobody:x:65534:65534:nobody:/tmp:/bin/sh" >> "$stage/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' > "$stage/etc/group"
for p in "$@"; do
	cp "$p" "$stage/tests/"
	ldd "$p" 2>/dev/null | sed -n 's/.*=> \(\/[^ ]*\).*/\1/p; s/^[[:space:]]*\(\/[^ ]*\) .*/\1/p' |
	while read -r lib; do
		[ -e "$stage$lib" ] && continue
		mkdir -p "$stage$(dirname "$lib")"
		cp -L "$lib" "$stage$lib"
		# Also by name in /tests/lib (LD_LIBRARY_PATH in /init): a build
		# tree under /tmp is hidden by the guest's tmpfs on /tmp.
		[ -e "$stage/tests/lib/$(basename "$lib")" ] || cp -L "$lib" "$stage/tests/lib/"
	done
done
(cd "$stage" && find . | cpio -o -H newc --quiet | gzip -1) > "$out"
