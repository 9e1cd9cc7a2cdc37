#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/lib/test_install.sh: libvcmdq as a VMM gets it, on this machine (no
# VM): `make -C userspace/libvcmdq install DESTDIR=STAGE PREFIX=/usr`, then
# examples/ built against that staged install with nothing but pkg-config
# (PKG_CONFIG_SYSROOT_DIR=STAGE, PKG_CONFIG_LIBDIR=STAGE/usr/lib/pkgconfig):
#
#  - the staged libvcmdq.pc's Cflags and Libs resolve inside the stage;
#  - the example compiles from the installed headers alone: every header
#    it includes that is not the C library's comes from the stage, none
#    from the source tree;
#  - it is dynamically linked: NEEDED libvcmdq.so.0, its libvcmdq symbols
#    undefined and versioned (LIBVCMDQ_0.1), no RPATH into the stage;
#  - with the staged library it runs, and without /dev/vcmdq says so and
#    exits 1 (the VM test, selftests/vcmdq_examples_test, runs it for real);
#  - the top Makefile's `make install DESTDIR=STAGE PREFIX=/usr` puts every
#    userspace part in place (vcmdqctl, vcmdq-bench, man pages, headers,
#    the modprobe.d and udev examples), none naming the build tree.
#
# kselftest TAP output with a "# Totals: ..." line for tools/check;
# non-zero exit on failure.  make hosttests links it into
# build/host-tests/.  About 3 s.
set -uo pipefail

here=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
REPO=$(cd "$here/../.." && pwd)
# shellcheck source=tests/lib/tap.sh
. "$REPO/tests/lib/tap.sh"
LIB=$REPO/userspace/libvcmdq
VERSION=$(cat "$REPO/VERSION")
SONAME=libvcmdq.so.${VERSION%%.*}

T=$(mktemp -d "${TMPDIR:-/tmp}/vcmdq-test-install.XXXXXX")
trap 'rm -rf "$T"' EXIT
STAGE=$T/stage
EX=$T/examples/guest-queue

# pkg-config sees the staged install and nothing else.
pc() {
	PKG_CONFIG_SYSROOT_DIR=$STAGE PKG_CONFIG_LIBDIR=$STAGE/usr/lib/pkgconfig \
		PKG_CONFIG_PATH= pkg-config "$@"
}


test_tools_installed() {
	local t
	for t in pkg-config readelf make cc; do
		command -v "$t" >/dev/null ||
			fail "$t is not installed: tools/install-deps installs it"
	done
}

test_staged_install() {
	if ! make -s -C "$LIB" install DESTDIR="$STAGE" PREFIX=/usr >"$T/install.log" 2>&1; then
		show "$T/install.log"
		fail "make install DESTDIR=$STAGE PREFIX=/usr failed"
		return
	fi
	local f
	for f in usr/lib/$SONAME usr/lib/libvcmdq.so usr/lib/libvcmdq.a \
		usr/lib/pkgconfig/libvcmdq.pc usr/include/vcmdq/vcmdq.h \
		usr/include/vcmdq/fastpath.h usr/include/linux/vcmdq.h \
		usr/share/man/man7/libvcmdq.7 usr/share/man/man3/vcmdq_open.3; do
		[[ -e $STAGE/$f ]] || fail "not installed: /$f"
	done
	# DESTDIR is only a staging prefix: nothing of it is in the files.
	grep -rqF "$STAGE" "$STAGE/usr/lib/pkgconfig" && fail "libvcmdq.pc names the DESTDIR"
}

