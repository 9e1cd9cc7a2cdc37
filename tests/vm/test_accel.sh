#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/vm/test_accel.sh: tools/vm/run's choice of accelerator (KVM or TCG),
# on this machine, without a real VM: tests/vm/stand-in/qemu-system-x86_64
# comes first on PATH and plays a working, crashing (the nested-KVM MSR
# abort), hanging or silent KVM; VCMDQ_KVM_DEV points at a fake device node
# and VCMDQ_CACHE at a private cache.  kselftest TAP output, a
# "# Totals: ..." line for tools/check, non-zero exit on failure.
#
# make hosttests links it into build/host-tests/, which tools/check runs.
set -uo pipefail

here=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
RUN=$(cd "$here/../.." && pwd)/tools/vm/run
STAND_IN=$here/stand-in

T=$(mktemp -d "${TMPDIR:-/tmp}/vcmdq-test-accel.XXXXXX")
trap 'rm -rf "$T"' EXIT

# Nothing of the caller's choice of accelerator or cache leaks in.
unset VCMDQ_ACCEL VCMDQ_ACCEL_PROBE_TIMEOUT VCMDQ_KVM_DEV VCMDQ_CACHE \
	XDG_CACHE_HOME FAKE_QEMU_KVM FAKE_QEMU_VERSION FAKE_QEMU_LOG
export PATH=$STAND_IN:$PATH
# The runner copies busybox into the initramfs; the stand-in never runs it.
export VCMDQ_BUSYBOX=$T/busybox
printf '#!/bin/sh\nexit 0\n' >"$VCMDQ_BUSYBOX"
chmod 755 "$VCMDQ_BUSYBOX"
kernel=$T/bzImage
printf 'not a kernel\n' >"$kernel"

# Per test (each runs in a subshell, so its exports stay there).
setup() {
	local d=$T/$1
	mkdir -p "$d"
	export VCMDQ_CACHE=$d/cache
	export FAKE_QEMU_LOG=$d/calls
	: >"$FAKE_QEMU_LOG"
	# Root can read and write any file, so a plain file is a usable node.
	export VCMDQ_KVM_DEV=$d/kvm
	: >"$VCMDQ_KVM_DEV"
	OUT=$d/out
	ERR=$d/err
	bad=0
}

# bad MSG: this test fails; say why.
fail() {
	echo "#   $*"
	bad=1
}

# vmrun [NAME=VALUE...]: one tools/vm/run with those variables set (and the
# options in VMRUN_OPTS); RC is its exit status, ACCEL_LINE its only
# "vm/run: accel" line.
VMRUN_OPTS=()
vmrun() {
	local n
	RC=0
	env "$@" "$RUN" "${VMRUN_OPTS[@]}" --kernel "$kernel" --no-module --timeout 30 -- true >"$OUT" 2>"$ERR" || RC=$?
	n=$(grep -c '^vm/run: accel ' "$ERR")
	ACCEL_LINE=$(grep '^vm/run: accel ' "$ERR")
	if ((RC != 125 && n != 1)); then
		fail "$n accelerator lines, not 1"
	fi
}

# The probe boots the probe initramfs; the run the run's.
probes() { grep -c 'kvm-probe\.cpio\.gz' "$FAKE_QEMU_LOG"; }
runs_with() { grep -v 'kvm-probe\.cpio\.gz' "$FAKE_QEMU_LOG" | grep -c "accel=$1 "; }
calls() { grep -c . "$FAKE_QEMU_LOG"; }

expect_rc() { ((RC == $1)) || fail "exit $RC, expected $1"; }
expect_line() { [[ $ACCEL_LINE == "$1" ]] || fail "accelerator line '$ACCEL_LINE', expected '$1'"; }
expect_err() { grep -q -F -- "$1" "$ERR" || fail "no '$1' on stderr"; }
expect_probes() {
	local n
	n=$(probes)
	((n == $1)) || fail "$n probes, expected $1"
}
expect_run() { (($(runs_with "$1") == 1)) || fail "the run did not use accel=$1"; }

