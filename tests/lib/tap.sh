# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# tests/lib/tap.sh: the TAP runner of the shell host tests (sourced).  A
# test script defines test_NAME functions that set bad=1 on a failure
# (through its own fail(), which says what), then:
#
#   tap_plan NAME...       the TAP header and plan
#   tap_skip_all WHY       every planned test skipped, saying why; exits 0
#   tap_run NAME...        runs test_NAME in order, prints ok / not ok and
#                          the kselftest-style totals line tools/check
#                          counts; returns 1 when any failed
#
# The names are given once, to tap_plan, and again to tap_run (or kept in
# a variable the script passes to both).

tap_planned=()
bad=0

# fail WHY: the current test failed, saying why (tap_run reports it).
fail() {
	echo "#   $*"
	bad=1
}

# show LOG [LINES]: the last lines (default 20) of a failed command's output.
show() {
	sed 's/^/#     /' "$1" | tail -n "${2:-20}"
}

tap_plan() {
	tap_planned=("$@")
	echo "TAP version 13"
	echo "1..$#"
}

tap_skip_all() {
	local i=0 t
	for t in "${tap_planned[@]}"; do
		i=$((i + 1))
		echo "ok $i $t # SKIP $1"
	done
	echo "# Totals: pass:0 fail:0 xfail:0 xpass:0 skip:$i error:0"
	exit 0
}

tap_run() {
	local t i=0 pass=0 failed=0
	for t in "$@"; do
		i=$((i + 1))
		echo "# RUN $t"
		bad=0
		"test_$t"
		if ((bad)); then
			echo "not ok $i $t"
			failed=$((failed + 1))
		else
			echo "ok $i $t"
			pass=$((pass + 1))
		fi
	done
	echo "# Totals: pass:$pass fail:$failed xfail:0 xpass:0 skip:0 error:0"
	((failed == 0))
}
