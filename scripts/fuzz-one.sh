#!/bin/sh
# SPDX-License-Identifier: MIT
# Runs one libFuzzer target for SECONDS over its seed corpus; new inputs
# and crash artifacts go to a scratch folder (kept and named on failure).
#   fuzz-one.sh TARGET SEED_DIR SECONDS
set -eu
target=$1 seeds=$2 secs=$3
work=$(mktemp -d /tmp/iok-fuzz-XXXXXX)
mkdir -p "$seeds"
if "$target" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
	-artifact_prefix="$work/" -print_final_stats=1 "$work" "$seeds" > "$work/log" 2>&1; then
	tail -n 12 "$work/log" | grep -E 'stat::number_of_executed_units|Done' || true
	rm -rf "$work"
else
	tail -n 60 "$work/log"
	echo "fuzz: $target failed; inputs and log kept in $work"
	exit 1
fi
