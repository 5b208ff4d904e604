#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make check: host unit tests and style checks, then for each architecture
# a kernel + modules + initramfs build and every suite of
# tools/testing/selftests/rudma/check-suites (plus check-suites.ARCH, if
# present) booted in QEMU.  Prints a summary and, last, one line
# "N passed, N failed".
#
# Environment: ARCHES (default "x86_64 arm64"), VARIANT (e.g. kasan),
# RUN_ARGS (extra runner arguments, e.g. "--accel auto"), CHECK_SUITES (a
# list file to use instead of check-suites and its per-arch extras).

set -uo pipefail

TOP=$(cd "$(dirname "$0")/../.." && pwd)
ARCHES=${ARCHES:-x86_64 arm64}
VARIANT=${VARIANT:-}
LISTS=$TOP/tools/testing/selftests/rudma
cd "$TOP"

pass=0
fail=0
summary=()
note() { summary+=("$(printf '%-28s %s' "$1" "$2")"); }

# --- host unit tests ----------------------------------------------------------
CARGO=$(command -v cargo || echo "$HOME/.cargo/bin/cargo")
start=$SECONDS
out=$(cd tools/testing/host && "$CARGO" test 2>&1)
rc=$?
echo "$out" | grep -E '^test |test result' || echo "$out" | tail -20
hp=$(echo "$out" | sed -n 's/^test result: .*\. \([0-9]*\) passed; \([0-9]*\) failed.*/\1/p' | paste -sd+ | bc)
hf=$(echo "$out" | sed -n 's/^test result: .*\. \([0-9]*\) passed; \([0-9]*\) failed.*/\2/p' | paste -sd+ | bc)
hp=${hp:-0}; hf=${hf:-0}
if [ $rc -ne 0 ] && [ "$hf" -eq 0 ]; then hf=1; fi
pass=$((pass + hp)); fail=$((fail + hf))
note "host cargo test" "$hp passed, $hf failed ($((SECONDS - start))s)"

# --- bench.py's statistics, verdicts and parsing (no QEMU) --------------------
start=$SECONDS
if out=$(python3 -m unittest tools/testing/bench/test_bench.py 2>&1); then
	bp=$(echo "$out" | sed -n 's/^Ran \([0-9]*\) tests\{0,1\} .*/\1/p')
	pass=$((pass + ${bp:-1})); note "bench.py unit tests" "${bp:-?} passed ($((SECONDS - start))s)"
else
	echo "$out" | tail -20
	fail=$((fail + 1)); note "bench.py unit tests" "FAILED"
fi

# --- consumer header without the series ----------------------------------------
if out=$(tools/testing/header-check.sh 2>&1); then
	pass=$((pass + 1)); note "include/ without the series" "ok"
else
	echo "$out"
	fail=$((fail + 1)); note "include/ without the series" "FAILED"
fi

# --- packaging: dkms.conf's version is the VERSION file's ----------------------
dkv=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' dkms.conf)
if [ -n "$dkv" ] && [ "$dkv" = "$(cat VERSION)" ]; then
	pass=$((pass + 1)); note "dkms.conf version = VERSION" "ok ($dkv)"
else
	fail=$((fail + 1)); note "dkms.conf version = VERSION" "FAILED ('$dkv' vs '$(cat VERSION)')"
fi

# --- suites in QEMU: one line each, "suite expect [arguments]" ----------------
# Progress: "[k/N] suite (arch), elapsed, ETA", the ETA from the suites'
# times in the previous run (build/logs/check-times-FLAVOUR), "?" for a
# suite it did not have.
suite_tag() {
	case " $2 " in *" --noncoherent "*) echo "$1-noncoherent" ;; *) echo "$1" ;; esac
}
eta_of() {
	local times=$1 total=0 unknown=0 t
	shift
	for t in "$@"; do
		t=$(awk -v s="$t" '$1 == s { print $2 }' "$times" 2>/dev/null)
		if [ -n "$t" ]; then total=$((total + t)); else unknown=1; fi
	done
	if [ $unknown -eq 0 ]; then
		echo "$((total / 60))m$((total % 60))s"
	elif [ $total -eq 0 ]; then
		echo "? (no times from a previous run)"
	else
		echo "$((total / 60))m$((total % 60))s + suites not timed before"
	fi
}

