# SPDX-License-Identifier: GPL-2.0
#
# rudma: build a patched Linux 6.12.117, rudma's out-of-tree modules and a
# QEMU test guest; run the kselftests (make check), the benchmark (make
# bench) or a short version of it (make run).
#
# The kernel and every module MUST be built by the same rustc: Debian's
# rustc-web at /usr/bin/rustc (1.96).  Rust modules link against the
# kernel crate's metadata, which only the rustc that built it can read;
# the rustup toolchain in ~/.cargo/bin has no rust-src and must never be
# picked up.  Hence RUSTC below and /usr/bin first in PATH.

# Building against a kernel tree of one's own (a host's patched kernel):
#   make KDIR=/path/to/built/kernel [RUSTC=...] [BINDGEN=...]
#   make install KDIR=... [DESTDIR=...] [RUDMA_INSTALL_TESTS=1]
# KDIR is a completely built tree (Module.symvers, the Rust metadata) of a
# 6.12 kernel with rudma's series applied; tools/kdir-check.sh refuses
# anything else before a file is compiled.  Its architecture, compiler
# (LLVM=1 or not) and release come from the tree.  Without KDIR, the
# project's own test kernel (build/kernel-ARCH, built here) is used.
KDIR_GIVEN := $(filter command line environment,$(origin KDIR))

ifneq ($(KDIR_GIVEN),)
KDIR := $(abspath $(KDIR))
ifeq ($(wildcard $(KDIR)/.config),)
$(error KDIR=$(KDIR) is not a configured kernel tree (no .config))
endif
KCONFIG_OF_KDIR = $(shell sed -n 's/^$(1)=//p' $(KDIR)/.config 2>/dev/null)
ARCH := $(if $(call KCONFIG_OF_KDIR,CONFIG_ARM64),arm64,$(if $(call KCONFIG_OF_KDIR,CONFIG_X86_64),x86_64,unknown))
endif

ARCH ?= x86_64
BUILD := $(CURDIR)/build
KSRC := $(BUILD)/linux-source-6.12
# VARIANT=kasan builds and tests a second kernel with
# tools/testing/qemu/kasan.config on top (make check-kasan).
VARIANT ?=
FLAVOUR := $(ARCH)$(if $(VARIANT),-$(VARIANT))
KOBJ := $(BUILD)/kernel-$(FLAVOUR)
INITRAMFS := $(BUILD)/initramfs-$(FLAVOUR).cpio
MODSRC := Kbuild rust c_shims include tools/testing/modules

RUSTC ?= /usr/bin/rustc
BINDGEN ?= /usr/local/bin/bindgen
export PATH := /usr/bin:/usr/local/bin:$(PATH)

KARCH_x86_64 := x86_64
KARCH_arm64 := arm64
KARCH := $(KARCH_$(ARCH))
ifeq ($(KARCH),)
$(error ARCH=$(ARCH) is not supported (x86_64, arm64)$(if $(KDIR_GIVEN), -- from $(KDIR)/.config))
endif

# Every module's MODULE_VERSION (modinfo -F version): git describe of this
# tree, or the VERSION file of a tree without git (a DKMS copy).  With
# safe.directory, `sudo make install` in a user's clone describes it as
# the user's `make` did, so nothing rebuilds as root.
RUDMA_VERSION := $(shell git -C $(CURDIR) -c safe.directory=$(CURDIR) describe --tags --dirty --always 2>/dev/null || \
		   cat $(CURDIR)/VERSION)

# Kbuild (6.12) writes a module's objects next to its sources, so every
# flavour builds in its own copy of the module sources: x86_64, arm64, the
# KASAN variant and each user tree never overwrite each other's objects.
# The test modules (rudma_edu, rudma_test_*) are built for the project's
# own kernel, and for a user's tree only with RUDMA_INSTALL_TESTS=1.
ifneq ($(KDIR_GIVEN),)
RUDMA_TESTS := $(if $(filter 1 y yes,$(RUDMA_INSTALL_TESTS)),y,n)
MODDIR ?= $(BUILD)/modules-kdir-$(shell echo $(KDIR) | sha1sum | cut -c1-12)$(if $(filter y,$(RUDMA_TESTS)),-tests)
KLLVM := $(if $(call KCONFIG_OF_KDIR,CONFIG_CC_IS_CLANG),LLVM=1)
else
KDIR := $(KOBJ)
RUDMA_TESTS := y
MODDIR ?= $(BUILD)/modules-$(FLAVOUR)
KLLVM := LLVM=1
endif

MODMAKE := $(MAKE) -C $(KDIR) M=$(MODDIR) ARCH=$(KARCH) $(KLLVM) \
	RUSTC=$(RUSTC) BINDGEN=$(BINDGEN) RUDMA_TESTS=$(RUDMA_TESTS) \
	RUDMA_VERSION='$(RUDMA_VERSION)'

# Extra arguments for the QEMU runner, e.g. RUN_ARGS='--append iommu.strict=0'
RUN_ARGS ?=
SUITE ?= demo
# Extra arguments for tools/testing/bench/bench.py (make bench, make run),
# e.g. BENCH_ARGS='--configs strict,rudma'; BENCH_ROUNDS and BENCH_RUNTIME
# in the environment override the rounds and fio seconds per point.
BENCH_ARGS ?=

.PHONY: all deps kernel modsrc modules modules-kdir-check install uninstall \
	patches-check apply-patches \
	initramfs host-test check check-x86_64 check-arm64 \
	check-kasan run bench suite \
	checkpatch rustfmt rustfmtcheck clippy clean distclean help

all: modules

