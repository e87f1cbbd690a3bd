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
ctest --output-on-failure --timeout 1500
