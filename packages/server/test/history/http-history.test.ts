import assert from 'node:assert/strict';
import { PROTOCOL_VERSION } from '@switchboard/sdk/protocol';
import { AccessToken } from '../../src/auth/access-token.js';
import { RawSignaling } from '../support/raw-peer.js';
import { RawPeer } from '../support/raw-peer.js';
import { sleep, startTestServer, waitFor, type TestServer } from '../support/test-server.js';

// The history endpoints, and the history a raw client sees on the wire.
describe('HTTP API: room history', function () {
  this.timeout(30000);
  let t: TestServer;
  const peers: RawPeer[] = [];
  const auth = () => ({ Authorization: `Bearer ${t.config.apiSecret}` });

  before(async () => (t = await startTestServer(['--history-limit', '5', '--history-types', 'news', '--history-max-limit', '50'])));
  after(async () => {
    peers.forEach((p) => p.close());
    await t.close();
  });

  async function join(room: string, identity: string): Promise<RawPeer> {
    const peer = await RawPeer.join(t.wsUrl, await t.token(room, identity));
    peers.push(peer);
    return peer;
  }

  function post(room: string, body: unknown): Promise<Response> {
    return fetch(`${t.server.url}/api/rooms/${room}/messages`, { method: 'POST', headers: { ...auth(), 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  }

  function putPolicy(room: string, body: string, headers: Record<string, string> = { ...auth(), 'Content-Type': 'application/json' }): Promise<Response> {
    return fetch(`${t.server.url}/api/rooms/${room}/history-policy`, { method: 'PUT', headers, body });
  }

  it('closes again, unlisted, a room that a join refused for its history claim had opened', async () => {
    const token = await new AccessToken(t.config.tokenSecret, { room: 'refused', identity: 'x', ttlSeconds: 60, roomHistory: { limit: 1000 } }).toJwt();
    const signaling = await RawSignaling.open(t.wsUrl);
    try {
      await assert.rejects(signaling.request('join', { protocolVersion: PROTOCOL_VERSION, token }), (e: { error?: { message: string } }) => /--history-max-limit|50/.test(e.error?.message ?? ''));
    } finally {
      signaling.close();
    }
    const listed = (await (await fetch(`${t.server.url}/api/rooms`, { headers: auth() })).json()) as { rooms: { name: string }[] };
    assert.deepEqual(listed.rooms.map((r) => r.name).filter((name) => name === 'refused'), []);
    assert.match(await (await fetch(`${t.server.url}/metrics`)).text(), /^switchboard_rooms 0$/m);
  });

  it('keeps the server\'s broadcasts of a kept type (never its targeted ones) and lists them', async () => {
    const a = await join('h1', 'a');
    assert.equal((await post('h1', { type: 'news', data: { n: 1 } })).status, 200);
    assert.equal((await post('h1', { type: 'news', data: { n: 2 }, to: [a.id] })).status, 200);
    assert.equal((await post('h1', { type: 'other', data: { n: 3 } })).status, 200);
    const response = await fetch(`${t.server.url}/api/rooms/h1/history`, { headers: auth() });
    assert.equal(response.status, 200);
    const body = (await response.json()) as { policy: unknown; messages: { seq: number; from: string; type: string; data: unknown; serverTime: number }[] };
    assert.deepEqual(body.policy, { limit: 5, maxBytes: 1024 * 1024, types: ['news'] });
    assert.deepEqual(body.messages.map((m) => [m.from, m.type, m.data]), [['server', 'news', { n: 1 }]]);
    assert.equal(body.messages[0]?.seq, 1);
    assert.equal(typeof body.messages[0]?.serverTime, 'number');

    const late = await join('h1', 'late');
    await waitFor(() => late.received.length === 1, 'the history on the wire');
    await sleep(300);
    assert.deepEqual(late.received.map((m) => [m.type, m.history, m.seq, m.data]), [['news', true, 1, { n: 1 }]]);
  });

  it('replaces a room\'s policy, refusing bad and oversized ones with typed errors', async () => {
    // The room exists while it has a member.
    await join('h2', 'a');
    let response = await putPolicy('h2', JSON.stringify({ limit: 2, topics: ['chat'] }));
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { policy: { limit: 2, maxBytes: 1024 * 1024, topics: ['chat'] } });
    for (let n = 1; n <= 3; n++) await post('h2', { type: 'anything', data: { n }, topic: 'chat' });
    const late = await join('h2', 'late');
    await waitFor(() => late.received.length === 2, 'the history');
    assert.deepEqual(late.received.map((m) => m.data), [{ n: 2 }, { n: 3 }]);

    response = await putPolicy('h2', JSON.stringify({ limit: 51 }));
    assert.equal(response.status, 400);
    const refused = (await response.json()) as { error: { code: string; message: string } };
    assert.equal(refused.error.code, 'MALFORMED');
    assert.match(refused.error.message, /limit is 51, above the server's --history-max-limit of 50/);
    response = await putPolicy('h2', JSON.stringify({ limit: 2, types: 'news' }));
    assert.equal(response.status, 400);
    response = await putPolicy('h2', 'limit=2', { ...auth(), 'Content-Type': 'text/plain' });
    assert.equal(response.status, 400);
    response = await putPolicy('h2', JSON.stringify({ limit: 2 }), { 'Content-Type': 'application/json' });
    assert.equal(response.status, 401);
    response = await putPolicy('nobody-here', JSON.stringify({ limit: 2 }));
    assert.equal(response.status, 404);
    assert.equal((await fetch(`${t.server.url}/api/rooms/nobody-here/history`, { headers: auth() })).status, 404);
    assert.equal((await fetch(`${t.server.url}/api/rooms/h2/history`)).status, 401);

    response = await putPolicy('h2', 'null');
    assert.deepEqual(await response.json(), { policy: null });
    assert.deepEqual(await (await fetch(`${t.server.url}/api/rooms/h2/history`, { headers: auth() })).json(), { policy: null, messages: [] });
  });
});
