import assert from 'node:assert/strict';
import { decode, encode, ProtocolError } from '../src/protocol/index.js';

describe('MessagePack codec', () => {
  it('round-trips nested values with binary data', () => {
    const value = { a: 1, b: 'two', c: [true, null, 3.5], d: { e: new Uint8Array([1, 2, 3]) } };
    const decoded = decode(encode(value)) as typeof value;
    assert.deepEqual({ ...decoded, d: { e: [...decoded.d.e] } }, { ...value, d: { e: [1, 2, 3] } });
  });

  it('writes standard maps that a plain MessagePack reader understands', () => {
    // fixmap of one entry: 0x81, fixstr "a" (0xa1 0x61), positive fixint 1.
    assert.deepEqual([...encode({ a: 1 })], [0x81, 0xa1, 0x61, 0x01]);
  });

  it('leaves out map fields that are undefined, as JSON does', () => {
    assert.deepEqual([...encode({ a: 1, b: undefined })], [...encode({ a: 1 })]);
  });

  for (const [name, bytes] of [
    ['an empty frame', []],
    ['a truncated map', [0x82, 0xa1, 0x61]],
    ['two values in one frame', [0x01, 0x02]],
    ['a reserved type byte', [0xc1]],
  ] as const) {
    it(`rejects ${name} with a MALFORMED ProtocolError`, () => {
      assert.throws(
        () => decode(new Uint8Array(bytes)),
        (error: unknown) => error instanceof ProtocolError && error.code === 'MALFORMED',
      );
    });
  }
});
