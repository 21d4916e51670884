import assert from 'node:assert/strict';
import { Receiver } from '../src/data-channel/receiver.js';
import { encode, encodeDelivered, EnvelopeKind } from '../src/protocol/index.js';

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
    const delivery = receiver.accept(delivered(1, 'hello'));
    assert.ok(delivery);
    assert.equal(delivery.envelope.from, 'peer-a');
    assert.equal(delivery.envelope.topic, 'news');
    assert.equal(delivery.envelope.targeted, true);
    assert.equal(delivery.envelope.serverTime, 1_700_000_000_000);
    assert.deepEqual(delivery.payload, { text: 'hello' });
  });

  it('drops reliable deliveries already seen, but accepts a late one that fills a gap', () => {
    const receiver = new Receiver();
    const accepted = [1, 2, 2, 5, 3, 5, 6, 3].map((seq) => receiver.accept(delivered(seq))?.envelope.seq);
    assert.deepEqual(accepted, [1, 2, undefined, 5, 3, undefined, 6, undefined]);
    assert.equal(receiver.lastSeq, 6);
    assert.equal(receiver.duplicates, 3);
    assert.equal(receiver.received, 5);
  });

  it('accepts every lossy delivery (number 0) without moving the reliable position', () => {
    const receiver = new Receiver();
    receiver.accept(delivered(4));
    assert.ok(receiver.accept(delivered(0)));
    assert.ok(receiver.accept(delivered(0)));
    assert.equal(receiver.lastSeq, 4);
    assert.equal(receiver.received, 3);
    assert.equal(receiver.duplicates, 0);
  });

  it('drops our own broadcasts, which still count in the room numbering', () => {
    const receiver = new Receiver();
    receiver.ownId = 'me';
    assert.equal(receiver.accept(delivered(1, 'mine', 'me')), undefined);
    assert.equal(receiver.accept(delivered(0, 'mine, lossy', 'me')), undefined);
    assert.equal(receiver.lastSeq, 1);
    assert.equal(receiver.accept(delivered(1, 'replayed', 'peer-a')), undefined);
    assert.equal(receiver.accept(delivered(2))?.envelope.seq, 2);
    assert.equal(receiver.received, 1);
    assert.equal(receiver.duplicates, 1);
  });

  it('counts and drops what it cannot decode', () => {
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
      assert.equal(receiver.accept(data), undefined);
    }
    assert.equal(receiver.malformed, 4);
    // The last one was a well-formed delivery number 1 with an unreadable payload: seen all the same.
    assert.equal(receiver.lastSeq, 1);
    assert.equal(receiver.received, 0);
  });
});