run_suites() {
	local lines tags k=0 n times=$TOP/build/logs/check-times-$FLAVOUR newtimes
	lines=$(grep -Ev '^[[:space:]]*(#|$)' || true)
	n=$(echo "$lines" | grep -c . || true)
	newtimes=$(mktemp)
	mapfile -t tags < <(echo "$lines" | while read -r s _ a; do suite_tag "$s" "$a"; done)
	while read -r suite expect args; do
		[ -n "$suite" ] || continue
		# A non-coherent run of a suite also run coherent gets its own logs.
		tag=$(suite_tag "$suite" "$args")
		logdir=$TOP/build/logs/check-$tag-$FLAVOUR
		rm -rf "$logdir"
		echo "=== [$((k + 1))/$n] suite $suite ($ARCH, $expect${args:+, $args})," \
			"elapsed $((SECONDS / 60))m$((SECONDS % 60))s, ETA ${FLAVOUR}: $(eta_of "$times" "${tags[@]:$k}")"
		k=$((k + 1))
		# make install from a clean clone, staged for the suite to load.
		extra=()
		if [ "$suite" = install ]; then
			t0=$SECONDS
			if [ -n "$stage_pid" ]; then
				wait "$stage_pid"
				rc=$?
				cat "$TOP/build/logs/install-check-$FLAVOUR.log"
				how="background, waited $((SECONDS - t0))s"
			else
				tools/testing/install-check.sh "$FLAVOUR" "$TOP/build/install-$FLAVOUR.cpio"
				rc=$?
				how="$((SECONDS - t0))s"
			fi
			if [ $rc -ne 0 ]; then
				fail=$((fail + 1)); note "$ARCH: make install (clean clone)" "FAILED"
				continue
			fi
			pass=$((pass + 1)); note "$ARCH: make install (clean clone)" "ok ($how)"
			extra=(--extra-cpio "$TOP/build/install-$FLAVOUR.cpio")
		fi
		# Words starting with "--" are runner options (e.g. --mem=256), the
		# rest kernel arguments.
		kargs="" ropts=()
		for w in $args; do
			case "$w" in --*) ropts+=("$w") ;; *) kargs="${kargs:+$kargs }$w" ;; esac
		done
		# A KASAN kernel under TCG runs the suites about four times slower.
		if [ "$VARIANT" = kasan ]; then
			kargs="${kargs:+$kargs }rudma.test_timeout=2400"
			slow=(--timeout 3600)
		else
			slow=()
		fi
		t0=$SECONDS
		# shellcheck disable=SC2086
		tools/testing/qemu/run --arch "$ARCH" --variant "$VARIANT" --suite "$suite" --logdir "$logdir" \
			${kargs:+--append "$kargs"} "${ropts[@]}" "${extra[@]}" "${slow[@]}" ${RUN_ARGS:-}
		rc=$?
		wall="$((SECONDS - t0))s"
		echo "$tag $((SECONDS - t0))" >> "$newtimes"
		res=$logdir/result.json
		if [ ! -f "$res" ]; then
			fail=$((fail + 1)); note "$ARCH: $tag" "runner error (exit $rc)"; continue
		fi
		# Last, the rest of the line: boots the test bed lost before any
		# rudma code ran and tried again (tools/testing/qemu/run,
		# testbed_failure), said in the summary, not hidden.
		read -r p f problems cpu retries < <(python3 -c 'import json, sys
r = json.load(open(sys.argv[1]))
print(r["passed"], r["failed"], len(r["log_problems"]), round(r.get("cpu_seconds", 0)),
      "; ".join(r.get("boot_retries", [])))' "$res")
		wall="$wall, QEMU CPU ${cpu}s"
		case "$expect" in
		pass)
			pass=$((pass + p)); fail=$((fail + f))
			[ "$problems" -eq 0 ] || fail=$((fail + 1))
			note "$ARCH: $tag" "$p passed, $f failed, $problems log problems ($wall)"
			[ -z "$retries" ] || summary+=("    boot retried: $retries")
			# Why, in the summary (the part of a long log a reader sees):
			# the first failures and problems, and the console's last lines
			# when the guest did not finish.
			if [ "$f" -gt 0 ] || [ "$problems" -gt 0 ]; then
				while IFS= read -r why; do
					summary+=("    $why")
				done < <(python3 -c 'import json, sys, pathlib
r = json.load(open(sys.argv[1]))
for x in (r["failures"][:3] + r["log_problems"][:3]):
    print(x[:160])
if any("did not finish" in x or "timeout" in x for x in r["log_problems"]):
    c = pathlib.Path(r["logdir"], "console.log").read_text(errors="replace").splitlines()
    for x in c[-8:]:
        print("console: " + x[:150])' "$res")
			fi
			;;
		fail-tap)
			# Exactly the deliberate failure, and the runner said FAIL.
			if [ $rc -ne 0 ] && [ "$f" -gt 0 ] && [ "$problems" -eq 0 ]; then
				pass=$((pass + 1)); note "$ARCH: runner catches failing test" "ok ($wall)"
			else
				fail=$((fail + 1)); note "$ARCH: runner catches failing test" "NOT CAUGHT (rc=$rc)"
			fi
			;;
		fail-log)
			if [ $rc -ne 0 ] && [ "$f" -eq 0 ] && [ "$problems" -gt 0 ]; then
				pass=$((pass + 1)); note "$ARCH: runner catches $suite" "ok ($wall)"
			else
				fail=$((fail + 1)); note "$ARCH: runner catches $suite" "NOT CAUGHT (rc=$rc)"
			fi
			;;
		*)
			fail=$((fail + 1)); note "$ARCH: $tag" "unknown expectation '$expect'"
			;;
		esac
	done <<< "$lines"
	mkdir -p "$(dirname "$times")"
	mv "$newtimes" "$times"
}

