import assert from 'node:assert/strict';
import { Packr, type Options } from 'msgpackr';
import { decode, decodeEach, encode, ProtocolError } from '../src/protocol/index.js';

// An independent MessagePack implementation to check against, both ways.
const other = new Packr({ useRecords: false, mapsAsObjects: true, variableMapSize: true } as Options);

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

/** A deterministic generator of JSON-like values with bytes, for round trips. */
function* values(seed: number, count: number): Generator<unknown> {
  let state = seed;
  const random = (): number => {
    state = (state * 48_271) % 2_147_483_647;
    return state / 2_147_483_647;
  };
  const text = (): string => {
    const alphabet = ['a', 'Z', '0', ' ', 'é', 'ß', '中', '😀', '\u0000', 'key'];
    const length = [0, 1, 5, 15, 31, 32, 40, 63, 64, 200, 300][Math.floor(random() * 11)]!;
    let out = '';
    while (out.length < length) out += alphabet[Math.floor(random() * alphabet.length)];
    return out;
  };
  const number = (): number => {
    const picks = [0, 1, 127, 128, 255, 256, 65535, 65536, 2 ** 32 - 1, 2 ** 32, -1, -32, -33, -128, -129, -32768, -32769, -(2 ** 31), -(2 ** 31) - 1, 0.5, -1.25, 1e300, Number.MAX_SAFE_INTEGER];
    return picks[Math.floor(random() * picks.length)]!;
  };
  const value = (depth: number): unknown => {
    const pick = Math.floor(random() * (depth > 3 ? 6 : 9));
    switch (pick) {
      case 0: return null;
      case 1: return random() < 0.5;
      case 2: return number();
      case 3: return text();
      case 4: return new Uint8Array(Math.floor(random() * 300)).map((_, i) => i);
      case 5: return Math.floor(random() * 1e9) - 5e8;
      case 6: return Array.from({ length: Math.floor(random() * 20) }, () => value(depth + 1));
      default: {
        const record: Record<string, unknown> = {};
        const size = Math.floor(random() * 20);
        for (let i = 0; i < size; i++) record[`${text()}${i}`] = value(depth + 1);
        return record;
      }
    }
  };
  for (let i = 0; i < count; i++) yield value(0);
}

