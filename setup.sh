#!/usr/bin/env bash
# setup.sh: the one script that prepares a Debian 12 machine, builds tokwise and runs it.
#
#   ./setup.sh run     install what is missing, build, run the main job on built-in defaults
#   ./setup.sh test    install what is missing, build, run every test
#   ./setup.sh deps    only install the Debian packages (as root, or through sudo)
#   ./setup.sh build   deps + build into ./build
#   ./setup.sh bench   deps + build + run the Google Benchmark suites
#
# It is idempotent: packages already installed are not touched, and an existing build tree is
# reused. Set TOKWISE_BUILD_DIR to build elsewhere.
set -euo pipefail

cd "$(dirname "$0")"
ROOT=$(pwd)
BUILD_DIR=${TOKWISE_BUILD_DIR:-$ROOT/build}
JOBS=$(nproc 2>/dev/null || echo 2)

PACKAGES=(
  build-essential cmake ninja-build pkg-config xz-utils
  libabsl-dev libsimdjson-dev libpcre2-dev libsentencepiece-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  python3 python3-dev python3-pybind11 pybind11-dev python3-pytest
  python3-setuptools python3-wheel python3-venv python3-pip
  chromium
)

log() { printf '[setup] %s\n' "$*" >&2; }

deps() {
  local missing=()
  for p in "${PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
      missing+=("$p")
    fi
  done
  if [ ${#missing[@]} -eq 0 ]; then
    log "all Debian packages present"
    return
  fi
  log "installing: ${missing[*]}"
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { log "need root (or sudo) to install packages"; exit 1; }
    sudo=(sudo)
  fi
  "${sudo[@]}" apt-get update -q
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q --no-install-recommends \
    "${missing[@]}"
}

build() {
  deps
  log "building in $BUILD_DIR"
  cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release
  cmake --build "$BUILD_DIR" -j "$JOBS"
}

run() {
  build >&2  # Build output on stderr: standard output is the report alone.
  local tw="$BUILD_DIR/bindings/cli/tokwise"
  log "the main job: where every token of an agent run went (examples/research_agent.jsonl)"
  "$tw" report examples/research_agent.jsonl --html "$BUILD_DIR/research_agent_report.html"
  echo
  log "the five levels side by side: single call, RAG, agent loop, multi-agent, conversation"
  "$tw" simulate --levels
  log "charts: open $BUILD_DIR/research_agent_report.html in a browser"
}

run_tests() {
  build
  ctest --test-dir "$BUILD_DIR" --output-on-failure -j "$JOBS"
}

bench() {
  build
  "$BUILD_DIR/benchmarks/encoding_benchmark" --benchmark_min_time=0.2
  "$BUILD_DIR/benchmarks/report_benchmark" --benchmark_min_time=0.2
}

case "${1:-}" in
  run) run ;;
  test) run_tests ;;
  deps) deps ;;
  build) build ;;
  bench) bench ;;
  *)
    sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'
    exit 1
    ;;
esac
