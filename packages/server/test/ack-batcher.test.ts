import assert from 'node:assert/strict';
import { AckBatcher } from '../src/data/ack-batcher.js';
import type { Peer } from '../src/rooms/peer.js';

/** A peer whose acks are recorded. */
function peer(settledSeq: number): { peer: Peer; acks: number[] } {
  const acks: number[] = [];
  const fake = { settledSeq, connection: { notify: (_method: string, data: { seq: number }) => acks.push(data.seq) } };
  return { peer: fake as unknown as Peer, acks };
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('AckBatcher', () => {
  it('acks at the end of the turn that settled the messages, once per peer, with no timer', async () => {
    const batcher = new AckBatcher();
    const a = peer(3);
    const b = peer(7);
    batcher.schedule(a.peer);
    batcher.schedule(b.peer);
    (a.peer as { settledSeq: number }).settledSeq = 5;
    batcher.schedule(a.peer);
    assert.deepEqual([a.acks, b.acks], [[], []], 'nothing before the turn ends');
    await nextTurn();
    assert.deepEqual([a.acks, b.acks], [[5], [7]], 'one ack per peer, the latest settled seq');
    batcher.close();
  });

  it('sends nothing for a peer forgotten, or after close', async () => {
    const batcher = new AckBatcher();
    const a = peer(1);
    const b = peer(2);
    batcher.schedule(a.peer);
    batcher.forget(a.peer);
    await nextTurn();
    batcher.schedule(b.peer);
    batcher.close();
    await nextTurn();
    assert.deepEqual([a.acks, b.acks], [[], []]);
  });
});
