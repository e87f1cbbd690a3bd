#!/usr/bin/env bash
# A newcomer's second command (and CI's): installs what is missing, builds, and runs every test:
# unit tests, media tests with synthetic GStreamer sources, and the browser end-to-end tests.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
"$here/install-deps.sh" --test
"$here/build.sh"
cd "$repo/build"
# A test that fails is run once more: the media pipeline has a rare start-up stall (the
# compositor stops before the first frame; seen in about 1 of 20 room starts under load, see
# the issues) that we have not yet found. A failure that repeats still fails the run.
ctest --output-on-failure --timeout 1500 --repeat until-pass:2
