#!/usr/bin/env bash
# SPDX-License-Identifier: EUPL-1.2
# Builds the libFuzzer harnesses of tests/fuzz (clang 16 with ASan and UBSan, in build-fuzz/ of
# the repository, or $PLENUM_FUZZ_BUILD) and runs each for SECONDS (default 20) on a copy of its
# seed corpus in a temporary folder, so that nothing is written into the repository. Prints per
# harness the executions and whether it found a crash (a sanitizer report, a failed FUZZ_CHECK,
# an uncaught exception, a leak, a timeout or running out of memory); exits 1 if any did. The
# input that crashed is kept in build-fuzz/fuzz-artifacts/<harness>/; run the harness on it to
# see the report again:
#   build-fuzz/tests/fuzz/<harness> build-fuzz/fuzz-artifacts/<harness>/crash-...
# Installs clang-16 and its runtime with packaging/dev/install-deps.sh --fuzz when missing.
# PLENUM_FUZZ_FLAGS adds libFuzzer options (e.g. "-seed=1 -only_ascii=1"); later ones win.
# PLENUM_FUZZ_KEEP_CORPUS=DIR copies each harness's grown corpus to DIR/<harness> (new seeds to
# choose from; bench/fuzz-long.sh does).
#   tests/fuzz/run.sh [SECONDS] [HARNESS...]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
seconds=${1:-20}
shift || true
harnesses=("$@")
((${#harnesses[@]})) || harnesses=(fuzz_protocol fuzz_sdp fuzz_phone_sdp fuzz_rest fuzz_config fuzz_routing)
build=${PLENUM_FUZZ_BUILD:-$repo/build-fuzz}
cxx=${PLENUM_FUZZ_CXX:-clang++-16}
runtime=/usr/lib/llvm-16/lib/clang/16/lib/linux/libclang_rt.fuzzer-x86_64.a

# The longest input each harness gets: one WebSocket frame of the usual kind, an SDP answer
# (Chrome's are 2-6 KiB), a REST request, a plenum.ini (the sample is 6.5 KiB), a request head.
max_len() {
  case "$1" in
    fuzz_protocol) echo 4096 ;;
    fuzz_sdp) echo 8192 ;;
    fuzz_phone_sdp) echo 4096 ;;
    fuzz_rest) echo 4096 ;;
    fuzz_config) echo 8192 ;;
    fuzz_routing) echo 1024 ;;
    *) echo 4096 ;;
  esac
}

if ! command -v "$cxx" >/dev/null || [[ ! -f $runtime ]]; then
  "$repo/packaging/dev/install-deps.sh" --fuzz
fi

log=$build/fuzz-build.log
mkdir -p "$build"
if [[ ! -f $build/build.ninja ]]; then
  # -O1 and line tables only: fast enough to fuzz, readable stacks, quicker to compile than -O2 -g.
  if ! cmake -S "$repo" -B "$build" -G Ninja -DPLENUM_FUZZ=ON -DPLENUM_BUILD_TESTS=OFF \
      -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -gline-tables-only" >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$build/build.ninja"
    echo "fuzz: configuring $build failed" >&2
    exit 2
  fi
fi
start=$(date +%s)
if ! cmake --build "$build" --target "${harnesses[@]}" >"$log" 2>&1; then
  grep -E -B2 -A8 "error|FAILED" "$log" | head -80 >&2 || cat "$log" >&2
  echo "fuzz: building the harnesses failed (full log: $log)" >&2
  exit 2
fi
built=$(($(date +%s) - start))
((built < 2)) || echo "fuzz: built the harnesses in ${built} s"

# Readable stacks: llvm-symbolizer if there is one, else binutils' addr2line.
symbolizer=$(command -v llvm-symbolizer-16 || command -v llvm-symbolizer || command -v addr2line || true)
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1${symbolizer:+:external_symbolizer_path=$symbolizer}}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1${symbolizer:+:external_symbolizer_path=$symbolizer}}

work=$(mktemp -d "${TMPDIR:-/tmp}/plenum-fuzz-XXXXXX")
cleanup() { rm -rf "$work"; }
trap cleanup EXIT

passed=0
failed=0
for harness in "${harnesses[@]}"; do
  dir=$work/$harness
  mkdir -p "$dir/corpus" "$dir/artifacts"
  cp -R "$here/corpus/$harness/." "$dir/corpus/"
  dict=()
  [[ -f $here/dict/$harness.dict ]] && dict=(-dict="$here/dict/$harness.dict")
  # In its own folder (the configuration check looks at ./var; the routing harness makes its web
  # client folder under TMPDIR), which goes with the rest when the run ends.
  read -r -a extra <<<"${PLENUM_FUZZ_FLAGS:-}"
  set +e
  (cd "$dir" && TMPDIR=$dir "$build/tests/fuzz/$harness" -max_total_time="$seconds" -max_len="$(max_len "$harness")" \
    -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 "${dict[@]}" -artifact_prefix="$dir/artifacts/" \
    "${extra[@]}" "$dir/corpus" >"$dir/log" 2>&1)
  status=$?
  set -e
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/log" | tail -1)
  [[ -n $runs ]] || runs=$(grep -oE '^#[0-9]+' "$dir/log" | tail -1 | tr -d '#')
  corpus=$(find "$dir/corpus" -type f | wc -l)
  if [[ -n ${PLENUM_FUZZ_KEEP_CORPUS:-} ]]; then
    mkdir -p "$PLENUM_FUZZ_KEEP_CORPUS/$harness"
    cp -R "$dir/corpus/." "$PLENUM_FUZZ_KEEP_CORPUS/$harness/"
  fi
  artifacts=$(find "$dir/artifacts" -type f | wc -l)
  if ((status == 0 && artifacts == 0)); then
    printf 'fuzz: %-14s %10s executions in %s s, corpus %s inputs, no crash\n' "$harness" "${runs:-?}" "$seconds" "$corpus"
    passed=$((passed + 1))
  else
    keep=$build/fuzz-artifacts/$harness
    mkdir -p "$keep"
    cp -R "$dir/artifacts/." "$keep/" 2>/dev/null || true
    echo "----- $harness: the end of libFuzzer's report -----"
    grep -v -E '^(#[0-9]+|INFO:|MERGE|Dictionary:|\s*NEW_FUNC|\s*$)' "$dir/log" | tail -60
    printf 'fuzz: %-14s %10s executions, CRASH (exit %s); input kept in %s\n' "$harness" "${runs:-?}" "$status" "$keep"
    failed=$((failed + 1))
  fi
done
echo "fuzz: $passed passed, $failed failed"
((failed == 0))
