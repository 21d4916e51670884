import assert from 'node:assert/strict';
import { encode, PROTOCOL_VERSION } from '@switchboard/sdk/protocol';
import { AccessToken } from '../src/auth/access-token.js';
import { RawPeer, RawSignaling, RequestFailed } from './support/raw-peer.js';
import { startTestServer, waitFor, type TestServer } from './support/test-server.js';

async function failsWith(promise: Promise<unknown>, code: string): Promise<RequestFailed> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof RequestFailed, `expected RequestFailed, got ${String(error)}`);
    assert.equal(error.error.code, code, error.message);
    return error;
  }
  throw new assert.AssertionError({ message: `expected ${code}, but the request succeeded` });
}

describe('signaling: bad input', function () {
  this.timeout(20000);
  let t: TestServer;
  const open: RawSignaling[] = [];
  const connect = async () => {
    const s = await RawSignaling.open(t.wsUrl);
    open.push(s);
    return s;
  };

  before(async () => (t = await startTestServer()));
  afterEach(() => open.splice(0).forEach((s) => s.close()));
  after(() => t.close());

  it('answers malformed MessagePack and non-request frames with MALFORMED and keeps the connection', async () => {
    const s = await connect();
    s.sendRaw(new Uint8Array([0xc1]));
    s.sendRaw(new Uint8Array([0x82, 0xa1]));
    s.sendRaw(encode([1, 2, 3]));
    s.sendRaw(encode({ type: 'request', id: -4, method: 'join', data: {} }));
    s.sendRaw('a text frame');
    await waitFor(() => s.orphanResponses.length === 5, 'five error responses');
    assert.deepEqual(
      s.orphanResponses.map((r) => (r.ok ? 'ok' : r.error.code)),
      ['MALFORMED', 'MALFORMED', 'MALFORMED', 'MALFORMED', 'MALFORMED'],
    );
    await failsWith(s.request('leave', {}), 'NOT_JOINED');
    assert.equal(s.closeCode, undefined);
  });

  it('rejects unknown methods, requests before join and malformed parameters', async () => {
    const s = await connect();
    await failsWith(s.request('teleport' as 'leave', {}), 'UNKNOWN_METHOD');
    await failsWith(s.request('setTopics', { topics: null }), 'NOT_JOINED');
    await failsWith(s.request('join', { protocolVersion: PROTOCOL_VERSION }), 'MALFORMED');
    await failsWith(s.request('join', { protocolVersion: 'one' as unknown as number, token: 'x' }), 'MALFORMED');
    await failsWith(s.request('join', { protocolVersion: 99, token: await t.token('r', 'u') }), 'UNSUPPORTED');
    // Version 1 SDKs cannot read batched deliveries, version 2 ones nested payloads; the server
    // speaks one version, so version 3 (whose servers refuse a client's batches) and version 4
    // (whose direct channels frame differently) and version 5 (which cannot read several frames
    // in one message) are refused too: each with a clear error.
    for (const version of [1, 2, 3, 4, 5]) {
      const old = await failsWith(s.request('join', { protocolVersion: version, token: await t.token('r', 'u') }), 'UNSUPPORTED');
      assert.match(old.error.message, new RegExp(`protocol version ${version} is not supported; this server speaks ${PROTOCOL_VERSION}`));
    }
  });

  it('rejects bad, expired and wrong-room tokens with typed errors', async () => {
    const s = await connect();
    const join = (token: string, room?: string) => s.request('join', { protocolVersion: PROTOCOL_VERSION, token, ...(room ? { room } : {}) });
    await failsWith(join('not-a-jwt'), 'INVALID_TOKEN');
    await failsWith(join(await new AccessToken('another-secret-of-16+chars', { room: 'r', identity: 'u' }).toJwt()), 'INVALID_TOKEN');
    await failsWith(join(await t.token('r', 'u', { ttlSeconds: -10 })), 'TOKEN_EXPIRED');
    await failsWith(join(await t.token('room-a', 'u'), 'room-b'), 'PERMISSION_DENIED');
    assert.equal(t.server.rooms.list().length, 0, 'no room was created by a refused join');
  });

  it('refuses a second join on one connection and kick without the admin grant', async () => {
    const peer = await RawPeer.join(t.wsUrl, await t.token('r-admin', 'plain'));
    try {
      await failsWith(peer.signaling.request('join', { protocolVersion: PROTOCOL_VERSION, token: await t.token('r-admin', 'x') }), 'ALREADY_JOINED');
      await failsWith(peer.signaling.request('kick', { peerId: peer.id }), 'PERMISSION_DENIED');
      await failsWith(peer.signaling.request('connectTransport', { transportId: 'nope', dtlsParameters: { fingerprints: [] } }), 'NOT_FOUND');
    } finally {
      peer.close();
    }
  });

  it('replaces the older session of a duplicate identity and tells it why', async () => {
    const first = await RawPeer.join(t.wsUrl, await t.token('r-dup', 'same'));
    const watcher = await RawPeer.join(t.wsUrl, await t.token('r-dup', 'watcher'));
    const second = await RawPeer.join(t.wsUrl, await t.token('r-dup', 'same'));
    try {
      await waitFor(() => first.signaling.closeCode !== undefined, 'the first session to be closed');
      assert.deepEqual(first.signaling.notificationsOf('closed').map((n) => n.data), [
        { reason: 'duplicateIdentity', message: 'the same identity joined the room from another session' },
      ]);
      await waitFor(() => watcher.signaling.notificationsOf('peerLeft').length === 1, 'peerLeft');
      assert.deepEqual(watcher.signaling.notificationsOf('peerLeft')[0]?.data, { peerId: first.id, reason: 'duplicateIdentity' });
      assert.deepEqual(t.server.rooms.get('r-dup')?.peers().map((p) => p.identity).sort(), ['same', 'watcher']);
      assert.notEqual(second.id, first.id);
    } finally {
      [first, watcher, second].forEach((p) => p.close());
    }
  });
});