/** Bytes as plain arrays, so `deepEqual` compares values whatever their class (Buffer or Uint8Array). */
function plain(value: unknown): unknown {
  if (value instanceof Uint8Array) return { bytes: [...value] };
  if (Array.isArray(value)) return value.map(plain);
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([key, field]) => [key, plain(field)]));
  return value;
}

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

  it('leaves out map fields that are undefined or functions, as JSON does; undefined in an array is nil', () => {
    assert.deepEqual([...encode({ a: 1, b: undefined, c: () => 1 })], [...encode({ a: 1 })]);
    assert.deepEqual([...encode([undefined])], [0x91, 0xc0]);
    const many = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`k${i}`, i % 2 === 0 ? i : undefined]));
    assert.deepEqual(decode(encode(many)), Object.fromEntries(Object.entries(many).filter(([, v]) => v !== undefined)));
  });

  it('writes every value in its smallest standard form', () => {
    const cases: [unknown, string][] = [
      [0, '00'], [127, '7f'], [128, 'cc80'], [256, 'cd0100'], [65536, 'ce00010000'], [2 ** 32, 'cb41f0000000000000'],
      [-1, 'ff'], [-32, 'e0'], [-33, 'd0df'], [-129, 'd1ff7f'], [-32769, 'd2ffff7fff'], [1.5, 'cb3ff8000000000000'],
      [null, 'c0'], [false, 'c2'], [true, 'c3'], ['', 'a0'], ['é', 'a2c3a9'], ['x'.repeat(32), `d920${'78'.repeat(32)}`],
      ['é'.repeat(16), `d920${'c3a9'.repeat(16)}`], [new Uint8Array([1]), 'c40101'], [5n, 'cf0000000000000005'],
      [-5n, 'd3fffffffffffffffb'], [new Date(0), 'd6ff00000000'], [[1, 2], '920102'],
    ];
    for (const [value, expected] of cases) assert.equal(hex(encode(value)), expected, String(value));
  });

  it('agrees with another MessagePack implementation both ways, on 500 generated values', () => {
    for (const value of values(42, 500)) {
      const ours = encode(value);
      assert.deepEqual(plain(other.unpack(ours)), plain(value));
      assert.deepEqual(plain(decode(other.pack(value))), plain(value));
    }
  });

  it('keeps every encoded value intact while later ones fill and outgrow the shared buffer', () => {
    const kept = [...values(7, 500)].map((value) => ({ value, bytes: encode(value) }));
    const big = encode({ d: new Uint8Array(100_000).fill(9) });
    for (const { value, bytes } of kept) assert.deepEqual(plain(decode(bytes)), plain(value));
    assert.equal((decode(big) as { d: Uint8Array }).d.byteLength, 100_000);
  });

  it('reads dates in all three timestamp forms, and bigints beyond 53 bits as bigints', () => {
    for (const date of [new Date(0), new Date(1_765_000_000_123), new Date(-1), new Date(2 ** 35 * 1000)]) {
      assert.equal((decode(encode(date)) as Date).getTime(), date.getTime());
      assert.equal((other.unpack(encode(date)) as Date).getTime(), date.getTime());
    }
    assert.equal(decode(encode(2n ** 60n)), 2n ** 60n);
    assert.equal(decode(encode(5n)), 5);
  });

  it('sends typed arrays, DataViews and ArrayBuffers as bytes, Maps as maps and Sets as arrays', () => {
    assert.deepEqual([...(decode(encode(new Uint16Array([1]))) as Uint8Array)], [1, 0]);
    assert.deepEqual([...(decode(encode(new DataView(new Uint8Array([4, 5]).buffer, 1))) as Uint8Array)], [5]);
    assert.deepEqual([...(decode(encode(new Uint8Array([6]).buffer)) as Uint8Array)], [6]);
    assert.deepEqual(decode(encode(new Map<unknown, unknown>([['a', 1], [2, 'b']]))), { a: 1, 2: 'b' });
    assert.deepEqual(decode(encode(new Set([1, 2]))), [1, 2]);
  });

  it('reads a __proto__ key as an own field, never as the prototype', () => {
    const decoded = decode(encode(JSON.parse('{"__proto__": {"polluted": true}}'))) as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(decoded), Object.prototype);
    assert.deepEqual(Object.keys(decoded), ['__proto__']);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  it('hands each of several values back to back to the visitor, or none if any is malformed', () => {
    const seen: unknown[] = [];
    decodeEach(new Uint8Array([...encode({ a: 1 }), ...encode('b'), ...encode([2])]), (value) => seen.push(value));
    assert.deepEqual(seen, [{ a: 1 }, 'b', [2]]);
    const none: unknown[] = [];
    assert.throws(() => decodeEach(new Uint8Array([...encode(1), 0x82, 0xa1]), (value) => none.push(value)), ProtocolError);
    assert.deepEqual(none, []);
  });

  for (const [name, value] of [
    ['a symbol', Symbol('s')],
    ['a bigint beyond 64 bits', 2n ** 70n],
    ['an invalid date', new Date(NaN)],
    ['a cycle', (() => { const a: Record<string, unknown> = {}; a.self = a; return a; })()],
  ] as const) {
    it(`refuses to encode ${name} with a MALFORMED ProtocolError, and encodes on afterwards`, () => {
      assert.throws(() => encode({ ok: 1, bad: value }), (error: unknown) => error instanceof ProtocolError && error.code === 'MALFORMED');
      assert.deepEqual([...encode({ a: 1 })], [0x81, 0xa1, 0x61, 0x01]);
    });
  }

  for (const [name, bytes] of [
    ['an empty frame', []],
    ['a truncated map', [0x82, 0xa1, 0x61]],
    ['two values in one frame', [0x01, 0x02]],
    ['a reserved type byte', [0xc1]],
    ['a string longer than the frame', [0xdb, 0xff, 0xff, 0xff, 0xff, 0x61]],
    ['an array count beyond the frame', [0xdd, 0xff, 0xff, 0xff, 0xff, 0x01]],
    ['an unknown extension', [0xd4, 0x05, 0x01]],
    ['a map key that is an array', [0x81, 0x90, 0x01]],
    ['nesting 300 levels deep', [...new Array<number>(300).fill(0x91), 0x01]],
  ] as const) {
    it(`rejects ${name} with a MALFORMED ProtocolError`, () => {
      assert.throws(
        () => decode(new Uint8Array(bytes)),
        (error: unknown) => error instanceof ProtocolError && error.code === 'MALFORMED',
      );
    });
  }
});
