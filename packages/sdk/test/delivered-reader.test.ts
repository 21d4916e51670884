import assert from 'node:assert/strict';
import { readDelivered } from '../src/protocol/delivered-reader.js';
import { decode, decodeDelivered, encode, encodeDelivered, ProtocolError, type DeliveredEnvelope, type EnvelopeKind, type ReceivedEnvelope } from '../src/protocol/index.js';

// What the generic decode makes of a delivered envelope: its fields as they decode, checked.
function generic(bytes: Uint8Array): ReceivedEnvelope | 'MALFORMED' {
  const wire = decode(bytes) as Record<string, unknown>;
  const name = (value: unknown) => typeof value === 'string' && value.length > 0 && value.length <= 128;
  if (typeof wire.f !== 'string' || typeof wire.ts !== 'number' || !Number.isSafeInteger(wire.s) || !('d' in wire)) return 'MALFORMED';
  if (![0, 1, 2, 3].includes(wire.k as number) || !name(wire.t) || (wire.tp !== undefined && !name(wire.tp))) return 'MALFORMED';
  if (wire.c !== undefined && !(Number.isSafeInteger(wire.c) && (wire.c as number) >= 0)) return 'MALFORMED';
  const envelope: ReceivedEnvelope = {
    kind: wire.k as EnvelopeKind,
    seq: wire.s as number,
    from: wire.f,
    serverTime: wire.ts,
    type: wire.t as string,
    targeted: wire.p === true,
    data: wire.d,
  };
  if (wire.tp !== undefined) envelope.topic = wire.tp as string;
  if (wire.h === true) envelope.history = true;
  if (wire.c !== undefined) envelope.callId = wire.c as number;
  return envelope;
}

function decoded(bytes: Uint8Array, start?: number, end?: number): ReceivedEnvelope | 'MALFORMED' {
  try {
    return decodeDelivered(bytes, start, end);
  } catch (error) {
    if (error instanceof ProtocolError && error.code === 'MALFORMED') return 'MALFORMED';
    throw error;
  }
}

// A deterministic pseudo-random source, so that a failure can be reproduced.
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

describe('delivered envelope header reader', () => {
  it('reads every header the server writes exactly as the generic decode does', () => {
    const next = random(7);
    const pick = <T>(values: readonly T[]): T => values[Math.floor(next() * values.length)]!;
    const seqs = [0, 1, 127, 128, 255, 256, 65_535, 65_536, 2 ** 32 - 1, 2 ** 32, 2 ** 40];
    const times = [0, 1, 255, 2 ** 31, 1_700_000_000_123, 1.5];
    const peers = ['a', 'peer-alice', 'server', 'x'.repeat(40), 'y'.repeat(300), 'pé'];
    const names = ['chat', 'c', 'x'.repeat(128), 'z'.repeat(40), 'né'];
    let fast = 0;
    for (let i = 0; i < 3000; i++) {
      const envelope: DeliveredEnvelope = {
        kind: pick([0, 1, 2, 3] as const),
        seq: pick(seqs),
        from: pick(peers),
        serverTime: pick(times),
        type: pick(names),
        targeted: next() < 0.5,
        data: encode(pick([null, 1, 'text', { text: 'hi', at: i }, new Uint8Array(3), [1, [2]]])),
      };
      if (next() < 0.4) envelope.topic = pick(names);
      if (next() < 0.3) envelope.history = true;
      if (next() < 0.3) envelope.callId = pick(seqs);
      const bytes = encodeDelivered(envelope);
      const expected = generic(bytes);
      assert.deepEqual(decoded(bytes), expected);
      // Inside a larger frame, as a batch element, with bytes around it.
      const framed = Uint8Array.of(0xc0, 0xc0, ...bytes, 0x01, 0xa1);
      assert.deepEqual(decoded(framed, 2, 2 + bytes.length), expected);
      const read = readDelivered(bytes, 0, bytes.length);
      if (read !== undefined) {
        fast++;
        assert.deepEqual(read, expected);
      }
      const ascii = [envelope.from, envelope.type, envelope.topic ?? ''].every((s) => s.length <= 255 && /^[ -~]*$/.test(s));
      if (ascii && envelope.seq < 2 ** 32 && (envelope.callId ?? 0) < 2 ** 32 && expected !== 'MALFORMED') assert.ok(read, `the reader takes ${JSON.stringify({ ...envelope, data: undefined })}`);
    }
    assert.ok(fast > 1000, `${fast} read by hand`);
  });

  it('leaves other forms to the generic decode, which reads or refuses them as before', () => {
    const payload = { text: 'hi' };
    const header = { k: 0, s: 5, f: 'peer-a', ts: 1_700_000_000_000, t: 'chat' };
    const forms: Record<string, unknown>[] = [
      { ...header, d: payload },
      { d: payload, ...header },
      { ...header, p: false, d: payload },
      { ...header, h: false, d: payload },
      { ...header, x: 1, d: payload },
      { ...header, s: -1, d: payload },
      { ...header, ts: -5, d: payload },
      { ...header, ts: 2 ** 60, d: payload },
      { ...header, ts: '1', d: payload },
      { ...header, f: 7, d: payload },
      { ...header, k: 4, d: payload },
      { ...header, t: '', d: payload },
      { ...header, t: 'x'.repeat(129), d: payload },
      { ...header, tp: 'x'.repeat(129), d: payload },
      { ...header, c: -1, d: payload },
      { k: 0, s: 5, ts: 1, t: 'chat', d: payload },
      { k: 0, f: 'a', ts: 1, t: 'chat', d: payload },
      { ...header },
    ];
    for (const wire of forms) {
      const bytes = encode(wire);
      assert.deepEqual(decoded(bytes), generic(bytes), JSON.stringify(wire));
    }
  });

  it('never reads past the end it is given', () => {
    const bytes = encodeDelivered({ kind: 1, seq: 70_000, from: 'peer-a', serverTime: 1_700_000_000_000, type: 'chat', topic: 'news', targeted: true, history: true, callId: 3, data: encode(1) });
    const next = encodeDelivered({ kind: 0, seq: 1, from: 'b', serverTime: 1, type: 't', targeted: false, data: encode(2) });
    // Every prefix, followed by a whole envelope whose bytes must not complete it.
    for (let end = 0; end < bytes.length; end++) {
      const framed = Uint8Array.of(...bytes.subarray(0, end), ...next);
      assert.equal(decoded(framed, 0, end), 'MALFORMED', `prefix of ${end}`);
    }
  });
});
