// `npm run bench:durability`: what each Redis durability setting costs a reliable message, as
// the time from publish to acknowledgement on one node and from publish to its delivery by the
// node's log reader (sequential publishes, 100-byte bodies), printed as a Markdown table. Redis, its replica and the node share this machine, so the
// figures are loopback ones: add the network round trips of a real deployment.
import { RedisRoomBus } from '../../packages/server/src/cluster/redis-room-bus.js';
import type { RoomBusHandlers } from '../../packages/server/src/cluster/room-bus.js';
import { Logger } from '../../packages/server/src/log.js';
import { startTestRedis, type TestRedis, type TestRedisOptions } from '../../packages/server/test/support/redis-server.js';
import { fmt, percentiles, printTable } from '../support/stats.js';

const MESSAGES = 1000;
const BODY = new Uint8Array(100);

/** Handlers that note when each numbered message was delivered. */
function deliveries(at: Map<number, number>): RoomBusHandlers {
  return {
    reliable: (message) => void at.set(message.seq, performance.now()),
    readDone() {},
    lossy() {},
    gap() {},
    peerJoined() {},
    peerUpdated() {},
    peerLeft() {},
  };
}

interface Setting {
  name: string;
  redis: TestRedisOptions;
  replica: boolean;
}

const SETTINGS: Setting[] = [
  { name: 'no persistence', redis: {}, replica: false },
  { name: 'AOF, appendfsync everysec', redis: { appendfsync: 'everysec' }, replica: false },
  { name: 'AOF, appendfsync always', redis: { appendfsync: 'always' }, replica: false },
  { name: 'replica, --redis-wait-replicas 1', redis: {}, replica: true },
];

async function measure(setting: Setting): Promise<{ acked: number[]; delivered: number[] }> {
  const primary = await startTestRedis(setting.redis);
  let replica: TestRedis | undefined;
  if (setting.replica) {
    replica = await startTestRedis({ args: ['--replicaof', '127.0.0.1', String(primary.port)] });
    await new Promise((resolve) => setTimeout(resolve, 1500));
  }
  const bus = new RedisRoomBus({
    endpoint: { url: primary.url },
    timeoutMs: 5000,
    waitReplicas: setting.replica ? 1 : 0,
    nodeId: 'bench',
    heartbeatMs: 1000,
    nodeTtlMs: 5000,
    log: { maxBytes: 8 << 20, maxAgeMs: 35_000, minRetainMs: 10_000 },
    lingerMs: 35_000,
    logger: new Logger('error'),
  });
  try {
    await bus.ready();
    const deliveredAt = new Map<number, number>();
    const channel = await bus.openRoom('durability', deliveries(deliveredAt));
    const acked: number[] = [];
    const startedAt = new Map<number, number>();
    for (let i = 0; i < MESSAGES; i++) {
      const started = performance.now();
      const seq = await channel.publishReliable({ from: 'bench', targets: undefined, topic: undefined, body: BODY });
      acked.push(performance.now() - started);
      startedAt.set(seq, started);
    }
    for (const deadline = Date.now() + 10_000; deliveredAt.size < MESSAGES && Date.now() < deadline; ) await new Promise((resolve) => setTimeout(resolve, 10));
    await channel.close();
    const delivered = [...startedAt].flatMap(([seq, started]) => {
      const at = deliveredAt.get(seq);
      return at === undefined ? [] : [at - started];
    });
    return { acked, delivered };
  } finally {
    await bus.close();
    await replica?.close();
    await primary.close();
  }
}

const rows: string[][] = [];
for (const setting of SETTINGS) {
  const { acked, delivered } = await measure(setting);
  const ack = percentiles(acked);
  const delivery = percentiles(delivered);
  rows.push([setting.name, fmt(ack.p50, 3), fmt(ack.p99, 3), fmt(delivery.p50, 3), fmt(delivery.p99, 3), `${delivered.length}/${MESSAGES}`]);
}
printTable('What each Redis durability setting costs a reliable message', ['Redis setting', 'ack p50 (ms)', 'ack p99 (ms)', 'delivered p50 (ms)', 'delivered p99 (ms)', 'delivered'], rows);
