// The key rows of `npm run bench:compare`, measured against ONE build: this file is copied into
// the build's tree and run there, so `@switchboard/sdk` and the server are that build's. It uses
// only what every build since wave 1 has: the SDK's public `connect`/`send`/`on('message')`, the
// server's CLI, its JSON log lines and `GET /dev/token` in dev mode. Prints one JSON line.
//
//   node --conditions=source --import tsx driver.ts            (the measuring process)
//   node --conditions=source --import tsx driver.ts receivers  (its receiver host, forked)
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import wrtc from '@roamhq/wrtc';
import { WebSocket } from 'ws';
import { connect, nodeEnvironment, type Room } from '@switchboard/sdk';

// One thing varied at a time (docs/benchmarks.md): connect options for every peer, and extra
// server flags, as JSON and a space-separated list.
const CONNECT_OPTIONS = JSON.parse(process.env.SWITCHBOARD_COMPARE_CONNECT_OPTIONS ?? '{}') as Record<string, unknown>;
const SERVER_FLAGS = (process.env.SWITCHBOARD_COMPARE_SERVER_FLAGS ?? '').split(' ').filter(Boolean);
const environment = nodeEnvironment({ wrtc, WebSocket });
const connectOptions = { ...CONNECT_OPTIONS, environment };
const TEXT = 'x'.repeat(180);
const LATENCY_MESSAGES = 1000;
const LATENCY_RATE = 200;
const PING_PONG_WARM_UP = 100;
const PING_PONG_ROUND_TRIPS = 1000;
// A run ends after 3 s or 100k deliveries, whichever comes first: what 50 wrtc receivers in one
// process can take in without falling behind (a receiver that does resumes, which a flood of
// 1M deliveries made all of them do).
const FANOUT_MAX_DELIVERIES = 100_000;
const FANOUT_MAX_MS = 3_000;
const DRAIN_IDLE_MS = 5_000;
const DRAIN_MAX_MS = 30_000;
const CLOCK_TICKS = 100;

type Json = Record<string, unknown>;

