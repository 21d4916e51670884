import { expect } from 'chai';
import { Redis } from 'ioredis';
import type { RedisRoomBus } from '../../src/cluster/redis-room-bus.js';
import { Logger } from '../../src/log.js';
import { startTestRedis } from '../support/redis-server.js';
import { replicaSynced, startSentinelGroup, type TestSentinelGroup } from '../support/redis-sentinel.js';
import { sleep, waitFor } from '../support/test-server.js';
import { freshPrefix, message, peer, Recorder, redisBus, text } from './bus-support.js';
import { NumberedTraffic } from './bus-traffic.js';

// Two nodes find Redis through three sentinels and wait for one replica (Redis WAIT) before
// acknowledging; the primary is killed (SIGKILL) during numbered reliable traffic.
describe('Redis room bus: failover with Redis Sentinel', function () {
  this.timeout(90_000);
  let group: TestSentinelGroup;
  let buses: RedisRoomBus[] = [];

  before(async () => {
    group = await startSentinelGroup();
  });
  after(async () => {
    await Promise.all(buses.map((bus) => bus.close()));
    await group?.close();
  });

  it('follows the new primary: members kept, nothing acknowledged lost, nothing refused delivered, each once in order', async () => {
    const prefix = freshPrefix();
    const endpoint = { sentinels: group.sentinels, masterName: group.masterName };
    // What the nodes log (warnings up), shown with a failed check about members or gaps.
    const log: string[] = [];
    const logger = (node: string) => new Logger('warn', { node }, (line) => log.push(line));
    // A TTL above the reconnection delay (up to 1 s): the nodes come back to the new primary
    // at different moments, and the first back must not take the other for dead.
    const settings = { endpoint, waitReplicas: 1, timeoutMs: 1000, heartbeatMs: 100, nodeTtlMs: 2000 };
    buses = await Promise.all(['a', 'b'].map((id) => redisBus('', id, prefix, { ...settings, logger: logger(id) })));
    const recorders = [new Recorder(), new Recorder()];
    const channels = await Promise.all(buses.map((bus, i) => bus.openRoom('ha', recorders[i]!)));
    await Promise.all(channels.map((channel, i) => channel.putPeer(peer(`p${i}`, buses[i]!.nodeId))));
    const traffic = new NumberedTraffic(channels.map((channel, i) => ({ id: `p${i}`, channel })), 10);
    await waitFor(() => recorders.every((r) => r.reliableMessages.length >= 20), 'traffic to reach both nodes', 10_000);

    const killedAt = Date.now();
    await group.primary.stop();
    await waitFor(() => buses.every((bus) => !bus.health().reachable), 'the nodes to lose the primary', 5000);
    const acceptedBefore = traffic.accepted;
    await waitFor(() => traffic.accepted > acceptedBefore, 'a message to be accepted through the new primary', 30_000);
    const failoverMs = Date.now() - killedAt;
    expect(await group.currentPrimaryPort()).to.equal(group.replica.port);
    // The promoted replica has no replica of its own: each acknowledgement now waits out WAIT
    // (0.75 s). The heartbeats keep their pace meanwhile (they have a connection of their own).
    const ages = await heartbeatAgesWhile(group.replica.port, `${prefix}nodes`, () => traffic.accepted > acceptedBefore + 10, 20_000);
    const medianAgeMs = ages.sort((x, y) => x - y)[Math.floor(ages.length / 2)] ?? Infinity;
    expect(medianAgeMs, `median age of the oldest heartbeat, ms (${ages.length} samples)`).to.be.below(300);

    await traffic.stop();
    const last = traffic.lastSeq;
    await waitFor(() => recorders.every((r) => (r.reliableMessages.at(-1)?.seq ?? 0) >= last), 'every node to read the whole log', 15_000);
    const verdict = traffic.verdict(recorders);
    console.log(`      Sentinel failover: ${JSON.stringify({ ...verdict, failoverMs, medianAgeMs, maxAgeMs: ages.at(-1) })}`);
    expect(verdict.refusedYetDelivered, 'refused yet delivered').to.equal(0);
    expect(verdict.silentlyLost + verdict.reportedLost, 'acknowledged, then lost').to.equal(0);
    expect(verdict.duplicates, 'duplicates').to.equal(0);
    expect(verdict.reordered, 'out of sender order').to.equal(0);
    for (const recorder of recorders) {
      const seen = JSON.stringify({ left: recorder.left.map(({ peer, reason }) => [peer.id, reason]), gaps: recorder.gaps, log });
      expect(recorder.left, `members declared gone: ${seen}`).to.deep.equal([]);
      expect(recorder.gaps, `gaps: ${seen}`).to.deep.equal([]);
    }
    expect([...(await buses[0]!.roomPeers('ha'))].map((p) => p.id).sort()).to.deep.equal(['p0', 'p1']);
  });
});

describe('Redis room bus: with --redis-wait-replicas, nodes deliver only what a replica has', function () {
  this.timeout(60_000);

  it('holds a message read from the primary until the replica has it (a failover then cannot take back a delivery)', async () => {
    const primary = await startTestRedis();
    const replica = await startTestRedis({ args: ['--replicaof', '127.0.0.1', String(primary.port)] });
    const prefix = freshPrefix();
    // A WAIT far longer than the pause below: only the replica's answer can release the message.
    const settings = { waitReplicas: 1, timeoutMs: 10_000 };
    const buses: RedisRoomBus[] = [];
    try {
      const url = `redis://127.0.0.1:${primary.port}`;
      await replicaSynced(replica.port);
      buses.push(...(await Promise.all(['a', 'b'].map((id) => redisBus(url, id, prefix, settings)))));
      const recorders = [new Recorder(), new Recorder()];
      const channels = await Promise.all(buses.map((bus, i) => bus.openRoom('held', recorders[i]!)));
      await channels[0]!.publishReliable(message('p0', 'before'));
      await waitFor(() => recorders.every((r) => r.reliableMessages.length === 1), 'the first message everywhere');

      replica.pause();
      const published = channels[0]!.publishReliable(message('p0', 'while the replica is frozen'));
      await sleep(500);
      expect(recorders.map((r) => r.reliableMessages.map(text)), 'delivered before the replica had it').to.deep.equal([['before'], ['before']]);
      replica.resume();
      expect(await published).to.be.above(0);
      await waitFor(() => recorders.every((r) => r.reliableMessages.length === 2), 'the second message everywhere, once the replica has it');
      expect(recorders.map((r) => r.reliableMessages.map(text))).to.deep.equal([
        ['before', 'while the replica is frozen'],
        ['before', 'while the replica is frozen'],
      ]);
    } finally {
      replica.resume();
      await Promise.all(buses.map((bus) => bus.close()));
      await replica.close();
      await primary.close();
    }
  });
});

// The age of the oldest node heartbeat in Redis (its clock), sampled every 50 ms until `done`.
const OLDEST_BEAT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local oldest = 0
local beats = redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')
for i = 2, #beats, 2 do oldest = math.max(oldest, now - tonumber(beats[i])) end
return oldest`;

async function heartbeatAgesWhile(port: number, key: string, done: () => boolean, timeoutMs: number): Promise<number[]> {
  const client = new Redis({ host: '127.0.0.1', port });
  const ages: number[] = [];
  try {
    const deadline = Date.now() + timeoutMs;
    while (!done()) {
      if (Date.now() > deadline) throw new Error('timed out waiting for traffic to flow again');
      ages.push(Number(await client.eval(OLDEST_BEAT, 1, key)));
      await sleep(50);
    }
    return ages;
  } finally {
    client.disconnect();
  }
}
