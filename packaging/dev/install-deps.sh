#!/usr/bin/env bash
# SPDX-License-Identifier: EUPL-1.2
# Installs what building and running Plenum needs on Debian 12 (and, with --test, what its
# tests need; with --fuzz, only what the fuzz harnesses of tests/fuzz need besides the build;
# with --package, what building the Debian package and its tests need), from
# Debian's packages and npm. Safe to run again: only what is missing is
# installed. Needs root (or sudo) for apt.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)

build_packages=(
  build-essential cmake ninja-build pkg-config
  libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev libgstreamer-plugins-bad1.0-dev
  gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad
  gstreamer1.0-plugins-ugly gstreamer1.0-libav gstreamer1.0-nice gstreamer1.0-tools
  gstreamer1.0-x
  libpoco-dev catch2 fonts-dejavu-core curl
  libsodium-dev libsqlite3-dev libssl-dev
  ffmpeg coturn
  poppler-utils bubblewrap
  libsofia-sip-ua-dev libsofia-sip-ua-glib-dev espeak-ng
)
# coturn: plenumd runs it as its TURN relay (appliance/TurnRelay.hpp).
# poppler-utils, bubblewrap: uploaded PDFs are checked (pdfinfo) and rendered to slides
# (pdftoppm) in a bubblewrap sandbox without network (appliance/DocumentRenderer.hpp); without
# them documents are refused.
# libsofia-sip-ua(-glib)-dev: phone dial-in's SIP stack (appliance/SipService.hpp); espeak-ng
# speaks the phone prompts into WAV files at build time (packaging/prompts).
# ffmpeg: a recording is remuxed into its final MP4 (recordings/Remux); the media tests also
# read recordings back with it.
# sqlite3: the API tests compare dumps of the database before and after refused requests;
# openssl: the HTTPS tests make a self-signed certificate.
# tests/fuzz (libFuzzer): clang 16, not Debian's default clang 14, which cannot compile lambdas
# that capture structured bindings (C++20, used in the sources); libFuzzer and the sanitizer
# runtimes are in libclang-rt-16-dev (only recommended by clang-16).
fuzz_packages=(clang-16 libclang-rt-16-dev)
# squid, nftables, iproute2, procps (sysctl): the firewall tests (tests/e2e/firewall.test.mjs)
# build a client network that allows only TCP to 443, or only an HTTP proxy.
# baresip: the phone tests' caller (a real SIP client: tests/e2e/phone.test.mjs).
# kamailio: the PBX of tests/e2e/phone_registration.test.mjs (plenumd registers with it, digest
# auth, and it forwards the calls); the test writes its own config (usrloc in memory, no
# database), so the core package is enough (it has no Recommends; no kamailio-*-modules).
test_packages=(chromium sqlite3 openssl squid nftables iproute2 procps baresip-core kamailio "${fuzz_packages[@]}")
# packaging/build-deb.sh, tests/package/run.sh (lintian) and install-test.sh (debootstrap).
package_packages=(debhelper fakeroot lintian debootstrap)

want=("${build_packages[@]}")
if [[ "${1:-}" == "--test" ]]; then
  want+=("${test_packages[@]}")
  command -v node >/dev/null || want+=(nodejs npm)
  command -v npm >/dev/null || want+=(npm)
fi
if [[ "${1:-}" == "--fuzz" ]]; then
  want+=("${fuzz_packages[@]}")
fi
if [[ "${1:-}" == "--package" ]]; then
  want+=("${package_packages[@]}")
fi

missing=()
for package in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}" >&2
  sudo=""
  [[ $(id -u) -eq 0 ]] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [[ "${1:-}" == "--test" ]]; then
  # The browser tests' npm packages (playwright-core drives Debian's Chromium; never a download
  # of a browser of its own).
  (cd "$repo/tests/e2e" && { [[ -d node_modules/playwright-core && -d node_modules/ws ]] || npm ci --no-audit --no-fund --loglevel=error; })
fi
