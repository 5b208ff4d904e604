#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# scripts/checkpatch.pl --strict on every patch of the series and every C
# file and header of ours (shims, test modules, consumer headers).
# Prints one line per file and "checkpatch: N passed, N failed".
#
#   checkpatch.sh KSRC

set -uo pipefail
KSRC=$(cd "${1:?usage: checkpatch.sh KSRC}" && pwd)
TOP=$(cd "$(dirname "$0")/../.." && pwd)
CP=$KSRC/scripts/checkpatch.pl
[ -x "$CP" ] || { echo "checkpatch: $CP not found (make kernel)" >&2; exit 2; }

pass=0
fail=0
run() {
	local what=$1; shift
	# Run outside our git tree: checkpatch treats a patch file tracked by
	# the git repository around the working directory as a source file.
	if out=$(cd "$KSRC" && "$CP" --strict --quiet "$@" 2>&1); then
		pass=$((pass + 1)); echo "ok   $what"
	else
		fail=$((fail + 1)); echo "FAIL $what"; echo "$out" | sed 's/^/     /'
	fi
}
cd "$TOP"
while read -r p; do
	case "$p" in ''|\#*) continue ;; esac
	run "patches/$p" "$TOP/patches/$p"
done < patches/series
for f in c_shims/*.[ch] include/*/*.h include/*.h tools/testing/modules/*.c \
	tools/testing/selftests/rudma/*.c; do
	[ -e "$f" ] || continue
	run "$f" -f "$TOP/$f"
done
echo "checkpatch: $pass passed, $fail failed"
[ $fail -eq 0 ]
