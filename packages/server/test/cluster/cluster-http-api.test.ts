import { expect } from 'chai';
import { PROTOCOL_VERSION } from '@switchboard/sdk/protocol';
import { AccessToken } from '../../src/auth/access-token.js';
import { DEV_SECRETS } from '../../src/config.js';
import { startClusterNodes, stopClusterNodes, type ClusterNode } from '../support/cluster-harness.js';
import { RawSignaling } from '../support/raw-peer.js';
import { startTestRedis, type TestRedis } from '../support/redis-server.js';
import { sleep } from '../support/test-server.js';

interface ApiAnswer {
  status: number;
  body: Record<string, unknown>;
}

async function api(node: ClusterNode, path: string): Promise<ApiAnswer> {
  const response = await fetch(`${node.url}${path}`, { headers: { Authorization: `Bearer ${DEV_SECRETS.apiSecret}` } });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function eventually(check: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

describe('cluster mode: the HTTP API lists every node’s rooms and peers', function () {
  this.timeout(60_000);
  let redis: TestRedis;
  let nodes: ClusterNode[] = [];
  const sockets: RawSignaling[] = [];
  const ids: Record<string, string> = {};

  before(async () => {
    redis = await startTestRedis();
    nodes = await startClusterNodes(2, redis.url);
    for (const [identity, node, room] of [['alice', 0, 'lobby'], ['bob', 1, 'lobby'], ['carol', 1, 'side']] as const) {
      const signaling = await RawSignaling.open(nodes[node]!.wsUrl);
      sockets.push(signaling);
      const token = await new AccessToken(DEV_SECRETS.tokenSecret, { room, identity, name: identity.toUpperCase(), ttlSeconds: 300 }).toJwt();
      ids[identity] = (await signaling.request('join', { protocolVersion: PROTOCOL_VERSION, token })).self.id;
    }
  });
  after(async () => {
    for (const socket of sockets) socket.close();
    await stopClusterNodes(nodes);
    await redis?.close();
  });

  it('lists the rooms of the whole cluster on any node', async () => {
    await eventually(async () => JSON.stringify((await api(nodes[0]!, '/api/rooms')).body).includes('"side"'), 'node 1 to see room side');
    const { status, body } = await api(nodes[0]!, '/api/rooms');
    expect(status).to.equal(200);
    const rooms = (body.rooms as { name: string; peers: number; createdAt: number }[]).sort((a, b) => a.name.localeCompare(b.name));
    expect(rooms.map((r) => [r.name, r.peers])).to.deep.equal([['lobby', 2], ['side', 1]]);
    expect(rooms.every((r) => Number.isFinite(r.createdAt))).to.equal(true);
  });

  it('lists a room’s peers of every node, with their node', async () => {
    const { body } = await api(nodes[1]!, '/api/rooms/lobby/peers');
    const peers = (body.peers as { id: string; name: string; node: string; connected: boolean; resumeKeyHash?: string }[]).sort((a, b) => a.name.localeCompare(b.name));
    expect(peers.map((p) => [p.id, p.name, p.node, p.connected])).to.deep.equal([
      [ids.alice, 'ALICE', 'node-1', true],
      [ids.bob, 'BOB', 'node-2', true],
    ]);
    expect(peers.every((p) => p.resumeKeyHash === undefined)).to.equal(true);
    const side = await api(nodes[0]!, '/api/rooms/side/peers');
    expect((side.body.peers as { id: string }[]).map((p) => p.id)).to.deep.equal([ids.carol]);
    expect((await api(nodes[0]!, '/api/rooms/nowhere/peers')).status).to.equal(404);
  });

  it('sends and kicks on any node, for peers of another node, even where the room has no peers', async () => {
    const post = (node: ClusterNode, path: string, body: unknown) =>
      fetch(`${node.url}${path}`, { method: 'POST', headers: { Authorization: `Bearer ${DEV_SECRETS.apiSecret}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    // Room side has its only peer on node 2; node 1 has no peer in it.
    const sent = await post(nodes[0]!, '/api/rooms/side/messages', { type: 'notice', data: { text: 'hi' } });
    expect(sent.status).to.equal(200);
    expect(await sent.json()).to.deep.equal({ delivered: 1 });
    const unknown = await post(nodes[0]!, '/api/rooms/side/messages', { type: 'notice', data: null, to: ['nobody'] });
    expect(unknown.status).to.equal(404);
    expect(((await unknown.json()) as { error: { code: string } }).error.code).to.equal('UNKNOWN_TARGET');
    // Bob is on node 2, kicked through node 1: he is told the reason given, alice (node 1) sees him kicked.
    const leftOf = (socket: RawSignaling, peerId: string) =>
      socket.notifications.find((n) => n.method === 'peerLeft' && (n.data as { peerId: string }).peerId === peerId)?.data;
    expect((await post(nodes[0]!, `/api/rooms/lobby/peers/${ids.bob}/kick`, { reason: 'spam\u202e' })).status).to.equal(400);
    const kicked = await post(nodes[0]!, `/api/rooms/lobby/peers/${ids.bob}/kick`, { reason: 'spamming the lobby' });
    expect(kicked.status).to.equal(200);
    const bobSocket = sockets[1]!;
    await eventually(async () => bobSocket.notifications.some((n) => n.method === 'closed'), 'bob to be told');
    expect(bobSocket.notifications.find((n) => n.method === 'closed')?.data).to.deep.equal({ reason: 'kicked', message: 'spamming the lobby' });
    await eventually(async () => leftOf(sockets[0]!, ids.bob!) !== undefined, 'alice to see bob leave');
    expect(leftOf(sockets[0]!, ids.bob!)).to.deep.equal({ peerId: ids.bob, reason: 'kicked' });
    expect((await post(nodes[0]!, `/api/rooms/lobby/peers/${ids.bob}/kick`, {})).status).to.equal(404);

    // Alice is kicked through her own node: dave, on the other node, sees her kicked, not leaving.
    const dave = await RawSignaling.open(nodes[1]!.wsUrl);
    sockets.push(dave);
    const token = await new AccessToken(DEV_SECRETS.tokenSecret, { room: 'lobby', identity: 'dave', ttlSeconds: 300 }).toJwt();
    await dave.request('join', { protocolVersion: PROTOCOL_VERSION, token });
    expect((await post(nodes[0]!, `/api/rooms/lobby/peers/${ids.alice}/kick`, { reason: 'enough' })).status).to.equal(200);
    await eventually(async () => leftOf(dave, ids.alice!) !== undefined, 'dave to see alice leave');
    expect(leftOf(dave, ids.alice!)).to.deep.equal({ peerId: ids.alice, reason: 'kicked' });
  });

  it('answers 503 UNAVAILABLE while Redis is down', async () => {
    await redis.stop();
    await eventually(async () => (await api(nodes[0]!, '/api/rooms')).status === 503, 'the listing to fail');
    expect((await api(nodes[0]!, '/api/rooms')).body).to.deep.include({ error: { code: 'UNAVAILABLE', message: 'the cluster is unavailable (Redis cannot be reached); retry later' } });
    await redis.start();
  });
});
