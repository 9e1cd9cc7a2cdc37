#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/vm/test_debian_kernel.sh: which archive URI and keyring
# tools/debian-kernel takes from the machine's apt sources (it writes no
# host name of its own, so getting this right is what lets it reach the
# newer suites on any mirror).  Fake /etc/apt trees and os-release files;
# no network.  kselftest TAP output and a "# Totals: ..." line for
# tools/check; make hosttests links it into build/host-tests/.
set -uo pipefail

here=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
DK=$(cd "$here/../.." && pwd)/tools/debian-kernel

T=$(mktemp -d "${TMPDIR:-/tmp}/vcmdq-test-debian-kernel.XXXXXX")
trap 'rm -rf "$T"' EXIT
export VCMDQ_CACHE=$T/cache

# fake NAME CODENAME: an empty apt tree and os-release under $T/NAME.
fake() {
	mkdir -p "$T/$1/apt/sources.list.d"
	printf 'ID=debian\nVERSION_CODENAME=%s\n' "$2" >"$T/$1/os-release"
	export VCMDQ_APT_ETC=$T/$1/apt VCMDQ_OS_RELEASE=$T/$1/os-release
}

# expect WANT: --print-source prints exactly WANT.
expect() {
	local got
	got=$("$DK" --print-source 2>"$T/err") || {
		echo "#   --print-source failed: $(cat "$T/err")"
		return 1
	}
	[[ $got == "$1" ]] || {
		echo "#   got '$got', want '$1'"
		return 1
	}
}

# A deb822 file listing security first: the release's main source wins,
# with its own keyring.
test_deb822_main_not_security() {
	fake deb822 bookworm
	cat >"$VCMDQ_APT_ETC/sources.list.d/debian.sources" <<'EOF'
Types: deb
URIs: http://mirror.invalid/debian-security
Suites: bookworm-security
Components: main
Signed-By: /keys/security.gpg

# the release
Types: deb deb-src
URIs: http://mirror.invalid/debian
Suites: bookworm bookworm-updates
Components: main contrib
Signed-By: /keys/archive.gpg
EOF
	expect "http://mirror.invalid/debian /keys/archive.gpg"
}

# Source-only and other-release entries are skipped.
test_deb822_skips_deb_src_and_other_release() {
	fake skip bookworm
	cat >"$VCMDQ_APT_ETC/sources.list.d/a.sources" <<'EOF'
Types: deb-src
URIs: http://src.invalid/debian
Suites: bookworm
Components: main

Types: deb
URIs: http://old.invalid/debian
Suites: bullseye
Components: main
EOF
	cat >"$VCMDQ_APT_ETC/sources.list.d/b.sources" <<'EOF'
Types: deb
URIs: http://right.invalid/debian
Suites: bookworm
Components: main
EOF
	expect "http://right.invalid/debian /usr/share/keyrings/debian-archive-keyring.gpg"
}

# The one-line format, with options, and no Signed-By: Debian's keyring.
test_one_line_format() {
	fake oneline trixie
	cat >"$VCMDQ_APT_ETC/sources.list" <<'EOF'
# deb http://commented.invalid/debian trixie main
deb [arch=amd64] http://line.invalid/debian trixie main non-free-firmware
EOF
	expect "http://line.invalid/debian /usr/share/keyrings/debian-archive-keyring.gpg"
}

# A machine with no source for its release: a clear failure, exit 1.
test_no_source_fails() {
	fake none bookworm
	cat >"$VCMDQ_APT_ETC/sources.list.d/x.sources" <<'EOF'
Types: deb
URIs: http://other.invalid/ubuntu
Suites: noble
Components: main
EOF
	local rc=0
	"$DK" --print-source >/dev/null 2>"$T/err" || rc=$?
	[[ $rc -eq 1 ]] && grep -q "no Debian source" "$T/err" || {
		echo "#   exit $rc, stderr: $(cat "$T/err")"
		return 1
	}
}

# A suite name that could escape the cache or the sources line is refused.
test_bad_suite_refused() {
	fake bad bookworm
	local rc=0
	"$DK" "../etc" >/dev/null 2>&1 || rc=$?
	[[ $rc -eq 2 ]] || {
		echo "#   exit $rc, want 2"
		return 1
	}
}

# Only the architectures it knows: a typo fails before any network access.
test_bad_arch_refused() {
	fake badarch bookworm
	local rc=0
	"$DK" --arch mips bookworm >/dev/null 2>"$T/err" || rc=$?
	[[ $rc -eq 2 ]] && grep -q "amd64 or arm64" "$T/err" || {
		echo "#   exit $rc, stderr: $(cat "$T/err")"
		return 1
	}
}

tests=$(declare -F | awk '$3 ~ /^test_/ { print $3 }')
echo "TAP version 13"
echo "1..$(wc -w <<<"$tests")"
pass=0 failed=0 i=0
for t in $tests; do
	i=$((i + 1))
	if ("$t"); then
		echo "ok $i ${t#test_}"
		pass=$((pass + 1))
	else
		echo "not ok $i ${t#test_}"
		failed=$((failed + 1))
	fi
done
echo "# Totals: pass:$pass fail:$failed xfail:0 xpass:0 skip:0 error:0"
((failed == 0))
