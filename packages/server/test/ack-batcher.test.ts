import assert from 'node:assert/strict';
import { AckBatcher, LAZY_ACK_MESSAGES, LAZY_ACK_MS } from '../src/data/ack-batcher.js';
import type { Peer } from '../src/rooms/peer.js';

/** A peer whose acks are recorded. */
function peer(settledSeq: number): { peer: Peer; acks: number[] } {
  const acks: number[] = [];
  const fake = { settledSeq, connection: { notify: (_method: string, data: { seq: number }) => acks.push(data.seq) } };
  return { peer: fake as unknown as Peer, acks };
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('AckBatcher', () => {
  it('acks a message its sender waits on at the end of the turn, once per peer, with no timer', async () => {
    const batcher = new AckBatcher();
    const a = peer(3);
    const b = peer(7);
    batcher.schedule(a.peer, true);
    batcher.schedule(b.peer, false);
    (a.peer as { settledSeq: number }).settledSeq = 5;
    batcher.schedule(a.peer, true);
    assert.deepEqual([a.acks, b.acks], [[], []], 'nothing before the turn ends');
    await nextTurn();
    assert.deepEqual([a.acks, b.acks], [[5], [7]], 'one ack per peer, the latest settled seq, lazy ones with it');
    batcher.close();
  });

  it('acks the other messages lazily: within LAZY_ACK_MS, not at the end of the turn', async () => {
    const batcher = new AckBatcher();
    const a = peer(4);
    const scheduled = performance.now();
    batcher.schedule(a.peer, false);
    await nextTurn();
    assert.deepEqual(a.acks, [], 'not at the end of the turn');
    const deadline = scheduled + LAZY_ACK_MS * 20;
    while (a.acks.length === 0 && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
    assert.deepEqual(a.acks, [4]);
    assert.ok(performance.now() - scheduled >= LAZY_ACK_MS - 1, 'it waited for the lazy delay');
    batcher.close();
  });

  it('acks a sender that is LAZY_ACK_MESSAGES messages ahead at the end of the turn', async () => {
    const batcher = new AckBatcher();
    const a = peer(LAZY_ACK_MESSAGES);
    for (let i = 0; i < LAZY_ACK_MESSAGES - 1; i++) batcher.schedule(a.peer, false);
    await nextTurn();
    assert.deepEqual(a.acks, [], 'one message short: still lazy');
    batcher.schedule(a.peer, false);
    await nextTurn();
    assert.deepEqual(a.acks, [LAZY_ACK_MESSAGES]);
    batcher.close();
  });

  it('sends nothing for a peer forgotten, or after close', async () => {
    const batcher = new AckBatcher();
    const a = peer(1);
    const b = peer(2);
    batcher.schedule(a.peer, true);
    batcher.forget(a.peer);
    await nextTurn();
    batcher.schedule(b.peer, true);
    batcher.schedule(b.peer, false);
    batcher.close();
    await new Promise((resolve) => setTimeout(resolve, LAZY_ACK_MS * 2));
    assert.deepEqual([a.acks, b.acks], [[], []]);
  });
});
