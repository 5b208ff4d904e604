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

ARCH ?= x86_64
BUILD := $(CURDIR)/build
KSRC := $(BUILD)/linux-source-6.12
# VARIANT=kasan builds and tests a second kernel with
# tools/testing/qemu/kasan.config on top (make check-kasan).
VARIANT ?=
FLAVOUR := $(ARCH)$(if $(VARIANT),-$(VARIANT))
KOBJ := $(BUILD)/kernel-$(FLAVOUR)
INITRAMFS := $(BUILD)/initramfs-$(FLAVOUR).cpio
# Kbuild (6.12) writes a module's objects next to its sources, so every
# flavour builds in its own copy of the module sources: x86_64, arm64 and
# the KASAN variant never overwrite each other's objects.
MODDIR := $(BUILD)/modules-$(FLAVOUR)
MODSRC := Kbuild rust c_shims include tools/testing/modules

RUSTC := /usr/bin/rustc
BINDGEN := /usr/local/bin/bindgen
export PATH := /usr/bin:/usr/local/bin:$(PATH)

KARCH_x86_64 := x86_64
KARCH_arm64 := arm64
KARCH := $(KARCH_$(ARCH))
ifeq ($(KARCH),)
$(error ARCH=$(ARCH) is not supported (x86_64, arm64))
endif

MODMAKE := $(MAKE) -C $(KOBJ) M=$(MODDIR) ARCH=$(KARCH) LLVM=1 \
	RUSTC=$(RUSTC) BINDGEN=$(BINDGEN)

# Extra arguments for the QEMU runner, e.g. RUN_ARGS='--append iommu.strict=0'
RUN_ARGS ?=
SUITE ?= demo
# Extra arguments for tools/testing/bench/bench.py (make bench, make run),
# e.g. BENCH_ARGS='--configs strict,rudma'; BENCH_ROUNDS and BENCH_RUNTIME
# in the environment override the rounds and fio seconds per point.
BENCH_ARGS ?=

.PHONY: all deps kernel modsrc modules initramfs host-test check check-x86_64 check-arm64 \
	check-kasan run bench suite \
	checkpatch rustfmt rustfmtcheck clippy clean distclean help

all: modules

help:
	@echo "make check      host tests, then for x86_64 and arm64: build, boot QEMU,"
	@echo "                run every kselftest suite (ARCH=arm64: one architecture)"
	@echo "make check-x86_64 | check-arm64   one architecture"
	@echo "make check-kasan  the same on a KASAN + kmemleak kernel (not in CI: time)"
	@echo "make run        build, then a short benchmark: one boot per configuration"
	@echo "make bench      build, then the full benchmark (QEMU; ~20 min on 2 cores):"
	@echo "                table, bench/results/<date>.json and .png, README updated"
	@echo "make suite SUITE=name [RUN_ARGS=...]   run one suite"
	@echo "make kernel | modules | initramfs | host-test | checkpatch | clippy | rustfmtcheck"
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

modules: kernel modsrc
	$(MODMAKE) modules

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
