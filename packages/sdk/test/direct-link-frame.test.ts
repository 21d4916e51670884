import assert from 'node:assert/strict';
import { decodeLinkFrame, encodeLinkAck, encodeLinkMessage, LINK_FRAME_VERSION } from '../src/direct/link-frame.js';
import { encode, ProtocolError } from '../src/protocol/index.js';

const isMalformed = (e: unknown): boolean => e instanceof ProtocolError && e.code === 'MALFORMED';

// A small deterministic generator, so a failing case can be replayed from its seed.
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

const TYPE_CHARS = ['a', 'Z', '0', ':', '-', 'é', '字', '\u{1F600}'];

function randomType(next: () => number): string {
  let type = '';
  const length = 1 + Math.floor(next() * 40);
  while (type.length < length) type += TYPE_CHARS[Math.floor(next() * TYPE_CHARS.length)];
  return type.slice(0, 128).replace(/[\uD800-\uDBFF]$/, 'x');
}

describe('direct channel link frames (version 2, hand-written header)', () => {
  it('round-trips reliable and lossy messages and acks, fuzzed', () => {
    const next = random(7);
    const numbers = [1, 2, 255, 256, 65_535, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 40 + 3, Number.MAX_SAFE_INTEGER];
    for (let i = 0; i < 2_000; i++) {
      const type = randomType(next);
      const payload = encode(next() < 0.5 ? { n: next(), s: type, b: new Uint8Array(Math.floor(next() * 300)) } : Math.floor(next() * 1e9));
      const seq = next() < 0.3 ? undefined : next() < 0.5 ? numbers[i % numbers.length] : 1 + Math.floor(next() * 2 ** 53 - 1);
      const bytes = encodeLinkMessage(type, seq, payload);
      assert.equal(bytes[0], LINK_FRAME_VERSION);
      const frame = decodeLinkFrame(bytes);
      assert.equal(frame.kind, 'message');
      if (frame.kind !== 'message') return;
      assert.equal(frame.type, type, `seed 7, case ${i}`);
      assert.equal(frame.seq, seq);
      assert.deepEqual(Buffer.from(frame.data), Buffer.from(payload));
      const ack = seq ?? 0;
      assert.deepEqual(decodeLinkFrame(encodeLinkAck(ack)), { kind: 'ack', ack });
    }
  });

  it('reads a type again after another one, not the last one read', () => {
    const payload = encode(null);
    for (const type of ['ab', 'ba', 'ab', 'abc', 'é', 'e\u0301'.normalize('NFC'), 'x']) {
      assert.equal((decodeLinkFrame(encodeLinkMessage(type, 1, payload)) as { type: string }).type, type);
    }
  });

  it('rejects malformed frames, and version 1 (MessagePack map) frames, with MALFORMED', () => {
    const good = encodeLinkMessage('t', 5, encode({ x: 1 }));
    const bad: Uint8Array[] = [
      new Uint8Array(0),
      new Uint8Array([LINK_FRAME_VERSION]),
      encode({ n: 1, t: 't', d: encode(1) }),
      Uint8Array.of(1, ...good.subarray(1)),
      Uint8Array.of(LINK_FRAME_VERSION, 3, ...good.subarray(2)),
      good.subarray(0, 11),
      good.subarray(0, good.byteLength - 3).slice(0, 13),
      Uint8Array.of(...good.subarray(0, 10), 0, 0, 0x01),
      Uint8Array.of(LINK_FRAME_VERSION, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0x74, 0x01),
      Uint8Array.of(LINK_FRAME_VERSION, 1, 0, 0x20, 0, 0, 0, 0, 0, 1, 0, 1, 0x74, 0x01),
      Uint8Array.of(LINK_FRAME_VERSION, 2, 0, 2, 0xc3, 0x28, 0x01),
      Uint8Array.of(LINK_FRAME_VERSION, 2, 0, 1, 0x74),
      encodeLinkAck(3).subarray(0, 9),
      Uint8Array.of(...encodeLinkAck(3), 0),
    ];
    bad.forEach((bytes, i) => assert.throws(() => decodeLinkFrame(bytes), isMalformed, `case ${i}`));
    assert.throws(() => decodeLinkFrame(encodeLinkMessage('x'.repeat(129), undefined, encode(1))), isMalformed);
  });

  it('never throws anything but MALFORMED on garbage, fuzzed', () => {
    const next = random(11);
    const good = encodeLinkMessage('type', 42, encode({ a: [1, 2, 3] }));
    for (let i = 0; i < 5_000; i++) {
      const bytes = next() < 0.5 ? good.slice(0, Math.floor(next() * (good.byteLength + 1))) : good.slice();
      for (let flips = Math.floor(next() * 4); flips > 0 && bytes.byteLength > 0; flips--) bytes[Math.floor(next() * bytes.byteLength)] = Math.floor(next() * 256);
      try {
        const frame = decodeLinkFrame(bytes);
        if (frame.kind === 'message') assert.ok(frame.type.length > 0 && frame.data.byteLength > 0);
      } catch (error) {
        assert.ok(isMalformed(error), `seed 11, case ${i}: ${String(error)}`);
      }
    }
  });
});
