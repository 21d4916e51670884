import assert from 'node:assert/strict';
import { PROTOCOL_VERSION } from '@switchboard/sdk/protocol';
import { TEST_CLUSTER_FLAGS } from '../support/cluster-harness.js';
import { RawSignaling } from '../support/raw-peer.js';
import { startTestRedis, type TestRedis } from '../support/redis-server.js';
import { sleep, startTestServer, waitFor, type TestServer } from '../support/test-server.js';
import { admittedAtMost, floodUpdateSelf, profileBytes } from '../support/update-flood.js';

// The fan-out budget counts every other peer of the room, on every node: peers of other nodes
// hear of each update too (their node tells them), so they cost the same.
describe('cluster: the updateSelf fan-out budget counts the peers of other nodes', function () {
  this.timeout(60_000);
  let redis: TestRedis;
  let a: TestServer;
  let b: TestServer;

  before(async () => {
    redis = await startTestRedis();
    const cluster = (node: string) => ['--redis-url', redis.url, '--node-id', node, ...TEST_CLUSTER_FLAGS];
    a = await startTestServer([...cluster('fanout-a'), '--rate-limit-kick-after', '0', '--fanout-bytes-per-second', '16384']);
    b = await startTestServer(cluster('fanout-b'));
    const joined = (t: TestServer) => t.server.bus.health().nodes.length === 2;
    await waitFor(() => joined(a) && joined(b), 'both nodes to join the cluster', 20_000);
  });
  after(async () => {
    await a?.close();
    await b?.close();
    await redis?.close();
  });

  it('an attacker alone on its node with two victims on another is held to (profile + 128) × 2 per update', async () => {
    const victims = await Promise.all([RawSignaling.open(b.wsUrl), RawSignaling.open(b.wsUrl)]);
    const attacker = await RawSignaling.open(a.wsUrl);
    try {
      for (const [i, victim] of victims.entries()) await victim.request('join', { protocolVersion: PROTOCOL_VERSION, token: await b.token('far', `victim-${i}`) });
      for (let i = 0; (await a.server.bus.roomPeers('far')).length < 2; i++) {
        if (i > 500) throw new Error('the victims were not registered in time');
        await sleep(20);
      }
      const joined = await attacker.request('join', { protocolVersion: PROTOCOL_VERSION, token: await a.token('far', 'attacker') });
      assert.equal(joined.peers.length, 2, 'the attacker’s node knows the victims');
      // Each update differs, so the victims' node tells every one of them.
      const metadataOf = (i: number) => ({ blob: `${i}`.padStart(a.config.maxMetadataBytes - 100, 'y') });
      const { admitted, seconds } = await floodUpdateSelf(attacker, metadataOf, 3000);
      const bound = admittedAtMost(a.config, profileBytes(metadataOf(0)), 2, seconds);
      assert.ok(bound.fanout < bound.updates, `the fan-out bucket is the tighter one here: ${JSON.stringify(bound)}`);
      assert.ok(admitted <= bound.fanout, `admitted ${admitted} in ${seconds} s, at most ${bound.fanout}`);
      for (const victim of victims) await waitFor(() => victim.notificationsOf('peerUpdated').length === admitted, 'every admitted update to reach the victims');
    } finally {
      for (const socket of [attacker, ...victims]) socket.close();
    }
  });
});
