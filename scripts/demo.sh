#!/usr/bin/env bash
# `npm run demo`: installs what is missing, builds, and serves the demo on the embedded
# single-node server (no Redis, development secrets).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# shellcheck source=node-runtime.sh
. scripts/node-runtime.sh
npm run build
node packages/demo/print-features.mjs
exec node packages/server/dist/main.js --dev --static-dir packages/demo/dist "$@"
