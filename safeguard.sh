#!/usr/bin/env bash
# The two commands of the README.
#   ./safeguard.sh run    install what is missing, build, start everything embedded with demo data,
#                         and the MAPPA panel console
#   ./safeguard.sh test   install what is missing, build, run the whole test suite (with the
#                         console's browser tests in Debian's Chromium)
# Works as root on a fresh Debian 12 machine (uses sudo for apt-get otherwise).
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$(pwd)

PACKAGES=(cmake g++ make ccache pkg-config
  libgrpc++-dev libgrpc-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  librdkafka-dev librocksdb-dev libabsl-dev libgtest-dev libgmock-dev libbenchmark-dev libssl-dev
  libcpp-httplib-dev libspdlog-dev
  python3 python3-grpcio yamllint clang libclang-rt-14-dev
  nodejs npm)
# The console's browser tests drive Debian's Chromium; the metrics test scrapes with
# Debian's Prometheus server.
TEST_PACKAGES=(chromium chromium-driver prometheus curl)
BUILD_DIR=${SAFEGUARD_BUILD_DIR:-build}
JOBS=$(nproc)

install_missing() {
  local missing=()
  for p in "${PACKAGES[@]}" "$@"; do
    # A Node.js from elsewhere (NodeSource's package, which bundles npm) serves as well.
    case "$p" in
      nodejs) command -v node >/dev/null && continue ;;
      npm) command -v npm >/dev/null && continue ;;
    esac
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return
  echo "==> installing: ${missing[*]}"
  local sudo=; [ "$(id -u)" -ne 0 ] && sudo=sudo
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# Optimised, with line tables for backtraces and sanitizer reports but not full debug
# information (-g1, clang's -gline-tables-only): a fifth less compile time on two cores.
build() {
  echo "==> building in $BUILD_DIR ($JOBS jobs)"
  export CCACHE_DIR=${CCACHE_DIR:-$HOME/.cache/ccache}
  cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -g1 -DNDEBUG" \
    "$@" >/dev/null
  cmake --build "$BUILD_DIR" -j "$JOBS"
}

# The console (services/console): its packages exactly as the lockfile names them (npm ci,
# again only when the lockfile changed), then its server, script and stylesheet.
CONSOLE_DIR=services/console
build_console() {
  echo "==> building the console"
  local major; major=$(node --version | sed 's/^v\([0-9]*\).*/\1/')
  if [ "${major:-0}" -lt 20 ]; then
    echo "The console needs Node.js 20 or later; this machine has $(node --version)." >&2
    echo "Debian 12's own is 18: install Node.js 20 from NodeSource's Debian packages, then run this again." >&2
    return 1
  fi
  local stamp="$CONSOLE_DIR/node_modules/.safeguard-lockfile-sha256"
  local want; want=$(sha256sum "$CONSOLE_DIR/package-lock.json" | cut -d' ' -f1)
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    (cd "$CONSOLE_DIR" && npm ci --no-audit --no-fund --loglevel=error) || return 1
    echo "$want" > "$stamp"
  fi
  (cd "$CONSOLE_DIR" && npm run --silent build && npm run --silent typecheck)
}

# The deploy manifests' validator (tests/deploy): its packages as its lockfile names them.
DEPLOY_CHECK_DIR=tests/deploy
install_deploy_check() {
  local stamp="$DEPLOY_CHECK_DIR/node_modules/.safeguard-lockfile-sha256"
  local want; want=$(sha256sum "$DEPLOY_CHECK_DIR/package-lock.json" | cut -d' ' -f1)
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    echo "==> installing the deploy manifests' validator"
    (cd "$DEPLOY_CHECK_DIR" && npm ci --no-audit --no-fund --loglevel=error) || return 1
    echo "$want" > "$stamp"
  fi
}

