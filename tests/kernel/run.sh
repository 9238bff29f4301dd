#!/bin/sh
# SPDX-License-Identifier: MIT
# The kernel stage of `make check`: builds iokit.ko and the driver modules
# against the packaged kernel headers, packs the test programs of BUILD
# (a configured and built CMake tree) with busybox into an initramfs, boots
# the packaged kernel under QEMU and judges its serial report
# (tests/kernel/run-qemu.sh).
#   tests/kernel/run.sh [BUILD]
# Exits 77 (skipped) when the kernel packages are not installed.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
build=$(cd "${1:-build}" && pwd)
out=$src/build-kernel

missing=""
kdir=$(ls -d /usr/src/linux-headers-*-amd64 2>/dev/null | sort -V | tail -n 1)
[ -n "$kdir" ] || missing="$missing linux-headers-amd64"
ls /boot/vmlinuz-*-amd64 >/dev/null 2>&1 || missing="$missing linux-image-amd64"
command -v qemu-system-x86_64 >/dev/null 2>&1 || missing="$missing qemu-system-x86"
[ -x /bin/busybox ] || missing="$missing busybox-static"
command -v cpio >/dev/null 2>&1 || missing="$missing cpio"
if [ -n "$missing" ]; then
	echo "kernel test: SKIPPED, missing:$missing (scripts/install-deps.sh installs them)"
	exit 77
fi
kver=$(basename "$kdir" | sed 's/^linux-headers-//')
if [ ! -r "/boot/vmlinuz-$kver" ]; then
	echo "kernel test: SKIPPED, no /boot/vmlinuz-$kver for headers $kver"
	exit 77
fi

echo "== kernel modules ($kdir)"
make -s -C "$src/kernel" KDIR="$kdir" OUT="$out" JOBS="${JOBS:-2}"

progs=""
for p in tests/e2e_discovery tests/e2e_connect tests/e2e_map tests/e2e_testdriver \
	tests/e2e_compat_cpp tests/test_kdev tests/kbench examples/controller; do
	[ -x "$build/$p" ] || { echo "kernel test: $build/$p not built" >&2; exit 1; }
	progs="$progs $build/$p"
done
echo "== initramfs"
# shellcheck disable=SC2086
sh "$here/mkinitramfs.sh" "$out/initramfs.cpio.gz" "$out" "$here/tests.list" $progs
echo "== booting $kver under QEMU"
status=0
KERNEL="/boot/vmlinuz-$kver" sh "$here/run-qemu.sh" "$out/initramfs.cpio.gz" "$out/serial.log" \
	"${IOK_KERNEL_TIMEOUT:-600}" || status=$?
echo "== benchmark (in the guest)"
sed -n '/^kbench (in the guest/,/^KBENCH queue/p' "$out/serial.log"
exit $status
