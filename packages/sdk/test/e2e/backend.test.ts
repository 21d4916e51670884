import assert from 'node:assert/strict';
import type { DisconnectedEvent } from '../../src/index.js';
import { SdkFixture, waitFor, type TestPeer } from './sdk-peers.js';

// What a backend does to SDK peers: HTTP broadcasts (ours and ZLMediaKit's), and kicks.
describe('SDK end to end: backend and admin actions', function () {
  this.timeout(30000);
  let f: SdkFixture;
  let viewer1: TestPeer<Record<string, unknown>>;
  let viewer2: TestPeer<Record<string, unknown>>;
  let admin: TestPeer<Record<string, unknown>>;
  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${f.server.server.url}${path}`, {
      ...init,
      headers: { Authorization: `Bearer ${f.server.config.apiSecret}`, 'Content-Type': 'application/json', ...init.headers },
    });

  before(async () => {
    f = await SdkFixture.start();
    viewer1 = await f.join('live/stream1', 'v1');
    viewer2 = await f.join('live/stream1', 'v2');
    admin = await f.join('live/stream1', 'host', { claims: { grants: { admin: true, sendData: true, receiveData: true } } });
  });

  after(() => f.close());

  it('delivers an HTTP API broadcast to every SDK client, from "server"', async () => {
    const response = await api('/api/rooms/live%2Fstream1/messages', {
      method: 'POST',
      body: JSON.stringify({ type: 'announcement', data: { text: 'Starting soon' } }),
    });
    assert.deepEqual(await response.json(), { delivered: 3 });
    await waitFor(() => [viewer1, viewer2, admin].every((p) => p.inbox.length === 1), 'all three clients');
    assert.deepEqual(viewer1.inbox.map((m) => [m.from, m.type, m.data]), [['server', 'announcement', { text: 'Starting soon' }]]);
  });

  it('delivers a ZLMediaKit-style broadcastMessage to the app/stream room', async () => {
    const params = new URLSearchParams({ secret: f.server.config.apiSecret, schema: 'rtsp', vhost: '__defaultVhost__', app: 'live', stream: 'stream1', msg: 'zlm says hi' });
    const response = await fetch(`${f.server.server.url}/index/api/broadcastMessage`, { method: 'POST', body: params });
    assert.deepEqual(await response.json(), { code: 0, msg: 'success' });
    await waitFor(() => viewer2.inbox.some((m) => m.type === 'broadcastMessage'), 'viewer2');
    assert.equal(viewer2.inbox.find((m) => m.type === 'broadcastMessage')?.data, 'zlm says hi');
  });

  it('lets an admin kick a peer, which ends with reason "kicked"', async () => {
    const ended = new Promise<DisconnectedEvent>((resolve) => viewer2.room.once('disconnected', resolve));
    const left = new Promise<string>((resolve) => viewer1.room.once('peerLeft', (e) => resolve(e.peer.id)));
    await admin.room.kick(viewer2.room.peerId, 'be nice');
    const event = await ended;
    assert.equal(event.reason, 'kicked');
    assert.equal(event.message, 'be nice');
    assert.equal(await left, viewer2.room.peerId);
    assert.equal(viewer2.room.connectionState, 'disconnected');
  });

  it('kicks through the HTTP API too', async () => {
    const ended = new Promise<DisconnectedEvent>((resolve) => viewer1.room.once('disconnected', resolve));
    const response = await api(`/api/rooms/live%2Fstream1/peers/${viewer1.room.peerId}/kick`, { method: 'POST', body: '{}' });
    assert.equal(response.status, 200);
    assert.equal((await ended).reason, 'kicked');
    await waitFor(() => admin.room.peers.size === 0, 'the admin to be alone');
  });
});
