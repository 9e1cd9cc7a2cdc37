# SPDX-License-Identifier: GPL-2.0
#
# vcmdq: the human entry point.  Kbuild (object lists) builds the module;
# this file builds it against KDIR, builds the userspace programs and runs
# everything inside a VM (tools/vm/run), because a freshly built module is
# never loaded into the machine's own kernel.
#
#   make            module + selftests + vcmdqctl + libvcmdq + examples
#   make check      install missing dependencies, build, run every test in the VMs (x86 and arm64)
#   make run        boot the VM, load the module: instances, a short bench, what it means
#   make bench      fast vs slow path latency and throughput, in the VM
#   make examples   examples/ built against a staged install of libvcmdq
#   make W=1        build the module with extra warnings (must stay clean)
#   make VCMDQ_TEST=y  build the module with its test hooks (make check does)
#   make debug-module  build the debug kernel once (cached) and the module for it
#   make suite-modules build the module for Debian's newer kernels (SUITE_KERNELS)
#   make iommufd-module build the 7.3 kernel with IOMMUFD once (cached) and the module for it
#   make arm64         cross-build the module and the selftests for Debian's arm64 kernel
#   make install       libvcmdq, vcmdqctl, vcmdq-bench, headers, man pages,
#                      examples of modprobe.d and udev (DESTDIR, PREFIX)
#   make dkms-install  the module's sources to /usr/src/vcmdq-VERSION, then
#                      dkms add, build and install (DKMS_ARGS; dkms-uninstall)

VCMDQ_VERSION := $(shell cat $(CURDIR)/VERSION)

# The kernel the test VM boots (tools/vm/kver picks the newest Debian
# amd64 image whose headers are installed).  On a real host build against
# the running kernel:  make KDIR=/lib/modules/$(uname -r)/build
VM_KVER := $(shell $(CURDIR)/tools/vm/kver 2>/dev/null)
KDIR ?= $(if $(VM_KVER),/usr/src/linux-headers-$(VM_KVER),/lib/modules/$(shell uname -r)/build)

CC ?= cc
USER_CFLAGS := -O2 -g -Wall -Wextra -Wno-unused-parameter -I$(CURDIR)/uapi

# kselftest_harness.h comes out of Debian's linux-source tarball, once, into
# this cache (tools/ksft-harness does the extraction).
KSFT_DIR ?= $(shell $(CURDIR)/tools/ksft-harness --print-dir)

# One kselftest program per area; tools/check runs each in the VM.
# selftests/Makefile says which and how they build (TEST_GEN_PROGS).
SELFTEST_PROGS := $(shell $(MAKE) -s --no-print-directory -C $(CURDIR)/selftests print-progs)
SELFTESTS := $(addprefix selftests/,$(SELFTEST_PROGS))
VCMDQCTL := userspace/vcmdqctl/vcmdqctl
VCMDQ_BENCH := userspace/vcmdq-bench/vcmdq-bench
# The VMM library (userspace/libvcmdq/Makefile: shared, static, .pc, install).
LIBVCMDQ_DIR := userspace/libvcmdq
LIBVCMDQ_A := $(LIBVCMDQ_DIR)/build/libvcmdq.a

.PHONY: install dkms-source dkms-install dkms-uninstall
.PHONY: all modules debug-module iommufd-module suite-modules print-suite-kernels arm64 arm64-module arm64-selftests userspace libvcmdq examples selftests hosttests fuzz-run lint check run bench clean deps help
all: modules userspace selftests hosttests examples

modules:
	@test -d "$(KDIR)" || { echo "vcmdq: no kernel headers at KDIR=$(KDIR); run tools/install-deps" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) VCMDQ_VERSION=$(VCMDQ_VERSION) modules

