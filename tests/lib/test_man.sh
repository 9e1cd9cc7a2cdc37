#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/lib/test_man.sh: libvcmdq's manual pages against its exported
# symbols and against man-db/groff, on this machine (no VM).  The rules
# are userspace/libvcmdq/man/README.md's:
#
#  - every symbol of libvcmdq.map's global list has man3/SYMBOL.3, and
#    every *.3 is named after an exported symbol or a public inline (no
#    stale page);
#  - the page a name resolves to (through a .so link page) has the name in
#    its NAME line and declares it in its SYNOPSIS; a real page has NAME,
#    SYNOPSIS (the include, -lvcmdq, pkg-config), DESCRIPTION, RETURN
#    VALUE, THREAD SAFETY and SEE ALSO (libvcmdq(7)), in that order;
#  - `make install` puts every page under $(DESTDIR)$(MANDIR), and each
#    installed page renders with `man -l` and every groff warning on
#    (man --warnings=w) without a word on stderr; a link page renders as
#    its target;
#  - libvcmdq.7's EXAMPLE is examples/guest-queue.c, verbatim.
#
# man and groff come from tools/install-deps (man-db, groff-base): without
# them the tests fail, they do not skip.  kselftest TAP output with a
# "# Totals: ..." line for tools/check; non-zero exit on failure.
# make hosttests links it into build/host-tests/.  About 10 s.
set -uo pipefail

here=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
REPO=$(cd "$here/../.." && pwd)
# shellcheck source=tests/lib/tap.sh
. "$REPO/tests/lib/tap.sh"
LIB=$REPO/userspace/libvcmdq
MAN=$LIB/man

T=$(mktemp -d "${TMPDIR:-/tmp}/vcmdq-test-man.XXXXXX")
trap 'rm -rf "$T"' EXIT

