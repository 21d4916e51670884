import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { DEFAULT_GRANTS, PROTOCOL_VERSION } from '@switchboard/sdk/protocol';
import { resumeKeyHash } from '../../src/cluster/cluster-membership.js';
import { encodePeer } from '../../src/cluster/redis-codec.js';
import { PUT_PEER } from '../../src/cluster/redis-scripts.js';
import type { BusPeer, RoomChannel } from '../../src/cluster/room-bus.js';
import { DEV_SECRETS } from '../../src/config.js';
import { TEST_CLUSTER_FLAGS } from '../support/cluster-harness.js';
import { RawSignaling } from '../support/raw-peer.js';
import { startTestRedis, type TestRedis } from '../support/redis-server.js';
import { sleep, startTestServer, waitFor, type TestServer } from '../support/test-server.js';

const ROOM = 'takeover';
const TAKEN = 'taken-over-peer';
const RESUME_KEY = 'the-resume-key-of-the-dead-nodes-session';
const DEAD_NODE = 'dead-node';

// What a node of a dead node's peer left in Redis: its record, with a track, under the dead node.
const deadNodesRecord: BusPeer = {
  id: TAKEN,
  identity: 'carol',
  grants: { ...DEFAULT_GRANTS },
  node: DEAD_NODE,
  joinedAt: 1_700_000_000_000,
  tracks: [{ id: 'dead-track', peerId: TAKEN, kind: 'audio', name: 'microphone', source: 'microphone', muted: false, layers: 1 }],
  resumeKeyHash: resumeKeyHash(RESUME_KEY),
  lastSenderSeq: 0,
};

type ApiPeer = { id: string; node: string };

async function eventually(check: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

// R5 (issue 20): a session resumed on another node after its node died. Until the new node's
// record of it reaches Redis (and comes back as an event), Redis and the node's view of the
// bus still place it on the dead node: it must be listed once all the same, as the new node's.
describe('cluster: a session taken over from a dead node is listed once', function () {
  this.timeout(60_000);
  let redis: TestRedis;
  let t: TestServer;
  let client: Redis;
  const sockets: RawSignaling[] = [];
  let release: () => void = () => undefined;

  before(async () => {
    redis = await startTestRedis();
    client = new Redis(redis.url);
    t = await startTestServer(['--redis-url', redis.url, '--node-id', 'b', ...TEST_CLUSTER_FLAGS]);
    await waitFor(() => t.server.bus.health().reachable, 'the node to join the cluster', 20_000);
    // The new node's record of the taken-over session waits until the test lets it through:
    // what a slow registration (a queue of takeovers, a busy Redis) makes last a while.
    const gate = new Promise<void>((resolve) => (release = resolve));
    const bus = t.server.bus;
    const openRoom = bus.openRoom.bind(bus);
    bus.openRoom = async (room, handlers): Promise<RoomChannel> => {
      const channel = await openRoom(room, handlers);
      const putPeer = channel.putPeer.bind(channel);
      channel.putPeer = async (peer) => {
        if (peer.id === TAKEN) await gate;
        return putPeer(peer);
      };
      return channel;
    };
  });
  after(async () => {
    release();
    for (const socket of sockets) socket.close();
    await t?.close();
    client?.disconnect();
    await redis?.close();
  });

  const api = async <T>(path: string): Promise<T> => {
    const response = await fetch(`${t.server.url}${path}`, { headers: { Authorization: `Bearer ${DEV_SECRETS.apiSecret}` } });
    assert.equal(response.status, 200, path);
    return (await response.json()) as T;
  };
  const listed = async () => (await api<{ peers: ApiPeer[] }>(`/api/rooms/${ROOM}/peers`)).peers.map((p) => `${p.id}@${p.node}`).sort();

  it('in the resume answer, the HTTP API and the other peers’ notifications, before and after its record moves', async () => {
    const watcher = await RawSignaling.open(t.wsUrl);
    sockets.push(watcher);
    const watcherId = (await watcher.request('join', { protocolVersion: PROTOCOL_VERSION, token: await t.token(ROOM, 'watcher') })).self.id;
    await client.call('EVAL', PUT_PEER, 0, 'sb:', ROOM, TAKEN, DEAD_NODE, encodePeer(deadNodesRecord));
    await waitFor(() => watcher.notificationsOf('peerJoined').length === 1, 'the watcher to hear of the dead node’s peer');

    const resumed = await RawSignaling.open(t.wsUrl);
    sockets.push(resumed);
    const result = await resumed.request('join', {
      protocolVersion: PROTOCOL_VERSION,
      resume: { peerId: TAKEN, resumeKey: RESUME_KEY, lastReceivedSeq: 0, room: ROOM },
    });
    assert.equal(result.self.id, TAKEN);
    assert.equal(result.resumed, true);
    // Its record in Redis still names the dead node.
    assert.equal(JSON.parse((await client.hget(`sb:room:${ROOM}:peers`, TAKEN)) ?? '{}').node, DEAD_NODE);
    assert.deepEqual(result.peers.map((p) => p.id), [watcherId], 'the resumed peer is not among the others');
    assert.deepEqual(result.tracks, [], 'the dead node’s tracks are not offered');
    assert.deepEqual(await listed(), [`${TAKEN}@b`, `${watcherId}@b`].sort());
    const rooms = await api<{ rooms: { name: string; peers: number }[] }>('/api/rooms');
    assert.deepEqual(rooms.rooms.map((r) => [r.name, r.peers]), [[ROOM, 2]]);

    release();
    await eventually(async () => JSON.parse((await client.hget(`sb:room:${ROOM}:peers`, TAKEN)) ?? '{}').node === 'b', 'the record to move to the new node');
    assert.deepEqual(await listed(), [`${TAKEN}@b`, `${watcherId}@b`].sort());
    // The watcher heard of it once, and never of it leaving or changing (only of its dead track).
    const about = (method: string) => watcher.notificationsOf(method).filter((n) => JSON.stringify(n.data).includes(TAKEN));
    await waitFor(() => about('trackUnpublished').length === 1, 'the dead node’s track to be unpublished');
    assert.equal(about('peerJoined').length, 1);
    assert.equal(about('peerLeft').length, 0);
    assert.equal(about('peerUpdated').length, 0);
  });
});
