import assert from 'node:assert/strict';
import { encode, SERVER_SENDER_ID } from '@switchboard/sdk/protocol';
import type { RawPeer } from './support/raw-peer.js';
import { startRawPeers, type RawPeers } from './support/raw-room.js';
import { sleep, waitFor, type TestServer } from './support/test-server.js';

// The HTTP API end to end: a backend's request reaches real peers over their DataChannels.
describe('HTTP API delivery to peers', function () {
  this.timeout(30000);
  let room: RawPeers<'a' | 'b' | 'stranger'>;
  let t: TestServer;
  let a: RawPeer;
  let b: RawPeer;
  let stranger: RawPeer;
  const auth = () => ({ Authorization: `Bearer ${t.config.apiSecret}` });

  before(async () => {
    room = await startRawPeers([], { a: 'live/show', b: 'live/show', stranger: 'other' });
    ({ t, peers: { a, b, stranger } } = room);
  });

  after(() => room.close());

  beforeEach(() => [a, b, stranger].forEach((p) => (p.received.length = 0)));

  it('broadcasts a JSON message from the backend to every peer of the room', async () => {
    const response = await fetch(`${t.server.url}/api/rooms/${encodeURIComponent('live/show')}/messages`, {
      method: 'POST',
      headers: { ...auth(), 'Content-Type': 'application/json' },
      body: JSON.stringify({ type: 'announcement', data: { text: 'Doors open' }, topic: 'news' }),
    });
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { delivered: 2 });
    await waitFor(() => a.received.length === 1 && b.received.length === 1, 'both peers');
    for (const p of [a, b]) {
      const [message] = p.received;
      assert.equal(message?.from, SERVER_SENDER_ID);
      assert.equal(message?.type, 'announcement');
      assert.equal(message?.topic, 'news');
      assert.deepEqual(message!.data, { text: 'Doors open' });
    }
    await sleep(300);
    assert.deepEqual(stranger.received, []);
  });

  it('sends a MessagePack message to a chosen peer only', async () => {
    const response = await fetch(`${t.server.url}/api/rooms/live%2Fshow/messages`, {
      method: 'POST',
      headers: { ...auth(), 'Content-Type': 'application/msgpack' },
      body: Buffer.from(encode({ type: 'private', data: [1, 2, 3], to: b.id })),
    });
    assert.deepEqual(await response.json(), { delivered: 1 });
    await waitFor(() => b.received.length === 1, 'b');
    assert.deepEqual(b.received[0]!.data, [1, 2, 3]);
    assert.equal(b.received[0]?.targeted, true);
    await sleep(300);
    assert.deepEqual(a.received, []);
  });

  it('sends to identities, resolved to their sessions, and refuses an identity not in the room', async () => {
    const post = (body: unknown) =>
      fetch(`${t.server.url}/api/rooms/live%2Fshow/messages`, { method: 'POST', headers: { ...auth(), 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    const response = await post({ type: 'private', data: 'for b', toIdentities: ['b'] });
    assert.deepEqual(await response.json(), { delivered: 1 });
    await waitFor(() => b.received.length === 1, 'b');
    assert.equal(b.received[0]!.data, 'for b');
    assert.equal(b.received[0]?.targeted, true);
    const unknown = await post({ data: 'lost', toIdentities: ['b', 'nobody'] });
    assert.equal(unknown.status, 404);
    assert.equal(((await unknown.json()) as { error: { code: string } }).error.code, 'UNKNOWN_TARGET');
    const malformed = await post({ data: 1, toIdentities: [] });
    assert.equal(malformed.status, 400);
    await sleep(300);
    assert.deepEqual(a.received, []);
    assert.equal(b.received.length, 1);
  });

  it('answers the ZLMediaKit-compatible broadcastMessage and delivers msg to the app/stream room', async () => {
    const query = new URLSearchParams({ secret: t.config.apiSecret, schema: 'rtsp', vhost: '__defaultVhost__', app: 'live', stream: 'show', msg: 'hello from zlm' });
    const response = await fetch(`${t.server.url}/index/api/broadcastMessage?${query}`);
    assert.deepEqual(await response.json(), { code: 0, msg: 'success' });
    await waitFor(() => a.received.length === 1 && b.received.length === 1, 'both peers');
    assert.equal(a.received[0]?.type, 'broadcastMessage');
    assert.equal(a.received[0]!.data, 'hello from zlm');
    const missing = await fetch(`${t.server.url}/index/api/broadcastMessage?${new URLSearchParams({ ...Object.fromEntries(query), stream: 'nope' })}`);
    assert.equal(((await missing.json()) as { code: number }).code, -500);
  });

  it('lists rooms and peers and kicks a peer, which is told why', async () => {
    const rooms = (await (await fetch(`${t.server.url}/api/rooms`, { headers: auth() })).json()) as { rooms: { name: string; peers: number }[] };
    assert.deepEqual(rooms.rooms.map((r) => [r.name, r.peers]).sort(), [['live/show', 2], ['other', 1]]);
    const peers = (await (await fetch(`${t.server.url}/api/rooms/live%2Fshow/peers`, { headers: auth() })).json()) as { peers: { id: string }[] };
    assert.deepEqual(peers.peers.map((p) => p.id).sort(), [a.id, b.id].sort());
    const kick = await fetch(`${t.server.url}/api/rooms/live%2Fshow/peers/${b.id}/kick`, {
      method: 'POST',
      headers: { ...auth(), 'Content-Type': 'application/json' },
      body: JSON.stringify({ reason: 'spam' }),
    });
    assert.deepEqual(await kick.json(), { kicked: true });
    await waitFor(() => b.signaling.closeCode !== undefined, 'b to be disconnected');
    assert.deepEqual(b.signaling.notificationsOf('closed').map((n) => n.data), [{ reason: 'kicked', message: 'spam' }]);
    await waitFor(() => a.signaling.notificationsOf('peerLeft').length === 1, 'a to see b leave');
    assert.deepEqual(a.signaling.notificationsOf('peerLeft')[0]?.data, { peerId: b.id, reason: 'kicked' });
  });

  it('refuses a wrong API secret', async () => {
    const response = await fetch(`${t.server.url}/api/rooms`, { headers: { Authorization: 'Bearer wrong' } });
    assert.equal(response.status, 401);
  });
});