# build_module_copy DIR KDIR [MAKEARGS]: the module for another kernel.  An external
# module builds in its own directory, so it is built from a copy of the
# sources in DIR (cp -p keeps their times: make rebuilds only what changed).
define build_module_copy
mkdir -p $(1)/kernel $(1)/uapi/linux && \
cp -p Kbuild $(1)/ && \
cp -p kernel/Kbuild kernel/*.c kernel/*.h $(1)/kernel/ && \
cp -p uapi/linux/*.h $(1)/uapi/linux/ && \
$(MAKE) -C $(2) M=$(1) VCMDQ_VERSION=$(VCMDQ_VERSION) $(3) modules
endef

# The debug VM configuration of make check boots a debug kernel (KASAN,
# lockdep, kmemleak, fault injection) built once from linux-source-6.1 by
# tools/debug-kernel.
DEBUG_MODULE_DIR := $(CURDIR)/build/debug-module
debug-module:
	@kdir=$$($(CURDIR)/tools/debug-kernel) && \
	$(call build_module_copy,$(DEBUG_MODULE_DIR),$$kdir)

# The iommufd VM configuration: Linux 7.3 built from trixie-backports'
# linux-source-7.3 with IOMMUFD, VFIO device files and iommufd's mock
# driver (tools/debug-kernel --profile iommufd; no Debian kernel has them).
IOMMUFD_MODULE_DIR := $(CURDIR)/build/iommufd-module
iommufd-module:
	@kdir=$$($(CURDIR)/tools/debug-kernel --profile iommufd) && \
	$(call build_module_copy,$(IOMMUFD_MODULE_DIR),$$kdir)

# Debian's newer kernels, fetched and unpacked (never installed) by
# tools/debian-kernel: the module is built against each (W=1 -Werror in
# make check) and the selftests run on each in a VM configuration named
# after the suite (tools/check).
SUITE_KERNELS ?= bookworm-backports
SUITE_MODULE_DIR := $(CURDIR)/build/suite
print-suite-kernels:
	@echo $(SUITE_KERNELS)
suite-modules:
	@set -e; for suite in $(SUITE_KERNELS); do \
		root=$$($(CURDIR)/tools/debian-kernel $$suite); \
		kdir=$$root/usr/src/linux-headers-$$(cat $$root/kver); \
		echo "vcmdq: module for $$(cat $$root/kver) ($$suite)"; \
		$(call build_module_copy,$(SUITE_MODULE_DIR)/$$suite,$$kdir); \
	done

# arm64 (the "arm64" VM configuration of tools/check): Debian's arm64
# kernel of ARM64_SUITE, fetched and unpacked by tools/debian-kernel --arch
# arm64 (its headers link to the amd64 kbuild of the same version), the
# module cross-built against it, and every selftest cross-built static
# (the initramfs has no arm64 libc) against arm64 liburing-dev (unpacked
# from ARM64_PKG_SUITE) and libvcmdq built for arm64 in its own directory.
# 6.12 from bookworm-backports, not bookworm's 6.1 (6.1.176): arm64 has
# write-protect userfaultfd only from 6.10 on, which the lifetime and
# isolation tests use to stall a reply copy (on 6.1 they skip).  The
# module builds and passes the rest there too: make arm64 ARM64_SUITE=bookworm.
ARM64_SUITE ?= bookworm-backports
ARM64_PKG_SUITE ?= bookworm
ARM64_CROSS ?= aarch64-linux-gnu-
ARM64_DIR := $(CURDIR)/build/arm64
# The selftests of the project's userspace tools (vcmdqctl, vcmdq-bench,
# the example against a staged shared library) run in the x86 VMs only:
# those tools are not cross-built (vcmdqctl needs libpci, the example a
# dynamic loader the arm64 initramfs does not have).
ARM64_HOST_TOOL_TESTS := vcmdqctl_test vcmdq_bench_test vcmdq_examples_test
ARM64_SELFTEST_PROGS := $(filter-out $(ARM64_HOST_TOOL_TESTS),$(SELFTEST_PROGS))
ARM64_SYSROOT := build/arm64/sysroot
ARM64_LIBVCMDQ_A := build/arm64/libvcmdq/libvcmdq.a
arm64: arm64-module arm64-selftests build/arm64/litmus

# Which reorderings the arm64 VM's CPU shows (docs/testing.md).
build/arm64/litmus: tests/vm/litmus.c
	@mkdir -p $(@D)
	$(ARM64_CROSS)gcc -O2 -Wall -Wextra -Werror -static -pthread -o $@ $<

arm64-module:
	@root=$$($(CURDIR)/tools/debian-kernel --arch arm64 $(ARM64_SUITE)) && \
	echo "vcmdq: module for $$(cat $$root/kver) ($(ARM64_SUITE), arm64)" && \
	$(call build_module_copy,$(ARM64_DIR)/module,$$root/usr/src/linux-headers-$$(cat $$root/kver),ARCH=arm64 CROSS_COMPILE=$(ARM64_CROSS))

arm64-selftests: $(ARM64_LIBVCMDQ_A) $(ARM64_SYSROOT)/.done
	$(MAKE) -C selftests OUTPUT=$(ARM64_DIR)/selftests CC=$(ARM64_CROSS)gcc STATIC=1 \
		SYSROOT=$(CURDIR)/$(ARM64_SYSROOT) LIBVCMDQ_A=$(CURDIR)/$(ARM64_LIBVCMDQ_A) \
		KSFT_DIR=$(KSFT_DIR) TEST_GEN_PROGS="$(ARM64_SELFTEST_PROGS)" $(SELFTEST_CFLAGS)

# liburing's headers and static library, arm64 build.
$(ARM64_SYSROOT)/.done:
	@deb=$$($(CURDIR)/tools/debian-kernel --arch arm64 --fetch $(ARM64_PKG_SUITE) liburing-dev) && \
	rm -rf $(ARM64_SYSROOT) && mkdir -p $(ARM64_SYSROOT) && dpkg -x $$deb $(ARM64_SYSROOT) && \
	test -f $(ARM64_SYSROOT)/usr/lib/aarch64-linux-gnu/liburing.a && touch $@

$(ARM64_LIBVCMDQ_A): $(LIBVCMDQ_SRCS) $(ARM64_SYSROOT)/.done
	$(MAKE) -C $(LIBVCMDQ_DIR) B=$(ARM64_DIR)/libvcmdq CC=$(ARM64_CROSS)gcc AR=$(ARM64_CROSS)ar \
		CFLAGS="-O2 -g -Werror -I$(CURDIR)/$(ARM64_SYSROOT)/usr/include" $(ARM64_DIR)/libvcmdq/libvcmdq.a

userspace: libvcmdq $(VCMDQCTL) $(VCMDQ_BENCH)

# Its own Makefile knows its dependencies; -Werror as the module's W=1.
libvcmdq:
	$(MAKE) -C $(LIBVCMDQ_DIR) CFLAGS="-O2 -g -Werror"
# examples/ built as a VMM builds them: against a staged install of
# libvcmdq (DESTDIR; PREFIX=/usr), with nothing but pkg-config.  The VM
# gets EXAMPLES_VM, the programs with the staged libvcmdq.so.N beside them
# (tools/check: VCMDQ_CHECK_ADD), and selftests/vcmdq_examples_test runs
# them there.  tests/lib/test_install.sh checks the same recipe on the host.
EXAMPLES_STAGE := $(CURDIR)/build/examples/stage
EXAMPLES_VM := build/examples/vcmdq-examples
LIBVCMDQ_SONAME := libvcmdq.so.$(firstword $(subst ., ,$(VCMDQ_VERSION)))
examples: libvcmdq
	rm -rf $(EXAMPLES_STAGE)
	$(MAKE) -s -C $(LIBVCMDQ_DIR) install DESTDIR=$(EXAMPLES_STAGE) PREFIX=/usr
	PKG_CONFIG_SYSROOT_DIR=$(EXAMPLES_STAGE) PKG_CONFIG_PATH= \
	PKG_CONFIG_LIBDIR=$(EXAMPLES_STAGE)/usr/lib/pkgconfig \
		$(MAKE) -C examples O=$(CURDIR)/$(EXAMPLES_VM) CFLAGS="-O2 -g -Wall -Wextra -Werror"
	cp -L $(EXAMPLES_STAGE)/usr/lib/$(LIBVCMDQ_SONAME) $(EXAMPLES_VM)/

LIBVCMDQ_SRCS := $(wildcard $(LIBVCMDQ_DIR)/src/*.[ch] $(LIBVCMDQ_DIR)/include/vcmdq/*.h \
			     $(LIBVCMDQ_DIR)/Makefile $(LIBVCMDQ_DIR)/libvcmdq.map)

# The benchmark drives every path through libvcmdq, linked statically (the
# VM needs no extra .so), and checks its effect on the cache model when the
# module has the test hook, whose private header is kernel/vcmdq_test.h.
VCMDQ_BENCH_DIR := userspace/vcmdq-bench
VCMDQ_BENCH_SRCS := $(addprefix $(VCMDQ_BENCH_DIR)/,main.c table.c setup.c \
		      modes.c upstream.c stats.c output.c plot.c)
$(VCMDQ_BENCH): $(VCMDQ_BENCH_SRCS) $(VCMDQ_BENCH_DIR)/*.h uapi/linux/vcmdq.h \
		kernel/vcmdq_test.h $(LIBVCMDQ_SRCS) | libvcmdq
	$(CC) $(USER_CFLAGS) -I$(CURDIR)/kernel -I$(CURDIR)/$(LIBVCMDQ_DIR)/include \
		-o $@ $(VCMDQ_BENCH_SRCS) $(LIBVCMDQ_A) -luring -lpthread -lm

# vcmdqctl links libvcmdq statically (the VM needs no extra .so) and
# libpci for device names.
PCI_CFLAGS := $(shell pkg-config --cflags libpci 2>/dev/null)
PCI_LIBS := $(or $(shell pkg-config --libs libpci 2>/dev/null),-lpci)
$(VCMDQCTL): userspace/vcmdqctl/vcmdqctl.c uapi/linux/vcmdq.h $(LIBVCMDQ_SRCS) | libvcmdq
	$(CC) $(USER_CFLAGS) -Werror -I$(CURDIR)/$(LIBVCMDQ_DIR)/include $(PCI_CFLAGS) \
		-o $@ $< $(LIBVCMDQ_A) $(PCI_LIBS) -luring -lpthread

# selftests/Makefile builds them (make -C selftests does the same), with
# libvcmdq linked statically: the VM needs no extra .so.
# USER_WERROR=1 (make check): the selftests' warnings are errors, as the
# module's are with KCFLAGS=-Werror and libvcmdq's always.
SELFTEST_CFLAGS := $(if $(USER_WERROR),CFLAGS="-O2 -g -Werror")
selftests: libvcmdq
	$(MAKE) -C selftests KSFT_DIR=$(KSFT_DIR) CC=$(CC) $(SELFTEST_CFLAGS)

# Installation of the userspace parts (a package build uses DESTDIR): the
# library, its headers (<vcmdq/*.h>, <linux/vcmdq.h>), .pc and man pages
# by its own Makefile; vcmdqctl (an operator's tool: sbin, section 8),
# vcmdq-bench; examples of a modprobe.d file and a udev rule for /dev/vcmdq
# (dist/).  The module goes through DKMS (dkms-install), or is built and
# loaded by hand (make modules; README.md).
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
SBINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
DOCDIR ?= $(PREFIX)/share/doc/vcmdq
install: userspace
	$(MAKE) -C $(LIBVCMDQ_DIR) install DESTDIR=$(DESTDIR) PREFIX=$(PREFIX) MANDIR=$(MANDIR)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MANDIR)/man8 \
		$(DESTDIR)$(DOCDIR)/examples
	install -m 755 $(VCMDQCTL) $(DESTDIR)$(SBINDIR)/
	install -m 755 $(VCMDQ_BENCH) $(DESTDIR)$(BINDIR)/
	install -m 644 userspace/vcmdqctl/vcmdqctl.8 $(DESTDIR)$(MANDIR)/man8/
	install -m 644 dist/modprobe.d/vcmdq.conf $(DESTDIR)$(DOCDIR)/examples/modprobe-vcmdq.conf
	install -m 644 dist/udev/60-vcmdq.rules $(DESTDIR)$(DOCDIR)/examples/

# DKMS: the module's sources (Kbuild, kernel/, uapi/, VERSION, dkms.conf;
# no build product) in /usr/src/vcmdq-VERSION, where dkms looks for them,
# then dkms add, build and install for the running kernel (DKMS_ARGS
# passes more options, e.g. -k KVER).  DKMS builds the production module:
# plain `make -C KDIR M=DIR`, no VCMDQ_TEST.  With DESTDIR the sources go
# under it and dkms is told (--sourcetree): tests/vm/test_dkms.sh installs
# into a throwaway tree that way.
DKMS ?= dkms
DKMS_ARGS ?=
DKMS_SRC := /usr/src/vcmdq-$(VCMDQ_VERSION)
DKMS_SOURCETREE := $(if $(DESTDIR),--sourcetree $(DESTDIR)/usr/src)
DKMS_KERNEL_SRCS := kernel/Kbuild $(filter-out %.mod.c,$(wildcard kernel/*.c)) $(wildcard kernel/*.h)
dkms-source:
	@test "$$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$$/\1/p' dkms.conf)" = "$(VCMDQ_VERSION)" || \
		{ echo "vcmdq: dkms.conf's PACKAGE_VERSION is not VERSION ($(VCMDQ_VERSION))" >&2; exit 1; }
	rm -rf $(DESTDIR)$(DKMS_SRC)
	install -d $(DESTDIR)$(DKMS_SRC)/kernel $(DESTDIR)$(DKMS_SRC)/uapi/linux
	install -m 644 Kbuild VERSION dkms.conf $(DESTDIR)$(DKMS_SRC)/
	install -m 644 $(DKMS_KERNEL_SRCS) $(DESTDIR)$(DKMS_SRC)/kernel/
	install -m 644 uapi/linux/*.h $(DESTDIR)$(DKMS_SRC)/uapi/linux/
dkms-install: dkms-source
	$(DKMS) add $(DKMS_SOURCETREE) $(DKMS_ARGS) vcmdq/$(VCMDQ_VERSION)
	$(DKMS) build $(DKMS_SOURCETREE) $(DKMS_ARGS) vcmdq/$(VCMDQ_VERSION)
	$(DKMS) install $(DKMS_SOURCETREE) $(DKMS_ARGS) vcmdq/$(VCMDQ_VERSION)
# Every kernel's build, unless DKMS_ARGS names one (-k: dkms refuses both).
dkms-uninstall:
	-$(DKMS) remove $(DKMS_SOURCETREE) $(DKMS_ARGS) vcmdq/$(VCMDQ_VERSION) \
		$(if $(filter -k,$(DKMS_ARGS)),,--all)
	rm -rf $(DESTDIR)$(DKMS_SRC)

# The pure C parts (command decoders) built for this machine, with
# sanitizers, the VM runner's own tests, libvcmdq's man pages and its
# staged install with the example built against it (links, so the scripts
# are run from the source tree): tools/check runs build/host-tests/*.
hosttests:
	$(MAKE) -C tests unit
	@mkdir -p build/host-tests
	ln -sfn ../../tests/vm/test_accel.sh build/host-tests/test_accel.sh
	ln -sfn ../../tests/lib/test_man.sh build/host-tests/test_man.sh
	ln -sfn ../../tests/lib/test_install.sh build/host-tests/test_install.sh
	ln -sfn ../../tests/vm/test_debian_kernel.sh build/host-tests/test_debian_kernel.sh
	ln -sfn ../../tests/vm/test_dkms.sh build/host-tests/test_dkms.sh

# Each libFuzzer target for FUZZ_SECONDS (make check: 10 s each).
fuzz-run:
	$(MAKE) -C tests fuzz-run

# Static checks make check runs first: every kernel-doc comment of the ABI
# and the module parses (a broken one would break the generated docs), and
# the uapi header stands alone in userspace C, as installed headers must.
KERNEL_DOC ?= $(firstword $(wildcard $(KDIR)/scripts/kernel-doc /usr/lib/linux-kbuild-*/scripts/kernel-doc))
lint:
	@test -n "$(KERNEL_DOC)" || { echo "lint: no scripts/kernel-doc (tools/install-deps)" >&2; exit 1; }
	$(KERNEL_DOC) -none -Werror uapi/linux/vcmdq.h kernel/*.c kernel/*.h
	echo '#include <linux/vcmdq.h>' | $(CC) -Wall -Wextra -Werror -Iuapi -x c -fsyntax-only -
	@test "$$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$$/\1/p' dkms.conf)" = "$(VCMDQ_VERSION)" || \
		{ echo "lint: dkms.conf's PACKAGE_VERSION is not VERSION ($(VCMDQ_VERSION))" >&2; exit 1; }

deps:
	$(CURDIR)/tools/install-deps

# check and run first make sure the machine has what they need, so the two
# README commands are all a fresh Debian machine needs.
# The selftests need the module's test hooks (the VCMDQ_TEST ioctl); the
# module must build without a warning at W=1.
check:
	@$(CURDIR)/tools/install-deps --check >/dev/null 2>&1 || $(CURDIR)/tools/install-deps
	@$(MAKE) --no-print-directory lint
	@$(MAKE) --no-print-directory all VCMDQ_TEST=y W=1 KCFLAGS=-Werror USER_WERROR=1
	@$(MAKE) --no-print-directory debug-module VCMDQ_TEST=y W=1 KCFLAGS=-Werror
	@$(MAKE) --no-print-directory suite-modules VCMDQ_TEST=y W=1 KCFLAGS=-Werror
	@$(MAKE) --no-print-directory iommufd-module VCMDQ_TEST=y W=1 KCFLAGS=-Werror
	@$(MAKE) --no-print-directory arm64 VCMDQ_TEST=y W=1 KCFLAGS=-Werror USER_WERROR=1
	@$(MAKE) --no-print-directory fuzz-run
	VCMDQ_CHECK_TESTS="$(SELFTESTS)" VCMDQ_CHECK_ADD=$(EXAMPLES_VM) \
	VCMDQ_SUITE_KERNELS="$(SUITE_KERNELS)" \
	VCMDQ_IOMMUFD_MODULE=$(IOMMUFD_MODULE_DIR)/kernel/vcmdq.ko \
	VCMDQ_DEBUG_MODULE=$(DEBUG_MODULE_DIR)/kernel/vcmdq.ko $(CURDIR)/tools/check

# What vcmdq is for, in one screen and one VM boot: the instance table,
# then a few seconds of the bench (fast path vs one ioctl per command vs
# the batched slow path: p50, ops/s, ratios) and what the numbers mean.
# The TSC clocksource as for make bench.
run:
	@$(CURDIR)/tools/install-deps --check >/dev/null 2>&1 || $(CURDIR)/tools/install-deps
	@$(MAKE) --no-print-directory all
	$(CURDIR)/tools/vm/run --append "clocksource=tsc tsc=reliable" \
		--add $(VCMDQCTL) --add $(VCMDQ_BENCH) -- \
		sh -c 'vcmdqctl instances && echo && vcmdq-bench --demo'

# Fast path vs slow paths vs the shared-memory floor, side by side in one
# VM run.  The TSC clocksource: with the default hpet every clock read is
# an emulated device access that dominates the figures.
BENCH_ARGS ?= --mode all --batch 1,16 --seconds 2
bench:
	@$(CURDIR)/tools/install-deps --check >/dev/null 2>&1 || $(CURDIR)/tools/install-deps
	@$(MAKE) --no-print-directory all
	$(CURDIR)/tools/vm/run --append "clocksource=tsc tsc=reliable" \
		--add $(VCMDQ_BENCH) -- vcmdq-bench $(BENCH_ARGS)

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean 2>/dev/null
	$(MAKE) -C selftests clean
	rm -f $(VCMDQCTL) $(VCMDQ_BENCH)
	$(MAKE) -C $(LIBVCMDQ_DIR) clean
	$(MAKE) -C examples clean
	rm -rf build

help:
	@sed -n '3,/^$$/p' Makefile | sed '$$d'
