import assert from 'node:assert/strict';
import { SwitchboardError } from '@switchboard/sdk/protocol';
import { NodeRequests } from '../../src/cluster/node-requests.js';
import { Logger } from '../../src/log.js';
import { startTestRedis, type TestRedis } from '../support/redis-server.js';
import { sleep } from '../support/test-server.js';

describe('cluster: requests between nodes over Redis', function () {
  this.timeout(30_000);
  let redis: TestRedis;
  let a: NodeRequests;
  let b: NodeRequests;
  const logger = new Logger('error');

  before(async () => {
    redis = await startTestRedis();
    a = new NodeRequests({ endpoint: { url: redis.url }, redisTimeoutMs: 1000, nodeId: 'a', logger, timeoutMs: 1000 });
    b = new NodeRequests({ endpoint: { url: redis.url }, redisTimeoutMs: 1000, nodeId: 'b', logger, timeoutMs: 1000 });
    await Promise.all([a.ready(), b.ready()]);
  });
  after(async () => {
    a?.close();
    b?.close();
    await redis?.close();
  });

  it('answers a request with what the other node’s handler returns, naming the asker', async () => {
    a.onRequest('echo', (from, body) => Promise.resolve({ from, body }));
    assert.deepEqual(await b.request('a', 'echo', { x: 1 }), { from: 'b', body: { x: 1 } });
  });

  it('fails with the handler’s typed error, and with INTERNAL (not the details) for any other', async () => {
    a.onRequest('typed', () => Promise.reject(new SwitchboardError('NOT_FOUND', 'no such thing')));
    a.onRequest('broken', () => Promise.reject(new Error('secret detail')));
    await assert.rejects(b.request('a', 'typed', {}), (e: unknown) => e instanceof SwitchboardError && e.code === 'NOT_FOUND' && e.message === 'no such thing');
    await assert.rejects(b.request('a', 'broken', {}), (e: unknown) => e instanceof SwitchboardError && e.code === 'INTERNAL' && !e.message.includes('secret'));
    await assert.rejects(b.request('a', 'unknown-kind', {}), (e: unknown) => e instanceof SwitchboardError && e.code === 'UNSUPPORTED');
  });

  it('fails with UNAVAILABLE when no node answers', async () => {
    await assert.rejects(b.request('nobody', 'echo', {}), (e: unknown) => e instanceof SwitchboardError && e.code === 'UNAVAILABLE');
  });

  it('delivers notes one way', async () => {
    const got: unknown[] = [];
    a.onNote('hello', (from, body) => got.push({ from, body }));
    b.note('a', 'hello', 42);
    for (let i = 0; i < 100 && got.length === 0; i++) await sleep(20);
    assert.deepEqual(got, [{ from: 'b', body: 42 }]);
  });

  it('listens again after Redis restarts', async () => {
    await redis.stop();
    await assert.rejects(b.request('a', 'echo', {}), (e: unknown) => e instanceof SwitchboardError && e.code === 'UNAVAILABLE');
    await redis.start();
    await Promise.all([a.ready(), b.ready()]);
    assert.deepEqual(await b.request('a', 'echo', 'back'), { from: 'b', body: 'back' });
  });
});
