import { expect } from 'chai';
import { LOSSY_BATCH_MAX_BYTES } from '@switchboard/sdk/protocol';
import { FanoutBatcher } from '../src/data/fanout-batcher.js';
import type { WorkerLanes } from '../src/data/worker-lanes.js';

/** A batcher over lanes that record what goes into the workers, and when. */
function batcher(windowMs: number): { batcher: FanoutBatcher; sent: number[] } {
  const sent: number[] = [];
  const lanes = { send: (_channel: string, bytes: Buffer) => sent.push(bytes.byteLength) } as unknown as WorkerLanes;
  return { batcher: new FanoutBatcher(lanes, { windowMs, maxBytes: 64 * 1024 }), sent };
}

describe('FanoutBatcher: the end of a read of the room log', () => {
  it('sends what is pending at once when there is no window, as one batch', async () => {
    const { batcher: b, sent } = batcher(0);
    b.add('reliable', Buffer.alloc(10), [1, 2], undefined);
    b.add('reliable', Buffer.alloc(10), [1, 2], undefined);
    expect(sent).to.have.length(0);
    b.inputEnded();
    expect(sent).to.have.length(1);
    await new Promise((resolve) => setImmediate(resolve));
    expect(sent, 'nothing left for the end of the turn').to.have.length(1);
  });

  it('keeps a configured window: the batch still waits for it', async () => {
    const { batcher: b, sent } = batcher(20);
    b.add('reliable', Buffer.alloc(10), [1], undefined);
    b.inputEnded();
    expect(sent).to.have.length(0);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(sent).to.have.length(1);
  });
});

describe('FanoutBatcher: lossy batches', () => {
  it('keeps a lossy batch within one packet, and a reliable one up to the batch limit', () => {
    const { batcher: b, sent } = batcher(0);
    for (let i = 0; i < 30; i++) b.add('reliable', Buffer.alloc(200), [1], undefined);
    b.inputEnded();
    expect(sent, 'thirty reliable deliveries in one batch').to.have.length(1);
    sent.length = 0;
    for (let i = 0; i < 30; i++) b.add('lossy', Buffer.alloc(200), [1], undefined);
    b.inputEnded();
    expect(sent.length).to.be.greaterThan(1);
    for (const size of sent) expect(size).to.be.at.most(LOSSY_BATCH_MAX_BYTES);
  });
});
