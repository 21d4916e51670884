import assert from 'node:assert/strict';
import { packPayload, unpackPayload } from '../src/direct/payload.js';
import { decode, encode, ProtocolError } from '../src/protocol/index.js';

const isMalformed = (e: unknown): boolean => e instanceof ProtocolError && e.code === 'MALFORMED';

describe('direct channel payloads (binary written and read by hand)', () => {
  it('writes binary data as the codec does, at every header size', () => {
    for (const length of [0, 1, 200, 255, 256, 65_535, 65_536, 70_000]) {
      const data = new Uint8Array(length).map((_, i) => (i * 31 + length) & 0xff);
      const packed = packPayload(data);
      assert.deepEqual(Buffer.from(packed), Buffer.from(encode(data)), `${length} bytes`);
      const unpacked = unpackPayload(packed) as Uint8Array;
      assert.ok(unpacked instanceof Uint8Array);
      assert.deepEqual(Buffer.from(unpacked), Buffer.from(data));
      assert.deepEqual(Buffer.from(decode(packed) as Uint8Array), Buffer.from(data));
    }
    assert.deepEqual(Buffer.from(packPayload(Buffer.from([1, 2]))), Buffer.from([0xc4, 2, 1, 2]), 'a Buffer is binary too');
  });

  it('leaves every other value to the codec, undefined sent as null', () => {
    for (const value of [null, 0, -1, 2 ** 40, 'text', [1, new Uint8Array([2])], { a: { b: [true, 1.5] } }]) {
      assert.deepEqual(Buffer.from(packPayload(value)), Buffer.from(encode(value)));
      assert.deepEqual(unpackPayload(packPayload(value)), decode(encode(value)));
    }
    assert.equal(unpackPayload(packPayload(undefined)), null);
  });

  it('rejects a binary header whose length does not match, with MALFORMED', () => {
    for (const bytes of [Uint8Array.of(0xc4), Uint8Array.of(0xc4, 3, 1, 2), Uint8Array.of(0xc4, 1, 1, 2), Uint8Array.of(0xc5, 0), Uint8Array.of(0xc5, 0, 2, 1), Uint8Array.of(0xc6, 0, 0, 0, 9, 1)]) {
      assert.throws(() => unpackPayload(bytes), isMalformed, `[${bytes.join(', ')}]`);
    }
  });
});
