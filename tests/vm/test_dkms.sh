#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/vm/test_dkms.sh: the module as an admin installs it, with DKMS, for
# the VM's kernel (tools/vm/kver, headers in /usr/src/linux-headers-KVER),
# then loaded in the VM.  Nothing of this machine changes:
#
#  - `make dkms-install` with DESTDIR (the sources go to a temporary
#    /usr/src, dkms is told with --sourcetree) and DKMS_ARGS --dkmstree,
#    --installtree into the same temporary directory, -k KVER and
#    --no-depmod (dkms would run depmod on /lib/modules/KVER);
#  - dkms signs what it builds, generating a key in /var/lib/dkms if there
#    is none: the dkms commands run in a private mount namespace
#    (unshare -m) with a tmpfs on /var/lib/dkms, so the key is thrown away
#    with it (the VM's kernel does not enforce signatures);
#  - depmod runs on a copy of the install tree (depmod -b), to show that
#    modprobe finds the module where dkms put it (updates/dkms).
#
# Checks: the staged source tree has the layout DKMS needs and its
# dkms.conf the VERSION; the module is built (production: no test hook,
# its version from VERSION); it is installed to
# INSTALLTREE/KVER/updates/dkms/; the VM loads it, /sys/module/vcmdq/version
# is VERSION and GET_INFO works (vcmdqctl instances); dkms-uninstall
# removes it; /lib/modules/KVER, /usr/src and /var/lib/dkms are as before.
# It leaves the built module in build/dkms/vcmdq.ko for the "host" VM
# configuration of tools/check.
#
# Needs root (dkms, unshare) and the dkms package (tools/install-deps);
# without them it skips, saying why.  kselftest TAP output and a
# "# Totals: ..." line for tools/check; make hosttests links it into
# build/host-tests/.  About 40 s to build plus a VM boot (under TCG about
# a minute on a busy machine).
set -uo pipefail

here=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
REPO=$(cd "$here/../.." && pwd)
# shellcheck source=tests/lib/tap.sh
. "$REPO/tests/lib/tap.sh"
VERSION=$(cat "$REPO/VERSION")
KVER=${VCMDQ_DKMS_KVER:-$("$REPO/tools/vm/kver" 2>/dev/null)}
KDIR=/usr/src/linux-headers-$KVER

T=$(mktemp -d "${TMPDIR:-/tmp}/vcmdq-test-dkms.XXXXXX")
trap '[[ -n ${VCMDQ_KEEP:-} ]] && echo "# kept $T" || rm -rf "$T"' EXIT
ROOT=$T/root			# DESTDIR: the sources in $ROOT/usr/src
SRC=$ROOT/usr/src/vcmdq-$VERSION
DKMS_TREE=$T/dkms
INSTALL_TREE=$T/modules
KO=$INSTALL_TREE/$KVER/updates/dkms/vcmdq.ko
OUT=$REPO/build/dkms/vcmdq.ko

tests=${VCMDQ_DKMS_TESTS:-"source_tree dkms_install module_info depmod_finds_it vm_loads_it uninstall host_untouched"}
# shellcheck disable=SC2086 # the names split on blanks
tap_plan $tests
((EUID == 0)) || tap_skip_all "needs root (dkms, unshare -m)"
command -v dkms >/dev/null || tap_skip_all "no dkms (tools/install-deps installs it)"
unshare --mount --propagation private true 2>/dev/null ||
	tap_skip_all "no private mount namespace here (unshare -m): dkms would write its signing key to /var/lib/dkms"
[[ -n $KVER && -d $KDIR ]] || tap_skip_all "no headers for the VM's kernel at $KDIR (tools/install-deps)"

# Never a stale module for the "host" configuration.
rm -f "$OUT"

# What a DKMS install could touch on this machine, to compare at the end.
host_state() {
	ls -la --time-style=+%s "/lib/modules/$KVER" /usr/src 2>&1
	find /var/lib/dkms -printf '%p %s %T@\n' 2>/dev/null | sort
}
host_state >"$T/state.before"


# In a private mount namespace: /var/lib/dkms is a throwaway tmpfs.
dkms_make() {
	unshare --mount --propagation private bash -c \
		'mount -t tmpfs vcmdq-test-dkms /var/lib/dkms && exec "$@"' dkms_make \
		make -s -C "$REPO" "$@" DESTDIR="$ROOT" \
		DKMS_ARGS="--dkmstree $DKMS_TREE --installtree $INSTALL_TREE -k $KVER --kernelsourcedir $KDIR --no-depmod"
}

test_source_tree() {
	local f
	if ! make -s -C "$REPO" dkms-source DESTDIR="$ROOT" >"$T/source.log" 2>&1; then
		show "$T/source.log" 25
		fail "make dkms-source DESTDIR=$ROOT failed"
		return
	fi
	for f in dkms.conf VERSION Kbuild kernel/Kbuild kernel/main.c uapi/linux/vcmdq.h; do
		[[ -f $SRC/$f ]] || fail "not in the source tree: $f"
	done
	grep -qx "PACKAGE_VERSION=\"$VERSION\"" "$SRC/dkms.conf" ||
		fail "dkms.conf's PACKAGE_VERSION is not VERSION ($VERSION)"
	# Sources only: no build product of the repo came along.
	f=$(find "$SRC" -name '*.o' -o -name '*.ko' -o -name '*.mod*' -o -name '.*.cmd' | head -3)
	[[ -z $f ]] || fail "build products in the source tree: $f"
}

