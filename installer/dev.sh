#!/usr/bin/env bash
# Precis developer entry point (used by the README quick start and by .ci/run).
#
#   installer/dev.sh studio [MODEL]   install what is missing, build, open the studio
#   installer/dev.sh test             install what is missing, build, run every test
#                                     (plus the malformed-input suite under ASan/UBSan
#                                     and the package check of `package`)
#   installer/dev.sh package          build the .deb and .tar.gz (CPack, in build/packages/)
#                                     and check the .deb's tree unpacked, without installing
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
  dpkg-dev file desktop-file-utils appstream shared-mime-info
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
die() { echo "$*" >&2; exit 1; }

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

# The .deb and .tar.gz from build/: CPack installs only the two programs and data files,
# so only those two targets need to be up to date.
package() {
  cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  cmake --build build -j "$(jobs)" --target precis precis-cli
  rm -rf build/packages
  (cd build && cpack)
}

# Unpacks the .deb into build/package-check (dpkg-deb -x: no installation, no root) and
# runs the installed programs from there on the installed sample model.
check_package() {
  local root=build/package-check deb f
  deb=$(ls build/packages/precis_*.deb)
  rm -rf "$root" && mkdir -p "$root"
  dpkg-deb -x "$deb" "$root"
  for f in usr/bin/precis usr/bin/precis-cli usr/share/precis/sample/model.gguf \
           usr/share/applications/precis.desktop usr/share/metainfo/io.github.precis.Precis.metainfo.xml \
           usr/share/mime/packages/precis-gguf.xml usr/share/icons/hicolor/scalable/apps/precis.svg \
           usr/share/doc/precis/LICENSE; do
    [ -e "$root/$f" ] || die "package check: $deb has no /$f"
  done
  [ -n "$(dpkg-deb -f "$deb" Depends)" ] || die "package check: $deb has no Depends (dpkg-shlibdeps)"
  for f in precis precis-cli; do
    ! ldd "$root/usr/bin/$f" | grep "not found" || die "package check: /usr/bin/$f misses libraries"
  done
  "$root/usr/bin/precis-cli" info "$root/usr/share/precis/sample/model.gguf" >/dev/null ||
    die "package check: the installed precis-cli cannot read the installed sample model"
  QT_QPA_PLATFORM=offscreen "$root/usr/bin/precis" --version >/dev/null ||
    die "package check: the installed precis does not start"
  desktop-file-validate "$root/usr/share/applications/precis.desktop" ||
    die "package check: precis.desktop does not validate"
  appstreamcli validate --no-net "$root/usr/share/metainfo/io.github.precis.Precis.metainfo.xml" ||
    die "package check: the AppStream metainfo does not validate"
  # The MIME package compiles and maps *.gguf to the type the .desktop file claims.
  XDG_DATA_DIRS="$PWD/$root/usr/share" update-mime-database "$root/usr/share/mime"
  grep -qx "50:application/x-gguf:\*.gguf" "$root/usr/share/mime/globs2" ||
    die "package check: the MIME database does not map *.gguf to application/x-gguf"
  tar -tzf build/packages/precis-*-Linux.tar.gz | grep -q "/bin/precis-cli$" ||
    die "package check: the .tar.gz has no bin/precis-cli"
  echo "package check: $(basename "$deb") unpacks and runs; Depends: $(dpkg-deb -f "$deb" Depends)"
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
  package) deps; package; check_package ;;
  test)
    deps; build
    ctest --test-dir build --output-on-failure -j "$(jobs)"
    package; check_package
    build_asan
    ASAN_OPTIONS=detect_leaks=1 ctest --test-dir build-asan --output-on-failure -j "$(jobs)" -L malformed
    ;;
  *)
    sed -n '2,15p' "$0"; exit 2 ;;
esac