# --- per architecture: build, then the suites ------------------------------
# While one architecture's suites run, the next one's kernel, modules and
# initramfs build in the background at the lowest CPU priority: the guests
# leave about half of the two CPUs idle (RCU grace periods, timers, fio
# waits), which the build takes, and the suites keep the CPUs whenever they
# want them.  The foreground build of the next architecture then finds
# everything up to date; if the background one failed, it fails again in
# the foreground and says why.
prebuild_pid=""
prebuild_arch=""
prebuild_done=""
prebuild() {
	[ -n "$1" ] || return 0
	mkdir -p "$TOP/build/logs"
	prebuild_done=$TOP/build/logs/prebuild-$1${VARIANT:+-$VARIANT}.done
	rm -f "$prebuild_done"
	{ nice -n 19 make -s ARCH="$1" VARIANT="$VARIANT" initramfs; touch "$prebuild_done"; } \
		> "$TOP/build/logs/prebuild-$1${VARIANT:+-$VARIANT}.log" 2>&1 &
	prebuild_pid=$! prebuild_arch=$1
}

# The install check's build of a clean clone (tools/testing/install-check.sh)
# runs in the background too, after the prebuild, at the same priority;
# the suite "install" waits for it.
stage_pid=""
stage_install() {
	local after=$prebuild_done
	# A one-architecture run of a fresh clone has no prebuild to make it.
	mkdir -p "$TOP/build/logs"
	{
		while [ -n "$after" ] && [ ! -e "$after" ]; do sleep 5; done
		nice -n 19 tools/testing/install-check.sh "$FLAVOUR" "$TOP/build/install-$FLAVOUR.cpio"
	} > "$TOP/build/logs/install-check-$FLAVOUR.log" 2>&1 &
	stage_pid=$!
}

check_arch() {
	local next=$1 start=$SECONDS suites
	FLAVOUR=$ARCH${VARIANT:+-$VARIANT}
	if [ "$prebuild_arch" = "$ARCH" ]; then
		wait "$prebuild_pid"
		echo "=== $FLAVOUR built in the background (exit $?, build/logs/prebuild-$FLAVOUR.log)"
		prebuild_arch=""
	fi
	if ! make -s ARCH="$ARCH" VARIANT="$VARIANT" initramfs; then
		fail=$((fail + 1))
		note "build ($FLAVOUR)" "FAILED"
		return
	fi
	note "build ($FLAVOUR)" "ok ($((SECONDS - start))s)"
	prebuild_done=""
	prebuild "$next"
	if [ -n "${CHECK_SUITES:-}" ]; then
		suites=$(cat "$CHECK_SUITES")
	else
		suites=$(cat "$LISTS/check-suites" "$LISTS/check-suites.$ARCH" 2>/dev/null)
	fi
	stage_pid=""
	grep -q '^install[[:space:]]' <<< "$suites" && stage_install
	run_suites <<< "$suites"
	note "= $FLAVOUR" "$((SECONDS - start))s"
}

read -r -a arch_list <<< "$ARCHES"
for i in "${!arch_list[@]}"; do
	ARCH=${arch_list[$i]}
	check_arch "${arch_list[$((i + 1))]:-}"
done


# Style checks use the kernel tree (scripts/checkpatch.pl, .rustfmt.toml)
# the builds unpacked.
# --- style: checkpatch --strict on the series, shims and test modules ---------
if out=$(tools/testing/checkpatch.sh "$TOP/build/linux-source-6.12"); then
	pass=$((pass + 1)); note "checkpatch --strict" "$(echo "$out" | tail -1 | sed 's/^checkpatch: //')"
else
	echo "$out" | grep -v '^ok '
	fail=$((fail + 1)); note "checkpatch --strict" "FAILED"
fi

# --- Rust style: rustfmt (kernel config) and host clippy ------------------------
if make -s rustfmtcheck >/dev/null 2>&1; then
	pass=$((pass + 1)); note "rustfmt (kernel .rustfmt.toml)" "clean"
else
	make -s rustfmtcheck 2>&1 | head -20
	fail=$((fail + 1)); note "rustfmt (kernel .rustfmt.toml)" "FAILED"
fi
if out=$(cd tools/testing/host && "$CARGO" clippy --all-targets -- -D warnings 2>&1); then
	pass=$((pass + 1)); note "clippy (host logic)" "clean"
else
	echo "$out" | tail -20
	fail=$((fail + 1)); note "clippy (host logic)" "FAILED"
fi

echo
echo "=== make check summary (${ARCHES// /, }${VARIANT:+, $VARIANT}, $((SECONDS / 60))m$((SECONDS % 60))s)"
printf '%s\n' "${summary[@]}"
# The failures once more, right above the last line: a CI log is often
# read from its end, and a long summary pushes them out of its last lines.
if [ "$fail" -gt 0 ]; then
	echo "=== failed (from the summary above)"
	infail=0
	for line in "${summary[@]}"; do
		case "$line" in
		"    "*) [ "$infail" -eq 0 ] || echo "$line"; continue ;;
		esac
		if echo "$line" | grep -qE 'FAILED|NOT CAUGHT|runner error|unknown expectation|(^|[^0-9])[1-9][0-9]* (failed|log problems)'; then
			infail=1; echo "$line"
		else
			infail=0
		fi
	done
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