/** One fan-out row: a sender awaiting each `send()` to `receivers` peers. */
interface FanoutRow {
  deliveriesPerSecond: number;
  sendRate: number;
  delivered: number;
  expected: number;
  /** Server CPU (Node + worker) per 100k deliveries, seconds. */
  serverCpuPer100k: number;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const epochNow = (): number => performance.timeOrigin + performance.now();

function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

/** The build's server in dev mode on free loopback ports, with the rate limit lifted. */
async function startServer(): Promise<{ child: ChildProcess; httpUrl: string; pids: number[] }> {
  const args = ['--conditions=source', '--import', 'tsx', 'packages/server/src/main.ts'];
  args.push('--dev', '--port', '0', '--rtc-port', '0', '--workers', '1', '--messages-per-second', '1000000', '--message-burst', '1000000', ...SERVER_FLAGS);
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  let workerPid = 0;
  const httpUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the server did not listen within 30 s')), 30_000);
    child.once('exit', (code) => reject(new Error(`the server exited with code ${code}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      let entry: Json;
      try {
        entry = JSON.parse(line) as Json;
      } catch {
        return;
      }
      if (entry.msg === 'mediasoup worker started') workerPid = Number(entry.pid);
      if (entry.msg === 'listening') {
        clearTimeout(timer);
        resolve(String(entry.url));
      }
    });
  });
  return { child, httpUrl, pids: [child.pid!, workerPid] };
}

async function token(httpUrl: string, room: string, identity: string): Promise<string> {
  const response = await fetch(`${httpUrl}/dev/token?${new URLSearchParams({ room, identity })}`);
  if (!response.ok) throw new Error(`dev token: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { token: string }).token;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? NaN;
}

/** One-way latency of a targeted message, both peers in this process, sent at a chat's pace. */
async function latency(httpUrl: string): Promise<Json> {
  const ws = httpUrl.replace(/^http/, 'ws');
  const sender = await connect(ws, await token(httpUrl, 'latency', 'sender'), connectOptions);
  const receiver = await connect(ws, await token(httpUrl, 'latency', 'receiver'), connectOptions);
  const samples: number[] = [];
  // Only messages sent while measuring count: a warm-up message late after a stall must not.
  receiver.on('message', (message) => {
    const { t, measured } = message.data as { t: number; measured: boolean };
    if (measured) samples.push(performance.now() - t);
  });
  const run = async (count: number, measured: boolean): Promise<void> => {
    const start = performance.now();
    for (let i = 0; i < count; i++) {
      const due = start + (i * 1000) / LATENCY_RATE;
      if (due > performance.now()) await sleep(due - performance.now());
      // Not awaited: a chat sender does not wait for one message before typing the next.
      sender.send('bench', { t: performance.now(), measured, text: TEXT }, { to: receiver.peerId }).catch(() => undefined);
    }
  };
  await run(100, false);
  await sleep(200);
  await run(LATENCY_MESSAGES, true);
  const deadline = Date.now() + 3000;
  while (samples.length < LATENCY_MESSAGES && Date.now() < deadline) await sleep(20);
  await Promise.all([sender.leave(), receiver.leave()].map((p) => p.catch(() => undefined)));
  samples.sort((a, b) => a - b);
  return { p50: percentile(samples, 50), p99: percentile(samples, 99), received: samples.length, sent: LATENCY_MESSAGES };
}

/**
 * RTT/2 of a targeted message bounced straight back by the other peer, one in flight at a time
 * (as the Janus baseline measures its own), both peers in this process.
 */
async function pingPong(httpUrl: string): Promise<Json> {
  const ws = httpUrl.replace(/^http/, 'ws');
  const a = await connect(ws, await token(httpUrl, 'ping-pong', 'a'), connectOptions);
  const b = await connect(ws, await token(httpUrl, 'ping-pong', 'b'), connectOptions);
  b.on('message', (message) => void b.send('bench', message.data, { to: a.peerId }).catch(() => undefined));
  let answered: (() => void) | undefined;
  a.on('message', () => answered?.());
  const halves: number[] = [];
  for (let i = 0; i < PING_PONG_WARM_UP + PING_PONG_ROUND_TRIPS; i++) {
    const back = new Promise<void>((resolve) => (answered = resolve));
    const start = performance.now();
    a.send('bench', { i, text: TEXT }, { to: b.peerId }).catch(() => undefined);
    // A round trip lost for good (an old build under a fault) ends the row instead of hanging it.
    let timer: NodeJS.Timeout | undefined;
    const lost = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), 5_000)));
    const arrived = await Promise.race([back.then(() => true), lost]);
    clearTimeout(timer);
    if (!arrived) break;
    if (i >= PING_PONG_WARM_UP) halves.push((performance.now() - start) / 2);
  }
  await Promise.all([a.leave(), b.leave()].map((p) => p.catch(() => undefined)));
  halves.sort((x, y) => x - y);
  return { p50: percentile(halves, 50), p99: percentile(halves, 99), count: halves.length };
}

/** `receivers` peers in the receiver host; one sender here awaiting each send (with `sendOptions`). */
async function fanout(httpUrl: string, host: ReceiverHost, serverPids: number[], receivers: number, sendOptions: Json): Promise<FanoutRow> {
  const room = `fanout-${receivers}-${Math.random().toString(36).slice(2)}`;
  const tokens = await Promise.all(Array.from({ length: receivers }, (_, i) => token(httpUrl, room, `r${i}`)));
  await host.call({ cmd: 'join', wsUrl: httpUrl.replace(/^http/, 'ws'), tokens });
  const sender = await connect(httpUrl.replace(/^http/, 'ws'), await token(httpUrl, room, 'sender'), connectOptions);
  try {
    await sender.send('text', { tag: -1, text: TEXT }, sendOptions);
    const ready = (await host.call({ cmd: 'collect', tag: -1, expected: receivers })) as { count: number };
    if (ready.count !== receivers) throw new Error(`${ready.count} of ${receivers} receivers got the warm-up message`);
    const tag = Math.floor(Math.random() * 1e9);
    const cpuBefore = serverPids.map(cpuSeconds);
    const start = performance.now();
    const startEpoch = epochNow();
    let sent = 0;
    const maxMessages = FANOUT_MAX_DELIVERIES / receivers;
    while (sent < maxMessages && performance.now() - start < FANOUT_MAX_MS) {
      await sender.send('text', { tag, text: TEXT }, sendOptions);
      sent++;
    }
    const sendSeconds = (performance.now() - start) / 1000;
    const collected = (await host.call({ cmd: 'collect', tag, expected: sent * receivers })) as { count: number; lastAt: number };
    const cpu = serverPids.map(cpuSeconds).reduce((sum, now, i) => sum + now - cpuBefore[i]!, 0);
    const seconds = (collected.lastAt - startEpoch) / 1000;
    return {
      deliveriesPerSecond: collected.count / seconds,
      sendRate: sent / sendSeconds,
      delivered: collected.count,
      expected: sent * receivers,
      serverCpuPer100k: (cpu / Math.max(1, collected.count)) * 100_000,
    };
  } finally {
    await sender.leave().catch(() => undefined);
    await host.call({ cmd: 'clear' });
  }
}