help:
	@echo "make check      host tests, then for x86_64 and arm64: build, boot QEMU,"
	@echo "                run every kselftest suite (ARCH=arm64: one architecture)"
	@echo "make check-x86_64 | check-arm64   one architecture"
	@echo "make check-kasan  the same on a KASAN + kmemleak kernel (not in CI: time)"
	@echo "make run        build, then a short benchmark: one boot per configuration"
	@echo "make bench      build, then the full benchmark (QEMU; 5 rounds, ~90 min on"
	@echo "                2 cores): bench/results/<date>.txt/.json/.png, README updated"
	@echo "make suite SUITE=name [RUN_ARGS=...]   run one suite"
	@echo "make kernel | modules | initramfs | host-test | checkpatch | clippy | rustfmtcheck"
	@echo "make KDIR=/built/kernel/tree [modules]   build against a user's patched kernel"
	@echo "make install [KDIR=...] [DESTDIR=...] [RUDMA_INSTALL_TESTS=1] | uninstall"
	@echo "make patches-check KSRC=/linux | apply-patches KSRC=/linux   the series on a user tree"
	@echo "make clean (modules) | distclean (everything under build/)"

deps:
	@tools/testing/deps.sh

kernel: deps
	@tools/testing/build-kernel.sh $(ARCH) $(BUILD) $(VARIANT)

# The copy keeps mtimes (rsync -a), so only what changed is rebuilt.
modsrc:
	@mkdir -p $(MODDIR)
	@rsync -a --delete --exclude='*.o' --exclude='*.ko' --exclude='*.mod' \
		--exclude='*.mod.c' --exclude='.*.cmd' --exclude='.*.d' --exclude='*.rmeta' \
		--relative $(MODSRC) $(MODDIR)/

# The project's own kernel is built first; a user's tree is checked.
ifneq ($(KDIR_GIVEN),)
modules-kdir-check:
	@tools/kdir-check.sh $(KDIR) $(RUSTC)
modules: modules-kdir-check modsrc
else
modules: kernel modsrc
endif
	$(MODMAKE) modules

# modules_install of what `make modules` built, into
# $(DESTDIR)/lib/modules/<release>/updates/rudma, then depmod (the kernel's
# scripts/depmod.sh: it needs the tree's System.map and the host's depmod).
# Signed when the tree has CONFIG_MODULE_SIG_ALL, as the kernel's own.
install: modules
	$(MODMAKE) INSTALL_MOD_PATH=$(DESTDIR) INSTALL_MOD_DIR=updates/rudma modules_install

# Removes what install put there; depmod again.
uninstall:
	@krel=$$(cat $(KDIR)/include/config/kernel.release) && \
	rm -rf "$(DESTDIR)/lib/modules/$$krel/updates/rudma" && \
	echo "uninstall: removed $(DESTDIR)/lib/modules/$$krel/updates/rudma" && \
	if command -v depmod >/dev/null || [ -x /sbin/depmod ]; then \
		PATH=$$PATH:/sbin depmod $(if $(DESTDIR),-b $(DESTDIR)) $$krel; fi

initramfs: modules
	@tools/testing/qemu/mkinitramfs.sh $(ARCH) $(KSRC) $(INITRAMFS) $(MODDIR)

host-test:
	cd tools/testing/host && cargo test

# make check: every architecture, unless ARCH is given (make check ARCH=arm64).
CHECK_ARCHES := $(if $(filter command line environment,$(origin ARCH)),$(ARCH),x86_64 arm64)

check: deps
	@ARCHES="$(CHECK_ARCHES)" VARIANT=$(VARIANT) tools/testing/check.sh

check-x86_64 check-arm64: deps
	@ARCHES=$(@:check-%=%) VARIANT=$(VARIANT) tools/testing/check.sh

# The KASAN variant: x86_64 unless ARCH is given.
check-kasan: deps
	@ARCHES=$(ARCH) VARIANT=kasan tools/testing/check.sh

# Benchmarks run on the default kernel only (not VARIANT=kasan).
run: initramfs
	@[ -z "$(VARIANT)" ] || { echo "make run: benchmarks use the default kernel, not VARIANT=$(VARIANT)"; exit 1; }
	tools/testing/bench/bench.py --arch $(ARCH) --short $(BENCH_ARGS)

bench: initramfs
	@[ -z "$(VARIANT)" ] || { echo "make bench: benchmarks use the default kernel, not VARIANT=$(VARIANT)"; exit 1; }
	tools/testing/bench/bench.py --arch $(ARCH) --update-readme $(BENCH_ARGS)

suite: initramfs
	tools/testing/qemu/run --arch $(ARCH) --variant "$(VARIANT)" --suite $(SUITE) $(RUN_ARGS)

# The series on a user's source tree (tools/patches/series.sh).
patches-check:
	@tools/patches/series.sh check $(KSRC)

apply-patches:
	@tools/patches/series.sh apply $(KSRC)

checkpatch: kernel
	@tools/testing/checkpatch.sh $(KSRC)

rustfmt:
	rustfmt --config-path $(KSRC)/.rustfmt.toml --edition 2021 \
		$(shell find rust tools/testing/host/src -name '*.rs' ! -name '*_generated.rs')

rustfmtcheck:
	rustfmt --check --config-path $(KSRC)/.rustfmt.toml --edition 2021 \
		$(shell find rust tools/testing/host/src -name '*.rs' ! -name '*_generated.rs')

clippy: kernel modsrc
	$(MODMAKE) CLIPPY=1 modules

clean:
	rm -rf $(BUILD)/modules-*

distclean: clean
	rm -rf $(BUILD)
