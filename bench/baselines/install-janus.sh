#!/usr/bin/env bash
# Installs Debian's Janus WebRTC server (package `janus`, 1.1.2 on bookworm), the outside
# baseline of bench/baselines/janus-textroom.ts. Not part of scripts/setup.sh or `npm test`:
# only that benchmark needs it. Needs root (apt-get); does nothing if Janus is already there.
set -euo pipefail

if command -v janus >/dev/null 2>&1; then
  echo "[install-janus] janus $(dpkg-query -W -f '${Version}' janus 2>/dev/null || true) already installed"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
$SUDO apt-get update
# --no-install-recommends: the plugins and transports come with the package itself.
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends janus
# The package enables a system service on some installs; the benchmark runs its own instance.
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet janus 2>/dev/null; then
  $SUDO systemctl stop janus || true
fi
echo "[install-janus] installed janus $(dpkg-query -W -f '${Version}' janus 2>/dev/null || true)"
