#!/usr/bin/env bash
# SPDX-License-Identifier: EUPL-1.2
# Configures and builds Plenum into ./build (Ninja, optimised with debug symbols).
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cmake -S "$repo" -B "$repo/build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$repo/build" --parallel "$(nproc)"
