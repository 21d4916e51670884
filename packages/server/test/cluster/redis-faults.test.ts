import { expect } from 'chai';
import { Redis } from 'ioredis';
import { RedisLink, Script } from '../../src/cluster/redis-link.js';
import type { RedisRoomBus } from '../../src/cluster/redis-room-bus.js';
import { SEED_SEQ } from '../../src/cluster/redis-scripts.js';
import { startTestRedis, type TestRedis, type TestRedisOptions } from '../support/redis-server.js';
import { sleep, waitFor } from '../support/test-server.js';
import { freshPrefix, message, peer, Recorder, redisBus } from './bus-support.js';
import { NumberedTraffic, type TrafficVerdict } from './bus-traffic.js';

const SEND_GAP_MS = 10;

/** Two bus nodes with a room open and a peer each on a Redis of the test's own, and numbered traffic from both peers. */
async function twoNodes(redis: TestRedis): Promise<{ buses: RedisRoomBus[]; recorders: Recorder[]; traffic: NumberedTraffic }> {
  const prefix = freshPrefix();
  const buses = await Promise.all(['a', 'b'].map((id) => redisBus(redis.url, id, prefix, { timeoutMs: 1000 })));
  const recorders = [new Recorder(), new Recorder()];
  const channels = await Promise.all(buses.map((bus, i) => bus.openRoom('chaos', recorders[i]!)));
  await Promise.all(channels.map((channel, i) => channel.putPeer(peer(`p${i}`, buses[i]!.nodeId))));
  const traffic = new NumberedTraffic(channels.map((channel, i) => ({ id: `p${i}`, channel })), SEND_GAP_MS);
  return { buses, recorders, traffic };
}

/** Stops the traffic and waits until every receiver has everything accepted (or was told it is lost). */
async function settle(traffic: NumberedTraffic, recorders: Recorder[]): Promise<TrafficVerdict> {
  await traffic.stop();
  const last = traffic.lastSeq;
  const reached = (r: Recorder) => (r.reliableMessages.at(-1)?.seq ?? 0) >= last || r.gaps.some(([, to]) => to >= last);
  await waitFor(() => recorders.every(reached), 'every node to read the whole log', 15_000);
  return traffic.verdict(recorders);
}

/** Lost ranges name messages that existed, never the numbers skipped after a loss. */
function expectRealGaps(recorders: Recorder[]): void {
  for (const recorder of recorders) for (const [from, to] of recorder.gaps) expect(to - from, `gap ${from}-${to}`).to.be.below(1000);
}

function expectExactlyOnce(verdict: TrafficVerdict): void {
  expect(verdict.refusedYetDelivered, 'refused yet delivered').to.equal(0);
  expect(verdict.silentlyLost, 'accepted, then lost without a word').to.equal(0);
  expect(verdict.duplicates, 'duplicates').to.equal(0);
  expect(verdict.reordered, 'out of sender order').to.equal(0);
}

