#!/usr/bin/env bash
# Installs everything Switchboard needs on a Debian/Ubuntu machine, skipping what is already
# there: Node 22, Debian packages, npm dependencies and the mediasoup worker binary.
# Usage: scripts/setup.sh [--for-tests]
#   --for-tests adds what the test suites run beside the server: Chromium and Firefox ESR
#   (browser tests), coturn (TURN relay test), redis-server and redis-sentinel (cluster tests)
#   and prometheus (the scrape test). A server needs none of them; Redis only when it is
#   started with --redis-url.
set -euo pipefail
cd "$(dirname "$0")/.."

for_tests=false
for arg in "$@"; do
  case "$arg" in
    --for-tests) for_tests=true ;;
    *) echo "setup: unknown option $arg (known: --for-tests)" >&2; exit 2 ;;
  esac
done

now_ms() { echo $(($(date +%s%N) / 1000000)); }
elapsed() { local ms=$(($(now_ms) - $1)); printf '%d.%d s' $((ms / 1000)) $((ms % 1000 / 100)); }
step() { printf '[setup] %s\n' "$*"; }
fail() { printf '[setup] FAILED: %s\n' "$*" >&2; exit 1; }
started=$(now_ms)

# 1. Node 22 LTS: mediasoup 3.27 needs it and uWebSockets.js's binary is built per Node ABI. The
# machine's node is used when it is 22.x, else Node 22 is fetched from the npm registry (cached).
# shellcheck source=node-runtime.sh
. scripts/node-runtime.sh
step "1/4 node $(node -p 'process.versions.node') ($SWITCHBOARD_NODE): ok"

# 2. Debian packages: the worker's shared libraries, and with --for-tests the programs the tests
# start themselves on free loopback ports (Chromium, Firefox ESR, coturn, redis-server,
# redis-sentinel), and iproute2 for the browser tests' network namespace (scripts/test-netns.sh).
# Debian may start coturn's and Redis's own services on install: those are stopped and disabled, so setting up
# never leaves an open TURN or Redis server behind.
command -v apt-get >/dev/null || fail "apt-get not found: Switchboard's set-up supports Debian and Ubuntu."
packages=(libssl3 libuv1 libsrtp2-1 libabsl20220623)
services=()
if $for_tests; then packages+=(chromium firefox-esr iproute2 coturn redis-server redis-sentinel prometheus); services=(coturn redis-server redis-sentinel prometheus); fi
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" 2>/dev/null | grep -q '^Status: install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  t=$(now_ms)
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || fail "missing Debian packages (${missing[*]}) and neither root nor sudo to install them."
    sudo="sudo"
  fi
  step "2/4 installing Debian packages: ${missing[*]}"
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq ||
    fail "apt-get update failed; check the apt sources or network."
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
    fail "apt-get install ${missing[*]} failed."
  if [ -d /run/systemd/system ]; then
    for service in "${services[@]}"; do $sudo systemctl disable --now "$service" >/dev/null 2>&1 || true; done
  fi
  step "2/4 Debian packages installed ($(elapsed "$t"))"
else
  step "2/4 Debian packages: already installed"
fi

# 3. npm dependencies, reinstalled only when package-lock.json or the Node ABI changed. mediasoup's own
# postinstall would download a worker from the internet (or build one with tools fetched from
# PyPI): it is denied in package.json's allowScripts, and MEDIASOUP_WORKER_BIN makes older npm
# versions, which ignore allowScripts, skip it too. Step 4 provides the worker.
# Native addons (uWebSockets.js, wrtc, msgpackr) are per Node ABI, so the ABI is part of the stamp.
lock_hash=$( (cat package-lock.json; node -p 'process.versions.modules') | sha256sum | cut -d' ' -f1)
stamp=node_modules/.switchboard-lock.sha256
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$lock_hash" ]; then
  step "3/4 npm dependencies: up to date"
else
  t=$(now_ms)
  step "3/4 npm ci"
  MEDIASOUP_WORKER_BIN=provided-by-switchboard-setup npm ci --no-audit --no-fund --loglevel=error ||
    fail "npm ci failed (see above); the npm registry must be reachable."
  echo "$lock_hash" > "$stamp"
  step "3/4 npm dependencies installed ($(elapsed "$t"))"
fi

# 4. The mediasoup worker: the one present if it runs, else the cached build, else the one
# mediasoup publishes for this platform (seconds; a bounded wait), else built from source (minutes).
step "4/4 mediasoup worker"
node packages/server/scripts/mediasoup-worker/ensure-worker.mjs ||
  fail "no usable mediasoup worker (see above)."

step "done in $(elapsed "$started")"
