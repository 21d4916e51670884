// `npm run bench:room-bus`: the cluster's room bus on a local Redis, printed as Markdown tables:
// what crossing nodes through Redis adds to a reliable or lossy message, how many reliable
// messages one room sequences per second, and how long a killed node's peers take to leave.
// Both nodes of the latency runs are in this one process (separate Redis connections), so they
// share its event loop: the figures include that, not a network between machines.
import { spawn } from 'node:child_process';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { LocalRoomBus } from '../../packages/server/src/cluster/local-room-bus.js';
import { RedisRoomBus } from '../../packages/server/src/cluster/redis-room-bus.js';
import type { BusLeaveReason, BusMessage, BusPeer, RoomBusHandlers, RoomChannel, SequencedMessage } from '../../packages/server/src/cluster/room-bus.js';
import { Logger } from '../../packages/server/src/log.js';
import { startTestRedis, type TestRedis } from '../../packages/server/test/support/redis-server.js';
import { fmt, percentiles, printTable } from '../support/stats.js';
import { sleep, withTimeout } from '../support/time.js';

const LATENCY_MESSAGES = 2000;
const LATENCY_INTERVAL_MS = 2;
const THROUGHPUT_MESSAGES = 20_000;
const THROUGHPUT_IN_FLIGHT = 64;
const BODY = new Uint8Array(100);
const DEATH_RUNS = 3;
const TIMING = { heartbeatMs: 1000, nodeTtlMs: 5000 };
const NODE_SCRIPT = fileURLToPath(new URL('../../packages/server/test/cluster/bus-node-process.ts', import.meta.url));

/** Handlers that time deliveries by the number in the body's first 8 bytes (send time, ms). */
class Timer implements RoomBusHandlers {
  readonly reliableMs: number[] = [];
  readonly lossyMs: number[] = [];
  readonly left: string[] = [];
  reliable(message: SequencedMessage): void {
    this.reliableMs.push(performance.now() - sentAt(message));
  }
  lossy(message: BusMessage): void {
    this.lossyMs.push(performance.now() - sentAt(message));
  }
  gap(): void {}
  readDone(): void {}
  peerJoined(): void {}
  peerUpdated(): void {}
  peerLeft(peer: BusPeer, _reason: BusLeaveReason): void {
    this.left.push(peer.id);
  }
}

function stamped(): BusMessage {
  const body = new Uint8Array(BODY.byteLength);
  new DataView(body.buffer).setFloat64(0, performance.now());
  return { from: 'sender', targets: undefined, topic: undefined, body };
}

function sentAt(message: BusMessage): number {
  return new DataView(message.body.buffer, message.body.byteOffset, message.body.byteLength).getFloat64(0);
}

function redisBus(redis: TestRedis, nodeId: string, prefix: string): RedisRoomBus {
  return new RedisRoomBus({
    endpoint: { url: redis.url },
    timeoutMs: 1000,
    waitReplicas: 0,
    nodeId,
    keyPrefix: prefix,
    ...TIMING,
    log: { maxBytes: 8 << 20, maxAgeMs: 35_000, minRetainMs: 10_000 },
    lingerMs: 35_000,
    logger: new Logger('error'),
  });
}

async function paced(channel: RoomChannel, kind: 'reliable' | 'lossy'): Promise<void> {
  for (let i = 0; i < LATENCY_MESSAGES; i++) {
    if (kind === 'reliable') await channel.publishReliable(stamped());
    else channel.publishLossy(stamped());
    await sleep(LATENCY_INTERVAL_MS);
  }
}

async function latency(redis: TestRedis): Promise<string[][]> {
  const local = new LocalRoomBus('solo', { maxBytes: 8 << 20, maxAgeMs: 35_000 });
  const localTimer = new Timer();
  await paced(await local.openRoom('room', localTimer), 'reliable');

  const [a, b] = [redisBus(redis, 'a', 'lat:'), redisBus(redis, 'b', 'lat:')];
  await Promise.all([a.ready(), b.ready()]);
  const [sameNode, otherNode] = [new Timer(), new Timer()];
  const channel = await a.openRoom('room', sameNode);
  await b.openRoom('room', otherNode);
  await paced(channel, 'reliable');
  await paced(channel, 'lossy');
  await sleep(200);
  await Promise.all([a.close(), b.close()]);
  const row = (path: string, samples: number[]): string[] => {
    const p = percentiles(samples);
    return [path, fmt(p.p50, 3), fmt(p.p99, 3), `${p.count}/${LATENCY_MESSAGES}`];
  };
  return [
    row('reliable, local bus (one node, no Redis)', localTimer.reliableMs),
    row('reliable, Redis bus, back to the sending node', sameNode.reliableMs),
    row('reliable, Redis bus, to another node', otherNode.reliableMs),
    row('lossy, Redis bus, to another node', otherNode.lossyMs),
  ];
}

