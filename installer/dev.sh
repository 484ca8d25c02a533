#!/usr/bin/env bash
# Precis developer entry point (used by the README quick start and by .ci/run).
#
#   installer/dev.sh studio [MODEL]   install what is missing, build, open the studio
#   installer/dev.sh test             install what is missing, build, run every test
#                                     (plus the malformed-input suite under ASan/UBSan)
#   installer/dev.sh deps             only install missing Debian packages
#   installer/dev.sh build            only build (build/)
#
# Works as root or through sudo. Build folders: build/ (RelWithDebInfo), build-asan/.
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(
  build-essential cmake ninja-build pkg-config ccache
  qt6-base-dev qt6-base-dev-tools qt6-tools-dev qt6-tools-dev-tools qt6-l10n-tools
  libqcustomplot-dev libgl-dev
  libeigen3-dev libtbb-dev libsqlite3-dev nlohmann-json3-dev
  libqt6svg6 fonts-wqy-microhei
  xvfb xauth
)

deps() {
  local missing=()
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "Installing missing packages: ${missing[*]}"
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

jobs() { nproc 2>/dev/null || echo 2; }

# The optional CUDA backend is built when nvcc is found: on PATH, or where the
# NVIDIA packages install it.
if [ -z "${CUDACXX:-}" ] && ! command -v nvcc >/dev/null 2>&1 && [ -x /usr/local/cuda/bin/nvcc ]; then
  export CUDACXX=/usr/local/cuda/bin/nvcc
fi

build() {
  cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  cmake --build build -j "$(jobs)"
}

build_asan() {
  cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DPRECIS_SANITIZE=ON \
        -DPRECIS_BUILD_GUI=OFF -DPRECIS_BUILD_BENCH=OFF -DPRECIS_CUDA=OFF >/dev/null
  # Only the malformed-input suites run here: build just their executables.
  local targets
  targets=$(ctest --test-dir build-asan -N -L malformed | awk '/Test +#/ {print $3}')
  cmake --build build-asan -j "$(jobs)" --target $targets
}

case "${1:-}" in
  deps) deps ;;
  build) deps; build ;;
  studio)
    deps; build
    shift
    if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
      echo "No display found; starting the studio under Xvfb (set DISPLAY to use your own)."
      exec xvfb-run -a build/app/precis "$@"
    fi
    exec build/app/precis "$@"
    ;;
  test)
    deps; build
    ctest --test-dir build --output-on-failure -j "$(jobs)"
    build_asan
    ASAN_OPTIONS=detect_leaks=1 ctest --test-dir build-asan --output-on-failure -j "$(jobs)" -L malformed
    ;;
  *)
    sed -n '2,12p' "$0"; exit 2 ;;
esac
