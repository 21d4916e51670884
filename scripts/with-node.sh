#!/usr/bin/env bash
# Runs a command with Node 22 first on PATH (see node-runtime.sh): npm scripts use it so that
# `npm run bench:data` and friends run on the supported Node whatever node launched npm.
# Usage: scripts/with-node.sh <command> [args...]
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=node-runtime.sh
. scripts/node-runtime.sh
exec "$@"
