#!/bin/sh
# SPDX-License-Identifier: MIT
# Installs the Debian 12 packages OpenIOKit needs to build, test and run its
# demo.  As root it runs apt-get; otherwise it prints the exact command.
set -eu

PKGS="build-essential cmake pkg-config clang llvm libclang-rt-14-dev \
libcmocka-dev libplist-dev libplist-utils valgrind cppcheck clang-tidy"

# The kernel test's packages are optional: installed when possible.
sh "$(dirname "$0")/install-kernel-deps.sh"

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done

[ -z "$missing" ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
	echo "install-deps: installing:$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing >/dev/null
else
	echo "install-deps: missing packages:$missing" >&2
	echo "install-deps: run: sudo apt-get install -y$missing" >&2
	exit 1
fi
