#!/usr/bin/env bash
# Makes the build context of packaging/container/Containerfile from this checkout: everything
# the image holds is built here, on the host, so the image gets no compiler, no npm and no dev
# dependencies:
#   node             the official Node 22 binary (the one scripts/node-runtime.sh uses)
#   app/             @switchboard/server and @switchboard/sdk installed from their packed tarballs
#                    with production dependencies only, the mediasoup worker in place, the
#                    mediasoup worker's sources pruned; app/console: the built operator console
#   healthcheck.mjs, switchboard.yaml (the default config), Containerfile
# The worker is this host's build (scripts/setup.sh puts it in node_modules), linked against
# Debian 12's libraries: the host must be Debian 12, like the image.
#
# Usage: packaging/container/prepare-context.sh [directory]   (default .cache/container-context)
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=../../scripts/node-runtime.sh
. scripts/node-runtime.sh

context=${1:-.cache/container-context}
step() { printf '[context] %s\n' "$*"; }
fail() { printf '[context] FAILED: %s\n' "$*" >&2; exit 1; }

worker=node_modules/mediasoup/worker/out/Release/mediasoup-worker
[ -x "$worker" ] || fail "no mediasoup worker at $worker: run scripts/setup.sh first."
# shellcheck disable=SC1091
codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
[ "$codename" = bookworm ] ||
  fail "this host is ${codename:-not Debian}, the image Debian 12 (bookworm): the worker built here would miss its libraries there."
# Debian's own nodejs links libnode.so, which the image does not have; the official build does not.
if ldd "$SWITCHBOARD_NODE" | grep -q libnode; then
  fail "$SWITCHBOARD_NODE is a distribution build (needs libnode.so); the image needs the official Node 22 binary."
fi

rm -rf "$context"
mkdir -p "$context/app"
context=$(cd "$context" && pwd)
packs=$(mktemp -d)
trap 'rm -rf "$packs"' EXIT

step "packing @switchboard/sdk and @switchboard/server (prepack builds them)"
npm pack -w packages/sdk -w packages/server --pack-destination "$packs" --loglevel=error >/dev/null

step "installing them with production dependencies only"
# mediasoup's postinstall would fetch or build a worker: denied (allowScripts for npm 11, the
# variable for npm 10); the host's worker is copied below.
cat >"$context/app/package.json" <<'JSON'
{ "name": "switchboard-container", "private": true, "type": "module",
  "allowScripts": { "mediasoup": false } }
JSON
(cd "$context/app" && MEDIASOUP_WORKER_BIN=skip npm install "$packs"/*.tgz --omit=dev --no-audit --no-fund --prefer-offline --loglevel=error >/dev/null)

mediasoup=$context/app/node_modules/mediasoup
# At run time mediasoup needs only its JavaScript and the worker binary; the worker's C++
# sources and vendored libraries are most of the package.
find "$mediasoup/worker" -mindepth 1 -maxdepth 1 -exec rm -rf {} +
mkdir -p "$mediasoup/worker/out/Release"
cp "$worker" "$mediasoup/worker/out/Release/mediasoup-worker"
# uWebSockets.js ships one addon per platform and Node ABI: the image runs one of them.
uws=$context/app/node_modules/uWebSockets.js
keep="uws_linux_$(node -p 'process.arch')_$(node -p 'process.versions.modules').node"
[ -f "$uws/$keep" ] || fail "uWebSockets.js has no $keep"
find "$uws" -maxdepth 1 -name 'uws_*.node' -not -name "$keep" -delete

step "building the operator console"
npm run build -w packages/console --silent >/dev/null
cp -r packages/console/dist "$context/app/console"

cp "$SWITCHBOARD_NODE" "$context/node"
cp packaging/container/Containerfile packaging/container/healthcheck.mjs packaging/container/switchboard.yaml "$context/"
step "ready: $context ($(du -sh "$context" | cut -f1); app $(du -sh "$context/app" | cut -f1), node $(du -sh "$context/node" | cut -f1))"
