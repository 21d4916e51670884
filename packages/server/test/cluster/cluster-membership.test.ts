import { expect } from 'chai';
import { Redis } from 'ioredis';
import { PROTOCOL_VERSION } from '@switchboard/sdk/protocol';
import { AccessToken } from '../../src/auth/access-token.js';
import { DEV_SECRETS } from '../../src/config.js';
import { startClusterNodes, stopClusterNodes, type ClusterNode } from '../support/cluster-harness.js';
import { RawSignaling, RequestFailed } from '../support/raw-peer.js';
import { startTestRedis, type TestRedis } from '../support/redis-server.js';
import { sleep } from '../support/test-server.js';

async function eventually(check: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

describe('cluster mode: membership of server processes in Redis', function () {
  this.timeout(60_000);
  let redis: TestRedis;
  let nodes: ClusterNode[] = [];
  let client: Redis;
  const sockets: RawSignaling[] = [];

  before(async () => {
    redis = await startTestRedis();
    nodes = await startClusterNodes(2, redis.url);
    client = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    client.on('error', () => undefined);
    await client.connect();
  });
  after(async () => {
    for (const socket of sockets) socket.close();
    client?.disconnect();
    await stopClusterNodes(nodes);
    await redis?.close();
  });

  async function join(node: ClusterNode, identity: string): Promise<string> {
    const signaling = await RawSignaling.open(node.wsUrl);
    sockets.push(signaling);
    const token = await new AccessToken(DEV_SECRETS.tokenSecret, { room: 'lobby', identity, ttlSeconds: 300 }).toJwt();
    const result = await signaling.request('join', { protocolVersion: PROTOCOL_VERSION, token });
    return result.self.id;
  }

  /** The room's members in Redis: peer ID -> node. */
  async function members(): Promise<Record<string, string>> {
    const records = await client.hvals('sb:room:lobby:peers').catch(() => [] as string[]);
    return Object.fromEntries(records.map((text) => {
      const record = JSON.parse(text) as { id: string; node: string };
      return [record.id, record.node];
    }));
  }

  it('registers each node’s peers, and removes a killed node’s peers within its TTL', async () => {
    const alice = await join(nodes[0]!, 'alice');
    const bob = await join(nodes[1]!, 'bob');
    await eventually(async () => Object.keys(await members()).length === 2, 'both peers in Redis');
    expect(await members()).to.deep.equal({ [alice]: 'node-1', [bob]: 'node-2' });
    await nodes[0]!.kill('SIGKILL');
    await eventually(async () => Object.keys(await members()).length === 1, 'alice to be removed', 10_000);
    expect(await members()).to.deep.equal({ [bob]: 'node-2' });
    expect(nodes[1]!.logs.some((l) => l.msg === 'node declared dead; its peers left' && l.node === 'node-1')).to.equal(true);
  });

  it('refuses joins with UNAVAILABLE while Redis is down, and takes them again when it is back', async () => {
    await redis.stop();
    await eventually(async () => (await fetch(`${nodes[1]!.url}/healthz`)).status === 503, 'node 2 to see Redis gone');
    const error = await join(nodes[1]!, 'carol').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(RequestFailed);
    expect((error as RequestFailed).error.code).to.equal('UNAVAILABLE');
    await redis.start();
    await eventually(async () => (await fetch(`${nodes[1]!.url}/healthz`)).status === 200, 'node 2 to recover');
    // Redis came back empty: node 2 registered bob again.
    await eventually(async () => Object.keys(await members()).length === 1, 'bob registered again');
    const carol = await join(nodes[1]!, 'carol');
    await eventually(async () => (await members())[carol] === 'node-2', 'carol registered');
    expect(nodes[1]!.alive).to.equal(true);
  });

  it('removes its peers and itself from Redis at once when stopped with SIGTERM', async () => {
    expect(Object.keys(await members())).to.have.length(2);
    await nodes[1]!.kill('SIGTERM');
    // Within one heartbeat of the exit: no TTL wait for a node that says goodbye.
    await eventually(async () => Object.keys(await members()).length === 0, 'the peers to be removed', 200);
    expect(await client.zscore('sb:nodes', 'node-2')).to.equal(null);
  });
});