# The libFuzzer targets (tests/fuzz): built with clang on their own, each run for a bounded
# time (SAFEGUARD_FUZZ_SECONDS, default 30). A crash fails the test command and leaves the
# input that caused it in $FUZZ_DIR.
FUZZ_DIR=${SAFEGUARD_FUZZ_BUILD_DIR:-build-fuzz}
fuzz() {
  echo "==> building the fuzz targets in $FUZZ_DIR (clang)"
  CXX=clang++ cmake -S . -B "$FUZZ_DIR" -DSAFEGUARD_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -gline-tables-only -DNDEBUG" >/dev/null || return 1
  cmake --build "$FUZZ_DIR" -j "$JOBS" || return 1
  # Seeds: a valid request for every validator, and the event each validates to.
  "$BUILD_DIR/tests/fuzz_seeds" "$FUZZ_DIR/corpus" || return 1
  local failed=0
  for target in envelope_fuzz validators_fuzz; do
    local corpus="$FUZZ_DIR/corpus/${target%_fuzz}"
    [ "$target" = validators_fuzz ] && corpus="$FUZZ_DIR/corpus/validators"
    echo "==> fuzzing $target for ${SAFEGUARD_FUZZ_SECONDS:-30} s from $(ls "$corpus" | wc -l) seeds"
    if ! "$FUZZ_DIR/tests/fuzz/$target" -max_total_time="${SAFEGUARD_FUZZ_SECONDS:-30}" -rss_limit_mb=2048 \
         -artifact_prefix="$FUZZ_DIR/$target-" -print_final_stats=1 "$corpus" 2>"$FUZZ_DIR/$target.log"; then
      tail -40 "$FUZZ_DIR/$target.log"
      failed=1
    fi
    grep -h -E "^(Done|stat::number_of_executed_units)" "$FUZZ_DIR/$target.log" || true
  done
  return $failed
}

case "${1:-}" in
  run)
    shift
    install_missing
    build -DSAFEGUARD_BUILD_TESTS=OFF
    build_console
    data=${SAFEGUARD_DATA:-./safeguard-data}
    mkdir -p "$data"
    rm -f "$data/endpoints" "$data/console-endpoints"
    # The log as text, for the person at the terminal (a deployment's is JSON).
    "$BUILD_DIR/services/safeguardd/safeguardd" --data_dir="$data" --demo --endpoints_file="$data/endpoints" \
      --log_format=text "$@" &
    safeguardd=$!
    console=
    # Whatever ends this script ends both.
    trap 'kill -TERM $safeguardd $console 2>/dev/null; wait' EXIT
    trap 'exit 130' INT TERM
    for _ in $(seq 1 600); do [ -f "$data/endpoints" ] && break; kill -0 $safeguardd 2>/dev/null || exit 1; sleep 0.1; done
    node "$CONSOLE_DIR/dist/server.js" --pki_dir="$data/pki" --safeguard_endpoints="$data/endpoints" \
      --listen="${SAFEGUARD_CONSOLE_LISTEN:-127.0.0.1:8443}" --endpoints_file="$data/console-endpoints" &
    console=$!
    for _ in $(seq 1 300); do [ -f "$data/console-endpoints" ] && break; kill -0 $console 2>/dev/null || break; sleep 0.1; done
    url=$(sed -n 's/^console=//p' "$data/console-endpoints" 2>/dev/null || true)
    cat <<EOF2
MAPPA panel console: ${url:-(did not start: see above)}
  Sign in with a role's certificate: import $data/pki/clients/mappa-chair.p12 into your browser
  (password: safeguard; any of mappa-chair, mappa-coordinator, mappa-panel-member or
  police-disclosure); the browser will warn that it does not know the console's certificate,
  which is from this machine's own CA: accept it for this address (docs/console.md).
EOF2
    status=0
    wait $safeguardd || status=$?
    exit $status
    ;;
  test)
    install_missing "${TEST_PACKAGES[@]}"
    build_console
    install_deploy_check
    build -DSAFEGUARD_BUILD_TESTS=ON
    echo "==> running the test suite"
    cd "$BUILD_DIR"
    status=0
    ctest --output-on-failure -j "$JOBS" --timeout 600 || status=$?
    echo "==> what the crash, fault and disk-full tests checked:"
    grep -h -E "^(crash test|kafka fault test|disk full test)" Testing/Temporary/LastTest.log || true
    cd "$ROOT"
    fuzz || status=$?
    exit $status
    ;;
  *)
    echo "usage: $0 run [safeguardd flags...] | test" >&2
    exit 2
    ;;
esac
