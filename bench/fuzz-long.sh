#!/usr/bin/env bash
# SPDX-License-Identifier: EUPL-1.2
# The fuzz harnesses of tests/fuzz for a long time: each for SECONDS (default 600), one after the
# other, with the build and the reporting of tests/fuzz/run.sh (executions per harness, CRASH
# with the input kept in build-fuzz/fuzz-artifacts/<harness>/). The corpora grown meanwhile are
# kept in build-fuzz/fuzz-corpus/<harness>/: inputs worth keeping as seeds can be picked from
# there (after `<harness> -merge=1 NEW_DIR build-fuzz/fuzz-corpus/<harness>` to minimise them)
# into tests/fuzz/corpus/<harness>/. Exits non-zero if any harness crashed.
#   bench/fuzz-long.sh [SECONDS] [HARNESS...]
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-600}
shift || true
build=${PLENUM_FUZZ_BUILD:-$repo/build-fuzz}
export PLENUM_FUZZ_KEEP_CORPUS=${PLENUM_FUZZ_KEEP_CORPUS:-$build/fuzz-corpus}
echo "fuzz-long: $seconds s per harness; grown corpora in $PLENUM_FUZZ_KEEP_CORPUS"
started=$(date +%s)
status=0
"$repo/tests/fuzz/run.sh" "$seconds" "$@" || status=$?
echo "fuzz-long: $(( ($(date +%s) - started) / 60 )) min in all, $(date -u +%Y-%m-%dT%H:%MZ), $(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo '?')"
exit "$status"
