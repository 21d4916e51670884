import assert from 'node:assert/strict';
import { Receiver } from '../src/data-channel/receiver.js';
import { receiveAll, receiveOne } from './support/receive-all.js';
import { encode, encodeBatch, encodeDelivered, EnvelopeKind, ProtocolError, unpackDelivered } from '../src/protocol/index.js';

function delivered(seq: number, text = `m${seq}`, from = 'peer-a'): ArrayBuffer {
  const bytes = encodeDelivered({
    kind: EnvelopeKind.message,
    seq,
    from,
    serverTime: 1_700_000_000_000,
    type: 'chat',
    topic: 'news',
    targeted: true,
    data: encode({ text }),
  });
  // What a DataChannel hands over: an ArrayBuffer of exactly the message (a copy: in Node the
  // encoder's output is a view into a larger pool).
  return new Uint8Array(bytes).buffer;
}

describe('Receiver', () => {
  it('decodes the envelope and its payload', () => {
    const receiver = new Receiver();
    const delivery = receiveOne(receiver, delivered(1, 'hello'));
    assert.ok(delivery);
    assert.equal(delivery.from, 'peer-a');
    assert.equal(delivery.topic, 'news');
    assert.equal(delivery.targeted, true);
    assert.equal(delivery.serverTime, 1_700_000_000_000);
    assert.deepEqual(delivery.data, { text: 'hello' });
  });

  it('drops reliable deliveries already seen, but accepts a late one that fills a gap', () => {
    const receiver = new Receiver();
    const accepted = [1, 2, 2, 5, 3, 5, 6, 3].map((seq) => receiveOne(receiver, delivered(seq))?.seq);
    assert.deepEqual(accepted, [1, 2, undefined, 5, 3, undefined, 6, undefined]);
    assert.equal(receiver.lastSeq, 6);
    assert.equal(receiver.duplicates, 3);
    assert.equal(receiver.received, 5);
  });

  it('accepts every lossy delivery (number 0) without moving the reliable position', () => {
    const receiver = new Receiver();
    receiveOne(receiver, delivered(4));
    assert.ok(receiveOne(receiver, delivered(0)));
    assert.ok(receiveOne(receiver, delivered(0)));
    assert.equal(receiver.lastSeq, 4);
    assert.equal(receiver.received, 3);
    assert.equal(receiver.duplicates, 0);
  });

  it('drops our own broadcasts, which still count in the room numbering', () => {
    const receiver = new Receiver();
    receiver.ownId = 'me';
    assert.equal(receiveOne(receiver, delivered(1, 'mine', 'me')), undefined);
    assert.equal(receiveOne(receiver, delivered(0, 'mine, lossy', 'me')), undefined);
    assert.equal(receiver.lastSeq, 1);
    assert.equal(receiveOne(receiver, delivered(1, 'replayed', 'peer-a')), undefined);
    assert.equal(receiveOne(receiver, delivered(2))?.seq, 2);
    assert.equal(receiver.received, 1);
    assert.equal(receiver.duplicates, 1);
  });

  it('counts and drops what it cannot decode, payload included', () => {
    const receiver = new Receiver();
    const badPayload = encodeDelivered({
      kind: EnvelopeKind.message,
      seq: 1,
      from: 'peer-a',
      serverTime: 1,
      type: 'chat',
      targeted: false,
      data: new Uint8Array([0xc1]),
    });
    for (const data of ['text frame', new Uint8Array([0x82, 0xa1]), encode({ k: 0 }), badPayload]) {
      assert.equal(receiveOne(receiver, data), undefined);
    }
    assert.equal(receiver.malformed, 4);
    // The payload is part of the envelope's one value: an unreadable one makes the whole delivery
    // unreadable (the server refuses such a payload from its sender, so only a broken server sends it).
    assert.equal(receiver.lastSeq, 0);
    assert.equal(receiver.received, 0);
  });

  it('unpacks batches of fuzzed sizes with mixed senders, targets and topics, exactly once across batches and replays', () => {
    let state = 7;
    const next = () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const envelopes = Array.from({ length: 300 }, (_, i) => {
      const topic = next() < 0.5 ? { topic: next() < 0.5 ? 'news' : 'sport' } : {};
      return encodeDelivered({
        kind: EnvelopeKind.message,
        seq: next() < 0.2 ? 0 : i + 1,
        from: next() < 0.1 ? 'me' : `peer-${Math.floor(next() * 5)}`,
        serverTime: 1_700_000_000_000 + i,
        type: 'chat',
        targeted: next() < 0.5,
        ...topic,
        data: encode({ i, pad: 'x'.repeat(Math.floor(next() ** 3 * 5000)) }),
      });
    });
    const receiver = new Receiver();
    receiver.ownId = 'me';
    const got: number[] = [];
    for (let start = 0; start < envelopes.length; ) {
      const size = 1 + Math.floor(next() * 20);
      const batch = envelopes.slice(start, start + size);
      start += size;
      const bytes = batch.length === 1 ? batch[0]! : encodeBatch(batch);
      assert.equal(unpackDelivered(bytes).length, batch.length);
      for (const delivery of receiveAll(receiver, new Uint8Array(bytes).buffer)) got.push((delivery.data as { i: number }).i);
    }
    const one = new Receiver();
    one.ownId = 'me';
    const expected = envelopes.flatMap((bytes) => receiveOne(one, bytes) ?? []).map((d) => (d.data as { i: number }).i);
    assert.deepEqual(got, expected, 'the same deliveries as one by one, in order');
    // A replay after a resume, batched too: every reliable delivery is already seen.
    const replayed = receiveAll(receiver, encodeBatch(envelopes.slice(0, 100)));
    assert.ok(replayed.every((d) => d.seq === 0), 'only lossy (unnumbered) ones come through again');
    assert.ok(receiver.duplicates > 0);
  });

  it('counts an unreadable batch as one malformed message', () => {
    const receiver = new Receiver();
    for (const bad of [encode({ b: [] }), encode({ b: ['text'] }), encode({ b: 1 })]) {
      assert.throws(() => unpackDelivered(bad), (error: unknown) => error instanceof ProtocolError && error.code === 'MALFORMED');
      assert.deepEqual(receiveAll(receiver, bad), []);
    }
    assert.equal(receiver.malformed, 3);
  });
});
