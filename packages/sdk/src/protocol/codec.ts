import { C1, Packr, type Options } from 'msgpackr';
import { ProtocolError } from './error-codes.js';

// Plain MessagePack maps (no msgpackr record extension) so peers written in other languages,
// and backends posting MessagePack to the HTTP API, can read and write every frame; maps sized
// to fit (fixmap for small objects) because most frames are small. Fields set to `undefined`
// are left out, as JSON does: msgpackr would otherwise write them as its own extension type.
// (`skipValues` is supported by msgpackr 2.x but missing from its type declarations.)
const packr = new Packr({ useRecords: false, mapsAsObjects: true, variableMapSize: true, skipValues: [undefined] } as Options);

/** Encodes a value as standard MessagePack. */
export function encode(value: unknown): Uint8Array {
  return packr.pack(value);
}

/**
 * Decodes one MessagePack value. Throws {@link ProtocolError} with code `MALFORMED` when the bytes
 * are not exactly one valid value, so callers can answer with a clear error instead of crashing.
 */
export function decode(bytes: Uint8Array | ArrayBuffer): unknown {
  const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  return decodeRange(view, 0, view.byteLength);
}

/**
 * Decodes the one MessagePack value that fills `bytes` from `start` to `end`, as {@link decode}
 * does a whole buffer: a value inside a larger frame is read in place, without a view of its own.
 */
export function decodeRange(bytes: Uint8Array, start: number, end: number): unknown {
  if (start >= end) throw new ProtocolError('MALFORMED', 'empty MessagePack frame');
  let value: unknown;
  try {
    // `unpack`, not `unpackMultiple`: it throws on bytes left after the value too, without
    // building an array per frame.
    value = packr.unpack(bytes, { start, end });
  } catch (error) {
    const trailing = error instanceof Error && error.message.startsWith('Data read, but end of buffer not reached');
    if (trailing) throw new ProtocolError('MALFORMED', 'expected one MessagePack value, found more', { cause: error });
    throw new ProtocolError('MALFORMED', `malformed MessagePack: ${(error as Error).message}`, { cause: error });
  }
  if (isReservedType(value)) throw new ProtocolError('MALFORMED', 'reserved MessagePack type 0xc1');
  return value;
}

/**
 * Decodes the MessagePack values that fill `bytes` back to back and hands each to `visit`, in
 * order. Throws {@link ProtocolError} `MALFORMED` when the bytes cannot be read (then nothing was
 * visited) or at a reserved value.
 */
export function decodeEach(bytes: Uint8Array | ArrayBuffer, visit: (value: unknown) => void): void {
  let values: unknown[];
  try {
    values = packr.unpackMultiple(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes)) as unknown[];
  } catch (error) {
    throw new ProtocolError('MALFORMED', `malformed MessagePack: ${(error as Error).message}`, { cause: error });
  }
  for (const value of values) {
    if (isReservedType(value)) throw new ProtocolError('MALFORMED', 'reserved MessagePack type 0xc1');
    visit(value);
  }
}

/** Whether a decoded value is msgpackr's marker for the never-used type byte 0xc1 (it does not fail on it). */
export function isReservedType(value: unknown): boolean {
  return value === C1;
}
