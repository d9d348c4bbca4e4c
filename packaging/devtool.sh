#!/usr/bin/env bash
# Switchyard developer tool: set-up, build, run and test on Debian 12 with one command each.
#
#   packaging/devtool.sh run [switchyard args...]   install build deps, build, run the app (tray; --headless works)
#   packaging/devtool.sh test                       install build + test deps and the acceptance clients, build, ctest
#   packaging/devtool.sh sanitize                   build with ASan+UBSan (BUILD_DIR default ./build-asan) and run
#                                                   the unit and integration tests under them (ctest -L sanitize)
#   packaging/devtool.sh deps | build               the single steps
#
# env: BUILD_DIR (default ./build), BUILD_TYPE (default RelWithDebInfo), SWITCHYARD_SHARED_DIR (default ../shared),
#      SKIP_APT=1 (do not call apt-get), SKIP_CLIENTS=1 (do not install the acceptance clients with npm)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR_SET="${BUILD_DIR:-}"
BUILD_DIR="${BUILD_DIR:-$ROOT/build}"
BUILD_TYPE="${BUILD_TYPE:-RelWithDebInfo}"
SHARED="${SWITCHYARD_SHARED_DIR:-$ROOT/../shared}"

BUILD_PKGS=(g++ cmake ninja-build pkg-config qt6-base-dev libqt6opengl6-dev qt6-tools-dev qt6-l10n-tools
            libqt6sql6-sqlite qtkeychain-qt6-dev qt6-networkauth-dev qt6-charts-dev qt6-svg-dev libhttp-parser-dev libbenchmark-dev)
TEST_PKGS=(nginx-light curl ca-certificates openssl dbus gnome-keyring xvfb xauth trayer fonts-wqy-microhei qt6-translations-l10n)  # node >= 20 and python3 come with the machine

apt_install() {
  [ "${SKIP_APT:-0}" = 1 ] && return 0
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "devtool: installing ${missing[*]}"
  $sudo apt-get -o DPkg::Lock::Timeout=600 update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}"
}

do_build() {
  cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE="$BUILD_TYPE" -DSWITCHYARD_SHARED_DIR="$SHARED"
  cmake --build "$BUILD_DIR" -j "$(nproc)"
}

install_clients() {
  [ "${SKIP_CLIENTS:-0}" = 1 ] && return 0
  if [ -x "$SHARED/acceptance/install_clients.sh" ]; then
    "$SHARED/acceptance/install_clients.sh" || echo "devtool: acceptance clients not installed; acceptance tests will be skipped"
  fi
}

cmd="${1:-}"; [ $# -gt 0 ] && shift
case "$cmd" in
  deps) apt_install "${BUILD_PKGS[@]}" "${TEST_PKGS[@]}" ;;
  build) apt_install "${BUILD_PKGS[@]}"; do_build ;;
  run) apt_install "${BUILD_PKGS[@]}"; do_build; exec "$BUILD_DIR/app/switchyard" "$@" ;;
  test)
    apt_install "${BUILD_PKGS[@]}" "${TEST_PKGS[@]}"
    install_clients
    do_build
    cd "$BUILD_DIR" && ctest --output-on-failure -j 1 ;;
  sanitize)
    apt_install "${BUILD_PKGS[@]}" "${TEST_PKGS[@]}"
    BUILD_DIR="${BUILD_DIR_SET:-$ROOT/build-asan}"
    cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DSWITCHYARD_ENABLE_ASAN=ON \
      -DSWITCHYARD_BUILD_UI=OFF -DSWITCHYARD_BUILD_BENCH=OFF -DSWITCHYARD_SHARED_DIR="$SHARED"
    cmake --build "$BUILD_DIR" -j "$(nproc)"
    cd "$BUILD_DIR" && ctest --output-on-failure -j "$(nproc)" -L sanitize ;;
  *) sed -n '2,13p' "$0"; exit 2 ;;
esac
