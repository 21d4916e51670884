# Sourced by the project's scripts: puts Node.js 22 (the supported LTS) first on PATH.
#
# mediasoup 3.27 and mediasoup-client need Node 22, and the uWebSockets.js binary is built per
# Node ABI. The machine's own `node` is used when it is 22.x; otherwise the official Node 22
# binary comes from the npm registry (package node-linux-<arch>, the only place besides apt that
# these machines reach) and is cached in ~/.cache/switchboard/node/<version>. The machine's npm
# keeps working: it runs on whichever `node` is first on PATH.
#
# After sourcing: $SWITCHBOARD_NODE is the node binary in use; node, npm and npx run on Node 22.

SWITCHBOARD_NODE_MAJOR=22
SWITCHBOARD_NODE_VERSION=22.23.3

switchboard_node_runtime() {
  local current=""
  if command -v node >/dev/null 2>&1; then current=$(node -p 'process.versions.node' 2>/dev/null || true); fi
  if [ "${current%%.*}" = "$SWITCHBOARD_NODE_MAJOR" ]; then
    SWITCHBOARD_NODE=$(command -v node)
    return 0
  fi
  command -v npm >/dev/null 2>&1 ||
    { echo "[node] Node.js $SWITCHBOARD_NODE_MAJOR is needed and npm is missing to fetch it; install Node.js 22 LTS." >&2; return 1; }
  local arch
  case "$(uname -m)" in
    x86_64) arch=x64 ;;
    aarch64 | arm64) arch=arm64 ;;
    *) echo "[node] no Node.js $SWITCHBOARD_NODE_MAJOR package for $(uname -m) on the npm registry; install Node.js 22 LTS." >&2; return 1 ;;
  esac
  local cache="${SWITCHBOARD_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/switchboard}/node/$SWITCHBOARD_NODE_VERSION-$arch"
  local bin="$cache/node_modules/node-linux-$arch/bin"
  if ! "$bin/node" --version >/dev/null 2>&1; then
    echo "[node] machine has Node ${current:-none}; fetching Node $SWITCHBOARD_NODE_VERSION (node-linux-$arch) from the npm registry into $cache" >&2
    rm -rf "$cache.tmp"
    npm install --prefix "$cache.tmp" --no-save --no-package-lock --no-audit --no-fund --loglevel=error \
      "node-linux-$arch@$SWITCHBOARD_NODE_VERSION" >&2 ||
      { echo "[node] could not fetch node-linux-$arch@$SWITCHBOARD_NODE_VERSION; the npm registry must be reachable." >&2; return 1; }
    rm -rf "$cache" && mkdir -p "$(dirname "$cache")" && mv "$cache.tmp" "$cache"
    "$bin/node" --version >/dev/null || { echo "[node] the fetched Node binary does not run on this machine." >&2; return 1; }
  fi
  export PATH="$bin:$PATH"
  hash -r
  SWITCHBOARD_NODE="$bin/node"
}

switchboard_node_runtime || exit 1
export SWITCHBOARD_NODE