# The exported symbols: the global: lists of every version node.
mapfile -t symbols < <(awk '
	/global:/ { g = 1; next }
	/local:/ { g = 0 }
	g && match($0, /^[[:space:]]*[A-Za-z_][A-Za-z0-9_]*;/) {
		s = $0; gsub(/[[:space:];]/, "", s); print s
	}' "$LIB/libvcmdq.map" | sort -u)
# The public inlines, which may have a page too (users call them).
mapfile -t inlines < <(sed -n 's/^static inline [^(]*[ *]\([A-Za-z_][A-Za-z0-9_]*\)(.*/\1/p' \
	"$LIB"/include/vcmdq/*.h | sort -u)

is_symbol() {
	local s
	for s in "${symbols[@]}"; do [[ $s == "$1" ]] && return 0; done
	return 1
}

is_inline() {
	local s
	for s in "${inlines[@]}"; do [[ $s == "$1" ]] && return 0; done
	return 1
}

# link_target PAGE: the page a ".so man3/X.3" page points to, else nothing.
link_target() {
	sed -n '1s|^\.so man[37]/\(.*\)$|\1|p' "$1"
}

# render FILE: man -l from the current directory (a man directory, so .so
# requests resolve); stdout to FILE.txt under $T/out, stderr to FILE.err.
render() {
	local out=$T/out/$(basename "$1")
	LC_ALL=C MANWIDTH=80 man --warnings=w -E UTF-8 -l "$1" >"$out.txt" 2>"$out.err"
}

test_tools_installed() {
	local t
	for t in man groff; do
		command -v "$t" >/dev/null ||
			fail "$t is not installed: tools/install-deps installs it (man-db, groff-base)"
	done
}

test_map_has_symbols() {
	((${#symbols[@]} > 0)) || fail "no global symbol found in libvcmdq.map"
}

test_every_symbol_has_a_page() {
	local s
	for s in "${symbols[@]}"; do
		[[ -f $MAN/$s.3 ]] || fail "exported $s has no man page $s.3"
	done
}

test_every_page_names_an_exported_function() {
	local p n
	for p in "$MAN"/*.3; do
		n=$(basename "$p" .3)
		is_symbol "$n" || is_inline "$n" ||
			fail "$n.3: no exported symbol or public inline $n (stale page?)"
	done
	for p in "$MAN"/*; do
		case $(basename "$p") in
		*.3 | *.7 | README.md | update-example) ;;
		*) fail "$(basename "$p"): not a page (the install would skip it)" ;;
		esac
	done
}

test_link_pages_point_at_real_pages() {
	local p t
	for p in "$MAN"/*.3; do
		t=$(link_target "$p")
		[[ -n $t ]] || continue
		(($(wc -l <"$p") == 1)) || fail "$(basename "$p"): a link page is one .so line"
		if [[ ! -f $MAN/$t ]]; then
			fail "$(basename "$p"): .so target $t does not exist"
		elif [[ -n $(link_target "$MAN/$t") ]]; then
			fail "$(basename "$p"): .so target $t is a link page itself"
		fi
	done
}

test_pages_document_their_names() {
	local p n t page name synopsis
	for p in "$MAN"/*.3; do
		n=$(basename "$p" .3)
		t=$(link_target "$p")
		page=$MAN/${t:-$n.3}
		[[ -f $page ]] || continue # reported above
		name=$(sed -n '/^\.SH NAME/,/^\.SH/p' "$page")
		synopsis=$(sed -n '/^\.SH SYNOPSIS/,/^\.SH/p' "$page")
		[[ $name =~ (^|[^A-Za-z0-9_])$n([^A-Za-z0-9_]|$) ]] ||
			fail "$(basename "$page"): NAME does not list $n"
		[[ $synopsis == *[\ \*]$n\(* ]] ||
			fail "$(basename "$page"): SYNOPSIS does not declare $n()"
	done
}

# The parts README.md asks of every real page, in order.
test_real_pages_have_the_sections() {
	local p n sections want
	want="NAME SYNOPSIS DESCRIPTION RETURN_VALUE THREAD_SAFETY SEE_ALSO"
	for p in "$MAN"/*.3; do
		[[ -z $(link_target "$p") ]] || continue
		n=$(basename "$p")
		grep -q "^\.TH $(basename "$p" .3) 3 " "$p" || fail "$n: no '.TH ${n%.3} 3' line"
		# The required sections in their order, others (NOTES, ...) between.
		sections=$(sed -n 's/^\.SH //p' "$p" | tr ' ' _ | grep -xE "${want// /|}" | xargs)
		[[ $sections == "$want" ]] || fail "$n: sections '$sections', not '$want'"
		grep -qF '.B #include <vcmdq/vcmdq.h>' "$p" || fail "$n: SYNOPSIS lacks #include <vcmdq/vcmdq.h>"
		grep -qF '\-lvcmdq' "$p" || fail "$n: SYNOPSIS does not say to link with -lvcmdq"
		grep -qF 'pkg\-config \-\-cflags \-\-libs libvcmdq' "$p" ||
			fail "$n: SYNOPSIS does not name pkg-config --cflags --libs libvcmdq"
		grep -qF '.BR libvcmdq (7)' "$p" || fail "$n: SEE ALSO lacks libvcmdq(7)"
	done
}

# The rendering check would pass vacuously if man stopped reporting
# warnings: a page with an unknown macro must produce one.
test_render_check_sees_warnings() {
	mkdir -p "$T/out" "$T/bad/man3"
	printf '.TH bad 3\n.SH NAME\nbad \\- bad\n.NOSUCHMACRO\n' >"$T/bad/man3/bad.3"
	(cd "$T/bad" && render man3/bad.3)
	[[ -s $T/out/bad.3.err ]] || fail "man -l printed no warning for an unknown macro"
}

test_install_puts_every_page() {
	local mandir=$T/stage/usr/share/man p n
	if ! make -s -C "$LIB" install DESTDIR="$T/stage" PREFIX=/usr >"$T/install.log" 2>&1; then
		sed 's/^/#   /' "$T/install.log" | tail -n 20
		fail "make install failed"
		return
	fi
	for p in "$MAN"/*.3 "$MAN"/*.7; do
		n=$(basename "$p")
		cmp -s "$p" "$mandir/man${n##*.}/$n" || fail "$n: not installed in $mandir/man${n##*.}"
	done
	for p in "$mandir"/man3/* "$mandir"/man7/*; do
		[[ -f $MAN/$(basename "$p") ]] || fail "installed $(basename "$p") has no source page"
	done
}

test_installed_pages_render_without_warnings() {
	local mandir=$T/stage/usr/share/man f err
	[[ -d $mandir/man3 ]] || { fail "nothing installed (see above)"; return; }
	mkdir -p "$T/out"
	cd "$mandir" || return
	for f in man3/*.3 man7/*.7; do
		render "$f"
		err=$T/out/$(basename "$f").err
		if [[ -s $err ]]; then
			fail "$f: man -l warns:"
			sed 's/^/#     /' "$err" | head -n 5
		fi
		[[ -s $T/out/$(basename "$f").txt ]] || fail "$f: man -l rendered nothing"
	done
	cd - >/dev/null || return
}

test_link_pages_render_as_their_target() {
	local p t n
	for p in "$MAN"/*.3; do
		t=$(link_target "$p")
		[[ -n $t ]] || continue
		n=$(basename "$p")
		[[ -s $T/out/$n.txt && -s $T/out/$t.txt ]] || { fail "$n: not rendered"; continue; }
		cmp -s "$T/out/$n.txt" "$T/out/$t.txt" || fail "$n: renders differently from $t"
	done
}

test_example_is_guest_queue_c() {
	local page=$MAN/libvcmdq.7
	sed -n '/^\.\\" BEGIN examples\/guest-queue\.c/,/^\.\\" END examples\/guest-queue\.c/p' \
		"$page" | sed '1d;$d' >"$T/example.in-page"
	[[ -s $T/example.in-page ]] || { fail "libvcmdq.7 has no BEGIN/END example block"; return; }
	"$MAN/update-example" --print >"$T/example.escaped"
	cmp -s "$T/example.in-page" "$T/example.escaped" ||
		fail "libvcmdq.7's EXAMPLE is not examples/guest-queue.c: run userspace/libvcmdq/man/update-example"
	# And the escaping undone gives the program back.
	sed -e 's/^\\&//' -e 's/\\-/-/g' -e 's/\\e/\\/g' "$T/example.in-page" >"$T/example.c"
	cmp -s "$T/example.c" "$REPO/examples/guest-queue.c" ||
		fail "libvcmdq.7's EXAMPLE does not unescape to examples/guest-queue.c"
}

# In order: the rendering tests use what the install test installed.
tests="tools_installed map_has_symbols every_symbol_has_a_page
	every_page_names_an_exported_function link_pages_point_at_real_pages
	pages_document_their_names real_pages_have_the_sections
	render_check_sees_warnings
	install_puts_every_page installed_pages_render_without_warnings
	link_pages_render_as_their_target example_is_guest_queue_c"
# shellcheck disable=SC2086 # the names split on blanks
tap_plan $tests
# shellcheck disable=SC2086
tap_run $tests
