#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# selftests/run.sh [TEST...]: runs INSIDE the test VM (busybox sh, POSIX
# only; tools/check boots the VM with tools/vm/run -- run.sh ...).
# Runs each test program (default: vcmdq_test on PATH) under a timeout
# (VCMDQ_TEST_TIMEOUT seconds, default 600, below tools/vm/run's 900), prints
# its output, exits 1 if any failed.  A marker in the kernel log separates
# boot messages from what the tests caused.

tmo=${VCMDQ_TEST_TIMEOUT:-600}
[ $# -gt 0 ] || set -- vcmdq_test

echo "vcmdq selftests start" >/dev/kmsg 2>/dev/null || :
rc=0
for t in "$@"; do
	echo "# run.sh: running $t"
	timeout "$tmo" "$t"
	r=$?
	case $r in
	0) ;;
	124 | 143) echo "# run.sh: $t timed out after ${tmo}s (exit $r)"; rc=1 ;;
	*) echo "# run.sh: $t failed (exit $r)"; rc=1 ;;
	esac
done
echo "vcmdq selftests end (rc=$rc)" >/dev/kmsg 2>/dev/null || :
exit $rc
