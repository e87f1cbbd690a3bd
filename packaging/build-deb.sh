#!/usr/bin/env bash
# SPDX-License-Identifier: EUPL-1.2
# Builds the Debian package: build/deb/plenum_<version>_amd64.deb (Debian 12, amd64).
#
#   packaging/build-deb.sh [--version V] [--head] [--out DIR]
#
# Installs what is missing (packaging/dev/install-deps.sh --package), copies the sources (the
# work tree's tracked and untracked-but-not-ignored files; with --head, the last commit) to
# build/deb/src, lays packaging/debian out as its debian/ and runs dpkg-buildpackage there.
# The compiled objects stay in build/deb/src/obj-*, so a second build only recompiles what
# changed. The version defaults to the project's (CMakeLists.txt).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)

version="" from_head=0 out="$repo/build/deb"
while (($#)); do
  case "$1" in
    --version) version=$2; shift 2 ;;
    --head) from_head=1; shift ;;
    --out) out=$2; shift 2 ;;
    -h|--help) sed -n '3,11p' "$0"; exit 0 ;;
    *) echo "build-deb: unknown argument $1" >&2; exit 2 ;;
  esac
done
if [[ -z "$version" ]]; then
  version=$(sed -nE 's/^project\(plenum VERSION ([0-9.]+).*/\1/p' "$repo/CMakeLists.txt")
fi
[[ "$version" =~ ^[0-9][A-Za-z0-9.+~]*$ ]] || { echo "build-deb: bad version '$version'" >&2; exit 2; }

"$repo/packaging/dev/install-deps.sh" --package

work="$repo/build/deb"
src="$work/src"
mkdir -p "$src" "$out"
# Fresh sources, but keep the object folder (obj-<triplet>) for an incremental build.
find "$src" -mindepth 1 -maxdepth 1 ! -name 'obj-*' -exec rm -rf {} +
if ((from_head)); then
  git -C "$repo" archive HEAD | tar -x -C "$src"
  commit=$(git -C "$repo" rev-parse --short HEAD)
else
  (cd "$repo" && git ls-files -co --exclude-standard -z | xargs -0 -r sh -c 'for f; do [ -e "$f" ] && printf "%s\0" "$f"; done' sh \
     | tar --null -T - -c) | tar -x -C "$src"
  commit="$(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)"
  [[ -z "$(git -C "$repo" status --porcelain 2>/dev/null)" ]] || commit="$commit with uncommitted changes"
fi
cp -r "$repo/packaging/debian" "$src/debian"
sed -e "s/@VERSION@/$version/" -e "s/@COMMIT@/commit $commit/" -e "s/@DATE@/$(date -R)/" \
  "$src/debian/changelog.in" > "$src/debian/changelog"
rm "$src/debian/changelog.in"

rm -f "$work"/plenum_*.deb "$work"/plenum_*.buildinfo "$work"/plenum_*.changes
(cd "$src" && DEB_BUILD_OPTIONS="nocheck parallel=$(nproc) ${DEB_BUILD_OPTIONS:-}" \
   dpkg-buildpackage -b -us -uc -nc --no-sign >"$work/build.log" 2>&1) || {
  tail -40 "$work/build.log" >&2
  echo "build-deb: dpkg-buildpackage failed; the whole log is $work/build.log" >&2
  exit 1
}
deb="plenum_${version}_amd64.deb"
[[ "$out" -ef "$work" ]] || mv -f "$work/$deb" "$out/"
echo "$out/$deb"
