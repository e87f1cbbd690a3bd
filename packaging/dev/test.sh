#!/usr/bin/env bash
# SPDX-License-Identifier: EUPL-1.2
# A newcomer's second command (and CI's): installs what is missing, builds, and runs every test:
# unit tests, media tests with synthetic GStreamer sources, and the browser end-to-end tests.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
"$here/install-deps.sh" --test
"$here/build.sh"
cd "$repo/build"
if ctest --output-on-failure --timeout 1500; then exit 0; fi
# The full output above is long; the failures and their reasons again, short, at the end.
# The browser tests' reports of a failed step (page state, connection, signalling, server log),
# cut to what fits a CI summary.
echo "=== failed steps' reports (from build/Testing/Temporary/LastTest.log) ==="
awk '/==== /{n=150} n>0{print substr($0, 1, 600); n--}' Testing/Temporary/LastTest.log | head -400 || true
echo "=== failures (from build/Testing/Temporary/LastTest.log) ==="
grep -E "not ok|^ *error:|FAILED|timed out|AssertionError|expected:|actual:|composite stalled|does not take data" \
  Testing/Temporary/LastTest.log | grep -v "^ *# Subtest" | head -80 || true
exit 1