/** The receivers, in a child process so that their CPU is not the sender's. */
class ReceiverHost {
  private nextId = 1;
  private readonly waiting = new Map<number, (value: unknown) => void>();

  constructor(private readonly child: ChildProcess) {
    child.on('message', (message: { id: number; result: unknown }) => this.waiting.get(message.id)?.(message.result));
  }

  static start(): ReceiverHost {
    return new ReceiverHost(fork(new URL(import.meta.url).pathname, ['receivers'], { execArgv: process.execArgv }));
  }

  call(request: Json): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      this.child.send({ id, ...request });
    });
  }

  stop(): void {
    this.child.kill('SIGKILL');
  }
}

async function hostReceivers(): Promise<void> {
  let rooms: Room[] = [];
  const counts = new Map<number, number>();
  let lastAt = 0;
  const onMessage = (message: { data: unknown }): void => {
    const tag = (message.data as { tag: number }).tag;
    counts.set(tag, (counts.get(tag) ?? 0) + 1);
    lastAt = epochNow();
  };
  process.on('message', (request: Json & { id: number }) => {
    const answer = (result: unknown): void => void process.send!({ id: request.id, result });
    if (request.cmd === 'join') {
      void (async () => {
        for (const t of request.tokens as string[]) {
          const room = await connect(request.wsUrl as string, t, connectOptions);
          room.on('message', onMessage);
          rooms.push(room);
        }
        answer(rooms.length);
      })();
    } else if (request.cmd === 'collect') {
      void (async () => {
        const tag = request.tag as number;
        const started = Date.now();
        let last = -1;
        let lastChange = Date.now();
        while ((counts.get(tag) ?? 0) < (request.expected as number) && Date.now() - started < DRAIN_MAX_MS) {
          const count = counts.get(tag) ?? 0;
          if (count !== last) [last, lastChange] = [count, Date.now()];
          else if (Date.now() - lastChange > DRAIN_IDLE_MS) break;
          await sleep(10);
        }
        answer({ count: counts.get(tag) ?? 0, lastAt });
      })();
    } else if (request.cmd === 'clear') {
      const leaving = rooms;
      rooms = [];
      counts.clear();
      void Promise.all(leaving.map((room) => room.leave().catch(() => undefined))).then(() => answer(true));
    }
  });
}

async function main(): Promise<void> {
  const server = await startServer();
  const host = ReceiverHost.start();
  try {
    const result: Json = { node: process.version };
    // The result so far after every row: an old build that crashes later (wave 1's SDK meets a
    // wrtc crash when a room closes) still leaves what it measured.
    const rows: [string, () => Promise<unknown>][] = [
      ['latency', () => latency(server.httpUrl)],
      ['pingPong', () => pingPong(server.httpUrl)],
      ['fanout10', () => fanout(server.httpUrl, host, server.pids, 10, {})],
      ['fanout50', () => fanout(server.httpUrl, host, server.pids, 50, {})],
      ['fanout10NoReceipt', () => fanout(server.httpUrl, host, server.pids, 10, { receipt: false })],
      ['fanout10Receipt', () => fanout(server.httpUrl, host, server.pids, 10, { receipt: true })],
    ];
    for (const [name, measure] of rows) {
      result[name] = await measure();
      console.log(JSON.stringify(result));
    }
  } finally {
    host.stop();
    server.child.kill('SIGTERM');
    await Promise.race([once(server.child, 'exit'), sleep(5000)]);
  }
}

if (process.argv[2] === 'receivers') {
  void hostReceivers();
} else {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
