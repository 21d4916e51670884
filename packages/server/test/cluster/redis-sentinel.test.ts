import { expect } from 'chai';
import type { RedisRoomBus } from '../../src/cluster/redis-room-bus.js';
import { startSentinelGroup, type TestSentinelGroup } from '../support/redis-sentinel.js';
import { sleep, waitFor } from '../support/test-server.js';
import { freshPrefix, peer, Recorder, redisBus } from './bus-support.js';
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
    buses = await Promise.all(['a', 'b'].map((id) => redisBus('', id, prefix, { endpoint, waitReplicas: 1, timeoutMs: 1000 })));
    const recorders = [new Recorder(), new Recorder()];
    const channels = await Promise.all(buses.map((bus, i) => bus.openRoom('ha', recorders[i]!)));
    await Promise.all(channels.map((channel, i) => channel.putPeer(peer(`p${i}`, buses[i]!.nodeId))));
    const traffic = new NumberedTraffic(channels.map((channel, i) => ({ id: `p${i}`, channel })), 10);
    await sleep(1000);

    const killedAt = Date.now();
    await group.primary.stop();
    await waitFor(() => buses.every((bus) => !bus.health().reachable), 'the nodes to lose the primary', 5000);
    const acceptedBefore = traffic.accepted;
    await waitFor(() => traffic.accepted > acceptedBefore, 'a message to be accepted through the new primary', 30_000);
    const failoverMs = Date.now() - killedAt;
    // The promoted replica has no replica of its own: each acknowledgement now waits out WAIT (0.75 s).
    await waitFor(() => traffic.accepted > acceptedBefore + 10, 'traffic to flow again', 20_000);
    expect(await group.currentPrimaryPort()).to.equal(group.replica.port);

    await traffic.stop();
    const last = traffic.lastSeq;
    await waitFor(() => recorders.every((r) => (r.reliableMessages.at(-1)?.seq ?? 0) >= last), 'every node to read the whole log', 15_000);
    const verdict = traffic.verdict(recorders);
    console.log(`      Sentinel failover: ${JSON.stringify({ ...verdict, failoverMs })}`);
    expect(verdict.refusedYetDelivered, 'refused yet delivered').to.equal(0);
    expect(verdict.silentlyLost + verdict.reportedLost, 'acknowledged, then lost').to.equal(0);
    expect(verdict.duplicates, 'duplicates').to.equal(0);
    expect(verdict.reordered, 'out of sender order').to.equal(0);
    for (const recorder of recorders) {
      expect(recorder.left, 'members declared gone').to.deep.equal([]);
      expect(recorder.gaps).to.deep.equal([]);
    }
    expect([...(await buses[0]!.roomPeers('ha'))].map((p) => p.id).sort()).to.deep.equal(['p0', 'p1']);
  });
});
