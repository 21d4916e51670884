// Debian's Janus (package `janus`, 1.1.2; bench/baselines/install-janus.sh installs it) run as a
// child process with a generated configuration in a temp dir: only the TextRoom plugin and the
// WebSockets transport, the API on a free loopback port, no STUN/TURN, and stopped by PID.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { sleep } from '../support/time.js';

const START_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 5_000;
// Warnings and errors only: per-handle info lines would cost Janus CPU that the bench measures.
const DEBUG_LEVEL = 3;
const LOG_TAIL_LINES = 40;

/** A running Janus: its PID (for /proc CPU), its WebSocket API URL and the ICE address it uses. */
export interface JanusServer {
  pid: number;
  wsUrl: string;
  iceAddress: string;
  version: string;
  stop(): Promise<void>;
}

/** The folder holding Janus's plugins/ and transports/ as Debian (or a source build) installs them. */
function janusLibDir(): string {
  const candidates = ['/usr/lib/janus', '/opt/janus/lib/janus'];
  for (const dir of readdirSync('/usr/lib')) candidates.push(join('/usr/lib', dir, 'janus'));
  const found = candidates.find((dir) => existsSync(join(dir, 'plugins', 'libjanus_textroom.so')));
  if (found === undefined) throw new Error('Janus is not installed: run `bash bench/baselines/install-janus.sh` (needs root for apt-get)');
  return found;
}

/**
 * The address ICE runs on. Janus 1.1.2 never gathers on a loopback interface (src/ice.c skips
 * IFF_LOOPBACK even when `ice_enforce_list` names it), and benchmarks may only send to loopback
 * or to a network namespace they made: so the Janus baseline runs inside
 * `scripts/test-netns.sh`, on its veth address (`SWITCHBOARD_TEST_LAN_IP`), never on this
 * machine's own interfaces. Enforced with `ice_enforce_list`, IPv6 off.
 */
export function localIceAddress(): string {
  const address = process.env.SWITCHBOARD_TEST_LAN_IP;
  if (address === undefined) {
    throw new Error('the Janus baseline runs inside the test network namespace: bash scripts/test-netns.sh node --conditions=source --import tsx bench/baselines/janus-textroom.ts');
  }
  return address;
}

function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function writeConfig(dir: string, libDir: string, wsPort: number, iceAddress: string): void {
  for (const [folder, library] of [
    ['plugins', 'libjanus_textroom.so'],
    ['transports', 'libjanus_websockets.so'],
  ] as const) {
    mkdirSync(join(dir, folder));
    symlinkSync(join(libDir, folder, library), join(dir, folder, library));
  }
  mkdirSync(join(dir, 'events'));
  mkdirSync(join(dir, 'loggers'));
  writeFileSync(
    join(dir, 'janus.jcfg'),
    `general: {
  configs_folder = "${dir}"
  plugins_folder = "${join(dir, 'plugins')}"
  transports_folder = "${join(dir, 'transports')}"
  events_folder = "${join(dir, 'events')}"
  loggers_folder = "${join(dir, 'loggers')}"
  debug_level = ${DEBUG_LEVEL}
  # The bench stops Janus itself; no keepalives needed on its sessions.
  session_timeout = 0
  server_name = "switchboard-bench"
}
certificates: {}
media: {}
nat: {
  nice_debug = false
  ice_enforce_list = "${iceAddress}"
  ignore_mdns = true
}
plugins: {}
transports: {}
loggers: {}
events: {
  broadcast = false
}
`,
  );
  writeFileSync(join(dir, 'janus.plugin.textroom.jcfg'), 'general: {\n  json = "compact"\n  events = false\n}\n');
  writeFileSync(
    join(dir, 'janus.transport.websockets.jcfg'),
    `general: {
  json = "compact"
  ws = true
  ws_port = ${wsPort}
  ws_ip = "127.0.0.1"
  wss = false
}
admin: {
  admin_ws = false
  admin_wss = false
}
`,
  );
}

/** Resolves once a WebSocket with Janus's subprotocol opens on `url`. */
async function waitForApi(url: string, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`Janus exited with code ${child.exitCode}:\n${log()}`);
    const opened = await new Promise<boolean>((resolve) => {
      const ws = new WebSocket(url, 'janus-protocol');
      ws.once('open', () => {
        ws.close();
        resolve(true);
      });
      ws.once('error', () => resolve(false));
    });
    if (opened) return;
    await sleep(100);
  }
  throw new Error(`Janus's WebSockets API did not open within ${START_TIMEOUT_MS} ms:\n${log()}`);
}

/** Starts Janus with a fresh config; `stop()` ends it by PID and removes the config. */
export async function startJanus(): Promise<JanusServer> {
  const libDir = janusLibDir();
  // Janus has no --version; --help starts with "Janus version: 1102 (1.1.2)".
  const help = spawnSync('janus', ['--help'], { encoding: 'utf8', timeout: 5_000 }).stdout ?? '';
  const version = /^Janus version: \d+ \(([^)]+)\)/m.exec(help)?.[1] ?? 'unknown';
  const dir = mkdtempSync(join(tmpdir(), 'janus-bench-'));
  const wsPort = await freeLoopbackPort();
  const iceAddress = localIceAddress();
  writeConfig(dir, libDir, wsPort, iceAddress);
  const child = spawn('janus', ['--config', join(dir, 'janus.jcfg'), '--configs-folder', dir, '--disable-colors'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const keep = (chunk: Buffer): void => {
    lines.push(...chunk.toString().split('\n').filter(Boolean));
    lines.splice(0, Math.max(0, lines.length - LOG_TAIL_LINES));
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = once(child, 'exit');
      process.kill(child.pid!, 'SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const wsUrl = `ws://127.0.0.1:${wsPort}`;
  try {
    await waitForApi(wsUrl, child, () => lines.join('\n'));
  } catch (error) {
    await stop();
    throw error;
  }
  return { pid: child.pid!, wsUrl, iceAddress, version, stop };
}
