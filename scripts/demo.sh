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
# Rooms keep their last 20 comments, so a viewer who joins late sees what was said.
exec node packages/server/dist/main.js --dev --static-dir packages/demo/dist --history-limit 20 --history-types comment "$@"
