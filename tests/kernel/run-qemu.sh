#!/bin/sh
# SPDX-License-Identifier: MIT
# Boots the packaged Debian kernel under QEMU (software emulation) with the
# test initramfs and judges the serial console's report:
#   run-qemu.sh INITRAMFS LOG [TIMEOUT_SECONDS]
# Fails when the guest does not report IOK-GUEST-DONE in time, when any
# IOK-TEST line says FAIL, or when the kernel log shows a warning, BUG,
# oops, panic, hung task or lockup.  KERNEL=path overrides the kernel image
# (default: the newest /boot/vmlinuz-*-amd64).
set -u
img=$1 log=$2 limit=${3:-600}
kernel=${KERNEL:-$(ls /boot/vmlinuz-*-amd64 2>/dev/null | sort -V | tail -n 1)}
if [ -z "$kernel" ] || [ ! -r "$kernel" ]; then
	echo "run-qemu: no readable kernel image in /boot" >&2
	exit 2
fi
echo "run-qemu: booting $kernel (TCG, 2 CPUs, limit ${limit}s)"
timeout -k 10 "$limit" qemu-system-x86_64 -accel tcg ${QEMU_CPU:+-cpu "$QEMU_CPU"} -smp 2 -m 768M -nographic -no-reboot \
	-kernel "$kernel" -initrd "$img" \
	-append "console=ttyS0 panic=-1 loglevel=5 quiet ${KERNEL_ARGS:-}" </dev/null >"$log" 2>&1
rc=$?
tr -d '\r' <"$log" >"$log.txt" && mv "$log.txt" "$log"
status=0
if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
	echo "run-qemu: TIMEOUT after ${limit}s"
	status=1
fi
grep '^IOK-TEST ' "$log"
if ! grep -q '^IOK-GUEST-DONE' "$log"; then
	echo "run-qemu: the guest did not finish (see $log)"
	status=1
fi
if grep -q '^IOK-TEST .* FAIL' "$log"; then
	status=1
fi
bad=$(grep -nE 'WARNING: |BUG: |Oops|general protection fault|Kernel panic|Call Trace|INFO: task .* blocked|soft lockup|hard LOCKUP|rcu_sched self-detected|UBSAN|KASAN' "$log" | head -n 20)
if [ -n "$bad" ]; then
	echo "run-qemu: kernel problems in the log:"
	echo "$bad"
	status=1
fi
grep '^IOK-GUEST-DONE' "$log"
passed=$(grep -c '^IOK-TEST .* PASS' "$log")
failed=$(grep -c '^IOK-TEST .* FAIL' "$log")
echo "kernel: $passed passed, $failed failed"
[ "$status" -eq 0 ] && echo "run-qemu: PASS" || echo "run-qemu: FAIL (log: $log)"
exit "$status"
