#!/bin/sh
# SPDX-License-Identifier: MIT
# Runs a test program: directly, or under valgrind's memcheck when
# IOK_VALGRIND is set (not 0).  Any memcheck error, or a definite or
# indirect leak, makes the exit status 98; forked children are checked
# too (their output is silenced, their exit status is the test's to
# judge).  The hosts the tests start honour IOK_VALGRIND themselves
# (tests/e2e/host_harness.c).
if [ -n "${IOK_VALGRIND:-}" ] && [ "$IOK_VALGRIND" != 0 ]; then
	exec valgrind --quiet --error-exitcode=98 --leak-check=full \
		--errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect \
		--child-silent-after-fork=yes --max-threads=1000 "$@"
fi
exec "$@"
