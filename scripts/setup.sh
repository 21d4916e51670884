#!/usr/bin/env bash
# Installs everything Switchboard needs on a Debian/Ubuntu machine, skipping what is already
# there: Debian packages, npm dependencies and the mediasoup worker binary.
# Usage: scripts/setup.sh [--with-browser]   (--with-browser adds Chromium for the test suites)
set -euo pipefail
cd "$(dirname "$0")/.."

with_browser=false
for arg in "$@"; do
  case "$arg" in
    --with-browser) with_browser=true ;;
    *) echo "setup: unknown option $arg (known: --with-browser)" >&2; exit 2 ;;
  esac
done

now_ms() { echo $(($(date +%s%N) / 1000000)); }
elapsed() { local ms=$(($(now_ms) - $1)); printf '%d.%d s' $((ms / 1000)) $((ms % 1000 / 100)); }
step() { printf '[setup] %s\n' "$*"; }
fail() { printf '[setup] FAILED: %s\n' "$*" >&2; exit 1; }
started=$(now_ms)

# 1. Node: uWebSockets.js ships native binaries for Node 20's ABI (115) only here, and the
# server refuses its slow fallback, so a different Node would only fail later and less clearly.
command -v node >/dev/null || fail "Node.js is not installed; install Node 20.19 or newer 20.x."
node_version=$(node -p 'process.versions.node')
node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a===20&&b>=19?0:1)' ||
  fail "Node $node_version found; Switchboard needs Node 20.x (>= 20.19): its uWebSockets.js binary is built for Node 20's ABI."
step "1/4 node $node_version: ok"

# 2. Debian packages: the worker's shared libraries (and Chromium for browser tests).
command -v apt-get >/dev/null || fail "apt-get not found: Switchboard's set-up supports Debian and Ubuntu."
packages=(libssl3 libuv1 libsrtp2-1 libabsl20220623 libusrsctp2 liburing2)
if $with_browser; then packages+=(chromium); fi
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
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
  step "2/4 Debian packages installed ($(elapsed "$t"))"
else
  step "2/4 Debian packages: already installed"
fi

# 2b. coturn, for the TURN relay test (with --with-browser, as the test run uses). The test
# starts its own coturn on a free loopback port; the Debian service the package may start is
# stopped and disabled, so installing it never leaves an open TURN server running.
if $with_browser; then
  if command -v turnserver >/dev/null; then
    step "2b coturn: already installed"
  else
    t=$(now_ms)
    sudo=""
    if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
    step "2b installing coturn (TURN relay test)"
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends coturn >/dev/null ||
      { $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
        $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends coturn >/dev/null; } ||
      fail "apt-get install coturn failed."
    if [ -d /run/systemd/system ]; then $sudo systemctl disable --now coturn >/dev/null 2>&1 || true; fi
    step "2b coturn installed ($(elapsed "$t"))"
  fi
fi

# 3. npm dependencies, reinstalled only when package-lock.json changed. mediasoup's own
# postinstall would download a worker from the internet (or build one with tools fetched from
# PyPI): it is denied in package.json's allowScripts, and MEDIASOUP_WORKER_BIN makes older npm
# versions, which ignore allowScripts, skip it too. Step 4 provides the worker.
lock_hash=$(sha256sum package-lock.json | cut -d' ' -f1)
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

# 4. The mediasoup worker: prebuilt if present, else the cached build, else built from source.
step "4/4 mediasoup worker"
node packages/server/scripts/mediasoup-worker/ensure-worker.mjs ||
  fail "no usable mediasoup worker (see above)."

step "done in $(elapsed "$started")"
