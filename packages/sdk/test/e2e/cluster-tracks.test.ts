import assert from 'node:assert/strict';
import { DEV_SECRETS } from '../../../server/src/config.js';
import type { ClusterNode } from '../../../server/test/support/cluster-harness.js';
import { TEST_CLUSTER_FLAGS } from '../../../server/test/support/cluster-harness.js';
import { ClusterFixture } from './cluster-peers.js';
import { receive, syntheticCamera, type Receiver, type SyntheticTrack } from './media-sources.js';
import { waitFor } from './sdk-peers.js';
import { named, recordTracks } from './track-log.js';

const VIEWER = { claims: { grants: ['subscribe', 'receiveData'] as const } };


async function apiPeers(node: ClusterNode, room: string): Promise<Array<{ id: string; tracks: Array<{ id: string; muted: boolean }> }>> {
  const response = await fetch(`${node.url}/api/rooms/${room}/peers`, { headers: { Authorization: `Bearer ${DEV_SECRETS.apiSecret}` } });
  return ((await response.json()) as { peers: Array<{ id: string; tracks: Array<{ id: string; muted: boolean }> }> }).peers;
}

// SDK peers in Node on two server processes (consecutive joins on different nodes): the tracks a
// peer publishes on one node are announced to the peers of the other through the membership
// records, with no help from the test, and auto-subscription plays them through the node pipes.
describe('SDK end to end: track announcements across nodes', function () {
  this.timeout(90_000);
  let f: ClusterFixture;
  const running: Array<{ stop(): void }> = [];
  const started = <T extends SyntheticTrack | Receiver>(thing: T): T => (running.push(thing), thing);

  before(async () => (f = await ClusterFixture.start(2, ['--reconnect-grace', '10', ...TEST_CLUSTER_FLAGS])));
  afterEach(() => {
    for (const thing of running.splice(0)) thing.stop();
  });
  after(() => f?.close());

  it('announces a track of node A to a viewer on node B, which auto-subscribes and decodes it; mute, unmute and unpublish follow', async () => {
    const viewer = await f.join('t1', 'viewer', VIEWER);
    const log = recordTracks(viewer.room);
    const host = await f.join('t1', 'host');
    assert.equal(f.nodesSpanned('t1'), 2);
    const camera = started(syntheticCamera());
    const local = await host.room.publish(camera.track, { name: 'camera', source: 'camera' });

    await waitFor(() => named(log, 'trackSubscribed').length === 1, 'the viewer on the other node to subscribe', 20000);
    const remote = named(log, 'trackPublished')[0]!;
    assert.deepEqual([remote.id, remote.peerId, remote.name, remote.kind, remote.muted], [local.id, host.room.peerId, 'camera', 'video', false]);
    const frames = started(receive(remote.mediaStreamTrack!));
    await waitFor(() => frames.frames >= 10, 'ten decoded frames across nodes', 20000);

    const listed = (await apiPeers(f.nodes[0]!, 't1')).find((peer) => peer.id === host.room.peerId);
    assert.deepEqual(listed?.tracks.map((t) => [t.id, t.muted]), [[local.id, false]], "the viewer's node lists the host's track");

    await local.mute();
    await waitFor(() => named(log, 'trackMuted').length === 1, 'trackMuted across nodes', 10000);
    assert.equal(remote.muted, true);
    await local.unmute();
    await waitFor(() => named(log, 'trackUnmuted').length === 1, 'trackUnmuted across nodes', 10000);
    assert.equal(remote.muted, false);
    await local.stop();
    await waitFor(() => named(log, 'trackUnpublished').length === 1, 'trackUnpublished across nodes', 15000);
    assert.equal(named(log, 'trackUnpublished')[0], remote);
    assert.equal(viewer.room.tracks.size, 0);
    assert.equal(named(log, 'trackPublished').length, 1, 'announced once');
  });

  it('lists a track of another node in a late joiner’s join result, and plays it', async () => {
    const host = await f.join('t2', 'host');
    const camera = started(syntheticCamera());
    const local = await host.room.publish(camera.track, { name: 'camera', source: 'camera' });
    // Published before the viewer joins: the join result's tracks must carry it.
    const deadline = Date.now() + 10000;
    while (!(await apiPeers(f.nodes[1]!, 't2')).some((peer) => peer.tracks.some((t) => t.id === local.id))) {
      assert.ok(Date.now() < deadline, 'the record of the other node to carry the track');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const viewer = await f.join('t2', 'viewer', VIEWER);
    assert.equal(f.nodesSpanned('t2'), 2);
    assert.deepEqual([...viewer.room.tracks.keys()], [local.id], 'the join result lists the track of the other node');
    const remote = viewer.room.tracks.get(local.id)!;
    await waitFor(() => remote.subscribed && remote.mediaStreamTrack !== undefined, 'the late joiner to subscribe', 20000);
    const frames = started(receive(remote.mediaStreamTrack!));
    await waitFor(() => frames.frames >= 10, 'ten decoded frames for the late joiner', 20000);
  });

  it('unpublishes the tracks of a node that dies, for the peers of the other nodes', async () => {
    const viewer = await f.join('t3', 'viewer', VIEWER);
    const log = recordTracks(viewer.room);
    const host = await f.join('t3', 'host');
    const camera = started(syntheticCamera());
    const local = await host.room.publish(camera.track, { name: 'camera', source: 'camera' });
    await waitFor(() => named(log, 'trackPublished').length === 1, 'trackPublished across nodes', 20000);
    const left: string[] = [];
    viewer.room.on('peerLeft', ({ peer }) => left.push(peer.id));

    await f.nodes[1]!.kill();
    await waitFor(() => named(log, 'trackUnpublished').length === 1, "the dead node's track to be unpublished", 20000);
    assert.equal(named(log, 'trackUnpublished')[0]?.id, local.id);
    await waitFor(() => left.includes(host.room.peerId), 'peerLeft for the dead node’s peer', 20000);
  });
});
