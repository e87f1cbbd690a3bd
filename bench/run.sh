#!/usr/bin/env bash
# SPDX-License-Identifier: EUPL-1.2
# Plenum benchmark: plenumd's CPU seconds per participant-second and resident memory with N
# synthetic WebRTC participants in one room (default N = 2 4 8). See bench/README.md.
#   bench/run.sh [N ...] [--window S] [--settle S] [--snapshot FILE{n}.png] [--keep] [--floor]
#   (--floor: also the bare gst-launch-1.0 floor per N, bench/floor.py; plenumd / floor appended to results.md)
#   bench/run.sh --soak [...]; bench/run.sh --recording [--long-minutes 10] [...] (see bench/README.md)
#   bench/run.sh --breakouts [--n 8] [...]; bench/run.sh --moves (see bench/README.md)
# Environment: PLENUMD=/path/to/plenumd (default build/appliance/plenumd).
# Installs its Debian packages if missing (runs as root); all traffic stays on 127.0.0.1.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

packages=(python3 python3-gi iproute2 util-linux gir1.2-gstreamer-1.0 gir1.2-gst-plugins-base-1.0 gir1.2-gst-plugins-bad-1.0
          python3-websocket gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good
          gstreamer1.0-plugins-bad gstreamer1.0-plugins-ugly gstreamer1.0-libav gstreamer1.0-nice)
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "[bench] installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-get install -y --no-install-recommends "${missing[@]}"; then
    apt-get update
    apt-get install -y --no-install-recommends "${missing[@]}"
  fi
fi

# Debian's python3 (with gi), not a pyenv/venv one that may come first on PATH.
# plenumd and the participants run in a network namespace of their own that has only the
# loopback interface, so that nothing can leave the machine: libnice's UPnP discovery in
# plenumd otherwise multicasts SSDP on the host's interfaces. BENCH_NETNS=0 runs in the host's
# namespace instead.
# --soak (first argument): the long soak (bench/soak.py) instead of the CPU/memory table.
script="$here/bench.py"
# --recording (first argument): the recording's cost (bench/recording.py).
if [[ "${1:-}" == --soak ]]; then
  script="$here/soak.py"
  shift
elif [[ "${1:-}" == --recording ]]; then
  script="$here/recording.py"
  shift
elif [[ "${1:-}" == --breakouts ]]; then
  script="$here/breakouts.py"
  shift
elif [[ "${1:-}" == --moves ]]; then
  # The media test that times 20 moves between two rooms' mixers (hidden from the test run).
  exec "${MEDIA_TESTS:-$here/../build/tests/media/plenum_media_tests}" "[moves]"
fi

if [[ "${BENCH_NETNS:-1}" != 0 ]] && command -v unshare >/dev/null && command -v ip >/dev/null; then
  exec unshare --net -- /bin/sh -c 'ip link set lo up && exec /usr/bin/python3 "$0" "$@"' "$script" "$@"
fi
exec /usr/bin/python3 "$script" "$@"
