import assert from 'node:assert/strict';
import { connect, type AnyReceivedMessage, type Room } from '../../src/index.js';
import { DEV_SECRETS } from '../../../server/src/config.js';
import { AccessToken } from '../../../server/src/auth/access-token.js';
import { startClusterNodes, stopClusterNodes, type ClusterNode } from '../../../server/test/support/cluster-harness.js';
import { startTestRedis, type TestRedis } from '../../../server/test/support/redis-server.js';
import { environment, waitFor } from './sdk-peers.js';

type Chat = { chat: { text: string } };

// Two server processes of one cluster; the first is killed, as a crashed node would be.
describe('SDK end to end: a list of servers whose first is dead', function () {
  this.timeout(60_000);
  let redis: TestRedis;
  let nodes: ClusterNode[] = [];
  const rooms: Room<Chat>[] = [];

  before(async () => {
    redis = await startTestRedis();
    nodes = await startClusterNodes(2, redis.url);
    await nodes[0]!.kill('SIGKILL');
  });
  after(async () => {
    await Promise.all(rooms.map((room) => room.leave().catch(() => undefined)));
    await stopClusterNodes(nodes);
    await redis?.close();
  });

  async function join(identity: string): Promise<{ room: Room<Chat>; inbox: AnyReceivedMessage<Chat>[] }> {
    const token = await new AccessToken(DEV_SECRETS.tokenSecret, { room: 'lobby', identity, ttlSeconds: 300 }).toJwt();
    const room = await connect<Chat>([nodes[0]!.wsUrl, nodes[1]!.wsUrl], token, { environment, requestTimeoutMs: 3000 });
    rooms.push(room);
    const inbox: AnyReceivedMessage<Chat>[] = [];
    room.on('message', (message) => inbox.push(message));
    return { room, inbox };
  }

  it('joins through the live server and messages flow', async () => {
    const alice = await join('alice');
    const bob = await join('bob');
    assert.equal(alice.room.connectionState, 'connected');
    await waitFor(() => alice.room.peers.size === 1 && bob.room.peers.size === 1, 'the two peers to see each other');
    await alice.room.send('chat', { text: 'hello through node 2' });
    await waitFor(() => bob.inbox.length === 1, 'bob to get the message');
    assert.deepEqual(bob.inbox.map((m) => [m.from, m.data.text]), [[alice.room.peerId, 'hello through node 2']]);
  });
});
