#!/usr/bin/env bash
# Runs a command in a network namespace of its own (a user namespace: no root needed), with
# loopback and one veth interface holding 10.213.0.1/24 as its default route.
#
# Why: Firefox never pairs its ICE candidates with a server's loopback candidates (whatever its
# media.peerconnection.ice.loopback pref says), so a browser test needs the server on an address
# that is not loopback; and tests may only send to loopback or to namespaces they made. Inside,
# SWITCHBOARD_TEST_LAN_IP names that address: test servers listen for WebRTC on 127.0.0.1 and
# on it (--rtc-lan-ip), as a development server does on a LAN address. Nothing outside the
# namespace is reachable from it, and it ends with the command.
set -euo pipefail
if [ "${1:-}" = "--inside" ]; then
  shift
  ip link set lo up
  ip link add sb0 type veth peer name sb1
  ip addr add 10.213.0.1/24 dev sb0
  ip link set sb0 up
  ip link set sb1 up
  ip route replace default dev sb0
  SWITCHBOARD_TEST_LAN_IP=10.213.0.1 exec "$@"
fi
command -v ip >/dev/null || { echo "test-netns: the ip command (Debian package iproute2) is missing; run scripts/setup.sh --for-tests" >&2; exit 1; }
exec unshare --user --map-root-user --net bash "$0" --inside "$@"
