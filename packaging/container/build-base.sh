#!/usr/bin/env bash
# Builds the container base image locally, for machines that reach Debian's apt mirror but no
# container registry: Debian 12 (bookworm) from debootstrap's minbase variant, slimmed the way
# Debian's official `bookworm-slim` image is (no manuals, documentation or translations, no apt
# lists), imported into podman as one layer. Elsewhere, `docker.io/library/debian:bookworm-slim`
# is the same thing and the Containerfile takes it with `--build-arg BASE=...`.
#
# Usage (as root): packaging/container/build-base.sh [image name]
#   default name localhost/switchboard-base:bookworm; DEBIAN_MIRROR overrides the mirror.
set -euo pipefail

image=${1:-localhost/switchboard-base:bookworm}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
step() { printf '[base] %s\n' "$*"; }
fail() { printf '[base] FAILED: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || fail "debootstrap needs root (it creates device nodes and chroots)."
for tool in debootstrap podman; do
  command -v "$tool" >/dev/null || fail "$tool is missing: apt-get install -y $tool"
done

work=$(mktemp -d /var/tmp/switchboard-base.XXXXXX)
rootfs=$work/rootfs
# An interrupted debootstrap leaves the host's /proc (and /sys) mounted in the rootfs: unmount
# before removing, or rm would walk into them.
cleanup() {
  for mount in "$rootfs/proc" "$rootfs/sys"; do mountpoint -q "$mount" && umount -l "$mount"; done
  rm -rf "$work"
}
trap cleanup EXIT

started=$(date +%s)
step "debootstrap --variant=minbase bookworm from $mirror"
debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 ||
  { tail -n 30 "$work/debootstrap.log" >&2; fail "debootstrap (log above)"; }

# What makes Debian's image "slim": dpkg skips these paths for every package installed later
# (the Containerfile's apt-get), and the ones already there are removed now.
cat >"$rootfs/etc/dpkg/dpkg.cfg.d/slim" <<'CFG'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-exclude /usr/share/lintian/*
CFG
find "$rootfs/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
find "$rootfs/usr/share/doc" -mindepth 1 -type d -empty -delete
rm -rf "$rootfs"/usr/share/{man,info,locale,lintian}/* "$rootfs"/var/cache/apt/* "$rootfs"/var/lib/apt/lists/* \
  "$rootfs"/var/log/* "$rootfs"/var/cache/debconf/*-old "$rootfs"/tmp/*

# Security updates too, as in Debian's image; apt-get update in a build fetches the lists.
cat >"$rootfs/etc/apt/sources.list" <<SOURCES
deb $mirror bookworm main
deb $mirror bookworm-updates main
deb http://deb.debian.org/debian-security bookworm-security main
SOURCES
# apt in a container: no recommends, no cache of downloaded packages.
cat >"$rootfs/etc/apt/apt.conf.d/90slim" <<'CFG'
APT::Install-Recommends "false";
APT::Install-Suggests "false";
Binary::apt::APT::Keep-Downloaded-Packages "false";
CFG
# The host's resolver and host name do not belong in the image.
: >"$rootfs/etc/resolv.conf"
: >"$rootfs/etc/hostname"

step "podman import as $image"
tar -C "$rootfs" --numeric-owner -cf - . |
  podman import --quiet --change 'CMD ["/bin/bash"]' --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' - "$image" >/dev/null
step "$image: $(podman image inspect --format '{{.Size}}' "$image" | awk '{printf "%.1f MB", $1 / 1e6}') in $(($(date +%s) - started)) s"
