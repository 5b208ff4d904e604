#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Regenerate patches/ as a maintainer receives the series: git format-patch
# output with a cover letter, a version tag in the subject prefix and a
# base-commit: trailer.
#
#   regen.sh init DIR    import Debian's linux-source-6.12 tarball into DIR
#                        as one commit (tag "base"), then git am the series
#   regen.sh export DIR  format-patch base..HEAD of DIR into patches/, with
#                        tools/patches/cover-letter.txt as the cover letter,
#                        and rewrite patches/series
#   regen.sh DIR         init (unless DIR exists) and export: the series
#                        regenerated from itself
#
# Everything is deterministic: the import and the commits git am makes have
# a fixed author, committer and date, and no user or system git
# configuration is read, so the same tarball and series always give the
# same commit ids.  Debian's tarball has a .gitignore that ignores its own
# top level, hence "git add -f".
#
# SERIES_VERSION is the version tag.  Bump it, and add a changelog entry to
# cover-letter.txt, whenever a changed series is sent again.

set -euo pipefail

SERIES_VERSION=2
KVER_EXPECTED=6.12.117
TARBALL=${RUDMA_KERNEL_TARBALL:-/usr/src/linux-source-6.12.tar.xz}
IDENT_NAME='rudma developers'
IDENT_EMAIL='rudma@example.org'
# The tarball's mtime, which is also the date of its Debian changelog entry.
BASE_DATE='2026-11-14 12:56:01 +0000'

TOP=$(cd "$(dirname "$0")/../.." && pwd)
PATCHES=$TOP/patches
COVER=$TOP/tools/patches/cover-letter.txt

die() { echo "regen: error: $*" >&2; exit 2; }
log() { echo "regen: $*"; }

# No ~/.gitconfig or /etc/gitconfig: format.*, diff.*, am.*, core.abbrev
# and commit.gpgsign would all change the output.
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
export GIT_AUTHOR_NAME=$IDENT_NAME GIT_AUTHOR_EMAIL=$IDENT_EMAIL
export GIT_COMMITTER_NAME=$IDENT_NAME GIT_COMMITTER_EMAIL=$IDENT_EMAIL
unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE

series_patches() {
	grep -Ev '^[[:space:]]*(#|$)' "$PATCHES/series"
}

deb_version() {
	dpkg-query -W -f='${Version}' linux-source-6.12 2>/dev/null || echo unknown
}

do_init() {
	local dir=$1 parent kver p

	[ ! -e "$dir" ] || die "$dir exists; init wants a new directory"
	[ -r "$TARBALL" ] || die "$TARBALL not found"
	parent=$(dirname "$dir")
	mkdir -p "$parent"
	log "unpacking $TARBALL"
	mkdir "$dir"
	tar -C "$dir" --strip-components=1 -xJf "$TARBALL"
	kver=$(sed -n 's/^VERSION = //p;s/^PATCHLEVEL = //p;s/^SUBLEVEL = //p' \
		"$dir/Makefile" | paste -sd.)
	[ "$kver" = "$KVER_EXPECTED" ] ||
		die "the tarball is $kver, the series is based on $KVER_EXPECTED"

	# cover-letter.txt spells these commands out, for those without
	# rudma: keep the two in step.
	log "importing it as one commit"
	git -C "$dir" init -q -b rudma
	git -C "$dir" add -A -f
	GIT_AUTHOR_DATE=$BASE_DATE GIT_COMMITTER_DATE=$BASE_DATE \
		git -C "$dir" commit -q --no-verify \
		-m "Linux $KVER_EXPECTED as shipped by Debian (linux-source-6.12 $(deb_version))" \
		-m "The tree of Debian's linux-source-6.12 tarball, imported as one commit by rudma's tools/patches/regen.sh init."
	git -C "$dir" tag base
	log "base-commit $(git -C "$dir" rev-parse base) (tree $(git -C "$dir" rev-parse 'base^{tree}'))"

	# The commits keep the patches' author and date; the committer date
	# is the author date, so the commit ids depend on nothing else.
	mapfile -t list < <(series_patches)
	for p in "${list[@]}"; do
		git -C "$dir" am -q --committer-date-is-author-date "$PATCHES/$p" ||
			die "git am $p failed (see git -C $dir am --show-current-patch)"
	done
	log "applied ${#list[@]} patches on branch rudma of $dir"
}