test_pc_resolves_inside_the_stage() {
	local flags f p
	if ! flags=$(pc --cflags --libs libvcmdq 2>"$T/pc.err"); then
		show "$T/pc.err"
		fail "pkg-config --cflags --libs libvcmdq failed on the staged .pc"
		return
	fi
	echo "# pkg-config: $flags"
	[[ $(pc --modversion libvcmdq) == "$VERSION" ]] || fail "--modversion is not $VERSION"
	[[ " $flags " == *" -lvcmdq "* ]] || fail "no -lvcmdq in '$flags'"
	[[ " $flags " == *" -I$STAGE/usr/include "* ]] || fail "no -I$STAGE/usr/include in '$flags'"
	[[ " $flags " == *" -L$STAGE/usr/lib "* ]] || fail "no -L$STAGE/usr/lib in '$flags'"
	for f in $flags $(pc --static --libs libvcmdq); do
		case $f in
		-I* | -L*)
			p=${f:2}
			[[ $p == "$STAGE"/* ]] || fail "$f points outside the stage"
			[[ -d $p ]] || fail "$f: no such directory"
			;;
		esac
	done
	# A static link needs the library's own dependencies.
	[[ " $(pc --static --libs libvcmdq) " == *" -luring "* ]] ||
		fail "pkg-config --static --libs lacks -luring"
}

test_example_builds_from_the_installed_headers() {
	local h
	if ! PKG_CONFIG_SYSROOT_DIR=$STAGE PKG_CONFIG_LIBDIR=$STAGE/usr/lib/pkgconfig \
		PKG_CONFIG_PATH= make -s -C "$REPO/examples" O="$T/examples" \
		CFLAGS="-O2 -g -Wall -Wextra -Werror -MD" >"$T/build.log" 2>&1; then
		show "$T/build.log"
		fail "examples/ did not build against the staged install"
		return
	fi
	[[ -x $EX && -s $EX.d ]] || { fail "no $EX or its dependency file"; return; }
	# Every header of the dependency list: the C library's, or the stage's.
	for h in $(sed -e 's/^[^:]*://' -e 's/\\$//' "$EX.d"); do
		case $h in
		*.c) ;;
		"$STAGE"/*) ;;
		"$REPO"/*) fail "includes $h from the source tree" ;;
		*vcmdq*) fail "includes $h, not the staged header" ;;
		esac
	done
	grep -qF "$STAGE/usr/include/vcmdq/fastpath.h" "$EX.d" ||
		fail "did not include the staged <vcmdq/fastpath.h>"
	grep -qF "$STAGE/usr/include/linux/vcmdq.h" "$EX.d" ||
		fail "did not include the staged <linux/vcmdq.h>"
}

test_example_is_dynamically_linked() {
	[[ -x $EX ]] || { fail "not built (see above)"; return; }
	readelf -d "$EX" >"$T/dynamic" 2>&1 || { fail "readelf -d failed"; return; }
	grep -q "(NEEDED).*\[$SONAME\]" "$T/dynamic" || fail "no NEEDED $SONAME"
	grep -qE '\((RPATH|RUNPATH)\)' "$T/dynamic" && fail "has an RPATH/RUNPATH"
	readelf --dyn-syms -W "$EX" >"$T/dynsyms" 2>&1
	grep -qE ' UND vcmdq_open@LIBVCMDQ_0\.1' "$T/dynsyms" ||
		fail "vcmdq_open is not an undefined symbol of version LIBVCMDQ_0.1"
}

test_example_runs_with_the_staged_library() {
	local rc=0
	[[ -x $EX ]] || { fail "not built (see above)"; return; }
	LD_LIBRARY_PATH=$STAGE/usr/lib ldd "$EX" >"$T/ldd" 2>&1
	grep -qF "$SONAME => $STAGE/usr/lib/$SONAME" "$T/ldd" ||
		fail "ldd does not find the staged $SONAME"
	if [[ -e /dev/vcmdq ]]; then
		echo "# /dev/vcmdq exists here: the run is the VM test's job"
		return
	fi
	LD_LIBRARY_PATH=$STAGE/usr/lib "$EX" >"$T/run.out" 2>"$T/run.err" || rc=$?
	((rc == 1)) || fail "exit status $rc without /dev/vcmdq, not 1"
	grep -q '^guest-queue: vcmdq_open: No such file or directory$' "$T/run.err" ||
		{ show "$T/run.err"; fail "no 'vcmdq_open: No such file or directory' on stderr"; }
}

# The top Makefile's `make install`: the library as above, and vcmdqctl,
# vcmdq-bench, vcmdqctl.8, the modprobe.d and udev examples.
test_top_install() {
	local top=$T/top f elf
	if ! make -s -C "$REPO" install DESTDIR="$top" PREFIX=/usr >"$T/top.log" 2>&1; then
		show "$T/top.log"
		fail "make install DESTDIR=$top PREFIX=/usr failed"
		return
	fi
	for f in usr/sbin/vcmdqctl usr/bin/vcmdq-bench usr/share/man/man8/vcmdqctl.8 \
		usr/lib/$SONAME usr/lib/pkgconfig/libvcmdq.pc usr/include/linux/vcmdq.h \
		usr/include/vcmdq/vcmdq.h usr/share/man/man7/libvcmdq.7 \
		usr/share/doc/vcmdq/examples/modprobe-vcmdq.conf \
		usr/share/doc/vcmdq/examples/60-vcmdq.rules; do
		[[ -e $top/$f ]] || fail "not installed: /$f"
	done
	[[ -x $top/usr/sbin/vcmdqctl && -x $top/usr/bin/vcmdq-bench ]] ||
		fail "the programs are not executable"
	# Nothing installed names the build tree or the DESTDIR: text files
	# not at all, programs and libraries not outside their debug
	# information (which a package strips into its -dbg files), and no
	# RPATH.
	while IFS= read -r -d '' f; do
		if [[ $(head -c 4 "$f") == $'\x7fELF' || $(head -c 7 "$f") == '!<arch>' ]]; then
			elf=$T/stripped
			objcopy --strip-debug "$f" "$elf" || { fail "objcopy ${f#"$top"}"; continue; }
			readelf -d "$f" 2>/dev/null | grep -qE '\((RPATH|RUNPATH)\)' &&
				fail "${f#"$top"} has an RPATH/RUNPATH"
		else
			elf=$f
		fi
		grep -qaF -e "$REPO" -e "$top" "$elf" && fail "${f#"$top"} names $REPO or the DESTDIR"
	done < <(find "$top" -type f -print0)
	# The installed tool runs (its usage, no device needed).
	"$top/usr/sbin/vcmdqctl" --help >/dev/null 2>&1 || fail "vcmdqctl --help failed"
	# The modprobe.d example is all comments (nothing applies by copying it)
	# and names only parameters the module has.
	grep -vE '^(#|$)' "$top/usr/share/doc/vcmdq/examples/modprobe-vcmdq.conf" &&
		fail "the modprobe.d example has an uncommented line"
	local p
	for p in $(sed -n 's/^#options vcmdq //p' "$top/usr/share/doc/vcmdq/examples/modprobe-vcmdq.conf" |
		tr ' ' '\n' | sed 's/=.*//'); do
		grep -qE "module_param(_cb|_named)?\($p," "$REPO"/kernel/*.c || fail "modprobe.d example: no parameter '$p' in kernel/"
	done
}

tests="tools_installed staged_install pc_resolves_inside_the_stage
	example_builds_from_the_installed_headers example_is_dynamically_linked
	example_runs_with_the_staged_library top_install"
# shellcheck disable=SC2086 # the names split on blanks
tap_plan $tests
# shellcheck disable=SC2086
tap_run $tests
