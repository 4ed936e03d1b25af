#!/usr/bin/env bash
# The two commands of the README.
#   ./safeguard.sh run    install what is missing, build, start everything embedded with demo data
#   ./safeguard.sh test   install what is missing, build, run the whole test suite
# Works as root on a fresh Debian 12 machine (uses sudo for apt-get otherwise).
set -euo pipefail
cd "$(dirname "$0")"

PACKAGES=(cmake g++ make ccache pkg-config
  libgrpc++-dev libgrpc-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  librdkafka-dev librocksdb-dev libabsl-dev libgtest-dev libgmock-dev libbenchmark-dev libssl-dev
  python3 python3-grpcio yamllint)
BUILD_DIR=${SAFEGUARD_BUILD_DIR:-build}
JOBS=$(nproc)

install_missing() {
  local missing=()
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return
  echo "==> installing: ${missing[*]}"
  local sudo=; [ "$(id -u)" -ne 0 ] && sudo=sudo
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

build() {
  echo "==> building in $BUILD_DIR ($JOBS jobs)"
  export CCACHE_DIR=${CCACHE_DIR:-$HOME/.cache/ccache}
  cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
  cmake --build "$BUILD_DIR" -j "$JOBS"
}

case "${1:-}" in
  run)
    shift
    install_missing
    build -DSAFEGUARD_BUILD_TESTS=OFF
    exec "$BUILD_DIR/services/safeguardd/safeguardd" --data_dir="${SAFEGUARD_DATA:-./safeguard-data}" --demo "$@"
    ;;
  test)
    install_missing
    build -DSAFEGUARD_BUILD_TESTS=ON
    echo "==> running the test suite"
    cd "$BUILD_DIR"
    status=0
    ctest --output-on-failure -j "$JOBS" --timeout 600 || status=$?
    echo "==> what the crash and fault tests checked:"
    grep -h -E "^(crash test|kafka fault test)" Testing/Temporary/LastTest.log || true
    exit $status
    ;;
  *)
    echo "usage: $0 run [safeguardd flags...] | test" >&2
    exit 2
    ;;
esac
