#!/bin/busybox sh
# SPDX-License-Identifier: MIT
# /init of the kernel test's initramfs: loads iokit.ko, runs every test
# named in /tests/list ("name command [args]" per line) and reports on the
# serial console, one line per test:
#   IOK-TEST name PASS | IOK-TEST name FAIL rc=N
# then the kernel log between IOK-DMESG-BEGIN / IOK-DMESG-END, and
# IOK-GUEST-DONE passed=N failed=N before powering off.
/bin/busybox --install -s /bin
export PATH=/bin:/tests
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t tmpfs tmp /tmp
mkdir -p /dev/shm && mount -t tmpfs shm /dev/shm
echo "IOK-GUEST-START $(uname -r) cpus=$(grep -c ^processor /proc/cpuinfo)"
export IOKIT_TEST_KERNEL=1 IOKIT_KMOD_DIR=/lib/iokit HOME=/tmp TMPDIR=/tmp
export LD_LIBRARY_PATH=/tests/lib   # the build's libraries (see mkinitramfs.sh)
passed=0
failed=0
if insmod /lib/iokit/iokit.ko; then
	echo "IOK-TEST insmod_iokit PASS"
	passed=$((passed + 1))
else
	echo "IOK-TEST insmod_iokit FAIL rc=$?"
	failed=$((failed + 1))
fi
while read -r name cmd; do
	case "$name" in ''|'#'*) continue ;; esac
	echo "IOK-RUN $name: $cmd"
	start=$(cut -d' ' -f1 /proc/uptime)
	# A hung test fails on its own (rc 143) instead of the whole boot
	# waiting for the host's time-out.
	# shellcheck disable=SC2086
	timeout 120 sh -c "$cmd" </dev/null 2>&1
	rc=$?
	end=$(cut -d' ' -f1 /proc/uptime)
	if [ "$rc" -eq 0 ]; then
		echo "IOK-TEST $name PASS ($start..$end s)"
		passed=$((passed + 1))
	else
		echo "IOK-TEST $name FAIL rc=$rc ($start..$end s)"
		failed=$((failed + 1))
	fi
done < /tests/list
echo "IOK-DMESG-BEGIN"
dmesg
echo "IOK-DMESG-END"
echo "IOK-GUEST-DONE passed=$passed failed=$failed"
sync
poweroff -f