// Each case: two nodes with numbered reliable traffic both ways while Redis fails one way.
describe('Redis room bus: exactly once, or a typed signal, through Redis faults', function () {
  this.timeout(60_000);
  let redis: TestRedis | undefined;
  let buses: RedisRoomBus[] = [];

  async function start(options: TestRedisOptions = {}): Promise<{ recorders: Recorder[]; traffic: NumberedTraffic }> {
    redis = await startTestRedis(options);
    const started = await twoNodes(redis);
    buses = started.buses;
    return started;
  }

  afterEach(async () => {
    redis?.resume();
    await Promise.all(buses.map((bus) => bus.close()));
    buses = [];
    await redis?.close();
    redis = undefined;
  });

  it('a frozen Redis (SIGSTOP 5 s): unreachable within 2 s, refusals within 2 s and never delivered, no node declared dead', async () => {
    const { recorders, traffic } = await start();
    await sleep(500);
    const frozenAt = Date.now();
    redis!.pause();
    await waitFor(() => buses.every((bus) => !bus.health().reachable), 'both nodes to see Redis stalled', 3000);
    const detectedMs = Date.now() - frozenAt;
    await sleep(5000 - detectedMs);
    redis!.resume();
    const resumedAt = Date.now();
    await waitFor(() => buses.every((bus) => bus.health().reachable), 'both nodes to recover', 10_000);
    const recoveredMs = Date.now() - resumedAt;
    const acceptedBefore = traffic.accepted;
    await waitFor(() => traffic.accepted > acceptedBefore + 20, 'traffic to flow again', 10_000);
    const verdict = await settle(traffic, recorders);
    console.log(`      SIGSTOP 5 s: ${JSON.stringify({ ...verdict, detectedMs, recoveredMs })}`);
    expect(detectedMs).to.be.at.most(2000);
    expect(verdict.refused).to.be.above(0);
    expect(verdict.slowestRefusalMs).to.be.at.most(2000);
    expectExactlyOnce(verdict);
    expect(verdict.reportedLost).to.equal(0);
    for (const recorder of recorders) expect(recorder.left, 'peers declared gone after the freeze').to.deep.equal([]);
  });

  // Kills Redis during the traffic, starts it again, and waits until both nodes serve again.
  async function killAndRestart(traffic: { accepted: number }): Promise<void> {
    await sleep(500);
    await redis!.stop();
    await sleep(300);
    await redis!.start();
    await waitFor(() => buses.every((bus) => bus.health().reachable), 'both nodes to recover', 10_000);
    const acceptedBefore = traffic.accepted;
    await waitFor(() => traffic.accepted > acceptedBefore + 20, 'traffic to flow again', 10_000);
  }

  it('Redis killed and restarted empty: every node is told which accepted messages it will never get', async () => {
    const { recorders, traffic } = await start();
    await killAndRestart(traffic);
    const verdict = await settle(traffic, recorders);
    console.log(`      kill, restart empty: ${JSON.stringify({ ...verdict, gaps: recorders.map((r) => r.gaps) })}`);
    expectExactlyOnce(verdict);
    expectRealGaps(recorders);
  });

  it('Redis restarted empty: a node that had not read the last messages is told exactly which, and numbering never repeats', async () => {
    redis = await startTestRedis();
    const prefix = freshPrefix();
    buses = await Promise.all(['a', 'b'].map((id) => redisBus(redis!.url, id, prefix)));
    const [ra, rb] = [new Recorder(), new Recorder()];
    const channelA = await buses[0]!.openRoom('lost', ra);
    await buses[1]!.openRoom('lost', rb);
    for (let i = 1; i <= 3; i++) await channelA.publishReliable(message('x', `m${i}`));
    await waitFor(() => rb.reliableMessages.length === 3, 'b to read the first three');
    // Cut b's reader off; before it reconnects, two more are logged and Redis dies with them.
    const admin = new Redis(redis.url);
    const readerId = /id=(\d+) .*name=switchboard:b:reader/.exec(String(await admin.call('CLIENT', 'LIST')))?.[1];
    await admin.call('CLIENT', 'KILL', 'ID', readerId!);
    admin.disconnect();
    expect(await channelA.publishReliable(message('x', 'm4'))).to.equal(4);
    expect(await channelA.publishReliable(message('x', 'm5'))).to.equal(5);
    await waitFor(() => ra.reliableMessages.length === 5, 'a to read its own two', 200);
    await redis.stop();
    await redis.start();
    await waitFor(() => buses.every((bus) => bus.health().reachable), 'both nodes to recover', 10_000);
    const next = await channelA.publishReliable(message('x', 'after'));
    expect(next).to.be.above(5);
    await waitFor(() => rb.reliableMessages.at(-1)?.seq === next, 'b to read the message after the restart');
    expect(rb.gaps).to.deep.equal([[4, 5]]);
    expect(rb.reliableMessages.map((m) => m.seq)).to.deep.equal([1, 2, 3, next]);
    expect(ra.gaps).to.deep.equal([]);
  });

  it('marks a loss once per episode: a node that already read the marker adds nothing, one that knew more adds the rest', async () => {
    redis = await startTestRedis();
    const client = new Redis(redis.url);
    const link = new RedisLink(client, 3000);
    const seed = (seen: number) => new Script(SEED_SEQ).run(link, ['x:', 'r', seen, 50_000, 60_000]);
    try {
      expect(await seed(103)).to.equal(50_103);
      // A node whose reader read the marker reports its number: nothing more was lost.
      expect(await seed(50_103)).to.equal(0);
      // A node that had read further before the loss: one more marker, for 104-105.
      expect(await seed(105)).to.equal(50_104);
      expect(await seed(104)).to.equal(0);
      const markers = (await client.xrange('x:room:r:log', '-', '+')).map(([id, fields]) => [id, fields[1]]);
      expect(markers).to.deep.equal([['50103-0', '103'], ['50104-0', '105']]);
    } finally {
      client.disconnect();
    }
  });

  it('Redis killed and restarted with its append-only file (appendfsync always): nothing accepted is lost', async () => {
    const { recorders, traffic } = await start({ appendfsync: 'always' });
    await killAndRestart(traffic);
    const verdict = await settle(traffic, recorders);
    console.log(`      kill, restart with AOF: ${JSON.stringify(verdict)}`);
    expectExactlyOnce(verdict);
    expect(verdict.reportedLost).to.equal(0);
    for (const recorder of recorders) expect(recorder.gaps).to.deep.equal([]);
  });
});
