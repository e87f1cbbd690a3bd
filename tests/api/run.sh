#!/bin/sh
# SPDX-License-Identifier: EUPL-1.2
# Runs the REST API tests against real plenumd processes (one or more per file, each with a
# fresh data folder and an admin made by `plenumd --create-admin`).
#   tests/api/run.sh                         all *.test.mjs
#   tests/api/run.sh permissions.test.mjs    selected files
# Env: PLENUMD (default build/appliance/plenumd), E2E_KEEP_TMP=1 keeps the temp folders.
# Needs node 20, the sqlite3 shell, and the npm package ws (shared with tests/e2e).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)

if [ ! -d "$repo/tests/e2e/node_modules/ws" ]; then
  echo "api: installing the e2e tests' npm dependencies (ws)" >&2
  (cd "$repo/tests/e2e" && npm ci --no-audit --no-fund)
fi
command -v sqlite3 >/dev/null || { echo "api: the sqlite3 shell is missing (packaging/dev/install-deps.sh --test)" >&2; exit 1; }

cd "$repo"
if [ "$#" -gt 0 ]; then
  files=""
  for f in "$@"; do
    case "$f" in /*|tests/api/*) files="$files $f" ;; *) files="$files tests/api/$f" ;; esac
  done
else
  files=$(ls tests/api/*.test.mjs)
fi
# shellcheck disable=SC2086
exec node --test --test-concurrency=2 $files
