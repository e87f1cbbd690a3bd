#!/usr/bin/env bash
# SPDX-License-Identifier: EUPL-1.2
# A newcomer's first command: installs what is missing, builds, and starts plenumd on
# http://localhost:8080 with its data in ./var. Extra arguments go to plenumd
# (e.g. --port 9000, --config my.ini).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
"$here/install-deps.sh"
"$here/build.sh"
cd "$repo"
exec "$repo/build/appliance/plenumd" --port 8080 --data "$repo/var" "$@"
