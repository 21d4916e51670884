import assert from 'node:assert/strict';
import { Receiver } from '../src/data-channel/receiver.js';
import { receiveAll } from './support/receive-all.js';
import {
  checkOneValue,
  decodeDelivered,
  decodeOutgoing,
  encode,
  encodeBatch,
  encodeDelivered,
  encodeOutgoing,
  EnvelopeKind,
  MAX_PAYLOAD_DEPTH,
  ProtocolError,
  type DeliveredEnvelope,
} from '../src/protocol/index.js';

const header = { kind: EnvelopeKind.message, seq: 3, from: 'peer-a', serverTime: 1_700_000_000_000, type: 'chat', targeted: false } as const;

function malformed(error: unknown): boolean {
  return error instanceof ProtocolError && error.code === 'MALFORMED';
}

function delivered(data: Uint8Array, more: Partial<DeliveredEnvelope> = {}): Uint8Array {
  return encodeDelivered({ ...header, ...more, data });
}

// Values of every MessagePack type and size class the SDK's encoder produces.
function samples(): unknown[] {
  const long = (n: number) => 'é'.repeat(n);
  return [
    null, true, false, 0, 127, -1, -32, -33, 255, 65_535, 2 ** 32 - 1, 2 ** 40, -(2 ** 40), 1.5, -0.25,
    '', 'a', long(20), long(200), long(40_000),
    new Uint8Array(0), new Uint8Array(300), new Uint8Array(70_000),
    [], [1, [2, [3, {}]]], Array.from({ length: 20 }, (_, i) => i), Array.from({ length: 70_000 }, () => 0),
    { text: 'hi', at: 1, author: { name: 'A', tags: ['x', 'y'] } },
    Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`k${i}`, i])),
    new Date(1_700_000_000_123), 2n ** 62n, undefined,
  ];
}

describe('delivered envelopes (protocol version 3)', () => {
  it('carry the payload as a nested value: one decode gives header and payload', () => {
    const payload = { text: 'hello', at: 5, author: { name: 'Alice' } };
    const envelope = decodeDelivered(delivered(encode(payload), { topic: 'news', targeted: true, kind: EnvelopeKind.rpcRequest, callId: 9 }));
    assert.deepEqual(envelope, { ...header, topic: 'news', targeted: true, kind: EnvelopeKind.rpcRequest, callId: 9, data: payload });
  });

  it('round-trip payloads of every type and size class', () => {
    for (const value of samples()) {
      const bytes = encode(value);
      checkOneValue(bytes);
      // Standard MessagePack has no undefined: it travels as nil, as JSON's null.
      assert.deepEqual(decodeDelivered(delivered(bytes)).data, value === undefined ? null : value);
      assert.deepEqual(decodeOutgoing(encodeOutgoing({ kind: EnvelopeKind.message, seq: 1, type: 't', data: bytes })).data, bytes);
    }
  });

  it('refuse, at the sender\'s envelope, a payload that is not exactly one value', () => {
    const good = encode({ text: 'x'.repeat(40), list: [1, 2, 3], nested: { a: new Uint8Array(300) } });
    // Every strict prefix ends inside the value; anything appended is a second value.
    for (let end = 0; end < good.length; end++) assert.throws(() => checkOneValue(good.subarray(0, end)), malformed, `prefix of ${end}`);
    assert.throws(() => checkOneValue(Uint8Array.of(...good, 0x01)), malformed);
    // A payload trying to add fields after itself (`f: "b"`), and the reserved type byte.
    const forging = Uint8Array.of(0x01, 0xa1, 0x66, 0xa1, 0x62);
    assert.throws(() => checkOneValue(forging), malformed);
    assert.throws(() => checkOneValue(Uint8Array.of(0x91, 0xc1)), malformed);
    const outgoing = (data: Uint8Array) => encode({ k: 0, s: 1, t: 'chat', d: data });
    assert.throws(() => decodeOutgoing(outgoing(forging)), malformed);
    assert.throws(() => decodeOutgoing(outgoing(new Uint8Array(0))), malformed);
    // Spliced anyway (a broken server), the delivery is unreadable as a whole, not forged.
    assert.throws(() => decodeDelivered(delivered(forging)), malformed);
  });

  it(`refuse payloads nested deeper than ${MAX_PAYLOAD_DEPTH} levels`, () => {
    const nested = (depth: number) => Uint8Array.of(...new Array<number>(depth).fill(0x91), 0x01);
    checkOneValue(nested(MAX_PAYLOAD_DEPTH));
    assert.throws(() => checkOneValue(nested(MAX_PAYLOAD_DEPTH + 1)), malformed);
    // A huge declared count with nothing behind it fails at once.
    assert.throws(() => checkOneValue(Uint8Array.of(0xdd, 0xff, 0xff, 0xff, 0xff)), malformed);
  });

  it('keep one envelope\'s payload from changing how its neighbours in a batch read', () => {
    // msgpackr extensions a raw client could send as a payload: a record definition (which
    // would make later bytes 0x40-0x7f read as records) and a Set (which reads the value after it).
    const recordDefinition = Uint8Array.of(0xd4, 0x72, 0x40, 0x91, 0xa1, 0x61, 0x01);
    const setReadingOn = Uint8Array.of(0xd4, 0x73, 0x00);
    const receiver = new Receiver();
    const bytes = encodeBatch([
      delivered(encode('before'), { seq: 1 }),
      delivered(recordDefinition, { seq: 2 }),
      delivered(setReadingOn, { seq: 3 }),
      delivered(encode('after'), { seq: 64 }),
    ]);
    const got = receiveAll(receiver, bytes).map((d) => [d.seq, d.data]);
    assert.deepEqual(got[0], [1, 'before']);
    assert.deepEqual(got[got.length - 1], [64, 'after']);
    assert.equal(receiver.lastSeq, 64);
  });
});
