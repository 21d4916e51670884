import assert from 'node:assert/strict';
import { encodeOutgoing, encode, EnvelopeKind } from '@switchboard/sdk/protocol';
import type { RoomChannel, SequencedMessage } from '../src/cluster/room-bus.js';
import { TakeoverReader } from '../src/data/takeover-reader.js';

/** A room log of `count` messages, every third from `sender`, and the reads made of it. */
function log(count: number, sender: string): { channel: RoomChannel; reads: number[]; release(): void } {
  const messages: SequencedMessage[] = Array.from({ length: count }, (_, i) => {
    const from = i % 3 === 0 ? sender : 'other';
    const body = encodeOutgoing({ kind: EnvelopeKind.message, seq: i + 1, type: 't', data: encode(null) });
    return { seq: i + 1, at: 0, from, targets: undefined, topic: undefined, type: 't', body };
  });
  const reads: number[] = [];
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const channel = {
    replay: async (afterSeq: number) => {
      reads.push(afterSeq);
      await gate;
      return messages.filter((m) => m.seq > afterSeq);
    },
  } as unknown as RoomChannel;
  return { channel, reads, release };
}

describe('TakeoverReader', () => {
  it('serves takeovers under way together with one read of the log', async () => {
    const { channel, reads, release } = log(30, 'sender');
    const reader = new TakeoverReader(channel);
    const pending = [reader.read('a', 20, false), reader.read('b', 25, false), reader.read('c', 22, false)];
    release();
    const [a, b, c] = await Promise.all(pending);
    assert.deepEqual(reads, [20], 'one read, from the first takeover');
    assert.deepEqual([a!.missed.length, b!.missed.length, c!.missed.length], [10, 5, 8]);
    assert.deepEqual(a!.missed.map((m) => m.seq).slice(0, 2), [21, 22]);
  });

  it('reads the whole log for a session that may have sent, and finds its last message', async () => {
    const { channel, reads, release } = log(30, 'sender');
    release();
    const reader = new TakeoverReader(channel);
    const read = await reader.read('sender', 25, true);
    assert.deepEqual(reads, [0]);
    assert.equal(read.lastSent, 28);
    assert.deepEqual(read.missed.map((m) => m.seq), [26, 27, 28, 29, 30]);
    const viewer = await reader.read('viewer', 25, false);
    assert.deepEqual(reads, [0, 25], 'a viewer reads only what it missed');
    assert.equal(viewer.lastSent, 0);
  });
});
