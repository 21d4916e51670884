import assert from 'node:assert/strict';
import { DEV_SECRETS } from '../../../server/src/config.js';
import type { ClusterNode } from '../../../server/test/support/cluster-harness.js';
import { defineMessages, MessageRejectedError, type MessagesLostEvent } from '../../src/index.js';
import { ClusterFixture } from './cluster-peers.js';
import { sleep, waitFor, type TestPeer } from './sdk-peers.js';

type Messages = { count: { n: number } };
const messages = defineMessages<Messages>();
const SEND_GAP_MS = 15;

/** Numbered reliable sends from each peer, awaiting each receipt as an app does, until stopped. */
class Traffic {
  readonly accepted = new Map<TestPeer<Messages>, Set<number>>();
  readonly refused = new Map<TestPeer<Messages>, Set<number>>();
  slowestRefusalMs = 0;
  private running = true;
  private readonly loops: Promise<void>[];

  constructor(senders: TestPeer<Messages>[]) {
    this.loops = senders.map(async (sender) => {
      this.accepted.set(sender, new Set());
      this.refused.set(sender, new Set());
      for (let n = 1; this.running; n++) {
        const started = Date.now();
        try {
          // With its receipt: the traffic counts what the server accepted and what it refused.
          await sender.room.send('count', { n }, { receipt: true });
          this.accepted.get(sender)!.add(n);
        } catch (error) {
          if (!(error instanceof MessageRejectedError) || error.code !== 'UNAVAILABLE') throw error;
          this.refused.get(sender)!.add(n);
          this.slowestRefusalMs = Math.max(this.slowestRefusalMs, Date.now() - started);
        }
        await sleep(SEND_GAP_MS);
      }
    });
  }

  acceptedCount(): number {
    return [...this.accepted.values()].reduce((sum, set) => sum + set.size, 0);
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
  }

  /** What `receiver` got from `sender`, checked against the receipts. */
  check(receiver: TestPeer<Messages>, sender: TestPeer<Messages>) {
    const got = receiver.inbox.filter((m) => m.from === sender.room.peerId).map((m) => (m.data as { n: number }).n);
    const accepted = this.accepted.get(sender)!;
    const refused = this.refused.get(sender)!;
    return {
      deliveries: got.length,
      duplicates: got.length - new Set(got).size,
      reordered: got.filter((n, i) => i > 0 && n <= got[i - 1]!).length,
      refusedYetDelivered: got.filter((n) => refused.has(n)).length,
      missing: [...accepted].filter((n) => !got.includes(n)).length,
    };
  }
}

async function status(node: ClusterNode, path: string): Promise<{ status: number; ms: number }> {
  const started = Date.now();
  const response = await fetch(`${node.url}${path}`, { headers: { Authorization: `Bearer ${DEV_SECRETS.apiSecret}` }, signal: AbortSignal.timeout(10_000) });
  await response.arrayBuffer();
  return { status: response.status, ms: Date.now() - started };
}

