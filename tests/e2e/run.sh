#!/bin/sh
# SPDX-License-Identifier: EUPL-1.2
# Runs the Plenum end-to-end tests (real plenumd + headless Debian Chromium).
#   tests/e2e/run.sh                 all *.test.mjs, one file at a time
#   tests/e2e/run.sh three_participants.test.mjs   selected files
#   tests/e2e/run.sh --phone         the phone dial-in files (phone*.test.mjs)
#   tests/e2e/run.sh --not-phone     all others (ctest runs the two groups as e2e_phone and e2e)
# Env: PLENUMD (default build/appliance/plenumd), CHROMIUM (default /usr/bin/chromium),
#      E2E_KEEP_TMP=1 keeps temp folders (server log, fixtures, profiles).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)

if [ ! -d "$here/node_modules/playwright-core" ] || [ ! -d "$here/node_modules/ws" ]; then
  echo "e2e: installing npm dependencies" >&2
  if [ -f "$here/package-lock.json" ]; then
    (cd "$here" && npm ci --no-audit --no-fund)
  else
    (cd "$here" && npm install --no-audit --no-fund)
  fi
fi

cd "$repo"
if [ "${1:-}" = "--phone" ]; then
  files=$(ls tests/e2e/phone*.test.mjs)
elif [ "${1:-}" = "--not-phone" ]; then
  files=$(ls tests/e2e/*.test.mjs | grep -v '^tests/e2e/phone')
elif [ "$#" -gt 0 ]; then
  files=""
  for f in "$@"; do
    case "$f" in /*|tests/e2e/*) files="$files $f" ;; *) files="$files tests/e2e/$f" ;; esac
  done
else
  files=$(ls tests/e2e/*.test.mjs)
fi
set +e
# shellcheck disable=SC2086
node --test --test-concurrency=1 $files
status=$?
exit $status