async function throughput(redis: TestRedis): Promise<string[]> {
  const [a, b] = [redisBus(redis, 'a', 'tp:'), redisBus(redis, 'b', 'tp:')];
  await Promise.all([a.ready(), b.ready()]);
  const receiver = new Timer();
  const channel = await a.openRoom('room', new Timer());
  await b.openRoom('room', receiver);
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: THROUGHPUT_IN_FLIGHT }, async () => {
      while (next < THROUGHPUT_MESSAGES) {
        next++;
        await channel.publishReliable(stamped());
      }
    }),
  );
  const sequenced = performance.now() - started;
  await withTimeout(
    (async () => {
      while (receiver.reliableMs.length < THROUGHPUT_MESSAGES) await sleep(5);
    })(),
    30_000,
    'every message at the other node',
  );
  const delivered = performance.now() - started;
  await Promise.all([a.close(), b.close()]);
  return [
    `${THROUGHPUT_MESSAGES} × ${BODY.byteLength} B, ${THROUGHPUT_IN_FLIGHT} in flight`,
    fmt((THROUGHPUT_MESSAGES / sequenced) * 1000, 0),
    fmt((THROUGHPUT_MESSAGES / delivered) * 1000, 0),
  ];
}

async function deathDetection(redis: TestRedis): Promise<number[]> {
  const times: number[] = [];
  for (let run = 0; run < DEATH_RUNS; run++) {
    const prefix = `death${run}:`;
    const observer = redisBus(redis, 'observer', prefix);
    await observer.ready();
    const timer = new Timer();
    await observer.openRoom('room', timer);
    const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', NODE_SCRIPT, redis.url, prefix, 'victim', 'room', 'p1', 'p2'], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, BUS_HEARTBEAT_MS: String(TIMING.heartbeatMs), BUS_NODE_TTL_MS: String(TIMING.nodeTtlMs) },
    });
    await withTimeout(new Promise<void>((resolve) => child.stdout!.on('data', (c: Buffer) => c.toString().includes('ready') && resolve())), 20_000, 'the victim node');
    // Kill at a random point of the heartbeat cycle.
    await sleep(Math.random() * TIMING.heartbeatMs);
    const killedAt = performance.now();
    child.kill('SIGKILL');
    await withTimeout(
      (async () => {
        while (timer.left.length < 2) await sleep(5);
      })(),
      20_000,
      'the victim’s peers to leave',
    );
    times.push(performance.now() - killedAt);
    await observer.close();
  }
  return times;
}

async function main(): Promise<void> {
  console.log('# Switchboard room bus benchmarks');
  console.log(`\n${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}; a local redis-server without persistence.`);
  const redis = await startTestRedis();
  try {
    printTable(
      `Delivery latency through the bus (${LATENCY_MESSAGES} messages of ${BODY.byteLength} B, one every ${LATENCY_INTERVAL_MS} ms)`,
      ['Path', 'p50 ms', 'p99 ms', 'Delivered'],
      await latency(redis),
    );
    printTable('Reliable messages of one room through Redis', ['Run', 'sequenced/s', 'delivered at the other node/s'], [await throughput(redis)]);
    const deaths = await deathDetection(redis);
    printTable(
      `A killed node's peers leave (heartbeat ${TIMING.heartbeatMs} ms, TTL ${TIMING.nodeTtlMs} ms; bound ${TIMING.nodeTtlMs + TIMING.heartbeatMs} ms)`,
      ['Run', 'ms from kill -9 to peerLeft at the other node'],
      deaths.map((ms, i) => [String(i + 1), fmt(ms, 0)]),
    );
  } finally {
    await redis.close();
  }
}

await main();
process.exit(0);
