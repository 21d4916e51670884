import { decodeOne, decodeValues } from './msgpack-decoder.js';
import { encodeValue } from './msgpack-encoder.js';

// Standard MessagePack, written by hand rather than with a library: every frame is plain maps,
// arrays, strings, numbers and bytes, so peers written in other languages and backends posting
// MessagePack to the HTTP API read and write every frame; and a browser page pays about 2 kB
// for the codec instead of msgpackr's 12 kB (docs/decisions.md). Fields set to `undefined` are
// left out, as JSON does.

/** Encodes a value as standard MessagePack (see `encodeValue` for what becomes what). */
export function encode(value: unknown): Uint8Array {
  return encodeValue(value);
}

/**
 * Decodes one MessagePack value. Throws {@link ProtocolError} with code `MALFORMED` when the bytes
 * are not exactly one valid value, so callers can answer with a clear error instead of crashing.
 */
export function decode(bytes: Uint8Array | ArrayBuffer): unknown {
  const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  return decodeOne(view, 0, view.byteLength);
}

/**
 * Decodes the one MessagePack value that fills `bytes` from `start` to `end`, as {@link decode}
 * does a whole buffer: a value inside a larger frame is read in place, without a view of its own.
 */
export function decodeRange(bytes: Uint8Array, start: number, end: number): unknown {
  return decodeOne(bytes, start, end);
}

/**
 * Decodes the MessagePack values that fill `bytes` back to back and hands each to `visit`, in
 * order. Throws {@link ProtocolError} `MALFORMED` when the bytes cannot be read (then nothing was
 * visited).
 */
export function decodeEach(bytes: Uint8Array | ArrayBuffer, visit: (value: unknown) => void): void {
  const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  decodeValues(view, 0, view.byteLength, visit);
}
