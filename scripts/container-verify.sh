#!/usr/bin/env bash
# Builds the Switchboard container image on this machine and shows it working, as far as the
# machine allows (docs/deploy.md#container): installs podman, debootstrap and docker-compose from
# apt if missing, builds the Debian base (packaging/container/build-base.sh), the build context
# and the image, starts it on the host network bound to 127.0.0.1 with a mounted config file,
# waits for its HEALTHCHECK, joins a room through it from outside with the Node SDK (two peers,
# a message each way), then does the same with the three-node compose cluster (peers on two
# nodes). Prints the image's size and the start-to-healthy times; removes every container and
# the compose project it started, by name. Not part of `npm test`: it needs root and minutes.
# Usage (as root): scripts/container-verify.sh [--reuse-base] [--skip-compose]
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD

reuse_base=false
compose=true
for arg in "$@"; do
  case "$arg" in
    --reuse-base) reuse_base=true ;;
    --skip-compose) compose=false ;;
    *) echo "container-verify: unknown option $arg (known: --reuse-base, --skip-compose)" >&2; exit 2 ;;
  esac
done

now_ms() { echo $(($(date +%s%N) / 1000000)); }
seconds() { printf '%d.%02d s' $(($1 / 1000)) $(($1 % 1000 / 10)); }
step() { printf '[verify] %s\n' "$*"; }
fail() { printf '[verify] FAILED: %s\n' "$*" >&2; exit 1; }
started=$(now_ms)

[ "$(id -u)" -eq 0 ] || fail "run as root: debootstrap needs it, and this script runs podman as root."

# 1. Tools from apt.
missing=()
# Compose: Debian 12's podman-compose (1.0.3) adds a network to every service even with
# `network_mode: host`, which podman refuses ("cannot set multiple networks without bridge network
# mode"); Debian's docker-compose (1.29) drives podman through its Docker-compatible API instead.
for p in podman debootstrap docker-compose; do
  [ "$(dpkg-query -W -f '${Status}' "$p" 2>/dev/null)" = "install ok installed" ] || missing+=("$p")
