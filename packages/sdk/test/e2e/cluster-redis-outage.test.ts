import assert from 'node:assert/strict';
import { defineMessages, type MessageRejectedError } from '../../src/index.js';
import { ClusterFixture } from './cluster-peers.js';
import { sleep, waitFor, type TestPeer } from './sdk-peers.js';

type Messages = { count: { n: number } };
const messages = defineMessages<Messages>();

async function reachable(url: string): Promise<boolean> {
  const body = (await (await fetch(`${url}/healthz`)).json()) as { cluster: { reachable: boolean } };
  return body.cluster.reachable;
}

/** Polls `check` every 100 ms until it holds, for at most `timeoutMs`. */
async function eventually(check: () => Promise<boolean>, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

// Two nodes with a live room; the test Redis is killed and started again (empty) during traffic.
describe('SDK end to end: Redis stops and starts while a room is live', function () {
  this.timeout(90_000);
  let f: ClusterFixture;
  let a: TestPeer<Messages>;
  let b: TestPeer<Messages>;

  before(async () => {
    f = await ClusterFixture.start(2);
    a = await f.join('live', 'alice', { messages });
    b = await f.join('live', 'bob', { messages });
    await waitFor(() => a.room.peers.size === 1 && b.room.peers.size === 1, 'the two to see each other', 15_000);
  });
  after(() => f?.close());

  it('keeps the nodes up, refuses what it cannot serve with UNAVAILABLE, and carries traffic again after', async () => {
    for (let n = 1; n <= 5; n++) await a.room.send('count', { n });
    await waitFor(() => b.inbox.length === 5, 'the messages before the outage');

    await f.redis.stop();
    await eventually(async () => !(await reachable(f.nodes[0]!.url)), 'node 1 to see Redis gone', 15_000);
    const rejected = new Promise<MessageRejectedError>((resolve) => a.room.once('messageRejected', resolve));
    const receipt = await a.room.send('count', { n: 6 }, { receipt: true }).then(
      () => assert.fail('the send resolved'),
      (error: unknown) => error as MessageRejectedError,
    );
    assert.equal(receipt.code, 'UNAVAILABLE', 'a reliable message that cannot be sequenced is refused, typed');
    assert.equal((await rejected).code, 'UNAVAILABLE', 'and reported by the event too');
    await assert.rejects(f.join('live', 'carol', { messages, reconnect: { enabled: false } }), (error: { code?: string }) => error.code === 'UNAVAILABLE');
    assert.ok(f.nodes.every((node) => node.alive), 'no node crashed');

    await f.redis.start();
    await eventually(async () => (await reachable(f.nodes[0]!.url)) && (await reachable(f.nodes[1]!.url)), 'both nodes to reach Redis again', 20_000);
    for (let n = 7; n <= 9; n++) await a.room.send('count', { n });
    await b.room.send('count', { n: 100 });
    await waitFor(() => b.inbox.length === 8 && a.inbox.length === 1, 'the messages after the outage', 15_000);
    await sleep(300);
    assert.deepEqual(b.inbox.map((m) => (m.data as { n: number }).n), [1, 2, 3, 4, 5, 7, 8, 9]);
    assert.deepEqual(a.inbox.map((m) => (m.data as { n: number }).n), [100]);
    assert.ok(f.nodes.every((node) => node.alive), 'no node crashed');
  });
});
