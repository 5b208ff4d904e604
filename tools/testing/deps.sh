#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Install everything rudma needs to build a patched 6.12 kernel, its
# out-of-tree Rust modules and the QEMU test guest, from Debian's archive
# and crates.io.  Idempotent: when everything is present it only checks.
#
# Usage: tools/testing/deps.sh [--check]
#   --check  report what is missing, install nothing, exit 1 if anything is.

set -euo pipefail

# The kernel source is pinned: the patch series is for exactly this
# release (tools/testing/build-kernel.sh checks it), and Debian's security
# archive moves linux-source-6.12 to each new 6.12.y while keeping the
# older ones.  Moving the base is a change of its own (new patches, tests).
KSRC_DEB_VERSION=6.12.117-1~deb12u1

# The kernel and every module must be built by the same rustc: Debian's
# rustc-web (/usr/bin/rustc), whose rust-web-src provides the core library
# source the kernel build needs.  The rustup toolchain has no rust-src.
DEB_PKGS=(
	linux-source-6.12=$KSRC_DEB_VERSION
	rustc-web rust-web-src rust-web-clippy rustfmt-web
	clang lld llvm libclang-dev
	bc flex bison libelf-dev libssl-dev dwarves python3
	cpio kmod busybox-static fio file libc6-dev rsync
	qemu-system-x86 qemu-system-arm qemu-utils
	gnuplot-nox
	gcc-aarch64-linux-gnu libc6-dev-arm64-cross device-tree-compiler
)
# Foreign architectures whose Debian packages (busybox-static, fio and its
# libraries) tools/testing/qemu/guest-sysroot.sh downloads for the guest.
FOREIGN_ARCHES=(arm64)
BINDGEN_VERSION=0.73.0
BINDGEN_ROOT=${BINDGEN_ROOT:-/usr/local}

check_only=0
[ "${1:-}" = "--check" ] && check_only=1

# "name" or "name=version" (exactly that version).
missing=()
for p in "${DEB_PKGS[@]}"; do
	name=${p%%=*}
	st=$(dpkg-query -W -f='${Status} ${Version}' "$name" 2>/dev/null || true)
	case "$p" in
	*=*) [ "$st" = "install ok installed ${p#*=}" ] || missing+=("$p") ;;
	*) [ "${st% *}" = "install ok installed" ] || missing+=("$p") ;;
	esac
done

have_bindgen() {
	local b="$BINDGEN_ROOT/bin/bindgen"
	[ -x "$b" ] && "$b" --version 2>/dev/null | grep -qx "bindgen $BINDGEN_VERSION"
}

missing_arches=()
for a in "${FOREIGN_ARCHES[@]}"; do
	dpkg --print-foreign-architectures | grep -qx "$a" || missing_arches+=("$a")
done

if [ ${#missing[@]} -eq 0 ] && [ ${#missing_arches[@]} -eq 0 ] && have_bindgen; then
	exit 0
fi

if [ $check_only -eq 1 ]; then
	[ ${#missing[@]} -eq 0 ] || echo "deps: missing Debian packages: ${missing[*]}"
	[ ${#missing_arches[@]} -eq 0 ] || echo "deps: dpkg lacks foreign architectures: ${missing_arches[*]}"
	have_bindgen || echo "deps: missing bindgen $BINDGEN_VERSION in $BINDGEN_ROOT/bin"
	exit 1
fi

SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo

for a in "${missing_arches[@]}"; do
	echo "deps: dpkg --add-architecture $a (guest packages are downloaded, never installed)"
	$SUDO dpkg --add-architecture "$a"
done
if [ ${#missing[@]} -ne 0 ] || [ ${#missing_arches[@]} -ne 0 ]; then
	[ ${#missing[@]} -eq 0 ] || echo "deps: installing ${missing[*]}"
	$SUDO apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq \
		--no-install-recommends --allow-downgrades "${missing[@]}"
fi

if ! have_bindgen; then
	echo "deps: cargo install bindgen-cli $BINDGEN_VERSION"
	$SUDO env PATH="$PATH" cargo install --locked --root "$BINDGEN_ROOT" \
		bindgen-cli --version "$BINDGEN_VERSION"
fi
echo "deps: all present"
