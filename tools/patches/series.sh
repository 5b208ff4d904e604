#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Check or apply rudma's kernel patch series (patches/, in patches/series
# order) on a user's 6.12 kernel tree.
#
#   series.sh check KSRC   exit 0: the series is applied to KSRC
#                          exit 1: it is not (or only its first patches
#                                  are), and the rest applies (cleanly, or
#                                  with fuzz: then the hunks are listed)
#                          exit 2: it neither applies nor is applied, or
#                                  KSRC is not a 6.12 kernel tree
#   series.sh apply KSRC   apply what is not applied yet: "git am -3" on a
#                          clean git work tree whose top level is KSRC,
#                          "patch -p1 --forward" otherwise, after a dry run
#                          of the whole rest of the series; nothing is
#                          modified unless all of it applies.  Exit 0 when
#                          the series is applied (also if it already was),
#                          2 otherwise.
#
# Both work on a scratch copy of the files the series touches, so that
# each patch is tried on top of the ones before it (a dry run of each
# patch on KSRC would not see what earlier ones change).  "Applied"
# means that the series reverse-applies, last patch first.
#
# The series is based on 6.12.117.  Another 6.12.y is checked with a
# warning, and the check decides; any other version is refused.

set -euo pipefail

KVER_BASE=6.12.117
TOP=$(cd "$(dirname "$0")/../.." && pwd)
PDIR=$TOP/patches

say() { echo "patches: $*"; }
warn() { echo "patches: warning: $*" >&2; }
fail() { echo "patches: $*" >&2; exit 2; }

usage() {
	echo "usage: series.sh check|apply KSRC" >&2
	exit 2
}

[ $# -eq 2 ] || usage
CMD=$1
case "$CMD" in check|apply) ;; *) usage ;; esac
[ -n "$2" ] || usage
[ -d "$2" ] || fail "$2: no such directory"
KSRC=$(cd "$2" && pwd -P)

# --- the series ---------------------------------------------------------------
[ -f "$PDIR/series" ] || fail "$PDIR/series missing"
mapfile -t PATCHES < <(grep -Ev '^[[:space:]]*(#|$)' "$PDIR/series")
N=${#PATCHES[@]}
[ "$N" -gt 0 ] || fail "$PDIR/series lists no patch"
for p in "${PATCHES[@]}"; do
	[ -f "$PDIR/$p" ] || fail "series names patches/$p, which does not exist"
done

# Every path the series touches, old and new names ("diff --git a/X b/Y").
mapfile -t FILES < <(for p in "${PATCHES[@]}"; do
	sed -n 's|^diff --git a/\([^ ]*\) b/\([^ ]*\)$|\1\n\2|p' "$PDIR/$p"
done | sort -u)

# --- the tree -------------------------------------------------------------------
mk_var() {
	sed -n "s/^$1[[:space:]]*=[[:space:]]*//p" "$KSRC/Makefile" | head -n1
}

if [ ! -f "$KSRC/Makefile" ] || [ -z "$(mk_var VERSION)" ] ||
   [ -z "$(mk_var PATCHLEVEL)" ] || [ -z "$(mk_var SUBLEVEL)" ]; then
	fail "$KSRC is not a kernel source tree (no top-level Makefile with VERSION, PATCHLEVEL and SUBLEVEL)"
fi

# make kernelversion, outside any calling make (its MAKEFLAGS, jobserver
# and command-line variables) and without KBUILD_OUTPUT, which would make
# it look at an output directory.  A tree too partial for the top-level
# Makefile to run falls back to the variables themselves.
KVER=$(env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u KBUILD_OUTPUT \
	make -s -C "$KSRC" kernelversion 2>/dev/null | tail -n1) && [ -n "$KVER" ] ||
	KVER=$(mk_var VERSION).$(mk_var PATCHLEVEL).$(mk_var SUBLEVEL)$(mk_var EXTRAVERSION)
case "$KVER" in
"$KVER_BASE") ;;
6.12.[0-9]*)
	warn "$KSRC is Linux $KVER; the series is based on $KVER_BASE (checking anyway)" ;;
*)
	fail "$KSRC is Linux $KVER; the series is for 6.12.y ($KVER_BASE), refusing it" ;;
esac

