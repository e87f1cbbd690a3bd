#!/usr/bin/env bash
# SPDX-License-Identifier: EUPL-1.2
# CI's package check: builds the .deb (packaging/build-deb.sh) and runs lintian on it; prints
# lintian's result, the installed size and the dependencies. Fails on any lintian error (E:)
# or warning (W:); info tags (I:) are printed and justified in packaging/LINTIAN.md.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
deb=$("$repo/packaging/build-deb.sh" "$@" | tail -1)
echo "package: $deb"
echo "installed size: $(dpkg-deb -f "$deb" Installed-Size) KiB (.deb: $(stat -c %s "$deb") bytes)"
echo "depends: $(dpkg-deb -f "$deb" Depends)"
echo "--- lintian (--display-info --pedantic) ---"
# lintian refuses nothing as root, but warns; run it as nobody where possible.
runner=()
if [[ $(id -u) -eq 0 ]] && command -v setpriv >/dev/null; then
  tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
  cp "$deb" "$tmp/"; chmod 755 "$tmp"; chmod 644 "$tmp"/*.deb
  deb="$tmp/$(basename "$deb")"
  runner=(setpriv --reuid=nobody --regid=nogroup --clear-groups env HOME="$tmp")
fi
set +e
"${runner[@]}" lintian --display-info --pedantic --fail-on error,warning "$deb"
status=$?
set -e
if ((status == 0)); then
  echo "lintian: no errors, no warnings"
else
  echo "lintian: FAILED (exit $status)"
fi
exit $status
