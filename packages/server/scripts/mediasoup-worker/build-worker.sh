#!/usr/bin/env bash
# Build mediasoup-worker from an installed mediasoup package's own worker/
# source, against Debian bookworm system libraries.
#
# Why: mediasoup's postinstall downloads a prebuilt worker from GitHub or,
# failing that, meson and the C/C++ dependencies from PyPI and GitHub. Neither
# is reachable on our machines; only Debian's apt repositories are. So the
# dependencies come from apt, patch-meson.py points meson at them, and the
# headers in compat/ bridge the API differences between mediasoup's pinned
# dependency versions and bookworm's.
#
# Usage: build-worker.sh <mediasoup-package-dir> <out-file>
# Normally run by ensure-worker.mjs, which caches the result.
set -euo pipefail

log() { printf '[mediasoup-worker] %s\n' "$*"; }
die() { printf '[mediasoup-worker] error: %s\n' "$*" >&2; exit 1; }

[[ $# -eq 2 ]] || die "usage: $0 <mediasoup-package-dir> <out-file>"
[[ -f $1/worker/meson.build ]] || die "$1/worker/meson.build not found: not an installed mediasoup package"
pkg_dir=$(cd "$1" && pwd)
out_file=$2
recipe_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
started=$SECONDS

# --- apt build dependencies -------------------------------------------------
deps=(build-essential pkg-config python3 meson ninja-build flatbuffers-compiler libflatbuffers-dev
      libssl-dev libuv1-dev libsrtp2-dev libabsl-dev libusrsctp-dev liburing-dev)
missing=()
for dep in "${deps[@]}"; do
  # `dpkg -s` also succeeds for removed-but-not-purged packages; only
  # "install ok installed" means the headers are actually there.
  dpkg -s "$dep" 2>/dev/null | grep -q '^Status: install ok installed' || missing+=("$dep")
done
if ((${#missing[@]})); then
  if [[ $(id -u) -eq 0 ]]; then
    as_root=()
  elif command -v sudo >/dev/null; then
    as_root=(sudo)
  else
    die "missing build packages: ${missing[*]}. Not root and no sudo; install them with: apt-get install ${missing[*]}"
  fi
  log "installing build packages: ${missing[*]}"
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# --- patched copy of the worker source ---------------------------------------
work=$(mktemp -d "${TMPDIR:-/tmp}/mediasoup-worker.XXXXXX")
tmp_out="$out_file.tmp.$$"
trap 'rm -rf "$work" "$tmp_out"' EXIT
build_log="$work/build.log"
src="$work/worker"

# Runs a build step with its (long) output going to the log; on failure shows
# the tail and keeps the full log beside <out-file>, since $work is removed.
step() {
  local what=$1; shift
  if ! "$@" >>"$build_log" 2>&1; then
    printf '[mediasoup-worker] ---- last 40 lines of the build log ----\n' >&2
    tail -n 40 "$build_log" >&2
    mkdir -p "$(dirname "$out_file")"
    cp "$build_log" "$out_file.build.log"
    die "$what failed; full log: $out_file.build.log"
  fi
}

version=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["version"])' "$pkg_dir/package.json")
log "building mediasoup-worker $version from $pkg_dir/worker in $work"
cp -R "$pkg_dir/worker" "$src"
rm -rf "$src/out" "$src/build"   # a previously installed binary or stale build has no business here

step "patching meson.build for system libraries" python3 "$recipe_dir/patch-meson.py" "$src" "$recipe_dir/compat"

# Debian's OpenSSL is built with kernel TLS. mediasoup's onSslBioOut() returns
# 1 for every BIO ctrl callback (it tests `operationType == BIO_CB_RETURN`, but
# ctrl callbacks arrive as BIO_CB_CTRL|BIO_CB_RETURN), so BIO_get_ktls_send()
# reads as true on the memory BIO, libssl never allocates the DTLS write buffer
# and the worker segfaults on the first real DTLS handshake. Testing the bit
# instead of the whole value fixes it.
dtls="$src/src/RTC/DtlsTransport.cpp"
grep -qF '(operationType == BIO_CB_RETURN) ?' "$dtls" \
  || die "DTLS fix: '(operationType == BIO_CB_RETURN) ?' not found in worker/src/RTC/DtlsTransport.cpp; mediasoup changed this code, re-check whether the fix is still needed"
sed -i 's/(operationType == BIO_CB_RETURN) ?/(operationType \& BIO_CB_RETURN) ?/' "$dtls"
if grep -qF '(operationType == BIO_CB_RETURN) ?' "$dtls" || ! grep -qF '(operationType & BIO_CB_RETURN) ?' "$dtls"; then
  die "DTLS fix did not apply to worker/src/RTC/DtlsTransport.cpp"
fi
log "applied DTLS BIO callback fix"

# --- meson build -------------------------------------------------------------
cd "$src"
log "meson setup (system libraries only, no downloads)"
step "meson setup" meson setup build --buildtype=release -Db_ndebug=true --wrap-mode=nofallback
# The generated FBS headers must exist before any C++ compile starts (upstream's
# tasks.py does the same), so generate them as a separate first step.
log "generating flatbuffers headers"
step "flatbuffers header generation" meson compile -C build flatbuffers-generator
jobs=$(nproc)
log "compiling with $jobs jobs (about 4-5 min on 2 cores; log: $build_log)"
step "compiling mediasoup-worker" meson compile -C build -j "$jobs" mediasoup-worker

# --- install -----------------------------------------------------------------
strip build/mediasoup-worker
mkdir -p "$(dirname "$out_file")"
install -m 755 build/mediasoup-worker "$tmp_out"
# mediasoup's own validity check: without MEDIASOUP_VERSION in its env the
# worker exits with 41. Anything else means it cannot run on this host.
status=0
env -i "$tmp_out" >/dev/null 2>&1 || status=$?
[[ $status -eq 41 ]] || die "built binary failed its self-check (exit status $status, expected 41)"
mv -f "$tmp_out" "$out_file"
log "installed $out_file ($(stat -c %s "$out_file") bytes) in $((SECONDS - started)) s"