do_export() {
	local dir=$1 base tree n branch attrs f name

	git -C "$dir" rev-parse -q --verify 'base^{commit}' >/dev/null ||
		die "$dir has no tag \"base\" (made by regen.sh init)"
	[ -z "$(git -C "$dir" status --porcelain --untracked-files=no)" ] ||
		die "$dir has uncommitted changes"
	branch=$(git -C "$dir" symbolic-ref --short HEAD) ||
		die "$dir: HEAD is detached; check out the series branch"
	base=$(git -C "$dir" rev-parse base)
	tree=$(git -C "$dir" rev-parse 'base^{tree}')
	n=$(git -C "$dir" rev-list --count base..HEAD)
	[ "$n" -gt 0 ] || die "$dir has no commits on top of base"

	# The branch description is the cover letter: its first paragraph the
	# subject, the rest the body, before the shortlog and diffstat.
	git -C "$dir" config "branch.$branch.description" \
		"$(sed -e "s/@BASE_COMMIT@/$base/g" -e "s/@BASE_TREE@/$tree/g" \
			-e "s/@DEB_VERSION@/$(deb_version)/g" "$COVER")"

	# The kernel's .gitattributes gives C files the cpp diff driver, whose
	# hunk headers differ from those the series was first generated with
	# (no .gitattributes): the default driver keeps them, so a patch that
	# did not change regenerates byte for byte.
	attrs=$(git -C "$dir" rev-parse --git-path info/attributes)
	case "$attrs" in /*) ;; *) attrs=$dir/$attrs ;; esac
	mkdir -p "$(dirname "$attrs")"
	echo '* !diff' > "$attrs"

	# Into a scratch directory first: patches/ is replaced only when
	# format-patch has succeeded.  (tmp is global: the EXIT trap uses it.)
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	mkdir "$tmp/old" "$tmp/new"
	# The cover letter's date is the committer date: that of the last
	# commit, so that it too is reproducible.  Blob ids in "index" lines
	# are abbreviated to 7 digits (or more if that is ambiguous), not to
	# a length that grows with the repository once it is packed.
	GIT_COMMITTER_DATE=$(git -C "$dir" log -1 --format=%cD) \
		git -C "$dir" -c core.abbrev=7 format-patch -q --cover-letter \
		--cover-from-description=subject \
		--subject-prefix="PATCH v$SERIES_VERSION" --base=base \
		-o "$tmp/new" base..HEAD
	for f in "$PATCHES"/[0-9][0-9][0-9][0-9]-*.patch; do
		if [ -e "$f" ]; then mv "$f" "$tmp/old/"; fi
	done
	mv "$tmp"/new/*.patch "$PATCHES/"

	{
		echo "# rudma kernel patch series against Linux $KVER_EXPECTED, applied in order."
		echo "# Regenerate with tools/patches/regen.sh; see Documentation/patches.rst."
		echo "# The cover letter (0000-cover-letter.patch) is not a patch: not listed."
		for f in "$PATCHES"/[0-9][0-9][0-9][0-9]-*.patch; do
			name=$(basename "$f")
			[ "$name" = 0000-cover-letter.patch ] || echo "$name"
		done
	} > "$PATCHES/series"

	# Which patches changed what they change (everything from the first
	# "diff --git" on); a patch whose diff is the same leaves the patched
	# kernel files, and their mtimes, as they were.
	for f in "$PATCHES"/[0-9][0-9][0-9][0-9]-*.patch; do
		name=$(basename "$f")
		[ "$name" = 0000-cover-letter.patch ] && continue
		if [ ! -e "$tmp/old/$name" ]; then
			log "$name: new"
		elif cmp -s <(sed -n '/^diff --git/,$p' "$tmp/old/$name" | sed '$d') \
			    <(sed -n '/^diff --git/,$p' "$f" | sed '$d'); then
			log "$name: diff unchanged"
		else
			log "$name: diff CHANGED"
		fi
	done
	for f in "$tmp"/old/*.patch; do
		[ -e "$f" ] || continue
		[ -e "$PATCHES/$(basename "$f")" ] || log "$(basename "$f"): removed"
	done
	log "v$SERIES_VERSION, $n patches, base-commit $base"
}

case "${1:-}" in
init)	do_init "${2:?usage: regen.sh init DIR}" ;;
export)	do_export "${2:?usage: regen.sh export DIR}" ;;
''|-h|--help)
	sed -n '3,/^$/s/^# \{0,1\}//p' "$0" >&2; exit 2 ;;
*)	[ -e "$1" ] || do_init "$1"
	do_export "$1" ;;
esac
