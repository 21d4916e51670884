import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { GrantName } from '@switchboard/sdk/protocol';
import { AccessToken } from '../../packages/server/src/auth/access-token.js';
import { DEV_SECRETS } from '../../packages/server/src/config.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const START_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 5_000;

/**
 * A Switchboard server in a child process (dev mode, one mediasoup worker, free loopback ports),
 * so its CPU can be measured apart from the benchmark's peers. The rate limit is lifted: the
 * default 200 msg/s per peer would reject most of a throughput run.
 */
export class ServerProcess {
  private constructor(
    private readonly child: ChildProcess,
    /** `http://127.0.0.1:<port>` */
    readonly httpUrl: string,
    /** The mediasoup worker's PID, from the server's log. */
    readonly workerPid: number,
    /** Warnings and errors the server has logged so far (`level: message`), for the report. */
    readonly problems: readonly string[],
  ) {}

  /**
   * Starts the server, with `flags` added to the defaults, and resolves once it listens and has
   * also logged each of `readyAfter` (e.g. `joined the cluster` for a node of a cluster).
   */
  static async start(flags: readonly string[] = [], readyAfter: readonly string[] = []): Promise<ServerProcess> {
    // SWITCHBOARD_BENCH_CPU_PROF=<dir> profiles the server (`node --cpu-prof`), written on exit.
    const profileDir = process.env.SWITCHBOARD_BENCH_CPU_PROF;
    const args = [
      ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []),
      '--conditions=source',
      '--import',
      'tsx',
      'packages/server/src/main.ts',
      ...['--dev', '--port', '0', '--rtc-port', '0', '--rtc-lan-ip', 'none', '--workers', '1'],
      ...['--messages-per-second', '1000000', '--message-burst', '1000000'],
      ...flags,
    ];
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    const problems: string[] = [];
    let workerPid: number | undefined;
    const awaited = new Set(['listening', ...readyAfter]);
    let listeningUrl = '';
    const listening = new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the server did not log ${[...awaited].join(', ')} within ${START_TIMEOUT_MS} ms`)), START_TIMEOUT_MS);
      child.once('exit', (code) => reject(new Error(`the server exited with code ${code} before listening`)));
      createInterface({ input: child.stdout! }).on('line', (line) => {
        const entry = parseLogLine(line);
        if (entry === undefined) return;
        // Dev mode warns about its own default secrets; that is expected here.
        if ((entry.level === 'warn' || entry.level === 'error') && !String(entry.msg).startsWith('development mode')) {
          problems.push(`${String(entry.level)}: ${String(entry.msg)}`);
        }
        if (entry.msg === 'mediasoup worker started') workerPid = Number(entry.pid);
        if (entry.msg === 'listening') listeningUrl = String(entry.url);
        if (awaited.delete(String(entry.msg)) && awaited.size === 0) {
          clearTimeout(timer);
          resolve(listeningUrl);
        }
      });
    });
    let url: string;
    try {
      url = await listening;
    } catch (error) {
      child.kill('SIGKILL');
      throw error;
    }
    if (workerPid === undefined) throw new Error('the server did not log its mediasoup worker PID');
    return new ServerProcess(child, url, workerPid, problems);
  }

  /** `ws://127.0.0.1:<port>`, for `connect()`. */
  get wsUrl(): string {
    return this.httpUrl.replace(/^http/, 'ws');
  }

  /**
   * The server's two processes, for a CPU meter: the Node process (signaling, envelope
   * checks and stamping, acks) and the mediasoup worker (ICE/DTLS/SCTP of every peer, fan-out).
   */
  get pids(): Record<string, number> {
    return { 'server Node': this.child.pid!, 'mediasoup worker': this.workerPid };
  }

  /** An access token for `identity` in `room`, signed with the dev secret the server uses. */
  token(room: string, identity: string, grants?: readonly GrantName[]): Promise<string> {
    return new AccessToken(DEV_SECRETS.tokenSecret, { room, identity, ttlSeconds: 600, ...(grants ? { grants } : {}) }).toJwt();
  }

  /**
   * A counter from `/metrics`, summed by the value of `label` (e.g. `reason` gives
   * `{ rate_limited: 3, ... }`; series without the label count under '').
   */
  async counter(name: string, label: string): Promise<Record<string, number>> {
    const text = await (await fetch(`${this.httpUrl}/metrics`)).text();
    const sums: Record<string, number> = {};
    for (const line of text.split('\n')) {
      const match = /^([a-z_]+)(\{[^}]*\})? (\S+)$/.exec(line);
      if (match?.[1] !== name) continue;
      const key = new RegExp(`${label}="([^"]*)"`).exec(match[2] ?? '')?.[1] ?? '';
      sums[key] = (sums[key] ?? 0) + Number(match[3]);
    }
    return sums;
  }

  /**
   * Crashes the server: SIGKILL to its Node process and its mediasoup worker at once, as a
   * machine failure would, and resolves once the Node process has exited.
   */
  async kill(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = once(this.child, 'exit');
    this.child.kill('SIGKILL');
    try {
      process.kill(this.workerPid, 'SIGKILL');
    } catch {
      // The worker already went with its parent.
    }
    await exited;
  }

  /** Stops the server (SIGTERM, then SIGKILL if it hangs). */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = once(this.child, 'exit');
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  }
}

function parseLogLine(line: string): Record<string, unknown> | undefined {
  try {
    const entry: unknown = JSON.parse(line);
    return typeof entry === 'object' && entry !== null ? (entry as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
