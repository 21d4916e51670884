import assert from 'node:assert/strict';
import { encodeFrame, readRelayed, relayFrameSize } from '../src/direct/direct-frame.js';
import { Sequencer } from '../src/direct/sequencer.js';
import { decode, encode, ProtocolError } from '../src/protocol/index.js';

describe('direct channel sequencing', () => {
  it('delivers each number once, in order, holding back early ones', () => {
    const s = new Sequencer<string>();
    assert.deepEqual(s.receive(2, 'b'), []);
    assert.deepEqual(s.receive(3, 'c'), []);
    assert.deepEqual(s.receive(1, 'a'), ['a', 'b', 'c']);
    assert.deepEqual(s.receive(2, 'b'), [], 'a duplicate of a delivered message');
    assert.deepEqual(s.receive(5, 'e'), []);
    assert.deepEqual(s.receive(5, 'e'), [], 'a duplicate of a held message');
    assert.deepEqual(s.receive(4, 'd'), ['d', 'e']);
    assert.equal(s.deliveredSeq, 5);
    assert.deepEqual(s.receive(6, 'f'), ['f'], 'next in order with nothing held');
    assert.deepEqual(s.receive(6, 'f'), [], 'and then a duplicate');
    assert.equal(s.deliveredSeq, 6);
  });

  it('drops numbers too far ahead, so a peer cannot make it hold without bound', () => {
    const s = new Sequencer<string>();
    assert.deepEqual(s.receive(Sequencer.MAX_AHEAD + 2, 'far'), []);
    assert.deepEqual(s.receive(1, 'a'), ['a']);
    assert.equal(s.deliveredSeq, 1);
  });

  it('keeps what was sent directly until acknowledged, and hands back the rest in order', () => {
    const s = new Sequencer<string>();
    for (const item of ['a', 'b', 'c', 'd']) s.keep(s.next(), item);
    s.acknowledged(2);
    s.acknowledged(1);
    assert.deepEqual(s.takeUnacked(), [{ seq: 3, item: 'c' }, { seq: 4, item: 'd' }]);
    assert.deepEqual(s.takeUnacked(), []);
    assert.equal(s.next(), 5);
  });
});

describe('direct channel frames', () => {
  it('round-trips messages and acks on the relay, with the channel ID', () => {
    const data = encode({ x: 1 });
    const relayed = (frame: Parameters<typeof encodeFrame>[0]): unknown => readRelayed(decode(encodeFrame(frame, 'ch')));
    assert.deepEqual(relayed({ kind: 'message', seq: 7, type: 't', data }), { channelId: 'ch', frame: { kind: 'message', seq: 7, type: 't', data } });
    assert.deepEqual(relayed({ kind: 'message', type: 'lossy', data }), { channelId: 'ch', frame: { kind: 'message', type: 'lossy', data } });
    assert.deepEqual(relayed({ kind: 'ack', ack: 3 }), { channelId: 'ch', frame: { kind: 'ack', ack: 3 } });
  });

  it('sizes a relayed frame never below its encoding, and exactly near the limit', () => {
    const id = 'a1b2c3d4e5f6a1b2c3d4e5f6';
    for (const type of ['t', 'é'.repeat(128), '\u{1F600}'.repeat(64)]) {
      for (const bytes of [0, 200, 300, 70_000]) {
        const frame = { kind: 'message' as const, type, data: new Uint8Array(bytes) };
        const exact = encodeFrame({ ...frame, seq: Number.MAX_SAFE_INTEGER }, id).byteLength;
        assert.ok(relayFrameSize(frame, id, 1 << 20) >= exact, `${type.length} chars, ${bytes} bytes: a bound above the encoding`);
        assert.equal(relayFrameSize(frame, id, exact), exact, 'at the limit itself, the exact size');
        assert.equal(relayFrameSize(frame, id, exact - 1), exact, 'over the limit, the exact size');
      }
    }
  });

  it('rejects malformed relayed frames with MALFORMED', () => {
    const bad = [5, { c: 'ch', t: '', d: new Uint8Array() }, { c: 'ch', t: 'x', d: 'text' }, { c: 'ch', t: 'x', d: new Uint8Array(), n: 0 }, { c: 'ch', a: -1 }];
    for (const value of bad) assert.throws(() => readRelayed(value), (e: unknown) => e instanceof ProtocolError && e.code === 'MALFORMED');
    assert.throws(() => readRelayed({ a: 1 }), /channel/);
  });
});