# --- trying the series on scratch copies --------------------------------------
TMP=$(mktemp -d "${TMPDIR:-/tmp}/rudma-series.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

# snapshot: the touched files as they are in KSRC, with their modes and
# times, into $TMP/orig.
snapshot() {
	local f

	rm -rf "$TMP/orig"
	mkdir "$TMP/orig"
	for f in "${FILES[@]}"; do
		if [ -e "$KSRC/$f" ]; then
			(cd "$KSRC" && cp -p --parents -- "$f" "$TMP/orig/")
		fi
	done
}

# Options for every patch(1) run: no questions, no guessing that a patch
# is reversed, no .orig files.
PATCH_OPTS=(-p1 --force --no-backup-if-mismatch)

# run_patch DIR PATCH [-R]: apply PATCH to DIR for real (DIR is a scratch
# copy); its messages go to $TMP/out.
run_patch() {
	local dir=$1 p=$2
	shift 2
	patch -d "$dir" "${PATCH_OPTS[@]}" "$@" < "$PDIR/$p" > "$TMP/out" 2>&1
}

fresh() {
	rm -rf "$TMP/work"
	cp -a "$TMP/orig" "$TMP/work"
}

# What patch(1) said (its .rej files are in the scratch copy, which goes
# away), then the header of each rejected hunk, indented.
rejects() {
	local r
	sed -e '/^patching file /d' -e 's/ -- saving rejects to file .*//' \
		-e 's/^/    /' "$TMP/out" | head -n 20
	while IFS= read -r r; do
		echo "    rejected in ${r#"$TMP"/work/}:"
		grep -E '^@@ ' "$r" | sed 's/^/      /' | head -n 10
	done < <(find "$TMP/work" -name '*.rej' | sort)
}

# probe: find K such that the first K patches are applied to KSRC and the
# others apply on top of them.  Sets K (-1 if there is none) and, for the
# report, KREV (how many are applied: the largest count that reverse-
# applies), BAD and BADNO (the patch that then failed), REJ (what patch(1)
# said) and FUZZ (the hunks of the rest that only applied with fuzz).
probe() {
	local k i ok f
	K=-1 BAD='' BADNO=0 REJ='' KREV=0 FUZZ=''
	for ((k = N; k >= 0; k--)); do
		# Patches k..1 reverse-apply, last first: the first k are in.
		fresh
		ok=1
		for ((i = k - 1; i >= 0; i--)); do
			run_patch "$TMP/work" "${PATCHES[i]}" -R || { ok=0; break; }
		done
		[ $ok -eq 1 ] || continue
		# Patches k+1..N apply on top, in order.
		fresh
		FUZZ=
		for ((i = k; i < N; i++)); do
			if run_patch "$TMP/work" "${PATCHES[i]}" --forward; then
				f=$(sed -n "s|^\(Hunk .* with fuzz .*\)|    ${PATCHES[i]}: \1|p" "$TMP/out")
				[ -z "$f" ] || FUZZ+=$f$'\n'
			else
				# Keep the report of the most-applied base.
				if [ -z "$BAD" ]; then
					BAD=${PATCHES[i]} BADNO=$((i + 1)) KREV=$k
					REJ=$(rejects)
				fi
				ok=0
				break
			fi
		done
		if [ $ok -eq 1 ]; then
			K=$k
			return 0
		fi
	done
	return 0
}

report_bad() {
	local what="the series is not applied to $KSRC"

	[ "$KREV" -eq 0 ] || what="$KSRC has patches 1-$KREV of the series"
	echo "patches: $what (kernelversion $KVER), and patch $BADNO/$N does not apply on top of those before it: $BAD" >&2
	echo "$REJ" >&2
}

# verify HOW: after applying, the check must see the whole series.
verify() {
	snapshot
	probe
	[ "$K" -eq "$N" ] ||
		fail "applied with $1, but the series does not reverse-apply from $KSRC now: see its touched files"
}

snapshot
probe

if [ "$CMD" = check ]; then
	if [ $K -eq "$N" ]; then
		say "applied ($N/$N) to $KSRC (kernelversion $KVER)"
		exit 0
	elif [ $K -ge 0 ]; then
		how=cleanly
		[ -z "$FUZZ" ] || how="with fuzz (git am may refuse it)"
		if [ $K -eq 0 ]; then
			say "not applied to $KSRC (kernelversion $KVER), but the series applies $how; make apply-patches KSRC=$KSRC"
		else
			say "partly applied ($K/$N) to $KSRC (kernelversion $KVER), and the rest applies $how; make apply-patches KSRC=$KSRC"
		fi
		[ -z "$FUZZ" ] || printf '%s' "$FUZZ"
		exit 1
	fi
	report_bad
	exit 2
fi

# --- apply ------------------------------------------------------------------------
if [ $K -eq "$N" ]; then
	say "already applied ($N/$N) to $KSRC (kernelversion $KVER), nothing to do"
	exit 0
fi
if [ $K -lt 0 ]; then
	report_bad
	echo "patches: nothing was modified" >&2
	exit 2
fi
REST=("${PATCHES[@]:K}")
[ $K -eq 0 ] || say "${PATCHES[K - 1]} and those before it are already applied; applying the other $((N - K))"

# git_path NAME: $GIT_DIR/NAME of KSRC's work tree, as an absolute path
# (git prints it relative to KSRC).
git_path() {
	local p

	p=$(git -C "$KSRC" rev-parse --git-path "$1")
	case "$p" in /*) ;; *) p=$KSRC/$p ;; esac
	echo "$p"
}

is_git_tree() {
	local top
	top=$(git -C "$KSRC" rev-parse --show-toplevel 2>/dev/null) || return 1
	[ "$(cd "$top" && pwd -P)" = "$KSRC" ]
}

if command -v git >/dev/null && is_git_tree; then
	if [ -n "$(git -C "$KSRC" status --porcelain --untracked-files=no)" ]; then
		warn "$KSRC is a git tree with uncommitted changes: applying with patch(1), not git am; commit the result yourself"
	elif [ -e "$(git_path rebase-apply)" ] || [ -e "$(git_path rebase-merge)" ]; then
		fail "$KSRC: a git am or rebase is in progress; finish or abort it first"
	elif ! git -C "$KSRC" var GIT_COMMITTER_IDENT > /dev/null 2>&1; then
		fail "$KSRC: git has no committer identity for git am (git config user.name / user.email)"
	else
		head0=$(git -C "$KSRC" rev-parse HEAD)
		[ -z "$FUZZ" ] || warn "patch(1) needs fuzz for this tree, which git am does not allow:"$'\n'"${FUZZ%$'\n'}"
		say "git am -3 of ${#REST[@]} patch(es) in $KSRC"
		if ! git -C "$KSRC" am -3 "${REST[@]/#/$PDIR/}" > "$TMP/out" 2>&1; then
			sed 's/^/    /' "$TMP/out" >&2
			# git am --abort puts HEAD back where it was, also when
			# some of the patches were committed.
			if [ -e "$(git_path rebase-apply)" ]; then
				git -C "$KSRC" am --abort > /dev/null 2>&1 || true
			fi
			if [ "$(git -C "$KSRC" rev-parse HEAD)" != "$head0" ] ||
			   [ -e "$(git_path rebase-apply)" ]; then
				fail "git am failed in $KSRC and could not be undone: see git -C $KSRC status"
			fi
			[ -z "$FUZZ" ] || echo "patches: hint: patch(1) applies the series here with fuzz; series.sh uses it instead of git am on a tree that is not a clean git work tree" >&2
			fail "git am failed in $KSRC; aborted, HEAD is as it was ($(git -C "$KSRC" log -1 --format=%h))"
		fi
		verify "git am"
		say "applied ($N/$N) to $KSRC (kernelversion $KVER) as ${#REST[@]} commit(s), HEAD $(git -C "$KSRC" log -1 --format='%h %s')"
		exit 0
	fi
fi

# patch(1): probe has just applied the rest of the series to a scratch copy
# of the touched files, in order (the dry run).  Now for real; should that
# fail after all (the tree changed meanwhile), the touched files are put
# back as they were.
restore() {
	local f
	for f in "${FILES[@]}"; do
		if [ -e "$TMP/orig/$f" ]; then
			cp -p -- "$TMP/orig/$f" "$KSRC/$f"
		else
			rm -f -- "$KSRC/$f"
		fi
	done
}

for p in "${REST[@]}"; do
	if ! patch -d "$KSRC" "${PATCH_OPTS[@]}" --forward --reject-file=- \
		< "$PDIR/$p" > "$TMP/out" 2>&1; then
		sed 's/^/    /' "$TMP/out" >&2
		restore
		fail "$p failed on $KSRC after a clean dry run; the touched files were restored"
	fi
	say "applied $p"
done
verify "patch -p1"
say "applied ($N/$N) to $KSRC (kernelversion $KVER) with patch -p1"
