import { expect } from 'chai';
import { loadConfig } from '../../src/config.js';
import { startClusterNodes, stopClusterNodes, type ClusterNode } from '../support/cluster-harness.js';
import { startTestRedis, type TestRedis } from '../support/redis-server.js';
import { sleep } from '../support/test-server.js';

interface Health {
  status: string;
  cluster: { mode: string; reachable: boolean; nodes: string[] };
}

async function health(node: ClusterNode): Promise<{ status: number; body: Health }> {
  const response = await fetch(`${node.url}/healthz`);
  return { status: response.status, body: (await response.json()) as Health };
}

/** Polls `check` (async) every 100 ms until it holds or `timeoutMs` passes. */
async function eventually(check: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

describe('cluster mode: configuration', () => {
  it('needs nothing without --redis-url, and checks the cluster flags', () => {
    const single = loadConfig(['--dev'], {});
    expect(single.redisUrl).to.equal(undefined);
    expect(single.nodeId).to.match(/^[A-Za-z0-9._-]+-\d+$/);
    const cluster = loadConfig(['--dev', '--node-id', 'n1'], { SWITCHBOARD_REDIS_URL: 'redis://10.0.0.5:6380' });
    expect(cluster).to.include({ redisUrl: 'redis://10.0.0.5:6380', nodeId: 'n1', clusterHeartbeatMs: 1000, clusterNodeTtlMs: 5000 });
    expect(() => loadConfig(['--dev', '--redis-url', 'localhost:6379'], {})).to.throw(/--redis-url/);
    expect(() => loadConfig(['--dev', '--node-id', 'a b'], {})).to.throw(/--node-id/);
    expect(() => loadConfig(['--dev', '--cluster-heartbeat-ms', '1000', '--cluster-node-ttl-ms', '1500'], {})).to.throw(/twice/);
    expect(cluster).to.include({ redisTimeoutMs: 1000, redisWaitReplicas: 0 });
  });

  it('takes the primary from Redis Sentinel instead of a URL, and refuses both at once', () => {
    const config = loadConfig(['--dev', '--redis-sentinels', '10.0.0.1:26379, [::1]:26380', '--redis-master-name', 'sb-main', '--redis-wait-replicas', '1'], {});
    expect(config.redisSentinels).to.deep.equal([{ host: '10.0.0.1', port: 26379 }, { host: '::1', port: 26380 }]);
    expect(config).to.include({ redisMasterName: 'sb-main', redisWaitReplicas: 1 });
    expect(loadConfig(['--dev'], {}).redisMasterName).to.equal('mymaster');
    expect(() => loadConfig(['--dev', '--redis-sentinels', '10.0.0.1'], {})).to.throw(/--redis-sentinels must be host:port/);
    expect(() => loadConfig(['--dev', '--redis-sentinels', 'a:1', '--redis-url', 'redis://a:2'], {})).to.throw(/give one of them/);
    expect(() => loadConfig(['--dev', '--redis-timeout-ms', '50'], {})).to.throw(/--redis-timeout-ms/);
  });
});

describe('cluster mode: server processes on one Redis', function () {
  this.timeout(60_000);
  let redis: TestRedis;
  let nodes: ClusterNode[] = [];

  before(async () => {
    redis = await startTestRedis();
    nodes = await startClusterNodes(3, redis.url);
  });
  after(async () => {
    await stopClusterNodes(nodes);
    await redis?.close();
  });

  it('shows every node the others in /healthz and /metrics', async () => {
    for (const node of nodes) await eventually(async () => (await health(node)).body.cluster.nodes.length === 3, `${node.nodeId} to see 3 nodes`);
    const { status, body } = await health(nodes[1]!);
    expect(status).to.equal(200);
    expect(body.cluster.mode).to.equal('redis');
    expect(body.cluster.reachable).to.equal(true);
    expect([...body.cluster.nodes].sort()).to.deep.equal(['node-1', 'node-2', 'node-3']);
    const metrics = await (await fetch(`${nodes[2]!.url}/metrics`)).text();
    expect(metrics).to.match(/^switchboard_cluster_reachable\{mode="redis"\} 1$/m);
    expect(metrics).to.match(/^switchboard_cluster_nodes 3$/m);
  });

  it('drops a node killed with SIGKILL from the others’ view', async () => {
    await nodes[2]!.kill('SIGKILL');
    // Each node refreshes its view on its own heartbeat.
    await eventually(async () => (await health(nodes[0]!)).body.cluster.nodes.length === 2, 'node 3 to drop out at node 1');
    await eventually(async () => (await health(nodes[1]!)).body.cluster.nodes.length === 2, 'node 3 to drop out at node 2');
    expect([...(await health(nodes[1]!)).body.cluster.nodes].sort()).to.deep.equal(['node-1', 'node-2']);
  });

  it('reports Redis gone with 503 and keeps running, then recovers when it is back', async () => {
    await redis.stop();
    await eventually(async () => (await health(nodes[0]!)).status === 503, 'node 1 to report degraded');
    const { body } = await health(nodes[0]!);
    expect(body).to.deep.include({ status: 'degraded' });
    expect(body.cluster.reachable).to.equal(false);
    const metrics = await (await fetch(`${nodes[0]!.url}/metrics`)).text();
    expect(metrics).to.match(/^switchboard_cluster_reachable\{mode="redis"\} 0$/m);
    await redis.start();
    await eventually(async () => (await health(nodes[0]!)).status === 200 && (await health(nodes[1]!)).body.cluster.nodes.length === 2, 'recovery');
    expect(nodes[0]!.alive && nodes[1]!.alive).to.equal(true);
    expect(nodes[0]!.logs.some((l) => l.msg === 'Redis reachable again: cluster state restored')).to.equal(true);
  });
});

describe('cluster mode: a node started while Redis is down', function () {
  this.timeout(60_000);
  let redis: TestRedis;
  let nodes: ClusterNode[] = [];

  before(async () => {
    redis = await startTestRedis();
    await redis.stop();
  });
  after(async () => {
    await stopClusterNodes(nodes);
    await redis?.close();
  });

  it('starts and serves, degraded, then joins the cluster when Redis comes', async () => {
    nodes = await startClusterNodes(1, redis.url, { waitForCluster: false });
    const { status, body } = await health(nodes[0]!);
    expect(status).to.equal(503);
    expect(body.cluster).to.deep.equal({ mode: 'redis', reachable: false, nodes: ['node-1'] });
    expect(nodes[0]!.logs.some((l) => l.msg === 'Redis unreachable: cluster operations fail with UNAVAILABLE until it is back')).to.equal(true);
    await redis.start();
    await eventually(async () => (await health(nodes[0]!)).status === 200, 'the node to join the cluster');
    expect(nodes[0]!.logs.some((l) => l.msg === 'joined the cluster')).to.equal(true);
  });
});