// Two nodes, a peer on each sending numbered reliable messages to the other, while Redis fails.
describe('SDK end to end: exactly once, or a typed signal, while the cluster’s Redis fails', function () {
  this.timeout(90_000);
  let f: ClusterFixture;
  let a: TestPeer<Messages>;
  let b: TestPeer<Messages>;
  const lost = new Map<TestPeer<Messages>, MessagesLostEvent[]>();

  before(async () => {
    // The default Redis timeout, 1 s (the harness raises it for busy test machines).
    f = await ClusterFixture.start(2, ['--reconnect-grace', '15', '--redis-timeout-ms', '1000']);
    a = await f.join('chaos', 'alice', { messages });
    b = await f.join('chaos', 'bob', { messages });
    for (const peer of [a, b]) {
      lost.set(peer, []);
      peer.room.on('messagesLost', (event) => lost.get(peer)!.push(event));
    }
    await waitFor(() => a.room.peers.size === 1 && b.room.peers.size === 1, 'the two to see each other', 15_000);
  });
  after(() => f?.close());

  async function settle(traffic: Traffic): Promise<void> {
    await traffic.stop();
    await waitFor(
      () => [[a, b], [b, a]].every(([receiver, sender]) => traffic.check(receiver!, sender!).missing === 0 || lost.get(receiver!)!.length > 0),
      'every accepted message to arrive, or be reported lost',
      20_000,
    );
    await sleep(300);
  }

  it('Redis frozen 5 s (SIGSTOP): health, sends and the HTTP API fail within 2 s; nothing refused is delivered, nothing accepted lost', async () => {
    const traffic = new Traffic([a, b]);
    await sleep(1000);
    assert.equal((await status(f.nodes[0]!, '/healthz')).status, 200, 'healthy before the freeze');
    const frozenAt = Date.now();
    f.redis.pause();
    while ((await status(f.nodes[0]!, '/healthz')).status !== 503 && Date.now() - frozenAt < 3000) await sleep(50);
    const healthMs = Date.now() - frozenAt;
    const peersCall = await status(f.nodes[1]!, '/api/rooms/chaos/peers');
    await sleep(Math.max(0, 5000 - (Date.now() - frozenAt)));
    f.redis.resume();
    const resumedAt = Date.now();
    const before = traffic.acceptedCount();
    await waitFor(() => traffic.acceptedCount() > before + 10, 'sends to be accepted again', 15_000);
    const recoveredMs = Date.now() - resumedAt;
    await settle(traffic);
    const tally = [traffic.check(b, a), traffic.check(a, b)];
    console.log(`      SIGSTOP 5 s: ${JSON.stringify({ tally, healthMs, peersCall, slowestRefusalMs: traffic.slowestRefusalMs, recoveredMs })}`);
    assert.ok(healthMs <= 2000, `/healthz turned 503 after ${healthMs} ms`);
    assert.equal(peersCall.status, 503);
    assert.ok(peersCall.ms <= 2000, `the API answered after ${peersCall.ms} ms`);
    assert.ok(traffic.slowestRefusalMs <= 2000, `a refusal took ${traffic.slowestRefusalMs} ms`);
    assert.ok([...traffic.refused.values()].some((set) => set.size > 0), 'sends during the freeze were refused');
    for (const t of tally) assert.deepEqual({ ...t, deliveries: 0 }, { deliveries: 0, duplicates: 0, reordered: 0, refusedYetDelivered: 0, missing: 0 });
    assert.deepEqual([lost.get(a), lost.get(b)], [[], []]);
    assert.equal(a.room.peers.size + b.room.peers.size, 2, 'nobody left the room');
  });

  it('Redis killed and restarted empty: nothing refused is delivered, and what is lost is reported with messagesLost', async () => {
    for (const peer of [a, b]) peer.inbox.length = 0;
    const traffic = new Traffic([a, b]);
    await sleep(1000);
    await f.redis.stop();
    await sleep(500);
    await f.redis.start();
    const before = traffic.acceptedCount();
    await waitFor(() => traffic.acceptedCount() > before + 10, 'sends to be accepted again', 20_000);
    await settle(traffic);
    const tally = [traffic.check(b, a), traffic.check(a, b)];
    console.log(`      kill, restart empty: ${JSON.stringify({ tally, lost: [lost.get(b), lost.get(a)] })}`);
    for (const [i, t] of tally.entries()) {
      assert.deepEqual({ duplicates: t.duplicates, reordered: t.reordered, refusedYetDelivered: t.refusedYetDelivered }, { duplicates: 0, reordered: 0, refusedYetDelivered: 0 });
      if (t.missing > 0) assert.ok(lost.get(i === 0 ? b : a)!.length > 0, 'a receiver missing accepted messages was told');
    }
    // A lost range names messages that existed, not the numbers skipped after the loss.
    for (const event of [...lost.get(a)!, ...lost.get(b)!]) assert.ok(event.toSeq - event.fromSeq < 1000, `lost ${event.fromSeq}-${event.toSeq}`);
    assert.equal(a.room.connectionState, 'connected');
    assert.equal(b.room.connectionState, 'connected');
  });
});
