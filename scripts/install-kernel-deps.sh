#!/bin/sh
# SPDX-License-Identifier: MIT
# The optional packages of the kernel test (tests/kernel/run.sh): Debian's
# kernel headers and kernel image, QEMU, a static busybox and cpio.  As
# root it installs what is missing; when that is not possible it says so
# and succeeds: `make check` then skips its kernel stage with a message.
set -u

PKGS="linux-headers-amd64 linux-image-amd64 qemu-system-x86 busybox-static cpio"

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: optional (kernel test) packages missing:$missing" >&2
	echo "install-deps: run: sudo apt-get install -y --no-install-recommends$missing" >&2
	exit 0
fi
echo "install-deps: installing the kernel test's packages:$missing"
export DEBIAN_FRONTEND=noninteractive
# shellcheck disable=SC2086
if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends $missing; } >/dev/null 2>&1; then
	echo "install-deps: could not install:$missing (the kernel stage of make check will be skipped)" >&2
fi
exit 0