test_no_kvm_device() {
	setup "${FUNCNAME[0]}"
	rm "$VCMDQ_KVM_DEV"
	vmrun FAKE_QEMU_KVM=crash
	expect_rc 0
	expect_line "vm/run: accel tcg (no $VCMDQ_KVM_DEV)"
	expect_probes 0
	expect_run tcg
}

test_probe_crash_is_tcg_and_cached() {
	setup "${FUNCNAME[0]}"
	vmrun FAKE_QEMU_KVM=crash
	expect_rc 0
	expect_line "vm/run: accel tcg (kvm probe failed: qemu exited 134 before the marker)"
	expect_probes 1
	expect_run tcg
	grep -q -s kvm_buf_set_msrs "$VCMDQ_CACHE"/accel/*.log || fail "probe log not kept in the cache"
	# The second run takes the cached decision and does not probe again.
	vmrun FAKE_QEMU_KVM=crash
	expect_rc 0
	expect_line "vm/run: accel tcg (kvm probe failed: qemu exited 134 before the marker; cached)"
	expect_probes 1
}

test_probe_hang_is_tcg_within_bound() {
	local t0 took
	setup "${FUNCNAME[0]}"
	t0=$SECONDS
	vmrun FAKE_QEMU_KVM=hang VCMDQ_ACCEL_PROBE_TIMEOUT=2
	took=$((SECONDS - t0))
	expect_rc 0
	expect_line "vm/run: accel tcg (kvm probe failed: no marker within 2 s)"
	expect_probes 1
	expect_run tcg
	# 2 s, then the stand-in dies on TERM: nowhere near the -k 2 kill.
	((took <= 10)) || fail "the run took $took s with a 2 s probe bound"
	[[ -s $FAKE_QEMU_LOG.hung ]] || fail "the stand-in did not hang"
	kill -0 "$(cat "$FAKE_QEMU_LOG.hung")" 2>/dev/null && fail "the hung probe outlived the run"
}

test_probe_without_marker_is_tcg() {
	setup "${FUNCNAME[0]}"
	vmrun FAKE_QEMU_KVM=nomarker
	expect_rc 0
	expect_line "vm/run: accel tcg (kvm probe failed: qemu exited 0 without the marker)"
	expect_run tcg
}

test_probe_boot_is_kvm_and_cached() {
	setup "${FUNCNAME[0]}"
	vmrun FAKE_QEMU_KVM=boot
	expect_rc 0
	[[ $ACCEL_LINE =~ ^'vm/run: accel kvm (probe booted in '[0-9]+\.[0-9]' s)'$ ]] ||
		fail "accelerator line '$ACCEL_LINE'"
	expect_probes 1
	expect_run kvm
	vmrun FAKE_QEMU_KVM=boot
	expect_rc 0
	[[ $ACCEL_LINE =~ ^'vm/run: accel kvm (probe booted in '[0-9]+\.[0-9]' s; cached)'$ ]] ||
		fail "accelerator line '$ACCEL_LINE'"
	expect_probes 1
}

# What the probe tests is what the run boots: the same words up to -m
# (QEMU, machine and accelerator, CPU model, firmware) and the same kernel.
test_probe_boots_the_run_command_line() {
	local -a probe run
	setup "${FUNCNAME[0]}"
	vmrun FAKE_QEMU_KVM=boot
	expect_rc 0
	eval "probe=($(grep 'kvm-probe\.cpio\.gz' "$FAKE_QEMU_LOG"))"
	eval "run=($(grep -v 'kvm-probe\.cpio\.gz' "$FAKE_QEMU_LOG"))"
	head_of() { sed -n '/^-m$/q;p'; }
	[[ $(printf '%s\n' "${probe[@]}" | head_of) == "$(printf '%s\n' "${run[@]}" | head_of)" ]] ||
		fail "probe '${probe[*]}' and run '${run[*]}' differ before -m"
	[[ " ${probe[*]} " == *" -kernel $kernel "* && " ${run[*]} " == *" -kernel $kernel "* ]] ||
		fail "probe and run boot different kernels"
	[[ " ${run[*]} " == *" -cpu max "* ]] || fail "the run's CPU model is not max"
}

test_forced_tcg_does_not_probe() {
	setup "${FUNCNAME[0]}"
	vmrun FAKE_QEMU_KVM=boot VCMDQ_ACCEL=tcg
	expect_rc 0
	expect_line "vm/run: accel tcg (VCMDQ_ACCEL=tcg)"
	expect_probes 0
	expect_run tcg
	[[ ! -e $VCMDQ_CACHE ]] || fail "a forced accelerator wrote the cache"
}

test_forced_kvm_does_not_probe() {
	setup "${FUNCNAME[0]}"
	vmrun FAKE_QEMU_KVM=boot VCMDQ_ACCEL=kvm
	expect_rc 0
	expect_line "vm/run: accel kvm (VCMDQ_ACCEL=kvm)"
	expect_probes 0
	expect_run kvm
}

test_forced_kvm_failing_is_an_error() {
	setup "${FUNCNAME[0]}"
	vmrun FAKE_QEMU_KVM=crash VCMDQ_ACCEL=kvm
	expect_rc 125
	expect_line "vm/run: accel kvm (VCMDQ_ACCEL=kvm)"
	expect_err "vm/run: VCMDQ_ACCEL=kvm, but KVM does not run a guest on this host (kvm probe failed: qemu exited 134 before the marker)"
}

test_forced_kvm_without_device_is_an_error() {
	setup "${FUNCNAME[0]}"
	rm "$VCMDQ_KVM_DEV"
	vmrun FAKE_QEMU_KVM=boot VCMDQ_ACCEL=kvm
	expect_rc 125
	expect_err "vm/run: VCMDQ_ACCEL=kvm, but KVM is not available: no $VCMDQ_KVM_DEV"
	(($(calls) == 0)) || fail "QEMU ran"
}

test_invalid_accel_is_an_error() {
	local v
	setup "${FUNCNAME[0]}"
	for v in KVM auto hvf " kvm"; do
		vmrun FAKE_QEMU_KVM=boot VCMDQ_ACCEL="$v"
		expect_rc 125
		expect_err "vm/run: VCMDQ_ACCEL must be kvm or tcg (or unset to probe), not '$v'"
	done
	(($(calls) == 0)) || fail "QEMU ran"
}

test_cache_follows_qemu_version() {
	setup "${FUNCNAME[0]}"
	vmrun FAKE_QEMU_KVM=crash
	vmrun FAKE_QEMU_KVM=boot FAKE_QEMU_VERSION=8.2.0
	expect_rc 0
	[[ $ACCEL_LINE == "vm/run: accel kvm (probe booted in "*" s)" ]] ||
		fail "after a QEMU upgrade: '$ACCEL_LINE'"
	expect_probes 2
	# Back to the old version: its decision is still there.
	vmrun FAKE_QEMU_KVM=boot
	expect_line "vm/run: accel tcg (kvm probe failed: qemu exited 134 before the marker; cached)"
	expect_probes 2
}

test_cache_follows_kernel_image() {
	setup "${FUNCNAME[0]}"
	vmrun FAKE_QEMU_KVM=crash
	expect_probes 1
	# A new image at the same path (e.g. a kernel package upgrade).
	touch -d '2001-01-01' "$kernel"
	vmrun FAKE_QEMU_KVM=crash
	expect_line "vm/run: accel tcg (kvm probe failed: qemu exited 134 before the marker)"
	expect_probes 2
	echo more >>"$kernel"
	touch -d '2001-01-01' "$kernel"
	vmrun FAKE_QEMU_KVM=crash
	expect_line "vm/run: accel tcg (kvm probe failed: qemu exited 134 before the marker)"
	expect_probes 3
	vmrun FAKE_QEMU_KVM=crash
	expect_probes 3
}

# A run that dies under a cached "kvm" says where that decision came from.
test_stale_kvm_decision_is_explained() {
	setup "${FUNCNAME[0]}"
	vmrun FAKE_QEMU_KVM=boot
	vmrun FAKE_QEMU_KVM=crash
	expect_rc 125
	expect_err "vm/run: this run used KVM (probe booted in "
	expect_err "or set VCMDQ_ACCEL=tcg"
}

test_concurrent_first_runs() {
	local i rc=0 files
	setup "${FUNCNAME[0]}"
	for i in 1 2 3; do
		FAKE_QEMU_KVM=boot "$RUN" --kernel "$kernel" --no-module --timeout 30 -- true \
			>"$OUT.$i" 2>"$ERR.$i" &
	done
	for i in 1 2 3; do
		wait -n || rc=$?
	done
	((rc == 0)) || fail "a concurrent run failed ($rc): $(cat "$ERR".*)"
	files=$(find "$VCMDQ_CACHE/accel" 2>/dev/null -type f ! -name '*.log' | wc -l)
	((files == 1)) || fail "$files cache files, expected 1"
	grep -q -s -x 'decision=kvm' "$VCMDQ_CACHE"/accel/* || fail "no decision in the cache"
	[[ -z $(find "$VCMDQ_CACHE/accel" 2>/dev/null -name '.*') ]] || fail "temporary files left in the cache"
	vmrun FAKE_QEMU_KVM=boot
	[[ $ACCEL_LINE == *"; cached)" ]] || fail "after concurrent runs: '$ACCEL_LINE'"
}

test_unwritable_cache_still_runs() {
	setup "${FUNCNAME[0]}"
	: >"$T/${FUNCNAME[0]}/file"
	vmrun FAKE_QEMU_KVM=crash VCMDQ_CACHE="$T/${FUNCNAME[0]}/file/cache"
	expect_rc 0
	expect_line "vm/run: accel tcg (kvm probe failed: qemu exited 134 before the marker; not cached: $T/${FUNCNAME[0]}/file/cache/accel not writable)"
	expect_run tcg
}

# An arm64 guest (the stand-in is also qemu-system-aarch64): on an x86 host
# no probe, TCG, and the virt machine with GICv3 and the SMMUv3 asked for.
test_arm64_guest_on_x86_is_tcg_without_probe() {
	setup "${FUNCNAME[0]}"
	[[ $(uname -m) == x86_64 ]] || { echo "#   SKIP: host is $(uname -m)"; return 0; }
	VMRUN_OPTS=(--arch arm64 --iommu smmuv3)
	vmrun FAKE_QEMU_KVM=boot VCMDQ_BUSYBOX_ARM64="$VCMDQ_BUSYBOX"
	expect_rc 0
	expect_line "vm/run: accel tcg (host is x86_64, KVM runs arm64 guests on aarch64 only)"
	expect_probes 0
	expect_run tcg
	# The stand-in logs %q-quoted words: commas come escaped.
	grep -q -F -- '-machine virt\,gic-version=3\,iommu=smmuv3\,accel=tcg ' "$FAKE_QEMU_LOG" ||
		fail "not the virt machine with GICv3 and SMMUv3: $(cat "$FAKE_QEMU_LOG")"
	grep -q -- 'console=ttyAMA0' "$FAKE_QEMU_LOG" || fail "console is not ttyAMA0"
	grep -q -F -- '-cpu max\,pauth-impdef=on ' "$FAKE_QEMU_LOG" ||
		fail "TCG without the cheap pointer authentication"
	# x86's IOMMUs are refused on arm64, and the SMMUv3 on x86.
	VMRUN_OPTS=(--arch arm64 --iommu intel)
	vmrun VCMDQ_BUSYBOX_ARM64="$VCMDQ_BUSYBOX"
	expect_rc 125
	VMRUN_OPTS=(--iommu smmuv3)
	vmrun
	expect_rc 125
}

tests=$(declare -F | awk '$3 ~ /^test_/ { print $3 }')
echo "TAP version 13"
echo "1..$(wc -w <<<"$tests")"
pass=0 failed=0 skip=0 i=0
for t in $tests; do
	i=$((i + 1))
	name=${t#test_}
	if [[ $(uname -m) != x86_64 ]]; then
		echo "ok $i $name # SKIP the stand-in is x86_64 QEMU"
		skip=$((skip + 1))
		continue
	fi
	echo "# RUN $name"
	if (
		"$t"
		exit "$bad"
	); then
		echo "ok $i $name"
		pass=$((pass + 1))
	else
		sed 's/^/#   stderr: /' "$T/$t/err" 2>/dev/null | tail -n 8
		echo "not ok $i $name"
		failed=$((failed + 1))
	fi
done
echo "# Totals: pass:$pass fail:$failed xfail:0 xpass:0 skip:$skip error:0"
((failed == 0))