done
if ((${#missing[@]})); then
  step "installing ${missing[*]} from apt"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
step "$(podman --version), debootstrap $(dpkg-query -W -f '${Version}' debootstrap), docker-compose $(dpkg-query -W -f '${Version}' docker-compose)"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# What this kind of machine (a VM without systemd, cgroup v1 with a cgroup2 hierarchy beside it,
# root without CAP_SYS_RESOURCE) needs, for podman and its API service alike, in a containers.conf:
# - no systemd as process 1: the cgroupfs cgroup manager and a file for podman's events;
# - cgroups in "hybrid" mode: crun refuses it ("cgroups in hybrid mode not supported, drop all
#   controllers from cgroupv2"), runc handles it;
# - no CAP_SYS_RESOURCE: podman's default rlimits for root (above the host's) cannot be set
#   ("error setting rlimit type 7: operation not permitted"), so the container keeps the host's
#   open-file limit and at most 32768 processes (the most runc could set here).
conf=$work/containers.conf
nproc=$(ulimit -Hu)
{ [ "$nproc" = unlimited ] || [ "$nproc" -gt 32768 ]; } && nproc=32768
printf '[containers]\ndefault_ulimits = ["nofile=%s:%s", "nproc=%s:%s"]\n[engine]\n' "$(ulimit -Sn)" "$(ulimit -Hn)" "$nproc" "$nproc" >"$conf"
[ -d /run/systemd/system ] || printf 'cgroup_manager = "cgroupfs"\nevents_logger = "file"\n' >>"$conf"
if grep -qs . /sys/fs/cgroup/unified/cgroup.controllers; then
  [ "$(dpkg-query -W -f '${Status}' runc 2>/dev/null)" = "install ok installed" ] ||
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends runc >/dev/null
  printf 'runtime = "runc"\n' >>"$conf"
fi
export CONTAINERS_CONF=$conf
step "podman settings for this machine ($conf): $(grep -v '^\[' "$conf" | paste -sd ';')"
podman=(podman)

base=localhost/switchboard-base:bookworm
image=localhost/switchboard:0.1.0
redis_image=localhost/switchboard-redis:bookworm
run_id=$$
container=switchboard-verify-$run_id
project=switchboard-verify-$run_id
compose_file=$repo/packaging/container/compose.yaml
compose_cmd() { DOCKER_HOST=unix://$work/podman.sock docker-compose -f "$compose_file" -p "$project" "$@"; }
cleanup() {
  "${podman[@]}" rm -f -t 5 "$container" >/dev/null 2>&1 || true
  if [ -n "${compose_up:-}" ]; then compose_cmd down -t 5 >/dev/null 2>&1 || true; fi
  if [ -n "${api_pid:-}" ]; then kill "$api_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# 2. The base, the context and the image.
if $reuse_base && podman image exists "$base"; then
  step "base $base: reused"
else
  t=$(now_ms)
  bash packaging/container/build-base.sh "$base"
  base_ms=$(($(now_ms) - t))
fi
t=$(now_ms)
bash packaging/container/prepare-context.sh "$work/context"
context_ms=$(($(now_ms) - t))
t=$(now_ms)
# --network host: the RUN step's apt-get reaches the mirror without a container network.
"${podman[@]}" build --quiet --format docker --network host --build-arg BASE="$base" -t "$image" "$work/context" >/dev/null
build_ms=$(($(now_ms) - t))
size=$("${podman[@]}" image inspect --format '{{.Size}}' "$image")
base_size=$("${podman[@]}" image inspect --format '{{.Size}}' "$base")
step "image $image: $((size / 1000000)) MB (base $((base_size / 1000000)) MB); built in $(seconds "$build_ms") (context $(seconds "$context_ms")${base_ms:+, base $(seconds "$base_ms")})"
"${podman[@]}" history --format '{{.Size}}\t{{.CreatedBy}}' "$image" | cut -c1-150 | sed 's/^/[verify]   layer /'

# Free loopback ports: one TCP port for HTTP, one port free for both UDP and TCP per worker.
free_ports() {
  SWITCHBOARD_PORTS_WANTED=$1 bash scripts/with-node.sh node -e '
    const net = require("node:net"), dgram = require("node:dgram");
    const free = (port) => new Promise((resolve) => {
      const tcp = net.createServer().once("error", () => resolve(false)).listen(port, "127.0.0.1", () => {
        const udp = dgram.createSocket("udp4").once("error", () => tcp.close(() => resolve(false)));
        udp.bind(port, "127.0.0.1", () => udp.close(() => tcp.close(() => resolve(true))));
      });
    });
    (async () => {
      const found = [];
      for (let tries = 0; found.length < Number(process.env.SWITCHBOARD_PORTS_WANTED) && tries < 500; tries++) {
        const port = 20000 + Math.floor(Math.random() * 30000);
        if (!found.includes(port) && (await free(port))) found.push(port);
      }
      console.log(found.join(" "));
    })();'
}

# Polls until the container reports healthy (its HEALTHCHECK, run by `podman healthcheck run`:
# without systemd nothing runs it on a timer), at most 60 s; prints the ms it took from $1.
wait_healthy() {
  local name=$1 since=$2
  for _ in $(seq 1 300); do
    if "${podman[@]}" healthcheck run "$name" >/dev/null 2>&1; then echo $(($(now_ms) - since)); return 0; fi
    sleep 0.2
  done
  "${podman[@]}" logs "$name" 2>&1 | tail -n 20 >&2
  fail "$name did not become healthy within 60 s"
}
wait_http() {
  local url=$1 since=$2
  for _ in $(seq 1 600); do
    if curl -fsS -o /dev/null "$url" 2>/dev/null; then echo $(($(now_ms) - since)); return 0; fi
    sleep 0.1
  done
  fail "$url did not answer 200 within 60 s"
}

# 3. One container: config from a mounted file, secrets from the environment.
read -r port rtc_port <<<"$(free_ports 2)"
token_secret=$(head -c 24 /dev/urandom | xxd -p -c 64)
api_secret=$(head -c 24 /dev/urandom | xxd -p -c 64)
cat >"$work/switchboard.yaml" <<YAML
host: 127.0.0.1
port: $port
rtc-ip: 127.0.0.1
rtc-port: $rtc_port
workers: 1
YAML
chmod 644 "$work/switchboard.yaml"
t=$(now_ms)
"${podman[@]}" run -d --name "$container" --network host \
  -v "$work/switchboard.yaml:/etc/switchboard/switchboard.yaml:ro" \
  -e SWITCHBOARD_TOKEN_SECRET="$token_secret" -e SWITCHBOARD_API_SECRET="$api_secret" "$image" >/dev/null
http_ms=$(wait_http "http://127.0.0.1:$port/healthz" "$t")
healthy_ms=$(wait_healthy "$container" "$t")
step "container $container: /healthz 200 from the host $(seconds "$http_ms") after podman run; HEALTHCHECK healthy after $(seconds "$healthy_ms")"
step "  $(curl -fsS "http://127.0.0.1:$port/healthz")"
step "  runs as: $("${podman[@]}" top "$container" user pid args | tail -n +2 | head -n 2 | tr -s ' ' | paste -sd ';')"
step "  the healthcheck: $("${podman[@]}" exec "$container" node /opt/switchboard/healthcheck.mjs)"
api_rooms=$(curl -fsS -H "Authorization: Bearer $api_secret" "http://127.0.0.1:$port/api/rooms")
step "  HTTP API with the secret: /api/rooms -> $api_rooms"

step "joining a room through it with the Node SDK"
SWITCHBOARD_TOKEN_SECRET=$token_secret bash scripts/with-node.sh node --conditions=source --import tsx \
  scripts/container/join-room.ts "ws://127.0.0.1:$port" | sed 's/^/[verify]   /'
t=$(now_ms)
"${podman[@]}" stop -t 10 "$container" >/dev/null
exit_code=$("${podman[@]}" inspect --format '{{.State.ExitCode}}' "$container")
step "podman stop: exit code $exit_code after $(seconds $(($(now_ms) - t))); last log lines:"
"${podman[@]}" logs "$container" 2>&1 | tail -n 3 | cut -c1-200 | sed 's/^/[verify]   /'
[ "$exit_code" = 0 ] || fail "the server exited with $exit_code on SIGTERM"
"${podman[@]}" rm "$container" >/dev/null

# 4. The compose cluster: three nodes and Redis, peers joining through two different nodes.
if ! $compose; then
  step "compose: skipped (--skip-compose)"
else
  t=$(now_ms)
  "${podman[@]}" build --quiet --network host --build-arg BASE="$base" -t "$redis_image" -f packaging/container/Containerfile.redis packaging/container >/dev/null
  step "redis image $redis_image: $(("$("${podman[@]}" image inspect --format '{{.Size}}' "$redis_image")" / 1000000)) MB, built in $(seconds $(($(now_ms) - t)))"
  # podman's Docker-compatible API, for docker-compose; stopped by its PID at exit.
  "${podman[@]}" system service --time=0 "unix://$work/podman.sock" >"$work/podman-service.log" 2>&1 &
  api_pid=$!
  for _ in $(seq 1 50); do [ -S "$work/podman.sock" ] && break; sleep 0.1; done
  read -r p1 p2 p3 r1 r2 r3 redis_port <<<"$(free_ports 7)"
  export SWITCHBOARD_TOKEN_SECRET=$token_secret SWITCHBOARD_API_SECRET=$api_secret SWITCHBOARD_IMAGE=$image \
    SWITCHBOARD_PORT_1=$p1 SWITCHBOARD_PORT_2=$p2 SWITCHBOARD_PORT_3=$p3 \
    SWITCHBOARD_RTC_PORT_1=$r1 SWITCHBOARD_RTC_PORT_2=$r2 SWITCHBOARD_RTC_PORT_3=$r3 SWITCHBOARD_REDIS_PORT=$redis_port
  t=$(now_ms)
  compose_up=yes
  compose_cmd up -d >"$work/compose.log" 2>&1 || { cat "$work/compose.log" >&2; fail "docker-compose up"; }
  for p in $p1 $p2 $p3; do wait_http "http://127.0.0.1:$p/healthz" "$t" >/dev/null; done
  for _ in $(seq 1 100); do
    nodes=$(curl -fsS "http://127.0.0.1:$p1/healthz" | jq -c '.cluster.nodes | sort')
    [ "$nodes" = '["node-1","node-2","node-3"]' ] && break
    sleep 0.2
  done
  [ "$nodes" = '["node-1","node-2","node-3"]' ] || fail "node-1 sees nodes $nodes, not node-1..3"
  step "compose: Redis and 3 nodes up, node-1 sees $nodes, $(seconds $(($(now_ms) - t))) after docker-compose up"
  for name in $("${podman[@]}" ps --filter "label=com.docker.compose.project=$project" --format '{{.Names}}' | sort); do
    case "$name" in *node*) step "  $name: HEALTHCHECK healthy after $(seconds "$(wait_healthy "$name" "$(now_ms)")") more" ;; esac
  done
  step "joining one room through node-1 and node-3 with the Node SDK"
  bash scripts/with-node.sh node --conditions=source --import tsx \
    scripts/container/join-room.ts "ws://127.0.0.1:$p1" "ws://127.0.0.1:$p3" | sed 's/^/[verify]   /'
  t=$(now_ms)
  compose_cmd down -t 10 >>"$work/compose.log" 2>&1
  compose_up=
  step "compose: down in $(seconds $(($(now_ms) - t)))"
fi

left=$("${podman[@]}" ps -a --format '{{.Names}}' | grep -c "$project\|$container" || true)
step "containers of this run left: $left"
step "done in $(seconds $(($(now_ms) - started)))"