test_dkms_install() {
	mkdir -p "$DKMS_TREE" "$INSTALL_TREE/$KVER"
	if ! dkms_make dkms-install >"$T/install.log" 2>&1; then
		show "$T/install.log" 25
		fail "make dkms-install (throwaway trees) failed"
		return
	fi
	[[ -f $KO ]] || fail "not installed at $KO"
	dkms status --dkmstree "$DKMS_TREE" --sourcetree "$ROOT/usr/src" \
		--installtree "$INSTALL_TREE" vcmdq >"$T/status" 2>&1
	grep -q "^vcmdq/$VERSION, $KVER, .*: installed" "$T/status" ||
		fail "dkms status does not say installed: $(cat "$T/status")"
}

test_module_info() {
	[[ -f $KO ]] || {
		fail "no module"
		return
	}
	local v
	v=$(modinfo -F version "$KO")
	[[ $v == "$VERSION" ]] || fail "modinfo version '$v', want '$VERSION'"
	v=$(modinfo -F vermagic "$KO")
	[[ $v == "$KVER "* ]] || fail "vermagic '$v' is not for $KVER"
	# Production: the test hook (kernel/test.c) is not built in.
	if nm "$KO" | grep -qw vcmdq_test_ioctl; then
		fail "the DKMS module has the test hook (built with VCMDQ_TEST)"
	fi
	mkdir -p "$(dirname "$OUT")"
	cp "$KO" "$OUT"
}

test_depmod_finds_it() {
	[[ -f $KO ]] || {
		fail "no module"
		return
	}
	local mr=$T/modroot
	mkdir -p "$mr/lib/modules/$KVER"
	cp -a "$INSTALL_TREE/$KVER/." "$mr/lib/modules/$KVER/"
	cp "/lib/modules/$KVER/modules.builtin" "/lib/modules/$KVER/modules.order" \
		"$mr/lib/modules/$KVER/" 2>/dev/null
	if ! depmod -b "$mr" "$KVER" 2>"$T/depmod.err"; then
		show "$T/depmod.err" 25
		fail "depmod -b failed"
		return
	fi
	grep -q "^updates/dkms/vcmdq.ko:" "$mr/lib/modules/$KVER/modules.dep" ||
		fail "modules.dep has no updates/dkms/vcmdq.ko"
	# What modprobe would load: the name resolved through that tree.
	[[ $(modinfo -b "$mr" -k "$KVER" -F filename vcmdq 2>&1) == */updates/dkms/vcmdq.ko ]] ||
		fail "modinfo -b (the depmod'ed tree) does not resolve vcmdq to updates/dkms/vcmdq.ko"
}

test_vm_loads_it() {
	[[ -f $KO ]] || {
		fail "no module"
		return
	}
	# The module loaded as it is, with no parameters; GET_INFO through
	# the operator's tool.  The command is the VM's, expanded there.
	# shellcheck disable=SC2016
	if ! "$REPO/tools/vm/run" --module "$KO" --iommu intel --timeout 600 \
		--add "$REPO/userspace/vcmdqctl/vcmdqctl" -- \
		sh -c 'echo "version=$(cat /sys/module/vcmdq/version)"; vcmdqctl instances' \
		>"$T/vm.raw" 2>&1; then
		tr -d '\r' <"$T/vm.raw" >"$T/vm.log"
		show "$T/vm.log" 25
		fail "the VM run failed"
		return
	fi
	tr -d '\r' <"$T/vm.raw" >"$T/vm.log"
	grep -aqx "version=$VERSION" "$T/vm.log" ||
		fail "/sys/module/vcmdq/version is not $VERSION: $(grep -a '^version=' "$T/vm.log")"
	grep -aq '^ID  *FLAVOR' "$T/vm.log" || {
		show "$T/vm.log" 25
		fail "vcmdqctl instances printed no table"
	}
}

test_uninstall() {
	if ! dkms_make dkms-uninstall >"$T/uninstall.log" 2>&1; then
		show "$T/uninstall.log" 25
		fail "make dkms-uninstall failed"
	fi
	[[ ! -e $KO ]] || fail "still installed: $KO"
	[[ ! -e $SRC ]] || fail "sources still there: $SRC"
}

test_host_untouched() {
	host_state >"$T/state.after"
	if ! diff "$T/state.before" "$T/state.after" >"$T/state.diff"; then
		show "$T/state.diff" 25
		fail "/lib/modules/$KVER, /usr/src or /var/lib/dkms changed"
	fi
}

# shellcheck disable=SC2086
tap_run $tests
